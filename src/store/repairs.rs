//! Repairs and their steps in the state tables: started, stepped, finished,
//! and found again when a process was cut short.

use anyhow::{Context, Result};
use postgres::GenericClient;

use crate::repair::undo::Undo;
use crate::sql::quote;
use crate::state::{IllegalTransition, PlanStatus, RepairStatus, StepStatus};

/// Starts a repair record (`running`); returns its id.
pub fn start(
    client: &mut impl GenericClient,
    schema: &str,
    plan_id: Option<i64>,
    collection_id: i64,
    dry_run: bool,
    backend_pid: i32,
) -> Result<i64> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_one(
            &format!(
                "INSERT INTO {q}.repairs (plan_id, collection_id, status, dry_run, backend_pid)
                 VALUES ($1, $2, $5, $3, $4) RETURNING id"
            ),
            &[
                &plan_id,
                &collection_id,
                &dry_run,
                &backend_pid,
                &RepairStatus::Running.as_str(),
            ],
        )
        .context("recording the repair")?
        .get(0))
}

/// Records that step `ordinal` is about to run, with its undo state.
pub fn step_begin(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    ordinal: i32,
    name: &str,
    rendered: &str,
    undo: &Undo,
) -> Result<()> {
    let q = quote::ident(schema)?;
    client
        .execute(
            &format!(
                "INSERT INTO {q}.repair_steps (repair_id, ordinal, name, rendered, status, undo_state)
                 VALUES ($1, $2, $3, $4, $6, $5)"
            ),
            &[
                &repair_id,
                &ordinal,
                &name,
                &rendered,
                &serde_json::to_value(undo)?,
                &StepStatus::Running.as_str(),
            ],
        )
        .with_context(|| format!("recording step {ordinal} ({name})"))?;
    Ok(())
}

/// Records how step `ordinal` ended (`done`, `failed`, `undone`, `skipped`,
/// `interrupted`); fails with an [`IllegalTransition`], changing nothing, when
/// the step's status now does not lead there.
pub fn step_end(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    ordinal: i32,
    status: StepStatus,
    error: Option<&str>,
) -> Result<()> {
    let q = quote::ident(schema)?;
    let changed = client
        .execute(
            &format!(
                "UPDATE {q}.repair_steps SET status = $3, error = $4, finished_at = pg_catalog.now()
                  WHERE repair_id = $1 AND ordinal = $2 AND status = ANY($5)"
            ),
            &[
                &repair_id,
                &ordinal,
                &status.as_str(),
                &error,
                &StepStatus::source_texts(status),
            ],
        )
        .with_context(|| format!("recording the end of step {ordinal}"))?;
    if changed == 1 {
        return Ok(());
    }
    let now = current(
        client,
        &format!("SELECT status FROM {q}.repair_steps WHERE repair_id = $1 AND ordinal = $2"),
        &[&repair_id, &ordinal],
    )?;
    Err(IllegalTransition {
        subject: format!("step {ordinal} of repair {repair_id}"),
        from: now
            .map(|t| t.parse::<StepStatus>())
            .transpose()?
            .map(StepStatus::as_str),
        to: status.as_str(),
    }
    .into())
}

/// The status text a guarded update found instead of one it could leave.
fn current(
    client: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Option<String>> {
    Ok(client
        .query_opt(sql, params)
        .context("reading the status a transition was refused from")?
        .map(|r| r.get(0)))
}

/// Moves repair `id` to `to` when the transition table allows it from its
/// status now (`from`: only from these, a subset of the table's sources);
/// otherwise changes nothing and fails with an [`IllegalTransition`].
fn transition(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
    from: &[RepairStatus],
    to: RepairStatus,
    set: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<()> {
    let q = quote::ident(schema)?;
    let from: Vec<&str> = from
        .iter()
        .filter(|f| f.can_become(to))
        .map(|f| f.as_str())
        .collect();
    let mut all: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&id, &from];
    all.extend_from_slice(params);
    let to_text = to.as_str();
    all.push(&to_text);
    let n = all.len();
    let changed = client.execute(
        &format!("UPDATE {q}.repairs SET status = ${n}{set} WHERE id = $1 AND status = ANY($2)"),
        &all,
    )?;
    if changed == 1 {
        return Ok(());
    }
    let now = current(
        client,
        &format!("SELECT status FROM {q}.repairs WHERE id = $1"),
        &[&id],
    )?;
    Err(IllegalTransition {
        subject: format!("repair {id}"),
        from: now
            .map(|t| t.parse::<RepairStatus>())
            .transpose()?
            .map(RepairStatus::as_str),
        to: to.as_str(),
    }
    .into())
}

/// Records how the running repair ended.
pub fn finish(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    status: RepairStatus,
    verified: Option<bool>,
    error: Option<&str>,
) -> Result<()> {
    transition(
        client,
        schema,
        repair_id,
        &[RepairStatus::Running],
        status,
        ", verified = $3, error = $4, finished_at = pg_catalog.now()",
        &[&verified, &error],
    )
    .context("recording the end of the repair")
}

/// A step as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStep {
    /// Position in the plan.
    pub ordinal: i32,
    /// Its name.
    pub name: String,
    /// `running`, `done`, ...
    pub status: StepStatus,
    /// Its undo state.
    pub undo: Option<Undo>,
}

