//! The script the stand-in serves, read once per process from `$WECOM_STANDIN_SCRIPT`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Deserialize;

/// The environment variable naming the script file.
pub const SCRIPT_ENV: &str = "WECOM_STANDIN_SCRIPT";

/// Bytes per `GetMediaData` chunk, as in the real SDK.
pub const CHUNK: usize = 512 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// What `Init` accepts; anything else gets 10000.
    pub corpid: String,
    pub secret: String,
    /// `publickey_ver` → PEM file of the public key (SPKI or PKCS#1).
    pub public_keys: BTreeMap<u32, PathBuf>,
    /// Plaintext messages, one per line, served byte for byte.
    pub messages: PathBuf,
    /// The seq of the first line.
    #[serde(default = "one")]
    pub first_seq: u64,
    /// `[from_seq, publickey_ver]` pairs: each message uses the last pair at or below its seq.
    pub key_versions: Vec<(u64, u32)>,
    /// Messages below this seq are gone from the server (Tencent keeps ~5 days).
    #[serde(default)]
    pub expired_before: u64,
    /// sdkfileid → media file.
    #[serde(default)]
    pub media: BTreeMap<String, Media>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Where one-shot faults record that they fired, and `calls.log`.
    pub state_dir: PathBuf,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub file: PathBuf,
    /// Served as 10010 (data expired).
    #[serde(default)]
    pub expired: bool,
    /// Served with one byte of its second chunk (or its only one) flipped, as a download
    /// corrupted on the way would be: the message's md5sum no longer matches.
    #[serde(default)]
    pub corrupt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Call {
    Init,
    GetChatData,
    DecryptData,
    GetMediaData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Return `code` instead of answering.
    Error,
    /// Sleep `ms`, then answer normally.
    Slow,
    /// Never return.
    Hang,
    /// SIGSEGV, as a memory error inside the library would.
    Segfault,
    /// SIGABRT, as a failed assertion inside the library would.
    Abort,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub call: Call,
    pub kind: FaultKind,
    #[serde(default)]
    pub code: i32,
    #[serde(default)]
    pub ms: u64,
    /// GetChatData: fires when the answer would include this seq; DecryptData: for the
    /// message with this seq. None: any call.
    #[serde(default)]
    pub at_seq: Option<u64>,
    /// GetMediaData: fires for this media id only.
    #[serde(default)]
    pub sdkfileid: Option<String>,
    /// How many times it fires over all processes (0: every time).
    #[serde(default = "one_u32")]
    pub times: u32,
}

fn one_u32() -> u32 {
    1
}

/// The script with its messages read and indexed.
pub struct Loaded {
    pub script: Script,
    pub lines: Vec<Vec<u8>>,
    /// msgid → seq, so a DecryptData fault can name a message by seq.
    pub seq_of: HashMap<String, u64>,
}

impl Loaded {
    pub fn from_env() -> Result<Loaded, String> {
        let path =
            std::env::var_os(SCRIPT_ENV).ok_or_else(|| format!("{SCRIPT_ENV} is not set"))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e}", PathBuf::from(&path).display()))?;
        let script: Script = serde_json::from_str(&text).map_err(|e| format!("script: {e}"))?;
        let raw = std::fs::read(&script.messages)
            .map_err(|e| format!("{}: {e}", script.messages.display()))?;
        let lines: Vec<Vec<u8>> = raw
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        let mut seq_of = HashMap::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            seq_of.insert(
                msgid(l, script.first_seq + i as u64),
                script.first_seq + i as u64,
            );
        }
        std::fs::create_dir_all(&script.state_dir)
            .map_err(|e| format!("{}: {e}", script.state_dir.display()))?;
        Ok(Loaded {
            script,
            lines,
            seq_of,
        })
    }

    /// The `publickey_ver` of the message at `seq`.
    pub fn key_version(&self, seq: u64) -> u32 {
        self.script
            .key_versions
            .iter()
            .filter(|(from, _)| *from <= seq)
            .map(|(_, v)| *v)
            .next_back()
            .unwrap_or(1)
    }
}

/// The message's `msgid` (a stand-in id for lines that are not JSON objects).
pub fn msgid(line: &[u8], seq: u64) -> String {
    serde_json::from_slice::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get("msgid")?.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("standin-{seq}"))
}
