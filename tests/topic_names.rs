//! Topic names are written once, in `wcp_model::topics`: no other source file of the crates,
//! services or CLI spells a topic name as a string literal (test code aside), so a renamed
//! topic cannot leave a second, stale spelling behind (issue 14).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            // Integration tests and benches are test code.
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !matches!(name, "tests" | "benches" | "examples" | "target") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The part of a file before its unit tests (`#[cfg(test)]`, at the end by convention).
fn non_test_part(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

#[test]
fn topic_names_are_spelled_only_in_wcp_model_topics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for top in ["crates", "services", "src"] {
        rust_files(&root.join(top), &mut files);
    }
    let home = root.join("crates/wcp-model/src/topics.rs");
    let mut found = Vec::new();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if *f == home || name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read source");
        let code = non_test_part(&text);
        for t in wcp_model::topics::ALL {
            if code.contains(&format!("\"{t}\"")) {
                found.push(format!(
                    "{}: \"{t}\"",
                    f.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "topic names spelled outside wcp_model::topics (use its constants):\n{}",
        found.join("\n")
    );
    assert!(files.len() > 100, "scanned too few files: {}", files.len());
}
