//! Both full-text indexes checked against what they index. FTS5's own integrity check
//! (with rank 1: the index against its external content) is an INSERT, which a read-only
//! connection refuses, so it runs on a copy in the connection's private `temp` schema:
//! the index pages are copied, the content is a temp view over `main.messages`.

use rusqlite::Connection;

use super::{Problem, ProblemKind};
use crate::error::ArchiveError;

struct Index {
    name: &'static str,
    /// The view the copy indexes: the same rows the real index was built from.
    view: &'static str,
    args: &'static str,
    /// Has a `_docsize` table (no `columnsize=0`).
    docsize: bool,
    what: &'static str,
}

const INDEXES: [Index; 2] = [
    Index {
        name: "fts",
        view: "SELECT seq, text FROM main.messages",
        args: "text, content='chk_fts_src', content_rowid='seq', tokenize='trigram', detail=none, columnsize=0",
        docsize: false,
        what: "the full-text index (search by words) disagrees with the messages: searches miss messages or find ones that do not contain the words",
    },
    Index {
        name: "id_tokens",
        view: "SELECT seq, wcp_id_tokens(conversation_id, participants, text) AS tokens FROM main.messages",
        args: "tokens, content='chk_id_tokens_src', content_rowid='seq', detail=none, tokenize='ascii'",
        docsize: true,
        what: "the participant and conversation index disagrees with the messages: searches by person or conversation (or for two Chinese characters) miss messages or find others",
    },
];

/// How many full-text indexes there are ([`check`] takes one by its number).
pub const COUNT: usize = INDEXES.len();

/// Checks full-text index number `i` (of [`COUNT`]) and reports it when it disagrees: its
/// settings (`shadow.rs`), its blocks and their references, and its entries against the
/// messages; when they disagree, the messages a search now misses or finds wrongly.
pub fn check(conn: &Connection, i: usize, found: &mut Vec<Problem>) -> Result<(), ArchiveError> {
    let ix = &INDEXES[i];
    super::shadow::check(conn, ix.name, found)?;
    if let Err(e) = check_one(conn, ix) {
        found.push(Problem::new(
            ProblemKind::IndexBroken,
            0,
            ix.name,
            format!("{} ({e})", ix.what),
        ));
        cleanup(conn, ix);
        // Which messages: the index's (term, message) pairs against those of an index
        // built afresh from the messages (only here, after the check failed: it costs a
        // rebuild). An index too damaged to be read stays named as a whole.
        if let Ok(docs) = super::shadow::differing_docs(conn, ix.name, ix.view, ix.args, ix.docsize)
        {
            super::shadow::name_docs(conn, ix.name, &docs, found)?;
        }
    }
    cleanup(conn, ix);
    Ok(())
}

fn check_one(conn: &Connection, ix: &Index) -> Result<(), rusqlite::Error> {
    let n = ix.name;
    cleanup(conn, ix);
    conn.execute_batch(&format!(
        "CREATE TEMP VIEW chk_{n}_src AS {view};
         CREATE VIRTUAL TABLE temp.chk_{n} USING fts5({args});
         DELETE FROM temp.chk_{n}_data;
         INSERT INTO temp.chk_{n}_data SELECT * FROM main.{n}_data;
         DELETE FROM temp.chk_{n}_idx;
         INSERT INTO temp.chk_{n}_idx SELECT * FROM main.{n}_idx;
         DELETE FROM temp.chk_{n}_config;
         INSERT INTO temp.chk_{n}_config SELECT * FROM main.{n}_config;",
        view = ix.view,
        args = ix.args,
    ))?;
    if ix.docsize {
        conn.execute_batch(&format!(
            "DELETE FROM temp.chk_{n}_docsize; INSERT INTO temp.chk_{n}_docsize SELECT * FROM main.{n}_docsize;"
        ))?;
    }
    conn.execute(
        &format!("INSERT INTO temp.chk_{n} (chk_{n}, rank) VALUES ('integrity-check', 1)"),
        [],
    )?;
    Ok(())
}

fn cleanup(conn: &Connection, ix: &Index) {
    let n = ix.name;
    let _ = conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.chk_{n}; DROP VIEW IF EXISTS temp.chk_{n}_src;"
    ));
}
