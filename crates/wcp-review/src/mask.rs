//! A message split into segments for display: risk evidence highlighted, PII marked, and
//! PII masked unless the viewer may see it. The masking decision is made here, once: a
//! masked value never leaves this function, so no page can print it by mistake.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pii {
    /// Index of the span in the message's PII list (what an unmask request names).
    pub index: usize,
    pub entity: String,
    pub masked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The text to show: the original, or a mask when `pii.masked`.
    pub text: String,
    pub risk: bool,
    /// Inside a hit of the search terms ([`hits`]).
    pub hit: bool,
    pub pii: Option<Pii>,
}

pub const MASK: &str = "••••••";

/// Splits `text` at every span boundary. Spans are code-point offsets, end exclusive; spans
/// past the end are clipped. `show(i)` says whether PII span `i` may be shown in clear.
pub fn segments(
    text: &str,
    risks: &[(u32, u32)],
    pii: &[(String, u32, u32)],
    show: impl Fn(usize) -> bool,
) -> Vec<Segment> {
    segments_with_hits(text, risks, &[], pii, show)
}

/// [`segments`] also cut at the search hits `hits` (spans as for risks), marked `hit`.
pub fn segments_with_hits(
    text: &str,
    risks: &[(u32, u32)],
    hits: &[(u32, u32)],
    pii: &[(String, u32, u32)],
    show: impl Fn(usize) -> bool,
) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len() as u32;
    let mut cuts: Vec<u32> = vec![0, n];
    let spans = risks
        .iter()
        .chain(hits)
        .copied()
        .chain(pii.iter().map(|(_, s, e)| (*s, *e)));
    for (s, e) in spans {
        cuts.push(s.min(n));
        cuts.push(e.min(n));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a >= b {
            continue;
        }
        let risk = risks.iter().any(|&(s, e)| s <= a && b <= e);
        let hit = hits.iter().any(|&(s, e)| s <= a && b <= e);
        let p = pii
            .iter()
            .enumerate()
            .find(|(_, (_, s, e))| *s <= a && b <= *e)
            .map(|(i, (entity, _, _))| Pii {
                index: i,
                entity: entity.clone(),
                masked: !show(i),
            });
        let piece: String = chars[a as usize..b as usize].iter().collect();
        // A masked span is one mask, whatever risk boundaries fall inside it.
        if let (Some(prev), Some(cur)) = (out.last_mut(), p.as_ref()) {
            if cur.masked && prev.pii.as_ref() == Some(cur) {
                prev.risk |= risk;
                prev.hit |= hit;
                continue;
            }
        }
        let merge = out.last().is_some_and(|prev| {
            prev.risk == risk
                && prev.hit == hit
                && prev.pii == p
                && p.as_ref().is_none_or(|x| !x.masked)
        });
        if merge {
            if let Some(prev) = out.last_mut() {
                prev.text.push_str(&piece);
            }
            continue;
        }
        let text = if p.as_ref().is_some_and(|x| x.masked) {
            MASK.to_string()
        } else {
            piece
        };
        out.push(Segment {
            text,
            risk,
            hit,
            pii: p,
        });
    }
    out
}

/// Where the search terms of `query` (split at white space, as the archive search splits
/// them) occur in `text`: code-point spans, end exclusive, every occurrence of every term.
/// Letters compare case-insensitively as the archive's LIKE does (ASCII); CJK as written.
pub fn hits(text: &str, query: &str) -> Vec<(u32, u32)> {
    let fold = |c: &char| c.to_ascii_lowercase();
    let chars: Vec<char> = text.chars().map(|c| fold(&c)).collect();
    let mut out = Vec::new();
    for term in query.split_whitespace() {
        let t: Vec<char> = term.chars().map(|c| fold(&c)).collect();
        if t.is_empty() || t.len() > chars.len() {
            continue;
        }
        for i in 0..=chars.len() - t.len() {
            if chars[i..i + t.len()] == t[..] {
                out.push((i as u32, (i + t.len()) as u32));
            }
        }
    }
    out
}

