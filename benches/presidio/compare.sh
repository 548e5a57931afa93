#!/usr/bin/env bash
# Side by side: Presidio's pattern recognizers vs wcp-pii on the same short chat lines, same
# machine, one core each. Also scores Presidio-agreement (harvested recognizer cases) and,
# when the development set is present, both tools on chat_dev's pattern PII.
#
# usage: benches/presidio/compare.sh            (from the repo root; needs PyPI access once)
# env:   WCP_PRESIDIO_LINES (Presidio corpus size, default 3000), WCP_LINES (default 300000)
#        PRESIDIO_TESTS: presidio-analyzer/tests of a Presidio checkout (its wheel and sdist
#        ship no tests): when set, agreement is also scored on Presidio's own test cases
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=benches/presidio
VENV=.cache/presidio-venv
OUT=.cache/presidio-compare
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import presidio_analyzer" 2>/dev/null || "$VENV/bin/pip" install -q presidio-analyzer
# tldextract (Presidio's e-mail validator) would try to download the suffix list: use its snapshot
export TLDEXTRACT_CACHE="$OUT/tldextract"

cargo build -q --release -p wcp-pii --example pii_jsonl
WCP="$OUT/pii_jsonl"
cp target/release/examples/pii_jsonl "$WCP"
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

# --- corpus: chat_dev texts when present, else generated chat lines --------------------
DEV=../shared/data/eval/chat_dev.jsonl
CORPUS="$OUT/corpus.jsonl"
if [ -f "$DEV" ]; then
  python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l); print(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False))' "$DEV" > "$CORPUS"
else
  python3 "$HERE/gen_corpus.py" > "$CORPUS"
fi
N=$(wc -l < "$CORPUS")
PL=${WCP_PRESIDIO_LINES:-3000}
WL=${WCP_LINES:-300000}
python3 -c 'import sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
n = int(sys.argv[2])
print("\n".join((rows * (n // len(rows) + 1))[:n]))' "$CORPUS" "$PL" > "$OUT/presidio_corpus.jsonl"

echo "corpus: $N distinct short lines"
P=$(cd "$HERE" && $PIN ../../"$VENV"/bin/python presidio_run.py --input ../../"$OUT/presidio_corpus.jsonl" 2>/dev/null | tail -1)
W=$($PIN "$WCP" --quiet --all --min-score 0 --repeat $(( WL / N + 1 )) < "$CORPUS")
WD=$($PIN "$WCP" --quiet --repeat $(( WL / N + 1 )) < "$CORPUS")
echo "presidio (pattern recognizers, 1 core): $P"
echo "wcp-pii  (same entities, all shapes)  : $W"
echo "wcp-pii  (default detect)             : $WD"
python3 - "$P" "$W" "$WD" <<'PY'
import json, sys
p, w, wd = (json.loads(x) for x in sys.argv[1:4])
print(f"ratio wcp/presidio: {w['msgs_per_s'] / p['msgs_per_s']:.0f}x (all shapes), {wd['msgs_per_s'] / p['msgs_per_s']:.0f}x (default detect)")
PY

# --- agreement on harvested Presidio recognizer cases ------------------------------------
(cd "$HERE" && ../../"$VENV"/bin/python harvest_cases.py --gold ../../"$OUT/cases.jsonl" --texts ../../"$OUT/case_texts.jsonl" 2>/dev/null)
"$WCP" --all --min-score 0 < "$OUT/case_texts.jsonl" > "$OUT/case_pred.jsonl"
SCORE=../shared/tools/score.py
if [ -f "$SCORE" ]; then
  echo "agreement with Presidio on its own recognizers:"
  python3 "$SCORE" presidio "$OUT/cases.jsonl" "$OUT/case_pred.jsonl"
fi

# --- agreement on Presidio's own analyzer test cases (wcp detect --min-score 0) ----------
if [ -n "${PRESIDIO_TESTS:-}" ] && [ -d "$PRESIDIO_TESTS" ] && [ -f "$SCORE" ]; then
  python3 "$HERE/presidio_cases.py" "$PRESIDIO_TESTS" --gold "$OUT/ptests.jsonl" --texts "$OUT/ptests_texts.jsonl"
  "$WCP" --all --min-score 0 < "$OUT/ptests_texts.jsonl" > "$OUT/ptests_pred.jsonl"
  echo "agreement with Presidio's own test cases:"
  python3 "$SCORE" presidio "$OUT/ptests.jsonl" "$OUT/ptests_pred.jsonl"
fi

# --- both tools on the chat development set ---------------------------------------------
if [ -f "$DEV" ] && [ -f "$SCORE" ]; then
  (cd "$HERE" && ../../"$VENV"/bin/python presidio_run.py --input ../../"$CORPUS" --pred ../../"$OUT/presidio_chat_pred.jsonl" >/dev/null 2>&1)
  "$WCP" < "$CORPUS" > "$OUT/wcp_chat_pred.jsonl"
  echo "chat_dev pattern PII — Presidio:"
  python3 "$SCORE" piipat "$DEV" "$OUT/presidio_chat_pred.jsonl" | tail -1
  echo "chat_dev pattern PII — wcp-pii:"
  python3 "$SCORE" piipat "$DEV" "$OUT/wcp_chat_pred.jsonl" | tail -1
fi
