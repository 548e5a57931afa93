#!/usr/bin/env bash
# Encryption at rest: the archive's ingest and verify cost with and without a SQLCipher key,
# side by side (issue 17 item 5; target: encrypted at most 25 % slower). Runs the two
# examples of crates/wcp-archive (tamper evidence on, the bench's synthetic events) ROUNDS
# times each, plain and encrypted alternating so machine load hits both alike, and reports
# the medians per CPU-second (user+sys: less sensitive to other load than wall time).
# The encrypted verify includes the check of every page's HMAC (what a full `wcp archive
# verify` runs); verify_cpu also times that check alone, reported as its own line with the
# verify without it, and SQLCipher's PRAGMA cipher_integrity_check of the same pages.
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

per_cpu() { sed -n 's/^[0-9.]* [a-z]*: .* \([0-9]*\)\/s per CPU-second.*/\1/p' | tail -1; }
# verify_cpu's lines on the HMAC check of an encrypted archive: "<CPU-s> <verify without it>",
# and SQLCipher's check: "<CPU-s>".
integrity() { sed -n 's/^page HMAC check: \([0-9.]*\) CPU-s.* \([0-9]*\)\/s per CPU-second.*/\1 \2/p'; }
sqlcipher_check() { sed -n "s/^SQLCipher's cipher_integrity_check.*: \([0-9.]*\) CPU-s.*/\1/p"; }
ns_per() { awk -v c="$1" -v n="$VERIFY_N" 'BEGIN { printf "%d", c / n * 1e9 }'; }
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
        out=$(run $mode "$bin/verify_cpu" "$VERIFY_N" "$tmp/$mode-$r/a.db")
        v=$(per_cpu <<<"$out")
        # The encrypted archive really is: no plain SQLite header.
        if head -c 15 "$tmp/$mode-$r/a.db" | grep -q 'SQLite format 3'; then header=plain; else header=encrypted; fi
        [ "$header" = "$mode" ] || { echo "round $r: the $mode archive's file is $header"; exit 1; }
        rm -rf "${tmp:?}/$mode-$r"
        echo "round $r $mode: ingest $i msg per CPU-s, verify $v records per CPU-s"
        results+="ingest $mode $i"$'\n'"verify $mode $v"$'\n'
        if [ "$mode" = encrypted ]; then
            read -r icpu rest <<<"$(integrity <<<"$out")"
            scpu=$(sqlcipher_check <<<"$out")
            [ -n "$rest" ] && [ -n "$scpu" ] || { echo "round $r: verify_cpu did not time the page HMAC checks"; exit 1; }
            echo "round $r encrypted: page HMAC check $icpu CPU-s (SQLCipher's: $scpu); verify without it $rest records per CPU-s"
            results+="icheck encrypted $(ns_per "$icpu")"$'\n'"scheck encrypted $(ns_per "$scpu")"$'\n'
            results+="rest encrypted $rest"$'\n'
        fi
    done
done
median() { grep "^$1 $2 " <<<"$results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for what in ingest verify; do
    p=$(median $what plain)
    e=$(median $what encrypted)
    awk -v w=$what -v p="$p" -v e="$e" 'BEGIN { printf "%s: plain %d, encrypted %d per CPU-second (medians): encrypted costs %.1f%% more CPU per item\n", w, p, e, (p / e - 1) * 100 }'
done
# The full verify's two parts: the page HMAC check (ns per record) and the rest.
awk -v p="$(median verify plain)" -v e="$(median rest encrypted)" -v ns="$(median icheck encrypted)" -v sq="$(median scheck encrypted)" 'BEGIN {
    printf "verify without the page HMAC check: encrypted %d per CPU-second: %.1f%% more CPU per record than plain\n", e, (p / e - 1) * 100
    printf "page HMAC check (every page, full verify of an encrypted archive only): %.2f us CPU per record = %.1f%% of the plain verify'"'"'s CPU\n", ns / 1000, ns / 1e9 * p * 100
    printf "  (SQLCipher'"'"'s PRAGMA cipher_integrity_check of the same pages: %.2f us CPU per record = %.1f%%)\n", sq / 1000, sq / 1e9 * p * 100 }'
echo "load after: $(uptime | sed 's/.*load average: //')"
