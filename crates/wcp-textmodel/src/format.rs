//! Versioned binary encoding of a [`Model`], little-endian throughout.
//!
//! ```text
//! magic   "WCTM"            4 bytes
//! version u16 = 1           feature scheme + layout; bump on any change to either
//! bits    u8                the model has 2^bits weights
//! flags   u8 = 0            reserved
//! bias    f32
//! nnz     u32               number of stored (non-zero) weights
//! nnz × { index u32, weight f32 }   strictly increasing index
//! check   u32               FNV-1a of every preceding byte
//! ```
//! Storing only non-zero weights keeps a model trained on a few thousand
//! lines at tens of kilobytes while the in-memory table stays dense for speed.
use crate::features::{MAX_BITS, MIN_BITS};
use crate::model::Model;

const MAGIC: &[u8; 4] = b"WCTM";
const VERSION: u16 = 1;
const HEADER: usize = 4 + 2 + 1 + 1 + 4 + 4;

/// Why bytes could not be read as a model.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("not a wcp text model (bad magic)")]
    BadMagic,
    #[error("model format version {0} is not supported (this build reads {VERSION})")]
    UnsupportedVersion(u16),
    #[error("model bits {0} outside {MIN_BITS}..={MAX_BITS}")]
    BadBits(u8),
    #[error("model file truncated or has trailing bytes")]
    BadLength,
    #[error("weight index {0} out of range or not increasing")]
    BadIndex(u32),
    #[error("model checksum mismatch (file corrupted)")]
    BadChecksum,
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Model {
    /// Encodes the model; equal models give equal bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let nz: Vec<(u32, f32)> = (0u32..)
            .zip(self.weights.iter().copied())
            .filter(|(_, w)| *w != 0.0)
            .collect();
        let mut out = Vec::with_capacity(HEADER + nz.len() * 8 + 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(self.bits);
        out.push(0);
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&(nz.len() as u32).to_le_bytes());
        for (i, w) in nz {
            out.extend_from_slice(&i.to_le_bytes());
            out.extend_from_slice(&w.to_le_bytes());
        }
        let check = fnv1a(&out);
        out.extend_from_slice(&check.to_le_bytes());
        out
    }

    /// Decodes and validates a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        if bytes.len() < HEADER + 4 {
            return Err(FormatError::BadLength);
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let bits = bytes[6];
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(FormatError::BadBits(bits));
        }
        let nnz = u32_at(bytes, 12) as usize;
        let body_end = nnz
            .checked_mul(8)
            .and_then(|n| n.checked_add(HEADER))
            .ok_or(FormatError::BadLength)?;
        if bytes.len() != body_end + 4 {
            return Err(FormatError::BadLength);
        }
        if fnv1a(&bytes[..body_end]) != u32_at(bytes, body_end) {
            return Err(FormatError::BadChecksum);
        }
        let bias = f32::from_bits(u32_at(bytes, 8));
        let mut weights = vec![0.0f32; 1usize << bits];
        let mut next = 0u64;
        for k in 0..nnz {
            let at = HEADER + k * 8;
            let i = u32_at(bytes, at);
            if u64::from(i) < next || i as usize >= weights.len() {
                return Err(FormatError::BadIndex(i));
            }
            next = u64::from(i) + 1;
            weights[i as usize] = f32::from_bits(u32_at(bytes, at + 4));
        }
        Ok(Model::new(bits, bias, weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Model {
        let mut weights = vec![0.0; 256];
        weights[3] = 0.5;
        weights[200] = -1.25;
        Model::new(8, 0.25, weights)
    }

    #[test]
    fn round_trips() {
        let m = sample();
        let b = m.to_bytes();
        assert_eq!(b.len(), HEADER + 2 * 8 + 4);
        assert_eq!(Model::from_bytes(&b).unwrap(), m);
    }

    #[test]
    fn rejects_damage() {
        let b = sample().to_bytes();
        assert_eq!(Model::from_bytes(b"nope"), Err(FormatError::BadMagic));
        assert_eq!(
            Model::from_bytes(&b[..b.len() - 1]),
            Err(FormatError::BadLength)
        );
        let mut v = b.clone();
        v[4] = 9;
        assert_eq!(
            Model::from_bytes(&v),
            Err(FormatError::UnsupportedVersion(9))
        );
        let mut v = b.clone();
        v[6] = 40;
        assert_eq!(Model::from_bytes(&v), Err(FormatError::BadBits(40)));
        let mut v = b.clone();
        v[HEADER + 5] ^= 1;
        assert_eq!(Model::from_bytes(&v), Err(FormatError::BadChecksum));
    }

    #[test]
    fn rejects_unsorted_indices() {
        let mut v = sample().to_bytes();
        // swap the two index fields, then fix the checksum
        let (a, b) = (HEADER, HEADER + 8);
        for k in 0..4 {
            v.swap(a + k, b + k);
        }
        let end = v.len() - 4;
        let c = fnv1a(&v[..end]).to_le_bytes();
        v[end..].copy_from_slice(&c);
        assert_eq!(Model::from_bytes(&v), Err(FormatError::BadIndex(3)));
    }
}
