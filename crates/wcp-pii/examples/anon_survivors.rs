//! Print the anonymisation survivor measure of a labelled set (score.py gold form) as one
//! JSON line: `anon_survivors SET.jsonl`. Definition in `tests/common/survivors.rs`.
//! Prints counts only, never a value — unless `--list` is added (development sets only:
//! every survivor's id, type and value, one per line on stderr).

#[path = "../tests/common/survivors.rs"]
mod survivors;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: anon_survivors SET.jsonl");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let rep = survivors::measure(&text);
    if std::env::args().nth(2).as_deref() == Some("--list") {
        for (id, ty, value) in &rep.survivors {
            eprintln!("{id}\t{ty}\t{value}");
        }
    }
    let by: serde_json::Map<String, serde_json::Value> = rep
        .by_type
        .iter()
        .map(|(k, t)| {
            (k.clone(), serde_json::json!({"values": t.values, "survive": t.partial, "verbatim": t.verbatim}))
        })
        .collect();
    let t = &rep.total;
    println!(
        "{}",
        serde_json::json!({"values": t.values, "survive": t.partial, "verbatim": t.verbatim,
            "survivor_rate": (t.rate() * 10_000.0).round() / 10_000.0, "by_type": by})
    );
}
