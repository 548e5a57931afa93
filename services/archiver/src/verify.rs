//! Periodic tamper-evidence verification, off the write path: its own thread and a read-only
//! SQLite connection per run (WAL readers never block the writer), so a long verification
//! never stalls the batches.
//!
//! Every region found in the archive directory is verified as soon as it has a signed
//! checkpoint (looked for every 5 s; until then its status is "not yet verifiable: no
//! checkpoint yet", neither verified nor a failure) and then every `verify_interval_s`.
//! The first run of a region checks everything (`wcp archive verify`: chain, signed
//! checkpoints under this archiver's own key, every projection, both full-text indexes). Later runs are incremental, so their cost follows what was appended,
//! not the archive's size (docs/OPERATIONS.md has the measured figures):
//! - from the last verified head: that record still carries the hash seen (a rewritten or
//!   cut-off history fails), then every record appended since, its links, the checkpoints
//!   signing them and the projection rows they made (`Archive::verify_after`);
//! - plus a rolling window of `verify_sweep_records` older records (`verify_stretch`,
//!   the same checks), cycling from the start, so an edit to an old record or row is found
//!   within ceil(head / verify_sweep_records) runs;
//! - plus, for an encrypted archive, every page's HMAC in the database file and in its WAL
//!   (`verify_after` as the full verify: a changed byte no query reads, trial 15h D4).
//!
//! The head, the sweep position and the time of the success are kept beside the archive
//! (`archive-<region>.verified.json`), so a restart continues from them and
//! `wcp_archive_last_verify_success_timestamp_seconds` survives restarts (0 until a region
//! was ever verified). A failed run saves nothing: the next one checks the same again. But a
//! run that finds the WAL damaged saves a byte-exact copy of it beside the archive
//! (`<db>-wal.damaged-<UTC time>`, `keep_damaged_wal`), since the next checkpoint may drop the
//! altered frame (trial 15j D2).
//!
//! Logs name the region, the kind and chain position of the first problem and how many there
//! are — never a message id, a participant or content.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use wcp_archive::{Archive, ArchiveError, KeySource, ProblemKind, Regions, VerifyReport};
use wcp_runtime::{Metrics, RunCtx};

/// What the last successful run of one region saw.
#[derive(Debug, Clone, PartialEq)]
struct Verified {
    at_s: f64,
    head: Option<(i64, String)>,
    /// Where the next rolling window of older records starts (after this seq).
    sweep_from: i64,
}

/// Where a region's last successful verification is kept.
fn state_file(regions: &Regions, region: &str) -> PathBuf {
    regions.db(region).with_extension("verified.json")
}

fn load(path: &Path) -> Option<Verified> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let head = match (v["seq"].as_i64(), v["hash"].as_str()) {
        (Some(seq), Some(hash)) => Some((seq, hash.to_string())),
        _ => None,
    };
    Some(Verified {
        at_s: v["at_s"].as_f64()?,
        head,
        sweep_from: v["sweep_from"].as_i64().unwrap_or(0),
    })
}

fn store(path: &Path, v: &Verified) -> std::io::Result<()> {
    let body = json!({
        "at_s": v.at_s,
        "seq": v.head.as_ref().map(|h| h.0),
        "hash": v.head.as_ref().map(|h| h.1.clone()),
        "sweep_from": v.sweep_from,
    });
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&body).unwrap_or_default())?;
    std::fs::rename(&tmp, path)
}

/// The verifier's configuration.
pub struct Verifier {
    pub regions: Regions,
    pub keys: KeySource,
    pub interval: Duration,
    /// Older records re-verified per run (0 = none).
    pub sweep: u64,
    pub metrics: Metrics,
}

impl Verifier {
    /// Starts the verification thread (none when the interval is 0). It is not joined at
    /// shutdown: a verification holds nothing that must be released cleanly.
    pub fn spawn(self, ctx: RunCtx) -> std::io::Result<()> {
        if self.interval.is_zero() {
            tracing::warn!("periodic archive verification is off (verify_interval_s = 0)");
            return Ok(());
        }
        std::thread::Builder::new()
            .name("wcp-verify".into())
            .spawn(move || self.run(&ctx))
            .map(|_| ())
    }

