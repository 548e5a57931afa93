"""What wcp promises operators about its rendered manifests, beyond schema validity.

Each check returns human-readable problems; an empty list means the manifests keep the promise.
"""
import pathlib
import tomllib

import yaml

from regions import console_problems, pipeline_regions
from service_config import config_problems, deployed_services

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "ops" / "prometheus" / "rules" / "wcp-alerts.yml"
DEFAULT_SHUTDOWN_DEADLINE_MS = 20_000


def _by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def _pod_problems(workload: dict, config_maps: dict) -> list[str]:
    ident = f"{workload['kind']}/{workload['metadata']['name']}"
    pod = workload["spec"]["template"]["spec"]
    problems = []
    psc = pod.get("securityContext", {})
    if not psc.get("runAsNonRoot") or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{ident}: pod must set runAsNonRoot and seccompProfile RuntimeDefault")
    deadline_ms = DEFAULT_SHUTDOWN_DEADLINE_MS
    for volume in pod.get("volumes", []):
        name = volume.get("configMap", {}).get("name")
        if name in config_maps and "config.toml" in config_maps[name]:
            deadline_ms = tomllib.loads(config_maps[name]["config.toml"]).get("shutdown_deadline_ms", deadline_ms)
    if pod.get("terminationGracePeriodSeconds", 30) * 1000 <= deadline_ms:
        problems.append(f"{ident}: terminationGracePeriodSeconds must exceed shutdown_deadline_ms ({deadline_ms})")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False or not sc.get("readOnlyRootFilesystem") \
                or sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{ident}/{c['name']}: needs allowPrivilegeEscalation=false, readOnlyRootFilesystem, drop ALL")
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append(f"{ident}/{c['name']}: liveness probe must GET /healthz")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            problems.append(f"{ident}/{c['name']}: readiness probe must GET /readyz")
        mounts = c.get("volumeMounts", [])
        for outer in mounts:
            for inner in mounts:
                if outer.get("readOnly") and inner["mountPath"].startswith(outer["mountPath"].rstrip("/") + "/"):
                    problems.append(f"{ident}/{c['name']}: {inner['mountPath']} is inside the read-only mount {outer['mountPath']}")
        res = c.get("resources", {})
        if not {"cpu", "memory"} <= set(res.get("requests", {})) or "memory" not in res.get("limits", {}):
            problems.append(f"{ident}/{c['name']}: needs cpu+memory requests and a memory limit")
    return problems


def _input_topics(user: dict) -> set[str]:
    return {a["resource"]["name"] for a in user["spec"]["authorization"]["acls"]
            if a["resource"]["type"] == "topic" and "Read" in a.get("operations", [a.get("operation")])}


PROMETHEUS_POD = {"app.kubernetes.io/name": "prometheus"}


def _metrics_reachable(workloads: list[dict], policies: list[dict]) -> list[str]:
    """Every ops port (a container port named `ops` or `*-ops`) is open to Prometheus's pods by
    a NetworkPolicy selecting the workload's pods. A trial found the review console's rule
    rewritten by the region's `labels` (includeSelectors) into the archiver's own labels:
    rendered, it no longer let Prometheus in, and the SLA alert could never fire."""
    problems = []
    for w in workloads:
        labels = w["spec"]["template"]["metadata"].get("labels", {})
        for c in w["spec"]["template"]["spec"]["containers"]:
            for port in c.get("ports", []):
                name = port.get("name", "")
                if name != "ops" and not name.endswith("-ops"):
                    continue
                ok = any(
                    set(p["spec"]["podSelector"].get("matchLabels", {}).items()) <= set(labels.items())
                    and any(
                        any(r.get("port") == port["containerPort"] for r in rule.get("ports", []))
                        and any(f.get("podSelector", {}).get("matchLabels") == PROMETHEUS_POD
                                for f in rule.get("from", []))
                        for rule in p["spec"].get("ingress", [])
                    )
                    for p in policies
                )
                if not ok:
                    problems.append(
                        f"{w['kind']}/{w['metadata']['name']}/{c['name']}: no NetworkPolicy lets "
                        f"Prometheus ({PROMETHEUS_POD}) reach ops port {port['containerPort']}"
                    )
    return problems


