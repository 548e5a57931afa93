//! What the banner says after an action: "2 alerts closed as breach", not "Done." (trial 18c
//! D9). The redirect carries a code (`did.close.breach.2`) that only names an action, an
//! outcome and a count, so an edited URL cannot put words of its own in the banner.

use wcp_review::actions::{Act, Outcome};

use crate::i18n::{t, Lang};

/// The code for `act` done on `n` alerts.
pub fn code(act: &Act, n: usize) -> String {
    match act {
        Act::Close { outcome, .. } => format!("did.close.{}.{n}", outcome.as_str()),
        _ => format!("did.{}.{n}", act.name()),
    }
}

/// The banner's sentence for a code from [`code`]; None for anything else.
pub fn words(lang: Lang, code: &str) -> Option<String> {
    let mut parts = code.strip_prefix("did.")?.split('.');
    let act = parts.next()?;
    let outcome = match act {
        "close" => Some(Outcome::parse(parts.next()?)?),
        _ => None,
    };
    let n: u32 = parts
        .next()?
        .parse()
        .ok()
        .filter(|n| (1..=500).contains(n))?;
    if parts.next().is_some() {
        return None;
    }
    let zh = lang == Lang::Zh;
    let verb = match (act, zh) {
        ("claim", false) => "claimed",
        ("claim", true) => "已认领",
        ("release", false) => "released",
        ("release", true) => "已释放",
        ("assign", false) => "assigned",
        ("assign", true) => "已分派",
        ("close", false) => "closed as",
        ("close", true) => "已结案为",
        ("escalate", false) => "escalated",
        ("escalate", true) => "已升级",
        ("tag", false) => "tagged",
        ("tag", true) => "已加标签",
        ("note", false) => "noted (note added to the history)",
        ("note", true) => "已添加备注",
        ("reopen", false) => "reopened",
        ("reopen", true) => "已重新打开",
        _ => return None,
    };
    // English mid-sentence in lower case: "closed as false positive".
    let outcome = outcome.map(|o| match zh {
        true => t(lang, o.as_str()).to_string(),
        false => t(lang, o.as_str()).to_lowercase(),
    });
    Some(match (zh, n, outcome) {
        (false, 1, None) => format!("Alert {verb}."),
        (false, 1, Some(o)) => format!("Alert {verb} {o}."),
        (false, _, None) => format!("{n} alerts {verb}."),
        (false, _, Some(o)) => format!("{n} alerts {verb} {o}."),
        (true, 1, None) => format!("告警{verb}。"),
        (true, 1, Some(o)) => format!("告警{verb}「{o}」。"),
        (true, _, None) => format!("{n} 条告警{verb}。"),
        (true, _, Some(o)) => format!("{n} 条告警{verb}「{o}」。"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_says_what_was_done_to_how_many() {
        let close = Act::Close {
            outcome: Outcome::Breach,
            note: "x".into(),
        };
        assert_eq!(code(&close, 2), "did.close.breach.2");
        assert_eq!(
            words(Lang::En, &code(&close, 2)).unwrap(),
            "2 alerts closed as breach."
        );
        assert_eq!(
            words(Lang::Zh, &code(&close, 2)).unwrap(),
            "2 条告警已结案为「违规」。"
        );
        let esc = Act::Escalate {
            to: "bob".into(),
            note: "x".into(),
        };
        assert_eq!(words(Lang::En, &code(&esc, 1)).unwrap(), "Alert escalated.");
        assert_eq!(
            words(Lang::En, &code(&Act::Claim, 3)).unwrap(),
            "3 alerts claimed."
        );
        // Only what code() makes: no words of an edited URL's own.
        for bad in [
            "done",
            "did.close.2",
            "did.close.maybe.2",
            "did.claim.0",
            "did.claim.501",
            "did.claim.2.x",
            "did.hack.1",
            "did.claim.<b>",
        ] {
            assert_eq!(words(Lang::En, bad), None, "{bad}");
        }
    }
}
