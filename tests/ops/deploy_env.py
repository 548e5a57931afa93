"""What each shipped deployment gives each wcp service: command, arguments, environment,
config files and secrets, read from docker-compose.yml and from the rendered kustomize overlays.

    python3 tests/ops/deploy_env.py KUSTOMIZE    # JSON on stdout, used by tests/e2e_deploy_boot.rs

One entry per service process: {"deployment", "service", "binary", "args", "env": [[name,
value]], "mounts": [{"path", "kind": "file"|"dir"|"secret"|"config", "files": {name: text}}]}.
Values the deployment takes from the platform are resolved the way it would: `fieldRef
metadata.name` is the pod name, `fieldRef metadata.labels[...]` the pod label, a
`secretKeyRef` or a mounted Secret is marked `"<secret>"` (the test puts a test value there).
Nothing is filtered or corrected: a variable no service knows is passed on, so the boot fails.
"""
import json
import subprocess
import sys

import yaml

from promql_names import ROOT

SECRET = "<secret>"


def compose() -> list[dict]:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    out = []
    for name, svc in doc["services"].items():
        cmd = svc.get("command") or []
        if not cmd or not str(cmd[0]).startswith("wcp-"):
            continue
        env = [[k, str(v)] for k, v in (svc.get("environment") or {}).items()]
        mounts = []
        for vol in svc.get("volumes") or []:
            src, dst = vol.split(":")[:2]
            if src.startswith("./") or src.startswith("/"):
                path = ROOT / src
                mounts.append({"path": dst, "kind": "file", "files": {"": path.read_text(encoding="utf-8")}})
            else:
                mounts.append({"path": dst, "kind": "dir", "files": {}})
        for s in svc.get("secrets") or []:
            sname = s if isinstance(s, str) else s["source"]
            mounts.append({"path": f"/run/secrets/{sname}", "kind": "secret", "files": {"": SECRET}})
        out.append({"deployment": "compose", "service": name, "binary": cmd[0], "args": [str(a) for a in cmd[1:]],
                    "env": env, "mounts": mounts})
    return out


def overlay(kustomize: str, name: str) -> list[dict]:
    text = subprocess.run([kustomize, "build", str(ROOT / "k8s" / "overlays" / name)], check=True,
                          capture_output=True, text=True).stdout
    docs = [d for d in yaml.safe_load_all(text) if d]
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    out = []
    for d in docs:
        if d["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = d["spec"]["template"]
        spec = pod["spec"]
        labels = pod["metadata"].get("labels", {})
        pod_name = f"{d['metadata']['name']}-0"
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for tmpl in d["spec"].get("volumeClaimTemplates", []):
            volumes[tmpl["metadata"]["name"]] = {"name": tmpl["metadata"]["name"], "pvc": True}
        for c in spec["containers"]:
            binary = c["command"][0].rsplit("/", 1)[-1]
            if not binary.startswith("wcp-"):
                continue
            env = []
            for e in c.get("env", []):
                if "value" in e:
                    env.append([e["name"], str(e["value"])])
                    continue
                src = e["valueFrom"]
                if "secretKeyRef" in src:
                    env.append([e["name"], SECRET])
                elif "fieldRef" in src:
                    path = src["fieldRef"]["fieldPath"]
                    if path == "metadata.name":
                        env.append([e["name"], pod_name])
                    elif path.startswith("metadata.labels['"):
                        env.append([e["name"], labels[path[len("metadata.labels['"):-2]]])
                    else:
                        raise SystemExit(f"{name}/{d['metadata']['name']}: fieldRef {path} not handled")
                else:
                    raise SystemExit(f"{name}/{d['metadata']['name']}: env {e['name']} source not handled")
            mounts = []
            for m in c.get("volumeMounts", []):
                v = volumes[m["name"]]
                if "configMap" in v:
                    mounts.append({"path": m["mountPath"], "kind": "config", "files": config_maps[v["configMap"]["name"]]})
                elif "secret" in v:
                    mounts.append({"path": m["mountPath"], "kind": "secret", "files": {}})
                else:  # emptyDir, PVC
                    mounts.append({"path": m["mountPath"], "kind": "dir", "files": {}})
            out.append({"deployment": f"k8s/overlays/{name}", "service": d["metadata"]["name"], "binary": binary,
                        "args": [str(a) for a in c.get("args", [])], "env": env, "mounts": mounts})
    return out


def main() -> None:
    kustomize = sys.argv[1]
    boots = compose()
    for name in sorted(p.name for p in (ROOT / "k8s" / "overlays").iterdir() if p.is_dir()):
        boots.extend(overlay(kustomize, name))
    json.dump(boots, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
