//! Read-only queries for the review console (`services/review`): a page of search results
//! newest first, the conversation around a message, business messages for sampling, consent
//! events of a contact, and the chain head for the integrity page. Nothing here writes: the
//! console audits its own accesses in its own store.

use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::error::ArchiveError;
use crate::query::{self, Query};
use crate::stored::ArchivedMessage;
use crate::Archive;

/// [`Archive::last_disagree_time`]: the literal `msgtype = 'disagree'` lets SQLite use the
/// partial index `messages_disagree` (schema.rs); the participant test is the one a
/// participant search makes.
pub const LAST_DISAGREE_SQL: &str = "SELECT time_ms FROM messages WHERE msgtype = 'disagree' \
     AND time_ms <= ?1 AND instr(participants, '|' || ?2 || '|') > 0 ORDER BY time_ms DESC LIMIT 1";

/// A business message sent by staff: a candidate for the review sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleCandidate {
    pub msgid: String,
    pub sender: String,
    pub time_ms: i64,
    pub conversation_id: String,
    pub participants: Vec<String>,
}

/// The chain head and the last signed checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub records: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub checkpoint_id: Option<i64>,
    pub checkpoint_seq: Option<i64>,
    pub checkpoint_signed_at_ms: Option<i64>,
    pub public_key: Option<String>,
}

/// How many of the newest messages `review_search` tests one by one before it asks the
/// indexes (whose postings it reads whole: a rarer name or word has few, cheap to sort).
/// Small: reading in time order is a random read per message where time and archive order
/// differ, wasted when the page is not among them.
const RECENT_ROWS: u64 = 2_000;

/// When the newest messages do not fill the page and a text term has an index: how many
/// entries of the time index (per `RECENT_ROWS`: 20,000) are walked testing each against
/// the term's index matches, before the matches are read whole and sorted. A walked entry
/// the index rules out costs no message read, where reading the matches costs one per match
/// (a two-character Chinese term on 1M messages: 21,277, ~60 ms). The walk wins while the
/// matches are denser than about one in 400 messages; a region with few or none (where
/// the walk is wasted) loses at most the 20,000 entries.
const WALK_PER_RECENT_ROW: u64 = 10;

/// How many messages on each side of an alert `conversation_window` tests one by one
/// before it reads the conversation's postings (hundreds of thousands in a long one).
const WINDOW_ROWS: u64 = 20_000;

impl Archive {
    /// One page of `q`'s matches, newest first; `more` is true when another page follows.
    pub fn review_search(
        &self,
        q: &Query,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ArchivedMessage>, bool), ArchiveError> {
        self.review_search_probing(q, offset, limit, RECENT_ROWS)
    }

    /// [`Archive::review_search`] testing the newest `recent_rows` messages one by one
    /// first, then walking `recent_rows` × [`WALK_PER_RECENT_ROW`] against the text
    /// terms' index matches (0: the indexes only). Public for the tests that compare the
    /// paths.
    #[doc(hidden)]
    pub fn review_search_probing(
        &self,
        q: &Query,
        offset: u64,
        limit: u64,
        recent_rows: u64,
    ) -> Result<(Vec<ArchivedMessage>, bool), ArchiveError> {
        let want = offset + limit + 1;
        let (test, params) = q.row_test();
        let mut seqs = self.first_in_time_order(&test, params, None, want, recent_rows)?;
        if let (None, Some((test, params))) = (&seqs, q.indexed_row_test()) {
            let walk = recent_rows.saturating_mul(WALK_PER_RECENT_ROW);
            seqs = self.first_in_time_order(&test, params, None, want, walk)?;
        }
        let seqs = match seqs {
            Some(seqs) => seqs,
            // Matches in archive order, then sorted: not a walk of the time index testing
            // every message (a term no index narrows, such as one character: 2 s on 1M).
            None => self.indexed_in_order(q, "1", Vec::new(), "+m.time_ms DESC", want)?,
        };
        let mut seqs: Vec<i64> = seqs.into_iter().skip(offset as usize).collect();
        let more = seqs.len() as u64 > limit;
        seqs.truncate(limit as usize);
        Ok((query::load(&self.conn, &seqs)?, more))
    }

