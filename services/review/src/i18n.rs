//! Interface text in English and Chinese. The language comes from the `lang` cookie, else
//! the browser's Accept-Language.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn pick(cookie: Option<&str>, accept: Option<&str>) -> Lang {
        match cookie {
            Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            _ if accept.is_some_and(|a| a.trim_start().starts_with("zh")) => Lang::Zh,
            _ => Lang::En,
        }
    }
}

/// A state the stores and records name by id (status, outcome, consent state): the id
/// itself in English, as the filters and exports spell it; its word in Chinese.
pub fn word(lang: Lang, id: &str) -> &str {
    if lang == Lang::En {
        return id;
    }
    match id {
        "pending" => "待处理",
        "in_review" => "审查中",
        "escalated" => "已升级",
        "closed" => "已结案",
        "no_issue" => "无问题",
        "false_positive" => "误报",
        "breach" => "违规",
        "agreed" => "已同意",
        "disagreed" => "已拒绝",
        "unknown" => "未知",
        "not_required" => "无需同意",
        // Categories and severities (trial 18d D14: they stayed English ids in 中文).
        "guarantee_of_returns" => "承诺收益",
        "insider_information" => "内幕信息",
        "market_manipulation" => "操纵市场",
        "off_channel" => "转移沟通渠道",
        "evidence_destruction" => "销毁证据",
        "bribery_gifts" => "贿赂与礼品",
        "confidentiality_breach" => "泄露机密",
        "complaint" => "客户投诉",
        "unauthorized_trading" => "未授权交易",
        "consent_violation" => "违反同意",
        "recall_of_flagged" => "撤回已标记消息",
        "seq_gap" => "序号缺口",
        "capture_decrypt_failure" => "采集解密失败",
        "capture_data_expired" => "采集数据过期",
        "media_missing" => "媒体缺失",
        "sample" => "抽样",
        "high" => "高",
        "medium" => "中",
        "low" => "低",
        other => other,
    }
}

/// "1 message", "2 messages" (Chinese has one form).
pub fn messages(lang: Lang, n: u64) -> &'static str {
    match (lang, n) {
        (Lang::En, 1) => "message",
        (Lang::En, _) => "messages",
        (Lang::Zh, _) => "条消息",
    }
}

