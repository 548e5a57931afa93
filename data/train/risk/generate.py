#!/usr/bin/env python3
"""Generates the template part of the risk training data (deterministic: seeded).

Writes gen_<name>.jsonl next to this file. Hand-written lines live in hand_*.jsonl.
Run: python3 data/train/risk/generate.py   (then retrain: cargo run --release -p wcp-risk --example train_risk_models)
"""
import itertools, json, os, random

R = random.Random(20261127)
HERE = os.path.dirname(os.path.abspath(__file__))

NAMES_ZH = ["陈姐", "刘总", "赵哥", "孙老师", "周阿姨", "吴先生", "郑总", "黄姐", "何叔", "林总", "马老板", "罗姐", "高总", "梁先生", "宋阿姨"]
NAMES_EN = ["Mr Lim", "Mrs Tan", "Jason", "Priya", "Mr Ho", "Mrs Lee", "David", "Ms Koh", "Mr Patel", "Sarah", "Mr Ng", "Mrs Chan"]
STOCKS_ZH = ["那只票", "这只股", "华信科技", "东方新材", "这个标的", "那只医药股", "中兴达", "那只小盘股", "这只新能源", "宏远股份"]
STOCKS_EN = ["the stock", "that name", "ACME", "the small cap", "Borealis", "the biotech", "this counter", "the ticker we discussed", "Helix", "that REIT"]
PRODUCTS_ZH = ["这款理财", "这个基金", "这只信托", "这个结构化产品", "这款私募", "这个资管计划", "这只债基", "这款票据"]
PRODUCTS_EN = ["this note", "the fund", "this structured product", "the bond fund", "this plan", "the new product", "this wrapper", "the private credit fund"]
EMOJI = ["", "", "", "😊", "👍", "[呲牙]", "🙏", "[OK]", "😉", "!", "～", "哈"]

def pick(xs):
    return R.choice(xs)

def fill(t, tail=True):
    out = t
    for key, vals in (("{nz}", NAMES_ZH), ("{ne}", NAMES_EN), ("{sz}", STOCKS_ZH), ("{se}", STOCKS_EN), ("{pz}", PRODUCTS_ZH), ("{pe}", PRODUCTS_EN)):
        while key in out:
            out = out.replace(key, pick(vals), 1)
    while "{n}" in out:
        out = out.replace("{n}", str(R.choice([3, 4, 5, 6, 7, 8, 10, 12, 15, 20])), 1)
    return out + pick(EMOJI) if tail else out

def fill_plain(t):
    """Slots only, no trailing emoji (the composer adds its own closers)."""
    return fill(t, tail=False)

WHO_ZH = ["我", "客户", "王总", "小李", "合规", "运营", "{nz}", "老板", "财务", "产品部", "我们组", "IT"]
WHEN_ZH = ["明天", "下午", "今天", "周五前", "下周一", "晚点", "会后", "月底前", "马上", "等会儿"]
DO_ZH = ["发一下", "确认一下", "看一下", "整理好", "提交", "签字", "打印", "更新", "核对", "准备", "转给运营", "放共享盘", "过一遍", "跟进"]
OBJ_ZH = ["合同", "季度报告", "路演材料", "会议纪要", "开户资料", "风险揭示书", "产品说明书", "对账单", "报销单", "培训课件", "客户拜访计划", "估值表", "周报", "预算表", "新产品的介绍", "{pz}的资料", "研报摘要", "排班表"]
TAIL_ZH = ["", "，谢谢", "哈", "～", "，有问题随时说", "，辛苦", "。", "，收到请回复", "👌"]
WHO_EN = ["I", "the client", "ops", "compliance", "{ne}", "the team", "finance", "IT", "we", "the desk"]
DO_EN = ["will send", "needs to review", "has signed", "will update", "is checking", "will print", "can share", "should file", "will circulate", "is preparing"]
OBJ_EN = ["the contract", "the quarterly report", "the meeting notes", "the onboarding forms", "the risk disclosure", "the fact sheet", "the expense claim", "the training slides",
          "the budget", "the weekly update", "the KYC refresh", "the product brochure", "the settlement instructions", "the valuation file", "the roadshow deck"]
