"""Metric names: what PromQL expressions query and what wcp exports.

Layout: `queried_metrics(expr)` pulls metric names out of one PromQL expression (or a Grafana
target with `$variables`); `documented_metrics()` reads the contract table in docs/METRICS.md;
`source_metrics()` finds the metric-name string literals registered in the Rust sources under
crates/ and services/ (empty while no service registers any).
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Series Prometheus creates itself; rules may use them next to the wcp vocabulary.
PROMETHEUS_BUILTIN = {"up"}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_VARIABLE = re.compile(r"\$\{?\w+\}?")
_IDENT = re.compile(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()")
_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
             "group_right", "bool", "offset", "inf", "nan", "atan2"}
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def queried_metrics(expr: str) -> set[str]:
    """Metric names an expression selects (histogram series folded to their base name)."""
    text = _VARIABLE.sub(" ", expr)
    text = _STRING.sub(" ", text)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = re.sub(r"\b\d+(\.\d+)?([eE][+-]?\d+)?\b", " ", text)
    names = set()
    for name in _IDENT.findall(text):
        if name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def base_name(name: str, histograms: set[str]) -> str:
    """Fold `x_bucket`/`x_sum`/`x_count` to `x` when `x` is a known histogram."""
    for suffix in _HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in histograms:
            return name[: -len(suffix)]
    return name


def documented_metrics() -> dict[str, str]:
    """name -> type from the table in docs/METRICS.md."""
    rows = {}
    for line in (ROOT / "docs" / "METRICS.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`(wcp|process)_[a-z0-9_]+`", cells[0]):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def external_metrics() -> set[str]:
    """Metrics of other exporters the rules use (Strimzi's Kafka Exporter), from their own
    table in docs/METRICS.md: rules may query them, wcp does not export them."""
    found = set()
    for line in (ROOT / "docs" / "METRICS.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`kafka_[a-z0-9_]+`", cells[0]):
            found.add(cells[0].strip("`"))
    return found


def source_metrics() -> set[str]:
    """`"wcp_..."` string literals in the Rust sources that look like metric names."""
    found = set()
    for top in ("crates", "services", "src"):
        for path in (ROOT / top).rglob("*.rs") if (ROOT / top).is_dir() else []:
            if "target" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(re.findall(r'"((?:wcp|process)_[a-z0-9_]+)"', text))
    documented = documented_metrics()
    # Keep literals that name metrics: documented ones or ones with a Prometheus unit suffix.
    suffix = re.compile(r"_(total|seconds|bytes|messages|info|ratio|timestamp_seconds)$")
    return {n for n in found if n in documented or suffix.search(n) or n == "wcp_ready"}


def report(label: str, checked: str, problems: list[str]) -> int:
    """Print the problems and a one-line verdict; the exit code of a check."""
    for problem in problems:
        print(f"  FAIL {problem}")
    print(f"{label}: {checked} checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def histograms(documented: dict[str, str]) -> set[str]:
    return {n for n, kind in documented.items() if kind == "histogram"}


if __name__ == "__main__":  # self-test of the extractor, run by scripts/ops-check.sh
    cases = {
        'histogram_quantile(0.99, sum by (le) (rate(wcp_end_to_end_latency_seconds_bucket{job=~"$job"}[$__rate_interval])))':
            {"wcp_end_to_end_latency_seconds_bucket"},
        'max by (job) (wcp_consumer_lag_seconds) > 300 and on (job) sum by (job) (wcp_consumer_lag_messages) > 0':
            {"wcp_consumer_lag_seconds", "wcp_consumer_lag_messages"},
        'up{job=~"wcp-.*"} == 0': {"up"},
        'time() - max(x_timestamp_seconds offset 5m) > 1e3': {"x_timestamp_seconds"},
        'sum(rate(foo_total{a="b,c}"}[5m])) / ignoring(x) bar': {"foo_total", "bar"},
    }
    for expr, want in cases.items():
        got = queried_metrics(expr)
        assert got == want, f"{expr!r}: got {got}, want {want}"
    print(f"promql_names self-test: {len(cases)} passed, 0 failed")
