#!/usr/bin/env bash
# Review console page latency on a large archive (issue 18: queue and search on 1,000,000
# archived messages and 100,000 alerts answer in <= 200 ms p95). Generates MESSAGES raw WeCom
# lines from the repo's samples (unique msgids; about one alert per five lines), runs
# `wcp run` into a fresh folder, adds an investigator with `wcp review user add`, serves the
# folder with `wcp review --dir`, signs in over HTTP like a browser (form token, forced
# password change) and times REQUESTS requests of each page: the queue (default, filtered by
# category, last page), search (Chinese substring, English word, participant) and alert
# pages. Prints p50 / p95 / max per page and whether the target is met.
#
#   benches/review_pages.sh                      # 1,000,000 messages (the README figure)
#   MESSAGES=50000 REQUESTS=20 benches/review_pages.sh   # quick look
#   SPREAD_TIMES=1 benches/review_pages.sh       # each repetition of the samples a span later
#
# By default every repetition keeps the samples' times, so ~21,000 messages share each of
# 47 timestamps: the worst case for reading in time order (a term's newest matches sit
# behind every copy of the later lines). SPREAD_TIMES=1 shifts each repetition after the
# previous one, as a real export's times are.
#
# Everything is written under WCP_BENCH_DIR (default: a new temporary folder), removed at the
# end unless KEEP=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MESSAGES="${MESSAGES:-1000000}"
REQUESTS="${REQUESTS:-40}"
WCP="${WCP_BIN:-$ROOT/target/release/wcp}"
[[ -x "$WCP" ]] || cargo build --release --bin wcp --manifest-path "$ROOT/Cargo.toml"
# A folder of our own (mktemp), or WCP_BENCH_DIR, which must be empty: only the files this
# script writes there are removed at the end, never the folder or anything else.
if [[ -n "${WCP_BENCH_DIR:-}" ]]; then
    DIR="$WCP_BENCH_DIR" OWN=0
    mkdir -p "$DIR"
    [[ -z "$(ls -A "$DIR")" ]] || { echo "review_pages.sh: $DIR is not empty" >&2; exit 2; }
else
    DIR="$(mktemp -d)" OWN=1
fi
PORT="${PORT:-$((20000 + RANDOM % 10000))}"
cleanup() {
    [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
    [[ "${KEEP:-0}" = 1 ]] && return
    if [[ "$OWN" = 1 ]]; then rm -rf "$DIR"; else rm -rf "$DIR/input.jsonl" "$DIR/out" "$DIR/run.log" "$DIR/review.log"; fi
}
trap cleanup EXIT

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" rev-parse --short HEAD); SPREAD_TIMES=${SPREAD_TIMES:-0}; load before: $(uptime | sed 's/.*load average: //')"
python3 - "$ROOT/fixtures/wecom_samples.jsonl" "$DIR/input.jsonl" "$MESSAGES" "${SPREAD_TIMES:-0}" <<'PY'
import json, re, sys
samples, out, n, spread = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
lines = [l.rstrip("\n") for l in open(samples, encoding="utf-8") if l.strip()]
times = [json.loads(l)["msgtime"] for l in lines if '"msgtime"' in l]
span = max(times) - min(times) + 1000
written, i = 0, 0
with open(out, "w", encoding="utf-8") as f:
    while written < n:
        for l in lines:
            if written == n:
                break
            # Unique msgids (and recall targets), so every line is a new archive row.
            s = re.sub(r'"(msgid|pre_msgid)":\s*"', lambda m: '"%s": "b%d-' % (m.group(1), i), l)
            if spread:
                s = re.sub(r'"(msgtime|agree_time|disagree_time)":\s*(\d+)',
                           lambda m: '"%s": %d' % (m.group(1), int(m.group(2)) + i * span), s)
            f.write(s + "\n")
            written += 1
        i += 1
PY
start=$(date +%s)
"$WCP" run --input "$DIR/input.jsonl" --out "$DIR/out" > "$DIR/run.log" 2>&1 || { tail -5 "$DIR/run.log"; exit 1; }
echo "wcp run: $MESSAGES lines in $(( $(date +%s) - start )) s; $(wc -l < "$DIR/out/alerts.jsonl") alerts"
password=$("$WCP" review user add --dir "$DIR/out" --username bench --role investigator | sed -n 's/.*one-time password: *//p' | tail -1)
[[ -n "$password" ]] || { echo "review_pages.sh: no one-time password from 'wcp review user add'" >&2; exit 1; }
"$WCP" review --dir "$DIR/out" --addr "127.0.0.1:$PORT" --insecure-cookies > "$DIR/review.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do
    grep -q "^wcp review: http" "$DIR/review.log" && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DIR/review.log"; exit 1; }
    sleep 1
done
grep -m1 "new alerts queued" "$DIR/review.log" || true
python3 - "127.0.0.1:$PORT" "$password" "$REQUESTS" <<'PY'
import http.cookiejar, re, sys, time, urllib.parse, urllib.request
base, password, n = "http://" + sys.argv[1], sys.argv[2], int(sys.argv[3])
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def get(path):
    with web.open(base + path, timeout=60) as r:
        return r.read().decode("utf-8", "replace")

def post(path, fields):
    data = urllib.parse.urlencode(fields).encode()
    with web.open(base + path, data=data, timeout=60) as r:
        return r.read().decode("utf-8", "replace")

def token(html):
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    if not m:
        sys.exit("review_pages.sh: no form token in the page")
    return m.group(1)

post("/signin", {"csrf": token(get("/signin")), "username": "bench", "password": password})
new = "bench-password-" + "x" * 12
post("/password", {"csrf": token(get("/password")), "password": new})
queue = get("/queue")
if "/alerts/" not in queue:
    sys.exit("review_pages.sh: signed in, but the queue shows no alert")
alerts = sorted(set(re.findall(r'/alerts/[a-z]+/[0-9]+', queue)))
last = max([int(p) for p in re.findall(r'[?&]page=([0-9]+)', queue)] or [0])
pages = {
    "queue (pending, newest first)": ["/queue"],
    "queue, one category": ["/queue?category=guarantee_of_returns"],
    "queue, a later page": ["/queue?page=%d" % max(1, min(last, 40))],
    "search, Chinese substring": ["/search?text=" + urllib.parse.quote("保本")],
    "search, English word": ["/search?text=meeting"],
    "search, participant": ["/search?participant=zhangwei"],
    "alert page": alerts[:10],
}
worst = 0.0
print("%-32s %8s %8s %8s" % ("page", "p50 ms", "p95 ms", "max ms"))
for name, paths in pages.items():
    took = []
    for i in range(n):
        t = time.perf_counter()
        body = get(paths[i % len(paths)])
        took.append((time.perf_counter() - t) * 1000)
        if i == 0 and "<html" not in body.lower():
            sys.exit("review_pages.sh: %s: not a page" % name)
    took.sort()
    p95 = took[min(len(took) - 1, int(round(0.95 * len(took))) - 1)]
    worst = max(worst, p95)
    print("%-32s %8.1f %8.1f %8.1f" % (name, took[len(took) // 2], p95, took[-1]))
print("worst p95: %.1f ms (target <= 200 ms): %s" % (worst, "met" if worst <= 200 else "NOT met"))
PY
echo "load after: $(uptime | sed 's/.*load average: //')"
