//! Issue 11: business/personal on chat the model was not written for.
//!
//! 1. The labelling convention the blind sets and the issue use, on lines written for this test
//!    (not corpus lines, not lines of any evaluation set): an absence whose point is family,
//!    health or one's own holiday is personal, one whose point is the hand-over of work is
//!    business; friends' contact changes, farewells, festival snacks and one's own fund losses
//!    are personal; desk numbers, market colour and client work are business.
//! 2. The frozen issue-11 blind sets (chat_a..chat_d, copied into wcp-risk's fixtures) keep the
//!    macro-F1 the shipped model reaches on them with a text-only envelope, a little rounded
//!    down. These are development figures (the corpus genres were widened after reading their
//!    errors, docs/CLASSIFIER.md); the floor catches a retrained model that loses them.
use wcp_classify::{BusinessClassifier, Class, Class::*, EventContext};

const CONVENTION: &[(&str, Class)] = &[
    ("女儿半夜吐了两次，我上午请假带她去儿科", Personal),
    ("我爸明天做心脏支架，这周我都在医院", Personal),
    (
        "My daughter has the flu, working from home to look after her",
        Personal,
    ),
    ("阿嫲跌親要入院，我下晝要走", Personal),
    ("下周请了三天年假去大理晒太阳", Personal),
    ("Off to Bali next week, can't wait for the beach", Personal),
    ("手机丢了，新号码139 0000 1234，麻烦大家存一下", Personal),
    (
        "for the school parents' chat my email is tom.lee88@gmail.com",
        Personal,
    ),
    ("周四晚上给小林办送别饭，火锅，来的举手", Personal),
    (
        "Leaving drinks for Priya on Thursday, the usual bar at 6",
        Personal,
    ),
    ("端午安康！粽子在茶水间，一人两个", Personal),
    ("我自己买的医药基金又亏了，不想看了", Personal),
    ("聽晚去唔去打羽毛球？八點", Personal),
    (
        "Liverpool were awful last night, what a waste of a Saturday",
        Personal,
    ),
    ("年假从下周一开始，客户的事交给小周跟进", Business),
    (
        "Anna is on leave till Friday, I'm covering her accounts",
        Business,
    ),
    ("我的新座机是021-6888 1234，下周起生效", Business),
    (
        "HSCEI down 1.5% at the open, clients asking whether to trim China exposure",
        Business,
    ),
    ("王总，您那只债基本周净值更新了，涨了0.3%", Business),
    ("陳生份合約簽咗，我聽日寄返俾佢", Business),
    (
        "Can someone send me the updated suitability form for the Lim account?",
        Business,
    ),
    ("合规部下午两点开会讨论新的KYC流程", Business),
    (
        "the term sheet needs legal sign-off before we send it to the client",
        Business,
    ),
    ("客戶想贖回，幫手check下幾時到賬", Business),
];

#[test]
fn the_issue_11_convention_holds_on_fresh_lines() {
    let clf = BusinessClassifier::builtin();
    let wrong: Vec<_> = CONVENTION
        .iter()
        .filter(|(text, want)| clf.decide(text, &EventContext::default()).0 != *want)
        .collect();
    // 22 of 24 at this commit (the two misses: English holiday and leaving-drinks lines)
    assert!(wrong.len() <= 3, "{} wrong: {wrong:?}", wrong.len());
}

/// Macro-F1 of business/personal at the default policy, text-only envelope.
fn macro_f1(jsonl: &str) -> f64 {
    let clf = BusinessClassifier::builtin();
    let (mut bb, mut bp, mut pb, mut pp) = (0f64, 0f64, 0f64, 0f64);
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = row["text"].as_str().unwrap();
        let got = clf.decide(text, &EventContext::default()).0;
        match (row["class"].as_str().unwrap(), got) {
            ("business", Business) => bb += 1.0,
            ("business", Personal) => bp += 1.0,
            ("personal", Business) => pb += 1.0,
            ("personal", Personal) => pp += 1.0,
            _ => {}
        }
    }
    let f1 = |tp: f64, fp: f64, fn_: f64| 2.0 * tp / (2.0 * tp + fp + fn_);
    (f1(bb, pb, bp) + f1(pp, bp, pb)) / 2.0
}

#[test]
fn the_issue_11_sets_keep_their_class_figures() {
    let sets = [
        (
            "chat_a",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_a.jsonl"),
            0.79,
        ),
        (
            "chat_b",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_b.jsonl"),
            0.77,
        ),
        (
            "chat_c",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_c.jsonl"),
            0.82,
        ),
        (
            "chat_d",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_d.jsonl"),
            0.77,
        ),
        // round 3: chat_e was read for the corpus, chat_f held out (0.857 / 0.834 before)
        (
            "chat_e",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_e.jsonl"),
            0.90,
        ),
        (
            "chat_f",
            include_str!("../../wcp-risk/tests/fixtures/issue11_chat_f.jsonl"),
            0.85,
        ),
    ];
    for (name, data, floor) in sets {
        let f1 = macro_f1(data);
        assert!(f1 >= floor, "{name}: macro-F1 {f1:.3} below {floor}");
    }
}
