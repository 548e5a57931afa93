#!/usr/bin/env python3
"""Guards against training on the development set: lists corpus lines that
equal or nearly equal (character 4-gram Jaccard > 0.45) a line of
../shared/data/eval/chat_dev.jsonl, or of any further labelled JSON Lines
file given as an argument (e.g. the scored blind sets:
`python3 check_dev_overlap.py /path/chat_a.gold.jsonl ...`). Exit 1 when any
is found; skips the dev set when it is absent."""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "eval", "chat_dev.jsonl")
LIMIT = 0.45


def grams(s):
    return {s[i:i + 4] for i in range(max(1, len(s) - 3))}


def main():
    files = ([DEV] if os.path.exists(DEV) else []) + sys.argv[1:]
    if not files:
        print("skipped: dev set not present")
        return 0
    dev = [json.loads(l)["text"] for f in files for l in open(f, encoding="utf-8") if l.strip()]
    corpus = {json.loads(l)["text"] for l in open(os.path.join(HERE, "train.jsonl"), encoding="utf-8")}
    dev_grams = [(d, grams(d)) for d in dev]
    hits = []
    for t in sorted(corpus):
        tg = grams(t)
        for d, g in dev_grams:
            j = len(tg & g) / len(tg | g)
            if t == d or j > LIMIT:
                hits.append((round(j, 2), t, d))
    for h in hits:
        print(*h, sep=" | ")
    print(f"{len(hits)} near-duplicates of dev lines in {len(corpus)} corpus lines")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
