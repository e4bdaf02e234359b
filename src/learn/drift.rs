//! Drift: when healing a class stops working, auto-heal for that class stops
//! until a human acts.
//!
//! Two rules, per problem class, on the outcomes since the class's stop was
//! last cleared (so a cleared stop is not raised again by the same history):
//!
//! * `FAILURE_STREAK` consecutive failed outcomes (the most recent ones);
//! * a falling success rate: over at least `MIN_WEEKS` weeks with attempts, a
//!   least-squares slope of the weekly success rate at or below `DRIFT_SLOPE`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Outcome;
use super::trend::{slope, weekly_rates};
use crate::vocab::Class;

/// Consecutive failures of a class that stop its auto-heal. Larger than the
/// failures it takes the planner to switch strategy (one), so switching is
/// tried first.
pub const FAILURE_STREAK: usize = 5;

/// Weekly slope of the success rate at or below which a class is drifting.
pub const DRIFT_SLOPE: f64 = -0.15;

/// Weeks with attempts needed before the slope rule applies.
pub const MIN_WEEKS: usize = 3;

/// A class whose healing is drifting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// The class.
    pub class: Class,
    /// Why, in words.
    pub reason: String,
    /// The weekly slope of its success rate, when known.
    pub slope_per_week: Option<f64>,
    /// Its latest run of consecutive failures.
    pub failure_streak: usize,
}

/// The drifting classes among `outcomes`, ignoring a class's outcomes that
/// finished before its stop was last `cleared`.
pub fn detect(
    outcomes: &[Outcome],
    cleared: &BTreeMap<Class, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<Drift> {
    let mut by_class: BTreeMap<Class, Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        if cleared.get(&o.class).is_some_and(|c| o.finished_at <= *c) {
            continue;
        }
        by_class.entry(o.class).or_default().push(o);
    }
    let mut out = Vec::new();
    for (class, mut list) in by_class {
        list.sort_by_key(|o| o.finished_at);
        let streak = list.iter().rev().take_while(|o| !o.succeeded()).count();
        let events: Vec<_> = list
            .iter()
            .map(|o| (o.finished_at, o.succeeded()))
            .collect();
        let weeks = weekly_rates(&events, now);
        let s = slope(&weeks);
        let reason = if streak >= FAILURE_STREAK {
            Some(format!(
                "{streak} consecutive failed repairs of {class} (stop at {FAILURE_STREAK})"
            ))
        } else if weeks.len() >= MIN_WEEKS && s.is_some_and(|s| s <= DRIFT_SLOPE) {
            Some(format!(
                "success rate of {class} repairs falling by {:.2} per week over {} weeks (stop at {DRIFT_SLOPE})",
                -s.unwrap_or_default(),
                weeks.len()
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(Drift {
                class,
                reason,
                slope_per_week: s,
                failure_streak: streak,
            });
        }
    }
    out
}
