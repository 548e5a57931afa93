//! `wcp archive …`: verify, search, hold, expire, export and publish the key of an archive
//! database written by the archiver (or `wcp run`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use wcp_archive::{keys, Archive, ArchiveOptions, EmlGrouping, HoldRequest, HoldScope, Query};
use wcp_model::{Class, RiskCategory};

#[derive(Args)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Check the hash chain and signed checkpoints; exit 1 naming the first broken record.
    #[command(
        after_help = "Examples:\n  wcp archive verify --db out/archive-cn.db --public-key auditor/cn.pub\n  wcp archive verify --db out/archive-cn.db --since 48211:9f2c0e…  (the head printed by the last verify)"
    )]
    Verify(VerifyArgs),
    /// Search messages (audited); a table by default, --json for JSON Lines.
    #[command(
        after_help = "Examples:\n  wcp archive search --db out/archive-cn.db --text 保本 --risk guarantee_of_returns\n  wcp archive search --db out/archive-cn.db --participant wmCLIENT --from 2025-01-01T00:00:00Z --json"
    )]
    Search(SearchArgs),
    /// Place, release or list legal holds.
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Delete content past keep_until and under no hold, leaving chained tombstones.
    #[command(
        after_help = "Example:\n  wcp archive expire --db out/archive-cn.db --now 2031-01-01T00:00:00Z"
    )]
    Expire(ExpireArgs),
    /// Export a search result as RSMF 2.0 (per conversation per day) or EML (audited).
    #[command(
        after_help = "Examples:\n  wcp archive export --db out/archive-cn.db --format rsmf --out export/ --conversation wrROOM1\n  wcp archive export --db out/archive-cn.db --format eml --per thread --out export/ --risk complaint"
    )]
    Export(ExportArgs),
    /// Print the archive's Ed25519 public key (hex) for auditors.
    #[command(
        after_help = "Example:\n  wcp archive pubkey --db out/archive-cn.db > auditor/cn.pub"
    )]
    Pubkey(DbArgs),
}

#[derive(Args)]
pub struct DbArgs {
    /// The archive database (one per residency region).
    #[arg(long)]
    pub db: PathBuf,
}

/// Writers need the signing key whose public half the archive publishes.
#[derive(Args)]
pub struct WriterArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Signing key file (64 hex characters); default: $WCP_ARCHIVE_KEY, else signing.key
    /// or <db>.key next to the database.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Who is acting, recorded in the audit trail; default: $USER.
    #[arg(long)]
    pub actor: Option<String>,
}

impl WriterArgs {
    fn actor(&self) -> String {
        self.actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "wcp-cli".into())
    }
}

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The auditor's copy of the public key; default: the key published in the archive.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    /// The head an earlier verify printed (`SEQ:HASH`): fails if the chain was cut back
    /// behind it together with its checkpoints.
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Default)]
pub struct FilterArgs {
    /// Sender or recipient id.
    #[arg(long)]
    pub participant: Option<String>,
    /// Conversation id (room id, or sorted ids joined by `|`).
    #[arg(long)]
    pub conversation: Option<String>,
    /// From this time (RFC 3339, inclusive).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this time (RFC 3339, exclusive).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub msgtype: Option<String>,
    /// business or personal.
    #[arg(long)]
    pub class: Option<String>,
    /// Risk category, e.g. guarantee_of_returns.
    #[arg(long)]
    pub risk: Option<String>,
    /// PII entity type, e.g. PHONE_NUMBER.
    #[arg(long)]
    pub pii: Option<String>,
    /// Only recalled (true) or only not recalled (false) messages.
    #[arg(long)]
    pub recalled: Option<bool>,
    /// Substring terms (Chinese or English), all must match.
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long)]
    pub limit: Option<u64>,
}

#[derive(Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum HoldCommand {
    /// Place a hold on a custodian, a conversation, or a search.
    #[command(
        after_help = "Examples:\n  wcp archive hold place --db out/archive-cn.db --custodian zhangsan --reason 'SEC inquiry' --case-id CASE-7\n  wcp archive hold place --db out/archive-cn.db --text 保本 --reason review --case-id CASE-8"
    )]
    Place(Box<HoldPlaceArgs>),
    /// Release a hold by id.
    #[command(
        after_help = "Example:\n  wcp archive hold release --db out/archive-cn.db --id 3 --reason 'case closed'"
    )]
    Release(HoldReleaseArgs),
    /// List holds (active only unless --all).
    #[command(
        after_help = "Example:\n  wcp archive hold list --db out/archive-cn.db --all --json"
    )]
    List(HoldListArgs),
}

