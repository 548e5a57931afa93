#!/usr/bin/env python3
"""Builds the business/personal training corpus (train.jsonl) from the
hand-written templates and slot lists next to this file.

Deterministic: `python3 generate.py` always writes the same file.
Nothing here is copied from the evaluation sets; see PROVENANCE.md.
"""
import json, os, random, re

import slots as S
import templates_en as TE
import templates_more as TM
import templates_scaffold as TS
import templates_wide as TW
import templates_hard as TH
import templates_chat as TC
import templates_zh as TZ
import templates_boost as TB
import templates_issue11 as TI
import templates_issue11c as TJ

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261127
FILLS_PER_TEMPLATE = 14
WIDE_FILLS = 24


def zh_name(r):
    return r.choice(S.ZH_SURNAMES) + r.choice(S.ZH_GIVEN)


def en_name(r):
    return f"{r.choice(S.EN_FIRST)} {r.choice(S.EN_LAST)}"


def cn_mobile(r):
    n = r.choice(["13", "15", "17", "18", "19"]) + "".join(r.choice("0123456789") for _ in range(9))
    return r.choice([n, f"{n[:3]} {n[3:7]} {n[7:]}", f"+86 {n}", f"{n[:3]}-{n[3:7]}-{n[7:]}"])


def amount_zh(r):
    return r.choice([f"{r.randint(1, 99)}万", f"{r.randint(1, 9)}亿", f"{r.randint(100, 999)}万", f"{r.randint(1, 50)}0万元"])


def amount_en(r):
    return r.choice([f"${r.randint(1, 50)}m", f"USD {r.randint(100, 900)}k", f"HKD {r.randint(1, 20)}m", f"{r.randint(1, 9)}.{r.randint(0, 9)}mn"])


def pct(r):
    return f"{r.randint(0, 9)}.{r.randint(0, 9)}%"


def zh_client(r):
    s = r.choice(S.ZH_SURNAMES)
    return r.choice([s + r.choice(S.ZH_TITLES), "客户", "那个客户", "老客户", s + "总那边", "这位客户", "VIP客户"])


def en_client(r):
    return r.choice([f"Mr {r.choice(S.EN_LAST)}", f"Mrs {r.choice(S.EN_LAST)}", "the client", r.choice(S.EN_FIRST), "our client", f"{r.choice(S.EN_LAST)} family office"])


FILL = {
    "c": zh_client, "n": zh_name, "p": lambda r: r.choice(S.ZH_PRODUCTS), "d": lambda r: r.choice(S.ZH_DOCS),
    "t": lambda r: r.choice(S.ZH_TIMES), "a": lambda r: r.choice(S.ZH_ACTIONS), "e": lambda r: r.choice(S.ZH_BIZ_EVENTS),
    "adm": lambda r: r.choice(S.ZH_FIRM_ADMIN), "m": lambda r: r.choice(S.ZH_MARKET), "r": lambda r: str(r.randint(1, 5)),
    "amt": amount_zh, "amt2": amount_zh, "eamt2": amount_en, "code2": lambda r: r.choice(["600", "000", "300", "688"]) + f"{r.randint(0, 999):03d}",
    "ecode2": lambda r: r.choice(["MSFT", "1299.HK", "O39.SI", "NVDA", "0005.HK"]), "pct": pct, "pct2": pct, "code": lambda r: r.choice(["600", "000", "300", "688"]) + f"{r.randint(0, 999):03d}",
    "phone": cn_mobile, "order": lambda r: "".join(r.choice("0123456789") for _ in range(14)),
    "f": lambda r: r.choice(S.ZH_FAMILY), "food": lambda r: r.choice(S.ZH_FOODS), "food2": lambda r: r.choice(S.ZH_FOODS),
    "sport": lambda r: r.choice(S.ZH_SPORTS), "place": lambda r: r.choice(S.ZH_PLACES), "show": lambda r: r.choice(S.ZH_SHOWS),
    "thing": lambda r: r.choice(S.ZH_THINGS), "pet": lambda r: r.choice(S.ZH_PETS), "ill": lambda r: r.choice(S.ZH_AILMENTS),
    "emo": lambda r: r.choice(S.ZH_EMOJI_PERSONAL), "bemo": lambda r: r.choice(S.ZH_EMOJI_BIZ),
    "ec": en_client, "en": en_name, "efn": lambda r: r.choice(S.EN_FIRST), "ep": lambda r: r.choice(S.EN_PRODUCTS),
    "ed": lambda r: r.choice(S.EN_DOCS), "et": lambda r: r.choice(S.EN_TIMES), "ee": lambda r: r.choice(S.EN_BIZ_EVENTS),
    "eadm": lambda r: r.choice(S.EN_FIRM_ADMIN), "eamt": amount_en, "epct": pct,
    "ecode": lambda r: r.choice(["AAPL", "0700.HK", "D05.SI", "TSLA", "9988.HK", "Z74.SI"]),
    "ef": lambda r: r.choice(S.EN_FAMILY), "Ef": lambda r: r.choice(S.EN_FAMILY).capitalize(),
    "efood": lambda r: r.choice(S.EN_FOODS), "efood2": lambda r: r.choice(S.EN_FOODS), "esport": lambda r: r.choice(S.EN_SPORTS),
    "eplace": lambda r: r.choice(S.EN_PLACES), "ething": lambda r: r.choice(S.EN_THINGS),
    "eemo": lambda r: r.choice(S.EN_EMOJI_PERSONAL), "ebemo": lambda r: r.choice(S.EN_EMOJI_BIZ),
}
def digits(r, n):
    return "".join(r.choice("0123456789") for _ in range(n))


