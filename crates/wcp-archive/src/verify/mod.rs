//! Re-checks the evidence and everything derived from it, and says what is wrong in words a
//! regulator can read.
//!
//! Layout: `scan` walks the chain once (digests, links, signed checkpoints under the key in
//! force, removals) and re-derives every projection row as it goes (`expected`); `tables`
//! reads the projections and compares (keyed hash sums for the big tables, exact rows for
//! the small ones); `fts` checks both full-text indexes against their content on a private
//! copy (a read-only connection cannot run FTS5's integrity check); `diff` names the rows
//! when a table disagrees, by replaying the chain into a scratch database; `words` turns a
//! problem into a sentence. `parts` runs the scan, the table sums and the index checks on
//! two connections that read one snapshot, so a verify uses two cores.

use ed25519_dalek::VerifyingKey;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;

mod approvals;
mod clock;
mod diff;
mod expected;
mod fts;
mod keys;
pub use keys::signs_any;
pub(crate) use shadow::varint;
mod parts;
mod place;
mod scan;
mod shadow;
mod tables;
mod view;
mod walk;
mod window;
mod words;

/// The page cache of a verify, in KiB as `PRAGMA cache_size` takes it (negative).
const VERIFY_CACHE_KIB: i64 = -65_536;

/// Runs `f` with `conn`'s page cache set to `kib` KiB, then sets it back.
fn with_cache<T>(conn: &Connection, kib: i64, f: impl FnOnce() -> T) -> Result<T, ArchiveError> {
    let before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", kib)?;
    let out = f();
    conn.pragma_update(None, "cache_size", before)?;
    Ok(out)
}

/// Problems reported by default before the report says "and N more".
pub const DEFAULT_LIMIT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A record's bytes (or its kind/msgid/digest/hash) changed after it was chained.
    Altered,
    /// A record, or its content, is missing without a removal record.
    Removed,
    /// A record is present that no signed checkpoint covers.
    Inserted,
    /// A valid record sits at the wrong position.
    Reordered,
    /// A checkpoint's signature, numbering or hash does not hold.
    BadCheckpoint,
    /// Records that chain correctly are covered by no signed checkpoint: the checkpoints that
    /// signed them were deleted.
    CheckpointsDeleted,
    /// A row of a table derived from the chain differs from what the records say.
    Changed,
    /// A row the records call for is missing from a derived table.
    Missing,
    /// A derived table has a row no record accounts for.
    Added,
    /// A full-text index disagrees with the rows it indexes.
    IndexBroken,
    /// The archive ends before a head published to the anchors (a cut-off tail).
    Truncated,
    /// Readers' access-log entries were edited or deleted before they were chained.
    AccessLogBroken,
    /// The database file itself fails SQLite's checks (for an encrypted archive, a page's
    /// HMAC): bytes were changed outside SQLite, so nothing in it can be read as evidence.
    FileDamaged,
    /// A settings change or expiry the two-person rule required an approver for, without a
    /// valid approval (`approvals.rs`).
    Unapproved,
    /// Checkpoint or expiry times that go backwards: the machine's clock was moved
    /// (`clock.rs`).
    ClockWrong,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Altered => "altered",
            ProblemKind::Removed => "removed",
            ProblemKind::Inserted => "inserted",
            ProblemKind::Reordered => "reordered",
            ProblemKind::BadCheckpoint => "bad_checkpoint",
            ProblemKind::CheckpointsDeleted => "checkpoints_deleted",
            ProblemKind::Changed => "changed",
            ProblemKind::Missing => "missing",
            ProblemKind::Added => "added",
            ProblemKind::IndexBroken => "index_broken",
            ProblemKind::Truncated => "truncated",
            ProblemKind::AccessLogBroken => "access_log_broken",
            ProblemKind::FileDamaged => "file_damaged",
            ProblemKind::Unapproved => "unapproved",
            ProblemKind::ClockWrong => "clock_wrong",
        }
    }
}

