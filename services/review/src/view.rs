//! How a message is shown: [`MessageView`] is built from an archived message and the
//! viewer's right to see PII, and is the only way pages render message text — so the
//! masking decision is made once, here, and a masked value never reaches a template.

use std::collections::{HashMap, HashSet};

use maud::{html, Markup};
use wcp_archive::ArchivedMessage;
use wcp_review::mask::{self, Segment};

use crate::i18n::Lang;
use crate::layout::time;

/// Renders the unmask control of PII value `index` of message `msgid`.
pub type UnmaskControl<'a> = Option<&'a dyn Fn(&str, usize) -> Markup>;

/// Spans of a message: risk (start, end) and PII (entity, start, end).
type Spans = (Vec<(u32, u32)>, Vec<(String, u32, u32)>);

/// What the viewer may see in clear.
pub struct Viewer {
    /// Investigators: every value.
    pub clear: bool,
    /// (msgid, PII index) unmasked with an audited reason in this session.
    pub unmasked: HashSet<(String, usize)>,
    /// The console's zone (minutes east of UTC) the message times are shown in.
    pub zone: i32,
    pub lang: Lang,
}

pub struct MessageView {
    pub msgid: String,
    pub from: String,
    pub time_ms: i64,
    pub zone: i32,
    /// The interface language (the recall marker's word).
    pub lang: Lang,
    pub msgtype: String,
    pub recalled_at_ms: Option<i64>,
    /// Why the recall time cannot be read as is (recorded before the message was sent).
    pub recall_anomaly: Option<String>,
    pub segments: Vec<Segment>,
    /// Media and file references from the payload (names, sizes, ids), masked like text.
    pub media: Vec<(String, String)>,
    /// The case ids of the legal holds keeping the message, where the page looked them up.
    pub held: Vec<String>,
}

/// Payload fields that identify media and files (WeCom's names).
const MEDIA_FIELDS: &[&str] = &[
    "filename",
    "fileext",
    "filesize",
    "md5sum",
    "sdkfileid",
    "play_length",
    "voice_size",
    "title",
    "link_url",
    "url",
];

impl MessageView {
    pub fn new(m: &ArchivedMessage, viewer: &Viewer, extra_risk: &[(u32, u32)]) -> MessageView {
        Self::with_hits(m, viewer, extra_risk, "")
    }

