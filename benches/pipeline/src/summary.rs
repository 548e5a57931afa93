//! Several runs' phase reports → the tables `benches/pipeline.sh` prints: each figure as the
//! median over runs with the min–max spread in brackets.

use std::fmt::Write;

use crate::dist::Dist;
use crate::service::ServiceReport;
use crate::trace::PhaseReport;

/// Reports grouped by (chain, phase), in the order they first appear.
fn groups(reports: &[PhaseReport]) -> Vec<(&str, &str, Vec<&PhaseReport>)> {
    let mut out: Vec<(&str, &str, Vec<&PhaseReport>)> = Vec::new();
    for r in reports {
        match out
            .iter_mut()
            .find(|(c, p, _)| *c == r.chain && *p == r.phase)
        {
            Some((_, _, v)) => v.push(r),
            None => out.push((&r.chain, &r.phase, vec![r])),
        }
    }
    out
}

/// `median [min–max]` of the values (just the value when they are all the same).
pub fn spread(values: &[f64]) -> String {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return "-".into();
    }
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    if v.len() == 1 || v[0] == v[v.len() - 1] {
        return format!("{median:.0}");
    }
    format!("{median:.0} [{:.0}–{:.0}]", v[0], v[v.len() - 1])
}

fn pick(runs: &[&PhaseReport], f: impl Fn(&PhaseReport) -> f64) -> Vec<f64> {
    runs.iter().map(|r| f(r)).collect()
}

/// The whole printed summary, and whether every run's load generator kept its rate.
pub fn render(reports: &[PhaseReport]) -> (String, bool) {
    let mut s = String::new();
    let groups = groups(reports);
    let runs = groups.iter().map(|g| g.2.len()).max().unwrap_or(0);
    let _ = writeln!(
        s,
        "End to end: produced to wecom.raw -> visible (read_committed) on the end topic, in ms.\n\
         Each figure: median [min–max] over {runs} run(s).\n"
    );
    let _ = writeln!(
        s,
        "{:<12} {:<8} {:<22} {:<16} {:<18} {:<18} {:<10}",
        "chain", "input", "produced ev/s", "p50", "p99", "max", "reached end"
    );
    let mut rates_ok = true;
    for (chain, phase, runs) in &groups {
        let short = runs.iter().filter(|r| !r.rate_ok()).count();
        rates_ok &= short == 0;
        let lost: usize = runs.iter().map(|r| r.events - r.reached_end).sum();
        let events: usize = runs.iter().map(|r| r.events).sum();
        let _ = writeln!(
            s,
            "{chain:<12} {phase:<8} {:<22} {:<16} {:<18} {:<18} {}/{}{}",
            spread(&pick(runs, |r| r.achieved_rate)),
            spread(&pick(runs, |r| r.end_to_end.p50 as f64)),
            spread(&pick(runs, |r| r.end_to_end.p99 as f64)),
            spread(&pick(runs, |r| r.end_to_end.max as f64)),
            events - lost,
            events,
            if short > 0 {
                format!("  RATE SHORT in {short} run(s): the load generator sent < 95% of the rate asked")
            } else {
                String::new()
            }
        );
    }
    throughput(&mut s, &groups);
    for (chain, phase, runs) in &groups {
        hops(&mut s, chain, phase, runs);
    }
    (s, rates_ok)
}

fn throughput(s: &mut String, groups: &[(&str, &str, Vec<&PhaseReport>)]) {
    let max: Vec<_> = groups.iter().filter(|g| g.1 == "max").collect();
    if max.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nThroughput, as fast as `wcp produce` sends (events at the end topic / time from the first produced):"
    );
    for (chain, _, runs) in &max {
        let _ = writeln!(
            s,
            "  {chain:<12} {} ev/s",
            spread(&pick(runs, |r| r.throughput_eps))
        );
    }
    let find = |c: &str| max.iter().find(|g| g.0 == c).map(|g| &g.2);
    if let (Some(pl), Some(pt)) = (find("pipeline"), find("passthrough")) {
        let ratios: Vec<f64> = pl
            .iter()
            .zip(pt.iter())
            .filter(|(_, b)| b.throughput_eps > 0.0)
            .map(|(a, b)| 100.0 * a.throughput_eps / b.throughput_eps)
            .collect();
        let _ = writeln!(
            s,
            "  pipeline / pass-through, run by run: {}%",
            spread(&ratios)
        );
    }
}

fn pair(runs: &[&PhaseReport], i: usize, f: impl Fn(&crate::trace::HopReport) -> Dist) -> String {
    let d = |q: fn(&Dist) -> i64| {
        let v: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.hops.get(i))
            .map(&f)
            .filter(|d| d.n > 0)
            .map(|d| q(&d) as f64)
            .collect();
        spread(&v)
    };
    let (p50, p99) = (d(|d| d.p50), d(|d| d.p99));
    if p50 == "-" {
        return "-".into();
    }
    format!("{p50} / {p99}")
}

