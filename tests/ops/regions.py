"""Every residency region the pipeline writes must be shown by a review console and encrypted.

The archiver writes one archive-<region>.db per region the policy routes a message to (the
default region and each desk's); the review console routes an alert to the region whose
archive holds its message, and queues it in its first region without the message when no
archive it knows does (a trial saw hk alerts queue in cn without their message). So, for
each deployment: the console's WCP_REGIONS lists every region the archiver beside it writes,
with that region's archive signing key (exports), and every such archive and review store has
an encryption key (docs/SECURITY.md).
"""
import tomllib

from promql_names import ROOT

BUILTIN_POLICY = ROOT / "policies" / "pipeline.toml"


def pipeline_regions(policy_text: str | None = None) -> list[str]:
    """The regions the policy can route a message to: its default region and its desks'."""
    policy = tomllib.loads(policy_text if policy_text is not None
                           else BUILTIN_POLICY.read_text(encoding="utf-8"))
    retention = policy.get("retention", {})
    regions = [retention.get("default_region", "cn")]
    for desk in retention.get("desks", []):
        if desk.get("region") and desk["region"] not in regions:
            regions.append(desk["region"])
    return regions


def _pairs(value: str) -> dict[str, str]:
    out = {}
    for item in (value or "").split(","):
        if "=" in item:
            name, path = item.split("=", 1)
            out[name.strip()] = path.strip()
    return out


def _has_key(env: dict, store: str, region: str) -> bool:
    up = region.upper()
    return bool(env.get(f"WCP_{store}_ENCRYPTION_KEY_FILE_{up}") or env.get(f"WCP_{store}_ENCRYPTION_KEY_{up}"))


def console_problems(ident: str, archiver_env: dict, review_env: dict | None, regions: list[str]) -> list[str]:
    """What a deployment of one archiver (and the console beside it) lacks for `regions`."""
    problems = []
    for region in regions:
        if not _has_key(archiver_env, "ARCHIVE", region):
            problems.append(f"{ident}: the archiver writes region {region} but has no "
                            f"WCP_ARCHIVE_ENCRYPTION_KEY_FILE_{region.upper()}: that archive would be plain SQLite")
    if review_env is None:
        return problems + [f"{ident}: no review console reads this archiver's regions {regions}"]
    served = _pairs(review_env.get("WCP_REGIONS", ""))
    keys = _pairs(review_env.get("WCP_ARCHIVE_KEYS", ""))
    for region in regions:
        if region not in served:
            problems.append(f"{ident}: the pipeline writes region {region} but the review console serves only "
                            f"{sorted(served)}: its alerts would queue in {next(iter(served), '?')} without their message")
            continue
        if keys and region not in keys:
            problems.append(f"{ident}: review console: WCP_ARCHIVE_KEYS has no signing key for region {region}")
        if not _has_key(review_env, "ARCHIVE", region):
            problems.append(f"{ident}: review console reads the {region} archive without "
                            f"WCP_ARCHIVE_ENCRYPTION_KEY_FILE_{region.upper()}")
        if not _has_key(review_env, "REVIEW", region):
            problems.append(f"{ident}: review console: no WCP_REVIEW_ENCRYPTION_KEY_FILE_{region.upper()} "
                            f"for its {region} store")
    return problems
