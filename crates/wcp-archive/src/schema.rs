//! The SQLite schema. `records` + `checkpoints` are the evidence; every other table is a
//! projection (index) derived from the records, kept in the same transaction.

use rusqlite::Connection;

use crate::error::ArchiveError;

/// 2: the participant and conversation B-tree indices became the `id_tokens` FTS5 table plus
/// `messages.participants` (see the DDL).
/// 3: every projection checkable against the chain: `id_tokens` reads its tokens from a view
/// (so FTS5's integrity check can compare it with `messages`), an `audit` table, offsets
/// and settings as chained records, `reason` columns, FTS5 secure-delete.
/// 4: `id_tokens` also holds each text's tail token (two-character CJK search, see
/// `id_tokens::tail`); `fts_vocab` reads the trigram index's terms by range.
pub const SCHEMA_VERSION: &str = "4";

/// SQLite's own automatic checkpoint, for handles without the checkpoint thread (64 MiB).
pub const AUTOCHECKPOINT_PAGES: i32 = 4_096;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The hash chain. body is NULL only after expiry, when a later tombstone names the seq.
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    msgid TEXT NOT NULL,
    body BLOB,
    digest BLOB NOT NULL,
    hash BLOB NOT NULL
);
-- The tombstones (disposition records) by the conversation their message sat in: the
-- console places an expired message's placeholder without reading every record. Partial, so
-- ingest of other records never touches it; created on the next writer open of an older file.
CREATE INDEX IF NOT EXISTS records_disposed ON records (
    json_extract(CAST(body AS TEXT), '$.placement.conversation_id')
) WHERE kind = 'tombstone';
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL,
    signed_at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL
);
-- Every msgid ever archived: state m = message, q = quarantined, x = expired.
CREATE TABLE IF NOT EXISTS msgids (
    msgid TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    from_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    msgtype TEXT NOT NULL,
    class TEXT,
    disposition TEXT NOT NULL,
    keep_until_ms INTEGER,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    recalled_at_ms INTEGER,
    recall_msgid TEXT,
    -- Every participant id of the message as |a|b|c| (sorted): the exact participant check.
    participants TEXT NOT NULL,
    -- Why the content is kept this way: consent state, the contacts it concerns, the rule.
    reason TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_time ON messages (time_ms);
CREATE INDEX IF NOT EXISTS messages_keep ON messages (keep_until_ms);
-- The disagree messages by time: the alert page asks when a contact refused archiving
-- (Archive::last_disagree_time). Partial, so ingest of every other message never touches it;
-- created on the next writer open of an older file.
CREATE INDEX IF NOT EXISTS messages_disagree ON messages (time_ms) WHERE msgtype = 'disagree';
-- Conversation and participant tokens of every message (one per id, see id_tokens.rs). A
-- B-tree keyed by conversation or participant rewrites one page per distinct key in every
-- batch (a batch of 2,000 messages among 100 clients: 200 scattered pages, half of ingest
-- time); FTS5 buffers a transaction's postings and appends them as one segment. Queries
-- narrow by token and confirm on messages.conversation_id / messages.participants.
-- External content over a view: the tokens are a function of the row (wcp_id_tokens is
-- registered on every connection this crate opens), so FTS5's integrity check can compare
-- the index with messages. The text's tail token is here too (id_tokens.rs: one more token
-- in a row FTS5 writes anyway, not a third index to update per message).
CREATE VIEW IF NOT EXISTS id_tokens_src AS
    SELECT seq, wcp_id_tokens(conversation_id, participants, text) AS tokens FROM messages;
