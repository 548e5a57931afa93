"""Held-out calibration lines: frames written separately from every
training template (none of these frames is in train.jsonl), filled with the
same slot pools. Used only to check the default threshold on data the model
has not seen (`python3 holdout.py`, then `wcp eval --input holdout.jsonl`)."""

ZH_BUSINESS = [
    "{c}刚来电话，{p}到期了想续，你下午回个电话", "合规说{d}里的收益表述要改，{t}前重新提交", "{e}的会议室换成18楼大会议室",
    "{city}那边的{e}我去不了，{n}替我去", "客户风险测评过期了，先别给他下单{p}", "请把{c}的{d}盖章扫描件发我",
    "{code}停牌了，{c}的委托要撤吗", "北向资金今天净流出{amt}，{m}承压", "{hk}的业绩会{t}开，研究员要不要一起听",
    "我{t}请半天假带{f}打疫苗，下午的{e}请{n}记录", "下月{hol}值班表出来了，大家在群里确认", "产检请假需要医院证明吗？人事没回我",
    "新电脑到了，去IT领一下，旧的要交回", "邮箱密码{t}过期，记得在门户改", "{ip}上的行情服务重启了，客户端重新连一下",
    "{purpose}用的{idkind}已经上传OA", "{c}的对公户{iban}，回单今天出", "员工{n}入职，身份证{rid}，工牌今天做",
    "好嘞，{d}收到", "嗯嗯，按你说的办", "👌 已转给{n}", "了解，{t}之前回复{c}",
    "刚看到你的朋友圈{emo} 顺便问下，{d}什么时候能好？", "生日快乐🎂！另外{e}的议程我放群文件了",
    "{c}這個月想加倉{p}，你準備一下資料", "今日個{e}延遲半個鐘，唔該通知大家",
    ]
ZH_PERSONAL = [
    "今晚{show}更新了，追了吗{emo}", "{f}说想养只{pet}，我有点犹豫", "周末打算去{place}看看，有推荐的民宿吗",
    "我最近在减肥，晚饭只吃{food}{emo}", "这家{food}排队两小时，值得{emo}", "小区门口新开了家健身房，年卡打折",
    "我把{f}的生日忘了，完蛋{emo}", "刚买的{thing}到了，比想象中好看{emo}", "下雨天最适合在家睡觉{emo}",
    "{f}又在家长群里被老师点名了{emo}", "今天{sport}练了两小时，腿废了{emo}", "我家{pet}把沙发挠烂了{emo}",
    "帮我看看这条裙子配什么鞋", "晚上一起看{show}吗，我带零食", "我的车年检快到了，你知道哪里快吗",
    "我妈非要给我介绍对象{emo}", "爸妈结婚纪念日送什么好", "抢到了{place}的特价机票{emo}",
    "体检报告说我要少吃{food}{emo}", "过年回家的火车票抢到了{emo}", "{f}的手机号换了，{phone}",
    "周末约了{n}去爬山，你来吗", "我自己开的股票账户亏了一半{emo}", "信用卡账单太吓人了{emo}",
    ]
EN_BUSINESS = [
    "{ec} called about the {ep} maturity, please ring back this afternoon", "Compliance wants the return wording in the {ed} changed by {et}",
    "Room change: the {ee} is now in the big room on 18", "Can't make the {ee}, {efn} will go instead", "Risk profile for {ec} has lapsed, hold the order",
    "{ecode} halted, should we pull {ec}'s order?", "Taking a half day {et} for {ef}'s vaccination, {efn} will take notes at the {ee}",
    "Holiday rota is out, please confirm in the group", "New laptops have arrived, collect from IT and hand back the old ones",
    "Quote service on {ip} was restarted, reconnect your terminals", "Uploaded {eid} for {epurp} to the portal",
    "Sure, will do", "Received, thanks", "On it", "Will revert by {et}",
    "Saw your holiday pics {eemo} btw when will the {ed} be ready?", "Happy birthday! Also, the {ee} agenda is on the shared drive",
    "Hi team,\n\nPlease find attached the {ed} for review before the {ee}.\n\nRegards,\n{efn}",
    "Re: {ee}\n\nAgreed, let's move it to {et} and loop in legal.",
]
EN_PERSONAL = [
    "New episode tonight, don't spoil it {eemo}", "{Ef} wants a puppy, I'm not sure", "Any good Airbnbs in {eplace}?",
    "On a diet, just {efood} for dinner {eemo}", "Queued two hours for {efood}, worth it", "Forgot {ef}'s birthday, I'm dead {eemo}",
    "My new {ething} arrived and it's lovely", "Leg day destroyed me {eemo}", "Cat shredded the sofa again {eemo}",
    "Which shoes go with this dress?", "Car's MOT is due, any quick garage?", "Mum keeps setting me up on dates {eemo}",
    "Got cheap flights to {eplace}!!", "Hiking with {efn} on Sunday, join?", "My credit card bill is scary {eemo}",
    "Hi {efn},\n\nGreat seeing you at the reunion. Let's do dinner soon.\n\nCheers", "Re: recipe\n\nHere's the lasagne recipe mum used, enjoy!",
    "Subject: garage sale\n\nWe're clearing out the garage Saturday, come grab anything you like.",
]
MIXED_BUSINESS = ["这个client的KYC还没做完，{p}先不能买", "明天的roadshow deck谁在改？{c}要先看", "{c}想redeem {p}，帮忙走一下流程", "term sheet我改好了，你review一下"]
MIXED_PERSONAL = ["这周的club有live band，去吗", "周日brunch约起来{emo}", "今天终于把那部drama刷完了", "我的new phone到了{emo}"]

