"""Slot grammar (round 4): each risky line is subject-free chat built from an *act* and a
*qualifier* drawn from independent lists, so the models learn the act/qualifier vocabulary rather
than whole memorised sentences; hard negatives reuse the same nouns in innocent frames (compliance
reminders, negations, public news, satisfied clients) so nouns alone carry no label."""

# (category, lang) -> (acts, qualifiers); a line is act + "，"/", " + qualifier (or act alone).
GRAMMAR = {
 ("guarantee_of_returns", "zh"): (
  ["本金这块有我在", "收益我给您锁死", "到期一分不会少您的", "跌了我私下给您补", "这个我敢拍胸脯", "少一分我负责", "年化{n}个点板上钉钉",
   "出了问题我来扛", "跟存银行一样稳", "呢隻穩賺唔賠", "蝕咗我賠俾你", "收益是固定的不会变", "最差也能拿回本金加{n}个点"],
  ["您就放心吧", "合同上不写但我们都这么做", "这事就咱俩知道", "我自己都买了", "跟您交个底", "别人我不告诉", ""]),
 ("guarantee_of_returns", "en"): (
  ["there's zero downside here", "worst case you get your money back plus {n}%", "I'll top it up from my own pocket if it dips",
   "you won't lose a cent on this", "the return is locked in at {n}%", "this one only goes up", "any loss is on me"],
  ["trust me", "I've done this for years", "between us", "don't overthink it", ""]),
 ("insider_information", "zh"): (
  ["{sz}下周要发重组公告", "我朋友在{sz}财务部，说业绩很好看", "口风是这周五宣布中标", "董事会已经通过收购方案", "定增价已经定了，比现价低两成",
   "{sz}要被ST了", "業績預告未出，但係聽講好靚", "那边透露要注入资产"],
  ["还没对外披露，先上点仓位", "趁现在还没公告赶紧进", "公布前先清掉", "先别声张，明天才公布", "现在进还来得及", "消息还没出来，帮大客户先布局"]),
 ("insider_information", "en"): (
  ["got word from someone at {se} that Q3 is way above consensus", "my contact on the deal says it's signed", "a friend at {se} says the CEO is out",
   "the buyback isn't public yet", "heard from inside that the guidance gets cut"],
  ["load up before Thursday", "keep it between us and get in now", "dump it before the announcement", "position the accounts quietly"]),
 ("market_manipulation", "zh"): (
  ["明天开盘几个账户一起把{sz}顶上去", "两个账户对着买卖几笔", "收盘前砸一下把价格压下去", "尾盘帮手扯高少少", "先在群里放点利好",
   "配合一下把股价托住", "把成交量做出来", "月底把净值做好看"],
  ["散户就跟进来了", "拉起来我们再出货", "方便我们低位接", "让它今天收在{n}块以上", "别让监控看出来", ""]),
 ("market_manipulation", "en"): (
  ["let's push {se} up in the last ten minutes", "keep bidding it up all afternoon", "run a few trades between our two accounts", "knock it down at the open",
   "get the chat groups hyping {se}"],
  ["so the NAV looks better for month-end", "we need the close above {n}", "retail will chase it", "then we sell into it"]),
 ("off_channel", "zh"): (
  ["这个事不方便在企业微信说", "细节晚上打我私人手机", "用我老婆的微信转给你", "呢度唔方便講", "你下载个Telegram", "我们换个地方说话", "加我个人号"],
  ["这里有人看", "这个群会被合规抽查", "以后指令都在那上面发", "出嚟飲茶當面傾", "别走公司那个", ""]),
 ("off_channel", "en"): (
  ["let's take this to WhatsApp", "send it to my gmail instead", "ping me on Signal", "take this offline", "text my personal number"],
  ["the firm email gets archived", "easier to talk there", "not on here", "compliance reads this chat", ""]),
 ("evidence_destruction", "zh"): (
  ["刚才那几条看完就撤回", "把那份原件处理掉", "聊天记录记得清空", "睇完即刻刪咗佢", "录音文件直接删了", "系统里那条修改日志覆盖一下", "那批单据拿去碎掉"],
  ["别留底", "手机也别备份", "不然查出来麻烦", "审计下周就来了", "当没发过", ""]),
 ("evidence_destruction", "en"): (
  ["please delete our chat from yesterday", "wipe the emails about the side deal", "shred the old tickets", "get rid of the call recording", "clear the notes off the drive"],
  ["before the audit starts", "I don't want it on record", "before compliance asks", "no paper trail"]),
 ("bribery_gifts", "zh"): (
  ["这单成了给你留两个点", "中秋给李处送两张卡过去", "你儿子实习的事我来安排", "佣金返一半给您", "请佢食飯順手畀個利是", "客户经理那边意思一下", "私下转你个红包"],
  ["私下给", "走我个人账户不走公司", "面额大一点", "他们就会把资金放我们这", "这单就稳了", "一万左右"]),
 ("bribery_gifts", "en"): (
  ["there'll be something in it for you personally", "book him a suite in Macau on us", "send his wife a designer bag", "a little envelope for the treasurer"],
  ["if the mandate comes our way", "he's the one who signs off", "keep it off the books", "and the allocation is ours"]),
 ("confidentiality_breach", "zh"): (
  ["把VIP客户的联系方式导出来", "张总的持仓截个图", "尽调报告先发对方律师私人邮箱", "我拷了一份客户资料到U盘", "幫我查下陳生個賬戶有幾多錢", "内部评级名单拍照"],
  ["发我QQ邮箱", "我给朋友看看", "带回家慢慢看", "我好奇啫", "发给我朋友", "别走正式流程"]),
 ("confidentiality_breach", "en"): (
  ["forward me the full client list with balances", "send the research draft to my buddy at the hedge fund", "screenshot the top ten positions", "copy the deal list to a USB"],
  ["I'm moving to the other firm next month", "it's basically final anyway", "for a friend", "nobody will notice"]),
 ("complaint", "zh"): (
  ["你们这样误导销售", "亏成这样没人跟我说过一句", "我對你哋服務好失望", "买的时候说低风险现在亏了三成", "你们客服踢皮球", "拖了一个月还没处理"],
  ["我要去证监会投诉", "我要找你们领导讨个说法", "再不处理我就打12378", "要求赔偿", "我要求退款", "我已经写信给监管了"]),
 ("complaint", "en"): (
  ["your adviser never told me the risks", "this is unacceptable", "three weeks and still no refund", "I was misled about the fees"],
  ["I'm filing a formal complaint", "I want my money back", "I'm contacting the regulator", "escalate this now"]),
 ("unauthorized_trading", "zh"): (
  ["客户没回消息，我先帮他把仓位换了", "她没授权，但我判断应该加仓", "幫客落咗單先", "用你表哥的账户帮我买一点", "把客户的交易密码给我", "趁客户不注意把货基赎回"],
  ["回头再跟他说", "就直接下了", "佢未覆我但應該冇問題", "我替他操作", "去买我们新产品", ""]),
 ("unauthorized_trading", "en"): (
  ["I went ahead and sold his holdings", "log into the client's account with his password", "switched her into the tech fund", "placed the order in his account"],
  ["without asking, he was travelling", "and switch the funds", "she'll thank me later", "before he replied"]),
}

