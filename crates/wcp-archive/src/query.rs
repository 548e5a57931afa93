//! Search over the projections. Full text: the FTS5 trigram index narrows terms of three or
//! more characters and LIKE confirms them. A two-character CJK term (common in Chinese:
//! 合同, 保本) has no trigram of its own: the trigrams it starts (a range of the index's
//! terms) and the tail tokens in `id_tokens` narrow it. Other terms under three characters
//! (one character, `ok`, `5%`) use LIKE alone: a scan of the messages.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wcp_model::{Class, RiskCategory};

use crate::error::ArchiveError;
use crate::id_tokens;
use crate::stored::{ArchivedMessage, StoredMessage};

/// Search filters; every set field must match (AND). Times are epoch ms, `to_ms` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msgtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskCategory>,
    /// PII entity type (`PHONE_NUMBER`, `CN_RESIDENT_ID`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalled: Option<bool>,
    /// Whitespace-separated terms, each matched as a substring (case-insensitive for ASCII).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// One message by its WeCom msgid (a hold a breach finding places on its evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msgid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl Query {
    /// The SELECT over `messages m` and its parameters: the indexes narrow, exact checks
    /// decide.
    pub(crate) fn to_sql(&self) -> (String, Vec<Value>) {
        let w = self.conditions(true);
        let mut sql = String::from("SELECT m.seq FROM messages m");
        if !w.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&w.clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY m.conversation_id, m.time_ms, m.seq");
        if let Some(l) = self.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        (sql, w.params)
    }

    /// One boolean expression over a row of `messages m` that is true exactly when `to_sql`
    /// selects it, without the full-text narrowing (which reads every match at once): for
    /// scanning rows in some order and stopping early. `1` when nothing is filtered.
    pub(crate) fn row_test(&self) -> (String, Vec<Value>) {
        let w = self.conditions(false);
        if w.clauses.is_empty() {
            return ("1".into(), w.params);
        }
        (format!("({})", w.clauses.join(" AND ")), w.params)
    }

    /// The conditions; `narrow` adds the full-text index lookups, which only narrow (every
    /// row that passes the exact checks matches them too).
    fn conditions(&self, narrow: bool) -> Where {
        let mut w = Where::default();
        self.conditions_into(narrow, &mut w);
        w
    }

    /// A row test that looks the row up in the text terms' index matches first and runs
    /// the exact checks ([`Query::row_test`]) only on those: walking the time index with it
    /// reads no message that the index rules out (the matches are gathered once, on the first
    /// row). None when no term has an index (no term, or only short ones).
    pub(crate) fn indexed_row_test(&self) -> Option<(String, Vec<Value>)> {
        let mut w = Where::default();
        for term in self.terms() {
            term_index(term, &mut w);
        }
        if w.clauses.is_empty() {
            return None;
        }
        let narrow = w.clauses.join(" AND ");
        let n = w.clauses.len();
        self.conditions_into(false, &mut w);
        let exact = w.clauses[n..].join(" AND ");
        Some((
            format!("CASE WHEN {narrow} THEN ({exact}) ELSE 0 END"),
            w.params,
        ))
    }

    fn terms(&self) -> std::str::SplitWhitespace<'_> {
        self.text.as_deref().unwrap_or("").split_whitespace()
    }

    fn conditions_into(&self, narrow: bool, w: &mut Where) {
        if let Some(p) = &self.participant {
            // The token narrows, the message's own participant list decides.
            if narrow {
                w.add(
                    "m.seq IN (SELECT rowid FROM id_tokens WHERE id_tokens MATCH ?)",
                    id_tokens::participant(p).into(),
                );
            }
            w.add(
                "instr(m.participants, '|' || ? || '|') > 0",
                p.clone().into(),
            );
        }
        if let Some(c) = &self.conversation {
            if narrow {
                w.add(
                    "m.seq IN (SELECT rowid FROM id_tokens WHERE id_tokens MATCH ?)",
                    id_tokens::conversation(c).into(),
                );
            }
            w.add("m.conversation_id = ?", c.clone().into());
        }
        if let Some(id) = &self.msgid {
            // By the msgids table's key, not a scan of messages.
            w.add(
                "m.seq IN (SELECT seq FROM msgids WHERE msgid = ?)",
                id.clone().into(),
            );
        }
        if let Some(t) = self.from_ms {
            w.add("m.time_ms >= ?", t.into());
        }
        if let Some(t) = self.to_ms {
            w.add("m.time_ms < ?", t.into());
        }
        if let Some(t) = &self.msgtype {
            w.add("m.msgtype = ?", t.clone().into());
        }
        if let Some(c) = self.class {
            w.add("m.class = ?", c.as_str().to_string().into());
        }
        // A row test looks its key up; a narrowing query reads the category's rows at once.
        let (risk, pii) = if narrow {
            (
                "m.seq IN (SELECT seq FROM risks WHERE category = ?)",
                "m.seq IN (SELECT seq FROM pii WHERE entity = ?)",
            )
        } else {
            (
                "EXISTS (SELECT 1 FROM risks WHERE category = ? AND seq = m.seq)",
                "EXISTS (SELECT 1 FROM pii WHERE entity = ? AND seq = m.seq)",
            )
        };
        if let Some(r) = self.risk {
            w.add(risk, r.as_str().to_string().into());
        }
        if let Some(p) = &self.pii {
            w.add(pii, p.clone().into());
        }
        match self.recalled {
            Some(true) => w.clauses.push("m.recalled_at_ms IS NOT NULL".into()),
            Some(false) => w.clauses.push("m.recalled_at_ms IS NULL".into()),
            None => {}
        }
        for term in self.terms() {
            if narrow {
                term_index(term, w);
            }
            // The exact check (the index only narrows); alone for other terms under three
            // characters.
            let escaped = term
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            w.add("m.text LIKE ? ESCAPE '\\'", format!("%{escaped}%").into());
        }
    }
}

