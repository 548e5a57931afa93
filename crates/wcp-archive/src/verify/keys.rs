//! The `keys` and `meta` tables against the chain (trial 12a D2, D5). Neither is evidence:
//! the first signing key is the one whose signature the earliest signed checkpoint carries,
//! every later key comes from a `key_rotation` record, and `meta.public_key` is the newest
//! of them. `meta.schema_version` is the schema this build writes (a file that reads an
//! older version but has the current tables was edited, `schema::open_read_only`), and
//! `meta.region` is the region of the file name (`archive-<region>.db`), which the anchors
//! are published under: the region is not signed into the chain, so a file renamed together
//! with its `meta.region` row is not caught here (anchors are checked by region).

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::{Connection, OptionalExtension};

use super::expected::Expected;
use super::{Problem, ProblemKind};
use crate::error::ArchiveError;
use crate::keys::{parse_public_key, public_key_hex};

/// Whether `key` signed the checkpoint with `id`.
fn signs(conn: &Connection, key: &VerifyingKey, id: i64) -> Result<bool, ArchiveError> {
    let cp: Option<(i64, Vec<u8>, i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash, signed_at_ms, signature FROM checkpoints WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get_ref(0)?.as_i64().unwrap_or(-1),
                    super::walk::bytes(r.get_ref(1)?)
                        .unwrap_or_default()
                        .to_vec(),
                    r.get_ref(2)?.as_i64().unwrap_or(-1),
                    super::walk::bytes(r.get_ref(3)?)
                        .unwrap_or_default()
                        .to_vec(),
                ))
            },
        )
        .optional()?;
    let Some((seq, hash, at, sig)) = cp else {
        return Ok(false);
    };
    let (Ok(hash), Ok(sig)) = (crate::chain::to_hash(&hash), Signature::from_slice(&sig)) else {
        return Ok(false);
    };
    let m = crate::chain::checkpoint_message(id, seq, &hash, at);
    Ok(key.verify_strict(&m, &sig).is_ok())
}

/// Whether `key` carries the signature of any signed checkpoint: the auditor's pinned key
/// signs this chain even when the `keys` table was edited to name another (trial 12a D5:
/// "WRONG KEY", exit 3, for a tampered `keys` row).
pub fn signs_any(conn: &Connection, key: &VerifyingKey) -> Result<bool, ArchiveError> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM checkpoints ORDER BY id")?
        .query_map([], |r| r.get_ref(0).map(|v| v.as_i64().unwrap_or(-1)))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        if signs(conn, key, id)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The key in force at the start of the chain: the one (of the pinned key, the `keys`
/// rows, `meta.public_key`) that signed the earliest checkpoint; the first `keys` row (else
/// the pinned key) when none did (the checkpoint problems say why).
pub fn first_key(
    conn: &Connection,
    pinned: Option<&VerifyingKey>,
) -> Result<Option<VerifyingKey>, ArchiveError> {
    let lineage = crate::rotation::lineage(conn)?;
    let first_id: Option<i64> = conn.query_row("SELECT MIN(id) FROM checkpoints", [], |r| {
        r.get_ref(0).map(|v| v.as_i64().ok())
    })?;
    let mut candidates: Vec<VerifyingKey> = pinned.copied().into_iter().collect();
    candidates.extend(lineage.iter().copied());
    if let Some(k) = crate::schema::meta_get(conn, "public_key")
        .ok()
        .flatten()
        .and_then(|k| parse_public_key(&k).ok())
    {
        candidates.push(k);
    }
    if let Some(id) = first_id {
        for k in &candidates {
            if signs(conn, k, id)? {
                return Ok(Some(*k));
            }
        }
    }
    Ok(lineage.first().copied().or(pinned.copied()))
}

/// Checks `keys` and `meta`; `first` is [`first_key`], `region` the file name's region.
pub fn check(
    conn: &Connection,
    first: Option<&VerifyingKey>,
    e: &Expected,
    region: Option<&str>,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let Some(first) = first else {
        // No key at all: a new archive (nothing signed, nothing to compare).
        return Ok(());
    };
    let mut want: BTreeMap<i64, String> = e.rotated_keys.clone();
    want.insert(0, public_key_hex(first));
    let got: BTreeMap<i64, String> = conn
        .prepare("SELECT seq, public_key FROM keys")?
        .query_map([], |r| {
            Ok((r.get_ref(0)?.as_i64().unwrap_or(-1), text(r.get_ref(1)?)))
        })?
        .collect::<Result<_, _>>()?;
    let name = |seq: i64| {
        if seq == 0 {
            "row 0 (the archive's first signing key, whose signature the first checkpoints carry)"
                .to_string()
        } else {
            format!("row {seq} (the key the rotation record {seq} hands over to)")
        }
    };
    for (seq, k) in &want {
        match got.get(seq) {
            None => found.push(Problem::new(
                ProblemKind::Missing,
                0,
                "keys",
                format!("{} was deleted; the chain says {k}", name(*seq)),
            )),
            Some(g) if g != k => found.push(Problem::new(
                ProblemKind::Changed,
                0,
                "keys",
                format!("{} reads {g}; the chain says {k}", name(*seq)),
            )),
            Some(_) => {}
        }
    }
    for (seq, g) in &got {
        if !want.contains_key(seq) {
            found.push(Problem::new(
                ProblemKind::Added,
                0,
                "keys",
                format!("row {seq} = {g}: no record registers this key"),
            ));
        }
    }
    let newest = want.values().next_back().cloned().unwrap_or_default();
    let mut want_meta: BTreeMap<&str, (String, String)> = BTreeMap::new();
    want_meta.insert(
        "schema_version",
        (
            crate::schema::SCHEMA_VERSION.to_string(),
            "the schema of its tables".to_string(),
        ),
    );
    want_meta.insert(
        "public_key",
        (newest, "the chain's signing key in force".to_string()),
    );
    let got_meta: BTreeMap<String, String> = conn
        .prepare("SELECT key, value FROM meta")?
        .query_map([], |r| Ok((text(r.get_ref(0)?), text(r.get_ref(1)?))))?
        .collect::<Result<_, _>>()?;
    if let Some(r) = region {
        // Only where the writer set one: a region-less archive (a test's, a library
        // caller's) has no region row.
        if got_meta.contains_key("region") {
            want_meta.insert("region", (r.to_string(), "its file name".to_string()));
        }
    }
    for (k, (v, source)) in &want_meta {
        match got_meta.get(*k) {
            None => found.push(Problem::new(
                ProblemKind::Missing,
                0,
                "meta",
                format!("{k} was deleted ({source} says {v})"),
            )),
            Some(g) if g != v => found.push(Problem::new(
                ProblemKind::Changed,
                0,
                "meta",
                format!("{k} reads {g}; {source} says {v}"),
            )),
            Some(_) => {}
        }
    }
    for (k, g) in &got_meta {
        if !want_meta.contains_key(k.as_str()) && !KNOWN.contains(&k.as_str()) {
            found.push(Problem::new(
                ProblemKind::Added,
                0,
                "meta",
                format!("{k} = {g}: no writer sets this row"),
            ));
        }
    }
    Ok(())
}

/// `meta` rows a writer sets that are not compared with anything: the region (when no file
/// name gives one), and the mark of a migration whose offsets are not yet chained
/// (`migrate.rs`, cleared by the next writer).
const KNOWN: [&str; 2] = ["region", "offsets_unchained"];

/// A cell as text, whatever its type (an edited cell of another type is still named).
fn text(v: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => "NULL".to_string(),
    }
}
