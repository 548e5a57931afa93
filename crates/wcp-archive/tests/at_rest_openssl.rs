//! An archive encrypted before SQLCipher's pages were encrypted in-process
//! (`src/at_rest_provider.rs`) — `fixtures/archive-openssl.zip`: `archive-cn.db` as `wcp run`
//! of `fixtures/wecom_samples.jsonl` wrote it with SQLCipher's OpenSSL provider (main's
//! release binary of 7 Dec 2026 19:13 UTC, key below) — opens, passes a full verify (every
//! page's HMAC), searches (the access log it writes is new), and rekeys into a file written by
//! the replacement, which verifies too.
use std::path::{Path, PathBuf};

use wcp_archive::at_rest::{self, DbKey, Keyed};
use wcp_archive::{rekey, Archive, Query};

/// The fixture's key (a test key, nothing else uses it).
const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// What `wcp archive verify` and `search --text 保本` said of it when it was made.
const RECORDS: u64 = 37;
const TERM: &str = "保本";
const FOUND: usize = 1;

fn unzip(dir: &Path) -> PathBuf {
    let file = std::fs::File::open(format!(
        "{}/tests/fixtures/archive-openssl.zip",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut f = zip.by_name("archive-cn.db").unwrap();
    let db = dir.join("archive-cn.db");
    std::io::copy(&mut f, &mut std::fs::File::create(&db).unwrap()).unwrap();
    db
}

fn keyed(k: &DbKey) -> Option<Keyed> {
    Some(Keyed {
        key: k.clone(),
        source: "test".into(),
    })
}

/// Records verified and messages found by a search for `term`.
fn read(db: &Path, term: &str) -> (u64, usize) {
    let mut r = Archive::open_read_only(db, None).unwrap();
    let report = r.verify().unwrap();
    assert!(report.first_problem().is_none(), "{report:?}");
    let q = Query {
        text: Some(term.into()),
        ..Query::default()
    };
    (
        report.records_checked,
        r.search(&q, "auditor").unwrap().len(),
    )
}

#[test]
fn an_archive_encrypted_by_openssl_opens_verifies_and_rekeys() {
    let dir = tempfile::tempdir().unwrap();
    let old = unzip(dir.path());
    assert!(!at_rest::is_plain(&old));
    let key = DbKey::parse(KEY).unwrap();
    at_rest::set_key(&old, keyed(&key));
    assert_eq!(
        at_rest::cipher_of(&old).unwrap(),
        Some(at_rest::Cipher::Sha256)
    );
    assert_eq!(at_rest::check_pages(&old).unwrap(), Vec::<String>::new());
    let (records, found) = read(&old, TERM);
    assert_eq!((records, found), (RECORDS, FOUND));

    // Rewritten page by page by this build (the replacement's AES and HMAC), under a new key.
    let new = dir.path().join("b/archive-cn.db");
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    let k2 = DbKey::generate().unwrap();
    rekey::archive(&old, &new, Some(&k2)).unwrap();
    at_rest::set_key(&new, keyed(&k2));
    assert!(!at_rest::is_plain(&new));
    assert_eq!(at_rest::check_pages(&new).unwrap(), Vec::<String>::new());
    assert_eq!(read(&new, TERM), (RECORDS, FOUND));
}
