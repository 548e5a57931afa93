//! SQLCipher's page encryption and page HMAC computed in-process — AES-256-CBC with the CPU's
//! AES instructions (`at_rest_aesni.rs`), HMAC-SHA256 with RustCrypto's SHA-256 (CPU SHA
//! extensions) — instead of through OpenSSL's EVP interface: the same algorithms on the same
//! bytes (AES-256-CBC without padding, HMAC-SHA256/SHA512), so files are written and read
//! exactly as before and need no setting of their own.
//!
//! Why: an encrypted ingest encrypts and MACs every page it writes to the WAL, and that was
//! most of its extra CPU (`benches/encryption.sh`). SQLCipher's OpenSSL provider sets every
//! page up from scratch (a cipher context and algorithm fetch, a MAC fetch, a digest fetch
//! and a MAC context, all freed again), and runs the two passes one after the other. Here a
//! page written is encrypted and MACed in one pass (`at_rest_seal.rs`: the SHA-256 of each
//! 64-byte stretch of ciphertext runs while the AES chain makes the next one; CBC encryption
//! and SHA-256 are both chains of dependent steps, so side by side they take little more than
//! AES alone). SQLCipher asks for the cipher, then for the HMAC of the ciphertext just made:
//! the cipher call hashes the ciphertext as it makes it, under the HMAC key the connection's
//! last HMAC call used, and the HMAC call finishes that hash when it is asked for exactly
//! that buffer under that key (else it computes the HMAC in full). That state lives in the
//! connection's provider context (`ctx_init`/`ctx_free`), which only that connection's calls
//! see. Everything else stays OpenSSL's: decryption (pages read back: the writer's cache
//! holds what a batch touches), HMAC-SHA1, the random IVs (`RAND_bytes`), the key derivation,
//! the names and sizes SQLCipher asks for, and everything on a CPU without AES-NI.
//!
//! Why unsafe: SQLCipher takes a provider as a C struct of function pointers
//! (`sqlcipher_register_provider`), and calls them with raw buffers. The struct below is
//! SQLCipher 4.20's `sqlcipher_provider` field for field; [`install`] patches it only when the
//! linked SQLCipher is that version and its provider is OpenSSL's, so another layout is never
//! written to (the tests fail instead: `at_rest_provider_tests.rs`). The functions read
//! `in_sz`/`key_sz` bytes from SQLCipher's buffers and write the page (or the tag) into its
//! output buffer, exactly as OpenSSL's versions do; anything else (another algorithm, an odd
//! size, a null pointer, overlapping input and tag) goes to OpenSSL's original function.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use super::aesni;
use super::seal::{self, Hashing, MacKey};

const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;
const ENCRYPT: c_int = 1;
#[cfg(test)]
const DECRYPT: c_int = 0;
const HMAC_SHA256: c_int = 1;
const HMAC_SHA512: c_int = 2;
/// The SQLCipher whose provider struct [`Provider`] mirrors (`PRAGMA cipher_version`).
pub const SQLCIPHER_VERSION: &str = "4.20.0";
/// `PRAGMA cipher_provider` once [`install`] ran.
pub const NAME: &str = "wcp+openssl";

type HmacFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const u8,
    c_int,
    *const u8,
    c_int,
    *const u8,
    c_int,
    *mut u8,
) -> c_int;
type CipherFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const u8,
    c_int,
    *const u8,
    *const u8,
    c_int,
    *mut u8,
) -> c_int;
type NameFn = unsafe extern "C" fn(*mut c_void) -> *const c_char;
type CtxFn = unsafe extern "C" fn(*mut *mut c_void) -> c_int;
type Opaque = Option<unsafe extern "C" fn()>;

/// SQLCipher 4.20's `struct sqlcipher_provider`. Only `get_provider_name`, `hmac`, `cipher`,
/// `ctx_init`, `ctx_free` and `next` are read or written here; the others are copied as they
/// are.
#[repr(C)]
#[derive(Clone, Copy)]
struct Provider {
    init: Opaque,
    shutdown: Opaque,
    get_provider_name: Option<NameFn>,
    add_random: Opaque,
    random: Opaque,
    hmac: Option<HmacFn>,
    kdf: Opaque,
    cipher: Option<CipherFn>,
    get_cipher: Opaque,
    get_key_sz: Opaque,
    get_iv_sz: Opaque,
    get_block_sz: Opaque,
    get_hmac_sz: Opaque,
    ctx_init: Option<CtxFn>,
    ctx_free: Option<CtxFn>,
    fips_status: Opaque,
    get_provider_version: Opaque,
    next: *mut Provider,
}

