//! A page's encryption and its HMAC-SHA256 in one pass: the AES-256-CBC of each 64-byte
//! stretch of the page interleaved with the SHA-256 compression of the stretch before it.
//! CBC encryption is one long chain of dependent AES rounds (it cannot run faster than their
//! latency), and so is SHA-256's; neither keeps the CPU busy, so the two chains side by side
//! take little more than the AES chain alone (AES-NI: `at_rest_aesni.rs`). The bytes are the
//! standard ones — `at_rest_seal_tests.rs` holds them to RustCrypto's `cbc` and `hmac` — only
//! the order of the work changes. SQLCipher asks for the two separately, the cipher first
//! (`at_rest_provider.rs` keeps the hash of the ciphertext from one call to the next).

use sha2::block_api::compress256;

use super::aesni::Cbc;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const H256: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];
const BLOCK: usize = 64;

/// An HMAC-SHA256 key, prepared: SHA-256's state after the key's inner and outer pad blocks.
/// As good as the key for making tags: cleared when dropped.
#[derive(Clone)]
pub(super) struct MacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Drop for MacKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl MacKey {
    /// Keys of up to 64 bytes (SQLCipher's are 32); None for a longer one.
    pub(super) fn new(key: &[u8]) -> Option<MacKey> {
        if key.len() > BLOCK {
            return None;
        }
        let pad = |byte: u8| {
            let mut block = [byte; BLOCK];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = H256;
            compress256(&mut state, &[block]);
            state
        };
        Some(MacKey {
            inner: pad(0x36),
            outer: pad(0x5c),
        })
    }

    /// The inner hash of a new message.
    pub(super) fn start(&self) -> Hashing {
        Hashing {
            state: self.inner,
            buf: [0; BLOCK],
            buffered: 0,
            total: BLOCK as u64,
        }
    }

    /// The tag, from the inner hash of the message.
    pub(super) fn finish(&self, mut inner: Hashing) -> [u8; 32] {
        let digest = inner.digest();
        let mut outer = Hashing {
            state: self.outer,
            buf: [0; BLOCK],
            buffered: 0,
            total: BLOCK as u64,
        };
        outer.update(&digest);
        outer.digest()
    }
}

/// SHA-256 part way through a message (its first 64 bytes: the key's pad block).
#[derive(Clone)]
pub(super) struct Hashing {
    state: [u32; 8],
    buf: [u8; BLOCK],
    buffered: usize,
    /// Bytes hashed, the pad block included.
    total: u64,
}

impl Hashing {
    pub(super) fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.buffered > 0 {
            let n = (BLOCK - self.buffered).min(data.len());
            self.buf[self.buffered..self.buffered + n].copy_from_slice(&data[..n]);
            self.buffered += n;
            data = &data[n..];
            if self.buffered < BLOCK {
                return;
            }
            compress256(&mut self.state, &[self.buf]);
            self.buffered = 0;
        }
        let (blocks, rest) = data.as_chunks::<BLOCK>();
        compress256(&mut self.state, blocks);
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Whole 64-byte blocks, when nothing is buffered (else as `update`).
    fn blocks(&mut self, blocks: &[[u8; BLOCK]]) {
        if self.buffered > 0 {
            return self.update(blocks.as_flattened());
        }
        self.total += (blocks.len() * BLOCK) as u64;
        compress256(&mut self.state, blocks);
    }

    fn digest(&mut self) -> [u8; 32] {
        let bits = self.total * 8;
        let mut pad = [0u8; 2 * BLOCK];
        pad[0] = 0x80;
        let len = (if self.buffered < 56 { 64 } else { 128 }) - self.buffered;
        pad[len - 8..len].copy_from_slice(&bits.to_be_bytes());
        self.update(&pad[..len]);
        debug_assert_eq!(self.buffered, 0);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// AES-256-CBC of `src` into `dst` (or of `dst` in place: `src` None), a multiple of 16
/// bytes, with `mac`'s hash over the ciphertext carried along (`mac` None: encryption only):
/// its whole 64-byte blocks are hashed, the rest is for the caller (`Hashing::update`).
/// Returns the hash and how many bytes of `dst` it covers; None without AES-NI (nothing
/// written then).
pub(super) fn seal(
    key: &[u8; 32],
    iv: &[u8; 16],
    src: Option<&[u8]>,
    dst: &mut [u8],
    mac: Option<&MacKey>,
) -> Option<(Option<Hashing>, usize)> {
    let mut cbc = Cbc::new(key, iv)?;
    let Some(mac) = mac else {
        match src {
            Some(s) => cbc.encrypt(s, dst),
            None => cbc.encrypt_in_place(dst),
        }
        return Some((None, 0));
    };
    let mut hash = mac.start();
    let whole = dst.len() / BLOCK;
    for i in 0..=whole {
        let end = if i < whole {
            (i + 1) * BLOCK
        } else {
            dst.len()
        };
        let (done, rest) = dst.split_at_mut(i * BLOCK);
        let out = &mut rest[..end - i * BLOCK];
        // This stretch's AES chain, then the previous stretch's SHA-256 chain: independent,
        // so the CPU runs them side by side.
        match src {
            Some(s) => cbc.encrypt(&s[i * BLOCK..end], out),
            None => cbc.encrypt_in_place(out),
        }
        if i > 0 {
            let (prev, _) = done[(i - 1) * BLOCK..].as_chunks::<BLOCK>();
            hash.blocks(prev);
        }
    }
    Some((Some(hash), whole * BLOCK))
}

#[cfg(test)]
#[path = "at_rest_seal_tests.rs"]
mod tests;