WHEN_EN = ["tomorrow", "this afternoon", "by Friday", "next week", "after lunch", "before the call", "today", "end of month", "later"]
TAIL_EN = ["", ".", ", thanks", " 👍", ", let me know if anything's missing", "!", " — cheers"]

NUMERIC_ZH = ["恒指收{p}点，涨了{d}%", "上证今天跌了{d}%，成交{i}亿", "订单号{num}，明天发货", "快递单号{num}", "我手机号{phone}，到了打给我", "客户刚发来身份证照片和银行卡号{num}，开户用",
    "{sz}今天涨了{d}%，客户问要不要止盈", "这个月业绩完成了{i}%", "报销金额{i}元，发票已附", "会议号{num}，密码{i}", "净值{p}，比上周高{d}%", "基金代码{i}，请核对",
    "客户转账{i}万已到账", "港股通净流入{i}亿", "合同编号{num}已盖章", "工号{i}，分机{i}", "彩票中了{i}块哈哈", "IP是10.{i}.{i}.{i}，帮我看下网络", "版本号v{i}.{i}.{i}", "利率下调{d}个基点"]
NUMERIC_EN = ["HSI closed at {p}, down {d}%", "order number {num}, ships tomorrow", "my number is {phone}, call when you're here", "client sent his card number {num} for the direct debit",
    "{se} is up {d}% today, client asks whether to take profit", "expense total {i} dollars, receipts attached", "meeting id {num}, passcode {i}", "NAV {p}, up {d}% on the week",
    "fund code {i}, please check", "the transfer of {i}k has arrived", "contract no. {num} signed", "rates cut by {d} bps", "version {i}.{i}.{i} is deployed"]

def numbers(t, rng):
    for key, gen in (("{p}", lambda: f"{rng.randint(1000, 30000)}.{rng.randint(10, 99)}"), ("{d}", lambda: f"{rng.randint(0, 9)}.{rng.randint(1, 9)}"),
                     ("{i}", lambda: str(rng.randint(1, 999))), ("{num}", lambda: str(rng.randint(10**9, 10**16))), ("{phone}", lambda: "1" + str(rng.randint(3 * 10**9, 9 * 10**9)))):
        while key in t:
            t = t.replace(key, gen(), 1)
    return t

P_SUBJ_EN = ["My cat", "My son", "My daughter", "My wife", "My husband", "My mum", "My neighbour", "My phone", "My laptop", "My car", "My flatmate", "My dog", "My bike", "My sister"]
P_VERB_EN = ["broke", "spilled coffee on", "is sick again", "loves", "lost", "found", "finally fixed", "keeps complaining about", "forgot", "won't stop talking about", "ordered", "is obsessed with"]
P_OBJ_EN = ["the new sofa", "my laptop", "the TV remote", "the garden", "my keys", "the weekend plans", "the holiday photos", "the birthday cake", "the broken tap", "pizza", "the football match", "my charger"]
P_TAIL_EN = ["", " this morning", " again", " last night", " 🙃", " lol", " haha", " today", " 😂"]
P_SUBJ_ZH = ["我家猫", "我儿子", "我女儿", "我老婆", "我老公", "我妈", "邻居", "我手机", "我电脑", "我的车", "室友", "我家狗", "我姐"]
P_VERB_ZH = ["又把", "今天把", "昨晚把", "终于把", "非要把", "不小心把"]
P_OBJ_ZH = ["咖啡打翻了", "钥匙弄丢了", "沙发抓坏了", "遥控器藏起来了", "蛋糕吃光了", "照片删了", "充电器弄坏了", "花盆打碎了", "作业写完了", "周末安排好了"]

