//! The integrity step of a check: completes the contracted graph the structure
//! inspection left in [`Measured::graph`] (IVFFlat drift, standbys, the oldest
//! blocker), computes its minimum cut and records it.
//!
//! Metrics: `integrity.lambda`, `integrity.lambda_normalized`, `integrity.nodes`,
//! `integrity.cut_side_share`; detail `integrity` (witness edges and the cut-off side).

use super::context::Ctx;
use super::measured::Measured;
use crate::integrity::{self, EdgeKind, NodeKind, build};

/// A share of unreachable HNSW elements that severs them completely (twice the
/// share at which the orphan finding is critical).
const UNREACHABLE_LIMIT: f64 = 0.10;

/// Blocking at this multiple of `xmin_horizon_secs` severs the blocker completely.
const BLOCKER_LIMIT_FACTOR: f64 = 4.0;

/// Records the integrity of the collection. `fit` is the IVFFlat drift factor
/// (baseline mean distance to the nearest centre over the current one), if known.
pub fn record(ctx: &Ctx<'_>, fit: Option<f64>, out: &mut Measured) {
    let Some(mut g) = out.graph.take() else {
        return;
    };
    if let Some(fit) = fit.filter(|f| f.is_finite() && *f > 0.0) {
        let fit = fit.min(1.0);
        for e in g
            .edges
            .iter_mut()
            .filter(|e| e.kind == EdgeKind::ListNeighbour)
        {
            e.capacity *= fit;
        }
        out.set("integrity.drift_fit", fit);
    }
    let cfg = ctx.config;
    if let (Some(unreachable), Some(live)) =
        (out.get("hnsw.orphans"), out.get("hnsw.live_elements"))
        && unreachable > 0.0
    {
        let h = build::health(unreachable / live.max(1.0), UNREACHABLE_LIMIT);
        build::attach(
            &mut g,
            "unreachable elements",
            NodeKind::Unreachable,
            unreachable as u64,
            h,
            EdgeKind::Reachability,
        );
    }
    if let Some(lag) = out.get("replication.replay_lag_s")
        && out.get("replication.standbys").unwrap_or(1.0) > 0.0
    {
        let h = build::health(lag, cfg.replication_lag_critical_secs);
        build::attach(
            &mut g,
            "standbys",
            NodeKind::Replica,
            0,
            h,
            EdgeKind::Replication,
        );
    }
    if let Some(age) = out.get("contention.oldest_xact_s")
        && age >= cfg.xmin_horizon_secs
    {
        let h = build::health(age, cfg.xmin_horizon_secs * BLOCKER_LIMIT_FACTOR);
        build::attach(
            &mut g,
            "oldest transaction",
            NodeKind::Maintenance,
            0,
            h,
            EdgeKind::Blocking,
        );
    }
    let Some(i) = integrity::assess(&g) else {
        return;
    };
    out.set("integrity.lambda", i.lambda);
    out.set("integrity.lambda_normalized", i.lambda_normalized);
    out.set("integrity.nodes", i.nodes as f64);
    out.set("integrity.cut_side_share", i.cut_side_share);
    out.detail("integrity", &i);
}
