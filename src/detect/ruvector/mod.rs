//! Detection on RuVector collections (`ruvector(n)` columns indexed by the
//! `ruvector` extension's `hnsw`/`ruhnsw` or `ruivfflat`), for ruvector-postgres
//! 2.0.6 as measured on PostgreSQL 15.
//!
//! Read-only like every detector: plain SELECTs (a few inside read-only
//! transactions that SET LOCAL a planner or search setting and roll back), the
//! index pages through `get_raw_page` (superuser; skipped with a reason
//! otherwise). Never builds, never locks more than AccessShareLock.
//!
//! * [`probe`]: recall and latency against exact truth (one streamed pass).
//! * [`pages`]: the meta and node page layouts (pure).
//! * [`graph`]: meta page against the build options and the table; node
//!   vectors against the heap (stale and reused TIDs); rows lost by the
//!   unlogged index.
//! * [`queries`]: wrong `count(*)` via index-only scans, the 100-row cap, the
//!   newest rows' self-retrieval.
//! * [`release`]: what only a human can fix on 2.0.6 (ruivfflat).

pub mod graph;
pub mod pages;
pub mod probe;
pub mod queries;
pub mod release;

use anyhow::{Context, Result};
use serde_json::json;

use super::context::Ctx;
use super::distance::Metric;
use super::measured::Measured;
use super::{Class, Finding, Severity};

/// The recall detector's name (shared with pgvector's, so diagnose treats both alike).
const RECALL: &str = "recall";

/// The evidence key a finding uses to say only a human can fix its cause
/// (diagnose then leaves the problem to a human).
pub const HUMAN_ONLY: &str = "human_only";

/// Runs every RuVector detector on `ctx.collection`.
pub fn detect(
    detect: &mut postgres::Client,
    app: &mut postgres::Client,
    pages: &mut postgres::Client,
    ctx: &Ctx<'_>,
    seed: u64,
    out: &mut Measured,
) -> Result<()> {
    out.set("ruvector.collection", 1.0);
    let c = ctx.collection;
    out.set(
        "ruvector.invalid_indexes",
        c.indexes.iter().filter(|i| !i.valid).count() as f64,
    );
    let row = detect
        .query_opt(
            "SELECT n.nspname::text, e.extversion::text FROM pg_catalog.pg_extension e \
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'ruvector'",
            &[],
        )
        .context("looking up the ruvector extension")?
        .context("the ruvector extension is not installed in this database")?;
    let (ext, version): (String, String) = (row.get(0), row.get(1));
    out.detail(
        "ruvector_extension",
        json!({"schema": ext, "version": version}),
    );
    let Some(index) = ctx.ann_index().filter(|i| i.valid) else {
        return Ok(());
    };
    out.set("ruvector.hnsw", index.is_ruvector_hnsw() as u8 as f64);
    out.set("ruvector.ivfflat", index.is_ruvector_ivfflat() as u8 as f64);
    let Some(metric) = Metric::from_opclass(&index.opclass) else {
        out.skip(
            RECALL,
            format!("operator class {} is not supported", index.opclass),
        );
        return Ok(());
    };
    let spec = probe::Spec {
        table: c.name(),
        column: c.column.clone(),
        ext,
        metric,
        k: ctx.contract.k.max(1) as usize,
    };
    let probes = probe::sample(detect, &spec, ctx.contract.probes, seed)?;
    if probes.is_empty() {
        out.skip(RECALL, "the collection has no rows to probe with");
        return Ok(());
    }
    let exact = probe::exact(detect, &spec, &probes)?;
    out.set("ruvector.rows_nonnull", exact.rows_scanned as f64);
    let report = probe::measure(app, &exact, &probes, &spec)?;
    recall_findings(
        app,
        ctx,
        &spec,
        &exact,
        &probes,
        &report,
        index.is_ruvector_hnsw(),
        out,
    )?;
    graph::detect(pages, ctx, index, &spec, exact.rows_scanned, out)?;
    queries::index_only_count(app, ctx, out)?;
    if index.is_ruvector_hnsw() {
        queries::k_cap(app, ctx, &spec, &probes[0].value.to_text(), out)?;
        queries::newest_rows(app, ctx, &spec, out)?;
    }
    release::detect(ctx, index, &report, out);
    Ok(())
}