/// One problem: what kind, where (record range, table), and about which message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// First chain position concerned (0 when the problem has none, e.g. a hold row).
    pub seq: i64,
    /// Last chain position concerned (= `seq` for one record).
    pub seq_to: i64,
    /// `records`, `checkpoints`, or the derived table (`messages`, `holds`, `fts`, …).
    pub table: String,
    pub msgid: Option<String>,
    pub time_ms: Option<i64>,
    pub conversation: Option<String>,
    pub sender: Option<String>,
    /// For an audit record: what the actor did (`search {"text":"保本"}`); `sender` is the
    /// actor and `time_ms` when (trial 12a D9: "the `audit` row of record 62" named no one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The specifics (which columns, which hold, what the signature says).
    pub detail: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, seq: i64, table: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            seq,
            seq_to: seq,
            table: table.to_string(),
            msgid: None,
            time_ms: None,
            conversation: None,
            sender: None,
            action: None,
            detail: detail.into(),
        }
    }

    /// The problem as one sentence (see `words.rs`), times in UTC.
    pub fn words(&self) -> String {
        words::sentence(self, None)
    }

    /// [`Problem::words`] with times in the zone `utc_offset_minutes` east of UTC (the
    /// policy's, as search prints them), the UTC instant beside.
    pub fn words_in(&self, utc_offset_minutes: i32) -> String {
        words::sentence(self, Some(utc_offset_minutes))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub records_checked: u64,
    pub checkpoints_checked: u64,
    /// The last correctly signed checkpoint: (seq, hex hash).
    pub last_signed: Option<(i64, String)>,
    /// Every problem found, in chain order, up to the limit.
    pub problems: Vec<Problem>,
    /// How many were found in all (more than `problems.len()` past the limit).
    pub problems_total: u64,
    /// Readers' accesses recorded in the access log and not yet chained by the writer.
    pub access_log_pending: u64,
    /// What an auditor should know that is not a problem: the one-person bootstrap of the
    /// two-person rule (`approvals.rs`).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl VerifyReport {
    /// Nothing checked yet, nothing found.
    pub fn empty() -> VerifyReport {
        VerifyReport {
            ok: true,
            records_checked: 0,
            checkpoints_checked: 0,
            last_signed: None,
            problems: Vec::new(),
            problems_total: 0,
            access_log_pending: 0,
            notes: Vec::new(),
        }
    }

    pub fn first_problem(&self) -> Option<&Problem> {
        self.problems.first()
    }

    pub(crate) fn push(&mut self, p: Problem, limit: usize) {
        self.problems_total += 1;
        if self.problems.len() < limit {
            self.problems.push(p);
        }
        self.ok = false;
    }
}

/// Checks `conn` against `key` (the auditor's copy, or the published one): the chain, the
/// checkpoints, every projection and both full-text indexes. Reports up to `limit` problems.
pub fn verify_all(
    conn: &Connection,
    key: Option<&VerifyingKey>,
    limit: usize,
) -> Result<VerifyReport, ArchiveError> {
    verify_in(conn, None, key, None, limit)
}

/// [`verify_all`], sharing the parts of the work with `twin`, a second connection that reads
/// the same snapshot (`parts.rs`).
fn verify_in(
    conn: &Connection,
    twin: Option<Connection>,
    key: Option<&VerifyingKey>,
    region: Option<&str>,
    limit: usize,
) -> Result<VerifyReport, ArchiveError> {
    if let Some(k) = key {
        crate::rotation::check_pinned(conn, k)?;
    }
    let first = keys::first_key(conn, key)?;
    let pinned = key.copied().or(first);
    let parts = parts::run(conn, twin, pinned)?;
    let mut found = parts.scan_found;
    let scanned = parts.scanned;
    let differing = tables::compare(conn, &scanned.expected, &parts.sums, &mut found)?;
    keys::check(conn, first.as_ref(), &scanned.expected, region, &mut found)?;
    if !differing.is_empty() {
        diff::name_rows(
            conn,
            &differing,
            &scanned.expected.unknown,
            &scanned.placed,
            &mut found,
        )?;
    }
    found.extend(parts.index_found);
    walk::name_rewritten(&mut found);
    // The two-person rule and the clock, replayed from the config and expiry records the
    // scan collected, and the checkpoints.
    let rule = approvals::check(conn, &scanned.rules)?;
    found.extend(rule.problems);
    found.extend(clock::check(conn, &scanned.rules)?);
    // Chain order; at one position the record's own problem before its rows'.
    found.sort_by_key(|p| {
        (
            p.seq == 0,
            p.seq,
            !matches!(p.table.as_str(), "records" | "checkpoints"),
            p.table.clone(),
        )
    });
    for p in found.iter_mut() {
        words::locate(conn, p);
    }
    let mut report = VerifyReport {
        ok: true,
        records_checked: scanned.records,
        checkpoints_checked: scanned.checkpoints,
        last_signed: scanned.last_signed,
        problems: Vec::new(),
        problems_total: 0,
        access_log_pending: 0,
        notes: rule.notes,
    };
    for p in found {
        report.push(p, limit);
    }
    Ok(report)
}

