//! Finding by measurement the smallest search breadth (`hnsw.ef_search` or
//! `ivfflat.probes`) that meets the recall target: one exact pass for a probe
//! sample, then the application's ANN query at each candidate value (SET LOCAL
//! in a transaction that is rolled back), smallest first.

use anyhow::{Context, Result};
use serde::Serialize;

use super::distance::Metric;
use super::exact::exact_top_k;
use super::recall::{ProbeSpec, measure, read_settings};
use super::vectors::{Value, VecKind};
use crate::catalog::Collection;
use crate::config::CollectionContract;

/// The measurement behind a tuned value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tuning {
    /// `hnsw.ef_search` or `ivfflat.probes`.
    pub setting: String,
    /// The value sessions get now.
    pub current: i64,
    /// Recall at each value tried, in order.
    pub tried: Vec<(i64, f64)>,
    /// The smallest value that met the target, if one did.
    pub chosen: Option<i64>,
}

/// Candidate values above `current`, smallest first, up to `max`.
pub fn candidates(current: i64, k: i64, max: i64) -> Vec<i64> {
    let mut v: Vec<i64> = [k, 2 * k]
        .into_iter()
        .chain((0..16).map(|i| (current.max(1) as f64 * 1.5f64.powi(i + 1)).round() as i64))
        .filter(|&x| x > current && x <= max)
        .collect();
    v.push(max);
    v.sort_unstable();
    v.dedup();
    v.into_iter().filter(|&x| x > current).collect()
}

/// Measures recall at increasing values of the collection's search setting until
/// one meets `contract.min_recall`. `None` when there is no valid ANN index or the
/// type or operator class is not supported.
pub fn tune(
    detect: &mut postgres::Client,
    app: &mut postgres::Client,
    c: &Collection,
    contract: &CollectionContract,
    seed: u64,
) -> Result<Option<Tuning>> {
    let Some(index) = c.ann_index().filter(|i| i.valid) else {
        return Ok(None);
    };
    let (Some(kind), Some(metric)) = (
        VecKind::from_type_name(&c.type_name),
        Metric::from_opclass(&index.opclass),
    ) else {
        return Ok(None);
    };
    let k = contract.k.max(1) as usize;
    let (probes, _) = super::probe::sample(detect, c, contract, kind, metric, seed)?;
    if probes.is_empty() {
        return Ok(None);
    }
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    let exact = exact_top_k(detect, &c.name(), &c.column, kind, metric, &values, k)?;
    let spec = ProbeSpec {
        table: c.name(),
        column: c.column.clone(),
        kind,
        metric,
        k,
    };
    let settings = read_settings(app)?;
    let current = |name: &str, default: i64| {
        settings
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (setting, now, max) = match index.method.as_str() {
        "hnsw" => ("hnsw.ef_search", current("hnsw.ef_search", 40), 1000),
        _ => {
            let lists = index
                .options
                .get("lists")
                .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
                .unwrap_or(100i64);
            ("ivfflat.probes", current("ivfflat.probes", 1), lists.max(1))
        }
    };
    let mut tried = Vec::new();
    let mut chosen = None;
    for value in candidates(now, k as i64, max) {
        let mut tx = app.transaction()?;
        tx.batch_execute(&format!(
            "SET LOCAL {setting} = {}",
            crate::sql::literal(&value.to_string())?
        ))
        .with_context(|| format!("trying {setting} = {value}"))?;
        let r = measure(&mut tx, &exact, &probes, &spec)?;
        tx.rollback()?;
        tried.push((value, r.recall));
        if r.recall >= contract.min_recall {
            chosen = Some(value);
            break;
        }
    }
    Ok(Some(Tuning {
        setting: setting.into(),
        current: now,
        tried,
        chosen,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_grow_from_the_current_value() {
        let c = candidates(40, 10, 1000);
        assert_eq!(c.first(), Some(&60));
        assert_eq!(c.last(), Some(&1000));
        assert!(c.windows(2).all(|w| w[0] < w[1]));
        let c = candidates(5, 10, 1000);
        assert_eq!(&c[..3], &[8, 10, 11]);
        assert_eq!(candidates(1, 10, 4), vec![2, 3, 4]);
        assert!(candidates(1000, 10, 1000).is_empty());
    }
}