/// Recall, latency and the boost, recorded under the same metric names as
/// pgvector's probe (contracts, diagnose and verify read them alike).
#[allow(clippy::too_many_arguments)]
fn recall_findings(
    app: &mut postgres::Client,
    ctx: &Ctx<'_>,
    spec: &probe::Spec,
    exact: &crate::detect::exact::ExactResult,
    probes: &[crate::detect::recall::Probe],
    report: &crate::detect::recall::RecallReport,
    hnsw: bool,
    out: &mut Measured,
) -> Result<()> {
    let k = spec.k;
    out.set("recall.at_k", report.recall);
    // The interval and the rows read, as pgvector's probe records them: the
    // verdict on a repair takes its noise band and the live-rows guard from these.
    out.set("recall.ci_low", report.recall_low);
    out.set("recall.ci_high", report.recall_high);
    out.set("recall.half_width", report.recall_half_width);
    out.set("recall.exact_rows", exact.rows_scanned as f64);
    out.set("recall.min", report.recall_min);
    out.set("recall.short_results", report.short_results as f64);
    out.set("recall.probes", report.probes as f64);
    out.set("latency.mean_ms", report.latency_ms.mean);
    out.set("latency.p50_ms", report.latency_ms.p50);
    out.set("latency.p95_ms", report.latency_ms.p95);
    out.set("latency.p99_ms", report.latency_ms.p99);
    out.set("latency.max_ms", report.latency_ms.max);
    out.detail("recall", report);
    let target = ctx.contract.min_recall;
    let index = report.index_name.clone().unwrap_or_default();
    if !report.plan_uses_index {
        out.push(Finding::new(Class::Unknown, Severity::Info, RECALL, format!(
            "the planner answered the probe query without a RuVector index; recall {:.3} says nothing about the index",
            report.recall)));
    } else if report.recall < target {
        let boost = if hnsw {
            probe::boosted(app, exact, probes, spec, report)?
        } else {
            None
        };
        if let Some((from, to, b)) = &boost {
            out.set("recall.boosted_at_k", b.recall);
            out.set("recall.boosted_setting", *to as f64);
            out.detail("recall_boost", json!({"setting": "ruvector.hnsw_ef_search", "from": from, "to": to,
                                              "recall": b.recall, "short_results": b.short_results}));
        }
        let severity = if report.recall < target - 0.15 || report.short_results * 2 > report.probes
        {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let short = if report.short_results > 0 {
            format!(
                "; {} of {} queries returned fewer than {k} rows",
                report.short_results, report.probes
            )
        } else {
            String::new()
        };
        out.push(
            Finding::new(Class::RecallDegradation, severity, RECALL, format!(
                "recall@{k} is {:.3} against a contract of {target:.2} over {} probe queries{short}",
                report.recall, report.probes))
            .metric("recall.at_k", report.recall, Some(target))
            .evidence(json!({"recall_min": report.recall_min, "short_results": report.short_results,
                             "index": index, "settings": report.settings,
                             "boost": boost.map(|(from, to, b)| json!({"setting": "ruvector.hnsw_ef_search",
                                 "from": from, "to": to, "recall": b.recall}))})),
        );
    }
    if let Some(max) = ctx.contract.max_latency_ms
        && report.latency_ms.p99 > max
    {
        let severity = if report.latency_ms.p99 > 2.0 * max {
            Severity::Critical
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new(
                Class::LatencyAnomaly,
                severity,
                RECALL,
                format!(
                    "p99 latency of the ANN query is {:.1} ms against a contract of {max:.1} ms",
                    report.latency_ms.p99
                ),
            )
            .metric("latency.p99_ms", report.latency_ms.p99, Some(max))
            .evidence(json!({"latency_ms": report.latency_ms})),
        );
    }
    Ok(())
}
