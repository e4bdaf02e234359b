//! `heal` with `heal.enabled: false`: what it checked and diagnosed, and that
//! it acted on nothing.

use serde::Serialize;

use super::diagnose_report::DiagnoseReport;
use super::fleet_report::{self, CollectionError};
use super::{Block, Report, Style};

/// `heal -o json` while healing is disabled.
#[derive(Debug, Serialize)]
pub struct HealOff {
    /// Always `false`.
    pub healing_enabled: bool,
    /// What was done instead of healing.
    pub message: &'static str,
    /// One diagnosis per collection.
    pub diagnoses: Vec<DiagnoseReport>,
    /// Collections that failed.
    pub errors: Vec<CollectionError>,
}

/// The line both forms carry.
pub const MESSAGE: &str =
    "healing is disabled (heal.enabled: false): checked and diagnosed, acted on nothing";

impl Report for HealOff {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut out = vec![Block::Line(MESSAGE.into())];
        out.extend(self.diagnoses.iter().flat_map(|d| d.tables(style)));
        out.extend(fleet_report::blocks(&self.errors, style));
        out
    }
}
