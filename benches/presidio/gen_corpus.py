#!/usr/bin/env python3
"""Generate short WeCom-style chat lines (zh/en/mixed; about a third carry PII) as JSON
lines {"id","text"} — the side-by-side corpus when the development set is absent."""
import json, random

R = random.Random(7)
PLAIN = ["好的，明天上午十点开会", "收到，我跟客户确认一下", "今天大盘跌得有点多", "周末一起去爬山吗？",
         "Can you send me the term sheet?", "Thanks, will revert by EOD", "这个client的risk profile是conservative",
         "帮我订12月5号的机票", "600519今天又涨了2.3%", "Meeting moved to 3pm, room 12F-03", "哈哈哈[捂脸]",
         "合同编号HT-2024-SZ-01187，下周一前盖章", "Trade ref 20241126-HK-000738, settlement T+2"]
PII = ["我手机1{}，到了打给我", "客户邮箱 li.{}@example.com", "Please call me at +852 9{} after 6pm",
       "卡号 6222 0212 3456 7890 128 已登记", "身份证11010519491231002X，麻烦核对", "IBAN GB82 WEST 1234 5698 7654 32 pls",
       "服务器10.0.{}.8今晚维护", "SSN 078-05-1121 for payroll"]


def fill(t):
    return t.replace("{}", "".join(R.choice("0123456789") for _ in range(7 if "852" in t else 2 if "10.0" in t else 10 if "手机" in t else 4)))


for i in range(3000):
    t = fill(R.choice(PII)) if R.random() < 0.35 else R.choice(PLAIN)
    print(json.dumps({"id": f"g{i:05d}", "text": t}, ensure_ascii=False))
