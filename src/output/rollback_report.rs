//! The `rollback` report.

use serde::Serialize;

use super::{Block, Report, Style};

/// `rollback -o json`.
#[derive(Debug, Serialize)]
pub struct RollbackReport {
    /// `schema.table`.
    pub collection: String,
    /// The repair.
    pub repair_id: i64,
    /// Steps undone, last first.
    pub undone: Vec<i32>,
    /// Steps whose change cannot be undone (REINDEX, VACUUM, ...), kept as they are.
    pub kept: Vec<i32>,
    /// Nothing was left to undo.
    pub already: bool,
}

impl Report for RollbackReport {
    fn tables(&self, _: &Style) -> Vec<Block> {
        vec![Block::Line(if self.already {
            format!(
                "{}: repair {} has nothing left to undo",
                self.collection, self.repair_id
            )
        } else if !self.kept.is_empty() {
            format!(
                "{}: repair {} is not reversible: step(s) {} cannot be undone and were kept \
                 ({} step(s) undone)",
                self.collection,
                self.repair_id,
                self.kept
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                self.undone.len()
            )
        } else {
            format!(
                "{}: repair {} rolled back ({} step(s) undone)",
                self.collection,
                self.repair_id,
                self.undone.len()
            )
        })]
    }
}
