//! ruvheal's own reads — the recall probes, the exact pass, the page reads — are
//! not the application's traffic. The counters a check reads at its start cover
//! the interval since the previous check; read again at its end (after every
//! session has flushed its statistics), they give the next check a starting
//! point past our own scans, so its deltas (index use, cache hit ratio, scans
//! per second) are the application's alone.

use anyhow::{Context as _, Result};

use super::context::Ctx;
use super::measured::Measured;

/// Suffix of a counter read at the end of a check.
pub const AFTER_CHECK: &str = ".after_check";

/// Flushes each session's pending statistics, then reads the counters again
/// into `<counter>.after_check` metrics. Best effort: without
/// `pg_stat_force_next_flush` the next interval includes some of our scans.
pub fn record(
    sessions: &mut [&mut postgres::Client],
    ctx: &Ctx<'_>,
    out: &mut Measured,
) -> Result<()> {
    for s in sessions.iter_mut() {
        // The flush happens as the session goes idle, before the call returns.
        if s.batch_execute("SELECT pg_stat_force_next_flush()")
            .is_err()
        {
            return Ok(());
        }
    }
    let Some(reader) = sessions.first_mut() else {
        return Ok(());
    };
    let ann = ctx.ann_index().map(|i| i.oid);
    let r = reader
        .query_one(
            "SELECT coalesce((SELECT sum(idx_blks_hit) FROM pg_statio_all_indexes WHERE relid = $1), 0)::float8,
                    coalesce((SELECT sum(idx_blks_read) FROM pg_statio_all_indexes WHERE relid = $1), 0)::float8,
                    coalesce((SELECT idx_scan FROM pg_stat_all_indexes WHERE indexrelid = $2), 0)::float8,
                    coalesce((SELECT seq_scan FROM pg_stat_all_tables WHERE relid = $1), 0)::float8",
            &[&ctx.collection.oid, &ann],
        )
        .context("reading the counters after the check")?;
    let (hit, read, idx, seq): (f64, f64, f64, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
    for (name, value) in [
        ("cache.idx_blks_hit", hit),
        ("cache.idx_blks_read", read),
        ("index.idx_scan", idx),
        ("table.seq_scan", seq),
        ("throughput.scans", seq + idx),
    ] {
        out.set(&format!("{name}{AFTER_CHECK}"), value);
    }
    Ok(())
}
