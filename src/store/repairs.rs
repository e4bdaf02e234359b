//! Repairs and their steps in the state tables: started, stepped, finished,
//! and found again when a process was cut short.

use anyhow::{Context, Result};
use postgres::GenericClient;

use crate::repair::undo::Undo;
use crate::sql::quote;

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
                 VALUES ($1, $2, 'running', $3, $4) RETURNING id"
            ),
            &[&plan_id, &collection_id, &dry_run, &backend_pid],
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
                 VALUES ($1, $2, $3, $4, 'running', $5)"
            ),
            &[&repair_id, &ordinal, &name, &rendered, &serde_json::to_value(undo)?],
        )
        .with_context(|| format!("recording step {ordinal} ({name})"))?;
    Ok(())
}

/// Records how step `ordinal` ended (`done`, `failed`, `undone`, `skipped`, `interrupted`).
pub fn step_end(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    ordinal: i32,
    status: &str,
    error: Option<&str>,
) -> Result<()> {
    let q = quote::ident(schema)?;
    client
        .execute(
            &format!(
                "UPDATE {q}.repair_steps SET status = $3, error = $4, finished_at = now()
                  WHERE repair_id = $1 AND ordinal = $2"
            ),
            &[&repair_id, &ordinal, &status, &error],
        )
        .with_context(|| format!("recording the end of step {ordinal}"))?;
    Ok(())
}

/// Records how the repair ended.
pub fn finish(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    status: &str,
    verified: Option<bool>,
    error: Option<&str>,
) -> Result<()> {
    let q = quote::ident(schema)?;
    client
        .execute(
            &format!(
                "UPDATE {q}.repairs SET status = $2, verified = $3, error = $4, finished_at = now()
                  WHERE id = $1"
            ),
            &[&repair_id, &status, &verified, &error],
        )
        .context("recording the end of the repair")?;
    Ok(())
}

/// A step as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStep {
    /// Position in the plan.
    pub ordinal: i32,
    /// Its name.
    pub name: String,
    /// `running`, `done`, ...
    pub status: String,
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
    Ok(client
        .query(
            &format!(
                "SELECT ordinal, name, status, undo_state FROM {q}.repair_steps
                  WHERE repair_id = $1 ORDER BY ordinal"
            ),
            &[&repair_id],
        )
        .context("reading the repair's steps")?
        .iter()
        .map(|s| StoredStep {
            ordinal: s.get(0),
            name: s.get(1),
            status: s.get(2),
            undo: s
                .get::<_, Option<serde_json::Value>>(3)
                .and_then(|v| serde_json::from_value(v).ok()),
        })
        .collect())
}

/// Every repair marked `running`, with its steps.
pub fn running(client: &mut impl GenericClient, schema: &str) -> Result<Vec<RunningRepair>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT r.id, c.schema_name, c.table_name, r.backend_pid FROM {q}.repairs r
                   JOIN {q}.collections c ON c.id = r.collection_id
                  WHERE r.status = 'running' ORDER BY r.id"
            ),
            &[],
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

/// Marks a cut-short repair `interrupted` (and its running steps too).
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
            "UPDATE {q}.repair_steps SET status = 'interrupted', finished_at = now()
              WHERE repair_id = $1 AND status = 'running'"
        ),
        &[&repair_id],
    )?;
    tx.execute(
        &format!(
            "UPDATE {q}.repairs SET status = 'interrupted', finished_at = now(), error = $2
              WHERE id = $1 AND status = 'running'"
        ),
        &[&repair_id, &note],
    )?;
    // Its plan ends too: a plan never stays `running` once its repair is gone.
    tx.execute(
        &format!(
            "UPDATE {q}.plans SET status = 'interrupted'
              WHERE id = (SELECT plan_id FROM {q}.repairs WHERE id = $1) AND status = 'running'"
        ),
        &[&repair_id],
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
    pub status: String,
}

fn repair_row(r: &postgres::Row) -> RepairRow {
    RepairRow {
        id: r.get(0),
        collection_id: r.get(1),
        status: r.get(2),
    }
}

/// One repair by id.
pub fn get(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<Option<RepairRow>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_opt(
            &format!("SELECT id, collection_id, status FROM {q}.repairs WHERE id = $1"),
            &[&id],
        )
        .context("reading the repair")?
        .as_ref()
        .map(repair_row))
}

/// The collection's last repair that changed something (not a dry run, not running).
pub fn last(
    client: &mut impl GenericClient,
    schema: &str,
    collection_id: i64,
) -> Result<Option<RepairRow>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_opt(
            &format!(
                "SELECT id, collection_id, status FROM {q}.repairs
                  WHERE collection_id = $1 AND NOT dry_run AND status <> 'running'
                  ORDER BY started_at DESC, id DESC LIMIT 1"
            ),
            &[&collection_id],
        )
        .context("reading the last repair")?
        .as_ref()
        .map(repair_row))
}

/// Marks a repair rolled back.
pub fn mark_rolled_back(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<()> {
    let q = quote::ident(schema)?;
    client
        .execute(
            &format!("UPDATE {q}.repairs SET status = 'rolled_back', rolled_back_at = now() WHERE id = $1"),
            &[&id],
        )
        .context("marking the repair rolled back")?;
    Ok(())
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
                  WHERE id = $1 AND status = 'running'"
            ),
            &[&id, &reason],
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
    pub status: String,
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
    Ok(client
        .query_opt(
            &format!(
                "SELECT r.status, r.backend_pid,
                        EXISTS (SELECT 1 FROM {q}.repair_steps s
                                 WHERE s.repair_id = r.id AND s.status = 'running'),
                        c.schema_name, c.table_name, r.plan_id
                   FROM {q}.repairs r JOIN {q}.collections c ON c.id = r.collection_id
                  WHERE r.id = $1"
            ),
            &[&id],
        )
        .context("reading the repair")?
        .map(|r| Progress {
            status: r.get(0),
            backend_pid: r.get(1),
            step_running: r.get(2),
            collection: crate::sql::QualifiedName::new(
                r.get::<_, String>(3),
                r.get::<_, String>(4),
            )
            .to_string(),
            plan_id: r.get(5),
        }))
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
                "SELECT id FROM {q}.repairs WHERE plan_id = $1 AND status = 'running'
                  ORDER BY id DESC LIMIT 1"
            ),
            &[&plan_id],
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
            "UPDATE {q}.repairs SET status = 'aborted', finished_at = coalesce(finished_at, now())
              WHERE id = $1 AND status IN ('running', 'interrupted')"
        ),
        &[&id],
    )?;
    tx.execute(
        &format!(
            "UPDATE {q}.plans SET status = 'aborted'
              WHERE id = (SELECT plan_id FROM {q}.repairs WHERE id = $1)
                AND status IN ('running', 'interrupted')"
        ),
        &[&id],
    )?;
    tx.commit().context("marking the repair aborted")
}