/// The text of `key` in `lang` (the key itself when missing, so a gap shows, never breaks).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let (en, zh) = match key {
        "app" => ("wcp review", "wcp 审查台"),
        "queue" => ("Queue", "待审队列"),
        "search" => ("Search", "检索"),
        "holds" => ("Legal holds", "诉讼保全"),
        "export" => ("Export", "导出"),
        "audit" => ("Access log", "访问日志"),
        "consent" => ("Consent", "同意记录"),
        "integrity" => ("Integrity", "完整性"),
        "users" => ("Users", "用户"),
        "sign_in" => ("Sign in", "登录"),
        "sign_out" => ("Sign out", "退出"),
        "username" => ("User name", "用户名"),
        "password" => ("Password", "密码"),
        "new_password" => ("New password (12+ characters)", "新密码（至少 12 个字符）"),
        "change_password" => ("Choose your password", "设置新密码"),
        "same_password" => ("Choose a password other than your current one (the one-time password is replaced at the first sign-in).", "请设置与当前密码不同的新密码（一次性密码须在首次登录时更换）。"),
        "shown_as_pseudonym" => ("is an external contact who has not agreed to archiving, kept only under a pseudonym (PIPL; docs/PRIVACY.md): shown under its pseudonym", "是未同意存档的外部联系人，仅以假名保存（《个人信息保护法》，见 docs/PRIVACY.md）：以下按其假名显示"),
        "kept_as_pseudonym" => ("A contact who has not agreed to archiving is kept only under a pseudonym (PARTICIPANT_…; PIPL, docs/PRIVACY.md), so their WeCom id finds nothing as typed; the pseudonym is shown on their consent_violation alert.", "未同意存档的联系人仅以假名（PARTICIPANT_…）保存（《个人信息保护法》，见 docs/PRIVACY.md），因此按其企业微信 ID 查不到；假名显示在其 consent_violation 告警上。"),
        "nor_pseudonym" => ("Nothing under its pseudonym either:", "按其假名也未找到："),
        "no_tenant_key" => ("This console has no tenant key to compute the pseudonym (wcp review --dir OUT reads OUT/tenant.key; the service's anon_key_file).", "本控制台没有租户密钥，无法计算假名（wcp review --dir OUT 读取 OUT/tenant.key；服务的 anon_key_file）。"),
        "consent_alerts" => ("Alerts of contacts without consent", "未同意联系人的告警"),
        "one_time" => ("Your one-time password must be replaced before you continue.", "继续之前请更换一次性密码。"),
        "bad_signin" => ("Wrong user name or password.", "用户名或密码错误。"),
        "too_many" => ("Too many failed sign-ins. Try again later.", "登录失败次数过多，请稍后再试。"),
        "pending" => ("Pending", "待处理"),
        "in_review" => ("In review", "审查中"),
        "escalated" => ("Escalated", "已升级"),
        "closed" => ("Closed", "已结案"),
        "open" => ("Open", "未结案"),
        "all" => ("All", "全部"),
        "category" => ("Category", "类别"),
        "severity" => ("Severity", "严重度"),
        "region" => ("Region", "区域"),
        "participant" => ("Participant", "参与者"),
        "rule" => ("Rule", "规则"),
        "from" => ("From", "起"),
        "to" => ("To", "止"),
        "to_inclusive" => ("To (included)", "止（含当日）"),
        "seq_note" => (
            "# is the record's number in the console's signed chain. Accesses and account changes (account_…) share it and are all listed, so without a filter no number is missing; the newest 1,000 are shown here, JSON Lines has every one.",
            "# 是记录在控制台签名链中的序号。访问记录与账户变更（account_…）共用该序号且全部列出，因此未筛选时不会缺号；此处显示最新 1,000 条，JSON Lines 包含全部。",
        ),
        "zone_note" => ("days and times in", "日期与时间按"),
        "sort" => ("Sort", "排序"),
        "newest" => ("Newest", "最新"),
        "oldest" => ("Oldest", "最早"),
        "filter" => ("Filter", "筛选"),
        "time" => ("Time", "时间"),
        "assignee" => ("Assignee", "处理人"),
        "status" => ("Status", "状态"),
        "claim" => ("Claim", "认领"),
        "release" => ("Release", "释放"),
        "assign" => ("Assign to", "指派给"),
        "close" => ("Close", "结案"),
        "escalate" => ("Escalate to", "升级给"),
        "note" => ("Note (required)", "备注（必填）"),
        "outcome" => ("Outcome", "结论"),
        "no_issue" => ("No issue", "无问题"),
        "false_positive" => ("False positive", "误报"),
        "breach" => ("Breach", "违规"),
        "breach_holds" => (
            "Closing as breach places a legal hold on this message in its region's archive, so expiry keeps it.",
            "以“违规”结案会在其区域的存档中对本消息设置保全，到期清理不会删除它。",
        ),
        "held" => ("Held: case", "保全中：案件"),
        "reopen_keeps_hold" => (
            "Reopening does not release the legal hold placed by the breach finding: release it on the Legal holds page.",
            "重新打开不会解除违规结论设置的诉讼保全：请在“诉讼保全”页面解除。",
        ),
        "tags" => ("Tags", "标签"),
        "add_tags" => ("Add tags", "添加标签"),
        "history" => ("History", "处理记录"),
        "evidence" => ("Evidence", "证据"),
        "conversation" => ("Conversation", "会话"),
        "earlier" => ("Earlier messages", "更早的消息"),
        "later" => ("Later messages", "更晚的消息"),
        "conversation_start" => ("Start of the conversation: no earlier messages in the archive.", "会话开始：归档中没有更早的消息。"),
        "conversation_end" => ("End of the conversation: no later messages in the archive.", "会话结束：归档中没有更晚的消息。"),
        "recalled" => ("recalled", "已撤回"),
        "alert_of" => ("Alert:", "告警："),
        "consent_unknown" => ("Consent: unknown — no agree or disagree of this contact is on record. wcp names a contact without consent only by this pseudonym (docs/PRIVACY.md).", "同意状态：未知——没有此联系人的同意或拒绝记录。未同意的联系人在 wcp 中只以此假名出现（见 docs/PRIVACY.md）。"),
        "who_contact" => ("Who the contact is", "联系人是谁"),
        "no_other_messages" => ("No other messages of this conversation are in the archive.", "归档中没有此会话的其他消息。"),
        "held_back" => ("Held back (quarantined) with this participant", "与此参与者相关的隔离消息"),
        "unmask" => ("Unmask", "显示原文"),
        "reason" => ("Reason (required)", "理由（必填）"),
        "export_conversation" => ("Export the conversation", "导出此会话"),
        "reopen" => ("Reopen", "重新打开"),
        "reason_col" => ("Reason", "理由"),
        "all_regions" => ("All regions", "全部区域"),
        "custodian_everywhere" => ("A custodian hold is placed in every region's archive, so none of the custodian's messages can expire in any region.", "按保管人设置的保全会写入每个区域的归档，该保管人在任何区域的消息都不会过期。"),
        "place_anyway" => ("Place it anyway", "仍然设置"),
        "masked_note" => ("PII is masked for your role; unmasking one value is recorded with your reason.", "您的角色默认遮蔽个人信息；显示单个值会连同理由记入审计。"),
        "retention" => ("Retention", "保存期限"),
        "keep_until" => ("Keep until", "保存至"),
        "consent_state" => ("Consent of external participants", "外部参与者同意状态"),
        "media" => ("Media and files", "媒体与文件"),
        "why_raised" => ("Why it was raised", "触发原因"),
        "rule_detail" => ("Rule and model detail", "规则与模型细节"),
        "classified_as" => ("Classified as", "分类为"),
        "features" => ("Model features", "模型特征"),
        "selected" => ("Selected", "已选"),
        "apply" => ("Apply", "执行"),
        "text" => ("Text", "文本"),
        "risk" => ("Risk category", "风险类别"),
        "pii_type" => ("PII type", "个人信息类型"),
        "results" => ("Results", "结果"),
        "no_results" => ("Nothing found.", "没有结果。"),
        "matched" => ("matched", "匹配"),
        "legend_hit" => ("search term", "检索词"),
        "legend_risk" => ("risk evidence", "风险证据"),
        "invalid_input" => ("Invalid input", "输入无效"),
        "from_after_to" => ("From is after To: give a From on or before the To day.", "起始日期晚于截止日期：请让起始日期不晚于截止日期。"),
        "participant_hint" => ("Participant is a WeCom id, such as zhangwei (staff) or wm… (an external contact), not a display name.", "参与者填写企业微信 ID，例如 zhangwei（员工）或 wm…（外部联系人），而非显示名称。"),
        "participant_is_id" => ("is not a WeCom id. The archive keeps WeCom ids, not display names: search for the id, such as zhangwei.", "不是企业微信 ID。归档只保存企业微信 ID，不保存显示名称：请按 ID 检索，例如 zhangwei。"),
        "more" => ("Next page", "下一页"),
        "case_id" => ("Case id", "案件编号"),
        "custodian" => ("Custodian", "保管人"),
        "place_hold" => ("Place hold", "设置保全"),
        "release_hold" => ("Release", "解除"),
        "covers" => ("Covers", "覆盖"),
        "messages" => ("messages", "条消息"),
        "format" => ("Format", "格式"),
        "contact" => ("Contact id", "联系人 ID"),
        "role" => ("Role", "角色"),
        "queues" => ("Queues", "队列"),
        "save" => ("Save", "保存"),
        "actor" => ("Who", "操作人"),
        "action" => ("Action", "操作"),
        "address" => ("From address", "来源地址"),
        "target" => ("What", "对象"),
        "verify_now" => ("Verify now", "立即校验"),
        "forbidden" => ("You do not have access to this page.", "您无权访问此页面。"),
        "keys_help" => ("Keys: j/k move, Enter opens, e escalates, x selects", "快捷键：j/k 移动，Enter 打开，e 升级，x 选择"),
        _ => (key, key),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_in_chinese_and_stay_ids_in_english() {
        for (id, zh) in [
            ("pending", "待处理"),
            ("in_review", "审查中"),
            ("false_positive", "误报"),
            ("agreed", "已同意"),
            ("disagreed", "已拒绝"),
        ] {
            assert_eq!(word(Lang::Zh, id), zh);
            assert_eq!(word(Lang::En, id), id);
        }
        assert_eq!(t(Lang::Zh, "recalled"), "已撤回");
        assert_eq!(messages(Lang::En, 1), "message");
        assert_eq!(messages(Lang::En, 0), "messages");
        assert_eq!(messages(Lang::En, 66), "messages");
    }
}
