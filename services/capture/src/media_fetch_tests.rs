use std::collections::VecDeque;
use std::time::Duration;

use md5::Digest;

use super::*;

const CHUNK: usize = 512 * 1024;

/// Serves `content` in 512 KB chunks (index = offset), after the scripted failures.
struct Fake {
    content: Vec<u8>,
    failures: VecDeque<CallError>,
    calls: Vec<String>,
}

impl Fake {
    fn new(content: Vec<u8>, failures: Vec<CallError>) -> Fake {
        Fake {
            content,
            failures: failures.into(),
            calls: Vec::new(),
        }
    }
}

impl ChunkSource for Fake {
    fn chunk(&mut self, index: &str, _id: &str) -> Result<Chunk, CallError> {
        self.calls.push(index.to_string());
        if let Some(e) = self.failures.pop_front() {
            return Err(e);
        }
        let from: usize = if index.is_empty() {
            0
        } else {
            index.parse().unwrap()
        };
        let end = (from + CHUNK).min(self.content.len());
        Ok(Chunk {
            data: self.content[from..end].to_vec(),
            next_index: end.to_string(),
            finished: end == self.content.len(),
        })
    }
}

fn content() -> Vec<u8> {
    // 1.3 chunks' worth … three chunks, the last partial, with a pattern that shows reordering.
    (0..(2 * CHUNK + 12_345))
        .map(|i| (i * 7 % 251) as u8)
        .collect()
}

fn md5_of(b: &[u8]) -> String {
    hex::encode(md5::Md5::digest(b))
}

fn r(md5: Option<String>, size: Option<u64>) -> MediaRef {
    MediaRef {
        sdkfileid: "F1".into(),
        md5,
        size,
    }
}

fn lim() -> Limits {
    Limits {
        max_bytes: 10 << 20,
        tries: 3,
        backoff: Duration::from_millis(1),
        give_up_retrying_at: None,
    }
}

fn tmp_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("cn/tmp")).unwrap().count()
}

#[test]
fn chunks_are_reassembled_md5_checked_and_stored_by_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "cn", "t").unwrap();
    let c = content();
    let mut src = Fake::new(c.clone(), vec![]);
    let got = fetch(
        &mut src,
        &store,
        &r(Some(md5_of(&c)), Some(c.len() as u64)),
        &lim(),
    )
    .unwrap();
    let Fetched::Stored {
        stored,
        md5_checked,
    } = got
    else {
        panic!("{got:?}")
    };
    assert!(md5_checked);
    assert_eq!(
        src.calls,
        vec!["".to_string(), CHUNK.to_string(), (2 * CHUNK).to_string()]
    );
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&c));
    assert_eq!(stored.sha256, sha);
    assert_eq!(stored.size, c.len() as u64);
    assert_eq!(std::fs::read(dir.path().join(&stored.path)).unwrap(), c);
    assert_eq!(tmp_files(dir.path()), 0);
    // Without an md5sum the file is stored, and says it was not checked.
    let mut src = Fake::new(c.clone(), vec![]);
    let got = fetch(&mut src, &store, &r(None, None), &lim()).unwrap();
    assert!(
        matches!(
            got,
            Fetched::Stored {
                md5_checked: false,
                ..
            }
        ),
        "{got:?}"
    );
}

#[test]
fn a_wrong_md5_is_rejected_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "cn", "t").unwrap();
    let c = content();
    let mut wrong = c.clone();
    wrong[CHUNK + 3] ^= 1;
    let mut src = Fake::new(wrong, vec![]);
    let got = fetch(&mut src, &store, &r(Some(md5_of(&c)), None), &lim()).unwrap();
    let Fetched::Missing { reason, detail } = got else {
        panic!("{got:?}")
    };
    assert_eq!(reason, "md5_mismatch");
    assert!(detail.contains(&md5_of(&c)), "{detail}");
    assert_eq!(tmp_files(dir.path()), 0);
    assert_eq!(
        std::fs::read_dir(dir.path().join("cn/sha256"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn sdk_codes_become_reasons_and_transient_ones_are_retried() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "cn", "t").unwrap();
    let missing = |failures: Vec<CallError>| {
        let mut src = Fake::new(content(), failures);
        match fetch(&mut src, &store, &r(None, None), &lim()).unwrap() {
            Fetched::Missing { reason, .. } => (reason, src.calls.len()),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(missing(vec![CallError::Code(10010)]), ("expired", 1));
    assert_eq!(missing(vec![CallError::Code(10005)]), ("unknown_id", 1));
    let three = || {
        vec![
            CallError::Code(10001),
            CallError::Code(10001),
            CallError::Code(10002),
        ]
    };
    assert_eq!(missing(three()), ("sdk_error", 3));
    let hangs = (0..3)
        .map(|_| CallError::Hung(Duration::from_secs(1)))
        .collect();
    assert_eq!(missing(hangs), ("hang", 3));
    let crashes = (0..3)
        .map(|_| CallError::Crashed("signal 11".into()))
        .collect();
    assert_eq!(missing(crashes), ("crash", 3));
    // Two transient failures, then the file: stored, and the failed chunk asked again.
    let mut src = Fake::new(
        content(),
        vec![CallError::Code(10001), CallError::Hung(Duration::ZERO)],
    );
    let got = fetch(&mut src, &store, &r(None, None), &lim()).unwrap();
    assert!(matches!(got, Fetched::Stored { .. }), "{got:?}");
    assert_eq!(src.calls[..3], ["", "", ""]);
    // Past the batch's deadline a failure is final at once.
    let mut late = lim();
    late.give_up_retrying_at = Some(std::time::Instant::now());
    let mut src = Fake::new(content(), vec![CallError::Code(10001)]);
    let got = fetch(&mut src, &store, &r(None, None), &late).unwrap();
    assert!(
        matches!(
            got,
            Fetched::Missing {
                reason: "sdk_error",
                ..
            }
        ),
        "{got:?}"
    );
    assert_eq!(src.calls.len(), 1);
    // 10009 (IP not allowed) stops the media stage: no file can be had from this host.
    let mut src = Fake::new(content(), vec![CallError::Code(10009)]);
    assert!(matches!(
        fetch(&mut src, &store, &r(None, None), &lim()),
        Err(FetchError::Fatal(_))
    ));
    assert_eq!(tmp_files(dir.path()), 0);
}

#[test]
fn too_large_by_the_message_or_by_the_download() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "cn", "t").unwrap();
    let small = Limits {
        max_bytes: CHUNK as u64,
        ..lim()
    };
    let mut src = Fake::new(content(), vec![]);
    let got = fetch(&mut src, &store, &r(None, Some(1 << 30)), &small).unwrap();
    assert!(matches!(
        got,
        Fetched::Missing {
            reason: "too_large",
            ..
        }
    ));
    assert!(src.calls.is_empty(), "not even asked");
    let got = fetch(&mut src, &store, &r(None, None), &small).unwrap();
    assert!(matches!(
        got,
        Fetched::Missing {
            reason: "too_large",
            ..
        }
    ));
    assert_eq!(src.calls.len(), 2);
    assert_eq!(tmp_files(dir.path()), 0);
}
