//! A stand-in for Tencent's closed `libWeWorkFinanceSdk_C.so`, for tests and trials of
//! `wcp-capture` without Tencent: the same C ABI (`WeWorkFinanceSdk_C.h`), serving a
//! scripted archive encrypted the way the real service delivers it, and failing on demand.
//!
//! The script is a JSON file named by `$WECOM_STANDIN_SCRIPT` (see [`script::Script`]):
//! plaintext messages (one per line, `seq` = line number from `first_seq`), the public key
//! of each `publickey_ver` and from which seq each is used, media files, and faults — any
//! return code, slow calls, hangs, a segfault or an abort, at a given seq or media id, a
//! given number of times across process restarts (recorded in `state_dir`).
//!
//! Each `GetChatData` answer carries, per message, a fresh 32-character random key
//! RSA-encrypted (PKCS#1 v1.5) with the public key of its `publickey_ver` (base64), and the
//! message encrypted with that random key (`encrypt_chat_msg`, base64). Tencent does not
//! document the symmetric cipher inside its `DecryptData`; the stand-in uses AES-256-CBC
//! (key = the random key, IV = its first 16 bytes, PKCS#7) — the capture never depends on
//! it, since it only hands the RSA-decrypted key and the ciphertext back to `DecryptData`.
//!
//! Layout: `abi` (the exported C functions, the only unsafe code), `script` (the script
//! file), `serve` (answers to each call), `faults` (matching and one-shot bookkeeping),
//! `cipher` (RSA wrap, AES).

// The library's file name must be libWeWorkFinanceSdk_C.so, so the crate's name is not snake case.
#![allow(non_snake_case)]

mod abi;
mod cipher;
mod faults;
mod script;
mod serve;
