//! Plain words for an alert: why it was raised (the phrase, as `wcp detect` explains it, not
//! rule ids or model features), what consent did to the content, why the evidence is not
//! shown when it is quarantined, and what became of a message that is gone. Built from the
//! alert and what the archive stores and chains; no I/O here.

use wcp_archive::fate::Removed;
use wcp_archive::StoredMessage;
use wcp_model::{Classification, ConsentState, Disposition};

use crate::i18n::Lang;
use crate::layout::time;

fn zh(lang: Lang) -> bool {
    lang == Lang::Zh
}

/// What a disposition did to the content, in words.
pub fn disposition_words(d: Disposition, lang: Lang) -> &'static str {
    match (d, zh(lang)) {
        (Disposition::Archive, false) => "archived as sent",
        (Disposition::Archive, true) => "按原文归档",
        (Disposition::ArchiveAnonymised, false) => {
            "archived anonymised (personal data and contact ids replaced by pseudonyms)"
        }
        (Disposition::ArchiveAnonymised, true) => "匿名化归档（个人信息和联系人 ID 替换为假名）",
        (Disposition::Quarantine, false) => "quarantined (content held back from reviewers)",
        (Disposition::Quarantine, true) => "隔离（内容不向审查人员显示）",
        (Disposition::MetadataOnly, false) => {
            "archived as metadata only (who, when, type; no content)"
        }
        (Disposition::MetadataOnly, true) => "仅归档元数据（发送人、时间、类型；无内容）",
    }
}

/// The characters `start..end` (code points, end exclusive) of `text`: a hit's words.
pub fn span_text(text: &str, start: u32, end: u32) -> String {
    text.chars()
        .skip(start as usize)
        .take(end.saturating_sub(start) as usize)
        .collect()
}

/// One line per risk hit of the alert's own category: the phrase that matched in the text
/// shown, or the text model. Other categories on the same message are not this alert's why.
pub fn risk_lines(category: &str, c: &Classification, text: &str, lang: Lang) -> Vec<String> {
    c.risks
        .iter()
        .filter(|r| r.category.as_str() == category)
        .map(|r| {
            let score = format!("{:.2}", r.score);
            if r.rule_id.starts_with("model.") {
                return if zh(lang) {
                    format!("{category} 文本模型判定（得分 {score}），无词表短语")
                } else {
                    format!("the {category} text model (score {score}); no listed phrase")
                };
            }
            let words = span_text(text, r.start, r.end);
            match (words.is_empty(), zh(lang)) {
                (false, false) => format!("phrase \"{words}\" (score {score})"),
                (false, true) => format!("短语“{words}”（得分 {score}）"),
                (true, false) => format!("a listed phrase (score {score}); the words are not shown because the content is not kept in clear"),
                (true, true) => format!("词表短语（得分 {score}）；内容未以明文保存，故不显示原词"),
            }
        })
        .collect()
}

/// The words of the message that raised a risk alert of `category`, for the queue's Rule
/// column (trial 18d D4: a rule id names its rule group, `bribery.zh.意思一下`, not the words
/// that matched): each distinct phrase of the category in `text` as stored, joined by " … ",
/// at most 40 characters. A phrase touching a PII value is masked unless the viewer sees
/// PII (`clear`), as the message is. None for a text-model hit or content not kept in clear.
pub fn queue_phrase(category: &str, c: &Classification, text: &str, clear: bool) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for r in c.risks.iter().filter(|r| r.category.as_str() == category) {
        let w = span_text(text, r.start, r.end);
        let pii = c.pii.iter().any(|p| p.start < r.end && r.start < p.end);
        let w = if pii && !clear {
            wcp_review::mask::MASK.to_string()
        } else {
            w
        };
        if !w.is_empty() && !words.contains(&w) {
            words.push(w);
        }
    }
    let joined = words.join(" … ");
    let mut out: String = joined.chars().take(40).collect();
    if out.len() < joined.len() {
        out.push('…');
    }
    (!out.is_empty()).then_some(out)
}

/// The contacts whose consent decided the message (those in the decision's state).
fn gated_contacts(d: &wcp_model::ConsentDecision) -> Vec<&str> {
    d.contacts
        .iter()
        .filter(|c| c.state == d.state)
        .map(|c| c.contact.as_str())
        .collect()
}

/// The plain line of a consent-violation alert: who refused (or never answered), when, and
/// what was done with the content under which policy. `refused_at` is the contact's latest
/// `disagree` at or before the message, from the archive's consent records.
pub fn consent_line(
    m: &StoredMessage,
    refused_at: Option<i64>,
    lang: Lang,
    zone: i32,
) -> Option<String> {
    let d = m.consent.as_ref()?;
    let done = disposition_words(m.disposition, lang);
    let who = gated_contacts(d);
    consent_sentence(d.state, &who, refused_at, m.time_ms, Some(done), lang, zone)
}

