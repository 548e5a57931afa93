//! Whether an archive has anything to verify yet. A region's archive file exists from the
//! moment its writer creates it, before the schema, the published key and the first signed
//! checkpoint are committed (the first batch); a verifier that looks in between finds
//! nothing signed, which is neither tampering nor a wrong key.

use std::path::Path;

use rusqlite::OpenFlags;

use crate::ArchiveError;

/// True once the archive at `path` has published its key and holds a signed checkpoint;
/// false for a missing, empty or half-created file. Read-only: never blocks the writer.
pub fn has_signed_checkpoint(path: &Path) -> Result<bool, ArchiveError> {
    if !path.exists() {
        return Ok(false);
    }
    let conn = crate::at_rest::open(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('meta', 'checkpoints')",
        [],
        |r| r.get(0),
    )?;
    if tables < 2 {
        return Ok(false);
    }
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'public_key')
            AND EXISTS (SELECT 1 FROM checkpoints)",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Archive, ArchiveOptions};

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn a_created_but_unsigned_archive_is_not_yet_verifiable_not_signed_by_someone_else() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("archive-hk.db");
        assert!(!has_signed_checkpoint(&db).unwrap(), "missing file");
        // The file as SQLite creates it, before the writer's first write.
        std::fs::write(&db, b"").unwrap();
        assert!(!has_signed_checkpoint(&db).unwrap(), "empty file");
        // The schema committed, the key not yet (the moment a trial's verifier hit).
        let mut conn = crate::at_rest::open(
            &db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .unwrap();
        crate::schema::init(&mut conn).unwrap();
        drop(conn);
        assert!(!has_signed_checkpoint(&db).unwrap(), "schema only");
        let pinned = key().verifying_key();
        let err = Archive::open_read_only(&db, Some(&pinned)).err().unwrap();
        assert!(matches!(err, ArchiveError::NotYetSigned), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("not yet verifiable: no checkpoint yet"),
            "{text}"
        );
        assert!(!text.contains("wrong public key"), "{text}");

        // Signed once the writer has committed a batch: verifiable, and verified.
        let opts = ArchiveOptions {
            signing_key: Some(key()),
            ..ArchiveOptions::default()
        };
        let mut a = Archive::open(&db, opts).unwrap();
        let offset = crate::SourceOffset {
            topic: "chat.tagged".into(),
            partition: 0,
            next_offset: 1,
        };
        a.insert_batch(&[], &[offset]).unwrap();
        drop(a);
        assert!(has_signed_checkpoint(&db).unwrap(), "after the first batch");
        let r = Archive::open_read_only(&db, Some(&pinned))
            .unwrap()
            .verify_report(Some(&pinned), 10)
            .unwrap();
        assert!(r.ok, "{:?}", r.first_problem());
    }
}
