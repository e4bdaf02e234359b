//! What the Prometheus exports read from the outcomes: lifetime counters per
//! collection and strategy, and success rate and mean time to recovery over
//! the last 24 hours and 7 days (windows by the server's clock).

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::quote;

/// Lifetime counters of one strategy on one collection (outcomes are never
/// pruned, so these only grow).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counters {
    /// `schema.table`.
    pub collection: String,
    /// The playbook.
    pub strategy: String,
    /// Repairs that ran.
    pub attempts: i64,
    /// Ran and verified.
    pub successes: i64,
    /// Not verified, failed, or rolled back.
    pub failures: i64,
    /// Rolled back (automatically after verification failed, or by `rollback`).
    pub rollbacks: i64,
    /// Total seconds spent repairing.
    pub seconds: f64,
}

/// One strategy on one collection over a recent window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// `schema.table`.
    pub collection: String,
    /// The playbook.
    pub strategy: String,
    /// `24h` or `7d`.
    pub window: &'static str,
    /// Repairs that finished in the window.
    pub attempts: i64,
    /// Of which verified.
    pub successes: i64,
    /// Mean duration of the verified ones, seconds.
    pub mttr_seconds: Option<f64>,
}

/// The windows reported, as (label, hours).
pub const WINDOWS: [(&str, i32); 2] = [("24h", 24), ("7d", 168)];

fn name(schema: String, table: String) -> String {
    crate::sql::QualifiedName::new(schema, table).to_string()
}

/// Lifetime counters per collection and strategy.
pub fn counters(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Counters>> {
    let q = quote::ident(schema)?;
    let rolled_back = quote::literal(crate::state::RepairStatus::RolledBack.as_str())?;
    let rows = client
        .query(
            &format!(
                "SELECT c.schema_name, c.table_name, o.strategy, pg_catalog.count(*),
                        pg_catalog.count(*) FILTER (WHERE o.success AND o.verified),
                        pg_catalog.count(*) FILTER (WHERE NOT (o.success AND o.verified)),
                        pg_catalog.count(*) FILTER (WHERE r.status = {rolled_back} OR r.rolled_back_at IS NOT NULL),
                        pg_catalog.sum(o.duration_ms) / 1000.0
                   FROM {q}.outcomes o JOIN {q}.collections c ON c.id = o.collection_id
                   LEFT JOIN {q}.repairs r ON r.id = o.repair_id
                  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            &[],
        )
        .context("reading outcome counters")?;
    Ok(rows
        .into_iter()
        .map(|r| Counters {
            collection: name(r.get(0), r.get(1)),
            strategy: r.get(2),
            attempts: r.get(3),
            successes: r.get(4),
            failures: r.get(5),
            rollbacks: r.get(6),
            seconds: r.get(7),
        })
        .collect())
}

/// Success and mean time to recovery per collection and strategy over each of
/// [`WINDOWS`] (outcomes that finished within it, by the server's `now()`).
pub fn windows(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Window>> {
    let q = quote::ident(schema)?;
    let mut out = Vec::new();
    for (label, hours) in WINDOWS {
        let rows = client
            .query(
                &format!(
                    "SELECT c.schema_name, c.table_name, o.strategy, pg_catalog.count(*),
                            pg_catalog.count(*) FILTER (WHERE o.success AND o.verified),
                            pg_catalog.avg(o.duration_ms) FILTER (WHERE o.success AND o.verified) / 1000.0
                       FROM {q}.outcomes o JOIN {q}.collections c ON c.id = o.collection_id
                      WHERE o.finished_at >= pg_catalog.now() - pg_catalog.make_interval(hours => $1)
                      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
                ),
                &[&hours],
            )
            .with_context(|| format!("reading the outcomes of the last {label}"))?;
        out.extend(rows.into_iter().map(|r| Window {
            collection: name(r.get(0), r.get(1)),
            strategy: r.get(2),
            window: label,
            attempts: r.get(3),
            successes: r.get(4),
            mttr_seconds: r.get(5),
        }));
    }
    Ok(out)
}

/// How long the observation `id` took to measure, ms.
pub fn observation_duration(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
) -> Result<Option<f64>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_opt(
            &format!("SELECT duration_ms FROM {q}.observations WHERE id = $1"),
            &[&id],
        )
        .context("reading an observation's duration")?
        .and_then(|r| r.get(0)))
}