/// [`consent_line`] from parts that outlive the message (the alert, the consent records):
/// `done` is what was done with the content, None once the message itself is gone.
pub fn consent_sentence(
    state: ConsentState,
    who: &[&str],
    refused_at: Option<i64>,
    at_ms: i64,
    done: Option<&str>,
    lang: Lang,
    zone: i32,
) -> Option<String> {
    let who = if who.is_empty() {
        "—".to_string()
    } else {
        who.join(", ")
    };
    let at = time(at_ms, zone);
    let policy = match state {
        ConsentState::Disagreed => "on_disagreed",
        ConsentState::Unknown => "on_unknown",
        _ => return None,
    };
    let outcome = match (done, zh(lang)) {
        (Some(d), false) => format!("was {d} under policy {policy}"),
        (Some(d), true) => format!("按 {policy} 策略{d}"),
        (None, false) => format!("fell under policy {policy}"),
        (None, true) => format!("适用 {policy} 策略"),
    };
    Some(match (state, zh(lang)) {
        (ConsentState::Disagreed, false) => {
            let when = refused_at.map_or_else(|| "before this message".to_string(), |t| format!("on {}", time(t, zone)));
            format!("External contact {who} disagreed to archiving {when}; this message of {at} {outcome}.")
        }
        (ConsentState::Disagreed, true) => {
            let when = refused_at.map_or_else(|| "本消息之前".to_string(), |t| format!("于 {}", time(t, zone)));
            format!("外部联系人 {who} {when}拒绝存档；本消息（{at}）{outcome}。")
        }
        (_, false) => format!("External contact {who} had not agreed to archiving at {at} (no agree record yet); this message {outcome}."),
        (_, true) => format!("外部联系人 {who} 在 {at} 尚未同意存档（尚无同意记录）；本消息{outcome}。"),
    })
}

/// A contact's consent at `at_ms` from their consent records (msgtype, time; any order):
/// the last `agree`/`disagree` up to then, and the latest refusal up to then.
pub fn ledger_state(events: &[(String, i64)], at_ms: i64) -> (ConsentState, Option<i64>) {
    let mut upto: Vec<&(String, i64)> = events.iter().filter(|e| e.1 <= at_ms).collect();
    upto.sort_by_key(|e| e.1);
    let refused = upto.iter().filter(|e| e.0 == "disagree").map(|e| e.1).max();
    let state = match upto.last().map(|e| e.0.as_str()) {
        Some("agree") => ConsentState::Agreed,
        Some("disagree") => ConsentState::Disagreed,
        _ => ConsentState::Unknown,
    };
    (state, refused)
}

/// What a consent-violation alert asks of the reviewer, and why its severity is what it is:
/// a contact who refused (`consent.disagreed_contact`, medium) and one who never answered
/// (`consent.unknown_contact`, low) call for different advice (trial 18d D12).
pub fn consent_guidance(state: ConsentState, lang: Lang) -> &'static str {
    match (state, zh(lang)) {
        (ConsentState::Disagreed, false) => "The alert records that content flowed with a contact who refused archiving; it is not a finding against staff by itself. Close it as no_issue when the conversation is in order, or as breach when staff kept doing business with the contact after the refusal. Severity medium: the contact said no and the conversation went on (archived anonymised); a contact who never answered is low.",
        (ConsentState::Disagreed, true) => "此告警记录的是联系人拒绝存档后仍有内容往来，本身并不认定员工违规。对话正常可按“无问题”结案；若员工在对方拒绝后仍继续业务往来，可按“违规”结案。严重程度为中：联系人已明确拒绝而对话仍在继续（已匿名化存档）；从未答复的联系人为低。",
        (_, false) => "The alert records that content flowed with a contact whose consent is not on record: they have not answered yet (as a new contact has not before their first reply), or their agree was not captured; it is not a finding against staff by itself. Close it as no_issue when the conversation is in order and ask the data-protection officer to follow up the contact's consent, or as breach when staff went on doing business with the contact without seeking it. Severity low: the contact has refused nothing, and wcp kept no content of theirs in clear (quarantined); a contact who refused is medium.",
        (_, true) => "此告警记录的是与尚无同意记录的联系人之间有内容往来：对方尚未答复（新联系人首次回复前即如此），或其同意未被采集；本身并不认定员工违规。对话正常可按“无问题”结案，并请数据保护官跟进对方的同意；若员工未征得同意仍继续业务往来，可按“违规”结案。严重程度为低：联系人并未拒绝，且 wcp 未以明文保存其任何内容（已隔离）；已拒绝的联系人为中。",
    }
}

