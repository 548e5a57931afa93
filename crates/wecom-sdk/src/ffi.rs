//! The C API of `WeWorkFinanceSdk_C.h`, bound at run time.
//!
//! Why unsafe: the library is a closed C shared object loaded with `dlopen`; its functions
//! are reached through raw function pointers and exchange raw buffers (`Slice_t`,
//! `MediaData_t`). Each call below follows the header's contract: strings are
//! NUL-terminated and outlive the call, every `New*` is paired with its `Free*`, and buffers
//! are copied out (by the length the library reports) before they are freed. Nothing
//! borrowed from the library outlives the call that produced it.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void, CString};
use std::path::{Path, PathBuf};

use libloading::Library;

/// Why the library could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "cannot load the WeCom SDK library {path}: {reason}; it must be Tencent's \
         libWeWorkFinanceSdk_C.so for this machine, with every library it needs (`ldd` names \
         them) in the image or in its own directory (docs/CAPTURE.md)"
    )]
    Open { path: PathBuf, reason: String },
    #[error("the WeCom SDK library {path} has no symbol {symbol} (not libWeWorkFinanceSdk_C?)")]
    Symbol { path: PathBuf, symbol: &'static str },
    #[error("NewSdk returned NULL")]
    NewSdk,
}

type NewSdkFn = unsafe extern "C" fn() -> *mut c_void;
type InitFn = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int;
type GetChatDataFn = unsafe extern "C" fn(
    *mut c_void,
    c_ulonglong,
    c_uint,
    *const c_char,
    *const c_char,
    c_int,
    *mut c_void,
) -> c_int;
type DecryptDataFn = unsafe extern "C" fn(*const c_char, *const c_char, *mut c_void) -> c_int;
type GetMediaDataFn = unsafe extern "C" fn(
    *mut c_void,
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
    c_int,
    *mut c_void,
) -> c_int;
type DestroySdkFn = unsafe extern "C" fn(*mut c_void);
type NewFn = unsafe extern "C" fn() -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type BufFn = unsafe extern "C" fn(*mut c_void) -> *mut c_char;
type LenFn = unsafe extern "C" fn(*mut c_void) -> c_int;

/// The resolved functions (copied out of their `Symbol`s; valid while `_lib` is loaded).
struct Fns {
    init: InitFn,
    get_chat_data: GetChatDataFn,
    decrypt_data: DecryptDataFn,
    get_media_data: GetMediaDataFn,
    destroy_sdk: DestroySdkFn,
    new_slice: NewFn,
    free_slice: FreeFn,
    slice_content: BufFn,
    slice_len: LenFn,
    new_media: NewFn,
    free_media: FreeFn,
    media_index: BufFn,
    media_data: BufFn,
    media_index_len: LenFn,
    media_data_len: LenFn,
    media_finished: LenFn,
}

/// One `GetMediaData` answer: a chunk of at most 512 KB and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaChunk {
    pub data: Vec<u8>,
    /// `outindexbuf`: the `indexbuf` of the next call.
    pub next_index: String,
    pub finished: bool,
}

/// A loaded library and one SDK instance (`NewSdk` … `DestroySdk`).
pub struct Sdk {
    fns: Fns,
    sdk: *mut c_void,
    // Declared last: dropped after `Drop::drop` has called DestroySdk through `fns`.
    _lib: Library,
}

/// libloading's own text is only "dlopen failed"; the loader's reason (`dlerror`: a missing
/// dependency, "invalid ELF header", a wrong architecture) is its source, and the one line
/// that says what to fix where the image has no shell for `ldd` (trial 19a D2).
fn loader_reason(e: &libloading::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        return e.to_string();
    }
    parts.join(": ")
}

