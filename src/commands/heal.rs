//! `ruvheal heal`: the whole cycle in one run, for cron — check, diagnose, plan,
//! repair, verify, record. Approved plans run first; a plan that waits for
//! approval stops there (exit 1); cooldowns and attempt caps hold.

use anyhow::Result;

use super::repair::{Options, repair_one};
use crate::cli::HealArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::heal_metrics::{HealExport, textfile};
use crate::output::prometheus::write_atomic;
use crate::output::repair_report::{RepairAll, RepairReport, settle};
use crate::playbook::Library;
use crate::store::plans;

/// Runs `heal`.
pub fn run(args: &HealArgs, settings: &Settings) -> Result<Exit> {
    let library = Library::load(args.playbooks.playbooks.as_deref())?;
    let (mut conns, targets) = super::collections(settings, args.target.collection.as_deref())?;
    let targets = if args.dry_run {
        targets
    } else {
        super::clean_leftovers(settings, &mut conns, targets)?
    };
    let mut store = super::store(settings)?;
    if !settings.heal.enabled {
        return super::heal_off::run(args, settings, &targets, &mut store, &mut conns);
    }
    let single = args.target.collection.is_some();
    let fleet = super::fleet::each(single, &targets, settings, &mut conns, |c, conns, out| {
        let id = store.collection_id(&c.schema, &c.table, &c.column)?;
        let approved = plans::approved(&mut store.client, &store.schema, id)?;
        let runs: Vec<Option<i64>> = if approved.is_empty() {
            vec![None]
        } else {
            approved.into_iter().map(Some).collect()
        };
        for plan in runs {
            let opts = Options {
                named: None,
                plan,
                dry_run: args.dry_run,
                yes: args.yes,
            };
            out.push(settle(repair_one(
                c, &opts, settings, &mut store, conns, &library,
            )?));
        }
        Ok(())
    })?;
    let errors = fleet.errors;
    let reports: Vec<RepairReport> = fleet.reports;
    let exit = super::fleet::worst(
        reports
            .iter()
            // What is left decides too: a critical problem left unrepaired for
            // any reason (cooldown, cap, approval, blocked, no playbook) is exit 2.
            .map(|r| r.exit().max(r.unrepaired_exit()))
            .chain(errors.iter().map(|e| super::fleet::code_exit(e.exit))),
    );
    if let Some(path) = &args.prometheus_textfile {
        let checks = super::textfile::latest_checks(&mut store, &targets, &errors)?;
        let export = HealExport {
            reports: &reports,
            checks: &checks,
            errors: &errors,
            exit,
            healing_enabled: settings.heal.enabled,
            learning_enabled: settings.learn.enabled,
            at: store.now()?,
        };
        write_atomic(path, &textfile(&export))?;
    }
    super::emit_reports(
        single,
        reports,
        |repairs| RepairAll { repairs, errors },
        settings.output,
    )?;
    Ok(exit)
}
