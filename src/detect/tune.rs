//! The search-breadth ladder: which `hnsw.ef_search` or `ivfflat.probes` is the
//! smallest that meets the recall *and* the latency contract, measured over the
//! probe set (SET LOCAL in a transaction that is rolled back; nothing changes
//! for anyone else).
//!
//! The ladder: `hnsw.ef_search` 40, 64, 100, 160, 250, 400, 640, 1000 (pgvector's
//! default up to its maximum); `ivfflat.probes` 1, 2, 4, ... up to the lists.
//! Only rungs above the value sessions get now are tried, so the result is never
//! below the current value or pgvector's default. A rung meets the recall
//! contract when the lower end of its 95% interval does (a raise that is only
//! maybe enough is no fix), and the latency contract when its p99 is within
//! `max_latency_ms`, or, when the contract names none, within what the repair
//! verdict allows (the p99 now x 1.2 + 5 ms: a wider search the verdict would
//! undo is no remedy).
//!
//! Recall rises and latency grows with the breadth, so the search is a
//! bisection: the top rung first (if even it misses the recall contract, no
//! breadth can meet it: the index is too weak), then the smallest rung that
//! meets recall; if that one is too slow, so is every larger one. About four
//! rounds of the probe queries instead of eight. A rung at which the planner
//! no longer scans the index (it sorts the table instead) is no remedy: the
//! ladder's top is the widest rung that still scans it.

use anyhow::{Context, Result};
use serde::Serialize;

use super::exact::ExactResult;
use super::recall::{Probe, ProbeSpec, measure};
use crate::config::CollectionContract;

/// pgvector's `hnsw.ef_search` from its default (40) to its maximum (1000).
pub const HNSW_LADDER: [i64; 8] = [40, 64, 100, 160, 250, 400, 640, 1000];

/// One measured rung.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rung {
    /// The setting's value.
    pub value: i64,
    /// Mean recall@k.
    pub recall: f64,
    /// Lower end of its 95% interval.
    pub ci_low: f64,
    /// Upper end of its 95% interval.
    pub ci_high: f64,
    /// Half the interval's width.
    pub half_width: f64,
    /// p99 latency of the probe queries, ms.
    pub p99_ms: f64,
    /// Queries that returned fewer than k rows.
    pub short_results: usize,
    /// The planner still scans the ANN index at this value. pgvector's cost
    /// estimate grows with the breadth, so on a small table a wide enough
    /// setting makes the planner sort the whole table instead: exact results
    /// that say nothing of the index, and no remedy for it.
    pub uses_index: bool,
}

/// What the ladder found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ladder {
    /// `hnsw.ef_search` or `ivfflat.probes`.
    pub setting: &'static str,
    /// The value sessions get now.
    pub current: i64,
    /// The rungs measured, in the order they were.
    pub tried: Vec<Rung>,
    /// The smallest rung that meets both contracts, if one does.
    pub chosen: Option<i64>,
    /// No rung within the latency contract meets the recall contract: the
    /// index itself is too weak for the contract.
    pub exhausted: bool,
}

impl Ladder {
    /// The rung to report: the chosen one, else the widest tried.
    pub fn point(&self) -> Option<&Rung> {
        match self.chosen {
            Some(v) => self.tried.iter().find(|r| r.value == v),
            None => self.tried.iter().max_by_key(|r| r.value),
        }
    }

