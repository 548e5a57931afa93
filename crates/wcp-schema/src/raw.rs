//! The raw envelope on `wecom.raw`: what a capture process (or an import) produces.

use apache_avro::types::Value;

use crate::value::{optional, record, string, Fields};
use crate::WireError;

/// One decrypted WeCom message as a producer wrote it (schemas/raw_envelope.avsc).
#[derive(Clone, PartialEq, Eq)]
pub struct RawEnvelope {
    /// The decrypted WeCom JSON bytes, byte for byte (never re-serialised: evidence).
    pub payload: Vec<u8>,
    /// `GetChatData` sequence number, when the producer is the archive SDK.
    pub seq: Option<u64>,
    /// RSA key version that wrapped this message's key.
    pub publickey_ver: Option<u32>,
    /// Producer id, or `file:LINE` for imports.
    pub source: String,
}

/// The payload is chat content: `Debug` prints its size only, as `ChatEvent` does.
impl std::fmt::Debug for RawEnvelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEnvelope")
            .field("seq", &self.seq)
            .field("publickey_ver", &self.publickey_ver)
            .field("source", &self.source)
            .field(
                "payload",
                &format_args!("<{} bytes redacted>", self.payload.len()),
            )
            .finish()
    }
}

pub(crate) fn raw_to_avro(r: &RawEnvelope) -> Value {
    record(vec![
        ("payload", Value::Bytes(r.payload.clone())),
        // Stored bit for bit in a long (Avro has no unsigned type), see ChatEvent.seq.
        ("seq", optional(r.seq.map(|s| Value::Long(s as i64)))),
        (
            "publickey_ver",
            optional(r.publickey_ver.map(|v| Value::Long(v.into()))),
        ),
        ("source", string(&r.source)),
    ])
}

pub(crate) fn raw_from_avro(v: Value) -> Result<RawEnvelope, WireError> {
    let mut f = Fields::of("RawEnvelope", v)?;
    let payload = f.bytes("payload")?;
    let seq = f.opt_long("seq")?.map(|s| s as u64);
    let publickey_ver = match f.opt_long("publickey_ver")? {
        Some(n) => Some(u32::try_from(n).map_err(|_| {
            WireError::shape(
                "RawEnvelope",
                "publickey_ver",
                format!("{n} is out of range 0..2^32"),
            )
        })?),
        None => None,
    };
    Ok(RawEnvelope {
        payload,
        seq,
        publickey_ver,
        source: f.string("source")?,
    })
}