/// The text with every masked PII span replaced (for places that show plain text).
pub fn plain(segs: &[Segment]) -> String {
    segs.iter().map(|s| s.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Vec<(String, u32, u32)> {
        vec![("PHONE_NUMBER".into(), 5, 16)]
    }

    #[test]
    fn masks_pii_and_marks_risk() {
        let text = "保本收益，打13812345678联系我";
        // 0..2 保本 risk; phone at 6..17 in chars? count: 保0 本1 收2 益3 ，4 打5 1(6)…
        let pii = vec![("PHONE_NUMBER".to_string(), 6, 17)];
        let segs = segments(text, &[(0, 2)], &pii, |_| false);
        assert_eq!(
            segs[0],
            Segment {
                text: "保本".into(),
                risk: true,
                hit: false,
                pii: None
            }
        );
        assert_eq!(segs[1].text, "收益，打");
        assert_eq!(segs[2].text, MASK);
        assert_eq!(segs[2].pii.as_ref().map(|p| p.masked), Some(true));
        assert!(!plain(&segs).contains("138"));
        let clear = segments(text, &[(0, 2)], &pii, |_| true);
        assert_eq!(plain(&clear), text);
        assert_eq!(clear[2].text, "13812345678");
    }

    #[test]
    fn overlapping_risk_inside_masked_pii_is_one_mask() {
        let text = "call 13812345678 now";
        let segs = segments(text, &[(8, 12)], &phone(), |_| false);
        let masks = segs.iter().filter(|s| s.text == MASK).count();
        assert_eq!(masks, 1, "{segs:?}");
        assert!(segs.iter().any(|s| s.risk && s.pii.is_some()));
        assert!(!plain(&segs).contains('8'));
    }

    #[test]
    fn out_of_range_spans_are_clipped_and_emoji_kept() {
        let text = "🙂好";
        let segs = segments(text, &[(1, 99)], &[], |_| true);
        assert_eq!(plain(&segs), "🙂好");
        assert_eq!(
            segs[1],
            Segment {
                text: "好".into(),
                risk: true,
                hit: false,
                pii: None
            }
        );
        assert!(segments("", &[(0, 3)], &[], |_| true).is_empty());
    }

    #[test]
    fn search_hits_in_chinese_and_english_any_case() {
        assert_eq!(hits("本产品不保本，保本？", "保本"), [(4, 6), (7, 9)]);
        assert_eq!(
            hits("Move to WhatsApp; whatsapp is fine", "WHATSAPP"),
            [(8, 16), (18, 26)]
        );
        assert_eq!(
            hits("guarantee bond", "bond  guarantee"),
            [(10, 14), (0, 9)]
        );
        assert!(hits("short", "longer than the text").is_empty());
        assert!(hits("abc", "   ").is_empty());
    }

    #[test]
    fn hits_are_their_own_segments_beside_risk_and_pii() {
        let text = "不保本，保本收益13812345678";
        let pii = vec![("PHONE_NUMBER".to_string(), 8, 19)];
        let h = hits(text, "保本 1381");
        let segs = segments_with_hits(text, &[(4, 6)], &h, &pii, |_| true);
        let marked: Vec<(&str, bool, bool)> = segs
            .iter()
            .map(|s| (s.text.as_str(), s.risk, s.hit))
            .collect();
        assert_eq!(
            marked,
            [
                ("不", false, false),
                ("保本", false, true),
                ("，", false, false),
                ("保本", true, true),
                ("收益", false, false),
                ("1381", false, true),
                ("2345678", false, false),
            ]
        );
        assert_eq!(plain(&segs), text);
        // A masked value stays one mask, whatever hit falls inside it.
        let masked = segments_with_hits(text, &[], &h, &pii, |_| false);
        assert_eq!(
            masked.last().map(|s| (s.text.as_str(), s.hit)),
            Some((MASK, true))
        );
    }
}
