//! wcp-archiver: `chat.tagged` → the SQLite archive (one file per residency region,
//! `archive_dir/archive-<region>.db`, via `wcp_archive`). Not a Kafka transaction: the source
//! offsets are committed in the same SQLite transaction as the rows, a restart or a new
//! assignment resumes from them, and the archive dedups on msgid — so every message is
//! archived exactly once. Content is reduced per the consent disposition by
//! `wcp_stages::anonymise::Anonymiser::for_archive`, as in `wcp run`.
//!
//! Layout: `main.rs` wiring, `consume.rs` the Kafka side (batches, dead letters, rebalance
//! seeks), `writer.rs` the SQLite thread, `retry.rs` its write retries, `verify.rs` the periodic verification thread, `new_archive.rs`
//! the start-up refusal of a second archive (no archive but committed offsets).

use std::process::ExitCode;

mod consume;
mod new_archive;
mod retry;
mod settings;
mod storage;
mod verify;
mod writer;

fn main() -> ExitCode {
    wcp_runtime::app::main("archiver", consume::run)
}
