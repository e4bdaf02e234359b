//! Progress on stderr (indicatif), drawn only when stderr is a terminal and
//! neither `--no-progress`, `-q` nor `-o json` asked for quiet.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a message; invisible when progress is off.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    /// Starts a spinner showing `message` if `enabled` and stderr is a terminal.
    pub fn start(enabled: bool, message: impl Into<String>) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner(Some(bar))
    }

    /// Removes the spinner from the screen.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Progress of a repair's steps: one bar per step, fed from
/// `pg_stat_progress_*` when PostgreSQL reports progress; a line per step on
/// stderr otherwise (not a terminal, `--no-progress`).
pub struct StepBars {
    bars: bool,
    quiet: bool,
    bar: Option<ProgressBar>,
}

impl StepBars {
    /// Bars when `enabled` and stderr is a terminal; plain lines otherwise (none with `quiet`).
    pub fn new(enabled: bool, quiet: bool) -> Self {
        StepBars {
            bars: enabled && std::io::stderr().is_terminal(),
            quiet,
            bar: None,
        }
    }
}

impl crate::repair::run::Observer for StepBars {
    fn step(&mut self, ordinal: i32, total: usize, name: &str, text: &str) {
        if self.bars {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(format!("step {ordinal}/{total} {name}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            self.bar = Some(bar);
        } else if !self.quiet {
            eprintln!("step {ordinal}/{total} {name}: {text}");
        }
    }

    fn progress(&mut self, r: &crate::repair::progress::Reading) {
        if let Some(bar) = &self.bar {
            bar.set_length(r.total);
            bar.set_position(r.done);
            bar.set_message(format!("{}: {}", r.command, r.phase));
        }
    }

    fn step_done(&mut self, ordinal: i32, ok: bool) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet && !ok {
            eprintln!("step {ordinal} failed");
        }
    }
}
