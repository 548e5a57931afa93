//! Synthetic raw WeCom events for `wcp produce --synthetic`: several one-to-one and group
//! conversations between staff and external contacts, consent (`agree`/`disagree`) records,
//! business and personal text, risky lines, PII, recalls, and other message types.
//! Deterministic for a seed (splitmix64), so runs can be compared. Message ids carry the seed
//! and the capture `seq`, and times continue from the first seq, so runs with other seeds or
//! later `--first-seq` ranges never reuse an id (nor the alert ids derived from it).

use serde_json::json;

const STAFF: &[&str] = &["zhangwei", "lina", "wangfang", "liuyang", "chenjie"];
const BUSINESS: &[&str] = &[
    "李总您好，上周说的那只基金报价单我发您邮箱了，请查收。",
    "Please find attached the term sheet for the 3-year note.",
    "明天上午十点开会讨论季度配置方案。",
    "The settlement for order 4471 is scheduled for T+2.",
    "这个产品的风险等级是R3，适合稳健型投资者。",
];
const PERSONAL: &[&str] = &[
    "周末一起去爬山吗？",
    "Happy birthday! Cake in the kitchen at 4.",
    "孩子今天发烧了，我晚点到。",
    "晚饭想吃火锅还是烤肉？",
];
const RISKY: &[&str] = &[
    "放心，这个肯定稳赚，年化8%保底",
    "内部消息，下周公告重组，先买进去",
    "这个别在企业微信说，加我私人微信详聊",
    "聊天记录都删了吧，别留痕迹",
    "We can guarantee you 12% returns, no risk at all.",
    "Let's move this to my personal WhatsApp.",
];
const PII: &[&str] = &[
    "我的手机号是13812345678，身份证号110101199003071234",
    "Card number 4111 1111 1111 1111, email me at li.ming@example.com",
    "转账到6222021234567890123，户名王芳",
    "My SSN is 123-45-6789, call +1 415 555 0100",
];

/// Generator state.
pub struct Synth {
    rng: u64,
    seed: u64,
    /// The `seq` of the next event.
    seq: u64,
    time_ms: i64,
    /// Recently sent message ids (for recalls).
    recent: Vec<String>,
    externals: Vec<String>,
    consented: Vec<bool>,
}

impl Synth {
    /// The generator of `seed` whose first event has capture seq `first_seq`.
    pub fn new(seed: u64, first_seq: u64) -> Synth {
        let mut s = Synth {
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            seed,
            seq: first_seq,
            // Events are ~1.7 s apart on average: a later range starts later in time.
            time_ms: 1_732_600_000_000 + first_seq.saturating_sub(1).min(1 << 40) as i64 * 1_700,
            recent: Vec::new(),
            externals: Vec::new(),
            consented: Vec::new(),
        };
        for _ in 0..24 {
            let id = format!("wm{}", s.token(30));
            s.externals.push(id);
            s.consented.push(false);
        }
        s
    }