/// Why a quarantined message shows no text, whether it was kept, and what to do.
pub fn quarantine_notice(
    m: &StoredMessage,
    region: &str,
    lang: Lang,
    zone: i32,
) -> Option<Vec<String>> {
    if m.disposition != Disposition::Quarantine {
        return None;
    }
    let at = time(m.time_ms, zone);
    let mut out = Vec::new();
    let (state, who) = match &m.consent {
        Some(d) => (Some(d.state), gated_contacts(d).join(", ")),
        None => (None, String::new()),
    };
    out.push(match (state, zh(lang)) {
        (Some(ConsentState::Disagreed), false) => format!("Content quarantined: external participant {who} had refused archiving at {at}, and the policy quarantines it."),
        (Some(ConsentState::Disagreed), true) => format!("内容已隔离：外部参与者 {who} 在 {at} 已拒绝存档，按策略隔离。"),
        (Some(_), false) => match &m.roomid {
            Some(room) if !room.is_empty() => format!("Content quarantined: consent unknown for external participant {who} at {at} (no agree record), so this message of the group room {room} is held back under policy on_unknown, whatever the room's other participants agreed."),
            _ => format!("Content quarantined: consent unknown for external participant {who} at {at} (no agree record), so this message of {} is held back under policy on_unknown.", chat_words(m, lang)),
        },
        (Some(_), true) => match &m.roomid {
            Some(room) if !room.is_empty() => format!("内容已隔离：外部参与者 {who} 在 {at} 的同意状态未知（无同意记录），按 on_unknown 策略暂不显示群聊 {room} 中的这条消息（无论群内其他人是否已同意）。"),
            _ => {
                let (a, b) = one_to_one_pair(m);
                format!("内容已隔离：外部参与者 {who} 在 {at} 的同意状态未知（无同意记录），按 on_unknown 策略暂不显示 {a} 与 {b} 单聊中的这条消息。")
            }
        },
        (None, false) => "Content quarantined: whose it is and their consent could not be known.".to_string(),
        (None, true) => "内容已隔离：无法确定其归属及同意状态。".to_string(),
    });
    let release = format!(
        "wcp archive quarantine release --db archive-{region}.db --msgid {} --dpo-key dpo.key --reason \"…\"",
        m.msgid
    );
    if m.sealed.is_some() {
        out.push(if zh(lang) {
            "内容已用数据保护官（DPO）的公钥加密保存，审查人员在释放前无法查看。".to_string()
        } else {
            "The content is kept sealed to the data-protection officer's key: no reviewer can read it until it is released.".to_string()
        });
        out.push(if zh(lang) {
            format!("如需查看：在同意记录到位后，请数据保护官释放：{release}")
        } else {
            format!("To see it: once consent is on record, ask the data-protection officer to release it: {release}")
        });
    } else {
        out.push(if zh(lang) {
            "内容未保存：写入方没有隔离公钥（wcp run 未加 --quarantine-key，或归档服务未设 quarantine_public_key_file），只保存了发送人、时间和类型，无法释放。".to_string()
        } else {
            "The content was not kept: the writer had no quarantine key (wcp run without --quarantine-key, or the archiver without quarantine_public_key_file), so only who, when and the type were archived, and nothing can be released.".to_string()
        });
        out.push(if zh(lang) {
            "原文只能从来源（企业微信自身的会话存档）取得，wcp 中没有。可在处理记录中注明并请数据保护官跟进同意状态（联系人身份的查找方法见下方“联系人是谁”）。".to_string()
        } else {
            "The text can only come from the source (WeCom's own chat archive), not from wcp. Note this in the alert's history and ask the data-protection officer to follow up the contact's consent (\"Who the contact is\" below says where to find them).".to_string()
        });
    }
    Some(out)
}

/// A staff member of the message: a staff id that is no consent-gated contact (a contact's
/// pseudonym looks like a staff id to `Role::of_id`).
fn is_staff(m: &StoredMessage, id: &str) -> bool {
    let contact = m
        .consent
        .iter()
        .flat_map(|d| d.contacts.iter())
        .any(|c| c.contact == id);
    !contact
        && std::iter::once(&m.from)
            .chain(m.to.iter())
            .any(|p| p.id == id && p.role == wcp_model::Role::Staff)
}

/// The two sides of a one-to-one chat, staff first ("zhangwei", "PARTICIPANT_…"), whichever
/// of them sent the message: the sender alone would name a contact who wrote to staff twice.
fn one_to_one_pair(m: &StoredMessage) -> (&str, &str) {
    let mut ids = m.participant_ids();
    ids.sort_by_key(|id| !is_staff(m, id));
    (
        ids.first().copied().unwrap_or("—"),
        ids.last().copied().unwrap_or("—"),
    )
}

/// The conversation in words: "the group room wr…" or "the one-to-one chat between A and B".
pub fn chat_words(m: &StoredMessage, lang: Lang) -> String {
    if let Some(room) = m.roomid.as_deref().filter(|r| !r.is_empty()) {
        return if zh(lang) {
            format!("群聊 {room}")
        } else {
            format!("the group room {room}")
        };
    }
    let (a, b) = one_to_one_pair(m);
    if zh(lang) {
        format!("{a} 与 {b} 的单聊")
    } else {
        format!("the one-to-one chat between {a} and {b}")
    }
}

/// The staff members of a message, its sender first when staff sent it.
struct Staff<'a> {
    ids: Vec<&'a str>,
    sender: bool,
}

fn staff_of(m: &StoredMessage) -> Staff<'_> {
    let mut ids: Vec<&str> = m
        .participant_ids()
        .into_iter()
        .filter(|id| is_staff(m, id))
        .collect();
    let sender = ids.contains(&m.from.id.as_str());
    ids.sort_by_key(|id| *id != m.from.id);
    if ids.is_empty() {
        ids.push("—");
    }
    Staff { ids, sender }
}

impl Staff<'_> {
    /// "zhangwei (sender), liuyang" — the sender is marked when there are several (trial 18d
    /// D12: "liuyang, zhangwei" did not say that zhangwei sent it).
    fn named(&self, lang: Lang) -> String {
        let mut ids: Vec<String> = self.ids.iter().map(|s| s.to_string()).collect();
        if self.sender && ids.len() > 1 {
            ids[0].push_str(if zh(lang) {
                "（发送人）"
            } else {
                " (sender)"
            });
        }
        ids.join(if zh(lang) { "、" } else { ", " })
    }
}

