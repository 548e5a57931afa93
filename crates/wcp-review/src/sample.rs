//! FINRA-style sampling: a configurable share of business messages that raised no alert,
//! drawn reproducibly per day and per supervised person. Whether a message is drawn depends
//! only on (seed, day, person, msgid), so re-running a day draws the same messages and a
//! person's sample does not change when others' traffic does.

use sha2::{Digest, Sha256};

/// Share of messages to draw, in basis points (100 = 1 %).
pub fn drawn(seed: &str, day: &str, person: &str, msgid: &str, basis_points: u32) -> bool {
    if basis_points == 0 {
        return false;
    }
    let mut h = Sha256::new();
    for part in [seed, day, person, msgid] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part.as_bytes());
    }
    let d = h.finalize();
    let x = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    x % 10_000 < u64::from(basis_points.min(10_000))
}

/// The queue key of a sampled message.
pub fn key(msgid: &str) -> String {
    format!("sample:{msgid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_close_to_the_share() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("m{i}")).collect();
        let pick = |seed: &str| -> Vec<&String> {
            ids.iter()
                .filter(|m| drawn(seed, "2024-11-26", "zhangwei", m, 500))
                .collect()
        };
        let a = pick("s1");
        assert_eq!(a, pick("s1"));
        assert_ne!(a, pick("s2"));
        let share = a.len() as f64 / ids.len() as f64;
        assert!((0.045..0.055).contains(&share), "{share}");
        assert!(!drawn("s", "d", "p", "m", 0));
        assert!(drawn("s", "d", "p", "m", 10_000));
        // Another day or person draws differently.
        let other: Vec<&String> = ids
            .iter()
            .filter(|m| drawn("s1", "2024-11-27", "zhangwei", m, 500))
            .collect();
        assert_ne!(a, other);
    }
}
