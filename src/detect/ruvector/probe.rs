//! The recall and latency probe on a `ruvector` column: probe vectors sampled
//! from the table, their exact top-k from the same single streamed binary COPY
//! pass as pgvector's (rows decoded from RuVector's send format), the
//! application's ANN query with RuVector's operators, compared.
//!
//! Operators and types are qualified with the `ruvector` extension's schema
//! (`OPERATOR(schema.<->)`); nothing is SET on the measured session except
//! inside the boost's rolled-back transaction (`ruvector.hnsw_ef_search`).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use postgres::GenericClient;
use postgres::types::{FromSql, Type};

use crate::detect::distance::Metric;
use crate::detect::exact::{ExactResult, Tid};
use crate::detect::recall::{LatencyMs, Probe, RecallReport, probe_recall};
use crate::detect::vectors::{Value, VecKind};
use crate::sql::{QualifiedName, ident};

/// RuVector's search settings the probe reports.
pub const SETTINGS: [&str; 2] = ["ruvector.hnsw_ef_search", "ruvector.probes"];

/// What to probe.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The table.
    pub table: QualifiedName,
    /// The `ruvector` column.
    pub column: String,
    /// The schema of the `ruvector` extension (unquoted).
    pub ext: String,
    /// The metric of the index's opclass.
    pub metric: Metric,
    /// Neighbours per query.
    pub k: usize,
}

/// Samples up to `n` non-NULL, non-zero probe vectors, deterministic for a
/// seed while the table is unchanged (a seeded hash of the row orders them;
/// a large table is first sampled by blocks), in row order.
pub fn sample(
    client: &mut impl GenericClient,
    spec: &Spec,
    n: usize,
    seed: u64,
) -> Result<Vec<Probe>> {
    if n == 0 {
        return Ok(vec![]);
    }
    let col = ident(&spec.column)?;
    let ext = ident(&spec.ext)?;
    let table = spec.table.sql()?;
    let blocks: f64 = client
        .query_one(
            "SELECT coalesce((SELECT relpages FROM pg_catalog.pg_class \
              WHERE oid = pg_catalog.to_regclass($1)), 0)::float8",
            &[&table],
        )?
        .get(0);
    let percent = 100.0 * 4.0 * n as f64 / blocks.max(1.0);
    let sample = if blocks > 0.0 && percent < 50.0 {
        "TABLESAMPLE SYSTEM ($3::float8) REPEATABLE ($4::float8)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT tableoid, ctid::text, {col} FROM {table} {sample} \
          WHERE {col} IS NOT NULL AND {ext}.ruvector_norm({col}) > 0 \
          ORDER BY pg_catalog.md5(tableoid::text || ctid::text || $1::text) LIMIT $2::int8"
    );
    let seed_text = seed.to_string();
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let repeatable = (seed & ((1 << 53) - 1)) as f64;
    let what = || format!("sampling {n} probes from {}.{}", spec.table, spec.column);
    let mut rows = if sample.is_empty() {
        vec![]
    } else {
        client
            .query(&sql, &[&seed_text, &limit, &percent, &repeatable])
            .with_context(what)?
    };
    if rows.len() < n {
        let whole = sql.replace(sample, "");
        rows = client
            .query(&whole, &[&seed_text, &limit])
            .with_context(what)?;
    }
    let mut probes = Vec::with_capacity(rows.len());
    for row in rows {
        let oid: u32 = row.try_get(0)?;
        let tid = parse_tid(oid, &row.try_get::<_, String>(1)?)?;
        let raw: Raw = row.try_get(2)?;
        let value = Value::decode(VecKind::Ruvector, &raw.0).with_context(what)?;
        probes.push(Probe { tid, value });
    }
    probes.sort_by_key(|p| p.tid);
    Ok(probes)
}

/// The exact top-k of every probe: one binary COPY pass over the column.
pub fn exact(
    client: &mut impl GenericClient,
    spec: &Spec,
    probes: &[Probe],
) -> Result<ExactResult> {
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    crate::detect::exact::exact_top_k(
        client,
        &spec.table,
        &spec.column,
        VecKind::Ruvector,
        spec.metric,
        &values,
        spec.k,
    )
}

