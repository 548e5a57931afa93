"""Validate a `kustomize build` output offline.

Core kinds go through kubernetes-validate (bundled Kubernetes schemas, --strict: unknown fields
fail) for every Kubernetes version in K8S_VERSIONS; custom resources (Strimzi, KEDA, Prometheus
Operator) through the JSON Schemas in ops/schemas/. A kind covered by neither fails. Then the
policy wcp promises operators: probes, restricted security context, resources, a grace period
above the shutdown deadline, KEDA never above the input partitions, and a PrometheusRule equal to
the compose rule file.
Usage: validate_manifests.py RENDERED.yaml [LABEL]
"""
import json
import pathlib
import sys

import jsonschema
import kubernetes_validate
import yaml

from policy import check_policy

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "ops" / "schemas"
K8S_VERSIONS = ("1.30.0", "1.34.0")


def crd_schema(doc: dict):
    group_version = doc.get("apiVersion", "")
    if "/" not in group_version:
        return None
    group, version = group_version.split("/", 1)
    path = SCHEMAS / f"{group}_{version}_{doc.get('kind')}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def validate(docs: list[dict]) -> list[str]:
    problems = []
    for doc in docs:
        ident = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        schema = crd_schema(doc)
        if schema is not None:
            validator = jsonschema.Draft7Validator(schema)
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                where = "/".join(str(p) for p in err.path)
                problems.append(f"{ident}: {where}: {err.message}")
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as err:
                where = "/".join(str(p) for p in err.path)
                problems.append(f"{ident} (k8s {version}): {where}: {err.message}")
            except kubernetes_validate.SchemaNotFoundError:
                problems.append(f"{ident}: no Kubernetes schema and no file in ops/schemas/")
                break
    return problems


def main(path: str, label: str) -> int:
    docs = [d for d in yaml.safe_load_all(pathlib.Path(path).read_text(encoding="utf-8")) if d]
    problems = validate(docs) + check_policy(docs)
    kinds = sorted({d["kind"] for d in docs})
    for problem in problems:
        print(f"  FAIL [{label}] {problem}")
    print(f"{label}: {len(docs)} objects ({', '.join(kinds)}), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]))
