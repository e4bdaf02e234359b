//! The `abort REPAIR_ID` report.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::state::{RepairStatus, StepStatus};

/// `abort --repair ID -o json`.
#[derive(Debug, Serialize)]
pub struct AbortReport {
    /// The repair.
    pub repair_id: i64,
    /// Its plan.
    pub plan_id: Option<i64>,
    /// Its collection.
    pub collection: String,
    /// Its status now: `aborted` when the abort took effect; else what it
    /// ended as (it finished first, or it still runs after `--wait`).
    pub status: RepairStatus,
    /// Whether the running statement was cancelled (false: it stopped between
    /// steps, or its process was already gone).
    pub cancelled: bool,
    /// Its steps as they ended: (ordinal, name, status).
    pub steps: Vec<(i32, String, StepStatus)>,
    /// What happened, in a sentence.
    pub message: String,
}

impl Report for AbortReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut out = vec![Block::Line(format!(
            "repair {} on {}: {}",
            self.repair_id, self.collection, self.message
        ))];
        if !self.steps.is_empty() {
            let mut t = style.table(["#", "step", "status"]);
            for (ordinal, name, status) in &self.steps {
                t.add_row(vec![ordinal.to_string(), name.clone(), status.to_string()]);
            }
            out.push(Block::Table(t));
        }
        out
    }
}
