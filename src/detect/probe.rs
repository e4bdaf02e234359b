//! The recall and latency probe as a check step: sample probe vectors, compute
//! their exact top-k in one pass, run the application's ANN query, compare.

use anyhow::{Context, Result};
use serde_json::json;

use super::context::Ctx;
use super::distance::Metric;
use super::exact::exact_top_k;
use super::measured::Measured;
use super::neighbourhood::{ProbeSource, mix};
use super::recall::{Ctid, Probe, ProbeSpec, Raw, ext_schema, measure, sample_probes};
use super::vectors::{Value, VecKind};
use super::{Class, Finding, Severity};
use crate::sql::QualifiedName;

const DETECTOR: &str = "recall";

/// Measures recall@k and latency; returns the probes (drift uses them).
pub fn detect(
    detect: &mut postgres::Client,
    app: &mut postgres::Client,
    ctx: &Ctx<'_>,
    seed: u64,
    out: &mut Measured,
) -> Result<Vec<Probe>> {
    let c = ctx.collection;
    let Some(index) = ctx.ann_index().filter(|i| i.valid) else {
        return Ok(vec![]);
    };
    let Some(kind) = VecKind::from_type_name(&c.type_name) else {
        out.skip(
            DETECTOR,
            format!("column type {} is not supported", c.type_name),
        );
        return Ok(vec![]);
    };
    let Some(metric) = Metric::from_opclass(&index.opclass) else {
        out.skip(
            DETECTOR,
            format!("operator class {} is not supported", index.opclass),
        );
        return Ok(vec![]);
    };
    let k = ctx.contract.k.max(1) as usize;
    let laps = crate::clock::Laps::start("recall probe: ");
    let (probes, source) = sample(detect, c, ctx.contract, kind, metric, seed)?;
    laps.lap("probe vectors sampled");
    if probes.is_empty() {
        out.skip(DETECTOR, "the collection has no rows to probe with");
        return Ok(vec![]);
    }
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    let exact = exact_top_k(detect, &c.name(), &c.column, kind, metric, &values, k)?;
    laps.lap("exact top-k");
    let spec = ProbeSpec {
        table: c.name(),
        column: c.column.clone(),
        kind,
        metric,
        k,
    };
    let mut report = measure(app, &exact, &probes, &spec)?;
    report.probe_source = source.as_str().into();
    laps.lap("ANN queries");
    out.set("recall.at_k", report.recall);
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
    let target = ctx.contract.min_recall;
    // The contract is missed only when the whole interval lies below it.
    let missed = report.recall_high < target;
    let boost = if report.plan_uses_index && missed {
        boosted(
            app,
            &exact,
            &probes,
            &spec,
            ctx.contract,
            &index.method,
            &report,
            out,
        )?
    } else {
        None
    };
    // Whether some search breadth within the latency contract meets the
    // recall contract (0 also when recall was met and no ladder was needed).
    out.set(
        "recall.search_exhausted",
        if boost.as_ref().is_some_and(|b| b.exhausted) {
            1.0
        } else {
            0.0
        },
    );
    if let Some(b) = &boost {
        laps.lap("search-breadth ladder");
        if let Some(r) = b.point() {
            out.set("recall.boosted_at_k", r.recall);
            out.set("recall.boosted_ci_low", r.ci_low);
            out.set("recall.boosted_p99_ms", r.p99_ms);
            out.set("recall.boosted_setting", r.value as f64);
        }
        out.set("recall.search_current", b.current as f64);
        out.detail("recall_ladder", b);
    }
    if !report.plan_uses_index {
        out.push(Finding::new(Class::Unknown, Severity::Info, DETECTOR, format!(
            "the planner answered the probe query without index {} (a small table or other costs); recall {:.3} says nothing about the index",
            index.name, report.recall)));
    } else if missed {
        let severity =
            if report.recall_high < target - 0.15 || report.short_results * 2 > report.probes {
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
            Finding::new(Class::RecallDegradation, severity, DETECTOR, format!(
                "recall@{k} is {:.3} (95% interval {:.3}..{:.3}) against a contract of {target:.2} over {} probe queries ({}){short}",
                report.recall, report.recall_low, report.recall_high, report.probes, source.as_str()))
            .metric("recall.at_k", report.recall, Some(target))
            .evidence(json!({"recall_min": report.recall_min, "short_results": report.short_results,
                             "recall_low": report.recall_low, "recall_high": report.recall_high,
                             "probe_source": source.as_str(),
                             "index": index.name, "settings": report.settings, "boost": boost})),
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
                DETECTOR,
                format!(
                    "p99 latency of the ANN query is {:.1} ms against a contract of {max:.1} ms",
                    report.latency_ms.p99
                ),
            )
            .metric("latency.p99_ms", report.latency_ms.p99, Some(max))
            .evidence(json!({"latency_ms": report.latency_ms})),
        );
    }
    out.detail("recall", &report);
    Ok(probes)
}

