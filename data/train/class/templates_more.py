"""More templates: PII-bearing lines of both classes, compliance-risk lines
(always business: they happen in the firm's work), short everyday chatter."""

ZH_PERSONAL_PII = [
    "帮{f}订{day}去{city}的高铁票，身份证{rid}",
    "{f}身份证号{rid}，帮忙挂个{dept}的号{emo}",
    "快递寄到{addr}，{n}收，电话{phone}",
    "我换号了，新号码{phone}，存一下{emo}",
    "{n}是我大学同学，电话{phone}，周末一起吃饭",
    "聚餐AA的钱转我这张卡：{card}",
    "婚礼请柬寄到{addr}吧{emo}",
    "电视盒子分到的地址是{ip}，就是连不上网",
    "{email}是我新注册的邮箱，网购发票发这里",
    "{f}的护照号{pass}，帮我订一下{city}的机票",
    "我微信号是{wx}，加我一起{sport}",
    "搬家了，新地址{addr}，有空来玩{emo}",
    "{f}的手机号{phone}，你到了直接打给她",
    "生日礼物寄{addr}，谢啦{emo}",
    "我的卡号{card}，上次吃饭的钱转这里就行",
    "{n}的电话{phone}，他是装修师傅，手艺不错",
    "我的网购订单{order}还没发货{emo}",
    "{f}坐火车要实名，身份证{rid}，帮我买张卧铺",
    "{f}的医保卡丢了，身份证{rid}，补办要带啥",
    "二手{thing}卖给你，转账到{card}就行",
]

EN_PERSONAL_PII = [
    "My new number is {enphone}, save it {eemo}",
    "Signed up for the running club with {email}, did you get the invite? {eemo}",
    "{Ef}'s flight is booked, passport {pass}",
    "Ship the {ething} to {enaddr}, I'll be home",
    "Paying my flatmate back for rent, her IBAN is {iban}",
    "Got a new SIM, {enphone}, the old one stops working Friday",
    "Party at {enaddr} on Saturday, bring snacks {eemo}",
    "{Ef}'s number in case you need it: {enphone}",
    "Venmo me for the concert tickets, or bank transfer to {iban}",
    "The plumber is {en}, {enphone}, he was great",
    "Personal email is {email}, use that for the holiday pics",
    "The smart TV got IP {ip} but won't stream",
]

ZH_BUSINESS_PII = [
    "客户{n}的身份证{rid}，手机{phone}，开户用",
    "客户打款账户{card}，户名{n}，请核对",
    "{c}的邮箱是{email}，把{d}发过去",
    "客户企业的信用代码{uscc}，KYC要用",
    "客户护照号{pass}，出境理财的资料补齐了",
    "{c}新的联系电话{phone}，CRM里更新一下",
    "{c}的办公地址改成{addr}，对账单寄这里",
    "今晚升级{ip}这台交易网关，九点后别下单",
    "客户{n}的银行卡{card}绑定失败，帮忙看看",
    "{c}的微信号{wx}，他说以后通知发企业微信就行",
    "明天的{e}在{addr}，别走错了",
    "这个客户身份证{rid}和系统里的对不上，请复核",
]

EN_BUSINESS_PII = [
    "Beneficiary {en}, account {iban}, please release the payment today",
    "Client {en}, SSN {ssn}, needs the W-9 updated",
    "{ec}'s direct line is {enphone}, please log it in CRM",
    "Please courier the {ed} to {enaddr}",
    "New client {en}, email {email}, onboarding {et}",
    "The {ee} is at {enaddr}, Level 18",
    "Server {ip} is down, settlement jobs are queued",
    "{ec} changed his mailing address to {enaddr}",
]