/// The index lookup that narrows `term`, if it has one: its trigrams, or for two CJK
/// characters the trigrams they start and the tail token.
fn term_index(term: &str, w: &mut Where) {
    if let Some(grams) = trigram_query(term) {
        w.add(
            "m.seq IN (SELECT rowid FROM fts WHERE fts MATCH ?)",
            grams.into(),
        );
    } else if let Some((from, to, tail)) = cjk_pair_query(term) {
        w.add_all(
            "m.seq IN (SELECT doc FROM fts_vocab WHERE term >= ? AND term <= ? \
             UNION ALL SELECT rowid FROM id_tokens WHERE id_tokens MATCH ?)",
            [from.into(), to.into(), tail.into()],
        );
    }
}

/// An FTS5 query that every text containing `term` matches: some of its trigrams, ANDed
/// (the index has no positions, so LIKE confirms adjacency). None below three characters.
fn trigram_query(term: &str) -> Option<String> {
    const MAX_GRAMS: usize = 8;
    let chars: Vec<char> = term.chars().collect();
    if chars.len() < 3 {
        return None;
    }
    let mut grams: Vec<String> = chars
        .windows(3)
        // An FTS5 string: double any quote inside it.
        .map(|w| format!("\"{}\"", w.iter().collect::<String>().replace('"', "\"\"")))
        .collect();
    grams.dedup();
    // Long terms: a spread of trigrams narrows enough; LIKE does the rest.
    let step = grams.len().div_ceil(MAX_GRAMS);
    let picked: Vec<String> = grams.into_iter().step_by(step).collect();
    Some(picked.join(" AND "))
}

/// For a term of two CJK characters `ab`: the range of trigram terms `ab?` (every text with
/// `ab` before another character) and the `id_tokens` query of the tail token (`ab` ending
/// the text). Together they hold every text containing the term.
fn cjk_pair_query(term: &str) -> Option<(String, String, String)> {
    let mut chars = term.chars();
    let (a, b) = (chars.next()?, chars.next()?);
    if chars.next().is_some() {
        return None;
    }
    let tail = id_tokens::tail_of_term(a, b)?;
    // Terms compare as UTF-8 bytes, which order as code points: every `ab` + c lies in
    // [`ab`, `ab` + U+10FFFF].
    Some((
        format!("{a}{b}"),
        format!("{a}{b}\u{10FFFF}"),
        format!("\"{tail}\""),
    ))
}

