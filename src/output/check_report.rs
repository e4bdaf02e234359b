//! The `check` report: findings as a table or JSON, and as Prometheus samples.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use comfy_table::{Cell, Color};
use serde::Serialize;

use super::prometheus::{Sample, metric_name, render};
use super::{Block, Report, Style};
use crate::catalog::{Collection, IndexInfo};
use crate::detect::Finding;
use crate::detect::measured::Measured;
use crate::exit::Exit;
use crate::vocab::Severity;

/// The index a check measured.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRef {
    /// Index name.
    pub name: String,
    /// `hnsw` or `ivfflat`.
    pub method: String,
    /// Operator class.
    pub opclass: String,
}

/// One collection's check.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// `schema.table`.
    pub collection: String,
    /// The vector column.
    pub column: String,
    /// The ANN index measured, if any.
    pub index: Option<IndexRef>,
    /// `ok`, `warning` or `critical`.
    pub status: &'static str,
    /// When the observation was taken.
    pub observed_at: DateTime<Utc>,
    /// Its id in the state tables.
    pub observation_id: i64,
    /// How long the check took.
    pub duration_ms: f64,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Every metric measured.
    pub metrics: BTreeMap<String, f64>,
    /// Checks that could not run, and why.
    pub skipped: Vec<String>,
    /// Structured detail per detector.
    pub details: BTreeMap<String, serde_json::Value>,
}

/// `check --all`.
#[derive(Debug, Serialize)]
pub struct CheckAll {
    /// One report per collection.
    pub checks: Vec<CheckReport>,
    /// Collections whose run failed (the others still ran).
    pub errors: Vec<crate::output::fleet_report::CollectionError>,
}

impl CheckReport {
    /// Builds the report; findings sorted worst first (stable within a severity).
    pub fn new(
        c: &Collection,
        index: Option<&IndexInfo>,
        observed_at: DateTime<Utc>,
        observation_id: i64,
        duration_ms: f64,
        mut measured: Measured,
    ) -> Self {
        measured
            .findings
            .sort_by_key(|f| std::cmp::Reverse(f.severity));
        let status = match measured.worst() {
            Some(Severity::Critical) => "critical",
            Some(Severity::Warning) => "warning",
            _ => "ok",
        };
        CheckReport {
            collection: c.collection.clone(),
            column: c.column.clone(),
            index: index.map(|i| IndexRef {
                name: i.name.clone(),
                method: i.method.clone(),
                opclass: i.opclass.clone(),
            }),
            status,
            observed_at,
            observation_id,
            duration_ms,
            findings: measured.findings,
            metrics: measured.metrics,
            skipped: measured.skipped,
            details: measured.details,
        }
    }

    /// The exit status this report calls for.
    pub fn exit(&self) -> Exit {
        match self.status {
            "critical" => Exit::Critical,
            "warning" => Exit::Warning,
            _ => Exit::Ok,
        }
    }

    fn summary(&self) -> String {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        let mut parts = Vec::new();
        if let Some(r) = self.metrics.get("recall.at_k") {
            parts.push(format!("recall@k {r:.3}"));
        }
        if let Some(p) = self.metrics.get("latency.p99_ms") {
            parts.push(format!("p99 {p:.1} ms"));
        }
        if let Some(d) = self.metrics.get("table.dead_ratio") {
            parts.push(format!("dead {:.0}%", d * 100.0));
        }
        let verdict = match self.status {
            "ok" => "healthy".to_string(),
            _ => format!(
                "{} critical, {} warning",
                count(Severity::Critical),
                count(Severity::Warning)
            ),
        };
        format!(
            "{}: {verdict}{} (observation {}, {:.0} ms)",
            self.collection,
            if parts.is_empty() {
                String::new()
            } else {
                format!("; {}", parts.join(", "))
            },
            self.observation_id,
            self.duration_ms
        )
    }

    fn blocks(&self, style: &Style) -> Vec<Block> {
        let mut blocks = Vec::new();
        if !self.findings.is_empty() {
            let mut t = style.table(["severity", "class", "detector", "finding"]);
            for f in &self.findings {
                let mut sev = Cell::new(f.severity.as_str());
                if style.color {
                    sev = sev.fg(match f.severity {
                        Severity::Critical => Color::Red,
                        Severity::Warning => Color::Yellow,
                        Severity::Info => Color::Blue,
                    });
                }
                t.add_row(vec![
                    sev,
                    Cell::new(f.class.as_str()),
                    Cell::new(&f.detector),
                    Cell::new(&f.message),
                ]);
            }
            blocks.push(Block::Table(t));
        }
        blocks.push(Block::Line(self.summary()));
        blocks
    }
}

impl Report for CheckReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        self.blocks(style)
    }
}

impl Report for CheckAll {
    fn tables(&self, style: &Style) -> Vec<Block> {
        if self.checks.is_empty() && self.errors.is_empty() {
            return vec![Block::Line("no vector collections to check".into())];
        }
        let mut out: Vec<Block> = self.checks.iter().flat_map(|c| c.blocks(style)).collect();
        out.extend(crate::output::fleet_report::blocks(&self.errors, style));
        out
    }
}

/// The reports as Prometheus textfile metrics; a collection whose check failed
/// under `--all` gets its `ruvheal_check_status` (3, 64 or 75) and nothing else.
pub fn prometheus(
    reports: &[CheckReport],
    errors: &[crate::output::fleet_report::CollectionError],
) -> String {
    render(&samples(reports, errors))
}

/// The samples of [`prometheus`], for a textfile that carries more (`heal`'s).
pub fn samples(
    reports: &[CheckReport],
    errors: &[crate::output::fleet_report::CollectionError],
) -> Vec<Sample> {
    let mut samples = Vec::new();
    for e in errors {
        samples.push(Sample {
            name: "ruvheal_check_status".into(),
            labels: vec![("collection".to_string(), e.collection.clone())],
            value: f64::from(e.exit),
        });
    }
    for r in reports {
        let label = vec![("collection".to_string(), r.collection.clone())];
        for (k, v) in &r.metrics {
            samples.push(Sample {
                name: metric_name(k),
                labels: label.clone(),
                value: *v,
            });
        }
        for sev in [Severity::Info, Severity::Warning, Severity::Critical] {
            let n = r.findings.iter().filter(|f| f.severity == sev).count();
            let mut labels = label.clone();
            labels.push(("severity".into(), sev.as_str().into()));
            samples.push(Sample {
                name: "ruvheal_check_findings".into(),
                labels,
                value: n as f64,
            });
        }
        samples.push(Sample {
            name: "ruvheal_check_status".into(),
            labels: label.clone(),
            value: r.exit().code() as f64,
        });
        samples.push(Sample {
            name: "ruvheal_check_duration_seconds".into(),
            labels: label.clone(),
            value: r.duration_ms / 1000.0,
        });
        samples.push(Sample {
            name: "ruvheal_check_timestamp_seconds".into(),
            labels: label,
            value: r.observed_at.timestamp() as f64,
        });
    }
    samples
}
