"""Wider coverage: more sentence frames per class in every language, written
to vary length, register and punctuation (questions, commands, one-word
replies, multi-clause lines, line breaks)."""

ZH_BUSINESS = [
    "{c}刚打电话来，问{p}什么时候分红", "{c}那边说{d}有个数字对不上，你再核一下", "今天新开户{r}个，{c}的资金下午到",
    "我这边{d}改完了，你看看还有没有问题", "这周的路演排期发群里了，大家看一下自己的时间", "{c}的风险承受能力评估结果出来了，是稳健型",
    "系统显示{c}的账户冻结了，是不是身份证过期了", "{p}的额度今天抢完了，下一期{t}开放", "麻烦把{c}的交易流水导出来，审计要",
    "领导说{d}的格式要统一，用新模板", "{e}上领导点名表扬了我们组{emo}", "客户回访录音要保存，合规会抽查",
    "{c}对{p}的费率有意见，能不能申请优惠", "早上{m}跳水，好几个客户来问", "刚收到监管的问询函，{t}前要回复",
    "新规出来了，{p}的销售要双录", "{c}的家族信托方案初稿好了，约个时间讲一下", "这笔大额转账要{c}本人视频确认",
    "帮忙看看这个客户的资金来源证明够不够", "{n}，你负责的{c}投诉了，先别回复，等合规意见", "{c}说他要把资产转到别家，挽留一下",
    "本月考核：新增AUM{amt}，大家冲一冲", "IT通知：{t}邮箱系统迁移，提前备份", "新的交易终端装好了，有问题找{n}",
    "行政提醒：{t}消防演练，全员参加", "公司年会的节目单出来了{emo}", "下季度的预算表{t}交财务",
    "人事让大家{t}前确认个税专项扣除", "新员工培训安排在{t}，地点大会议室", "工会发的{food}券在前台领",
    "{c}的合同到期了，续签的材料准备一下", "{p}产品经理{t}来做培训，都来听", "我们和{c}的框架协议法务审完了",
    "对一下今天的成交：{code}买入{amt}，{code2}卖出{amt2}", "{c}的保证金不足，需要追加", "这只{p}的净值今天回撤了{pct}",
    "给{c}的资产配置建议：股三债七", "客户经理例会：每人讲一个成功案例", "{c}想加仓{code}，我说先等研报",
    "这份{d}要双人复核后才能发客户", "信息披露的公告{t}挂网", "帮我预约{c}的面签，{t}",
    "客户说收益率写错了，{d}赶紧撤回重发，走正常更正流程", "{c}想要一份{p}的历史业绩，发官方版本的",
    "我出差{t}，{c}有事找{n}", "差旅标准改了，住宿上限降了", "公司VPN证书{t}到期，记得更新",
    "打卡机坏了，今天的考勤手工登记", "这个月绩效面谈排一下时间", "周五的团建改成聚餐了，行政订了{food}",
    "{c}的推荐人奖励按规定不能给现金", "下周开始推{p}，话术模板已经发群里", "营业部装修，{t}起临时搬到二楼办公",
]

ZH_PERSONAL = [
    "{f}说想吃{food}，下班顺路买点", "今天是我们结婚{r}周年{emo}", "刚看完{show}，哭死我了{emo}", "周末打算在家大扫除",
    "我家{f}开始学走路了{emo}", "最近睡不好，有什么好办法吗", "{f}的学校要开家长会，我得请个假陪", "新买的{thing}到了，开箱{emo}",
    "有人一起拼单买水果吗", "我报了个{sport}班，每周两次{emo}", "冰箱坏了，周末去看新的", "{f}从老家寄了腊肉过来{emo}",
    "搬家真累，东西太多了{emo}", "你家孩子上的哪个幼儿园", "这家{food}店的老板是我同学", "晚上看球吗？{sport}决赛",
    "我在减脂，这周瘦了两斤{emo}", "今天堵车堵了一个小时{emo}", "借我个充电宝呗", "电影院的爆米花涨价了{emo}",
    "{f}住院了，这几天我跑医院", "过年回老家的票买好了吗", "去{place}的签证下来了{emo}", "下个月去{place}看极光",
    "我家{pet}生了一窝小的，要不要领养一只", "最近迷上了做饭，今天做了{food}{emo}", "朋友圈看到你去{place}了，好羡慕",
    "手机屏幕摔碎了{emo}", "给{f}买了个{thing}，他很喜欢", "周日去教堂吗", "我们小区楼下新开了个菜市场",
    "儿子今天第一天上小学，我比他还紧张{emo}", "{f}的生日派对要准备什么", "咖啡喝多了心慌{emo}", "今天{sport}输了，下次再来",
    "这个牌子的{thing}好用吗", "房贷每月还多少啊你们", "我想换个发型{emo}", "家里水管漏水了，找个师傅",
    "我的体检结果出来了，血脂有点高{emo}", "中秋月饼你喜欢什么馅的", "国庆堵车，不出去了", "我妈又催婚了{emo}",
    "{f}学钢琴考过了八级{emo}", "周末去看{f}，给他带点{food}", "暑假带孩子去{place}，有攻略吗", "感觉最近胖了{emo}",
]

