//! CPU time of this process, shared by the examples.

/// This process's user+system CPU time from /proc (Linux); 0 elsewhere. On a shared machine
/// CPU time says more about the code than wall time.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}
