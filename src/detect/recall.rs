//! The recall and latency probe: sample query vectors from the table, run the
//! approximate (index) query for each on a session with the database's and
//! role's default settings, and compare with the exact neighbours of
//! [`super::exact`].
//!
//! Sets nothing on the measured session: whatever `hnsw.ef_search`,
//! `ivfflat.probes` and iterative-scan settings users get, the probe gets too.
//! Operators and types are schema-qualified with the `vector` extension's
//! schema, so the probe works whatever the `search_path`.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use postgres::GenericClient;
use postgres::types::{FromSql, Type};
use serde::Serialize;

use super::distance::Metric;
use super::exact::{ExactResult, Tid};
use super::vectors::{Value, VecKind};
use crate::sql::{QualifiedName, ident};

/// A query vector taken from the table, with the row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The row the value was read from.
    pub tid: Tid,
    /// The value, used as the query vector.
    pub value: Value,
}

/// What to probe: the collection's column and the metric of its index.
#[derive(Debug, Clone)]
pub struct ProbeSpec {
    /// The table.
    pub table: QualifiedName,
    /// The vector column.
    pub column: String,
    /// The column's type.
    pub kind: VecKind,
    /// The metric of the index's opclass.
    pub metric: Metric,
    /// Neighbours per query (the `LIMIT`).
    pub k: usize,
}

/// Query latency in milliseconds, over all probes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyMs {
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (nearest rank).
    pub p50: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Slowest query.
    pub max: f64,
}

/// What the probe measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecallReport {
    /// Number of probes.
    pub probes: usize,
    /// Neighbours asked for per query.
    pub k: usize,
    /// Mean recall@k.
    pub recall: f64,
    /// Lower end of the 95% interval of `recall` over the probe set ([`interval`]).
    pub recall_low: f64,
    /// Upper end of that interval.
    pub recall_high: f64,
    /// Half its width.
    pub recall_half_width: f64,
    /// Where the probe vectors came from: `neighbourhood` (rows stepped within
    /// their neighbourhood: queries not in the table), `query_table`, `table_rows`.
    pub probe_source: String,
    /// Worst probe's recall.
    pub recall_min: f64,
    /// 10th percentile of the probes' recall (nearest rank).
    pub recall_p10: f64,
    /// Probes whose query returned fewer than k rows (fewer than the exact
    /// result holds, when the table has fewer than k indexable rows).
    pub short_results: usize,
    /// Query latency.
    pub latency_ms: LatencyMs,
    /// Whether the planner chose an index scan (if not, recall is trivially 1).
    pub plan_uses_index: bool,
    /// The index the plan scans, if any.
    pub index_name: Option<String>,
    /// Rows the exact pass compared.
    pub exact_rows_scanned: u64,
    /// Effective `hnsw.*` / `ivfflat.*` settings of the measured session.
    pub settings: BTreeMap<String, String>,
}

/// The settings [`read_settings`] reports.
pub const SETTINGS: [&str; 4] = [
    "hnsw.ef_search",
    "hnsw.iterative_scan",
    "ivfflat.probes",
    "ivfflat.iterative_scan",
];