/// A WHERE clause under construction: each `?` becomes the next numbered parameter.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Where {
    fn add(&mut self, clause: &str, v: Value) {
        self.add_all(clause, [v]);
    }

    /// The clause's `?`s, in order, take `values` in order.
    fn add_all<const N: usize>(&mut self, clause: &str, values: [Value; N]) {
        debug_assert_eq!(clause.matches('?').count(), N, "{clause}");
        let mut parts = clause.split('?');
        let mut numbered = parts.next().unwrap_or_default().to_string();
        for (part, v) in parts.zip(values) {
            self.params.push(v);
            numbered.push_str(&format!("?{}", self.params.len()));
            numbered.push_str(part);
        }
        self.clauses.push(numbered);
    }
}

/// Record seqs of the messages matching `q` (not audited: callers audit).
pub fn matching_seqs(conn: &Connection, q: &Query) -> Result<Vec<i64>, ArchiveError> {
    let (sql, params) = q.to_sql();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (body, recalled_at_ms, recall_msgid) of one stored message.
type Row = (Option<Vec<u8>>, Option<i64>, Option<String>);

const ROW_SQL: &str = "SELECT r.body, t.recalled_at_ms, t.recall_msgid, r.kind FROM records r JOIN {table} t ON t.seq = r.seq WHERE r.seq = ?1";

fn read_row(
    conn: &Connection,
    table: &str,
    seq: i64,
) -> Result<Option<ArchivedMessage>, ArchiveError> {
    let row: Option<(Row, String)> = conn
        .prepare_cached(&ROW_SQL.replace("{table}", table))?
        .query_row([seq], |r| {
            Ok((
                (crate::evidence::body_bytes(r, 0)?, r.get(1)?, r.get(2)?),
                r.get(3)?,
            ))
        })
        .optional()?;
    // A NULL body is expired content: nothing to return.
    let Some(((Some(body), recalled_at_ms, recall_msgid), kind)) = row else {
        return Ok(None);
    };
    // A released message lives in its `release` record.
    let stored = if kind == crate::chain::kind::RELEASE {
        serde_json::from_slice::<crate::project::Release>(&body)?.message
    } else {
        serde_json::from_slice::<StoredMessage>(&body)?
    };
    Ok(Some(ArchivedMessage {
        record_seq: seq,
        stored,
        recalled_at_ms,
        recall_msgid,
    }))
}

/// Loads the searchable messages at `seqs` with their recall status.
pub fn load(conn: &Connection, seqs: &[i64]) -> Result<Vec<ArchivedMessage>, ArchiveError> {
    let mut out = Vec::with_capacity(seqs.len());
    for &seq in seqs {
        out.extend(read_row(conn, "messages", seq)?);
    }
    Ok(out)
}

pub fn load_by_msgid(
    conn: &Connection,
    msgid: &str,
) -> Result<Option<ArchivedMessage>, ArchiveError> {
    match crate::project::lookup(conn, msgid)? {
        Some((seq, state)) if state == "m" => read_row(conn, "messages", seq),
        Some((seq, state)) if state == "q" => read_row(conn, "quarantine", seq),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_use_trigrams_and_like() {
        let q = Query {
            text: Some("guaranteed 5%".into()),
            ..Query::default()
        };
        let (sql, params) = q.to_sql();
        assert_eq!(sql.matches("LIKE").count(), 2, "{sql}");
        assert_eq!(sql.matches("MATCH").count(), 1, "{sql}");
        assert_eq!(params[0], Value::Text("\"gua\" AND \"uar\" AND \"ara\" AND \"ran\" AND \"ant\" AND \"nte\" AND \"tee\" AND \"eed\"".into()));
        assert_eq!(params[2], Value::Text("%5\\%%".into()));
    }

    #[test]
    fn two_cjk_characters_use_the_trigram_range_and_the_tail_token() {
        let q = Query {
            text: Some("合同 ok 保".into()),
            ..Query::default()
        };
        let (sql, params) = q.to_sql();
        // 合同 is narrowed; `ok` and one character are LIKE alone.
        assert_eq!(sql.matches("fts_vocab").count(), 1, "{sql}");
        assert_eq!(sql.matches("LIKE").count(), 3, "{sql}");
        assert_eq!(params[0], Value::Text("合同".into()));
        assert_eq!(params[1], Value::Text("合同\u{10FFFF}".into()));
        assert_eq!(params[2], Value::Text("\"t合同\"".into()));
        assert_eq!(params[3], Value::Text("%合同%".into()));
        assert_eq!(cjk_pair_query("合a"), None);
        assert_eq!(cjk_pair_query("合同书"), None);
        // A row test reads no index.
        assert!(!q.row_test().0.contains("fts_vocab"));
    }

    #[test]
    fn long_terms_are_capped_and_quotes_escaped() {
        let grams = trigram_query(&"保".repeat(40)).unwrap();
        assert_eq!(grams, "\"保保保\"");
        let long: String = ('a'..='z').collect();
        assert_eq!(trigram_query(&long).unwrap().matches(" AND ").count(), 7);
        assert_eq!(trigram_query("a\"b").unwrap(), "\"a\"\"b\"");
        assert_eq!(trigram_query("ab"), None);
    }

    #[test]
    fn parameters_are_numbered_across_clauses() {
        let q = Query {
            participant: Some("lisi".into()),
            conversation: Some("wrROOM".into()),
            msgtype: Some("text".into()),
            ..Query::default()
        };
        let (sql, params) = q.to_sql();
        assert_eq!(params.len(), 5);
        for n in 1..=5 {
            assert_eq!(sql.matches(&format!("?{n}")).count(), 1, "?{n} in {sql}");
        }
        assert!(sql.contains("m.conversation_id = ?4") && sql.contains("m.msgtype = ?5"));
        assert_eq!(params[0], Value::Text(id_tokens::participant("lisi")));
    }

    #[test]
    fn row_tests_leave_out_the_full_text_narrowing() {
        let q = Query {
            participant: Some("lisi".into()),
            risk: Some(RiskCategory::GuaranteeOfReturns),
            text: Some("保本 guaranteed".into()),
            ..Query::default()
        };
        let (sql, params) = q.row_test();
        assert!(!sql.contains("MATCH") && sql.contains("EXISTS"), "{sql}");
        assert_eq!(sql.matches("LIKE").count(), 2, "{sql}");
        assert_eq!(params.len(), 4);
        assert_eq!(Query::default().row_test().0, "1");
    }

    #[test]
    fn the_indexed_row_test_reads_the_row_only_for_index_matches() {
        let q = Query {
            participant: Some("lisi".into()),
            text: Some("保本 ok".into()),
            ..Query::default()
        };
        let (sql, params) = q.indexed_row_test().unwrap();
        let (when, then) = sql.split_once(" THEN ").unwrap();
        assert!(
            when.starts_with("CASE WHEN m.seq IN (SELECT doc FROM fts_vocab"),
            "{sql}"
        );
        assert!(!when.contains("LIKE") && !when.contains("instr"), "{sql}");
        assert!(
            then.contains("instr") && then.matches("LIKE").count() == 2,
            "{sql}"
        );
        assert!(then.ends_with(") ELSE 0 END"), "{sql}");
        // The index's three parameters, then the row test's three.
        assert_eq!(params.len(), 6);
        assert_eq!(params[3], Value::Text("lisi".into()));
        for n in 1..=6 {
            assert_eq!(sql.matches(&format!("?{n}")).count(), 1, "?{n} in {sql}");
        }
        // No term with an index: nothing to walk with.
        let short = Query {
            text: Some("ok 保".into()),
            ..Query::default()
        };
        assert_eq!(short.indexed_row_test(), None);
        assert_eq!(Query::default().indexed_row_test(), None);
    }

    #[test]
    fn empty_query_selects_everything() {
        let (sql, params) = Query::default().to_sql();
        assert!(!sql.contains("WHERE"));
        assert!(params.is_empty());
    }
}
