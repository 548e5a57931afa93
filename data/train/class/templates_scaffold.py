"""Templates where business and personal lines share the same scaffolding
("明天…记得…", "帮我…", "Please…"), so the model has to learn the topic words,
not the sentence frame. Also genres the first sets miss: firm admin about
personal plans, market chatter, invoicing, business travel, IT/security,
and Cantonese."""

ZH_PERSONAL_ERRANDS = ["取个快递", "抢两张首映场", "带杯奶茶", "订个餐厅", "挂个号", "看看这件衣服好不好看", "抢个演唱会门票", "问问房东能不能晚点交租",
                       "预约一下理发", "给猫喂个饭", "给{f}买生日蛋糕", "在网上买个{thing}", "查查去{place}的机票", "订个周末的酒店", "找个修空调的师傅"]
ZH_BIZ_ERRANDS = ["打印一下{d}", "订个会议室", "约一下{c}", "把{d}发给合规", "查一下{c}的持仓", "预约客户回访", "更新一下CRM", "订去{city}出差的机票",
                  "开一张发票", "申请一下系统权限", "把{d}归档", "核一下{p}的净值", "登记一下客户礼品", "填一下差旅报销", "安排{e}的茶歇"]
ZH_PERSONAL_CARE = ["多穿点", "带伞", "早点睡", "多喝水", "按时吃药", "吃早饭", "别熬夜", "给{f}打个电话", "给家里报个平安", "锻炼身体"]
ZH_BIZ_TODO = ["交{d}", "参加{e}", "做风险测评回访", "提交{adm}", "更新KYC", "确认{c}的签字", "回复{c}的邮件", "完成合规培训", "报备个人交易", "锁屏离开工位"]
ZH_WEATHER = ["降温", "下暴雨", "有台风", "降温十度", "很热", "有雾霾", "下雪"]

ZH = {
    "business": [
        "明天{e}，记得{btodo}", "别忘了{btodo}{bemo}", "帮我{berr}，谢谢", "麻烦帮我{berr}{bemo}", "今天记得{btodo}",
        "我的年假申请在OA里卡住了，{t}的机票已经订了", "我想请{t}的假，{f}结婚，{d}交给{n}跟进", "调休申请提交了，麻烦领导审批",
        "{code}盘中拉升{pct}，{m}走弱", "{m}又创新高，{c}的仓位要不要调", "今天{m}成交量放大，北向资金净流入{amt}", "{code}跌破支撑位了，客户在问",
        "报销要专票，公司税号{uscc}，开票时写清楚", "发票抬头写公司的，税号{uscc}，地址{addr}", "麻烦开张专票，税号{uscc}",
        "去{city}出差的行程单发我，护照号{pass}已经报给行政", "帮忙订下周去{city}的酒店，公司协议价", "差旅报销单附上登机牌和酒店水单",
        "服务器{ip}有异常登录，安全组查一下", "{ip}这台机器磁盘满了，清理一下日志", "防火墙把{ip}拦了，交易系统连不上",
        "会议纪要发{email}，顺便抄送合规", "{c}换邮箱了，新的是{email}", "客户身份证{rid}，系统校验不过，麻烦核对一下",
        "{c}的公司搬到{addr}了，下次拜访别走错", "{c}下周来访，中午安排个商务餐，按标准报销", "今晚请{c}吃饭，发票记得开公司抬头",
        "{f}不舒服我今天远程办公，{d}照常{t}给你", "病假一天，{d}明早发你", "身体不舒服请半天假，{e}帮我记一下",
        "周末玩得开心吗{emo} 说正事，{c}的{d}还差签字", "周末愉快！周一{e}别忘了带{d}",
        "份報告幾時交？老闆聽朝要睇", "{c}想贖回{p}，麻煩你跟進", "聽日{e}改咗時間，記得通知客戶", "呢份{d}要合規睇過先可以發", "客戶話{p}嘅收益唔似預期，你打個電話俾佢",
        "唔該幫我約{c}下星期見面", "今日嘅{d}整好未", "客戶開戶資料齊咗，等緊審批",
    ],
    "personal": [
        "听说周末{weather}，{care}{emo}", "别忘了{care}{emo}", "帮我{perr}，谢谢{emo}", "麻烦帮我{perr}{emo}", "今天记得{care}",
        "{perr}的事就拜托你啦{emo}", "记得{care}啊{emo}", "{t}一起去{sport}，别忘了带水",
        "自己炒的{code}一直横盘，拿着好累{emo}", "自己账户里的{p}亏惨了，不想看{emo}", "我老爸炒股又亏了，劝不住{emo}", "私房钱全亏在{code}上了{emo}",
        "{f}退休了想存点钱，存定期好还是买国债好", "{f}的退休金该存定期还是买国债", "帮{f}看看这个保险值不值得买",
        "客户走了，终于可以吃饭了{emo}", "会开完了，晚上吃{food}庆祝一下{emo}",
        "忙了一整天，晚上去吃{food}犒劳自己{emo}", "下班后去{sport}，谁一起", "培训结束了，去喝一杯？",
        "小区电梯又坏了，爬了十八楼{emo}", "物业费又涨了{emo}", "楼上装修吵死了{emo}", "房东说下个月要卖房，得搬家{emo}",
        "{f}的体检报告出来了，医生说没事{emo}", "{f}下周复查，我请了个护工，电话{phone}", "约了下午三点的牙医，医院在{addr}",
        "{n}生日快到了，我们偷偷准备个蛋糕吧{emo}", "{n}下个月结婚，份子钱给多少合适", "{n}生宝宝了，我们凑钱买个礼物吧",
        "出国旅游用哪张信用卡返现多", "信用卡还款日是哪天来着", "我的网银登不上了{emo}",
        "好消息：茶水间今天有人请{food}{emo}", "爆料：楼下新开的{food}店打五折",
        "收工喇，好想即刻返屋企{emo}", "聽日去飲茶好唔好", "我屋企隻{pet}好得意{emo}", "周末去{place}玩，好開心{emo}", "落雨喇，記得帶遮",
        "你食咗飯未？", "好肚餓，去食{food}啦",
    ],
}