SHORT_ZH = ["我在{place}，等下回你", "我在{place}，晚点打给你", "我到{place}了", "你先{act}，我马上来", "等我一下，我在{place}", "我在{place}，你直接打我电话",
    "我一会儿{act}，你先忙", "你到{place}了跟我说", "我手机快没电了，晚点回你", "我先{act}，回头聊", "你{act}了吗", "我在{place}排队呢"]
SHORT_EN = ["I'm at the {place_en}, will reply later", "on my way to the {place_en}", "call me when you're at the {place_en}", "my phone is dying, text you later",
    "can you call me after the {place_en}?", "I'm stuck at the {place_en}, back in 10", "just got to the {place_en}", "ping me when you're free"]
PLACES = ["gym", "地铁上", "开会", "医院", "超市", "楼下", "机场", "路上", "食堂", "家里", "健身房", "咖啡店", "高铁上", "幼儿园门口"]
PLACES_EN = ["gym", "airport", "dentist", "supermarket", "office", "station", "school gate", "cafe", "doctor's"]
ACTS = ["吃饭", "开会", "回家", "下班", "睡觉", "出发", "点外卖", "去接孩子"]

def short_line(rng):
    if rng.random() < 0.6:
        return rng.choice(SHORT_ZH).replace("{place}", rng.choice(PLACES)).replace("{act}", rng.choice(ACTS))
    return rng.choice(SHORT_EN).replace("{place_en}", rng.choice(PLACES_EN))

def personal_line(rng):
    if rng.random() < 0.5:
        return rng.choice(P_SUBJ_EN) + " " + rng.choice(P_VERB_EN) + " " + rng.choice(P_OBJ_EN) + rng.choice(P_TAIL_EN)
    return rng.choice(P_SUBJ_ZH) + rng.choice(P_VERB_ZH) + rng.choice(P_OBJ_ZH) + rng.choice(["", "😂", "，无语", "哈哈", "[捂脸]", "。"])

def benign_grammar(rng, n):
    """Plain work-chat sentences with no risk, from a small grammar."""
    out, seen = [], set()
    while len(out) < n:
        r = rng.random()
        if r < 0.05:
            t = short_line(rng)
        elif r < 0.1:
            t = personal_line(rng)
        elif r < 0.2:
            t = numbers(rng.choice(NUMERIC_ZH if r < 0.12 else NUMERIC_EN), rng)
        elif r < 0.65:
            t = rng.choice(WHO_ZH) + rng.choice(WHEN_ZH) + rng.choice(DO_ZH) + rng.choice(OBJ_ZH) + rng.choice(TAIL_ZH)
        else:
            t = rng.choice(WHO_EN) + " " + rng.choice(DO_EN) + " " + rng.choice(OBJ_EN) + " " + rng.choice(WHEN_EN) + rng.choice(TAIL_EN)
            t = t[0].upper() + t[1:]
        t = fill(t, tail=False)
        if t not in seen:
            seen.add(t)
            out.append({"text": t, "risk": []})
    return out

def expand(templates, k):
    """k variants of each template (slots filled at random), de-duplicated, order kept."""
    seen, out = set(), []
    for t in templates:
        for _ in range(k):
            s = fill(t)
            if s not in seen:
                seen.add(s)
                out.append(s)
    return out