def zh_addr(r):
    city, districts, roads = r.choice(S.ZH_ADDR_PARTS)
    return f"{city}{r.choice(districts)}{r.choice(roads)}{r.randint(1, 999)}号"


def en_phone(r):
    return r.choice([f"+65 {r.choice('89')}{digits(r, 3)} {digits(r, 4)}", f"+852 {r.choice('5679')}{digits(r, 3)} {digits(r, 4)}",
                     f"({r.randint(201, 989)}) {digits(r, 3)}-{digits(r, 4)}", f"+1 {r.randint(201, 989)}-{digits(r, 3)}-{digits(r, 4)}"])


def email(r):
    user = r.choice(S.EN_FIRST).lower() + r.choice(["", ".", "_"]) + r.choice(S.EN_LAST).lower() + r.choice(["", str(r.randint(1, 99)), str(r.randint(1970, 2002))])
    return user + "@" + r.choice(["gmail.com", "163.com", "qq.com", "outlook.com", "yahoo.com.hk", "hotmail.com", "example.com"])


FILL.update({
    "rid": lambda r: r.choice(["110", "310", "440", "510", "330", "420"]) + digits(r, 3) + str(r.randint(1950, 2005)) + f"{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + digits(r, 3) + r.choice("0123456789X"),
    "card": lambda r: r.choice(["62", "4", "5"]) + digits(r, r.choice([14, 15, 17])), "ip": lambda r: r.choice(["192.168", "10.0", "172.16"]) + f".{r.randint(0, 255)}.{r.randint(1, 254)}",
    "email": email, "pass": lambda r: r.choice("EG") + digits(r, 8), "wx": lambda r: r.choice(["wxid_", ""]) + r.choice(S.EN_FIRST).lower() + r.choice(["_", ""]) + digits(r, r.randint(2, 4)),
    "addr": zh_addr, "enaddr": lambda r: f"{r.randint(1, 400)} {r.choice(S.EN_STREETS)}", "enphone": en_phone,
    "iban": lambda r: r.choice(["GB", "DE", "FR", "NL", "CH"]) + digits(r, 2) + " " + " ".join(digits(r, 4) for _ in range(4)),
    "ssn": lambda r: f"{digits(r, 3)}-{digits(r, 2)}-{digits(r, 4)}", "uscc": lambda r: "91" + digits(r, 15) + r.choice("0123456789ABCDEFGHJKLMNPQRTUWXY"),
    "city": lambda r: r.choice(S.ZH_CITIES), "dept": lambda r: r.choice(S.ZH_DEPTS), "day": lambda r: r.choice(S.ZH_DAYS),
})
for key, pool in {"perr": TS.ZH_PERSONAL_ERRANDS, "berr": TS.ZH_BIZ_ERRANDS, "care": TS.ZH_PERSONAL_CARE,
                  "btodo": TS.ZH_BIZ_TODO, "weather": TS.ZH_WEATHER, **TS.EN_FILL, **TB.FILL, **TI.FILL, **TJ.FILL}.items():
    # pools may hold slots themselves; fill() expands them recursively
    FILL[key] = lambda r, pool=pool: fill(r.choice(pool), r)
