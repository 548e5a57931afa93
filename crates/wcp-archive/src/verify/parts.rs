//! A full verification in parts that read one snapshot, so that a second connection in the
//! same snapshot can take some of them on another core. The chain scan, the sums of the
//! hashed tables and the check of each full-text index do not depend on one another; the
//! comparison, the naming of rows and the sentences come after them, on the first
//! connection. The parts are handed out longest first to whichever connection is free.

use std::collections::BTreeMap;
use std::hash::RandomState;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use ed25519_dalek::VerifyingKey;
use rusqlite::{Connection, Transaction};

use super::expected::{Sum, HASHED};
use super::scan::{self, Scanned};
use super::{fts, tables, Problem};
use crate::error::ArchiveError;

#[derive(Clone, Copy)]
enum Part {
    Scan,
    /// Full-text index number.
    Index(usize),
    /// The sum of one hashed table (`HASHED[i]`).
    Sums(usize),
}

/// Longest first (`perf` of `examples/verify_cpu.rs`): the chain scan, the trigram index,
/// the id index, then the table sums, `messages` first; a sum per table, so the two
/// connections finish close together.
const PARTS: [Part; 1 + fts::COUNT + HASHED.len()] = [
    Part::Scan,
    Part::Index(0),
    Part::Index(1),
    Part::Sums(0),
    Part::Sums(1),
    Part::Sums(2),
    Part::Sums(3),
    Part::Sums(4),
    Part::Sums(5),
    Part::Sums(6),
    Part::Sums(7),
];

enum Done {
    Scanned(Box<Scanned>, Vec<Problem>),
    Index(usize, Vec<Problem>),
    Sum(&'static str, Sum),
}

/// What the parts found: the scan (with its problems), the tables' sums and the problems of
/// the full-text indexes.
pub struct Parts {
    pub scanned: Scanned,
    pub scan_found: Vec<Problem>,
    pub sums: BTreeMap<&'static str, Sum>,
    pub index_found: Vec<Problem>,
}

/// Runs every part on `conn` and, when given, on `twin` (on a thread of its own; it must
/// read the same snapshot as `conn`, see [`twin_snapshot`]).
pub fn run(
    conn: &Connection,
    twin: Option<Connection>,
    pinned: Option<VerifyingKey>,
) -> Result<Parts, ArchiveError> {
    let seed = RandomState::new();
    let next = AtomicUsize::new(0);
    let work = |c: &Connection| -> Result<Vec<Done>, ArchiveError> {
        let mut done = Vec::new();
        loop {
            let Some(part) = PARTS.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return Ok(done);
            };
            done.push(match *part {
                Part::Scan => {
                    let mut found = Vec::new();
                    let s = scan::scan(c, pinned.as_ref(), seed.clone(), &mut found)?;
                    Done::Scanned(Box::new(s), found)
                }
                Part::Index(i) => {
                    let mut found = Vec::new();
                    fts::check(c, i, &mut found)?;
                    Done::Index(i, found)
                }
                Part::Sums(i) => Done::Sum(HASHED[i], tables::actual_sum(c, &seed, HASHED[i])?),
            });
        }
    };
    let work = &work;
    let (mine, theirs) = std::thread::scope(|s| {
        let other = twin.map(|t| s.spawn(move || work(&t)));
        let mine = work(conn);
        let theirs = other.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (mine, theirs)
    });
    let mut done = mine?;
    done.extend(theirs.transpose()?.unwrap_or_default());
    let (mut scanned, mut sums, mut index_found) = (None, BTreeMap::new(), Vec::new());
    // The index problems in index order, as a single connection would find them.
    let mut by_index: Vec<(usize, Vec<Problem>)> = Vec::new();
    for d in done {
        match d {
            Done::Scanned(s, f) => scanned = Some((*s, f)),
            Done::Sum(t, sum) => {
                sums.insert(t, sum);
            }
            Done::Index(i, f) => by_index.push((i, f)),
        }
    }
    by_index.sort_by_key(|(i, _)| *i);
    for (_, f) in by_index {
        index_found.extend(f);
    }
    let (scanned, scan_found) =
        scanned
            .filter(|_| sums.len() == HASHED.len())
            .ok_or_else(|| {
                ArchiveError::Invalid("verify: a part of the verification did not run".into())
            })?;
    Ok(Parts {
        scanned,
        scan_found,
        sums,
        index_found,
    })
}

/// Attempts at a twin before verifying on one connection (each fails only when a commit
/// lands in the microseconds between the two connections' first reads).
const TWIN_TRIES: usize = 8;

/// A read transaction on `conn` and, when one can be opened, a second read-only connection
/// to `path` inside a read transaction that sees exactly the same snapshot: the archive may
/// be live (the archiver's periodic verification), and rows committed between two
/// snapshots would look added or changed.
///
/// Why the snapshots are the same: `PRAGMA data_version` on `conn` changes when another
/// connection has committed since its previous call. It is read before the twin starts its
/// read transaction and again as the first read of `conn`'s; equal values mean no commit
/// landed between them, so the twin's snapshot, taken in between, is `conn`'s. Otherwise
/// both are given up and tried again.
pub fn twin_snapshot<'c>(
    conn: &'c Connection,
    path: &Path,
) -> Result<(Transaction<'c>, Option<Connection>), ArchiveError> {
    twin_snapshot_with(conn, path, || {})
}

/// [`twin_snapshot`], calling `between` after the twin's first read and before `conn`'s
/// (a test commits there).
fn twin_snapshot_with<'c>(
    conn: &'c Connection,
    path: &Path,
    mut between: impl FnMut(),
) -> Result<(Transaction<'c>, Option<Connection>), ArchiveError> {
    // Without a twin (it cannot be opened) the verification runs on `conn` alone, as it
    // always could.
    let Ok(twin) = crate::schema::open_read_only(path) else {
        return Ok((conn.unchecked_transaction()?, None));
    };
    // The page cache of `conn` during a verify (`with_cache`): the full-text checks read
    // each index and the messages more than once.
    twin.pragma_update(None, "cache_size", super::VERIFY_CACHE_KIB)?;
    let version = |c: &Connection| -> Result<i64, ArchiveError> {
        Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    };
    for _ in 0..TWIN_TRIES {
        let before = version(conn)?;
        twin.execute_batch("BEGIN")?;
        twin.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        between();
        let tx = conn.unchecked_transaction()?;
        if version(&tx)? == before {
            return Ok((tx, Some(twin)));
        }
        drop(tx);
        twin.execute_batch("ROLLBACK")?;
    }
    Ok((conn.unchecked_transaction()?, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit that lands between the twin's first read and the transaction's: the pair is
    /// given up and taken again, and the two read one snapshot.
    #[test]
    fn the_twin_reads_the_transactions_snapshot_when_a_commit_lands_between() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let opts = crate::ArchiveOptions {
            signing_key: Some(ed25519_dalek::SigningKey::from_bytes(&[7; 32])),
            ..Default::default()
        };
        let _archive = crate::Archive::open(&path, opts).unwrap();
        let reader = crate::schema::open_read_only(&path).unwrap();
        let writer = Connection::open(&path).unwrap();
        let mut calls = 0;
        let (tx, twin) = twin_snapshot_with(&reader, &path, || {
            if calls == 0 {
                writer
                    .execute("INSERT INTO meta (key, value) VALUES ('between', '1')", [])
                    .unwrap();
            }
            calls += 1;
        })
        .unwrap();
        let twin = twin.expect("a twin");
        let rows = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(rows(&tx), rows(&twin), "two snapshots");
        assert_eq!(calls, 2, "taken again after the commit");
    }
}
