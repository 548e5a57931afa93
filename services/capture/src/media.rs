//! Media capture, beside the text stream and never in its way: the runtime's transactional
//! consume → fetch → produce loop over the `wecom.raw` records this corp's capture wrote,
//! with its own consumer group, its own transactions and its own SDK child (a download stuck
//! in the library holds up media only). Each referenced file (image, voice, video, file,
//! emotion, items of `mixed` / `chatrecord`) is fetched by [`crate::media_fetch`], stored
//! content-addressed in the region's media store, and described by a `media` record on
//! `wecom.media` (key: msgid). A file that cannot be had gets a `missing` record with the
//! reason and a `media_missing` alert on the message (`chat.alerts`, shown by the review).

use std::time::{Duration, Instant};

use serde::Serialize;
use wcp_model::event::conversation_id;
use wcp_model::{topics, Alert, Evidence, Severity};
use wcp_runtime::{codec, InRecord, OutRecord, RuntimeError, Stage};

use crate::media_fetch::{self, Chunk, ChunkSource, FetchError, Fetched, Limits};
use crate::mediaref::{media_refs, MediaRef};
use crate::metrics::{code_label, CaptureMetrics};
use crate::proto::{num, text};
use crate::records::ALERTS_TOPIC;
use crate::settings::Settings;
use crate::store::{Store, StoreError};
use crate::supervisor::{CallError, Supervisor};

pub const MEDIA_TOPIC: &str = topics::MEDIA;
/// Attempts of a failing chunk (transient code, crash, hang) before the file is missing.
const TRIES: u32 = 3;
/// After this long in one batch, failures are final at once, so the batch's transaction
/// (timeout 15 min in [`crate::media_run`]) ends in time.
pub const BATCH_RETRY_BUDGET: Duration = Duration::from_secs(240);

/// The `media` record (JSON on `wecom.media`, key: the message's msgid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaRecord {
    pub msgid: String,
    pub seq: Option<u64>,
    pub corp_id: String,
    pub sdkfileid: String,
    /// `stored` or `missing`.
    pub status: &'static str,
    pub region: String,
    pub sha256: Option<String>,
    pub md5: Option<String>,
    /// Whether the message gave an md5sum and the content matched it (some give none).
    pub md5_checked: bool,
    pub size: Option<u64>,
    /// Relative to the media directory: `<region>/sha256/ab/cd/<sha256>` (in a bucket: the
    /// object key).
    pub path: Option<String>,
    /// Where `path` is: `dir` (the media directory) or `s3://<bucket>`; None when missing.
    pub store: Option<String>,
    /// Why it is missing: one of `media_fetch::MISSING_REASONS`.
    pub reason: Option<&'static str>,
    pub detail: Option<String>,
}

pub struct MediaStage {
    pub corp_id: String,
    pub region: String,
    pub store: Store,
    pub source: SdkSource,
    pub m: CaptureMetrics,
    pub max_bytes: u64,
    batch_started: Instant,
}

/// Chunks from the media SDK child.
pub struct SdkSource {
    pub sup: Supervisor,
    pub s: Settings,
    pub m: CaptureMetrics,
}

impl ChunkSource for SdkSource {
    fn chunk(&mut self, index: &str, sdkfileid: &str) -> Result<Chunk, CallError> {
        let s = &self.s;
        let timeout = s.media_timeout_s.to_string();
        let req: [&[u8]; 6] = [
            b"media",
            index.as_bytes(),
            sdkfileid.as_bytes(),
            s.proxy.as_bytes(),
            s.proxy_password.as_bytes(),
            timeout.as_bytes(),
        ];
        let a = self
            .sup
            .call(&req, s.call_limit(s.media_timeout_s))
            .inspect_err(|e| {
                if let CallError::Code(code) = e {
                    let code = code_label(*code);
                    self.m
                        .sdk_errors
                        .with_label_values(&["GetMediaData", &code])
                        .inc();
                }
            })?;
        Ok(Chunk {
            data: a.first().cloned().unwrap_or_default(),
            next_index: text(a.get(1)),
            finished: num::<u8>(a.get(2)) == Some(1),
        })
    }
}

impl MediaStage {
    pub fn new(s: &Settings, store: Store, sup: Supervisor, m: CaptureMetrics) -> MediaStage {
        MediaStage {
            corp_id: s.corp_id.clone(),
            region: s.region.clone(),
            store,
            source: SdkSource {
                sup,
                s: s.clone(),
                m: m.clone(),
            },
            m,
            max_bytes: s.media_max_bytes,
            batch_started: Instant::now(),
        }
    }
}

