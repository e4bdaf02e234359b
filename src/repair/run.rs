//! Executing a stored plan: every step recorded with its undo state before it
//! runs, run on the session that holds the collection lock, polled for progress
//! on a second session; then verification against the playbook's `verify`, and
//! an automatic rollback of a reversible repair that did not help.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use postgres::Client;
use serde::{Deserialize, Serialize};

use super::exec::{self, Limits, SqlStep};
use super::index::check_valid;
use super::lock::CollectionLock;
use super::progress::{self, Reading};
use super::undo::Undo;
use crate::exit::Left;
use crate::playbook::{Playbook, Rendered, StatementKind};
use crate::sql::quote;
use crate::state::{RepairStatus, StepStatus};
use crate::store::plans::StoredPlan;
use crate::store::repairs;

/// What `plan_steps.undo` holds: the rendered step and its rendered undo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAction {
    /// The step.
    #[serde(rename = "do")]
    pub action: Rendered,
    /// Its undo, if the playbook gives one.
    pub undo: Option<Rendered>,
}

/// Told what happens, for progress bars and logs (the CLI layer draws them).
pub trait Observer {
    /// Step `ordinal` of `total` starts.
    fn step(&mut self, ordinal: i32, total: usize, name: &str, text: &str);
    /// A progress reading of the running statement.
    fn progress(&mut self, reading: &Reading);
    /// The step ended.
    fn step_done(&mut self, ordinal: i32, ok: bool);
}

/// One executed step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// Position.
    pub ordinal: i32,
    /// Name.
    pub name: String,
    /// `done`, `failed`, `undone`.
    pub status: StepStatus,
    /// What ran.
    pub rendered: String,
    /// Attempts (lock timeouts retried).
    pub attempts: u32,
    /// Wall time in ms.
    pub duration_ms: f64,
    /// The error, if it failed.
    pub error: Option<String>,
}

/// How a repair ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The repair's id.
    pub repair_id: i64,
    /// `succeeded`, `failed`, `rolled_back`, `not_verified` (`interrupted`: the
    /// session was lost and the record is left `running` for the sweep).
    pub status: RepairStatus,
    /// Whether the verification held.
    pub verified: bool,
    /// Relative improvement of the playbook's target metric (positive is better).
    pub improvement: Option<f64>,
    /// The target metric before and after.
    pub metric: Option<(String, Option<f64>, Option<f64>)>,
    /// Why verification failed, when it did.
    pub verify_notes: Vec<String>,
    /// The steps.
    pub steps: Vec<StepReport>,
    /// The error that stopped it, if any.
    pub error: Option<String>,
    /// Wall time of the steps alone (the DDL), in ms.
    pub steps_ms: f64,
}

/// A `check` step that must pass before the next step runs (by detector name).
pub type Gate<'a> = dyn Fn(&str) -> Result<()> + 'a;

/// Everything a repair needs.
pub struct Job<'a> {
    /// The plan.
    pub plan: &'a StoredPlan,
    /// Its playbook (for `verify` and `reversible`).
    pub playbook: &'a Playbook,
    /// Timeouts and retries.
    pub limits: Limits,
    /// Minimum relative improvement of the target metric (default 0.10).
    pub margin: f64,
    /// Programs shell steps may run.
    pub shell_allow: &'a [String],
    /// The collection's schema (the rendered steps carry their index names
    /// qualified already).
    pub schema: &'a str,
    /// Metrics before the repair.
    pub before: &'a BTreeMap<String, f64>,
    /// Runs a `check` step's detector that must pass before the next step
    /// (the new-index gate, [`super::gate`]); `None` defers every re-check
    /// to verification.
    pub gate: Option<&'a Gate<'a>>,
}

