//! Prometheus samples an alert can use, from the outcomes table: lifetime
//! counters (`*_total`) per collection and strategy, and success rate and mean
//! time to recovery over 24 h and 7 d; plus the operator switches and the time
//! of the export, so a textfile left behind by a stopped cron can be told from
//! a fresh one.

use chrono::{DateTime, Utc};

use super::prometheus::Sample;
use crate::store::metrics::{Counters, Window};

fn sample(name: &str, labels: &[(&str, &str)], value: f64) -> Sample {
    Sample {
        name: name.into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        value,
    }
}

/// Counters and windows as samples.
pub fn outcomes(counters: &[Counters], windows: &[Window]) -> Vec<Sample> {
    let mut s = Vec::new();
    for c in counters {
        let l = [
            ("collection", c.collection.as_str()),
            ("strategy", c.strategy.as_str()),
        ];
        s.push(sample(
            "ruvheal_repair_attempts_total",
            &l,
            c.attempts as f64,
        ));
        s.push(sample(
            "ruvheal_repair_successes_total",
            &l,
            c.successes as f64,
        ));
        s.push(sample(
            "ruvheal_repair_failures_total",
            &l,
            c.failures as f64,
        ));
        s.push(sample(
            "ruvheal_repair_rollbacks_total",
            &l,
            c.rollbacks as f64,
        ));
        s.push(sample("ruvheal_repair_seconds_total", &l, c.seconds));
    }
    for w in windows {
        let l = [
            ("collection", w.collection.as_str()),
            ("strategy", w.strategy.as_str()),
            ("window", w.window),
        ];
        s.push(sample(
            "ruvheal_repair_window_attempts",
            &l,
            w.attempts as f64,
        ));
        s.push(sample(
            "ruvheal_repair_window_successes",
            &l,
            w.successes as f64,
        ));
        if w.attempts > 0 {
            let rate = w.successes as f64 / w.attempts as f64;
            s.push(sample("ruvheal_repair_window_success_rate", &l, rate));
        }
        if let Some(v) = w.mttr_seconds {
            s.push(sample("ruvheal_repair_window_mttr_seconds", &l, v));
        }
    }
    s
}

/// `ruvheal_healing_enabled` and `ruvheal_learning_enabled` (1 on, 0 off):
/// `heal`'s textfile only, since node_exporter refuses a series two files carry.
pub fn switches(heal: bool, learn: bool) -> Vec<Sample> {
    vec![
        sample("ruvheal_healing_enabled", &[], f64::from(u8::from(heal))),
        sample("ruvheal_learning_enabled", &[], f64::from(u8::from(learn))),
    ]
}

/// The time `status --prometheus` wrote its export.
pub const STATUS_TIMESTAMP: &str = "ruvheal_status_timestamp_seconds";
/// The time a `heal` run ended, in its textfile.
pub const HEAL_TIMESTAMP: &str = "ruvheal_heal_last_run_timestamp_seconds";

/// When an export was written: `name` (a `*_timestamp_seconds` gauge) at `at`.
pub fn written_at(name: &str, at: DateTime<Utc>) -> Sample {
    sample(name, &[], at.timestamp() as f64)
}
