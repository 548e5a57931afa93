//! Anonymisation recall for Chinese names that carry no title (#13 item 6, tuned on
//! development sets only): nicknames (`阿珍`, `小美`, `老唐让…`, `霞姐`, `明仔`, `婷婷`),
//! kinship words that point at one person (`二舅妈`, `老爸`, `老婆大人`), and a full or given
//! name right after a word that introduces a person (`客户吕春燕`, `户名唐少华`,
//! `我老婆佳佳`, `個仔陳柏霖`). Precision matters less here than leaving no one identifiable.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::LazyLock;

use crate::names_data::{CN_SURNAMES, CN_SURNAMES2, CN_SURNAMES2_FIRST};

type Sink<'a> = dyn FnMut(&'static str, usize, usize, f32) + 'a;

const SCORE: f32 = 0.5;

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Common surnames the shared table (`names_data::CN_SURNAMES`, also used by `wcp detect`)
/// lacks; only the anonymiser uses them.
const SURNAMES_MORE: &str = "赖賴蔣洪鄺邝丘區";

pub(crate) fn surname(c: char) -> bool {
    CN_SURNAMES.binary_search(&c).is_ok() || is_han(c) && SURNAMES_MORE_SET.has(c)
}

static SURNAMES_MORE_SET: LazyLock<HanSet> = LazyLock::new(|| HanSet::new(SURNAMES_MORE));

/// Characters common in given names (Simplified and Traditional; mainland, Hong Kong,
/// Taiwan), from general knowledge: a nickname is built on one of them (`小美`, `霞姐`).
const GIVEN: &str = concat!(
    "伟偉芳娜敏静靜丽麗强強磊军軍洋勇艳艷杰傑涛濤秀霞桂英华華玉兰蘭萍红紅娟梅鹏鵬飞飛斌",
    "浩凯凱建国國辉輝波宁寧琳晶欣婷雪慧颖穎佳嘉俊峰兵彬霖然晓曉雨雅琪琦瑶瑤怡婉薇蕾倩茜",
    "莉莎珍珠凤鳳燕琴丹春夏秋冬志宏鸿鴻亮辰晨昊阳陽森松柏桦樺楠荣榮福禄祿喜庆慶德仁",
    "贤賢淑惠蓉翠莹瑩璐菲妍媛嫣姗珊姝婕妮娇嬌娅婭琼瓊瑜瑾璇瑛瑞祥麟麒骏駿驰馳腾騰跃躍",
    "兴興旺铭銘锦錦钰鈺鑫鹤鶴帆航涵轩軒宸睿哲悦詩诗梦夢晴美宝寶贝貝珮佩玲铃鈴彤桐",
    "豪洁潔泽澤润潤滢瀅冰月星晖暉曦旭昕晟昌明仪儀咏詠芷蕙耀展朗晞翘翹靖绮綺芬伦倫",
    "坤雄威健虎龙龍彪海江峻岩斐霏薇苗芸茹莺鶯鹃鵑娴嫻媚娥妹玲珏瑩晶亭婷嫦蓓",
    "振雯恩谦謙达達康思乐樂清卓凌霆昆崇弘翔羽瀚煜炜煒烨燁彦彥聪聰蕊萱馨芊芝茵岚嵐瑄琰淇",
    "沁泓"
);

/// A set of Han characters as one bit each: the scans ask it about every character of a
/// line, where searching a string of a few hundred characters cost microseconds per line.
pub(crate) struct HanSet(Vec<u64>);

impl HanSet {
    pub(crate) fn new(chars: &str) -> HanSet {
        let mut bits = vec![0u64; (0x9FFF - 0x4E00) / 64 + 1];
        for c in chars.chars().filter(|&c| is_han(c)) {
            let k = c as usize - 0x4E00;
            bits[k / 64] |= 1 << (k % 64);
        }
        HanSet(bits)
    }

    pub(crate) fn has(&self, c: char) -> bool {
        is_han(c) && {
            let k = c as usize - 0x4E00;
            self.0[k / 64] & (1 << (k % 64)) != 0
        }
    }
}

static GIVEN_SET: LazyLock<HanSet> = LazyLock::new(|| HanSet::new(GIVEN));
static FOLLOW_SET: LazyLock<HanSet> = LazyLock::new(|| HanSet::new(FOLLOW));

