//! The `plan` report (also printed by `repair --dry-run`).

use serde::Serialize;

use super::{Block, Report, Style};
use crate::plan::{Choice, PlannedStep};
use crate::vocab::Class;

/// One stored plan.
#[derive(Debug, Serialize)]
pub struct PlannedReport {
    /// The plan's id (for `approve`, `repair --plan`).
    pub plan_id: i64,
    /// `ready` or `awaiting_approval`.
    pub status: crate::state::PlanStatus,
    /// What was chosen and why.
    #[serde(flatten)]
    pub choice: Choice,
    /// The exact statements.
    pub steps: Vec<PlannedStep>,
    /// The measurement that sized it: the search-breadth ladder's rung, or the
    /// trial builds of a rebuild (absent when nothing was measured for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<String>,
    /// What its index builds need on disk (absent when it builds none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space: Option<crate::plan::space::Space>,
}

/// A problem nothing was planned for (or, in a repair report, one the run left
/// unrepaired).
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    /// Its class.
    pub class: Class,
    /// Its severity: what a problem left unrepaired means for the exit status.
    pub severity: crate::vocab::Severity,
    /// Why.
    pub reason: String,
}

/// `plan --collection C -o json`.
#[derive(Debug, Serialize)]
pub struct CollectionPlan {
    /// `schema.table`.
    pub collection: String,
    /// The diagnosis planned from.
    pub diagnosis_id: i64,
    /// The diagnosis's status.
    pub status: &'static str,
    /// Plans stored.
    pub plans: Vec<PlannedReport>,
    /// Problems left unplanned.
    pub blocked: Vec<Blocked>,
}

impl CollectionPlan {
    /// Whether any plan waits for a human.
    pub fn awaits_approval(&self) -> bool {
        self.plans
            .iter()
            .any(|p| p.status == crate::state::PlanStatus::AwaitingApproval)
    }

    /// Table output.
    pub fn blocks(&self, style: &Style) -> Vec<Block> {
        let mut out = Vec::new();
        if self.plans.is_empty() && self.blocked.is_empty() {
            out.push(Block::Line(format!("{}: nothing to do", self.collection)));
            return out;
        }
        for p in &self.plans {
            out.push(Block::Line(format!(
                "plan {} for {}: {} ({}, impact {:.2}){}",
                p.plan_id,
                p.choice.problem.class,
                p.choice.playbook,
                p.status,
                p.choice.impact,
                if p.choice.requires_approval() {
                    format!(
                        " — approve with `ruvheal approve {}`: {}",
                        p.plan_id,
                        p.choice.approval_reasons.join("; ")
                    )
                } else {
                    String::new()
                }
            )));
            let mut t = style.table(["#", "step", "kind", "statement"]);
            for s in &p.steps {
                t.add_row(vec![
                    s.ordinal.to_string(),
                    s.name.clone(),
                    s.kind.clone(),
                    s.text(),
                ]);
            }
            out.push(Block::Table(t));
            if let Some(m) = &p.measured {
                out.push(Block::Line(format!("measured: {m}")));
            }
            if let Some(space) = &p.space {
                out.push(Block::Line(format!("space: {}", space.note)));
            }
        }
        for b in &self.blocked {
            out.push(Block::Line(format!(
                "{}: not planned: {}",
                b.class, b.reason
            )));
        }
        out
    }
}

impl Report for CollectionPlan {
    fn tables(&self, style: &Style) -> Vec<Block> {
        self.blocks(style)
    }
}

/// `plan --all -o json`.
#[derive(Debug, Serialize)]
pub struct PlanAll {
    /// One per collection.
    pub plans: Vec<CollectionPlan>,
    /// Collections whose run failed (the others still ran).
    pub errors: Vec<crate::output::fleet_report::CollectionError>,
}

impl Report for PlanAll {
    fn tables(&self, style: &Style) -> Vec<Block> {
        if self.plans.is_empty() && self.errors.is_empty() {
            return vec![Block::Line("no vector collections to plan for".into())];
        }
        let mut out: Vec<Block> = self.plans.iter().flat_map(|p| p.blocks(style)).collect();
        out.extend(crate::output::fleet_report::blocks(&self.errors, style));
        out
    }
}
