//! Diagnosis (`diagnose`): turns one observation's findings, metrics and integrity
//! graph into problems a planner can act on — class, root cause in words, the
//! evidence behind it, impact and priority. Pure: no SQL, no terminal.
//!
//! * [`rules`]: the classifier (which cause explains which symptom).
//! * [`impact`]: what a problem affects and how urgent it is.

pub mod impact;
pub mod rules;
pub mod ruvector;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::detect::Finding;
use crate::integrity::{Integrity, IntegrityState, Thresholds};
use crate::vocab::{Class, Severity};
pub use impact::Impact;

/// What the classifier reads: one stored observation and the one before it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Metrics of the observation.
    pub metrics: &'a BTreeMap<String, f64>,
    /// Metrics of the observation before it (for growth), if any.
    pub previous: Option<&'a BTreeMap<String, f64>>,
    /// Its findings, with their ids in the state tables.
    pub findings: &'a [(i64, Finding)],
    /// Its integrity graph's minimum cut, if the index pages could be read.
    pub integrity: Option<&'a Integrity>,
    /// Normalised-lambda thresholds.
    pub thresholds: Thresholds,
    /// The collection's recall contract.
    pub min_recall: f64,
}

/// One problem: a cause, with the findings it explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Its id in the state tables, once stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Problem class (DESIGN.md vocabulary).
    pub class: Class,
    /// The worst severity of its findings (or of the integrity state).
    pub severity: Severity,
    /// Higher first: severity, impact, then how fast it is growing.
    pub priority: f64,
    /// The cause, in words.
    pub root_cause: String,
    /// Numbers and names behind the cause.
    pub evidence: serde_json::Value,
    /// What it affects.
    pub impact: Impact,
    /// Ids of the findings it explains.
    pub findings: Vec<i64>,
}

/// The evidence key saying why only a human may act on a problem.
const HUMAN_ONLY: &str = "human_only";

impl Problem {
    /// Why no playbook should act on it, when the cause is outside what a
    /// repair may change (kept in the evidence, so stored problems keep it).
    pub fn human_only(&self) -> Option<&str> {
        self.evidence
            .get(HUMAN_ONLY)
            .and_then(serde_json::Value::as_str)
    }

    /// Marks it as one no playbook should act on, saying why.
    pub fn leave_to_a_human(&mut self, why: &str) {
        self.evidence[HUMAN_ONLY] = serde_json::Value::from(why);
    }
}

/// The integrity part of a diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrityView {
    /// `normal`, `stress` or `critical`.
    pub state: IntegrityState,
    /// The minimum cut and its witnesses.
    #[serde(flatten)]
    pub cut: Integrity,
}

/// A diagnosis of one collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Integrity state and minimum cut (absent when the index pages were not read).
    pub integrity: Option<IntegrityView>,
    /// Problems, highest priority first.
    pub problems: Vec<Problem>,
}

impl Diagnosis {
    /// The worst problem severity, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.problems.iter().map(|p| p.severity).max()
    }
}

/// Classifies one observation.
pub fn diagnose(input: &Input<'_>) -> Diagnosis {
    let integrity = input.integrity.map(|cut| IntegrityView {
        state: input.thresholds.judge(cut.lambda_normalized),
        cut: cut.clone(),
    });
    let mut problems = rules::classify(input, integrity.as_ref());
    ruvector::refine(&mut problems, input);
    for p in &mut problems {
        p.impact = impact::impact(p.class, input, integrity.as_ref(), &p.impact);
        p.priority = impact::priority(p, input);
    }
    // A problem that blocks the repair of another (an xmin holder keeping the
    // bloat) must be fixed first: it ranks just above what it blocks.
    let blocked: Vec<(String, f64)> = problems
        .iter()
        .filter_map(|p| {
            Some((
                p.evidence.get("blocked_by")?.as_str()?.to_string(),
                p.priority,
            ))
        })
        .collect();
    for (blocker, above) in blocked {
        if let Some(b) = problems.iter_mut().find(|p| p.class.as_str() == blocker) {
            b.priority = b.priority.max(above + 1.0);
        }
    }
    problems.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.class.cmp(&b.class))
    });
    Diagnosis {
        integrity,
        problems,
    }
}
