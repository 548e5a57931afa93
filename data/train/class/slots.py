"""Slot fillers for generate.py (hand-written for wcp; no external text)."""

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "文博", "子涵", "浩然", "欣怡", "梓轩", "雨桐", "建国", "志强", "晓明", "丽华", "海燕", "俊杰", "思远", "婷婷", "嘉怡", "宇航", "一鸣", "晨曦", "佳琪", "国栋"]
EN_FIRST = ["James", "Emily", "Oliver", "Sophie", "Daniel", "Grace", "Michael", "Chloe", "David", "Hannah", "Ryan", "Priya", "Arjun", "Mei", "Kevin", "Lisa", "Jason", "Rachel", "Tom", "Natalie", "Ben", "Olivia", "Marcus", "Aisha", "Wei", "Jun", "Evelyn", "Samuel", "Irene", "Victor"]
EN_LAST = ["Smith", "Tan", "Lim", "Wong", "Chen", "Lee", "Brown", "Patel", "Ng", "Goh", "Taylor", "Chua", "Ho", "Kumar", "Walker", "Zhang", "Li", "Teo", "Murphy", "Cohen", "Rossi", "Khan", "Yeo", "Lau", "Fischer"]
ZH_TITLES = ["总", "经理", "总监", "处长", "老师", "先生", "女士", "姐", "哥"]

ZH_PRODUCTS = ["指数增强", "中短债基金", "FOF", "私募股权基金", "分红险", "理财子产品", "黄金ETF", "基金", "债券", "理财产品", "结构性存款", "私募", "ETF", "可转债", "信托计划", "年金险", "货币基金", "收益凭证", "资管计划", "雪球产品", "美元债", "港股通", "REITs", "国债逆回购", "定增项目", "QDII基金", "大额存单"]
ZH_DOCS = ["路演材料", "季报", "合同", "风险揭示书", "尽调报告", "开户资料", "估值表", "对账单", "PPT", "会议纪要", "周报", "月报", "投资建议书", "产品说明书", "审批单", "报价单", "授信材料", "KYC表", "适当性评估", "交易确认书", "客户名单", "培训课件", "报销单", "合规底稿"]
ZH_TIMES = ["明天上午十点", "周三下午", "今天下班前", "月底前", "下周一", "今晚八点前", "后天", "本周五", "下午三点", "明早九点半", "周四上午", "节后第一天", "十分钟后", "中午之前", "下个月初"]
ZH_ACTIONS = ["发我一下", "整理一下", "更新一下", "核对一下", "签个字", "盖个章", "走一下审批", "再检查一遍", "发给客户", "抄送合规", "上传到系统", "打印三份", "改一下格式", "补充一下数据", "发到群里"]
ZH_BIZ_EVENTS = ["晨会", "路演", "客户会议", "投决会", "周会", "合规培训", "季度复盘", "尽调", "电话会", "产品说明会", "风控评审", "答辩", "签约仪式", "内部评审", "策略会"]
ZH_FIRM_ADMIN = ["年会", "团建", "体检", "工资条", "考勤", "年假申请", "报销", "工位调整", "搬迁", "门禁卡", "VPN", "邮箱密码", "打印机", "OA审批", "社保公积金", "入职手续", "离职交接", "出差申请", "绩效自评", "培训学分"]
ZH_MARKET = ["大盘", "美债收益率", "人民币汇率", "港股", "科创板", "债市", "金价", "油价", "恒指", "纳指", "A50", "中证500"]

ZH_FAMILY = ["我妈", "我爸", "老婆", "老公", "儿子", "女儿", "宝宝", "我奶奶", "我姥姥", "我弟", "我姐", "孩子", "婆婆", "岳父", "表妹"]
ZH_FOODS = ["煎饼果子", "肠粉", "羊肉串", "酸辣粉", "臭豆腐", "糖水", "串串", "烤鱼", "兰州拉面", "汉堡", "火锅", "烧烤", "奶茶", "小龙虾", "日料", "麻辣烫", "螺蛳粉", "早茶", "烤鸭", "饺子", "咖啡", "蛋糕", "寿司", "牛肉面", "酸菜鱼", "炸鸡", "披萨", "粤菜", "川菜", "烤肉"]
ZH_SPORTS = ["羽毛球", "篮球", "足球", "跑步", "游泳", "爬山", "健身", "瑜伽", "骑行", "网球", "乒乓球", "飞盘", "滑雪", "徒步", "马拉松"]
ZH_PLACES = ["丽江", "张家界", "黄山", "首尔", "新西兰", "冰岛", "迪拜", "清迈", "苏梅岛", "莫干山", "云南", "三亚", "日本", "泰国", "成都", "西安", "厦门", "大理", "新疆", "青岛", "杭州", "北海道", "巴厘岛", "桂林", "长白山", "马尔代夫", "香港迪士尼", "重庆"]
ZH_SHOWS = ["追剧", "综艺", "电影", "演唱会", "话剧", "脱口秀", "动漫", "球赛直播", "音乐节"]
ZH_THINGS = ["平板", "投影仪", "电饭煲", "洗碗机", "跑步机", "帐篷", "相机", "电动车", "手机", "耳机", "羽绒服", "跑鞋", "扫地机器人", "咖啡机", "包包", "口红", "婴儿车", "猫粮", "空气炸锅", "电动牙刷", "自行车", "游戏机", "行李箱"]
ZH_PETS = ["猫", "狗", "仓鼠", "鹦鹉", "金毛", "柯基", "布偶猫", "橘猫"]
ZH_AILMENTS = ["感冒", "发烧", "牙疼", "腰疼", "过敏", "咳嗽", "失眠", "胃疼", "头疼", "嗓子疼"]
ZH_EMOJI_PERSONAL = ["😂", "🤣", "😄", "😭", "🥰", "😋", "[捂脸]", "[偷笑]", "[呲牙]", "[破涕为笑]", "哈哈哈", "~", "！", "😅", "🎉", "👍", ""]
ZH_EMOJI_BIZ = ["🙏", "👍", "[抱拳]", "[OK]", "，谢谢", "，辛苦", "！", "。", "", "", "", ""]

