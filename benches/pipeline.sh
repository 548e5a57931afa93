#!/usr/bin/env bash
# Pipeline benchmark through a real broker (not a test; see docs/TESTING.md). Two chains with
# the same 5 hops to the end topic (wecom.raw -> chat.events -> chat.classified ->
# chat.consented -> chat.tagged -> chat.anonymised):
#   passthrough  5 x wcp-passthrough (the same transactional loop, no stage work): the baseline
#   pipeline     the 7 services (archiver and alerter read chat.tagged alongside)
# Each phase runs on fresh topics: the chain is started and every service is ready and has
# its partitions assigned, the measuring consumer is positioned at the end of all 6 topics,
# then `wcp produce --synthetic` sends WARMUP_S seconds of warm-up (left out of the figures)
# followed by DURATION_S measured seconds at the phase's rate, in one steady stream. Phases:
# each rate of RATES; `max` is MAX_N events as fast as `wcp produce` sends (throughput).
# The whole set runs RUNS times; the summary gives each figure as median [min-max] over runs,
# end to end and per hop, and fails (exit 1) when the load generator fell > 5% short of a rate.
#
#   benches/pipeline.sh                 RUNS=3 RATES="1000 5000 10000 max" DURATION_S=10
#   RUNS=1 RATES=5000 CHAINS=pipeline BROKER_WARMUP=0 benches/pipeline.sh
#   WCP_FLUSH_INTERVAL_MS=50 benches/pipeline.sh  service settings pass through as WCP_* env
# Run it alone on the machine: other load shows up as latency.
# Uses KAFKA_BOOTSTRAP when set, else starts scripts/kafka.sh (and stops it afterwards).
# Everything (reports, service logs, produce output) stays in OUT (default: a new temp dir).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
RATES="${RATES:-1000 5000 10000 max}"
DURATION_S="${DURATION_S:-10}"
WARMUP_S="${WARMUP_S:-3}"
MAX_N="${MAX_N:-100000}"
CHAINS="${CHAINS:-passthrough pipeline}"
PARTITIONS="${PARTITIONS:-3}"
OUT="${OUT:-$(mktemp -d -t wcp-bench-XXXXXX)}"
mkdir -p "$OUT"
PIDS=()

say() { echo "bench: $*" >&2; }

cleanup() {
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ "${STARTED_BROKER:-0}" == 1 ]] && scripts/kafka.sh stop || true
}
trap cleanup EXIT

cargo build --release --workspace --bins >&2
# Where cargo put them: CARGO_TARGET_DIR when set (a shared target folder), else ./target.
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
MEASURE="$BIN/wcp-bench-measure"

if [[ -z "${KAFKA_BOOTSTRAP:-}" ]]; then
    scripts/kafka.sh status >/dev/null 2>&1 || STARTED_BROKER=1
    KAFKA_BOOTSTRAP="$(scripts/kafka.sh start)"
fi
export KAFKA_BOOTSTRAP
say "broker $KAFKA_BOOTSTRAP; RUNS=$RUNS RATES=\"$RATES\" DURATION_S=$DURATION_S WARMUP_S=$WARMUP_S MAX_N=$MAX_N; results in $OUT"
SETTINGS="$(env | grep -E '^WCP_' | grep -vE 'ANON_KEY|PASSWORD|SECRET' | sort | tr '\n' ' ' || true)"

# The tenant key of this bench (a test value, not a secret).
ANON_KEY="be4c4e7e4a4e7c0123456789abcdef00"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# spawn NAME BINARY PREFIX GROUP INSTANCE INPUT [ARGS...]: starts one service in the
# background and appends "pid port input name log" to $OUT/services.
spawn() {
    local name="$1" bin="$2" prefix="$3" group="$4" inst="$5" input="$6"
    shift 6
    local log="${prefix%.}-$name"
    local port own=()
    port="$(free_port)"
    # Each service gets exactly its own settings (it refuses WCP_* variables that are not its
    # own, exit 2): the tenant key only to the services that pseudonymise, the archive folder
    # only to the archiver. The topic prefix also prefixes the group id.
    case "$bin" in
        wcp-archiver) own=(WCP_ARCHIVE_DIR="$OUT/archive-$prefix" WCP_ANON_KEY="$ANON_KEY") ;;
        wcp-anonymiser | wcp-alerter) own=(WCP_ANON_KEY="$ANON_KEY") ;;
    esac
    env WCP_KAFKA_BOOTSTRAP="$KAFKA_BOOTSTRAP" WCP_TOPIC_PREFIX="$prefix" WCP_GROUP_ID="$group" \
        WCP_INSTANCE_ID="$inst" WCP_OPS_ADDR="127.0.0.1:$port" "${own[@]}" RUST_LOG="${RUST_LOG:-warn}" \
        "$BIN/$bin" "$@" >>"$OUT/$log.log" 2>&1 &
    PIDS+=($!)
    echo "$! $port $input $name $OUT/$log.log" >>"$OUT/services"
}

