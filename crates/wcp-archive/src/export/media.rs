//! What a media message sent, in words and references, for exports (trial 18d D2): an image,
//! voice, video, file or sticker must not read as an empty message. Pure: the payload in,
//! the items, their words and their custom fields out; `store.rs` finds the bytes.

use std::collections::HashMap;

use serde_json::Value;

/// One file a message refers to (a message of `mixed` or `chatrecord` can refer to several).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// The msgtype, or the item's own type inside `mixed` / `chatrecord`.
    pub kind: String,
    pub md5: Option<String>,
    pub sdkfileid: Option<String>,
    /// Bytes as the message gives them (`filesize`, `voice_size` or `imagesize`).
    pub size: Option<u64>,
    /// Seconds (voice, video).
    pub play_length: Option<u64>,
    pub filename: Option<String>,
    pub fileext: Option<String>,
}

/// The bytes of an item found in the region's media store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// What an export knows of the media store: `None` when it was given none.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Whether a media store was given at all.
    pub store: bool,
    /// md5sum (lower-case hex) → the file with that content.
    pub by_md5: HashMap<String, Found>,
}

/// Where an item's bytes are, for the export's words and custom fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status<'a> {
    /// In this export, under this attachment name.
    Attached {
        name: String,
        found: &'a Found,
    },
    NotInExport(&'static str),
}

pub const NO_STORE: &str = "not in this export: media store not available";
pub const NOT_IN_STORE: &str =
    "not in this export: not in the region's media store (media_missing at capture, or not fetched yet)";
pub const NO_MD5: &str = "not in this export: the message gives no md5sum to find the file by";

/// The type in words, as a reviewer says it.
pub fn words(kind: &str) -> &str {
    match kind {
        "image" | "ChatRecordImage" => "image",
        "voice" | "ChatRecordVoice" => "voice message",
        "video" | "ChatRecordVideo" => "video",
        "file" | "ChatRecordFile" => "file",
        "emotion" | "ChatRecordEmotion" => "sticker",
        "meeting_voice_call" => "meeting voice call recording",
        "voip_doc_share" => "document shared in a call",
        "voiptext" => "voice or video call",
        "mixed" => "mixed message",
        "chatrecord" => "forwarded chat record",
        other => other,
    }
}

/// The files a message's payload refers to: every object with an `sdkfileid`, also inside
/// the JSON strings `mixed` and `chatrecord` items carry.
pub fn items(msgtype: &str, payload_json: &str) -> Vec<Item> {
    let Ok(v) = serde_json::from_str::<Value>(payload_json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&v, msgtype, &mut out, 0);
    out
}

