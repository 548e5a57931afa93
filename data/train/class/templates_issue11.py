"""Issue 11 round: genres the blind chat sets showed the corpus had wrong or missing. Written
for wcp after reading the class errors of chat_a..chat_d (genres, not their lines; the
near-duplicate check in check_dev_overlap.py covers those sets too).

Label convention, as the issue and the blind writers read a work chat:
- an absence whose point is family, health or one's own holiday ("kid has a fever, WFH today",
  "我妈住院了 这两天请假") is personal; one whose point is the hand-over of work ("下周我休年假
  有事找小王", "Chloe is off tomorrow, her client calls go to me") is business;
- team dinners, farewells, snacks in the pantry, festival wishes and the replies to them are
  personal; the firm's own town hall, training and team building are business;
- a new personal number / WeChat / e-mail for friends, alumni or school is personal; a desk
  number or "my cell if anything blows up" is business;
- one's own fund losses and market jokes are personal; market colour for the desk or a client is
  business.
Cantonese lines are written in Traditional characters (as Hong Kong desks type them) so the
model sees both scripts."""

FILL = {
    "kidill": ["發燒", "肚痛", "咳得好犀利", "出疹", "食物中毒"],
    "zhill2": ["发烧38度5", "肠胃炎", "过敏起疹子", "咳了一晚上", "手足口", "拉肚子"],
    "hosp": ["住院了", "做个小手术", "摔了一跤", "要做胃镜", "复查", "拔牙"],
    "cfam": ["阿仔", "個女", "阿媽", "阿爸", "老婆", "老公", "外母", "阿嫲"],
    "eill": ["a fever", "a stomach bug", "chickenpox", "an ear infection", "a bad cough"],
    "eappt": ["dentist", "GP", "physio", "eye test", "school meeting", "parent-teacher meeting"],
    "ctime": ["聽日", "下星期三", "今晚", "星期五", "月尾", "後日"],
    "cfood": ["蝦餃", "燒賣", "雲吞麵", "叉燒飯", "菠蘿包", "奶茶", "火鍋", "點心", "壽司", "車仔麵"],
    "cplace": ["北海道", "首爾", "台北", "曼谷", "大阪", "峇里", "西貢", "長洲", "南丫島"],
    "csport": ["打波", "行山", "跑步", "游水", "踢波", "打羽毛球"],
    "fest2": ["中秋節快樂", "新年快樂", "聖誕快樂", "冬至快樂", "Happy CNY", "Happy Diwali", "Happy Hari Raya", "Merry Xmas"],
    "treat": ["月饼", "蛋挞", "水果", "咖啡", "奶茶", "蛋糕", "零食", "粽子"],
    "etreat": ["cake", "mooncakes", "doughnuts", "pizza", "fruit", "snacks", "cookies"],
    "grp": ["同学群", "校友群", "家长群", "跑团", "羽毛球群", "小区群", "广场舞群", "老乡群"],
    "egrp": ["the alumni list", "the reunion group", "the running club", "the school parents' chat", "the book club", "the class WhatsApp"],
    "gift": ["金手镯", "金链", "手表", "按摩椅", "包包", "护肤品", "保温杯"],
    "egift": ["a watch", "a hamper", "flowers", "a Rolex", "perfume", "a handbag", "headphones"],
    "ack": ["好的", "收到", "嗯嗯", "OK", "好嘞", "好滴", "行"],
    "cack": ["收到", "得", "好", "冇問題", "OK", "明白", "唔該"],
    "eack": ["ok", "noted", "thx", "got it", "sure", "will do", "on it"],
    "wish": ["保重", "早日康复", "好好休息", "慢慢来不急", "照顾好家里", "身体要紧"],
    "cwish": ["保重", "快啲好返", "慢慢嚟", "飲多啲水", "唔使急", "照顧好屋企人"],
    "ewish": ["feel better", "take care", "get well soon", "hope they're ok", "no rush, family first", "rest up"],
    "hkcode": ["700", "9988", "388", "5", "1299", "3690", "2318"],
    "team": ["the Knicks", "Arsenal", "Liverpool", "the Lakers", "the Warriors", "Man U", "the Yankees"],
    "dish": ["laksa", "chicken rice", "char kway teow", "bak kut teh", "roti prata", "hainanese curry rice", "ramen", "pho"],
    "chore": ["the plumber", "the aircon guy", "the movers", "the landlord", "the IKEA delivery", "the cable guy"],
    "pay": ["PayNow", "Venmo", "FPS", "PayMe", "Zelle"],
    "stock": ["茅台", "宁德时代", "腾讯", "比亚迪", "招行", "中芯国际", "片仔癀", "五粮液", "美团", "平安", "工行", "隆基"],
    "estock": ["Tencent", "Alibaba", "HSBC", "AIA", "Meituan", "DBS", "Sea Ltd", "BYD", "Xiaomi", "Ping An"],
    "zmove": ["又跌了两个点", "创新高了", "跳水了", "直接拉起来了", "放量涨停", "跌破年线", "高开低走", "尾盘翻红"],
    "ecolour": ["Connect flows net in, HSCEI ", "HIBOR moved ", "T-bills yielding ", "the 10y moved ", "SGD NEER slope at "],
}

