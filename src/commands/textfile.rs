//! The check metrics of a command that checked along the way (`heal`): each
//! collection's latest stored observation, as the report `check` would have
//! printed, for the textfile.

use anyhow::Result;

use crate::catalog::Collection;
use crate::detect::measured::Measured;
use crate::output::check_report::CheckReport;
use crate::output::fleet_report::CollectionError;
use crate::store::{Store, diagnoses, metrics};

/// The latest check of every target that did not fail.
pub(crate) fn latest_checks(
    store: &mut Store,
    targets: &[Collection],
    errors: &[CollectionError],
) -> Result<Vec<CheckReport>> {
    let mut out = Vec::new();
    for c in targets {
        if errors.iter().any(|e| e.collection == c.collection) {
            continue;
        }
        let id = store.collection_id(&c.schema, &c.table, &c.column)?;
        let Some(obs) = diagnoses::latest_observation(&mut store.client, &store.schema, id)? else {
            continue;
        };
        let duration = metrics::observation_duration(&mut store.client, &store.schema, obs.id)?;
        let measured = Measured {
            metrics: obs.metrics,
            findings: obs.findings.into_iter().map(|(_, f)| f).collect(),
            details: obs.details,
            ..Measured::default()
        };
        out.push(CheckReport::new(
            c,
            c.ann_index(),
            obs.observed_at,
            obs.id,
            duration.unwrap_or(0.0),
            measured,
        ));
    }
    Ok(out)
}
