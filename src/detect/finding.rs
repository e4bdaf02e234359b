//! Findings: what a detector saw, in the shared vocabulary of DESIGN.md.

use serde::{Deserialize, Serialize};

pub use crate::vocab::{Class, Severity};

/// One thing a detector saw, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Problem class.
    pub class: Class,
    /// Severity.
    pub severity: Severity,
    /// Which detector produced it (`recall`, `structure`, `table`, `settings`, `contention`, `anomaly`).
    pub detector: String,
    /// The metric it is about, if one (a key of the observation's metrics).
    pub metric: Option<String>,
    /// The measured value.
    pub observed: Option<f64>,
    /// The value the contract or baseline expects.
    pub expected: Option<f64>,
    /// One sentence for a human.
    pub message: String,
    /// Supporting numbers and names.
    pub evidence: serde_json::Value,
}

impl Finding {
    /// A finding with no metric, numbers or evidence yet.
    pub fn new(
        class: Class,
        severity: Severity,
        detector: &str,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            class,
            severity,
            detector: detector.to_string(),
            metric: None,
            observed: None,
            expected: None,
            message: message.into(),
            evidence: serde_json::Value::Object(Default::default()),
        }
    }

    /// Sets the metric with its observed and expected values.
    pub fn metric(mut self, name: &str, observed: f64, expected: Option<f64>) -> Self {
        self.metric = Some(name.to_string());
        self.observed = Some(observed);
        self.expected = expected;
        self
    }

    /// Sets the evidence.
    pub fn evidence(mut self, evidence: serde_json::Value) -> Self {
        self.evidence = evidence;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_match_serde_and_design() {
        for c in Class::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(Class::ALL.len(), 16);
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
