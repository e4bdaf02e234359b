//! `heal --prometheus-textfile`: the heal run (`ruvheal_heal_*`), the checks it
//! took (`ruvheal_check_*` and every check metric, as `check` writes them), the
//! operator switches and the time of the run, so an alert can tell a textfile
//! a stopped cron left behind from a fresh one.

use chrono::{DateTime, Utc};

use super::check_report::{self, CheckReport};
use super::fleet_report::CollectionError;
use super::prometheus::{Sample, render};
use super::repair_report::RepairReport;
use crate::exit::Exit;

/// Everything one heal run exports.
pub struct HealExport<'a> {
    /// The repair reports.
    pub reports: &'a [RepairReport],
    /// The latest check of each collection that ran.
    pub checks: &'a [CheckReport],
    /// Collections that failed.
    pub errors: &'a [CollectionError],
    /// The run's exit status.
    pub exit: Exit,
    /// `heal.enabled`.
    pub healing_enabled: bool,
    /// `learn.enabled`.
    pub learning_enabled: bool,
    /// When the run ended.
    pub at: DateTime<Utc>,
}

/// The textfile.
pub fn textfile(e: &HealExport<'_>) -> String {
    let mut samples = check_report::samples(e.checks, e.errors);
    for r in e.reports {
        let label = |extra: Option<(&str, &str)>| {
            let mut l = vec![("collection".to_string(), r.collection.clone())];
            if let Some((k, v)) = extra {
                l.push((k.to_string(), v.to_string()));
            }
            l
        };
        for ran in &r.repairs {
            samples.push(Sample {
                name: "ruvheal_heal_repair_success".into(),
                labels: label(Some(("strategy", &ran.playbook))),
                value: (ran.outcome.status == crate::state::RepairStatus::Succeeded) as u8 as f64,
            });
            samples.push(Sample {
                name: "ruvheal_heal_repair_duration_seconds".into(),
                labels: label(Some(("strategy", &ran.playbook))),
                value: ran.outcome.steps_ms / 1000.0,
            });
        }
        samples.push(Sample {
            name: "ruvheal_heal_awaiting_approval".into(),
            labels: label(None),
            value: r.awaiting_approval.len() as f64,
        });
    }
    samples.push(Sample {
        name: "ruvheal_heal_status".into(),
        labels: vec![],
        value: e.exit.code() as f64,
    });
    samples.extend(super::outcome_metrics::switches(
        e.healing_enabled,
        e.learning_enabled,
    ));
    samples.push(super::outcome_metrics::written_at(
        super::outcome_metrics::HEAL_TIMESTAMP,
        e.at,
    ));
    render(&samples)
}
