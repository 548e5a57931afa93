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
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len() as u32;
    let mut cuts: Vec<u32> = vec![0, n];
    let spans = risks
        .iter()
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
                continue;
            }
        }
        let merge = out.last().is_some_and(|prev| {
            prev.risk == risk && prev.pii == p && p.as_ref().is_none_or(|x| !x.masked)
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
        out.push(Segment { text, risk, pii: p });
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
                pii: None
            }
        );
        assert!(segments("", &[(0, 3)], &[], |_| true).is_empty());
    }
}
