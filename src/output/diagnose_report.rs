//! The `diagnose` report: integrity state, then problems by priority.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Block, Report, Style};
use crate::catalog::Collection;
use crate::diagnose::{Diagnosis, IntegrityView, Problem};
use crate::exit::Exit;
use crate::store::diagnoses::{StoredObservation, TrendPoint};
use crate::vocab::Severity;

/// `diagnose --collection C -o json`.
#[derive(Debug, Serialize)]
pub struct DiagnoseReport {
    /// `schema.table`.
    pub collection: String,
    /// `ok`, `warning` or `critical` (the worst problem).
    pub status: &'static str,
    /// Id of the stored diagnosis.
    pub diagnosis_id: i64,
    /// The observation diagnosed.
    pub observation_id: i64,
    /// When it was taken.
    pub observed_at: DateTime<Utc>,
    /// Whether this run took it (a fresh check).
    pub fresh_check: bool,
    /// Integrity state and minimum cut (null when the index pages could not be read).
    pub integrity: Option<IntegrityView>,
    /// Normalised lambda of the last diagnoses, oldest first (this one last).
    pub integrity_trend: Vec<TrendPoint>,
    /// Problems, highest priority first.
    pub problems: Vec<Problem>,
}

impl DiagnoseReport {
    /// Builds the report.
    pub fn new(
        c: &Collection,
        diagnosis_id: i64,
        obs: &StoredObservation,
        fresh_check: bool,
        d: Diagnosis,
        trend: Vec<TrendPoint>,
    ) -> Self {
        let status = match d.worst() {
            Some(Severity::Critical) => "critical",
            Some(Severity::Warning) => "warning",
            _ => "ok",
        };
        Self {
            collection: c.collection.clone(),
            status,
            diagnosis_id,
            observation_id: obs.id,
            observed_at: obs.observed_at,
            fresh_check,
            integrity: d.integrity,
            integrity_trend: trend,
            problems: d.problems,
        }
    }

    /// 0, 1 or 2 by the worst problem.
    pub fn exit(&self) -> Exit {
        match self.status {
            "critical" => Exit::Critical,
            "warning" => Exit::Warning,
            _ => Exit::Ok,
        }
    }

    fn blocks(&self, style: &Style) -> Vec<Block> {
        let mut out = Vec::new();
        let integrity = match &self.integrity {
            Some(v) => {
                let trend: Vec<String> = self
                    .integrity_trend
                    .iter()
                    .filter_map(|t| t.lambda_normalized.map(|l| format!("{l:.3}")))
                    .collect();
                format!(
                    "integrity {} (normalised lambda {:.3}; trend {})",
                    v.state.as_str(),
                    v.cut.lambda_normalized,
                    if trend.is_empty() {
                        "-".into()
                    } else {
                        trend.join(" -> ")
                    }
                )
            }
            None => "integrity not measured (index pages not read)".into(),
        };
        let head = if self.problems.is_empty() {
            format!("{}: no problems; {integrity}", self.collection)
        } else {
            format!(
                "{}: {} problem(s), {}; {integrity}",
                self.collection,
                self.problems.len(),
                self.status
            )
        };
        out.push(Block::Line(head));
        if !self.problems.is_empty() {
            let mut t = style.table(["class", "severity", "priority", "impact", "root cause"]);
            for p in &self.problems {
                t.add_row(vec![
                    p.class.to_string(),
                    p.severity.as_str().to_string(),
                    format!("{:.1}", p.priority),
                    format!("{:.0}% of {}", p.impact.share * 100.0, p.impact.scope),
                    p.root_cause.clone(),
                ]);
            }
            out.push(Block::Table(t));
        }
        if let Some(v) = self
            .integrity
            .as_ref()
            .filter(|v| !v.cut.witnesses.is_empty())
        {
            let w: Vec<String> = v
                .cut
                .witnesses
                .iter()
                .take(3)
                .map(|w| format!("{} -- {} ({:?}, {:.1})", w.from, w.to, w.kind, w.capacity))
                .collect();
            out.push(Block::Line(format!(
                "minimum cut: {} witness edge(s), e.g. {}",
                v.cut.witness_count,
                w.join("; ")
            )));
        }
        out
    }
}

impl Report for DiagnoseReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        self.blocks(style)
    }
}

/// `diagnose --all -o json`.
#[derive(Debug, Serialize)]
pub struct DiagnoseAll {
    /// One report per collection.
    pub diagnoses: Vec<DiagnoseReport>,
    /// Collections whose run failed (the others still ran).
    pub errors: Vec<crate::output::fleet_report::CollectionError>,
}

impl Report for DiagnoseAll {
    fn tables(&self, style: &Style) -> Vec<Block> {
        if self.diagnoses.is_empty() && self.errors.is_empty() {
            return vec![Block::Line("no vector collections to diagnose".into())];
        }
        let mut out: Vec<Block> = self
            .diagnoses
            .iter()
            .flat_map(|d| d.blocks(style))
            .collect();
        out.extend(crate::output::fleet_report::blocks(&self.errors, style));
        out
    }
}