    /// The first `want` matches of `q` and of `extra` in time order (`order`: `m.time_ms`
    /// ASC or DESC, `+m.time_ms` to keep SQLite off the time index), through the indexes:
    /// reads every match (all postings of a name or word) and sorts.
    fn indexed_in_order(
        &self,
        q: &Query,
        extra: &str,
        extra_params: Vec<Value>,
        order: &str,
        want: u64,
    ) -> Result<Vec<i64>, ArchiveError> {
        let unlimited = Query {
            limit: None,
            ..q.clone()
        };
        let (sql, mut params) = unlimited.to_sql();
        let base = sql
            .rsplit_once(" ORDER BY ")
            .map(|(b, _)| b)
            .unwrap_or(&sql);
        let joiner = if base.contains(" WHERE ") {
            "AND"
        } else {
            "WHERE"
        };
        let extra = renumber(extra, params.len());
        let dir = if order.ends_with("DESC") {
            "DESC"
        } else {
            "ASC"
        };
        params.extend(extra_params);
        let sql = format!("{base} {joiner} {extra} ORDER BY {order}, m.seq {dir} LIMIT {want}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first `want` messages passing `test` in time order (newest first, or from
    /// `from.0` on in `from.1` order) if they are among the first `budget` messages of that
    /// order, else None. Each message is tested as read and the scan stops at `want`: a
    /// common name or word fills a page from the last few hundred messages, where the
    /// indexed plan reads and sorts every match (a participant of most messages: a second
    /// on 1M).
    fn first_in_time_order(
        &self,
        test: &str,
        mut params: Vec<Value>,
        from: Option<(&str, i64)>,
        want: u64,
        budget: u64,
    ) -> Result<Option<Vec<i64>>, ArchiveError> {
        let (range, order) = match from {
            None => ("1".to_string(), "DESC"),
            Some((cmp, t)) => {
                params.push(t.into());
                let order = if cmp.starts_with('<') { "DESC" } else { "ASC" };
                (format!("m.time_ms {cmp} ?{}", params.len()), order)
            }
        };
        let sql = format!(
            "SELECT m.seq, {test} FROM messages m INDEXED BY messages_time WHERE {range} \
             ORDER BY m.time_ms {order}, m.seq {order} LIMIT {budget}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        Ok(crate::probe::first_matching(&mut rows, want)?)
    }

    /// Up to `before` messages of the conversation before `time_ms` and `after` from it on
    /// (the message at `time_ms` included), in time order.
    pub fn conversation_window(
        &self,
        conversation_id: &str,
        time_ms: i64,
        before: u64,
        after: u64,
    ) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        self.conversation_window_probing(conversation_id, time_ms, before, after, WINDOW_ROWS)
    }

    /// [`Archive::conversation_window`] testing up to `budget` messages on each side of
    /// `time_ms` one by one before it asks the conversation's index postings (0: the index
    /// only). Public for the tests that compare both paths.
    #[doc(hidden)]
    pub fn conversation_window_probing(
        &self,
        conversation_id: &str,
        time_ms: i64,
        before: u64,
        after: u64,
        budget: u64,
    ) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        let q = Query {
            conversation: Some(conversation_id.to_string()),
            ..Query::default()
        };
        let (test, params) = q.row_test();
        let side = |cmp: &str, n: u64| -> Result<Vec<i64>, ArchiveError> {
            if let Some(seqs) =
                self.first_in_time_order(&test, params.clone(), Some((cmp, time_ms)), n, budget)?
            {
                return Ok(seqs);
            }
            let order = if cmp == "<" {
                "m.time_ms DESC"
            } else {
                "m.time_ms ASC"
            };
            self.indexed_in_order(
                &q,
                &format!("m.time_ms {cmp} ?"),
                vec![time_ms.into()],
                order,
                n,
            )
        };
        let mut seqs = side("<", before)?;
        seqs.reverse();
        seqs.extend(side(">=", after)?);
        query::load(&self.conn, &seqs)
    }

    /// Up to `limit` messages archived after row `after_seq` and at most `upto_seq`, in
    /// archive order: the business ones sent by staff (the supervised persons), and the seq to
    /// continue from. The review sample is drawn from these incrementally, so a message
    /// archived late (an archiver catching up, a backfill) is still drawn, by its own day.
    pub fn business_after(
        &self,
        after_seq: i64,
        upto_seq: i64,
        limit: u64,
    ) -> Result<(Vec<SampleCandidate>, i64), ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, msgid, from_id, time_ms, conversation_id, participants, class \
             FROM messages WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut rows = stmt.query(rusqlite::params![after_seq, upto_seq, limit as i64])?;
        let (mut last, mut out) = (after_seq, Vec::new());
        while let Some(r) = rows.next()? {
            last = r.get(0)?;
            // No class: an event the classifier does not judge (consent, switch, ...).
            let (sender, class): (String, Option<String>) = (r.get(2)?, r.get(6)?);
            if class.as_deref() != Some("business")
                || wcp_model::Role::of_id(&sender) != wcp_model::Role::Staff
            {
                continue;
            }
            let parts: String = r.get(5)?;
            out.push(SampleCandidate {
                msgid: r.get(1)?,
                sender,
                time_ms: r.get(3)?,
                conversation_id: r.get(4)?,
                participants: parts
                    .split('|')
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect(),
            });
        }
        Ok((out, last))
    }