fn hops(s: &mut String, chain: &str, phase: &str, runs: &[&PhaseReport]) {
    let Some(first) = runs.first() else { return };
    let _ = writeln!(
        s,
        "\nPer hop, {chain} at {phase}: p50 / p99 in ms (median [min–max] over runs). \
         in service = fetch + wait in a batch + stage; commit = transaction until visible"
    );
    let _ = writeln!(
        s,
        "  {:<18} {:<26} {:<26} {:<26} {:<26}",
        "topic", "in service", "commit", "hop", "since produced"
    );
    for (i, h) in first.hops.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:<18} {:<26} {:<26} {:<26} {:<26}",
            h.topic,
            pair(runs, i, |h| h.in_service),
            pair(runs, i, |h| h.commit),
            pair(runs, i, |h| h.hop),
            pair(runs, i, |h| h.since_produce),
        );
    }
    services(s, runs);
    for r in runs.iter().filter(|r| !r.context.is_empty()) {
        let _ = writeln!(s, "  run: {}", r.context);
    }
}

/// The services' own view of the phase (from their /metrics and CPU time).
fn services(s: &mut String, runs: &[&PhaseReport]) {
    let Some(first) = runs.first().filter(|r| !r.services.is_empty()) else {
        return;
    };
    let _ = writeln!(
        s,
        "  {:<18} {:<16} {:<16} {:<16} {:<16} {:<16} {:<12}",
        "service",
        "CPU % of a core",
        "transactions",
        "events/batch",
        "batch wait ms",
        "transaction ms",
        "stage µs/event"
    );
    for (i, svc) in first.services.iter().enumerate() {
        let col = |f: fn(&ServiceReport) -> f64| {
            let v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.services.get(i))
                .filter(|x| x.name == svc.name)
                .map(f)
                .collect();
            spread(&v)
        };
        let batch_col = |f: fn(&ServiceReport) -> f64| {
            let exposed = runs
                .iter()
                .filter_map(|r| r.services.get(i))
                .any(|x| x.batch_metrics);
            if exposed {
                col(f)
            } else {
                "n/a".to_string()
            }
        };
        let stage = {
            let v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.services.get(i))
                .map(|x| x.mean_stage_us)
                .collect();
            let mut v = v;
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).map_or("-".into(), |m| format!("{m:.1}"))
        };
        let _ = writeln!(
            s,
            "  {:<18} {:<16} {:<16} {:<16} {:<16} {:<16} {:<12}",
            format!("{} <- {}", svc.name, svc.input),
            col(|x| x.cpu_pct),
            col(|x| x.committed),
            batch_col(|x| x.mean_batch_events),
            batch_col(|x| x.mean_batch_wait_ms),
            batch_col(|x| x.mean_transaction_ms),
            stage,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{analyse, Seen, Trace};

    fn report(chain: &str, phase: &str, rate: Option<f64>, step_ms: i64, lat: i64) -> PhaseReport {
        let topics: Vec<String> = ["wecom.raw", "end"].iter().map(|s| s.to_string()).collect();
        let traces: Vec<Trace> = (0..101)
            .map(|k| {
                let t = k * step_ms;
                vec![
                    Some(Seen {
                        create_ms: t,
                        recv_ms: t + 1,
                    }),
                    Some(Seen {
                        create_ms: t + 2,
                        recv_ms: t + lat,
                    }),
                ]
            })
            .collect();
        analyse(chain, phase, rate, &topics, &traces)
    }

    #[test]
    fn spread_is_median_and_range() {
        assert_eq!(spread(&[30.0, 10.0, 20.0]), "20 [10–30]");
        assert_eq!(spread(&[10.0, 20.0]), "15 [10–20]");
        assert_eq!(spread(&[7.0]), "7");
        assert_eq!(spread(&[7.0, 7.0]), "7");
        assert_eq!(spread(&[]), "-");
    }

    #[test]
    fn tables_show_runs_ratio_and_short_rates() {
        let reports = vec![
            report("passthrough", "max", None, 1, 10),
            report("pipeline", "max", None, 2, 10),
            report("pipeline", "1000/s", Some(1000.0), 1, 40),
            report("passthrough", "max", None, 1, 10),
            report("pipeline", "max", None, 4, 10),
            report("pipeline", "1000/s", Some(1000.0), 1, 60),
        ];
        let (text, ok) = render(&reports);
        assert!(ok, "{text}");
        // p99 over runs 40 and 60 → median 50, range 40–60.
        assert!(text.contains("50 [40–60]"), "{text}");
        // 101 events over 100, 200, 400 ms (+10 ms to the end): 918, 481, 246 ev/s.
        assert!(text.contains("run by run: 40 [27–52]%"), "{text}");
        assert!(text.contains("Per hop, pipeline at 1000/s"), "{text}");
        let slow = vec![report("pipeline", "1000/s", Some(1000.0), 2, 40)];
        let (text, ok) = render(&slow);
        assert!(!ok);
        assert!(text.contains("RATE SHORT in 1 run(s)"), "{text}");
    }
}
