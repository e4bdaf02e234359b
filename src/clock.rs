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
