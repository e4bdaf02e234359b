//! The decision weight: a Bayesian estimate of a strategy's success probability
//! with its uncertainty, and the exploration rule that turns it into a weight.
//!
//! Each (class, strategy) has a Beta(alpha, beta) posterior over its success
//! probability, from a uniform Beta(1, 1) prior: `alpha = 1 + successes`,
//! `beta = 1 + failures`. The weight the planner reads is the upper confidence
//! bound `mean + c * sd`, clamped to `[0, 1]`, with `c = sqrt(3)`.
//!
//! Why UCB and not Thompson sampling: the planner runs from cron and its answer
//! must be reproducible and explainable (`plan` and `repair --dry-run` print the
//! same plan; a test can pin the switch). A seeded sample would make the same
//! history give different plans depending on the seed. UCB is deterministic and
//! still explores: an uncertain strategy gets the benefit of the doubt.
//!
//! Why `c = sqrt(3)`: the uniform prior has mean 1/2 and sd `1/sqrt(12)`, so its
//! bound is exactly 1, the weight of a strategy that was never recorded. Untried
//! and absent rank the same; every failure lowers the bound, every success
//! raises the mean and shrinks the doubt.

use serde::Serialize;

/// The exploration constant of the upper confidence bound (see the module docs).
pub const UCB_C: f64 = 1.732_050_807_568_877_2;

/// A Beta posterior over a success probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Posterior {
    /// `1 + successes`.
    pub alpha: f64,
    /// `1 + failures`.
    pub beta: f64,
}

impl Posterior {
    /// The posterior after `successes` out of `attempts`, from the uniform prior.
    pub fn from_counts(attempts: u32, successes: u32) -> Self {
        let successes = successes.min(attempts);
        Posterior {
            alpha: 1.0 + f64::from(successes),
            beta: 1.0 + f64::from(attempts - successes),
        }
    }

    /// The posterior mean `alpha / (alpha + beta)`.
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// The posterior standard deviation: the uncertainty of the estimate.
    pub fn sd(&self) -> f64 {
        let n = self.alpha + self.beta;
        (self.alpha * self.beta / (n * n * (n + 1.0))).sqrt()
    }

    /// The decision weight: `min(1, mean + UCB_C * sd)`.
    pub fn ucb(&self) -> f64 {
        (self.mean() + UCB_C * self.sd()).clamp(0.0, 1.0)
    }
}

/// The simple reference formula, kept visible next to the decision weight:
/// `success_rate * (1 + mean_improvement)` (improvement 0 when unknown).
pub fn reference_weight(success_rate: f64, mean_improvement: Option<f64>) -> f64 {
    success_rate * (1.0 + mean_improvement.unwrap_or(0.0))
}
