//! `ruvheal repair`: run a stored plan (or plan afresh), one collection at a
//! time under its advisory lock; verify; roll back what did not help.

use anyhow::{Context as _, Result};

use super::check::{Connections, check_one};
use super::plan::{Named, plan_collection};
use crate::catalog::{self, Collection};
use crate::cli::RepairArgs;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::output::{
    self,
    repair_report::{RepairAll, RepairReport},
};
use crate::playbook::Library;
use crate::repair::lock::CollectionLock;
use crate::repair::run::{self, Job};
use crate::state::{PlanStatus, RepairStatus};
use crate::store::plans::StoredPlan;
use crate::store::{Store, audit, diagnoses, outcomes, plans};

/// Runs `repair`.
pub fn run(args: &RepairArgs, settings: &Settings) -> Result<Exit> {
    let library = Library::load(args.playbooks.playbooks.as_deref())?;
    let (mut conns, targets) = super::collections(settings, args.target.collection.as_deref())?;
    let targets = if args.dry_run {
        targets
    } else {
        super::clean_leftovers(settings, &mut conns, targets)?
    };
    let mut store = super::store(settings)?;
    let opts = Options {
        plan: args.plan,
        named: args.playbook.as_ref().map(|name| Named {
            playbook: name.clone(),
            params: args.params.clone(),
        }),
        dry_run: args.dry_run,
        yes: args.yes,
    };
    let single = args.target.collection.is_some();
    let fleet = super::fleet::each(single, &targets, settings, &mut conns, |c, conns, out| {
        out.push(crate::output::repair_report::settle(repair_one(
            c, &opts, settings, &mut store, conns, &library,
        )?));
        Ok(())
    })?;
    // A playbook the operator named and the limits refused is a request not
    // done: exit 1 with the reason, not 0.
    let named = opts.named.is_some();
    let exit = fleet.exit(|r| {
        let e = r.exit();
        if named && !r.blocked.is_empty() {
            super::fleet::worst([e, Exit::Warning])
        } else {
            e
        }
    });
    let errors = fleet.errors;
    super::emit_reports(
        single,
        fleet.reports,
        |repairs| RepairAll { repairs, errors },
        settings.output,
    )?;
    Ok(exit)
}

/// What to run.
pub(crate) struct Options {
    /// A stored plan, else plan afresh.
    pub plan: Option<i64>,
    /// Plan this playbook instead of the planner's choice.
    pub named: Option<Named>,
    /// Print, change nothing.
    pub dry_run: bool,
    /// Do not ask.
    pub yes: bool,
}

