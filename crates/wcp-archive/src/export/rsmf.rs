//! RSMF 2.0: one `.rsmf` file (an e-mail with `X-RSMF-Version: 2.0.0` and a single
//! `rsmf.zip` attachment holding `rsmf_manifest.json`) per conversation per local day (the
//! zone the export is given: the policy's, as the console and the CLI read dates), at
//! most [`MAX_EVENTS`] events each. Times are RFC 3339 in that zone with its offset. Recalled messages are `deleted: true` with the recall
//! time in `custom`; consent and account-switch records become `disclaimer` events. A media
//! message says what it sent in its body ("[image, 70961 bytes, md5 …]"), carries the
//! reference in `custom` and, when the media store had the file, the file itself in the zip
//! as the event's attachment (`media.rs`). A message disposed of under retention is a
//! `disclaimer` event in its place (`placeholder.rs`: its tombstone's fields, no content).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use serde_json::{json, Value};
use wcp_model::{EventKind, Role};

use crate::dates::{day_in, rfc2822_in, rfc3339_in};
use crate::error::ArchiveError;
use crate::export::{entry, media, mime, placeholder, Context, Entry};
use crate::stored::ArchivedMessage;

/// What the events are, beside the records counted (trial 18d D7).
const EVENTS_ARE: &str = "one event per message, per consent or account notice and per message disposed of under retention (a disclaimer where it was); a recall is shown on its message as deleted, an event of its own only when its message is not in this file";

/// RSMF's limit on events per file.
pub const MAX_EVENTS: usize = 10_000;

pub(crate) fn custom(pairs: &[(&str, String)]) -> Value {
    // The schema requires non-empty values.
    Value::Array(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| json!({ "name": n, "value": v }))
            .collect(),
    )
}

/// Files for the zip beside the manifest: attachment id → bytes.
pub type ZipFiles<'a> = BTreeMap<String, &'a [u8]>;

fn event<'a>(
    m: &ArchivedMessage,
    in_file: &HashSet<&str>,
    cx: &'a Context,
    files: &mut ZipFiles<'a>,
) -> Option<Value> {
    let z = cx.zone;
    let s = &m.stored;
    let base = json!({
        "id": s.msgid,
        "participant": s.from.id,
        "conversation": s.conversation_id,
        "timestamp": rfc3339_in(s.time_ms, z),
    });
    let Value::Object(mut e) = base else {
        unreachable!("json! object")
    };
    match &s.kind {
        EventKind::Message => {
            e.insert("type".into(), "message".into());
            let items = media::items(&s.msgtype, &s.payload_json);
            let body = media::body(&s.msgtype, &s.text, &s.payload_json, &items);
            e.insert("body".into(), body.into());
            let mut media_custom: Vec<(String, String)> = Vec::new();
            let mut attachments: Vec<Value> = Vec::new();
            for (n, it) in items.iter().enumerate() {
                let st = media::status(it, &cx.media);
                if let media::Status::Attached { name, found } = &st {
                    attachments.push(json!({
                        "id": name, "display": media::display(it, found), "size": found.bytes.len(),
                    }));
                    files.insert(name.clone(), &found.bytes);
                }
                media_custom.extend(media::custom_fields(it, n, &st));
            }
            if !attachments.is_empty() {
                e.insert("attachments".into(), attachments.into());
            }
            e.insert(
                "direction".into(),
                if s.from.role == Role::External {
                    "incoming"
                } else {
                    "outgoing"
                }
                .into(),
            );
            if m.is_recalled() {
                e.insert("deleted".into(), true.into());
            }
            let c = s.classification.as_ref();
            let risks: Vec<&str> = c
                .map(|c| c.risks.iter().map(|r| r.category.as_str()).collect())
                .unwrap_or_default();
            let pii: Vec<&str> = c
                .map(|c| c.pii.iter().map(|p| p.entity.as_str()).collect())
                .unwrap_or_default();
            e.insert(
                "custom".into(),
                custom(&[
                    ("msgtype", s.msgtype.clone()),
                    (
                        "class",
                        c.map(|c| c.class.as_str().to_string()).unwrap_or_default(),
                    ),
                    ("risk_categories", risks.join(",")),
                    ("pii_types", pii.join(",")),
                    ("disposition", s.disposition.as_str().to_string()),
                    (
                        "consent",
                        s.consent
                            .as_ref()
                            .map(|c| c.state.as_str().to_string())
                            .unwrap_or_default(),
                    ),
                    (
                        "recalled_at",
                        m.recalled_at_ms
                            .map(|t| rfc3339_in(t, z))
                            .unwrap_or_default(),
                    ),
                    ("recall_msgid", m.recall_msgid.clone().unwrap_or_default()),
                    ("recall_note", super::recall_note(m).unwrap_or_default()),
                ]),
            );
            if let Some(Value::Array(c)) = e.get_mut("custom") {
                c.extend(
                    media_custom
                        .iter()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(n, v)| json!({ "name": n, "value": v })),
                );
            }
        }
        EventKind::Recall { pre_msgid } => {
            // Shown on the original as `deleted`; only a recall of a message outside this
            // file needs its own event.
            if in_file.contains(pre_msgid.as_str()) {
                return None;
            }
            e.insert("type".into(), "disclaimer".into());
            e.insert("body".into(), super::notice(s).unwrap_or_default().into());
            e.insert(
                "custom".into(),
                custom(&[("recalled_msgid", pre_msgid.clone())]),
            );
        }
        EventKind::Consent { at_ms, .. } => {
            e.insert("type".into(), "disclaimer".into());
            e.insert("body".into(), super::notice(s).unwrap_or_default().into());
            e.insert(
                "custom".into(),
                custom(&[("consent_effective", rfc3339_in(*at_ms, z))]),
            );
        }
        EventKind::Switch { .. } => {
            e.insert("type".into(), "disclaimer".into());
            e.insert("body".into(), super::notice(s).unwrap_or_default().into());
        }
    }
    Some(Value::Object(e))
}

