//! Archives written by schema 1 (`fixtures/archive-v1.zip`, made by the build before
//! schema 2 with the fixtures of `common`) and schema 3 (`fixtures/archive-v3.zip`, made by
//! git `f6a917a` with `common::open` and `common::text`) open, upgrade in place, still
//! verify, and search and ingest as a new one does.
mod common;

use common::{text, T0};
use wcp_archive::Query;

fn unzip_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    unzip(dir, "archive-v1")
}

fn unzip(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let file = std::fs::File::open(format!(
        "{}/tests/fixtures/{name}.zip",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut db = zip.by_name(&format!("{name}.db")).unwrap();
    let path = dir.join(format!("{name}.db"));
    std::io::copy(&mut db, &mut std::fs::File::create(&path).unwrap()).unwrap();
    path
}

fn version(path: &std::path::Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn schema_1_upgrades_in_place_and_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = unzip_fixture(dir.path());
    assert_eq!(version(&path), "1");
    let mut a = common::open(&path);
    assert_eq!(version(&path), "4");
    let report = a.verify().unwrap();
    assert!(report.ok, "{report:?}");
    let ids = |a: &mut wcp_archive::Archive, q: Query| -> Vec<String> {
        a.search(&q, "reviewer")
            .unwrap()
            .into_iter()
            .map(|m| m.stored.msgid)
            .collect()
    };
    let by = |p: &str| Query {
        participant: Some(p.into()),
        ..Query::default()
    };
    // wangwu is only in the room's second message; the participant list came over exactly.
    assert_eq!(ids(&mut a, by("wangwu")), ["g2"]);
    assert_eq!(ids(&mut a, by("lisi")), ["g1", "g2"]);
    let room = Query {
        conversation: Some("wrROOM1".into()),
        ..Query::default()
    };
    assert_eq!(ids(&mut a, room), ["g1", "g2"]);
    let recalled = Query {
        recalled: Some(true),
        ..Query::default()
    };
    assert_eq!(ids(&mut a, recalled), ["zh1"]);
    // The custodian hold placed under schema 1 still applies.
    assert_eq!(a.list_holds(false).unwrap().len(), 1);
    // New messages go in as in a new archive, and the upgrade is not repeated.
    a.insert_batch(&[text("new1", "after the upgrade", T0 + 9_000)], &[])
        .unwrap();
    drop(a);
    let mut a = common::open(&path);
    assert_eq!(
        ids(&mut a, by("zhangsan")).len(),
        3,
        "zh1, r1's sender and new1"
    );
    assert!(a.verify().unwrap().ok);
}

fn text_ids(a: &mut wcp_archive::Archive, text: &str) -> Vec<String> {
    let q = Query {
        text: Some(text.into()),
        ..Query::default()
    };
    a.search(&q, "reviewer")
        .unwrap()
        .into_iter()
        .map(|m| m.stored.msgid)
        .collect()
}

/// Schema 3 had no tail tokens: the upgrade rebuilds `id_tokens` with them, so a
/// two-character term ending a text (v3b) or making it up (v3c) is found by the index, and
/// verify (whose check of `id_tokens` re-derives the tail tokens) passes.
#[test]
fn schema_3_upgrades_to_tail_tokens_and_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = unzip(dir.path(), "archive-v3");
    assert_eq!(version(&path), "3");
    let mut a = common::open(&path);
    assert_eq!(version(&path), "4");
    assert!(a.verify().unwrap().ok);
    assert_eq!(text_ids(&mut a, "保本"), ["v3a", "v3b", "v3c"]);
    assert_eq!(text_ids(&mut a, "收益"), ["v3e"]);
    assert_eq!(text_ids(&mut a, "meeting"), ["v3d"]);
    let (found, _) = a
        .review_search_probing(
            &Query {
                text: Some("保本".into()),
                ..Query::default()
            },
            0,
            10,
            0,
        )
        .unwrap();
    assert_eq!(found.len(), 3);
    a.insert_batch(&[text("new1", "新的保本", T0 + 9_000)], &[])
        .unwrap();
    drop(a);
    let mut a = common::open(&path);
    assert_eq!(text_ids(&mut a, "保本"), ["v3a", "v3b", "v3c", "new1"]);
    assert!(a.verify().unwrap().ok);
    // The index itself holds the tail tokens of the messages written under schema 3.
    drop(a);
    let c = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM id_tokens WHERE id_tokens MATCH '\"t保本\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3, "v3b, v3c, new1");
}
