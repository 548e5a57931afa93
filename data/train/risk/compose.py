"""Compositional part of the generator: risky "cores" (many paraphrases per category, no single
keyword shared by all) wrapped in openers/closers typical of WeCom chat, and benign cores
(business, personal, near-misses) wrapped the same way, so the openers carry no signal."""
import random

OPEN_ZH = ["", "", "", "", "{nz}，", "跟你说，", "那个，", "对了，", "刚才想了下，", "哎，", "老板说，", "悄悄说一句，", "嗯嗯，", "收到，", "好的，", "注意一下，"]
CLOSE_ZH = ["", "", "", "", "。", "，你看着办", "，懂吧", "😂", "🙏", "[呲牙]", "，先这样", "，回头细说", "！", "～", "，辛苦了", "哈"]
OPEN_EN = ["", "", "", "", "Hey, ", "Quick one: ", "FYI ", "Listen, ", "Between us, ", "OK so ", "{ne}, ", "Honestly ", "Right, "]
CLOSE_EN = ["", "", "", "", ".", " 👍", " lol", " thanks", " ok?", "!", " — cheers", " asap", " 🙏"]

CORES = {
"guarantee_of_returns": {
 "zh": ["这个产品您就放心拿着，本金肯定回得来", "收益我给您打包票", "跌了我给您补回来", "不会让您亏一分钱的", "到期{n}个点稳稳的", "就跟存定期一样安全，利息还高",
        "保您一年{n}个点", "少了的部分我私人贴给您", "我给您兜着，不会出问题", "这个绝对不亏，我拿人格担保", "买了就是赚，没悬念", "您就当是高息存款",
        "肯定能拿到{n}%，写合同里都行", "要是没到{n}个点，差额我来出", "这只产品从来没让客户亏过", "我敢打赌年底至少{n}个点", "稳赚，闭眼买", "不赚钱您来找我",
        "收益率是固定的，跟市场没关系", "本金百分百安全，我保证", "这单稳的，亏了我负责", "放心吧，亏不了", "这个产品保证每年分红{n}%"],
 "en": ["your capital is completely safe with me", "you'll get {n}% whatever happens", "if it goes down I'll make up the loss myself", "there's no way this loses money",
        "think of it as a deposit paying {n}%", "I personally guarantee you won't lose", "this can't go wrong, I promise", "you're locked in for {n}% a year, no risk",
        "any shortfall I'll cover from my side", "it only goes one way, up", "I give you my word you'll be up by year end", "principal is safe, returns are certain",
        "if you lose a cent I'll pay it back", "it's as safe as cash but pays {n}%", "you literally cannot lose on this one", "I'll top up anything below {n}%"],
},
"insider_information": {
 "zh": ["{sz}下周要公告收购，现在还没人知道，先买", "我那边的朋友说{sz}业绩要大超预期，公告前进去", "研报下调还没发，先帮大客户出掉", "{sz}要停牌重组，内部已经定了，赶紧建仓",
        "董事会刚决定分红翻倍，消息周五才出，今天先加仓", "{sz}的定增价已经定了，比现在高，先埋伏", "审计那边说{sz}有问题，年报出来前清掉", "收购方是我们的客户，价格比市价高两成，你先买点",
        "这个消息没公开，{sz}拿到大单了，赶紧上", "{sz}老板亲口跟我说的，下周官宣合作，先进", "项目组说那单IPO要延期，公布前先把相关的卖了", "财报数据我看到了，很差，先让客户减仓"],
 "en": ["{se} is announcing a buyout next week, nobody knows yet, buy now", "my contact at the company says results will smash estimates, get in before Thursday",
        "the downgrade comes out tomorrow, sell the big accounts first", "the board just approved a special dividend, it's not public, add to the position",
        "our client is bidding for {se} at a big premium, buy some before the announcement", "I saw the numbers before release, they're awful, cut the exposure today",
        "the regulator approval is coming next week, keep this quiet and load up", "the merger terms are agreed, it goes public Monday, position the accounts now",
        "a friend on the board says they're selling the company, buy calls", "heard from the deal team the offer is way above market, act before the news"],
},
"market_manipulation": {
 "zh": ["收盘前把{sz}拉一下，净值好看", "几个户子之间倒一倒，把量做出来", "挂几笔大单做做样子，等有人跟了就撤", "今天一定要把{sz}托在十块以上",
        "约几个朋友一起买，把价格抬上去再卖", "在论坛里发点利好，我们趁机出货", "开盘先砸下去，低位再接回来", "账户之间来回买卖几次，让它看起来很活跃",
        "尾盘集中打一波，把收盘价做上去", "找几个荐股老师帮忙喊一喊{sz}", "跟别的营业部打个招呼，一起把它拉上去", "挂假单把价格撑住，不要真的成交",
        "季末把重仓股往上推一推，业绩排名要靠前", "你们几个户轮流买，别让它跌破发行价", "找人写几篇唱多的文章，我们慢慢出"],
 "en": ["push {se} up into the close so the NAV looks good", "trade it between our accounts to build some volume", "put up big bids and pull them before they fill",
        "we need to hold {se} above 20 today, buy whatever comes", "get a few chat groups hyping it while we sell into the rally", "hammer it at the open, then buy back lower",
        "mark it up at month-end, the fund needs a better print", "coordinate with the other desks and lift the price together", "spread a rumour and dump our position on the spike",
        "keep lifting the offer in the last minutes so the close prints high",
        "make sure it settles above the barrier today, buy whatever it takes", "lean on it into the fix so our options pay", "have our friends at the other broker buy alongside us to lift it"],
},
"off_channel": {
 "zh": ["这个别在这里说，我们电话聊", "加我另外一个微信细说", "用WhatsApp发我吧，这边会被存档", "以后报价都发我私人邮箱", "我们换个软件聊，这个有记录",
        "这种事当面讲，别打字", "晚上我用家里电话打给你", "你把指令发我QQ上", "公司系统会被查，发我个人手机", "这事别留文字，语音电话说", "Telegram上说，别在企业微信里",
        "客户要求用他私人号联系，你加一下", "这个群有监控，我们另外拉个小群", "别用工作号，用你自己的微信跟客户聊"],
 "en": ["let's not discuss this here, call my mobile", "message me on WhatsApp instead, this chat gets archived", "send the numbers to my personal email tonight",
        "switch to Signal for the pricing", "don't type it, we'll talk in person", "add my other WeChat, easier there", "this channel is recorded, text my own phone",
        "move the client chat to Telegram from now on", "keep it off WeCom, use my private number", "let's take the rest of this conversation off the record"],
},
"evidence_destruction": {
 "zh": ["把跟客户的聊天记录删干净", "那几封邮件赶紧从服务器上清掉", "检查前把那批单据处理掉", "刚发的那条赶紧撤回，当没发过", "录音文件别留了，删了吧",
        "审计来之前把原始凭证拿回家", "把那份会议纪要改一下再归档，删掉收益那段", "电脑里那个文件夹清空，合规要来", "纸质单据拿去碎纸机", "系统日志找IT删一下",
        "那个群解散掉，记录都清了", "把之前承诺收益的截图都删了", "监管要查，把那几本台账藏起来"],
 "en": ["wipe the chat history with the client", "delete those emails before compliance pulls them", "shred the paper tickets before the inspection", "recall that message and act like it never happened",
        "get rid of the call recording", "take the old files home before the auditors come", "clean the pricing notes off the shared drive before the review", "ask IT to purge the logs",
        "erase the voicemail before anyone asks for it", "backdate the form so it looks signed before the trade", "remove the side letter from the file before the exam"],
},
"bribery_gifts": {
 "zh": ["给审批的领导包个大红包", "采购那边每单给他返两个点，私下转", "给对方处长的儿子安排个实习，这单就稳了", "送几张购物卡过去，别开票",
        "请客户老总一家去三亚玩，费用走会议费", "给托管行的人塞点钱，费率好谈", "年底给那个经理送两瓶茅台，里面放个信封", "这单成了给你个人一个点，现金",
        "把评委请去会所，账记在培训费里", "给对方负责人的太太买个包", "返点打到他朋友公司的账上", "对方负责人的孩子出国读书，学费我们想办法", "这笔返佣私下给他，别走公司账"],
 "en": ["slip the procurement head an envelope", "pay him a point on the side through his cousin's firm", "give the official's son a summer job and the deal is ours",
        "send a few gift cards over, no receipts", "fly the CFO's family to Phuket and book it as a conference", "a little cash for the custodian guy and the fees drop",
        "put the client's golf trip through as training", "you get 1% personally, in cash", "buy the treasurer's wife a designer bag", "route the kickback through a consulting invoice"],
},
"confidentiality_breach": {
 "zh": ["把客户名单导一份发我私人邮箱", "我跳槽前把客户资料都拷走", "把那家公司的尽调报告拍给我朋友", "客户身份证照片发给外面的中介", "没发布的研报先给我基金的朋友看看",
        "帮我查查我邻居在我们这有多少钱", "把大客户的持仓截图发我", "并购的时间表给那个记者一份", "客户的资产明细打印出来我带走", "董事会材料转给外面的投资人",
        "客户的联系方式卖给保险公司", "帮我看看我前任的账户余额"],
 "en": ["export the client list and send it to my personal address", "copy the client files before I leave for the competitor", "forward the draft prospectus to my friend at the fund",
        "send the client's passport scan to the outside broker", "give the unpublished research to a journalist", "look up how much my neighbour has with us",
        "screenshot the top client positions for me", "share the merger timeline with the press, off the record", "print the client balances and take them home",
        "sell the client contact list to the insurance agent"],
},
"complaint": {
 "zh": ["你们这个产品亏成这样，当初根本没讲风险", "钱到现在还没到账，你们怎么回事", "收费和说好的不一样，我要个解释", "再不处理我就去监管那里反映",
        "打了好几次电话都没人管，太不像话", "你们经理骗我买的，我要求赔偿", "客户在电话里发了很大的火，说要去投诉", "我对你们的服务非常不满意",
        "说好免手续费，又扣了，我要找你们领导", "客户说被误导了，要讨个说法", "这已经是第三次出错了，你们到底行不行", "客户来营业部闹，说我们乱收费", "拖了半个月还没给我处理，你们效率太低了", "这个结果我不接受，给我换个经理", "我要把这件事反映给你们总部",
        "你們啲職員態度好差", "说好的收益一分都没有，你们得给我个交代"],
 "en": ["you sold me this as low risk and I lost a third", "my money still hasn't arrived, what is going on", "these charges are not what I agreed to, explain",
        "fix this or I'm going to the regulator", "nobody answers my calls, this is unacceptable", "I want compensation, your adviser misled me", "the client is furious and wants to escalate",
        "I'm extremely unhappy with how my account was handled", "this is the third mistake on my statement", "the client says he'll file a formal complaint",
        "I was promised no lock-up and now I can't withdraw, this is not acceptable", "I'll be taking my business elsewhere unless someone calls me today", "the adviser never explained the fees, I feel cheated"],
},
"unauthorized_trading": {
 "zh": ["客户联系不上，我先帮他卖了", "用客户的账号登进去下了单", "客户没同意，我先帮她换了产品", "他的交易密码我知道，我直接操作了", "没跟客户说就帮他加仓了",
        "客户不在，我按自己判断先调了仓", "我拿客户账户做了几笔短线", "客户只是问问，我就先给他买了", "她老公把验证码给我了，我帮她转了", "事后再跟客户解释吧，先买了",
        "我账户里怎么多了一笔我没下的单", "我从来没让你卖，为什么卖了", "客户在开会没空回，我先替他把仓位调了", "这几个老客户的账户我一直自己在操作，他们不管",
        "她没回消息，我就按我的想法给她买了", "客户的U盾一直放我抽屉里，需要时我就用"],
 "en": ["I couldn't reach the client so I sold it for him", "logged into the client's account and placed the order", "switched her fund without asking, she'll be fine",
        "I know his password, I just did the trade", "added to his position without telling him", "I rebalanced their portfolios on my own call", "bought it for him before he said yes",
        "used her OTP to approve the transfer", "there's a trade on my account I never made", "I never told you to sell, why was it sold",
        "I went ahead and bought it in her account, she can thank me later", "he never signed off but I switched him into the tech fund", "put the order through for her while she was at dinner"],
},
}