    fn run(&self, ctx: &RunCtx) {
        // Regions are looked for often (a new one is verified as soon as it is signed),
        // verified per interval.
        let tick = self.interval.min(Duration::from_secs(5));
        let mut last_run: BTreeMap<String, Instant> = BTreeMap::new();
        let mut seen: BTreeMap<String, Option<Verified>> = BTreeMap::new();
        // Regions found signed once (they stay so), and those reported not yet verifiable.
        let mut signed: BTreeSet<String> = BTreeSet::new();
        let mut waiting: BTreeSet<String> = BTreeSet::new();
        // Per region: the WAL problems of the last damaged WAL saved, and where (one copy per
        // finding, not one per failed run).
        let mut saved: BTreeMap<String, (Vec<String>, PathBuf)> = BTreeMap::new();
        loop {
            for region in self.regions.existing().unwrap_or_default() {
                let state = seen
                    .entry(region.clone())
                    .or_insert_with(|| load(&state_file(&self.regions, &region)));
                let gauge = self
                    .metrics
                    .archive_last_verify
                    .with_label_values(&[&region]);
                gauge.set(state.as_ref().map_or(0.0, |v| v.at_s));
                let failures = self
                    .metrics
                    .archive_verify_failures
                    .with_label_values(&[&region]);
                if !signed.contains(&region) && (state.is_some() || self.is_signed(&region)) {
                    signed.insert(region.clone());
                }
                let since = last_run.get(&region).map(|t| t.elapsed());
                match next(signed.contains(&region), since, self.interval) {
                    Next::NotDue => continue,
                    Next::NotYetVerifiable => {
                        if waiting.insert(region.clone()) {
                            tracing::info!(
                                region = region.as_str(),
                                status = NOT_YET,
                                "archive not verified yet: it is verified once its first batch is signed"
                            );
                        }
                        continue;
                    }
                    Next::Verify => {}
                }
                last_run.insert(region.clone(), Instant::now());
                match self.verify_once(&region, state.as_ref()) {
                    Outcome::Verified(v) => {
                        waiting.remove(&region);
                        gauge.set(v.at_s);
                        if let Err(e) = store(&state_file(&self.regions, &region), &v) {
                            tracing::warn!(region = region.as_str(), error = %e, "verification state not saved");
                        }
                        *state = Some(v);
                    }
                    // Signed between the probe and the open cannot be undone; only a probe
                    // that erred lands here. Looked at again next tick, not counted.
                    Outcome::NotYetSigned => {
                        signed.remove(&region);
                        last_run.remove(&region);
                    }
                    Outcome::Failed(wal) => {
                        failures.inc();
                        if !wal.is_empty() {
                            self.keep_damaged_wal(&region, wal, &mut saved);
                        }
                    }
                }
                if ctx.shutdown_requested() {
                    return;
                }
            }
            if ctx.sleep(tick) {
                return;
            }
        }
    }

    /// Whether `region`'s archive has a signed checkpoint. A probe that fails says yes: the
    /// verification then runs and reports (and counts) the real error.
    fn is_signed(&self, region: &str) -> bool {
        wcp_archive::readiness::has_signed_checkpoint(&self.regions.db(region)).unwrap_or(true)
    }

