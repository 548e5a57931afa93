//! Reads one name table's data file (`data/*.txt`): one entry per line, blank lines and `#`
//! comments skipped. `build.rs` turns each table into a `const` slice with it; the tests
//! check it. A table searched by binary search must be strictly sorted (by code point, no
//! duplicates), or a name added out of order would silently never be found: such an entry
//! stops the build with the file and line.

/// What one line of a table holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Entry {
    /// One character (the Chinese single-character tables).
    Char,
    /// A word.
    Word,
}

/// The entries of `text` (the contents of `file`), in file order.
pub fn parse(file: &str, text: &str, entry: Entry, sorted: bool) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let e = line.trim();
        if e.is_empty() || e.starts_with('#') {
            continue;
        }
        let at = format!("{file}:{}", i + 1);
        if entry == Entry::Char && e.chars().count() != 1 {
            return Err(format!("{at}: `{e}` is not one character"));
        }
        // UTF-8 byte order is code point order: the order `binary_search` uses.
        if let Some(prev) = out.last().filter(|p| sorted && p.as_str() >= e) {
            return Err(format!(
                "{at}: `{e}` must come after `{prev}`: the table is searched by binary \
                 search, keep it sorted by code point and without duplicates"
            ));
        }
        out.push(e.to_string());
    }
    Ok(out)
}