fn walk(v: &Value, kind: &str, out: &mut Vec<Item>, depth: u8) {
    // Nested chat records are bounded by WeCom; the bound only guards odd input.
    if depth > 6 || out.len() >= 50 {
        return;
    }
    match v {
        Value::Object(m) => {
            let kind = m
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(kind);
            if m.get("sdkfileid").is_some() {
                out.push(item(m, kind));
            }
            for (k, val) in m {
                if k != "sdkfileid" {
                    walk(val, kind, out, depth + 1);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk(x, kind, out, depth + 1)),
        // `mixed` / `chatrecord` items hold their content as JSON inside a string.
        Value::String(s) if s.starts_with('{') => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                walk(&inner, kind, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn item(m: &serde_json::Map<String, Value>, kind: &str) -> Item {
    let s = |k: &str| {
        m.get(k).and_then(|v| match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let n = |k: &str| s(k).and_then(|v| v.trim().parse::<u64>().ok());
    Item {
        kind: kind.to_string(),
        md5: s("md5sum").map(|x| x.to_ascii_lowercase()),
        sdkfileid: s("sdkfileid"),
        size: n("filesize")
            .or_else(|| n("voice_size"))
            .or_else(|| n("imagesize")),
        play_length: n("play_length"),
        filename: s("filename"),
        fileext: s("fileext"),
    }
}

/// Where item `i` of message `msgid` is; an attachment is named by its content (the same
/// file sent twice is one attachment).
pub fn status<'a>(it: &Item, r: &'a Resolved) -> Status<'a> {
    if !r.store {
        return Status::NotInExport(NO_STORE);
    }
    let Some(md5) = &it.md5 else {
        return Status::NotInExport(NO_MD5);
    };
    match r.by_md5.get(md5) {
        Some(found) => Status::Attached {
            name: format!("{}.{}", found.sha256, extension(it, &found.bytes)),
            found,
        },
        None => Status::NotInExport(NOT_IN_STORE),
    }
}

/// The name a review tool shows: the file's own name, else the type and the md5's start.
pub fn display(it: &Item, found: &Found) -> String {
    match &it.filename {
        Some(f) => f.clone(),
        None => format!(
            "{}-{}.{}",
            it.kind,
            it.md5
                .as_deref()
                .unwrap_or(&found.sha256)
                .get(..8)
                .unwrap_or(""),
            extension(it, &found.bytes)
        ),
    }
}

/// The extension from the content (so a review tool shows an image inline), else the file's
/// own, else `bin`.
pub fn extension(it: &Item, bytes: &[u8]) -> String {
    let sniffed = if bytes.starts_with(b"\x89PNG") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF8") {
        Some("gif")
    } else if bytes.get(4..8) == Some(b"ftyp") {
        Some("mp4")
    } else if bytes.starts_with(b"#!AMR") {
        Some("amr")
    } else if bytes.starts_with(b"#!SILK") || bytes.starts_with(b"\x02#!SILK") {
        Some("silk")
    } else {
        None
    };
    let own = it
        .fileext
        .as_deref()
        .filter(|e| !e.is_empty() && e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric()));
    sniffed.or(own).unwrap_or("bin").to_ascii_lowercase()
}

/// A MIME type for an extension `extension` gives.
pub fn content_type(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "amr" => "audio/amr",
        _ => "application/octet-stream",
    }
}

/// "[image, 70961 bytes, md5 50de…]": what was sent and its reference, in words.
pub fn label(it: &Item) -> String {
    let mut parts = vec![match &it.filename {
        Some(f) => format!("{} {f}", words(&it.kind)),
        None => words(&it.kind).to_string(),
    }];
    if let Some(s) = it.play_length {
        parts.push(format!("{s} s"));
    }
    if let Some(b) = it.size {
        parts.push(format!("{b} bytes"));
    }
    if let Some(m) = &it.md5 {
        parts.push(format!("md5 {m}"));
    }
    format!("[{}]", parts.join(", "))
}

/// The words for a message: its text, then a label per file; a message with neither (a call,
/// content not kept) still says what it was: no export shows an empty message.
pub fn body(msgtype: &str, text: &str, payload_json: &str, items: &[Item]) -> String {
    let mut lines: Vec<String> = Vec::new();
    // A `mixed` item's text often ends in a newline; the labels follow on the next line.
    let text = text.trim_end();
    if !text.is_empty() {
        lines.push(text.to_string());
    }
    lines.extend(items.iter().map(label));
    if lines.is_empty() {
        lines.push(match call_seconds(msgtype, payload_json) {
            Some(s) => format!("[{}, {s} s]", words(msgtype)),
            None => format!("[{}]", words(msgtype)),
        });
    }
    lines.join("\n")
}

/// A call's length (`voiptext`'s `callduration`).
fn call_seconds(msgtype: &str, payload_json: &str) -> Option<u64> {
    if msgtype != "voiptext" {
        return None;
    }
    let v: Value = serde_json::from_str(payload_json).ok()?;
    let d = v
        .get("callduration")
        .or_else(|| v.get("info")?.get("callduration"))?;
    d.as_u64()
}

/// Custom fields for an item (prefixed `item2_`, … after the first of a message).
pub fn custom_fields(it: &Item, n: usize, st: &Status<'_>) -> Vec<(String, String)> {
    let p = if n == 0 {
        String::new()
    } else {
        format!("item{}_", n + 1)
    };
    let mut f = vec![(format!("{p}media_type"), words(&it.kind).to_string())];
    let mut opt = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            f.push((format!("{p}{k}"), v.clone()));
        }
    };
    opt("md5sum", &it.md5);
    opt("sdkfileid", &it.sdkfileid);
    opt("filename", &it.filename);
    opt("filesize", &it.size.map(|s| s.to_string()));
    opt("play_length", &it.play_length.map(|s| format!("{s} s")));
    match st {
        Status::Attached { name, found } => {
            f.push((format!("{p}media_status"), "attached".into()));
            f.push((format!("{p}media_file"), name.clone()));
            f.push((format!("{p}media_sha256"), found.sha256.clone()));
        }
        Status::NotInExport(why) => f.push((format!("{p}media_status"), why.to_string())),
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_says_what_it_is_and_its_reference() {
        let its = items(
            "image",
            r#"{"md5sum":"50DE8E5AE8FFE4F1DF7A93841F71993A","filesize":70961,"sdkfileid":"CtYB"}"#,
        );
        assert_eq!(its.len(), 1);
        assert_eq!(
            its[0].md5.as_deref(),
            Some("50de8e5ae8ffe4f1df7a93841f71993a")
        );
        assert_eq!(
            body("image", "", "", &its),
            "[image, 70961 bytes, md5 50de8e5ae8ffe4f1df7a93841f71993a]"
        );
        let fields = custom_fields(&its[0], 0, &status(&its[0], &Resolved::default()));
        assert!(fields.contains(&("media_status".into(), NO_STORE.into())));
        assert!(fields.contains(&("sdkfileid".into(), "CtYB".into())));
    }

    #[test]
    fn mixed_items_inside_json_strings_are_found() {
        let p = r#"{"item":[{"type":"text","content":"{\"content\":\"hi\"}"},{"type":"image","content":"{\"md5sum\":\"ab\",\"filesize\":13177,\"sdkfileid\":\"Cq\"}"}]}"#;
        let its = items("mixed", p);
        assert_eq!(its.len(), 1);
        assert_eq!(its[0].kind, "image");
        assert_eq!(
            body("mixed", "hi\n", p, &its),
            "hi\n[image, 13177 bytes, md5 ab]"
        );
    }

    #[test]
    fn a_call_and_a_sticker_in_words() {
        assert_eq!(
            body("voiptext", "", r#"{"callduration":95,"invitetype":2}"#, &[]),
            "[voice or video call, 95 s]"
        );
        let s = items(
            "emotion",
            r#"{"imagesize":962604,"md5sum":"94c2","sdkfileid":"4e"}"#,
        );
        assert_eq!(label(&s[0]), "[sticker, 962604 bytes, md5 94c2]");
        // Content not kept (metadata only): the type still shows.
        assert_eq!(body("video", "", "", &[]), "[video]");
    }

    #[test]
    fn an_attachment_is_named_by_content_and_typed_by_its_bytes() {
        let it = Item {
            kind: "file".into(),
            md5: Some("aa".into()),
            filename: Some("名单.xlsx".into()),
            fileext: Some("xlsx".into()),
            ..Item::default()
        };
        let mut r = Resolved {
            store: true,
            ..Resolved::default()
        };
        assert_eq!(status(&it, &r), Status::NotInExport(NOT_IN_STORE));
        r.by_md5.insert(
            "aa".into(),
            Found {
                sha256: "5e".into(),
                bytes: b"PK..".to_vec(),
            },
        );
        let Status::Attached { name, found } = status(&it, &r) else {
            panic!("found")
        };
        assert_eq!(name, "5e.xlsx");
        assert_eq!(display(&it, found), "名单.xlsx");
        let png = Item {
            kind: "image".into(),
            md5: Some("abcdef0123".into()),
            ..Item::default()
        };
        let f = Found {
            sha256: "9f".into(),
            bytes: b"\x89PNG\r\n".to_vec(),
        };
        assert_eq!(display(&png, &f), "image-abcdef01.png");
        assert_eq!(content_type(&extension(&png, &f.bytes)), "image/png");
    }
}