extern "C" {
    fn sqlcipher_get_provider() -> *mut Provider;
    fn sqlcipher_register_provider(p: *mut Provider) -> c_int;
}

/// OpenSSL's functions, for what the replacements do not handle (and the tests).
#[derive(Clone, Copy)]
struct Original {
    hmac: HmacFn,
    cipher: CipherFn,
    ctx_init: CtxFn,
    ctx_free: CtxFn,
}

/// Set before the replacement is registered, so that no call of it finds it missing.
static ORIGINAL: OnceLock<Original> = OnceLock::new();
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Makes the replacement SQLCipher's provider for every connection keyed from now on (ones
/// keyed before keep OpenSSL's: same format). Once per process; call it after SQLCipher's
/// set-up has finished (`at_rest::sqlcipher_ready`). `cipher_version`: what the linked
/// SQLCipher says it is. Returns whether the replacement is in place.
pub(super) fn install(cipher_version: &str) -> bool {
    *INSTALLED.get_or_init(|| {
        if !cipher_version.starts_with(SQLCIPHER_VERSION) {
            return false;
        }
        // SAFETY: the provider SQLCipher registered at its set-up lives until
        // `sqlite3_shutdown`; its layout is `Provider` (the version was checked above). The
        // copy handed to SQLCipher is SQLCipher's from then on, like the one it made.
        unsafe {
            let current = sqlcipher_get_provider();
            if current.is_null() {
                return false;
            }
            let mut p = *current;
            let name = p
                .get_provider_name
                .map(|f| CStr::from_ptr(f(std::ptr::null_mut())));
            if name.and_then(|n| n.to_str().ok()) != Some("openssl") {
                return false;
            }
            let (Some(hmac), Some(cipher), Some(ctx_init), Some(ctx_free)) =
                (p.hmac, p.cipher, p.ctx_init, p.ctx_free)
            else {
                return false;
            };
            let original = Original {
                hmac,
                cipher,
                ctx_init,
                ctx_free,
            };
            if ORIGINAL.set(original).is_err() {
                return false;
            }
            p.hmac = Some(page_hmac);
            p.cipher = Some(page_cipher);
            p.ctx_init = Some(codec_init);
            p.ctx_free = Some(codec_free);
            p.get_provider_name = Some(provider_name);
            p.next = std::ptr::null_mut();
            // From SQLite's allocator: SQLCipher frees its providers with it at
            // `sqlite3_shutdown`.
            let mem = rusqlite::ffi::sqlite3_malloc64(std::mem::size_of::<Provider>() as u64)
                .cast::<Provider>();
            if mem.is_null() {
                return false;
            }
            mem.write(p);
            sqlcipher_register_provider(mem) == SQLITE_OK
        }
    })
}

unsafe extern "C" fn provider_name(_ctx: *mut c_void) -> *const c_char {
    c"wcp+openssl".as_ptr()
}

/// What one codec (a connection's database) keeps between SQLCipher's calls.
#[derive(Default)]
struct Codec {
    /// The HMAC-SHA256 key of its last page HMAC, and that key prepared.
    mac: Option<(Zeroizing<Vec<u8>>, MacKey)>,
    /// The page its last cipher call encrypted, hashed under `mac`.
    sealed: Option<Sealed>,
}

/// A page encrypted into `out` (`size` bytes), whose first `covered` bytes are hashed.
struct Sealed {
    out: usize,
    size: usize,
    hash: Hashing,
    covered: usize,
}

/// The codec behind SQLCipher's `ctx` argument (null for none).
///
/// # Safety
/// `ctx` is null or was made by [`codec_init`] and not yet freed, and no other call for the
/// same codec runs at the same time (SQLite uses a connection from one thread at a time).
unsafe fn codec<'a>(ctx: *mut c_void) -> Option<&'a mut Codec> {
    // SAFETY: the caller's.
    unsafe { ctx.cast::<Codec>().as_mut() }
}

