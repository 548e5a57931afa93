//! Where a record that does not chain at its position belongs: the walk asks only when a
//! link fails, so an intact archive never pays for it. A record that chains onto a nearby
//! record at another position was moved (a swap) or renumbered (records inserted or deleted
//! before it); one whose hash another record also carries is a copy (a replay). Naming these
//! turns one insertion into one problem instead of a problem per later record (trial 12a D3)
//! and names the two records of a swap, not their untouched neighbour.

use rusqlite::Connection;

use super::walk::bytes;
use crate::chain::{link, to_hash, Hash};
use crate::error::ArchiveError;

/// How far from its position a moved record is looked for.
const WINDOW: i64 = 16;

pub(super) enum Place {
    /// It chains at its own position onto a record that was moved: it is where it belongs.
    Here,
    /// It chains onto the record at file position `file`, as record `pos` of the chain.
    After { file: i64, pos: i64 },
    /// It carries the hash of record `of`: a copy of that record (replayed).
    CopyOf(i64),
    /// Nothing nearby explains it: its kind, message id, fingerprint or link was changed.
    Unknown,
}

/// The record at file position `seq`, expected as chain record `pos` after `prev`, with
/// `kind`, `msgid`, digest `d` and stored hash `h`.
#[allow(clippy::too_many_arguments)]
pub(super) fn find(
    conn: &Connection,
    seq: i64,
    pos: i64,
    prev: &Hash,
    kind: &str,
    msgid: &str,
    d: &Hash,
    h: &Hash,
) -> Result<Place, ArchiveError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, hash, kind, msgid, digest FROM records WHERE seq BETWEEN ?1 AND ?2",
    )?;
    let mut near: Vec<(i64, Hash)> = Vec::new();
    let mut copy_of = None;
    let mut rows = stmt.query([seq.saturating_sub(WINDOW), seq.saturating_add(WINDOW)])?;
    while let Some(r) = rows.next()? {
        let s = r.get_ref(0)?.as_i64().unwrap_or(i64::MIN);
        let Some(Ok(hh)) = bytes(r.get_ref(1)?).map(to_hash) else {
            continue;
        };
        // A copy carries all of another record's link: kind, message id, fingerprint, hash.
        if s != seq
            && hh == *h
            && copy_of.is_none()
            && bytes(r.get_ref(2)?) == Some(kind.as_bytes())
            && bytes(r.get_ref(3)?) == Some(msgid.as_bytes())
            && bytes(r.get_ref(4)?) == Some(&d[..])
        {
            copy_of = Some(s);
        }
        near.push((s, hh));
    }
    if let Some(s) = copy_of {
        return Ok(Place::CopyOf(s));
    }
    let preds = near
        .iter()
        .filter(|(s, _)| *s != seq)
        .copied()
        .chain(std::iter::once((seq.saturating_sub(1), *prev)));
    for (file, x) in preds {
        for t in pos.saturating_sub(WINDOW).max(1)..=pos.saturating_add(WINDOW) {
            if link(&x, t, kind, msgid, d) == *h {
                return Ok(if t == pos {
                    Place::Here
                } else {
                    Place::After { file, pos: t }
                });
            }
        }
    }
    // A copy from further back: the same fingerprint and hash (a full scan, only here).
    let far: Option<i64> = conn
        .prepare_cached(
            "SELECT seq FROM records WHERE digest = ?1 AND hash = ?2 AND kind = ?3 AND msgid = ?4 AND seq <> ?5 LIMIT 1",
        )?
        .query_row(rusqlite::params![&d[..], &h[..], kind, msgid, seq], |r| {
            Ok(r.get_ref(0)?.as_i64().ok())
        })
        .ok()
        .flatten();
    Ok(far.map_or(Place::Unknown, Place::CopyOf))
}
