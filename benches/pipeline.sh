#!/usr/bin/env bash
# Pipeline benchmark through a real broker (not a test): the whole pipeline (all seven
# services as processes) next to a pass-through chain with the same number of hops to the end
# topic (5: wecom.raw -> chat.events -> chat.classified -> chat.consented -> chat.tagged ->
# chat.anonymised), measured one after the other in the same run, on the same broker.
#
# Two phases per chain, each on fresh topics:
#   latency     N events at RATE events/s (default 5,000/s): p50/p99 end-to-end latency
#               = time the record is visible (read_committed) at chat.anonymised - Kafka
#               timestamp of its wecom.raw record.
#   throughput  N events as fast as `wcp produce` sends them: end records / elapsed.
#
#   benches/pipeline.sh                 N=50000 RATE=5000
#   N=20000 RATE=2000 benches/pipeline.sh
#   CHAINS=passthrough benches/pipeline.sh     one chain only
# Uses KAFKA_BOOTSTRAP when set, else starts scripts/kafka.sh (and stops it afterwards).
# Extra service settings pass through as env, e.g. WCP_FLUSH_INTERVAL_MS=20.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-50000}"
RATE="${RATE:-5000}"
CHAINS="${CHAINS:-passthrough pipeline}"
OUT="$(mktemp -d -t wcp-bench-XXXXXX)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ "${STARTED_BROKER:-0}" == 1 ]] && scripts/kafka.sh stop || true
}
trap cleanup EXIT

if [[ -z "${KAFKA_BOOTSTRAP:-}" ]]; then
    scripts/kafka.sh status >/dev/null 2>&1 || STARTED_BROKER=1
    KAFKA_BOOTSTRAP="$(scripts/kafka.sh start)"
fi
export KAFKA_BOOTSTRAP
echo "bench: broker $KAFKA_BOOTSTRAP, N=$N, RATE=$RATE/s, logs in $OUT" >&2

cargo build --release --workspace --bins >&2
# The measuring consumer, built once with the release profile; run by path below so that a
# concurrent source edit cannot trigger a rebuild in the middle of a run.
MEASURE="$(cargo build --release --bench pipeline_measure --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "pipeline_measure" and m.get("executable"):
        print(m["executable"])')"
[[ -x "$MEASURE" ]] || { echo "bench: could not build the pipeline_measure helper" >&2; exit 1; }
BIN="$ROOT/target/release"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# spawn LOGNAME BINARY PREFIX GROUP INSTANCE [ARGS...]: start one service; waits for /readyz.
# (The prefix applies to the group too; services refuse WCP_* variables that are not theirs.)
spawn() {
    local log="$1" bin="$2" prefix="$3" group="$4" inst="$5"
    shift 5
    local port own=()
    port="$(free_port)"
    case "$bin" in
        wcp-archiver) own=(WCP_ARCHIVE_DIR="$OUT/$prefix-archive" WCP_ANON_KEY="be4c4e7e4a4e7c0123456789abcdef00") ;;
        wcp-anonymiser) own=(WCP_ANON_KEY="be4c4e7e4a4e7c0123456789abcdef00") ;;
    esac
    env WCP_KAFKA_BOOTSTRAP="$KAFKA_BOOTSTRAP" WCP_TOPIC_PREFIX="$prefix" WCP_GROUP_ID="$group" \
        WCP_INSTANCE_ID="$inst" WCP_OPS_ADDR="127.0.0.1:$port" "${own[@]}" RUST_LOG=warn \
        "$BIN/$bin" "$@" >>"$OUT/$log.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 300); do
        curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
        kill -0 "$!" 2>/dev/null || { tail -n 20 "$OUT/$log.log" >&2; echo "bench: $bin died" >&2; exit 1; }
        sleep 0.2
    done
    echo "bench: $bin not ready after 60 s" >&2
    exit 1
}

stop_all() {
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
    PIDS=()
}

# run_phase CHAIN PHASE RATE: fresh topics, start the chain, produce, measure.
run_phase() {
    local chain="$1" phase="$2" rate="$3"
    local prefix="bench-$chain-$phase-$RANDOM$RANDOM."
    mkdir -p "$OUT/$prefix-archive"
    "$BIN/wcp" topics create --bootstrap "$KAFKA_BOOTSTRAP" --prefix "$prefix" --partitions 3 >&2
    if [[ "$chain" == pipeline ]]; then
        for s in ingest classifier consent-gate retention-tagger archiver alerter anonymiser; do
            spawn "$prefix$s" "wcp-$s" "$prefix" "wcp-$s" 0
        done
        local format=avro
    else
        local hops=(wecom.raw chat.events chat.classified chat.consented chat.tagged chat.anonymised)
        for i in 0 1 2 3 4; do
            spawn "${prefix}pt$i" wcp-passthrough "$prefix" "pt$i" "$i" \
                --from "${hops[$i]}" --to "${hops[$((i + 1))]}"
        done
        local format=raw
    fi
    "$MEASURE" --bootstrap "$KAFKA_BOOTSTRAP" \
        --raw "${prefix}wecom.raw" --end "${prefix}chat.anonymised" --format "$format" \
        --label "$chain/$phase" >"$OUT/$chain-$phase.measure" 2>"$OUT/$chain-$phase.measure.err" &
    local measure=$!
    local rate_args=()
    [[ "$rate" != max ]] && rate_args=(--rate "$rate")
    "$BIN/wcp" produce --bootstrap "$KAFKA_BOOTSTRAP" --prefix "$prefix" \
        --synthetic "$N" "${rate_args[@]}" --seed 11 >"$OUT/$chain-$phase.produce" 2>&1
    wait "$measure" || { cat "$OUT/$chain-$phase.measure.err" >&2; exit 1; }
    stop_all
    head -n 1 "$OUT/$chain-$phase.measure" >&2
}

for chain in $CHAINS; do
    run_phase "$chain" latency "$RATE"
    run_phase "$chain" throughput max
done

echo
echo "Pipeline benchmark: $N synthetic events, 5 hops to chat.anonymised, $(nproc) cores"
printf '%-12s %18s %12s %12s\n' chain "throughput ev/s" "p50 ms" "p99 ms"
for chain in $CHAINS; do
    tp="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[1])["throughput_eps"])' "$OUT/$chain-throughput.measure")"
    read -r p50 p99 < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[1]); print(d["p50_ms"], d["p99_ms"])' "$OUT/$chain-latency.measure")
    printf '%-12s %18s %12s %12s   (latency at %s ev/s)\n' "$chain" "$tp" "$p50" "$p99" "$RATE"
done
if [[ "$CHAINS" == "passthrough pipeline" ]]; then python3 - "$OUT" <<'EOF'
import json, sys
d = sys.argv[1]
def tp(c): return json.loads(open(f"{d}/{c}-throughput.measure").read().splitlines()[1])["throughput_eps"]
pt, pl = tp("passthrough"), tp("pipeline")
print(f"pipeline / pass-through throughput: {pl / pt * 100:.0f}%" if pt else "no pass-through throughput")
EOF
fi
