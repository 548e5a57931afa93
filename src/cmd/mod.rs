//! One module per subcommand.
pub mod archive;
pub mod demo;
pub mod detect;
mod dlq_stage;
pub mod eval;
mod group_delete;
mod kafka;
pub mod lag;
pub mod outdir;
pub mod produce;
mod replay_order;
pub mod review;
pub mod run;
mod stop;
mod synthetic;
pub mod tail;
pub mod topics;
pub mod train;
