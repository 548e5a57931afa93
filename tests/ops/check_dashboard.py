"""The Grafana dashboard parses, is laid out without overlaps, shows what the issue asks for, and
queries only metrics wcp exports.

"Exported" = listed in docs/METRICS.md (the contract) and, once the Rust sources register
metrics (string literals under crates/, services/, src/), registered there too. A queried name
missing from the sources fails (WCP_OPS_STRICT_METRICS=0 turns that into a note while a
service that registers it is being written).
"""
import json
import os
import pathlib
import re
import sys

from promql_names import PROMETHEUS_BUILTIN, ROOT, base_name, documented_metrics, histograms, queried_metrics, source_metrics

DASHBOARDS = sorted((ROOT / "ops" / "grafana" / "dashboards").glob("*.json"))
# What operators must see on the main dashboard (issue 7): one metric per concern.
REQUIRED = {
    "throughput per stage": "wcp_received_events_total",
    "end-to-end latency": "wcp_end_to_end_latency_seconds",
    "lag": "wcp_consumer_lag_seconds",
    "dead letters": "wcp_dead_letters_total",
    "alerts by category": "wcp_compliance_alerts_total",
    "archive size": "wcp_archive_size_bytes",
    # issue 19: the capture from WeCom (progress, key problems, SDK crashes)
    "capture progress": "wcp_capture_messages_total",
    "capture decrypt failures": "wcp_capture_decrypt_failures_total",
    "capture child restarts": "wcp_capture_child_restarts_total",
}


def walk_panels(panels):
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels", []))


def overlaps(panels) -> list[str]:
    cells, problems = {}, []
    for p in panels:
        g = p["gridPos"]
        for cx in range(g["x"], g["x"] + g["w"]):
            for cy in range(g["y"], g["y"] + g["h"]):
                if (cx, cy) in cells:
                    problems.append(f"panel {p['title']!r} overlaps {cells[(cx, cy)]!r}")
                    break
                cells[(cx, cy)] = p["title"]
            else:
                continue
            break
        if g["x"] + g["w"] > 24:
            problems.append(f"panel {p['title']!r} is wider than the grid")
    return problems


def check(path: pathlib.Path, strict: bool) -> tuple[list[str], list[str], set[str]]:
    dash = json.loads(path.read_text(encoding="utf-8"))
    problems, notes, queried = [], [], set()
    if not dash.get("uid") or not dash.get("title"):
        problems.append("dashboard needs a uid and a title")
    documented = documented_metrics()
    hist = histograms(documented)
    panels = list(walk_panels(dash.get("panels", [])))
    problems += overlaps(panels)
    for panel in panels:
        if panel.get("type") == "row":
            continue
        if not panel.get("targets"):
            problems.append(f"panel {panel.get('title')!r} has no query")
        for target in panel.get("targets", []):
            queried |= {base_name(m, hist) for m in queried_metrics(target.get("expr", ""))}
    for var in dash.get("templating", {}).get("list", []):
        query = var.get("query")
        text = query.get("query", "") if isinstance(query, dict) else str(query or "")
        if var.get("type") == "query":
            # label_values(METRIC_SELECTOR, LABEL): only the first argument selects series.
            match = re.match(r"\s*label_values\((.*),\s*\w+\s*\)\s*$", text)
            expr = match.group(1) if match else text
            queried |= {base_name(m, hist) for m in queried_metrics(expr)}
    for name in sorted(queried - set(documented) - PROMETHEUS_BUILTIN):
        problems.append(f"queries {name}, which docs/METRICS.md does not list")
    for concern, metric in REQUIRED.items():
        if metric not in queried:
            problems.append(f"no panel for {concern} ({metric})")
    registered = source_metrics()
    if registered:
        missing = sorted(queried - registered - PROMETHEUS_BUILTIN)
        for name in missing:
            (problems if strict else notes).append(f"queries {name}, not registered in the Rust sources")
    else:
        notes.append("no metric registered in the Rust sources yet: compared with docs/METRICS.md only")
    return problems, notes, queried


def main() -> int:
    strict = os.environ.get("WCP_OPS_STRICT_METRICS", "1") != "0"
    if not DASHBOARDS:
        print("  FAIL no dashboard in ops/grafana/dashboards")
        return 1
    failed = 0
    for path in DASHBOARDS:
        problems, notes, queried = check(path, strict)
        for note in notes:
            print(f"  note {path.name}: {note}")
        for problem in problems:
            print(f"  FAIL {path.name}: {problem}")
        print(f"{path.name}: {len(queried)} metrics queried, {len(problems)} problem(s)")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