/// Who the contact of a consent-unknown message is, as far as wcp may know, and where a
/// compliance officer finds out: wcp names such a contact only by pseudonym (PIPL: no
/// processing without consent; docs/PRIVACY.md), so the lines name the staff member, the
/// conversation and the time to look up in WeCom, and the DPO's command when a quarantine
/// key kept the clear id sealed. None for other messages.
pub fn unknown_contact(
    m: &StoredMessage,
    region: &str,
    lang: Lang,
    zone: i32,
) -> Option<Vec<String>> {
    let d = m
        .consent
        .as_ref()
        .filter(|d| d.state == ConsentState::Unknown)?;
    let who = gated_contacts(d).join(", ");
    let staff = staff_of(m);
    let chat = chat_words(m, lang);
    let at = time(m.time_ms, zone);
    let mut out = Vec::new();
    if zh(lang) {
        out.push(format!(
            "员工：{}；会话：{chat}；时间：{at}。",
            staff.named(lang)
        ));
        out.push(format!("{who} 是假名：联系人未同意存档前，wcp 不保存其明文身份（《个人信息保护法》要求处理个人信息须经本人同意，见 docs/PRIVACY.md），因此 wcp 中无法查出此人是谁。"));
        out.push(format!("查找此人：在企业微信中查看 {} 的外部联系人（客户联系），或在企业微信自身的会话存档中查看 {chat} 在 {at} 前后的记录。", staff.ids.join(" 或 ")));
    } else {
        let label = if staff.ids.len() > 1 {
            "Staff members"
        } else {
            "Staff member"
        };
        out.push(format!(
            "{label}: {}; conversation: {chat}; time: {at}.",
            staff.named(lang)
        ));
        out.push(format!("{who} is a pseudonym: wcp keeps no clear identity of a contact who has not agreed to archiving (PIPL allows processing their personal information only with their consent; docs/PRIVACY.md), so wcp cannot say who it is."));
        let whose = match staff.ids.as_slice() {
            [one] => format!("{one}'s external contacts"),
            many => format!("the external contacts of {}", many.join(" or ")),
        };
        out.push(format!("To identify them: in WeCom, look up {whose} (Customer Contact), or WeCom's own chat archive of {chat} at {at}."));
    }
    let release = format!(
        "wcp archive quarantine release --db archive-{region}.db --msgid {} --dpo-key dpo.key --reason \"…\"",
        m.msgid
    );
    out.push(match (m.sealed.is_some(), zh(lang)) {
        (true, false) => format!("The contact's clear id is sealed with the content to the data-protection officer's key: once consent is on record (or the law allows it), the DPO recovers both with {release} (a chained, audited record; the message is then archived in clear)."),
        (true, true) => format!("联系人的明文 ID 与内容一起用数据保护官的公钥加密保存：同意记录到位（或法律允许）后，数据保护官可用 {release} 一并恢复（记入哈希链和审计；该消息随后按明文归档）。"),
        (false, false) => "No quarantine key was configured when this was written, so wcp did not keep the clear id at all: only WeCom can tell who it is.".to_string(),
        (false, true) => "写入时未配置隔离公钥，wcp 完全没有保存明文 ID：只有企业微信能查出此人。".to_string(),
    });
    Some(out)
}

/// A contact's held-back (quarantined) messages, for the consent page and search: they are
/// not consent events nor searchable, but the contact exists and its consent is unknown
/// (or refused) at those times.
pub fn held_back_line(
    h: &wcp_archive::review_query::HeldBack,
    region: &str,
    lang: Lang,
    zone: i32,
) -> String {
    let (n, first, last) = (h.messages, time(h.first_ms, zone), time(h.last_ms, zone));
    let kept = match (h.sealed, zh(lang)) {
        (0, false) => "content not kept".to_string(),
        (s, false) if s == n => "content sealed to the DPO's key".to_string(),
        (s, false) => format!("{s} of them sealed to the DPO's key, the others not kept"),
        (0, true) => "内容未保存".to_string(),
        (s, true) if s == n => "内容已用数据保护官公钥加密保存".to_string(),
        (s, true) => format!("其中 {s} 条已用数据保护官公钥加密保存，其余未保存"),
    };
    if zh(lang) {
        format!("{region}：{n} 条消息被隔离（不显示内容，{kept}），首次 {first}，最近 {last}；此期间无同意记录。")
    } else {
        let messages = if n == 1 { "message" } else { "messages" };
        format!("{region}: {n} {messages} held back (quarantined: no content shown, {kept}), first seen {first}, last seen {last}; no consent on record for them.")
    }
}

/// A span of time in words: "45 s", "3 min", "2 h 5 min" (秒 / 分钟 / 小时).
pub fn span_words(ms: i64, lang: Lang) -> String {
    let s = ms.abs() / 1000;
    let (h, m) = (s / 3600, s % 3600 / 60);
    match (s, zh(lang)) {
        (0..=119, false) => format!("{s} s"),
        (0..=119, true) => format!("{s} 秒"),
        (120..=7199, false) => format!("{} min", s / 60),
        (120..=7199, true) => format!("{} 分钟", s / 60),
        (_, false) => format!("{h} h {m} min"),
        (_, true) => format!("{h} 小时 {m} 分钟"),
    }
}