fn given(c: char) -> bool {
    GIVEN_SET.has(c)
}

/// Characters that end a name: particles, verbs and nouns that follow a name in chat
/// (`小陈把`, `阿明老婆`, `小黄父子`). A name is cut before them.
const FOLLOW: &str = concat!(
    "的嘅说說和跟在是呢吗嗎啊呀吧了也都还還就要会會你我他她佢把让讓给給畀帮幫加住发發打",
    "电電手身家去来來到今昨已又再找问問叫讲講想做负負老婆公父母爸妈媽哥姐弟妹仔女儿兒",
    "子太生总總等与與及或同啲咗喺话話请請过過有没沒对對这這那邮郵微卡确確回往系係出",
    "聽听",
);

fn follows(c: Option<char>) -> bool {
    c.is_none_or(|c| !is_han(c) || FOLLOW_SET.has(c))
}

/// `老X`/`小X`/`阿X` that are words, not nicknames (the character after the prefix is a
/// surname or a given-name character).
const PREFIX_WORDS: &[&str] = &[
    "老师",
    "老師",
    "老公",
    "老婆",
    "老家",
    "老总",
    "老總",
    "老大",
    "老实",
    "老實",
    "老是",
    "老年",
    "老乡",
    "老鄉",
    "老外",
    "老友",
    "老虎",
    "老鼠",
    "老人",
    "老化",
    "老牌",
    "老旧",
    "老舊",
    "老样",
    "老樣",
    "老生",
    "老爸",
    "老妈",
    "老媽",
    "老母",
    "老豆",
    "老鹰",
    "老天",
    "小时",
    "小時",
    "小于",
    "小於",
    "小心",
    "小学",
    "小學",
    "小区",
    "小區",
    "小组",
    "小組",
    "小孩",
    "小伙",
    "小姐",
    "小说",
    "小說",
    "小吃",
    "小费",
    "小費",
    "小额",
    "小額",
    "小型",
    "小幅",
    "小米",
    "小号",
    "小號",
    "小康",
    "小便",
    "小白",
    "小哥",
    "小妹",
    "小弟",
    "小朋",
    "小票",
    "小数",
    "小數",
    "小红",
    "小紅",
    "小明",
    "小雨",
    "小月",
    "小宝",
    "阿里",
    "阿裏",
    "阿拉",
    "阿根",
    "阿富",
    "阿联",
    "阿聯",
    "阿尔",
    "阿爾",
    "阿斯",
    "阿迪",
    "阿胶",
    "阿膠",
    "阿弥",
    "阿彌",
    "阿森",
    "阿曼",
    "阿塞",
    "阿布",
    "阿萨",
    "阿薩",
    "阿克",
    "阿米",
    "阿莫",
    "阿姆",
    "阿们",
    "阿們",
    "阿婆罗",
    "阿波",
];

/// `老师`, `小时`: the prefix and the character make a word (used by the title scan too).
pub(crate) fn prefix_word(w: &str) -> bool {
    PREFIX_WORDS.contains(&w)
}

/// Doubled given-name characters that are words (`明明`, `天天`).
const DOUBLED_WORDS: &str = "明天星亮冬春秋夏月宝寶";

/// 阿/小/老 + one name character: `阿珍`, `阿輝`, `小美`, `小陈把…`, `老唐让…`.
fn nicknames(t: &str, chars: &[(usize, char)], out: &mut Sink) {
    for k in 0..chars.len().saturating_sub(1) {
        let (i, p) = chars[k];
        if !matches!(p, '阿' | '小' | '老') {
            continue;
        }
        let (j, c) = chars[k + 1];
        if !is_han(c) {
            continue;
        }
        let end = j + c.len_utf8();
        let word = &t[i..end];
        // `小宝宝`, `小明天`: the longer word wins over the nickname
        if PREFIX_WORDS.iter().any(|w| t[i..].starts_with(w)) {
            // …except when the word is all there is: `小宝的`, `小明说`
            let exact = PREFIX_WORDS.contains(&word) && !matches!(word, "小宝" | "小明" | "小雨");
            if exact || !follows(chars.get(k + 2).map(|x| x.1)) {
                continue;
            }
        }
        let next = chars.get(k + 2).map(|x| x.1);
        let ok = match p {
            // 阿 + any character names someone in Cantonese and southern speech
            '阿' => c != '姨',
            _ => (surname(c) || given(c)) && follows(next),
        };
        // the prefix glued to a word before it (`从小`, `很小`, `古老`) is no prefix
        let before = k.checked_sub(1).map(|b| chars[b].1);
        let glued = before.is_some_and(|b| "从從很最太较較微缩縮变變古养養大细細".contains(b));
        if ok && !glued {
            out("PERSON", i, end, SCORE);
        }
    }
}

