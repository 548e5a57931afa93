//! The wall clock, for runners only (capture times, audit stamps, lag metrics). Stage logic
//! never calls it: decisions take the event's own time as an argument.

/// Milliseconds since the Unix epoch (0 if the system clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
