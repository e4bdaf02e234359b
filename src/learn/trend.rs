//! Trends: the least-squares slope of the success rate over weekly buckets.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The slope (per step of `x`) of the least-squares line through `points`;
/// `None` with fewer than two distinct `x`.
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    Some(sxy / sxx)
}

/// Seconds in the bucket of a trend: one week.
pub const BUCKET_SECS: i64 = 7 * 86_400;

/// Success rate per week, oldest first: `(weeks before now, as a negative x;
/// success rate)` for each week with at least one attempt.
pub fn weekly_rates(events: &[(DateTime<Utc>, bool)], now: DateTime<Utc>) -> Vec<(f64, f64)> {
    let mut buckets: std::collections::BTreeMap<i64, (u32, u32)> = Default::default();
    for (at, ok) in events {
        let age = (now - *at).num_seconds().max(0) / BUCKET_SECS;
        let b = buckets.entry(-age).or_default();
        b.0 += 1;
        b.1 += u32::from(*ok);
    }
    buckets
        .into_iter()
        .map(|(x, (n, s))| (x as f64, f64::from(s) / f64::from(n)))
        .collect()
}

/// How a success rate moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Fewer than two weeks with attempts.
    Unknown,
    /// Slope above +`STEADY` per week.
    Improving,
    /// Within +-`STEADY` per week.
    Steady,
    /// Slope below -`STEADY` per week.
    Falling,
}

/// The band of slopes (success rate per week) called steady.
pub const STEADY: f64 = 0.05;

/// A trend: the slope per week and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Change of the success rate per week (least squares), when known.
    pub slope_per_week: Option<f64>,
    /// Its direction.
    pub direction: Direction,
}

impl Trend {
    /// The trend of `events` (time, success) as of `now`.
    pub fn of(events: &[(DateTime<Utc>, bool)], now: DateTime<Utc>) -> Self {
        let s = slope(&weekly_rates(events, now));
        let direction = match s {
            None => Direction::Unknown,
            Some(s) if s > STEADY => Direction::Improving,
            Some(s) if s < -STEADY => Direction::Falling,
            Some(_) => Direction::Steady,
        };
        Trend {
            slope_per_week: s,
            direction,
        }
    }
}
