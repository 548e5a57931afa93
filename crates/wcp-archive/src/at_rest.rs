//! Encryption at rest: every SQLite file wcp keeps (archives, their access logs, the review
//! and console stores) is opened here, and is a SQLCipher file (AES-256, an HMAC per page:
//! [`Cipher`]) when a key is configured for it. Without a key the file is plain SQLite, as
//! before.
//!
//! The key of `<store>-<name>.db` (`archive-cn.db`, `review-cn.db`, `review-console.db`;
//! an access log `archive-cn.access.db` shares its archive's key) comes from, in order:
//! a key set in this process ([`set_key`]: the CLI's flags, tests), the file named by
//! `$WCP_<STORE>_ENCRYPTION_KEY_FILE_<NAME>` (a mounted secret, a KMS/Vault agent's file),
//! or `$WCP_<STORE>_ENCRYPTION_KEY_<NAME>` (the key itself). A key is 32 random bytes as 64
//! hex characters (`openssl rand -hex 32`), used as SQLCipher's raw key (no passphrase
//! derivation, so opening stays cheap). There is deliberately no default key file beside
//! the database: whoever copies the directory must not get the key with it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rusqlite::{Connection, OpenFlags};

/// Page size of every encrypted file (SQLCipher's header is encrypted too, so every open
/// must state it; 16 KiB like the plain archive, see `schema::init`).
const CIPHER_PAGE_SIZE: u32 = 16_384;

/// How an encrypted file's pages are authenticated. SQLCipher encrypts the file's header
/// too, so the setting is not stored in the file: a file is opened with [`Cipher::CURRENT`]
/// first and, when page 1 fails that HMAC, with the earlier settings, in order. A wrong
/// algorithm fails page 1's HMAC as surely as a wrong key does (and nothing is written
/// then), so which one opens the file is the record of how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// New files (Dec 2026): HMAC-SHA256 per page (a 256-bit key and tag: a changed page
    /// is still detected). CPUs with SHA extensions (x86 SHA-NI, ARMv8) compute it in
    /// about half the time of SHA512; `benches/encryption.sh` measured the difference.
    Sha256,
    /// SQLCipher 4's default, used by every file written before: HMAC-SHA512 per page.
    Sha512,
}

impl Cipher {
    /// The setting of new files.
    pub const CURRENT: Cipher = Cipher::Sha256;
    /// Every setting a file may have been written with, tried in this order.
    pub const ALL: [Cipher; 2] = [Cipher::Sha256, Cipher::Sha512];

    fn hmac(self) -> &'static str {
        match self {
            Cipher::Sha256 => "HMAC_SHA256",
            Cipher::Sha512 => "HMAC_SHA512",
        }
    }

    /// For one connection, after `PRAGMA key`.
    fn pragmas(self) -> String {
        format!(
            "PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}; PRAGMA cipher_hmac_algorithm = {};",
            self.hmac()
        )
    }

    /// SQLCipher's process-wide defaults, which ATTACH uses (see [`attach`]).
    fn default_pragmas(self) -> String {
        format!(
            "PRAGMA cipher_default_page_size = {CIPHER_PAGE_SIZE}; PRAGMA cipher_default_hmac_algorithm = {};",
            self.hmac()
        )
    }
}

/// Why an encrypted file could not be opened: always names the file and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// A 256-bit database key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey {
    hex: String,
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

impl DbKey {
    /// 64 hex characters (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<DbKey, String> {
        let t = text.trim();
        const WHAT: &str =
            "an encryption key is 64 hex characters (32 random bytes, e.g. `openssl rand -hex 32`)";
        // The position only, never the character: it is part of a secret (trial 17a D8: a
        // 64-character key with a non-hex character was "got 64 characters").
        if let Some(at) = t.chars().position(|c| !c.is_ascii_hexdigit()) {
            return Err(format!(
                "{WHAT}; this one is not hexadecimal (character {} is not 0-9 or a-f)",
                at + 1
            ));
        }
        if t.len() != 64 {
            return Err(format!("{WHAT}, got {} characters", t.len()));
        }
        Ok(DbKey {
            hex: t.to_ascii_lowercase(),
        })
    }

    pub fn load(file: &Path) -> Result<DbKey, KeyError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            KeyError(format!(
                "cannot read the encryption key file {}: {e}",
                file.display()
            ))
        })?;
        DbKey::parse(&text).map_err(|e| KeyError(format!("{}: {e}", file.display())))
    }

    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<DbKey, KeyError> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|e| KeyError(format!("no randomness: {e}")))?;
        Ok(DbKey {
            hex: hex::encode(b),
        })
    }

    /// The SQL literal SQLCipher takes as a raw key (hex only: nothing to escape).
    fn literal(&self) -> String {
        format!("\"x'{}'\"", self.hex)
    }
}

