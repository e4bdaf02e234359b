//! Everything printed: reports on stdout as tables or JSON, logs on stderr.
//!
//! Domain modules return `Serialize` data; this module alone decides how it looks.
//! JSON is one document with the report's own (snake_case) keys.

pub mod abort_report;
pub mod audit_report;
pub mod check_report;
pub mod decision_report;
pub mod diagnose_report;
pub mod feedback_report;
pub mod fleet_report;
pub mod heal_metrics;
pub mod heal_off_report;
pub mod history_report;
pub mod learn_report;
pub mod log;
pub mod outcome_metrics;
pub mod plan_report;
pub mod playbooks_report;
pub mod progress;
pub mod prometheus;
pub mod prompt;
pub mod repair_report;
pub mod rollback_report;
pub mod status_report;

use std::io::{IsTerminal, Write};

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::OutputFormat;

/// A report that can be printed as a table as well as JSON.
pub trait Report: Serialize {
    /// The human form: one or more tables and lines of text.
    fn tables(&self, style: &Style) -> Vec<Block>;
}

/// A piece of table-mode output.
pub enum Block {
    /// A rendered table.
    Table(Table),
    /// A line of text.
    Line(String),
}

/// How table output should look on this stdout.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether stdout is a terminal.
    pub terminal: bool,
    /// Whether colour is allowed (terminal and no `NO_COLOR`).
    pub color: bool,
}

impl Style {
    /// Detects the style of the current stdout.
    pub fn detect() -> Self {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            terminal,
            color: terminal && !no_color,
        }
    }

    /// A new table with this style's borders and header.
    pub fn table<I, S>(&self, header: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<comfy_table::Cell>,
    {
        let mut t = Table::new();
        t.load_preset(if self.terminal {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::ASCII_MARKDOWN
        });
        t.set_content_arrangement(if self.terminal {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        if !self.color {
            t.force_no_tty();
        }
        t.set_header(header);
        t
    }
}

/// A failed write to stdout: [`crate::exit::StdoutClosed`] when its reader went
/// away, else the error with `what` as context.
fn stdout_error(e: std::io::Error, what: &'static str) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        anyhow::Error::new(crate::exit::StdoutClosed)
    } else {
        anyhow::Error::new(e).context(what)
    }
}

/// Prints `report` on stdout in `format`.
pub fn emit<R: Report>(report: &R, format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(|e| {
                match e.io_error_kind() {
                    Some(kind) => stdout_error(kind.into(), "writing JSON"),
                    None => anyhow::Error::new(e).context("writing JSON"),
                }
            })?;
            writeln!(out).map_err(|e| stdout_error(e, "writing JSON"))?;
        }
        OutputFormat::Table => {
            for block in report.tables(&Style::detect()) {
                match block {
                    Block::Table(t) => writeln!(out, "{t}"),
                    Block::Line(l) => writeln!(out, "{l}"),
                }
                .map_err(|e| stdout_error(e, "writing the report"))?;
            }
        }
    }
    out.flush()
        .map_err(|e| stdout_error(e, "writing the report"))?;
    Ok(())
}

/// Writes raw text (completions, man pages) on stdout.
pub fn raw(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .map_err(|e| stdout_error(e, "writing output"))?;
    out.flush().map_err(|e| stdout_error(e, "writing output"))?;
    Ok(())
}

pub use crate::vocab::bytes;
