use super::*;
use rusqlite::Connection;

/// A keyed in-memory connection after `at_rest`'s set-up (which installs the provider).
fn keyed() -> Connection {
    crate::at_rest::sqlcipher_ready();
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "3c".repeat(32)))
        .unwrap();
    c
}

fn pragma(c: &Connection, name: &str) -> String {
    c.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

/// The linked SQLCipher is the one `Provider` mirrors, and the replacement is in place for
/// keyed connections; SQLCipher still reaches the fields after `cipher` through the patched
/// struct (the provider's version is OpenSSL's).
#[test]
fn keyed_connections_use_the_replacement() {
    let c = keyed();
    assert!(
        pragma(&c, "cipher_version").starts_with(SQLCIPHER_VERSION),
        "SQLCipher {} is linked: check `Provider` against its sqlcipher_provider before \
         moving SQLCIPHER_VERSION",
        pragma(&c, "cipher_version")
    );
    assert_eq!(pragma(&c, "cipher_provider"), NAME);
    assert!(
        pragma(&c, "cipher_provider_version").starts_with("OpenSSL"),
        "{}",
        pragma(&c, "cipher_provider_version")
    );
    assert_eq!(INSTALLED.get(), Some(&true));
}

/// Bytes that differ from call to call (a splitmix64 stream).
fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

fn int(n: usize) -> c_int {
    c_int::try_from(n).unwrap()
}

/// Every page size SQLCipher encrypts (a 16 KiB page less its 48- or 80-byte reserve, page 1
/// less its 16-byte salt besides; 4 KiB pages; one block): OpenSSL's cipher and the
/// replacement give the same bytes both ways, from another buffer and in place.
#[test]
fn the_cipher_gives_openssls_bytes() {
    let _ = keyed();
    let o = original().expect("the replacement is installed");
    for (seed, size) in [16_336usize, 16_320, 16_304, 16_288, 4_048, 16]
        .into_iter()
        .enumerate()
    {
        let seed = seed as u64 * 1_000;
        let (key, iv, plain) = (bytes(seed, 32), bytes(seed + 1, 16), bytes(seed + 2, size));
        let call = |f: CipherFn, mode: c_int, input: *const u8, out: *mut u8| {
            let rc = unsafe {
                f(
                    std::ptr::null_mut(),
                    mode,
                    key.as_ptr(),
                    32,
                    iv.as_ptr(),
                    input,
                    int(size),
                    out,
                )
            };
            assert_eq!(rc, SQLITE_OK);
        };
        let run = |f: CipherFn, mode: c_int, input: &[u8]| -> Vec<u8> {
            let mut out = vec![0u8; input.len()];
            call(f, mode, input.as_ptr(), out.as_mut_ptr());
            // In place (the same buffer in and out) gives the same.
            let mut same = input.to_vec();
            let p = same.as_mut_ptr();
            call(f, mode, p, p);
            assert_eq!(same, out, "in place, size {size}");
            out
        };
        let sealed = run(o.cipher, ENCRYPT, &plain);
        assert_eq!(
            run(page_cipher, ENCRYPT, &plain),
            sealed,
            "encrypt, size {size}"
        );
        assert_ne!(sealed, plain);
        assert_eq!(
            run(page_cipher, DECRYPT, &sealed),
            plain,
            "decrypt, size {size}"
        );
        assert_eq!(run(o.cipher, DECRYPT, &sealed), plain);
    }
}

/// HMAC-SHA256 and -SHA512 over one buffer, or two (a page and its number), with the key
/// sizes SQLCipher uses and others: OpenSSL's tag and the replacement's are the same.
#[test]
fn the_hmac_gives_openssls_tags() {
    let _ = keyed();
    let o = original().expect("the replacement is installed");
    let mut cases = 0;
    for (algorithm, tag_len) in [(HMAC_SHA256, 32usize), (HMAC_SHA512, 64)] {
        for (i, (key_len, len, second)) in [
            (32usize, 16_352usize, true),
            (32, 16_336, true),
            (32, 4_064, true),
            (32, 100, false),
            (64, 16_352, true),
            (200, 7, true),
            (16, 0, false),
        ]
        .into_iter()
        .enumerate()
        {
            let seed = 50_000 + i as u64 * 10;
            let (key, data, pgno) = (
                bytes(seed, key_len),
                bytes(seed + 1, len),
                bytes(seed + 2, 4),
            );
            let in2 = if second {
                pgno.as_ptr()
            } else {
                std::ptr::null()
            };
            let tag = |f: HmacFn| -> Vec<u8> {
                let mut out = vec![0u8; tag_len];
                let rc = unsafe {
                    f(
                        std::ptr::null_mut(),
                        algorithm,
                        key.as_ptr(),
                        int(key_len),
                        data.as_ptr(),
                        int(len),
                        in2,
                        4,
                        out.as_mut_ptr(),
                    )
                };
                assert_eq!(rc, SQLITE_OK);
                out
            };
            let expected = tag(o.hmac);
            assert_ne!(expected, vec![0u8; tag_len]);
            assert_eq!(tag(page_hmac), expected, "algorithm {algorithm}, case {i}");
            cases += 1;
        }
    }
    assert_eq!(cases, 14);
}

/// A page encrypted and MACed through a codec's context — the one-pass path, once the codec
/// has seen its HMAC key — is what OpenSSL's cipher and HMAC make of it; so is a page under
/// another key, and the HMAC of another buffer (both computed in full).
#[test]
fn a_codec_seals_pages_as_openssl_does() {
    let _ = keyed();
    let o = original().expect("the replacement is installed");
    let mut ctx: *mut c_void = std::ptr::null_mut();
    assert_eq!(unsafe { codec_init(&mut ctx) }, SQLITE_OK);
    assert!(!ctx.is_null());
    let (size, reserve) = (16_336usize, 48usize);
    // One page written as SQLCipher writes it: the cipher into `out`, whose reserve holds the
    // IV, then the HMAC of ciphertext and IV with the page number, into the reserve after it.
    let write = |cipher: CipherFn,
                 hmac: HmacFn,
                 ctx: *mut c_void,
                 key: &[u8],
                 mac_key: &[u8],
                 seed: u64| {
        let plain = bytes(seed, size);
        let mut out = vec![0u8; size + reserve];
        out[size..size + 16].copy_from_slice(&bytes(seed + 1, 16));
        let pgno = 9u32.to_le_bytes();
        let p = out.as_mut_ptr();
        unsafe {
            let rc = cipher(
                ctx,
                ENCRYPT,
                key.as_ptr(),
                32,
                p.add(size),
                plain.as_ptr(),
                int(size),
                p,
            );
            assert_eq!(rc, SQLITE_OK);
            let rc = hmac(
                ctx,
                HMAC_SHA256,
                mac_key.as_ptr(),
                32,
                p,
                int(size + 16),
                pgno.as_ptr(),
                4,
                p.add(size + 16),
            );
            assert_eq!(rc, SQLITE_OK);
        }
        out
    };
    let (key, mac_key, other_mac) = (bytes(1, 32), bytes(2, 32), bytes(3, 32));
    let null = std::ptr::null_mut();
    for (round, mac) in [
        &mac_key, &mac_key, &mac_key, &other_mac, &other_mac, &mac_key,
    ]
    .into_iter()
    .enumerate()
    {
        let seed = 100 + round as u64 * 10;
        let ours = write(page_cipher, page_hmac, ctx, &key, mac, seed);
        assert_eq!(
            ours,
            write(o.cipher, o.hmac, null, &key, mac, seed),
            "round {round}"
        );
    }
    // A sealed page, then the HMAC of another buffer under the same key: computed in full.
    let _ = write(page_cipher, page_hmac, ctx, &key, &mac_key, 500);
    let data = bytes(600, size + 16);
    let tag = |f: HmacFn, ctx: *mut c_void| {
        let mut t = [0u8; 32];
        let rc = unsafe {
            f(
                ctx,
                HMAC_SHA256,
                mac_key.as_ptr(),
                32,
                data.as_ptr(),
                int(size + 16),
                null_in2(),
                4,
                t.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQLITE_OK);
        t
    };
    assert_eq!(tag(page_hmac, ctx), tag(o.hmac, null));
    assert_eq!(unsafe { codec_free(&mut ctx) }, SQLITE_OK);
    assert!(ctx.is_null());
}

fn null_in2() -> *const u8 {
    std::ptr::null()
}
