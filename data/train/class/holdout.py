#!/usr/bin/env python3
"""Writes holdout.jsonl: calibration lines from templates_holdout.py (frames
not used for training), filled with a different seed. Deterministic."""
import json, os, random

import generate as G
import templates_holdout as TH

SEED = 4242
FILLS = 4


def main():
    r = random.Random(SEED)
    groups = [(TH.ZH_BUSINESS, "business", "zh"), (TH.ZH_PERSONAL, "personal", "zh"),
              (TH.EN_BUSINESS, "business", "en"), (TH.EN_PERSONAL, "personal", "en"),
              (TH.MIXED_BUSINESS, "business", "mixed"), (TH.MIXED_PERSONAL, "personal", "mixed"),
              (TH.R2_BUSINESS, "business", "r2"), (TH.R2_PERSONAL, "personal", "r2"),
              (TH.R3_BUSINESS, "business", "r3"), (TH.R3_PERSONAL, "personal", "r3")]
    train = {json.loads(l)["text"] for l in open(os.path.join(G.HERE, "train.jsonl"), encoding="utf-8")}
    seen, rows = set(), []
    for templates, cls, lang in groups:
        for t in templates:
            for _ in range(FILLS):
                text = G.fill(t, r)
                if text not in seen and text not in train:
                    seen.add(text)
                    # round-2/3 lines get ids r2…/r3…; `lang` is left out for them (mixed languages)
                    prefix = lang if lang in ("r2", "r3") else "h"
                    row = {"id": f"{prefix}{len(rows) + 1:04d}", "text": text, "class": cls}
                    if prefix == "h":
                        row["lang"] = lang
                    rows.append(row)
    with open(os.path.join(G.HERE, "holdout.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows), "held-out lines")


if __name__ == "__main__":
    main()
