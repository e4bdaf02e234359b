//! The `history` report: past repairs with their outcome.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::store::history::PastRepair;

/// `history -o json`: `repairs`, newest first.
#[derive(Debug, Serialize)]
pub struct HistoryReport {
    /// The repairs.
    pub repairs: Vec<PastRepair>,
}

impl Report for HistoryReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        if self.repairs.is_empty() {
            return vec![Block::Line("no repairs match".into())];
        }
        let mut t = style.table([
            "repair",
            "collection",
            "class",
            "playbook",
            "status",
            "started",
            "duration",
            "verified",
            "improvement",
        ]);
        for r in &self.repairs {
            t.add_row(vec![
                r.repair_id.to_string(),
                r.collection.clone(),
                r.class.clone().unwrap_or_else(|| "-".into()),
                r.playbook.clone().unwrap_or_else(|| "-".into()),
                if r.dry_run {
                    format!("{} (dry run)", r.status)
                } else {
                    r.status.clone()
                },
                r.started_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                r.duration_ms
                    .map_or_else(|| "-".into(), |ms| format!("{:.1} s", ms / 1000.0)),
                r.verified
                    .map_or_else(|| "-".into(), |v| if v { "yes" } else { "no" }.into()),
                r.improvement
                    .map_or_else(|| "-".into(), |v| format!("{v:+.3}")),
            ]);
        }
        vec![
            Block::Line(format!("{} repair(s)", self.repairs.len())),
            Block::Table(t),
        ]
    }
}