/// A key and where it came from (for error messages: never the key itself).
#[derive(Debug, Clone)]
pub struct Keyed {
    pub key: DbKey,
    pub source: String,
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Keyed>> {
    static R: OnceLock<Mutex<HashMap<PathBuf, Keyed>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

fn normal(db: &Path) -> PathBuf {
    std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf())
}

/// The database whose key `db` uses: an access log uses its archive's.
fn owner(db: &Path) -> PathBuf {
    let name = db.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    match name.strip_suffix(".access.db") {
        Some(stem) => db.with_file_name(format!("{stem}.db")),
        None => db.to_path_buf(),
    }
}

/// Uses `key` for `db` (and its access log) in this process, whatever the environment says;
/// `None` forgets it.
pub fn set_key(db: &Path, key: Option<Keyed>) {
    let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
    match key {
        Some(k) => r.insert(normal(&owner(db)), k),
        None => r.remove(&normal(&owner(db))),
    };
}

/// The two environment variables for `db`: (key file, key).
pub fn key_vars(db: &Path) -> (String, String) {
    let owner = owner(db);
    let stem = owner
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let (store, name) = stem.split_once('-').unwrap_or(("archive", stem));
    let up = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let (store, name) = (up(store), up(name));
    (
        format!("WCP_{store}_ENCRYPTION_KEY_FILE_{name}"),
        format!("WCP_{store}_ENCRYPTION_KEY_{name}"),
    )
}

/// Every encryption key the environment names (`WCP_<STORE>_ENCRYPTION_KEY_FILE_<NAME>` or
/// the key itself), loaded now: a missing or malformed one is a configuration error at
/// start-up (exit 2, before anything connects), not a failure when the store is first
/// opened. `stores`: the upper-case store names a service reads (`ARCHIVE`, `REVIEW`).
pub fn env_key_problems(stores: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (var, value) in vars {
        let Some(store) = stores
            .iter()
            .find(|s| var.starts_with(&format!("WCP_{s}_ENCRYPTION_KEY_")))
        else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let file_prefix = format!("WCP_{store}_ENCRYPTION_KEY_FILE_");
        if var.starts_with(&file_prefix) {
            if let Err(e) = DbKey::load(Path::new(&value)) {
                out.push(format!(
                    "${var}: {e}; create it with `openssl rand -hex 32 > {value}` for a new store, \
                     or mount the key the store was encrypted with there"
                ));
            }
        } else if let Err(e) = DbKey::parse(&value) {
            out.push(format!("${var}: {e}"));
        }
    }
    out
}

/// The key configured for `db`, if any (module doc).
pub fn key_for(db: &Path) -> Result<Option<Keyed>, KeyError> {
    if let Some(k) = registry()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&normal(&owner(db)))
    {
        return Ok(Some(k.clone()));
    }
    let (file_var, key_var) = key_vars(db);
    let file = std::env::var_os(&file_var).filter(|v| !v.is_empty());
    let value = std::env::var(&key_var).ok().filter(|v| !v.is_empty());
    match (file, value) {
        (Some(_), Some(_)) => Err(KeyError(format!(
            "both ${file_var} and ${key_var} are set for {}: set one",
            db.display()
        ))),
        (Some(f), None) => Ok(Some(Keyed {
            key: DbKey::load(Path::new(&f))?,
            source: format!("${file_var} ({})", Path::new(&f).display()),
        })),
        (None, Some(v)) => Ok(Some(Keyed {
            key: DbKey::parse(&v).map_err(|e| KeyError(format!("${key_var}: {e}")))?,
            source: format!("${key_var}"),
        })),
        (None, None) => Ok(None),
    }
}

