//! What `status` reads: running repairs, plans waiting for approval, the last
//! state of each collection (the `healing_status` view), outcome statistics per
//! collection and strategy.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::{QualifiedName, quote};

fn name(schema: String, table: String) -> String {
    QualifiedName::new(schema, table).to_string()
}

/// A repair that is running now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Running {
    /// The repair.
    pub repair_id: i64,
    /// The collection.
    pub collection: String,
    /// The playbook, when the repair ran a plan.
    pub playbook: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Nobody holds its collection's lock: the process running it is gone (killed,
    /// or its server restarted) and the next check, plan or repair cleans it up.
    pub cut_short: bool,
}

/// A plan waiting for a human.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiting {
    /// The plan.
    pub plan_id: i64,
    /// The collection.
    pub collection: String,
    /// The problem's class.
    pub class: String,
    /// The playbook.
    pub playbook: String,
    /// When it was planned.
    pub created_at: DateTime<Utc>,
}

/// The last known state of a collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionState {
    /// The collection.
    pub collection: String,
    /// Repairs running now.
    pub running_repairs: i64,
    /// Plans waiting for approval.
    pub awaiting_approval: i64,
    /// When its last (non-dry-run) repair ended.
    pub last_repair_end: Option<DateTime<Utc>>,
    /// When it was last diagnosed.
    pub diagnosed_at: Option<DateTime<Utc>>,
    /// `normal`, `stress` or `critical`.
    pub integrity_state: Option<String>,
    /// The minimum cut of the integrity graph.
    pub lambda: Option<f64>,
    /// The highest-priority problem of that diagnosis.
    pub worst_problem: Option<String>,
    /// Selected metrics of the latest observation (recall, latency).
    pub metrics: BTreeMap<String, f64>,
}

/// Outcome statistics of one strategy on one collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyOutcomes {
    /// The collection.
    pub collection: String,
    /// The playbook.
    pub strategy: String,
    /// Outcomes.
    pub attempts: i64,
    /// Succeeded and verified.
    pub successes: i64,
    /// Mean improvement.
    pub mean_improvement: Option<f64>,
    /// Mean duration of successful repairs (time to recovery), ms.
    pub mean_time_to_recovery_ms: Option<f64>,
    /// Repair duration quantiles, ms: p50, p90, p99.
    pub duration_ms: [Option<f64>; 3],
}

/// The observation metrics `status` reports.
pub const METRICS: &[&str] = &[
    "recall.at_k",
    "latency.p50_ms",
    "latency.p95_ms",
    "latency.p99_ms",
];

/// Repairs with status `running`.
pub fn running(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Running>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT r.id, c.schema_name, c.table_name, p.playbook, r.started_at
                   FROM {q}.repairs r JOIN {q}.collections c ON c.id = r.collection_id
                   LEFT JOIN {q}.plans p ON p.id = r.plan_id
                  WHERE r.status = $1 ORDER BY r.started_at, r.id"
            ),
            &[&crate::state::RepairStatus::Running.as_str()],
        )
        .context("reading running repairs")?
        .into_iter()
        .map(|r| Running {
            repair_id: r.get(0),
            collection: name(r.get(1), r.get(2)),
            playbook: r.get(3),
            started_at: r.get(4),
            cut_short: false,
        })
        .collect())
}

/// Plans with status `awaiting_approval`.
pub fn waiting(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Waiting>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT p.id, c.schema_name, c.table_name, p.problem_class, p.playbook, p.created_at
                   FROM {q}.plans p JOIN {q}.collections c ON c.id = p.collection_id
                  WHERE p.status = $1 ORDER BY p.created_at, p.id"
            ),
            &[&crate::state::PlanStatus::AwaitingApproval.as_str()],
        )
        .context("reading plans waiting for approval")?
        .into_iter()
        .map(|r| Waiting {
            plan_id: r.get(0),
            collection: name(r.get(1), r.get(2)),
            class: r.get(3),
            playbook: r.get(4),
            created_at: r.get(5),
        })
        .collect())
}

/// Every known collection's last state, by name.
pub fn collections(client: &mut impl GenericClient, schema: &str) -> Result<Vec<CollectionState>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT s.schema_name, s.table_name, s.running_repairs, s.awaiting_approval,
                        s.last_repair_end, s.diagnosed_at, s.integrity_state, s.lambda,
                        s.worst_problem, o.metrics
                   FROM {q}.healing_status s
                   JOIN {q}.collections c USING (schema_name, table_name, column_name)
                   LEFT JOIN LATERAL (SELECT metrics FROM {q}.observations ob
                                       WHERE ob.collection_id = c.id
                                       ORDER BY ob.id DESC LIMIT 1) o ON true
                  ORDER BY 1, 2"
            ),
            &[],
        )
        .context("reading the collections' state")?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let m: Option<serde_json::Value> = r.get(9);
            let metrics = METRICS
                .iter()
                .filter_map(|k| {
                    let v = m.as_ref()?.get(*k)?.as_f64()?;
                    Some((k.to_string(), v))
                })
                .collect();
            CollectionState {
                collection: name(r.get(0), r.get(1)),
                running_repairs: r.get(2),
                awaiting_approval: r.get(3),
                last_repair_end: r.get(4),
                diagnosed_at: r.get(5),
                integrity_state: r.get(6),
                lambda: r.get(7),
                worst_problem: r.get(8),
                metrics,
            }
        })
        .collect())
}

/// Outcome statistics per collection and strategy.
pub fn outcomes(client: &mut impl GenericClient, schema: &str) -> Result<Vec<StrategyOutcomes>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT c.schema_name, c.table_name, o.strategy, count(*),
                        count(*) FILTER (WHERE o.success AND o.verified),
                        avg(o.improvement),
                        avg(o.duration_ms) FILTER (WHERE o.success AND o.verified),
                        percentile_cont(0.5) WITHIN GROUP (ORDER BY o.duration_ms),
                        percentile_cont(0.9) WITHIN GROUP (ORDER BY o.duration_ms),
                        percentile_cont(0.99) WITHIN GROUP (ORDER BY o.duration_ms)
                   FROM {q}.outcomes o JOIN {q}.collections c ON c.id = o.collection_id
                  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            &[],
        )
        .context("reading outcome statistics")?
        .into_iter()
        .map(|r| StrategyOutcomes {
            collection: name(r.get(0), r.get(1)),
            strategy: r.get(2),
            attempts: r.get(3),
            successes: r.get(4),
            mean_improvement: r.get(5),
            mean_time_to_recovery_ms: r.get(6),
            duration_ms: [r.get(7), r.get(8), r.get(9)],
        })
        .collect())
}
