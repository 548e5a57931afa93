"""Second round of genre widening (issue 5 follow-up). Business: the firm's
HR/admin when the reason is family life (leave, sick days, school events),
IT/security lines made mostly of addresses and log fields, market chatter
made mostly of tickers, identifiers sent for the firm's processes, and
social small talk that ends in a work instruction. Personal: own errands
with identifiers, family logistics, gossip, own money, and English
e-mail style personal notes. Each frame is written with several slots so
fills differ in more than one word."""

FILL = {
    "leave": ["年假", "调休", "事假", "婚假", "陪产假", "育儿假", "探亲假", "半天假", "两天年假", "病假"],
    "hol": ["国庆", "春节", "五一", "清明", "中秋", "元旦", "寒假", "暑假", "端午"],
    "trip": ["带娃去{place}", "陪{f}回老家", "带{f}去{place}玩", "去{place}度假", "回老家过年", "陪孩子参加夏令营", "带爸妈去{place}"],
    "ask": ["批了没", "批下来了吗", "审批到哪了", "领导签了吗", "人事那边过了吗", "OA上怎么还没动", "能不能先批一下"],
    "logev": ["异常登录", "暴力破解", "端口扫描", "登录失败{r}次", "非工作时间登录", "VPN掉线", "证书告警", "CPU告警"],
    "idx": ["科创50", "沪深300", "创业板指", "恒生科技", "中证1000", "上证50", "北证50"],
    "move": ["又涨了", "涨停了", "跌了{pct}", "放量了", "高开低走", "尾盘拉升", "破位了", "横盘"],
    "hk": ["00700", "09988", "03690", "01810", "02318", "00005", "00388"],
    "idkind": ["身份证号{rid}", "护照号{pass}", "卡号{card}", "税号{uscc}", "证件号{rid}"],
    "purpose": ["客户开户", "员工入职", "社保登记", "签证材料", "年会抽奖", "出差订票", "工资卡绑定", "背景调查", "商保理赔", "门禁卡办理"],
    "chit": ["这个视频太好笑了", "你家猫好可爱{emo}", "周末玩得开心吧{emo}", "你家小朋友的照片好萌{emo}", "午饭吃撑了{emo}", "今天好冷啊{emo}", "恭喜恭喜{emo}", "下雨了记得带伞"],
    "chit2": ["看到你发的照片了{emo}", "你们家{pet}太萌了{emo}", "{place}好玩吗{emo}", "宝宝满月快乐{emo}", "周末{sport}累坏了吧{emo}",
              "你推荐的{food}真不错{emo}", "新发型很好看{emo}", "旅游回来啦{emo}", "听说你搬新家了{emo}", "昨晚的球赛看了吗{emo}"],
    "conn": ["对了", "顺便问一句", "另外", "话说", "说回正事", "还有个事", "问一下"],
    "ask2": ["{d}做好了吗", "{c}的{d}什么时候能发", "{e}的材料准备得怎么样了", "{d}帮我再过一遍", "{code}的研报出了没", "{c}的签字拿到了吗",
             "{adm}的表交了吗", "{e}定在几点"],
    "school": ["家长会", "运动会", "亲子活动", "毕业典礼", "文艺汇演", "开放日"],
    "eschool": ["school play", "sports day", "parents' evening", "graduation", "piano recital", "swim meet"],
    "verb": ["催", "问", "找", "提醒", "跟", "联系"],
    "hobby": ["钓鱼", "拼乐高", "烘焙", "追星", "露营", "插花", "学吉他", "撸猫", "养多肉", "剧本杀"],
    "ehobby": ["baking", "fishing", "camping", "knitting", "pottery", "bouldering", "birdwatching", "board games"],
    "work": ["{c}的{d}{t}要交", "下午{e}挪到三点", "记得{btodo}", "{d}我放共享盘了，看一下", "{e}的材料今晚要定稿"],
    "eleave": ["annual leave", "my leave", "the day off", "comp leave", "parental leave", "my half day"],
    "eask": ["approved yet", "signed off", "through HR", "in the system", "OK with the team"],
    "etrip": ["take the kids to {eplace}", "fly home for {ehol}", "visit my parents", "go to {eplace} with {ef}", "do the school run"],
    "ehol": ["Christmas", "Chinese New Year", "Golden Week", "Easter", "the long weekend", "Diwali", "Hari Raya"],
    "elog": ["an admin login", "a failed login", "a port scan", "repeated 401s", "an SSH session", "a VPN login"],
    "ip6": ["2001:db8::{r}", "fe80::1ff:fe23:4567:890a", "2001:db8:85a3::8a2e:{r}", "fd00::{r}:1"],
    "eid": ["passport {pass}", "card {card}", "IBAN {iban}", "SSN {ssn}", "tax ID {uscc}"],
    "epurp": ["the visa letter", "payroll", "the corporate card", "onboarding", "the KYC refresh", "the wire", "expense reimbursement", "the background check"],
    "echit": ["Haha that video was hilarious", "Your dog is adorable {eemo}", "Hope the weekend was good {eemo}", "Congrats on the new flat {eemo}", "Lunch was huge {eemo}"],
    "echit2": ["Loved your beach photos {eemo}", "Your kid's recital video was so cute {eemo}", "How was {eplace}? {eemo}",
               "That {efood} place you recommended was great", "Welcome back from {eplace} {eemo}", "Congrats on the marathon {eemo}",
               "Nice new haircut {eemo}", "Did you catch the match last night? {eemo}"],
    "econn": ["btw", "by the way", "also", "anyway", "on another note", "quick q", "one more thing"],
    "eask2": ["is the {ed} ready?", "when can {ec} get the {ed}?", "did the {ed} go out?", "can you check the {ed} before the {ee}?",
              "any update on {ec}'s {ed}?", "what time is the {ee}?", "did {ec} sign?"],
    "ework": ["the {ed} is due {et}", "can you send {ec} the {ed}?", "the {ee} is pushed to 3pm"],
}

