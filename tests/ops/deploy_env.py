"""What each shipped deployment gives each wcp service: command, arguments, environment,
config files and secrets, read from docker-compose.yml and from the rendered kustomize overlays.

    python3 tests/ops/deploy_env.py KUSTOMIZE    # JSON on stdout, used by tests/e2e_deploy_boot.rs

One entry per service process: {"deployment", "service", "binary", "args", "env": [[name,
value]], "mounts": [{"path", "kind": "file"|"dir"|"secret"|"config", "files": {name: text},
"volume": id or null}]}. Mounts with the same "volume" share their contents (a compose named
volume across services; a pod volume across the containers of one pod, e.g. a sidecar).
Values the deployment takes from the platform are resolved the way it would: `fieldRef
metadata.name` is the pod name, `fieldRef metadata.labels[...]` the pod label, a
`secretKeyRef` or a mounted Secret is marked `"<secret>"` (the test puts a test value there),
and a compose `${NAME:-}` the operator must export is marked `"<env NAME>"`. Services behind a
compose profile are included (their entry names the profiles).
Nothing is filtered or corrected: a variable no service knows is passed on, so the boot fails.
"""
import json
import re
import subprocess
import sys

import yaml

from promql_names import ROOT

SECRET = "<secret>"


def interpolate(value: str) -> str:
    """Compose's `${NAME:-default}` / `${NAME}`: the default when there is one, else a marker
    for the value the operator exports."""
    def sub(m: re.Match) -> str:
        return m.group(3) if m.group(3) else f"<env {m.group(1)}>"
    return re.sub(r"\$\{([A-Z0-9_]+)(:?-([^}]*))?\}", sub, value)


def bind_mount(path, dst: str) -> dict:
    if path.is_dir():
        files = {f.name: f.read_text(encoding="utf-8") for f in path.iterdir()
                 if f.is_file() and f.name != ".gitignore"}
        return {"path": dst, "kind": "dir", "files": files, "volume": None}
    return {"path": dst, "kind": "file", "files": {"": path.read_text(encoding="utf-8")}, "volume": None}


def compose() -> list[dict]:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    out = []
    for name, svc in doc["services"].items():
        cmd = svc.get("command") or []
        if not cmd or not str(cmd[0]).startswith("wcp-"):
            continue
        env = [[k, interpolate(str(v))] for k, v in (svc.get("environment") or {}).items()]
        mounts = []
        for vol in svc.get("volumes") or []:
            src, dst = vol.split(":")[:2]
            if src.startswith("./") or src.startswith("/"):
                mounts.append(bind_mount(ROOT / src, dst))
            else:
                mounts.append({"path": dst, "kind": "dir", "files": {}, "volume": f"compose/{src}"})
        for s in svc.get("secrets") or []:
            sname = s if isinstance(s, str) else s["source"]
            mounts.append({"path": f"/run/secrets/{sname}", "kind": "secret", "files": {"": SECRET},
                           "volume": None})
        out.append({"deployment": "compose", "service": name, "binary": cmd[0], "args": [str(a) for a in cmd[1:]],
                    "env": env, "mounts": mounts, "profiles": svc.get("profiles") or []})
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
                shared = f"{d['metadata']['name']}/{m['name']}"
                if "configMap" in v:
                    mounts.append({"path": m["mountPath"], "kind": "config",
                                   "files": config_maps[v["configMap"]["name"]], "volume": None})
                elif "secret" in v:
                    mounts.append({"path": m["mountPath"], "kind": "secret", "files": {}, "volume": shared})
                else:  # emptyDir, PVC
                    mounts.append({"path": m["mountPath"], "kind": "dir", "files": {}, "volume": shared})
            service = d["metadata"]["name"]
            if len(spec["containers"]) > 1:
                service = f"{service}/{c['name']}"
            out.append({"deployment": f"k8s/overlays/{name}", "service": service, "binary": binary,
                        "args": [str(a) for a in c.get("args", [])], "env": env, "mounts": mounts,
                        "profiles": []})
    return out


def main() -> None:
    kustomize = sys.argv[1]
    boots = compose()
    for name in sorted(p.name for p in (ROOT / "k8s" / "overlays").iterdir() if p.is_dir()):
        boots.extend(overlay(kustomize, name))
    json.dump(boots, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
