//! The one clock: the server's. Every decision that depends on time
//! (cooldowns, attempt windows, approval expiry, freshness, the order of
//! observations) reads it from PostgreSQL, so a client whose clock is wrong
//! decides nothing. The client's own clock only times phases (wall durations).

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

/// The server's current time (`statement_timestamp()`) on `client`.
pub fn server_now(client: &mut impl postgres::GenericClient) -> Result<DateTime<Utc>> {
    Ok(client
        .query_one("SELECT pg_catalog.statement_timestamp()", &[])
        .context("reading the server's clock")?
        .get(0))
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
