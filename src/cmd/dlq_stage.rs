//! `wcp tail chat.dlq --stage STAGE`: which stage wrote a dead letter, and the names a
//! `--stage` may take. The RUNBOOK's replay into `wecom.raw` takes the ingest's dead letters
//! only: the capture's hold encrypted envelopes, and later stages' hold Avro records.

use anyhow::bail;
use wcp_model::topics::Content;
use wcp_model::DeadLetter;

/// The stages that write dead letters (`DeadLetter.stage`: each service's stage name).
const STAGES: [&str; 10] = [
    "capture",
    "capture-media",
    "ingest",
    "classifier",
    "consent-gate",
    "retention-tagger",
    "alerter",
    "anonymiser",
    "archiver",
    "review",
];

/// `--stage` names a known stage and goes with `chat.dlq`.
pub fn check_stage(stage: &str, content: Content) -> anyhow::Result<()> {
    if content != Content::DeadLetter {
        bail!("--stage is for chat.dlq only");
    }
    if !STAGES.contains(&stage) {
        bail!(
            "--stage {stage:?} is not a stage that writes dead letters (one of: {})",
            STAGES.join(", ")
        );
    }
    Ok(())
}

/// The stage of a dead letter (None: not a dead letter).
pub fn stage_of(bytes: &[u8]) -> Option<String> {
    wcp_schema::decode::<DeadLetter>(bytes)
        .ok()
        .map(|d| d.stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(stage: &str) -> Vec<u8> {
        let d = DeadLetter {
            original: b"x".to_vec(),
            source: "wecom.raw/0/7".into(),
            stage: stage.into(),
            reason_code: "invalid_json".into(),
            reason: "not JSON".into(),
        };
        wcp_schema::encode(&d).unwrap()
    }

    #[test]
    fn the_stage_filter_knows_the_stages_and_reads_each_letters_stage() {
        assert_eq!(stage_of(&letter("ingest")).as_deref(), Some("ingest"));
        assert_eq!(stage_of(b"garbage"), None);
        assert!(check_stage("ingest", Content::DeadLetter).is_ok());
        assert!(check_stage("capture", Content::DeadLetter).is_ok());
        let err = check_stage("ingset", Content::DeadLetter)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"ingset\"") && err.contains("one of: capture"),
            "{err}"
        );
        let err = check_stage("ingest", Content::Alert)
            .unwrap_err()
            .to_string();
        assert!(err.contains("chat.dlq only"), "{err}");
    }
}