/// The undo state of a step, captured before it runs.
fn capture(client: &mut Client, stored: &StoredAction) -> Result<Undo> {
    Ok(match (&stored.action, &stored.undo) {
        (
            Rendered::SetSetting {
                reset_sql,
                previous_sql,
                setting,
                target,
                ..
            },
            _,
        ) => {
            let previous: Option<String> = client
                .query_one(previous_sql.as_str(), &[])
                .context("reading the setting's previous value")?
                .get(0);
            let sql = match &previous {
                Some(v) => format!(
                    "ALTER {target} SET {} = {}",
                    quote::setting_name(setting)?,
                    quote::literal(v)?
                ),
                None => reset_sql.clone(),
            };
            Undo::Sql {
                sql,
                transactional: true,
            }
        }
        (
            Rendered::Sql {
                statement, index, ..
            },
            undo,
        ) => match (created(*statement, index), undo) {
            // A step that creates an index is undone by dropping it; recorded as such,
            // crash cleanup can tell an INVALID leftover from a user's index.
            (Some(ix), _) => Undo::DropIndex { index: ix.sql()? },
            (
                None,
                Some(Rendered::Sql {
                    sql, transaction, ..
                }),
            ) => Undo::Sql {
                sql: sql.clone(),
                transactional: *transaction,
            },
            (None, _) => Undo::Irreversible,
        },
        (
            _,
            Some(Rendered::Sql {
                sql, transaction, ..
            }),
        ) => Undo::Sql {
            sql: sql.clone(),
            transactional: *transaction,
        },
        _ => Undo::Nothing,
    })
}

/// The index a statement of kind `statement` creates.
fn created(
    statement: StatementKind,
    index: &Option<crate::sql::QualifiedName>,
) -> Option<crate::sql::QualifiedName> {
    index
        .clone()
        .filter(|_| statement == StatementKind::CreateIndex)
}

/// The index a statement of kind `statement` rebuilds.
fn rebuilt(
    statement: StatementKind,
    index: &Option<crate::sql::QualifiedName>,
) -> Option<crate::sql::QualifiedName> {
    index
        .clone()
        .filter(|_| statement == StatementKind::Reindex)
}

