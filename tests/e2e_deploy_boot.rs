//! The shipped deployments start (issue 15): `docker-compose.yml` and every kustomize overlay
//! are rendered (`tests/ops/deploy_env.py`), and each wcp service is started with exactly the
//! command, arguments, environment, config files and secret files its deployment gives it,
//! against the real broker, until `/readyz` answers 200; then SIGTERM must stop it with exit
//! code 0. A missing key, an unknown variable or a config key no service knows fails the test.
//!
//! What is substituted, and only that: container paths become temporary directories (one per
//! volume, shared by the services or containers that mount it); secrets and the variables a
//! compose user exports (`${WCP_SDK_SECRET:-}`) get test values (64 hex characters: a valid
//! signing seed and tenant key); in config files `kafka_bootstrap` points at the test broker
//! and `ops_addr` at a free port; the `security.protocol` / `sasl.mechanism` of the Kubernetes
//! configs are dropped, since the test broker speaks PLAINTEXT (the SASL user name and
//! password variables stay set). What the operator supplies for the capture is supplied the
//! same way: Tencent's library (the stand-in, `crates/wecom-sdk-standin`, at the path the
//! deployment names), a private key in the keys volume, and the stand-in's script for the
//! corp id and Secret the deployment configures.
mod e2e;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::ops::get;
use e2e::procs::free_port;
use serde_json::Value;

const TEST: &str = "e2e_deploy_boot";
const TEST_SECRET: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";

/// Installs kustomize and the Python packages if missing (scripts/ops-check.sh --install).
fn tools() -> (PathBuf, PathBuf) {
    let root = e2e::repo_root();
    let st = Command::new("bash")
        .arg(root.join("scripts/ops-check.sh"))
        .arg("--install")
        .status()
        .expect("run scripts/ops-check.sh --install");
    assert!(st.success(), "installing kustomize / the ops venv failed");
    (
        root.join(".cache/bin/kustomize"),
        root.join(".cache/ops-venv/bin/python"),
    )
}

