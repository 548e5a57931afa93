//! The full-text indexes' shadow tables beyond what FTS5's integrity check reads (trial 12a
//! D6, D7): the `_config` rows must be exactly the writer's (`schema::fts_settings`), every
//! `_data` block must be one the structure record refers to (a page of a segment, a
//! doclist-index page of one, the averages and the structure themselves) and every segment
//! page must be there, and the `_idx` rows must point into the segments, one at each
//! segment's first page. When the integrity check fails, [`differing_docs`] finds the
//! messages a search now misses or finds wrongly.
//!
//! Not found here, because it changes nothing a search or a later write sees: the leaves of
//! two segments of the same shape swapped (an index is the union of its segments, and
//! each segment is read on its own), and for `id_tokens` two rows of `_docsize` swapped (the
//! token counts only weigh a ranking, which no search of the archive uses).

use std::collections::{BTreeMap, HashSet};

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{Problem, ProblemKind};
use crate::error::ArchiveError;

/// The `_config` rows the writer sets (`schema::fts_settings`), each with the values it may
/// hold. FTS5 writes `version` itself: 4, and 5 from the first delete under secure-delete
/// (`FTS5_CURRENT_VERSION_SECUREDELETE`).
fn config_of(index: &str) -> &'static [(&'static str, &'static [&'static str])] {
    const VERSION: (&str, &[&str]) = ("version", &["4", "5"]);
    match index {
        "fts" => &[("automerge", &["16"]), ("secure-delete", &["1"]), VERSION],
        _ => &[("secure-delete", &["1"]), VERSION],
    }
}

/// What a changed setting does, for the sentence.
fn effect(k: &str) -> &'static str {
    match k {
        "secure-delete" => {
            ": without it an expired or purged message's words stay in the index's pages"
        }
        "automerge" => ": it decides how the index's segments are merged",
        "version" => ": it is the index's format",
        "rank" => ": it changes the order of search results",
        _ => "",
    }
}

/// Config, blocks and their references of index `index` (`fts`, `id_tokens`).
pub fn check(conn: &Connection, index: &str, found: &mut Vec<Problem>) -> Result<(), ArchiveError> {
    config(conn, index, found)?;
    structure(conn, index, found)
}

fn cell(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => "NULL".into(),
    }
}

fn config(conn: &Connection, index: &str, found: &mut Vec<Problem>) -> Result<(), ArchiveError> {
    let table = format!("{index}_config");
    let got: BTreeMap<String, String> = conn
        .prepare(&format!("SELECT k, v FROM main.{table}"))?
        .query_map([], |r| Ok((cell(r.get_ref(0)?), cell(r.get_ref(1)?))))?
        .collect::<Result<_, _>>()?;
    let want = config_of(index);
    for (k, ok) in want {
        let v = ok.join(" or ");
        match got.get(*k) {
            None => found.push(Problem::new(
                ProblemKind::Missing,
                0,
                &table,
                format!("setting {k} was deleted (the writer sets {v}){}", effect(k)),
            )),
            Some(g) if !ok.contains(&g.as_str()) => found.push(Problem::new(
                ProblemKind::Changed,
                0,
                &table,
                format!("setting {k} reads {g}; the writer sets {v}{}", effect(k)),
            )),
            Some(_) => {}
        }
    }
    for (k, g) in &got {
        if !want.iter().any(|(w, _)| w == k) {
            found.push(Problem::new(
                ProblemKind::Added,
                0,
                &table,
                format!("setting {k} = {g} is not one the writer sets{}", effect(k)),
            ));
        }
    }
    Ok(())
}

/// One segment of the structure record: id, first and last leaf page, tombstone pages.
struct Segment {
    id: u64,
    first: u64,
    last: u64,
    tombstone_pages: u64,
}

