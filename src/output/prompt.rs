//! Asking before acting.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};

use crate::exit::usage;

/// Asks `question` on a terminal (yes only for `y`/`yes`). Without a terminal
/// on stdin it refuses: changing a database needs `--yes` in scripts (exit 64).
pub fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "refusing to change the database without confirmation: stdin is not a terminal; pass --yes",
        ));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the answer")?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