/// X姐/X哥/X仔/X妹 with X a given-name character (`霞姐`, `强哥`, `明仔`), and doubled
/// given-name characters (`婷婷`, `佳佳`).
fn affectionate(t: &str, chars: &[(usize, char)], out: &mut Sink) {
    // `肥仔明`, `靚仔強`: a descriptor, 仔 and a given-name character
    for k in 0..chars.len().saturating_sub(2) {
        let (i, c) = chars[k];
        let (j, g) = chars[k + 2];
        let descriptor = matches!(
            c,
            '肥' | '靓' | '靚' | '细' | '細' | '高' | '矮' | '黑' | '傻'
        );
        if descriptor && chars[k + 1].1 == '仔' && given(g) {
            out("PERSON", i, j + g.len_utf8(), SCORE);
        }
    }
    // `B哥`, `KK姐`: one to three capital letters before 哥/姐/仔
    for &(j, d) in chars {
        if matches!(d, '哥' | '姐' | '仔') {
            let head = &t[..j];
            let n = head
                .bytes()
                .rev()
                .take_while(u8::is_ascii_uppercase)
                .count();
            let free = head[..j - n]
                .bytes()
                .next_back()
                .is_none_or(|b| !b.is_ascii_alphabetic());
            if (1..=3).contains(&n) && free {
                out("PERSON", j - n, j + d.len_utf8(), SCORE);
            }
        }
    }
    for k in 0..chars.len().saturating_sub(1) {
        let (i, c) = chars[k];
        let (j, d) = chars[k + 1];
        if !given(c) {
            continue;
        }
        let end = j + d.len_utf8();
        let before = k.checked_sub(1).map(|b| chars[b].1);
        let free_left =
            before.is_none_or(|b| !is_han(b) || FOLLOW_SET.has(b) || "告叫问問找请請".contains(b));
        let affection = matches!(d, '姐' | '哥' | '仔' | '妹') && free_left;
        let doubled =
            d == c && !DOUBLED_WORDS.contains(c) && follows(chars.get(k + 2).map(|x| x.1));
        if affection || doubled {
            out("PERSON", i, end, SCORE);
        }
    }
}

static KIN_START: LazyLock<HanSet> =
    LazyLock::new(|| HanSet::new("大二三四五六七八九小舅姨叔伯姑婶嬸嫂老"));

/// Kinship words that point at one person: `二舅`, `二舅妈`, `舅舅`, `大姐`, `老爸`,
/// `老婆大人`.
fn kinship(t: &str, chars: &[(usize, char)], out: &mut Sink) {
    const ORDINAL: &str = "大二三四五六七八九小";
    const ELDER: &str = "舅姨叔伯姑婶嬸嫂";
    const SIBLING: &str = "哥姐弟妹";
    const SPOUSE: &str = "妈媽父母丈公婆夫";
    // the end of the last word reported: `舅妈` inside `二舅妈` is not reported again
    let mut covered = 0;
    for k in 0..chars.len() {
        let (i, c) = chars[k];
        if !KIN_START.has(c) || i < covered {
            continue;
        }
        let at = |n: usize| chars.get(k + n).map(|x| x.1);
        let end_at = |n: usize| chars.get(k + n).map_or(t.len(), |x| x.0);
        if k.checked_sub(1).is_some_and(|b| chars[b].1 == '老') {
            continue; // `老姑娘`, `老伯`: not a relative's name
        }
        let n = if ORDINAL.contains(c) {
            match at(1) {
                Some('姑') if at(2) == Some('娘') => 0,
                Some(e) if ELDER.contains(e) => {
                    2 + usize::from(at(2).is_some_and(|s| SPOUSE.contains(s)))
                }
                Some(s) if SIBLING.contains(s) && c != '小' => {
                    2 + usize::from(at(2) == Some('夫'))
                }
                _ => 0,
            }
        } else if ELDER.contains(c) {
            if at(1) == Some(c) && !"叔伯".contains(c) {
                2
            } else if at(1) == Some('姑') && at(2) == Some('娘') {
                0
            } else if at(1).is_some_and(|s| SPOUSE.contains(s)) {
                2
            } else {
                0
            }
        } else if c == '老' {
            match at(1) {
                Some('爸' | '妈' | '媽' | '豆' | '窦') => 2,
                Some('婆') if t[i..].starts_with("老婆大人") => 4,
                _ => 0,
            }
        } else {
            0
        };
        if n > 0 {
            covered = end_at(n);
            out("PERSON", i, covered, SCORE);
        }
    }
}

