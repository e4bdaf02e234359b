//! Wrong answers RuVector 2.0.6 gives to plain queries, measured with the
//! application's own settings (the `app` session) inside read-only
//! transactions that are rolled back:
//!
//! * `count(*)` planned as an index-only scan on the HNSW index returns 0
//!   (compared with the same count under `enable_indexonlyscan = off`);
//! * an HNSW scan returns at most 100 rows, whatever the LIMIT;
//! * rows the unlogged index lost in a crash: the newest rows do not find
//!   themselves (their own vector as the query).

use anyhow::{Context, Result};
use serde_json::json;

use super::probe::{self, Raw, Spec};
use super::{HUMAN_ONLY, release};
use crate::detect::context::Ctx;
use crate::detect::measured::Measured;
use crate::detect::vectors::{Value, VecKind};
use crate::detect::{Class, Finding, Severity};

/// Rows asked for when measuring the cap.
const CAP_PROBE: usize = 1000;
/// Newest rows that look themselves up.
const NEWEST: i64 = 20;

/// `count(*)` as the application plans it, against the same count with
/// index-only scans off (the remedy) and with every index scan off (the truth).
pub fn index_only_count(
    app: &mut postgres::Client,
    ctx: &Ctx<'_>,
    out: &mut Measured,
) -> Result<()> {
    let table = ctx.collection.name().sql()?;
    let count = format!("SELECT pg_catalog.count(*) FROM {table}");
    let what = || format!("counting the rows of {}", ctx.collection.collection);
    let mut tx = app.transaction().with_context(what)?;
    tx.batch_execute("SET TRANSACTION READ ONLY")
        .with_context(what)?;
    let plan: serde_json::Value = tx
        .query_one(&format!("EXPLAIN (FORMAT JSON) {count}"), &[])
        .with_context(what)?
        .get(0);
    let planned: i64 = tx.query_one(&count, &[]).with_context(what)?.get(0);
    tx.batch_execute("SET LOCAL enable_indexonlyscan = off")
        .with_context(what)?;
    let without_ios: i64 = tx.query_one(&count, &[]).with_context(what)?.get(0);
    tx.batch_execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
        .with_context(what)?;
    let truth: i64 = tx.query_one(&count, &[]).with_context(what)?.get(0);
    tx.rollback()?;
    let mut nodes = vec![];
    probe::plan_nodes(&plan, &mut nodes);
    let scan_index = probe::plan_index(&plan);
    out.set("ruvector.count_planned", planned as f64);
    out.set("ruvector.count_true", truth as f64);
    out.set("ruvector.count_wrong", (planned != truth) as u8 as f64);
    out.set(
        "ruvector.count_right_without_index_only_scan",
        (without_ios == truth) as u8 as f64,
    );
    if planned != truth {
        out.push(
            Finding::new(Class::InvalidIndex, Severity::Critical, "ruvector.index_only_scan", format!(
                "SELECT count(*) FROM {} returns {planned} but the table holds {truth} rows: the planner \
                 answers it from {} ({}) and RuVector 2.0.6's HNSW returns no rows to scans without an \
                 ORDER BY (a wrong answer for every query planned that way); with enable_indexonlyscan = off \
                 the count is {without_ios}",
                ctx.collection.collection, scan_index.as_deref().unwrap_or("the HNSW index"), nodes.join(" > ")))
            .metric("ruvector.count_planned", planned as f64, Some(truth as f64))
            .evidence(json!({"planned_count": planned, "count_without_index_only_scan": without_ios,
                             "count_without_index_scans": truth, "plan": nodes, "index": scan_index,
                             "remedy": "ALTER DATABASE ... SET enable_indexonlyscan = off (ruvector_disable_index_only_scan)"})),
        );
    }
    Ok(())
}