ZH_PERSONAL = [
    "{f}{zhill2}，我下午请假带去医院", "{f}{hosp}，这两天请假在医院陪着{emo}", "孩子{zhill2}，今天在家照顾，电话能找到我",
    "{f}明天{hosp}，我请半天假陪一下", "下周一请假去看{ill}，排了好久的号", "约了牙医，早上晚点到{emo}",
    "我下周年假，去{place}放空一下{emo}", "年假批了，{place}走起{emo}", "{hol}请了几天假，带{f}去{place}",
    "换号了，新号{phone}，麻烦大家改下备注", "微信被封了，新号{wx}，通过一下好友{emo}", "{f}想进{grp}，谁是群主，拉一下{emo}",
    "{grp}要登记邮箱，我的是{email}", "{grp}收集联系方式，我填了{email}",
    "周五部门聚餐订了{food}，不吃辣的说一声", "{n}下周离职，周五晚上给她送行，谁来", "下午茶拼单{food}，要的接龙{emo}",
    "{fest}，楼下前台有{treat}，每人一份{emo}", "今天谁生日？蛋糕在前台{emo}", "中午吃{food}还是{food2}？",
    "{wish}，有需要说一声", "{wish}{emo}", "好的，{wish}", "{ack}，玩得开心{emo}", "{ack}，路上小心",
    "哈哈 笑死我了{emo}", "绝了{emo}", "我也想去{emo}", "算我一个{emo}",
    "老婆生日想送个{gift}，有推荐吗", "给{f}挑了个{gift}当生日礼物{emo}", "{f}过生日，订了个蛋糕{emo}",
    "我那点基金今年回撤{pct}，躺平了{emo}", "我的股票账户已经不敢打开了{emo}",
    "周末{sport}吗？{place}天气不错", "晚上打球，八点老地方", "今天跑了十公里，腿废了{emo}",
    "降温了，出门记得加衣服{emo}", "台风要来了，明天估计停工{emo}", "下雨了，谁带伞了",
    "到家了{emo}", "困了，先睡{emo}", "外卖还没到，饿死了{emo}", "下班！{emo}", "早点休息{emo}",
]

ZH_CANTO_PERSONAL = [
    "{cfam}{kidill}，我下晝請假陪佢睇醫生", "{cfam}喺醫院做檢查，我今日早啲走", "{ctime}約咗睇牙，三點走{emo}",
    "放假去{cplace}玩，邊度食嘢好？{emo}", "{ctime}去{csport}，有冇人一齊", "想食{cfood}，邊個一齊",
    "{cfood}定{cfood}？", "換咗電話號碼，新嘅係 {phone}", "WeChat 轉咗新號 {wx}，記得 add 返",
    "{cwish}{emo}", "{cack}，{cwish}", "{fest2}！我帶咗{treat}返嚟，喺茶水間", "{efn} 走嘅 farewell 定咗{ctime}，邊個去？",
    "颱風嚟緊，記得早啲返屋企", "個女今年升中，面試好緊張{emo}", "想買{gift}俾阿媽做生日禮物，邊間抵？",
]

EN_PERSONAL = [
    "{Ef} came down with {eill}, I'm home with them today", "{Ef} is in hospital, taking the afternoon off {eemo}",
    "{eappt} at 3, leaving early today", "school concert for {ef} this morning, in by 11", "baby's due in March, I'll be on paternity leave for two weeks {eemo}",
    "annual leave next week, {eplace} here I come {eemo}", "heading to {eplace} in May, where should we eat?", "anyone up for a hike on Sunday? {eemo}",
    "for {egrp} my address is {email}", "got a new SIM, number is {enphone}", "sending {ef} {egift} for the birthday, any ideas?",
    "{ewish} {eemo}", "{eack}, {ewish}", "booked {efood} for the team dinner, vegetarians let me know", "farewell drinks for {efn} at 7, be there {eemo}",
    "brought {etreat} back from holiday, grab some", "{fest2} everyone {eemo}", "{efood} for lunch?", "my ETF is down {epct} this month, not looking {eemo}",
]

ZH_BUSINESS = [
    "年假从{t}开始，工作已交接给{n}", "我{t}请假，{c}的事{n}跟进", "{n}这周休假，她的客户我先盯着",
    "我明天出差，{e}请{n}代开", "年假期间{d}由{n}负责，急事打我手机", "急事打我手机{phone}，{e}前都在",
    "新座机{phone}，下周一开始用", "{c}的电话{phone}，约了{t}聊{p}",
    "早，今天{idx}{move}，{c}的{p}净值出来了", "{c}您好，{p}本周净值更新了，涨了{pct}", "{code}今天跌了{pct}，技术面还有支撑吗",
    "{m}今天{move}，客户问要不要调仓", "{hk}{move}，客户问要不要减仓", "{idx}{move}，下午再看",
    "{c}，礼物心意我领了，按公司规定不能收", "{c}，您的{d}已经寄出了，注意查收", "{c}您好，赎回款预计{t}到账",
    "年会节目{t}前报给行政", "{ack}，{d}我{t}发你", "{ack}，我跟{c}确认一下", "{ack}，马上处理", "{ack}，我去催{n}", "在吗？{c}的{d}好了没",
]

