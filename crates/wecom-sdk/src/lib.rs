//! wecom-sdk: Tencent's WeCom session-archive SDK (会话内容存档, `libWeWorkFinanceSdk_C.so`)
//! loaded at run time, and the meaning of its error codes.
//!
//! Layout: `ffi` (`dlopen` of the library, its C functions as typed pointers,
//! `Slice_t`/`MediaData_t` copied into owned Rust values), `process` (the child dies with its
//! parent) — the only unsafe code — and `codes` (the documented return codes 10000–10011 and
//! what a caller should do about each, pure).
//!
//! The library is closed source and has been seen to crash or hang its host process; wcp
//! therefore only uses this crate inside a child process (`wcp-capture`'s SDK child) that
//! the service supervises and restarts.

pub mod codes;
pub mod ffi;
pub mod process;

pub use codes::{classify, describe, CodeClass};
pub use ffi::{LoadError, MediaChunk, Sdk};
pub use process::die_with_parent;
