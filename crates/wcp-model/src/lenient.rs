//! Leniency for real captures: the archive SDK emits raw control characters inside JSON
//! strings, which strict JSON parsers reject. We escape them (rather than drop them) so the
//! archived text still shows where they were, and everything else stays byte-for-byte.

/// Returns `None` when the input needs no change (the common case: no allocation).
pub fn escape_control_chars_in_strings(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut first_bad = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                first_bad = Some(i);
                break;
            }
        } else if b == b'"' {
            in_string = true;
        }
    }
    let start = first_bad?;
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..start]);
    // Continue the same scan from `start`, still inside a string.
    let mut in_string = true;
    let mut escaped = false;
    for ch in s[start..].chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            } else if (ch as u32) < 0x20 {
                out.push_str(&format!("\\u{:04x}", ch as u32));
                continue;
            }
        } else if ch == '"' {
            in_string = true;
        }
        out.push(ch);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_input_is_untouched() {
        assert_eq!(escape_control_chars_in_strings(r#"{"a":"b\n"}"#), None);
        assert_eq!(escape_control_chars_in_strings("{\n\t\"a\": 1}"), None);
    }

    #[test]
    fn control_chars_inside_strings_are_escaped() {
        let out =
            escape_control_chars_in_strings("{\"a\":\"x\u{1}y\u{1f}\",\n\"b\":\"\\\"\u{8}\"}")
                .unwrap();
        assert_eq!(out, "{\"a\":\"x\\u0001y\\u001f\",\n\"b\":\"\\\"\\u0008\"}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], "x\u{1}y\u{1f}");
        assert_eq!(v["b"], "\"\u{8}");
    }
}
