//! What `--all` prints for collections whose run failed: one row per collection
//! with its exit code and the error, after the reports of those that ran.

use serde::Serialize;

use super::{Block, Style};

/// One collection's failure under `--all`; the others still ran.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionError {
    /// `schema.table`.
    pub collection: String,
    /// The exit code this collection alone would have ended with (3, 64, 75).
    pub exit: u8,
    /// The error and its causes, on one line.
    pub error: String,
}

/// The table of failed collections (nothing when none failed).
pub fn blocks(errors: &[CollectionError], style: &Style) -> Vec<Block> {
    if errors.is_empty() {
        return vec![];
    }
    let mut t = style.table(["collection", "exit", "error"]);
    for e in errors {
        t.add_row(vec![
            e.collection.clone(),
            e.exit.to_string(),
            e.error.clone(),
        ]);
    }
    vec![Block::Table(t)]
}