unsafe extern "C" fn codec_init(ctx: *mut *mut c_void) -> c_int {
    let Some(o) = original() else {
        return SQLITE_ERROR;
    };
    // SAFETY: SQLCipher passes the address of the codec's provider context.
    unsafe {
        let rc = (o.ctx_init)(ctx);
        // OpenSSL's keeps no context of its own (it leaves `*ctx` null).
        if rc == SQLITE_OK && !ctx.is_null() && (*ctx).is_null() {
            *ctx = Box::into_raw(Box::<Codec>::default()).cast();
        }
        rc
    }
}

unsafe extern "C" fn codec_free(ctx: *mut *mut c_void) -> c_int {
    let Some(o) = original() else {
        return SQLITE_ERROR;
    };
    // SAFETY: SQLCipher passes the context `codec_init` made, once, when the codec goes.
    unsafe {
        if !ctx.is_null() && !(*ctx).is_null() {
            drop(Box::from_raw((*ctx).cast::<Codec>()));
            *ctx = std::ptr::null_mut();
        }
        (o.ctx_free)(ctx)
    }
}

/// AES-256-CBC encryption of `in_sz` bytes, no padding, as OpenSSL's `EVP_aes_256_cbc` with
/// padding off (decryption: OpenSSL's). `input` and `out` may be the same buffer.
// The C signature SQLCipher calls.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn page_cipher(
    ctx: *mut c_void,
    mode: c_int,
    key: *const u8,
    key_sz: c_int,
    iv: *const u8,
    input: *const u8,
    in_sz: c_int,
    out: *mut u8,
) -> c_int {
    let usable = mode == ENCRYPT
        && key_sz == 32
        && in_sz >= 0
        && in_sz % 16 == 0
        && !key.is_null()
        && !iv.is_null()
        && !input.is_null()
        && !out.is_null();
    // SAFETY: `ctx` is this codec's (SQLCipher's contract for every provider call).
    let mut state = unsafe { codec(ctx) };
    if let Some(c) = state.as_deref_mut() {
        c.sealed = None;
    }
    // Decryption (pages read back: rare while writing, the cache holds them) stays OpenSSL's.
    if !usable || !aesni() {
        return match original() {
            // SAFETY: the caller's arguments, passed on unchanged.
            Some(o) => unsafe { (o.cipher)(ctx, mode, key, key_sz, iv, input, in_sz, out) },
            None => SQLITE_ERROR,
        };
    }
    let n = in_sz as usize;
    let apart = apart(input, n, out, n);
    // SAFETY: SQLCipher's contract (and OpenSSL's): `key` holds `key_sz` = 32 bytes, `iv` 16,
    // `input` and `out` `in_sz` bytes each. Buffers that overlap (SQLCipher passes the same
    // one to transform in place) are not borrowed twice: the input is moved into `out` first
    // (memmove) and only `out` is borrowed. Key and IV are copied first: nothing borrowed
    // overlaps the output.
    let (key, iv, src, dst) = unsafe {
        let key = Zeroizing::new(key.cast::<[u8; 32]>().read_unaligned());
        let iv = iv.cast::<[u8; 16]>().read_unaligned();
        let src = if apart {
            Some(std::slice::from_raw_parts(input, n))
        } else {
            std::ptr::copy(input, out, n);
            None
        };
        (key, iv, src, std::slice::from_raw_parts_mut(out, n))
    };
    let mac = state.as_ref().and_then(|c| c.mac.as_ref()).map(|(_, m)| m);
    match seal::seal(&key, &iv, src, dst, mac) {
        Some((Some(hash), covered)) => {
            if let Some(c) = state {
                c.sealed = Some(Sealed {
                    out: out as usize,
                    size: n,
                    hash,
                    covered,
                });
            }
            SQLITE_OK
        }
        Some((None, _)) => SQLITE_OK,
        None => SQLITE_ERROR,
    }
}

/// Whether this CPU has AES-NI (else OpenSSL encrypts every page).
fn aesni() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| aesni::Cbc::new(&[0; 32], &[0; 16]).is_some())
}

