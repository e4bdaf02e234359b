//! Sizing a rebuild by measurement: trial HNSW builds over a sample of the
//! collection's rows, in a temporary table, each measured against exact truth
//! with the application's search settings.
//!
//! The sample (up to [`TRIAL_ROWS`] rows) is copied into `pg_temp.ruvheal_trial`
//! on a session of its own: a temporary table belongs to that session alone,
//! takes no lock any other session waits for, and goes with the session even
//! when ruvheal dies; it is also dropped explicitly, on error too. The probe
//! vectors are the check's (queries not in the table, sampled from the whole
//! collection); their exact top-k is computed over the sample. Candidates are
//! tried weakest first, and only ones stronger than the current build (a
//! weak-graph cause never gets the same parameters back); the first whose
//! recall interval's lower end meets the contract, with p99 within the latency
//! contract, is chosen, else the best measured.
//!
//! Recall on a sample reads higher than on the whole table (a smaller graph is
//! easier to search), so the trial only sizes the build: the new index is
//! measured itself before it replaces the old one (`detect::swap_gate`).

use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;

use super::distance::Metric;
use super::exact::exact_top_k;
use super::recall::{ProbeSpec, measure};
use super::vectors::{Value, VecKind};
use crate::catalog::Collection;
use crate::config::CollectionContract;
use crate::sql::{QualifiedName, ident, literal};

/// Rows copied into the trial table at most.
pub const TRIAL_ROWS: i64 = 5000;

/// Build parameters tried, weakest first (ef_construction >= 2 m, as pgvector requires).
pub const CANDIDATES: [(i64, i64); 5] = [(16, 64), (16, 128), (24, 160), (32, 256), (48, 400)];

const TABLE: &str = "ruvheal_trial";

/// One trial build and what it measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trial {
    /// HNSW m.
    pub m: i64,
    /// HNSW ef_construction.
    pub ef_construction: i64,
    /// Mean recall@k on the sample.
    pub recall: f64,
    /// Lower end of its 95% interval.
    pub ci_low: f64,
    /// p99 latency of the probe queries, ms.
    pub p99_ms: f64,
    /// Build time, ms.
    pub build_ms: f64,
}

/// The trial builds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialReport {
    /// Rows in the sample.
    pub rows: i64,
    /// Builds, in the order they were tried.
    pub tried: Vec<Trial>,
    /// The chosen `(m, ef_construction)`.
    pub chosen: (i64, i64),
    /// Whether the chosen build met the contract on the sample.
    pub met: bool,
}

