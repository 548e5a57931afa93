//! The capture loop of the active instance: GetChatData after the cursor, decrypt, and one
//! transaction with the messages, dead letters, alerts and the new cursor.

use std::time::Duration;

use wcp_runtime::reader::TopicReader;
use wcp_runtime::{Config, RunCtx, RuntimeError};
use wecom_sdk::{classify, describe, CodeClass};

use crate::chatdata::{self, AnswerError};
use crate::decrypt::{self, Outcome};
use crate::keys::KeyRing;
use crate::leader::Leader;
use crate::metrics::{code_label, CaptureMetrics};
use crate::records::{self, CURSOR_TOPIC};
use crate::settings::Settings;
use crate::supervisor::{CallError, Supervisor};
use crate::tx::{Tx, TxError};
use wcp_model::clock::now_ms;

const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Why an active term ended.
pub enum End {
    Shutdown,
    /// The group gave the corp to another instance, or it fenced this one: stand by.
    Lost,
}

/// What one step did.
enum Step {
    Committed {
        full: bool,
    },
    Empty,
    /// Something failed that a retry after a backoff may fix; `reread`: the transaction
    /// state is unknown, so the cursor must be read back from the topic.
    Retry {
        reread: bool,
    },
}

pub struct Capture<'a> {
    pub cfg: &'a Config,
    pub ctx: &'a RunCtx,
    pub s: &'a Settings,
    pub keys: KeyRing,
    pub sup: Supervisor,
    pub m: CaptureMetrics,
    /// The cursor a 10010 was last alerted for (one alert per gap, not per retry).
    expired_alerted: Option<u64>,
}