ZH_CANTO_BUSINESS = [
    "{ctime}約咗{c}開會，幫我 book 會議室", "{c}想改地址，電話 {phone}，幫手跟進", "已經同{c}講咗，佢話{ctime}簽",
    "{hkcode} 今日{move}，客人問使唔使減", "{ctime}個 meeting 改咗時間，睇下 invite", "{cack}，我跟進", "等陣，我check下",
    "{ctime}喺屋企做嘢，有嘢打我手機", "{efn} {ctime}放假，佢啲 client 轉俾我", "客戶嘅 statement 寄咗未？", "KYC 資料齊晒，可以開戶",
    "個 deal 嘅 timeline 好 tight",
]

EN_BUSINESS = [
    "OOO tomorrow, {efn} covers {ec}", "{efn} is on leave this week, I'm covering {ec}", "WFH today, ping me on Teams",
    "Morning: HSI futures {epct}, Nikkei {epct}, JPY weaker", "{ecolour}{epct} overnight, watching {ecode}", "{ecode} off {epct}, anyone seeing real money selling?",
    "{eack}, sending the {ed} {et}", "{eack}, will chase {efn}", "Team building sign-up closes tomorrow",
    "morning all, {ee} at 9", "gm, the {ed} is on the drive", "thanks, will come back to you {et}", "ty, noted for {ec}",
]

# Second pass (written from the chat_a..chat_c errors only; chat_d is the check): casual English
# and Cantonese personal chat in the register of Hong Kong / Singapore / New York desks, and the
# casual desk English it has to be told apart from.
EN_PERSONAL += [
    "{team} lost again, I'm done with this season {eemo}", "did you watch {team} last night? {eemo}", "{dish} or {dish} for dinner?",
    "best {dish} near the office? asking for a friend {eemo}", "flight lands 6am, straight to bed after", "weather is miserable today, raining nonstop",
    "{chore} is coming between 9 and 12, need to be home", "sent you the money for the concert tickets on {pay} {eemo}", "wedding invite came, so happy for them {eemo}",
    "knee is killing me, skipping football this week", "any good dentist for kids near {eplace}?", "jet lag is brutal {eemo}", "happy for you bro, well deserved {eemo}",
    "so sorry to hear, hope your mum recovers soon", "the kids' swim class moved to Saturday mornings",
]
ZH_CANTO_PERSONAL += [
    "今晚打機，五排，唔好甩底{emo}", "邊位得閒幫我攞個外賣？放咗樓下", "{cfam}今日入院，我走先", "呢間{cfood}好好食，下次一齊去",
    "好攰呀，想放長假{emo}", "個 fund 又跌咗，唔睇喇{emo}", "{ctime}去飲，邊個嚟？",
]
EN_BUSINESS += [
    "ping me when you're free, need your eyes on the {ed}", "let me know when you're back, {ec} called", "not without a signed instruction, get {ec} to email it",
    "my view only, not research: two cuts this year", "deleted the msg, wrong chat, will resend to {efn}", "can you cover the {ee}? running late from {ec}",
]

# Third pass (chat_a..chat_c errors only; chat_d is the check): market talk that names the company
# rather than a code is the desk's work; banter about rules and mistakes in a desk chat is work.
ZH_BUSINESS += [
    "{stock}{zmove}，{pct}附近有支撑吗", "{stock}{zmove}，客户那边要不要提示一下", "{m}{move}，{stock}领跌", "降准落地，{stock}{zmove}",
    "{stock}今天{zmove}，这波还能追吗？", "快递要公司地址，是{addr}吧？", "紧急联系人那栏填谁都行吗？HR说必填",
]
EN_BUSINESS += [
    "{estock} {epct} lower again, any flows colour?", "{estock} at a record, the sector's the only thing working", "any colour on {estock}? looks heavy",
    "lol no, not doing that, compliance would have my head", "my bad, wrong chat, deleting", "please don't post client numbers in here",
    "{estock} down {epct}, this trade is killing me",
]

MIXED_PERSONAL = [
    "annual leave 批了，下周去{place} relax 一下{emo}", "{f}生病了，今天 WFH 照顾一下", "{f}生日 party 星期六，要准备什么 gift",
]

MIXED_BUSINESS = [
    "我{t}开始 annual leave，{c}的 case 交给{n}", "{c}的 statement 我{t}发", "今天 {idx} {move}，client 问要不要 rebalance",
]
