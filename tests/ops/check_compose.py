"""docker-compose.yml and Dockerfile wiring beyond the Compose schema.

Every wcp service of the workspace runs in compose; Prometheus scrapes each wcp container under
the job name the Kubernetes ServiceMonitor gives it; grace periods exceed the shutdown deadline;
the shared config holds only runtime keys; every bind-mounted file or directory exists (except
the locally generated secrets).
"""
import re
import sys
import tomllib

import yaml

from promql_names import ROOT, report
from regions import console_problems, pipeline_regions
from service_config import config_problems, deployed_services

COMPOSE = ROOT / "docker-compose.yml"
PROMETHEUS = ROOT / "ops" / "prometheus" / "prometheus.yml"
CONFIG = ROOT / "ops" / "compose" / "config.toml"


def seconds(value: str) -> float:
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", value):
        total += float(amount) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def dockerfile_problems() -> list[str]:
    """Multi-stage, and the runtime stage runs as a numeric non-root user."""
    lines = [l.strip() for l in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    stages = [i for i, l in enumerate(lines) if l.upper().startswith("FROM ")]
    if len(stages) < 2:
        return ["Dockerfile: expected a build stage and a runtime stage"]
    users = [l.split()[1] for l in lines[stages[-1]:] if l.upper().startswith("USER ")]
    uid = users[-1].split(":")[0] if users else "0"
    if not uid.isdigit() or uid == "0":
        return [f"Dockerfile: the runtime stage must end with a numeric non-root USER (got {uid!r})"]
    return []


def main() -> int:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    prom = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    config_text = CONFIG.read_text(encoding="utf-8")
    problems = config_problems(config_text, "ops/compose/config.toml") + dockerfile_problems()
    deadline_s = tomllib.loads(config_text).get("shutdown_deadline_ms", 20_000) / 1000
    jobs, by_dns = {}, set()
    for job in prom["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                jobs[target] = job["job_name"]
        for sd in job.get("dns_sd_configs", []):
            for name in sd["names"]:
                jobs[f"{name}:{sd['port']}"] = job["job_name"]
                by_dns.add(name)
    services = compose["services"]
    # A service that runs only under a profile must be found by DNS: a static target of a
    # container that is not running keeps WcpServiceDown firing (a trial saw it page forever).
    for svc, spec in services.items():
        if spec.get("profiles") and f"{svc}:9090" in jobs and svc not in by_dns:
            problems.append(f"{svc} runs only with a profile but is a static scrape target: use dns_sd_configs")
    for name in deployed_services():
        binary = f"wcp-{name}"
        running = [s for s, spec in services.items() if (spec.get("command") or [None])[0] == binary]
        if not running:
            problems.append(f"no compose service runs {binary}")
        for svc in running:
            job = jobs.get(f"{svc}:9090")
            if job is None or not job.startswith(binary):
                problems.append(f"Prometheus does not scrape {svc}:9090 as job {binary}[-region] (got {job})")
            grace = seconds(str(services[svc].get("stop_grace_period", "10s")))
            if grace <= deadline_s:
                problems.append(f"{svc}: stop_grace_period {grace}s must exceed the {deadline_s}s shutdown deadline")
    # Every region the pipeline writes is encrypted and shown by the review console.
    def env_of(binary):
        return [{k: str(v) for k, v in (spec.get("environment") or {}).items()}
                for spec in services.values() if (spec.get("command") or [None])[0] == binary]
    consoles = env_of("wcp-review")
    for archiver in env_of("wcp-archiver"):
        problems += console_problems("docker-compose.yml", archiver, consoles[0] if consoles else None,
                                     pipeline_regions())
    for target, job in jobs.items():
        host = target.split(":")[0]
        if job.startswith("wcp-") and host not in services:
            problems.append(f"Prometheus job {job} scrapes {target}, not a compose service")
    for svc, spec in services.items():
        for volume in spec.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./") and not (ROOT / source).exists():
                problems.append(f"{svc}: bind mount {source} does not exist")
    return report("docker-compose.yml", f"{len(services)} services", problems)


if __name__ == "__main__":
    sys.exit(main())
