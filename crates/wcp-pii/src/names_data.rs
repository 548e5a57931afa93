//! Name tables for PERSON, written for this project from general knowledge: common
//! Chinese surnames (Simplified and Traditional, single and compound), characters that do
//! not occur as given names in chat (function words, titles, kinship, units), common given
//! names across English-speaking and Asian business settings, pinyin/Cantonese/Hokkien
//! romanised surnames, capitalised words that are never part of a name, and everyday
//! two-character words that begin with a surname character (时候, 方向, 明显 …: a candidate
//! name starting with one is a word, not a name).
//!
//! The tables are the data files `crates/wcp-pii/data/*.txt` (one entry per line), made into
//! `const` slices by `build.rs`, which refuses a table searched by binary search (all but
//! `CN_SURNAMES2` and `EN_STOP`) that is not strictly sorted, naming the file and line;
//! `names_check.rs` asserts the same on the constants.

include!(concat!(env!("OUT_DIR"), "/names_data.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names_table::{parse, Entry};

    /// The constants are the data files, entry for entry, in file order.
    #[test]
    fn the_constants_are_the_data_files() {
        let words = |file: &str, text: &str, sorted: bool| parse(file, text, Entry::Word, sorted);
        let chars = |file: &str, text: &str| -> Vec<char> {
            let v = parse(file, text, Entry::Char, true).unwrap();
            v.iter().filter_map(|s| s.chars().next()).collect()
        };
        assert_eq!(
            chars("cn_surnames", include_str!("../data/cn_surnames.txt")),
            CN_SURNAMES
        );
        assert_eq!(
            chars("not_given", include_str!("../data/not_given.txt")),
            NOT_GIVEN
        );
        assert_eq!(
            chars(
                "cn_surnames2_first",
                include_str!("../data/cn_surnames2_first.txt")
            ),
            CN_SURNAMES2_FIRST
        );
        for (file, text, sorted, table) in [
            (
                "en_first",
                include_str!("../data/en_first.txt"),
                true,
                EN_FIRST,
            ),
            (
                "pinyin_surnames",
                include_str!("../data/pinyin_surnames.txt"),
                true,
                PINYIN_SURNAMES,
            ),
            (
                "cn_common_words",
                include_str!("../data/cn_common_words.txt"),
                true,
                CN_COMMON_WORDS,
            ),
            (
                "cn_surnames2",
                include_str!("../data/cn_surnames2.txt"),
                false,
                CN_SURNAMES2,
            ),
            (
                "en_stop",
                include_str!("../data/en_stop.txt"),
                false,
                EN_STOP,
            ),
        ] {
            assert_eq!(words(file, text, sorted).unwrap(), table, "{file}");
        }
    }

    /// The build's check can fail: out of order, duplicated, not one character; it names the
    /// file and line, and skips comments and blank lines.
    #[test]
    fn the_build_check_rejects_unsorted_tables_with_file_and_line() {
        let t = "# given names\nAmy\n\nBen\nAbe\n";
        let err = parse("data/x.txt", t, Entry::Word, true).unwrap_err();
        assert!(
            err.starts_with("data/x.txt:5: `Abe` must come after `Ben`"),
            "{err}"
        );
        assert_eq!(
            parse("x", t, Entry::Word, false).unwrap(),
            ["Amy", "Ben", "Abe"]
        );
        let err = parse("data/y.txt", "Amy\nAmy\n", Entry::Word, true).unwrap_err();
        assert!(err.starts_with("data/y.txt:2:"), "{err}");
        let err = parse("data/z.txt", "丁\n万\n王李\n", Entry::Char, true).unwrap_err();
        assert!(
            err.contains("data/z.txt:3: `王李` is not one character"),
            "{err}"
        );
        assert!(parse("z", "万\n丁\n", Entry::Char, true).is_err());
    }
}
