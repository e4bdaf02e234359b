//! `ruvheal abort PLAN_ID | --repair REPAIR_ID`: a plan that has not run is
//! aborted at once; a running repair is asked to stop, its running statement
//! is cancelled, and the command waits until the repairing process has undone
//! its steps and ended it `aborted`. A repair whose process is gone is cleaned
//! up here, as the next run would, and ended `aborted`.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::cli::AbortArgs;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::output::{self, abort_report::AbortReport};
use crate::repair::{abort, lock};
use crate::state::RepairStatus;
use crate::store::{Store, audit, plans, repairs};

/// Runs `abort`.
pub fn run(args: &AbortArgs, settings: &Settings) -> Result<Exit> {
    let mut store = Store::open(settings)?;
    let repair_id = if args.repair {
        args.id
    } else {
        let plan = plans::get(&mut store.client, &store.schema, args.id)?
            .ok_or_else(|| usage(format!("no plan with id {}", args.id)))?;
        match repairs::running_of_plan(&mut store.client, &store.schema, plan.id)? {
            Some(id) => id,
            None => {
                drop(store);
                return super::decide::decide(
                    args.id,
                    args.reason.as_deref(),
                    crate::state::PlanStatus::Aborted,
                    settings,
                );
            }
        }
    };
    let before = repairs::progress(&mut store.client, &store.schema, repair_id)?
        .ok_or_else(|| usage(format!("no repair with id {repair_id}")))?;
    if !repairs::request_abort(
        &mut store.client,
        &store.schema,
        repair_id,
        args.reason.as_deref(),
    )? {
        return Err(usage(format!(
            "repair {repair_id} is {}; only a running repair can be aborted",
            before.status
        )));
    }
    let key = settings.audit_key()?;
    audit::append(
        &mut store.client,
        &store.schema,
        &crate::audit::Entry {
            action: "abort_repair".into(),
            collection: Some(before.collection.clone()),
            subject: serde_json::json!({"repair_id": repair_id, "plan_id": before.plan_id,
                "reason": args.reason}),
        },
        key.as_deref(),
    )?;
    let mut target = crate::sql::connect(&settings.target()?)?;
    let holder = lock::holder(&mut target, &before.collection)?;
    let mut cancelled = false;
    let live = holder.is_some() && holder == before.backend_pid;
    if live {
        let pid = holder.context("the lock holder vanished")?;
        let deadline = Instant::now() + Duration::from_secs(args.wait);
        loop {
            let now = repairs::progress(&mut store.client, &store.schema, repair_id)?
                .context("the repair record vanished")?;
            if now.status != RepairStatus::Running || Instant::now() >= deadline {
                break;
            }
            // Only a step's statement is cancelled; an undo runs to its end.
            if now.step_running {
                cancelled |= abort::cancel_statement(&mut target, pid)?;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    } else {
        // Nobody holds the lock: the repairing process is gone. Clean up the
        // way the next run would, then record the operator's abort.
        super::sweep_cut_short(settings, &mut store)?;
        repairs::mark_aborted(&mut store.client, &store.schema, repair_id)?;
    }
    let after = repairs::progress(&mut store.client, &store.schema, repair_id)?
        .context("the repair record vanished")?;
    let steps = repairs::steps(&mut store.client, &store.schema, repair_id)?
        .into_iter()
        .map(|s| (s.ordinal, s.name, s.status))
        .collect();
    let (message, exit) = match after.status {
        RepairStatus::Aborted if live => (
            "aborted; what its steps changed was undone where it can be (see the steps)".into(),
            Exit::Ok,
        ),
        RepairStatus::Aborted => (
            "aborted; its process was gone, and what it left was cleaned up".into(),
            Exit::Ok,
        ),
        RepairStatus::Running => (
            format!(
                "still running after {}s; the abort stays requested and it stops before its next step",
                args.wait
            ),
            Exit::Critical,
        ),
        other => (
            format!("ended {other} before the abort took effect"),
            Exit::Critical,
        ),
    };
    output::emit(
        &AbortReport {
            repair_id,
            plan_id: after.plan_id,
            collection: after.collection,
            status: after.status,
            cancelled,
            steps,
            message,
        },
        settings.output,
    )?;
    Ok(exit)
}