/// `report` with the damaged pages of the file put first (up to `limit` in all): a page that
/// fails its integrity check is the cause, and a derived table or index that cannot be read
/// past it ("database disk image is malformed") its consequence (trial 15j D7: the cause was
/// listed third).
pub fn cause_first(damaged: Vec<Problem>, report: VerifyReport, limit: usize) -> VerifyReport {
    let total = report.problems_total + damaged.len() as u64;
    let problems = damaged
        .into_iter()
        .chain(report.problems)
        .take(limit)
        .collect::<Vec<_>>();
    VerifyReport {
        ok: total == 0,
        problems,
        problems_total: total,
        ..report
    }
}

/// A verification that SQLite (SQLCipher) stopped because the file is damaged (SQLITE_CORRUPT,
/// SQLITE_NOTADB: for an encrypted archive, a page whose HMAC no longer matches) is a failed
/// verification, not one that "could not run": a trial flipped one byte of an encrypted
/// archive and got exit 2 and "could not run" from the archiver, with `/readyz` still 200.
fn damaged_is_failed(r: Result<VerifyReport, ArchiveError>) -> Result<VerifyReport, ArchiveError> {
    match r {
        Err(e) => damaged_report(&e).ok_or(e),
        ok => ok,
    }
}

/// The failed report of an error that says the database file is damaged (see
/// [`damaged_is_failed`]); None for any other error. Also for an archive that SQLite refuses
/// to open for the same reason (`wcp archive verify`).
pub fn damaged_report(e: &ArchiveError) -> Option<VerifyReport> {
    use rusqlite::ErrorCode;
    if let ArchiveError::PageOneDamaged(what) = e {
        let mut report = VerifyReport::empty();
        report.push(
            Problem::new(ProblemKind::FileDamaged, 0, "database file", what.clone()),
            1,
        );
        return Some(report);
    }
    let ArchiveError::Sqlite(rusqlite::Error::SqliteFailure(code, msg)) = e else {
        return None;
    };
    if !matches!(
        code.code,
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase
    ) {
        return None;
    }
    let mut report = VerifyReport::empty();
    report.push(
        Problem::new(
            ProblemKind::FileDamaged,
            0,
            "database file",
            format!(
                "SQLite stopped reading it ({}): its bytes were changed outside the archive \
                 (an encrypted archive's page no longer matches its HMAC) or the disk damaged \
                 it; preserve the file and restore from a verified copy (docs/RUNBOOK.md)",
                msg.clone().unwrap_or_else(|| code.to_string())
            ),
        ),
        1,
    );
    Some(report)
}

/// [`verify_all`] with the default limit.
pub fn verify(conn: &Connection, key: Option<&VerifyingKey>) -> Result<VerifyReport, ArchiveError> {
    verify_all(conn, key, DEFAULT_LIMIT)
}

impl crate::Archive {
    /// Verifies against the first key published in the archive.
    pub fn verify(&self) -> Result<VerifyReport, ArchiveError> {
        self.verify_report(None, DEFAULT_LIMIT)
    }

    /// Verifies against an auditor's own copy of the public key (the published one could
    /// have been replaced together with re-signed checkpoints).
    pub fn verify_with(&self, key: &VerifyingKey) -> Result<VerifyReport, ArchiveError> {
        self.verify_report(Some(key), DEFAULT_LIMIT)
    }