/// Words after which a name follows: a role (`客户`, `户名`, `收款人`) before a full name,
/// or a relation (`老婆`, `表哥`, `個仔`) before a full or given name.
const ROLES: &[&str] = &[
    "客户",
    "客戶",
    "户名",
    "戶名",
    "收款人",
    "付款人",
    "收件人",
    "寄件人",
    "联系人",
    "聯繫人",
    "聯絡人",
    "委托人",
    "委託人",
    "受益人",
    "投保人",
    "被保险人",
    "被保險人",
    "持卡人",
    "开户人",
    "開戶人",
    "法人代表",
    "法人",
    "代表",
    "员工",
    "員工",
    "同事",
    "居民",
    "经理",
    "經理",
    "姓名",
    "名字",
    "业主",
    "業主",
    "租客",
    "房东",
    "房東",
    "申请人",
    "申請人",
    "借款人",
    "担保人",
    "擔保人",
    "负责人",
    "負責人",
    "学生",
    "學生",
    "同学",
    "同學",
    "朋友",
    "助理",
    "秘书",
    "秘書",
    "入职",
    "入職",
    "老板",
    "老闆",
    "上司",
    "介绍人",
    "介紹人",
    "签收人",
    "簽收人",
];
const RELATIONS: &[&str] = &[
    "老婆",
    "老公",
    "太太",
    "丈夫",
    "妻子",
    "女儿",
    "女兒",
    "儿子",
    "兒子",
    "个仔",
    "個仔",
    "个女",
    "個女",
    "表哥",
    "表姐",
    "表弟",
    "表妹",
    "堂哥",
    "堂姐",
    "堂弟",
    "堂妹",
    "阿爸",
    "阿妈",
    "阿媽",
    "老爸",
    "老妈",
    "老媽",
    "我爸",
    "我妈",
    "我媽",
    "我哥",
    "我姐",
    "我弟",
    "我妹",
    "佢哥",
    "佢姐",
    "男朋友",
    "女朋友",
    "男友",
    "女友",
    "弟弟",
    "妹妹",
    "哥哥",
    "姐姐",
    "外甥",
    "侄子",
    "侄女",
    "孙子",
    "孙女",
    "孫子",
    "孫女",
    "老豆",
    "媳妇",
    "媳婦",
    "女婿",
    "姨丈",
    "姑丈",
    "舅父",
    "姨妈",
    "姨媽",
    "姑妈",
    "姑媽",
    "爷爷",
    "爺爺",
    "奶奶",
    "外公",
    "外婆",
    "岳父",
    "岳母",
    "老母",
    "细佬",
    "細佬",
    "家姐",
    "阿哥",
    "大哥",
    "二哥",
    "大姐",
    "二姐",
    "妹夫",
    "姐夫",
    "嫂子",
    "表兄",
    "老细",
    "老細",
    "拍档",
    "拍檔",
    "合伙人",
    "合夥人",
];

static CUES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // a DFA: fewer steps per byte than the default automaton, on every line with Han text
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(ROLES.iter().chain(RELATIONS))
        .expect("name cues build")
});

/// Titles that end a name (`王小姐`: the name is `王`, not `王小`).
const TITLE_AFTER: &[&str] = &[
    "小姐", "先生", "女士", "太太", "老师", "老師", "经理", "經理", "总", "總", "生", "姐", "哥",
];