    /// One verification of `region` (a failure is logged).
    fn verify_once(&self, region: &str, prev: Option<&Verified>) -> Outcome {
        let started = Instant::now();
        // Pinned to this archiver's own key: re-signed checkpoints under a replaced
        // published key do not pass.
        let pinned = self
            .regions
            .signing_key(region, &self.keys)
            .ok()
            .map(|k| k.verifying_key());
        let mut sweep_from = prev.map_or(0, |p| p.sweep_from);
        let mut swept = 0u64;
        let result =
            Archive::open_read_only(&self.regions.db(region), pinned.as_ref()).and_then(|a| {
                let Some((seq, hash)) = prev.and_then(|p| p.head.as_ref()) else {
                    return a.verify_report(pinned.as_ref(), 10);
                };
                let mut r = a.verify_after(pinned.as_ref(), *seq, hash)?;
                let head = r.last_signed.as_ref().map_or(*seq, |h| h.0);
                if r.ok && self.sweep > 0 && head > 0 {
                    if sweep_from >= head {
                        sweep_from = 0;
                    }
                    let to = (sweep_from + self.sweep as i64).min(head);
                    let old = a.verify_stretch(pinned.as_ref(), sweep_from, to, true)?;
                    swept = old.records_checked;
                    if !old.ok {
                        r = VerifyReport {
                            last_signed: r.last_signed,
                            ..old
                        };
                    }
                    sweep_from = if to >= head { 0 } else { to };
                }
                Ok(r)
            });
        // A file SQLite refuses as damaged, at opening too, is a failed verification (a
        // trial's changed byte of an encrypted archive was logged "could not run").
        let result = result.or_else(|e| wcp_archive::verify::damaged_report(&e).ok_or(e));
        let secs = started.elapsed().as_secs_f64();
        match result {
            Ok(r) if r.ok => {
                tracing::info!(
                    region,
                    records = r.records_checked,
                    older_records = swept,
                    checkpoints = r.checkpoints_checked,
                    seconds = secs,
                    "archive verified"
                );
                let at_s = wcp_model::clock::now_ms() as f64 / 1000.0;
                Outcome::Verified(Verified {
                    at_s,
                    head: r.last_signed.or_else(|| prev.and_then(|p| p.head.clone())),
                    sweep_from,
                })
            }
            Ok(r) => {
                log_failure(region, &r);
                let wal = r
                    .problems
                    .iter()
                    .filter(|p| p.kind == ProblemKind::FileDamaged && p.table == "WAL")
                    .map(|p| finding(&p.detail))
                    .collect();
                Outcome::Failed(wal)
            }
            Err(ArchiveError::NotYetSigned) => {
                tracing::info!(region, status = NOT_YET, "archive not verified yet");
                Outcome::NotYetSigned
            }
            Err(e) => {
                tracing::error!(region, error = %e, "archive verification could not run");
                Outcome::Failed(Vec::new())
            }
        }
    }

    /// Saves a byte-exact copy of `region`'s WAL beside it when a run found it damaged
    /// (`wal`: those problems), once per finding: the damage may be in a frame holding an
    /// older version of a page, which the next checkpoint (the RUNBOOK's clean stop) drops
    /// with the WAL (trial 15j D2). The copy is a new file, never overwritten or deleted;
    /// `wcp archive verify` checks it with the database. Its path is logged, nothing of its
    /// content.
    fn keep_damaged_wal(
        &self,
        region: &str,
        wal: Vec<String>,
        saved: &mut BTreeMap<String, (Vec<String>, PathBuf)>,
    ) {
        if let Some((seen, path)) = saved.get(region) {
            if *seen == wal {
                tracing::error!(
                    region,
                    saved_wal = %path.display(),
                    "the damaged WAL was saved before: keep that file with the archive's files (docs/RUNBOOK.md, WcpArchiveVerifyFailed)"
                );
                return;
            }
        }
        let db = self.regions.db(region);
        let to = wcp_archive::wal_copy::damaged_wal_path(&db, wcp_model::clock::now_ms());
        match Archive::open_read_only(&db, None).and_then(|a| a.save_wal(&to)) {
            Ok(Some(bytes)) => {
                tracing::error!(
                    region,
                    saved_wal = %to.display(),
                    bytes,
                    "damaged WAL saved as evidence: the next checkpoint may drop the altered frame, this copy keeps it; copy it with the archive's files and verify it (docs/RUNBOOK.md, WcpArchiveVerifyFailed)"
                );
                saved.insert(region.to_string(), (wal, to));
            }
            Ok(None) => tracing::error!(
                region,
                "the damaged WAL was checkpointed away before it could be saved"
            ),
            Err(e) => tracing::error!(
                region,
                saved_wal = %to.display(),
                error = %e,
                "the damaged WAL could not be saved"
            ),
        }
    }
}