# Waits until every service answers /readyz and lists all partitions of its input topic in
# wcp_consumer_lag_messages (set when the group assigns them). `wcp topics create` gives
# wecom.raw one partition (the capture seq is one ordered stream), the others PARTITIONS.
wait_ready_and_assigned() {
    local deadline=$((SECONDS + 90)) pid port input name log n want
    while read -r pid port input name log; do
        want="$PARTITIONS"
        [[ "$input" == wecom.raw ]] && want=1
        while :; do
            kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; say "a service died ($log)"; exit 1; }
            if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
                n="$(curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null |
                    grep -c "^wcp_consumer_lag_messages{.*topic=\"$input\"" || true)"
                [[ "$n" -ge "$want" ]] && break
            fi
            ((SECONDS < deadline)) || { say "not ready and assigned after 90 s: $log"; exit 1; }
            sleep 0.2
        done
    done <"$OUT/services"
}

stop_all() {
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
    PIDS=()
    : >"$OUT/services"
}

# run_phase CHAIN RATE|max RUN REPORT: one phase; appends its JSON report to REPORT.
run_phase() {
    local chain="$1" rate="$2" run="$3" report="$4"
    local label prefix warmup total rate_args=() measure_rate=()
    if [[ "$rate" == max ]]; then
        label=max warmup=0 total="$MAX_N"
    else
        label="$rate/s" warmup=$((rate * WARMUP_S)) total=$((rate * (WARMUP_S + DURATION_S)))
        rate_args=(--rate "$rate") measure_rate=(--rate "$rate")
    fi
    prefix="bench-$chain-${rate}-r$run-$RANDOM."
    local tag="${prefix%.}"
    "$BIN/wcp" topics create --bootstrap "$KAFKA_BOOTSTRAP" --prefix "$prefix" --partitions "$PARTITIONS" >/dev/null
    : >"$OUT/services"
    if [[ "$chain" == pipeline ]]; then
        spawn ingest wcp-ingest "$prefix" wcp-ingest 0 wecom.raw
        spawn classifier wcp-classifier "$prefix" wcp-classifier 0 chat.events
        spawn consent-gate wcp-consent-gate "$prefix" wcp-consent-gate 0 chat.classified
        spawn retention-tagger wcp-retention-tagger "$prefix" wcp-retention-tagger 0 chat.consented
        for s in anonymiser archiver alerter; do
            spawn "$s" "wcp-$s" "$prefix" "wcp-$s" 0 chat.tagged
        done
    else
        local hops=(wecom.raw chat.events chat.classified chat.consented chat.tagged chat.anonymised)
        for i in 0 1 2 3 4; do
            spawn "pt$i" wcp-passthrough "$prefix" "pt$i" "$i" "${hops[$i]}" \
                --from "${hops[$i]}" --to "${hops[$((i + 1))]}"
        done
    fi
    wait_ready_and_assigned
    rm -f "$OUT/$tag.ready"
    "$MEASURE" measure --bootstrap "$KAFKA_BOOTSTRAP" --prefix "$prefix" --chain "$chain" \
        --phase "$label" "${measure_rate[@]}" --warmup "$warmup" --total "$total" \
        --ready-file "$OUT/$tag.ready" --services "$OUT/services" \
        --context "run $run, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(uptime | sed 's/.*load average: //')${SETTINGS:+, $SETTINGS}" \
        >"$OUT/$tag.json" 2>"$OUT/$tag.measure.log" &
    local measure=$!
    for _ in $(seq 1 300); do [[ -f "$OUT/$tag.ready" ]] && break; sleep 0.1; done
    [[ -f "$OUT/$tag.ready" ]] || { cat "$OUT/$tag.measure.log" >&2; say "measuring consumer not positioned"; exit 1; }
    "$BIN/wcp" produce --bootstrap "$KAFKA_BOOTSTRAP" --prefix "$prefix" \
        --synthetic "$total" "${rate_args[@]}" --seed "$((10 + run))" >"$OUT/$tag.produce" 2>&1 ||
        { cat "$OUT/$tag.produce" >&2; say "wcp produce failed"; exit 1; }
    wait "$measure" || { cat "$OUT/$tag.measure.log" >&2; say "measuring failed"; exit 1; }
    stop_all
    cat "$OUT/$tag.json" >>"$report"
    say "run $run: $(tail -n 1 "$OUT/$tag.measure.log" | sed 's/^measure: //'); load $(uptime | sed 's/.*load average: //')"
    say "        wcp produce: $(tail -n 1 "$OUT/$tag.produce")"
}

# A cold broker's first transactions and fetches are slow (JIT, coordinator loading): one
# short pass-through phase first, not reported.
if [[ "${BROKER_WARMUP:-1}" == 1 ]]; then
    say "warming the broker up (not reported)"
    MAX_N=20000 run_phase passthrough max 0 "$OUT/warmup.jsonl"
fi

for run in $(seq 1 "$RUNS"); do
    for chain in $CHAINS; do
        for rate in $RATES; do
            run_phase "$chain" "$rate" "$run" "$OUT/reports.jsonl"
        done
    done
done

echo
echo "Pipeline benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average now $(uptime | sed 's/.*load average: //')"
echo "RUNS=$RUNS RATES=\"$RATES\" DURATION_S=$DURATION_S WARMUP_S=$WARMUP_S MAX_N=$MAX_N PARTITIONS=$PARTITIONS ${SETTINGS}"
status=0
"$MEASURE" summary "$OUT/reports.jsonl" | tee "$OUT/summary.txt" || status=$?
echo "(reports: $OUT/reports.jsonl, logs: $OUT)"
exit "$status"
