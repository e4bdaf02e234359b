//! Learning (`learn`): from recorded outcomes to strategy weights, trends and
//! drift. Pure functions over data: no SQL, no printing; the store reads the
//! outcomes and writes the weights, `commands::learn` wires them.
//!
//! * [`estimate`]: Beta posterior per (class, strategy), the UCB decision
//!   weight, and the reference formula `success_rate * (1 + mean_improvement)`.
//! * [`trend`]: least-squares slope of the weekly success rate.
//! * [`drift`]: failure streaks and falling success rates that stop auto-heal
//!   for a class until a human acts.

pub mod drift;
pub mod estimate;
pub mod trend;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::vocab::Class;
pub use drift::Drift;
pub use estimate::Posterior;
pub use trend::Trend;

/// One recorded outcome, as much of it as learning needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The problem's class.
    pub class: Class,
    /// The playbook.
    pub strategy: String,
    /// When the repair ended.
    pub finished_at: DateTime<Utc>,
    /// Wall time of the repair.
    pub duration_ms: f64,
    /// Its steps all ran.
    pub success: bool,
    /// Verification held.
    pub verified: bool,
    /// Relative improvement of the target metric, when measured.
    pub improvement: Option<f64>,
    /// A human's verdict (`feedback`): -1 harmful, 0 useless, 1-2 poor,
    /// 3-5 helpful.
    pub feedback: Option<i16>,
}

/// The lowest `feedback` score that counts as a success.
pub const HELPFUL_SCORE: i16 = 3;

impl Outcome {
    /// A success counts only when the steps ran and verification held; a
    /// human's verdict replaces that: a score of [`HELPFUL_SCORE`] or more is a
    /// success, anything lower a failure (and so counts towards drift).
    pub fn succeeded(&self) -> bool {
        match self.feedback {
            Some(score) => score >= HELPFUL_SCORE,
            None => self.success && self.verified,
        }
    }
}

/// What was learned about one strategy for one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyStats {
    /// The class.
    pub class: Class,
    /// The playbook.
    pub strategy: String,
    /// Outcomes in the window.
    pub attempts: u32,
    /// Of which succeeded and verified.
    pub successes: u32,
    /// `successes / attempts`.
    pub success_rate: f64,
    /// Mean improvement over the outcomes that measured one.
    pub mean_improvement: Option<f64>,
    /// Mean time to recovery: mean duration of the successful repairs, in ms.
    pub mean_time_to_recovery_ms: Option<f64>,
    /// `success_rate * (1 + mean_improvement)`.
    pub reference_weight: f64,
    /// The Beta posterior.
    pub posterior: Posterior,
    /// Posterior mean of the success probability.
    pub estimate: f64,
    /// Posterior standard deviation (the uncertainty).
    pub uncertainty: f64,
    /// The decision weight the planner reads (upper confidence bound).
    pub weight: f64,
    /// How the success rate moves week by week.
    pub trend: Trend,
}

/// Everything `learn` computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learned {
    /// Per (class, strategy), sorted.
    pub strategies: Vec<StrategyStats>,
    /// Classes whose healing drifts.
    pub drift: Vec<Drift>,
}

/// Learns from `outcomes` (already limited to the window) as of `now`;
/// `cleared` holds when each class's auto-heal stop was last cleared.
pub fn learn(
    outcomes: &[Outcome],
    cleared: &BTreeMap<Class, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Learned {
    let mut groups: BTreeMap<(Class, &str), Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        groups.entry((o.class, &o.strategy)).or_default().push(o);
    }
    let strategies = groups
        .into_iter()
        .map(|((class, strategy), list)| stats(class, strategy, &list, now))
        .collect();
    Learned {
        strategies,
        drift: drift::detect(outcomes, cleared, now),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = values.fold((0u32, 0.0), |(n, s), v| (n + 1, s + v));
    (n > 0).then(|| sum / f64::from(n))
}

fn stats(class: Class, strategy: &str, list: &[&Outcome], now: DateTime<Utc>) -> StrategyStats {
    let attempts = list.len() as u32;
    let successes = list.iter().filter(|o| o.succeeded()).count() as u32;
    let success_rate = f64::from(successes) / f64::from(attempts.max(1));
    let mean_improvement = mean(list.iter().filter_map(|o| o.improvement));
    let mttr = mean(list.iter().filter(|o| o.succeeded()).map(|o| o.duration_ms));
    let posterior = Posterior::from_counts(attempts, successes);
    let events: Vec<_> = list
        .iter()
        .map(|o| (o.finished_at, o.succeeded()))
        .collect();
    StrategyStats {
        class,
        strategy: strategy.to_string(),
        attempts,
        successes,
        success_rate,
        mean_improvement,
        mean_time_to_recovery_ms: mttr,
        reference_weight: estimate::reference_weight(success_rate, mean_improvement),
        estimate: posterior.mean(),
        uncertainty: posterior.sd(),
        weight: posterior.ucb(),
        posterior,
        trend: Trend::of(&events, now),
    }
}

/// The weights the planner reads, by (class, strategy).
pub fn weights(learned: &Learned) -> BTreeMap<(Class, String), f64> {
    learned
        .strategies
        .iter()
        .map(|s| ((s.class, s.strategy.clone()), s.weight))
        .collect()
}

#[cfg(test)]
mod tests;