/// What a region's status says until its writer has signed its first batch.
const NOT_YET: &str = "not yet verifiable: no checkpoint yet";

/// What to do with a region at one tick of the verifier.
#[derive(Debug, PartialEq)]
enum Next {
    /// Nothing is signed yet (a region created a moment ago): neither verified nor counted
    /// as a failure; looked at again at the next tick, so it is verified within a tick of
    /// its first checkpoint rather than an interval later.
    NotYetVerifiable,
    Verify,
    /// Verified less than an interval ago.
    NotDue,
}

/// The pure decision: `signed` from the archive's probe, `since_last` the time since the
/// region's last verification run (None: never run).
fn next(signed: bool, since_last: Option<Duration>, interval: Duration) -> Next {
    if !signed {
        return Next::NotYetVerifiable;
    }
    match since_last {
        Some(elapsed) if elapsed < interval => Next::NotDue,
        _ => Next::Verify,
    }
}

/// How one verification run ended.
enum Outcome {
    Verified(Verified),
    NotYetSigned,
    /// The WAL problems found (each a frame of `<db>-wal`), if any.
    Failed(Vec<String>),
}

/// What identifies a WAL finding across runs: its line up to the first `:` or `,`
/// ("archive-cn.db-wal frame 12 (page 3) fails its checksum"), without the count of frames
/// after it, which grows with every commit.
fn finding(detail: &str) -> String {
    detail
        .split([':', ','])
        .next()
        .unwrap_or(detail)
        .to_string()
}

/// Names what failed without any message id, participant or content.
fn log_failure(region: &str, r: &VerifyReport) {
    let first = r.first_problem();
    tracing::error!(
        region,
        problems = r.problems_total,
        first_kind = first.map(|p| p.kind.as_str()).unwrap_or("-"),
        first_seq = first.map(|p| p.seq).unwrap_or(0),
        first_table = first.map(|p| p.table.as_str()).unwrap_or("-"),
        "ARCHIVE VERIFICATION FAILED: the archive may have been altered; preserve the volume and run `wcp archive verify`"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsigned_region_waits_uncounted_and_a_signed_one_runs_per_interval() {
        let six_h = Duration::from_secs(6 * 3600);
        // A region created a moment ago: never verified, whatever the clock says.
        assert_eq!(next(false, None, six_h), Next::NotYetVerifiable);
        assert_eq!(
            next(false, Some(Duration::from_secs(7 * 3600)), six_h),
            Next::NotYetVerifiable
        );
        // Its first checkpoint exists: verified at once, not an interval later.
        assert_eq!(next(true, None, six_h), Next::Verify);
        assert_eq!(
            next(true, Some(Duration::from_secs(5)), six_h),
            Next::NotDue
        );
        assert_eq!(next(true, Some(six_h), six_h), Next::Verify);
    }

    #[test]
    fn a_wal_finding_is_the_same_while_the_wal_grows() {
        let at = |n: u32| {
            format!(
                "archive-cn.db-wal frame 12 (page 3) fails its checksum: SQLite's next recovery \
                 would drop it and the {n} committed frames after it: its bytes were changed"
            )
        };
        assert_eq!(finding(&at(5)), finding(&at(9)));
        assert_eq!(
            finding(&at(5)),
            "archive-cn.db-wal frame 12 (page 3) fails its checksum"
        );
        assert_ne!(
            finding("archive-cn.db-wal frame 13 (page 3): HMAC verification failed"),
            finding("archive-cn.db-wal frame 12 (page 3): HMAC verification failed")
        );
    }

    #[test]
    fn state_round_trips_and_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("archive-cn.verified.json");
        assert_eq!(load(&p), None);
        let v = Verified {
            at_s: 1_700_000_000.5,
            head: Some((42, "ab".repeat(32))),
            sweep_from: 17,
        };
        store(&p, &v).unwrap();
        assert_eq!(load(&p), Some(v));
        // Not an archive: the writer and the verifier never take it for a region.
        let regions = Regions::new(dir.path());
        assert_eq!(regions.existing().unwrap(), Vec::<String>::new());
        assert_eq!(state_file(&regions, "cn"), p);
    }
}
