use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::search::{query, FilterArgs, SearchArgs};
use super::verify::VerifyArgs;
use super::*;
use wcp_model::{parse_wecom, Class, EnrichedEvent, RiskCategory};

pub(crate) fn db_args(db: &Path) -> DbArgs {
    DbArgs {
        db: db.to_path_buf(),
        encryption_key_file: None,
    }
}

fn reader(db: &Path) -> ReaderArgs {
    ReaderArgs {
        db: db_args(db),
        public_key: None,
    }
}

fn actor() -> ActorArgs {
    ActorArgs {
        actor: Some("tester".into()),
    }
}

fn writer(db: &Path) -> WriterArgs {
    WriterArgs {
        db: db_args(db),
        key: None,
        actor: actor(),
    }
}

/// An archive of three raw WeCom messages, written with the region's key as the CLI would.
pub(crate) fn archive(dir: &Path) -> PathBuf {
    let db = dir.join("archive-cn.db");
    let mut a = open_writer(&writer(&db)).unwrap();
    let lines = [
        r#"{"msgid":"m1","action":"send","from":"zhangsan","tolist":["wmX"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"保证收益没问题"}}"#,
        r#"{"msgid":"m2","action":"send","from":"wmX","tolist":["zhangsan"],"roomid":"","msgtime":1732600001000,"msgtype":"text","text":{"content":"send the report"}}"#,
        r#"{"msgid":"m3","action":"recall","from":"zhangsan","tolist":["wmX"],"roomid":"","msgtime":1732600002000,"msgtype":"revoke","revoke":{"pre_msgid":"m1"}}"#,
    ];
    let events: Vec<EnrichedEvent> = lines
        .iter()
        .map(|l| EnrichedEvent::new(parse_wecom(l.as_bytes(), None).unwrap()))
        .collect();
    a.insert_batch(&events, &[]).unwrap();
    db
}

pub(crate) fn verify_code(
    db: &Path,
    public_key: Option<PathBuf>,
    encryption_key_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    verify::run(VerifyArgs {
        reader: ReaderArgs {
            db: DbArgs {
                encryption_key_file,
                ..db_args(db)
            },
            public_key,
        },
        anchors: None,
        wal: Vec::new(),
        bootstrap: None,
        since: None,
        limit: 100,
        policy: None,
        json: false,
    })
}

#[test]
fn verify_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert!(
        db.with_extension("key").exists(),
        "key created next to a new archive"
    );
    assert!(
        db.with_extension("pub").exists(),
        "and its public half for readers"
    );
    assert_eq!(verify_code(&db, None, None).unwrap(), ExitCode::SUCCESS);
    let public = db.with_extension("pub");
    assert_eq!(
        verify_code(&db, Some(public.clone()), None).unwrap(),
        ExitCode::SUCCESS
    );
    let other = dir.path().join("other.pub");
    let k = wcp_archive::keys::generate_signing_key().unwrap();
    std::fs::write(
        &other,
        wcp_archive::keys::public_key_hex(&k.verifying_key()),
    )
    .unwrap();
    assert_eq!(
        verify_code(&db, Some(other), None).unwrap(),
        ExitCode::from(verify::WRONG_KEY)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE records SET body = CAST('{}' AS BLOB) WHERE seq = 2",
        [],
    )
    .unwrap();
    assert_eq!(
        verify_code(&db, Some(public), None).unwrap(),
        ExitCode::from(1)
    );
    assert!(verify_code(&dir.path().join("missing.db"), None, None).is_err());
    assert!(verify_code(&db, Some(dir.path().join("missing.pub")), None).is_err());
}

#[test]
fn filters_parse_and_bad_values_are_refused() {
    let f = FilterArgs {
        from: Some("2024-11-26T00:00:00Z".into()),
        to: Some("2024-11-27".into()),
        class: Some("business".into()),
        risk: Some("complaint".into()),
        ..FilterArgs::default()
    };
    let q = query(&f, 480).unwrap();
    assert_eq!(q.from_ms, Some(1_732_579_200_000));
    // A To date takes in that whole local day: up to 2024-11-28T00:00+08:00 (trial 18 D2).
    assert_eq!(
        q.to_ms,
        Some(1_732_579_200_000 + 2 * 86_400_000 - 8 * 3_600_000)
    );
    assert_eq!(q.class, Some(Class::Business));
    assert_eq!(q.risk, Some(RiskCategory::Complaint));
    for bad in [
        FilterArgs {
            from: Some("yesterday".into()),
            ..FilterArgs::default()
        },
        FilterArgs {
            class: Some("work".into()),
            ..FilterArgs::default()
        },
        FilterArgs {
            risk: Some("fraud".into()),
            ..FilterArgs::default()
        },
    ] {
        assert!(query(&bad, 0).is_err());
    }
}

