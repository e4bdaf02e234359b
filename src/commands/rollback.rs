//! `ruvheal rollback`: undo a repair from its recorded undo state, from any
//! process, any time later. Rolling back twice is harmless.

use anyhow::Result;

use crate::cli::RollbackArgs;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::output::{self, rollback_report::RollbackReport};
use crate::repair::lock::CollectionLock;
use crate::repair::run::rollback_steps;
use crate::store::{audit, repairs};

/// Runs `rollback`.
pub fn run(args: &RollbackArgs, settings: &Settings) -> Result<Exit> {
    let (_, targets) = super::collections(settings, Some(&args.collection))?;
    let c = &targets[0];
    let mut store = super::store(settings)?;
    let collection_id = store.collection_id(&c.schema, &c.table, &c.column)?;
    let repair = match args.repair {
        Some(id) => repairs::get(&mut store.client, &store.schema, id)?
            .filter(|r| r.collection_id == collection_id)
            .ok_or_else(|| usage(format!("no repair {id} of {}", c.collection)))?,
        None => repairs::last(&mut store.client, &store.schema, collection_id)?
            .ok_or_else(|| usage(format!("{} has no repair to roll back", c.collection)))?,
    };
    let pending = repairs::steps(&mut store.client, &store.schema, repair.id)?
        .iter()
        .filter(|s| s.status.can_be_undone())
        .filter(|s| !matches!(s.undo, Some(crate::repair::undo::Undo::Nothing)))
        .count();
    if pending == 0 {
        output::emit(
            &RollbackReport {
                collection: c.collection.clone(),
                repair_id: repair.id,
                undone: vec![],
                kept: vec![],
                already: true,
            },
            settings.output,
        )?;
        return Ok(Exit::Ok);
    }
    if !args.yes
        && !output::prompt::confirm(&format!(
            "undo {pending} step(s) of repair {} on {}?",
            repair.id, c.collection
        ))?
    {
        return Ok(Exit::Ok);
    }
    let info = settings.target()?;
    let mut held = CollectionLock::acquire(crate::sql::connect(&info)?, &c.collection)?;
    let rolled = rollback_steps(
        held.client(),
        &mut store,
        repair.id,
        &settings.plan.exec_limits(),
    )?;
    let undone = rolled.undone.clone();
    if rolled.kept.is_empty() {
        repairs::mark_rolled_back(&mut store.client, &store.schema, repair.id)?;
    }
    audit::append(
        &mut store.client,
        &store.schema,
        &crate::audit::Entry {
            action: "rollback".into(),
            collection: Some(c.collection.clone()),
            subject: serde_json::json!({"repair_id": repair.id, "steps": undone, "kept": rolled.kept}),
        },
        settings.audit_key()?.as_deref(),
    )?;
    held.release()?;
    output::emit(
        &RollbackReport {
            collection: c.collection.clone(),
            repair_id: repair.id,
            undone,
            kept: rolled.kept.clone(),
            already: false,
        },
        settings.output,
    )?;
    // A step that cannot be undone leaves the repair not rolled back: say so.
    Ok(if rolled.kept.is_empty() {
        Exit::Ok
    } else {
        Exit::Critical
    })
}