/// True when `db` starts with the plain SQLite header (an encrypted file looks random).
pub fn is_plain(db: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(db)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| &head == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Opens `db` with its configured key (module doc) and checks that the key opens it.
pub fn open(db: &Path, flags: OpenFlags) -> Result<Connection, crate::ArchiveError> {
    let keyed = key_for(db)?;
    Ok(open_keyed(db, flags, keyed.as_ref())?.0)
}

/// [`open`] with read-write-create flags (`Connection::open`'s).
pub fn open_rw(db: &Path) -> Result<Connection, crate::ArchiveError> {
    open(db, OpenFlags::default())
}

/// The setting an encrypted `db` was written with (the one that opens it; a new or empty
/// file: [`Cipher::CURRENT`]); None for a plain file or one without a configured key.
pub fn cipher_of(db: &Path) -> Result<Option<Cipher>, crate::ArchiveError> {
    let keyed = key_for(db)?;
    Ok(open_keyed(db, OpenFlags::SQLITE_OPEN_READ_ONLY, keyed.as_ref())?.1)
}

/// Opens `db` with `keyed` trying each [`Cipher`] in turn: the connection and the setting
/// that opened it.
fn open_keyed(
    db: &Path,
    flags: OpenFlags,
    keyed: Option<&Keyed>,
) -> Result<(Connection, Option<Cipher>), crate::ArchiveError> {
    let Some(k) = keyed else {
        let conn = Connection::open_with_flags(db, flags)?;
        apply(&conn, db, None, Cipher::CURRENT).map_err(KeyError::from)?;
        return Ok((conn, None));
    };
    sqlcipher_ready();
    for (i, cipher) in Cipher::ALL.into_iter().enumerate() {
        let conn = Connection::open_with_flags(db, flags)?;
        match apply(&conn, db, Some(k), cipher) {
            Ok(()) => return Ok((conn, Some(cipher))),
            // Page 1 failed this setting's HMAC: the next one, or the error (wrong key).
            Err(Refused::NotADatabase(_)) if i + 1 < Cipher::ALL.len() => continue,
            Err(Refused::NotADatabase(e)) if !is_plain(db) => {
                return Err(page_one_or_key(db, k, e));
            }
            Err(Refused::NotADatabase(e) | Refused::Other(e)) => return Err(e.into()),
        }
    }
    unreachable!("Cipher::ALL is not empty")
}

/// Page 1 (in the file, or its newest copy in the -wal) did not decrypt under `k` with any
/// setting. When other pages of the file pass their HMAC under `k`, the key is right and page
/// 1 was damaged or changed: a tampering case, not a configuration one (trial 15h D3: the
/// CLI and the archiver's periodic verify said "wrong key"). Otherwise both stay possible:
/// a wrong key, or a damaged page 1 whose salt (its first 16 bytes) every HMAC key derives
/// from.
fn page_one_or_key(db: &Path, k: &Keyed, wrong_key: KeyError) -> crate::ArchiveError {
    // A few pages decide it: a console retries a failed open every second, so a wrong key
    // must not read a large file each time.
    const SAMPLE: u64 = 8;
    let proven = Cipher::ALL.into_iter().find_map(|cipher| {
        let (checked, failed) = pages::check_first_pages(db, &k.key, cipher, SAMPLE).ok()?;
        let good = checked - failed.len() as u64;
        (good > 0).then_some((good, checked))
    });
    match proven {
        Some((good, checked)) => crate::ArchiveError::PageOneDamaged(format!(
            "{}: page 1 is damaged or was changed (tampering), not a wrong key: the key from {} \
             opens {good} of the file's first {checked} pages (their HMACs hold), but page 1 \
             (in the file or its newest copy in the -wal) fails its HMAC; preserve the file \
             with its -wal and -shm and restore from a verified copy (docs/RUNBOOK.md, \
             WcpArchiveVerifyFailed)",
            db.display(),
            k.source
        )),
        None => KeyError(format!(
            "{}, or page 1 of the file is damaged (no page of it opens with this key)",
            wrong_key.0
        ))
        .into(),
    }
}

/// Why [`apply`] failed: `NotADatabase` when page 1 did not decrypt (another setting may).
enum Refused {
    NotADatabase(KeyError),
    Other(KeyError),
}

impl From<Refused> for KeyError {
    fn from(r: Refused) -> KeyError {
        match r {
            Refused::NotADatabase(e) | Refused::Other(e) => e,
        }
    }
}

/// Keys a fresh connection to `db` with `cipher`'s settings and proves the key by reading
/// the schema.
fn apply(
    conn: &Connection,
    db: &Path,
    keyed: Option<&Keyed>,
    cipher: Cipher,
) -> Result<(), Refused> {
    if let Some(k) = keyed {
        conn.execute_batch(&format!(
            "PRAGMA cipher_log_level = NONE; PRAGMA key = {}; {}",
            k.key.literal(),
            cipher.pragmas()
        ))
        .map_err(|e| {
            Refused::Other(KeyError(format!(
                "{}: setting the key failed: {e}",
                db.display()
            )))
        })?;
    }
    let probe = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
    let Err(e) = probe else { return Ok(()) };
    let not_a_db = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::NotADatabase);
    if !not_a_db {
        return Err(Refused::Other(KeyError(format!("{}: {e}", db.display()))));
    }
    let (file_var, key_var) = key_vars(db);
    Err(Refused::NotADatabase(KeyError(match keyed {
        None => format!(
            "{} is encrypted (or not a SQLite file): give its key in ${file_var} (a key file) or ${key_var}",
            db.display()
        ),
        Some(k) if is_plain(db) => format!(
            "{} is not encrypted, but a key is configured ({}): encrypt it with `wcp archive rekey --db {} --new-key-file KEY --out NEW.db`, or remove the key setting",
            db.display(),
            k.source,
            db.display()
        ),
        Some(k) => format!(
            "the key from {} does not open {}: wrong key (each region and store has its own; check ${file_var})",
            k.source,
            db.display()
        ),
    })))
}

