//! The SDK child: the only process that loads Tencent's library. It answers framed requests
//! on stdin with framed answers on stdout, one at a time, until stdin closes. A crash or
//! hang in the library ends or stalls this process only; the service restarts it.

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use wecom_sdk::Sdk;

use crate::proto::{num, read_frame, text, write_frame, Frame};

/// The argument that makes `wcp-capture` the SDK child.
pub const CHILD_ARG: &str = "--sdk-child";
/// The library path, set by the parent for the child only.
pub const LIBRARY_ENV: &str = "WCP_CAPTURE_CHILD_LIBRARY";
/// The parent's pid, so the child can tell whether its parent is already gone.
pub const PARENT_ENV: &str = "WCP_CAPTURE_CHILD_PARENT";

pub fn main() -> ExitCode {
    let parent: u32 = std::env::var(PARENT_ENV)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    if !wecom_sdk::die_with_parent(parent) {
        return ExitCode::FAILURE;
    }
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    let library = PathBuf::from(std::env::var_os(LIBRARY_ENV).unwrap_or_default());
    let mut sdk = match Sdk::load(&library) {
        Ok(s) => s,
        Err(e) => {
            let _ = write_frame(&mut output, &[b"fatal", e.to_string().as_bytes()]);
            return ExitCode::from(3);
        }
    };
    if write_frame(&mut output, &[b"ready"]).is_err() {
        return ExitCode::FAILURE;
    }
    // A read error is the parent closing the pipe (or dying): the end of this child.
    while let Ok(req) = read_frame(&mut input) {
        let answer = serve(&mut sdk, &req);
        let fields: Vec<&[u8]> = answer.iter().map(Vec::as_slice).collect();
        if write_frame(&mut output, &fields).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn err(code: i32) -> Frame {
    vec![b"err".to_vec(), code.to_string().into_bytes()]
}

/// One request → one answer.
fn serve(sdk: &mut Sdk, req: &Frame) -> Frame {
    let f = |i: usize| text(req.get(i));
    match text(req.first()).as_str() {
        "init" => match sdk.init(&f(1), &f(2)) {
            Ok(()) => vec![b"ok".to_vec()],
            Err(code) => err(code),
        },
        "chat" => {
            let (Some(seq), Some(limit), Some(timeout)) =
                (num(req.get(1)), num(req.get(2)), num(req.get(5)))
            else {
                return err(10000);
            };
            match sdk.get_chat_data(seq, limit, &f(3), &f(4), timeout) {
                Ok(json) => vec![b"ok".to_vec(), json],
                Err(code) => err(code),
            }
        }
        "decrypt" => {
            // Pairs of (random key, encrypted message); per pair a code and the plaintext.
            let mut out = vec![b"ok".to_vec()];
            for pair in req[1..].chunks(2) {
                let key = text(pair.first());
                let msg = text(pair.get(1));
                match sdk.decrypt_data(&key, &msg) {
                    Ok(pt) => out.extend([b"0".to_vec(), pt]),
                    Err(code) => out.extend([code.to_string().into_bytes(), Vec::new()]),
                }
            }
            out
        }
        "media" => {
            let Some(timeout) = num(req.get(5)) else {
                return err(10000);
            };
            match sdk.get_media_data(&f(1), &f(2), &f(3), &f(4), timeout) {
                Ok(c) => vec![
                    b"ok".to_vec(),
                    c.data,
                    c.next_index.into_bytes(),
                    vec![u8::from(c.finished) + b'0'],
                ],
                Err(code) => err(code),
            }
        }
        _ => err(10000),
    }
}