/// Rows an HNSW scan returns for a `LIMIT` of [`CAP_PROBE`] (index forced).
pub fn k_cap(
    app: &mut postgres::Client,
    ctx: &Ctx<'_>,
    spec: &Spec,
    probe_text: &str,
    out: &mut Measured,
) -> Result<()> {
    let rows = out.get("ruvector.rows_nonnull").unwrap_or(0.0) as usize;
    let want = CAP_PROBE.min(rows);
    if want <= 100 {
        return Ok(());
    }
    let sql = format!(
        "SELECT pg_catalog.count(*) FROM ({}) s",
        probe::ann_sql(spec, want)?
    );
    let mut tx = app.transaction()?;
    tx.batch_execute("SET TRANSACTION READ ONLY; SET LOCAL enable_seqscan = off")?;
    let got: i64 = tx
        .query_one(&sql, &[&probe_text])
        .with_context(|| {
            format!(
                "measuring the rows an HNSW scan of {} returns",
                ctx.collection.collection
            )
        })?
        .get(0);
    tx.rollback()?;
    out.set("ruvector.scan_rows_for_limit", got as f64);
    if got as usize >= want {
        return Ok(());
    }
    let k = ctx.contract.k as i64;
    let severity = if k > got {
        Severity::Critical
    } else {
        Severity::Info
    };
    out.push(
        Finding::new(Class::RecallDegradation, severity, "ruvector.k_cap", format!(
            "an HNSW scan of {} returns at most {got} rows: LIMIT {want} gave {got} (RuVector 2.0.6 \
             hard-codes k = 100 in its scan); the contract's k is {k}",
            ctx.collection.collection))
        .metric("ruvector.scan_rows_for_limit", got as f64, Some(want as f64))
        .evidence(json!({"limit": want, "returned": got, "contract_k": k,
                         HUMAN_ONLY: release::K_CAP})),
    );
    Ok(())
}

/// The newest rows (the heap's last blocks) each queried with their own
/// vector: a row the index never returns for its own vector is not in it.
pub fn newest_rows(
    app: &mut postgres::Client,
    ctx: &Ctx<'_>,
    spec: &Spec,
    out: &mut Measured,
) -> Result<()> {
    let table = spec.table.sql()?;
    let col = crate::sql::ident(&spec.column)?;
    let ext = crate::sql::ident(&spec.ext)?;
    let blocks: i64 = app
        .query_one(
            "SELECT (pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)) / \
                     pg_catalog.current_setting('block_size')::int8)::int8",
            &[&table],
        )?
        .get(0);
    let from = format!("({},0)", (blocks - 4).max(0));
    let rows = app
        .query(
            &format!(
                "SELECT tableoid, ctid::text, {col} FROM {table} WHERE ctid >= $1::text::pg_catalog.tid \
                   AND {col} IS NOT NULL AND {ext}.ruvector_norm({col}) > 0 ORDER BY ctid DESC LIMIT $2::int8"
            ),
            &[&from, &NEWEST],
        )
        .with_context(|| format!("reading the newest rows of {}", ctx.collection.collection))?;
    if rows.is_empty() {
        return Ok(());
    }
    let sql = probe::ann_sql(spec, spec.k)?;
    let mut tx = app.transaction()?;
    tx.batch_execute("SET TRANSACTION READ ONLY; SET LOCAL enable_seqscan = off")?;
    let stmt = tx.prepare(&sql)?;
    let (mut found, mut missing) = (0usize, vec![]);
    for row in &rows {
        let tid = probe::parse_tid(row.try_get(0)?, &row.try_get::<_, String>(1)?)?;
        let value = Value::decode(VecKind::Ruvector, &row.try_get::<_, Raw>(2)?.0)?;
        let hits = tx.query(&stmt, &[&value.to_text()])?;
        let mut me = false;
        for h in &hits {
            me |= probe::parse_tid(h.try_get(0)?, &h.try_get::<_, String>(1)?)? == tid;
        }
        if me {
            found += 1;
        } else {
            missing.push(tid.to_string());
        }
    }
    tx.rollback()?;
    let share = found as f64 / rows.len() as f64;
    out.set("ruvector.newest_self_hit", share);
    out.set("ruvector.newest_checked", rows.len() as f64);
    // A healthy graph finds a row by its own vector nearly always; losing half
    // the newest rows is the signature of index pages lost in a crash.
    if share < 0.5 {
        let nodes = out.get("ruvector.hnsw.node_count");
        out.push(
            Finding::new(Class::OrphanNodes, Severity::Critical, "ruvector.lost_rows", format!(
                "{} of the {} newest rows of {} are not in the index (queried with their own vector, the \
                 index never returns them): RuVector 2.0.6 does not WAL-log its index, so rows inserted \
                 since the last checkpoint before a crash (and every row on a standby) are missing",
                missing.len(), rows.len(), ctx.collection.collection))
            .metric("ruvector.newest_self_hit", share, Some(1.0))
            .evidence(json!({"missing_tids": missing.iter().take(10).collect::<Vec<_>>(),
                             "checked": rows.len(), "meta_node_count": nodes,
                             "rows_nonnull": out.get("ruvector.rows_nonnull"),
                             "remedy": "REINDEX (ruvector_reindex)"})),
        );
    }
    Ok(())
}
