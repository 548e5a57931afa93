"""Checks on the alert rules beyond `promtool check rules`.

Every alert: severity label, summary + description + runbook_url annotations, a runbook_url whose
anchor is a heading of docs/RUNBOOK.md, only metric names from docs/METRICS.md (plus `up`), and
at least one firing and one silent case in the promtool unit tests.
Usage: check_rules.py RULES_FILE TEST_FILE
"""
import pathlib
import re
import sys

import yaml

from promql_names import (PROMETHEUS_BUILTIN, ROOT, base_name, documented_metrics, external_metrics,
                          histograms,
                          queried_metrics, report)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def runbook_anchors() -> set[str]:
    text = (ROOT / "docs" / "RUNBOOK.md").read_text(encoding="utf-8")
    return {github_anchor(m) for m in re.findall(r"^#{1,6}\s+(.+)$", text, flags=re.M)}


def main(rules_path: str, tests_path: str) -> int:
    rules = yaml.safe_load(pathlib.Path(rules_path).read_text(encoding="utf-8"))
    tests = yaml.safe_load(pathlib.Path(tests_path).read_text(encoding="utf-8"))
    documented = documented_metrics()
    known = set(documented) | PROMETHEUS_BUILTIN | external_metrics()
    hist = histograms(documented)
    anchors = runbook_anchors()
    firing, silent = set(), set()
    for case in tests.get("tests", []):
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else silent).add(check["alertname"])

    problems = []
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    for rule in alerts:
        name = rule["alert"]
        if rule.get("labels", {}).get("severity") not in {"critical", "warning", "info"}:
            problems.append(f"{name}: severity label must be critical, warning or info")
        notes = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not notes.get(key):
                problems.append(f"{name}: missing annotation {key}")
        url = notes.get("runbook_url", "")
        if not url.startswith("docs/RUNBOOK.md#") or url.split("#", 1)[1] not in anchors:
            problems.append(f"{name}: runbook_url {url!r} is not a heading of docs/RUNBOOK.md")
        for metric in sorted(queried_metrics(rule["expr"])):
            if base_name(metric, hist) not in known:
                problems.append(f"{name}: queries {metric}, which docs/METRICS.md does not list")
        if name not in firing:
            problems.append(f"{name}: no promtool test where it fires")
        if name not in silent:
            problems.append(f"{name}: no promtool test where it stays silent")
    return report("rules", f"{len(alerts)} alerts", problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
