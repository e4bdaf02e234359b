//! `heal` with `heal.enabled: false`: every collection is still checked and
//! diagnosed (so the history, the metrics and the exit code stay meaningful),
//! but nothing is planned or repaired; the report, the log and the textfile
//! (`ruvheal_healing_enabled 0`) say so. Exits by the worst problem, as
//! `diagnose` does.

use anyhow::Result;

use super::check::Connections;
use super::diagnose::diagnose_one;
use crate::catalog::Collection;
use crate::cli::HealArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::heal_metrics::{HealExport, textfile};
use crate::output::heal_off_report::{HealOff, MESSAGE};
use crate::output::prometheus::write_atomic;
use crate::store::Store;

/// Runs `heal` while healing is switched off.
pub(crate) fn run(
    args: &HealArgs,
    settings: &Settings,
    targets: &[Collection],
    store: &mut Store,
    conns: &mut Connections,
) -> Result<Exit> {
    log::warn!("{MESSAGE}");
    let single = args.target.collection.is_some();
    let fleet = super::fleet::each(single, targets, settings, conns, |c, conns, out| {
        out.push(diagnose_one(c, true, settings, store, conns)?.0);
        Ok(())
    })?;
    let exit = fleet.exit(crate::output::diagnose_report::DiagnoseReport::exit);
    if let Some(path) = &args.prometheus_textfile {
        let checks = super::textfile::latest_checks(store, targets, &fleet.errors)?;
        let export = HealExport {
            reports: &[],
            checks: &checks,
            errors: &fleet.errors,
            exit,
            healing_enabled: false,
            learning_enabled: settings.learn.enabled,
            at: store.now()?,
        };
        write_atomic(path, &textfile(&export))?;
    }
    let report = HealOff {
        healing_enabled: false,
        message: MESSAGE,
        diagnoses: fleet.reports,
        errors: fleet.errors,
    };
    crate::output::emit(&report, settings.output)?;
    Ok(exit)
}