/// SQLite's varint (FTS5 uses it): 7 bits a byte, big end first, the ninth byte whole.
pub(crate) fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for k in 0..9 {
        let c = *b.get(*i)?;
        *i += 1;
        if k == 8 {
            return Some((v << 8) | u64::from(c));
        }
        v = (v << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The segments of an FTS5 structure record (`fts5StructureDecode` in SQLite's
/// fts5_index.c); None when it does not parse.
fn segments(b: &[u8]) -> Option<Vec<Segment>> {
    let mut i = 4; // the cookie
    let v2 = b.get(4..8) == Some(&[0xff, 0, 0, 1][..]);
    if v2 {
        i += 4;
    }
    let levels = varint(b, &mut i)?;
    let total = varint(b, &mut i)?;
    varint(b, &mut i)?; // write counter
    if v2 {
        varint(b, &mut i)?; // origin counter
    }
    let mut out = Vec::new();
    for _ in 0..levels {
        varint(b, &mut i)?; // segments being merged
        let n = varint(b, &mut i)?;
        for _ in 0..n {
            let id = varint(b, &mut i)?;
            let first = varint(b, &mut i)?;
            let last = varint(b, &mut i)?;
            let mut tombstone_pages = 0;
            if v2 {
                varint(b, &mut i)?;
                varint(b, &mut i)?;
                tombstone_pages = varint(b, &mut i)?;
                varint(b, &mut i)?;
                varint(b, &mut i)?;
            }
            out.push(Segment {
                id,
                first,
                last,
                tombstone_pages,
            });
        }
    }
    (out.len() as u64 == total && i == b.len()).then_some(out)
}

/// A block id's parts (`fts5_dri` in fts5_index.c): segment, doclist-index flag, height,
/// page.
fn parts(id: i64) -> (u64, u64, u64, u64) {
    let id = id as u64;
    (id >> 37, (id >> 36) & 1, (id >> 31) & 31, id & 0x7fff_ffff)
}

fn structure(conn: &Connection, index: &str, found: &mut Vec<Problem>) -> Result<(), ArchiveError> {
    let data = format!("{index}_data");
    let block: Option<Vec<u8>> = conn
        .query_row(
            &format!("SELECT block FROM main.{data} WHERE id = 10"),
            [],
            |r| Ok(super::walk::bytes(r.get_ref(0)?).map(<[u8]>::to_vec)),
        )
        .unwrap_or(None);
    let Some(segs) = block.as_deref().and_then(segments) else {
        found.push(Problem::new(
            ProblemKind::Changed,
            0,
            &data,
            "the structure record (block 10), which lists the index's segments, is missing \
             or unreadable: no search can use the index",
        ));
        return Ok(());
    };
    let by_id: BTreeMap<u64, &Segment> = segs.iter().map(|s| (s.id, s)).collect();
    let ids: HashSet<i64> = conn
        .prepare(&format!("SELECT id FROM main.{data}"))?
        .query_map([], |r| r.get_ref(0).map(|v| v.as_i64().unwrap_or(-1)))?
        .collect::<Result<_, _>>()?;
    let mut extra: Vec<i64> = Vec::new();
    for &id in &ids {
        if id == 1 || id == 10 {
            continue;
        }
        let (seg, dlidx, height, page) = parts(id);
        let known = if seg > 0xffff {
            // A tombstone page (contentless-delete indexes).
            by_id
                .get(&(seg - 0x10000))
                .is_some_and(|s| dlidx == 0 && height == 0 && page < s.tombstone_pages)
        } else {
            by_id
                .get(&seg)
                .is_some_and(|s| page >= s.first && page <= s.last && (dlidx == 1 || height == 0))
        };
        if id <= 0 || !known {
            extra.push(id);
        }
    }
    extra.sort_unstable();
    if let Some(first) = extra.first() {
        found.push(Problem::new(
            ProblemKind::Added,
            0,
            &data,
            format!(
                "{} block(s) (the first: id {first}) belong to no segment of the index: they were \
                 put in behind the archive's back",
                extra.len()
            ),
        ));
    }
    let mut gone = Vec::new();
    for s in &segs {
        for p in s.first..=s.last.min(s.first + 1_000_000) {
            let id = ((s.id << 37) | p) as i64;
            if !ids.contains(&id) {
                gone.push(format!("segment {} page {p}", s.id));
            }
        }
    }
    if let Some(first) = gone.first() {
        found.push(Problem::new(
            ProblemKind::Missing,
            0,
            &data,
            format!(
                "{} block(s) of the index's segments were deleted (the first: {first}): \
                 searches miss every message whose entries were there",
                gone.len()
            ),
        ));
    }
    idx(conn, index, &by_id, found)
}

/// The `_idx` rows: each in a segment's pages, one at each segment's first page.
fn idx(
    conn: &Connection,
    index: &str,
    by_id: &BTreeMap<u64, &Segment>,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let table = format!("{index}_idx");
    let rows: Vec<(i64, i64)> = conn
        .prepare(&format!("SELECT segid, pgno FROM main.{table}"))?
        .query_map([], |r| {
            Ok((
                r.get_ref(0)?.as_i64().unwrap_or(-1),
                r.get_ref(1)?.as_i64().unwrap_or(-1),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut starts: HashSet<u64> = HashSet::new();
    let mut stray = Vec::new();
    for (seg, pgno) in rows {
        let page = (pgno.max(0) as u64) >> 1;
        match by_id.get(&(seg.max(0) as u64)) {
            Some(s) if seg > 0 && pgno >= 0 && page >= s.first && page <= s.last => {
                if page == s.first {
                    starts.insert(s.id);
                }
            }
            _ => stray.push(format!("segment {seg} page {page}")),
        }
    }
    if let Some(first) = stray.first() {
        found.push(Problem::new(
            ProblemKind::Added,
            0,
            &table,
            format!(
                "{} row(s) point outside the index's segments (the first: {first}): they were \
                 put in behind the archive's back",
                stray.len()
            ),
        ));
    }
    let mut lost: Vec<u64> = by_id
        .keys()
        .filter(|id| !starts.contains(id))
        .copied()
        .collect();
    lost.sort_unstable();
    if let Some(first) = lost.first() {
        found.push(Problem::new(
            ProblemKind::Missing,
            0,
            &table,
            format!(
                "the row of the first page of {} segment(s) was deleted (the first: segment \
                 {first}): a search cannot find where that segment's words start",
                lost.len()
            ),
        ));
    }
    Ok(())
}

/// SQLite's varint, written (values below 2^56, which segment ids and pages are).
fn put_varint(v: u64, out: &mut Vec<u8>) {
    let mut x = v;
    let mut buf = vec![(x & 0x7f) as u8];
    x >>= 7;
    while x > 0 {
        buf.push(((x & 0x7f) as u8) | 0x80);
        x >>= 7;
    }
    buf.reverse();
    out.extend(buf);
}

/// The structure record of `index` without the segments that lost a page (a block deleted),
/// so that the rest of the index can be read to find whose entries went with them; None when
/// no page is missing (or the record is not the plain format this rewrites).
fn without_lost_segments(conn: &Connection, index: &str) -> Option<Vec<u8>> {
    let b: Vec<u8> = conn
        .query_row(
            &format!("SELECT block FROM main.{index}_data WHERE id = 10"),
            [],
            |r| r.get(0),
        )
        .ok()?;
    if b.len() < 8 || b[4..8] == [0xff, 0, 0, 1] {
        return None;
    }
    let mut has = conn
        .prepare(&format!("SELECT 1 FROM main.{index}_data WHERE id = ?1"))
        .ok()?;
    let mut i = 4;
    let levels = varint(&b, &mut i)?;
    varint(&b, &mut i)?;
    let writes = varint(&b, &mut i)?;
    let (mut body, mut kept, mut lost) = (Vec::new(), 0u64, false);
    for _ in 0..levels {
        varint(&b, &mut i)?;
        let n = varint(&b, &mut i)?;
        let mut segs = Vec::new();
        for _ in 0..n {
            let (id, first, last) = (
                varint(&b, &mut i)?,
                varint(&b, &mut i)?,
                varint(&b, &mut i)?,
            );
            let whole = (first..=last.min(first + 1_000_000))
                .all(|p| has.exists([((id << 37) | p) as i64]).unwrap_or(false));
            if whole {
                segs.push((id, first, last));
            } else {
                lost = true;
            }
        }
        // No merge in progress in the rewritten level.
        put_varint(0, &mut body);
        put_varint(segs.len() as u64, &mut body);
        for (id, first, last) in &segs {
            put_varint(*id, &mut body);
            put_varint(*first, &mut body);
            put_varint(*last, &mut body);
        }
        kept += segs.len() as u64;
    }
    if !lost || i != b.len() {
        return None;
    }
    let mut out = b[..4].to_vec();
    put_varint(levels, &mut out);
    put_varint(kept, &mut out);
    put_varint(writes, &mut out);
    out.extend(body);
    Some(out)
}

/// Per message (rowid): how many of its (term, message) entries the index lacks, how many it
/// has that the message's text does not give, and whether its `_docsize` row differs.
pub type Differing = BTreeMap<i64, (u64, u64, bool)>;

/// The index's (term, message) pairs against those of an index built afresh from `view`
/// (`args` as the check's copy), both read through `fts5vocab` in term, then message order.
pub fn differing_docs(
    conn: &Connection,
    index: &str,
    view: &str,
    args: &str,
    docsize: bool,
) -> Result<Differing, rusqlite::Error> {
    let rb = format!("chk_{index}");
    let out = (|| {
        conn.execute_batch(&format!(
            "CREATE TEMP VIEW {rb}_src AS {view};
             CREATE VIRTUAL TABLE temp.{rb} USING fts5({args});
             INSERT INTO temp.{rb} ({rb}) VALUES ('rebuild');
             CREATE VIRTUAL TABLE temp.{rb}_vt USING fts5vocab(temp, {rb}, instance);"
        ))?;
        // A segment that lost a block makes the whole index unreadable: the rest is read
        // from a copy whose structure leaves it out, so its messages show as missing.
        match without_lost_segments(conn, index) {
            None => conn.execute_batch(&format!(
                "CREATE VIRTUAL TABLE temp.{rb}_vm USING fts5vocab(main, {index}, instance);"
            ))?,
            Some(structure) => {
                conn.execute_batch(&format!(
                    "CREATE VIRTUAL TABLE temp.{rb}_cp USING fts5({args});
                     DELETE FROM temp.{rb}_cp_data;
                     INSERT INTO temp.{rb}_cp_data SELECT * FROM main.{index}_data;
                     DELETE FROM temp.{rb}_cp_idx;
                     INSERT INTO temp.{rb}_cp_idx SELECT * FROM main.{index}_idx;
                     CREATE VIRTUAL TABLE temp.{rb}_vm USING fts5vocab(temp, {rb}_cp, instance);"
                ))?;
                conn.execute(
                    &format!("UPDATE temp.{rb}_cp_data SET block = ?1 WHERE id = 10"),
                    [structure],
                )?;
            }
        }
        let mut a = conn.prepare(&format!("SELECT term, doc FROM temp.{rb}_vm"))?;
        let mut b = conn.prepare(&format!("SELECT term, doc FROM temp.{rb}_vt"))?;
        let mut real = a.query([])?;
        let mut fresh = b.query([])?;
        let pair = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(Vec<u8>, i64)> {
            let t = match r.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
                _ => Vec::new(),
            };
            Ok((t, r.get_ref(1)?.as_i64().unwrap_or(-1)))
        };
        let mut out = Differing::new();
        let mut x = real.next()?.map(pair).transpose()?;
        let mut y = fresh.next()?.map(pair).transpose()?;
        loop {
            let order = match (&x, &y) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(p), Some(q)) => p.cmp(q),
            };
            match order {
                std::cmp::Ordering::Equal => {
                    x = real.next()?.map(pair).transpose()?;
                    y = fresh.next()?.map(pair).transpose()?;
                }
                std::cmp::Ordering::Less => {
                    if let Some((_, d)) = &x {
                        out.entry(*d).or_default().1 += 1;
                    }
                    x = real.next()?.map(pair).transpose()?;
                }
                std::cmp::Ordering::Greater => {
                    if let Some((_, d)) = &y {
                        out.entry(*d).or_default().0 += 1;
                    }
                    y = fresh.next()?.map(pair).transpose()?;
                }
            }
        }
        if docsize {
            // The token counts (`id_tokens` only): changed, deleted or added rows.
            let mut d = conn.prepare(&format!(
                "SELECT id FROM (SELECT id, sz FROM main.{index}_docsize EXCEPT SELECT id, sz FROM temp.{rb}_docsize) \
                 UNION SELECT id FROM (SELECT id, sz FROM temp.{rb}_docsize EXCEPT SELECT id, sz FROM main.{index}_docsize)"
            ))?;
            let ids = d.query_map([], |r| r.get_ref(0).map(|v| v.as_i64().unwrap_or(-1)))?;
            for id in ids {
                out.entry(id?).or_default().2 = true;
            }
        }
        Ok(out)
    })();
    let _ = conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.{rb}_vm; DROP TABLE IF EXISTS temp.{rb}_vt;
         DROP TABLE IF EXISTS temp.{rb}_cp; DROP TABLE IF EXISTS temp.{rb};
         DROP VIEW IF EXISTS temp.{rb}_src;"
    ));
    out
}

/// Messages named one by one before the rest are counted.
const NAMED: usize = 50;

/// One problem per message of `docs` (up to [`NAMED`]), with its record, so `words.rs`
/// names its id, time, sender and conversation.
pub fn name_docs(
    conn: &Connection,
    index: &str,
    docs: &Differing,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let mut is_message = conn.prepare("SELECT 1 FROM main.messages WHERE seq = ?1")?;
    let mut is_record = conn
        .prepare("SELECT 1 FROM main.records WHERE seq = ?1 AND kind IN ('message', 'release')")?;
    for (n, (doc, (gone, extra, size))) in docs.iter().enumerate() {
        if n == NAMED {
            found.push(Problem::new(
                ProblemKind::IndexBroken,
                0,
                index,
                format!(
                    "and {} more messages whose index entries differ",
                    docs.len() - NAMED
                ),
            ));
            break;
        }
        let search = if index == "fts" {
            "a search by words"
        } else {
            "a search by person or conversation (or for two Chinese characters)"
        };
        let mut what = Vec::new();
        if *gone > 0 {
            what.push(format!(
                "{gone} of its entries are gone from the index, so {search} misses it"
            ));
        }
        if *extra > 0 {
            what.push(format!(
                "the index holds {extra} entries for it that its content does not give, so \
                 {search} for what it does not contain finds it"
            ));
        }
        if *size {
            what.push(format!(
                "its row of `{index}_docsize` (the count of its tokens) was changed, deleted or \
                 added"
            ));
        }
        if is_message.exists([doc])? {
            found.push(Problem::new(
                ProblemKind::IndexBroken,
                *doc,
                index,
                what.join("; "),
            ));
        } else if is_record.exists([doc])? {
            found.push(Problem::new(
                ProblemKind::IndexBroken,
                *doc,
                index,
                format!(
                    "its message row is gone but the index still holds {extra} entries for it: \
                     a search finds it and cannot show it"
                ),
            ));
        } else if *extra > 0 {
            found.push(Problem::new(
                ProblemKind::IndexBroken,
                0,
                index,
                format!(
                    "it holds {extra} entries for row {doc}, which is no message of the \
                     archive: searches find a message that does not exist"
                ),
            ));
        } else {
            found.push(Problem::new(
                ProblemKind::IndexBroken,
                0,
                index,
                format!(
                    "`{index}_docsize` has a row for row {doc}, which is no message of the \
                     archive: it was put in behind the archive's back"
                ),
            ));
        }
    }
    Ok(())
}