/// Samples up to `n` probes: non-NULL, non-zero values (a zero vector has no
/// cosine distance and ties everything under inner product), deterministic for
/// a given `seed` while the table is unchanged. Large tables are sampled with
/// `TABLESAMPLE BERNOULLI (p) REPEATABLE (seed)` at about twice `n` rows, then
/// `n` are chosen by a seeded hash of their row; small tables (or a sample that
/// came up short) are ranked whole by that hash. The result is in row order.
pub fn sample_probes(
    client: &mut impl GenericClient,
    table: &QualifiedName,
    column: &str,
    kind: VecKind,
    n: usize,
    seed: u64,
    estimated_rows: i64,
) -> Result<Vec<Probe>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let ext = ident(&ext_schema(client)?)?;
    let col = ident(column)?;
    let nonzero = match kind {
        VecKind::Bit => format!("pg_catalog.bit_count({col}) > 0"),
        VecKind::Vector => format!("{ext}.vector_norm({col}) > 0"),
        VecKind::Halfvec | VecKind::Sparsevec => format!("{ext}.l2_norm({col}) > 0"),
        VecKind::Ruvector => bail!("ruvector columns are sampled by detect::ruvector"),
    };
    let select = |sample: &str| {
        Ok::<_, anyhow::Error>(format!(
            "SELECT tableoid, ctid, {col} FROM {} {sample} WHERE {col} IS NOT NULL AND {nonzero} \
             ORDER BY md5(tableoid::text || ctid::text || $1::text) LIMIT $2::int8",
            table.sql()?
        ))
    };
    let seed_text = seed.to_string();
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let percent = 100.0 * 2.0 * n as f64 / estimated_rows.max(1) as f64;
    let what = || format!("sampling {n} probes from {table}.{column}");
    let mut rows = Vec::new();
    let repeatable = (seed & ((1 << 53) - 1)) as f64;
    // Whole blocks first (SYSTEM reads only the blocks it picks; BERNOULLI reads
    // every block of the table): some 2n blocks, of which the md5 order keeps a
    // few rows each. Needs the table's block count (none for a partitioned
    // parent, which goes on to BERNOULLI).
    let blocks: f64 = client
        .query_one(
            "SELECT coalesce((SELECT relpages FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)), 0)::float8",
            &[&table.sql()?],
        )
        .with_context(what)?
        .get(0);
    let per_block = 100.0 * 2.0 * n as f64 / blocks.max(1.0);
    if estimated_rows > 0 && blocks > 0.0 && per_block < 50.0 {
        let sql = select("TABLESAMPLE SYSTEM ($3::float8) REPEATABLE ($4::float8)")?;
        rows = client
            .query(&sql, &[&seed_text, &limit, &per_block, &repeatable])
            .with_context(what)?;
    }
    if rows.len() < n && estimated_rows > 0 && percent < 50.0 {
        let sql = select("TABLESAMPLE BERNOULLI ($3::float8) REPEATABLE ($4::float8)")?;
        rows = client
            .query(&sql, &[&seed_text, &limit, &percent, &repeatable])
            .with_context(what)?;
    }
    if rows.len() < n {
        rows = client
            .query(&select("")?, &[&seed_text, &limit])
            .with_context(what)?;
    }
    let mut probes = Vec::with_capacity(rows.len());
    for row in rows {
        let table_oid: u32 = row.try_get(0).with_context(what)?;
        let ctid: Ctid = row.try_get(1).with_context(what)?;
        let raw: Raw = row.try_get(2).with_context(what)?;
        let tid = Tid::from_ctid(table_oid, &ctid.0).context("bad ctid")?;
        let value =
            Value::decode(kind, &raw.0).with_context(|| format!("{}: row {tid}", what()))?;
        probes.push(Probe { tid, value });
    }
    probes.sort_by_key(|p| p.tid);
    Ok(probes)
}

