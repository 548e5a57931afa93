//! Build-time checks of the name tables: the tables searched by binary search must be
//! strictly sorted (sorted and without duplicates), or a name added out of order would
//! silently never be found. These are `const` assertions, so an unsorted table is a compile
//! error naming the table, not a detection quietly gone wrong.

use crate::names_data::{
    CN_COMMON_WORDS, CN_SURNAMES, CN_SURNAMES2, CN_SURNAMES2_FIRST, EN_FIRST, NOT_GIVEN,
    PINYIN_SURNAMES,
};

/// `a < b` for `&str` by bytes (the order `str`'s `Ord` and `binary_search` use).
const fn str_lt(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

const fn strs_strictly_sorted(t: &[&str]) -> bool {
    let mut i = 1;
    while i < t.len() {
        if !str_lt(t[i - 1], t[i]) {
            return false;
        }
        i += 1;
    }
    true
}

const fn chars_strictly_sorted(t: &[char]) -> bool {
    let mut i = 1;
    while i < t.len() {
        if t[i - 1] as u32 >= t[i] as u32 {
            return false;
        }
        i += 1;
    }
    true
}

/// Every compound surname's first character is in `CN_SURNAMES2_FIRST` (the gate before the
/// compound check).
const fn compound_firsts_listed() -> bool {
    let mut i = 0;
    while i < CN_SURNAMES2.len() {
        let first = CN_SURNAMES2[i].as_bytes();
        let mut j = 0;
        let mut found = false;
        while j < CN_SURNAMES2_FIRST.len() {
            let mut buf = [0u8; 4];
            let enc = CN_SURNAMES2_FIRST[j].encode_utf8(&mut buf).as_bytes();
            let mut k = 0;
            let mut same = enc.len() <= first.len();
            while same && k < enc.len() {
                same = enc[k] == first[k];
                k += 1;
            }
            if same {
                found = true;
            }
            j += 1;
        }
        if !found {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = assert!(chars_strictly_sorted(CN_SURNAMES), "CN_SURNAMES not sorted");
const _: () = assert!(
    chars_strictly_sorted(CN_SURNAMES2_FIRST),
    "CN_SURNAMES2_FIRST not sorted"
);
const _: () = assert!(chars_strictly_sorted(NOT_GIVEN), "NOT_GIVEN not sorted");
const _: () = assert!(strs_strictly_sorted(EN_FIRST), "EN_FIRST not sorted");
const _: () = assert!(
    strs_strictly_sorted(PINYIN_SURNAMES),
    "PINYIN_SURNAMES not sorted"
);
const _: () = assert!(
    strs_strictly_sorted(CN_COMMON_WORDS),
    "CN_COMMON_WORDS not sorted"
);
const _: () = assert!(
    compound_firsts_listed(),
    "a CN_SURNAMES2 first character is missing from CN_SURNAMES2_FIRST"
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks themselves can fail: out of order, duplicated, a missing first character.
    #[test]
    fn the_checks_reject_unsorted_and_duplicated_tables() {
        assert!(strs_strictly_sorted(&["Amy", "Ben", "ben"]));
        assert!(!strs_strictly_sorted(&["Ben", "Amy"]));
        assert!(!strs_strictly_sorted(&["Amy", "Amy"]));
        assert!(!strs_strictly_sorted(&["Amyx", "Amy"]));
        assert!(chars_strictly_sorted(&['丁', '万']));
        assert!(!chars_strictly_sorted(&['万', '丁']));
        assert!(!chars_strictly_sorted(&['王', '王']));
        // `str_lt` agrees with `Ord for str` on these tables' own entries.
        for t in [EN_FIRST, PINYIN_SURNAMES, CN_COMMON_WORDS] {
            for w in t.windows(2) {
                assert_eq!(str_lt(w[0], w[1]), w[0] < w[1]);
            }
        }
    }
}
