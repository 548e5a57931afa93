//! `wcp archive rekey`: encrypt, re-key or decrypt an archive into a new file
//! (`wcp_archive::rekey`); the original is never modified.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use wcp_archive::{at_rest, rekey, Archive};

use super::DbArgs;

pub const EXAMPLES: &str = "Examples:
  openssl rand -hex 32 > cn.dbkey && chmod 600 cn.dbkey
  wcp archive rekey --db out/archive-cn.db --new-key-file cn.dbkey --out new/archive-cn.db
      (encrypts a plain archive and its access log into new/; out/ is not changed)
  WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN=cn.dbkey wcp archive rekey --db out/archive-cn.db --new-key-file cn-2027.dbkey --out new/archive-cn.db
  wcp archive rekey --db out/archive-cn.db --encryption-key-file cn.dbkey --decrypt --out plain/archive-cn.db
  wcp archive rekey --db review/review-cn.db --new-key-file review.dbkey --out new/review-cn.db
      (a review store: its own chain is checked)
Then, with the archiver stopped: move the new files over the old ones (keep the old ones until
the new key is safely stored), point WCP_ARCHIVE_ENCRYPTION_KEY_FILE_<REGION> at the new key.";

#[derive(Args)]
pub struct RekeyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The new file (must not exist); its access log is written beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// The new key: 64 hex characters (`openssl rand -hex 32`).
    #[arg(long, conflicts_with = "decrypt")]
    pub new_key_file: Option<PathBuf>,
    /// Write a plain (unencrypted) copy instead.
    #[arg(long)]
    pub decrypt: bool,
}

pub fn run(a: RekeyArgs) -> anyhow::Result<ExitCode> {
    a.db.use_encryption_key()?;
    let new_key = match (&a.new_key_file, a.decrypt) {
        (Some(f), false) => Some(rekey::load_new_key(f)?),
        (None, true) => None,
        _ => bail!("say what the new file is: --new-key-file KEY (encrypted) or --decrypt (plain)"),
    };
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let copies = rekey::archive(&a.db.db, &a.out, new_key.as_ref())
        .with_context(|| format!("rekeying {} into {}", a.db.db.display(), a.out.display()))?;
    if is_review_store(&a.out) {
        // A review store: its own chain must still verify under the new key.
        let conn = at_rest::open(&a.out, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let rep = wcp_review::verify::verify(&conn, None)?;
        if !rep.ok() {
            bail!(
                "{}: the copy does not verify: {:?}",
                a.out.display(),
                rep.problems
            );
        }
        report(&a, &copies, new_key.is_some());
        return Ok(ExitCode::SUCCESS);
    }
    // The archive must still verify under the new key: chain, signatures, every projection.
    let verified = Archive::open_read_only(&a.out, None)?.verify()?;
    if let Some(p) = verified.first_problem() {
        bail!(
            "{}: the copy does not verify ({}); {} is unchanged. Run `wcp archive verify --db {}`",
            a.out.display(),
            p.words(),
            a.db.db.display(),
            a.db.db.display()
        );
    }
    report(&a, &copies, new_key.is_some());
    Ok(ExitCode::SUCCESS)
}

/// `review-<name>.db` (the review console's stores) rather than an archive.
fn is_review_store(db: &std::path::Path) -> bool {
    db.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("review-"))
}

fn report(a: &RekeyArgs, copies: &[rekey::Copied], encrypted: bool) {
    let how = if encrypted { "encrypted" } else { "plain" };
    for c in copies {
        println!(
            "wrote {} ({how}): {} tables, {} rows, equal to {}",
            c.to.display(),
            c.tables,
            c.rows,
            c.from.display()
        );
    }
    let (file_var, key_var) = at_rest::key_vars(&a.out);
    // A decrypted copy has no key: a key still set for it is refused (trial 17a D18).
    let then = if encrypted {
        format!("set {file_var} to the new key file")
    } else {
        format!("unset {file_var} and {key_var}: the new file is plain and a key given for it is refused")
    };
    println!(
        "verified {}; {} is unchanged. Swap the files with the writer stopped, then {then}.",
        a.out.display(),
        a.db.db.display(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::archive::tests::{archive, db_args, verify_code};

    #[test]
    fn rekey_writes_a_verified_encrypted_copy_that_reads_with_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = archive(dir.path());
        let key = dir.path().join("cn.dbkey");
        std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
        let out = dir.path().join("new/archive-cn.db");
        let rekey = |out: &std::path::Path| {
            run(RekeyArgs {
                db: db_args(&db),
                out: out.to_path_buf(),
                new_key_file: Some(key.clone()),
                decrypt: false,
            })
        };
        assert_eq!(rekey(&out).unwrap(), ExitCode::SUCCESS);
        assert!(!at_rest::is_plain(&out) && at_rest::is_plain(&db));
        // An existing --out is refused.
        let e = format!("{:#}", rekey(&out).unwrap_err());
        assert!(e.contains("never overwrites"), "{e}");
        // Readers: with --encryption-key-file, unchanged; without it, an error naming the fix.
        at_rest::set_key(&out, None);
        let e = format!("{:#}", verify_code(&out, None, None).unwrap_err());
        assert!(
            e.contains("is encrypted") && e.contains("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN"),
            "{e}"
        );
        assert_eq!(
            verify_code(&out, None, Some(key)).unwrap(),
            ExitCode::SUCCESS
        );
    }

    #[test]
    fn a_review_store_is_rekeyed_and_checked_with_its_own_chain() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("review-cn.db");
        let signing = wcp_archive::keys::generate_signing_key().unwrap();
        drop(wcp_review::RegionStore::open(&db, "cn", signing).unwrap());
        let key = dir.path().join("review.dbkey");
        std::fs::write(&key, "cd".repeat(32)).unwrap();
        let out = dir.path().join("new/review-cn.db");
        let args = RekeyArgs {
            db: db_args(&db),
            out: out.clone(),
            new_key_file: Some(key),
            decrypt: false,
        };
        assert_eq!(run(args).unwrap(), ExitCode::SUCCESS);
        assert!(!at_rest::is_plain(&out) && at_rest::is_plain(&db));
    }
}
