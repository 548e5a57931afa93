//! The JSON Lines outputs of `wcp run`, appended run after run into the same folder: every
//! line carries the `run_id` of the run that wrote it, and `runs.jsonl` says when each run
//! started and what it wrote (its summary).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wcp_model::{Alert, ConsentRecord, DeadLetter};

use super::lines::copy_record;
use crate::cmd::outdir::OutDir;

pub const ALERTS: &str = "alerts.jsonl";
pub const ANONYMISED: &str = "anonymised.jsonl";
pub const DEAD_LETTERS: &str = "dead_letters.jsonl";
pub const LEDGER: &str = "consent_ledger.jsonl";
pub const RUNS: &str = "runs.jsonl";
pub const SUMMARY: &str = "summary.json";

#[derive(Clone, Copy)]
pub enum Sink {
    Alerts,
    Anonymised,
    DeadLetters,
    Ledger,
}

/// A record with the id of the run that wrote it in front.
#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    run_id: &'a str,
    #[serde(flatten)]
    value: &'a T,
}

pub struct Writers {
    run_id: String,
    files: [BufWriter<File>; 4],
    /// The files' paths, to name the one a write failed on (a full disk: trial 17a D16).
    paths: [PathBuf; 4],
}

/// The JSON Lines files a run appends to (`Writers` and `runs.jsonl`): after a failed run
/// each is cut back to its last whole line ([`trim_partial_lines`]).
pub const APPENDED: [&str; 5] = [ALERTS, ANONYMISED, DEAD_LETTERS, LEDGER, RUNS];

impl Writers {
    pub fn open(out: &mut OutDir, run_id: &str) -> anyhow::Result<Writers> {
        let mut open = |name: &str| -> anyhow::Result<BufWriter<File>> {
            let p = out.own(name)?;
            Ok(BufWriter::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&p)
                    .with_context(|| format!("opening {}", p.display()))?,
            ))
        };
        let files = [
            open(ALERTS)?,
            open(ANONYMISED)?,
            open(DEAD_LETTERS)?,
            open(LEDGER)?,
        ];
        Ok(Writers {
            run_id: run_id.to_string(),
            files,
            paths: [ALERTS, ANONYMISED, DEAD_LETTERS, LEDGER].map(|n| out.path().join(n)),
        })
    }

    pub fn line<T: Serialize>(&mut self, sink: Sink, value: &T) -> anyhow::Result<()> {
        let w = &mut self.files[sink as usize];
        let tagged = Tagged {
            run_id: &self.run_id,
            value,
        };
        serde_json::to_writer(&mut *w, &tagged)
            .map_err(std::io::Error::from)
            .and_then(|()| w.write_all(b"\n"))
            .with_context(|| format!("writing {}", self.paths[sink as usize].display()))
    }

    /// The dead letter of a line over the record limit (`letter.original` empty), its bytes
    /// streamed from the input (never held in memory), in the same shape as every other dead
    /// letter. Returns the bytes' fingerprint (`dead_letters::Fingerprint`).
    pub fn streamed_dead_letter(
        &mut self,
        input: &Path,
        letter: &DeadLetter,
        start: u64,
        len: u64,
    ) -> anyhow::Result<u64> {
        let path = self.paths[Sink::DeadLetters as usize].clone();
        self.streamed(input, letter, start, len)
            .with_context(|| format!("writing {}", path.display()))
    }

    fn streamed(
        &mut self,
        input: &Path,
        letter: &DeadLetter,
        start: u64,
        len: u64,
    ) -> anyhow::Result<u64> {
        let w = &mut self.files[Sink::DeadLetters as usize];
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        // The encoding is known only after the copy: it is written last.
        write!(
            w,
            "{{\"run_id\":{},\"source\":{},\"stage\":\"ingest\",\"reason_code\":{},\"reason\":{},\"original\":\"",
            s(&self.run_id),
            s(&letter.source),
            s(&letter.reason_code),
            s(&letter.reason)
        )?;
        let (enc, fingerprint) = copy_record(input, start, len, w)?;
        writeln!(
            w,
            "\",\"original_encoding\":{}}}",
            serde_json::to_string(&enc)?
        )?;
        Ok(fingerprint)
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        for (w, p) in self.files.iter_mut().zip(&self.paths) {
            w.flush()
                .with_context(|| format!("writing {}", p.display()))?;
        }
        Ok(())
    }
}

/// Cuts each of the run's JSON Lines files in `out` back to its last whole line: a write
/// that failed part-way (a full disk) leaves no half line for the next run, or a reader, to
/// trip over. Returns the files that were cut. Cutting frees space, so it works on a full
/// volume.
pub fn trim_partial_lines(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut cut = Vec::new();
    for name in APPENDED {
        let p = out.join(name);
        let Ok(mut f) = OpenOptions::new().read(true).write(true).open(&p) else {
            continue;
        };
        let len = f.metadata()?.len();
        // Back from the end in blocks to the last newline (a line can be 16 MiB long).
        let mut end = len;
        let mut keep = 0;
        let mut buf = vec![0u8; 64 * 1024];
        while end > 0 {
            let from = end.saturating_sub(buf.len() as u64);
            let n = (end - from) as usize;
            f.seek(SeekFrom::Start(from))?;
            f.read_exact(&mut buf[..n])
                .with_context(|| format!("reading {}", p.display()))?;
            if let Some(i) = buf[..n].iter().rposition(|b| *b == b'\n') {
                keep = from + i as u64 + 1;
                break;
            }
            end = from;
        }
        if keep < len {
            f.set_len(keep)
                .with_context(|| format!("cutting {} back to its last whole line", p.display()))?;
            cut.push(p);
        }
    }
    Ok(cut)
}

/// Consent records of earlier runs into this folder (the ledger file), read as a stream.
pub fn each_ledger_record(out: &Path, f: impl FnMut(ConsentRecord)) -> anyhow::Result<u64> {
    each_line(out, LEDGER, "a consent record", f)
}

/// Alerts of earlier runs into this folder (`alerts.jsonl`), read as a stream.
pub fn each_alert(out: &Path, f: impl FnMut(Alert)) -> anyhow::Result<u64> {
    each_line(out, ALERTS, "an alert", f)
}

/// Every record of one of the folder's JSON Lines files (none when it does not exist yet).
fn each_line<T: DeserializeOwned>(
    out: &Path,
    name: &str,
    what: &str,
    mut f: impl FnMut(T),
) -> anyhow::Result<u64> {
    let p = out.join(name);
    let Ok(file) = File::open(&p) else {
        return Ok(0);
    };
    let mut n = 0;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", p.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        // A line that does not parse would silently forget a refusal or a flagged message:
        // stop instead.
        let rec: T = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not {what}", p.display(), i + 1))?;
        f(rec);
        n += 1;
    }
    Ok(n)
}

/// The next run id: one more than the runs this folder has seen (`r1`, `r2`, …).
pub fn next_run_id(out: &Path) -> anyhow::Result<String> {
    let started = match File::open(out.join(RUNS)) {
        Ok(f) => BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter(|l| l.contains("\"event\":\"started\""))
            .count(),
        Err(_) => 0,
    };
    Ok(format!("r{}", started + 1))
}

/// Appends one event to `runs.jsonl`.
pub fn log_run(out: &mut OutDir, entry: &serde_json::Value) -> anyhow::Result<()> {
    let p = out.own(RUNS)?;
    // One write of the whole line: a full disk cuts it at worst, never interleaves it.
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(&p)
        .and_then(|mut f| f.write_all(&line))
        .with_context(|| format!("writing {}", p.display()))
}
