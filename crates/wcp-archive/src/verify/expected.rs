//! The projections as the chain says they must be, re-derived record by record without
//! touching the tables. Big tables are kept as keyed sums of row hashes (a row's hash is
//! added when a record creates it and subtracted when a later record changes or removes
//! it); small ones as their rows.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hasher, RandomState};

use rusqlite::types::ValueRef;
use wcp_model::EventKind;

use super::view::MessageView;
use crate::audit::AuditEntry;
use crate::chain::kind;
use crate::hold::Hold;
use crate::project::{self, HoldRelease, RecallMark, Release, Removal};

/// A wrapping sum of row hashes and a row count: equal for two tables with the same rows
/// (in any order), different otherwise except with probability ~2^-64. The hash key is
/// random per run, so no one can craft rows that collide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum {
    pub total: u64,
    pub count: i64,
}

impl Sum {
    fn add(&mut self, h: u64) {
        self.total = self.total.wrapping_add(h);
        self.count += 1;
    }

    fn sub(&mut self, h: u64) {
        self.total = self.total.wrapping_sub(h);
        self.count -= 1;
    }
}

/// The hashed tables, in the order `tables.rs` reads them.
pub const HASHED: [&str; 8] = [
    "messages",
    "messages.recall",
    "quarantine",
    "quarantine.recall",
    "msgids",
    "risks",
    "pii",
    "audit",
];

/// What one record's own rows hash to (read by `window.rs`, which compares row by row).
#[derive(Clone, Copy, Default)]
pub struct Slot {
    /// 0 none, 1 messages, 2 quarantine.
    pub table: u8,
    pub main: u64,
    pub recall: u64,
    pub msgid_row: u64,
    pub risks: u64,
    pub nrisks: i64,
    pub pii: u64,
    pub npii: i64,
    /// The audit row of an audit record.
    pub audit: u64,
}

pub struct Expected {
    seed: RandomState,
    /// `slots[i]` is record `base + i`; a record before `base` (a window's start) gets a
    /// scratch slot, so a recall or removal of it changes nothing here (`window.rs` checks
    /// those directly).
    base: i64,
    scratch: Slot,
    slots: Vec<Slot>,
    pub sums: BTreeMap<&'static str, Sum>,
    pub holds: BTreeMap<i64, Hold>,
    pub settings: BTreeMap<String, (String, i64)>,
    pub offsets: BTreeMap<(String, i64), i64>,
    /// Keys added by rotation records (seq → hex); seq 0 is checked by signatures.
    pub rotated_keys: BTreeMap<i64, String>,
    /// (pre_msgid, recall_msgid, recalled_at_ms) of recall events, first per target.
    pub recall_events: Vec<(String, String, i64)>,
    /// Records whose body did not match its digest: their rows cannot be derived.
    pub unknown: HashSet<i64>,
}

/// Encodes a row for hashing: the same bytes whether it comes from a body or a table.
pub fn hash_row(seed: &RandomState, table: &str, vals: &[ValueRef<'_>]) -> u64 {
    let mut h = seed.build_hasher();
    h.write(table.as_bytes());
    for v in vals {
        match v {
            ValueRef::Null => h.write_u8(0),
            ValueRef::Integer(i) => {
                h.write_u8(1);
                h.write_i64(*i);
            }
            ValueRef::Real(f) => {
                h.write_u8(2);
                h.write_u64(f.to_bits());
            }
            ValueRef::Text(t) => {
                h.write_u8(3);
                h.write_usize(t.len());
                h.write(t);
            }
            ValueRef::Blob(b) => {
                h.write_u8(4);
                h.write_usize(b.len());
                h.write(b);
            }
        }
    }
    h.finish()
}

fn text(s: &str) -> ValueRef<'_> {
    ValueRef::Text(s.as_bytes())
}

fn opt_int(v: Option<i64>) -> ValueRef<'static> {
    v.map_or(ValueRef::Null, ValueRef::Integer)
}

/// Slots made ahead of the records seen (a gap in `seq` larger than this is an edited row).
const MAX_GAP: usize = 1 << 20;

impl Expected {
    /// For the whole chain, hashing rows with `seed` (the table sums, read on another
    /// connection, must hash with the same).
    pub fn new(records: usize, seed: RandomState) -> Expected {
        Expected {
            seed,
            ..Expected::window(0, records)
        }
    }

    /// For the records after `base` only (`records` of them, a capacity hint: at most
    /// `MAX_GAP` slots are made ahead, so an edited `seq` of 5e18 cannot size the table).
    pub fn window(base: i64, records: usize) -> Expected {
        Expected {
            seed: RandomState::new(),
            base: base.max(0),
            scratch: Slot::default(),
            slots: vec![Slot::default(); records.min(MAX_GAP) + 2],
            sums: HASHED.iter().map(|t| (*t, Sum::default())).collect(),
            holds: BTreeMap::new(),
            settings: BTreeMap::new(),
            offsets: BTreeMap::new(),
            rotated_keys: BTreeMap::new(),
            recall_events: Vec::new(),
            unknown: HashSet::new(),
        }
    }

