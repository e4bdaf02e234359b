//! The `approve` / `abort` report.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::state::PlanStatus;

/// `approve` / `abort -o json`.
#[derive(Debug, Serialize)]
pub struct DecisionReport {
    /// The plan.
    pub plan_id: i64,
    /// Its collection.
    pub collection: String,
    /// Its playbook.
    pub playbook: String,
    /// Its status now (`approved`, `aborted`).
    pub status: PlanStatus,
}

impl Report for DecisionReport {
    fn tables(&self, _: &Style) -> Vec<Block> {
        let next = if self.status == PlanStatus::Approved {
            format!(
                "; run it with `ruvheal repair --collection {} --plan {} --yes`",
                self.collection, self.plan_id
            )
        } else {
            String::new()
        };
        vec![Block::Line(format!(
            "plan {} ({} on {}) is {}{next}",
            self.plan_id, self.playbook, self.collection, self.status
        ))]
    }
}
