//! An archive written by schema 1 (`fixtures/archive-v1.zip`, made by the build before
//! schema 2 with the fixtures of `common`) opens, upgrades in place, still verifies, and
//! searches and ingests as a new one does.
mod common;

use common::{text, T0};
use wcp_archive::Query;

fn unzip_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/archive-v1.zip"
    ))
    .unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut db = zip.by_name("archive-v1.db").unwrap();
    let path = dir.join("archive-v1.db");
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
    assert_eq!(version(&path), "3");
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