POS = {
"guarantee_of_returns": [
    "{nz}，{pz}您闭着眼买，年底{n}个点是板上钉钉的", "{pz}就跟存银行一样，只是利息多{n}个点，本金一分不会少",
    "放心，{pz}到期本金加{n}%我负责给您拿回来", "要是跌了，差多少我私人给您补上", "{pz}我给您打包票，肯定不会亏",
    "本金我来托底，您只管拿着", "您买了要是亏了，我把我的佣金退给您补上", "这个收益率是锁死的，{n}%一分不少",
    "我跟您保证，明年这时候翻倍", "{nz}放一百个心，这个产品不可能亏", "稳的，买了就等着收钱吧",
    "这只我跟您担保，最少{n}个点", "赔了我个人兜着", "保證穩賺，唔使擔心", "呢個產品冇得蝕，我擔保",
    "{pz}到期一定兑付，本息都有保障，我说了算", "这个跟定存差不多，就是收益更高，没有任何风险",
    "收益我给您写在纸上，到时候不到这个数来找我", "买它等于白捡{n}个点", "亏一分我赔一分",
    "This one can't lose, trust me", "{pe} is basically a deposit with a better rate, your capital is safe with me",
    "I'll personally make sure you get at least {n}% back", "If it drops I'll top it up from my own pocket",
    "You're covered on the downside, I'll handle any shortfall myself", "{pe} pays {n}% no matter what happens to the market",
    "Trust me {ne}, there's zero chance you lose money on {pe}", "I promise you'll be up {n}% by year end",
    "Worst case you walk away with your money plus {n}, I give you my word", "Your principal is 100% protected, I guarantee it",
    "{ne}, put it in {pe} — it only goes up", "any losses are on me, just sign",
    "这个fixed income产品我给您保{n}个点，放心", "这个note稳赚的，downside我cover",
],
"insider_information": [
    "我朋友在{sz}做财务，说下季度业绩要爆，赶紧先买点", "听说{sz}下周要被并购，消息还没出来，先进去",
    "董事会昨天定了回购，周四才公告，今天先帮几个客户加仓", "投行那边的同学透了个底，{sz}要停牌重组，早点埋伏",
    "研究部的下调报告明天才发，先把{sz}出掉", "这个消息别外传，{sz}中报要亏，让客户先跑",
    "项目组说定增价比现价高很多，公告前抓紧上车", "我姐夫在证监会，说{sz}马上要立案，赶紧清仓",
    "收购方案已经谈妥了，周一复牌前满仓", "{sz}的中标结果我提前知道了，是他们，明天先买",
    "审计师朋友说{sz}年报有大问题，先让客户卖掉", "聽朋友講{sz}下星期公佈收購，今日快啲入貨",
    "公司内部刚开完会，{sz}季报大超预期，还没发，先下手", "别问消息哪来的，{sz}周五宣布重组，今天买",
    "I heard from someone at the bank that {se} is getting a takeover offer next week, buy some today",
    "The earnings are way above consensus, results come out Thursday — get our clients in before then",
    "My buddy on the deal team says the merger closes Monday, load up now", "Research is cutting {se} to sell tomorrow morning, dump it for the big accounts first",
    "Board signed off on the acquisition, nobody outside knows yet. Buy before the press release",
    "Got word the FDA approval for {se} lands next week, position the discretionary book now",
    "Don't ask how I know, but {se} is being bought out. Get in before Friday",
    "the deal team says the offer price is well above where {se} trades, might be worth buying ahead",
    "我表弟在{sz}当高管，说下周出利好，你懂的", "听说那个重组下周一官宣，我们先上车🚗",
],
"market_manipulation": [
    "收盘前最后十分钟把{sz}往上打一打，月底净值好看点", "我们几个户互相倒一倒，把成交量做大",
    "挂几笔大单吓唬一下，等散户跟了就撤", "{sz}今天不能跌破十块，几个账户一起托住", "找几个群主帮忙喊一下{sz}，我们先进去，拉高了走",
    "A账户卖B账户接，来回做几次把量做起来", "尾盘集中买一下，把收盘价抬上去", "明天开盘先砸一下，把价格压下来我们再低吸",
    "跟另外两个营业部打好招呼，一起拉{sz}", "放点利好消息到论坛，配合我们出货", "在卖一挂个假单，别让它成交",
    "Let's lean on the offer near the close so it prints higher", "Put in some big bids we don't intend to fill, then pull them",
    "Trade it back and forth between the two funds to make it look liquid", "Get a few influencers to hype {se} while we build, then unload",
    "Keep buying into the last five minutes so the month-end mark looks good", "We need {se} above 20 for the placement, get the desks to support it",
    "Hit the bid hard at the open to knock the price down, then we buy back cheaper", "Layer orders on the bid to push it up and cancel before they fill",
    "月末把{sz}做高一点，产品净值要好看", "拉一下{sz}的收盘价，明天好报",
],
"off_channel": [
    "这事咱们别在这儿聊了，加我另一个微信", "回头我打你私人电话细说", "价格的事你发我私人号，别走公司系统",
    "企业微信都会被存档，我们换个地方说", "以后大单的事用WhatsApp跟我说", "我建了个Telegram群，客户报价都发那里",
    "把方案发我163邮箱吧，公司邮箱太麻烦", "这个我们见面聊，别打字", "这种话别在群里说，私下打电话", "你用你自己的手机给我打过来",
    "客户要求以后用他的私人微信沟通，别走工作号", "我们晚点电话沟通，别留文字", "這件事唔好喺呢度講，我哋用WhatsApp傾",
    "Let's move this conversation to my personal WhatsApp", "Text me on my private number instead, this chat is monitored",
    "Don't put the price in here, call me on my mobile later", "Send it to my Gmail, I'll look tonight", "Let's talk on the other app",
    "Ping me on Signal about the allocation", "This stuff shouldn't go over WeCom, DM me on Telegram",
    "Can we take this offline? I'd rather not have it on the record", "I'll call you from my own phone, easier that way",
    "报价别发这儿，用Signal", "这单细节WhatsApp上聊，这边合规看得到", "这个事情我们线下说，不要在企业微信里讲",
    "以后交易指令你发我私人邮箱就行", "这个群有存档，我们另外拉个群",
],
"evidence_destruction": [
    "检查组下周进场，把去年那批对账单先收到你家里去", "那个录音文件你从服务器上删掉吧", "把和客户的那段聊天全部清掉，别留着",
    "审计来之前把那几本手工台账处理了", "昨晚发的那条收益截图赶紧撤回，就当没这回事", "原始交易单别放档案室了，拿去碎掉",
    "监管要调资料，把那几封邮件从归档里拿掉", "那份会议纪要别归档，改一版再放", "把系统里的下单日志改一下时间",
    "那些纸质凭证你拿回去烧了", "电脑里跟客户承诺收益的文件全删了", "合规在查，那个群解散，聊天记录清空",
    "Wipe the chat history with the client before compliance pulls it", "Get rid of those voicemails before the regulator asks for them",
    "Can you purge the old pricing emails from the shared inbox before the review?", "Delete the WhatsApp thread with the client, all of it",
    "Before the auditors arrive, make sure those order tickets disappear", "Recall that email to the client and pretend it was never sent",
    "Take the paper trade blotters home so they aren't here during the inspection", "Backdate the suitability form so it looks signed before the trade",
    "Clean out the folder with the side letters before legal hold kicks in", "Erase the recording of that call, we don't want that on file",
    "刚才那条消息撤回吧，别让合规看到", "把那个excel里客户收益承诺那栏删了再交给稽核",
],
"bribery_gifts": [
    "审批那边的主任那里，你过年包个大的，项目就好办了", "给采购经理的太太买个包，别开发票", "这单做成了给你个人两个点，现金给",
    "局长的女儿毕业了，看看能不能塞到我们研究部", "招标评委那边安排一次澳门行，费用记会务费", "客户那边的财务总监，每月给他打点一下",
    "把客户全家的机票酒店都订上，算客户活动", "给银行那个行长送两瓶好酒，里面放个信封", "返你千分之三，打你老婆卡上",
    "年底给托管行的对接人包个红包，明年费率好谈", "送个金条给他们董事长，这单就稳了", "幫我準備幾張購物卡送去審批嗰邊",
    "Slip the procurement guy an envelope and the mandate is ours", "Give him 1% of the fee on the side, paid to his cousin's company",
    "Fly the pension fund CIO and his wife business class to Bali, put it down as due diligence", "His nephew needs a summer job, find him something and the account follows",
    "Send the regulator's assistant a designer bag, no receipt", "We'll pay you a finder's fee personally, cash, nothing on paper",
    "Get the client VIP tickets and a hotel suite, but don't log it in the gifts register", "Put the golf weekend for the treasurer through as a training cost",
    "这单你帮我推过去，佣金分你一半，私下转", "给对方领导安排个按摩，单据开成餐费",
],
"confidentiality_breach": [
    "把我们高净值客户的名单拷到U盘，我带回家", "新东家要我们这边的客户资料，你帮我导一份", "把那家上市公司的尽调材料拍给我朋友看看",
    "客户的身份证和银行卡照片你发给那个贷款中介", "这份还没发布的研报先给我在基金公司的同学", "我把客户的资产明细截图发我老婆了，她想学学",
    "帮我看看我邻居在我们行存了多少钱", "把并购的时间表发给那个记者，别写我名字", "客户的持仓表你打印一份我拿出去",
    "我准备跳槽，先把客户联系表发我私人邮箱", "把董事会的材料转给外面的投资人看看", "呢份客戶名單你幫我send去我私人email",
    "Email me the full client list with balances, I'm moving to a competitor next month", "Forward the draft merger agreement to my friend at the hedge fund",
    "Screenshot the top ten client positions and send them to me on WhatsApp", "I'll share the unreleased research with a reporter I know, off the record",
    "Can you look up how much my brother-in-law has in his account here?", "Download the client database to a USB stick for me",
    "Give the prospect a copy of another client's portfolio so he sees what we do", "Send the deal pitchbook to my personal address, I want it for my next job",
    "把客户名单导出来我带去新单位", "我查了下前女友在我们这的账户，余额挺多的😂",
],
"complaint": [
    "我的钱赎回一个礼拜了还没到账，你们到底怎么回事", "你们经理卖产品的时候说得天花乱坠，现在亏成这样谁负责", "收费这么乱，我要找你们行长",
    "再不处理我就去银保监会反映", "说好的手续费减半，结果一分没少，太不像话了", "打了五次电话都没人接，你们这是什么服务",
    "客户在营业厅大闹，说我们乱卖产品", "客户很不高兴，说被误导买了高风险产品，要求赔偿", "你们的app又崩了，我的单没成交，损失谁赔",
    "我要写信给监管，你们根本没做风险提示", "客户说如果这周不给答复就找媒体", "你們嘅經理講嘢唔算數，我要搵監管投訴",
    "I've been waiting two weeks for my withdrawal, this is unacceptable", "You told me the fund was low risk and I've lost 30%, I want answers",
    "I'm going to report this to the regulator if it isn't fixed today", "Client called furious about the hidden charges, says he'll escalate",
    "Nobody has replied to my three emails. Is anyone actually running this desk?", "I'd like to lodge a formal grievance about how my account was handled",
    "This is the worst experience I've had with any bank, fix it or I'm leaving", "The client is threatening legal action over the misstatement",
    "管理费扣了两次，我要个解释，不然我找你们领导", "客户投诉说产品说明书跟销售讲的不一样",
],
"unauthorized_trading": [
    "客户出差联系不上，我先把他的仓位减了", "{nz}的账户我登进去帮她换了个基金，她应该不介意", "客户没让买，我觉得机会好就先下了",
    "他把U盾放我这儿了，我直接帮他操作", "没有客户指令，先用他账户做个T", "客户的手机验证码她老公报给我了，我帮她卖了",
    "我按自己的想法给几个老客户都调了仓，过几天再通知", "客户只说了考虑一下，我就先帮他申购了", "客户的账户我用来做了几笔短线，赚了再还他",
    "为什么我账户里多了几只我没买的股票", "我根本没下过这个单，谁动了我的账户", "我冇叫你買，點解我戶口會多咗呢隻股票",
    "Client's travelling, I went ahead and switched his bonds into equities, I'll explain later", "I logged in as {ne} and placed the order myself",
    "She never asked for it but I bought the fund for her, she'll thank me", "I don't remember authorising this purchase, who approved it?",
    "Just execute it for him, he won't check his statement anyway", "I've been trading the account on my own view, he doesn't need to know every move",
    "There's a sell on my account I never placed. Explain please", "Use the client's token to approve the transfer, he gave it to me",
    "客户没确认，我先把那笔申购提交了", "他没点头我就先帮他卖了一半",
],
}