impl Stage for MediaStage {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::RAW]
    }

    fn name(&self) -> &'static str {
        "capture-media"
    }

    fn before_batch(&mut self) -> Result<(), RuntimeError> {
        self.batch_started = Instant::now();
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        // Only what this corp's capture wrote: other producers' records name no media of ours.
        if rec.header("corp_id") != Some(self.corp_id.as_bytes()) {
            return Ok(());
        }
        let refs = media_refs(rec.payload());
        if refs.is_empty() {
            return Ok(());
        }
        let msg = Msg::read(rec.payload(), rec.header_u64("seq"));
        let lim = Limits {
            max_bytes: self.max_bytes,
            tries: TRIES,
            backoff: Duration::from_millis(500),
            give_up_retrying_at: Some(self.batch_started + BATCH_RETRY_BUDGET),
        };
        for r in refs {
            let fetched = match media_fetch::fetch(&mut self.source, &self.store, &r, &lim) {
                Ok(f) => f,
                Err(FetchError::Fatal(e)) => return Err(RuntimeError::Fatal(e)),
                Err(FetchError::Store(StoreError::Io(e))) => return Err(RuntimeError::Io(e)),
                // The store kept failing after its retries: the media stage stops and fetches
                // this batch again after a pause (media_run), like a directory that fails.
                Err(FetchError::Store(e)) => {
                    return Err(RuntimeError::Io(std::io::Error::other(e.to_string())))
                }
            };
            let record = self.record(&msg, &r, fetched, out)?;
            let value =
                serde_json::to_vec(&record).map_err(|e| RuntimeError::Fatal(e.to_string()))?;
            out.push(OutRecord::new(
                MEDIA_TOPIC,
                Some(msg.msgid.clone().into_bytes()),
                value,
            ));
        }
        Ok(())
    }
}

/// What the media records and alerts need of the message.
struct Msg {
    msgid: String,
    seq: Option<u64>,
    conversation: String,
    time_ms: i64,
}

impl Msg {
    fn read(payload: &[u8], seq: Option<u64>) -> Msg {
        let v: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let to: Vec<String> = v
            .get("tolist")
            .and_then(|t| t.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let room = s("roomid");
        Msg {
            msgid: s("msgid"),
            seq,
            conversation: conversation_id(
                (!room.is_empty()).then_some(room.as_str()),
                &s("from"),
                &to,
            ),
            time_ms: crate::chatdata::msgtime_ms(payload).unwrap_or(0),
        }
    }
}

impl MediaStage {
    fn record(
        &self,
        msg: &Msg,
        r: &MediaRef,
        fetched: Fetched,
        out: &mut Vec<OutRecord>,
    ) -> Result<MediaRecord, RuntimeError> {
        let mut rec = MediaRecord {
            msgid: msg.msgid.clone(),
            seq: msg.seq,
            corp_id: self.corp_id.clone(),
            sdkfileid: r.sdkfileid.clone(),
            status: "stored",
            region: self.region.clone(),
            sha256: None,
            md5: r.md5.clone(),
            md5_checked: false,
            size: r.size,
            path: None,
            store: None,
            reason: None,
            detail: None,
        };
        match fetched {
            Fetched::Stored {
                stored,
                md5_checked,
            } => {
                self.m.media_fetched.inc();
                self.m.media_bytes.inc_by(stored.size);
                rec.sha256 = Some(stored.sha256);
                rec.md5 = Some(stored.md5);
                rec.md5_checked = md5_checked;
                rec.size = Some(stored.size);
                rec.path = Some(stored.path);
                rec.store = Some(stored.store);
            }
            Fetched::Missing { reason, detail } => {
                self.m.media_missing.with_label_values(&[reason]).inc();
                tracing::warn!(seq = msg.seq, reason, detail = %detail, "media missing");
                let alert = missing_alert(msg, &r.sdkfileid, reason, &detail);
                self.m.alert(&alert);
                out.push(codec::encode(
                    ALERTS_TOPIC,
                    Some(alert.alert_id.clone().into_bytes()),
                    &alert,
                )?);
                rec.status = "missing";
                rec.reason = Some(reason);
                rec.detail = Some(detail);
            }
        }
        Ok(rec)
    }
}

/// The mark on a message whose media is missing: deterministic id per file (a replayed
/// batch gives the same alert), the reason code in `rule_id` and in words in the evidence.
fn missing_alert(msg: &Msg, sdkfileid: &str, reason: &str, detail: &str) -> Alert {
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(sdkfileid.as_bytes()));
    Alert {
        alert_id: format!("media_missing:{}:{}", msg.msgid, &id[..16]),
        msgid: msg.msgid.clone(),
        conversation_id: msg.conversation.clone(),
        category: "media_missing".into(),
        severity: Severity::Medium,
        rule_id: format!("capture.media_missing.{reason}"),
        time_ms: msg.time_ms,
        evidence: vec![Evidence {
            start: 0,
            end: 0,
            text: format!("media missing ({reason}): {detail}"),
        }],
        // Capture runs before the retention tagger assigns the region: left empty, so the
        // console looks the message up in its archives (the pre-revision-3 routing).
        region: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_mark_names_message_conversation_and_reason() {
        let m = Msg::read(
            br#"{"msgid":"m1","from":"b","tolist":["a"],"msgtime":1700000000000,"msgtype":"image"}"#,
            Some(4),
        );
        let a = missing_alert(&m, "F1", "expired", "GetMediaData returned 10010");
        let again = missing_alert(&m, "F1", "expired", "GetMediaData returned 10010");
        assert_eq!(a, again);
        assert!(a.alert_id.starts_with("media_missing:m1:"));
        assert_eq!(
            a.conversation_id,
            conversation_id(None, "b", &["a".to_string()])
        );
        assert_eq!(a.rule_id, "capture.media_missing.expired");
        assert_eq!(a.time_ms, 1_700_000_000_000);
        assert!(a.evidence[0].text.contains("10010"));
        assert_ne!(missing_alert(&m, "F2", "expired", "").alert_id, a.alert_id);
    }
}
