"""The keys a wcp service accepts in its TOML file, read from crates/wcp-runtime/src/config.rs.

The runtime rejects unknown keys at start-up, so a ConfigMap or compose config with a typo would
crash-loop every pod; checking the files against the runtime's own list catches it offline.
"""
import re
import tomllib

from promql_names import ROOT

CONFIG_RS = ROOT / "crates" / "wcp-runtime" / "src" / "config.rs"
SERVICES = ["ingest", "classifier", "consent-gate", "retention-tagger", "archiver", "alerter", "anonymiser"]
# Crates under services/ that are deliberately not deployed. A new crate not named here or in
# SERVICES fails the checks until it is either deployed or listed with its reason.
NOT_DEPLOYED = {"passthrough": "benchmark baseline hop, not a pipeline stage"}
# Used only while the runtime crate does not exist yet.
FALLBACK_KEYS = {"kafka_bootstrap", "ops_addr", "shutdown_deadline_ms"}


def common_keys() -> set[str]:
    if not CONFIG_RS.exists():
        return set(FALLBACK_KEYS)
    match = re.search(r"COMMON_KEYS:\s*&\[&str\]\s*=\s*&\[(.*?)\];", CONFIG_RS.read_text(encoding="utf-8"), re.S)
    return set(re.findall(r'"([a-z0-9_]+)"', match.group(1))) if match else set(FALLBACK_KEYS)


def config_problems(text: str, where: str) -> list[str]:
    """Problems of one service TOML file (keys unknown to every service, secrets in the file)."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return [f"{where}: invalid TOML: {err}"]
    known = common_keys()
    problems = [f"{where}: key {k!r} is not a config key of the wcp runtime"
                for k in table if k != "kafka" and k not in known]
    for prop in table.get("kafka", {}):
        if "password" in prop or "secret" in prop or prop == "ssl.key.pem":
            problems.append(f"{where}: kafka.{prop} is a secret: pass it in the environment")
    return problems


def deployed_services() -> list[str]:
    """Pipeline services that compose and every overlay must run (`wcp-<name>` binaries)."""
    services = ROOT / "services"
    crates = {p.name for p in services.iterdir() if (p / "Cargo.toml").exists()} if services.is_dir() else set()
    return sorted(set(SERVICES) | (crates - set(NOT_DEPLOYED)))
