"""The checks can fail: each known breakage, applied to a copy of a good input, must be reported.

A checker that silently accepts everything would keep CI green while the manifests rot; this
applies one mutation at a time to the rendered overlay, the dashboard and the rule files, and
fails if any mutation goes unnoticed.
Usage: selftest.py RENDERED_OVERLAY.yaml
"""
import contextlib
import copy
import io
import json
import pathlib
import sys
import tempfile

import yaml

import check_dashboard
import check_rules
import validate_manifests
from policy import check_policy
from promql_names import ROOT


def first(docs, kind):
    return next(d for d in docs if d["kind"] == kind)


def container(docs, kind="Deployment"):
    return first(docs, kind)["spec"]["template"]["spec"]["containers"][0]


MANIFEST_MUTATIONS = {
    "unknown Deployment field": lambda d: first(d, "Deployment")["spec"].update(replicaz=1),
    "no readiness probe": lambda d: container(d).pop("readinessProbe"),
    "root filesystem writable": lambda d: container(d)["securityContext"].update(readOnlyRootFilesystem=False),
    "grace period under the shutdown deadline": lambda d: first(d, "StatefulSet")["spec"]["template"]["spec"].update(terminationGracePeriodSeconds=5),
    "unknown key in a ConfigMap's config.toml": lambda d: first(d, "ConfigMap")["data"].update({"config.toml": "kafka_bootstrapp = \"x\"\n"}),
    "bad ACL pattern type": lambda d: first(d, "KafkaUser")["spec"]["authorization"]["acls"][0]["resource"].update(patternType="glob"),
    "replicas on a KEDA-scaled Deployment": lambda d: next(x for x in d if x["kind"] == "Deployment" and x["metadata"]["name"] != "wcp-ingest")["spec"].update(replicas=3),
    "mount inside a read-only mount": lambda d: container(d, "StatefulSet")["volumeMounts"].append({"name": "x", "mountPath": "/etc/wcp/x"}),
    "KEDA above the partitions": lambda d: first(d, "ScaledObject")["spec"].update(maxReplicaCount=999),
    "bad ServiceMonitor interval": lambda d: first(d, "ServiceMonitor")["spec"]["endpoints"][0].update(interval="15 seconds"),
    "PrometheusRule drifted from the rule file": lambda d: first(d, "PrometheusRule")["spec"]["groups"][0]["rules"][0].update(expr="vector(1)"),
    "review console without a region its archiver writes": lambda d: next(
        e for e in first(d, "StatefulSet")["spec"]["template"]["spec"]["containers"][1]["env"]
        if e["name"] == "WCP_REGIONS").update(value="cn=/var/lib/wcp/archive-cn.db"),
    "no default-deny policy": lambda d: d.remove(next(x for x in d if x["kind"] == "NetworkPolicy" and not x["spec"]["podSelector"])),
}


def manifest_misses(rendered: pathlib.Path) -> list[str]:
    good = [d for d in yaml.safe_load_all(rendered.read_text(encoding="utf-8")) if d]
    if validate_manifests.validate(good) + check_policy(good):
        return ["the unmodified overlay already has problems"]
    misses = []
    for name, mutate in MANIFEST_MUTATIONS.items():
        docs = copy.deepcopy(good)
        mutate(docs)
        if not validate_manifests.validate(docs) + check_policy(docs):
            misses.append(f"manifests: {name}")
    return misses


def dashboard_misses(tmp: pathlib.Path) -> list[str]:
    dash = json.loads(check_dashboard.DASHBOARDS[0].read_text(encoding="utf-8"))
    dash["panels"][1]["targets"][0]["expr"] = "rate(wcp_made_up_total[5m])"
    path = tmp / "dash.json"
    path.write_text(json.dumps(dash), encoding="utf-8")
    problems, _, _ = check_dashboard.check(path, strict=True)
    return [] if problems else ["dashboard: unknown metric"]


def rules_misses(tmp: pathlib.Path) -> list[str]:
    rules_dir = ROOT / "ops" / "prometheus"
    rules = yaml.safe_load((rules_dir / "rules" / "wcp-alerts.yml").read_text(encoding="utf-8"))
    rules["groups"][0]["rules"][0]["annotations"].pop("runbook_url")
    (tmp / "rules.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    tests = yaml.safe_load((rules_dir / "tests" / "wcp-alerts.test.yml").read_text(encoding="utf-8"))
    tests["tests"] = tests["tests"][1:]  # drops the only tests of WcpConsumerLagHigh
    (tmp / "tests.yml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        out = check_rules.main(str(tmp / "rules.yml"), str(tmp / "tests.yml"))
    return [] if out else ["rules: missing runbook_url and untested alert"]


def main(rendered: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        misses = manifest_misses(pathlib.Path(rendered)) + dashboard_misses(pathlib.Path(tmp)) \
            + rules_misses(pathlib.Path(tmp))
    total = len(MANIFEST_MUTATIONS) + 2
    for miss in misses:
        print(f"  FAIL not detected: {miss}")
    print(f"selftest: {total - len(misses)} passed, {len(misses)} failed")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