# Innocent frames around the same nouns; risk: [].
NEG = {
 "zh": (
  ["本产品不保本", "公告已经发了，{sz}业绩超预期", "合规提醒", "请大家不要删除任何聊天记录", "客户来电说很满意我们的服务", "已按客户书面指令完成买入",
   "尾盘大盘拉升了一下", "这个红包是公司发的开门红", "客户投诉处理流程培训", "国债是无风险资产", "我们的报价统一，没有返点", "保本理财已经基本没有了",
   "这周护盘资金进场，新闻说的", "请勿将客户信息通过私人邮箱发送", "客户名单在CRM里，权限找IT申请", "内部培训资料请勿外传", "撤回了一条消息，发错群了",
   "客户想再加一百万", "我们按客户授权书操作，有录音", "电话录音已存档"],
  ["请知悉", "谢谢", "大家注意", "违者追责", "今天收红", "人人有份", "下周三下午", ""]),
 "en": (
  ["we can only discuss the deal once it's publicly announced", "my WhatsApp is broken, call the office line", "nothing is guaranteed in markets",
   "the stop-loss triggered per the client's standing order", "please don't share the draft outside the deal team", "the client called to say he's very happy",
   "results will be announced on the exchange at 5pm", "the client list in CRM is restricted to coverage"],
  ["thanks", "please note", "per policy", "until compliance clears it", ""]),
}


def compose2(fill):
    rows, seen = [], set()

    def add(text, risk):
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "risk": risk})

    for (cat, lang), (acts, quals) in GRAMMAR.items():
        sep = "，" if lang == "zh" else ", "
        for a in acts:
            for q in quals:
                add(fill(a + (sep + q if q else "")), [cat])
    for lang, (acts, quals) in NEG.items():
        sep = "，" if lang == "zh" else ", "
        for a in acts:
            for q in quals:
                # Same number of negatives as positives per noun keeps the prior sane.
                add(fill(a + (sep + q if q else "")), [])
    return rows
