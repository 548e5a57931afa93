//! Bitcoin address validation: Base58Check (P2PKH/P2SH, leading 1 or 3) and Bech32/Bech32m
//! (`bc1…`), the two forms Presidio's CRYPTO recognizer accepts.

use sha2::{Digest, Sha256};

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

pub fn btc_address(s: &str) -> bool {
    if s.starts_with("bc1") {
        bech32(s)
    } else {
        base58check(s)
    }
}

fn base58check(s: &str) -> bool {
    // big-endian base-256 accumulator
    let mut bytes: Vec<u8> = Vec::with_capacity(25);
    for c in s.bytes() {
        let Some(mut carry) = B58.iter().position(|&b| b == c).map(|v| v as u32) else {
            return false;
        };
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend(bytes);
    if full.len() != 25 {
        return false;
    }
    let h = Sha256::digest(Sha256::digest(&full[..21]));
    h[..4] == full[21..]
}

fn bech32(s: &str) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let s = s.to_ascii_lowercase();
    let Some((hrp, data)) = s.rsplit_once('1') else {
        return false;
    };
    if data.len() < 6 {
        return false;
    }
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    for c in data.bytes() {
        let Some(v) = CHARSET.iter().position(|&x| x == c) else {
            return false;
        };
        values.push(v as u8);
    }
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    // 1 = Bech32 (segwit v0), 0x2bc830a3 = Bech32m (taproot)
    chk == 1 || chk == 0x2bc8_30a3
}
