#!/usr/bin/env python3
"""Run Presidio's pattern recognizers (no NLP model: spaCy models cannot be downloaded here)
over JSON lines {"id","text"}; print a throughput summary, optionally write predictions.

Each recognizer is instantiated directly and called as `rec.analyze(text, entities, None)`
— the same per-recognizer work AnalyzerEngine does for pattern recognizers, minus its NLP
pass and context enhancer (so this *favours* Presidio). The recognizer set is the one wcp
covers (see GEN in harvest_cases.py), plus the phone recognizer. Timing is process CPU time
of the analyze loop only (single thread).
"""
import argparse, json, sys, time

from harvest_cases import GEN


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--pred", help="write wcp-shaped predictions (code-point offsets) here")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    recs = [(cls(), [ent]) for ent, (cls, _, _) in GEN.items()]
    rows = [json.loads(l) for l in open(a.input, encoding="utf-8") if l.strip()]
    if a.limit:
        rows = rows[: a.limit]
    out = []
    t0 = time.process_time()
    for r in rows:
        found = []
        for rec, ents in recs:
            found.extend(rec.analyze(r["text"], ents, None) or [])
        out.append((r, found))
    secs = time.process_time() - t0
    print(json.dumps({"messages": len(rows), "seconds": round(secs, 4), "msgs_per_s": round(len(rows) / secs, 1)}))
    if a.pred:
        with open(a.pred, "w", encoding="utf-8") as f:
            for r, found in out:
                pii = [{"type": x.entity_type, "start": x.start, "end": x.end, "score": x.score} for x in found]
                f.write(json.dumps({"id": r["id"], "pii": pii}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