impl TrialReport {
    /// One line for the plan.
    pub fn summary(&self) -> String {
        let tried = self
            .tried
            .iter()
            .map(|t| {
                format!(
                    "m {} ef_construction {}: recall {:.3} (>= {:.3}), p99 {:.2} ms, built in {:.0} ms",
                    t.m, t.ef_construction, t.recall, t.ci_low, t.p99_ms, t.build_ms
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "trial builds over {} sampled rows ({tried}): m {} ef_construction {} {}",
            self.rows,
            self.chosen.0,
            self.chosen.1,
            if self.met {
                "is the weakest that meets the contract"
            } else {
                "measured best; none met the contract on the sample"
            }
        )
    }
}

/// The candidates stronger than the current `(m, ef_construction)`.
pub fn stronger(m: i64, ef_construction: i64) -> Vec<(i64, i64)> {
    CANDIDATES
        .into_iter()
        .filter(|&(cm, ce)| cm >= m && ce >= ef_construction && (cm, ce) != (m, ef_construction))
        .collect()
}

/// Runs the trial builds for `c`'s HNSW index on `trial` (a writable session of
/// its own with the application's defaults), probes sampled on `detect`.
/// `None` when there is no valid HNSW index, the type is unsupported, nothing
/// is stronger than the current build, or there are no rows.
pub fn hnsw(
    trial: &mut postgres::Client,
    detect: &mut postgres::Client,
    c: &Collection,
    contract: &CollectionContract,
    current: (i64, i64),
    seed: u64,
) -> Result<Option<TrialReport>> {
    let Some(index) = c.ann_index().filter(|i| i.valid && i.method == "hnsw") else {
        return Ok(None);
    };
    let (Some(kind), Some(metric)) = (
        VecKind::from_type_name(&c.type_name),
        Metric::from_opclass(&index.opclass),
    ) else {
        return Ok(None);
    };
    let candidates = stronger(current.0, current.1);
    if candidates.is_empty() {
        return Ok(None);
    }
    let opclass = crate::catalog::opclass(detect, index)?;
    let (probes, _) = super::probe::sample(detect, c, contract, kind, metric, seed)?;
    if probes.is_empty() {
        return Ok(None);
    }
    let rows = copy_sample(trial, c)?;
    let run = (|| -> Result<TrialReport> {
        let table = QualifiedName::new("pg_temp", TABLE);
        let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
        let k = contract.k.max(1) as usize;
        let exact = exact_top_k(trial, &table, "v", kind, metric, &values, k)?;
        let spec = ProbeSpec {
            table: table.clone(),
            column: "v".into(),
            kind,
            metric,
            k,
        };
        let mut tried = Vec::new();
        for (m, ef) in candidates {
            let started = Instant::now();
            trial
                .batch_execute(&format!(
                    "CREATE INDEX ruvheal_trial_idx ON {} USING hnsw (v {}) WITH (m = {m}, ef_construction = {ef})",
                    table.sql()?,
                    opclass.sql()?
                ))
                .with_context(|| format!("trial build m {m} ef_construction {ef}"))?;
            let build_ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut tx = trial.transaction()?;
            // The sample is small: the planner must still take the index.
            tx.batch_execute("SET LOCAL enable_seqscan = off")?;
            let r = measure(&mut tx, &exact, &probes, &spec)?;
            tx.rollback()?;
            trial
                .batch_execute("DROP INDEX pg_temp.ruvheal_trial_idx")
                .context("dropping the trial index")?;
            let t = Trial {
                m,
                ef_construction: ef,
                recall: r.recall,
                ci_low: r.recall_low,
                p99_ms: r.latency_ms.p99,
                build_ms,
            };
            log::info!(
                "{}: trial build m {m} ef_construction {ef} over {rows} rows: recall {:.3} (>= {:.3})",
                c.collection,
                t.recall,
                t.ci_low
            );
            tried.push(t);
            let latency_ok = contract.max_latency_ms.is_none_or(|max| t.p99_ms <= max);
            if t.ci_low >= contract.min_recall && latency_ok {
                return Ok(TrialReport {
                    rows,
                    tried,
                    chosen: (m, ef),
                    met: true,
                });
            }
        }
        let best = tried
            .iter()
            .max_by(|a, b| a.ci_low.total_cmp(&b.ci_low))
            .copied()
            .context("no trial build ran")?;
        Ok(TrialReport {
            rows,
            chosen: (best.m, best.ef_construction),
            tried,
            met: false,
        })
    })();
    // Always dropped, whatever happened (the session's end would drop it too).
    let dropped = trial.batch_execute("DROP TABLE IF EXISTS pg_temp.ruvheal_trial");
    let report = run?;
    dropped.context("dropping the trial table")?;
    Ok(Some(report))
}

/// Copies up to [`TRIAL_ROWS`] non-NULL vectors of `c` into the trial table;
/// returns how many.
fn copy_sample(trial: &mut postgres::Client, c: &Collection) -> Result<i64> {
    let col = ident(&c.column)?;
    let rows = c.rows.unwrap_or(0);
    // Whole blocks when the table is much larger than the sample.
    let sample = if rows > 4 * TRIAL_ROWS {
        let pct = (100.0 * 2.0 * TRIAL_ROWS as f64 / rows as f64).min(100.0);
        format!(
            "TABLESAMPLE SYSTEM ({}::pg_catalog.float8) REPEATABLE (0)",
            literal(&format!("{pct:.6}"))?
        )
    } else {
        String::new()
    };
    trial
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS pg_temp.ruvheal_trial;
             CREATE TEMP TABLE ruvheal_trial AS SELECT {col} AS v FROM {} {sample} WHERE {col} IS NOT NULL LIMIT {TRIAL_ROWS};
             ANALYZE pg_temp.ruvheal_trial",
            c.name().sql()?
        ))
        .with_context(|| format!("copying a sample of {} into a temporary table", c.collection))?;
    let n: i64 = trial
        .query_one("SELECT pg_catalog.count(*) FROM pg_temp.ruvheal_trial", &[])
        .context("counting the trial rows")?
        .get(0);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stronger_builds_are_tried() {
        assert_eq!(stronger(4, 8), CANDIDATES.to_vec());
        assert_eq!(stronger(16, 64)[0], (16, 128));
        assert!(!stronger(16, 64).contains(&(16, 64)));
        assert_eq!(stronger(32, 300), vec![(48, 400)]);
        assert!(stronger(64, 500).is_empty());
    }
}
