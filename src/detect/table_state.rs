//! Table and index state from the statistics views and catalogs: dead tuples,
//! vacuum age, invalid and leftover indexes, missing or unused ANN indexes,
//! index size against what its rows need.

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::{Class, Finding, Severity};

const DETECTOR: &str = "table";

// Live rows: the statistics view, or the catalog's estimate (kept by VACUUM and
// ANALYZE) when the view has none: cumulative statistics are lost in a crash
// and by pg_stat_reset(), which would make a large table look empty.
const STATS_SQL: &str = "
SELECT CASE WHEN coalesce(s.n_live_tup, 0) = 0 AND c.reltuples > 0 THEN c.reltuples
            ELSE coalesce(s.n_live_tup, 0) END::float8,
       coalesce(s.n_dead_tup, 0)::float8,
       extract(epoch FROM now() - greatest(s.last_vacuum, s.last_autovacuum))::float8,
       extract(epoch FROM now() - greatest(s.last_analyze, s.last_autoanalyze))::float8,
       coalesce(s.seq_scan, 0)::float8, coalesce(s.seq_tup_read, 0)::float8,
       coalesce(s.idx_scan, 0)::float8, coalesce(s.n_tup_ins, 0)::float8,
       coalesce(s.n_tup_del, 0)::float8, coalesce(s.n_tup_upd, 0)::float8,
       coalesce(s.n_ins_since_vacuum, 0)::float8,
       coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions)
                  WHERE option_name = 'autovacuum_enabled'), 'on'),
       pg_table_size(c.oid)::float8
FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE c.oid = $1";

/// Measures table statistics and index state.
pub fn detect(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    let c = ctx.collection;
    let r = client
        .query_one(STATS_SQL, &[&c.oid])
        .with_context(|| format!("reading statistics of {}", c.collection))?;
    let live: f64 = r.get(0);
    let dead: f64 = r.get(1);
    let vacuum_age: Option<f64> = r.get(2);
    let analyze_age: Option<f64> = r.get(3);
    let autovacuum: String = r.get(11);
    out.set("table.live_tuples", live);
    out.set("table.dead_tuples", dead);
    let dead_ratio = if live + dead > 0.0 {
        dead / (live + dead)
    } else {
        0.0
    };
    out.set("table.dead_ratio", dead_ratio);
    if let Some(a) = vacuum_age {
        out.set("table.vacuum_age_s", a);
    }
    if let Some(a) = analyze_age {
        out.set("table.analyze_age_s", a);
    }
    for (i, name) in [
        (4, "table.seq_scan"),
        (5, "table.seq_tup_read"),
        (6, "table.idx_scan"),
        (7, "table.n_tup_ins"),
        (8, "table.n_tup_del"),
        (9, "table.n_tup_upd"),
        (10, "table.n_ins_since_vacuum"),
        (12, "table.size_bytes"),
    ] {
        out.set(name, r.get::<_, f64>(i));
    }
    dead_tuples(ctx, out, live, dead, dead_ratio, vacuum_age, &autovacuum);
    indexes(client, ctx, out, live)?;
    Ok(())
}

