//! The `learn` report: the effectiveness table, drift and stopped classes.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::learn::{Drift, StrategyStats};
use crate::store::learning::Stop;

/// `learn -o json`: `action`, `window_days`, `outcomes`, `strategies`, `drift`, `stopped`.
#[derive(Debug, Serialize)]
pub struct LearnReport {
    /// `learn`, `reset` or `restore`.
    pub action: String,
    /// Window of outcomes learned from, in days (`learn` only).
    pub window_days: Option<u32>,
    /// Outcomes in the window.
    pub outcomes: usize,
    /// Weight rows written, backed up or restored.
    pub weights: u64,
    /// Per (class, strategy).
    pub strategies: Vec<StrategyStats>,
    /// Classes whose healing drifts (this run).
    pub drift: Vec<Drift>,
    /// Classes whose auto-heal is stopped until a human acts.
    pub stopped: Vec<Stop>,
    /// `learn.enabled`: false means the report was computed but no weight
    /// was stored and no stop raised.
    pub learning_enabled: bool,
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

impl Report for LearnReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut out = vec![Block::Line(match self.action.as_str() {
            "reset" => format!(
                "weights reset: {} backed up and cleared; stops cleared",
                self.weights
            ),
            "restore" => format!("weights restored: {} from the backup", self.weights),
            _ if !self.learning_enabled => format!(
                "learning is off (learn.enabled: false): {} outcomes in the last {} days read; \
                 nothing stored, no stop raised",
                self.outcomes,
                self.window_days.unwrap_or_default()
            ),
            _ => format!(
                "learned from {} outcomes in the last {} days: {} weights stored",
                self.outcomes,
                self.window_days.unwrap_or_default(),
                self.weights
            ),
        })];
        if !self.strategies.is_empty() {
            let mut t = style.table([
                "class",
                "strategy",
                "attempts",
                "success rate",
                "mean improvement",
                "mean time to recovery",
                "reference weight",
                "weight",
                "± uncertainty",
                "trend",
            ]);
            for s in &self.strategies {
                t.add_row(vec![
                    s.class.to_string(),
                    s.strategy.clone(),
                    format!("{}/{}", s.successes, s.attempts),
                    format!("{:.0}%", s.success_rate * 100.0),
                    opt(s.mean_improvement, 3),
                    s.mean_time_to_recovery_ms
                        .map_or_else(|| "-".into(), |ms| format!("{:.1} s", ms / 1000.0)),
                    format!("{:.3}", s.reference_weight),
                    format!("{:.3}", s.weight),
                    format!("{:.3}", s.uncertainty),
                    match s.trend.slope_per_week {
                        Some(v) => format!("{} ({v:+.2}/week)", dir(s)),
                        None => dir(s),
                    },
                ]);
            }
            out.push(Block::Table(t));
        }
        for d in &self.drift {
            out.push(Block::Line(format!("drift: {}: {}", d.class, d.reason)));
        }
        for s in &self.stopped {
            out.push(Block::Line(format!(
                "auto-heal STOPPED for {} since {}: {} (clear with `ruvheal learn --reset`)",
                s.class,
                s.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                s.reason
            )));
        }
        out
    }
}

fn dir(s: &StrategyStats) -> String {
    serde_json::to_value(s.trend.direction)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}