/// Runs the approximate query for every probe on `ann` (a session with default
/// settings; nothing is SET on it), times each, and scores it against `exact`
/// (computed for the same probes, in the same order).
pub fn measure(
    ann: &mut impl GenericClient,
    exact: &ExactResult,
    probes: &[Probe],
    spec: &ProbeSpec,
) -> Result<RecallReport> {
    if probes.is_empty() || exact.neighbours.len() != probes.len() {
        bail!(
            "recall needs probes and one exact result per probe ({} probes, {} exact results)",
            probes.len(),
            exact.neighbours.len()
        );
    }
    let sql = ann_query(&ext_schema(ann)?, spec, probes[0].value.dims())?;
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
            let (oid, ctid, d): (u32, Ctid, Option<f64>) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            got.push((d, Tid::from_ctid(oid, &ctid.0).context("bad ctid")?));
        }
        if got.len() < spec.k.min(truth.len()) {
            short += 1;
        }
        recalls.push(probe_recall(&got, truth, spec.k));
    }
    let settings = read_settings(ann)?;
    let (recall_low, recall_high) = interval(&recalls, spec.k);
    recalls.sort_by(f64::total_cmp);
    latencies.sort_by(f64::total_cmp);
    Ok(RecallReport {
        probes: probes.len(),
        k: spec.k,
        recall: mean(&recalls),
        recall_low,
        recall_high,
        recall_half_width: (recall_high - recall_low) / 2.0,
        probe_source: String::new(),
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

/// The session's effective [`SETTINGS`] (those the server knows; read after a
/// vector query, since pgvector defines them when its library loads).
pub fn read_settings(client: &mut impl GenericClient) -> Result<BTreeMap<String, String>> {
    let rows = client
        .query(
            "SELECT s, current_setting(s, true) FROM unnest($1::text[]) AS s",
            &[&SETTINGS.as_slice()],
        )
        .context("reading hnsw/ivfflat settings")?;
    let mut out = BTreeMap::new();
    for r in rows {
        if let (name, Some(value)) = (r.try_get::<_, String>(0)?, r.try_get(1)?) {
            out.insert(name, value);
        }
    }
    Ok(out)
}

/// The schema the `vector` extension is installed in.
pub fn ext_schema(client: &mut impl GenericClient) -> Result<String> {
    crate::sql::extension_schema(client, "vector")?
        .context("the vector extension is not installed in this database")
}

/// The approximate query: `SELECT tableoid, ctid, col <op> $1 ... ORDER BY col <op> $1 LIMIT k`,
/// the probe bound as text and cast to the column's type.
pub fn ann_query(ext_schema: &str, spec: &ProbeSpec, dims: usize) -> Result<String> {
    let ext = ident(ext_schema)?;
    let col = ident(&spec.column)?;
    let ty = match spec.kind {
        VecKind::Bit => format!("bit({dims})"),
        kind => format!("{ext}.{}", kind.type_name()),
    };
    let dist = format!(
        "{col} OPERATOR({ext}.{}) ($1::text)::{ty}",
        spec.metric.operator()
    );
    Ok(format!(
        "SELECT tableoid, ctid, {dist} FROM {} ORDER BY {dist} LIMIT {}",
        spec.table.sql()?,
        spec.k
    ))
}

/// Recall@k of one probe: the share of the exact top-k (or of all exact rows,
/// when fewer) that the approximate rows cover. An approximate row counts if it
/// is in the exact set or no farther than the exact k-th distance (ties).
pub fn probe_recall(ann: &[(Option<f64>, Tid)], exact: &[(f64, Tid)], k: usize) -> f64 {
    let denom = exact.len().min(k);
    let Some(&(kth, _)) = exact.get(denom.wrapping_sub(1)) else {
        return 1.0;
    };
    let limit = kth + kth.abs() * 1e-6 + 1e-9;
    let truth: HashSet<Tid> = exact[..denom].iter().map(|e| e.1).collect();
    let mut seen = HashSet::new();
    let hits = ann
        .iter()
        .take(k)
        .filter(|(d, t)| seen.insert(*t) && (truth.contains(t) || d.is_some_and(|d| d <= limit)))
        .count();
    hits.min(denom) as f64 / denom as f64
}

/// z of a two-sided 95% interval.
const Z95: f64 = 1.959_964;

/// The 95% Wilson score interval of mean recall@k over the probes.
///
/// A probe's k answers are not independent trials (a query that misses tends to
/// miss several), so the interval is taken at the effective sample size the
/// probes' own variance implies: `n_eff = p(1-p) / (s^2 / n)`, kept between the
/// number of probes (every probe all or nothing) and probes x k (independent
/// answers; also when every probe scored the same). Unlike the normal interval
/// it stays inside [0, 1] and does not collapse to a point at recall 1.
pub fn interval(recalls: &[f64], k: usize) -> (f64, f64) {
    let n = recalls.len() as f64;
    if recalls.is_empty() {
        return (0.0, 1.0);
    }
    let p = mean(recalls).clamp(0.0, 1.0);
    let var = if recalls.len() > 1 {
        recalls.iter().map(|r| (r - p).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let trials = n * k.max(1) as f64;
    let n_eff = if var > 0.0 {
        (p * (1.0 - p) / (var / n)).clamp(n, trials)
    } else {
        trials
    };
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_eff;
    let centre = (p + z2 / (2.0 * n_eff)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The first index an EXPLAIN (FORMAT JSON) plan scans.
fn plan_index(plan: &serde_json::Value) -> Option<String> {
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

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// Nearest-rank percentile of sorted values (NaN for none).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or(f64::NAN)
}

/// Any column's binary value, as bytes.
pub(super) struct Raw(pub(super) Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A `tid` column's 6 binary bytes.
pub(super) struct Ctid(pub(super) Vec<u8>);

impl<'a> FromSql<'a> for Ctid {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Ctid(raw.to_vec()))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TID
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tid(b: u32) -> Tid {
        Tid {
            table: 7,
            block: b,
            offset: 1,
        }
    }

    #[test]
    fn recall_counts_members_and_ties() {
        let exact = [(0.0, tid(1)), (1.0, tid(2)), (2.0, tid(3))];
        let ann = |rows: &[(f64, u32)]| {
            rows.iter()
                .map(|(d, b)| (Some(*d), tid(*b)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            probe_recall(&ann(&[(0.0, 1), (1.0, 2), (2.0, 3)]), &exact, 3),
            1.0
        );
        // a tie at the k-th distance counts; a farther row does not; duplicates count once
        assert_eq!(
            probe_recall(&ann(&[(0.0, 1), (2.0, 9), (2.5, 8)]), &exact, 3),
            2.0 / 3.0
        );
        assert_eq!(
            probe_recall(&ann(&[(0.0, 1), (0.0, 1)]), &exact, 3),
            1.0 / 3.0
        );
        assert_eq!(probe_recall(&[], &exact, 3), 0.0);
        // fewer exact rows than k: they are the denominator
        assert_eq!(
            probe_recall(&ann(&[(0.0, 1), (1.0, 2)]), &exact[..2], 10),
            1.0
        );
        assert_eq!(probe_recall(&[], &[], 10), 1.0);
        // negative distances (inner product): the tolerance widens, not narrows
        let ip = [(-3.0, tid(1)), (-2.0, tid(2))];
        assert_eq!(
            probe_recall(&ann(&[(-3.0, 1), (-2.000_000_1, 5)]), &ip, 2),
            1.0
        );
        // NULL distances are never ties
        assert_eq!(probe_recall(&[(None, tid(9))], &exact[..1], 1), 0.0);
    }

    #[test]
    fn the_interval_widens_with_spread_and_narrows_with_probes() {
        // all perfect: not a point, but close to 1 with many answers
        let (lo, hi) = interval(&[1.0; 100], 10);
        assert_eq!(hi, 1.0);
        assert!(lo > 0.99 && lo < 1.0, "{lo}");
        // the same mean, all-or-nothing probes: as wide as 100 coin flips
        let mut bimodal = vec![1.0; 95];
        bimodal.extend([0.0; 5]);
        let (blo, bhi) = interval(&bimodal, 10);
        let spread = vec![0.95; 100];
        let (slo, shi) = interval(&spread, 10);
        assert!(
            bhi - blo > 2.0 * (shi - slo),
            "{blo}..{bhi} vs {slo}..{shi}"
        );
        assert!(blo < 0.95 && bhi > 0.95 && slo < 0.95 && shi > 0.95);
        // the textbook Wilson interval for 95/100: 0.888..0.978
        assert!(
            (blo - 0.8883).abs() < 1e-3 && (bhi - 0.9785).abs() < 1e-3,
            "{blo} {bhi}"
        );
        // four times the probes: about half the width
        let (qlo, qhi) = interval(&bimodal.repeat(4), 10);
        assert!(((qhi - qlo) / (bhi - blo) - 0.5).abs() < 0.08);
        assert_eq!(interval(&[], 10), (0.0, 1.0));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let xs: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&xs, 0.10), 2.0);
        assert_eq!(percentile(&xs, 0.50), 10.0);
        assert_eq!(percentile(&xs, 0.99), 20.0);
        assert_eq!(percentile(&[4.0], 0.0), 4.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn plan_index_finds_nested_index_scans() {
        let plan = serde_json::json!([{"Plan": {"Node Type": "Limit", "Plans": [
            {"Node Type": "Index Scan", "Index Name": "Emb idx", "Relation Name": "t"}]}}]);
        assert_eq!(plan_index(&plan).as_deref(), Some("Emb idx"));
        let seq = serde_json::json!([{"Plan": {"Node Type": "Limit", "Plans": [
            {"Node Type": "Sort", "Plans": [{"Node Type": "Seq Scan"}]}]}}]);
        assert_eq!(plan_index(&seq), None);
    }

    #[test]
    fn ann_query_quotes_and_qualifies() {
        let spec = ProbeSpec {
            table: QualifiedName::new("My s", "t\"x"),
            column: "Emb".into(),
            kind: VecKind::Bit,
            metric: Metric::Hamming,
            k: 10,
        };
        assert_eq!(
            ann_query("ext", &spec, 64).unwrap(),
            "SELECT tableoid, ctid, \"Emb\" OPERATOR(\"ext\".<~>) ($1::text)::bit(64) FROM \"My s\".\"t\"\"x\" \
             ORDER BY \"Emb\" OPERATOR(\"ext\".<~>) ($1::text)::bit(64) LIMIT 10"
        );
    }
}