CREATE VIRTUAL TABLE IF NOT EXISTS id_tokens USING fts5(
    tokens, content='id_tokens_src', content_rowid='seq', detail=none, tokenize='ascii'
);
CREATE TABLE IF NOT EXISTS risks (
    category TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (category, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pii (
    entity TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (entity, seq)
) WITHOUT ROWID;
-- trigram works for Chinese (no word breaks) and for English substrings alike. detail=none
-- and columnsize=0 keep the index small and ingest fast: queries AND the term's trigrams
-- and confirm the substring with LIKE on messages.text (see query.rs).
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    text, content='messages', content_rowid='seq', tokenize='trigram', detail=none, columnsize=0
);
-- The trigram index's (term, rowid) pairs, read by term range: a two-character term's
-- messages are those of every trigram it starts (plus id_tokens' tail token). No storage
-- of its own.
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'instance');
-- Content held back by the consent gate: not reachable by search or export.
CREATE TABLE IF NOT EXISTS quarantine (
    seq INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    participants TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    keep_until_ms INTEGER,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    recalled_at_ms INTEGER,
    recall_msgid TEXT,
    reason TEXT NOT NULL DEFAULT '',
    -- 1 when the record holds the content sealed to the quarantine (DPO) key.
    sealed INTEGER NOT NULL DEFAULT 0
);
-- Recalls whose original has not arrived yet.
CREATE TABLE IF NOT EXISTS pending_recalls (
    pre_msgid TEXT PRIMARY KEY,
    recall_msgid TEXT NOT NULL,
    recalled_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holds (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    reason TEXT NOT NULL,
    case_id TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at_ms INTEGER NOT NULL,
    released_by TEXT,
    released_at_ms INTEGER
);
-- Projection of `audit` records: who read or changed what, when (`wcp archive audit`).
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at_ms);
-- Projection of `config` and `key_rotation` records: the setting in force and its record.
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    seq INTEGER NOT NULL
);
-- Every signing key, in order: seq 0 is the first (set when the archive is created), the
-- others come from `key_rotation` records.
CREATE TABLE IF NOT EXISTS keys (
    seq INTEGER PRIMARY KEY,
    public_key TEXT NOT NULL
);
-- Projection of `offsets` records.
CREATE TABLE IF NOT EXISTS offsets (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
);
";

/// Merge FTS segments less eagerly (default 4): ~7% less ingest CPU for a few more segments
/// per query. secure-delete: a deleted row's terms leave the index at once (expiry, purge)
/// instead of staying behind a delete marker until the next merge.
pub fn fts_settings(conn: &Connection) -> Result<(), ArchiveError> {
    conn.execute("INSERT INTO fts (fts, rank) VALUES ('automerge', 16)", [])?;
    for t in ["fts", "id_tokens"] {
        conn.execute(
            &format!("INSERT INTO {t} ({t}, rank) VALUES ('secure-delete', 1)"),
            [],
        )?;
    }
    Ok(())
}

/// Registers `wcp_id_tokens(conversation_id, participants, text)`, which the
/// `id_tokens_src` view needs. Every connection to an archive calls this first.
pub fn register_functions(conn: &Connection) -> Result<(), ArchiveError> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "wcp_id_tokens",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // Borrowed, not copied (as `ctx.get::<String>`, text only): a full verify calls
            // this for every message.
            let arg = |i: usize| {
                use rusqlite::types::FromSqlError;
                let v = ctx.get_raw(i);
                v.as_str().map_err(|e| match e {
                    FromSqlError::Utf8Error(e) => rusqlite::Error::Utf8Error(i, e),
                    FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidParameterType(i, v.data_type())
                    }
                    other => {
                        rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(other))
                    }
                })
            };
            let (conv, list, text) = (arg(0)?, arg(1)?, arg(2)?);
            // The inverse of `project::participant_list` (`|a|b|`), empty ids included.
            let inner = list.strip_prefix('|').unwrap_or(list);
            let inner = inner.strip_suffix('|').unwrap_or(inner);
            let ids: Vec<&str> = inner.split('|').collect();
            Ok(crate::id_tokens::of_message(conv, &ids, text))
        },
    )?;
    Ok(())
}