/// A repair still marked `running`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningRepair {
    /// Its id.
    pub id: i64,
    /// The collection's schema.
    pub schema: String,
    /// The collection's table.
    pub table: String,
    /// The backend that held its lock.
    pub backend_pid: Option<i32>,
    /// Its steps, in order.
    pub steps: Vec<StoredStep>,
}

/// The steps of repair `repair_id`, in order.
pub fn steps(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
) -> Result<Vec<StoredStep>> {
    let q = quote::ident(schema)?;
    client
        .query(
            &format!(
                "SELECT ordinal, name, status, undo_state FROM {q}.repair_steps
                  WHERE repair_id = $1 ORDER BY ordinal"
            ),
            &[&repair_id],
        )
        .context("reading the repair's steps")?
        .iter()
        .map(|s| {
            Ok(StoredStep {
                ordinal: s.get(0),
                name: s.get(1),
                status: s.get::<_, String>(2).parse()?,
                undo: s
                    .get::<_, Option<serde_json::Value>>(3)
                    .and_then(|v| serde_json::from_value(v).ok()),
            })
        })
        .collect()
}

/// Every repair marked `running`, with its steps.
pub fn running(client: &mut impl GenericClient, schema: &str) -> Result<Vec<RunningRepair>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT r.id, c.schema_name, c.table_name, r.backend_pid FROM {q}.repairs r
                   JOIN {q}.collections c ON c.id = r.collection_id
                  WHERE r.status = $1 ORDER BY r.id"
            ),
            &[&RepairStatus::Running.as_str()],
        )
        .context("looking for running repairs")?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.get(0);
        out.push(RunningRepair {
            id,
            schema: r.get(1),
            table: r.get(2),
            backend_pid: r.get(3),
            steps: steps(client, schema, id)?,
        });
    }
    Ok(out)
}

/// Marks a cut-short repair `interrupted`, with its running steps and its
/// running plan, in one transaction: each moves only from a state the
/// transition tables lead to `interrupted` from, so what already ended stays
/// as it ended, and a plan never stays `running` once its repair is gone.
/// Marking the same repair twice changes nothing the second time.
pub fn mark_interrupted(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    note: &str,
) -> Result<()> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction()?;
    tx.execute(
        &format!(
            "UPDATE {q}.repair_steps SET status = $2, finished_at = pg_catalog.now()
              WHERE repair_id = $1 AND status = ANY($3)"
        ),
        &[
            &repair_id,
            &StepStatus::Interrupted.as_str(),
            &StepStatus::source_texts(StepStatus::Interrupted),
        ],
    )?;
    tx.execute(
        &format!(
            "UPDATE {q}.repairs SET status = $3, finished_at = pg_catalog.now(), error = $2
              WHERE id = $1 AND status = ANY($4)"
        ),
        &[
            &repair_id,
            &note,
            &RepairStatus::Interrupted.as_str(),
            &RepairStatus::source_texts(RepairStatus::Interrupted),
        ],
    )?;
    tx.execute(
        &format!(
            "UPDATE {q}.plans SET status = $2
              WHERE id = (SELECT plan_id FROM {q}.repairs WHERE id = $1) AND status = ANY($3)"
        ),
        &[
            &repair_id,
            &PlanStatus::Interrupted.as_str(),
            &PlanStatus::source_texts(PlanStatus::Interrupted),
        ],
    )?;
    tx.commit().context("marking the repair interrupted")
}

/// A repair record.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairRow {
    /// Its id.
    pub id: i64,
    /// Its collection.
    pub collection_id: i64,
    /// Its status.
    pub status: RepairStatus,
}

fn repair_row(r: &postgres::Row) -> Result<RepairRow> {
    Ok(RepairRow {
        id: r.get(0),
        collection_id: r.get(1),
        status: r.get::<_, String>(2).parse()?,
    })
}

