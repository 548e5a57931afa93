#!/usr/bin/env python3
"""Harvest Presidio recognizer cases for `score.py presidio`.

presidio-analyzer's wheel ships no tests, so the cases are harvested from its recognizer
classes instead: for every pattern entity wcp shares with Presidio, random values of the
entity's *shape* are generated (some pass the checksum, most do not), embedded in short
sentences, and Presidio's own recognizer decides the expected spans. Cases are kept so that
each entity has both found and rejected values. Output (JSON lines):
  --gold  {"id","entity","text","expected_spans":[[start,end],...]}   (code points)
  --texts {"id","text"}                                               (input for wcp)
Deterministic (seeded). Run inside the venv made by compare.sh.
"""
import argparse, json, random, string, sys, hashlib

import presidio_analyzer.predefined_recognizers as pr

R = random.Random(20261127)
D = string.digits
U = string.ascii_uppercase


def d(n):
    return "".join(R.choice(D) for _ in range(n))


def u(n):
    return "".join(R.choice(U) for _ in range(n))


def luhn_complete(body):
    s = 0
    for i, c in enumerate(reversed(body)):
        v = int(c)
        if i % 2 == 0:
            v *= 2
            v = v - 9 if v > 9 else v
        s += v
    return body + str((10 - s % 10) % 10)


def card():
    pre = R.choice(["4", "51", "55", "2221", "34", "37", "6011", "62", "3530"])
    n = 15 if pre in ("34", "37") else 16
    body = pre + d(n - 1 - len(pre))
    v = luhn_complete(body) if R.random() < 0.6 else body + d(1)
    fmt = R.random()
    if n == 16 and fmt < 0.3:
        return " ".join(v[i:i + 4] for i in range(0, 16, 4))
    if n == 16 and fmt < 0.5:
        return "-".join(v[i:i + 4] for i in range(0, 16, 4))
    return v