/// Opens a read-only connection and checks that this build reads its schema.
pub fn open_read_only(path: &std::path::Path) -> Result<Connection, ArchiveError> {
    use rusqlite::OpenFlags;
    if !path.exists() {
        return Err(ArchiveError::Invalid(format!(
            "{}: no such archive",
            path.display()
        )));
    }
    let conn = crate::at_rest::open(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    register_functions(&conn)?;
    // Without this check a file with no wcp tables fails as "no such table: meta: SQL logic
    // error" (trial 15h D2): typically a .db copied alone while the archive was open, whose
    // pages were all still in its -wal.
    if let Some(problem) = not_an_archive(&conn, path)? {
        return Err(ArchiveError::Schema(problem));
    }
    match meta_get(&conn, "schema_version")?.as_deref() {
        Some(SCHEMA_VERSION) => Ok(conn),
        // An older (or no) version on a file that has this version's tables: the row was
        // edited, not an archive to upgrade (trial 12a D2: "open it with the writer" for a
        // tampered row); read it, and `verify` names the row (`verify/keys.rs`).
        Some(v) if older(v) && has_current_tables(&conn)? => Ok(conn),
        None if has_current_tables(&conn)? => Ok(conn),
        Some(v) => Err(ArchiveError::Schema(format!(
            "archive schema {v}, this build reads {SCHEMA_VERSION}: open it once with the writer (its signing key) to upgrade it"
        ))),
        None => Err(ArchiveError::Schema("not a wcp archive (no schema version)".into())),
    }
}

/// Whether `v` is a version before [`SCHEMA_VERSION`].
fn older(v: &str) -> bool {
    matches!((v.parse::<u32>(), SCHEMA_VERSION.parse::<u32>()), (Ok(a), Ok(b)) if a < b)
}

/// Whether the file has the tables of [`SCHEMA_VERSION`] (4 added `fts_vocab`), so that a
/// lower version in `meta` is an edited row, not an older archive.
fn has_current_tables(conn: &Connection) -> Result<bool, ArchiveError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'fts_vocab')
            AND EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'keys')",
        [],
        |r| r.get(0),
    )?)
}

/// Why the file at `path` is not a wcp archive, when it has no `meta` table: no tables at all
/// (an empty database, or an incomplete copy) or other tables (another application's file).
fn not_an_archive(
    conn: &Connection,
    path: &std::path::Path,
) -> Result<Option<String>, ArchiveError> {
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |r| r.get(0),
    )?;
    Ok(match (tables, has_meta) {
        (_, true) => None,
        (0, _) => Some(format!(
            "{} is not a wcp archive: it holds no tables. An empty database, or an incomplete \
             copy: a .db copied without its -wal while a process had the archive open, so its \
             pages were still in the -wal. Copy it again with every process that has it open \
             stopped (the archiver and the review console), or copy the .db together with its \
             -wal and -shm (docs/RUNBOOK.md, WcpArchiveVerifyFailed)",
            path.display()
        )),
        (n, _) => Some(format!(
            "{} is not a wcp archive: it has {n} tables but none of wcp's (no meta table); \
             check the path names an archive-<region>.db",
            path.display()
        )),
    })
}

/// Opens the connection in WAL mode and creates (or checks) the schema.
pub fn init(conn: &mut Connection) -> Result<(), ArchiveError> {
    register_functions(conn)?;
    // 16 KiB pages (default 4): fewer page splits, WAL frames and checksums per batch,
    // ~8% less ingest CPU. Takes effect only on a new, empty database (before WAL is on).
    conn.pragma_update(None, "page_size", 16_384)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL in WAL mode: a power loss may lose the last commits but never corrupts, and
    // the archiver re-reads from the offsets stored with the rows.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Ingest speed: a 64 MiB page cache keeps the B-tree and FTS pages of a batch in
    // memory (no spilling mid-transaction). Writers move WAL checkpoints to a thread
    // (checkpointer.rs), which replaces this setting; it stays for other handles.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Every statement of the ingest path stays prepared (the default cache holds 16).
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch(DDL)?;
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    match version.as_deref() {
        None => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                [SCHEMA_VERSION],
            )?;
            fts_settings(conn)?;
        }
        Some(SCHEMA_VERSION) => {}
        Some("1") => {
            crate::migrate::v1_to_v2(conn)?;
            crate::migrate::v2_to_v3(conn)?;
            crate::migrate::v3_to_v4(conn)?;
        }
        Some("2") => {
            crate::migrate::v2_to_v3(conn)?;
            crate::migrate::v3_to_v4(conn)?;
        }
        Some("3") => crate::migrate::v3_to_v4(conn)?,
        Some(other) => {
            return Err(ArchiveError::Schema(format!(
                "database has schema version {other}, this build reads {SCHEMA_VERSION}"
            )))
        }
    }
    Ok(())
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>, ArchiveError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}
