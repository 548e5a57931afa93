//! `wcp-capture redecrypt`: the capture's dead letters of this corp (their `original` is the
//! encrypted chatdata item) decrypted again with the keys installed now, each recovered
//! message written to `wecom.raw` as the live capture would have (bytes, headers `seq`,
//! `publickey_ver`, `corp_id`), in transactions; messages already there are skipped, so a
//! second run recovers nothing twice. Still-failing envelopes stay in `chat.dlq` as they
//! are (no new dead letter, no new alert).

use std::collections::BTreeMap;

use crate::chatdata;
use crate::decrypt::{self, Outcome};
use crate::records;
use crate::recover::{counts, Failure, Tool};

/// Envelopes per decrypt-and-commit round (as a GetChatData batch at most).
const PER_ROUND: usize = 1000;

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub dead_letters: usize,
    pub recovered: usize,
    pub already: usize,
    pub failing: BTreeMap<String, usize>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "dead letters of the capture in chat.dlq: {}\nrecovered (written to wecom.raw): {}\nalready in wecom.raw: {}\nstill failing: {} ({})",
            self.dead_letters,
            self.recovered,
            self.already,
            self.failing.values().sum::<usize>(),
            counts(&self.failing)
        )
    }
}

/// A GetChatData-shaped answer holding `envelopes`, so [`chatdata::parse`] reads them
/// exactly as it reads the SDK's items.
pub fn as_answer<'a>(envelopes: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = br#"{"errcode":0,"chatdata":["#.to_vec();
    for (i, e) in envelopes.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e);
    }
    out.extend_from_slice(b"]}");
    out
}

pub fn run(args: &[String]) -> Result<Report, Failure> {
    let mut tool = Tool::start(args)?;
    let mut seen = tool.scan()?;
    let mut report = Report::default();
    let mut todo: Vec<Vec<u8>> = Vec::new();
    for (seq, env) in seen.dead_letters() {
        report.dead_letters += 1;
        if seen.has_seq(seq) {
            report.already += 1;
        } else if serde_json::from_slice::<serde_json::Value>(env).is_err() {
            // Not JSON: cannot be an item of an answer (the capture keeps the item as received).
            *report
                .failing
                .entry("malformed_envelope".into())
                .or_default() += 1;
        } else {
            todo.push(env.to_vec());
        }
    }
    for round in todo.chunks(PER_ROUND) {
        let answer = as_answer(round.iter().map(Vec::as_slice));
        let items = chatdata::parse(&answer, 0)
            .map_err(|e| Failure::Run(format!("dead-lettered envelopes unreadable: {e}")))?;
        let limit = tool.call_limit();
        let threads = tool.s.decrypt_threads;
        let outcomes = decrypt::decrypt(items, &mut tool.keys, &mut tool.sup, threads, limit)
            .map_err(|e| Failure::Run(format!("DecryptData: {e}; run the command again")))?;
        let mut outs = Vec::new();
        for o in &outcomes {
            match o {
                Outcome::Plain { seq, ver, bytes } => {
                    if seen.has_message(*seq, bytes) {
                        report.already += 1;
                        continue;
                    }
                    seen.add_message(*seq, bytes);
                    outs.push(records::raw_record(&tool.s.corp_id, *seq, *ver, bytes));
                }
                Outcome::Dead { code, .. } => {
                    *report.failing.entry((*code).to_string()).or_default() += 1;
                }
            }
        }
        tool.commit(&outs)?;
        report.recovered += outs.len();
    }
    tracing::info!(
        recovered = report.recovered,
        already = report.already,
        failing = report.failing.values().sum::<usize>(),
        "redecrypt done"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_read_back_as_items() {
        let envs: Vec<&[u8]> = vec![
            br#"{"seq":6,"msgid":"b","publickey_ver":3,"encrypt_random_key":"K","encrypt_chat_msg":"M"}"#,
            br#"{"seq":5,"msgid":"a","publickey_ver":3,"encrypt_random_key":"K","encrypt_chat_msg":"M"}"#,
        ];
        let items = chatdata::parse(&as_answer(envs.into_iter()), 0).unwrap();
        assert_eq!(items.iter().map(|i| i.seq).collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(items[0].publickey_ver, 3);
        assert!(items[0].malformed.is_none());
        assert_eq!(
            chatdata::parse(&as_answer(std::iter::empty()), 0),
            Ok(vec![])
        );
    }

    #[test]
    fn the_report_says_what_happened() {
        let r = Report {
            dead_letters: 4,
            recovered: 2,
            already: 1,
            failing: BTreeMap::from([("unknown_publickey_ver".to_string(), 1)]),
        };
        let text = r.to_string();
        assert!(
            text.contains("recovered (written to wecom.raw): 2"),
            "{text}"
        );
        assert!(
            text.contains("still failing: 1 (unknown_publickey_ver: 1)"),
            "{text}"
        );
    }
}
