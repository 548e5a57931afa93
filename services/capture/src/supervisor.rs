//! The parent's side of the SDK child: spawn, `Init`, calls with a deadline, and a restart
//! after a crash or a hang (counted in `wcp_capture_child_restarts_total`). The caller
//! retries the failed call, so a restart resumes from the same cursor.

use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use wecom_sdk::{classify, describe, CodeClass};

use crate::child::{CHILD_ARG, LIBRARY_ENV, PARENT_ENV};
use crate::deadline::{Deadline, Verdict};
use crate::metrics::CaptureMetrics;
use crate::proto::{num, read_frame, text, write_frame, Frame};

/// How long a fresh child may take to load the library and answer `Init`.
const START_LIMIT: Duration = Duration::from_secs(30);

/// What the child needs to start and initialise the SDK.
#[derive(Clone)]
pub struct ChildSpec {
    /// `chat` or `media` (a metric label): each has a child of its own, so a media download
    /// stuck in the library never holds up the text stream.
    pub role: &'static str,
    pub exe: PathBuf,
    pub library: PathBuf,
    pub corp_id: String,
    pub secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The SDK answered with a non-zero return code.
    #[error("SDK return code {0}: {d}", d = describe(*.0))]
    Code(i32),
    #[error("the SDK child crashed ({0}); it is restarted on the next call")]
    Crashed(String),
    #[error("the SDK call did not return within {0:?}; the child was killed")]
    Hung(Duration),
    /// Nothing a retry can fix: the library cannot be loaded, or `Init` was refused for good.
    #[error("{0}")]
    Fatal(String),
}

struct Running {
    proc: Child,
    stdin: ChildStdin,
    rx: Receiver<std::io::Result<Frame>>,
}

pub struct Supervisor {
    spec: ChildSpec,
    child: Option<Running>,
    metrics: CaptureMetrics,
}

impl Supervisor {
    pub fn new(spec: ChildSpec, metrics: CaptureMetrics) -> Supervisor {
        Supervisor {
            spec,
            child: None,
            metrics,
        }
    }

    /// Starts the child now (at service start: a missing library stops the service before
    /// it joins anything).
    pub fn start(&mut self) -> Result<(), CallError> {
        if self.child.is_none() {
            self.spawn()?;
        }
        Ok(())
    }

    /// One request with a deadline. A crash or hang kills and forgets the child (the next
    /// call starts a new one).
    pub fn call(&mut self, req: &[&[u8]], limit: Duration) -> Result<Frame, CallError> {
        self.start()?;
        let answer = self.exchange(req, limit)?;
        match text(answer.first()).as_str() {
            "ok" => Ok(answer[1..].to_vec()),
            "err" => Err(CallError::Code(num(answer.get(1)).unwrap_or(10003))),
            "fatal" => Err(CallError::Fatal(text(answer.get(1)))),
            other => {
                self.kill("protocol");
                Err(CallError::Crashed(format!("unexpected answer `{other}`")))
            }
        }
    }

    fn exchange(&mut self, req: &[&[u8]], limit: Duration) -> Result<Frame, CallError> {
        let Some(run) = self.child.as_mut() else {
            return Err(CallError::Crashed("not running".into()));
        };
        if write_frame(&mut run.stdin, req).is_err() {
            return Err(self.crashed());
        }
        match await_answer(&run.rx, self.spec.role, limit) {
            Waited::Answer(frame) => Ok(frame),
            Waited::Broken => Err(self.crashed()),
            Waited::Hung => {
                tracing::error!(
                    role = self.spec.role,
                    limit_s = limit.as_secs(),
                    "SDK call hung; killing the SDK child"
                );
                self.kill("hang");
                Err(CallError::Hung(limit))
            }
        }
    }

