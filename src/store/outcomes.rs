//! Outcomes: what every repair achieved, the data `learn` learns from.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::quote;

/// One outcome row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewOutcome {
    /// The repair.
    pub repair_id: i64,
    /// The collection.
    pub collection_id: i64,
    /// The problem's class.
    pub problem_class: String,
    /// The problem (class, root cause, evidence...).
    pub problem: serde_json::Value,
    /// The playbook.
    pub strategy: String,
    /// Its parameters.
    pub params: serde_json::Value,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: DateTime<Utc>,
    /// Wall time.
    pub duration_ms: f64,
    /// Steps all ran.
    pub success: bool,
    /// Verification held.
    pub verified: bool,
    /// What ran (step names and statements).
    pub actions: serde_json::Value,
    /// Relative improvement of the target metric.
    pub improvement: Option<f64>,
    /// Normalised lambda before.
    pub lambda_before: Option<f64>,
    /// Normalised lambda after.
    pub lambda_after: Option<f64>,
    /// Metrics after.
    pub metrics: serde_json::Value,
}

/// Stores an outcome; returns its id.
pub fn insert(client: &mut impl GenericClient, schema: &str, o: &NewOutcome) -> Result<i64> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_one(
            &format!(
                "INSERT INTO {q}.outcomes (repair_id, collection_id, problem_class, problem, strategy, params,
                    started_at, finished_at, duration_ms, success, verified, actions, improvement,
                    lambda_before, lambda_after, metrics)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id"
            ),
            &[
                &o.repair_id,
                &o.collection_id,
                &o.problem_class,
                &o.problem,
                &o.strategy,
                &o.params,
                &o.started_at,
                &o.finished_at,
                &o.duration_ms,
                &o.success,
                &o.verified,
                &o.actions,
                &o.improvement,
                &o.lambda_before,
                &o.lambda_after,
                &o.metrics,
            ],
        )
        .context("recording the outcome")?
        .get(0))
}

/// The repair a human gave a verdict on.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// `schema.table` of its collection.
    pub collection: String,
    /// Its problem class.
    pub problem_class: String,
    /// Its playbook.
    pub strategy: String,
    /// The score it had before, if any.
    pub previous: Option<i16>,
}

/// Records a human's `score` (-1..5) and `note` on the outcome of repair
/// `repair_id`; `None` when that repair has no outcome (a dry run, one still
/// running, or no such repair).
pub fn set_feedback(
    client: &mut impl GenericClient,
    schema: &str,
    repair_id: i64,
    score: i16,
    note: Option<&str>,
) -> Result<Option<Judged>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query_opt(
            &format!(
                "WITH old AS (SELECT id, feedback FROM {q}.outcomes WHERE repair_id = $1
                               ORDER BY id DESC LIMIT 1 FOR UPDATE)
                 UPDATE {q}.outcomes o SET feedback = $2, feedback_note = $3, feedback_at = now()
                   FROM old, {q}.collections c
                  WHERE o.id = old.id AND c.id = o.collection_id
              RETURNING c.schema_name, c.table_name, o.problem_class, o.strategy, old.feedback"
            ),
            &[&repair_id, &score, &note],
        )
        .context("recording the feedback")?
        .map(|r| Judged {
            collection: crate::sql::QualifiedName::new(
                r.get::<_, String>(0),
                r.get::<_, String>(1),
            )
            .to_string(),
            problem_class: r.get(2),
            strategy: r.get(3),
            previous: r.get(4),
        }))
}