ZH_BUSINESS = [
    "{hol}打算{trip}，{leave}的申请麻烦领导尽快审批", "我{hol}前后请{leave}，{trip}，工作交给{n}", "{hol}的{leave}{ask}？准备{trip}",
    "请{leave}的单子提交了，{t}{trip}，{d}已经交接", "{hol}要{trip}，{leave}能不能先批，{c}那边我安排好了",
    "孩子学校{t}开家长会，我请{leave}，{e}请{n}代开", "{f}生病要陪床，{leave}已在OA提交，{c}的事找{n}",
    "凌晨{ip}有{logev}，请安全组核实是不是我们的人", "{ip}出现{logev}，已封禁，安全组复核", "告警：{ip} {logev}，请运维确认",
    "{ip}、{ip}两台机器{logev}，先下线排查", "堡垒机记录{ip}{logev}，不是我们的人吧",
    "{hk}{move}，{code}还行，{idx}偏弱，客户问要不要调仓", "{hk}{move}，{code}{move}，{idx}偏弱", "今天{idx}{move}，{code}和{hk}跟涨",
    "{code} {move}，{code2} {move}，下午再看", "{idx}{move}，{hk}成交额放大",
    "{purpose}要用的{idkind}，请录入系统", "{purpose}需要{idkind}，我发你了，核对一下", "{idkind}，{purpose}，系统提示格式不对",
    "{n}的{idkind}，{purpose}要用，注意保密", "{idkind}是给{purpose}的，已经核对过",
    "{chit} 对了，{work}", "{chit2} {conn}，{ask2}", "{chit2}！{conn}，{ask2}？", "{chit2}，{conn}{ask2}", "{chit}，说正事：{work}", "{chit}～ 另外{work}",
    "收到，{work}", "好，我去{verb}{n}", "行，我{verb}一下{n}，{d}{t}给你", "好的，我让{n}把{d}补上", "嗯，我{verb}{dept}要{d}",
    "{f}学校{t}开{school}，我离开一小时，{c}那边找{n}", "{t}要去孩子{school}，下午{e}请{n}代我参加", "请两小时假去{school}，OA已提交，急事打我电话",
    "好的，{d}我{t}发你", "收到，马上处理", "好的明白，我跟{c}确认", "OK，已安排", "收到👌 {t}前给你",
    "下周的{adm}名单出来了，带家属的在群里接龙", "{adm}通知：{t}前在OA登记", "工资条{t}发，个税有问题找HR", "公司组织的体检{t}开始，{city}分部在{addr}",
    "团建去{place}，{t}报名，家属自费", "{adm}的事找行政{n}，电话{phone}",
]

