//! The tenant key file (docs/PII.md, "Tenant key"): hex, a trailing newline changes nothing,
//! anything else is refused at start with the file named and the reason.

use std::process::Command;

fn run(key: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("tenant.hex");
    std::fs::write(&key_file, key).unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["run", "--json", "--input"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/wecom_samples.jsonl"
        ))
        .arg("--out")
        .arg(&out_dir)
        .arg("--anon-key-file")
        .arg(&key_file)
        .env_remove("WCP_ANON_KEY")
        .output()
        .unwrap();
    let anonymised = std::fs::read_to_string(out_dir.join("anonymised.jsonl")).unwrap_or_default();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        anonymised,
    )
}

const KEY: &str = "4f1c2a9be07d3358a1c6e2f90b4d7a6c1e8f3b5d9a2c4e6f8b0d1a3c5e7f9b2d";

#[test]
fn a_non_hex_key_is_refused_naming_the_file() {
    let (code, err, _) = run("my tenant secret");
    assert_ne!(code, 0);
    assert!(err.contains("tenant.hex") && err.contains("hex"), "{err}");
}

#[test]
fn a_trailing_newline_does_not_change_the_pseudonyms() {
    let (c1, e1, a) = run(KEY);
    let (c2, e2, b) = run(&format!("{KEY}\n"));
    assert_eq!((c1, c2), (0, 0), "{e1} {e2}");
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// `wcp run` with extra arguments and environment, no key file of its own.
fn run_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wcp"));
    cmd.args(["run", "--json", "--input"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/wecom_samples.jsonl"
        ))
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(args)
        .env_remove("WCP_ANON_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One loader: `wcp run` reads the key file, `WCP_ANON_KEY` and the policy file through the
/// services' own loaders (`wcp_runtime::stage_settings::tenant_key`, `Policy::load`), so it
/// refuses the same inputs with the same words.
#[test]
fn key_and_policy_problems_read_as_the_services_report_them() {
    let (code, err) = run_with(&["--anon-key-file", "/nonexistent/tenant.hex"], &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("the tenant key file /nonexistent/tenant.hex"),
        "{err}"
    );
    let (code, err) = run_with(&[], &[("WCP_ANON_KEY", "")]);
    assert_ne!(code, 0);
    assert!(
        err.contains("the tenant key is required: set anon_key_file (config) or WCP_ANON_KEY_FILE (env) to its file, or WCP_ANON_KEY to the key itself"),
        "{err}"
    );
    let (code, err) = run_with(&["--policy", "/nonexistent/policy.toml"], &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("policy file /nonexistent/policy.toml"),
        "{err}"
    );
}
