#!/usr/bin/env python3
"""Counts the short benign lines of a labelled set that `wcp detect` gives a risk.

    wcp detect --input SET.jsonl > pred.jsonl
    python3 scripts/short_benign.py SET.jsonl pred.jsonl [--max-chars 12]

A line is short benign when its text has at most --max-chars characters (default 12) and its
gold `risk` list is empty; it "raises a risk" when the prediction of its `id` has any entry in
`risks` (what score.py's risk mode counts). Prints "N of M" and exits 1 above 1 % (the README
target). Reads only ids, texts and labels; prints no text.
"""
import json
import sys


def read(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{no}: not JSON: {e}")
            if "id" not in rec:
                sys.exit(f"{path}:{no}: field id missing")
            out[str(rec["id"])] = rec
    return out


def main():
    args = sys.argv[1:]
    max_chars = 12
    if "--max-chars" in args:
        i = args.index("--max-chars")
        max_chars = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    gold, pred = read(args[0]), read(args[1])
    short = [
        gid
        for gid, g in gold.items()
        if len(g.get("text", "")) <= max_chars and not (g.get("risk") or [])
    ]
    raised = [gid for gid in short if (pred.get(gid, {}).get("risks") or [])]
    missing = [gid for gid in short if gid not in pred]
    if missing:
        sys.exit(f"{args[1]}: no prediction for {len(missing)} id(s), e.g. {missing[0]}")
    share = len(raised) / len(short) if short else 0.0
    print(f"{len(raised)} of {len(short)} short benign lines (<= {max_chars} chars) raise a risk ({share:.1%})")
    sys.exit(1 if share > 0.01 else 0)


if __name__ == "__main__":
    main()
