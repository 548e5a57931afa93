//! Reading rows in an index's order and keeping the first that pass a test: how the review
//! pages fill a page from the newest rows without sorting every match (the archive's messages
//! and the review store's items alike).

/// The ids (column 0) of the first `want` rows whose test (column 1) is true, or None when
/// the rows run out first (the caller then falls back to a filtered, sorted query). A NULL
/// test (a comparison with a NULL column) is not a match, as in WHERE.
pub fn first_matching(
    rows: &mut rusqlite::Rows<'_>,
    want: u64,
) -> rusqlite::Result<Option<Vec<i64>>> {
    if want == 0 {
        return Ok(Some(Vec::new()));
    }
    let mut ids = Vec::new();
    while let Some(r) = rows.next()? {
        if r.get::<_, Option<bool>>(1)? == Some(true) {
            ids.push(r.get(0)?);
            if ids.len() as u64 == want {
                return Ok(Some(ids));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(tests: &[Option<bool>], want: u64) -> Option<Vec<i64>> {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, ok INTEGER)")
            .unwrap();
        for (i, ok) in tests.iter().enumerate() {
            conn.execute("INSERT INTO t VALUES (?1, ?2)", (i as i64 + 1, ok))
                .unwrap();
        }
        let mut stmt = conn
            .prepare("SELECT id, ok FROM t ORDER BY id DESC")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        first_matching(&mut rows, want).unwrap()
    }

    #[test]
    fn stops_at_want_in_row_order_and_skips_false_and_null() {
        let t = [Some(true), None, Some(true), Some(false), Some(true)];
        assert_eq!(run(&t, 2), Some(vec![5, 3]));
        assert_eq!(run(&t, 3), Some(vec![5, 3, 1]));
        assert_eq!(run(&t, 4), None, "rows ran out");
        assert_eq!(run(&t, 0), Some(vec![]));
        assert_eq!(run(&[], 1), None);
    }
}