def iban():
    cc, bban = R.choice([("DE", lambda: d(18)), ("GB", lambda: u(4) + d(14)), ("FR", lambda: d(23)),
                         ("NL", lambda: u(4) + d(10)), ("CH", lambda: d(17)), ("ES", lambda: d(20))])
    b = bban()
    num = "".join(str(int(c, 36)) for c in b + cc + "00")
    check = 98 - int(num) % 97
    if R.random() < 0.3:
        check = (check + 7) % 97 + 2
    v = f"{cc}{check:02d}{b}"
    return " ".join(v[i:i + 4] for i in range(0, len(v), 4)) if R.random() < 0.4 else v


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def btc():
    payload = bytes([R.choice([0, 5])]) + bytes(R.randrange(256) for _ in range(20))
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(payload + chk, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    s = "1" * (len(payload) - len(payload.lstrip(b"\0"))) + s
    if R.random() < 0.3:
        i = R.randrange(5, len(s))
        s = s[:i] + R.choice(B58.replace(s[i], "")) + s[i + 1:]
    return s


def ipv4():
    return ".".join(str(R.randrange(0, 300 if R.random() < 0.2 else 256)) for _ in range(4))


def ipv6():
    g = [f"{R.randrange(0, 65536):x}" for _ in range(8)]
    return ":".join(g) if R.random() < 0.5 else ":".join(g[:3]) + "::" + ":".join(g[6:])


def mac():
    b = [f"{R.randrange(256):02x}" for _ in range(6)]
    r = R.random()
    if r < 0.4:
        return ":".join(b)
    if r < 0.7:
        return "-".join(b).upper()
    return ".".join("".join(b[i:i + 2]) for i in (0, 2, 4))


def phone():
    return R.choice([
        lambda: f"({R.randrange(201, 990)}) {R.randrange(200, 999)}-{d(4)}",
        lambda: f"{R.randrange(201, 990)}-{R.randrange(200, 999)}-{d(4)}",
        lambda: f"+1 {R.randrange(201, 990)} {R.randrange(200, 999)} {d(4)}",
        lambda: f"+44 20 {R.randrange(7000, 8999)} {d(4)}",
        lambda: f"+49 30 {d(3)} {d(4)}",
        lambda: f"+91 {R.randrange(70000, 99999)} {d(5)}",
        lambda: f"+972 {R.randrange(50, 59)}-{d(3)}-{d(4)}",
    ])()


def fi_hetu():
    dd, mm, yy = R.randrange(1, 29), R.randrange(1, 13), R.randrange(0, 100)
    return f"{dd:02d}{mm:02d}{yy:02d}{R.choice('-+A')}{d(3)}{R.choice(D + 'ABCDEFHJKLMNPRSTUVWXY')}"


def kr_rrn():
    yy, mm, dd = R.randrange(0, 100), R.randrange(1, 13), R.randrange(1, 29)
    return f"{yy:02d}{mm:02d}{dd:02d}-{R.choice('1234')}{d(6)}"


def pesel():
    yy, mm, dd = R.randrange(0, 100), R.randrange(1, 13), R.randrange(1, 29)
    return f"{yy:02d}{mm:02d}{dd:02d}{d(5)}"


NINO_A = "ABCEGHJKLMNOPRSTWXYZ"
NINO_B = "ABCEGHJKLMNPRSTWXYZ"
IT_OMO = "0123456789LMNPQRSTUV"

GEN = {
    "CREDIT_CARD": (pr.CreditCardRecognizer, card, "card"),
    "CRYPTO": (pr.CryptoRecognizer, btc, "wallet"),
    "EMAIL_ADDRESS": (pr.EmailRecognizer, lambda: f"{R.choice(['anna', 'j.smith', 'li_wei88', 'x'])}{d(2)}@{R.choice(['example.com', 'mail.co.uk', 'corp.org'])}", "email"),
    "IBAN_CODE": (pr.IbanRecognizer, iban, "iban"),
    "IP_ADDRESS": (pr.IpRecognizer, lambda: ipv4() if R.random() < 0.6 else ipv6(), "ip"),
    "MAC_ADDRESS": (pr.MacAddressRecognizer, mac, "mac"),
    "URL": (pr.UrlRecognizer, lambda: R.choice(["https://", "http://", "www.", "https://www."]) + R.choice(["example", "wcp-test", "abc"]) + R.choice([".com", ".org", ".io"]) + R.choice(["", "/path", "/a/b?x=1"]), "link"),
    "PHONE_NUMBER": (pr.PhoneRecognizer, phone, "phone"),
    "US_SSN": (pr.UsSsnRecognizer, lambda: R.choice([f"{d(3)}-{d(2)}-{d(4)}", f"{d(3)} {d(2)} {d(4)}", d(9)]), "ssn"),
    "US_ITIN": (pr.UsItinRecognizer, lambda: f"9{d(2)}-{R.randrange(50, 99)}-{d(4)}", "itin"),
    "US_PASSPORT": (pr.UsPassportRecognizer, lambda: R.choice([d(9), u(1) + d(8)]), "passport"),
    "US_BANK_NUMBER": (pr.UsBankRecognizer, lambda: d(R.randrange(8, 18)), "account"),
    "ABA_ROUTING_NUMBER": (pr.AbaRoutingRecognizer, lambda: R.choice("0123678") + d(8), "routing"),
    "UK_NHS": (pr.NhsRecognizer, lambda: R.choice([f"{d(3)} {d(3)} {d(4)}", d(10), f"{d(3)}-{d(3)}-{d(4)}"]), "nhs"),
    "UK_NINO": (pr.UkNinoRecognizer, lambda: R.choice(NINO_A) + R.choice(NINO_B) + R.choice([f" {d(2)} {d(2)} {d(2)} ", d(6)]) + R.choice("ABCD"), "nino"),
    "SG_NRIC_FIN": (pr.SgFinRecognizer, lambda: R.choice("STFG") + d(7) + u(1), "nric"),
    "SG_UEN": (pr.SgUenRecognizer, lambda: R.choice([d(8) + u(1), "20" + d(7) + u(1), "T" + d(2) + u(2) + d(4) + u(1)]), "uen"),
    "AU_ABN": (pr.AuAbnRecognizer, lambda: R.choice([f"{d(2)} {d(3)} {d(3)} {d(3)}", d(11)]), "abn"),
    "AU_ACN": (pr.AuAcnRecognizer, lambda: R.choice([f"{d(3)} {d(3)} {d(3)}", d(9)]), "acn"),
    "AU_TFN": (pr.AuTfnRecognizer, lambda: R.choice([f"{d(3)} {d(3)} {d(3)}", d(9)]), "tfn"),
    "AU_MEDICARE": (pr.AuMedicareRecognizer, lambda: R.choice("23456") + R.choice([f"{d(3)} {d(5)} {d(1)}", d(9)]), "medicare"),
    "IN_PAN": (pr.InPanRecognizer, lambda: u(3) + R.choice("ABCFGHLJPT") + u(1) + d(4) + u(1), "pan"),
    "IN_AADHAAR": (pr.InAadhaarRecognizer, lambda: R.choice("23456789") + R.choice([d(11), f"{d(3)} {d(4)} {d(4)}"]), "aadhaar"),
    "IN_VEHICLE_REGISTRATION": (pr.InVehicleRegistrationRecognizer, lambda: R.choice(["MH", "DL", "KA", "TN"]) + d(2) + u(2) + d(4), "vehicle"),
    "IN_VOTER": (pr.InVoterRecognizer, lambda: u(3) + d(7), "voter"),
    "IN_PASSPORT": (pr.InPassportRecognizer, lambda: u(1) + R.choice("123456789") + d(1) + d(4) + R.choice("123456789"), "passport"),
    "ES_NIF": (pr.EsNifRecognizer, lambda: d(8) + R.choice(["", "-"]) + u(1), "nif"),
    "ES_NIE": (pr.EsNieRecognizer, lambda: R.choice("XYZ") + R.choice(["", "-"]) + d(7) + R.choice(["", "-"]) + u(1), "nie"),
    "IT_FISCAL_CODE": (pr.ItFiscalCodeRecognizer, lambda: u(6) + d(2) + R.choice("ABCDEHLMPRST") + d(2) + u(1) + d(3) + u(1), "codice fiscale"),
    "IT_DRIVER_LICENSE": (pr.ItDriverLicenseRecognizer, lambda: R.choice([u(2) + d(7) + u(1), "U1" + u(7) + u(1)]), "patente"),
    "IT_VAT_CODE": (pr.ItVatCodeRecognizer, lambda: d(11), "partita iva"),
    "IT_PASSPORT": (pr.ItPassportRecognizer, lambda: u(2) + d(7), "passaporto"),
    "IT_IDENTITY_CARD": (pr.ItIdentityCardRecognizer, lambda: R.choice([u(2) + d(7), d(7) + u(2), u(2) + d(5) + u(2)]), "carta"),
    "PL_PESEL": (pr.PlPeselRecognizer, pesel, "pesel"),
    "FI_PERSONAL_IDENTITY_CODE": (pr.FiPersonalIdentityCodeRecognizer, fi_hetu, "hetu"),
    "KR_RRN": (pr.KrRrnRecognizer, kr_rrn, "rrn"),
    "TH_TNIN": (pr.ThTninRecognizer, lambda: R.choice("12345678") + d(12), "tnin"),
}

TEMPLATES = ["My {ctx} is {v}.", "{v}", "Please check {v} before noon", "ref: {v}, thanks"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--per-entity", type=int, default=24)
    a = ap.parse_args()
    n = 0
    with open(a.gold, "w", encoding="utf-8") as g, open(a.texts, "w", encoding="utf-8") as t:
        for ent, (cls, gen, ctx) in GEN.items():
            rec = cls()
            want_pos, want_neg = a.per_entity * 2 // 3, a.per_entity // 3
            pos = neg = tries = 0
            while (pos < want_pos or neg < want_neg) and tries < 3000:
                tries += 1
                text = R.choice(TEMPLATES).format(ctx=ctx, v=gen())
                res = [r for r in rec.analyze(text, [ent], None) if r.entity_type == ent]
                if res and pos >= want_pos or not res and neg >= want_neg:
                    continue
                pos, neg = pos + bool(res), neg + (not res)
                cid = f"p{n:05d}"
                n += 1
                spans = sorted({(r.start, r.end) for r in res})
                g.write(json.dumps({"id": cid, "entity": ent, "text": text, "expected_spans": spans}, ensure_ascii=False) + "\n")
                t.write(json.dumps({"id": cid, "text": text}, ensure_ascii=False) + "\n")
            print(f"{ent:28} found={pos} rejected={neg}", file=sys.stderr)


if __name__ == "__main__":
    main()
