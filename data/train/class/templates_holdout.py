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
