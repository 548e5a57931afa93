#!/usr/bin/env bash
# Offline checks of the operations files (docs/OPERATIONS.md, "Checks"):
#   promtool check/test rules, promtool check config (compose Prometheus), kustomize build of
#   every overlay validated against Kubernetes + CRD schemas and wcp's manifest policy, the
#   generated PrometheusRule equal to the rule file, docker-compose.yml against the Compose
#   spec, and the Grafana dashboard's metrics against the exported ones.
# Installs what it needs, idempotently: Debian `prometheus` (promtool), a venv in
# .cache/ops-venv (kubernetes-validate, check-jsonschema, jsonschema, PyYAML) and kustomize in
# .cache/bin. Exits non-zero when any check fails; prints a summary either way.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="$ROOT/.cache"
VENV="$CACHE/ops-venv"
KUSTOMIZE_VERSION="v5.7.1"
PY_PACKAGES=(kubernetes-validate==1.37.0 check-jsonschema==0.39.0 jsonschema==4.26.0 PyYAML==6.0.3)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log() { printf '==> %s\n' "$*"; }
die() { printf 'ops-check: %s\n' "$*" >&2; exit 2; }

install_tools() {
    if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
        export PATH="$PATH:/usr/local/go/bin"
    fi
    if ! command -v promtool >/dev/null; then
        log "installing promtool (Debian package prometheus)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq prometheus >/dev/null 2>&1 \
            || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; } \
            || die "apt-get install prometheus failed"
    fi
    local stamp="$VENV/.installed-$(printf '%s ' "${PY_PACKAGES[@]}" | sha256sum | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        log "installing ${PY_PACKAGES[*]} into .cache/ops-venv"
        python3 -m venv "$VENV" || die "python3 -m venv failed"
        "$VENV/bin/pip" install -q --disable-pip-version-check "${PY_PACKAGES[@]}" || die "pip install failed"
        touch "$stamp"
    fi
    if [ ! -x "$CACHE/bin/kustomize" ] || ! "$CACHE/bin/kustomize" version | grep -q "$KUSTOMIZE_VERSION"; then
        log "installing kustomize $KUSTOMIZE_VERSION into .cache/bin"
        mkdir -p "$CACHE/bin"
        GOBIN="$CACHE/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" \
            || die "go install kustomize failed"
    fi
}

PASSED=()
FAILED=()
check() { # check NAME COMMAND...: run one check, record the outcome, keep going
    local name="$1"; shift
    log "$name"
    if "$@"; then PASSED+=("$name"); else FAILED+=("$name"); fi
}

py() { "$VENV/bin/python" "$@"; }

compose_prometheus_config() {
    # The compose file mounts the rules at /etc/prometheus/rules; point at the repo copy so
    # `check config` also loads and checks the rule files the config names.
    sed "s#/etc/prometheus/rules/#$ROOT/ops/prometheus/rules/#" ops/prometheus/prometheus.yml > "$WORK/prometheus.yml"
    promtool check config "$WORK/prometheus.yml"
}

overlay() { # overlay NAME: render and validate one kustomize overlay
    "$CACHE/bin/kustomize" build "k8s/overlays/$1" > "$WORK/$1.yaml" \
        && py tests/ops/validate_manifests.py "$WORK/$1.yaml" "overlay $1"
}

install_tools
# `--install`: only the tools (tests/e2e_deploy_boot.rs renders the deployments with them).
[ "${1:-}" = "--install" ] && exit 0
export PYTHONPATH="$ROOT/tests/ops"
check "promql name extractor self-test" py tests/ops/promql_names.py
check "promtool check rules" promtool check rules ops/prometheus/rules/wcp-alerts.yml
check "promtool test rules" bash -c 'cd ops/prometheus/tests && promtool test rules wcp-alerts.test.yml'
check "alert annotations, runbook links, metric names, test coverage" \
    py tests/ops/check_rules.py ops/prometheus/rules/wcp-alerts.yml ops/prometheus/tests/wcp-alerts.test.yml
check "promtool check config (compose Prometheus)" compose_prometheus_config
check "PrometheusRule generated from the rule file" py tests/ops/gen_prometheusrule.py --check
for name in k8s/overlays/*/; do
    name="$(basename "$name")"
    check "kustomize overlay $name: Kubernetes + CRD schemas + policy" overlay "$name"
done
check "the checks detect known breakages (selftest)" py tests/ops/selftest.py "$WORK/dev.yaml"
check "docker-compose.yml against the Compose spec" \
    "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
check "docker-compose.yml + Dockerfile wiring" py tests/ops/check_compose.py
check "Grafana dashboard queries only exported metrics" py tests/ops/check_dashboard.py
check "Kafka ACLs: k8s KafkaUsers = ops/kafka/acls.txt" py tests/ops/check_kafka_acls.py
check "Kafka ACL check detects a changed row (selftest)" py tests/ops/check_kafka_acls.py --selftest

echo
echo "ops-check summary:"
for name in "${PASSED[@]}"; do echo "  ok   $name"; done
for name in "${FAILED[@]}"; do echo "  FAIL $name"; done
echo "ops-check: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[ "${#FAILED[@]}" -eq 0 ]
