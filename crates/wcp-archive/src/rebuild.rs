//! `wcp archive rebuild`: every projection emptied and replayed from the chain, after
//! `verify` has shown the chain itself intact (a projection rebuilt from a tampered chain
//! would launder the tampering). The problems found before are kept in a `rebuild` audit
//! record.

use serde::Serialize;

use crate::error::ArchiveError;
use crate::verify::ProblemKind;
use crate::Archive;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebuildReport {
    /// Records replayed.
    pub records: u64,
    /// The projection problems found before, in words.
    pub repaired: Vec<String>,
}

/// Problems of the evidence (not of a projection): rebuild refuses to run over them.
pub fn is_chain_problem(k: ProblemKind) -> bool {
    matches!(
        k,
        ProblemKind::Altered
            | ProblemKind::Removed
            | ProblemKind::Inserted
            | ProblemKind::Reordered
            | ProblemKind::BadCheckpoint
            | ProblemKind::CheckpointsDeleted
            | ProblemKind::Truncated
    )
}

impl Archive {
    pub fn rebuild(&mut self, actor: &str) -> Result<RebuildReport, ArchiveError> {
        crate::audit::check_actor(actor)?;
        let before = self.verify_report(None, usize::MAX)?;
        if let Some(p) = before.problems.iter().find(|p| is_chain_problem(p.kind)) {
            return Err(ArchiveError::NotVerified(format!(
                "the chain itself is broken, so projections cannot be rebuilt from it: {}",
                p.words().trim_end_matches('.')
            )));
        }
        // A change or run the two-person rule or the clock rule did not allow is a record of
        // the chain: rebuilding the tables does not repair it, and verify keeps naming it.
        let repaired: Vec<String> = before
            .problems
            .iter()
            .filter(|p| !matches!(p.kind, ProblemKind::Unapproved | ProblemKind::ClockWrong))
            .map(|p| p.words())
            .collect();
        let detail = serde_json::json!({ "repaired": repaired });
        let records = self.write(|conn, chain, key| {
            crate::project::clear(conn)?;
            let n = crate::project::replay(conn)?;
            crate::audit::append(conn, chain, key, actor, "rebuild", detail)?;
            Ok(n)
        })?;
        Ok(RebuildReport { records, repaired })
    }
}