    fn next_u64(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHA[self.below(ALPHA.len())] as char)
            .collect()
    }

    /// The next event: (conversation key, raw JSON line).
    pub fn next_event(&mut self) -> (String, String) {
        self.time_ms += 200 + self.below(3000) as i64;
        let msgid = format!("{}_{}_{}", self.seq, self.seed, self.time_ms / 1000);
        self.seq += 1;
        let staff = STAFF[self.below(STAFF.len())];
        let ext_ix = self.below(self.externals.len());
        let ext = self.externals[ext_ix].clone();
        let group = self.below(10) == 0;
        let roomid = if group {
            format!("wr{}", ext_ix % 4)
        } else {
            String::new()
        };
        let key = if group {
            roomid.clone()
        } else {
            let mut p = [staff, ext.as_str()];
            p.sort_unstable();
            p.join(",")
        };
        let from_ext = self.below(2) == 0;
        let (from, to) = if from_ext {
            (ext.as_str(), staff)
        } else {
            (staff, ext.as_str())
        };
        let time_ms = self.time_ms;
        let base = |msgtype: &str| {
            json!({"msgid": msgid, "action": "send", "from": from, "tolist": [to],
                   "roomid": roomid, "msgtime": time_ms, "msgtype": msgtype})
        };
        let roll = self.below(100);
        let mut v = if !self.consented[ext_ix] || roll < 2 {
            // Consent first (most contacts agree), occasionally withdrawn later.
            self.consented[ext_ix] = true;
            let kind = if self.below(5) == 0 {
                "disagree"
            } else {
                "agree"
            };
            let mut v = json!({"msgid": msgid, "action": "send", "from": ext, "tolist": [staff],
                               "roomid": "", "msgtime": self.time_ms, "msgtype": kind});
            // Effective at the record's own time, not earlier: a consent record that reaches
            // back over messages already in the stream is decided by wcp run (which reads the
            // whole input first) and the consent-gate (which knows what ingest has committed
            // so far) differently, depending on timing (docs/PRIVACY.md), and the
            // exactly-once tests compare the two runners alert by alert.
            v[kind] = json!({"userid": ext, format!("{kind}_time"): self.time_ms});
            v
        } else if roll < 6 && !self.recent.is_empty() {
            let i = self.below(self.recent.len());
            let pre = self.recent[i].clone();
            let mut v = base("revoke");
            v["action"] = json!("recall");
            v["revoke"] = json!({"pre_msgid": pre});
            v
        } else if roll < 10 {
            let mut v = base("image");
            v["image"] = json!({"md5sum": self.token(32), "filesize": 1000 + self.below(90000), "sdkfileid": self.token(40)});
            v
        } else {
            let pool = match roll {
                10..=24 => RISKY,
                25..=36 => PII,
                37..=55 => PERSONAL,
                _ => BUSINESS,
            };
            let mut v = base("text");
            v["text"] = json!({"content": pool[self.below(pool.len())]});
            v
        };
        if v["msgtype"] == "text" {
            self.recent.push(msgid.clone());
            if self.recent.len() > 64 {
                self.recent.remove(0);
            }
        }
        if let Some(o) = v.as_object_mut() {
            o.retain(|_, x| !x.is_null());
        }
        (key, v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_varied_and_parseable() {
        let mut a = Synth::new(3, 1);
        let mut b = Synth::new(3, 1);
        let mut kinds = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let (ka, la) = a.next_event();
            let (kb, lb) = b.next_event();
            assert_eq!((ka, &la), (kb, &lb));
            let v: serde_json::Value = serde_json::from_str(&la).unwrap();
            kinds.insert(v["msgtype"].as_str().unwrap().to_string());
            assert!(ids.insert(v["msgid"].as_str().unwrap().to_string()));
        }
        for k in ["agree", "disagree", "revoke", "image", "text"] {
            assert!(kinds.contains(k), "missing {k}: {kinds:?}");
        }
    }

    fn msgids(seed: u64, first_seq: u64, n: usize) -> Vec<String> {
        let mut s = Synth::new(seed, first_seq);
        (0..n)
            .map(|_| {
                let (_, line) = s.next_event();
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                v["msgid"].as_str().unwrap().to_string()
            })
            .collect()
    }

    #[test]
    fn seeds_and_seq_ranges_never_reuse_an_id() {
        let mut seen = std::collections::BTreeSet::new();
        for (seed, first) in [(1, 1), (1, 1001), (2, 1), (2, 1001), (7, 1)] {
            for id in msgids(seed, first, 1000) {
                assert!(
                    seen.insert(id.clone()),
                    "reused msgid {id} (seed {seed}, first {first})"
                );
            }
        }
        assert_eq!(msgids(2, 501, 1)[0].split('_').next(), Some("501"));
        // A later range is later in time.
        let t = |seed, first| {
            let (_, l) = Synth::new(seed, first).next_event();
            serde_json::from_str::<serde_json::Value>(&l).unwrap()["msgtime"]
                .as_i64()
                .unwrap()
        };
        assert!(t(1, 100_001) > t(1, 1) + 100_000_000);
    }
}
