//! AES-256-CBC encryption with the CPU's AES instructions (x86-64 AES-NI), one 64-byte
//! stretch at a time, for `at_rest_seal.rs`. RustCrypto's `aes` picks its AVX-512 backend on
//! this CPU, built for many blocks side by side: on CBC encryption's one block at a time it
//! spent 1.7 times OpenSSL's CPU (perf of an encrypted ingest). The round keys here stay in
//! registers and each block is AESENC ×13 + AESENCLAST, as OpenSSL's `aesni_cbc_encrypt`
//! does; the tests hold the bytes to OpenSSL's (`at_rest_provider_tests.rs`) and RustCrypto's
//! (`at_rest_seal_tests.rs`). Without AES-NI, [`Cbc::new`] is None and OpenSSL encrypts.
//!
//! Why unsafe: the AES instructions are reached through `core::arch` intrinsics, callable only
//! where the CPU has them (checked once, `is_x86_feature_detected!`).
#![allow(unsafe_code)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// An AES-256 key schedule and the CBC chain value: a page encrypted 64 bytes at a time.
#[cfg(target_arch = "x86_64")]
pub(super) struct Cbc {
    rk: [__m128i; 15],
    chain: __m128i,
}

#[cfg(target_arch = "x86_64")]
impl Cbc {
    /// None when the CPU has no AES-NI.
    pub(super) fn new(key: &[u8; 32], iv: &[u8; 16]) -> Option<Cbc> {
        if !(std::arch::is_x86_feature_detected!("aes")
            && std::arch::is_x86_feature_detected!("sse2"))
        {
            return None;
        }
        // SAFETY: the CPU has AES-NI and SSE2 (checked above); the loads read the 32- and
        // 16-byte arrays.
        unsafe {
            Some(Cbc {
                rk: expand(key),
                chain: _mm_loadu_si128(iv.as_ptr().cast()),
            })
        }
    }

    /// Encrypts `src` (whole 16-byte blocks) into `dst` of the same length, continuing the
    /// chain.
    pub(super) fn encrypt(&mut self, src: &[u8], dst: &mut [u8]) {
        assert!(src.len() == dst.len() && src.len().is_multiple_of(16));
        // SAFETY: `Cbc` exists only where the CPU has AES-NI (`new`); both hold the length.
        unsafe { self.run(src.as_ptr(), dst.as_mut_ptr(), src.len() / 16) }
    }

    /// [`Cbc::encrypt`] of `buf` in place.
    pub(super) fn encrypt_in_place(&mut self, buf: &mut [u8]) {
        assert!(buf.len().is_multiple_of(16));
        let p = buf.as_mut_ptr();
        // SAFETY: as above; each block is read before it is written.
        unsafe { self.run(p, p, buf.len() / 16) }
    }

    /// # Safety
    /// AES-NI and SSE2 present; `src` and `dst` hold `blocks` × 16 bytes (the same, or apart).
    #[target_feature(enable = "aes,sse2")]
    unsafe fn run(&mut self, src: *const u8, dst: *mut u8, blocks: usize) {
        let rk = &self.rk;
        let mut c = self.chain;
        for i in 0..blocks {
            // SAFETY: the caller's: block `i` lies in both buffers (unaligned load and store).
            let p = unsafe { _mm_loadu_si128(src.add(i * 16).cast()) };
            let mut b = _mm_xor_si128(_mm_xor_si128(p, c), rk[0]);
            for k in &rk[1..14] {
                b = _mm_aesenc_si128(b, *k);
            }
            c = _mm_aesenclast_si128(b, rk[14]);
            // SAFETY: as above.
            unsafe { _mm_storeu_si128(dst.add(i * 16).cast(), c) };
        }
        self.chain = c;
    }
}

/// FIPS-197's AES-256 key expansion, as Intel's AES-NI white paper computes it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "aes,sse2")]
unsafe fn expand(key: &[u8; 32]) -> [__m128i; 15] {
    #[target_feature(enable = "aes,sse2")]
    fn shift_xor(mut a: __m128i) -> __m128i {
        let mut t = _mm_slli_si128::<4>(a);
        a = _mm_xor_si128(a, t);
        t = _mm_slli_si128::<4>(t);
        a = _mm_xor_si128(a, t);
        t = _mm_slli_si128::<4>(t);
        _mm_xor_si128(a, t)
    }
    #[target_feature(enable = "aes,sse2")]
    fn even(t1: __m128i, assist: __m128i) -> __m128i {
        _mm_xor_si128(shift_xor(t1), _mm_shuffle_epi32::<0xff>(assist))
    }
    #[target_feature(enable = "aes,sse2")]
    fn odd(t1: __m128i, t3: __m128i) -> __m128i {
        let assist = _mm_aeskeygenassist_si128::<0>(t1);
        _mm_xor_si128(shift_xor(t3), _mm_shuffle_epi32::<0xaa>(assist))
    }
    // SAFETY: the two loads read the key's 32 bytes.
    let (mut t1, mut t3) = unsafe {
        (
            _mm_loadu_si128(key.as_ptr().cast()),
            _mm_loadu_si128(key.as_ptr().add(16).cast()),
        )
    };
    let mut rk = [t1; 15];
    rk[1] = t3;
    macro_rules! pair {
        ($i:expr, $rcon:expr) => {
            t1 = even(t1, _mm_aeskeygenassist_si128::<$rcon>(t3));
            rk[$i] = t1;
            t3 = odd(t1, t3);
            rk[$i + 1] = t3;
        };
    }
    pair!(2, 0x01);
    pair!(4, 0x02);
    pair!(6, 0x04);
    pair!(8, 0x08);
    pair!(10, 0x10);
    pair!(12, 0x20);
    rk[14] = even(t1, _mm_aeskeygenassist_si128::<0x40>(t3));
    rk
}

/// Elsewhere OpenSSL encrypts.
#[cfg(not(target_arch = "x86_64"))]
pub(super) struct Cbc;

#[cfg(not(target_arch = "x86_64"))]
impl Cbc {
    pub(super) fn new(_key: &[u8; 32], _iv: &[u8; 16]) -> Option<Cbc> {
        None
    }

    pub(super) fn encrypt(&mut self, _src: &[u8], _dst: &mut [u8]) {
        unreachable!("no Cbc is made without AES-NI")
    }

    pub(super) fn encrypt_in_place(&mut self, _buf: &mut [u8]) {
        unreachable!("no Cbc is made without AES-NI")
    }
}
