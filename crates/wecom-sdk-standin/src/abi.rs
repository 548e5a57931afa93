//! The exported C functions of `WeWorkFinanceSdk_C.h`.
//!
//! Why unsafe: this is a C ABI. The caller hands in raw pointers (NUL-terminated strings,
//! `Slice_t*`, `MediaData_t*`) and receives buffers it frees through `FreeSlice` /
//! `FreeMediaData`. Buffers are allocated here as boxed slices and freed here with the
//! length they were allocated with; strings are only read for the duration of the call.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, CStr};

use crate::serve::server;

/// `Slice_t` of the header.
#[repr(C)]
pub struct Slice {
    buf: *mut c_char,
    len: c_int,
}

/// `MediaData_t` of the header.
#[repr(C)]
pub struct MediaData {
    outindexbuf: *mut c_char,
    out_len: c_int,
    data: *mut c_char,
    data_len: c_int,
    is_finish: c_int,
}

/// The SDK handle: nothing to hold, the script is process-wide.
pub struct Handle;

/// Raises `signal` in this process (the crash faults) with its default action, so the process
/// dies of that signal. The host's own handler must not see it: Rust's runtime installs a SIGSEGV
/// handler (stack-overflow detection) that, for a fault that is not a guard-page hit, restores
/// the default and returns, which after `raise` means carrying on (and then dying of SIGABRT
/// instead of SIGSEGV, not what a real memory error inside the library looks like).
pub fn raise(signal: libc::c_int) {
    // SAFETY: signal and raise have no memory-safety preconditions; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Reads a C string argument ("" for NULL).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the call.
unsafe fn arg(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}

/// Moves `bytes` into a malloc-free buffer owned by the caller until freed here. A NUL is
/// appended (not counted in the length) so C callers may read it as a string.
fn leak(bytes: Vec<u8>) -> (*mut c_char, c_int) {
    let len = bytes.len();
    let mut v = bytes;
    v.push(0);
    let b: Box<[u8]> = v.into_boxed_slice();
    (Box::into_raw(b).cast::<c_char>(), len as c_int)
}

/// Frees a buffer made by [`leak`] with `len` bytes of content.
///
/// # Safety
/// `p` came from `leak` with this `len`, and is freed once.
unsafe fn unleak(p: *mut c_char, len: c_int) {
    if !p.is_null() {
        let n = len.max(0) as usize + 1;
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            p.cast::<u8>(),
            n,
        )));
    }
}

#[no_mangle]
pub extern "C" fn NewSdk() -> *mut Handle {
    Box::into_raw(Box::new(Handle))
}

/// # Safety
/// `sdk` came from NewSdk; strings are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn Init(
    sdk: *mut Handle,
    corpid: *const c_char,
    secret: *const c_char,
) -> c_int {
    if sdk.is_null() {
        return 10000;
    }
    match server() {
        Ok(s) => s.init(&arg(corpid), &arg(secret)),
        Err(code) => code,
    }
}

/// # Safety
/// `sdk` came from NewSdk; strings are NUL-terminated; `out` came from NewSlice.
#[no_mangle]
pub unsafe extern "C" fn GetChatData(
    sdk: *mut Handle,
    seq: c_ulonglong,
    limit: c_uint,
    _proxy: *const c_char,
    _passwd: *const c_char,
    _timeout: c_int,
    out: *mut Slice,
) -> c_int {
    if sdk.is_null() || out.is_null() {
        return 10000;
    }
    match server().and_then(|s| s.chat_data(seq, limit)) {
        Ok(bytes) => {
            set_slice(out, bytes);
            0
        }
        Err(code) => code,
    }
}

/// # Safety
/// Strings are NUL-terminated; `out` came from NewSlice.
#[no_mangle]
pub unsafe extern "C" fn DecryptData(
    key: *const c_char,
    msg: *const c_char,
    out: *mut Slice,
) -> c_int {
    if out.is_null() {
        return 10000;
    }
    match server().and_then(|s| s.decrypt(&arg(key), &arg(msg))) {
        Ok(bytes) => {
            set_slice(out, bytes);
            0
        }
        Err(code) => code,
    }
}

