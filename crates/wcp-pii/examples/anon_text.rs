//! Anonymise stdin lines as the anonymiser stage does (classifier spans + recall pass,
//! default policy, a fixed demo key) and print each result: a quick look at what survives.
use std::io::BufRead;
use wcp_pii::anonymise::{anonymise, AnonPolicy};
use wcp_pii::PiiDetector;

fn main() {
    let (det, recall) = (PiiDetector::new(), PiiDetector::anonymising());
    let policy = AnonPolicy::default();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let mut ms = det.detect(&line);
        ms.extend(recall.detect(&line));
        println!("{}", anonymise(&line, &ms, &policy, b"demo-key"));
    }
}