impl<'a> Capture<'a> {
    pub fn new(
        cfg: &'a Config,
        ctx: &'a RunCtx,
        s: &'a Settings,
        keys: KeyRing,
        sup: Supervisor,
        m: CaptureMetrics,
    ) -> Capture<'a> {
        Capture {
            cfg,
            ctx,
            s,
            keys,
            sup,
            m,
            expired_alerted: None,
        }
    }

    /// Captures while this instance holds the corp.
    pub fn term(&mut self, leader: &Leader) -> Result<End, RuntimeError> {
        let mut tx = Tx::start(self.cfg, &self.s.corp_id, self.ctx)?;
        let mut reader = TopicReader::open(self.cfg, CURSOR_TOPIC)?;
        let mut cursor = self.read_cursor(&mut reader, 0)?;
        tracing::info!(cursor, corp_id = %self.s.corp_id, "capture active; resuming after the committed cursor");
        let mut backoff = MIN_BACKOFF;
        loop {
            leader.poll(Duration::ZERO);
            if self.ctx.shutdown_requested() {
                return Ok(End::Shutdown);
            }
            leader.check(self.cfg)?;
            if !leader.is_active() {
                return Ok(End::Lost);
            }
            let wait = match self.step(&mut tx, &mut cursor, leader) {
                Ok(Step::Committed { full: true }) => Duration::ZERO,
                Ok(Step::Committed { full: false }) | Ok(Step::Empty) => self.s.poll_interval,
                Ok(Step::Retry { reread }) => {
                    if reread {
                        cursor = self.read_cursor(&mut reader, cursor)?;
                    }
                    let b = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    self.sleep_polling(leader, b);
                    continue;
                }
                Err(TxError::Fenced) => {
                    tracing::warn!(
                        "this instance's capture producer was fenced by another instance"
                    );
                    return Ok(End::Lost);
                }
                Err(TxError::Fatal(e)) => return Err(e),
                Err(TxError::Retry) => unreachable!("mapped in step"),
            };
            backoff = MIN_BACKOFF;
            if !wait.is_zero() {
                self.sleep_polling(leader, wait);
            }
        }
    }

    /// Sleeps `d`, serving the group protocol, waking early on shutdown or loss.
    fn sleep_polling(&self, leader: &Leader, d: Duration) {
        let end = std::time::Instant::now() + d;
        while std::time::Instant::now() < end
            && !self.ctx.shutdown_requested()
            && leader.is_active()
        {
            leader.poll(Duration::from_millis(50).min(end - std::time::Instant::now()));
        }
    }

    /// The committed cursor of this corp (`fallback` when none was ever written, i.e. 0 at
    /// first start); retried until the topic answers.
    fn read_cursor(&self, reader: &mut TopicReader, fallback: u64) -> Result<u64, RuntimeError> {
        let corp = self.s.corp_id.clone();
        let mut last: Option<u64> = None;
        let round = Duration::from_secs(30);
        reader.read_to_end(self.ctx, "reading the cursor", round, |rec| {
            if let Some(seq) = records::read_cursor(&corp, rec.key.as_deref(), rec.payload()) {
                last = Some(seq);
            }
        })?;
        // A reader keeps its position: later calls see only new records.
        let seq = last.unwrap_or(fallback);
        self.m.seq.set(seq as i64);
        Ok(seq)
    }

    fn step(&mut self, tx: &mut Tx, cursor: &mut u64, leader: &Leader) -> Result<Step, TxError> {
        let s = self.s;
        let limit = s.call_limit(s.sdk_timeout_s);
        let req = chatdata::request(
            *cursor,
            s.batch_limit,
            &s.proxy,
            &s.proxy_password,
            s.sdk_timeout_s,
        );
        let req: Vec<&[u8]> = req.iter().map(Vec::as_slice).collect();
        let answer = match self.sup.call(&req, limit) {
            Ok(mut a) => a.swap_remove(0),
            Err(e) => return self.sdk_failed("GetChatData", e, tx, *cursor, leader),
        };
        let items = match chatdata::parse(&answer, *cursor) {
            Ok(items) => items,
            Err(e) => {
                let code = match &e {
                    AnswerError::Api { .. } => "api",
                    _ => "parse",
                };
                self.m
                    .sdk_errors
                    .with_label_values(&["GetChatData", code])
                    .inc();
                tracing::warn!(error = %e, "unusable GetChatData answer; retrying");
                return Ok(Step::Retry { reread: false });
            }
        };
        let Some(last) = items.last().map(|i| i.seq) else {
            self.m.behind.set(0);
            return Ok(Step::Empty);
        };
        let full = items.len() as u32 >= s.batch_limit;
        let first = items.iter().map(|i| i.seq).min().unwrap_or(last);
        let outcomes = match decrypt::decrypt(
            items,
            &mut self.keys,
            &mut self.sup,
            s.decrypt_threads,
            limit,
        ) {
            Ok(o) => o,
            Err(e) => return self.sdk_failed("DecryptData", e, tx, *cursor, leader),
        };
        let mut outs = records::batch_records(&s.corp_id, &outcomes, last, now_ms())
            .map_err(TxError::Fatal)?;
        let skipped = self.skipped(*cursor, first);
        if let Some(alert) = &skipped {
            let key = Some(alert.alert_id.clone().into_bytes());
            outs.push(
                wcp_runtime::codec::encode(records::ALERTS_TOPIC, key, alert)
                    .map_err(TxError::Fatal)?,
            );
        }
        // The SDK call took a while: a fence that arrived meanwhile stops the write.
        leader.check(self.cfg).map_err(TxError::Fatal)?;
        match tx.commit(self.ctx, &outs) {
            Ok(()) => {}
            Err(TxError::Retry) => return Ok(Step::Retry { reread: true }),
            Err(e) => return Err(e),
        }
        *cursor = last;
        if let Some(alert) = &skipped {
            self.m.data_expired.inc();
            self.m.alert(alert);
        }
        self.committed(&outcomes, last, full);
        Ok(Step::Committed { full })
    }

    /// The alert for seqs the SDK skipped after `cursor` (expired at Tencent: it serves what
    /// is left without a 10010, trial D11), logged with the range; `None` when nothing was
    /// skipped, or when a 10010 at this cursor already raised the alert for this gap.
    fn skipped(&self, cursor: u64, first: u64) -> Option<wcp_model::Alert> {
        let (from, to) = records::skipped(cursor, first)?;
        let alerted = self.expired_alerted == Some(cursor);
        tracing::error!(
            from,
            to,
            cursor,
            "seqs {from}-{to} were never served: the SDK answered from seq {first}, so they \
             expired at Tencent before they were captured{}",
            if alerted {
                " (alerted at the 10010)"
            } else {
                ""
            }
        );
        (!alerted).then(|| records::skipped_alert(&self.s.corp_id, (from, to), now_ms()))
    }

    fn committed(&self, outcomes: &[Outcome], last: u64, full: bool) {
        let mut newest = None;
        for o in outcomes {
            match o {
                Outcome::Plain { bytes, .. } => {
                    self.m.messages.inc();
                    newest = Some(bytes);
                }
                Outcome::Dead { item, code, reason } => {
                    self.m.decrypt_failures.with_label_values(&[code]).inc();
                    let alert = records::key_alert(&self.s.corp_id, item.seq, &item.msgid, code, 0);
                    self.m.alert(&alert);
                    self.ctx
                        .metrics
                        .dead_letters
                        .with_label_values(&[code])
                        .inc();
                    tracing::error!(seq = item.seq, publickey_ver = item.publickey_ver, reason = %reason, "message dead-lettered: cannot decrypt");
                }
            }
        }
        self.m.seq.set(last as i64);
        self.m.behind.set(i64::from(full));
        if let Some(t) = newest.and_then(|b| chatdata::msgtime_ms(b)) {
            self.m
                .lag_seconds
                .set(((now_ms() - t).max(0)) as f64 / 1000.0);
        }
    }

    /// A failed SDK call: fatal codes stop the service, 10010 raises the gap alert, the rest
    /// is retried after a backoff (a crashed or hung child was already restarted).
    fn sdk_failed(
        &mut self,
        call: &str,
        e: CallError,
        tx: &mut Tx,
        cursor: u64,
        leader: &Leader,
    ) -> Result<Step, TxError> {
        match e {
            CallError::Fatal(msg) => Err(TxError::Fatal(RuntimeError::Fatal(msg))),
            CallError::Crashed(_) | CallError::Hung(_) => Ok(Step::Retry { reread: false }),
            CallError::Code(code) => {
                self.m
                    .sdk_errors
                    .with_label_values(&[call, &code_label(code)])
                    .inc();
                match classify(code) {
                    CodeClass::Fatal => Err(TxError::Fatal(RuntimeError::Fatal(format!(
                        "{call} returned {code}: {} (docs/CAPTURE.md)",
                        describe(code)
                    )))),
                    CodeClass::Expired => {
                        self.m.data_expired.inc();
                        tracing::error!(cursor, "{call} returned 10010: messages after the cursor expired at Tencent before they were captured");
                        self.alert_expired(tx, cursor, leader)
                    }
                    _ => {
                        tracing::warn!(code, "{call} failed: {}; retrying", describe(code));
                        Ok(Step::Retry { reread: false })
                    }
                }
            }
        }
    }

    /// Writes the data-expired alert once per cursor (deterministic id), then retries.
    fn alert_expired(
        &mut self,
        tx: &mut Tx,
        cursor: u64,
        leader: &Leader,
    ) -> Result<Step, TxError> {
        if self.expired_alerted == Some(cursor) {
            return Ok(Step::Retry { reread: false });
        }
        let alert = records::expired_alert(&self.s.corp_id, cursor, now_ms());
        let rec = wcp_runtime::codec::encode(
            records::ALERTS_TOPIC,
            Some(alert.alert_id.clone().into_bytes()),
            &alert,
        )
        .map_err(TxError::Fatal)?;
        leader.check(self.cfg).map_err(TxError::Fatal)?;
        match tx.commit(self.ctx, &[rec]) {
            Ok(()) => {
                self.m.alert(&alert);
                self.expired_alerted = Some(cursor);
                Ok(Step::Retry { reread: false })
            }
            Err(TxError::Retry) => Ok(Step::Retry { reread: true }),
            Err(e) => Err(e),
        }
    }
}