def _region_problems(workloads: list[dict]) -> list[str]:
    """An archiver pod's console shows, and its keys encrypt, every region it writes."""
    problems = []
    for w in workloads:
        containers = w["spec"]["template"]["spec"]["containers"]

        def env_of(binary):
            for c in containers:
                if any(str(a).endswith(binary) for a in c.get("command", []) + c.get("args", [])):
                    return {e["name"]: e.get("value", "<ref>") for e in c.get("env", [])}
            return None
        archiver = env_of("wcp-archiver")
        if archiver is not None:
            ident = f"{w['kind']}/{w['metadata']['name']}"
            problems += console_problems(ident, archiver, env_of("wcp-review"), pipeline_regions())
    return problems


def check_policy(docs: list[dict]) -> list[str]:
    problems = []
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in _by_kind(docs, "ConfigMap")}
    for name, data in config_maps.items():
        for key, text in data.items():
            if key.endswith(".toml"):
                problems += config_problems(text, f"ConfigMap/{name}/{key}")
    workloads = _by_kind(docs, "Deployment") + _by_kind(docs, "StatefulSet")
    for workload in workloads:
        problems += _pod_problems(workload, config_maps)
        name = workload["metadata"]["name"]
        if not any(p["metadata"]["name"] == name for p in _by_kind(docs, "PodDisruptionBudget")):
            problems.append(f"{workload['kind']}/{name}: no PodDisruptionBudget")
    problems += _region_problems(workloads)
    partitions = {t["spec"].get("topicName", t["metadata"]["name"]): t["spec"]["partitions"]
                  for t in _by_kind(docs, "KafkaTopic")}
    if partitions.get("wecom.raw") != 1:
        problems.append("KafkaTopic wecom.raw must have 1 partition: the ingest finds seq gaps in one ordered stream")
    users = {u["metadata"]["name"]: u for u in _by_kind(docs, "KafkaUser")}
    for so in _by_kind(docs, "ScaledObject"):
        target = so["spec"]["scaleTargetRef"]["name"]
        scaled = [w for w in workloads if w["metadata"]["name"] == target]
        if not scaled:
            problems.append(f"ScaledObject/{target}: no workload of that name")
        elif "replicas" in scaled[0]["spec"]:
            problems.append(f"{scaled[0]['kind']}/{target}: sets replicas although KEDA scales it (apply would reset the count)")
        if target not in users:
            problems.append(f"ScaledObject/{target}: no KafkaUser of the same name to read its input topics from")
            continue
        limit = min(partitions.get(t, 0) for t in _input_topics(users[target]))
        if so["spec"].get("maxReplicaCount", 100) > limit:
            problems.append(f"ScaledObject/{target}: maxReplicaCount {so['spec'].get('maxReplicaCount')} > {limit} input partitions")
    commands = {c.get("command", [""])[0] for w in workloads for c in w["spec"]["template"]["spec"]["containers"]}
    for name in deployed_services():
        if f"/usr/local/bin/wcp-{name}" not in commands:
            problems.append(f"no workload runs wcp-{name}")
    if not _by_kind(docs, "StatefulSet"):
        problems.append("no archiver StatefulSet: the overlay must include base/archiver/<region>")
    for workload in workloads:
        for c in workload["spec"]["template"]["spec"]["containers"]:
            if ":" not in c["image"].rsplit("/", 1)[-1] and "@" not in c["image"]:
                problems.append(f"{workload['kind']}/{workload['metadata']['name']}: image {c['image']!r} has no tag (set `images:` in the overlay)")
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    if len(namespaces) != 1:
        problems.append(f"objects spread over namespaces {sorted(map(str, namespaces))}")
    if not any(not n["spec"]["podSelector"] and set(n["spec"]["policyTypes"]) == {"Ingress", "Egress"}
               for n in _by_kind(docs, "NetworkPolicy")):
        problems.append("no default-deny NetworkPolicy (empty podSelector, Ingress+Egress)")
    problems += _metrics_reachable(workloads, _by_kind(docs, "NetworkPolicy"))
    source = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    rules = _by_kind(docs, "PrometheusRule")
    if len(rules) != 1 or rules[0]["spec"]["groups"] != source:
        problems.append("PrometheusRule groups differ from ops/prometheus/rules/wcp-alerts.yml")
    return problems
