//! What `diagnose` reads (the latest observation with its findings) and stores
//! (a diagnosis with its problems, linked to the findings they explain).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::detect::Finding;
use crate::diagnose::Diagnosis;
use crate::sql::quote;
use crate::vocab::{Class, Severity};

/// A stored observation, as `diagnose` needs it.
#[derive(Debug, Clone)]
pub struct StoredObservation {
    /// Its id.
    pub id: i64,
    /// When it was taken.
    pub observed_at: DateTime<Utc>,
    /// Its metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Its details (recall report, integrity, ...).
    pub details: BTreeMap<String, serde_json::Value>,
    /// Its findings with their ids.
    pub findings: Vec<(i64, Finding)>,
}

/// The latest observation of `collection`, with its findings.
pub fn latest_observation(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
) -> Result<Option<StoredObservation>> {
    let q = quote::ident(schema)?;
    let Some(row) = client
        .query_opt(
            &format!(
                "SELECT id, observed_at, metrics, details FROM {q}.observations WHERE collection_id = $1
                 ORDER BY id DESC LIMIT 1"
            ),
            &[&collection],
        )
        .context("reading the latest observation")?
    else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    let rows = client
        .query(
            &format!(
                "SELECT id, class, severity, detector, metric, observed, expected, message, evidence
                   FROM {q}.findings WHERE observation_id = $1 ORDER BY id"
            ),
            &[&id],
        )
        .context("reading the observation's findings")?;
    let mut findings = Vec::with_capacity(rows.len());
    for r in rows {
        let class: Class =
            serde_json::from_value(serde_json::Value::String(r.get(1))).unwrap_or(Class::Unknown);
        let severity: Severity =
            serde_json::from_value(serde_json::Value::String(r.get(2))).unwrap_or(Severity::Info);
        findings.push((
            r.get(0),
            Finding {
                class,
                severity,
                detector: r.get(3),
                metric: r.get(4),
                observed: r.get(5),
                expected: r.get(6),
                message: r.get(7),
                evidence: r.get(8),
            },
        ));
    }
    Ok(Some(StoredObservation {
        id,
        observed_at: row.get(1),
        metrics: serde_json::from_value(row.get(2)).unwrap_or_default(),
        details: serde_json::from_value(row.get(3)).unwrap_or_default(),
        findings,
    }))
}

/// Metrics of the observation before `observation` (for growth rates).
pub fn metrics_before(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
    observation: i64,
) -> Result<Option<BTreeMap<String, f64>>> {
    let q = quote::ident(schema)?;
    let row = client
        .query_opt(
            &format!(
                "SELECT metrics FROM {q}.observations WHERE collection_id = $1 AND id < $2
                 ORDER BY id DESC LIMIT 1"
            ),
            &[&collection, &observation],
        )
        .context("reading the observation before")?;
    Ok(row.map(|r| serde_json::from_value(r.get(0)).unwrap_or_default()))
}

/// Stores a diagnosis with its problems and their links to findings, atomically;
/// sets each problem's `id`.
pub fn record(
    client: &mut postgres::Client,
    schema: &str,
    collection: i64,
    observation: i64,
    at: DateTime<Utc>,
    d: &mut Diagnosis,
) -> Result<i64> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction()?;
    let (lambda, normalized, state, witnesses) = match &d.integrity {
        Some(v) => (
            Some(v.cut.lambda),
            Some(v.cut.lambda_normalized),
            Some(v.state.as_str()),
            serde_json::to_value(&v.cut.witnesses)?,
        ),
        None => (None, None, None, serde_json::json!([])),
    };
    let id: i64 = tx
        .query_one(
            &format!(
                "INSERT INTO {q}.diagnoses (collection_id, observation_id, created_at, lambda,
                    lambda_normalized, integrity_state, witnesses)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
            ),
            &[
                &collection,
                &observation,
                &at,
                &lambda,
                &normalized,
                &state,
                &witnesses,
            ],
        )
        .context("storing the diagnosis")?
        .get(0);
    let insert = tx.prepare(&format!(
        "INSERT INTO {q}.problems (diagnosis_id, collection_id, class, severity, priority, root_cause,
            evidence, impact, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    ))?;
    let link = tx.prepare(&format!(
        "INSERT INTO {q}.problem_findings (problem_id, finding_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    ))?;
    for p in &mut d.problems {
        let pid: i64 = tx
            .query_one(
                &insert,
                &[
                    &id,
                    &collection,
                    &p.class.as_str(),
                    &p.severity.as_str(),
                    &p.priority,
                    &p.root_cause,
                    &p.evidence,
                    &serde_json::to_value(&p.impact)?,
                    &at,
                ],
            )
            .context("storing a problem")?
            .get(0);
        for f in &p.findings {
            tx.execute(&link, &[&pid, f])
                .context("linking a problem to its finding")?;
        }
        p.id = Some(pid);
    }
    tx.commit().context("committing the diagnosis")?;
    Ok(id)
}

/// One earlier diagnosis, for the integrity trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    /// When.
    pub at: DateTime<Utc>,
    /// Normalised lambda then.
    pub lambda_normalized: Option<f64>,
    /// Integrity state then.
    pub state: Option<String>,
}

/// The last `n` diagnoses of `collection`, oldest first.
pub fn trend(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
    n: i64,
) -> Result<Vec<TrendPoint>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT created_at, lambda_normalized, integrity_state FROM (
                   SELECT created_at, id, lambda_normalized, integrity_state FROM {q}.diagnoses
                    WHERE collection_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) t
                 ORDER BY created_at, id"
            ),
            &[&collection, &n],
        )
        .context("reading the integrity trend")?;
    Ok(rows
        .iter()
        .map(|r| TrendPoint {
            at: r.get(0),
            lambda_normalized: r.get(1),
            state: r.get(2),
        })
        .collect())
}
