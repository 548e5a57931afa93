"""Hard cases on purpose: personal lines that use work words (overtime,
business trips, colleagues, the canteen) and business lines that are mostly
identifiers or touch personal life (leave, sick notes, staff travel)."""

ZH_PERSONAL = [
    "{f}去外地了，这周我一个人接送孩子{emo}", "加班到现在，外卖都凉了{emo}", "同事{n}下个月结婚，我们凑份子吗", "公司楼下新开的{food}还不错",
    "开完会脑袋嗡嗡的，出去透口气", "今天食堂的{food}太难吃了{emo}", "下班后去{sport}吗，我在公司楼下等你", "老板今天请喝奶茶{emo}",
    "周报写完了，摸鱼中{emo}", "年终奖发了，给{f}换个{thing}{emo}", "明天年会穿什么好纠结{emo}", "出差回来给大家带了{food}，在我桌上",
    "隔壁部门那个帅哥叫啥{emo}", "今天穿正装挤地铁热死了{emo}", "终于放假了，回家睡三天{emo}", "工位上那盆绿萝快死了，谁会养",
    "婚礼定在{t}，你一定要来{emo}", "家里装修一半，跟工头吵了一架{emo}", "{f}的体检报告有个指标偏高，有点担心", "陪{f}去医院做检查，排队排了两小时",
    "我自己的体检约在周六，空腹去", "{f}下周做个小手术，我请几天假在医院陪着", "我在{place}的酒店，护照{pass}差点丢了{emo}", "机场值机，名字拼错了，得改签{emo}",
    "我私人邮箱{email}，聚会照片发这里吧", "家里的wifi密码改了，新的在冰箱上", "我前男友结婚了{emo}", "相亲对象是做IT的，你觉得怎么样",
    "{f}换了新号码{phone}，你存一下", "楼下阿姨的电话{phone}，保洁找她", "我们AA吧，转我卡{card}", "二手房看了三套，都不满意",
    "房东要涨租{pct}，我想搬", "车险到期了，哪家便宜", "驾照要换证了，去哪办", "孩子的疫苗本找不到了{emo}",
    "今晚{show}直播，别剧透{emo}", "我在追一个韩剧，太好哭了", "给{f}的礼物买好了，别告诉他{emo}", "周末去{place}自驾，谁一起",
    "新年第一天，立个flag：少喝奶茶{emo}", "刚看到你朋友圈，宝宝好可爱{emo}", "楼上邻居天天半夜蹦迪{emo}", "吃坏肚子了，跑了一晚上厕所{emo}",
]

ZH_BUSINESS = [
    "客户留的卡号{card}，扣款失败，是不是卡过期了", "卡号{card}提示余额不足，已经通知客户", "{c}的护照{pass}下月到期，提醒他更新资料",
    "{city}分行的同事{n}，电话{phone}，有问题直接找他", "新来的助理{n}，座机转{r}{r}，邮箱{email}", "客户的税号{uscc}，开户资料里补上",
    "VPN日志里有个陌生地址{ip}，安全组看一下", "{ip}这台服务器的证书过期了", "交易网关{ip}延迟很高，先切备机",
    "今天{m}大涨，{code}领涨，客户情绪不错", "{code}放量突破，{c}问要不要追", "恒指收涨{pct}，南下资金流入{amt}", "午盘{m}翻红，{code2}跌了{pct}",
    "国庆请年假的在OA提交，{t}截止", "婚假怎么休？要提前多久跟人事申请", "产假材料交给HR了，麻烦帮我确认", "病假条已经交人事，今天的{e}麻烦你主持",
    "{f}住院我请了三天假，客户的事找{n}", "带孩子打疫苗，请假两小时，OA已提交", "我下午去医院，{c}来了请他稍等",
    "发票开错了，税号少一位，重新开一张", "开票信息：公司名称和税号{uscc}，寄到{addr}", "客户要增值税专票，麻烦财务开一下",
    "{en}下周去新加坡驻场，护照{pass}，帮他订机票", "派驻香港的同事签证材料{t}交齐", "出差的酒店发票抬头写公司名",
    "这个客户的身份证{rid}，校验位是X，录系统的时候注意", "系统里{c}的手机号{phone}是错的，已核实更新", "{c}的对公账户{card}，已做小额验证",
    "帮我把{en}加到{ee}，他电话{enphone}", "把{c}拉进服务群，他微信号{wx}", "{c}换了邮箱{email}，对账单以后发这里",
    "老板说{d}写得不错，下次照这个来", "年会抽奖的名单要身份证后四位，{t}前报", "今年的员工体检名单出来了，按部门分批去", "团建报名截止{t}，带家属要另外交钱",
    "{c}送的茶叶已经在礼品登记系统登记了", "{c}邀请我去他家做客，我先报备一下", "{c}想介绍他朋友来开户，推荐流程怎么走",
]

EN_PERSONAL = [
    "{Ef} is away all week, I'm doing every school run {eemo}", "Working late, my takeaway is cold {eemo}", "{en} from accounting is getting married, gift collection?",
    "Canteen food today was awful {eemo}", "Boss bought bubble tea for everyone {eemo}", "Bonus came in, treating {ef} to a {ething} {eemo}",
    "What are you wearing to the company party? {eemo}", "Brought snacks back from my trip, they're on my desk", "Finally on leave, sleeping for three days {eemo}",
    "The wedding is {et}, save the date {eemo}", "Renovation is halfway, the contractor is driving me mad {eemo}", "{Ef}'s blood test came back a bit off, a little worried",
    "At the hotel in {eplace}, nearly lost my passport {eemo}", "Use my gmail {email} for the reunion group, not the work one", "Changed the home wifi password, it's on the fridge",
    "Blind date tonight, wish me luck {eemo}", "Landlord wants {epct} more rent, time to move", "Car insurance renewal, who's cheapest?",
    "Don't spoil the finale {eemo}", "Road trip to {eplace} this weekend, who's in?", "Food poisoning, up all night {eemo}",
    "{Ef}'s new number is {enphone}, save it", "Our cleaner's number is {enphone} if you need one", "Having surgery next week, taking a few days off to recover",
]

EN_BUSINESS = [
    "Card on file for {ec}: {card}, expiry next year, please update", "Debit on the client's card {card} failed, probably expired",
    "{ec}'s passport {pass} expires next month, remind him to update KYC", "Our colleague in Hong Kong is {en}, {enphone}, call him directly",
    "Strange IP {ip} in the VPN logs, security please check", "Certificate on {ip} expired, the gateway is down",
    "{ecode} broke out on volume, {ec} asks whether to chase", "Hang Seng closed up {epct}, southbound inflows strong",
    "How much notice does HR need for wedding leave?", "Medical certificate submitted to HR, can you chair the {ee}?",
    "Invoice was issued with the wrong tax ID, please reissue", "{en} is seconded to Singapore next week, please book flights, passport {pass}",
    "Add {en} to the {ee}, his number is {enphone}", "Client's new email is {email}, send statements there from now on",
    "Boss liked the {ed}, let's use it as the template", "Lucky draw for the annual dinner needs the last 4 digits of your staff ID",
    "{ec} sent a gift hamper, I've logged it in the gifts register", "{ec} invited me to his home, declaring it to compliance first",
    "{ec} wants to refer a friend, what's the referral process?", "{Ef} is in hospital, I'm on leave till Wednesday; {efn} covers {ec}",
]
