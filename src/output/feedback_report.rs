//! The `feedback` report.

use serde::Serialize;

use super::{Block, Report, Style};

/// `feedback -o json`.
#[derive(Debug, Serialize)]
pub struct FeedbackReport {
    /// The repair.
    pub repair_id: i64,
    /// Its collection.
    pub collection: String,
    /// Its problem class.
    pub class: String,
    /// Its playbook.
    pub strategy: String,
    /// The score recorded.
    pub score: i16,
    /// The score it replaced, if any.
    pub previous: Option<i16>,
    /// Whether `learn` now counts the repair as a success.
    pub counts_as_success: bool,
}

impl Report for FeedbackReport {
    fn tables(&self, _: &Style) -> Vec<Block> {
        vec![Block::Line(format!(
            "repair {} ({} for {} on {}): score {}{}; `learn` counts it as a {}",
            self.repair_id,
            self.strategy,
            self.class,
            self.collection,
            self.score,
            self.previous
                .map(|p| format!(" (was {p})"))
                .unwrap_or_default(),
            if self.counts_as_success {
                "success"
            } else {
                "failure"
            }
        ))]
    }
}