/// The manifest for one conversation's entries (already in time order), times in the
/// context's zone, and the media files its events attach.
pub fn manifest<'a>(entries: &[Entry<'_>], cx: &'a Context) -> (Value, ZipFiles<'a>) {
    let in_file: HashSet<&str> = entry::messages(entries)
        .map(|m| m.stored.msgid.as_str())
        .collect();
    let mut roles: BTreeMap<&str, Role> = BTreeMap::new();
    let mut conversations: BTreeMap<&str, (bool, Vec<&str>)> = BTreeMap::new();
    for e in entries {
        for p in e.participants() {
            roles.entry(p.id.as_str()).or_insert(p.role);
        }
        let c = conversations
            .entry(e.conversation_id())
            .or_insert((e.in_room(), Vec::new()));
        for p in e.participant_ids() {
            if !c.1.contains(&p) {
                c.1.push(p);
            }
        }
    }
    let participants: Vec<Value> = roles
        .iter()
        .map(|(id, role)| json!({ "id": id, "display": id, "account_id": id, "custom": custom(&[("role", role.as_str().to_string())]) }))
        .collect();
    let conversations: Vec<Value> = conversations
        .iter()
        .map(|(id, (group, parts))| {
            let mut c = json!({
                "id": id, "display": id, "platform": "wecom",
                "type": if *group { "channel" } else { "direct" },
                "participants": parts,
            });
            // The legal-hold case the export was made for (trial 18d D8).
            if let Some(case) = &cx.case {
                c["custom"] = custom(&[
                    ("legal_hold_case", case.case_id.clone()),
                    ("legal_holds", case.holds.join("; ")),
                ]);
            }
            c
        })
        .collect();
    let mut files = ZipFiles::new();
    let events: Vec<Value> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => event(m, &in_file, cx, &mut files),
            Entry::Disposed(d) => Some(placeholder::rsmf_event(d, cx.zone)),
        })
        .collect();
    let manifest = json!({ "version": "2.0.0", "participants": participants, "conversations": conversations, "events": events });
    (manifest, files)
}

/// The zip holding the manifest and the media files its events attach (at the zip's root,
/// named by their attachment ids, as RSMF requires).
pub fn zip(manifest: &Value, files: &ZipFiles<'_>) -> Result<Vec<u8>, ArchiveError> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("rsmf_manifest.json", opts)?;
    w.write_all(&serde_json::to_vec_pretty(manifest)?)?;
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

/// The `.rsmf` e-mail for one file's entries.
pub fn rsmf_file(entries: &[Entry<'_>], cx: &Context) -> Result<Vec<u8>, ArchiveError> {
    let z = cx.zone;
    let (manifest, files) = manifest(entries, cx);
    let zip = zip(&manifest, &files)?;
    let first = entries.first().map(Entry::time_ms).unwrap_or(0);
    let last = entries.last().map(Entry::time_ms).unwrap_or(0);
    let conv = entries.first().map(Entry::conversation_id).unwrap_or("");
    let events = manifest["events"].as_array().map_or(0, Vec::len);
    let counts = super::Counts::of(entries);
    let mut headers = vec![
        ("From", "wcp archive <archive@wcp.invalid>".to_string()),
        ("To", "wcp archive <archive@wcp.invalid>".to_string()),
        (
            "Subject",
            format!(
                "{}WeCom conversation {conv} on {}",
                cx.case_prefix(),
                day_in(first, z)
            ),
        ),
        ("Date", rfc2822_in(first, z)),
        ("X-RSMF-Version", "2.0.0".to_string()),
        ("X-RSMF-Generator", "wcp-archive".to_string()),
        ("X-RSMF-EventCount", events.to_string()),
        ("X-WCP-Records", counts.words()),
        ("X-RSMF-BeginDate", rfc3339_in(first, z)),
        ("X-RSMF-EndDate", rfc3339_in(last, z)),
    ];
    headers.extend(cx.case_headers());
    let text = format!("WeCom conversation {conv}: {events} events from {} to {}, of {} ({}).\r\nLoad this file as RSMF; the events are in the attached rsmf.zip.\r\n", rfc3339_in(first, z), rfc3339_in(last, z), counts.words(), EVENTS_ARE);
    Ok(mime::message(
        &headers,
        &text,
        &[mime::Attachment {
            filename: "rsmf.zip",
            content_type: "application/zip",
            bytes: &zip,
        }],
    ))
}

/// Splits time-ordered entries of many conversations into files: per conversation, per
/// local day in zone `z`, at most MAX_EVENTS each. Returns (file stem, entries).
pub fn split<'e, 'a>(messages: &'e [Entry<'a>], z: i32) -> Vec<(String, &'e [Entry<'a>])> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < messages.len() {
        let key = |m: &Entry<'_>| (m.conversation_id().to_string(), day_in(m.time_ms(), z));
        let k = key(&messages[start]);
        let mut end = start + 1;
        while end < messages.len() && end - start < MAX_EVENTS && key(&messages[end]) == k {
            end += 1;
        }
        out.push((
            format!("{}_{}", mime::file_stem(&k.0), k.1),
            &messages[start..end],
        ));
        start = end;
    }
    // A conversation-day larger than MAX_EVENTS gets numbered parts.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (stem, _) in out.iter_mut() {
        let n = seen.entry(stem.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            stem.push_str(&format!("_part{n}"));
        }
    }
    out
}