fn dead_tuples(
    ctx: &Ctx<'_>,
    out: &mut Measured,
    live: f64,
    dead: f64,
    ratio: f64,
    vacuum_age: Option<f64>,
    autovacuum: &str,
) {
    let cfg = ctx.config;
    // A handful of dead rows in a tiny table is noise.
    if dead < 100.0 || ratio < cfg.dead_ratio_warning {
        return;
    }
    let severity = if ratio >= cfg.dead_ratio_critical {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let vac = vacuum_age.map_or("never vacuumed".to_string(), |a| {
        format!("last vacuumed {}", age(a))
    });
    out.push(
        Finding::new(
            Class::DeadTupleBloat,
            severity,
            DETECTOR,
            format!(
                "{:.0}% of the rows are dead ({dead:.0} dead, {live:.0} live; {vac}{})",
                ratio * 100.0,
                if autovacuum == "off" || autovacuum == "false" {
                    "; autovacuum is off for this table"
                } else {
                    ""
                }
            ),
        )
        .metric("table.dead_ratio", ratio, Some(cfg.dead_ratio_warning))
        .evidence(json!({
            "dead_tuples": dead, "live_tuples": live, "vacuum_age_s": vacuum_age,
            "autovacuum_enabled": autovacuum,
        })),
    );
}

const INDEX_SQL: &str = "
SELECT ic.relname, i.indisvalid, i.indisready, am.amname,
       coalesce(s.idx_scan, 0)::float8,
       EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = ic.oid OR p.relid = i.indrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = ic.oid
WHERE i.indrelid = $1
ORDER BY ic.relname";

fn indexes(
    client: &mut impl GenericClient,
    ctx: &Ctx<'_>,
    out: &mut Measured,
    live: f64,
) -> Result<()> {
    let c = ctx.collection;
    let rows = client
        .query(INDEX_SQL, &[&c.oid])
        .with_context(|| format!("reading indexes of {}", c.collection))?;
    let invalid = rows.iter().filter(|r| !r.get::<_, bool>(1)).count();
    out.set("index.invalid", invalid as f64);
    for r in &rows {
        let name: String = r.get(0);
        let valid: bool = r.get(1);
        let building: bool = r.get(5);
        let leftover = name.contains("_ccnew") || name.contains("_ccold");
        if !valid {
            let (severity, what) = match (building, leftover) {
                (true, _) => (
                    Severity::Info,
                    "is being built right now (INVALID until the build finishes)",
                ),
                (false, true) => (
                    Severity::Warning,
                    "is INVALID, left over from an interrupted REINDEX/CREATE INDEX CONCURRENTLY; it slows every write",
                ),
                // A partitioned index is INVALID while a partition lacks an
                // attached index of its own: the partitions detector names it.
                (false, false) if c.kind == "partitioned_table" => (
                    Severity::Info,
                    "is a partitioned index, INVALID until every partition has an attached index \
                     (the partitions findings name those that lack one)",
                ),
                (false, false) => (
                    Severity::Critical,
                    "is INVALID (a failed or cancelled concurrent build): queries cannot use it and writes still maintain it",
                ),
            };
            out.push(
                Finding::new(Class::InvalidIndex, severity, DETECTOR, format!("index {name} {what}"))
                    .evidence(json!({"index": name, "method": r.get::<_, String>(3), "ready": r.get::<_, bool>(2), "build_in_progress": building})),
            );
        } else if leftover {
            out.push(
                Finding::new(Class::InvalidIndex, Severity::Info, DETECTOR, format!(
                    "index {name} is valid but named like a leftover of a concurrent rebuild (_ccnew/_ccold)"))
                    .evidence(json!({"index": name})),
            );
        }
    }
    let ann = ctx.ann_index();
    out.set("index.ann_valid", ann.is_some_and(|i| i.valid) as u8 as f64);
    // A partitioned table's leaves are judged one by one (partitions detector):
    // its parent-level index says nothing about the leaves that have theirs.
    if ann.is_none_or(|i| !i.valid)
        && c.kind != "partitioned_table"
        && live >= ctx.config.missing_index_rows as f64
    {
        out.push(
            Finding::new(Class::MissingIndex, Severity::Warning, DETECTOR, format!(
                "{live:.0} rows in {} and no valid HNSW or IVFFlat index on {}: every similarity query is a full scan",
                c.collection, c.column))
            .metric("table.live_tuples", live, Some(ctx.config.missing_index_rows as f64))
            .evidence(json!({"column": c.column, "indexes": c.indexes.iter().map(|i| &i.name).collect::<Vec<_>>()})),
        );
    }
    let Some(ann) = ann.filter(|i| i.valid) else {
        return Ok(());
    };
    let idx_scan = rows
        .iter()
        .find(|r| r.get::<_, String>(0) == ann.name)
        .map_or(0.0, |r| r.get::<_, f64>(4));
    out.set("index.size_bytes", ann.size_bytes as f64);
    // The access method as metrics, for playbook `when` conditions.
    out.set("index.hnsw", (ann.method == "hnsw") as u8 as f64);
    out.set("index.ivfflat", (ann.method == "ivfflat") as u8 as f64);
    out.set("index.idx_scan", idx_scan);
    let filenode: Option<u32> = client
        .query_one("SELECT pg_relation_filenode($1::oid)::oid", &[&ann.oid])
        .context("reading the index's relfilenode")?
        .get(0);
    if let Some(f) = filenode {
        // A new relfilenode means a new physical index (built or rebuilt since).
        out.set("index.relfilenode", f as f64);
    }
    if let Some(expected) = expected_index_bytes(
        &ann.method,
        c.type_name.as_str(),
        c.dims,
        &ann.options,
        live,
    ) {
        out.set("index.expected_size_bytes", expected);
        let ratio = ann.size_bytes as f64 / expected.max(1.0);
        out.set("index.size_ratio", ratio);
        if ratio > 2.0 && ann.size_bytes > 8 * 1024 * 1024 {
            out.push(
                Finding::new(Class::IndexFragmentation, Severity::Warning, DETECTOR, format!(
                    "index {} is {ratio:.1}x the size its {live:.0} live rows need ({} vs about {})",
                    ann.name, crate::vocab::bytes(ann.size_bytes), crate::vocab::bytes(expected as i64)))
                .metric("index.size_ratio", ratio, Some(2.0))
                .evidence(json!({"index": ann.name, "size_bytes": ann.size_bytes, "expected_bytes": expected})),
            );
        }
    }
    // Unused ANN index while sequential scans grow (needs the previous observation).
    let seq = out.get("table.seq_scan").unwrap_or(0.0);
    let deltas = (
        ctx.previous.delta("index.idx_scan", idx_scan),
        ctx.previous.delta("table.seq_scan", seq),
    );
    if let (Some(d_idx), Some(d_seq)) = deltas
        && d_idx == 0.0
        && d_seq >= 10.0
        && live >= ctx.config.missing_index_rows as f64
    {
        out.push(
            Finding::new(Class::MissingIndex, Severity::Warning, DETECTOR, format!(
                "index {} was not used since the last check while {d_seq:.0} sequential scans ran: \
                 queries may use another operator than its opclass {} or a filter it cannot serve",
                ann.name, ann.opclass))
            .evidence(json!({"index": ann.name, "idx_scan_delta": d_idx, "seq_scan_delta": d_seq})),
        );
    }
    Ok(())
}

/// About how many bytes an index of `rows` rows should take right after a build.
pub fn expected_index_bytes(
    method: &str,
    type_name: &str,
    dims: Option<i32>,
    options: &std::collections::BTreeMap<String, serde_json::Value>,
    rows: f64,
) -> Option<f64> {
    let d = dims? as f64;
    let value = match type_name {
        "vector" => 8.0 + 4.0 * d,
        "halfvec" => 8.0 + 2.0 * d,
        "bit" => 8.0 + (d / 8.0).ceil(),
        _ => return None,
    };
    let align = |x: f64| (x / 8.0).ceil() * 8.0;
    let per_row = match method {
        "hnsw" => {
            let m = options.get("m").and_then(|v| v.as_f64()).unwrap_or(16.0);
            // average level + 2 layers of slots; E[level] = 1/(m-1)
            let slots = (2.0 + 1.0 / (m - 1.0)) * m;
            align(72.0 + value) + align(4.0 + 6.0 * slots) + 8.0
        }
        "ivfflat" => align(8.0 + value) + 4.0,
        _ => return None,
    };
    // pages are ~90% usable after headers and fragmentation
    Some((rows * per_row / 0.9).max(8192.0 * 2.0))
}

/// A duration in seconds as a short human string.
pub fn age(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0}s ago")
    } else if secs < 7200.0 {
        format!("{:.0}m ago", secs / 60.0)
    } else if secs < 172_800.0 {
        format!("{:.1}h ago", secs / 3600.0)
    } else {
        format!("{:.1}d ago", secs / 86400.0)
    }
}

/// Metrics relative to the first observation of this physical index (same
/// relfilenode): rows inserted since it was built (as far as ruvheal saw).
pub fn since_build(out: &mut Measured, first_n_tup_ins: Option<f64>) {
    if let (Some(first), Some(now)) = (first_n_tup_ins, out.get("table.n_tup_ins"))
        && now >= first
    {
        out.set("index.rows_inserted_since_build", now - first);
    }
}
