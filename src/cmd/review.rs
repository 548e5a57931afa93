//! `wcp review`: the review console over a `wcp run` / `wcp demo` output folder, and its
//! account and verification commands. The application itself is `services/review`'s
//! library, the same code the `wcp-review` service runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use wcp_review::accounts::{self, User};
use wcp_review::{chain, ConsoleStore, Role};
use wcp_review_web::follow::{ErrorGate, Follow};
use wcp_review_web::{dir, feed, Settings};

#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  wcp demo --out demo-out && wcp review --dir demo-out\n  wcp review --dir out --addr 0.0.0.0:8080 --sample-percent 2\n  wcp review user add --dir out --username ann --role reviewer --queues off_channel,insider_information\n  wcp review verify --dir out"
)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: Option<ReviewCommand>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Output folder of `wcp run` or `wcp demo` (archive-<region>.db, alerts.jsonl).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Share of business messages without an alert drawn into the queue as `sample` items.
    #[arg(long, default_value_t = 2.0)]
    pub sample_percent: f64,
    /// Seed of the reproducible sample (same seed, same draw per day and person).
    #[arg(long, default_value = "wcp")]
    pub sample_seed: String,
    /// Cookies without the Secure flag (only for plain http on a non-loopback address).
    #[arg(long)]
    pub insecure_cookies: bool,
    /// The pipeline policy whose `utc_offset_minutes` is the zone of the console's dates and
    /// times (default: built in, UTC+08:00), as for `wcp archive search --policy`.
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// Manage local accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Verify the review stores' chains and projections (dispositions, access log, accounts).
    Verify(VerifyArgs),
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account: local (prints its one-time password) or, with --oidc-subject, one
    /// that signs in through the OpenID Connect provider (no password).
    #[command(
        after_help = "Examples:\n  wcp review user add --dir out --username ann --role reviewer --queues off_channel,sample\n  wcp review user add --dir /var/lib/wcp/review --username ann@example.com --role admin --oidc-subject 00u1a2b3c4D5e6F7g8h9"
    )]
    Add(UserAddArgs),
    /// List accounts.
    List(DirArg),
}

#[derive(Args)]
pub struct DirArg {
    #[arg(long)]
    pub dir: PathBuf,
}

#[derive(Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub dir: PathBuf,
    #[arg(long)]
    pub username: String,
    /// reviewer, investigator, auditor or admin.
    #[arg(long)]
    pub role: String,
    /// Queues a reviewer works: alert categories, `sample`, or `*`, comma-separated.
    #[arg(long, default_value = "")]
    pub queues: String,
    /// The person's identity at the OpenID Connect provider: the ID token's `sub` (or the
    /// e-mail address with `oidc_user_claim = "email"`). The account has no password.
    #[arg(long)]
    pub oidc_subject: Option<String>,
}

#[derive(Args)]
pub struct VerifyArgs {
    #[arg(long)]
    pub dir: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(ReviewCommand::User(UserCommand::Add(a))) => user_add(a),
        Some(ReviewCommand::User(UserCommand::List(a))) => user_list(a),
        Some(ReviewCommand::Verify(a)) => verify(a),
        None => serve(args.serve),
    }
}

/// The console writes its stores (`review-<region>.db`, `review-console.db`, `review.key`)
/// into --dir: only into a folder wcp owns — a `wcp run`/`wcp demo` folder (its marker), or
/// for accounts a new or empty folder or one holding a console store already (the
/// `wcp-review` service's store dir). Checked before anything is created (trial 17a D12:
/// a user's folder got review files, even when the command then failed).
fn refuse_foreign_dir(dir: &std::path::Path, accounts_only: bool) -> anyhow::Result<()> {
    if dir.join(super::outdir::MARKER).exists() {
        return Ok(());
    }
    if accounts_only {
        let empty = std::fs::read_dir(dir).map_or(true, |mut e| e.next().is_none());
        if empty || dir.join("review-console.db").exists() {
            return Ok(());
        }
    }
    anyhow::bail!(
        "--dir {}: not an output folder of `wcp run` or `wcp demo` (no {} marker){}; the \
         console writes its stores and review.key there, so it does not touch a folder wcp \
         does not own: give the --out folder of `wcp run` or `wcp demo`",
        dir.display(),
        super::outdir::MARKER,
        if accounts_only {
            ", nor a store folder of the review service (no review-console.db), nor empty"
        } else {
            ""
        }
    )
}

