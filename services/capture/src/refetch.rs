//! `wcp-capture refetch --from A --to B`: the seqs A..=B fetched again from the SDK
//! (GetChatData after A-1, as the live capture does), decrypted, and written to `wecom.raw`
//! in one transaction per batch — each message only when `wecom.raw` does not hold it yet
//! (by seq or msgid), each undecryptable one to `chat.dlq` with its alert only when not
//! dead-lettered yet. The live cursor is neither read for resuming nor written; B past it is
//! refused, since the running capture fetches those itself.

use std::collections::BTreeMap;
use std::time::Duration;

use wcp_model::clock::now_ms;
use wecom_sdk::{classify, describe, CodeClass};

use crate::chatdata;
use crate::decrypt::{self, Outcome};
use crate::records;
use crate::recover::{counts, Failure, Tool};
use crate::supervisor::CallError;

/// Tries of one SDK call that fails transiently (network, crash, hang) before the run stops.
const TRIES: u32 = 4;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub from: u64,
    pub to: u64,
    pub fetched: usize,
    pub written: usize,
    pub already: usize,
    pub dead_lettered: usize,
    pub failing: BTreeMap<String, usize>,
    /// The first seq the SDK served, when after `from` (the ones before expired or never
    /// existed).
    pub first_served: Option<u64>,
    /// GetChatData answered 10010 (the data expired at Tencent).
    pub expired: bool,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "seq range: {}..{}", self.from, self.to)?;
        writeln!(f, "fetched from the SDK: {}", self.fetched)?;
        writeln!(f, "written to wecom.raw: {}", self.written)?;
        writeln!(f, "already in wecom.raw: {}", self.already)?;
        write!(
            f,
            "not decryptable: {} ({}); new dead letters: {}",
            self.failing.values().sum::<usize>(),
            counts(&self.failing),
            self.dead_lettered
        )?;
        if let Some(s) = self.first_served.filter(|s| *s > self.from) {
            write!(
                f,
                "\nthe SDK served from seq {s}: seqs before it are not at Tencent (expired)"
            )?;
        }
        if self.expired {
            write!(
                f,
                "\nGetChatData answered 10010: the rest of the range expired at Tencent"
            )?;
        }
        Ok(())
    }
}

/// `--from N --to M` taken out of `args`; the rest is config.
pub fn range(args: &[String]) -> Result<(u64, u64, Vec<String>), String> {
    let (mut from, mut to, mut rest) = (None, None, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let slot = match a.as_str() {
            "--from" => &mut from,
            "--to" => &mut to,
            _ => {
                rest.push(a.clone());
                continue;
            }
        };
        let v = it.next().ok_or(format!("{a} needs a seq"))?;
        *slot = Some(
            v.parse::<u64>()
                .map_err(|_| format!("{a}: `{v}` is not a seq"))?,
        );
    }
    match (from, to) {
        (Some(f), Some(t)) if f >= 1 && f <= t => Ok((f, t, rest)),
        (Some(f), Some(t)) => Err(format!("--from {f} --to {t}: need 1 <= FROM <= TO")),
        _ => Err("--from and --to are required".into()),
    }
}

