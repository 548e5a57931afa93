//! Ports for the servers the tests start (ops ports, chromedriver, Prometheus).
//!
//! Why not `bind("127.0.0.1:0")`: that hands out a port from the kernel's ephemeral range
//! (32768–60999 here) and frees it at once, so the outbound connection of a service started
//! in the meantime (to the broker, say) can take it before the server binds it — CI saw
//! `cannot bind ops_addr …: Address already in use` that way. These ports come from below
//! the ephemeral range, each handed out once per test process, in a window chosen by the
//! process id so test binaries running side by side rarely meet; a port something already
//! listens on is skipped.

use std::sync::atomic::{AtomicU32, Ordering};

const LOW: u32 = 20_000;
const SPAN: u32 = 12_000; // 20000..32000, under the ephemeral range

static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);

/// A port on 127.0.0.1 nothing listens on and no other caller in this process was given.
pub fn free_port() -> u16 {
    let _ = NEXT.compare_exchange(
        u32::MAX,
        (std::process::id() % 100) * (SPAN / 100),
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = (LOW + n % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {LOW}..{}", LOW + SPAN);
}