ZH_PERSONAL = [
    "{hol}{trip}，你们去过吗{emo}", "{hol}终于可以{trip}了{emo}", "机票买好了，{hol}{trip}{emo}",
    "我家{f}的身份证{rid}，帮他挂个号", "给{f}买火车票，身份证{rid}，你帮我抢一下", "我自己的卡{card}被盗刷了{emo}，银行说要报警",
    "快递单号{order}，帮我看下到哪了", "我的网购订单{order}退款还没到{emo}", "航班MU5{r}{r}{r}延误了，晚点到{emo}",
    "{chit}", "{chit} 晚上吃{food}？", "周末{trip}，照片发你{emo}",
    "隔壁组{n}好像在谈恋爱{emo}", "听说{n}要辞职去创业了，真的假的", "{n}今天穿得好帅{emo}", "八卦一下，{n}是不是要调走了",
    "我基金亏了{pct}，不想看了{emo}", "我自己买的{code}又跌了{emo}", "{f}让我帮他买点理财，他自己银行的", "房贷利率降了，我要不要提前还",
    "{f}发烧了，我晚上得早点回家", "{f}想吃{food}，下班去买", "家里{pet}生病了，带它去宠物医院{emo}",
    "晚上{sport}吗？我约了场地", "最近迷上了{hobby}，周末一起吗{emo}", "{hobby}的装备好贵{emo}", "你{hobby}多久了？带带我",
    "{f}学校的{school}我去不了，好遗憾{emo}", "看孩子{school}的视频哭了{emo}", "{f}的{school}表演超棒{emo}",
    "{n}和{n}好像吵架了，别问{emo}", "楼下超市{food}打折，快去", "双十一买了一堆{thing}{emo}", "周末在家{hobby}，谁也别叫我{emo}",
    "我{f}做的{food}天下第一{emo}", "下班接{f}，晚饭吃{food}", "房子终于装修好了，来暖房{emo}", "刚体检完，{ill}，医生让多休息",
    "我的{sport}课改到{t}了", "健身房办卡打折，一起吗{emo}",
    "家里网络又断了，路由器{ip}登不上{emo}", "我家wifi后台地址{ip}，密码在冰箱上",
]

EN_BUSINESS = [
    "Applied for {eleave} over {ehol} to {etrip}, is it {eask}?", "Taking {eleave} around {ehol} to {etrip}, {efn} covers my clients",
    "Submitted {eleave} for next week, need to {etrip}; the {ed} is with {efn}", "{Ef} is sick so I'm on {eleave}, please cover the {ee}",
    "Security alert: {elog} from {ip}, please confirm it was you", "SIEM flagged {elog} from {ip6}, security please check",
    "{elog} from {ip} overnight, blocked it, raise a ticket", "Who owns {ip}? {elog} hit the order gateway",
    "{ecode} up {epct}, {ecode2} flat, the index is dragging", "{ecode} {epct} lower, {ecode2} {epct} higher into the close",
    "Attaching my {eid} for {epurp} as HR asked", "{eid} for {epurp}, checked it twice", "{epurp} needs {eid}, sent it over",
    "{en}'s {eid}, needed for {epurp}", "{echit2} {econn}, {eask2}", "{echit2}! {econn} {eask2}", "{echit}! Anyway, {ework}", "{echit}. Quick one: {ework}",
    "Noted, {ework}", "OK, I'll chase {efn}", "Sure, I'll ask {efn} for the {ed}", "Will nudge {efn} on the {ed}",
    "My kid's {eschool} is at {r}pm, offline for an hour; {efn} covers {ec}", "Out for the {eschool} {et}, {efn} has my clients, leave is in the system",
    "Leaving at 4 for the {eschool}, {ed} is done and with {efn}", "ok noted, will do", "Got it, sending the {ed} {et}", "Thanks, received", "Noted 👍",
    "Team building on Friday, partners welcome, sign up with HR", "Health check slots are out, book via the HR portal", "Payroll runs {et}, check your bank details in the HR system",
]

EN_PERSONAL = [
    "Over {ehol} we'll {etrip} {eemo}", "Finally get to {etrip} {eemo}", "Booked flights, going to {etrip}!",
    "My own card {card} got skimmed {eemo}", "Tracking number {order} still says in transit {eemo}", "Can you grab my parcel? Order {order}",
    "{echit}", "Got into {ehobby} lately, anyone want to join? {eemo}", "{ehobby} gear is so expensive {eemo}",
    "Missed the kids' {eschool} for a dentist appointment, gutted", "The {eschool} video made me cry {eemo}", "{Ef} nailed the {eschool} {eemo}",
    "Weekend plan: {ehobby} and nothing else {eemo}", "Grocery run after work, need {efood}", "Housewarming next Saturday, bring snacks {eemo}",
    "Re: weekend\n\n{Ef} and I are free Sunday, lunch at ours?", "Subject: book club\n\nNext book is a thriller, we meet at {efn}'s place.",
    "Thanks for the birthday wishes everyone {eemo}", "Hi {efn}, saw your post about {eplace}, so jealous {eemo}",
    "Did you hear {en} is leaving to start a bakery?", "Gossip: {efn} and {efn} are dating {eemo}",
    "My ETF is down {epct}, not looking at it till Christmas", "{Ef} wants advice on their own bank's savings plan",
    "Hi all,\n\nBBQ at ours on Saturday, bring the kids. Let me know who's coming.\n\n{efn}", "Dear {efn},\n\nThank you so much for the flowers, {ef} loved them.\n\nLove,\n{efn}",
    "Subject: dinner Saturday\n\nAre we still on? {ef} is bringing dessert.", "Fwd: photos from the wedding\n\nThought you'd enjoy these {eemo}",
    "Re: birthday\n\nThanks! Getting old. See you at the pub.", "Happy birthday!! Hope you have a wonderful day {eemo}",
    "Subject: carpool\n\nI can drive the kids to soccer on Tuesday if you do Thursday.", "Re: fantasy football\n\nYou're going down this week {eemo}",
    "So sorry to hear about your dog. You gave him a great life.", "Congratulations on the baby! Let us know when we can visit.",
    "Re: tickets\n\nI have two extra tickets for the game Sunday, want them?", "Church picnic is on the 12th, can you bring a salad?",
]