/// Plans (or loads the plan) and runs it for one collection.
pub(crate) fn repair_one(
    c: &Collection,
    opts: &Options,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
    library: &Library,
) -> Result<RepairReport> {
    let collection_id = store.collection_id(&c.schema, &c.table, &c.column)?;
    let mut report = RepairReport::new(c, opts.dry_run);
    // Plan and run under the collection's lock: a second ruvheal planning at the
    // same time would supersede this run's plans between planning and running.
    let held = if opts.dry_run {
        None
    } else {
        let info = settings.target()?;
        Some((
            CollectionLock::acquire(crate::sql::connect(&info)?, &c.collection)?,
            info,
        ))
    };
    let stored: Vec<StoredPlan> = match opts.plan {
        Some(id) => {
            let p = plans::get(&mut store.client, &store.schema, id)?
                .ok_or_else(|| usage(format!("no plan with id {id}")))?;
            if p.collection_id != collection_id {
                return Err(usage(format!(
                    "plan {id} is for {}, not {}",
                    p.collection, c.collection
                )));
            }
            vec![p]
        }
        None => {
            let fresh = plan_collection(
                c,
                true,
                settings,
                store,
                conns,
                library,
                opts.named.as_ref(),
            )?;
            report.blocked = fresh.blocked;
            let mut out = Vec::new();
            for p in fresh.plans {
                out.push(
                    plans::get(&mut store.client, &store.schema, p.plan_id)?
                        .context("the new plan vanished")?,
                );
            }
            out
        }
    };
    for p in stored {
        match p.status {
            PlanStatus::Ready | PlanStatus::Approved => report.runnable.push(p),
            PlanStatus::AwaitingApproval => report.waiting.push(p),
            other => {
                return Err(usage(format!(
                    "plan {} is {other}; only a ready or approved plan can run",
                    p.id
                )));
            }
        }
    }
    let Some((mut held, info)) = held.filter(|_| !report.runnable.is_empty()) else {
        left_unrepaired(&mut report, &[]);
        return Ok(report);
    };
    let steps: usize = report.runnable.iter().map(|p| p.steps.len()).sum();
    if !opts.yes
        && !output::prompt::confirm(&format!(
            "run {} plan(s), {steps} step(s), on {}?",
            report.runnable.len(),
            c.collection
        ))?
    {
        report.declined = true;
        left_unrepaired(&mut report, &[]);
        return Ok(report);
    }
    let key = settings.audit_key()?;
    privilege_preflight(held.client(), c)?;
    crate::repair::slots::take(held.client(), settings.plan.max_concurrent_repairs)?;
    let mut poll = crate::sql::connect(&info)?;
    let runnable = std::mem::take(&mut report.runnable);
    let mut capped = Vec::new();
    for (i, p) in runnable.iter().enumerate() {
        // The attempt cap counts every repair, this run's too (server clock).
        if let Some(reason) = attempt_cap_reached(settings, store, collection_id)? {
            plans::set_status(
                &mut store.client,
                &store.schema,
                p.id,
                PlanStatus::Superseded,
            )?;
            log::warn!("plan {} ({}) not run: {reason}", p.id, p.playbook);
            capped.push((p.clone(), reason));
            continue;
        }
        if i > 0 && !still_needed(c, p, library, settings, store, conns)? {
            plans::set_status(
                &mut store.client,
                &store.schema,
                p.id,
                PlanStatus::Superseded,
            )?;
            log::info!(
                "plan {} ({}): no longer needed after the earlier repair; skipped",
                p.id,
                p.playbook
            );
            continue;
        }
        let playbook = &library
            .get(&p.playbook)
            .ok_or_else(|| {
                usage(format!(
                    "plan {} uses playbook {}, which is not loaded",
                    p.id, p.playbook
                ))
            })?
            .playbook;
        let before =
            diagnoses::latest_observation(&mut store.client, &store.schema, collection_id)?
                .map(|o| o.metrics)
                .unwrap_or_default();
        plans::set_status(&mut store.client, &store.schema, p.id, PlanStatus::Running)?;
        audit::append(
            &mut store.client,
            &store.schema,
            &entry(
                c,
                "repair_start",
                serde_json::json!({"plan_id": p.id, "playbook": p.playbook}),
            ),
            key.as_deref(),
        )?;
        let gate =
            |_: &str| crate::repair::gate::for_plan(settings, c, playbook, &p.params, &before);
        let job = Job {
            plan: p,
            playbook,
            limits: settings.plan.exec_limits(),
            margin: settings.plan.verify_margin,
            shell_allow: &settings.plan.shell_allow,
            schema: &c.schema,
            before: &before,
            gate: Some(&gate),
        };
        let mut after = None;
        let mut verify = |store: &mut Store| -> Result<std::collections::BTreeMap<String, f64>> {
            // New sessions: database- and role-level settings apply only to sessions
            // started after the change, as the application's will be.
            *conns = Connections::open(settings)?;
            // The catalog as it is now: the repair may have created or replaced the index.
            let found = catalog::discover(&mut conns.detect, &settings.state_schema)?;
            let now = found
                .iter()
                .find(|f| f.schema == c.schema && f.table == c.table && f.column == c.column)
                .unwrap_or(c);
            let r = check_one(now, 0, settings, store, conns)?;
            after = Some(r.metrics.clone());
            Ok(r.metrics)
        };
        let mut bars = output::progress::StepBars::new(
            settings.progress,
            settings.quiet || settings.output == crate::cli::OutputFormat::Json,
        );
        let started = store.now()?;
        let outcome = run::execute(
            &mut held,
            &mut poll,
            store,
            collection_id,
            &job,
            &mut verify,
            &mut bars,
        )?;
        let finished = store.now()?;
        if outcome.status == RepairStatus::Interrupted {
            // Our session died mid-step: clean up from a new one now.
            log::warn!(
                "repair {} lost its session: {}",
                outcome.repair_id,
                outcome.error.as_deref().unwrap_or("")
            );
            super::sweep_cut_short(settings, store)?;
            report.outcomes.push((p.clone(), outcome));
            left_unrepaired(&mut report, &capped);
            return Ok(report);
        }
        let ended = if outcome.status == RepairStatus::Aborted {
            PlanStatus::Aborted
        } else {
            PlanStatus::Done
        };
        plans::set_status(&mut store.client, &store.schema, p.id, ended)?;
        let after = after.unwrap_or_default();
        outcomes::insert(
            &mut store.client,
            &store.schema,
            &outcomes::NewOutcome {
                repair_id: outcome.repair_id,
                collection_id,
                problem_class: p.problem_class.clone(),
                problem: serde_json::json!({"class": p.problem_class, "plan_id": p.id}),
                strategy: p.playbook.clone(),
                params: p.params.clone(),
                started_at: started,
                finished_at: finished,
                duration_ms: (finished - started).num_milliseconds() as f64,
                success: outcome.error.is_none(),
                verified: outcome.verified,
                actions: serde_json::to_value(&outcome.steps)?,
                improvement: outcome.improvement,
                lambda_before: before.get("integrity.lambda_normalized").copied(),
                lambda_after: after.get("integrity.lambda_normalized").copied(),
                metrics: serde_json::to_value(&after)?,
            },
        )?;
        audit::append(
            &mut store.client,
            &store.schema,
            &entry(
                c,
                "repair",
                serde_json::json!({"plan_id": p.id, "repair_id": outcome.repair_id,
                "status": outcome.status, "verified": outcome.verified, "improvement": outcome.improvement,
                "steps": outcome.steps.iter().map(|s| serde_json::json!({"name": s.name, "status": s.status, "sql": s.rendered})).collect::<Vec<_>>()}),
            ),
            key.as_deref(),
        )?;
        report.outcomes.push((p.clone(), outcome));
    }
    held.release()?;
    left_unrepaired(&mut report, &capped);
    Ok(report)
}

