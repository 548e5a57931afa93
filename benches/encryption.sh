#!/usr/bin/env bash
# Encryption at rest: the archive's ingest and verify cost with and without a SQLCipher key,
# side by side (issue 17 item 5; target: encrypted at most 25 % slower). Runs the two
# examples of crates/wcp-archive (tamper evidence on, the bench's synthetic events) ROUNDS
# times each, plain and encrypted alternating so machine load hits both alike, and reports
# the medians per CPU-second (user+sys: less sensitive to other load than wall time).
#   benches/encryption.sh
#   BATCHES=100 SIZE=2000 VERIFY_N=100000 ROUNDS=3 (defaults)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BATCHES=${BATCHES:-100}
SIZE=${SIZE:-2000}
VERIFY_N=${VERIFY_N:-100000}
ROUNDS=${ROUNDS:-3}
# BUILD=0: the examples are built already (another cargo may hold the build lock).
[ "${BUILD:-1}" = 0 ] || cargo build --release -q -p wcp-archive --example ingest_cpu --example verify_cpu
bin=target/release/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The examples' archive is `a.db`: its key variable is WCP_ARCHIVE_ENCRYPTION_KEY_A.
key=$(openssl rand -hex 32)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load before: $(uptime | sed 's/.*load average: //')"
echo "ingest: $BATCHES batches of $SIZE; verify: $VERIFY_N messages; $ROUNDS rounds"

per_cpu() { sed -n 's/.* \([0-9]*\)\/s per CPU-second.*/\1/p' | tail -1; }
run() { # mode example args...
    local mode=$1; shift
    if [ "$mode" = encrypted ]; then
        WCP_ARCHIVE_ENCRYPTION_KEY_A=$key "$@"
    else
        env -u WCP_ARCHIVE_ENCRYPTION_KEY_A "$@"
    fi
}
results=""
for r in $(seq "$ROUNDS"); do
    for mode in plain encrypted; do
        i=$(run $mode "$bin/ingest_cpu" "$BATCHES" "$SIZE" | per_cpu)
        mkdir -p "$tmp/$mode-$r"
        v=$(run $mode "$bin/verify_cpu" "$VERIFY_N" "$tmp/$mode-$r/a.db" | per_cpu)
        # The encrypted archive really is: no plain SQLite header.
        if head -c 15 "$tmp/$mode-$r/a.db" | grep -q 'SQLite format 3'; then header=plain; else header=encrypted; fi
        [ "$header" = "$mode" ] || { echo "round $r: the $mode archive's file is $header"; exit 1; }
        rm -rf "${tmp:?}/$mode-$r"
        echo "round $r $mode: ingest $i msg per CPU-s, verify $v records per CPU-s"
        results+="ingest $mode $i"$'\n'"verify $mode $v"$'\n'
    done
done
median() { grep "^$1 $2 " <<<"$results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for what in ingest verify; do
    p=$(median $what plain)
    e=$(median $what encrypted)
    awk -v w=$what -v p="$p" -v e="$e" 'BEGIN { printf "%s: plain %d, encrypted %d per CPU-second (medians): encrypted costs %.1f%% more CPU per item\n", w, p, e, (p / e - 1) * 100 }'
done
echo "load after: $(uptime | sed 's/.*load average: //')"
