//! wcp-passthrough: copies records from `--from` to `--to` with the same transactional loop
//! as the real services and no stage work. A chain of these with the pipeline's number of
//! hops is the baseline the pipeline benchmark compares against.

use std::process::ExitCode;

use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{App, InRecord, OutRecord, RuntimeError, Stage};

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

fn main() -> ExitCode {
    let app = match App::start("passthrough", &["from", "to", "end_to_end"]) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (Some(from), Some(to)) = (app.cfg.extra("from"), app.cfg.extra("to")) else {
        eprintln!("wcp-passthrough: --from TOPIC and --to TOPIC are required");
        return ExitCode::from(2);
    };
    // Topic names live for the whole process; leaking them once gives the &'static the
    // stage interface uses for its (usually constant) topic names.
    let mut stage = PassThrough {
        from: from.to_string().leak(),
        to: to.to_string().leak(),
    };
    let opts = LoopOptions {
        end_to_end_metric: app.cfg.extra("end_to_end") == Some("true"),
    };
    app.run(move |cfg, ctx| txloop::run(cfg, ctx, &mut stage, opts))
}