fn cstr(s: &str) -> CString {
    // Interior NULs cannot be passed to C; they are never valid in ids, keys or base64.
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

impl Sdk {
    /// `dlopen`s `path`, resolves every function of the header and calls `NewSdk`.
    pub fn load(path: &Path) -> Result<Sdk, LoadError> {
        // SAFETY: loading runs the library's initialisers; that is the point of this
        // process (the SDK child), which the parent restarts if they misbehave.
        let lib = unsafe { Library::new(path) }.map_err(|e| LoadError::Open {
            path: path.to_path_buf(),
            reason: loader_reason(&e),
        })?;
        macro_rules! sym {
            ($name:literal) => {{
                // SAFETY: the symbol is declared with this signature in WeWorkFinanceSdk_C.h.
                let s = unsafe { lib.get(concat!($name, "\0").as_bytes()) };
                *s.map_err(|_| LoadError::Symbol {
                    path: path.to_path_buf(),
                    symbol: $name,
                })?
            }};
        }
        let new_sdk: NewSdkFn = sym!("NewSdk");
        let fns = Fns {
            init: sym!("Init"),
            get_chat_data: sym!("GetChatData"),
            decrypt_data: sym!("DecryptData"),
            get_media_data: sym!("GetMediaData"),
            destroy_sdk: sym!("DestroySdk"),
            new_slice: sym!("NewSlice"),
            free_slice: sym!("FreeSlice"),
            slice_content: sym!("GetContentFromSlice"),
            slice_len: sym!("GetSliceLen"),
            new_media: sym!("NewMediaData"),
            free_media: sym!("FreeMediaData"),
            media_index: sym!("GetOutIndexBuf"),
            media_data: sym!("GetData"),
            media_index_len: sym!("GetIndexLen"),
            media_data_len: sym!("GetDataLen"),
            media_finished: sym!("IsMediaDataFinish"),
        };
        // SAFETY: no arguments; a NULL result is checked.
        let sdk = unsafe { new_sdk() };
        if sdk.is_null() {
            return Err(LoadError::NewSdk);
        }
        Ok(Sdk {
            fns,
            sdk,
            _lib: lib,
        })
    }

    /// `Init(sdk, corpid, secret)`: 0 or the SDK's error code.
    pub fn init(&mut self, corpid: &str, secret: &str) -> Result<(), i32> {
        let (c, s) = (cstr(corpid), cstr(secret));
        // SAFETY: `sdk` came from NewSdk; both strings live until the call returns.
        let rc = unsafe { (self.fns.init)(self.sdk, c.as_ptr(), s.as_ptr()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(rc)
        }
    }

    /// `GetChatData`: the JSON answer (`{"errcode","errmsg","chatdata":[…]}`) of messages
    /// after `seq`, at most `limit` (≤ 1000) of them.
    pub fn get_chat_data(
        &self,
        seq: u64,
        limit: u32,
        proxy: &str,
        passwd: &str,
        timeout_s: i32,
    ) -> Result<Vec<u8>, i32> {
        let (p, w) = (cstr(proxy), cstr(passwd));
        self.with_slice(|slice| {
            // SAFETY: valid sdk and slice; strings live until the call returns.
            unsafe {
                (self.fns.get_chat_data)(
                    self.sdk,
                    seq,
                    limit,
                    p.as_ptr(),
                    w.as_ptr(),
                    timeout_s,
                    slice,
                )
            }
        })
    }

    /// `DecryptData(encrypt_key, encrypt_msg, msg)`: `encrypt_key` is the message's random
    /// key already RSA-decrypted by the caller; the plaintext message bytes.
    pub fn decrypt_data(&self, random_key: &str, encrypted_msg: &str) -> Result<Vec<u8>, i32> {
        let (k, m) = (cstr(random_key), cstr(encrypted_msg));
        self.with_slice(|slice| {
            // SAFETY: strings live until the call returns; the slice is ours.
            unsafe { (self.fns.decrypt_data)(k.as_ptr(), m.as_ptr(), slice) }
        })
    }

    /// `GetMediaData`: one chunk of the media file `sdkfileid`, from `index` ("" first).
    pub fn get_media_data(
        &self,
        index: &str,
        sdkfileid: &str,
        proxy: &str,
        passwd: &str,
        timeout_s: i32,
    ) -> Result<MediaChunk, i32> {
        let (i, f, p, w) = (cstr(index), cstr(sdkfileid), cstr(proxy), cstr(passwd));
        let f_ = &self.fns;
        // SAFETY: NewMediaData is paired with FreeMediaData below on every path.
        let media = unsafe { (f_.new_media)() };
        if media.is_null() {
            return Err(10003);
        }
        // SAFETY: valid sdk and media; strings live until the call returns.
        let rc = unsafe {
            (f_.get_media_data)(
                self.sdk,
                i.as_ptr(),
                f.as_ptr(),
                p.as_ptr(),
                w.as_ptr(),
                timeout_s,
                media,
            )
        };
        let out = if rc == 0 {
            // SAFETY: after a successful call the buffers hold the reported lengths.
            unsafe {
                let data = copy(f_.media_data, f_.media_data_len, media);
                let index = copy(f_.media_index, f_.media_index_len, media);
                Ok(MediaChunk {
                    data,
                    next_index: String::from_utf8_lossy(&index).into_owned(),
                    finished: (f_.media_finished)(media) != 0,
                })
            }
        } else {
            Err(rc)
        };
        // SAFETY: allocated above, freed once.
        unsafe { (f_.free_media)(media) };
        out
    }

    /// Runs `call` with a fresh `Slice_t` and copies its content out on success.
    fn with_slice(&self, call: impl FnOnce(*mut c_void) -> c_int) -> Result<Vec<u8>, i32> {
        // SAFETY: NewSlice is paired with FreeSlice below on every path.
        let slice = unsafe { (self.fns.new_slice)() };
        if slice.is_null() {
            return Err(10003);
        }
        let rc = call(slice);
        let out = if rc == 0 {
            // SAFETY: after a successful call the slice holds `len` bytes.
            Ok(unsafe { copy(self.fns.slice_content, self.fns.slice_len, slice) })
        } else {
            Err(rc)
        };
        // SAFETY: allocated above, freed once.
        unsafe { (self.fns.free_slice)(slice) };
        out
    }
}

/// Copies `len(obj)` bytes from `buf(obj)` (nothing for NULL or a negative length).
///
/// # Safety
/// `buf(obj)` must point at least `len(obj)` readable bytes.
unsafe fn copy(buf: BufFn, len: LenFn, obj: *mut c_void) -> Vec<u8> {
    let p = buf(obj);
    let n = len(obj);
    if p.is_null() || n <= 0 {
        return Vec::new();
    }
    std::slice::from_raw_parts(p.cast::<u8>(), n as usize).to_vec()
}

impl Drop for Sdk {
    fn drop(&mut self) {
        // SAFETY: `sdk` came from NewSdk and is destroyed once; the library is still loaded.
        unsafe { (self.fns.destroy_sdk)(self.sdk) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_a_clear_error() {
        let err = Sdk::load(Path::new("/nonexistent/libWeWorkFinanceSdk_C.so"))
            .err()
            .expect("cannot load");
        let msg = err.to_string();
        assert!(
            msg.contains("/nonexistent/libWeWorkFinanceSdk_C.so"),
            "{msg}"
        );
    }

    #[test]
    fn a_file_that_is_no_library_names_the_loaders_reason() {
        let path =
            std::env::temp_dir().join(format!("wecom-sdk-not-elf-{}.so", std::process::id()));
        std::fs::write(&path, "not a shared object\n".repeat(20)).unwrap();
        let err = Sdk::load(&path).err().expect("cannot load");
        std::fs::remove_file(&path).unwrap();
        let msg = err.to_string();
        // glibc: "<path>: invalid ELF header"; the loader's text, not just "dlopen failed".
        assert!(msg.contains("invalid ELF header"), "{msg}");
        assert!(msg.contains("ldd"), "{msg}");
    }

    #[test]
    fn a_library_without_the_api_names_the_missing_symbol() {
        // libc is loadable everywhere this builds, and has none of the SDK's functions.
        let err = Sdk::load(Path::new("libc.so.6"))
            .err()
            .expect("not the SDK");
        assert!(err.to_string().contains("NewSdk"), "{err}");
    }
}
