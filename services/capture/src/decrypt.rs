//! From encrypted chatdata items to plaintext messages or dead letters: the random key of
//! each message is RSA-decrypted here, in the service (the private keys never enter the
//! SDK's process), then `DecryptData` runs in the SDK child, in batches.

use std::time::Duration;

use wecom_sdk::{classify, describe, CodeClass};

use crate::chatdata::Item;
use crate::keys::{KeyError, KeyRing};
use crate::supervisor::{CallError, Supervisor};

/// Every dead-letter reason of the capture (`wcp_capture_decrypt_failures_total{reason}`).
pub const REASONS: &[&str] = &[
    "unknown_publickey_ver",
    "rsa_decrypt_failed",
    "malformed_envelope",
    "sdk_10004",
    "sdk_10006",
    "sdk_10007",
    "sdk_10008",
    "sdk_other",
];

/// Messages per `decrypt` request to the child (bounds the frame size).
const PER_REQUEST: usize = 250;
/// Attempts of a DecryptData that answers a transient code before the batch is retried.
const TRANSIENT_TRIES: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Plain {
        seq: u64,
        ver: u32,
        bytes: Vec<u8>,
    },
    Dead {
        item: Item,
        code: &'static str,
        reason: String,
    },
}

fn sdk_reason(code: i32) -> &'static str {
    match code {
        10004 => "sdk_10004",
        10006 => "sdk_10006",
        10007 => "sdk_10007",
        10008 => "sdk_10008",
        _ => "sdk_other",
    }
}

/// Decrypts `items` (in order). `Err`: the child failed or a transient code persisted; the
/// caller retries the whole batch (nothing of it was committed).
pub fn decrypt(
    items: Vec<Item>,
    keys: &mut KeyRing,
    sup: &mut Supervisor,
    threads: usize,
    limit: Duration,
) -> Result<Vec<Outcome>, CallError> {
    if items
        .iter()
        .any(|i| i.malformed.is_none() && !keys.has(i.publickey_ver))
    {
        // A key rotated in since the last load (e.g. a Secret updated in place)?
        keys.reload();
    }
    let random = random_keys(&items, keys, threads);
    let mut out: Vec<Option<Outcome>> = vec![None; items.len()];
    let mut pending: Vec<(usize, String)> = Vec::new();
    for (i, (item, key)) in items.iter().zip(random).enumerate() {
        match (&item.malformed, key) {
            (Some(why), _) => {
                out[i] = Some(dead(item, "malformed_envelope", why.clone()));
            }
            (None, Err(e)) => out[i] = Some(dead(item, e.code(), e.to_string())),
            (None, Ok(k)) => pending.push((i, k)),
        }
    }
    for chunk in pending.chunks(PER_REQUEST) {
        let results = decrypt_chunk(chunk, &items, sup, limit)?;
        for ((i, _), res) in chunk.iter().zip(results) {
            let item = &items[*i];
            out[*i] = Some(match res {
                Ok(bytes) => Outcome::Plain {
                    seq: item.seq,
                    ver: item.publickey_ver,
                    bytes,
                },
                Err(code) => dead(
                    item,
                    sdk_reason(code),
                    format!("DecryptData returned {code}: {}", describe(code)),
                ),
            });
        }
    }
    Ok(out.into_iter().flatten().collect())
}

fn dead(item: &Item, code: &'static str, reason: String) -> Outcome {
    Outcome::Dead {
        item: item.clone(),
        code,
        reason,
    }
}

/// RSA decryption is the capture's main CPU cost (~3.6 ms per 2048-bit key on one core), so
/// it runs on `threads` threads.
fn random_keys(items: &[Item], keys: &KeyRing, threads: usize) -> Vec<Result<String, KeyError>> {
    let one = |i: &Item| keys.random_key(i.publickey_ver, &i.encrypt_random_key);
    let per = items.len().div_ceil(threads.max(1)).max(1);
    if threads <= 1 || items.len() < 8 {
        return items.iter().map(one).collect();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|c| s.spawn(move || c.iter().map(one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// One `decrypt` request; per message the plaintext or the code. Transient codes are retried
/// a few times (for those messages only).
fn decrypt_chunk(
    chunk: &[(usize, String)],
    items: &[Item],
    sup: &mut Supervisor,
    limit: Duration,
) -> Result<Vec<Result<Vec<u8>, i32>>, CallError> {
    let mut results: Vec<Option<Result<Vec<u8>, i32>>> = vec![None; chunk.len()];
    for attempt in 0..TRANSIENT_TRIES {
        let todo: Vec<usize> = (0..chunk.len())
            .filter(|&j| match &results[j] {
                None => true,
                Some(Err(c)) => classify(*c) == CodeClass::Transient,
                Some(Ok(_)) => false,
            })
            .collect();
        if todo.is_empty() {
            break;
        }
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(200 << attempt));
        }
        let mut req: Vec<&[u8]> = vec![b"decrypt"];
        for &j in &todo {
            let (i, key) = &chunk[j];
            req.push(key.as_bytes());
            req.push(items[*i].encrypt_chat_msg.as_bytes());
        }
        let answer = sup.call(&req, limit)?;
        for (pos, &j) in todo.iter().enumerate() {
            let code: i32 = crate::proto::num(answer.get(2 * pos)).unwrap_or(10003);
            let bytes = answer.get(2 * pos + 1).cloned().unwrap_or_default();
            results[j] = Some(if code == 0 { Ok(bytes) } else { Err(code) });
        }
    }
    let mut out = Vec::with_capacity(chunk.len());
    for r in results {
        match r {
            Some(Err(c)) if classify(c) == CodeClass::Transient => return Err(CallError::Code(c)),
            Some(r) => out.push(r),
            None => return Err(CallError::Code(10003)),
        }
    }
    Ok(out)
}
