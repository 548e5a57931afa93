//! The one `ProptestConfig` of the workspace's property tests (wcp-schema, wcp-stages,
//! wcp-archive), included by each with `#[path]`: a shared source file rather than a dev-only
//! crate for ten lines. `PROPTEST_CASES=N` runs N cases per property instead of each
//! property's default (docs/TESTING.md, "Property tests"); proptest's own reading of that
//! variable would lose to the per-property defaults, so it is read here.

use proptest::test_runner::Config as ProptestConfig;

pub fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // Failures are turned into fixtures by hand (e.g. wcp-schema's tests/errors.rs), not
        // persisted files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
