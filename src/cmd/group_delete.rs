//! `wcp lag --delete-group GROUP`: deletes a consumer group that belongs to no deployed
//! service (a removed region's archiver, a one-off run with another `WCP_GROUP_ID`), whose
//! lag otherwise keeps `WcpConsumerLagHigh` firing for ever (a trial's 15g D5: nothing that
//! ships could delete one). A group with members is refused, naming them: Kafka would refuse
//! it too, and a running consumer is no stale group. A stopped stage's group is not refused
//! (Kafka cannot tell it from a stale one): the RUNBOOK says to delete only groups of no
//! deployed service, since a stage resumes from its group's offsets.

use std::process::ExitCode;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, GroupResult};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;

use super::kafka::{client_config, CliCtx, METADATA_TIMEOUT};

/// The refusal for a group with live members (`client id at host` each), if any. Pure.
pub fn refusal(group: &str, members: &[String]) -> Option<String> {
    if members.is_empty() {
        return None;
    }
    Some(format!(
        "consumer group {group} has {} active member(s) ({}): not deleted; stop them first \
         (a group of a deployed service is never deleted: its stage resumes from its offsets)",
        members.len(),
        members.join(", ")
    ))
}

/// What the broker's answer means for the operator: `Ok` the line to print, `Err` why not.
/// Pure.
pub fn outcome(group: &str, result: &GroupResult) -> Result<String, String> {
    match result {
        Ok(_) => Ok(format!(
            "deleted consumer group {group} (its committed offsets are gone; its lag series \
             leave the lag exporter at its next measurement)"
        )),
        Err((_, RDKafkaErrorCode::GroupIdNotFound)) => Err(format!(
            "no consumer group {group} (`wcp lag` lists the groups with committed offsets)"
        )),
        Err((_, RDKafkaErrorCode::NonEmptyGroup)) => Err(format!(
            "consumer group {group} has active members: not deleted; stop them first"
        )),
        Err((_, e)) => Err(format!("consumer group {group} not deleted: {e}")),
    }
}

/// Deletes `group` at `addr`; exit 1 when refused or not found.
pub fn run(addr: &str, group: &str) -> anyhow::Result<ExitCode> {
    super::kafka::check_reachable(addr)?;
    // The members as the broker lists them (a consumer that never joined is none).
    let probe: BaseConsumer<CliCtx> = client_config(addr)?
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    let list = probe.fetch_group_list(Some(group), METADATA_TIMEOUT)?;
    let members: Vec<String> = list
        .groups()
        .iter()
        .filter(|g| g.name() == group)
        .flat_map(|g| g.members())
        .map(|m| format!("{} at {}", m.client_id(), m.client_host()))
        .collect();
    if let Some(why) = refusal(group, &members) {
        eprintln!("error: {why}");
        return Ok(ExitCode::FAILURE);
    }
    let admin: AdminClient<CliCtx> = client_config(addr)?
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(30)));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = rt.block_on(admin.delete_groups(&[group], &opts))?;
    let Some(result) = results.first() else {
        anyhow::bail!("the broker gave no answer for consumer group {group}");
    };
    match outcome(group, result) {
        Ok(said) => {
            println!("{said}");
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            eprintln!("error: {why}");
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_with_members_is_refused_naming_them() {
        assert_eq!(refusal("wcp-archiver-x", &[]), None);
        let why = refusal("wcp-review-x", &["wcp-review-0 at /10.0.0.7".into()]).unwrap();
        assert!(
            why.starts_with(
                "consumer group wcp-review-x has 1 active member(s) (wcp-review-0 at \
                 /10.0.0.7): not deleted"
            ),
            "{why}"
        );
    }

    #[test]
    fn the_brokers_answer_is_told_in_plain_words() {
        let g = "wcp-archiver-x";
        assert!(outcome(g, &Ok(g.into()))
            .unwrap()
            .starts_with("deleted consumer group"));
        let gone = outcome(g, &Err((g.into(), RDKafkaErrorCode::GroupIdNotFound)));
        assert!(gone
            .unwrap_err()
            .starts_with("no consumer group wcp-archiver-x"));
        let busy = outcome(g, &Err((g.into(), RDKafkaErrorCode::NonEmptyGroup)));
        assert!(busy.unwrap_err().contains("has active members"));
        let other = outcome(
            g,
            &Err((g.into(), RDKafkaErrorCode::GroupAuthorizationFailed)),
        );
        assert!(other
            .unwrap_err()
            .starts_with("consumer group wcp-archiver-x not deleted: "));
    }
}
