"""The Strimzi KafkaUser ACLs in k8s/ are exactly the rows of ops/kafka/acls.txt.

The table is the one source: scripts/kafka.sh grants it on the SASL_SSL test broker, where
tests/e2e_kafka_security.rs runs the pipeline. Each service's KafkaUser (k8s/base/services/*,
named wcp + the kustomization's nameSuffix; the archiver's in k8s/base/archiver/template) must
hold the same (resource, name, pattern, operation) set as its principal's rows, and every
principal of the table must have a KafkaUser. A region overlay may narrow the archiver's group
(wcp-archiver-cn under the prefix wcp-archiver); that is checked too.

The table must also grant Read on every topic a service reads back at start-up to rebuild
its state (READ_BACK; trial 17a D2: ingest and the alerter restarted empty without it), and
no Read to the lag exporter, whose principal only measures offsets (trial 17a D3).

`--selftest`: a table with one row removed and one operation added must fail, and so must a
table without Read on a read-back topic, or with Read for the lag exporter.
"""
import sys

import yaml

from promql_names import ROOT, report

TABLE = ROOT / "ops" / "kafka" / "acls.txt"
PATTERNS = {"literal": "literal", "prefix": "prefix"}

# The topics each principal reads back outside its consumer group (wcp_runtime::reader):
# ingest's re-sent window, the alerter's recall state and its replay, the consent-gate's
# ledger, the capture's cursor and `wcp-capture recover`'s scan, the archiver's dead letters
# and the review feed of alerts (the archiver's user).
READ_BACK = {
    "wcp-ingest": ["chat.events"],
    "wcp-alerter": ["chat.alerts", "chat.tagged"],
    "wcp-consent-gate": ["consent.ledger"],
    "wcp-capture": ["capture.cursor", "wecom.raw", "chat.dlq"],
    "wcp-archiver": ["chat.dlq", "chat.alerts"],
}
# Principals that must read no record at all.
NO_READ = ["wcp-lag-exporter"]


def read_problems(table: dict[str, set[tuple]]) -> list[str]:
    problems = []
    for principal, topics in READ_BACK.items():
        for t in topics:
            if ("topic", t, "literal", "Read") not in table.get(principal, set()):
                problems.append(f"{TABLE.name}: {principal} reads {t} back at start-up but has no Read on it")
    for principal in NO_READ:
        for a in sorted(table.get(principal, set())):
            if a[0] == "topic" and a[3] == "Read":
                problems.append(f"{TABLE.name}: {principal} may Read topic {a[1]}: it needs Describe only")
    return problems


def table_rows(text: str) -> dict[str, set[tuple]]:
    rows: dict[str, set[tuple]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        f = line.split()
        if len(f) != 5:
            raise SystemExit(f"{TABLE}:{n}: expected 5 columns, found {len(f)}")
        principal, rtype, name, pattern, ops = f
        if rtype == "cluster":
            name, pattern = "kafka-cluster", "literal"
        for op in ops.split(","):
            rows.setdefault(principal, set()).add((rtype, name, pattern, op))
    return rows


def user_acls(doc: dict) -> set[tuple]:
    out = set()
    for acl in doc.get("spec", {}).get("authorization", {}).get("acls", []) or []:
        r = acl["resource"]
        rtype = r["type"]
        name = r.get("name", "kafka-cluster") if rtype != "cluster" else "kafka-cluster"
        pattern = r.get("patternType", "literal") if rtype != "cluster" else "literal"
        for op in acl["operations"]:
            out.add((rtype, name, pattern, op))
    return out


def kafka_users() -> dict[str, tuple[str, set[tuple]]]:
    """Principal -> (file, ACLs) of every KafkaUser in the service bases and the archiver."""
    users = {}
    for patches in sorted((ROOT / "k8s" / "base" / "services").glob("*/patches.yaml")):
        kust = yaml.safe_load((patches.parent / "kustomization.yaml").read_text(encoding="utf-8"))
        suffix = kust.get("nameSuffix", "")
        for doc in yaml.safe_load_all(patches.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "KafkaUser":
                users[doc["metadata"]["name"] + suffix] = (str(patches.relative_to(ROOT)), user_acls(doc))
    archiver = ROOT / "k8s" / "base" / "archiver" / "template" / "kafkauser.yaml"
    for doc in yaml.safe_load_all(archiver.read_text(encoding="utf-8")):
        if doc and doc.get("kind") == "KafkaUser":
            users[doc["metadata"]["name"]] = (str(archiver.relative_to(ROOT)), user_acls(doc))
    return users


def region_problems(archiver_acls: set[tuple]) -> list[str]:
    """The region overlays replace the archiver's group ACL by wcp-archiver-<region>."""
    problems = []
    groups = [a for a in archiver_acls if a[0] == "group" and a[1] == "wcp-archiver"]
    for region in ("cn", "sg"):
        kust = ROOT / "k8s" / "base" / "archiver" / region / "kustomization.yaml"
        text = kust.read_text(encoding="utf-8")
        if f"value: wcp-archiver-{region}" not in text or not groups:
            problems.append(f"{kust.relative_to(ROOT)}: the archiver's group ACL is not narrowed to wcp-archiver-{region}")
    return problems


def problems_for(table: dict[str, set[tuple]], users: dict[str, tuple[str, set[tuple]]]) -> list[str]:
    problems = []
    for principal in sorted(set(table) | set(users)):
        if principal not in users:
            problems.append(f"{principal}: in ops/kafka/acls.txt but no KafkaUser in k8s/base")
            continue
        where, acls = users[principal]
        if principal not in table:
            problems.append(f"{where}: KafkaUser {principal} has no rows in ops/kafka/acls.txt")
            continue
        for a in sorted(table[principal] - acls):
            problems.append(f"{where}: KafkaUser {principal} lacks {a[3]} on {a[0]} {a[1]} ({a[2]}) of the table")
        for a in sorted(acls - table[principal]):
            problems.append(f"{where}: KafkaUser {principal} grants {a[3]} on {a[0]} {a[1]} ({a[2]}), not in the table")
    return problems


def main() -> int:
    table = table_rows(TABLE.read_text(encoding="utf-8"))
    users = kafka_users()
    if "--selftest" in sys.argv:
        broken = {p: set(rows) for p, rows in table.items()}
        broken["wcp-classifier"].discard(("topic", "chat.events", "literal", "Read"))
        broken["wcp-alerter"].add(("topic", "chat.tagged", "literal", "Write"))
        found = problems_for(broken, users)
        ok = len(found) == 2
        print(f"kafka ACL check selftest: {'detects' if ok else 'MISSES'} a removed and an added row ({found})")
        reads = {p: set(rows) for p, rows in table.items()}
        reads["wcp-ingest"].discard(("topic", "chat.events", "literal", "Read"))
        reads["wcp-lag-exporter"].add(("topic", "*", "literal", "Read"))
        found = read_problems(reads)
        ok_reads = len(found) == 2 and not read_problems(table)
        print(f"kafka ACL check selftest: {'detects' if ok_reads else 'MISSES'} a missing read-back Read and a lag-exporter Read ({found})")
        return 0 if ok and ok_reads else 1
    problems = problems_for(table, users)
    problems += read_problems(table)
    problems += region_problems(users.get("wcp-archiver", ("", set()))[1])
    n = sum(len(r) for r in table.values())
    return report("kafka ACLs: ops/kafka/acls.txt = KafkaUser ACLs", f"{len(table)} principals, {n} grants", problems)


if __name__ == "__main__":
    sys.exit(main())