    /// A search result: [`MessageView::new`] with the terms of `search` marked as hits
    /// (`mark.hit`, apart from the risk evidence's `mark.risk`: trial 18b D10).
    pub fn with_hits(
        m: &ArchivedMessage,
        viewer: &Viewer,
        extra_risk: &[(u32, u32)],
        search: &str,
    ) -> MessageView {
        let s = &m.stored;
        let (mut risks, pii): Spans = match &s.classification {
            Some(c) => (
                c.risks.iter().map(|r| (r.start, r.end)).collect(),
                c.pii
                    .iter()
                    .map(|p| (p.entity.clone(), p.start, p.end))
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        risks.extend_from_slice(extra_risk);
        let show = |i: usize| viewer.clear || viewer.unmasked.contains(&(s.msgid.clone(), i));
        let hits = mask::hits(&s.text, search);
        let segments = mask::segments_with_hits(&s.text, &risks, &hits, &pii, show);
        let media = if is_media(&s.msgtype) {
            media_refs(&s.payload_json, pii.is_empty() || viewer.clear)
        } else {
            Vec::new()
        };
        MessageView {
            msgid: s.msgid.clone(),
            from: s.from.id.clone(),
            time_ms: s.time_ms,
            zone: viewer.zone,
            lang: viewer.lang,
            msgtype: s.msgtype.clone(),
            recalled_at_ms: m.recalled_at_ms,
            recall_anomaly: m
                .recalled_at_ms
                .and_then(|at| crate::explain::recall_anomaly(s.time_ms, at, viewer.lang)),
            segments,
            media,
            held: Vec::new(),
        }
    }

    /// The same view marked "Held: case …" (trial 18c D4).
    pub fn held(mut self, cases: Vec<String>) -> MessageView {
        self.held = cases;
        self
    }

    /// The text with highlights; masked values carry an unmask control when `unmask` is given.
    pub fn text(&self, unmask: UnmaskControl<'_>) -> Markup {
        html! {
            span.text {
                @for seg in &self.segments {
                    @match &seg.pii {
                        Some(p) if p.masked => {
                            span.pii.masked title=(p.entity) data-entity=(p.entity) { (seg.text) " [" (p.entity) "]" }
                            @if let Some(f) = unmask { (f(&self.msgid, p.index)) }
                        }
                        Some(_) if seg.hit => { mark.hit { (self.shown(seg)) } }
                        Some(_) => { (self.shown(seg)) }
                        None if seg.hit => { mark.hit { (self.shown(seg)) } }
                        None => { (self.shown(seg)) }
                    }
                }
            }
        }
    }

    /// A clear segment: risk evidence in `mark.risk`, a PII value in its span.
    fn shown(&self, seg: &Segment) -> Markup {
        html! {
            @match &seg.pii {
                Some(p) => { span.pii class=[seg.risk.then_some("risk")] title=(p.entity) data-entity=(p.entity) { (seg.text) } }
                None if seg.risk => { mark.risk { (seg.text) } }
                None => { (seg.text) }
            }
        }
    }

    /// One line of a conversation: struck through with its recall time when recalled.
    pub fn line(&self, current: bool, unmask: UnmaskControl<'_>) -> Markup {
        html! {
            li.msg.current[current] id=(format!("m-{}", self.msgid)) {
                span.meta { (time(self.time_ms, self.zone)) " · " (self.from) " · " (self.msgtype) }
                @if let Some(at) = self.recalled_at_ms {
                    del.recalled { (self.text(unmask)) }
                    span.recall-note { " ⟲ " (crate::i18n::t(self.lang, "recalled")) " " (time(at, self.zone)) }
                    @if let Some(why) = &self.recall_anomaly { span.recall-anomaly { " ⚠ " (why) } }
                } @else {
                    (self.text(unmask))
                }
                @if !self.held.is_empty() {
                    span.held { " ⚖ " (crate::i18n::t(self.lang, "held")) " " (self.held.join(", ")) }
                }
                @if !self.media.is_empty() {
                    ul.media { @for (k, v) in &self.media { li { code { (k) } " " (v) } } }
                }
            }
        }
    }
}

/// The legal holds on each message of a conversation window (case ids by msgid), looked up
/// once per window, so the alert page and the conversation page mark held rows alike
/// (trial 18d D5: the alert's window left its held rows unmarked).
#[derive(Default)]
pub struct WindowHolds(HashMap<String, Vec<String>>);

impl WindowHolds {
    pub fn of<'a>(
        arch: &wcp_archive::Archive,
        msgs: impl IntoIterator<Item = &'a ArchivedMessage>,
    ) -> Result<WindowHolds, wcp_archive::ArchiveError> {
        let mut by_msgid = HashMap::new();
        for m in msgs {
            let cases: Vec<String> = arch
                .holds_on(&m.stored.msgid)?
                .into_iter()
                .map(|h| h.case_id)
                .collect();
            if !cases.is_empty() {
                by_msgid.insert(m.stored.msgid.clone(), cases);
            }
        }
        Ok(WindowHolds(by_msgid))
    }

    /// One row of the window: the message, `evidence` highlighted, marked "⚖ Held: case …"
    /// when a hold keeps it.
    pub fn line(
        &self,
        m: &ArchivedMessage,
        viewer: &Viewer,
        evidence: &[(u32, u32)],
        current: bool,
        unmask: UnmaskControl<'_>,
    ) -> Markup {
        let held = self.0.get(&m.stored.msgid).cloned().unwrap_or_default();
        MessageView::new(m, viewer, evidence)
            .held(held)
            .line(current, unmask)
    }
}

fn is_media(msgtype: &str) -> bool {
    matches!(
        msgtype,
        "image"
            | "voice"
            | "video"
            | "file"
            | "emotion"
            | "link"
            | "docmsg"
            | "qydiskfile"
            | "meeting_voice_call"
            | "voip_doc_share"
            | "sphfeed"
            | "weapp"
            | "mixed"
            | "chatrecord"
    )
}

/// Media references from the payload; file names are masked for viewers without clear PII
/// rights when the message has PII (a file name can carry a client's name).
fn media_refs(payload_json: &str, clear: bool) -> Vec<(String, String)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(payload_json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut walk = vec![&v];
    while let Some(x) = walk.pop() {
        match x {
            serde_json::Value::Object(m) => {
                for (k, val) in m {
                    if MEDIA_FIELDS.contains(&k.as_str()) && !val.is_object() && !val.is_array() {
                        let shown = match val {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let shown = if !clear && k == "filename" {
                            mask::MASK.to_string()
                        } else {
                            shown
                        };
                        out.push((k.clone(), shown.chars().take(200).collect()));
                    } else {
                        walk.push(val);
                    }
                }
            }
            serde_json::Value::Array(a) => walk.extend(a.iter()),
            _ => {}
        }
        if out.len() > 20 {
            break;
        }
    }
    out
}
