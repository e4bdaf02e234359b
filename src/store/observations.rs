//! Observations, findings and baselines: what `check` stores and reads back.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;

use crate::detect::anomaly::Baseline;
use crate::detect::context::Previous;
use crate::detect::measured::Measured;
use crate::sql::quote;

/// The id of a collection in the state tables, creating the row on first sight.
pub fn collection_id(
    client: &mut impl GenericClient,
    schema: &str,
    table_schema: &str,
    table: &str,
    column: &str,
) -> Result<i64> {
    let q = quote::ident(schema)?;
    let row = client
        .query_one(
            &format!(
                "INSERT INTO {q}.collections (schema_name, table_name, column_name) VALUES ($1, $2, $3)
                 ON CONFLICT (schema_name, table_name, column_name) DO UPDATE SET last_seen = now()
                 RETURNING id"
            ),
            &[&table_schema, &table, &column],
        )
        .context("recording the collection in the state tables")?;
    Ok(row.get(0))
}

fn metrics_of(v: serde_json::Value) -> BTreeMap<String, f64> {
    serde_json::from_value(v).unwrap_or_default()
}

/// The latest observation of a collection.
pub fn previous(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
) -> Result<Previous> {
    let q = quote::ident(schema)?;
    let row = client
        .query_opt(
            &format!(
                "SELECT observed_at, metrics FROM {q}.observations WHERE collection_id = $1
                 ORDER BY id DESC LIMIT 1"
            ),
            &[&collection],
        )
        .context("reading the previous observation")?;
    Ok(row.map_or_else(Previous::default, |r| Previous {
        observed_at: Some(r.get(0)),
        metrics: metrics_of(r.get(1)),
    }))
}

/// Metrics of the observations within `days` before `now`, oldest first (at most 500).
pub fn history(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
    now: DateTime<Utc>,
    days: u32,
) -> Result<Vec<BTreeMap<String, f64>>> {
    let q = quote::ident(schema)?;
    let since = now - chrono::Duration::days(days as i64);
    let rows = client
        .query(
            &format!(
                "SELECT metrics FROM (SELECT observed_at, id, metrics FROM {q}.observations
                   WHERE collection_id = $1 AND observed_at >= $2 AND observed_at <= $3
                   ORDER BY observed_at DESC, id DESC LIMIT 500) h ORDER BY observed_at, id"
            ),
            &[&collection, &since, &now],
        )
        .context("reading the observation history")?;
    Ok(rows.into_iter().map(|r| metrics_of(r.get(0))).collect())
}

/// The first stored value of `metric` among observations where `key_metric`
/// equalled `key` (e.g. the drift baseline of one physical index build).
pub fn first_value_where(
    client: &mut impl GenericClient,
    schema: &str,
    collection: i64,
    metric: &str,
    key_metric: &str,
    key: f64,
) -> Result<Option<f64>> {
    let q = quote::ident(schema)?;
    let row = client.query_opt(
        &format!(
            "SELECT (metrics ->> $2)::float8 FROM {q}.observations
             WHERE collection_id = $1 AND (metrics ->> $3)::float8 = $4 AND metrics ? $2
             ORDER BY observed_at, id LIMIT 1"
        ),
        &[&collection, &metric, &key_metric, &key],
    )?;
    Ok(row.and_then(|r| r.get(0)))
}

/// Stores an observation with its findings and the updated baselines, atomically.
pub fn record(
    client: &mut postgres::Client,
    schema: &str,
    collection: i64,
    observed_at: DateTime<Utc>,
    duration_ms: f64,
    measured: &Measured,
    baselines: &[Baseline],
) -> Result<i64> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction()?;
    let id: i64 = tx
        .query_one(
            &format!(
                "INSERT INTO {q}.observations (collection_id, observed_at, duration_ms, metrics, skipped, details)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
            ),
            &[
                &collection,
                &observed_at,
                &duration_ms,
                &serde_json::to_value(&measured.metrics)?,
                &serde_json::to_value(&measured.skipped)?,
                &serde_json::to_value(&measured.details)?,
            ],
        )
        .context("storing the observation")?
        .get(0);
    let insert = tx.prepare(&format!(
        "INSERT INTO {q}.findings (observation_id, collection_id, class, severity, detector, metric,
            observed, expected, message, evidence, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))?;
    for f in &measured.findings {
        tx.execute(
            &insert,
            &[
                &id,
                &collection,
                &f.class.as_str(),
                &f.severity.as_str(),
                &f.detector,
                &f.metric,
                &f.observed,
                &f.expected,
                &f.message,
                &f.evidence,
                &observed_at,
            ],
        )
        .context("storing a finding")?;
    }
    let upsert = tx.prepare(&format!(
        "INSERT INTO {q}.baselines (collection_id, metric, samples, mean, stddev, p99, ewma, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (collection_id, metric) DO UPDATE SET samples = EXCLUDED.samples, mean = EXCLUDED.mean,
           stddev = EXCLUDED.stddev, p99 = EXCLUDED.p99, ewma = EXCLUDED.ewma, updated_at = EXCLUDED.updated_at"
    ))?;
    for b in baselines {
        tx.execute(
            &upsert,
            &[
                &collection,
                &b.metric,
                &(b.samples as i32),
                &b.mean,
                &b.stddev,
                &b.p99,
                &b.ewma,
                &observed_at,
            ],
        )
        .context("storing a baseline")?;
    }
    tx.commit().context("committing the observation")?;
    Ok(id)
}