/// One repair by id.
pub fn get(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<Option<RepairRow>> {
    let q = quote::ident(schema)?;
    client
        .query_opt(
            &format!("SELECT id, collection_id, status FROM {q}.repairs WHERE id = $1"),
            &[&id],
        )
        .context("reading the repair")?
        .as_ref()
        .map(repair_row)
        .transpose()
}

/// The collection's last repair that changed something (not a dry run, not running).
pub fn last(
    client: &mut impl GenericClient,
    schema: &str,
    collection_id: i64,
) -> Result<Option<RepairRow>> {
    let q = quote::ident(schema)?;
    client
        .query_opt(
            &format!(
                "SELECT id, collection_id, status FROM {q}.repairs
                  WHERE collection_id = $1 AND NOT dry_run AND status <> $2
                  ORDER BY started_at DESC, id DESC LIMIT 1"
            ),
            &[&collection_id, &RepairStatus::Running.as_str()],
        )
        .context("reading the last repair")?
        .as_ref()
        .map(repair_row)
        .transpose()
}

/// Marks an ended repair rolled back.
pub fn mark_rolled_back(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<()> {
    transition(
        client,
        schema,
        id,
        RepairStatus::ALL,
        RepairStatus::RolledBack,
        ", rolled_back_at = pg_catalog.now()",
        &[],
    )
    .context("marking the repair rolled back")
}

/// Asks the running repair `id` to stop: recorded on the repair, which the
/// repairing process reads before each step, after a failed step and before
/// judging. Returns false when the repair is not running (any more).
pub fn request_abort(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
    reason: Option<&str>,
) -> Result<bool> {
    let q = quote::ident(schema)?;
    Ok(client
        .execute(
            &format!(
                "UPDATE {q}.repairs SET abort_requested_at = coalesce(abort_requested_at, now()),
                        abort_reason = coalesce($2, abort_reason)
                  WHERE id = $1 AND status = $3"
            ),
            &[&id, &reason, &RepairStatus::Running.as_str()],
        )
        .context("recording the abort request")?
        == 1)
}

/// Whether an operator asked repair `id` to stop.
pub fn abort_requested(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<bool> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_one(
            &format!("SELECT abort_requested_at IS NOT NULL FROM {q}.repairs WHERE id = $1"),
            &[&id],
        )
        .context("reading the abort request")?
        .get(0))
}

/// What `abort` watches of a repair: its status, the backend recorded as
/// running it, and whether one of its steps is running now.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Its status.
    pub status: RepairStatus,
    /// The backend that holds its collection lock.
    pub backend_pid: Option<i32>,
    /// A step is running.
    pub step_running: bool,
    /// `schema.table` of its collection.
    pub collection: String,
    /// Its plan.
    pub plan_id: Option<i64>,
}

/// The progress of repair `id`, if it exists.
pub fn progress(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
) -> Result<Option<Progress>> {
    let q = quote::ident(schema)?;
    client
        .query_opt(
            &format!(
                "SELECT r.status, r.backend_pid,
                        EXISTS (SELECT 1 FROM {q}.repair_steps s
                                 WHERE s.repair_id = r.id AND s.status = $2),
                        c.schema_name, c.table_name, r.plan_id
                   FROM {q}.repairs r JOIN {q}.collections c ON c.id = r.collection_id
                  WHERE r.id = $1"
            ),
            &[&id, &StepStatus::Running.as_str()],
        )
        .context("reading the repair")?
        .map(|r| -> Result<Progress> {
            Ok(Progress {
                status: r.get::<_, String>(0).parse()?,
                backend_pid: r.get(1),
                step_running: r.get(2),
                collection: crate::sql::QualifiedName::new(
                    r.get::<_, String>(3),
                    r.get::<_, String>(4),
                )
                .to_string(),
                plan_id: r.get(5),
            })
        })
        .transpose()
}

/// The running repair of plan `plan_id`, if it has one.
pub fn running_of_plan(
    client: &mut impl GenericClient,
    schema: &str,
    plan_id: i64,
) -> Result<Option<i64>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_opt(
            &format!(
                "SELECT id FROM {q}.repairs WHERE plan_id = $1 AND status = $2
                  ORDER BY id DESC LIMIT 1"
            ),
            &[&plan_id, &RepairStatus::Running.as_str()],
        )
        .context("looking for the plan's running repair")?
        .map(|r| r.get(0)))
}

/// Ends a repair whose process is gone, after the sweep cleaned up after it
/// (`interrupted`), as `aborted` because an operator asked; its plan too.
pub fn mark_aborted(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<()> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction()?;
    tx.execute(
        &format!(
            "UPDATE {q}.repairs SET status = $2, finished_at = coalesce(finished_at, now())
              WHERE id = $1 AND status = ANY($3)"
        ),
        &[
            &id,
            &RepairStatus::Aborted.as_str(),
            &RepairStatus::source_texts(RepairStatus::Aborted),
        ],
    )?;
    tx.execute(
        &format!(
            "UPDATE {q}.plans SET status = $2
              WHERE id = (SELECT plan_id FROM {q}.repairs WHERE id = $1)
                AND status = ANY($3)"
        ),
        &[
            &id,
            &PlanStatus::Aborted.as_str(),
            &vec![
                PlanStatus::Running.as_str(),
                PlanStatus::Interrupted.as_str(),
            ],
        ],
    )?;
    tx.commit().context("marking the repair aborted")
}