NEG_CORES = {
 "zh": [
  # business, benign
  "明天上午的晨会改到十点", "客户资料已经按流程归档了", "这个产品不保本，请您看一下风险揭示书", "收益是浮动的，我没法给您保证", "报价单我稍后通过企业微信发您",
  "合同我已经用公司邮箱发过去了", "客户的风险测评做完了，是稳健型", "这周五之前把尽调底稿交给合规", "客户下单指令已录音确认", "研报已经正式发布，可以转给客户",
  "公告出来了，{sz}确认重组，客户问影响", "收盘后把今天的成交汇总发我", "会议纪要重复的那段我删掉了", "刚才发错群了，我撤回一下", "我把旧版本的PPT删了，用最新的",
  "客户投诉流程培训在下周三", "合规提醒：不要用私人微信联系客户", "客户送的茶叶已登记上交", "年会抽奖奖品是购物卡", "公司发的加油卡记得领",
  "客户忘了密码，我教他在APP上重置", "客户授权后我们按指令卖出了", "新同事的入职培训安排好了", "{pz}的申购费率是千分之一点五", "请大家更新一下客户KYC资料",
  "下周三去拜访{nz}，车我来约", "今天净值更新了，客户问为什么跌", "这个客户的持仓比较集中，建议分散一下", "审计下周进场，请准备好资料配合", "监管检查需要的文件清单发群里了",
  "市场波动大，提醒客户注意风险", "这个产品是非保本浮动收益型，可能亏损本金", "本产品不保证本金和收益，投资需谨慎", "理财非存款，产品有风险", "过往收益不代表未来，可能亏本", "浮动收益，不承诺保本",
  "您的风险承受能力是保守型，这个产品可能亏损，建议谨慎", "产品说明书第三页写了本金可能损失", "这不是保本产品，亏损要自己承担", "保险的保单我帮您查了，保额没问题", "客户想赎回，我帮他提交了申请，他在电话里确认过", "明天开会讨论一下投诉处理的改进", "请把签字版的合同扫描存档", "报销的发票要是原件",
  "季度末的合规培训大家记得参加", "系统升级期间交易暂停", "客户要求提供对账单，已通过官方渠道发送", "我们的产品都有风险，不承诺收益", "这个基金过往业绩不错，但不代表未来",
  # personal
  "晚上吃火锅吗", "周末带娃去公园", "我妈让我回家吃饭", "这家奶茶太甜了", "明天请假去医院复查", "楼下快递到了帮我拿一下", "下班一起去健身", "新买的手机好用吗",
  "生日快乐！", "刚看完那部电影，结局太意外了", "我自己的股票又跌了，郁闷", "老婆抱怨我回家太晚", "周末爬山群拉你进来了，用私人微信", "今天好冷", "孩子开家长会",
  "这家餐厅服务真差", "快递延误了三天，气人", "我家猫生病了", "中午点外卖吗", "给我儿子买生日礼物", "春节红包封面好看", "同学聚会定在下周六",
  "内部消息：食堂今天有红烧肉", "你们小区停电了吗", "我们这边天天下雨", "这张照片拍得真好，用的什么滤镜", "刚跑完十公里，累死了", "婚礼定在十月，一定要来", "明年打算去日本玩",
  "这个奶茶店用的是什么茶叶", "你们那边堵车吗", "刚做完体检，一切正常", "周末一定要去看那个展", "我们家楼下新开了健身房", "孩子这学期成绩进步了",
  "你用什么牌子的跑鞋", "这件衣服在哪买的", "今年过年回老家吗", "这个周末一定好好睡一觉", "你们几点下班", "我定了明年的年假", "昨天的球赛你看了吗", "这家火锅店排队两小时",
  "我在学游泳，呛了好几口水", "你家狗狗叫什么名字", "明天一起吃早饭", "我准备换个手机，有推荐吗", "这个电视剧太好看了，一口气看完", "这个app怎么这么卡", "先别外传，下周给老板过生日", "我删掉了手机里重复的照片", "打气筒借我一下，车胎没气了",
 ],
 "en": [
  "the morning meeting moved to 10", "please read the risk disclosure, this product isn't capital protected", "returns are not guaranteed and can go down",
  "I'll send the quote through WeCom", "sent the contract from my work email", "client's risk profile came back as balanced", "please file the signed forms by Friday",
  "the order was confirmed on the recorded line", "research was published this morning, feel free to share with clients", "the merger was announced, clients are asking about it",
  "I deleted the duplicate spreadsheet, use the final one", "recalled the email, wrong attachment, resending", "complaints handling training is next Wednesday",
  "reminder: don't use WhatsApp for client business", "the vendor's gift basket has been logged with compliance", "client forgot his password, walked him through the reset",
  "executed the sell after the client confirmed by phone", "audit starts Monday, please have the files ready", "the regulator's document request is in the shared folder",
  "markets are volatile, remind clients about risk", "past performance is not a guide to future returns", "the buy signal on the chart looks decent", "guaranteed delivery of the laptops by Tuesday",
  "I guarantee the deck will be ready by 9", "insider tip: the new dumpling place is great", "pump up the tyres before the ride", "no complaints from me, great offsite",
  "dinner tonight?", "my flight is delayed again", "happy birthday!", "the kids have a school play on Friday", "anyone for badminton Saturday?", "my own stock dropped again, ugh",
  "the referee last night was awful", "what filter did you use on that photo", "just finished a half marathon, legs are dead", "the wedding is set for May, you have to come", "is your building's water back on",
  "which running shoes do you use", "my kid's exam results came in, so proud", "who's up for karaoke tonight", "the new cafe downstairs is surprisingly good", "traffic is insane today",
  "just booked my annual leave for March", "did you watch the match last night", "my internet at home keeps dropping", "thinking of getting a puppy", "what time do you finish today", "my wife complains I work too late", "send the party photos to my personal email", "join our hiking group on WeChat",
  "lunch at 12:30 with the product team", "the VPN will be down tonight", "client asked for the factsheet of {pe}, sending now", "trade booked, confirmation to follow",
 ],
}

def compose(rng, fill, per_core=3):
    rows = []
    seen = set()
    def add(text, risk):
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "risk": risk})
    for cat, langs in CORES.items():
        for lang, cores in langs.items():
            op, cl = (OPEN_ZH, CLOSE_ZH) if lang == "zh" else (OPEN_EN, CLOSE_EN)
            for core in cores:
                for _ in range(per_core):
                    add(fill(rng.choice(op) + core + rng.choice(cl)), [cat])
    for lang, cores in NEG_CORES.items():
        op, cl = (OPEN_ZH, CLOSE_ZH) if lang == "zh" else (OPEN_EN, CLOSE_EN)
        for core in cores:
            for _ in range(per_core * 3):
                add(fill(rng.choice(op) + core + rng.choice(cl)), [])
    return rows
