//! What `history` reads: past repairs with their plan and outcome.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::{QualifiedName, quote};

/// Which repairs to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this collection's schema.
    pub schema: Option<String>,
    /// Only this collection's table.
    pub table: Option<String>,
    /// Only this problem class.
    pub class: Option<String>,
    /// Only repairs started at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// One past repair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PastRepair {
    /// The repair.
    pub repair_id: i64,
    /// The collection.
    pub collection: String,
    /// The problem's class, when it ran a plan.
    pub class: Option<String>,
    /// The playbook.
    pub playbook: Option<String>,
    /// `succeeded`, `failed`, `rolled_back`, ...
    pub status: String,
    /// A dry run.
    pub dry_run: bool,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: Option<DateTime<Utc>>,
    /// Verification held.
    pub verified: Option<bool>,
    /// Relative improvement recorded in the outcome.
    pub improvement: Option<f64>,
    /// Duration recorded in the outcome, ms.
    pub duration_ms: Option<f64>,
    /// The error, if it failed.
    pub error: Option<String>,
}

/// Repairs matching `f`, newest first.
pub fn list(client: &mut impl GenericClient, schema: &str, f: &Filter) -> Result<Vec<PastRepair>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT repair_id, schema_name, table_name, problem_class, playbook, status, dry_run,
                        started_at, finished_at, verified, improvement, duration_ms, error
                   FROM {q}.healing_history
                  WHERE ($1::text IS NULL OR schema_name = $1) AND ($2::text IS NULL OR table_name = $2)
                    AND ($3::text IS NULL OR problem_class = $3)
                    AND ($4::timestamptz IS NULL OR started_at >= $4)
                  ORDER BY started_at DESC, repair_id DESC"
            ),
            &[&f.schema, &f.table, &f.class, &f.since],
        )
        .context("reading the repair history")?
        .into_iter()
        .map(|r| PastRepair {
            repair_id: r.get(0),
            collection: QualifiedName::new(r.get::<_, String>(1), r.get::<_, String>(2))
                .to_string(),
            class: r.get(3),
            playbook: r.get(4),
            status: r.get(5),
            dry_run: r.get(6),
            started_at: r.get(7),
            finished_at: r.get(8),
            verified: r.get(9),
            improvement: r.get(10),
            duration_ms: r.get(11),
            error: r.get(12),
        })
        .collect())
}