fn boots() -> Vec<Value> {
    let (kustomize, python) = tools();
    let root = e2e::repo_root();
    let out = Command::new(python)
        .arg(root.join("tests/ops/deploy_env.py"))
        .arg(kustomize)
        .env("PYTHONPATH", root.join("tests/ops"))
        .output()
        .expect("run deploy_env.py");
    assert!(
        out.status.success(),
        "deploy_env.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("deploy_env.py JSON")
}

/// A config file as the test runs it: broker and ops port replaced, PLAINTEXT to the broker.
fn adapt_config(text: &str, bootstrap: &str, ops: &str) -> String {
    text.lines()
        .filter(|l| {
            let k = l.trim_start().trim_start_matches('"');
            !(k.starts_with("security.protocol") || k.starts_with("sasl.mechanism"))
        })
        .map(|l| match l.split_once('=') {
            Some((k, _)) if k.trim() == "kafka_bootstrap" => {
                format!("kafka_bootstrap = \"{bootstrap}\"")
            }
            Some((k, _)) if k.trim() == "ops_addr" => format!("ops_addr = \"{ops}\""),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Booted {
    label: String,
    child: std::process::Child,
    ops: String,
    log: PathBuf,
}

/// A compose `${NAME:-}` the operator exports: a test value.
fn exported(name: &str) -> String {
    if name.contains("SECRET") || name.contains("KEY") {
        TEST_SECRET.to_string()
    } else {
        format!("test-{}", name.to_lowercase().replace('_', "-"))
    }
}

/// What an operator installs for the capture, at the places the deployment names: the
/// library (the stand-in), a private key (`v1.pem`) and the stand-in's script serving no
/// messages for the configured corp and Secret. The script's path, for `WECOM_STANDIN_SCRIPT`.
fn provide_capture(env: &[(String, String)], dir: &Path) -> Result<PathBuf, String> {
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let lib = PathBuf::from(get("WCP_SDK_LIBRARY").ok_or("capture: no WCP_SDK_LIBRARY")?);
    let standin = e2e::bin_dir().join("libWeWorkFinanceSdk_C.so");
    std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
    std::fs::copy(&standin, &lib).map_err(|e| {
        format!(
            "{}: {e} (build it: cargo build --release -p wecom-sdk-standin)",
            standin.display()
        )
    })?;
    let keys =
        PathBuf::from(get("WCP_PRIVATE_KEYS_DIR").ok_or("capture: no WCP_PRIVATE_KEYS_DIR")?);
    std::fs::create_dir_all(&keys).unwrap();
    let fixtures = e2e::repo_root().join("fixtures/capture/keys");
    std::fs::copy(fixtures.join("v1.pem"), keys.join("v1.pem")).unwrap();
    let secret = match (get("WCP_SDK_SECRET"), get("WCP_SDK_SECRET_FILE")) {
        (Some(s), _) => s,
        (None, Some(f)) => std::fs::read_to_string(f)
            .unwrap_or_default()
            .trim()
            .to_string(),
        _ => String::new(),
    };
    std::fs::write(dir.join("messages.jsonl"), b"").unwrap();
    let script = serde_json::json!({
        "corpid": get("WCP_CORP_ID").unwrap_or_default(),
        "secret": secret,
        "public_keys": {"1": fixtures.join("v1.pub.pem")},
        "messages": dir.join("messages.jsonl"),
        "key_versions": [[1, 1]],
        "state_dir": dir.join("standin-state"),
        "faults": [],
    });
    let path = dir.join("standin.json");
    std::fs::write(&path, serde_json::to_vec(&script).unwrap()).unwrap();
    Ok(path)
}

/// Lays out the mounts under `dir` (shared volumes under `volumes`) and starts the process;
/// `Err` with the problem when the deployment references something it does not provide.
fn start(boot: &Value, dir: &Path, volumes: &Path, bootstrap: &str) -> Result<Booted, String> {
    let label = format!(
        "{} {}",
        boot["deployment"].as_str().unwrap(),
        boot["service"].as_str().unwrap()
    );
    let ops = format!("127.0.0.1:{}", free_port());
    // Container path -> host path, longest first so nested mounts win.
    let mut paths: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut secret_dirs: Vec<PathBuf> = Vec::new();
    for (i, m) in boot["mounts"].as_array().unwrap().iter().enumerate() {
        let cpath = m["path"].as_str().unwrap().to_string();
        let host = match m["volume"].as_str() {
            Some(v) => volumes.join(v.replace('/', "_")),
            None => dir.join(format!("m{i}")),
        };
        let files = m["files"].as_object().unwrap();
        match m["kind"].as_str().unwrap() {
            "file" | "secret" if files.contains_key("") => {
                let text = files[""].as_str().unwrap();
                let text = if text == "<secret>" {
                    TEST_SECRET.to_string()
                } else {
                    adapt_config(text, bootstrap, &ops)
                };
                std::fs::write(&host, text).unwrap();
            }
            kind => {
                std::fs::create_dir_all(&host).unwrap();
                if kind == "secret" {
                    secret_dirs.push(host.clone());
                }
                for (name, text) in files {
                    std::fs::write(
                        host.join(name),
                        adapt_config(text.as_str().unwrap(), bootstrap, &ops),
                    )
                    .unwrap();
                }
            }
        }
        paths.insert(cpath, host);
    }
    let map_path = |v: &str| -> String {
        let best = paths
            .iter()
            .filter(|(c, _)| v == c.as_str() || v.starts_with(&format!("{c}/")))
            .max_by_key(|(c, _)| c.len());
        match best {
            Some((c, h)) => format!("{}{}", h.display(), &v[c.len()..]),
            None => v.to_string(),
        }
    };
    // A path, or a list of `name=path` items (`WCP_REGIONS`, `WCP_ARCHIVE_KEYS`).
    let map = |v: &str| -> String {
        v.split(',')
            .map(|item| match item.split_once('=') {
                Some((name, p)) if p.starts_with('/') => format!("{name}={}", map_path(p)),
                _ => map_path(item),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut env = Vec::new();
    for pair in boot["env"].as_array().unwrap() {
        let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let v = if v == "<secret>" {
            TEST_SECRET.to_string()
        } else if let Some(name) = v.strip_prefix("<env ").and_then(|n| n.strip_suffix('>')) {
            exported(name)
        } else {
            map(v)
        };
        // A file named in a Secret mount exists in the pod once the Secret has that key.
        // Written once: a pod volume is shared by containers, and rewriting the file while
        // an earlier container reads it at start-up would show it an empty key.
        if secret_dirs
            .iter()
            .any(|d| Path::new(&v).parent() == Some(d.as_path()))
            && std::fs::read_to_string(&v).ok().as_deref() != Some(TEST_SECRET)
        {
            std::fs::write(&v, TEST_SECRET).unwrap();
        }
        // Ports are the pod's own in k8s and the host's in this test: the ops and console
        // addresses get free ports (several pods here would ask for 9091 or 8080).
        let v = match k {
            "WCP_OPS_ADDR" => ops.clone(),
            "WCP_LISTEN_ADDR" => format!("127.0.0.1:{}", free_port()),
            _ => v,
        };
        env.push((k.to_string(), v));
    }
    if boot["binary"] == "wcp-capture" {
        let script = provide_capture(&env, dir).map_err(|e| format!("{label}: {e}"))?;
        env.push(("WECOM_STANDIN_SCRIPT".into(), script.display().to_string()));
    }
    let args: Vec<String> = boot["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| map(a.as_str().unwrap()))
        .collect();
    let log = dir.join("log");
    let out = std::fs::File::create(&log).unwrap();
    let bin = e2e::bin_dir().join(boot["binary"].as_str().unwrap());
    let mut cmd = Command::new(&bin);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    let child = cmd
        .spawn()
        .map_err(|e| format!("{label}: spawn {}: {e}", bin.display()))?;
    Ok(Booted {
        label,
        child,
        ops,
        log,
    })
}

#[test]
fn every_deployment_boots_every_service() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    let all = boots();
    let st = Command::new(e2e::wcp_bin())
        .args([
            "topics",
            "create",
            "--bootstrap",
            &bootstrap,
            "--partitions",
            "1",
        ])
        .output()
        .expect("wcp topics create");
    assert!(st.status.success());
    let mut deployments: Vec<&str> = all
        .iter()
        .map(|b| b["deployment"].as_str().unwrap())
        .collect();
    deployments.dedup();
    assert!(
        deployments.len() >= 4,
        "compose and three overlays: {deployments:?}"
    );
    let mut problems = Vec::new();
    for dep in deployments {
        let tmp = tempfile::tempdir().unwrap();
        let volumes = tmp.path().join("volumes");
        let mut running = Vec::new();
        for (i, boot) in all.iter().filter(|b| b["deployment"] == dep).enumerate() {
            let dir = tmp.path().join(format!("s{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            match start(boot, &dir, &volumes, &bootstrap) {
                Ok(b) => running.push(b),
                Err(e) => problems.push(e),
            }
        }
        // Every service is deployed everywhere (the review console: in compose; in k8s, as
        // the archiver pod's sidecar once it ships there).
        let binaries: Vec<&str> = all
            .iter()
            .filter(|b| b["deployment"] == dep)
            .map(|b| b["binary"].as_str().unwrap())
            .collect();
        let mut expected = vec![
            "wcp-capture",
            "wcp-ingest",
            "wcp-classifier",
            "wcp-consent-gate",
            "wcp-retention-tagger",
            "wcp-archiver",
            "wcp-alerter",
            "wcp-anonymiser",
        ];
        if dep == "compose" || binaries.contains(&"wcp-review") {
            expected.push("wcp-review");
        }
        for bin in expected {
            assert!(
                binaries.contains(&bin),
                "{dep} does not deploy {bin}: {binaries:?}"
            );
        }
        assert!(running.len() >= 8, "{dep}: only {} services", running.len());
        for b in &mut running {
            // Nothing is archived here, so no region archive exists: the review console must
            // be ready all the same, serving its regions empty (issue 15 D1).
            let ready = (0..450).any(|_| {
                if matches!(b.child.try_wait(), Ok(Some(_))) {
                    return false;
                }
                let ok = get(&b.ops, "/readyz").is_some_and(|r| r.status == 200);
                if !ok {
                    std::thread::sleep(Duration::from_millis(200));
                }
                ok
            });
            if !ready {
                let log = std::fs::read_to_string(&b.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(8).collect();
                problems.push(format!(
                    "{}: not ready; log tail:\n    {}",
                    b.label,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n    ")
                ));
            }
        }
        for b in &mut running {
            let _ = Command::new("kill")
                .args(["-TERM", &b.child.id().to_string()])
                .status();
        }
        for b in &mut running {
            let code = (0..300).find_map(|_| match b.child.try_wait() {
                Ok(Some(s)) => Some(s.code()),
                _ => {
                    std::thread::sleep(Duration::from_millis(100));
                    None
                }
            });
            match code {
                Some(Some(0)) if b.label.contains("capture") => {
                    // A clean stop logs no ERROR (a trial saw rdkafka's "Failed to close
                    // consumer queue on drop" on the capture's every SIGTERM).
                    let log = std::fs::read_to_string(&b.log).unwrap_or_default();
                    let errors: Vec<&str> = log.lines().filter(|l| l.contains(" ERROR ")).collect();
                    eprintln!(
                        "{TEST}: {}: SIGTERM exit 0, {} ERROR lines",
                        b.label,
                        errors.len()
                    );
                    if !errors.is_empty() {
                        problems.push(format!(
                            "{}: ERROR lines on a clean boot and SIGTERM:\n    {}",
                            b.label,
                            errors.join("\n    ")
                        ));
                    }
                }
                Some(Some(0)) => {}
                other => {
                    let _ = b.child.kill();
                    let log = std::fs::read_to_string(&b.log).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(12).collect();
                    problems.push(format!(
                        "{}: SIGTERM gave {other:?}, not exit 0; log tail:\n    {}",
                        b.label,
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n    ")
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "deployments that do not boot:\n{}",
        problems.join("\n")
    );
}