pub fn run(args: &[String]) -> Result<Report, Failure> {
    let (from, to, rest) = range(args).map_err(Failure::Usage)?;
    let mut tool = Tool::start(&rest)?;
    let cursor = tool.cursor()?;
    if to > cursor {
        return Err(Failure::Usage(format!(
            "--to {to} is past the live capture's committed cursor {cursor}: the running capture fetches those itself (refetch covers seqs it already passed)"
        )));
    }
    let mut seen = tool.scan()?;
    let mut report = Report {
        from,
        to,
        ..Report::default()
    };
    let mut after = from - 1;
    while after < to {
        let want = (to - after).min(u64::from(tool.s.batch_limit)) as u32;
        let answer = match fetch(&mut tool, after, want)? {
            Some(a) => a,
            None => {
                report.expired = true;
                break;
            }
        };
        let items: Vec<_> = chatdata::parse(&answer, after)
            .map_err(|e| Failure::Run(format!("GetChatData: {e}")))?
            .into_iter()
            .filter(|i| i.seq <= to)
            .collect();
        let Some(last) = items.last().map(|i| i.seq) else {
            break;
        };
        report.first_served.get_or_insert(items[0].seq);
        report.fetched += items.len();
        let (limit, threads) = (tool.call_limit(), tool.s.decrypt_threads);
        let outcomes = decrypt::decrypt(items, &mut tool.keys, &mut tool.sup, threads, limit)
            .map_err(|e| Failure::Run(format!("DecryptData: {e}; run the command again")))?;
        let mut keep = Vec::new();
        for o in outcomes {
            match &o {
                Outcome::Plain { seq, bytes, .. } if seen.has_message(*seq, bytes) => {
                    report.already += 1;
                }
                Outcome::Plain { seq, bytes, .. } => {
                    seen.add_message(*seq, bytes);
                    report.written += 1;
                    keep.push(o);
                }
                Outcome::Dead { item, code, .. } => {
                    *report.failing.entry((*code).to_string()).or_default() += 1;
                    if !seen.has_dead_letter(item.seq) && !seen.has_seq(item.seq) {
                        seen.add_dead_letter(item.seq, &item.envelope);
                        report.dead_lettered += 1;
                        keep.push(o);
                    }
                }
            }
        }
        let outs = records::outcome_records(&tool.s.corp_id, &keep, now_ms())
            .map_err(|e| Failure::Run(e.to_string()))?;
        tool.commit(&outs)?;
        after = last;
    }
    tracing::info!(from, to, written = report.written, "refetch done");
    Ok(report)
}

/// One GetChatData after `after`; None when the data expired (10010). Transient failures
/// are retried with a backoff, the child restarted after a crash or hang.
fn fetch(tool: &mut Tool, after: u64, limit: u32) -> Result<Option<Vec<u8>>, Failure> {
    let s = &tool.s;
    let req = chatdata::request(after, limit, &s.proxy, &s.proxy_password, s.sdk_timeout_s);
    let req: Vec<&[u8]> = req.iter().map(Vec::as_slice).collect();
    let call_limit = tool.call_limit();
    let mut last = String::new();
    for attempt in 0..TRIES {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500 << attempt));
        }
        match tool.sup.call(&req, call_limit) {
            Ok(mut a) => return Ok(Some(a.swap_remove(0))),
            Err(CallError::Fatal(msg)) => return Err(Failure::Run(msg)),
            Err(CallError::Code(code)) => match classify(code) {
                CodeClass::Expired => return Ok(None),
                CodeClass::Transient => last = format!("{code}: {}", describe(code)),
                _ => {
                    return Err(Failure::Run(format!(
                        "GetChatData returned {code}: {} (docs/CAPTURE.md)",
                        describe(code)
                    )))
                }
            },
            Err(e) => last = e.to_string(),
        }
        tracing::warn!(attempt, error = %last, "GetChatData failed; retrying");
    }
    Err(Failure::Run(format!(
        "GetChatData after seq {after} failed {TRIES} times ({last}); nothing of this batch was written, run the command again"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_range_comes_out_of_the_arguments() {
        let (f, t, rest) = range(&args(&["--to", "9", "--corp-id", "x", "--from", "3"])).unwrap();
        assert_eq!((f, t, rest), (3, 9, args(&["--corp-id", "x"])));
        assert!(range(&args(&["--from", "3"]))
            .unwrap_err()
            .contains("required"));
        assert!(range(&args(&["--from", "9", "--to", "3"]))
            .unwrap_err()
            .contains("FROM <= TO"));
        assert!(range(&args(&["--from", "0", "--to", "3"])).is_err());
        assert!(range(&args(&["--from", "x", "--to", "3"]))
            .unwrap_err()
            .contains("`x`"));
        assert!(range(&args(&["--from"]))
            .unwrap_err()
            .contains("needs a seq"));
    }

    #[test]
    fn the_report_names_expired_parts() {
        let r = Report {
            from: 1,
            to: 20,
            fetched: 10,
            written: 4,
            already: 6,
            first_served: Some(11),
            ..Report::default()
        };
        let text = r.to_string();
        assert!(text.contains("written to wecom.raw: 4"), "{text}");
        assert!(text.contains("served from seq 11"), "{text}");
    }
}
