//! `ruvheal diagnose`: classify the latest observation (a fresh check when it is
//! too old or `--fresh`) into problems, store them, report them.

use anyhow::{Context, Result};

use super::check::{Connections, check_one};
use crate::catalog::Collection;
use crate::cli::DiagnoseArgs;
use crate::config::Settings;
use crate::diagnose::{self, Input};
use crate::exit::Exit;
use crate::integrity::{Integrity, Thresholds};
use crate::output::diagnose_report::{DiagnoseAll, DiagnoseReport};
use crate::store::diagnoses::StoredObservation;
use crate::store::{Store, diagnoses};

/// Diagnoses one collection (or all) and exits by the worst problem.
pub fn run(args: &DiagnoseArgs, settings: &Settings) -> Result<Exit> {
    let (mut conns, targets) = super::collections(settings, args.target.collection.as_deref())?;
    let targets = super::clean_leftovers(settings, &mut conns, targets)?;
    let mut store = super::store(settings)?;
    let single = args.target.collection.is_some();
    let fleet = super::fleet::each(single, &targets, settings, &mut conns, |c, conns, out| {
        out.push(diagnose_one(c, args.fresh, settings, &mut store, conns)?.0);
        Ok(())
    })?;
    let exit = fleet.exit(DiagnoseReport::exit);
    let errors = fleet.errors;
    super::emit_reports(
        single,
        fleet.reports,
        |diagnoses| DiagnoseAll { diagnoses, errors },
        settings.output,
    )?;
    Ok(exit)
}

/// Diagnoses one collection (a fresh check first when asked or when the last
/// observation is too old); returns the report and the observation it used.
pub(crate) fn diagnose_one(
    c: &Collection,
    fresh: bool,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
) -> Result<(DiagnoseReport, StoredObservation)> {
    let now = store.now()?;
    let id = store.collection_id(&c.schema, &c.table, &c.column)?;
    let max_age = chrono::Duration::seconds(settings.diagnose.max_observation_age_secs as i64);
    let mut latest = diagnoses::latest_observation(&mut store.client, &store.schema, id)?;
    let fresh = fresh
        || latest
            .as_ref()
            .is_none_or(|o| now - o.observed_at > max_age);
    if fresh {
        log::info!("running a fresh check of {}", c.collection);
        check_one(c, 0, settings, store, conns)?;
        latest = diagnoses::latest_observation(&mut store.client, &store.schema, id)?;
    }
    let obs = latest.context("the check stored no observation")?;
    let previous = diagnoses::metrics_before(&mut store.client, &store.schema, id, obs.id)?;
    let integrity: Option<Integrity> = obs
        .details
        .get("integrity")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let contract = settings.contract(&c.schema, &c.table);
    let mut d = diagnose::diagnose(&Input {
        metrics: &obs.metrics,
        previous: previous.as_ref(),
        findings: &obs.findings,
        integrity: integrity.as_ref(),
        thresholds: Thresholds {
            stress: settings.diagnose.lambda_stress,
            critical: settings.diagnose.lambda_critical,
        },
        min_recall: contract.min_recall,
    });
    let diagnosis_id =
        diagnoses::record(&mut store.client, &store.schema, id, obs.id, now, &mut d)?;
    let trend = diagnoses::trend(&mut store.client, &store.schema, id, 10)?;
    let report = DiagnoseReport::new(c, diagnosis_id, &obs, fresh, d, trend);
    Ok((report, obs))
}
