//! From normalised lambda to the integrity state of DESIGN.md.

use serde::{Deserialize, Serialize};

/// `normal`, `stress` or `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityState {
    /// The weakest cut is about as strong as the average node.
    Normal,
    /// A part of the collection hangs on noticeably fewer links than the rest.
    Stress,
    /// A part of the collection is (nearly) cut off.
    Critical,
}

impl IntegrityState {
    /// The lowercase name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrityState::Normal => "normal",
            IntegrityState::Stress => "stress",
            IntegrityState::Critical => "critical",
        }
    }
}

/// Normalised-lambda thresholds (config `diagnose.lambda_stress`, `diagnose.lambda_critical`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Below this normalised lambda the state is `stress`.
    pub stress: f64,
    /// Below this it is `critical`.
    pub critical: f64,
}

impl Thresholds {
    /// The state for a normalised lambda.
    pub fn judge(&self, lambda_normalized: f64) -> IntegrityState {
        if lambda_normalized < self.critical {
            IntegrityState::Critical
        } else if lambda_normalized < self.stress {
            IntegrityState::Stress
        } else {
            IntegrityState::Normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_strict_lower_bounds() {
        let t = Thresholds {
            stress: 0.2,
            critical: 0.05,
        };
        assert_eq!(t.judge(0.0), IntegrityState::Critical);
        assert_eq!(t.judge(0.05), IntegrityState::Stress);
        assert_eq!(t.judge(0.2), IntegrityState::Normal);
        assert_eq!(t.judge(1.0), IntegrityState::Normal);
    }
}
