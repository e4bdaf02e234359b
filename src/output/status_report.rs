//! The `status` report and its Prometheus form.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::prometheus::{Sample, metric_name, render};
use super::{Block, Report, Style};
use crate::store::learning::Stop;
use crate::store::status::{CollectionState, Running, StrategyOutcomes, Waiting};

/// A collection in its cooldown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cooling {
    /// The collection.
    pub collection: String,
    /// When the next repair may be planned.
    pub until: DateTime<Utc>,
    /// Seconds left.
    pub remaining_secs: i64,
}

/// `status -o json`: `running`, `cooling_down`, `awaiting_approval`, `stopped`,
/// `collections`, `outcomes`.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// Repairs running now.
    pub running: Vec<Running>,
    /// Collections in their cooldown.
    pub cooling_down: Vec<Cooling>,
    /// Plans waiting for a human.
    pub awaiting_approval: Vec<Waiting>,
    /// Classes whose auto-heal `learn` stopped.
    pub stopped: Vec<Stop>,
    /// The last state of each collection.
    pub collections: Vec<CollectionState>,
    /// Outcome statistics per collection and strategy.
    pub outcomes: Vec<StrategyOutcomes>,
}

fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Report for StatusReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut out = Vec::new();
        let line = |what: &str, items: Vec<String>| {
            Block::Line(if items.is_empty() {
                format!("{what}: none")
            } else {
                format!("{what}: {}", items.join("; "))
            })
        };
        out.push(line(
            "running",
            self.running
                .iter()
                .map(|r| {
                    format!(
                        "repair {} on {} ({}) since {}{}",
                        r.repair_id,
                        r.collection,
                        r.playbook.as_deref().unwrap_or("-"),
                        ts(&r.started_at),
                        if r.cut_short {
                            " — cut short (nobody holds its lock); the next check, plan or repair cleans it up"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
        ));
        out.push(line(
            "cooling down",
            self.cooling_down
                .iter()
                .map(|c| format!("{} until {}", c.collection, ts(&c.until)))
                .collect(),
        ));
        out.push(line(
            "awaiting approval",
            self.awaiting_approval
                .iter()
                .map(|w| {
                    format!(
                        "plan {} ({} for {} on {})",
                        w.plan_id, w.playbook, w.class, w.collection
                    )
                })
                .collect(),
        ));
        out.push(line(
            "auto-heal stopped",
            self.stopped
                .iter()
                .map(|s| format!("{}: {}", s.class, s.reason))
                .collect(),
        ));
        if !self.collections.is_empty() {
            let mut t = style.table([
                "collection",
                "integrity",
                "lambda",
                "worst problem",
                "recall",
                "p95 latency",
                "last repair end",
            ]);
            for c in &self.collections {
                t.add_row(vec![
                    c.collection.clone(),
                    c.integrity_state.clone().unwrap_or_else(|| "-".into()),
                    c.lambda.map_or_else(|| "-".into(), |l| format!("{l:.3}")),
                    c.worst_problem.clone().unwrap_or_else(|| "-".into()),
                    c.metrics
                        .get("recall.at_k")
                        .map_or_else(|| "-".into(), |v| format!("{v:.3}")),
                    c.metrics
                        .get("latency.p95_ms")
                        .map_or_else(|| "-".into(), |v| format!("{v:.2} ms")),
                    c.last_repair_end.as_ref().map_or_else(|| "-".into(), ts),
                ]);
            }
            out.push(Block::Table(t));
        }
        out
    }
}

fn state_code(s: &str) -> f64 {
    match s {
        "normal" => 0.0,
        "stress" => 1.0,
        _ => 2.0,
    }
}

/// Every metric `status --prometheus` can emit (alert rules are checked against it).
pub const METRICS: &[&str] = &[
    "ruvheal_repair_attempts",
    "ruvheal_repair_successes",
    "ruvheal_repair_success_rate",
    "ruvheal_repair_mean_improvement",
    "ruvheal_repair_time_to_recovery_seconds",
    "ruvheal_repair_duration_quantile_seconds",
    "ruvheal_repairs_running",
    "ruvheal_awaiting_approval",
    "ruvheal_cooldown_remaining_seconds",
    "ruvheal_integrity_state",
    "ruvheal_integrity_lambda",
    "ruvheal_last_repair_end_timestamp_seconds",
    "ruvheal_last_diagnosis_timestamp_seconds",
    "ruvheal_heal_stopped",
    "ruvheal_heal_stopped_classes",
    "ruvheal_status_recall_at_k",
    "ruvheal_status_latency_p50_ms",
    "ruvheal_status_latency_p95_ms",
    "ruvheal_status_latency_p99_ms",
];

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

/// The report as Prometheus exposition text.
pub fn prometheus(r: &StatusReport) -> String {
    let mut s = Vec::new();
    for o in &r.outcomes {
        let l = [
            ("collection", o.collection.as_str()),
            ("strategy", o.strategy.as_str()),
        ];
        s.push(sample("ruvheal_repair_attempts", &l, o.attempts as f64));
        s.push(sample("ruvheal_repair_successes", &l, o.successes as f64));
        if o.attempts > 0 {
            let rate = o.successes as f64 / o.attempts as f64;
            s.push(sample("ruvheal_repair_success_rate", &l, rate));
        }
        if let Some(v) = o.mean_improvement {
            s.push(sample("ruvheal_repair_mean_improvement", &l, v));
        }
        if let Some(v) = o.mean_time_to_recovery_ms {
            s.push(sample(
                "ruvheal_repair_time_to_recovery_seconds",
                &l,
                v / 1000.0,
            ));
        }
        for (q, v) in ["0.5", "0.9", "0.99"].iter().zip(o.duration_ms) {
            if let Some(v) = v {
                let l = [l[0], l[1], ("quantile", q)];
                s.push(sample(
                    "ruvheal_repair_duration_quantile_seconds",
                    &l,
                    v / 1000.0,
                ));
            }
        }
    }
    for c in &r.collections {
        let l = [("collection", c.collection.as_str())];
        s.push(sample(
            "ruvheal_repairs_running",
            &l,
            c.running_repairs as f64,
        ));
        s.push(sample(
            "ruvheal_awaiting_approval",
            &l,
            c.awaiting_approval as f64,
        ));
        let left = r
            .cooling_down
            .iter()
            .find(|x| x.collection == c.collection)
            .map_or(0, |x| x.remaining_secs);
        s.push(sample(
            "ruvheal_cooldown_remaining_seconds",
            &l,
            left as f64,
        ));
        if let Some(st) = &c.integrity_state {
            s.push(sample("ruvheal_integrity_state", &l, state_code(st)));
        }
        if let Some(v) = c.lambda {
            s.push(sample("ruvheal_integrity_lambda", &l, v));
        }
        if let Some(t) = c.last_repair_end {
            s.push(sample(
                "ruvheal_last_repair_end_timestamp_seconds",
                &l,
                t.timestamp() as f64,
            ));
        }
        if let Some(t) = c.diagnosed_at {
            s.push(sample(
                "ruvheal_last_diagnosis_timestamp_seconds",
                &l,
                t.timestamp() as f64,
            ));
        }
        for (k, v) in &c.metrics {
            let name = metric_name(k).replacen("ruvheal_", "ruvheal_status_", 1);
            s.push(sample(&name, &l, *v));
        }
    }
    for st in &r.stopped {
        s.push(sample(
            "ruvheal_heal_stopped",
            &[("class", st.class.as_str())],
            1.0,
        ));
    }
    s.push(sample(
        "ruvheal_heal_stopped_classes",
        &[],
        r.stopped.len() as f64,
    ));
    render(&s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_status_metric_name_is_listed() {
        for m in crate::store::status::METRICS {
            let name = super::metric_name(m).replacen("ruvheal_", "ruvheal_status_", 1);
            assert!(super::METRICS.contains(&name.as_str()), "{name}");
        }
    }
}