# Round 4: everyday personal genres that still scored near the threshold
# (festival wishes, small favours paid back, commuting, fitness classes,
# family logistics with addresses or numbers), and code-switching lines of
# both classes.
FILL.update({
    "fest": ["中秋节快乐", "新年快乐", "端午安康", "元宵节快乐", "国庆快乐", "七夕快乐", "圣诞快乐", "春节快乐"],
    "wish": ["阖家幸福", "身体健康", "万事如意", "吃好喝好", "玩得开心", "心想事成"],
    "favour": ["带份午饭", "买两张电影票", "拿个外卖", "带杯咖啡", "代购一支口红", "抢个挂号", "买包烟", "团一箱水果"],
    "payback": ["回头转你", "我微信转你", "钱我晚上给你", "下次请你吃饭", "红包发你了"],
    "commute": ["地铁坏了", "路上大堵车", "打不到车", "公交改线了", "下大雨了"],
    "class": ["瑜伽课", "普拉提", "游泳课", "拳击课", "舞蹈课", "动感单车"],
    "eclass": ["yoga class", "spin class", "pilates", "boxing session", "swim lesson", "dance class"],
    "mbiz": ["这个client的portfolio要rebalance", "{c}的onboarding资料齐了吗", "meeting改到{t}，麻烦update一下invite",
             "deck里的numbers再double check一下", "{c}的KYC要refresh了", "这个deal的timeline很tight", "compliance要我们补一份memo"],
    "mper": ["周末去hiking吗", "这家brunch超好吃{emo}", "我的Netflix会员到期了", "今晚有party，你来吗", "最近在追一部drama{emo}",
             "我想换个iPhone", "{f}的birthday party要准备什么", "下班去gym吗"],
})
ZH_PERSONAL += [
    "{fest}！祝你和家人{wish}{emo}", "{fest}{emo} {wish}", "提前祝你{fest}，{wish}",
    "帮我{favour}呗，{payback}", "能帮我{favour}吗？{payback}{emo}", "{favour}的钱{payback}",
    "{commute}，我晚点到{emo}", "今天{commute}，迟到了{emo}", "{t}的{class}你还去吗", "{class}老师换人了{emo}",
    "{f}的老家地址是{addr}，年货直接寄过去", "给{f}寄东西，地址{addr}，电话{phone}", "{f}的电话{phone}，我不在家你打给她",
    "帮我看看这个二手车划不划算", "{f}住院了，这两天我都在医院{emo}", "周末去{f}家吃饭，带点什么好",
]
EN_PERSONAL += [
    "Happy Mid-Autumn! Wishing you and the family all the best {eemo}", "Merry Christmas {eemo} enjoy the break!",
    "Can you grab me a coffee? I'll pay you back", "Sent you the money for the tickets {eemo}", "Running late, {eplace} traffic is mad {eemo}",
    "Still on for {eclass} tonight?", "The {eclass} teacher changed, not a fan {eemo}", "Stuck on the MRT, be there in 15",
    "{Ef}'s address for the Christmas card is {enaddr}", "{Ef}'s number is {enphone} in case I'm out", "Chip in for {efn}'s leaving present? {eemo}",
]
MIXED_BUSINESS = ["{mbiz}", "{mbiz}，谢谢", "{n}，{mbiz}", "{mbiz}，{t}之前给我"]
MIXED_PERSONAL = ["{mper}", "{mper}{emo}", "{n}，{mper}", "哈哈{mper}"]