/// Why no further repair may start on the collection now, if the attempt cap
/// of the window is reached (counted on the server's clock, this run included).
fn attempt_cap_reached(
    settings: &Settings,
    store: &mut Store,
    collection_id: i64,
) -> Result<Option<String>> {
    let limits = settings.plan.limits();
    let now = store.now()?;
    let h = plans::history(
        &mut store.client,
        &store.schema,
        collection_id,
        limits.attempts_window_secs,
        now,
    )?;
    Ok((h.attempts_in_window >= limits.max_attempts).then(|| {
        format!(
            "attempt cap reached: {} repairs in the last {}s (max {})",
            h.attempts_in_window, limits.attempts_window_secs, limits.max_attempts
        )
    }))
}

/// Fills `report.unrepaired`: every problem this run did not repair, and why.
fn left_unrepaired(report: &mut RepairReport, capped: &[(StoredPlan, String)]) {
    use crate::output::plan_report::Blocked;
    let class = |p: &StoredPlan| {
        serde_json::from_value(serde_json::Value::String(p.problem_class.clone()))
            .unwrap_or(crate::vocab::Class::Unknown)
    };
    let severity = |p: &StoredPlan| p.severity.unwrap_or(crate::vocab::Severity::Warning);
    let mut left: Vec<Blocked> = report.blocked.clone();
    let mut add = |p: &StoredPlan, reason: String| {
        // A playbook the operator ran with no diagnosed problem behind it
        // leaves no problem unrepaired (its own failure is in its outcome).
        if p.problem_id.is_none() {
            return;
        }
        left.push(Blocked {
            class: class(p),
            severity: severity(p),
            reason,
        })
    };
    for p in &report.waiting {
        add(p, format!("plan {} ({}) awaits approval", p.id, p.playbook));
    }
    for p in &report.runnable {
        let why = if report.dry_run {
            "dry run"
        } else {
            "declined at the prompt"
        };
        add(p, format!("plan {} ({}): {why}", p.id, p.playbook));
    }
    for (p, reason) in capped {
        add(p, format!("plan {} ({}): {reason}", p.id, p.playbook));
    }
    for (p, o) in &report.outcomes {
        if o.status != RepairStatus::Succeeded {
            add(
                p,
                format!("repair {} ({}) ended {}", o.repair_id, p.playbook, o.status),
            );
        }
    }
    report.unrepaired = left;
}

/// Whether a later plan of this run is still needed after the earlier repair:
/// its problem class is still diagnosed and its playbook's `when` still holds
/// (both on the latest observation, which the previous verification just took).
fn still_needed(
    c: &Collection,
    p: &StoredPlan,
    library: &Library,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
) -> Result<bool> {
    let (d, obs) = super::diagnose::diagnose_one(c, false, settings, store, conns)?;
    if !d
        .problems
        .iter()
        .any(|x| x.class.as_str() == p.problem_class)
    {
        return Ok(false);
    }
    let params: std::collections::BTreeMap<String, crate::playbook::ParamValue> =
        serde_json::from_value(p.params.clone()).unwrap_or_default();
    Ok(library
        .get(&p.playbook)
        .is_some_and(|l| l.playbook.applies(&obs.metrics, &params)))
}

/// Ownership of the table (or MAINTAIN on PostgreSQL 17+) before the first change:
/// a VACUUM by a non-owner only warns "skipping" and would look like success.
fn privilege_preflight(client: &mut postgres::Client, c: &Collection) -> Result<()> {
    let ok: bool = client
        .query_one(
            "SELECT pg_has_role(c.relowner, 'USAGE')
                    OR (current_setting('server_version_num')::int >= 170000
                        AND has_table_privilege(c.oid, 'MAINTAIN'))
               FROM pg_class c WHERE c.oid = $1",
            &[&c.oid],
        )
        .context("checking privileges on the collection")?
        .get(0);
    if !ok {
        return Err(anyhow::Error::new(crate::store::MissingPrivilege(format!(
            "missing privilege: repairs need ownership of {} (or MAINTAIN on PostgreSQL 17+); nothing was changed",
            c.collection
        ))));
    }
    Ok(())
}

fn entry(c: &Collection, action: &str, subject: serde_json::Value) -> crate::audit::Entry {
    crate::audit::Entry {
        action: action.into(),
        collection: Some(c.collection.clone()),
        subject,
    }
}