/// `SELECT tableoid, ctid, dist FROM t ORDER BY col OPERATOR(ext.op) $1 LIMIT k`,
/// the probe bound as text and cast to the extension's type.
pub fn ann_sql(spec: &Spec, limit: usize) -> Result<String> {
    let ext = ident(&spec.ext)?;
    let col = ident(&spec.column)?;
    let dist = format!(
        "{col} OPERATOR({ext}.{}) ($1::text)::{ext}.ruvector",
        spec.metric.operator()
    );
    Ok(format!(
        "SELECT tableoid, ctid::text, ({dist})::float8 FROM {} ORDER BY {dist} LIMIT {limit}",
        spec.table.sql()?
    ))
}

/// Runs the approximate query for every probe on `ann`, times and scores it.
pub fn measure(
    ann: &mut impl GenericClient,
    exact: &ExactResult,
    probes: &[Probe],
    spec: &Spec,
) -> Result<RecallReport> {
    if probes.is_empty() || exact.neighbours.len() != probes.len() {
        bail!("recall needs one exact result per probe");
    }
    let sql = ann_sql(spec, spec.k)?;
    let what = || {
        format!(
            "approximate {} query on {}.{}",
            spec.metric, spec.table, spec.column
        )
    };
    let stmt = ann.prepare(&sql).with_context(what)?;
    let first = probes[0].value.to_text();
    let plan: serde_json::Value = ann
        .query_one(&format!("EXPLAIN (FORMAT JSON) {sql}"), &[&first])
        .and_then(|r| r.try_get(0))
        .with_context(|| format!("explaining the {}", what()))?;
    let index_name = plan_index(&plan);
    let (mut recalls, mut latencies, mut short) = (Vec::new(), Vec::new(), 0);
    for (probe, truth) in probes.iter().zip(&exact.neighbours) {
        let text = probe.value.to_text();
        let start = Instant::now();
        let rows = ann.query(&stmt, &[&text]).with_context(what)?;
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        let mut got = Vec::with_capacity(rows.len());
        for row in &rows {
            let tid = parse_tid(row.try_get(0)?, &row.try_get::<_, String>(1)?)?;
            got.push((row.try_get::<_, Option<f64>>(2)?, tid));
        }
        if got.len() < spec.k.min(truth.len()) {
            short += 1;
        }
        recalls.push(probe_recall(&got, truth, spec.k));
    }
    let settings = read_settings(ann)?;
    recalls.sort_by(f64::total_cmp);
    latencies.sort_by(f64::total_cmp);
    let (recall_low, recall_high) = crate::detect::recall::interval(&recalls, spec.k);
    Ok(RecallReport {
        probes: probes.len(),
        k: spec.k,
        recall: mean(&recalls),
        recall_low,
        recall_high,
        recall_half_width: (recall_high - recall_low) / 2.0,
        probe_source: "table_rows".into(),
        recall_min: recalls.first().copied().unwrap_or(f64::NAN),
        recall_p10: percentile(&recalls, 0.10),
        short_results: short,
        latency_ms: LatencyMs {
            mean: mean(&latencies),
            p50: percentile(&latencies, 0.50),
            p95: percentile(&latencies, 0.95),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or(f64::NAN),
        },
        plan_uses_index: index_name.is_some(),
        index_name,
        exact_rows_scanned: exact.rows_scanned,
        settings,
    })
}

/// Recall re-measured with `ruvector.hnsw_ef_search` raised (SET LOCAL in a
/// rolled-back transaction): `(from, to, report)`, `None` at the maximum.
pub fn boosted(
    app: &mut postgres::Client,
    exact: &ExactResult,
    probes: &[Probe],
    spec: &Spec,
    report: &RecallReport,
) -> Result<Option<(i64, i64, RecallReport)>> {
    let from = report
        .settings
        .get("ruvector.hnsw_ef_search")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(40);
    let to = (from * 4).max(4 * spec.k as i64).clamp(100, 1000);
    if to <= from {
        return Ok(None);
    }
    let mut tx = app.transaction()?;
    tx.batch_execute(&format!(
        "SET LOCAL ruvector.hnsw_ef_search = {}",
        crate::sql::literal(&to.to_string())?
    ))?;
    let r = measure(&mut tx, exact, probes, spec)?;
    tx.rollback()?;
    Ok(Some((from, to, r)))
}

