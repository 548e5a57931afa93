"""Issue 11 round 3: private life written in a work chat, in wide slot pools so the model learns
the family (relatives, health, school, errands, leisure, moods) rather than one frame's words.

Written for wcp after reading the class errors of chat_a..chat_e (genres, not their lines;
chat_f is the held-out check of this round, see docs/CLASSIFIER.md). The errors showed the
model reading a personal line as business on its frame: a time and "back by" ("dentist at 4,
back by 5"), a report ("体检报告出来了"), a booking ("帮我爸约了号"), a fee ("校服费"), a
transfer ("奶茶钱转你了"), a word that is also a risk word used in jest ("稳赚不赔" about a
spouse's stocks, deleting an ugly photo), and bare farewells ("明天见", "see you tomorrow").
So each family is written in several frames with the life word swapped in from a wide pool, and
a few business lines share the frames (a client's relative buying a product is business)."""

FILL = {
    "kin": ["我妈", "我爸", "我老公", "我老婆", "我儿子", "我女儿", "我婆婆", "我公公", "我外婆", "我爷爷", "我岳母", "我小姨", "我哥", "我妹", "孩子他爸", "我家娃", "我家老大", "我家老二"],
    "kin2": ["妈", "爸", "老公", "老婆", "儿子", "女儿", "婆婆", "外婆", "奶奶", "娃", "闺女", "小舅子"],
    "ckin": ["阿媽", "阿爸", "老公", "老婆", "個仔", "個女", "外母", "嫲嫲", "公公", "細佬", "家姐", "阿妹"],
    "Ekin": ["My mum", "My dad", "My husband", "My wife", "My son", "My daughter", "My in-laws", "My grandma", "My little one", "My brother", "My sister", "My partner"],
    "ekin": ["my mum", "my dad", "my husband", "my wife", "my son", "my daughter", "my in-laws", "my grandma", "my little one", "my boy", "my girl", "my brother", "my sister", "my partner", "my father-in-law"],
    "ekid": ["Emma", "Leo", "Sophie", "Max", "Chloe", "Ethan", "Mia", "Noah", "Lily", "Lucas", "the little one", "my eldest", "the twins"],
    "test": ["体检", "B超", "胃镜", "核磁", "抽血", "CT", "牙科检查", "视力检查", "复查", "产检", "骨密度", "心电图"],
    "etest": ["blood test", "MRI", "scan", "check-up", "X-ray", "eye test", "biopsy", "ultrasound", "physio assessment", "allergy test"],
    "find": ["有个小结节", "血脂偏高", "有点贫血", "尿酸高了", "肺里有个小阴影", "血压有点高", "没什么大问题", "一切正常", "要再复查", "转氨酶高了点"],
    "dept3": ["内分泌科", "骨科", "眼科", "皮肤科", "心内科", "儿科", "口腔科", "妇产科", "消化科", "耳鼻喉科"],
    "hos": ["住院了", "摔了一跤", "要开刀", "在打点滴", "做了个小手术", "血压又高了", "腰又闪了", "犯了胃病"],
    "cill": ["發燒", "咳", "頭痛", "腸胃炎", "扭親腳", "唔舒服", "感冒"],
    "eill3": ["a fever", "the flu", "a migraine", "food poisoning", "a sore throat", "a stomach bug", "conjunctivitis", "covid again"],
    "eappt3": ["Dentist", "Doctor", "Physio", "GP appointment", "School pickup", "Vet", "Parents' evening", "Haircut", "Kid's recital", "Hospital appointment", "Eye doctor", "Nursery pickup"],
    "hr": ["2", "3", "4", "5", "11", "9:30", "4:15", "1:30"],
    "hr2": ["3:30", "4", "5", "6", "12", "10:30", "5:15", "2:30"],
    "school3": ["幼儿园", "学校", "班主任", "兴趣班", "补习班", "钢琴课", "游泳班", "学而思"],
    "fee": ["班费", "校服费", "伙食费", "学费", "材料费", "春游的钱", "课时费", "午托费"],
    "lesson": ["钢琴", "游泳", "英语", "围棋", "跳舞", "画画", "乐高", "奥数", "篮球"],
    "elesson": ["piano", "swim", "tennis", "maths tutor", "ballet", "violin", "football", "coding club"],
    "errand": ["银行", "派出所", "车管所", "物业", "营业厅", "社保中心", "菜鸟驿站", "干洗店", "医院"],
    "appl": ["热水器", "空调", "马桶", "洗衣机", "冰箱", "门锁", "网络"],
    "eappl": ["boiler", "heating", "washing machine", "fridge", "aircon", "dishwasher", "leaking tap", "wifi"],
    "fun": ["迪士尼", "海洋公园", "环球影城", "动物园", "科技馆", "欢乐谷", "长隆", "露营地"],
    "efun": ["Disneyland", "the zoo", "Legoland", "the aquarium", "the beach", "the science museum", "a birthday party", "the farm"],
    "cook": ["红烧肉", "可乐鸡翅", "酸菜鱼", "戚风蛋糕", "饺子", "糖醋排骨", "提拉米苏", "卤牛肉"],
    "ecook": ["banana bread", "sourdough", "lasagne", "brownie", "curry", "pancake", "roast chicken", "cheesecake"],
    "hobby3": ["爬山", "骑车", "钓鱼", "露营", "滑雪", "打网球", "练瑜伽", "跑半马", "打羽毛球", "学吉他"],
    "ehobby3": ["the hike", "the climbing trip", "the BBQ", "the wedding", "the picnic", "the camping trip", "the ski trip", "the housewarming"],
    "mood": ["周一综合症犯了", "好困，想回家睡觉", "今天好丧", "心累", "想放假", "饿扁了", "眼睛都睁不开了", "腰酸背痛"],
    "emood": ["Monday blues", "so tired today", "need a holiday", "can't wait for the weekend", "running on coffee today", "brain is fried"],
    "bye": ["明天见", "明早见", "回头见", "下周见", "周末愉快", "先撤了", "走啦", "拜拜", "晚安各位", "大家早", "节日快乐"],
    "cbye": ["聽日見", "聽朝見", "拜拜", "走先", "下星期見", "早晨", "早唞", "週末愉快"],
    "ebye": ["See you tomorrow", "See you Monday", "Have a good weekend all", "Night all", "Merry Christmas everyone", "Happy New Year all", "Bye all", "Catch you tomorrow", "Enjoy the long weekend"],
    "jest": ["稳赚不赔", "内幕消息", "保本保收益", "稳赚", "包赚"],
    "ejest": ["guaranteed", "insider tip", "risk-free", "a sure thing", "can't lose"],
    "amtS": ["120", "200", "380", "65", "450", "88", "1500", "35"],
    "cdev": ["terminal", "Bloomberg", "電腦", "打印機", "demo 機", "VPN", "電話"],
    "cmeet": ["IC meeting", "晨會", "call", "committee", "client meeting", "review"],
    "cplace3": ["沙田", "旺角", "中環", "銅鑼灣", "荃灣", "將軍澳", "深水埗"],
}

