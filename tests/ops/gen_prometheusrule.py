"""Generate k8s/base/monitoring/prometheusrule.yaml from ops/prometheus/rules/wcp-alerts.yml.

The compose Prometheus and the Prometheus Operator must page on the same rules, so the
PrometheusRule is never edited by hand. `--check` exits 1 when the committed file is stale.
"""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "ops" / "prometheus" / "rules" / "wcp-alerts.yml"
TARGET = ROOT / "k8s" / "base" / "monitoring" / "prometheusrule.yaml"
HEADER = (
    "# GENERATED from ops/prometheus/rules/wcp-alerts.yml by tests/ops/gen_prometheusrule.py.\n"
    "# Do not edit: change the source file and run `python3 tests/ops/gen_prometheusrule.py`.\n"
)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render() -> str:
    groups = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["groups"]
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "wcp-alerts", "labels": {"app.kubernetes.io/part-of": "wcp"}},
        "spec": {"groups": groups},
    }
    return HEADER + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=1000, allow_unicode=True)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"  FAIL {TARGET.relative_to(ROOT)} is stale: run python3 tests/ops/gen_prometheusrule.py")
            return 1
        print("prometheusrule: generated file matches the rule source")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