    pub fn seed(&self) -> &RandomState {
        &self.seed
    }

    /// The rows record `seq` accounts for (a window's own records only).
    pub fn slot_of(&self, seq: i64) -> Slot {
        let i = (seq - self.base).max(0) as usize;
        if seq <= self.base {
            return Slot::default();
        }
        self.slots.get(i).copied().unwrap_or_default()
    }

    fn slot(&mut self, seq: i64) -> &mut Slot {
        if seq <= self.base && self.base > 0 {
            self.scratch = Slot::default();
            return &mut self.scratch;
        }
        let i = (seq - self.base).max(0) as usize;
        if i >= self.slots.len() {
            if i - self.slots.len() > MAX_GAP {
                // A seq far past every record so far (a row edited behind the archive's back,
                // which the walk reports): not worth gigabytes of empty slots (a property test
                // aborted on a 4.9e18-byte allocation).
                self.scratch = Slot::default();
                return &mut self.scratch;
            }
            self.slots.resize(i + 1, Slot::default());
        }
        &mut self.slots[i]
    }

    fn sum(&mut self, t: &'static str) -> &mut Sum {
        self.sums.entry(t).or_default()
    }

    fn msgid_row(&self, msgid: &str, seq: i64, state: &str) -> u64 {
        hash_row(
            &self.seed,
            "msgids",
            &[text(msgid), ValueRef::Integer(seq), text(state)],
        )
    }

    /// Derives what one record adds to or changes in the projections. `body` is None for a
    /// removed body (its removal record does the rest) and for an altered one.
    pub fn record(&mut self, seq: i64, kind_: &str, msgid: &str, body: Option<&[u8]>) {
        if let Err(e) = self.apply(seq, kind_, msgid, body) {
            // A body that matches its digest but does not parse was written so: nothing
            // derived from it can be checked.
            let _ = e;
            self.unknown.insert(seq);
        }
    }

    fn apply(
        &mut self,
        seq: i64,
        kind_: &str,
        msgid: &str,
        body: Option<&[u8]>,
    ) -> Result<(), serde_json::Error> {
        match kind_ {
            kind::MESSAGE | kind::QUARANTINE => {
                let state = if kind_ == kind::MESSAGE { "m" } else { "q" };
                let h = self.msgid_row(msgid, seq, state);
                self.sum("msgids").add(h);
                self.slot(seq).msgid_row = h;
                if let Some(b) = body {
                    let m: MessageView<'_> = serde_json::from_slice(b)?;
                    if kind_ == kind::MESSAGE {
                        self.message(seq, &m);
                    } else {
                        self.quarantine(seq, &m);
                    }
                    if let EventKind::Recall { pre_msgid } = &m.kind {
                        self.recall_events.push((
                            pre_msgid.clone(),
                            m.msgid.to_string(),
                            m.time_ms,
                        ));
                    }
                }
            }
            kind::RECALL => {
                let mark: RecallMark = serde_json::from_slice(body.unwrap_or_default())?;
                let t = mark.target_seq;
                let slot = *self.slot(t);
                let table = match slot.table {
                    1 => "messages.recall",
                    2 => "quarantine.recall",
                    _ => return Ok(()),
                };
                if slot.recall == 0 {
                    let h = hash_row(
                        &self.seed,
                        table,
                        &[
                            ValueRef::Integer(t),
                            ValueRef::Integer(mark.recalled_at_ms),
                            text(&mark.recall_msgid),
                        ],
                    );
                    self.sum(table).add(h);
                    self.slot(t).recall = h;
                }
            }
            kind::TOMBSTONE | kind::PURGE => {
                let r: Removal = serde_json::from_slice(body.unwrap_or_default())?;
                self.remove(r.target_seq, &r.msgid);
            }
            kind::RELEASE => {
                let r: Release = serde_json::from_slice(body.unwrap_or_default())?;
                self.remove(r.target_seq, &r.msgid);
                let old = self.slot(r.target_seq).msgid_row;
                self.sum("msgids").sub(old);
                // The msgids row moved to the release: none is left at the target.
                self.slot(r.target_seq).msgid_row = 0;
                let h = self.msgid_row(&r.msgid, seq, "m");
                self.sum("msgids").add(h);
                self.slot(seq).msgid_row = h;
                self.message(seq, &MessageView::of(&r.message));
            }
            kind::HOLD_PLACE => {
                let h: Hold = serde_json::from_slice(body.unwrap_or_default())?;
                self.holds.insert(h.id, h);
            }
            kind::HOLD_RELEASE => {
                let r: HoldRelease = serde_json::from_slice(body.unwrap_or_default())?;
                if let Some(h) = self.holds.get_mut(&r.hold) {
                    h.released_by = Some(r.released_by);
                    h.released_at_ms = Some(r.released_at_ms);
                }
            }
            kind::AUDIT => {
                let e: AuditEntry = serde_json::from_slice(body.unwrap_or_default())?;
                let detail = e.detail.to_string();
                let h = hash_row(
                    &self.seed,
                    "audit",
                    &[
                        ValueRef::Integer(seq),
                        ValueRef::Integer(e.at_ms),
                        text(&e.actor),
                        text(&e.action),
                        text(&detail),
                    ],
                );
                self.sum("audit").add(h);
                self.slot(seq).audit = h;
            }
            kind::OFFSETS => {
                let offsets: Vec<crate::SourceOffset> =
                    serde_json::from_slice(body.unwrap_or_default())?;
                for o in offsets {
                    self.offsets
                        .insert((o.topic, i64::from(o.partition)), o.next_offset);
                }
            }
            kind::CONFIG => {
                let c: crate::settings::ConfigChange =
                    serde_json::from_slice(body.unwrap_or_default())?;
                for (k, v) in c.values() {
                    self.settings.insert(k, (v, seq));
                }
            }
            kind::KEY_ROTATION => {
                let r: crate::rotation::Rotation =
                    serde_json::from_slice(body.unwrap_or_default())?;
                self.settings
                    .insert("public_key".into(), (r.new_public_key.clone(), seq));
                self.rotated_keys.insert(seq, r.new_public_key);
            }
            _ => {}
        }
        Ok(())
    }