EN_PRODUCTS = ["balanced fund", "CTA strategy", "target-date fund", "callable bond", "perpetual", "accumulator", "unit trust", "bond fund", "structured note", "money market fund", "ETF", "private credit fund", "convertible", "annuity", "discretionary mandate", "FX forward", "equity-linked note", "REIT", "treasury ladder", "dual currency deposit", "hedge fund feeder", "IPO allocation"]
EN_DOCS = ["pitch deck", "term sheet", "KYC pack", "risk disclosure", "statement", "trade confirmation", "quarterly report", "suitability form", "minutes", "mandate letter", "factsheet", "due diligence memo", "onboarding form", "compliance checklist", "expense report", "board paper", "model portfolio", "credit memo"]
EN_TIMES = ["tomorrow 10am", "by EOD", "Friday noon", "next Monday", "before the call", "this afternoon", "by Thursday", "first thing tomorrow", "before month end", "in 30 mins", "after lunch", "next week"]
EN_BIZ_EVENTS = ["client call", "roadshow", "investment committee", "team meeting", "compliance training", "quarterly review", "due diligence visit", "pitch", "onboarding session", "risk committee", "morning meeting", "offsite", "audit walkthrough"]
EN_FIRM_ADMIN = ["annual leave request", "expense claim", "payroll", "health check", "team building", "office move", "laptop refresh", "VPN token", "password reset", "badge access", "performance review", "travel approval", "timesheet", "new joiner setup", "desk booking"]
EN_FAMILY = ["my mum", "my dad", "my wife", "my husband", "my son", "my daughter", "the kids", "my sister", "my brother", "grandma", "my partner", "the baby"]
EN_FOODS = ["pho", "kebabs", "fish and chips", "nasi lemak", "poke", "steak", "dumplings", "bagels", "pizza", "sushi", "hotpot", "dim sum", "burgers", "ramen", "laksa", "tacos", "curry", "bubble tea", "pasta", "chicken rice", "BBQ", "brunch"]
EN_SPORTS = ["football", "tennis", "the gym", "a run", "yoga", "badminton", "basketball", "swimming", "cycling", "hiking", "golf", "squash", "the marathon"]
EN_PLACES = ["Bali", "Japan", "Phuket", "Taipei", "Seoul", "Lisbon", "Iceland", "Langkawi", "Hokkaido", "the Maldives", "Vietnam", "Perth", "New Zealand"]
EN_THINGS = ["new phone", "headphones", "running shoes", "coffee machine", "sofa", "bike", "air fryer", "winter jacket", "stroller", "PS5", "suitcase", "watch"]
EN_EMOJI_PERSONAL = ["😂", "🤣", "😄", "😭", "🥰", "🙃", "lol", "haha", "!!", "😅", "🎉", ":)", ""]
EN_EMOJI_BIZ = ["thanks", "thx", "pls", "🙏", "asap", "cheers", "", "", "", ""]

ZH_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "重庆", "西安", "苏州", "天津"]
ZH_ADDR_PARTS = [("上海市", ["黄浦区", "静安区", "徐汇区", "浦东新区"], ["南京西路", "淮海中路", "世纪大道", "陆家嘴环路", "衡山路"]),
                 ("北京市", ["朝阳区", "海淀区", "东城区", "西城区"], ["建国路", "中关村大街", "金融大街", "长安街"]),
                 ("深圳市", ["福田区", "南山区", "罗湖区"], ["深南大道", "科苑路", "益田路", "福华三路"]),
                 ("广州市", ["天河区", "越秀区", "海珠区"], ["珠江新城花城大道", "中山五路", "天河北路"]),
                 ("成都市", ["武侯区", "锦江区", "高新区"], ["人民南路", "天府大道", "春熙路"])]
ZH_DEPTS = ["骨科", "牙科", "儿科", "眼科", "皮肤科", "心内科", "专家门诊", "体检中心"]
ZH_DAYS = ["周五", "周六", "明天", "后天", "初三", "下周一", "国庆第一天"]
EN_STREETS = ["Orchard Road", "Queen's Road Central", "Park Avenue", "Nathan Road", "Robinson Road", "King Street", "Bukit Timah Road", "Hennessy Road", "Fifth Avenue", "Collyer Quay"]
