//! `wcp review --dir OUT` follows its folder while it serves: a later `wcp run --out OUT`
//! appends to `alerts.jsonl` and to the region archives, and those alerts (and the sample of
//! the new business messages) reach the open console within one tick, without a restart.
//!
//! `alerts.jsonl` is read from the byte after the last complete line read before: a line
//! still being written (no newline yet) waits for the next tick, so it is never reported
//! as broken; a file that shrank was replaced (`wcp run --force`) and is read again from
//! its start (queued alert ids are skipped). A region archive that appears after the start
//! is reported once: the console serves the regions it found at its start.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use wcp_review::ReviewError;

use crate::feed::{queue_lines, FileReport, Sampler};
use crate::state::Console;

/// Bytes of `alerts.jsonl` read at a time (bounds memory on a large file).
const CHUNK: u64 = 8 << 20;

/// What one [`Follow::tick`] added.
#[derive(Debug, Default)]
pub struct Tick {
    pub alerts: FileReport,
    pub sampled: u64,
    /// Regions whose archive appeared since the start (each reported once).
    pub new_regions: Vec<String>,
}

/// What to print about a failing tick. A cause that lasts (the folder unmounted, a locked
/// archive) fails every tick, every 2 s: printing each failure would bury the console's
/// other lines, so a failure is printed when its cause first appears or changes, and its
/// end once, with how many ticks failed meanwhile.
#[derive(Debug, Default)]
pub struct ErrorGate {
    /// The last failure printed, and the failed ticks since it was printed.
    current: Option<(String, u64)>,
}

impl ErrorGate {
    /// A failed tick: the line to print, or None while the same cause repeats.
    pub fn failed(&mut self, cause: &str) -> Option<String> {
        match &mut self.current {
            Some((last, repeats)) if last == cause => {
                *repeats += 1;
                None
            }
            _ => {
                self.current = Some((cause.to_string(), 0));
                Some(cause.to_string())
            }
        }
    }

    /// A tick that worked: after failures, the line saying that following works again.
    pub fn succeeded(&mut self) -> Option<String> {
        let (_, repeats) = self.current.take()?;
        Some(match repeats {
            0 => "working again".to_string(),
            n => format!("working again ({n} more failed ticks not printed)"),
        })
    }
}

pub struct Follow {
    dir: PathBuf,
    alerts: PathBuf,
    /// Byte offset after the last complete line read, and that line's number.
    offset: u64,
    line: u64,
    sampler: Sampler,
    known_regions: BTreeSet<String>,
}

impl Follow {
    /// Follows `dir`'s `alerts.jsonl` from its start, and the archives of `c`'s regions.
    pub fn new(dir: &Path, c: &Console, sampler: Sampler) -> Follow {
        Follow {
            dir: dir.to_path_buf(),
            alerts: dir.join("alerts.jsonl"),
            offset: 0,
            line: 0,
            sampler,
            known_regions: c.regions.iter().map(|r| r.name.clone()).collect(),
        }
    }

    /// The path of the followed alerts file.
    pub fn alerts_path(&self) -> &Path {
        &self.alerts
    }

    /// See [`Sampler::settle_from_now`].
    pub fn settle_from_now(&mut self) {
        self.sampler.settle_from_now();
    }

    /// Queues the alerts appended since the last tick, then draws the sample of the messages
    /// archived since (alerts first, so a message with an alert is not drawn as a sample).
    pub fn tick(&mut self, c: &Console) -> Result<Tick, ReviewError> {
        let alerts = self.read_alerts(c)?;
        let sampled = self.sampler.tick(c)?;
        let mut new_regions = Vec::new();
        for r in crate::dir::archives(&self.dir)?.into_iter().map(|(r, _)| r) {
            if self.known_regions.insert(r.clone()) {
                new_regions.push(r);
            }
        }
        Ok(Tick {
            alerts,
            sampled,
            new_regions,
        })
    }

    fn read_alerts(&mut self, c: &Console) -> Result<FileReport, ReviewError> {
        let mut rep = FileReport::default();
        let mut file = match std::fs::File::open(&self.alerts) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(rep),
            Err(e) => return Err(e.into()),
        };
        let len = file.metadata()?.len();
        if len < self.offset {
            (self.offset, self.line) = (0, 0);
        }
        while self.offset < len {
            file.seek(SeekFrom::Start(self.offset))?;
            let mut buf = Vec::new();
            (&mut file)
                .take(CHUNK.min(len - self.offset))
                .read_to_end(&mut buf)?;
            let complete = match buf.iter().rposition(|b| *b == b'\n') {
                Some(i) => i + 1,
                // A line longer than a whole chunk: reported, skipped to the next chunk.
                None if buf.len() as u64 == CHUNK => {
                    self.line += 1;
                    rep.rejected
                        .push((self.line, format!("a line longer than {CHUNK} bytes")));
                    self.offset += CHUNK;
                    continue;
                }
                // The last line is still being written: the next tick reads it.
                None => break,
            };
            let first = self.line;
            // Without the last newline, the split yields exactly the complete lines.
            let lines = buf[..complete - 1]
                .split(|b| *b == b'\n')
                .enumerate()
                .map(|(i, l)| {
                    Ok((
                        first + i as u64 + 1,
                        String::from_utf8_lossy(l).into_owned(),
                    ))
                });
            let part = queue_lines(c, lines)?;
            merge(&mut rep, part);
            self.line += count_lines(&buf[..complete]);
            self.offset += complete as u64;
        }
        Ok(rep)
    }
}

