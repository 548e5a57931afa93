//! The media a decrypted message refers to: every object with an `sdkfileid` (image, voice,
//! video, file, emotion, meeting voice calls; `mixed` and `chatrecord` items whose content is
//! JSON inside a string). Pure.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub sdkfileid: String,
    /// The `md5sum` the message gives (lowercase hex), when it gives one.
    pub md5: Option<String>,
    /// `filesize`/`size`, when given.
    pub size: Option<u64>,
}

/// The media references of a message, in document order, without repeats.
pub fn media_refs(message: &[u8]) -> Vec<MediaRef> {
    let Ok(v) = serde_json::from_slice::<Value>(message) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&v, &mut out, 0);
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.sdkfileid.clone()));
    out
}

fn walk(v: &Value, out: &mut Vec<MediaRef>, depth: usize) {
    // chatrecord items nest JSON in strings in JSON: a few levels are real, more is hostile.
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(id) = map.get("sdkfileid").and_then(Value::as_str) {
                if !id.is_empty() {
                    let md5 = map
                        .get("md5sum")
                        .and_then(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .filter(|m| !m.is_empty());
                    let size = ["filesize", "size", "imagesize"]
                        .iter()
                        .find_map(|k| map.get(*k).and_then(Value::as_u64));
                    out.push(MediaRef {
                        sdkfileid: id.to_string(),
                        md5,
                        size,
                    });
                }
            }
            for child in map.values() {
                walk(child, out, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, out, depth + 1)),
        Value::String(s) if s.trim_start().starts_with('{') => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                walk(&inner, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_media_at_top_level_and_inside_mixed_strings() {
        let image = br#"{"msgtype":"image","image":{"md5sum":"50DE8E5AE8FFE4F9","filesize":70961,"sdkfileid":"CtYBMzA2OTAy"}}"#;
        assert_eq!(
            media_refs(image),
            vec![MediaRef {
                sdkfileid: "CtYBMzA2OTAy".into(),
                md5: Some("50de8e5ae8ffe4f9".into()),
                size: Some(70961)
            }]
        );
        let mixed = br#"{"msgtype":"mixed","mixed":{"item":[{"type":"text","content":"{\"content\":\"hi\"}"},{"type":"image","content":"{\"md5sum\":\"\",\"sdkfileid\":\"X1\"}"},{"type":"image","content":"{\"sdkfileid\":\"X1\"}"}]}}"#;
        assert_eq!(
            media_refs(mixed),
            vec![MediaRef {
                sdkfileid: "X1".into(),
                md5: None,
                size: None
            }]
        );
        assert!(media_refs(br#"{"msgtype":"text","text":{"content":"{not json"}}"#).is_empty());
        assert!(media_refs(b"\xff").is_empty());
    }
}