ZH_PERSONAL = [
    "{kin}的{test}报告出来了，{find}{emo}", "{kin}的{test}结果出来了，{find}", "帮{kin}约了{dept3}的号，{day}上午，得请半天假",
    "{kin}{hos}，最近几天得医院单位两头跑", "{kin}{hos}，我下午去医院看看", "我今天有点不舒服，先回家了", "身体不舒服，下午请个假去看病",
    "{school3}让交{fee}，{amtS}块，转到老师卡上就行", "{school3}又要交{fee}了{emo}", "{kin}的{lesson}老师请假了，课改到{day}",
    "得去{errand}办个自己的手续，很快回来", "快递到了帮我拿一下，取件码{r}-{r}-{r}{r}", "房东还没来修{appl}，烦死了{emo}", "家里{appl}坏了，今天得早点回去等师傅",
    "周末带娃去{fun}，门票哪里买便宜？", "带{kin2}去{fun}玩了一天，累瘫{emo}", "有没有人会做{cook}？我做的{cook}又失败了{emo}",
    "周末去{hobby3}，谁一起{emo}", "{hobby3}的照片发我一下呗", "{mood}{emo}",
    "{kin}说他{jest}，结果今年亏了不少{emo}", "{kin}被骗子电话吓到了，说她账户要转账，幸亏先问了我", "手机相册满了，删了好多{kin2}的照片{emo}",
    "帮我把群里那张丑照删了吧{emo}", "已转，昨天的{food}钱", "奶茶钱转你了{emo}", "{kin}今天面试，祝他顺利{emo}",
    "{kin}要来{place}住一阵，附近有什么好的酒店", "帮我看下{kin2}的报名表填对没，{n}，出生日期201{r}年{r}月1{r}日", "帮{kin}挂个号，{n}，身份证{rid}，{dept3}",
    "{kin2}，周末回家吃饭", "我下周年假去{place}，有急事打我电话{phone}",
]

