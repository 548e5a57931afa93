//! Queue items (alerts and samples): ingest, the queue query with its counts, one item, and
//! actions on it. An item's key is the alert id (deterministic, so re-delivery is a no-op)
//! or `sample:<msgid>`.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wcp_model::Severity;

use crate::actions::{self, Act, Actor, Outcome, State, Status};
use crate::chain::Head;
use crate::db::RegionStore;
use crate::error::ReviewError;
use crate::roles::Scope;

pub const KIND_ITEM: &str = "item";
pub const KIND_ACTION: &str = "action";

/// A risk span of the alert (code points of the message text, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// What enters the queue: the body of an `item` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewItem {
    pub key: String,
    /// `alert` or `sample`.
    pub kind: String,
    pub msgid: String,
    pub conversation_id: String,
    pub category: String,
    pub severity: Severity,
    pub rule_id: String,
    pub time_ms: i64,
    pub sender: String,
    pub participants: Vec<String>,
    pub evidence: Vec<Span>,
}

impl NewItem {
    /// The queue an item belongs to: its category (`sample` for samples).
    pub fn queue(&self) -> &str {
        if self.kind == "sample" {
            "sample"
        } else {
            &self.category
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: i64,
    pub new: NewItem,
    pub queue: String,
    pub state: State,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// The body of an `action` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub item_key: String,
    pub by: String,
    pub role: crate::Role,
    pub at_ms: i64,
    #[serde(flatten)]
    pub act: Act,
}

pub fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
    }
}

fn severity_of(rank: i64) -> Severity {
    match rank {
        2 => Severity::High,
        1 => Severity::Medium,
        _ => Severity::Low,
    }
}

/// Adds items not seen before; returns how many were new. Offsets (topic, partition, next)
/// are stored in the same transaction.
pub fn ingest(
    store: &mut RegionStore,
    items: &[NewItem],
    offsets: &[(String, i32, i64)],
    now_ms: i64,
) -> Result<u64, ReviewError> {
    store.store.write(now_ms, |conn, head| {
        let mut added = 0;
        for it in items {
            if insert(conn, head, it, now_ms)? {
                added += 1;
            }
        }
        for (topic, partition, next) in offsets {
            conn.execute(
                "INSERT INTO offsets (topic, partition, next_offset) VALUES (?1, ?2, ?3)
                 ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
                params![topic, partition, next],
            )?;
        }
        Ok(added)
    })
}

fn insert(
    conn: &Connection,
    head: &mut Head,
    it: &NewItem,
    now_ms: i64,
) -> Result<bool, ReviewError> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT id FROM items WHERE item_key = ?1")?
        .query_row([&it.key], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    let seq = head.append(conn, KIND_ITEM, now_ms, &serde_json::to_vec(it)?)?;
    conn.prepare_cached(
        "INSERT INTO items (id, item_key, kind, msgid, conversation_id, category, severity, rule_id, time_ms, sender,
           participants, queue, status, evidence, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13, ?14, ?14)",
    )?
    .execute(params![
        seq,
        it.key,
        it.kind,
        it.msgid,
        it.conversation_id,
        it.category,
        severity_rank(it.severity),
        it.rule_id,
        it.time_ms,
        it.sender,
        it.participants.join("|"),
        it.queue(),
        serde_json::to_string(&it.evidence)?,
        now_ms
    ])?;
    let mut people: Vec<&String> = it.participants.iter().collect();
    people.sort();
    people.dedup();
    for p in people {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO item_people (participant, item_id) VALUES (?1, ?2)",
        )?
        .execute(params![p, seq])?;
    }
    Ok(true)
}