/// # Safety
/// `out` came from NewSlice.
unsafe fn set_slice(out: *mut Slice, bytes: Vec<u8>) {
    let s = &mut *out;
    unleak(s.buf, s.len);
    (s.buf, s.len) = leak(bytes);
}

/// # Safety
/// `sdk` came from NewSdk; strings are NUL-terminated; `out` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn GetMediaData(
    sdk: *mut Handle,
    indexbuf: *const c_char,
    sdkfileid: *const c_char,
    _proxy: *const c_char,
    _passwd: *const c_char,
    _timeout: c_int,
    out: *mut MediaData,
) -> c_int {
    if sdk.is_null() || out.is_null() {
        return 10000;
    }
    match server().and_then(|s| s.media(&arg(indexbuf), &arg(sdkfileid))) {
        Ok((data, next, finished)) => {
            let m = &mut *out;
            unleak(m.data, m.data_len);
            unleak(m.outindexbuf, m.out_len);
            (m.data, m.data_len) = leak(data);
            (m.outindexbuf, m.out_len) = leak(next.into_bytes());
            m.is_finish = c_int::from(finished);
            0
        }
        Err(code) => code,
    }
}

/// # Safety
/// `sdk` came from NewSdk and is destroyed once.
#[no_mangle]
pub unsafe extern "C" fn DestroySdk(sdk: *mut Handle) {
    if !sdk.is_null() {
        drop(Box::from_raw(sdk));
    }
}

#[no_mangle]
pub extern "C" fn NewSlice() -> *mut Slice {
    Box::into_raw(Box::new(Slice {
        buf: std::ptr::null_mut(),
        len: 0,
    }))
}

/// # Safety
/// `s` came from NewSlice and is freed once.
#[no_mangle]
pub unsafe extern "C" fn FreeSlice(s: *mut Slice) {
    if !s.is_null() {
        let b = Box::from_raw(s);
        unleak(b.buf, b.len);
    }
}

/// # Safety
/// `s` came from NewSlice.
#[no_mangle]
pub unsafe extern "C" fn GetContentFromSlice(s: *mut Slice) -> *mut c_char {
    if s.is_null() {
        return std::ptr::null_mut();
    }
    (*s).buf
}

/// # Safety
/// `s` came from NewSlice.
#[no_mangle]
pub unsafe extern "C" fn GetSliceLen(s: *mut Slice) -> c_int {
    if s.is_null() {
        return 0;
    }
    (*s).len
}

#[no_mangle]
pub extern "C" fn NewMediaData() -> *mut MediaData {
    Box::into_raw(Box::new(MediaData {
        outindexbuf: std::ptr::null_mut(),
        out_len: 0,
        data: std::ptr::null_mut(),
        data_len: 0,
        is_finish: 0,
    }))
}

/// # Safety
/// `m` came from NewMediaData and is freed once.
#[no_mangle]
pub unsafe extern "C" fn FreeMediaData(m: *mut MediaData) {
    if !m.is_null() {
        let b = Box::from_raw(m);
        unleak(b.data, b.data_len);
        unleak(b.outindexbuf, b.out_len);
    }
}

/// # Safety
/// `m` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn GetOutIndexBuf(m: *mut MediaData) -> *mut c_char {
    if m.is_null() {
        return std::ptr::null_mut();
    }
    (*m).outindexbuf
}

/// # Safety
/// `m` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn GetData(m: *mut MediaData) -> *mut c_char {
    if m.is_null() {
        return std::ptr::null_mut();
    }
    (*m).data
}

/// # Safety
/// `m` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn GetIndexLen(m: *mut MediaData) -> c_int {
    if m.is_null() {
        return 0;
    }
    (*m).out_len
}

/// # Safety
/// `m` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn GetDataLen(m: *mut MediaData) -> c_int {
    if m.is_null() {
        return 0;
    }
    (*m).data_len
}

/// # Safety
/// `m` came from NewMediaData.
#[no_mangle]
pub unsafe extern "C" fn IsMediaDataFinish(m: *mut MediaData) -> c_int {
    if m.is_null() {
        return 0;
    }
    (*m).is_finish
}
