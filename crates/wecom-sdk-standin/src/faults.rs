//! Which scripted fault applies to a call, and how often it has fired (across restarts of
//! the process, through marker files in `state_dir`).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::script::{Call, Fault, FaultKind};

/// What the call should do.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    Proceed,
    Fail(i32),
}

/// Finds the first fault for `call` whose target matches and that has firings left, records
/// the firing, and carries it out: sleeps, never returns, crashes, or says to fail.
pub fn apply(
    faults: &[Fault],
    state_dir: &Path,
    call: Call,
    matches: impl Fn(&Fault) -> bool,
) -> Action {
    for (i, f) in faults.iter().enumerate() {
        if f.call != call || !matches(f) || !take(state_dir, i, f.times) {
            continue;
        }
        log(state_dir, &format!("fault {i} {:?} {:?}", f.call, f.kind));
        match f.kind {
            FaultKind::Error => return Action::Fail(f.code),
            FaultKind::Slow => std::thread::sleep(Duration::from_millis(f.ms)),
            FaultKind::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            FaultKind::Segfault => crash(libc::SIGSEGV),
            FaultKind::Abort => crash(libc::SIGABRT),
        }
    }
    Action::Proceed
}

fn crash(signal: libc::c_int) -> ! {
    // The point of the stand-in: a library that takes its host process down.
    crate::abi::raise(signal);
    std::process::abort()
}

/// Claims one firing of fault `i`: true while fewer than `times` (0: unlimited) were used.
fn take(state_dir: &Path, i: usize, times: u32) -> bool {
    if times == 0 {
        return true;
    }
    (0..times).any(|k| {
        // create_new is atomic: two processes never claim the same firing.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(state_dir.join(format!("fault-{i}-{k}")))
            .is_ok()
    })
}

/// Appends a line to `state_dir/calls.log` (what the tests read to see what happened).
pub fn log(state_dir: &Path, line: &str) {
    if let Ok(mut f) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(state_dir.join("calls.log"))
    {
        let _ = writeln!(f, "{} {line}", std::process::id());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(times: u32) -> Fault {
        Fault {
            call: Call::GetChatData,
            kind: FaultKind::Error,
            code: 10001,
            ms: 0,
            at_seq: None,
            sdkfileid: None,
            times,
        }
    }

    #[test]
    fn a_fault_fires_as_often_as_scripted() {
        let dir = tempfile::tempdir().unwrap();
        let faults = vec![fault(2)];
        let any = |_: &Fault| true;
        assert_eq!(
            apply(&faults, dir.path(), Call::GetChatData, any),
            Action::Fail(10001)
        );
        assert_eq!(
            apply(&faults, dir.path(), Call::GetChatData, any),
            Action::Fail(10001)
        );
        assert_eq!(
            apply(&faults, dir.path(), Call::GetChatData, any),
            Action::Proceed
        );
        assert_eq!(
            apply(&faults, dir.path(), Call::DecryptData, any),
            Action::Proceed
        );
        let always = vec![fault(0)];
        for _ in 0..3 {
            assert_eq!(
                apply(&always, dir.path(), Call::GetChatData, any),
                Action::Fail(10001)
            );
        }
        assert_eq!(
            apply(&always, dir.path(), Call::GetChatData, |_| false),
            Action::Proceed
        );
    }
}