/// Where to resume consuming each partition.
pub fn stored_offsets(store: &RegionStore) -> Result<Vec<(String, i32, i64)>, ReviewError> {
    let mut stmt = store
        .store
        .conn()
        .prepare("SELECT topic, partition, next_offset FROM offsets ORDER BY topic, partition")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Applies `act` to item `id` (refused per `actions::decide`), chained with the projection.
pub fn apply(
    store: &mut RegionStore,
    id: i64,
    act: Act,
    by: Actor<'_>,
    now_ms: i64,
) -> Result<State, ReviewError> {
    store.store.write(now_ms, |conn, head| {
        let item = get_in(conn, id)?.ok_or(ReviewError::NotFound)?;
        let next = actions::decide(&item.state, &act, by).map_err(ReviewError::Refused)?;
        let rec = ActionRecord {
            item_key: item.new.key.clone(),
            by: by.name.to_string(),
            role: by.role,
            at_ms: now_ms,
            act,
        };
        head.append(conn, KIND_ACTION, now_ms, &serde_json::to_vec(&rec)?)?;
        write_state(conn, id, &next, now_ms)?;
        conn.prepare_cached("INSERT INTO history (item_id, seq) VALUES (?1, ?2)")?
            .execute(params![id, head.seq])?;
        Ok(next)
    })
}

pub(crate) fn write_state(
    conn: &Connection,
    id: i64,
    s: &State,
    now_ms: i64,
) -> Result<(), ReviewError> {
    conn.prepare_cached(
        "UPDATE items SET status = ?1, assignee = ?2, outcome = ?3, tags = ?4, updated_ms = ?5 WHERE id = ?6",
    )?
    .execute(params![
        s.status.as_str(),
        s.assignee,
        s.outcome.map(Outcome::as_str),
        s.tags.join(" "),
        now_ms,
        id
    ])?;
    Ok(())
}

pub(crate) const COLUMNS: &str =
    "id, item_key, kind, msgid, conversation_id, category, severity, rule_id, time_ms, sender,
    participants, queue, status, assignee, outcome, tags, evidence, created_ms, updated_ms";

pub(crate) fn row_to_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let participants: String = r.get(10)?;
    let status: String = r.get(12)?;
    let outcome: Option<String> = r.get(14)?;
    let tags: String = r.get(15)?;
    let evidence: String = r.get(16)?;
    Ok(Item {
        id: r.get(0)?,
        new: NewItem {
            key: r.get(1)?,
            kind: r.get(2)?,
            msgid: r.get(3)?,
            conversation_id: r.get(4)?,
            category: r.get(5)?,
            severity: severity_of(r.get(6)?),
            rule_id: r.get(7)?,
            time_ms: r.get(8)?,
            sender: r.get(9)?,
            participants: participants
                .split('|')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
        },
        queue: r.get(11)?,
        state: State {
            status: Status::parse(&status).unwrap_or(Status::Pending),
            assignee: r.get(13)?,
            outcome: outcome.as_deref().and_then(Outcome::parse),
            tags: tags.split_whitespace().map(String::from).collect(),
        },
        created_ms: r.get(17)?,
        updated_ms: r.get(18)?,
    })
}

pub(crate) fn get_in(conn: &Connection, id: i64) -> Result<Option<Item>, ReviewError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE id = ?1"))?
        .query_row([id], row_to_item)
        .optional()?)
}

pub fn get(store: &RegionStore, id: i64) -> Result<Option<Item>, ReviewError> {
    get_in(store.store.conn(), id)
}

/// The actions taken on an item, oldest first.
pub fn history(store: &RegionStore, id: i64) -> Result<Vec<ActionRecord>, ReviewError> {
    let mut stmt = store.store.conn().prepare_cached(
        "SELECT e.body FROM history h JOIN events e ON e.seq = h.seq WHERE h.item_id = ?1 ORDER BY h.seq",
    )?;
    let rows = stmt.query_map([id], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = Vec::new();
    for body in rows {
        out.push(serde_json::from_slice(&body?)?);
    }
    Ok(out)
}

/// Items in `scope` (helper for the queue SQL: the visibility clause).
pub(crate) fn scope_clause(scope: &Scope, clauses: &mut Vec<String>, params: &mut Vec<Value>) {
    if let Some(queues) = &scope.queues {
        if queues.iter().any(|q| q == "*") {
            return;
        }
        let marks = vec!["?"; queues.len()].join(", ");
        clauses.push(format!("(queue IN ({marks}) OR assignee = ?)"));
        params.extend(queues.iter().map(|q| Value::from(q.clone())));
        params.push(Value::from(scope.username.clone()));
    }
}

/// Whether any item (alert or sample) refers to `msgid`.
pub fn has_msgid(store: &RegionStore, msgid: &str) -> Result<bool, ReviewError> {
    Ok(store
        .store
        .conn()
        .prepare_cached("SELECT 1 FROM items WHERE msgid = ?1 LIMIT 1")?
        .query_row([msgid], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The other alerts on `msgid` (its risk alerts and the alert of its recall), oldest first:
/// the alert page links them (a recall says which alert the message had raised).
pub fn alerts_of_msgid(store: &RegionStore, msgid: &str) -> Result<Vec<Item>, ReviewError> {
    let mut stmt = store.store.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE msgid = ?1 AND kind = 'alert' ORDER BY id"
    ))?;
    let rows = stmt.query_map([msgid], row_to_item)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
