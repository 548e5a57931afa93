#!/usr/bin/env bash
# The full test suite, end-to-end tests included: starts a real Kafka broker (unless
# KAFKA_BOOTSTRAP already names one), builds every binary (the e2e tests run the services as
# separate processes), runs `cargo test --workspace`, and stops the broker it started on exit.
#
#   scripts/test.sh                 everything
#   scripts/test.sh -p wcp e2e_     extra arguments go to `cargo test`
#
# The end-to-end tests run the release binaries (WCP_E2E_BIN_DIR=target/release): the
# exactly-once test pushes 100,000 events through seven services, which debug builds make
# several times slower. Set WCP_E2E_DEBUG=1 to run them against the debug binaries instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

plain_started=0
secure_started=0
stop_brokers() { # only the brokers this script started
    if [[ "$plain_started" == 1 ]]; then scripts/kafka.sh stop; fi
    if [[ "$secure_started" == 1 ]]; then scripts/kafka.sh secure stop; fi
}
trap stop_brokers EXIT

# The shared test broker holds every test's topics, groups and transactional ids (hundreds of
# partitions by the end of the suite); at kafka.sh's 512 MB default it froze for 10-17 s twice in
# local runs late in the suite (every client's session timed out; a suspected GC stall).
export KAFKA_HEAP="${KAFKA_HEAP:-1536m}"

if [[ -z "${KAFKA_BOOTSTRAP:-}" ]]; then
    scripts/kafka.sh status >/dev/null 2>&1 || plain_started=1
    KAFKA_BOOTSTRAP="$(scripts/kafka.sh start)"
fi
export KAFKA_BOOTSTRAP
echo "test.sh: Kafka at $KAFKA_BOOTSTRAP" >&2

# The SASL_SSL broker with ACLs (scripts/kafka.sh secure) for tests/e2e_kafka_security.rs,
# unless KAFKA_SECURE_BOOTSTRAP already names one; WCP_TEST_SECURE_KAFKA=0 skips it.
if [[ -z "${KAFKA_SECURE_BOOTSTRAP:-}" && "${WCP_TEST_SECURE_KAFKA:-1}" != 0 ]]; then
    scripts/kafka.sh secure status >/dev/null 2>&1 || secure_started=1
    KAFKA_SECURE_BOOTSTRAP="$(scripts/kafka.sh secure start)"
    KAFKA_SECURE_DIR="$(scripts/kafka.sh secure dir)"
    export KAFKA_SECURE_BOOTSTRAP KAFKA_SECURE_DIR
    echo "test.sh: SASL_SSL Kafka at $KAFKA_SECURE_BOOTSTRAP" >&2
fi

# moto's S3 server for the capture's S3 media store tests (services/capture/src/s3_tests.rs),
# in .cache/moto-venv, installed when missing (those tests fail without it, they do not skip).
MOTO_VENV="$ROOT/.cache/moto-venv"
MOTO_PACKAGE="moto[server]==5.2.6"
if [[ -z "${WCP_MOTO_SERVER:-}" && ! -f "$MOTO_VENV/.installed-$(printf '%s' "$MOTO_PACKAGE" | sha256sum | cut -c1-16)" ]]; then
    echo "test.sh: installing $MOTO_PACKAGE into .cache/moto-venv" >&2
    python3 -m venv "$MOTO_VENV"
    "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "$MOTO_PACKAGE"
    touch "$MOTO_VENV/.installed-$(printf '%s' "$MOTO_PACKAGE" | sha256sum | cut -c1-16)"
fi

if [[ "${WCP_E2E_DEBUG:-0}" == 1 ]]; then
    cargo build --workspace --bins
    cargo build -p wecom-sdk-standin # the capture tests' stand-in SDK library (a cdylib)
    export WCP_E2E_BIN_DIR="$ROOT/target/debug"
else
    cargo build --release --workspace --bins
    cargo build --release -p wecom-sdk-standin # the capture tests' stand-in SDK library (a cdylib)
    export WCP_E2E_BIN_DIR="$ROOT/target/release"
fi

if [[ $# -gt 0 ]]; then
    cargo test "$@"
else
    cargo test --workspace
fi