ZH_RISK = [
    "放心买，{p}保本的，亏了我补给你",
    "这只{p}稳赚不赔，年化{pct}没问题",
    "跟着我买，保证你今年翻倍{emo}",
    "亏了算我的，你就放心投",
    "业绩还没公布，先帮我多买点{code}",
    "听说下周有重组公告，{c}可以提前布局",
    "内部消息，{code}要被收购了，别外传",
    "收盘前拉一下，把价格做上去",
    "咱们几个账户对倒一下，把量做出来",
    "尾盘帮我打压一下，明天再低吸",
    "这事别在企业微信说，加我私人微信",
    "电话里说吧，别留文字记录",
    "回头用WhatsApp聊，这里有记录",
    "用我老婆的手机打给你，这边会被录",
    "把刚才那条消息撤回，就当没发过",
    "审计来之前把那些聊天记录删了",
    "那份旧的{d}赶紧碎掉，别让合规看到",
    "{c}的孩子想来实习，安排一下，那笔业务就稳了",
    "给{c}包个大红包，过节意思一下",
    "返点的事私下说，别走公司账",
    "把客户名单发我私人邮箱，我周末在家看",
    "{c}的持仓截图给我朋友看看，他想跟着买",
    "你们服务太差了，我要投诉到证监会",
    "产品亏了这么多，当初没说风险，我要退钱",
    "等了一个礼拜没人理我，我要去监管那投诉",
    "没跟{c}说就先帮他买了{p}，应该没事",
    "用{c}的交易密码登一下，帮他把单下了",
    "我账户里多了一笔没做过的交易，怎么回事",
    "客户没授权，你怎么就帮他卖了",
]

EN_RISK = [
    "This {ep} can't lose, I'll cover any loss myself",
    "Guaranteed {epct} a year, trust me {eemo}",
    "Earnings aren't out yet but buy {ecode} before Thursday",
    "Heard the board approved the deal, load up before the announcement",
    "Let's push the close on {ecode} so the month-end marks look better",
    "Ping me on Signal instead, this chat gets archived",
    "Don't write this down, call me on my personal phone",
    "Delete the chat before compliance pulls the logs",
    "Shred the old drafts before the auditors arrive",
    "Put the client's golf weekend through as a training expense",
    "Send the client list to my gmail, I'll work on it at home",
    "Your fees are a rip-off, I'm going to complain to the regulator",
    "I never authorised that trade, explain or I escalate",
    "Just buy it for the client, he won't check",
    "Log in with the client's password and place the order",
]

ZH_PERSONAL_SHORT = [
    "路上堵车，晚点到{emo}", "好困啊{emo}", "下雨了，谁有伞", "周末愉快{emo}", "今天好热{emo}",
    "中午吃啥{emo}", "你吃了吗", "笑死{emo}", "太好看了吧{emo}", "冲冲冲{emo}", "我到楼下了",
    "等我五分钟，马上下来", "地铁坏了，要迟到了{emo}", "羡慕{emo}", "一起点外卖吗", "我请客{emo}",
    "谁去便利店？帮我捎瓶水", "外卖到了帮我拿上来呗", "奶茶到了，下来拿", "今晚早点睡{emo}",
]

EN_PERSONAL_SHORT = [
    "The bus broke down, I'll be 15 min late {eemo}", "lol same", "omg {eemo}", "So tired today {eemo}",
    "Coffee run, want anything?", "Grab me a sandwich? I'll pay you back", "Have a great weekend {eemo}",
    "It's pouring outside {eemo}", "Home safe {eemo}", "See you at the pub", "Congrats!! {eemo}",
    "That's hilarious {eemo}", "Traffic is insane on the bridge", "Nice, enjoy your holiday {eemo}",
]

ZH_BUSINESS_SHORT = [
    "收到", "好的", "明白", "已处理", "已提交", "在会上，稍后回", "马上到会议室", "文件已更新",
    "请审批", "已转交合规", "客户已确认", "单子下了", "款到了", "已经回复客户了", "稍等，我查一下系统",
]

EN_BUSINESS_SHORT = [
    "ok noted", "Approved.", "Done, filed", "Client confirmed", "Order is in", "Funds received",
    "On a call, will revert", "Sent to compliance", "Can you join the call now?", "Please sign off",
]
