use super::*;
use aes::cipher::array::Array;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn bytes(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

fn reference_tag(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256>>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The HMAC over any message split anywhere, and any key up to a block, is RustCrypto's.
#[test]
fn the_hash_is_hmac_sha256() {
    for key_len in [0usize, 1, 32, 63, 64] {
        let key = bytes(7, key_len);
        let mac = MacKey::new(&key).unwrap();
        for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 16_356] {
            let data = bytes(len as u8, len);
            for cut in [0, len / 3, len.saturating_sub(1), len] {
                let mut h = mac.start();
                h.update(&data[..cut]);
                h.update(&data[cut..]);
                assert_eq!(
                    mac.finish(h),
                    reference_tag(&key, &[&data]),
                    "key {key_len}, len {len}, cut {cut}"
                );
            }
        }
    }
    assert!(MacKey::new(&[0u8; 65]).is_none());
}

/// A page sealed in one pass is RustCrypto's AES-256-CBC of it, and the hash carried along
/// finishes to RustCrypto's HMAC of the ciphertext, IV and page number, as SQLCipher MACs a
/// page; from another buffer and in place.
#[test]
fn seal_is_cbc_then_hmac() {
    let (key, iv) = (bytes(1, 32), bytes(2, 16));
    let key: [u8; 32] = key.try_into().unwrap();
    let iv: [u8; 16] = iv.try_into().unwrap();
    let mac_key = bytes(3, 32);
    let mac = MacKey::new(&mac_key).unwrap();
    for size in [16_336usize, 16_320, 16_304, 4_048, 64, 48, 16] {
        let plain = bytes(size as u8, size);
        let mut expected = plain.clone();
        let (blocks, _) = Array::slice_as_chunks_mut(&mut expected[..]);
        cbc::Encryptor::<aes::Aes256>::new((&key).into(), (&iv).into()).encrypt_blocks(blocks);
        let pgno = 77u32.to_le_bytes();
        let tag = reference_tag(&mac_key, &[&expected, &iv, &pgno]);
        for in_place in [false, true] {
            let mut out = if in_place {
                plain.clone()
            } else {
                vec![0u8; size]
            };
            let src = (!in_place).then_some(&plain[..]);
            let mut plain_out = out.clone();
            let (hash, covered) = seal(&key, &iv, src, &mut out, Some(&mac)).expect("AES-NI");
            let mut hash = hash.unwrap();
            assert_eq!(out, expected, "size {size}, in place {in_place}");
            assert_eq!(covered, size / 64 * 64);
            // Without the hash: the same ciphertext.
            assert!(seal(&key, &iv, src, &mut plain_out, None)
                .unwrap()
                .0
                .is_none());
            assert_eq!(
                plain_out, expected,
                "size {size}, in place {in_place}, no hash"
            );
            hash.update(&out[covered..]);
            hash.update(&iv);
            hash.update(&pgno);
            assert_eq!(mac.finish(hash), tag, "size {size}, in place {in_place}");
        }
    }
}
