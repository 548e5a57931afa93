//! wcp-passthrough: copies records from `--from` to `--to` with the same transactional loop
//! as the real services and no stage work. A chain of these with the pipeline's number of
//! hops is the baseline the pipeline benchmark compares against.

use std::process::ExitCode;

use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{InRecord, OutRecord, RuntimeError, Settings, Stage};

struct PassThrough {
    from: &'static str,
    to: &'static str,
}

impl Stage for PassThrough {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![self.from]
    }

    fn name(&self) -> &'static str {
        "passthrough"
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        out.push(OutRecord::new(
            self.to,
            rec.key.clone(),
            rec.payload().to_vec(),
        ));
        Ok(())
    }
}

/// `--from TOPIC --to TOPIC` (logical names), `--end-to-end true` on the last hop.
#[derive(Debug, Clone, Default)]
struct Hop {
    from: String,
    to: String,
    end_to_end: bool,
}

impl Settings for Hop {
    const KEYS: &'static [&'static str] = &["from", "to", "end_to_end"];
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "from" => self.from = v.to_string(),
            "to" => self.to = v.to_string(),
            "end_to_end" => {
                self.end_to_end = v
                    .parse()
                    .map_err(|_| format!("`{v}` is not true or false"))?
            }
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }
    fn check(&self) -> Vec<String> {
        if self.from.is_empty() || self.to.is_empty() {
            vec!["--from TOPIC and --to TOPIC are required".into()]
        } else {
            vec![]
        }
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("passthrough", |cfg, hop: &Hop, ctx| {
        // Topic names live for the whole process; leaking them once gives the &'static the
        // stage interface uses for its (usually constant) topic names.
        let mut stage = PassThrough {
            from: hop.from.clone().leak(),
            to: hop.to.clone().leak(),
        };
        let opts = LoopOptions {
            end_to_end_metric: hop.end_to_end,
        };
        txloop::run(cfg, ctx, &mut stage, opts)
    })
}