    fn message(&mut self, seq: i64, m: &MessageView<'_>) {
        let ids = m.participant_ids();
        let participants = project::participant_list(&ids);
        let reason = m.reason();
        let class = m.classification.as_ref().map(|c| c.class.as_str());
        let keep = m.retention.as_ref().map(|r| r.keep_until_ms);
        let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
        let main = hash_row(
            &self.seed,
            "messages",
            &[
                ValueRef::Integer(seq),
                text(&m.msgid),
                text(&m.conversation_id),
                text(&m.from.id),
                ValueRef::Integer(m.time_ms),
                text(&m.msgtype),
                class.map_or(ValueRef::Null, text),
                text(m.disposition.as_str()),
                opt_int(keep),
                ValueRef::Integer(hold.into()),
                text(&participants),
                text(&reason),
                text(&m.text),
            ],
        );
        self.sum("messages").add(main);
        let (mut risks, mut pii) = (Vec::new(), Vec::new());
        if let Some(c) = &m.classification {
            risks = c.risks.iter().map(|r| r.category.as_str()).collect();
            pii = c.pii.iter().map(|p| p.entity.as_str()).collect();
        }
        let (rs, rn) = self.index_rows("risks", seq, risks);
        let (ps, pn) = self.index_rows("pii", seq, pii);
        let slot = self.slot(seq);
        slot.table = 1;
        slot.main = main;
        (slot.risks, slot.nrisks, slot.pii, slot.npii) = (rs, rn, ps, pn);
    }

    /// The (name, seq) rows of one message in `risks` or `pii`, deduplicated as the
    /// table's key does; adds them and returns their sum and count.
    fn index_rows(&mut self, table: &'static str, seq: i64, mut names: Vec<&str>) -> (u64, i64) {
        names.sort_unstable();
        names.dedup();
        let mut total = 0u64;
        for n in &names {
            let h = hash_row(&self.seed, table, &[text(n), ValueRef::Integer(seq)]);
            self.sum(table).add(h);
            total = total.wrapping_add(h);
        }
        (total, names.len() as i64)
    }

    fn quarantine(&mut self, seq: i64, m: &MessageView<'_>) {
        let participants = project::participant_list(&m.participant_ids());
        let keep = m.retention.as_ref().map(|r| r.keep_until_ms);
        let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
        let main = hash_row(
            &self.seed,
            "quarantine",
            &[
                ValueRef::Integer(seq),
                text(&m.msgid),
                text(&m.conversation_id),
                text(&participants),
                ValueRef::Integer(m.time_ms),
                opt_int(keep),
                ValueRef::Integer(hold.into()),
                text(&m.reason()),
                ValueRef::Integer(m.sealed.is_some().into()),
            ],
        );
        self.sum("quarantine").add(main);
        let slot = self.slot(seq);
        slot.table = 2;
        slot.main = main;
    }

    fn remove(&mut self, t: i64, msgid: &str) {
        let slot = *self.slot(t);
        let (main, recall) = match slot.table {
            1 => ("messages", "messages.recall"),
            2 => ("quarantine", "quarantine.recall"),
            _ => ("", ""),
        };
        if !main.is_empty() {
            self.sum(main).sub(slot.main);
            if slot.recall != 0 {
                self.sum(recall).sub(slot.recall);
            }
            let r = self.sum("risks");
            r.total = r.total.wrapping_sub(slot.risks);
            r.count -= slot.nrisks;
            let p = self.sum("pii");
            p.total = p.total.wrapping_sub(slot.pii);
            p.count -= slot.npii;
        }
        if slot.msgid_row != 0 {
            self.sum("msgids").sub(slot.msgid_row);
            let h = self.msgid_row(msgid, t, "x");
            self.sum("msgids").add(h);
            self.slot(t).msgid_row = h;
        }
        let s = self.slot(t);
        (s.table, s.main, s.recall, s.risks, s.nrisks, s.pii, s.npii) = (0, 0, 0, 0, 0, 0, 0);
    }
}