/// Complete lines in `b` (each ends with a newline).
fn count_lines(b: &[u8]) -> u64 {
    b.iter().filter(|x| **x == b'\n').count() as u64
}

fn merge(into: &mut FileReport, part: FileReport) {
    into.lines += part.lines;
    into.added += part.added;
    into.unrouted += part.unrouted;
    into.rejected.extend(part.rejected);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{lock, Region, Settings, Shared};
    use std::io::Write;
    use wcp_review::{chain, items, ConsoleStore, RegionStore};

    fn console(dir: &Path) -> Shared {
        let key = chain::load_or_create_key(&dir.join("review.key")).unwrap();
        let store = RegionStore::open(&dir.join("review-cn.db"), "cn", key.clone()).unwrap();
        let regions = vec![Region::new("cn".into(), store, None, None)];
        let console = ConsoleStore::open(&dir.join("review-console.db"), key).unwrap();
        crate::state::Console::new(console, regions, Settings::default())
    }

    fn line(msgid: &str) -> String {
        format!(
            r#"{{"alert_id":"{msgid}:x","msgid":"{msgid}","conversation_id":"a|b","category":"x","severity":"high","rule_id":"r","time_ms":1,"evidence":[],"region":"cn"}}"#
        )
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    /// Appended alerts are queued at the next tick, each line read once (a broken line is
    /// reported once, with its line number), and a line still being written waits.
    #[test]
    fn appended_alerts_are_queued_once_and_a_partial_line_waits() {
        let dir = tempfile::tempdir().unwrap();
        let c = console(dir.path());
        let mut f = Follow::new(dir.path(), &c, Sampler::new(0, "s", false));
        assert_eq!(f.tick(&c).unwrap().alerts.lines, 0, "no file yet");
        let file = f.alerts_path().to_path_buf();
        append(&file, &format!("{}\n{{broken\n", line("m1")));
        let t = f.tick(&c).unwrap();
        assert_eq!((t.alerts.lines, t.alerts.added), (2, 1));
        assert_eq!(t.alerts.rejected.len(), 1);
        assert_eq!(t.alerts.rejected[0].0, 2);
        let again = f.tick(&c).unwrap();
        assert_eq!((again.alerts.lines, again.alerts.rejected.len()), (0, 0));

        // Half a line: not read (not reported as broken) until its newline is written.
        let m2 = line("m2");
        let (head, tail) = m2.split_at(40);
        append(&file, head);
        let t = f.tick(&c).unwrap();
        assert_eq!((t.alerts.lines, t.alerts.rejected.len()), (0, 0));
        append(&file, &format!("{tail}\n{}\n", line("m3")));
        let t = f.tick(&c).unwrap();
        assert_eq!((t.alerts.lines, t.alerts.added), (2, 2));
        assert!(t.alerts.rejected.is_empty(), "{:?}", t.alerts.rejected);
        let has = |m: &str| items::has_msgid(&lock(&c.regions[0].store), m).unwrap();
        assert!(has("m1") && has("m2") && has("m3"));

        // Replaced by a shorter file (`wcp run --force`): read again, queued ids skipped.
        std::fs::write(&file, format!("{}\n", line("m4"))).unwrap();
        let t = f.tick(&c).unwrap();
        assert_eq!((t.alerts.lines, t.alerts.added), (1, 1));
        assert!(has("m4"));
    }

    /// A lasting failure is printed once, a new cause again, and the recovery once with
    /// the count of the failures not printed.
    #[test]
    fn a_repeated_failure_is_printed_once() {
        let mut g = ErrorGate::default();
        assert_eq!(g.succeeded(), None, "nothing failed");
        assert_eq!(g.failed("locked").as_deref(), Some("locked"));
        assert_eq!(g.failed("locked"), None);
        assert_eq!(g.failed("locked"), None);
        assert_eq!(
            g.succeeded().as_deref(),
            Some("working again (2 more failed ticks not printed)")
        );
        assert_eq!(g.succeeded(), None);
        assert_eq!(g.failed("locked").as_deref(), Some("locked"));
        assert_eq!(g.failed("gone").as_deref(), Some("gone"), "a new cause");
        assert_eq!(g.succeeded().as_deref(), Some("working again"));
    }

    /// A region archive that appears after the start is reported once.
    #[test]
    fn a_new_region_archive_is_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let c = console(dir.path());
        let mut f = Follow::new(dir.path(), &c, Sampler::new(0, "s", false));
        std::fs::write(dir.path().join("archive-cn.db"), b"").unwrap();
        assert!(f.tick(&c).unwrap().new_regions.is_empty(), "cn is served");
        std::fs::write(dir.path().join("archive-sg.db"), b"").unwrap();
        assert_eq!(f.tick(&c).unwrap().new_regions, ["sg"]);
        assert!(f.tick(&c).unwrap().new_regions.is_empty());
    }
}