    /// One line: the rungs tried and the outcome.
    pub fn summary(&self) -> String {
        let mut tried = self.tried.clone();
        tried.sort_by_key(|r| r.value);
        let rungs = tried
            .iter()
            .map(|r| {
                format!(
                    "{}: recall {:.3} (>= {:.3}), p99 {:.2} ms{}",
                    r.value,
                    r.recall,
                    r.ci_low,
                    r.p99_ms,
                    if r.uses_index {
                        ""
                    } else {
                        " (the planner leaves the index: a table scan)"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let end = match self.chosen {
            Some(v) => format!(
                "{} = {v} is the smallest that meets the contract",
                self.setting
            ),
            None => format!(
                "no {} within the latency contract meets the recall contract",
                self.setting
            ),
        };
        format!(
            "{} ladder from {} ({rungs}): {end}",
            self.setting, self.current
        )
    }
}

/// The rungs above `current`: the HNSW ladder, or powers of two up to `lists`.
pub fn rungs(method: &str, current: i64, lists: i64) -> Vec<i64> {
    let all: Vec<i64> = match method {
        "hnsw" => HNSW_LADDER.to_vec(),
        _ => {
            let lists = lists.max(1);
            let mut v: Vec<i64> = std::iter::successors(Some(1i64), |x| Some(x * 2))
                .take_while(|&x| x < lists)
                .collect();
            v.push(lists);
            v
        }
    };
    all.into_iter().filter(|&v| v > current).collect()
}

/// The p99 a rung may take: the contract's `max_latency_ms`, else what the
/// repair verdict allows without one (`p99_now` x 1.2 + 5 ms,
/// [`crate::repair::verdict`]): a rung the verdict would undo is no remedy.
pub fn latency_limit(contract: &CollectionContract, p99_now: f64) -> f64 {
    use crate::repair::verdict::{LATENCY_FACTOR, LATENCY_SLACK_MS};
    contract
        .max_latency_ms
        .unwrap_or(p99_now * LATENCY_FACTOR + LATENCY_SLACK_MS)
}

/// Whether a rung meets the recall contract (its interval's lower end) and
/// the latency limit.
pub fn meets(r: &Rung, min_recall: f64, max_p99: f64) -> (bool, bool) {
    (r.uses_index && r.ci_low >= min_recall, r.p99_ms <= max_p99)
}

/// The bisection over `values` (ascending) with `probe` measuring one rung.
pub fn climb(
    values: &[i64],
    min_recall: f64,
    max_p99: f64,
    mut probe: impl FnMut(i64) -> Result<Rung>,
) -> Result<(Vec<Rung>, Option<i64>)> {
    let mut tried: Vec<Rung> = Vec::new();
    let mut at = |v: i64, tried: &mut Vec<Rung>| -> Result<Rung> {
        if let Some(r) = tried.iter().find(|r| r.value == v) {
            return Ok(*r);
        }
        let r = probe(v)?;
        tried.push(r);
        Ok(r)
    };
    // The top: the widest rung at which the planner still scans the index.
    let mut values = values;
    loop {
        let Some(&top) = values.last() else {
            return Ok((tried, None));
        };
        let r = at(top, &mut tried)?;
        if r.uses_index {
            if !meets(&r, min_recall, max_p99).0 {
                return Ok((tried, None));
            }
            break;
        }
        values = &values[..values.len() - 1];
    }
    // values[hi] meets recall; find the smallest that does.
    let (mut lo, mut hi) = (0usize, values.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if meets(&at(values[mid], &mut tried)?, min_recall, max_p99).0 {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let r = at(values[hi], &mut tried)?;
    Ok((tried, meets(&r, min_recall, max_p99).1.then_some(r.value)))
}

/// Measures the ladder of the index's search setting on `app` (the
/// application's session) for probes whose exact neighbours are `exact`.
/// `method` is `hnsw` or `ivfflat`; `current` the value sessions get now;
/// `max_p99` the [`latency_limit`].
#[allow(clippy::too_many_arguments)]
pub fn ladder(
    app: &mut postgres::Client,
    exact: &ExactResult,
    probes: &[Probe],
    spec: &ProbeSpec,
    min_recall: f64,
    max_p99: f64,
    method: &str,
    current: i64,
    lists: i64,
) -> Result<Ladder> {
    let setting = if method == "hnsw" {
        "hnsw.ef_search"
    } else {
        "ivfflat.probes"
    };
    let values = rungs(method, current, lists);
    let (tried, chosen) = climb(&values, min_recall, max_p99, |value| {
        let mut tx = app.transaction()?;
        tx.batch_execute(&format!(
            "SET LOCAL {setting} = {}",
            crate::sql::literal(&value.to_string())?
        ))
        .with_context(|| format!("trying {setting} = {value}"))?;
        let r = measure(&mut tx, exact, probes, spec)?;
        tx.rollback()?;
        Ok(Rung {
            value,
            recall: r.recall,
            ci_low: r.recall_low,
            ci_high: r.recall_high,
            half_width: r.recall_half_width,
            p99_ms: r.latency_ms.p99,
            short_results: r.short_results,
            uses_index: r.plan_uses_index,
        })
    })?;
    Ok(Ladder {
        setting,
        current,
        exhausted: chosen.is_none(),
        tried,
        chosen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_latency_contract_the_limit_is_the_verdicts() {
        let mut c = CollectionContract::default();
        assert_eq!(latency_limit(&c, 10.0), 17.0);
        c.max_latency_ms = Some(4.0);
        assert_eq!(latency_limit(&c, 10.0), 4.0);
    }

    /// A rung whose recall rises and latency grows with the value.
    fn rung(v: i64) -> Rung {
        let recall = 1.0 - 8.0 / (v as f64 + 8.0);
        Rung {
            value: v,
            recall,
            ci_low: recall - 0.01,
            ci_high: recall + 0.01,
            half_width: 0.01,
            p99_ms: v as f64 / 100.0,
            short_results: 0,
            uses_index: true,
        }
    }

    #[test]
    fn the_ladder_starts_at_the_default_and_never_below_the_current_value() {
        assert_eq!(rungs("hnsw", 10, 0), HNSW_LADDER.to_vec());
        assert_eq!(rungs("hnsw", 40, 0)[0], 64);
        assert_eq!(rungs("hnsw", 100, 0), vec![160, 250, 400, 640, 1000]);
        assert!(rungs("hnsw", 1000, 0).is_empty());
        assert_eq!(rungs("ivfflat", 1, 100), vec![2, 4, 8, 16, 32, 64, 100]);
        assert_eq!(rungs("ivfflat", 0, 8), vec![1, 2, 4, 8]);
        assert_eq!(rungs("ivfflat", 3, 5), vec![4, 5]);
    }

    #[test]
    fn the_smallest_rung_meeting_both_contracts_is_chosen_with_few_rounds() {
        let values = rungs("hnsw", 10, 0);
        let mut calls = 0;
        // recall 0.95 needs v >= 152 (ci_low: v >= 192): 250
        let (tried, chosen) = climb(&values, 0.95, f64::INFINITY, |v| {
            calls += 1;
            Ok(rung(v))
        })
        .unwrap();
        assert_eq!(chosen, Some(250));
        assert!(calls <= 4, "{tried:?}");
        // every value below the chosen one that was tried misses
        assert!(
            tried
                .iter()
                .filter(|r| r.value < 250)
                .all(|r| r.ci_low < 0.95)
        );
        // too slow at 250: nothing meets both
        let (_, chosen) = climb(&values, 0.95, 2.0, |v| Ok(rung(v))).unwrap();
        assert_eq!(chosen, None);
        // even the top misses: one round
        let mut calls = 0;
        let (tried, chosen) = climb(&values, 0.999, f64::INFINITY, |v| {
            calls += 1;
            Ok(rung(v))
        })
        .unwrap();
        assert_eq!((chosen, calls, tried[0].value), (None, 1, 1000));
        // the first rung is enough
        let (_, chosen) = climb(&values, 0.8, f64::INFINITY, |v| Ok(rung(v))).unwrap();
        assert_eq!(chosen, Some(40));
        assert_eq!(
            climb(&[], 0.9, f64::INFINITY, |v| Ok(rung(v))).unwrap(),
            (vec![], None)
        );
    }

    #[test]
    fn a_rung_where_the_planner_leaves_the_index_is_no_remedy() {
        let values = rungs("hnsw", 10, 0);
        // from 250 up the planner sorts the table: exact, and not the index
        let scan = |v: i64| Rung {
            uses_index: v < 250,
            recall: if v < 250 { 0.5 } else { 1.0 },
            ci_low: if v < 250 { 0.49 } else { 1.0 },
            ..rung(v)
        };
        let (tried, chosen) = climb(&values, 0.95, f64::INFINITY, |v| Ok(scan(v))).unwrap();
        assert_eq!(chosen, None, "{tried:?}");
        // the widest rung that scans the index was tried and misses
        assert!(tried.iter().any(|r| r.value == 160 && r.uses_index));
        let r = rung(1000);
        assert!(
            !meets(
                &Rung {
                    uses_index: false,
                    ..r
                },
                0.5,
                f64::INFINITY
            )
            .0
        );
        // below that top, the bisection finds what meets recall as before
        let good = |v: i64| Rung {
            uses_index: v < 640,
            ..rung(v)
        };
        let (_, chosen) = climb(&values, 0.95, f64::INFINITY, |v| Ok(good(v))).unwrap();
        assert_eq!(chosen, Some(250));
    }
}
