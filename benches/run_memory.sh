#!/usr/bin/env bash
# Peak memory of `wcp run` on a large generated export (issue #17: bounded memory, target
# < 300 MB whatever the input size). Generates SIZE_GB of raw WeCom JSON lines from the
# repo's samples (unique msgids, plus one 30 MB line that must be dead-lettered, not held),
# runs `wcp run` under /usr/bin/time -v and prints the maximum resident set size.
#
#   benches/run_memory.sh        # 2 GB (the README figure)
#   SIZE_GB=0.2 benches/run_memory.sh                         # quick look
#
# The input goes to WCP_BENCH_DIR (default /dev/shm/wcp-run-memory: RAM-backed, does not count
# in the process's RSS) and is removed at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_GB="${SIZE_GB:-2}"
DIR="${WCP_BENCH_DIR:-/dev/shm/wcp-run-memory}"
WCP="${WCP_BIN:-$ROOT/target/release/wcp}"
[[ -x "$WCP" ]] || cargo build --release --bin wcp --manifest-path "$ROOT/Cargo.toml"

rm -rf "$DIR"
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

python3 - "$ROOT/fixtures/wecom_samples.jsonl" "$DIR/input.jsonl" "$SIZE_GB" <<'PY'
import re, sys
samples, out, size_gb = sys.argv[1], sys.argv[2], float(sys.argv[3])
lines = [l.rstrip("\n") for l in open(samples, encoding="utf-8") if l.strip()]
target = int(size_gb * 1e9)
written = 0
i = 0
with open(out, "w", encoding="utf-8") as f:
    while written < target:
        for l in lines:
            # Unique msgids (and recall targets), so every line is a new archive row.
            # The samples write `"msgid": "..."` (with a space): match either spelling.
            s = re.sub(r'"(msgid|pre_msgid)":\s*"', lambda m: '"%s": "b%d-' % (m.group(1), i), l)
            f.write(s + "\n")
            written += len(s.encode()) + 1
        i += 1
        if i == 3:
            # One 30 MB line (the issue's case): over the 16 MiB limit, dead-lettered.
            f.write('{"msgid":"huge","action":"send","from":"zw","tolist":["ls"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"' + "长" * 10_000_000 + '"}}\n')
            written += 30_000_000
print(f"generated {written/1e9:.2f} GB, {i} rounds of {len(lines)} lines", file=sys.stderr)
PY

echo "load before: $(uptime)" >&2
/usr/bin/time -v "$WCP" run --input "$DIR/input.jsonl" --out "$DIR/out" --json \
    > "$DIR/summary.json" 2> "$DIR/time.txt" || { cat "$DIR/time.txt" >&2; exit 1; }
echo "load after: $(uptime)" >&2
python3 - "$DIR/summary.json" "$DIR/time.txt" "$DIR/input.jsonl" <<'PY'
import json, os, re, sys
s = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
size = os.path.getsize(sys.argv[3])
print(f"input {size/1e9:.2f} GB, {s['input_lines']} lines: archived {s['archived']}, "
      f"quarantined {s['quarantined']}, dead-lettered {s['dead_lettered']} "
      f"(record_too_large {s['by_dead_letter_reason'].get('record_too_large', 0)})")
print(f"peak RSS {rss_kb/1024:.0f} MB, wall {wall}")
assert s["by_dead_letter_reason"].get("record_too_large", 0) >= 1, "the 30 MB line was not dead-lettered"
assert s["duplicates_skipped"] == 0, "msgids repeat: the input does not grow the archive"
PY