EN_BUSINESS = [
    "{ec} just called asking when the {ep} pays its coupon", "Numbers in the {ed} don't tie, can you reconcile?", "Onboarded {r} new clients this week",
    "I've updated the {ed}, have a look", "Roadshow schedule is in the group, check your slots", "{ec}'s risk profile came back as balanced",
    "{ec}'s account is frozen, probably an expired ID", "The {ep} tranche sold out, next window {et}", "Audit wants {ec}'s transaction history, can you export it?",
    "New template for the {ed}, please use it from now on", "We got a shout-out at the {ee} {eemo}", "Call recordings with clients must be retained, compliance spot-checks them",
    "{ec} is pushing back on fees for the {ep}, can we get a discount approved?", "Markets sold off this morning, clients are calling", "Regulator's inquiry letter arrived, reply due {et}",
    "Source-of-wealth documents for {ec} look thin, can you take a look?", "{ec} is thinking of moving assets to another bank, let's do a retention call",
    "AUM target this month is {eamt}, let's push", "IT: email migration {et}, back up your mailbox", "Fire drill {et}, everyone please join",
    "Budget template for next quarter is due to finance {et}", "HR needs your tax declarations {et}", "New joiner induction is {et} in the big room",
    "Contract renewal for {ec} is coming up, prepare the docs", "Product specialist is running a session on the {ep} {et}",
    "Today's fills: bought {eamt} of {ecode}, sold {eamt2} of {ecode2}", "{ec} has a margin call, needs to top up", "NAV of the {ep} dropped {epct} today",
    "Please get a second pair of eyes on the {ed} before it goes to the client", "I'm travelling {et}, please reach {efn} for {ec}",
    "Travel policy changed, hotel caps are lower now", "Clock-in machine is broken, sign the paper sheet today", "Performance review slots are open, pick one",
    "Referral rewards to clients can't be paid in cash, per policy", "Branch refurbishment starts {et}, we move to level 2 temporarily",
    "Quick one: is the {ep} available to professional investors only?", "Can you dial into the {ee}? Link in the calendar",
    "FYI {ec} signed the {ed} this morning", "{ec} wants a call to discuss rebalancing", "Let's prep talking points for the {ee}",
]

EN_PERSONAL = [
    "{Ef} wants {efood} tonight, I'll grab some on the way home", "It's our {r}th anniversary today {eemo}", "Just finished that series, I cried {eemo}",
    "Deep cleaning the flat this weekend", "{Ef} took the first steps today {eemo}", "Any tips for sleeping better?", "Parent-teacher meeting at school, taking the afternoon off",
    "New {ething} arrived, unboxing tonight {eemo}", "Anyone want to split a fruit box order?", "Signed up for a pottery class {eemo}",
    "The fridge died, shopping for a new one", "Mum sent homemade dumplings {eemo}", "Moving house is exhausting {eemo}", "Which kindergarten did you pick?",
    "Watching the final tonight? {eemo}", "Down 2 kilos this week {eemo}", "Stuck in traffic for an hour {eemo}", "Can I borrow your charger?",
    "Visa for {eplace} came through {eemo}", "Going to see the northern lights next month", "Our cat had kittens, want one?",
    "Cracked my phone screen {eemo}", "Got {ef} a {ething}, they love it", "Church on Sunday?", "My cholesterol is a bit high, doctor says cut the fried food",
    "Mooncakes: lotus or red bean?", "Mum keeps asking when I'm getting married {eemo}", "Summer trip to {eplace} with the kids, any tips?",
    "Gained weight over the holidays {eemo}", "Leak under the kitchen sink, know a plumber?", "Loving the new {efood} place {eemo}",
    "Kids are finally asleep {eemo}", "Rain again, cancelling the picnic", "Who's coming to karaoke Friday?", "Netflix recs? Need something new",
]

MIXED_BUSINESS = [
    "{c}的order已经executed了，confirmation {t}发", "这个{p}的duration比较长，rate上去会亏", "Q3的target还差{amt}，大家push一下",
    "帮我schedule一个call跟{c}，{t}", "{d}的draft我改好了，你再review一下", "客户要的是fixed income，别推equity",
    "{c}那边的AML check还没clear，先hold", "今天的market update我整理成一页slide", "这周的pipeline review改到{t}",
    "新的product launch在{t}，记得invite客户", "{c}想diversify到海外，推荐一下global fund", "请把{c}的statement resend一次",
    "annual leave的application我submit了，麻烦approve", "公司laptop要refresh，IT说{t}换", "expense claim的receipt记得attach",
    "{c}问能不能switch到另一个share class", "这个deal的timeline很tight，{t}要sign", "pls double check {c}的suitability",
    "compliance要我们把WhatsApp上的对话都move回企业微信", "{c}的complaint我escalate给manager了",
]

MIXED_PERSONAL = [
    "周末去brunch吗？新开了一家cafe", "我的gym membership到期了，要不要续", "今天happy hour，去喝一杯？",
    "{f}的birthday礼物买了个{thing}", "昨天的concert超棒{emo}", "刚做完facial，皮肤好好{emo}", "下个月去{place} road trip",
    "这个weekend要babysit侄子{emo}", "新学了一个recipe，做{food}", "我最近在binge一部剧{emo}",
    "这家restaurant的steak不错", "我的Kindle坏了{emo}", "想养只dog，但是家里太小", "周日去farmers market吗",
    "今天的workout好累{emo}", "我在Taobao买的{thing}还没到", "Christmas party穿什么好", "今晚movie night，来我家",
]