/// When a recall is recorded before the message it recalls: the capture's clock or the
/// order it delivered them is off, and the reviewer should not read the times as sent.
pub fn recall_anomaly(sent_ms: i64, recalled_ms: i64, lang: Lang) -> Option<String> {
    (recalled_ms < sent_ms).then(|| {
        let d = span_words(sent_ms - recalled_ms, lang);
        if zh(lang) {
            format!("撤回时间早于发送时间 {d}：采集的时钟或顺序有误，两个时间不可按原样解读")
        } else {
            format!("the recall is recorded {d} before the message was sent: the capture's clock or order is off, so neither time can be taken as is")
        }
    })
}

/// "zhangwei recalled this message at T, 37 s after sending it" (or recorded before it).
fn recalled_clause(sender: &str, sent_ms: i64, recalled_ms: i64, lang: Lang, zone: i32) -> String {
    let at = time(recalled_ms, zone);
    let delay = span_words(recalled_ms - sent_ms, lang);
    match (recalled_ms < sent_ms, zh(lang)) {
        (false, false) => format!("{sender} recalled this message at {at}, {delay} after sending it"),
        (true, false) => format!("{sender} recalled this message at {at}, recorded {delay} before it was sent (the capture's clock or order is off)"),
        (false, true) => format!("{sender} 于 {at} 撤回了此消息（发送后 {delay}）"),
        (true, true) => format!("{sender} 于 {at} 撤回了此消息，记录时间早于发送时间 {delay}（采集的时钟或顺序有误）"),
    }
}

/// The why of a `recall_of_flagged` alert: who recalled the message, when, how long after
/// sending it, and what it had raised (`raised`: "category: phrase …" of its other alerts).
pub fn recall_line(
    sender: &str,
    sent_ms: i64,
    recalled_ms: i64,
    raised: &[String],
    lang: Lang,
    zone: i32,
) -> String {
    let clause = recalled_clause(sender, sent_ms, recalled_ms, lang, zone);
    match (raised.is_empty(), zh(lang)) {
        (true, false) => format!("{clause}; it had raised an alert."),
        (false, false) => format!("{clause}; it had raised {}.", raised.join("; ")),
        (true, true) => format!("{clause}；该消息曾触发告警。"),
        (false, true) => format!("{clause}；该消息曾触发 {}。", raised.join("；")),
    }
}

/// On a flagged message's own alert: that it was recalled later (the recall alert links).
pub fn recalled_later(
    sender: &str,
    sent_ms: i64,
    recalled_ms: i64,
    lang: Lang,
    zone: i32,
) -> String {
    let clause = recalled_clause(sender, sent_ms, recalled_ms, lang, zone);
    if zh(lang) {
        format!("{clause}，因此触发了撤回告警。")
    } else {
        format!("{clause}, which raised a recall alert.")
    }
}

