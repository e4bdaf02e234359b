//! `ruvheal status [--prometheus]`: what is running, cooling down, waiting for
//! approval or stopped; the last state of each collection. `--prometheus`
//! prints the same as exposition text.

use anyhow::Result;

use crate::cli::StatusArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::{
    self,
    status_report::{Cooling, StatusReport},
};
use crate::store::{Store, learning, status};

/// Runs `status`.
pub fn run(args: &StatusArgs, settings: &Settings) -> Result<Exit> {
    let mut store = Store::open(settings)?;
    let now = store.now()?;
    let (client, schema) = (&mut store.client, store.schema.as_str());
    let collections = status::collections(client, schema)?;
    let cooldown = chrono::Duration::seconds(settings.plan.cooldown_secs as i64);
    let cooling = collections
        .iter()
        .filter_map(|c| {
            let until = c.last_repair_end? + cooldown;
            (until > now).then(|| Cooling {
                collection: c.collection.clone(),
                until,
                remaining_secs: (until - now).num_seconds(),
            })
        })
        .collect();
    let mut running = status::running(client, schema)?;
    if !running.is_empty() {
        // A `running` record whose lock nobody holds was cut short.
        let info = settings.target()?;
        let mut target = crate::sql::connect(&info)?;
        for r in &mut running {
            r.cut_short = !crate::repair::lock::is_held(&mut target, &r.collection)?;
        }
    }
    let report = StatusReport {
        running,
        cooling_down: cooling,
        awaiting_approval: status::waiting(client, schema)?,
        stopped: learning::stops(client, schema)?,
        collections,
        outcomes: status::outcomes(client, schema)?,
    };
    if args.prometheus {
        let mut extra = output::outcome_metrics::outcomes(
            &crate::store::metrics::counters(&mut store.client, &store.schema)?,
            &crate::store::metrics::windows(&mut store.client, &store.schema)?,
        );
        extra.push(output::outcome_metrics::written_at(
            output::outcome_metrics::STATUS_TIMESTAMP,
            now,
        ));
        let text = output::status_report::prometheus(&report) + &output::prometheus::render(&extra);
        output::raw(text.as_bytes())?;
    } else {
        output::emit(&report, settings.output)?;
    }
    Ok(Exit::Ok)
}
