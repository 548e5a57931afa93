//! [`Archive`]: the handle the archiver service, `wcp run` and the CLI use. A writer holds
//! the region's signing key; a reader (search, export, holds list, verify, audit) opens the
//! file read-only with the public key alone and records its accesses in the access log
//! (`access.rs`), which the writer chains.

use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::chain::{kind, Chain};
use crate::checkpointer::{CheckpointStats, Checkpointer, Limits};
use crate::error::ArchiveError;
use crate::ingest::{self, InsertReport, SourceOffset};
use crate::schema;
use crate::seal::QuarantineKey;

pub struct ArchiveOptions {
    /// Signs checkpoints. Without it the archive opens read-only.
    pub signing_key: Option<SigningKey>,
    /// Records between signed checkpoints inside a batch (every batch also ends in one).
    pub checkpoint_every: u64,
    /// Who writes: recorded in tombstones and in the audit trail of writes.
    pub actor: String,
    /// Seals quarantined content (the DPO's public key); without it quarantined content is
    /// not kept.
    pub quarantine_key: Option<QuarantineKey>,
    /// Where readers record their accesses; default: `<db stem>.access.db` beside the file.
    pub access_log: Option<PathBuf>,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            signing_key: None,
            checkpoint_every: 1000,
            actor: "wcp-archiver".to_string(),
            quarantine_key: None,
            access_log: None,
        }
    }
}

/// The key is a secret: never printed.
impl std::fmt::Debug for ArchiveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveOptions")
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("checkpoint_every", &self.checkpoint_every)
            .field("actor", &self.actor)
            .field(
                "quarantine_key",
                &self.quarantine_key.as_ref().map(|k| k.to_hex()),
            )
            .field("access_log", &self.access_log)
            .finish()
    }
}

pub struct Archive {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    key: Option<SigningKey>,
    pub(crate) chain: Chain,
    pub(crate) actor: String,
    pub(crate) quarantine_key: Option<QuarantineKey>,
    pub(crate) access_log: PathBuf,
    /// Writers (handles with a signing key) checkpoint the WAL on a thread of their own.
    checkpointer: Option<Checkpointer>,
}

/// A writer going away copies its WAL into the database file first. Its connection closes
/// before the checkpoint thread's (field order), so it is not the last connection and SQLite's
/// checkpoint-on-close falls to the thread's connection, which did not always run it: a
/// platform trial found a cleanly stopped archiver's whole archive left in the `-wal` beside a
/// one-page `.db` in 3 of 6 stops (and a test saw the same). Stopping the thread and then
/// checkpointing on the writer makes the `.db` complete whenever no reader pins the WAL.
impl Drop for Archive {
    fn drop(&mut self) {
        if let Some(cp) = self.checkpointer.take() {
            drop(cp);
            // PASSIVE: never waits for a reader (a console still open keeps its frames; the
            // WAL stays valid and is applied by the next open).
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    }
}

impl Archive {
    /// With a signing key: opens (creating when needed) the archive for writing; publishes
    /// the key's public half on first open and refuses a different key later. Without one:
    /// [`Archive::open_read_only`] against the published key.
    pub fn open(path: &Path, opts: ArchiveOptions) -> Result<Archive, ArchiveError> {
        let Some(key) = opts.signing_key.clone() else {
            let mut a = Archive::open_read_only(path, None)?;
            if let Some(log) = opts.access_log {
                a.access_log = log;
            }
            return Ok(a);
        };
        let mut conn = crate::at_rest::open(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        schema::init(&mut conn)?;
        // Deleted content is overwritten where it lies, also when a page split or merge moves
        // cells: without it, copies left in free space outlive expiry (tests/privacy.rs).
        conn.pragma_update(None, "secure_delete", "ON")?;
        let public = hex::encode(key.verifying_key().as_bytes());
        match schema::meta_get(&conn, "public_key")? {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('public_key', ?1)",
                    [&public],
                )?;
                conn.execute(
                    "INSERT OR REPLACE INTO keys (seq, public_key) VALUES (0, ?1)",
                    [&public],
                )?;
            }
            Some(p) if p == public => {}
            Some(_) => return Err(ArchiveError::KeyMismatch),
        }
        let chain = Chain::load(&conn, opts.checkpoint_every)?;
        let checkpointer = Some(Checkpointer::start(path, &mut conn, Limits::default())?);
        let mut a = Archive {
            conn,
            path: path.to_path_buf(),
            key: Some(key),
            chain,
            actor: opts.actor,
            quarantine_key: opts.quarantine_key,
            access_log: opts
                .access_log
                .unwrap_or_else(|| crate::regions::access_log_for(path)),
            checkpointer,
        };
        a.chain_unchained_offsets()?;
        a.absorb_access_log()?;
        Ok(a)
    }