EN = {
    "business": [
        "Don't forget to {ebtodo} {et}", "Could you {eberr} please?", "Reminder: {ebtodo} {et}",
        "Is my leave approved? Want to take {ef} to {eplace} next month", "{Ef} is unwell so I'm remote today, the {ed} is still on track",
        "{ecode} is up {epct}, the index is dragging though", "Market's ripping today, should we trim {ec}'s equity?",
        "Invoice details: company name as on the contract, tax ID {uscc}", "Please book my flight to the {ee}, passport {pass}",
        "Firewall blocked {ip}, the order gateway is timing out", "Forward the deck to {email}, she is the client's CFO",
        "Lunch with {ec} on Thursday, keep it within the entertainment policy", "{ec}'s office moved to {enaddr}, update the mailing list",
        "Great photos from your trip! Back to work: {ec} needs the {ed} {et}", "Have a good weekend; Monday's {ee} starts at 9",
        "The beneficiary bank details in the {ed} don't match, please re-check", "Please add {en} from legal to the {ee}",
    ],
    "personal": [
        "Don't forget to {ecare} {eemo}", "Could you {eperr}? {eemo}", "Reminder to self: {ecare}",
        "My own portfolio is down {epct} this year {eemo}", "Lost money on crypto again {eemo}", "Should I refinance my mortgage?",
        "{Ef} asked me which phone plan to get, any ideas?", "Survived Monday, celebrating with {efood} {eemo}",
        "Friday finally, pub quiz tonight? {eemo}", "Lift in our block is broken again {eemo}", "Neighbours are renovating, so noisy {eemo}",
        "Want to split a birthday present for {en}?", "{en} got engaged!! {eemo}",
        "Housewarming at {enaddr} on Saturday, come by after 6 {eemo}", "Cleaning my bike chain for the weekend {eemo}", "Pro tip: the {efood} stall near the MRT is worth the queue {eemo}",
        "Which travel card has no FX fees?", "Cold front tomorrow, wear a jacket {eemo}",
        "Picking up {ef} from school, back in 20", "Vet appointment for the cat at 5, clinic number {enphone}",
    ],
}

EN_FILL = {
    "ebtodo": ["submit the suitability form", "complete the AML training", "file your expense claims", "update the CRM", "sign the attestation", "book the meeting room", "send the minutes"],
    "eberr": ["print the term sheet", "book a room for the client call", "chase the KYC documents", "send the deck to compliance", "check the NAV", "set up the call with the client"],
    "ecare": ["bring an umbrella", "drink water", "call mum", "buy milk", "feed the cat", "take your vitamins", "charge the car"],
    "eperr": ["grab my parcel", "get me a coffee", "book a table for Friday", "water my plants", "pick up some bread", "walk the dog"],
}