/// Waits, once per process, until SQLCipher's own set-up has finished. SQLite marks itself
/// initialised before it runs that set-up (`sqlcipher_extra_init`, SQLCipher 4.20), so a
/// thread keying a connection while another thread's first SQLite call is still inside it
/// is refused with "An error occurred with PRAGMA key or rekey" (seen once in CI, when that
/// thread was preempted there). Keying an in-memory connection fails exactly while the
/// set-up is unfinished, and never again once it has finished.
fn sqlcipher_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        let keyed = || {
            Connection::open_in_memory()
                .and_then(|c| {
                    c.execute_batch("PRAGMA cipher_log_level = NONE; PRAGMA key = 'ready';")
                })
                .is_ok()
        };
        // The set-up takes microseconds; 5 s covers any preemption. Should it still fail,
        // the real open reports its own error.
        for _ in 0..5_000 {
            if keyed() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
}

/// `ATTACH DATABASE` of `db` under `alias` on `conn`, with `db`'s key.
pub fn attach(conn: &Connection, db: &Path, alias: &str) -> Result<(), crate::ArchiveError> {
    let keyed = key_for(db)?;
    let path = db.to_string_lossy().into_owned();
    match &keyed {
        Some(k) => {
            sqlcipher_ready();
            // ATTACH reads the first page at once, before a per-schema pragma could set the
            // settings: set SQLCipher's (process-wide) defaults to the file's, found by
            // opening it first, under a lock so that two attaches do not mix them (every
            // other connection states its settings after its key).
            let cipher = match db.exists() {
                true => cipher_of(db)?.unwrap_or(Cipher::CURRENT),
                false => Cipher::CURRENT,
            };
            static ATTACHING: Mutex<()> = Mutex::new(());
            let _one = ATTACHING.lock().unwrap_or_else(|e| e.into_inner());
            conn.execute_batch(&cipher.default_pragmas())?;
            conn.execute(
                &format!("ATTACH DATABASE ?1 AS {alias} KEY ?2"),
                [&path, &format!("x'{}'", k.key.hex)],
            )?;
        }
        None => {
            conn.execute(&format!("ATTACH DATABASE ?1 AS {alias} KEY ''"), [&path])?;
        }
    }
    Ok(())
}

/// Every page's HMAC of `db` checked under its configured key ([`pages::bad_pages`]): one
/// line per page that fails; empty for a file as SQLCipher wrote it, and for a plain file.
pub fn check_pages(db: &Path) -> Result<Vec<String>, crate::ArchiveError> {
    let (Some(k), Some(cipher)) = (key_for(db)?, cipher_of(db)?) else {
        return Ok(Vec::new());
    };
    Ok(pages::bad_pages(db, &k.key, cipher)?)
}

/// Every committed WAL frame's page HMAC (and the WAL's checksums) of `db` under its
/// configured key ([`wal::bad_frames`]): one line per problem, naming the WAL, frame and page;
/// empty for a WAL as SQLite wrote it, without a WAL, and for a plain file. Call it inside a
/// read transaction on `db`.
pub fn check_wal(db: &Path) -> Result<Vec<String>, crate::ArchiveError> {
    let (Some(k), Some(cipher)) = (key_for(db)?, cipher_of(db)?) else {
        return Ok(Vec::new());
    };
    Ok(wal::bad_frames(db, &k.key, cipher)?)
}

/// [`check_wal`] of a saved copy of `db`'s WAL ([`wal::bad_frames_in`]); empty for a plain
/// file (its WAL frames carry no HMAC).
pub fn check_saved_wal(db: &Path, saved: &Path) -> Result<Vec<String>, crate::ArchiveError> {
    let (Some(k), Some(cipher)) = (key_for(db)?, cipher_of(db)?) else {
        return Ok(Vec::new());
    };
    Ok(wal::bad_frames_in(db, saved, &k.key, cipher)?)
}

/// The saved copies of `db`'s WAL beside it (`<db>-wal.damaged-*`, see
/// [`wal::bad_frames_in`]), in name (= time) order.
pub fn saved_wals(db: &Path) -> std::io::Result<Vec<PathBuf>> {
    let Some(name) = db.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(Vec::new());
    };
    let prefix = format!("{name}{DAMAGED_WAL}");
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut out: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    out.sort();
    Ok(out)
}

/// What follows a database's name in a saved copy of its damaged WAL
/// (`archive-cn.db-wal.damaged-20261207T181500Z`).
pub const DAMAGED_WAL: &str = "-wal.damaged-";

#[path = "at_rest_pages.rs"]
pub mod pages;

#[path = "at_rest_wal.rs"]
pub mod wal;

#[cfg(test)]
#[path = "at_rest_tests.rs"]
mod tests;