    /// The child's pipe broke: reap it and say how it ended.
    fn crashed(&mut self) -> CallError {
        let status = match self.child.take() {
            Some(mut run) => {
                drop(run.stdin);
                // The pipe closes a moment before the exit status is ready.
                let mut status = None;
                for _ in 0..100 {
                    if let Ok(Some(s)) = run.proc.try_wait() {
                        status = Some(s);
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                if status.is_none() {
                    let _ = run.proc.kill();
                    status = run.proc.wait().ok();
                }
                status
                    .map(describe_exit)
                    .unwrap_or_else(|| "unknown".into())
            }
            None => "not running".into(),
        };
        tracing::error!(role = self.spec.role, status = %status, "the SDK child died; restarting it");
        self.count_restart("crash");
        CallError::Crashed(status)
    }

    fn kill(&mut self, reason: &'static str) {
        if let Some(mut run) = self.child.take() {
            let _ = run.proc.kill();
            let _ = run.proc.wait();
            self.count_restart(reason);
        }
    }

    fn count_restart(&self, reason: &str) {
        self.metrics
            .child_restarts
            .with_label_values(&[self.spec.role, reason])
            .inc();
    }

    fn spawn(&mut self) -> Result<(), CallError> {
        let mut proc = Command::new(&self.spec.exe)
            .arg(CHILD_ARG)
            .env(LIBRARY_ENV, &self.spec.library)
            .env(PARENT_ENV, std::process::id().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                CallError::Fatal(format!(
                    "cannot start the SDK child {}: {e}",
                    self.spec.exe.display()
                ))
            })?;
        let (Some(stdin), Some(stdout)) = (proc.stdin.take(), proc.stdout.take()) else {
            let _ = proc.kill();
            return Err(CallError::Fatal("SDK child without pipes".into()));
        };
        // Bounded: one answer in flight at a time.
        let (tx, rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name(format!("wcp-sdk-{}", self.spec.role))
            .spawn(move || {
                let mut r = BufReader::new(stdout);
                loop {
                    let frame = read_frame(&mut r);
                    let end = frame.is_err();
                    if tx.send(frame).is_err() || end {
                        return;
                    }
                }
            })
            .map_err(|e| CallError::Fatal(format!("cannot start a reader thread: {e}")))?;
        self.child = Some(Running { proc, stdin, rx });
        let ready = self.exchange_ready()?;
        if text(ready.first()) == "fatal" {
            self.kill("load");
            return Err(CallError::Fatal(text(ready.get(1))));
        }
        let secret = self.spec.secret.clone();
        let corp = self.spec.corp_id.clone();
        match self.call_raw(&[b"init", corp.as_bytes(), secret.as_bytes()])? {
            Ok(()) => Ok(()),
            Err(code) => {
                self.kill("init");
                if classify(code) == CodeClass::Fatal {
                    Err(CallError::Fatal(format!(
                        "the WeCom SDK refused Init for corp {corp}: code {code}: {}",
                        describe(code)
                    )))
                } else {
                    Err(CallError::Code(code))
                }
            }
        }
    }

    fn exchange_ready(&mut self) -> Result<Frame, CallError> {
        let Some(run) = self.child.as_mut() else {
            return Err(CallError::Crashed("not running".into()));
        };
        match await_answer(&run.rx, self.spec.role, START_LIMIT) {
            Waited::Answer(frame) => Ok(frame),
            Waited::Broken => Err(self.crashed()),
            Waited::Hung => {
                self.kill("hang");
                Err(CallError::Hung(START_LIMIT))
            }
        }
    }

    /// `init`: Ok(Ok) or the SDK's code.
    fn call_raw(&mut self, req: &[&[u8]]) -> Result<Result<(), i32>, CallError> {
        let answer = self.exchange(req, START_LIMIT)?;
        Ok(match text(answer.first()).as_str() {
            "ok" => Ok(()),
            _ => Err(num(answer.get(1)).unwrap_or(10003)),
        })
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        if let Some(mut run) = self.child.take() {
            drop(run.stdin);
            // A child stuck in the library would not see the pipe close.
            let _ = run.proc.kill();
            let _ = run.proc.wait();
        }
    }
}

enum Waited {
    Answer(Frame),
    /// The pipe broke: the child died.
    Broken,
    Hung,
}

/// Waits for the child's answer for `limit` of time this process was watching (see
/// `deadline`: a parent stopped and resumed does not take the child for hung).
fn await_answer(rx: &Receiver<std::io::Result<Frame>>, role: &str, limit: Duration) -> Waited {
    let mut deadline = Deadline::new(limit);
    let mut wait = deadline.first_wait();
    loop {
        let start = Instant::now();
        match rx.recv_timeout(wait) {
            Ok(Ok(frame)) => return Waited::Answer(frame),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => return Waited::Broken,
            Err(RecvTimeoutError::Timeout) => match deadline.waited(wait, start.elapsed()) {
                Verdict::Wait(next) => wait = next,
                Verdict::Hung => return Waited::Hung,
                Verdict::Suspended(gap) => {
                    tracing::warn!(
                        role,
                        gap_s = gap.as_secs(),
                        "this process was not running for a while (stopped or paused); \
                         waiting for the SDK call again rather than calling it hung"
                    );
                    wait = deadline.first_wait();
                }
            },
        }
    }
}

fn describe_exit(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match s.signal() {
        Some(sig) => format!("killed by signal {sig}"),
        None => format!("exit code {}", s.code().unwrap_or(-1)),
    }
}