#[derive(Args)]
pub struct HoldPlaceArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// Hold everything this participant sent or received.
    #[arg(long, conflicts_with = "hold_conversation")]
    pub custodian: Option<String>,
    /// Hold a whole conversation.
    #[arg(long = "hold-conversation", id = "hold_conversation")]
    pub conversation: Option<String>,
    /// Otherwise: hold what these filters match.
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub case_id: String,
}

#[derive(Args)]
pub struct HoldReleaseArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    #[arg(long)]
    pub id: i64,
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Args)]
pub struct HoldListArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Include released holds.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ExpireArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// The time to expire against (RFC 3339); default: now.
    #[arg(long)]
    pub now: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Rsmf,
    Eml,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Per {
    Message,
    Thread,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    #[arg(long, value_enum)]
    pub format: Format,
    /// EML only: one file per message or per conversation.
    #[arg(long, value_enum, default_value = "message")]
    pub per: Per,
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub filter: FilterArgs,
}

pub fn run(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ArchiveCommand::Verify(a) => verify(a),
        ArchiveCommand::Search(a) => search(a),
        ArchiveCommand::Hold(h) => hold(h),
        ArchiveCommand::Expire(a) => expire(a),
        ArchiveCommand::Export(a) => export(a),
        ArchiveCommand::Pubkey(a) => {
            let archive = open_reader(&a)?;
            let key = archive
                .public_key()?
                .context("the archive has no published key yet")?;
            println!("{}", keys::public_key_hex(&key));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn open_reader(db: &DbArgs) -> anyhow::Result<Archive> {
    if !db.db.exists() {
        bail!("{}: no such archive", db.db.display());
    }
    Archive::open(&db.db, ArchiveOptions::default())
        .with_context(|| format!("opening {}", db.db.display()))
}

/// Opens for writing with the signing key: `--key`, else `$WCP_ARCHIVE_KEY`, else
/// `signing.key` next to the database (where `wcp run` and the archiver keep it), else
/// `<db>.key`. A missing key is created only for a new archive: a second key would not
/// match the published one.
fn open_writer(w: &WriterArgs) -> anyhow::Result<Archive> {
    let db = &w.db.db;
    let explicit = w
        .key
        .clone()
        .or_else(|| std::env::var_os("WCP_ARCHIVE_KEY").map(PathBuf::from));
    let candidates = match explicit {
        Some(k) => vec![k],
        None => vec![db.with_file_name("signing.key"), sidecar_key(db)],
    };
    let key = match candidates.iter().find(|p| p.exists()) {
        Some(path) => {
            keys::load_signing_key(path).with_context(|| format!("reading {}", path.display()))?
        }
        None if !db.exists() || open_reader(&w.db)?.public_key()?.is_none() => {
            keys::load_or_create_signing_key(&candidates[0])?
        }
        None => bail!(
            "{} is signed with a key this command was not given (--key or WCP_ARCHIVE_KEY)",
            db.display()
        ),
    };
    let opts = ArchiveOptions {
        signing_key: Some(key),
        actor: w.actor(),
        ..ArchiveOptions::default()
    };
    Archive::open(db, opts).with_context(|| format!("opening {}", db.display()))
}

pub fn sidecar_key(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    db.with_file_name(name)
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let archive = open_reader(&a.db)?;
    let key = match &a.public_key {
        Some(p) => {
            Some(keys::load_public_key(p).with_context(|| format!("reading {}", p.display()))?)
        }
        None => None,
    };
    let report = match a.since.as_deref().map(|s| s.split_once(':')) {
        None => match &key {
            Some(k) => archive.verify_with(k)?,
            None => archive.verify()?,
        },
        Some(Some((seq, hash))) => {
            let seq: i64 = seq
                .parse()
                .with_context(|| format!("--since {seq}: not a record number"))?;
            archive.verify_since(key.as_ref(), seq, hash)?
        }
        Some(None) => bail!("--since expects SEQ:HASH, as printed by an earlier verify"),
    };
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else if let Some(p) = &report.first_problem {
        println!(
            "FAILED: record {} ({}) {}: {} ({} records checked before it)",
            p.seq,
            p.msgid.as_deref().unwrap_or("-"),
            p.kind.as_str(),
            p.detail,
            report.records_checked
        );
    } else {
        let head = report
            .last_signed
            .as_ref()
            .map(|(seq, hash)| format!("; head {seq}:{hash}"))
            .unwrap_or_default();
        println!(
            "OK: {} records, {} signed checkpoints verified{head}",
            report.records_checked, report.checkpoints_checked
        );
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn query(f: &FilterArgs) -> anyhow::Result<Query> {
    let time = |s: &Option<String>| -> anyhow::Result<Option<i64>> {
        s.as_deref()
            .map(wcp_archive::time::parse_rfc3339)
            .transpose()
            .map_err(anyhow::Error::msg)
    };
    let class = match f.class.as_deref() {
        None => None,
        Some("business") => Some(Class::Business),
        Some("personal") => Some(Class::Personal),
        Some(other) => bail!("--class {other}: expected business or personal"),
    };
    let risk = match f.risk.as_deref() {
        None => None,
        Some(r) => Some(RiskCategory::parse(r).with_context(|| {
            let names: Vec<&str> = RiskCategory::ALL.iter().map(|c| c.as_str()).collect();
            format!("--risk {r}: expected one of {}", names.join(", "))
        })?),
    };
    Ok(Query {
        participant: f.participant.clone(),
        conversation: f.conversation.clone(),
        from_ms: time(&f.from)?,
        to_ms: time(&f.to)?,
        msgtype: f.msgtype.clone(),
        class,
        risk,
        pii: f.pii.clone(),
        recalled: f.recalled,
        text: f.text.clone(),
        limit: f.limit,
    })
}

fn search(a: SearchArgs) -> anyhow::Result<ExitCode> {
    let q = query(&a.filter)?;
    let mut archive = open_writer(&a.writer)?;
    let found = archive.search(&q, &a.writer.actor())?;
    if a.json {
        for m in &found {
            println!("{}", serde_json::to_string(m)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24}  {:<20}  {:<16}  {:<8}  {:<8}  {:<8}  text",
        "time", "conversation", "from", "msgtype", "class", "recalled"
    );
    for m in &found {
        let s = &m.stored;
        let class = s.classification.as_ref().map_or("-", |c| c.class.as_str());
        let text: String = s
            .text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(40)
            .collect();
        println!(
            "{:<24}  {:<20}  {:<16}  {:<8}  {:<8}  {:<8}  {text}",
            wcp_archive::time::rfc3339(s.time_ms),
            clip(&s.conversation_id, 20),
            clip(&s.from.id, 16),
            clip(&s.msgtype, 8),
            class,
            if m.is_recalled() { "yes" } else { "no" },
        );
    }
    eprintln!("{} messages", found.len());
    Ok(ExitCode::SUCCESS)
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn hold(h: HoldCommand) -> anyhow::Result<ExitCode> {
    match h {
        HoldCommand::Place(a) => {
            let a = *a;
            let scope = match (&a.custodian, &a.conversation) {
                (Some(c), _) => HoldScope::Custodian(c.clone()),
                (None, Some(c)) => HoldScope::Conversation(c.clone()),
                (None, None) => {
                    let q = query(&a.filter)?;
                    if q == Query::default() {
                        bail!(
                            "say what to hold: --custodian, --hold-conversation or search filters"
                        );
                    }
                    HoldScope::Query(q)
                }
            };
            let mut archive = open_writer(&a.writer)?;
            let req = HoldRequest {
                scope,
                reason: a.reason,
                case_id: a.case_id,
            };
            let hold = archive.place_hold(&req, &a.writer.actor())?;
            println!("hold {} placed (case {})", hold.id, hold.case_id);
        }
        HoldCommand::Release(a) => {
            let mut archive = open_writer(&a.writer)?;
            archive.release_hold(a.id, &a.writer.actor(), &a.reason)?;
            println!("hold {} released", a.id);
        }
        HoldCommand::List(a) => {
            let archive = open_reader(&a.db)?;
            for h in archive.list_holds(a.all)? {
                if a.json {
                    println!("{}", serde_json::to_string(&h)?);
                } else {
                    let state = if h.released_at_ms.is_some() {
                        "released"
                    } else {
                        "active"
                    };
                    println!(
                        "{:>4}  {:<8}  {:<12}  {:<10}  {}  {}",
                        h.id,
                        state,
                        h.case_id,
                        h.placed_by,
                        serde_json::to_string(&h.scope)?,
                        h.reason
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn expire(a: ExpireArgs) -> anyhow::Result<ExitCode> {
    let now_ms = match &a.now {
        Some(t) => wcp_archive::time::parse_rfc3339(t).map_err(anyhow::Error::msg)?,
        None => wcp_archive::chain::now_ms(),
    };
    let mut archive = open_writer(&a.writer)?;
    let report = archive.expire(now_ms, &a.writer.actor())?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "expired {} records (tombstoned); {} kept by holds",
            report.expired, report.held
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    let q = query(&a.filter)?;
    let mut archive = open_writer(&a.writer)?;
    let actor = a.writer.actor();
    let report = match a.format {
        Format::Rsmf => archive.export_rsmf(&q, &actor, &a.out)?,
        Format::Eml => {
            let per = match a.per {
                Per::Message => EmlGrouping::Message,
                Per::Thread => EmlGrouping::Thread,
            };
            archive.export_eml(&q, &actor, &a.out, per)?
        }
    };
    println!(
        "exported {} messages in {} files to {}",
        report.messages,
        report.files.len(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::{parse_wecom, EnrichedEvent};

    fn db_args(db: &Path) -> DbArgs {
        DbArgs {
            db: db.to_path_buf(),
        }
    }

    fn writer(db: &Path) -> WriterArgs {
        WriterArgs {
            db: db_args(db),
            key: None,
            actor: Some("tester".into()),
        }
    }

    /// An archive of three raw WeCom messages, written with the sidecar key as the CLI would.
    fn archive(dir: &Path) -> PathBuf {
        let db = dir.join("a.db");
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

    fn verify_code(db: &Path, public_key: Option<PathBuf>) -> anyhow::Result<ExitCode> {
        verify(VerifyArgs {
            db: db_args(db),
            public_key,
            since: None,
            json: false,
        })
    }

    #[test]
    fn verify_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        let db = archive(dir.path());
        let key_file = db.with_file_name("signing.key");
        assert!(key_file.exists(), "key created next to a new archive");
        assert_eq!(verify_code(&db, None).unwrap(), ExitCode::SUCCESS);
        let public = dir.path().join("a.pub");
        let key = open_reader(&db_args(&db))
            .unwrap()
            .public_key()
            .unwrap()
            .unwrap();
        std::fs::write(&public, keys::public_key_hex(&key)).unwrap();
        assert_eq!(
            verify_code(&db, Some(public.clone())).unwrap(),
            ExitCode::SUCCESS
        );
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE records SET body = CAST('{}' AS BLOB) WHERE seq = 2",
            [],
        )
        .unwrap();
        assert_eq!(verify_code(&db, Some(public)).unwrap(), ExitCode::from(1));
        // Usage/input errors are Err: main turns them into exit 2.
        let bad_since = VerifyArgs {
            db: db_args(&db),
            public_key: None,
            since: Some("7".into()),
            json: false,
        };
        assert!(verify(bad_since).is_err());
        assert!(verify_code(&dir.path().join("missing.db"), None).is_err());
        assert!(verify_code(&db, Some(dir.path().join("missing.pub"))).is_err());
    }

    #[test]
    fn filters_parse_and_bad_values_are_refused() {
        let f = FilterArgs {
            from: Some("2024-11-26T00:00:00Z".into()),
            class: Some("business".into()),
            risk: Some("complaint".into()),
            ..FilterArgs::default()
        };
        let q = query(&f).unwrap();
        assert_eq!(q.from_ms, Some(1_732_579_200_000));
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
            assert!(query(&bad).is_err());
        }
    }

    #[test]
    fn writer_refuses_a_new_key_for_a_signed_archive() {
        let dir = tempfile::tempdir().unwrap();
        let db = archive(dir.path());
        let key = db.with_file_name("signing.key");
        // The archive's own key also works under the <db>.key name.
        std::fs::rename(&key, sidecar_key(&db)).unwrap();
        assert!(open_writer(&writer(&db)).is_ok());
        std::fs::remove_file(sidecar_key(&db)).unwrap();
        let err = open_writer(&writer(&db))
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("signed with a key"), "{err}");
        assert!(
            !key.exists() && !sidecar_key(&db).exists(),
            "no stray key written"
        );
    }

    #[test]
    fn search_hold_expire_export_run() {
        let dir = tempfile::tempdir().unwrap();
        let db = archive(dir.path());
        let search = SearchArgs {
            writer: writer(&db),
            filter: FilterArgs {
                text: Some("收益".into()),
                ..FilterArgs::default()
            },
            json: true,
        };
        assert_eq!(super::search(search).unwrap(), ExitCode::SUCCESS);
        let place = HoldPlaceArgs {
            writer: writer(&db),
            custodian: Some("wmX".into()),
            conversation: None,
            filter: FilterArgs::default(),
            reason: "inquiry".into(),
            case_id: "C-1".into(),
        };
        hold(HoldCommand::Place(Box::new(place))).unwrap();
        let expire_args = ExpireArgs {
            writer: writer(&db),
            now: Some("2100-01-01T00:00:00Z".into()),
            json: true,
        };
        expire(expire_args).unwrap();
        let out = dir.path().join("out");
        let export_args = ExportArgs {
            writer: writer(&db),
            format: Format::Rsmf,
            per: Per::Message,
            out: out.clone(),
            filter: FilterArgs::default(),
        };
        export(export_args).unwrap();
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
        let a = open_reader(&db_args(&db)).unwrap();
        let actions: Vec<String> = a
            .audit_trail()
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["search", "hold_place", "expire", "export_rsmf"]);
        assert!(a.audit_trail().unwrap().iter().all(|e| e.actor == "tester"));
        assert!(a.verify().unwrap().ok);
    }
}