    /// Verifies, up to `limit` problems, and counts (and checks) the access log.
    ///
    /// One snapshot: the archive may be live (the archiver's periodic verification,
    /// `wcp archive verify` on a running system), and the chain, the projections and the
    /// search index must be read from one snapshot — otherwise rows committed between two
    /// reads look added or changed and a clean archive is reported as tampered. The work is
    /// shared with a second read-only connection whose read transaction sees the same
    /// snapshot (`parts.rs`).
    pub fn verify_report(
        &self,
        key: Option<&VerifyingKey>,
        limit: usize,
    ) -> Result<VerifyReport, ArchiveError> {
        // The verify reads the messages table three times (the projections, both full-text
        // checks): with a page cache that holds it (64 MiB, the writer's), each page is read
        // — in an encrypted archive decrypted and its HMAC checked — once
        // (benches/encryption.sh: about 3% of an encrypted verify). For the verify only: the
        // connection gets its own size back, and with it the memory.
        with_cache(&self.conn, VERIFY_CACHE_KIB, || {
            damaged_is_failed(self.verify_report_unchecked(key, limit))
        })?
    }

    fn verify_report_unchecked(
        &self,
        key: Option<&VerifyingKey>,
        limit: usize,
    ) -> Result<VerifyReport, ArchiveError> {
        // A second connection in the same snapshot takes part of the work on another core.
        let (tx, twin) = parts::twin_snapshot(&self.conn, &self.path)?;
        let damaged_pages = self.page_problems(&tx)?;
        // The region the file name gives (`archive-<region>.db`), which `meta` must repeat.
        let named = self
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("archive-"))
            .map(str::to_string);
        let report = verify_in(&tx, twin, key, named.as_deref(), limit)?;
        let mut report = cause_first(damaged_pages, report, limit);
        let after = crate::access::last_absorbed(&tx)?;
        drop(tx);
        diff::detach_scratch(&self.conn)?;
        // Each tampered access-log entry named, and a log that no longer reaches what the
        // archive sealed (`access_check.rs`).
        let (pending, log_problems) = crate::access_check::check(&self.access_log, after)?;
        report.access_log_pending = pending;
        for p in log_problems {
            report.push(p, limit);
        }
        Ok(report)
    }

    /// Every page of an encrypted archive against its HMAC, the database file's and those in
    /// its WAL (every committed frame, `at_rest_wal.rs`): a page no query reads (an index,
    /// free space) can be changed too, and between checkpoints the newest copy of a page is
    /// in the WAL only (trial 15h D3, D4). Inside `tx`, which it starts reading, so the WAL
    /// frames of its snapshot stay where they are. Nothing for a plain archive.
    fn page_problems(&self, tx: &Connection) -> Result<Vec<Problem>, ArchiveError> {
        if crate::at_rest::is_plain(&self.path) {
            return Ok(Vec::new());
        }
        tx.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        let advice = "its bytes were changed outside the archive or the disk damaged it; \
                      preserve the file with its -wal and -shm and restore from a verified \
                      copy (docs/RUNBOOK.md)";
        let pages = crate::at_rest::check_pages(&self.path)?;
        let frames = crate::at_rest::check_wal(&self.path)?;
        Ok(pages
            .into_iter()
            .map(|line| (line, "database file"))
            .chain(frames.into_iter().map(|line| (line, "WAL")))
            .map(|(line, table)| {
                Problem::new(
                    ProblemKind::FileDamaged,
                    0,
                    table,
                    format!("{line}: {advice}"),
                )
            })
            .collect())
    }

    /// Verifies, and also that the chain still contains the head an auditor saw before
    /// (`seq`, hex `hash` from an earlier report's `last_signed`).
    pub fn verify_since(
        &self,
        key: Option<&VerifyingKey>,
        seq: i64,
        hash: &str,
    ) -> Result<VerifyReport, ArchiveError> {
        damaged_is_failed(self.verify_since_unchecked(key, seq, hash))
    }

    fn verify_since_unchecked(
        &self,
        key: Option<&VerifyingKey>,
        seq: i64,
        hash: &str,
    ) -> Result<VerifyReport, ArchiveError> {
        let mut report = self.verify_report(key, DEFAULT_LIMIT)?;
        let head = crate::anchor::Head {
            seq,
            hash: hash.to_ascii_lowercase(),
            signed_at_ms: None,
        };
        if let Some(p) = crate::anchor::check_head(&self.conn, &head, "an earlier verify")? {
            report.push(p, DEFAULT_LIMIT);
        }
        Ok(report)
    }

    /// Verifies only records `from + 1 ..= to` (`window.rs`): their chain from record
    /// `from`, the checkpoints among them, and the projection rows they created. `older`:
    /// records after `to` exist, and rows they removed or recalled are accepted. One read
    /// transaction, so rows appended meanwhile are not half seen.
    pub fn verify_stretch(
        &self,
        key: Option<&VerifyingKey>,
        from: i64,
        to: i64,
        older: bool,
    ) -> Result<VerifyReport, ArchiveError> {
        damaged_is_failed(self.verify_stretch_unchecked(key, from, to, older))
    }

    fn verify_stretch_unchecked(
        &self,
        key: Option<&VerifyingKey>,
        from: i64,
        to: i64,
        older: bool,
    ) -> Result<VerifyReport, ArchiveError> {
        let tx = self.conn.unchecked_transaction()?;
        let report = window::verify_window(&tx, key, from, to, older, DEFAULT_LIMIT)?;
        drop(tx);
        Ok(report)
    }

    /// What was appended since an earlier verified head (`seq`, hex `hash`): record `seq`
    /// must still carry `hash` (the chain was not rewritten or cut off behind it), then
    /// [`Archive::verify_stretch`] up to the newest record or signed checkpoint (each commit
    /// signs its last record, so both end at the same seq unless the tail was tampered with),
    /// and, as the full verify, every page's HMAC of an encrypted archive, file and WAL.
    /// `last_signed` is the new head (the old one when nothing new was signed).
    pub fn verify_after(
        &self,
        key: Option<&VerifyingKey>,
        seq: i64,
        hash: &str,
    ) -> Result<VerifyReport, ArchiveError> {
        damaged_is_failed(self.verify_after_unchecked(key, seq, hash))
    }

    fn verify_after_unchecked(
        &self,
        key: Option<&VerifyingKey>,
        seq: i64,
        hash: &str,
    ) -> Result<VerifyReport, ArchiveError> {
        let tx = self.conn.unchecked_transaction()?;
        // Every page's HMAC, the database file's and the WAL's, as in a full verify: a
        // changed page the window does not read is found at the next run, not months later.
        let damaged_pages = self.page_problems(&tx)?;
        // Up to the newest record or checkpoint, whichever is later: records appended behind
        // the archive's back (no checkpoint) and signed records cut off are both walked.
        let to: i64 = tx.query_row(
            "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM checkpoints), \
                        (SELECT COALESCE(MAX(seq), 0) FROM records))",
            [],
            |r| r.get(0),
        )?;
        let mut report = window::verify_window(&tx, key, seq, to.max(seq), false, DEFAULT_LIMIT)?;
        // The two-person rule and the clock over what was appended (`approvals.rs`, `clock.rs`).
        let mut rules = approvals::after(&tx, seq, to)?;
        rules.extend(clock::after(&tx, seq, to)?);
        for mut p in rules {
            words::locate(&tx, &mut p);
            report.push(p, DEFAULT_LIMIT);
        }
        let head = crate::anchor::Head {
            seq,
            hash: hash.to_ascii_lowercase(),
            signed_at_ms: None,
        };
        if let Some(p) = crate::anchor::check_head(&tx, &head, "the last periodic verification")? {
            report.push(p, DEFAULT_LIMIT);
        }
        let mut report = cause_first(damaged_pages, report, DEFAULT_LIMIT);
        if report.last_signed.is_none() {
            report.last_signed = Some((seq, head.hash));
        }
        drop(tx);
        Ok(report)
    }

    /// The seq of the newest signed checkpoint (0 when none), what a stretch verifies up to.
    pub fn signed_head(&self) -> Result<i64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM checkpoints", [], |r| {
                r.get(0)
            })?)
    }
}

#[cfg(test)]
mod tests {
    /// A verify's page cache is its own: the connection (a long-lived reader's) gets its
    /// size back, and with it the memory.
    #[test]
    fn the_verify_cache_is_set_for_the_call_and_back_after() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let size = || -> i64 {
            conn.query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap()
        };
        let before = size();
        assert_ne!(before, super::VERIFY_CACHE_KIB);
        let during = super::with_cache(&conn, super::VERIFY_CACHE_KIB, size).unwrap();
        assert_eq!(during, super::VERIFY_CACHE_KIB);
        assert_eq!(size(), before);
    }
}