#[test]
fn writer_refuses_a_new_key_for_a_signed_archive_and_actors_are_required() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    std::fs::remove_file(db.with_extension("key")).unwrap();
    let err = open_writer(&writer(&db)).err().expect("refused");
    // The whole chain, as main prints it ("opening FILE: … a new key would not match …").
    let err = format!("{err:#}");
    assert!(err.contains("a new key would not match"), "{err}");
    assert!(!db.with_extension("key").exists(), "no stray key written");
    let nobody = WriterArgs {
        db: db_args(&db),
        key: None,
        actor: ActorArgs { actor: None },
    };
    if std::env::var("WCP_ACTOR").is_err() {
        assert!(nobody
            .actor
            .actor()
            .unwrap_err()
            .to_string()
            .contains("--actor"));
    }
}

#[test]
fn readers_search_and_export_with_the_public_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    // The reader's copy: the archive and its public key, no private key anywhere near.
    let copy = dir.path().join("reader");
    std::fs::create_dir(&copy).unwrap();
    let rdb = copy.join("archive-cn.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("VACUUM INTO ?1", [rdb.to_string_lossy()])
        .unwrap();
    std::fs::copy(db.with_extension("pub"), rdb.with_extension("pub")).unwrap();
    let search = SearchArgs {
        reader: reader(&rdb),
        actor: actor(),
        filter: FilterArgs {
            text: Some("report".into()),
            ..FilterArgs::default()
        },
        msgid: None,
        around: None,
        policy: None,
        access_log: None,
        json: true,
    };
    assert_eq!(search::run(search).unwrap(), ExitCode::SUCCESS);
    let out = copy.join("rsmf");
    let export = export::ExportArgs {
        reader: reader(&rdb),
        actor: actor(),
        format: export::Format::Rsmf,
        per: export::Per::Message,
        out: out.clone(),
        filter: FilterArgs::default(),
        policy: None,
        media_dir: None,
        case_id: None,
        access_log: None,
    };
    assert_eq!(export::run(export).unwrap(), ExitCode::SUCCESS);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    let a = Archive::open_read_only(&rdb, None).unwrap();
    assert_eq!(
        a.access_log_pending().unwrap(),
        (2, true),
        "both reads recorded"
    );
}

/// An export that holds a record altered after archiving exits 1 (README: findings) and
/// still writes what it read (trial 12a D16); the same export of the clean archive exits 0.
#[test]
fn export_of_an_altered_record_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let run = |db: &Path, out: &str| {
        export::run(export::ExportArgs {
            reader: reader(db),
            actor: actor(),
            format: export::Format::Rsmf,
            per: export::Per::Message,
            out: dir.path().join(out),
            filter: FilterArgs::default(),
            policy: None,
            media_dir: None,
            case_id: None,
            access_log: None,
        })
        .unwrap()
    };
    assert_eq!(run(&db, "clean"), ExitCode::SUCCESS);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE records SET body = CAST(replace(CAST(body AS TEXT), '保证', '不保') AS BLOB) \
             WHERE msgid = 'm1' AND kind = 'message'",
            [],
        )
        .unwrap();
    assert_eq!(run(&db, "altered"), ExitCode::from(1));
    assert_eq!(
        std::fs::read_dir(dir.path().join("altered"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn hold_expire_audit_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let place = hold::HoldPlaceArgs {
        writer: writer(&db),
        custodian: Some("wmX".into()),
        conversation: None,
        filter: FilterArgs::default(),
        reason: "inquiry".into(),
        case_id: "C-1".into(),
    };
    hold::run(hold::HoldCommand::Place(Box::new(place))).unwrap();
    let later = expire::ExpireArgs {
        writer: writer(&db),
        now: Some("2100-01-01T00:00:00Z".into()),
        dry_run: true,
        approval: None,
        list_kept: false,
        policy: None,
        json: true,
    };
    assert!(expire::run(later)
        .unwrap_err()
        .to_string()
        .contains("later than this machine's clock"));
    let dry = expire::ExpireArgs {
        writer: writer(&db),
        now: None,
        dry_run: true,
        approval: None,
        list_kept: true,
        policy: None,
        json: false,
    };
    assert_eq!(expire::run(dry).unwrap(), ExitCode::SUCCESS);
    let a = open_reader(&reader(&db)).unwrap();
    let actions: Vec<String> = a
        .audit_trail()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["hold_place"]);
    assert!(a.audit_trail().unwrap().iter().all(|e| e.actor == "tester"));
    assert!(a.verify().unwrap().ok);
}