    /// The seq of the last archived message (0 when none).
    pub fn last_message_seq(&self) -> Result<i64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM messages", [], |r| {
                r.get(0)
            })?)
    }

    /// The `agree` / `disagree` messages of a contact, oldest first.
    pub fn consent_events(&self, contact: &str) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        let mut out = Vec::new();
        for t in ["agree", "disagree"] {
            let q = Query {
                participant: Some(contact.to_string()),
                msgtype: Some(t.to_string()),
                ..Query::default()
            };
            out.extend(query::load(
                &self.conn,
                &query::matching_seqs(&self.conn, &q)?,
            )?);
        }
        out.sort_by_key(|m| (m.stored.time_ms, m.record_seq));
        Ok(out)
    }

    /// The time of the contact's last `disagree` message at or before `up_to_ms`: when the
    /// contact refused archiving, asked by the alert page of every disagreed-consent alert.
    /// Walks the partial index of disagree messages backwards in time ([`LAST_DISAGREE_SQL`]),
    /// so it reads no other message; loading every consent message of the contact
    /// ([`Archive::consent_events`]) took 463 ms at 200,000 archived messages.
    pub fn last_disagree_time(
        &self,
        contact: &str,
        up_to_ms: i64,
    ) -> Result<Option<i64>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(LAST_DISAGREE_SQL)?
            .query_row(rusqlite::params![up_to_ms, contact], |r| r.get(0))
            .optional()?)
    }

    pub fn chain_head(&self) -> Result<ChainHead, ArchiveError> {
        let head: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let cp: Option<(i64, i64, i64)> = self
            .conn
            .query_row(
                "SELECT id, seq, signed_at_ms FROM checkpoints ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let records: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
        Ok(ChainHead {
            records,
            head_seq: head.as_ref().map(|h| h.0).unwrap_or(0),
            head_hash: head.map(|h| hex::encode(h.1)).unwrap_or_default(),
            checkpoint_id: cp.map(|c| c.0),
            checkpoint_seq: cp.map(|c| c.1),
            checkpoint_signed_at_ms: cp.map(|c| c.2),
            public_key: crate::schema::meta_get(&self.conn, "public_key")?,
        })
    }
}

impl Archive {
    /// How many stored messages `q` matches (what a hold covers).
    pub fn review_count(&self, q: &Query) -> Result<u64, ArchiveError> {
        let unlimited = Query {
            limit: None,
            ..q.clone()
        };
        Ok(query::matching_seqs(&self.conn, &unlimited)?.len() as u64)
    }
}

/// `clause` with each `?` numbered after the `taken` parameters before it.
fn renumber(clause: &str, taken: usize) -> String {
    let mut parts = clause.split('?');
    let mut out = parts.next().unwrap_or_default().to_string();
    for (i, part) in parts.enumerate() {
        out.push_str(&format!("?{}", taken + i + 1));
        out.push_str(part);
    }
    out
}

/// What the archive holds back with one participant (a contact's pseudonym): its quarantined
/// messages, which search and the consent history do not list (no content, no consent
/// event), so the console can still say the contact exists and how much was held back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeldBack {
    pub messages: u64,
    /// How many of them keep the content sealed to the DPO's key.
    pub sealed: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    /// The newest ones (up to [`HELD_BACK_ROWS`]): msgid, time, conversation.
    pub rows: Vec<(String, i64, String)>,
}

pub const HELD_BACK_ROWS: usize = 20;

impl Archive {
    /// The quarantined messages `participant` took part in; None when there are none.
    pub fn held_back(&self, participant: &str) -> Result<Option<HeldBack>, ArchiveError> {
        let test = "instr(participants, '|' || ?1 || '|') > 0";
        let (messages, sealed, first_ms, last_ms): (i64, i64, Option<i64>, Option<i64>) =
            self.conn.query_row(
                &format!("SELECT COUNT(*), COALESCE(SUM(sealed), 0), MIN(time_ms), MAX(time_ms) FROM quarantine WHERE {test}"),
                [participant],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let (Some(first_ms), Some(last_ms)) = (first_ms, last_ms) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT msgid, time_ms, conversation_id FROM quarantine WHERE {test} ORDER BY time_ms DESC LIMIT {HELD_BACK_ROWS}"
        ))?;
        let rows = stmt
            .query_map([participant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Some(HeldBack {
            messages: messages as u64,
            sealed: sealed as u64,
            first_ms,
            last_ms,
            rows,
        }))
    }
}
