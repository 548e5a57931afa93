//! wcp-review: the review console as a service. Consumes `chat.alerts` exactly-once into a
//! review store per region (consume.rs) and serves the console on `listen_addr`; the ops
//! server (`ops_addr`) has the runtime's /healthz, /readyz, /metrics, and the console's own
//! port serves the queue metrics at /metrics too.

use std::process::ExitCode;

mod service;
mod settings;

fn main() -> ExitCode {
    wcp_runtime::app::main("review", service::run)
}
