//! The answer to each call of the C API, from the loaded script. No unsafe code here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rsa::PublicKey;

use crate::cipher;
use crate::faults::{self, Action};
use crate::script::{msgid, Call, Loaded, CHUNK};

pub struct Server {
    loaded: Loaded,
    keys: BTreeMap<u32, PublicKey>,
}

/// The process's server, loaded on first use. A script that cannot be loaded makes every
/// call fail with 10003 (system error), after saying why on stderr once.
pub fn server() -> Result<&'static Server, i32> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let s = Server::load();
            if let Err(e) = &s {
                eprintln!("wecom-sdk-standin: {e}");
            }
            s
        })
        .as_ref()
        .map_err(|_| 10003)
}

impl Server {
    fn load() -> Result<Server, String> {
        let loaded = Loaded::from_env()?;
        let mut keys = BTreeMap::new();
        for (ver, path) in &loaded.script.public_keys {
            let pem =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            keys.insert(*ver, cipher::public_key(&pem)?);
        }
        Ok(Server { loaded, keys })
    }

    fn fault(&self, call: Call, matches: impl Fn(&crate::script::Fault) -> bool) -> Action {
        let s = &self.loaded.script;
        faults::apply(&s.faults, &s.state_dir, call, matches)
    }

    pub fn init(&self, corpid: &str, secret: &str) -> i32 {
        faults::log(&self.loaded.script.state_dir, "Init");
        if let Action::Fail(code) = self.fault(Call::Init, |_| true) {
            return code;
        }
        let s = &self.loaded.script;
        if corpid == s.corpid && secret == s.secret {
            0
        } else {
            10000
        }
    }

    /// The JSON answer of `GetChatData(seq, limit)`: the messages after `seq`.
    pub fn chat_data(&self, seq: u64, limit: u32) -> Result<Vec<u8>, i32> {
        let s = &self.loaded.script;
        faults::log(&s.state_dir, &format!("GetChatData {seq} {limit}"));
        if limit > 1000 {
            return Err(10000);
        }
        let end = seq.saturating_add(u64::from(limit));
        if let Action::Fail(code) = self.fault(Call::GetChatData, |f| {
            f.at_seq.is_none_or(|at| at > seq && at <= end)
        }) {
            return Err(code);
        }
        let first = (seq + 1).max(s.expired_before).max(s.first_seq);
        let mut items = Vec::new();
        for q in first..first.saturating_add(u64::from(limit)) {
            let Some(line) = self.loaded.lines.get((q - s.first_seq) as usize) else {
                break;
            };
            let ver = self.loaded.key_version(q);
            let public = self.keys.get(&ver).ok_or(10003)?;
            let key = cipher::random_key().map_err(|_| 10003)?;
            items.push(serde_json::json!({
                "seq": q,
                "msgid": msgid(line, q),
                "publickey_ver": ver,
                "encrypt_random_key": cipher::wrap_key(public, &key).map_err(|_| 10003)?,
                "encrypt_chat_msg": cipher::encrypt_msg(&key, line).ok_or(10003)?,
            }));
        }
        let answer = serde_json::json!({"errcode": 0, "errmsg": "ok", "chatdata": items});
        Ok(answer.to_string().into_bytes())
    }

    /// `DecryptData`: the plaintext of `msg` under the (already RSA-decrypted) `key`.
    pub fn decrypt(&self, key: &str, msg: &str) -> Result<Vec<u8>, i32> {
        let pt = cipher::decrypt_msg(key, msg)?;
        let seq = serde_json::from_slice::<serde_json::Value>(&pt)
            .ok()
            .and_then(|v| v.get("msgid")?.as_str().map(str::to_string))
            .and_then(|id| self.loaded.seq_of.get(&id).copied());
        match self.fault(Call::DecryptData, |f| {
            f.at_seq.is_none_or(|at| Some(at) == seq)
        }) {
            Action::Fail(code) => Err(code),
            Action::Proceed => Ok(pt),
        }
    }

    /// `GetMediaData`: (chunk, next index, finished).
    pub fn media(&self, index: &str, fileid: &str) -> Result<(Vec<u8>, String, bool), i32> {
        let s = &self.loaded.script;
        faults::log(&s.state_dir, &format!("GetMediaData {fileid} {index}"));
        if let Action::Fail(code) = self.fault(Call::GetMediaData, |f| {
            f.sdkfileid.as_deref().is_none_or(|id| id == fileid)
        }) {
            return Err(code);
        }
        let media = s.media.get(fileid).ok_or(10005)?;
        if media.expired {
            return Err(10010);
        }
        let offset: usize = match index {
            "" => 0,
            i => i
                .strip_prefix("standin:")
                .and_then(|n| n.parse().ok())
                .ok_or(10000)?,
        };
        let data = std::fs::read(&media.file).map_err(|_| 10003)?;
        if offset > data.len() {
            return Err(10000);
        }
        let end = (offset + CHUNK).min(data.len());
        let mut chunk = data[offset..end].to_vec();
        let second = offset == CHUNK || (offset == 0 && end == data.len());
        if media.corrupt && second && !chunk.is_empty() {
            chunk[0] ^= 0x55;
        }
        Ok((chunk, format!("standin:{end}"), end == data.len()))
    }
}