fn console(dir: &std::path::Path) -> anyhow::Result<ConsoleStore> {
    refuse_foreign_dir(dir, true)?;
    let key = chain::load_or_create_key(&dir.join("review.key"))?;
    Ok(ConsoleStore::open(&dir.join("review-console.db"), key)?)
}

fn user_add(a: UserAddArgs) -> anyhow::Result<ExitCode> {
    let role = Role::parse(&a.role).with_context(|| {
        format!(
            "--role {:?}: reviewer, investigator, auditor or admin",
            a.role
        )
    })?;
    let mut store = console(&a.dir)?;
    anyhow::ensure!(
        accounts::get(&store, &a.username)?.is_none(),
        "--username {}: the account exists already",
        a.username
    );
    let subject = match a.oidc_subject.as_deref().map(str::trim) {
        Some("") => anyhow::bail!("--oidc-subject: give the identity's `sub` (or e-mail)"),
        Some(s) => Some(s.to_string()),
        None => None,
    };
    if let Some(s) = &subject {
        anyhow::ensure!(
            accounts::by_subject(&store, s)?.is_none(),
            "--oidc-subject {s}: another account has it already"
        );
    }
    let password = match subject {
        Some(_) => None,
        None => Some(accounts::random_password()?),
    };
    let user = User {
        username: a.username.clone(),
        role,
        queues: a
            .queues
            .split(',')
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(String::from)
            .collect(),
        must_change: password.is_some(),
        disabled: false,
        oidc_subject: subject.clone(),
    };
    let by = std::env::var("USER").unwrap_or_else(|_| "wcp-cli".into());
    accounts::put(
        &mut store,
        user,
        password.as_deref(),
        &by,
        "add",
        wcp_review_web::state::now_ms(),
    )?;
    match (&password, &subject) {
        (Some(p), _) => println!(
            "added {} ({}); one-time password: {p}",
            a.username,
            role.as_str()
        ),
        (None, Some(s)) => println!(
            "added {} ({}); signs in through OpenID Connect as {s}",
            a.username,
            role.as_str()
        ),
        (None, None) => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn user_list(a: DirArg) -> anyhow::Result<ExitCode> {
    for u in accounts::list(&console(&a.dir)?)? {
        println!(
            "{:<24} {:<13} {:<6} {}{}",
            u.username,
            u.role.as_str(),
            if u.oidc_subject.is_some() {
                "oidc"
            } else {
                "local"
            },
            u.queues.join(","),
            if u.disabled { " (disabled)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    // Every review store in the folder: review-<region>.db and review-console.db.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&a.dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("review-") && n.ends_with(".db"))
        })
        .collect();
    files.sort();
    anyhow::ensure!(
        !files.is_empty(),
        "{}: no review-*.db here",
        a.dir.display()
    );
    let mut ok = true;
    for f in files.iter().filter(|f| f.exists()) {
        let conn = wcp_archive::at_rest::open(f, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let rep = wcp_review::verify::verify(&conn, None)?;
        ok &= rep.ok();
        if a.json {
            println!(
                "{}",
                serde_json::json!({ "file": f, "ok": rep.ok(), "report": rep })
            );
        } else if rep.ok() {
            println!(
                "OK      {}: {} events, {} signed checkpoints, head {}:{}",
                f.display(),
                rep.events,
                rep.checkpoints,
                rep.head_seq,
                rep.head_hash
            );
        } else {
            println!("FAILED  {}", f.display());
            for p in &rep.problems {
                println!("        {p}");
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// How often `wcp review --dir` looks for alerts and messages a later `wcp run` appended.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Prints what a tick of the folder follower queued (the first tick: always, as a summary).
fn report_tick(f: &Follow, t: &wcp_review_web::follow::Tick, first: bool) {
    let alerts = f.alerts_path();
    for (line, why) in &t.alerts.rejected {
        eprintln!("{}:{line}: not queued: {why}", alerts.display());
    }
    if (first && alerts.exists()) || t.alerts.added > 0 {
        println!(
            "{}: {} lines, {} new alerts queued",
            alerts.display(),
            t.alerts.lines,
            t.alerts.added
        );
    }
    if t.sampled > 0 {
        println!(
            "{} business messages without an alert drawn as samples",
            t.sampled
        );
    }
    for r in &t.new_regions {
        println!(
            "archive-{r}.db appeared in {}: restart `wcp review` to serve region {r}",
            alerts.parent().unwrap_or(alerts).display()
        );
    }
}

fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let Some(out) = a.dir else {
        anyhow::bail!(
            "--dir OUT is required (the output folder of `wcp demo --out OUT` or `wcp run`)"
        );
    };
    anyhow::ensure!(
        (0.0..=100.0).contains(&a.sample_percent),
        "--sample-percent {}: between 0 and 100",
        a.sample_percent
    );
    let settings = Settings {
        secure_cookies: !a.insecure_cookies,
        utc_offset_minutes: super::archive::search::utc_offset(a.policy.as_ref())?,
        ..Settings::default()
    };
    refuse_foreign_dir(&out, false)?;
    let opened = dir::open(&out, settings)?;
    let c = opened.console;
    let sampler = feed::Sampler::new(
        (a.sample_percent * 100.0).round() as u32,
        &a.sample_seed,
        false,
    );
    // The first tick reads all of alerts.jsonl and draws the sample over the whole archive;
    // the following ones (every FOLLOW_EVERY) what a later `wcp run --out` appends.
    let mut follow = Follow::new(&out, &c, sampler);
    let first = follow.tick(&c)?;
    report_tick(&follow, &first, true);
    follow.settle_from_now();
    if let Some((user, password)) = &opened.bootstrap {
        println!("\nFirst start: created the account `{user}` (investigator).\n  one-time password: {password}\n  (you choose a new one at the first sign-in)\n");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("--addr {}", a.addr))?;
        println!(
            "wcp review: http://{}/ (Ctrl-C to stop)",
            listener.local_addr()?
        );
        let following = c.clone();
        std::thread::Builder::new()
            .name("wcp-review-follow".into())
            .spawn(move || {
                let mut gate = ErrorGate::default();
                loop {
                    std::thread::sleep(FOLLOW_EVERY);
                    let path = follow.alerts_path().display().to_string();
                    match follow.tick(&following) {
                        Ok(t) => {
                            if let Some(line) = gate.succeeded() {
                                eprintln!("following {path}: {line}");
                            }
                            report_tick(&follow, &t, false)
                        }
                        Err(e) => {
                            if let Some(line) = gate.failed(&e.to_string()) {
                                eprintln!("following {path}: {line} (retried every {}s; printed again when the cause changes)", FOLLOW_EVERY.as_secs());
                            }
                        }
                    }
                }
            })?;
        wcp_review_web::serve(listener, c, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(dir: &std::path::Path, name: &str, subject: Option<&str>) -> anyhow::Result<ExitCode> {
        user_add(UserAddArgs {
            dir: dir.to_path_buf(),
            username: name.into(),
            role: "admin".into(),
            queues: String::new(),
            oidc_subject: subject.map(String::from),
        })
    }

    #[test]
    fn an_oidc_account_is_added_without_a_password_and_its_subject_is_unique() {
        let dir = tempfile::tempdir().unwrap();
        add(dir.path(), "olga@example.com", Some("00u-olga")).unwrap();
        let store = console(dir.path()).unwrap();
        let u = accounts::by_subject(&store, "00u-olga").unwrap().unwrap();
        assert_eq!(
            (u.username.as_str(), u.role),
            ("olga@example.com", Role::Admin)
        );
        assert!(!u.must_change, "no one-time password to replace");
        // No password: the local sign-in of this account accepts nothing.
        assert!(accounts::authenticate(&store, "olga@example.com", "")
            .unwrap()
            .is_none());
        drop(store);
        let again = add(dir.path(), "olga2", Some("00u-olga")).unwrap_err();
        assert!(
            again.to_string().contains("another account has it"),
            "{again}"
        );
        assert!(add(dir.path(), "x", Some(" ")).is_err());
        // Without --oidc-subject: a local account with a one-time password, as before.
        add(dir.path(), "ann", None).unwrap();
        let ann = accounts::get(&console(dir.path()).unwrap(), "ann")
            .unwrap()
            .unwrap();
        assert!(ann.must_change && ann.oidc_subject.is_none());
    }
}
