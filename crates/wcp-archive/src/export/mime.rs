//! Just enough MIME to write RFC 5322 messages: headers (RFC 2047 for non-ASCII), a base64
//! text part and base64 attachments. Written by hand: the shapes are fixed and small.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A header value: as-is when printable ASCII, else an RFC 2047 encoded word.
pub fn header_value(v: &str) -> String {
    let clean: String = v.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() {
        clean
    } else {
        format!("=?utf-8?B?{}?=", STANDARD.encode(clean.as_bytes()))
    }
}

/// Base64 wrapped at 76 columns, as RFC 2045 requires.
pub fn base64_lines(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

pub struct Attachment<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A complete message: `headers` (name, value) first, then a UTF-8 text body and, when
/// there are attachments, a multipart/mixed body.
pub fn message(headers: &[(&str, String)], text: &str, attachments: &[Attachment<'_>]) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in headers {
        out.push_str(&format!("{name}: {}\r\n", header_value(value)));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    let text_part = format!(
        "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(text.as_bytes())
    );
    if attachments.is_empty() {
        out.push_str(&text_part);
        return out.into_bytes();
    }
    // Base64 and our headers never contain this sequence.
    let boundary = "=_wcp-archive-boundary_=";
    out.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
    ));
    out.push_str(&format!("--{boundary}\r\n{text_part}"));
    for a in attachments {
        let name = file_name(a.filename);
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {}; name=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}",
            a.content_type,
            base64_lines(a.bytes)
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

/// An attachment's name inside quotes: as-is when plain ASCII, else an RFC 2047 encoded word
/// (a WeCom file name is often Chinese: "客户名单.xlsx"); quotes and controls never pass.
fn file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    header_value(&clean)
}

/// A file-name-safe form of an id, with a short hash so distinct ids never collide.
pub fn file_stem(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let h = Sha256::digest(id.as_bytes());
    format!("{safe}_{}", hex::encode(&h[..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_headers_are_encoded_words() {
        assert_eq!(header_value("plain"), "plain");
        assert!(header_value("合同").starts_with("=?utf-8?B?"));
        assert_eq!(header_value("a\r\nBcc: x"), "aBcc: x");
    }

    #[test]
    fn stems_are_safe_and_distinct() {
        let a = file_stem("wmA|wmB");
        let b = file_stem("wmA_wmB");
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    }
}
