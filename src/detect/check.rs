//! One check of one collection: runs the detectors in order and returns what
//! they measured. The caller owns connections and storage.

use std::collections::BTreeMap;

use anyhow::Result;

use super::context::Ctx;
use super::measured::Measured;
use super::structure::Inspection;
use super::{
    anomaly, contention, filtered, index_health, partitions, probe, settings, structure,
    table_state,
};
use crate::sql::QualifiedName;

/// Sessions a check uses.
pub struct Sessions<'a> {
    /// ruvheal's read-only detection session (statement_timeout set).
    pub detect: &'a mut postgres::Client,
    /// A session with the database's and role's default settings, as the application has.
    pub app: &'a mut postgres::Client,
    /// A second read-only detection session: the index pages are read on it while
    /// the recall probe scans the table on `detect`.
    pub pages: &'a mut postgres::Client,
}

/// Runs every detector on `ctx.collection`. `history` is the metrics of earlier
/// observations, oldest first, for the anomaly detectors.
pub fn run(
    sessions: Sessions<'_>,
    ctx: &Ctx<'_>,
    history: &[BTreeMap<String, f64>],
    seed: u64,
) -> Result<(Measured, Vec<anomaly::Baseline>)> {
    if ctx.collection.is_ruvector() {
        return run_ruvector(sessions, ctx, history, seed);
    }
    let mut out = Measured::default();
    let laps = crate::clock::Laps::start("");
    contract_metrics(ctx, &mut out);
    table_state::detect(sessions.detect, ctx, &mut out)?;
    let leaves = partitions::detect(sessions.detect, ctx, &mut out)?;
    let app_settings = settings::session_settings(sessions.app)?;
    out.detail("settings", &app_settings);
    settings::detect(sessions.detect, ctx, &app_settings, &mut out)?;
    filtered::detect(sessions.detect, ctx, &app_settings, &mut out)?;
    contention::detect(sessions.detect, ctx, &mut out)?;
    laps.lap("table, settings and contention checks done");
    // The page read (server I/O, then graph analysis here) overlaps the probe's
    // table scan: the two together take little more than the longer one.
    let live = out.get("table.live_tuples").unwrap_or(0.0);
    let (structure, probes) = std::thread::scope(|scope| {
        let pages = &mut *sessions.pages;
        let worker = scope.spawn(move || {
            let mut part = Measured::default();
            let centers = index_structure(pages, ctx, live, &mut part);
            laps.lap("index structure done");
            centers.map(|c| (part, c))
        });
        let probes = probe::detect(sessions.detect, sessions.app, ctx, seed, &mut out);
        laps.lap("recall probe done");
        let structure = worker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the index structure reader panicked")));
        (structure, probes)
    });
    let (part, centers) = structure?;
    let probes = probes?;
    out.absorb(part);
    if out.graph.is_none() && !leaves.is_empty() {
        out.graph = Some(partitions::graph(&leaves, ctx.config));
    }
    if let Some(index) = ctx.ann_index() {
        let normalize = !index.opclass.contains("l2") && !index.opclass.contains("l1");
        if let Some(d) = index_health::center_distance(&probe::dense(&probes), &centers, normalize)
        {
            out.set("ivfflat.center_distance", d);
        }
    }
    throughput(ctx, &mut out);
    super::own_traffic::record(
        &mut [
            &mut *sessions.detect,
            &mut *sessions.app,
            &mut *sessions.pages,
        ],
        ctx,
        &mut out,
    )?;
    let (findings, baselines) = anomaly::detect(
        history,
        &out.metrics,
        ctx.config.baseline_min_samples,
        ctx.config.anomaly_sensitivity,
    );
    out.findings.extend(findings);
    Ok((out, baselines))
}

/// The check of a RuVector collection: the table, partition and contention
/// detectors as for pgvector, then RuVector's own (pgvector's settings,
/// filtered-query and page detectors do not apply).
fn run_ruvector(
    sessions: Sessions<'_>,
    ctx: &Ctx<'_>,
    history: &[BTreeMap<String, f64>],
    seed: u64,
) -> Result<(Measured, Vec<anomaly::Baseline>)> {
    let mut out = Measured::default();
    contract_metrics(ctx, &mut out);
    table_state::detect(sessions.detect, ctx, &mut out)?;
    let leaves = partitions::detect(sessions.detect, ctx, &mut out)?;
    contention::detect(sessions.detect, ctx, &mut out)?;
    super::ruvector::detect(
        sessions.detect,
        sessions.app,
        sessions.pages,
        ctx,
        seed,
        &mut out,
    )?;
    if !leaves.is_empty() {
        out.graph = Some(partitions::graph(&leaves, ctx.config));
    }
    throughput(ctx, &mut out);
    super::own_traffic::record(
        &mut [
            &mut *sessions.detect,
            &mut *sessions.app,
            &mut *sessions.pages,
        ],
        ctx,
        &mut out,
    )?;
    let (findings, baselines) = anomaly::detect(
        history,
        &out.metrics,
        ctx.config.baseline_min_samples,
        ctx.config.anomaly_sensitivity,
    );
    out.findings.extend(findings);
    Ok((out, baselines))
}

/// What this observation is judged against (verification reads it back).
fn contract_metrics(ctx: &Ctx<'_>, out: &mut Measured) {
    out.set("contract.min_recall", ctx.contract.min_recall);
    if let Some(max) = ctx.contract.max_latency_ms {
        out.set("contract.max_latency_ms", max);
    }
}

/// Scans per second since the previous observation.
fn throughput(ctx: &Ctx<'_>, out: &mut Measured) {
    let scans = out.get("table.seq_scan").unwrap_or(0.0) + out.get("index.idx_scan").unwrap_or(0.0);
    out.set("throughput.scans", scans);
    if let Some(rate) = ctx.previous.rate("throughput.scans", scans, ctx.now) {
        out.set("throughput.scans_per_s", rate);
    }
}

/// Reads the ANN index's pages (when allowed) into structure findings; returns
/// the IVFFlat centres for the drift check.
fn index_structure(
    client: &mut postgres::Client,
    ctx: &Ctx<'_>,
    live: f64,
    out: &mut Measured,
) -> Result<Vec<Vec<f32>>> {
    let Some(index) = ctx.ann_index().filter(|i| i.valid) else {
        return Ok(vec![]);
    };
    let version: Option<String> = client
        .query_opt(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
            &[],
        )?
        .map(|r| r.get(0));
    if let Some(v) = &version {
        out.detail("pgvector_version", v);
        index_health::version(v, &index.method, out);
    }
    let name = QualifiedName::new(&index.schema, &index.name);
    match index.method.as_str() {
        "hnsw" => match structure::inspect_hnsw(client, &name)? {
            Inspection::Done(mut s) => {
                out.graph = Some(std::mem::take(&mut s.regions));
                index_health::hnsw(&s, ctx, out)
            }
            Inspection::Skipped(s) => out.skip("structure", s.reason),
        },
        "ivfflat" => match structure::inspect_ivfflat(client, &name)? {
            Inspection::Done(s) => {
                index_health::ivfflat(&s, ctx, live, out);
                out.graph = Some(crate::integrity::build::ivf_lists(
                    &s.entries_per_list,
                    &s.centers,
                    1.0,
                ));
                return Ok(s.centers);
            }
            Inspection::Skipped(s) => out.skip("structure", s.reason),
        },
        _ => {}
    }
    Ok(vec![])
}
