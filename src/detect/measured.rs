//! What one `check` measured: metrics, findings, and what was skipped.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Class, Finding, Severity};

/// Accumulates the output of every detector during one check.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Measured {
    /// Flat numeric metrics (`table.dead_ratio`, `recall.at_k`, ...), stored with the observation.
    pub metrics: BTreeMap<String, f64>,
    /// Findings in the order the detectors produced them.
    pub findings: Vec<Finding>,
    /// Checks that could not run, with the reason (also reported as info findings).
    pub skipped: Vec<String>,
    /// Structured detail per detector (recall report, index structure, ...).
    pub details: BTreeMap<String, serde_json::Value>,
    /// The index part of the contracted graph (HNSW regions or IVFFlat lists), for
    /// [`super::integrity`]; not stored (its minimum cut is).
    #[serde(skip)]
    pub graph: Option<crate::integrity::Graph>,
}

impl Measured {
    /// Records a metric; NaN and infinities are dropped (they cannot be stored or compared).
    pub fn set(&mut self, name: &str, value: f64) {
        if value.is_finite() {
            self.metrics.insert(name.to_string(), value);
        }
    }

    /// A metric recorded earlier in this check.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).copied()
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records that `detector` could not run, as an info finding too.
    pub fn skip(&mut self, detector: &str, reason: impl Into<String>) {
        let reason = reason.into();
        self.skipped.push(format!("{detector}: {reason}"));
        self.findings.push(Finding::new(
            Class::Unknown,
            Severity::Info,
            detector,
            format!("skipped: {reason}"),
        ));
    }

    /// Stores structured detail under `key`.
    pub fn detail(&mut self, key: &str, value: impl Serialize) {
        if let Ok(v) = serde_json::to_value(value) {
            self.details.insert(key.to_string(), v);
        }
    }

    /// Takes in what another part of the same check measured (run concurrently).
    pub fn absorb(&mut self, other: Measured) {
        self.metrics.extend(other.metrics);
        self.findings.extend(other.findings);
        self.skipped.extend(other.skipped);
        self.details.extend(other.details);
        if other.graph.is_some() {
            self.graph = other.graph;
        }
    }

    /// The worst severity among the findings, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}