/// The session's effective RuVector search settings (those the server knows).
pub fn read_settings(client: &mut impl GenericClient) -> Result<BTreeMap<String, String>> {
    let rows = client
        .query(
            "SELECT s, pg_catalog.current_setting(s, true) FROM pg_catalog.unnest($1::text[]) AS s",
            &[&SETTINGS.as_slice()],
        )
        .context("reading ruvector settings")?;
    let mut out = BTreeMap::new();
    for r in rows {
        if let (name, Some(value)) = (r.try_get::<_, String>(0)?, r.try_get(1)?) {
            out.insert(name, value);
        }
    }
    Ok(out)
}

/// `(block,offset)` text of a tid, with its table.
pub fn parse_tid(table: u32, text: &str) -> Result<Tid> {
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    let (b, o) = inner
        .split_once(',')
        .with_context(|| format!("bad tid {text:?}"))?;
    Ok(Tid {
        table,
        block: b
            .trim()
            .parse()
            .with_context(|| format!("bad tid {text:?}"))?,
        offset: o
            .trim()
            .parse()
            .with_context(|| format!("bad tid {text:?}"))?,
    })
}

/// The first index an EXPLAIN (FORMAT JSON) plan scans.
pub fn plan_index(plan: &serde_json::Value) -> Option<String> {
    match plan {
        serde_json::Value::Array(items) => items.iter().find_map(plan_index),
        serde_json::Value::Object(node) => node
            .get("Index Name")
            .and_then(|n| n.as_str().map(str::to_string))
            .or_else(|| node.get("Plan").and_then(plan_index))
            .or_else(|| node.get("Plans").and_then(plan_index)),
        _ => None,
    }
}

/// The node types of a plan, outermost first (`Aggregate`, `Index Only Scan`, ...).
pub fn plan_nodes(plan: &serde_json::Value, out: &mut Vec<String>) {
    match plan {
        serde_json::Value::Array(items) => items.iter().for_each(|i| plan_nodes(i, out)),
        serde_json::Value::Object(node) => {
            if let Some(t) = node.get("Node Type").and_then(|t| t.as_str()) {
                out.push(t.to_string());
            }
            for key in ["Plan", "Plans"] {
                if let Some(p) = node.get(key) {
                    plan_nodes(p, out);
                }
            }
        }
        _ => {}
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or(f64::NAN)
}

/// Any column's binary value, as bytes.
pub struct Raw(pub Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ann_query_is_qualified_and_quoted() {
        let spec = Spec {
            table: QualifiedName::new("My s", "items"),
            column: "Emb".into(),
            ext: "rv".into(),
            metric: Metric::Cosine,
            k: 10,
        };
        assert_eq!(
            ann_sql(&spec, 10).unwrap(),
            "SELECT tableoid, ctid::text, (\"Emb\" OPERATOR(\"rv\".<=>) ($1::text)::\"rv\".ruvector)::float8 \
             FROM \"My s\".\"items\" ORDER BY \"Emb\" OPERATOR(\"rv\".<=>) ($1::text)::\"rv\".ruvector LIMIT 10"
        );
    }

    #[test]
    fn tids_parse_from_text() {
        let t = parse_tid(5, "(12,3)").unwrap();
        assert_eq!((t.table, t.block, t.offset), (5, 12, 3));
        assert!(parse_tid(5, "12").is_err());
    }

    #[test]
    fn plan_nodes_lists_the_scan() {
        let plan = serde_json::json!([{"Plan": {"Node Type": "Aggregate", "Plans": [
            {"Node Type": "Index Only Scan", "Index Name": "items_hnsw"}]}}]);
        let mut nodes = vec![];
        plan_nodes(&plan, &mut nodes);
        assert_eq!(nodes, ["Aggregate", "Index Only Scan"]);
        assert_eq!(plan_index(&plan).as_deref(), Some("items_hnsw"));
    }
}