# Round 2: written after the model of round 2 was fixed and never used to
# tune the corpus; the honest check of the default threshold.
R2_BUSINESS = [
    "{n}，{c}的开户视频见证约在{t}，记得带工牌", "季度考核表{t}截止，没填的抓紧", "{f}下周手术，我想申请远程办公一周，{d}照常交",
    "幼儿园{t}亲子活动，我请两小时假，{c}有事打我手机", "报销的出租车票丢了一张，能补开证明吗", "公司年会节目报名，我们组出个小品吧",
    "刚收到告警，{ip}的数据库连接数爆了", "监控显示{ip}流量异常，先限流", "客户{c}的银行卡{card}绑定失败，提示户名不符",
    "签证处要公司在职证明，抬头写{city}分公司", "{code}、{hk}、{code2}，{idx}，今天全线飘红", "下午{m}跳水，{c}慌了，你安抚一下",
    "收到哈", "好，我去催{n}", "没问题，{t}前搞定", "昨天聚餐好开心{emo} 话说{c}的合同寄出了吗",
    "{c}嫁女儿请我们去喝喜酒，要报备吗", "客户送了两盒月饼，价值不高，要登记吗",
    "Expense system is down again, IT is on it", "My daughter's school play is at 2, I'll be offline an hour; {efn} has my clients",
    "Server {ip} is throwing disk alerts, can ops look?", "Passport {pass} for the Tokyo roadshow visa, please pass to travel desk",
    "Lol that meme {eemo} anyway, {ec} wants the {ed} today", "Noted with thanks", "Will do, thx",
    "Payroll query: my bank changed, new account {card}, effective next month", "Office is closed Friday for the typhoon drill, work from home",
]
R2_PERSONAL = [
    "{f}的班主任又发消息了，作业没交{emo}", "今晚吃{food}还是{food2}，纠结{emo}", "周末陪{f}去看病，排了一上午",
    "刚刚在地铁上睡过站了{emo}", "{n}的婚礼你随多少", "我家楼下的{food}店关门了{emo}", "我的快递被别人拿走了{emo}",
    "下个月去{place}，签证要办多久", "我在{place}给你带了{food}{emo}", "跑步机买回来成了晾衣架{emo}",
    "这周末要不要一起去{sport}", "我妈又催我生二胎{emo}", "帮我投个票，我侄女参加比赛", "物业电话{phone}，你家漏水找他",
    "Anyone up for karaoke Friday? {eemo}", "My sister's wedding is in {eplace}, so excited", "Dog ate my sandwich {eemo}",
    "Need a plumber, kitchen sink is flooding", "Going to the farmers market Sunday, want anything?", "Watched the new Marvel film, meh",
    "Hi {efn},\n\nThe kids loved the zoo trip. Thanks for driving!\n\nxx", "Re: golf\n\nTee time is 7:40 Saturday, don't be late.",
    "My own brokerage account got margin called {eemo}", "Grandma turns 90 next week, planning a surprise",
]

# Round 3: written after the round-3 corpus was fixed (round 2 had been used
# to widen the corpus, so it is no longer held out); never used for tuning.
R3_BUSINESS = [
    "{c}的保单回执还没寄回，你{t}再打个电话", "这周五{e}，茶歇按二十人订", "合同第三页{c}没签，退回重签",
    "{n}休产假期间，她的客户先转给{n}", "我{f}明天出院，我上午请假，{e}推到下午可以吗", "办公室空调太冷了，行政能调一下吗",
    "打印机卡纸了，谁会修", "新系统上线后{c}的持仓显示不对，提个工单", "{ip}被扫描了一晚上，要不要加黑名单",
    "客户的身份证{rid}过期了，更新前先冻结交易", "{hk}午后拉升，{code}跟着动，{c}问要不要止盈", "嗯嗯收到",
    "好滴，{t}给你", "哈哈你也太拼了{emo} 那{d}我先看一版", "{c}中秋送了一盒月饼，我登记了",
    "Client {ec} wants to switch RM, can you take over?", "Please chase the signed {ed}, compliance is waiting",
    "Off sick with flu, {efn} is covering the {ee}", "The pantry coffee machine is broken, facilities ticket raised",
    "Old badge {card} deactivated, new one at reception", "{ecode} gapped up, {ec} asks if we should take profit",
    "Cheers, got it", "ha, classic {eemo} ok, send me the {ed} when ready",
]
R3_PERSONAL = [
    "我家{pet}今天学会握手了{emo}", "{f}做饭太咸了，又不敢说{emo}", "周末大扫除，扔了三袋东西", "这个月工资还没到，我先吃土{emo}",
    "{n}朋友圈晒娃晒疯了{emo}", "楼下新开的奶茶店买一送一", "下班去{place}路上堵死了{emo}", "我们小区停水了，去你家洗个澡{emo}",
    "明天{f}生日，蛋糕订好了", "我自己的基金定投要不要停{emo}", "最近失眠，有什么好办法吗", "陪{f}去看{show}，哭成狗{emo}",
    "I burnt the rice again {eemo}", "{Ef}'s birthday dinner is at 7, don't be late", "Anyone want my spare concert ticket?",
    "Our neighbour's cat keeps sneaking into the house {eemo}", "Saving up for a trip to {eplace}", "Can't sleep lately, any tips?",
    "Re: Sunday\n\nCount us in for the barbecue, we'll bring drinks.", "My own savings account rate dropped again {eemo}",
]