    /// Opens read-only, with no private key. `pinned`: the reader's own copy of the public
    /// key; the archive must be signed by it (or by a key it rotated to or from), else
    /// [`ArchiveError::WrongKey`]. Without it, the key published in the archive is used.
    pub fn open_read_only(
        path: &Path,
        pinned: Option<&VerifyingKey>,
    ) -> Result<Archive, ArchiveError> {
        let conn = schema::open_read_only(path)?;
        if let Some(k) = pinned {
            crate::rotation::check_pinned(&conn, k)?;
        }
        let chain = Chain::load(&conn, 1000)?;
        Ok(Archive {
            conn,
            path: path.to_path_buf(),
            key: None,
            chain,
            actor: String::new(),
            quarantine_key: None,
            access_log: crate::regions::access_log_for(path),
            checkpointer: None,
        })
    }

    /// Where this handle's readers record their accesses.
    pub fn set_access_log(&mut self, path: PathBuf) {
        self.access_log = path;
    }

    pub fn is_writer(&self) -> bool {
        self.key.is_some()
    }

    /// Runs `f` in one IMMEDIATE transaction that ends with a signed checkpoint. On any
    /// error the transaction rolls back and the in-memory chain head is restored.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Connection, &mut Chain, &SigningKey) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        let key = self.key.as_ref().ok_or(ArchiveError::NoSigningKey)?;
        let saved = self.chain.clone();
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // The write lock is held from here: the head read now stays the head.
            self.chain.reload(&tx)?;
            let value = f(&tx, &mut self.chain, key)?;
            self.chain.checkpoint(&tx, key)?;
            tx.commit()?;
            Ok(value)
        })();
        if result.is_err() {
            self.chain = saved;
        }
        result
    }

    /// After a rotation: this handle signs with the new key.
    pub(crate) fn replace_key(&mut self, key: SigningKey) {
        self.key = Some(key);
    }

    /// Archives a batch and records the source offsets (chained), all in one transaction.
    pub fn insert_batch(
        &mut self,
        events: &[wcp_model::EnrichedEvent],
        offsets: &[SourceOffset],
    ) -> Result<InsertReport, ArchiveError> {
        let qkey = self.quarantine_key.clone();
        self.write(|conn, chain, key| {
            let mut report = InsertReport::default();
            ingest::insert_events(conn, chain, key, qkey.as_ref(), events, &mut report)?;
            ingest::chain_offsets(conn, chain, key, offsets)?;
            Ok(report)
        })
    }

    /// Archives written before schema 3 kept offsets outside the chain: chain them once.
    fn chain_unchained_offsets(&mut self) -> Result<(), ArchiveError> {
        if schema::meta_get(&self.conn, "offsets_unchained")?.is_none() {
            return Ok(());
        }
        let offsets = self.stored_offsets()?;
        self.write(|conn, chain, key| {
            if !offsets.is_empty() {
                chain.append(conn, key, kind::OFFSETS, "", &serde_json::to_vec(&offsets)?)?;
            }
            conn.execute("DELETE FROM meta WHERE key = 'offsets_unchained'", [])?;
            Ok(())
        })
    }

    /// Where to resume consuming after a restart.
    pub fn stored_offsets(&self) -> Result<Vec<SourceOffset>, ArchiveError> {
        let mut stmt = self.conn.prepare(
            "SELECT topic, partition, next_offset FROM offsets ORDER BY topic, partition",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceOffset {
                topic: r.get(0)?,
                partition: r.get(1)?,
                next_offset: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The public key published in the archive (the current one after rotations).
    pub fn public_key(&self) -> Result<Option<VerifyingKey>, ArchiveError> {
        match schema::meta_get(&self.conn, "public_key")? {
            None => Ok(None),
            Some(h) => crate::keys::parse_public_key(&h).map(Some),
        }
    }

    /// Searchable messages currently stored (quarantined ones not included).
    pub fn count_messages(&self) -> Result<u64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    pub fn count_quarantined(&self) -> Result<u64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM quarantine", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Recalls still waiting for their original message.
    pub fn pending_recalls(&self) -> Result<u64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM pending_recalls", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Records in the hash chain (as of this handle's last write or open).
    pub fn chain_len(&self) -> i64 {
        self.chain.seq
    }

    /// Direct lookup by msgid (not audited: for the pipeline itself, not for reviewers).
    /// Quarantined messages are returned with their `Quarantine` disposition and no clear
    /// content; expired ones are gone.
    pub fn message(&self, msgid: &str) -> Option<crate::ArchivedMessage> {
        crate::query::load_by_msgid(&self.conn, msgid)
            .ok()
            .flatten()
    }

    /// Caps this connection's page cache at `kib` KiB (instead of the 64 MiB `schema::init`
    /// sets): `wcp run` writes several regions' archives in one process and shares one
    /// budget between them. Pages beyond the cap are let go at once.
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<(), ArchiveError> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))?;
        Ok(())
    }

    /// Whether the archive has ever taken this msgid (archived, quarantined or expired): the
    /// check `wcp run` makes before archiving, so a message keeps one row (as the archiver's
    /// msgid check in `insert_batch` does).
    pub fn contains(&self, msgid: &str) -> Result<bool, ArchiveError> {
        Ok(crate::project::lookup(&self.conn, msgid)?.is_some())
    }

    /// The `limit` msgids most recently taken (archived, quarantined or expired), oldest
    /// first: what `wcp run` seeds its re-sent window with, as the ingest service seeds it
    /// from the tail of `chat.events`.
    pub fn recent_msgids(&self, limit: usize) -> Result<Vec<String>, ArchiveError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare(
            "SELECT msgid FROM (SELECT msgid, seq FROM msgids ORDER BY seq DESC LIMIT ?1) \
             ORDER BY seq",
        )?;
        let rows = stmt.query_map([limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Who writes through this handle (from the options).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// WAL checkpoints run so far by this handle (None for a read-only handle).
    pub fn checkpoint_stats(&self) -> Option<&CheckpointStats> {
        self.checkpointer.as_ref().map(Checkpointer::stats)
    }

    /// Gives up the connection (tests reach into the file with it).
    /// SQLite's own automatic checkpoints are back on for it (the thread stops here).
    pub fn into_connection(mut self) -> Connection {
        // The thread stops here; an empty in-memory connection stands in for the one handed
        // out, so the handle's Drop has nothing to checkpoint.
        drop(self.checkpointer.take());
        let stand_in = Connection::open_in_memory().expect("an in-memory SQLite connection");
        let conn = std::mem::replace(&mut self.conn, stand_in);
        // Replaces the commit hook of the checkpointer. Best effort: only tests call this.
        let _ = conn.pragma_update(None, "wal_autocheckpoint", schema::AUTOCHECKPOINT_PAGES);
        conn
    }

    /// The connection, for read-only queries of callers in this crate's family (the review
    /// console uses the `query` functions with it).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}
