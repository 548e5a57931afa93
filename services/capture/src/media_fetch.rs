//! One media file: `GetMediaData` chunk after chunk (each answer names the `indexbuf` of
//! the next, up to 512 KB each), written into a pending file of the store while MD5 and
//! SHA-256 are computed, checked against the message's `md5sum`, then moved into place.
//! What cannot be had ends as [`Fetched::Missing`] with a reason from a closed set (a
//! metric label) and words for the mark on the message. The chunk source is a trait so
//! the loop is tested without a child process.

use std::time::{Duration, Instant};

use wecom_sdk::{classify, describe, CodeClass};

use crate::mediaref::MediaRef;
use crate::store::{Pending, Store, StoreError, Stored};
use crate::supervisor::CallError;

/// Why a file is missing: the `reason` label of `wcp_capture_media_missing_total`.
pub const MISSING_REASONS: &[&str] = &[
    "expired",
    "unknown_id",
    "md5_mismatch",
    "too_large",
    "sdk_error",
    "hang",
    "crash",
    "no_progress",
    // The store (a bucket) refuses: 403, no such bucket.
    "store_refused",
];

/// One `GetMediaData` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub data: Vec<u8>,
    pub next_index: String,
    pub finished: bool,
}

/// Where chunks come from: the SDK child in the service, a script in the tests.
pub trait ChunkSource {
    fn chunk(&mut self, index: &str, sdkfileid: &str) -> Result<Chunk, CallError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Stored; `md5_checked`: the message gave an md5sum and the content matched it.
    Stored { stored: Stored, md5_checked: bool },
    Missing {
        reason: &'static str,
        detail: String,
    },
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    /// Attempts of one chunk that fails transiently (code 10001–10003, crash, hang).
    pub tries: u32,
    /// Wait before the second attempt (doubling).
    pub backoff: Duration,
    /// After this instant a failure is final at once (the batch's transaction must end).
    pub give_up_retrying_at: Option<Instant>,
}

/// Fetches `r` into `store`. `Err` only for what stops the media stage (a fatal SDK
/// condition, the store failing): everything about the file itself is `Missing`.
pub fn fetch(
    src: &mut dyn ChunkSource,
    store: &Store,
    r: &MediaRef,
    lim: &Limits,
) -> Result<Fetched, FetchError> {
    let mut p = store.begin().map_err(|e| FetchError::Store(e.into()))?;
    match download(src, &mut p, r, lim) {
        Ok(None) => {}
        Ok(Some((reason, detail))) => {
            p.discard();
            return Ok(Fetched::Missing { reason, detail });
        }
        Err(e) => {
            p.discard();
            return Err(e);
        }
    }
    if let Some(want) = &r.md5 {
        let got = p.md5_hex();
        if &got != want {
            p.discard();
            return Ok(Fetched::Missing {
                reason: "md5_mismatch",
                detail: format!("md5 of the content {got} is not the md5sum {want} of the message"),
            });
        }
    }
    match store.commit(p) {
        Ok(stored) => Ok(Fetched::Stored {
            stored,
            md5_checked: r.md5.is_some(),
        }),
        Err(StoreError::Refused(detail)) => Ok(Fetched::Missing {
            reason: "store_refused",
            detail,
        }),
        Err(e) => Err(FetchError::Store(e)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("media store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Fatal(String),
}

type Missing = (&'static str, String);

fn download(
    src: &mut dyn ChunkSource,
    p: &mut Pending,
    r: &MediaRef,
    lim: &Limits,
) -> Result<Option<Missing>, FetchError> {
    if let Some(size) = r.size.filter(|s| *s > lim.max_bytes) {
        return Ok(Some(too_large(size, lim.max_bytes)));
    }
    let mut index = String::new();
    let mut tries = 0;
    loop {
        let (reason, detail) = match src.chunk(&index, &r.sdkfileid) {
            Ok(c) => {
                p.write(&c.data).map_err(|e| FetchError::Store(e.into()))?;
                if p.len > lim.max_bytes {
                    return Ok(Some(too_large(p.len, lim.max_bytes)));
                }
                if c.finished {
                    return Ok(None);
                }
                if c.next_index.is_empty() || (c.next_index == index && c.data.is_empty()) {
                    return Ok(Some((
                        "no_progress",
                        "GetMediaData returned neither data nor a new indexbuf".into(),
                    )));
                }
                index = c.next_index;
                tries = 0;
                continue;
            }
            Err(CallError::Fatal(msg)) => return Err(FetchError::Fatal(msg)),
            Err(CallError::Code(code)) => {
                let detail = format!("GetMediaData returned {code}: {}", describe(code));
                match classify(code) {
                    CodeClass::Fatal => return Err(FetchError::Fatal(detail)),
                    CodeClass::Expired => return Ok(Some(("expired", detail))),
                    CodeClass::FileId => return Ok(Some(("unknown_id", detail))),
                    CodeClass::Transient => ("sdk_error", detail),
                    CodeClass::Key => return Ok(Some(("sdk_error", detail))),
                }
            }
            Err(e @ CallError::Hung(_)) => ("hang", e.to_string()),
            Err(e @ CallError::Crashed(_)) => ("crash", e.to_string()),
        };
        tries += 1;
        let out_of_time = lim.give_up_retrying_at.is_some_and(|t| Instant::now() >= t);
        if tries >= lim.tries || out_of_time {
            return Ok(Some((reason, format!("{detail} (after {tries} attempts)"))));
        }
        std::thread::sleep(lim.backoff * (1 << (tries - 1).min(6)));
    }
}

fn too_large(size: u64, max: u64) -> Missing {
    (
        "too_large",
        format!("{size} bytes is more than media_max_bytes ({max})"),
    )
}

#[cfg(test)]
#[path = "media_fetch_tests.rs"]
mod tests;