/// Runs one rendered action on the lock holder's session.
fn run_action(
    client: &mut Client,
    poll: &mut Client,
    pid: i32,
    action: &Rendered,
    job: &Job<'_>,
    observer: &mut (dyn Observer + Send),
) -> Result<u32> {
    match action {
        Rendered::Sql {
            sql,
            transaction,
            set,
            statement,
            index,
            ..
        } => {
            let step = SqlStep {
                sql: sql.clone(),
                transactional: *transaction,
                settings: set
                    .iter()
                    .map(|s| (s.name.clone(), s.value.clone()))
                    .collect(),
                creates_index: created(*statement, index),
            };
            let stop = AtomicBool::new(false);
            let run = std::thread::scope(|scope| {
                let obs = &mut *observer;
                let stop_ref = &stop;
                scope.spawn(move || {
                    progress::poll(poll, pid, Duration::from_millis(300), stop_ref, |r| {
                        obs.progress(r)
                    })
                });
                let run = exec::run(client, &step, &job.limits);
                stop.store(true, Ordering::Relaxed);
                run
            });
            if run.is_err()
                && !client.is_closed()
                && let Some(ix) = rebuilt(*statement, index)
            {
                // A failed REINDEX CONCURRENTLY leaves an INVALID copy that slows
                // every write: dropped now, in the same run (the old index stays).
                match super::index::drop_ccnew_copies(client, &ix, &job.limits) {
                    Ok(gone) => gone.iter().for_each(|q| {
                        log::warn!("dropped {q}, left INVALID by the failed rebuild")
                    }),
                    Err(e) => log::warn!("could not drop the failed rebuild's copy: {e:#}"),
                }
            }
            let attempts = run?.attempts;
            // "No error" is not success: a build can return and leave the index invalid.
            if let Some(ix) = &step
                .creates_index
                .clone()
                .or_else(|| rebuilt(*statement, index))
            {
                check_valid(client, ix)?;
            }
            Ok(attempts)
        }
        Rendered::SetSetting { sql, .. } => {
            exec::run(
                client,
                &SqlStep {
                    sql: sql.clone(),
                    transactional: true,
                    settings: vec![],
                    creates_index: None,
                },
                &job.limits,
            )?;
            Ok(1)
        }
        Rendered::WaitFor { sql, timeout } => {
            let started = Instant::now();
            loop {
                let ok: bool = client
                    .query_one(sql.as_str(), &[])
                    .context("evaluating the wait condition")?
                    .get(0);
                if ok {
                    return Ok(1);
                }
                if started.elapsed() >= (*timeout).min(job.limits.statement_timeout) {
                    bail!("condition still false after {}s: {sql}", timeout.as_secs());
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        Rendered::Check { detector } if detector == super::gate::DETECTOR => {
            let gate = job
                .gate
                .context("this repair cannot measure a new index before the swap")?;
            gate(detector)?;
            Ok(1)
        }
        Rendered::Check { detector } => {
            log::info!("the {detector} detector runs again at verification");
            Ok(1)
        }
        Rendered::Shell { program, args } => {
            if !job.shell_allow.iter().any(|a| a == program) {
                bail!("{program} is not in plan.shell_allow");
            }
            super::shell::run(program, args, job.limits.statement_timeout)?;
            Ok(1)
        }
    }
}

/// Executes `job` on the lock holder's session. Records everything; never
/// returns an error after the repair record exists (failures are in the outcome).
pub fn execute(
    held: &mut CollectionLock,
    poll: &mut Client,
    store: &mut crate::store::Store,
    collection_id: i64,
    job: &Job<'_>,
    verify: &mut dyn FnMut(&mut crate::store::Store) -> Result<BTreeMap<String, f64>>,
    observer: &mut (dyn Observer + Send),
) -> Result<Outcome> {
    let pid = held.backend_pid()?;
    let repair_id = repairs::start(
        &mut store.client,
        &store.schema,
        Some(job.plan.id),
        collection_id,
        false,
        pid,
    )?;
    let steps: Vec<(i32, String, StoredAction)> = job
        .plan
        .steps
        .iter()
        .map(|s| {
            serde_json::from_value(s.undo.clone())
                .map(|a| (s.ordinal, s.name.clone(), a))
                .with_context(|| format!("plan step {} is not executable", s.ordinal))
        })
        .collect::<Result<_>>()?;
    let started = Instant::now();
    // The playbook's timeout bounds the whole repair: each step gets what is
    // left of it as its statement_timeout (and shell / wait limit).
    let deadline = started + job.playbook.timeout.0;
    let mut reports = Vec::new();
    let mut failure = None;
    // An operator's `abort REPAIR_ID`: read before each step, after a failed
    // step (the abort cancels the running statement) and before judging.
    let mut aborted = false;
    for (ordinal, name, stored) in &steps {
        if repairs::abort_requested(&mut store.client, &store.schema, repair_id)? {
            aborted = true;
            failure = Some(format!("aborted by an operator before step {name}"));
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            failure = Some(format!(
                "the playbook's timeout ({}s) ran out before step {name}",
                job.playbook.timeout.0.as_secs()
            ));
            break;
        }
        let job = &Job {
            limits: Limits {
                statement_timeout: job.limits.statement_timeout.min(left),
                ..job.limits
            },
            ..*job
        };
        let text = crate::plan::steps::text(&stored.action);
        observer.step(*ordinal, steps.len(), name, &text);
        let undo = match capture(held.client(), stored) {
            Ok(u) => u,
            Err(e) => {
                failure = Some(format!("step {name}: {e:#}"));
                break;
            }
        };
        repairs::step_begin(
            &mut store.client,
            &store.schema,
            repair_id,
            *ordinal,
            name,
            &text,
            &undo,
        )
        .map_err(|e| {
            let ran = match reports.len() {
                0 => "no step ran".to_string(),
                n => format!("{n} step(s) ran and stay (ruvheal rollback --repair {repair_id} undoes them)"),
            };
            e.context(Left(format!(
                "repair {repair_id}: {ran}; step {ordinal} ({name}) did not run; the next run marks the repair interrupted"
            )))
        })?;
        let t = Instant::now();
        let result = run_action(held.client(), poll, pid, &stored.action, job, observer);
        let ok = result.is_ok();
        observer.step_done(*ordinal, ok);
        let error = result.as_ref().err().map(|e| format!("{e:#}"));
        let status = if ok {
            StepStatus::Done
        } else {
            StepStatus::Failed
        };
        repairs::step_end(
            &mut store.client,
            &store.schema,
            repair_id,
            *ordinal,
            status,
            error.as_deref(),
        )
        .map_err(|e| {
            e.context(Left(format!(
                "repair {repair_id}: step {ordinal} ({name}) ran ({status}) but its end is not recorded; \
                 the next run marks the repair interrupted and cleans up what a running step leaves"
            )))
        })?;
        reports.push(StepReport {
            ordinal: *ordinal,
            name: name.clone(),
            status,
            rendered: text,
            attempts: *result.as_ref().unwrap_or(&0),
            duration_ms: t.elapsed().as_secs_f64() * 1000.0,
            error: error.clone(),
        });
        if let Some(e) = error {
            failure = Some(format!("step {name}: {e}"));
            if held.client().is_closed() {
                // The session is gone (terminated, server restart): its lock went with
                // it. Leave the record `running`; the caller's sweep cleans up from a
                // new session and marks it interrupted.
                return Ok(Outcome {
                    repair_id,
                    status: RepairStatus::Interrupted,
                    verified: false,
                    improvement: None,
                    metric: None,
                    verify_notes: vec![],
                    steps: reports,
                    error: failure,
                    steps_ms: started.elapsed().as_secs_f64() * 1000.0,
                });
            }
            if repairs::abort_requested(&mut store.client, &store.schema, repair_id)? {
                aborted = true;
                failure = Some(format!("aborted by an operator during step {name}: {e}"));
            }
            break;
        }
    }
    let steps_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcome = Outcome {
        repair_id,
        status: RepairStatus::Running,
        verified: false,
        improvement: None,
        metric: None,
        verify_notes: vec![],
        steps: reports,
        error: failure.clone(),
        steps_ms,
    };
    if failure.is_none() {
        match verify(store) {
            Ok(after) => judge(job, &after, &mut outcome),
            Err(e) => outcome
                .verify_notes
                .push(format!("verification could not run: {e:#}")),
        }
        if repairs::abort_requested(&mut store.client, &store.schema, repair_id)? {
            aborted = true;
            outcome.verified = false;
            outcome
                .verify_notes
                .insert(0, "aborted by an operator before it was judged".into());
        }
    }
    let undo_needed =
        aborted || (!outcome.verified && (failure.is_some() || job.playbook.reversible));
    if undo_needed {
        let rolled = rollback_steps(held.client(), store, repair_id, &job.limits).map_err(|e| {
            e.context(Left(format!(
                "repair {repair_id}: its steps ran; undoing them stopped here \
                     (ruvheal rollback --repair {repair_id} resumes)"
            )))
        })?;
        outcome
            .steps
            .iter_mut()
            .filter(|s| rolled.undone.contains(&s.ordinal))
            .for_each(|s| s.status = StepStatus::Undone);
        // Rolled back only when everything it changed was put back; a step
        // that cannot be undone makes the repair a failure, said as such. An
        // aborted repair is `aborted`, with what it kept in its notes.
        outcome.status = if aborted {
            RepairStatus::Aborted
        } else if rolled.undone.is_empty() || !rolled.kept.is_empty() {
            RepairStatus::Failed
        } else {
            RepairStatus::RolledBack
        };
        if !rolled.kept.is_empty() {
            outcome.verify_notes.push(format!(
                "step(s) {} cannot be undone and were kept",
                rolled
                    .kept
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    } else if outcome.verified {
        outcome.status = RepairStatus::Succeeded;
    } else {
        outcome.status = RepairStatus::NotVerified;
    }
    repairs::finish(
        &mut store.client,
        &store.schema,
        repair_id,
        outcome.status,
        Some(outcome.verified),
        outcome
            .error
            .as_deref()
            .or(outcome.verify_notes.first().map(String::as_str)),
    )
    .map_err(|e| {
        e.context(Left(format!(
            "repair {repair_id} ended {} but that is not recorded; the next run marks it interrupted",
            outcome.status
        )))
    })?;
    RECORDED.fetch_add(1, Ordering::Relaxed);
    Ok(outcome)
}

/// Repairs this process ended and recorded (for the last line of an error that
/// stops the run: what it left).
static RECORDED: AtomicUsize = AtomicUsize::new(0);

/// How many repairs this process ended and recorded.
pub fn recorded() -> usize {
    RECORDED.load(Ordering::Relaxed)
}

/// Checks the playbook's `verify` and the whole contract ([`super::verdict`])
/// on the metrics after the repair.
fn judge(job: &Job<'_>, after: &BTreeMap<String, f64>, outcome: &mut Outcome) {
    let v = &job.playbook.verify;
    // The playbook's defaults, overridden by the values the plan was made with.
    let mut params: BTreeMap<String, crate::playbook::ParamValue> = job
        .playbook
        .params
        .iter()
        .filter_map(|(k, p)| p.default.clone().map(|d| (k.clone(), d)))
        .collect();
    if let Ok(planned) = serde_json::from_value::<BTreeMap<String, crate::playbook::ParamValue>>(
        job.plan.params.clone(),
    ) {
        params.extend(planned);
    }
    for c in &v.expect {
        if !c.holds(after, &params) {
            outcome.verify_notes.push(format!("expected {c}"));
        }
    }
    let target = v.improves.as_ref().map(|imp| super::verdict::Target {
        metric: &imp.metric,
        direction: imp.direction,
    });
    let verdict = super::verdict::judge(job.before, after, target, job.margin);
    outcome.metric = verdict.metric;
    outcome.improvement = verdict.improvement;
    outcome.verify_notes.extend(verdict.notes);
    outcome.verified = outcome.verify_notes.is_empty();
}

/// What a rollback did: the steps it undid and the ones it had to keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rolled {
    /// Steps undone, last first.
    pub undone: Vec<i32>,
    /// Steps that changed something no statement can put back, left as they are.
    pub kept: Vec<i32>,
}

/// Undoes the `done` and `failed` steps of repair `repair_id`, last first, from
/// their stored undo state. Steps already `undone` are skipped, so running it
/// twice is harmless. A step whose change cannot be undone keeps its status
/// and is listed in [`Rolled::kept`]: it is never shown as undone.
pub fn rollback_steps(
    client: &mut Client,
    store: &mut crate::store::Store,
    repair_id: i64,
    limits: &Limits,
) -> Result<Rolled> {
    let steps = repairs::steps(&mut store.client, &store.schema, repair_id)?;
    let mut rolled = Rolled::default();
    for s in steps.iter().rev() {
        if !s.status.can_be_undone() {
            continue;
        }
        match &s.undo {
            // A wait or a re-check changed nothing: nothing to undo, and it is
            // not shown as undone either.
            Some(Undo::Nothing) => continue,
            Some(Undo::Irreversible) => {
                rolled.kept.push(s.ordinal);
                continue;
            }
            Some(undo) => {
                if let Some(step) = undo.step()? {
                    // An abort's cancel can land on the undo itself: once more.
                    let run = exec::run(client, &step, limits);
                    let run = match run {
                        Err(e) if canceled(&e) => exec::run(client, &step, limits),
                        other => other,
                    };
                    run.with_context(|| format!("undoing step {} ({})", s.ordinal, s.name))?;
                }
            }
            None => {}
        }
        repairs::step_end(
            &mut store.client,
            &store.schema,
            repair_id,
            s.ordinal,
            StepStatus::Undone,
            None,
        )?;
        rolled.undone.push(s.ordinal);
    }
    Ok(rolled)
}

/// Whether `e` is a statement cancelled by `pg_cancel_backend` (57014).
fn canceled(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<postgres::Error>()
            .and_then(postgres::Error::code)
            == Some(&postgres::error::SqlState::QUERY_CANCELED)
    })
}