/// What became of a message the archive no longer holds, from its chained removal.
pub fn removed_line(r: Option<&Removed>, lang: Lang, zone: i32) -> String {
    match (r, zh(lang)) {
        (Some(Removed::Expired { at_ms, actor, approved_by, keep_until_ms }), false) => {
            let mut s = format!("The message expired: removed on {} by {actor}", time(*at_ms, zone));
            if let Some(a) = approved_by {
                s.push_str(&format!(", approved by {a}"));
            }
            if let Some(k) = keep_until_ms {
                s.push_str(&format!(", its retention having ended {}", time(*k, zone)));
            }
            s.push_str(". A tombstone in the archive's hash chain records it.");
            s
        }
        (Some(Removed::Expired { at_ms, actor, approved_by, keep_until_ms }), true) => {
            let mut s = format!("该消息已过期删除：{} 由 {actor} 执行", time(*at_ms, zone));
            if let Some(a) = approved_by {
                s.push_str(&format!("，{a} 批准"));
            }
            if let Some(k) = keep_until_ms {
                s.push_str(&format!("，保留期至 {}", time(*k, zone)));
            }
            s.push_str("。归档哈希链中的墓碑记录为证。");
            s
        }
        (Some(Removed::Purged { at_ms, actor, reason }), false) => format!("The quarantined content was purged on {} by {actor}: {reason}.", time(*at_ms, zone)),
        (Some(Removed::Purged { at_ms, actor, reason }), true) => format!("隔离内容已于 {} 由 {actor} 清除：{reason}。", time(*at_ms, zone)),
        (None, false) => "The archive has not received this message yet (the alert can arrive before the archive writes it): reload later.".to_string(),
        (None, true) => "归档尚未收到该消息（告警可能先于归档写入）：请稍后刷新。".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_archive::seal::DpoKey;
    use wcp_model::{
        Action, ChatEvent, Class, ConsentDecision, ContactConsent, EnrichedEvent, EventKind,
        Participant, RiskCategory, RiskHit,
    };

    const T: i64 = 1_732_766_400_000;

    fn stored(text: &str, state: ConsentState, d: Disposition, sealed: bool) -> StoredMessage {
        let mut e = EnrichedEvent::new(ChatEvent {
            msgid: "m1".into(),
            action: Action::Send,
            msgtype: "text".into(),
            kind: EventKind::Message,
            from: Participant::new("zhangwei"),
            to: vec![Participant::new("PARTICIPANT_1192e77f084f982a")],
            roomid: Some("wrROOM".into()),
            conversation_id: "wrROOM".into(),
            time_ms: T,
            seq: None,
            known_type: true,
            text: text.into(),
            payload_json: "{}".into(),
            raw: Vec::new(),
        });
        e.consent = Some(ConsentDecision {
            state,
            disposition: d,
            contacts: vec![ContactConsent {
                contact: "PARTICIPANT_1192e77f084f982a".into(),
                state,
            }],
        });
        let key = DpoKey::generate().public();
        StoredMessage::from_enriched(&e, sealed.then_some(&key)).unwrap()
    }

    #[test]
    fn a_quarantined_message_says_whose_consent_is_missing_whether_it_was_kept_and_what_to_do() {
        let m = stored(
            "明天一起拉升",
            ConsentState::Unknown,
            Disposition::Quarantine,
            false,
        );
        let n = quarantine_notice(&m, "hk", Lang::En, 0).unwrap().join("\n");
        assert!(n.contains("consent unknown for external participant PARTICIPANT_1192e77f084f982a at 2024-11-28"), "{n}");
        assert!(
            n.contains("was not kept") && n.contains("--quarantine-key"),
            "{n}"
        );
        let m = stored(
            "明天一起拉升",
            ConsentState::Unknown,
            Disposition::Quarantine,
            true,
        );
        let n = quarantine_notice(&m, "hk", Lang::En, 0).unwrap().join("\n");
        assert!(
            n.contains("sealed to the data-protection officer's key"),
            "{n}"
        );
        assert!(
            n.contains("wcp archive quarantine release --db archive-hk.db --msgid m1"),
            "{n}"
        );
        let clear = stored("hi", ConsentState::Agreed, Disposition::Archive, false);
        assert!(quarantine_notice(&clear, "hk", Lang::En, 0).is_none());
    }

    #[test]
    fn a_quarantined_one_to_one_message_is_not_worded_for_a_group() {
        let mut m = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        let n = quarantine_notice(&m, "cn", Lang::En, 0).unwrap().join("\n");
        assert!(
            n.contains("this message of the group room wrROOM is held back"),
            "{n}"
        );
        m.roomid = None;
        let n = quarantine_notice(&m, "cn", Lang::En, 0).unwrap().join("\n");
        assert!(n.contains("this message of the one-to-one chat between zhangwei and PARTICIPANT_1192e77f084f982a is held back"), "{n}");
        assert!(!n.contains("group"), "{n}");
        let z = quarantine_notice(&m, "cn", Lang::Zh, 0).unwrap().join("\n");
        assert!(
            z.contains("zhangwei 与 PARTICIPANT_1192e77f084f982a 单聊"),
            "{z}"
        );
    }

    /// The same message sent by the contact: to zhangwei alone, or into the room with lina.
    fn from_contact(mut m: StoredMessage, group: bool) -> StoredMessage {
        m.to = vec![Participant::new("zhangwei")];
        if group {
            m.to.push(Participant::new("lina"));
        } else {
            m.roomid = None;
        }
        m.from = Participant::new("PARTICIPANT_1192e77f084f982a");
        m
    }

    #[test]
    fn a_message_the_contact_sent_names_the_staff_member_it_went_to() {
        let m = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        let m = from_contact(m, false);
        let n = quarantine_notice(&m, "cn", Lang::En, 0).unwrap().join("\n");
        assert!(n.contains("this message of the one-to-one chat between zhangwei and PARTICIPANT_1192e77f084f982a is held back"), "{n}");
        let z = quarantine_notice(&m, "cn", Lang::Zh, 0).unwrap().join("\n");
        assert!(
            z.contains("zhangwei 与 PARTICIPANT_1192e77f084f982a 单聊"),
            "{z}"
        );
        let l = unknown_contact(&m, "cn", Lang::En, 480).unwrap().join("\n");
        assert!(l.contains("Staff member: zhangwei; conversation: the one-to-one chat between zhangwei and PARTICIPANT_1192e77f084f982a;"), "{l}");
        let m = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        let m = from_contact(m, true);
        let n = quarantine_notice(&m, "cn", Lang::En, 0).unwrap().join("\n");
        assert!(
            n.contains("this message of the group room wrROOM is held back"),
            "{n}"
        );
        let l = unknown_contact(&m, "cn", Lang::En, 480).unwrap().join("\n");
        assert!(
            l.contains("Staff members: lina, zhangwei; conversation: the group room wrROOM;"),
            "{l}"
        );
        assert!(
            l.contains("look up the external contacts of lina or zhangwei (Customer Contact)"),
            "{l}"
        );
        // Staff sent it into the room: the sender comes first, marked (trial 18d D12).
        let mut m = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        m.to.push(Participant::new("liuyang"));
        let l = unknown_contact(&m, "cn", Lang::En, 480).unwrap().join("\n");
        assert!(
            l.contains(
                "Staff members: zhangwei (sender), liuyang; conversation: the group room wrROOM;"
            ) && l.contains("the external contacts of zhangwei or liuyang"),
            "{l}"
        );
        let z = unknown_contact(&m, "cn", Lang::Zh, 480).unwrap().join("\n");
        assert!(
            z.contains("员工：zhangwei（发送人）、liuyang；")
                && z.contains("查看 zhangwei 或 liuyang 的外部联系人"),
            "{z}"
        );
    }

    #[test]
    fn the_queue_shows_the_words_that_matched_not_the_rule_groups() {
        let hit = |start, end, rule: &str| RiskHit {
            category: RiskCategory::BriberyGifts,
            start,
            end,
            rule_id: rule.into(),
            score: 0.8,
        };
        let text = "给你返佣5000元红包，别跟公司说，电话13812345678";
        let mut c = Classification {
            class: Class::Business,
            business_score: 0.9,
            top_features: Vec::new(),
            risks: vec![
                hit(0, 11, "bribery.zh.意思一下"),
                hit(0, 11, "bribery.zh.红包"),
            ],
            pii: vec![wcp_model::PiiSpan {
                entity: "PHONE_NUMBER".into(),
                start: 20,
                end: 31,
                score: 1.0,
            }],
        };
        let p = queue_phrase("bribery_gifts", &c, text, false);
        assert_eq!(p.as_deref(), Some("给你返佣5000元红包"));
        assert_eq!(queue_phrase("complaint", &c, text, false), None);
        // A phrase over a PII value is masked for a viewer who does not see PII.
        c.risks.push(hit(18, 31, "bribery.zh.电话"));
        let p = queue_phrase("bribery_gifts", &c, text, false).unwrap();
        assert!(
            p.ends_with(wcp_review::mask::MASK) && !p.contains("138"),
            "{p}"
        );
        let p = queue_phrase("bribery_gifts", &c, text, true).unwrap();
        assert!(p.contains("电话13812345678"), "{p}");
        // Content not kept in clear: nothing to show.
        assert_eq!(queue_phrase("bribery_gifts", &c, "", true), None);
    }

    #[test]
    fn consent_advice_fits_a_contact_who_never_answered_apart_from_one_who_refused() {
        let unknown = consent_guidance(ConsentState::Unknown, Lang::En);
        assert!(!unknown.contains("refused archiving") && !unknown.contains("after the refusal"));
        assert!(
            unknown.contains("not answered yet") && unknown.contains("Severity low"),
            "{unknown}"
        );
        let refused = consent_guidance(ConsentState::Disagreed, Lang::En);
        assert!(
            refused.contains("after the refusal") && refused.contains("Severity medium"),
            "{refused}"
        );
        assert!(consent_guidance(ConsentState::Unknown, Lang::Zh).contains("严重程度为低"));
        assert!(consent_guidance(ConsentState::Disagreed, Lang::Zh).contains("严重程度为中"));
    }

    #[test]
    fn an_unknown_contact_is_named_by_staff_conversation_and_time_with_where_to_find_them() {
        let mut m = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        m.roomid = None;
        let l = unknown_contact(&m, "cn", Lang::En, 480).unwrap().join("\n");
        assert!(l.contains("Staff member: zhangwei; conversation: the one-to-one chat between zhangwei and PARTICIPANT_1192e77f084f982a; time: 2024-11-28 12:00:00 +08:00."), "{l}");
        assert!(
            l.contains("PARTICIPANT_1192e77f084f982a is a pseudonym: wcp keeps no clear identity")
                && l.contains("PIPL"),
            "{l}"
        );
        assert!(
            l.contains("zhangwei's external contacts") && l.contains("only WeCom can tell"),
            "{l}"
        );
        let sealed = stored("x", ConsentState::Unknown, Disposition::Quarantine, true);
        let l = unknown_contact(&sealed, "hk", Lang::En, 0)
            .unwrap()
            .join("\n");
        assert!(
            l.contains("the group room wrROOM")
                && l.contains("wcp archive quarantine release --db archive-hk.db --msgid m1"),
            "{l}"
        );
        let agreed = stored("x", ConsentState::Agreed, Disposition::Archive, false);
        assert!(unknown_contact(&agreed, "cn", Lang::En, 0).is_none());
    }

    #[test]
    fn held_back_messages_are_counted_with_first_and_last_seen() {
        let h = wcp_archive::review_query::HeldBack {
            messages: 3,
            sealed: 0,
            first_ms: T,
            last_ms: T + 60_000,
            rows: Vec::new(),
        };
        assert_eq!(held_back_line(&h, "cn", Lang::En, 0), "cn: 3 messages held back (quarantined: no content shown, content not kept), first seen 2024-11-28 04:00:00 +00:00, last seen 2024-11-28 04:01:00 +00:00; no consent on record for them.");
        let h = wcp_archive::review_query::HeldBack { sealed: 3, ..h };
        assert!(held_back_line(&h, "cn", Lang::En, 0).contains("content sealed to the DPO's key"));
    }

    #[test]
    fn a_consent_reason_outlives_the_message_from_the_consent_records() {
        let ev = |t: &str, at: i64| (t.to_string(), at);
        let events = [
            ev("agree", T - 90_000),
            ev("disagree", T - 60_000),
            ev("agree", T + 1),
        ];
        assert_eq!(
            ledger_state(&events, T),
            (ConsentState::Disagreed, Some(T - 60_000))
        );
        assert_eq!(ledger_state(&events, T + 5).0, ConsentState::Agreed);
        assert_eq!(ledger_state(&[], T), (ConsentState::Unknown, None));
        let l = consent_sentence(
            ConsentState::Disagreed,
            &["PARTICIPANT_1"],
            Some(T - 60_000),
            T,
            None,
            Lang::En,
            0,
        )
        .unwrap();
        assert_eq!(l, "External contact PARTICIPANT_1 disagreed to archiving on 2024-11-28 03:59:00 +00:00; this message of 2024-11-28 04:00:00 +00:00 fell under policy on_disagreed.");
        assert!(consent_sentence(ConsentState::Agreed, &[], None, T, None, Lang::En, 0).is_none());
    }

    #[test]
    fn a_consent_alert_names_the_contact_the_time_and_what_was_done() {
        let m = stored(
            "x",
            ConsentState::Disagreed,
            Disposition::ArchiveAnonymised,
            false,
        );
        let l = consent_line(&m, Some(T - 60_000), Lang::En, 0).unwrap();
        assert!(l.starts_with("External contact PARTICIPANT_1192e77f084f982a disagreed to archiving on 2024-11-28"), "{l}");
        assert!(
            l.contains("was archived anonymised") && l.ends_with("under policy on_disagreed."),
            "{l}"
        );
        let u = stored("x", ConsentState::Unknown, Disposition::Quarantine, false);
        let l = consent_line(&u, None, Lang::En, 0).unwrap();
        assert!(
            l.contains("had not agreed") && l.contains("quarantined") && l.contains("on_unknown"),
            "{l}"
        );
        let ok = stored("x", ConsentState::Agreed, Disposition::Archive, false);
        assert!(consent_line(&ok, None, Lang::En, 0).is_none());
    }

    #[test]
    fn the_why_is_the_phrase_of_the_alerts_own_category_not_rule_ids_or_features() {
        let text = "Add me on WhatsApp, and 保本 of course";
        let hit = |category, start, end, rule: &str| RiskHit {
            category,
            start,
            end,
            rule_id: rule.into(),
            score: 0.9,
        };
        let c = Classification {
            class: Class::Business,
            business_score: 0.99,
            top_features: vec!["ctx:risk_hit:+1.50".into()],
            risks: vec![
                hit(RiskCategory::OffChannel, 10, 18, "offchannel.zh.私人渠道"),
                hit(
                    RiskCategory::GuaranteeOfReturns,
                    24,
                    26,
                    "guarantee.zh.保本",
                ),
            ],
            pii: Vec::new(),
        };
        let lines = risk_lines("off_channel", &c, text, Lang::En);
        assert_eq!(lines, ["phrase \"WhatsApp\" (score 0.90)"]);
        assert!(risk_lines("off_channel", &c, "", Lang::En)[0].contains("not kept in clear"));
        let mut m = c.clone();
        m.risks[0].rule_id = "model.off_channel".into();
        assert!(risk_lines("off_channel", &m, text, Lang::En)[0]
            .starts_with("the off_channel text model"));
    }

    #[test]
    fn a_recall_alert_says_who_recalled_when_how_soon_and_what_it_had_raised() {
        let raised = vec!["guarantee_of_returns: phrase \"不会亏\" (score 0.93)".to_string()];
        let l = recall_line("zhangwei", T, T + 60_000, &raised, Lang::En, 480);
        assert_eq!(l, "zhangwei recalled this message at 2024-11-28 12:01:00 +08:00, 60 s after sending it; it had raised guarantee_of_returns: phrase \"不会亏\" (score 0.93).");
        let l = recall_line("zhangwei", T, T + 300_000, &raised, Lang::Zh, 480);
        assert!(l.starts_with("zhangwei 于 2024-11-28 12:05:00 +08:00 撤回了此消息（发送后 5 分钟）；该消息曾触发 guarantee_of_returns"), "{l}");
        let early = recall_line("lina", T, T - 372_000, &[], Lang::En, 0);
        assert!(
            early.contains(
                "recorded 6 min before it was sent (the capture's clock or order is off)"
            ) && early.ends_with("raised an alert."),
            "{early}"
        );
        assert!(recalled_later("zhangwei", T, T + 7_500_000, Lang::En, 0)
            .contains("2 h 5 min after sending it"));
    }

    #[test]
    fn a_recall_recorded_before_its_message_is_called_out() {
        assert_eq!(recall_anomaly(T, T + 1, Lang::En), None);
        let a = recall_anomaly(T, T - 372_000, Lang::En).unwrap();
        assert!(
            a.starts_with("the recall is recorded 6 min before the message was sent"),
            "{a}"
        );
        assert!(recall_anomaly(T, T - 5_000, Lang::Zh)
            .unwrap()
            .contains("5 秒"));
    }

    #[test]
    fn an_expired_message_says_when_by_whom_and_who_approved() {
        let r = Removed::Expired {
            at_ms: T,
            actor: "officer".into(),
            approved_by: Some("bob".into()),
            keep_until_ms: Some(T - 1),
        };
        let l = removed_line(Some(&r), Lang::En, 0);
        assert!(
            l.starts_with("The message expired: removed on 2024-11-28"),
            "{l}"
        );
        assert!(l.contains("by officer, approved by bob"), "{l}");
        assert!(removed_line(None, Lang::En, 0).contains("not received this message yet"));
    }
}