/// HMAC-SHA256 or -SHA512 under `hmac_key` of `in1` followed by `in2` (if not null) into
/// `out` (32 or 64 bytes), as OpenSSL's `EVP_MAC` "HMAC".
// The C signature SQLCipher calls.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn page_hmac(
    ctx: *mut c_void,
    algorithm: c_int,
    hmac_key: *const u8,
    key_sz: c_int,
    in1: *const u8,
    in1_sz: c_int,
    in2: *const u8,
    in2_sz: c_int,
    out: *mut u8,
) -> c_int {
    let usable = (algorithm == HMAC_SHA256 || algorithm == HMAC_SHA512)
        && key_sz >= 0
        && in1_sz >= 0
        && (in2.is_null() || in2_sz >= 0)
        && !hmac_key.is_null()
        && !in1.is_null()
        && !out.is_null()
        && apart(in1, in1_sz as usize, out, tag_len(algorithm))
        && (in2.is_null() || apart(in2, in2_sz as usize, out, tag_len(algorithm)));
    if !usable {
        return match original() {
            // SAFETY: the caller's arguments, passed on unchanged.
            Some(o) => unsafe {
                (o.hmac)(
                    ctx, algorithm, hmac_key, key_sz, in1, in1_sz, in2, in2_sz, out,
                )
            },
            None => SQLITE_ERROR,
        };
    }
    // SAFETY: `ctx` is this codec's (SQLCipher's contract for every provider call).
    let state = unsafe { codec(ctx) };
    // SAFETY: SQLCipher's contract (and OpenSSL's): each input pointer holds its size in
    // bytes, and `out` the algorithm's tag size (SQLCipher sized it by `get_hmac_sz`).
    let (key, in1, in2, out) = unsafe {
        (
            std::slice::from_raw_parts(hmac_key, key_sz as usize),
            std::slice::from_raw_parts(in1, in1_sz as usize),
            (!in2.is_null()).then(|| std::slice::from_raw_parts(in2, in2_sz as usize)),
            std::slice::from_raw_parts_mut(out, tag_len(algorithm)),
        )
    };
    match state {
        Some(c) if algorithm == HMAC_SHA256 => out.copy_from_slice(&codec_hmac(c, key, in1, in2)),
        _ => hmac_into(key, in1, in2, out),
    }
    SQLITE_OK
}

/// HMAC-SHA256 through the codec's prepared key (prepared anew when the key changed),
/// finishing the hash of the page just encrypted when `in1` is that page.
fn codec_hmac(c: &mut Codec, key: &[u8], in1: &[u8], in2: Option<&[u8]>) -> [u8; 32] {
    let sealed = c.sealed.take();
    let same_key = c.mac.as_ref().is_some_and(|(k, _)| k.as_slice() == key);
    if !same_key {
        c.mac = MacKey::new(key).map(|m| (Zeroizing::new(key.to_vec()), m));
    }
    let Some((_, mac)) = &c.mac else {
        let mut out = [0u8; 32];
        hmac_into(key, in1, in2, &mut out);
        return out;
    };
    let (mut hash, from) = match sealed {
        // The ciphertext SQLCipher MACs is the page just encrypted, followed by its IV.
        Some(s) if same_key && s.out == in1.as_ptr() as usize && in1.len() == s.size + 16 => {
            (s.hash, s.covered)
        }
        _ => (mac.start(), 0),
    };
    hash.update(&in1[from..]);
    if let Some(in2) = in2 {
        hash.update(in2);
    }
    mac.finish(hash)
}

/// HMAC-SHA256 (a 32-byte `out`) or HMAC-SHA512 (64 bytes) under `key` of `in1` then `in2`.
fn hmac_into(key: &[u8], in1: &[u8], in2: Option<&[u8]>, out: &mut [u8]) {
    fn run<M: Mac + KeyInit>(key: &[u8], in1: &[u8], in2: Option<&[u8]>, out: &mut [u8]) {
        let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key size");
        m.update(in1);
        if let Some(in2) = in2 {
            m.update(in2);
        }
        out.copy_from_slice(&m.finalize().into_bytes());
    }
    if out.len() == 64 {
        run::<Hmac<Sha512>>(key, in1, in2, out)
    } else {
        run::<Hmac<Sha256>>(key, in1, in2, out)
    }
}

fn tag_len(algorithm: c_int) -> usize {
    if algorithm == HMAC_SHA512 {
        64
    } else {
        32
    }
}

/// Whether `a..a+an` and `b..b+bn` do not overlap.
fn apart(a: *const u8, an: usize, b: *const u8, bn: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    a.checked_add(an).is_some_and(|end| end <= b) || b.checked_add(bn).is_some_and(|end| end <= a)
}

fn original() -> Option<Original> {
    ORIGINAL.get().copied()
}

#[cfg(test)]
#[path = "at_rest_provider_tests.rs"]
mod tests;
