//! What `learn` reads and writes: outcomes in a window, strategy weights (with
//! their backup for `--reset` / `--restore`) and the auto-heal stops.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::learn::{Drift, Outcome, StrategyStats};
use crate::sql::quote;
use crate::vocab::Class;

fn class(name: &str) -> Option<Class> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// Outcomes that finished at or after `since`, oldest first (unknown class names skipped).
pub fn outcomes(
    client: &mut impl GenericClient,
    schema: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Outcome>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT problem_class, strategy, finished_at, duration_ms, success, verified, improvement,
                        feedback
                   FROM {q}.outcomes WHERE finished_at >= $1 ORDER BY finished_at, id"
            ),
            &[&since],
        )
        .context("reading outcomes")?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Outcome {
                class: class(r.get(0))?,
                strategy: r.get(1),
                finished_at: r.get(2),
                duration_ms: r.get(3),
                success: r.get(4),
                verified: r.get(5),
                improvement: r.get(6),
                feedback: r.get(7),
            })
        })
        .collect())
}

/// Replaces the learned weights with `strategies` and raises a stop for each
/// drifting class not already stopped, in one transaction. Returns the classes
/// newly stopped.
pub fn store(
    client: &mut impl GenericClient,
    schema: &str,
    strategies: &[StrategyStats],
    drift: &[Drift],
    now: DateTime<Utc>,
) -> Result<Vec<Class>> {
    let q = quote::ident(schema)?;
    let mut tx = client
        .transaction()
        .context("starting the learn transaction")?;
    tx.execute(&format!("DELETE FROM {q}.strategy_weights"), &[])
        .context("clearing strategy weights")?;
    for s in strategies {
        tx.execute(
            &format!(
                "INSERT INTO {q}.strategy_weights (problem_class, strategy, weight, reference_weight,
                    alpha, beta, attempts, successes, mean_improvement, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ),
            &[
                &s.class.as_str(),
                &s.strategy,
                &s.weight,
                &s.reference_weight,
                &s.posterior.alpha,
                &s.posterior.beta,
                &(s.attempts as i32),
                &(s.successes as i32),
                &s.mean_improvement,
                &now,
            ],
        )
        .context("storing a strategy weight")?;
    }
    let mut raised = Vec::new();
    for d in drift {
        let n = tx
            .execute(
                &format!(
                    "INSERT INTO {q}.heal_stops (problem_class, reason, details, since)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (problem_class) WHERE cleared_at IS NULL DO NOTHING"
                ),
                &[
                    &d.class.as_str(),
                    &d.reason,
                    &serde_json::to_value(d)?,
                    &now,
                ],
            )
            .context("recording an auto-heal stop")?;
        if n > 0 {
            raised.push(d.class);
        }
    }
    tx.commit().context("committing the learned weights")?;
    Ok(raised)
}

/// An active auto-heal stop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stop {
    /// The class.
    pub class: String,
    /// Why.
    pub reason: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The active stops, by class.
pub fn stops(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Stop>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT problem_class, reason, since FROM {q}.heal_stops
                  WHERE cleared_at IS NULL ORDER BY problem_class"
            ),
            &[],
        )
        .context("reading auto-heal stops")?
        .iter()
        .map(|r| Stop {
            class: r.get(0),
            reason: r.get(1),
            since: r.get(2),
        })
        .collect())
}

/// The active stops as the planner reads them.
pub fn stopped(client: &mut impl GenericClient, schema: &str) -> Result<BTreeMap<Class, String>> {
    Ok(stops(client, schema)?
        .into_iter()
        .filter_map(|s| Some((class(&s.class)?, s.reason)))
        .collect())
}

/// When each class's stop was last cleared.
pub fn cleared(
    client: &mut impl GenericClient,
    schema: &str,
) -> Result<BTreeMap<Class, DateTime<Utc>>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT problem_class, max(cleared_at) FROM {q}.heal_stops
                  WHERE cleared_at IS NOT NULL GROUP BY problem_class"
            ),
            &[],
        )
        .context("reading cleared auto-heal stops")?
        .iter()
        .filter_map(|r| Some((class(r.get(0))?, r.get(1))))
        .collect())
}

/// `--reset`: copies the weights to the backup (replacing it), clears them and
/// clears the active stops. Returns (weights backed up, stops cleared).
pub fn reset(
    client: &mut impl GenericClient,
    schema: &str,
    now: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction().context("starting the reset")?;
    tx.execute(&format!("DELETE FROM {q}.strategy_weights_backup"), &[])?;
    let n = tx
        .execute(
            &format!(
                "INSERT INTO {q}.strategy_weights_backup
                 SELECT w.*, $1::timestamptz FROM {q}.strategy_weights w"
            ),
            &[&now],
        )
        .context("backing up strategy weights")?;
    tx.execute(&format!("DELETE FROM {q}.strategy_weights"), &[])
        .context("clearing strategy weights")?;
    let cleared = tx
        .execute(
            &format!(
                "UPDATE {q}.heal_stops SET cleared_at = $1, cleared_by = current_user
                  WHERE cleared_at IS NULL"
            ),
            &[&now],
        )
        .context("clearing auto-heal stops")?;
    tx.commit().context("committing the reset")?;
    Ok((n, cleared))
}

/// `--restore`: replaces the weights with the backup. Returns the rows restored.
pub fn restore(client: &mut impl GenericClient, schema: &str) -> Result<u64> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction().context("starting the restore")?;
    tx.execute(&format!("DELETE FROM {q}.strategy_weights"), &[])?;
    let n = tx
        .execute(
            &format!(
                "INSERT INTO {q}.strategy_weights (problem_class, strategy, weight, reference_weight,
                    alpha, beta, attempts, successes, mean_improvement, updated_at)
                 SELECT problem_class, strategy, weight, reference_weight, alpha, beta, attempts,
                        successes, mean_improvement, updated_at
                   FROM {q}.strategy_weights_backup"
            ),
            &[],
        )
        .context("restoring strategy weights")?;
    tx.commit().context("committing the restore")?;
    Ok(n)
}
