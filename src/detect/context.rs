//! What every detector gets: the session, the collection, its contract and
//! thresholds, and the previous observation (for rates and deltas).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::catalog::{Collection, IndexInfo};
use crate::config::{CheckConfig, CollectionContract};

/// The last stored observation of this collection, if any.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    /// When it was taken.
    pub observed_at: Option<DateTime<Utc>>,
    /// Its metrics.
    pub metrics: BTreeMap<String, f64>,
}

impl Previous {
    /// The change of `metric` per second since the previous observation, if both exist
    /// and the counter did not go backwards (a stats reset).
    pub fn rate(&self, metric: &str, now_value: f64, now: DateTime<Utc>) -> Option<f64> {
        let before = self.base(metric)?;
        let secs = (now - self.observed_at?).num_milliseconds() as f64 / 1000.0;
        (secs > 0.0 && now_value >= before).then(|| (now_value - before) / secs)
    }

    /// The change of a counter since the previous observation (None after a reset).
    pub fn delta(&self, metric: &str, now_value: f64) -> Option<f64> {
        let before = self.base(metric)?;
        (now_value >= before).then_some(now_value - before)
    }

    /// Where the interval of a counter starts: its value at the end of the
    /// previous check (past ruvheal's own scans) when recorded, else at its start.
    fn base(&self, metric: &str) -> Option<f64> {
        self.metrics
            .get(&format!("{metric}{}", super::own_traffic::AFTER_CHECK))
            .or_else(|| self.metrics.get(metric))
            .copied()
    }
}

/// Inputs shared by the detectors of one check.
pub struct Ctx<'a> {
    /// The collection being checked.
    pub collection: &'a Collection,
    /// Its contract (recall, k, latency).
    pub contract: &'a CollectionContract,
    /// Detector thresholds.
    pub config: &'a CheckConfig,
    /// The previous observation.
    pub previous: &'a Previous,
    /// The check's clock.
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// The ANN index the checks measure: the first valid HNSW or IVFFlat index on
    /// the column (HNSW preferred), else any HNSW/IVFFlat index.
    pub fn ann_index(&self) -> Option<&IndexInfo> {
        self.collection.ann_index()
    }
}
