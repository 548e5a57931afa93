//! Re-checks a review store: every event's hash, every checkpoint's signature (with the
//! auditor's copy of the public key, or the one the store publishes), no unsigned tail, and
//! that the projections pages read (items with their state, users) are what the events say.

use std::collections::HashMap;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use rusqlite::Connection;
use serde::Serialize;

use crate::accounts::{UserRecord, KIND_USER};
use crate::actions::{self, Actor, State};
use crate::chain::{checkpoint_message, link, to_hash, GENESIS};
use crate::error::ReviewError;
use crate::items::{ActionRecord, NewItem, KIND_ACTION, KIND_ITEM};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub events: u64,
    pub checkpoints: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// Plain-words problems, first 100.
    pub problems: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, p: String) {
        if self.problems.len() < 100 {
            self.problems.push(p);
        }
    }
}

pub fn verify(conn: &Connection, key: Option<&VerifyingKey>) -> Result<Report, ReviewError> {
    let mut rep = Report::default();
    let published: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'public_key'", [], |r| {
            r.get(0)
        })
        .ok();
    let key = match (key, published) {
        (Some(k), _) => *k,
        (None, Some(h)) => {
            let b: [u8; 32] = hex::decode(&h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| ReviewError::Key("published key".into()))?;
            VerifyingKey::from_bytes(&b).map_err(|e| ReviewError::Key(e.to_string()))?
        }
        (None, None) => return Err(ReviewError::Key("the store publishes no key".into())),
    };
    // The chain.
    let mut hashes: HashMap<i64, [u8; 32]> = HashMap::new();
    let mut prev = GENESIS;
    let mut expect = 1;
    let mut items: Vec<(NewItem, State)> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut users: HashMap<String, UserRecord> = HashMap::new();
    let mut stmt = conn.prepare("SELECT seq, kind, at_ms, body, hash FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, kind, at, body, hash): (i64, String, i64, Vec<u8>, Vec<u8>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        rep.events += 1;
        if seq != expect {
            rep.problem(format!(
                "events {expect}..{} are missing (deleted rows)",
                seq - 1
            ));
        }
        let want = link(&prev, seq, &kind, at, &body);
        if to_hash(&hash)? != want {
            rep.problem(format!("event {seq} ({kind}) was altered: its hash does not match its content and the event before it"));
        }
        prev = to_hash(&hash)?;
        hashes.insert(seq, prev);
        expect = seq + 1;
        rep.head_seq = seq;
        match kind.as_str() {
            KIND_ITEM => {
                let it: NewItem = serde_json::from_slice(&body)?;
                by_key.insert(it.key.clone(), items.len());
                items.push((it, State::new()));
            }
            KIND_ACTION => {
                let a: ActionRecord = serde_json::from_slice(&body)?;
                match by_key.get(&a.item_key) {
                    Some(&i) => match actions::decide(
                        &items[i].1,
                        &a.act,
                        Actor {
                            name: &a.by,
                            role: a.role,
                        },
                    ) {
                        Ok(s) => items[i].1 = s,
                        Err(why) => rep.problem(format!(
                            "event {seq}: action {} by {} was not allowed ({why})",
                            a.act.name(),
                            a.by
                        )),
                    },
                    None => rep.problem(format!(
                        "event {seq}: action on an item the chain never received"
                    )),
                }
            }
            KIND_USER => {
                let u: UserRecord = serde_json::from_slice(&body)?;
                users.insert(u.user.username.clone(), u);
            }
            _ => {}
        }
    }
    rep.head_hash = hex::encode(prev);
    // Checkpoints.
    let mut stmt =
        conn.prepare("SELECT id, seq, hash, signed_at_ms, signature FROM checkpoints ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut last_signed = 0;
    while let Some(r) = rows.next()? {
        let (id, seq, hash, at, sig): (i64, i64, Vec<u8>, i64, Vec<u8>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        rep.checkpoints += 1;
        let hash = to_hash(&hash)?;
        let sig_ok = Signature::from_slice(&sig).ok().is_some_and(|s| {
            key.verify(&checkpoint_message(id, seq, &hash, at), &s)
                .is_ok()
        });
        if !sig_ok {
            rep.problem(format!(
                "checkpoint {id} (event {seq}) is not signed by this store's key"
            ));
        }
        match hashes.get(&seq) {
            Some(h) if *h == hash => {}
            Some(_) => rep.problem(format!("checkpoint {id} signed a different event {seq}: the events up to {seq} were rewritten")),
            None => rep.problem(format!("checkpoint {id} signed event {seq}, which is gone: the chain was cut back")),
        }
        last_signed = last_signed.max(seq);
    }
    if rep.head_seq > last_signed {
        rep.problem(format!("events {}..{} are not covered by a signed checkpoint (added behind the console's back)", last_signed + 1, rep.head_seq));
    }
    check_items(conn, &items, &mut rep)?;
    check_users(conn, &users, &mut rep)?;
    Ok(rep)
}

/// (status, assignee, outcome, tags, msgid) of a queue row.
type Row = (String, Option<String>, Option<String>, String, String);

fn check_items(
    conn: &Connection,
    items: &[(NewItem, State)],
    rep: &mut Report,
) -> Result<(), ReviewError> {
    let has_items: bool = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'items'",
        [],
        |r| r.get::<_, i64>(0),
    )? > 0;
    if !has_items {
        return Ok(());
    }
    let mut stored: HashMap<String, Row> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT item_key, status, assignee, outcome, tags, msgid FROM items")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        stored.insert(
            r.get(0)?,
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
        );
    }
    for (it, st) in items {
        match stored.remove(&it.key) {
            None => rep.problem(format!(
                "alert {} ({}) is in the chain but missing from the queue (row deleted)",
                it.key, it.category
            )),
            Some((status, assignee, outcome, tags, msgid)) => {
                let want = (
                    st.status.as_str().to_string(),
                    st.assignee.clone(),
                    st.outcome.map(|o| o.as_str().to_string()),
                    st.tags.join(" "),
                    it.msgid.clone(),
                );
                if (status.clone(), assignee, outcome, tags, msgid) != want {
                    rep.problem(format!(
                        "alert {}: the queue shows status {status}, the chain says {} (row edited)",
                        it.key, want.0
                    ));
                }
            }
        }
    }
    for k in stored.keys() {
        rep.problem(format!(
            "queue item {k} has no event in the chain (row inserted)"
        ));
    }
    Ok(())
}

fn check_users(
    conn: &Connection,
    users: &HashMap<String, UserRecord>,
    rep: &mut Report,
) -> Result<(), ReviewError> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'users'",
        [],
        |r| r.get::<_, i64>(0),
    )? > 0;
    if !has {
        return Ok(());
    }
    let mut stmt =
        conn.prepare("SELECT username, role, password_hash, queues, disabled FROM users")?;
    let mut rows = stmt.query([])?;
    let mut seen = 0;
    while let Some(r) = rows.next()? {
        let (name, role, hash, queues, disabled): (String, String, Option<String>, String, bool) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        seen += 1;
        match users.get(&name) {
            None => rep.problem(format!(
                "account {name} has no event in the chain (row inserted)"
            )),
            Some(u) => {
                if u.user.role.as_str() != role
                    || u.password_hash != hash
                    || u.user.queues.join(" ") != queues
                    || u.user.disabled != disabled
                {
                    rep.problem(format!("account {name}: role, password or queues differ from the chain (row edited)"));
                }
            }
        }
    }
    if seen < users.len() {
        rep.problem(format!(
            "{} account(s) in the chain are missing from the accounts table",
            users.len() - seen
        ));
    }
    Ok(())
}
