//! The order of `wcp tail chat.dlq --originals` when the tail ends by itself
//! (`--exit-when-idle`, `--max`): the order the originals were first written in, not the
//! order `chat.dlq`'s partitions happen to be read in (dead letters are keyed like their
//! source and spread over the partitions: two lines of a replay file came out swapped, trial
//! 15h D11). A `wecom.raw` line's own `seq` (the chat archive's order, which the capture
//! follows and `wcp produce --file` sends as the `seq` header) comes first; then the source
//! topic, partition and offset the dead letter records (`source`, `topic/partition/offset`).
//! Pure.

/// Where a dead letter's original sits in the order of the replay file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReplayKey {
    /// A `wecom.raw` line without a readable `seq` sorts after those with one.
    no_seq: bool,
    seq: u64,
    /// A source that is not `topic/partition/offset` sorts last (in the order read).
    no_source: bool,
    topic: String,
    partition: i32,
    offset: i64,
}

/// The key of an original read from `source` (the dead letter's field).
pub fn replay_key(source: &str, original: &[u8]) -> ReplayKey {
    let parsed = parse_source(source);
    let raw = parsed
        .as_ref()
        .is_some_and(|(t, _, _)| t.ends_with(wcp_model::topics::RAW));
    // Only a raw JSON line has a `seq` to read; a later stage's original is Avro.
    let seq = raw
        .then(|| wcp_stages::ingest::seq_in_head(original))
        .flatten();
    let (topic, partition, offset) = parsed.unwrap_or_default();
    ReplayKey {
        no_seq: seq.is_none(),
        seq: seq.unwrap_or(0),
        no_source: topic.is_empty(),
        topic,
        partition,
        offset,
    }
}

/// `topic/partition/offset` (a topic name holds no `/`).
fn parse_source(source: &str) -> Option<(String, i32, i64)> {
    let mut it = source.rsplitn(3, '/');
    let offset = it.next()?.parse().ok()?;
    let partition = it.next()?.parse().ok()?;
    let topic = it.next().filter(|t| !t.is_empty())?;
    Some((topic.to_string(), partition, offset))
}

/// Sorts `lines` (key, bytes) into replay order; equal keys keep the order read.
pub fn sort_for_replay(lines: &mut [(ReplayKey, Vec<u8>)]) {
    lines.sort_by(|a, b| a.0.cmp(&b.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(read: &[(&str, &str)]) -> Vec<String> {
        let mut lines: Vec<(ReplayKey, Vec<u8>)> = read
            .iter()
            .map(|(src, line)| (replay_key(src, line.as_bytes()), line.as_bytes().to_vec()))
            .collect();
        sort_for_replay(&mut lines);
        lines
            .into_iter()
            .map(|(_, l)| String::from_utf8(l).unwrap())
            .collect()
    }

    /// The trial: 600002 was read first (its dead letter on a lower chat.dlq partition), and
    /// the two came from different wecom.raw partitions.
    #[test]
    fn raw_lines_go_in_seq_order_whatever_partition_they_were_read_from() {
        let got = sorted(&[
            ("p.wecom.raw/0/9", r#"{"seq":600002,"msgid":"b","x":"#),
            ("p.wecom.raw/2/4", r#"{"seq":600001,"msgid":"a","x":"#),
        ]);
        assert_eq!(got[0], r#"{"seq":600001,"msgid":"a","x":"#);
        assert_eq!(got[1], r#"{"seq":600002,"msgid":"b","x":"#);
    }

    #[test]
    fn without_seq_by_source_partition_and_offset_and_unknown_sources_last() {
        let got = sorted(&[
            ("file:3", "f"),
            ("wecom.raw/1/7", "not json 2"),
            ("wecom.raw/1/5", "not json 1"),
            ("wecom.raw/0/9", "not json 0"),
            ("wecom.raw/1/6", r#"{"seq":5}"#),
            ("nonsense", "n"),
        ]);
        assert_eq!(
            got,
            [
                r#"{"seq":5}"#,
                "not json 0",
                "not json 1",
                "not json 2",
                "f",
                "n"
            ]
        );
        // A later stage's original: no seq read from its bytes, source order only.
        let avro_like = sorted(&[
            ("chat.events/0/2", r#"{"seq":1}"#),
            ("chat.events/0/1", r#"{"seq":2}"#),
        ]);
        assert_eq!(avro_like, [r#"{"seq":2}"#, r#"{"seq":1}"#]);
    }

    #[test]
    fn sources_are_parsed_from_the_right() {
        assert_eq!(
            parse_source("e2e-x.wecom.raw/12/345"),
            Some(("e2e-x.wecom.raw".into(), 12, 345))
        );
        assert_eq!(parse_source("file:3"), None);
        assert_eq!(parse_source("/1/2"), None);
        assert_eq!(parse_source("t/x/2"), None);
    }
}