/// Probe vectors: from the contract's table of real queries when it names one,
/// else queries that are not in the table: each sampled row stepped within the
/// span of its near neighbours ([`mix`]; sparsevec rows are used as they are).
pub fn sample(
    detect: &mut postgres::Client,
    c: &crate::catalog::Collection,
    contract: &crate::config::CollectionContract,
    kind: VecKind,
    metric: Metric,
    seed: u64,
) -> Result<(Vec<Probe>, ProbeSource)> {
    if let Some(name) = &contract.query_table {
        let (schema, table) = crate::sql::quote::split_name(name)
            .map_err(|e| crate::exit::usage(format!("query_table {name:?}: {e}")))?;
        let q = QualifiedName::new(schema.unwrap_or_else(|| c.schema.clone()), table);
        let column = contract.query_column.as_deref().unwrap_or(&c.column);
        let probes = sample_probes(detect, &q, column, kind, contract.probes, seed, 0)
            .with_context(|| format!("sampling real queries from {q}.{column}"))?;
        return Ok((probes, ProbeSource::QueryTable));
    }
    let mut rows = sample_probes(
        detect,
        &c.name(),
        &c.column,
        kind,
        contract.probes,
        seed,
        c.rows.unwrap_or(0),
    )?;
    if kind == VecKind::Sparsevec || rows.is_empty() {
        return Ok((rows, ProbeSource::TableRows));
    }
    let keep_norm = !matches!(metric, Metric::L2 | Metric::L1);
    let sql = neighbour_query(&ext_schema(detect)?, c, kind, metric, rows[0].value.dims())?;
    let what = || {
        format!(
            "finding near neighbours of the probe rows in {}",
            c.collection
        )
    };
    let stmt = detect.prepare(&sql).with_context(what)?;
    let mut mixed = 0;
    for (i, row) in rows.iter_mut().enumerate() {
        let found = detect
            .query(&stmt, &[&row.value.to_text()])
            .with_context(what)?;
        let mut near = Vec::with_capacity(found.len());
        for r in &found {
            let (oid, ctid, raw): (u32, Ctid, Option<Raw>) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let Some(raw) = raw else { continue };
            let tid = super::exact::Tid::from_ctid(oid, &ctid.0).context("bad ctid")?;
            let value = Value::decode(kind, &raw.0).with_context(what)?;
            if tid != row.tid && value != row.value {
                near.push(value);
            }
        }
        let row_seed = seed.wrapping_mul(0x100_0000_01B3).wrapping_add(i as u64);
        if let Some(q) = mix(&row.value, &near, row_seed, keep_norm) {
            row.value = q;
            mixed += 1;
        }
    }
    let source = if mixed * 2 >= rows.len() {
        ProbeSource::Neighbourhood
    } else {
        ProbeSource::TableRows
    };
    Ok((rows, source))
}

/// Neighbours looked up per probe row.
const NEIGHBOURS: usize = 10;

/// `SELECT tableoid, ctid, col FROM t ORDER BY col <op> $1 LIMIT n`, qualified.
fn neighbour_query(
    ext_schema: &str,
    c: &crate::catalog::Collection,
    kind: VecKind,
    metric: Metric,
    dims: usize,
) -> Result<String> {
    let ext = crate::sql::ident(ext_schema)?;
    let col = crate::sql::ident(&c.column)?;
    let ty = match kind {
        VecKind::Bit => format!("bit({dims})"),
        kind => format!("{ext}.{}", kind.type_name()),
    };
    Ok(format!(
        "SELECT tableoid, ctid, {col} FROM {} ORDER BY {col} OPERATOR({ext}.{}) ($1::text)::{ty} LIMIT {}",
        c.name().sql()?,
        metric.operator(),
        NEIGHBOURS + 1
    ))
}

/// Measures the search-breadth ladder ([`super::tune`]) of the index's setting
/// from the value the application gets now: the smallest rung that meets the
/// recall and latency contracts, or that none does. `None` for an access
/// method without one.
#[allow(clippy::too_many_arguments)]
fn boosted(
    app: &mut postgres::Client,
    exact: &super::exact::ExactResult,
    probes: &[Probe],
    spec: &ProbeSpec,
    contract: &crate::config::CollectionContract,
    method: &str,
    report: &super::recall::RecallReport,
    out: &Measured,
) -> Result<Option<super::tune::Ladder>> {
    let current = |name: &str, default: i64| {
        report
            .settings
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(default)
    };
    let (now, lists) = match method {
        "hnsw" => (current("hnsw.ef_search", 40), 0),
        "ivfflat" => (
            current("ivfflat.probes", 1),
            out.get("index.lists").unwrap_or(100.0) as i64,
        ),
        _ => return Ok(None),
    };
    let max_p99 = super::tune::latency_limit(contract, report.latency_ms.p99);
    super::tune::ladder(
        app,
        exact,
        probes,
        spec,
        contract.min_recall,
        max_p99,
        method,
        now,
        lists,
    )
    .map(Some)
}

/// The probe values as dense f32 vectors (for drift against IVFFlat centres).
pub fn dense(probes: &[Probe]) -> Vec<Vec<f32>> {
    probes
        .iter()
        .filter_map(|p| match &p.value {
            Value::Vector(v) | Value::Halfvec(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}