# Hard negatives: near-misses per category, plus ordinary business and personal chat.
NEG = [
    # guarantee near-misses
    "{pz}不保本，过往业绩不代表未来表现，请您仔细阅读风险揭示书", "这个产品是净值型的，收益会有波动，我没法保证收益",
    "{pe} is not guaranteed and you may lose part of your capital", "We can't promise any return, the value can go down as well as up",
    "保证按时把对账单寄给您", "I guarantee the report will be on your desk by 9", "保证完成本季度的培训学时", "Guaranteed delivery of the printer toner by Tuesday",
    "这个是固定收益类产品，不是存款，有一定风险", "无风险利率按两年期国债算", "这款R2产品风险较低但不保本", "年化收益只是测算，不构成承诺",
    "我们不能向客户承诺收益，这是红线", "Past results don't guarantee future performance", "The risk-free rate assumption is 3.5%",
    # insider near-misses
    "公司公告已经出来了，{sz}确认重组，市场反应挺大", "研报今天已经正式发布了，客户可以看", "内部消息：下午茶有蛋挞", "公司年会的节目单是内部消息，先别剧透",
    "The merger was announced this morning, clients are calling about it", "Insider tip: the coffee on 12F is better than the lobby", "Earnings were released yesterday, let's review the client impact",
    "合规提醒：内幕信息知情人名单请本周更新", "Reminder: everyone on the insider list must pre-clear trades",
    # manipulation near-misses
    "收盘前把今天的交易汇总发我", "客户想在尾盘买一点，我按指令下单了", "Pump up the volume on the demo video", "I need to pump up the bike tyres before the ride",
    "Compliance flagged possible spoofing in the surveillance report, please review", "今天大盘尾盘拉升，客户问要不要加仓",
    "Close of business today for the expense claims", "这只票今天成交量放大，是公告利好",
    # off-channel near-misses
    "周末聚餐的群我拉你进来，用私人微信就行", "我的私人微信是生活号，下班约饭加这个", "工作的事请统一在企业微信沟通，谢谢",
    "Please keep all client communication on approved channels", "WhatsApp is not permitted for client business, use WeCom", "My kids' school uses WhatsApp for parent updates, it's chaos",
    "客户说在群里不方便，我们约了周三到公司面谈，会做会议记录", "有事打我工作手机，号码在签名里", "The buy signal on the chart looks strong today",
    "明天给客户回电话，电话会录音", "我们线下开会讨论，会后发纪要到群里",
    # evidence near-misses
    "把重复的两份合同扫描件删掉，保留最新版", "I removed the duplicate spreadsheet, use the one in the final folder", "邮箱满了，我清理一下垃圾邮件",
    "Delete the spam emails from the shared inbox please", "按档案管理规定，保管期满的凭证已经经合规批准销毁", "撤回一下，刚才发错群了，是周末聚餐的通知",
    "I recalled the email because I attached the wrong file, resending now", "改一下会议纪要的错别字再发", "清理一下电脑桌面，太乱了",
    "Retention schedule says these 2015 records can be destroyed, compliance signed off",
    # bribery near-misses
    "公司年会抽奖有购物卡，大家记得来", "客户送的月饼我已经登记上交给合规了", "春节红包封面在哪里领的", "同事结婚，我们凑个份子随个红包",
    "The client sent a fruit basket, I logged it in the gifts register", "We declined the Rolex the vendor offered and reported it", "Team lunch on Friday is on me!",
    "给我儿子的生日礼物还没买", "工会发的加油卡记得签收", "我女儿暑假去上海实习，住宿还没找好",
    # confidentiality near-misses
    "客户资料请放加密盘，不要发外部邮箱", "Keep the term sheet confidential until signing", "我朋友想来开户，我把开户链接发给他了",
    "已按客户授权把对账单发到他本人邮箱", "The client list for the seminar invitations is in the CRM, use that", "请勿泄露客户信息，违者追责",
    # complaint near-misses
    "我老婆抱怨我周末老加班", "这家餐厅服务太差了，再也不来了", "今年的客户满意度调查结果出来了，投诉率下降了", "No complaints from me, the offsite was great",
    "The referee was terrible last night, I'm still annoyed", "快递又延误了，气死我了", "投诉处理流程更新了，请大家学习",
    # unauthorized near-misses
    "客户电话确认了，按他的指令卖出{sz}一千股", "Client confirmed on the recorded line, executing the sell now", "客户忘记交易密码了，我教他在app上重置",
    "Please never ask clients for their passwords", "按照全权委托协议，已为客户调仓并留存记录", "他出差前签了书面指令，让我们到价就卖",
    "我帮我妈在她手机上买了基金，她让我弄的", "客户授权书已经扫描存档",
    # ordinary business
    "明天上午十点三楼会议室开周会", "{nz}，合同已经寄出，快递单号稍后发您", "路演材料改好了放共享盘了", "这个客户的风险测评是R3，可以配置这只基金",
    "Can you send me the updated deck before 3pm?", "Meeting moved to Thursday, same room", "Please confirm the settlement instructions for tomorrow",
    "客户下午两点到，麻烦准备一下茶水", "季度报告的数据我核对完了，没问题", "新产品的培训视频在学习平台上", "请大家本周内完成反洗钱培训",
    "{ne} asked for the latest factsheet of {pe}, sending it now", "Trade booked, confirmation to follow", "I'll check with compliance and get back to you",
    "下周去深圳拜访客户，机票已经订好", "报销单记得附上发票原件", "今天的晨会纪要已经发到群里了", "这个client的risk profile是balanced，建议配置一些债基",
    "{nz}的开户资料齐了，明天提交", "The quarterly review with {ne} is on Monday at 10", "系统周六晚上升级，期间无法登录", "请把客户的KYC更新一下",
    "IT says the VPN will be down tonight", "客户问{pz}的申购费率是多少", "Lunch meeting with the product team at 12:30", "这周五前交一下年假安排",
    # personal chat
    "晚上吃火锅还是烤肉？", "周末带孩子去动物园", "我妈住院了，明天请个假", "这部电影太好看了", "Anyone up for badminton on Saturday?",
    "My flight got delayed again", "帮我带杯咖啡，谢谢", "今天好热啊", "生日快乐🎂", "刚买的股票又跌了，心累", "I'm thinking of buying a new bike",
    "楼下新开了家面馆，要不要去试试", "下班一起去健身房？", "我家猫又把花盆打翻了", "Happy Friday everyone!", "周末去爬山吗",
]

def main():
    rows = []
    for cat, templates in POS.items():
        for s in expand(templates, 4):
            rows.append({"text": s, "risk": [cat]})
    for s in expand(NEG, 3):
        rows.append({"text": s, "risk": []})
    from compose import compose
    rows += compose(R, fill_plain)
    from compose2 import compose2
    rows += compose2(fill_plain)
    rows += benign_grammar(R, 3000)
    with open(os.path.join(HERE, "gen_templates.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "lines;", sum(1 for r in rows if r["risk"]), "positive")

if __name__ == "__main__":
    main()