ZH_CANTO_PERSONAL = [
    "{ckin}{cill}，我今日請假陪佢", "{ckin}份{test}報告出咗，{find}", "幫{ckin}約咗{dept3}，{ctime}下晝", "{ctime}帶{ckin}去{fun}{emo}",
    "你嗰邊落雨未？我哋{cplace3}大雨", "今日好熱，冷氣壞咗{emo}", "屋企部{appl}壞咗，要早啲走", "收工未呀？", "放工去{cplace3}食嘢？",
    "好攰，想放假{emo}", "{ckin}話想嚟住一排，幫手睇下機票", "邊個識整{cook}？教吓我",
]

EN_PERSONAL = [
    "Popping out for the {eappt3} at {hr}, in again by {hr2}", "{eappt3} at {hr}, back around {hr2} {eemo}", "{eappt3} at {hr}, leaving a bit early",
    "{ekid} came home with {eill3}, I'll skip drinks tonight", "{Ekin} has {eill3}, staying home with them today", "Feeling rough, heading home early",
    "{Ekin}'s {etest} results came back, all fine phew", "{Ekin}'s {etest} is on Tuesday, I'll be out that morning", "{Ekin} lands Thursday night, I'm doing the airport run",
    "{ekid}'s {elesson} fee went up again {eemo}", "{ekid}'s {elesson} lesson moved to Sunday", "Can you grab my parcel when it comes? Just leave it on my desk",
    "Landlord still hasn't fixed the {eappl} {eemo}", "Waiting for someone to fix the {eappl}, working from home this morning", "Anyone have a good {ecook} recipe? Mine flopped {eemo}",
    "Who took pictures at {ehobby3}? share pls {eemo}", "Kids are begging to go to {efun} this weekend, worth it?",
    "{emood} {eemo}", "{Ekin} swears their stock pick is {ejest}, lost a grand this year {eemo}",
    "{Ekin} wants to spend the winter somewhere warm, hotel recommendations?", "{Ekin} has a job interview today, fingers crossed {eemo}", "Paid you back for the {efood}, check your {pay}",
]

MIXED_PERSONAL = [
    "帮{kin} book 了{day}的{test}，要空腹", "{kin}的 {etest} report 出来了，{find}", "周六带娃去 {efun}，有人知道 ticket 怎么买吗",
    "{kin}下午去面新工作，紧张死了{emo}", "周末 BBQ 几点？我带{food}", "{kin2}的 {elesson} class 改到周日了", "今天 {emood}{emo}",
]

# Business lines that share the frames above, so the model learns the family and not the frame.
ZH_BUSINESS = [
    "{c}的{kin2}想买点{p}，帮我看下还有额度吗", "{c}说家里老人要用钱，赎回{p}，{t}到账", "{n}{t}请假，{c}的{d}我来跟", "{e}改到{t}，{d}我今晚发你",
    "{c}的{d}出来了，{t}约她过一下", "帮{c}约了{t}的面谈，会议室订好了", "{c}转账的回单发我一下，财务要",
]
ZH_CANTO_BUSINESS = [
    "{ctime}喺屋企開工，揾我打 Teams", "{ctime}喺屋企做嘢，{c}啲單我照跟", "部{cdev}又死咗，IT 幫幫手", "{cdev}用唔到，{ed}遲啲先發",
    "港股{ctime}半日市，{c}嘅單要早啲落", "{c}想加受益人，係佢{ckin}，{n}，出生日期201{r}年{r}月1{r}日", "{c}嘅新地址寄月結單，{addr}",
    "{ctime}個{cmeet}改咗時間", "{cmeet}改咗{hr}點，睇下 invite", "{c}份 statement 出咗，{ctime}約佢傾", "{c}話要 complain，我已經 escalate 咗",
    "{c}屋企人想買{p}，仲有冇額度？", "冇問題，{ctime}發{d}俾你", "好，我知，{ctime}覆{c}",
]
EN_BUSINESS = [
    "{ee} at {hr}, back by {hr2} for the {ed}", "Call with {ec} at {hr}, back by {hr2}", "{ec}'s {ed} came back, all fine, sending today",
    "{ec} is flying in Friday, can someone meet them at the office at 7", "Can you grab the {ed} from the printer and leave it on my desk",
]