SLOT = re.compile(r"\{(\w+)\}")


def fill(template, r):
    return SLOT.sub(lambda m: FILL[m.group(1)](r), template).strip()


def main():
    r = random.Random(SEED)
    groups = [
        (TZ.BUSINESS, "business", "zh"), (TZ.PERSONAL, "personal", "zh"),
        (TE.EN_BUSINESS, "business", "en"), (TE.EN_PERSONAL, "personal", "en"),
        (TE.MIXED_BUSINESS, "business", "mixed"), (TE.MIXED_PERSONAL, "personal", "mixed"),
        (TM.ZH_PERSONAL_PII, "personal", "zh"), (TM.EN_PERSONAL_PII, "personal", "en"),
        (TM.ZH_BUSINESS_PII, "business", "zh"), (TM.EN_BUSINESS_PII, "business", "en"),
        (TM.ZH_RISK, "business", "zh"), (TM.EN_RISK, "business", "en"),
        (TM.ZH_PERSONAL_SHORT, "personal", "zh"), (TM.EN_PERSONAL_SHORT, "personal", "en"),
        (TM.ZH_BUSINESS_SHORT, "business", "zh"), (TM.EN_BUSINESS_SHORT, "business", "en"),
        (TS.ZH["business"], "business", "zh"), (TS.ZH["personal"], "personal", "zh"),
        (TS.EN["business"], "business", "en"), (TS.EN["personal"], "personal", "en"),
        (TW.ZH_BUSINESS, "business", "zh"), (TW.ZH_PERSONAL, "personal", "zh"),
        (TW.EN_BUSINESS, "business", "en"), (TW.EN_PERSONAL, "personal", "en"),
        (TW.MIXED_BUSINESS, "business", "mixed"), (TW.MIXED_PERSONAL, "personal", "mixed"),
        (TH.ZH_PERSONAL, "personal", "zh"), (TH.ZH_BUSINESS, "business", "zh"),
        (TH.EN_PERSONAL, "personal", "en"), (TH.EN_BUSINESS, "business", "en"),
        (TC.ZH_PERSONAL, "personal", "zh"), (TC.EN_PERSONAL, "personal", "en"),
        (TC.ZH_BUSINESS, "business", "zh"), (TC.EN_BUSINESS, "business", "en"),
        (TB.ZH_BUSINESS, "business", "zh"), (TB.ZH_PERSONAL, "personal", "zh"),
        (TB.EN_BUSINESS, "business", "en"), (TB.EN_PERSONAL, "personal", "en"),
        (TB.MIXED_BUSINESS, "business", "mixed"), (TB.MIXED_PERSONAL, "personal", "mixed"),
        (TI.ZH_PERSONAL, "personal", "zh"), (TI.ZH_CANTO_PERSONAL, "personal", "zh"), (TI.EN_PERSONAL, "personal", "en"),
        (TI.ZH_BUSINESS, "business", "zh"), (TI.ZH_CANTO_BUSINESS, "business", "zh"), (TI.EN_BUSINESS, "business", "en"),
        (TI.MIXED_PERSONAL, "personal", "mixed"), (TI.MIXED_BUSINESS, "business", "mixed"),
    ]
    # round 3 families draw from wide pools: more fills per template so each pool is covered
    wide = [
        (TJ.ZH_PERSONAL, "personal", "zh"), (TJ.ZH_CANTO_PERSONAL, "personal", "zh"), (TJ.EN_PERSONAL, "personal", "en"),
        (TJ.MIXED_PERSONAL, "personal", "mixed"), (TJ.ZH_BUSINESS, "business", "zh"), (TJ.ZH_CANTO_BUSINESS, "business", "zh"), (TJ.EN_BUSINESS, "business", "en"),
    ]
    seen, rows = set(), []
    for (templates, cls, lang), fills in [(g, FILLS_PER_TEMPLATE) for g in groups] + [(g, WIDE_FILLS) for g in wide]:
        for t in templates:
            for _ in range(fills):
                text = fill(t, r)
                if text not in seen:
                    seen.add(text)
                    rows.append({"text": text, "class": cls, "lang": lang})
    r.shuffle(rows)
    with open(os.path.join(HERE, "train.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    by = {}
    for row in rows:
        by[(row["class"], row["lang"])] = by.get((row["class"], row["lang"]), 0) + 1
    print(len(rows), sorted(by.items()))


if __name__ == "__main__":
    main()
