//! Opening the two kinds of review store. Both are SQLite files in WAL mode with the same
//! chain (`chain.rs`); a store's writes go through [`Store::write`], one IMMEDIATE
//! transaction that ends with a signed checkpoint.

use std::path::Path;

use ed25519_dalek::SigningKey;
use rusqlite::{Connection, TransactionBehavior};

use crate::chain::{self, Head};
use crate::error::ReviewError;

const REGION_DDL: &str = "
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    item_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    msgid TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    category TEXT NOT NULL,
    severity INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    sender TEXT NOT NULL,
    participants TEXT NOT NULL,
    queue TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    outcome TEXT,
    tags TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_status_time ON items (status, time_ms);
-- The queue in time order, tested item by item until a page is full (queue.rs).
CREATE INDEX IF NOT EXISTS items_time ON items (time_ms);
CREATE INDEX IF NOT EXISTS items_category_time ON items (category, time_ms);
CREATE INDEX IF NOT EXISTS items_category ON items (category, status, time_ms);
CREATE INDEX IF NOT EXISTS items_severity ON items (severity, status, time_ms);
CREATE INDEX IF NOT EXISTS items_assignee ON items (assignee, status);
CREATE INDEX IF NOT EXISTS items_msgid ON items (msgid);
-- The queue gauges of every /metrics scrape (depth per category and severity, oldest
-- pending per severity) read these narrow indexes, not the whole table: a trial's scrape
-- took 1.9 s over 160,000 open items.
CREATE INDEX IF NOT EXISTS items_depth ON items (status, category, severity);
CREATE INDEX IF NOT EXISTS items_pending_age ON items (status, severity, created_ms);
CREATE TABLE IF NOT EXISTS item_people (
    participant TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (participant, item_id)
) WITHOUT ROWID;
-- Which action events belong to which item (the history page's index).
CREATE TABLE IF NOT EXISTS history (
    item_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (item_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offsets (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
);
";

const CONSOLE_DDL: &str = "
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT,
    oidc_subject TEXT UNIQUE,
    queues TEXT NOT NULL DEFAULT '',
    must_change INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    ended_ms INTEGER
);
";

/// A SQLite file with the review chain and its signing key.
pub struct Store {
    pub(crate) conn: Connection,
    key: SigningKey,
}

impl Store {
    fn open(path: &Path, key: SigningKey, ddl: &str) -> Result<Store, ReviewError> {
        // Encrypted when $WCP_REVIEW_ENCRYPTION_KEY_FILE_<NAME> (or ..._KEY_<NAME>) is set.
        let conn = wcp_archive::at_rest::open_rw(path).map_err(|e| match e {
            wcp_archive::ArchiveError::Sqlite(e) => ReviewError::Sqlite(e),
            e => ReviewError::Encryption(e.to_string()),
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(chain::DDL)?;
        conn.execute_batch(ddl)?;
        chain::pin_key(&conn, &key.verifying_key())?;
        Ok(Store { conn, key })
    }

    /// Runs `f` in one IMMEDIATE transaction ending with a signed checkpoint.
    pub fn write<T>(
        &mut self,
        now_ms: i64,
        f: impl FnOnce(&Connection, &mut Head) -> Result<T, ReviewError>,
    ) -> Result<T, ReviewError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut head = Head::load(&tx)?;
        let value = f(&tx, &mut head)?;
        head.checkpoint(&tx, &self.key, now_ms)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }
}

/// `review-<region>.db`: the queue of one residency region and its dispositions.
pub struct RegionStore {
    pub region: String,
    pub store: Store,
}

impl RegionStore {
    pub fn open(path: &Path, region: &str, key: SigningKey) -> Result<RegionStore, ReviewError> {
        Ok(RegionStore {
            region: region.to_string(),
            store: Store::open(path, key, REGION_DDL)?,
        })
    }
}

/// `review-console.db`: accounts, sessions and the access audit.
pub struct ConsoleStore {
    pub store: Store,
}

impl ConsoleStore {
    pub fn open(path: &Path, key: SigningKey) -> Result<ConsoleStore, ReviewError> {
        Ok(ConsoleStore {
            store: Store::open(path, key, CONSOLE_DDL)?,
        })
    }
}
