//! The one clock. `RUVHEAL_NOW` (RFC 3339) fixes it, so tests and demos are
//! deterministic.

use chrono::{DateTime, Utc};

/// The current time, or the time `RUVHEAL_NOW` names.
pub fn now() -> DateTime<Utc> {
    std::env::var("RUVHEAL_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

/// Debug-level timings of the phases of one step: `lap("x")` logs
/// "<prefix>x after N ms", counted from [`Laps::start`]. Wall time, for `-vv`.
#[derive(Debug, Clone, Copy)]
pub struct Laps {
    prefix: &'static str,
    start: std::time::Instant,
}

impl Laps {
    /// Starts counting; every line begins with `prefix`.
    pub fn start(prefix: &'static str) -> Self {
        Laps {
            prefix,
            start: std::time::Instant::now(),
        }
    }

    /// Logs that `what` is done.
    pub fn lap(&self, what: &str) {
        log::debug!(
            "{}{what} after {:.0} ms",
            self.prefix,
            self.start.elapsed().as_secs_f64() * 1000.0
        );
    }
}
