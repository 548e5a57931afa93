"""Free-form everyday chatter and everyday desk talk, one frame each, to
widen the vocabulary beyond the slot lists."""

ZH_PERSONAL = [
    "今天的晚霞好美{emo}", "我又胖了三斤{emo}", "谁有{place}的朋友，想问问那边好不好玩", "刚剪了头发，好像剪短了{emo}",
    "我家孩子又感冒了，幼儿园一人生病全班传染", "周末大扫除，翻出好多旧照片{emo}", "终于抢到演唱会门票了{emo}", "今天地铁上有人吃榴莲{emo}",
    "晚饭做了红烧肉，{f}吃了两碗{emo}", "最近在学吉他，手指好疼", "下周回老家参加表哥婚礼", "我爸学会用微信发红包了哈哈",
    "楼下的猫又来蹭饭了{emo}", "今年的年夜饭在我家吃", "失眠了，数羊数到三百只{emo}", "好想辞职去旅行{emo}",
    "早上起晚了，早饭都没吃{emo}", "你们都用什么牌子的洗发水", "我家阳台的番茄熟了{emo}", "看了个恐怖片，晚上不敢关灯{emo}",
    "周末带爸妈去郊区住两天民宿", "我的{thing}好像被偷了{emo}", "最近迷上拼乐高{emo}", "想学游泳，有推荐的教练吗",
    "今天是我生日，请大家吃蛋糕{emo}", "下雪了！出去堆雪人{emo}", "刚跑完五公里，累瘫{emo}", "奶奶九十大寿，全家都回去",
    "周末一起去看画展吗", "我在{place}，这边好热{emo}", "你那只{pet}叫什么名字", "我们家WiFi又断了{emo}",
    "新买的鞋子磨脚{emo}", "今天中午吃了三碗饭{emo}", "晚上谁有空陪我逛街", "孩子作业太难了，我都不会{emo}",
]

EN_PERSONAL = [
    "The sunset tonight is unreal {eemo}", "Put on three kilos over Christmas {eemo}", "Anyone been to {eplace}? Worth it?", "Got a haircut, a bit too short {eemo}",
    "Daycare bug again, the whole class is sick", "Found a box of old photos while cleaning {eemo}", "Got the concert tickets!! {eemo}", "Someone is eating durian on the train {eemo}",
    "Made lasagne tonight, {ef} had seconds {eemo}", "Learning guitar, my fingertips hurt", "Cousin's wedding back home next week", "Dad finally figured out emojis lol",
    "The neighbour's cat keeps visiting {eemo}", "Couldn't sleep at all last night {eemo}", "Daydreaming about quitting and travelling {eemo}", "Overslept and skipped breakfast {eemo}",
    "Tomatoes on the balcony are ripe {eemo}", "Watched a horror film, sleeping with the lights on {eemo}", "Taking my parents to the hot springs this weekend",
    "Think someone stole my {ething} {eemo}", "Into jigsaw puzzles lately {eemo}", "It's my birthday, cake in the pantry {eemo}", "It's snowing!! {eemo}",
    "Grandma turns 90, whole family is flying in", "Art gallery on Saturday?", "Our wifi keeps dropping {eemo}", "New shoes are killing my feet {eemo}",
    "Shopping after work, anyone? {eemo}", "The kids' homework is beyond me {eemo}", "Just ran 5k, dead {eemo}",
]

ZH_BUSINESS = [
    "客户那边确认了，合同按这个版本走", "这个数我再跟财务对一下", "会议纪要已经上传共享盘，请各位补充", "客户对方案基本满意，还要再改两处",
    "今天拜访了三个客户，两个有意向", "系统又卡了，订单提交不上去", "请大家更新一下自己负责客户的联系记录", "这份合同法务还没盖章",
    "下午跟{c}视频会议，资料我来准备", "明天上午的电话会议取消了", "报告里的图表请用公司模板", "{c}的尾款今天到账了",
    "我把客户分成了三类，按资产规模跟进", "这周的工作重点是季度末冲刺", "市场部需要我们提供几个客户案例", "风控说这笔授信要补抵押材料",
    "{c}问我们有没有上门服务", "新客户的开户流程要控制在三天内", "前台说有个客户在等你", "麻烦把会议室的投影打开",
    "培训视频我下载好了，大家自己看", "{c}说下个月追加投资", "这个产品不适合老年客户，换一个", "系统权限申请我已经提了，等IT审批",
]

EN_BUSINESS = [
    "Client confirmed, we go with this version of the contract", "Let me tie this number out with finance", "Minutes are on the shared drive, please add yours",
    "Client is broadly happy with the proposal, two changes left", "Saw three clients today, two are interested", "System is lagging, orders won't submit",
    "Please update the contact log for your clients", "Legal hasn't signed off the contract yet", "Video call with {ec} this afternoon, I'll prep the materials",
    "Tomorrow's conference call is cancelled", "Charts in the report should use the house template", "{ec}'s final payment landed today",
    "Focus this week is the quarter-end push", "Marketing wants a few client case studies", "Risk needs more collateral docs for this facility",
    "Reception says a client is waiting for you", "Access request raised, waiting on IT", "This product isn't suitable for elderly clients, pick another",
]
