//! History retention: observations (with their findings), diagnoses (with their
//! problems) and superseded plans older than `retention_days` are deleted in
//! bounded batches by the commands that may act (diagnose, plan, repair,
//! rollback, heal), never by `check`.
//!
//! Age is the server's: `pg_catalog.now()` against the stored times, never the
//! client's clock. Kept whatever their age: the newest observation and
//! diagnosis of each collection, the first observation of each physical index
//! build (keyed on `index.relfilenode`, the baseline `check` measures drift and
//! inserts since the build against), baselines, outcomes, repairs and their
//! steps, approvals of kept plans, learned weights, heal stops and the audit log
//! — so the audit chain is untouched and verifies as before.

use anyhow::{Context, Result};

use crate::sql::quote;

/// Rows deleted per statement.
pub const BATCH: i64 = 1000;
/// Statements per table per run: a run deletes at most `BATCH * MAX_BATCHES`
/// rows of each table and leaves the rest to the next run.
pub const MAX_BATCHES: usize = 20;

/// What one pass deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pruned {
    /// Observations (their findings went with them).
    pub observations: u64,
    /// Findings deleted with those observations.
    pub findings: u64,
    /// Diagnoses (their problems went with them).
    pub diagnoses: u64,
    /// Problems deleted with those diagnoses.
    pub problems: u64,
    /// Superseded plans (with their steps).
    pub plans: u64,
}

impl Pruned {
    /// Whether nothing was deleted.
    pub fn is_empty(&self) -> bool {
        *self == Pruned::default()
    }
}

/// One batch per table, as `(name, DELETE ... RETURNING counts)`. `$1` is the
/// retention in days, `$2` the batch size.
fn statements(q: &str) -> Result<[(&'static str, String); 3]> {
    let cutoff = "pg_catalog.now() - pg_catalog.make_interval(days => $1)";
    let superseded = quote::literal(crate::state::PlanStatus::Superseded.as_str())?;
    Ok([
        (
            "plans",
            format!(
                "WITH gone AS (
                   DELETE FROM {q}.plans p WHERE p.id IN (
                     SELECT x.id FROM {q}.plans x
                      WHERE x.status = {superseded} AND x.created_at < {cutoff}
                        AND NOT EXISTS (SELECT 1 FROM {q}.repairs r WHERE r.plan_id = x.id)
                      ORDER BY x.created_at, x.id LIMIT $2)
                   RETURNING p.id)
                 SELECT pg_catalog.count(*), 0::int8 FROM gone"
            ),
        ),
        (
            "diagnoses",
            format!(
                "WITH newest AS (
                   SELECT DISTINCT ON (d.collection_id) d.id FROM {q}.diagnoses d
                    ORDER BY d.collection_id, d.created_at DESC, d.id DESC),
                 doomed AS (
                   SELECT x.id FROM {q}.diagnoses x
                    WHERE x.created_at < {cutoff} AND x.id NOT IN (SELECT id FROM newest)
                    ORDER BY x.created_at, x.id LIMIT $2),
                 counted AS (
                   SELECT pg_catalog.count(*) AS n FROM {q}.problems pr
                    WHERE pr.diagnosis_id IN (SELECT id FROM doomed)),
                 gone AS (
                   DELETE FROM {q}.diagnoses d WHERE d.id IN (SELECT id FROM doomed) RETURNING d.id)
                 SELECT pg_catalog.count(*), (SELECT n FROM counted) FROM gone"
            ),
        ),
        (
            "observations",
            format!(
                "WITH keep AS (
                   (SELECT DISTINCT ON (o.collection_id) o.id FROM {q}.observations o
                     ORDER BY o.collection_id, o.observed_at DESC, o.id DESC)
                   UNION
                   (SELECT DISTINCT ON (o.collection_id, o.metrics -> 'index.relfilenode') o.id
                      FROM {q}.observations o WHERE o.metrics ? 'index.relfilenode'
                     ORDER BY o.collection_id, o.metrics -> 'index.relfilenode', o.observed_at, o.id)),
                 doomed AS (
                   SELECT x.id FROM {q}.observations x
                    WHERE x.observed_at < {cutoff} AND x.id NOT IN (SELECT id FROM keep)
                    ORDER BY x.observed_at, x.id LIMIT $2),
                 counted AS (
                   SELECT pg_catalog.count(*) AS n FROM {q}.findings f
                    WHERE f.observation_id IN (SELECT id FROM doomed)),
                 gone AS (
                   DELETE FROM {q}.observations o WHERE o.id IN (SELECT id FROM doomed) RETURNING o.id)
                 SELECT pg_catalog.count(*), (SELECT n FROM counted) FROM gone"
            ),
        ),
    ])
}

/// Deletes what is older than `days` (0: nothing), at most
/// [`MAX_BATCHES`] batches of [`BATCH`] rows per table, each batch its own
/// short transaction under `lock_timeout` and `statement_timeout`.
pub fn prune(client: &mut postgres::Client, schema: &str, days: u32) -> Result<Pruned> {
    let mut pruned = Pruned::default();
    if days == 0 {
        return Ok(pruned);
    }
    let q = quote::ident(schema)?;
    let days = i32::try_from(days).unwrap_or(i32::MAX);
    for (table, sql) in statements(&q)? {
        for _ in 0..MAX_BATCHES {
            let mut tx = client.transaction()?;
            tx.batch_execute("SET LOCAL lock_timeout = '2s'; SET LOCAL statement_timeout = '60s'")?;
            let row = tx
                .query_one(&sql, &[&days, &BATCH])
                .with_context(|| format!("pruning old {table} (retention {days} days)"))?;
            tx.commit()?;
            let (n, cascaded): (i64, i64) = (row.get(0), row.get(1));
            let (n, cascaded) = (n as u64, cascaded as u64);
            match table {
                "plans" => pruned.plans += n,
                "diagnoses" => {
                    pruned.diagnoses += n;
                    pruned.problems += cascaded;
                }
                _ => {
                    pruned.observations += n;
                    pruned.findings += cascaded;
                }
            }
            if n < BATCH as u64 {
                break;
            }
        }
    }
    Ok(pruned)
}
