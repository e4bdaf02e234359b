//! Impact (what a problem affects) and priority (what to fix first).

use serde::Serialize;

use super::{Input, IntegrityView, Problem};
use crate::vocab::{Class, Severity};

/// What a problem affects.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    /// Share of the collection affected, 0..=1 (rows, index elements or queries; see `scope`).
    pub share: f64,
    /// What `share` counts: `queries`, `rows`, `index`, `standbys`.
    pub scope: String,
    /// Named parts affected (HNSW regions, IVFFlat lists, standbys), at most 20.
    pub affected: Vec<String>,
    /// p99 latency of the ANN query when measured, in ms.
    pub latency_p99_ms: Option<f64>,
    /// recall@k when measured.
    pub recall: Option<f64>,
}

/// The impact of a problem of `class`.
pub fn impact(
    class: Class,
    input: &Input<'_>,
    integrity: Option<&IntegrityView>,
    _before: &Impact,
) -> Impact {
    let m = |k: &str| input.metrics.get(k).copied();
    let cut = integrity.filter(|v| super::rules::witness_class(v, input.metrics) == class);
    let (share, scope) = match class {
        Class::RecallDegradation | Class::LatencyAnomaly | Class::ThroughputDrop => {
            (1.0, "queries")
        }
        Class::DeadTupleBloat => (
            m("table.dead_ratio")
                .unwrap_or(0.0)
                .max(cut.map_or(0.0, |v| v.cut.cut_side_share)),
            "rows",
        ),
        Class::IndexFragmentation => (m("hnsw.deleted_ratio").unwrap_or(1.0), "index"),
        Class::OrphanNodes => (
            m("hnsw.orphan_ratio")
                .or(cut.map(|v| v.cut.cut_side_share))
                .unwrap_or(0.0),
            "index",
        ),
        Class::PoorConnectivity => (cut.map_or(1.0, |v| v.cut.cut_side_share.max(0.0)), "index"),
        Class::CentroidSkew => (m("ivfflat.gini").unwrap_or(1.0), "index"),
        Class::MemoryPressure => (1.0 - m("cache.index_hit_ratio").unwrap_or(0.0), "index"),
        Class::ReplicationLag => (1.0, "standbys"),
        // A cut that names the part affected (a partition) beats "all of it".
        _ => (cut.map_or(1.0, |v| v.cut.cut_side_share), "index"),
    };
    Impact {
        share: if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            1.0
        },
        scope: scope.into(),
        affected: cut.map(|v| v.cut.cut_side.clone()).unwrap_or_default(),
        latency_p99_ms: m("latency.p99_ms"),
        recall: m("recall.at_k"),
    }
}

/// The metric that says how bad a problem is, and whether larger is worse.
fn gauge(class: Class) -> Option<(&'static str, bool)> {
    Some(match class {
        Class::RecallDegradation => ("recall.at_k", false),
        Class::LatencyAnomaly => ("latency.p99_ms", true),
        Class::ThroughputDrop => ("throughput.scans_per_s", false),
        Class::DeadTupleBloat => ("table.dead_ratio", true),
        Class::IndexFragmentation => ("hnsw.deleted_ratio", true),
        Class::OrphanNodes => ("hnsw.orphan_ratio", true),
        Class::CentroidSkew => ("ivfflat.list_cv", true),
        Class::StaleTraining => ("ivfflat.center_distance", true),
        Class::MaintenanceContention => ("contention.oldest_xact_s", true),
        Class::ReplicationLag => ("replication.replay_lag_s", true),
        Class::MemoryPressure => ("memory.temp_bytes_per_s", true),
        _ => return None,
    })
}

/// How fast the problem grew since the previous observation, 0..=1 (relative
/// change of its gauge in the bad direction; 0 when unknown or improving).
pub fn growth(class: Class, input: &Input<'_>) -> f64 {
    let Some((name, larger_is_worse)) = gauge(class) else {
        return 0.0;
    };
    let (Some(now), Some(before)) = (
        input.metrics.get(name),
        input.previous.and_then(|p| p.get(name)),
    ) else {
        return 0.0;
    };
    let worse = if larger_is_worse {
        now - before
    } else {
        before - now
    };
    (worse / before.abs().max(1e-9)).clamp(0.0, 1.0)
}

/// Priority: severity (critical 100, warning 50, info 10) scaled by impact
/// (half for none, full for the whole collection), plus up to 10 for growth;
/// causes that block other repairs (contention) get 5 more.
pub fn priority(p: &Problem, input: &Input<'_>) -> f64 {
    let base = match p.severity {
        Severity::Critical => 100.0,
        Severity::Warning => 50.0,
        Severity::Info => 10.0,
    };
    let blocking = if p.class == Class::MaintenanceContention {
        5.0
    } else {
        0.0
    };
    let score = base * (0.5 + 0.5 * p.impact.share) + 10.0 * growth(p.class, input) + blocking;
    (score * 100.0).round() / 100.0
}