fn cued(t: &str, out: &mut Sink) {
    for m in CUES.find_iter(t) {
        let relation = m.pattern().as_usize() >= ROLES.len();
        let mut s = m.end();
        let rest = &t[s..];
        for f in ["：", ":", " ", "叫", "係"] {
            if rest.starts_with(f) {
                s += f.len();
                break;
            }
        }
        let mut cs = t[s..].char_indices();
        let Some((_, first)) = cs.next() else {
            continue;
        };
        if !is_han(first) {
            continue;
        }
        // a compound surname counts as one character of the name
        let head = CN_SURNAMES2
            .iter()
            .find(|p| t[s..].starts_with(**p))
            .map_or(first.len_utf8(), |p| p.len());
        // `客户经理`, `我姐姐`: a title or another cue, not a name
        if TITLE_AFTER
            .iter()
            .chain(ROLES)
            .chain(RELATIONS)
            .any(|w| t[s..].starts_with(w))
        {
            continue;
        }
        let from_surname = head > first.len_utf8() || surname(first);
        if !from_surname && !relation {
            continue;
        }
        // without a surname, a given name: `佳佳`, `小峰`, `阿明` (not `下周`, `怀二胎`)
        let second = t[s + first.len_utf8()..].chars().next();
        if !from_surname && !((given(first) || "小阿".contains(first)) && second.is_some_and(given))
        {
            continue;
        }
        let mut end = s + head;
        let mut n = 0;
        while n < 2 {
            let rest = &t[end..];
            let Some(c) = rest.chars().next() else { break };
            // `新员工叫李想。`: a particle-like character that ends the line is the name's
            let last = n == 0
                && rest[c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(|d| !is_han(d));
            if !is_han(c)
                || FOLLOW_SET.has(c) && !"小子生女".contains(c) && !last
                || TITLE_AFTER.iter().any(|w| rest.starts_with(w))
            {
                break;
            }
            end += c.len_utf8();
            n += 1;
        }
        // a surname (or, after a relation, a given-name character) and one or two more
        if n >= 1 {
            out("PERSON", s, end, SCORE);
        }
    }
}

/// A compound surname with a title (`欧阳总`, `司马先生`): the single-surname scan sees
/// only `阳总`.
fn compound_titled(t: &str, chars: &[(usize, char)], out: &mut Sink) {
    for &(i, c) in chars {
        if CN_SURNAMES2_FIRST.binary_search(&c).is_err() {
            continue;
        }
        let Some(p) = CN_SURNAMES2.iter().find(|p| t[i..].starts_with(**p)) else {
            continue;
        };
        let end = i + p.len();
        if let Some(ti) = TITLE_AFTER.iter().find(|w| t[end..].starts_with(**w)) {
            out("PERSON", i, end + ti.len(), SCORE);
        }
    }
}

/// Two-character words of given-name characters that are not names.
const GIVEN_WORDS: &[&str] = &[
    "美国", "美國", "英国", "英國", "德国", "德國", "海洋", "美丽", "美麗", "明星", "国庆", "國慶",
    "荣耀", "榮耀", "兴业", "興業", "平安", "健康", "光明", "明亮", "晴朗", "春秋", "冬月", "秋冬",
    "春夏", "华夏", "華夏", "英明",
];

/// A given name on its own between punctuation (`建国，秀芳的电话`, `问下美玲，她`): two
/// given-name characters with nothing Han before them but a verb that asks or calls.
fn bare_given(t: &str, chars: &[(usize, char)], out: &mut Sink) {
    for k in 0..chars.len().saturating_sub(1) {
        let (i, c) = chars[k];
        let (j, d) = chars[k + 1];
        if !(given(c) && given(d)) || c == d {
            continue;
        }
        let before = k.checked_sub(1).map(|b| chars[b].1);
        let left =
            before.is_none_or(|b| !is_han(b) || "问問叫找跟和同给給让讓请請告下".contains(b));
        let end = j + d.len_utf8();
        if left && follows(chars.get(k + 2).map(|x| x.1)) && !GIVEN_WORDS.contains(&&t[i..end]) {
            out("PERSON", i, end, SCORE);
        }
    }
}

/// Report the name spans of `t` (call only when `t` has non-ASCII text).
pub fn find(t: &str, out: &mut Sink) {
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    compound_titled(t, &chars, out);
    bare_given(t, &chars, out);
    nicknames(t, &chars, out);
    affectionate(t, &chars, out);
    kinship(t, &chars, out);
    cued(t, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(t: &str, f: fn(&str, &[(usize, char)], &mut Sink)) -> Vec<String> {
        let chars: Vec<(usize, char)> = t.char_indices().collect();
        let mut v = Vec::new();
        f(t, &chars, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        v
    }

    fn cued_spans(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        cued(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        v
    }

    #[test]
    fn nicknames_with_a_prefix() {
        assert_eq!(spans("阿珍嘅地址", nicknames), ["阿珍"]);
        assert_eq!(spans("小陈把蒋总的邮箱加上", nicknames), ["小陈"]);
        assert_eq!(spans("小美的邮箱", nicknames), ["小美"]);
        assert_eq!(spans("老唐让把钱转过去", nicknames), ["老唐"]);
        // words, not nicknames
        assert!(spans("排队排了两小时", nicknames).is_empty());
        assert!(spans("老师说小心点，我从小在阿里", nicknames).is_empty());
    }

    #[test]
    fn affectionate_forms_and_doubled_given_names() {
        assert_eq!(spans("請轉告霞姐，電話改咗", affectionate), ["霞姐"]);
        assert_eq!(spans("婷婷的支付宝", affectionate), ["婷婷"]);
        assert_eq!(spans("肥仔明今晚嚟唔嚟", affectionate), ["肥仔明"]);
        assert_eq!(spans("B哥同阿Sam", affectionate), ["B哥"]);
        assert!(spans("明天见，天天开心", affectionate).is_empty());
    }

    #[test]
    fn kinship_words_for_one_person() {
        assert_eq!(spans("二舅手机，二舅妈手机", kinship), ["二舅", "二舅妈"]);
        assert_eq!(spans("舅舅住在温州", kinship), ["舅舅"]);
        assert_eq!(spans("老爸手机，老妈手机", kinship), ["老爸", "老妈"]);
        assert_eq!(spans("老婆大人的卡", kinship), ["老婆大人"]);
        assert_eq!(spans("我给大姐转个账", kinship), ["大姐"]);
        assert_eq!(
            spans("大伯二伯三叔都来了", kinship),
            ["大伯", "二伯", "三叔"]
        );
        assert!(spans("大家好，二手房", kinship).is_empty());
    }

    #[test]
    fn names_after_a_role_or_relation() {
        assert_eq!(cued_spans("客户吕春燕回乡证"), ["吕春燕"]);
        assert_eq!(cued_spans("户名唐少华"), ["唐少华"]);
        assert_eq!(cued_spans("他太太何静的手机"), ["何静"]);
        assert_eq!(cued_spans("我老婆佳佳的卡"), ["佳佳"]);
        assert_eq!(cued_spans("陳生個仔陳柏霖嘅 email"), ["陳柏霖"]);
        assert_eq!(cued_spans("客户欧阳晓出生"), ["欧阳晓"]);
        assert_eq!(cued_spans("我姨丈张国荣"), ["张国荣"]);
        assert_eq!(cued_spans("新员工叫李想。"), ["李想"]);
        assert_eq!(cued_spans("王小姐说"), Vec::<String>::new());
        // a role before a word that is no name
        assert!(cued_spans("客户上周说").is_empty());
        assert!(cued_spans("客户经理说").is_empty());
    }

    #[test]
    fn compound_surnames_with_a_title_and_bare_given_names() {
        assert_eq!(spans("请把欧阳总的简历发来", compound_titled), ["欧阳总"]);
        assert_eq!(spans("建国，秀芳的电话是", bare_given), ["建国", "秀芳"]);
        assert_eq!(spans("你问下美玲，她收到没", bare_given), ["美玲"]);
        assert_eq!(
            spans("振華，嘉欣同詠詩聽日去", bare_given),
            ["振華", "嘉欣", "詠詩"]
        );
        assert!(spans("美国，英国的利率", bare_given).is_empty());
        assert!(spans("他说明天再来", bare_given).is_empty());
        assert!(surname('赖') && !CN_SURNAMES.contains(&'赖'));
    }
}
