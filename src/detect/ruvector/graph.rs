//! The HNSW index's own pages against what was asked for and what the table
//! holds: the meta page's build options against the index's reloptions, and a
//! sample of node pages (one node per block) against the heap rows their TIDs
//! point at. A node whose row VACUUM has freed, or whose slot a newer row now
//! uses (another vector), is stale: RuVector 2.0.6's VACUUM scans blocks
//! `1..next_block` and `next_block` stays 1, so it never marks one.
//!
//! Needs pageinspect and a superuser (`get_raw_page`); skipped with a reason
//! otherwise. Reads at most [`MAX_NODES`] node pages, spread over the index.

use std::collections::HashMap;

use anyhow::{Context, Result};
use serde_json::json;

use super::pages::{self, HnswMeta, Node};
use super::probe::{Raw, Spec};
use super::{HUMAN_ONLY, release};
use crate::catalog::IndexInfo;
use crate::detect::context::Ctx;
use crate::detect::measured::Measured;
use crate::detect::vectors::{Value, VecKind};
use crate::detect::{Class, Finding, Severity};
use crate::sql::ident;

/// Node pages read at most.
pub const MAX_NODES: i64 = 2000;
const DETECTOR: &str = "ruvector.structure";

/// Where pageinspect lives, if it can be used (else the reason it cannot).
fn pageinspect(client: &mut postgres::Client) -> Result<std::result::Result<String, String>> {
    let row = client.query_one(
        "SELECT (SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n \
                  ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'),
                coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false)",
        &[],
    )?;
    Ok(
        match (row.get::<_, Option<String>>(0), row.get::<_, bool>(1)) {
            (None, _) => Err("pageinspect is not installed: CREATE EXTENSION pageinspect".into()),
            (_, false) => {
                Err("reading RuVector's index pages needs a superuser (get_raw_page)".into())
            }
            (Some(s), true) => Ok(s),
        },
    )
}

/// Reads the meta page (and for HNSW a sample of nodes) of `index`.
pub fn detect(
    client: &mut postgres::Client,
    ctx: &Ctx<'_>,
    index: &IndexInfo,
    spec: &Spec,
    rows: u64,
    out: &mut Measured,
) -> Result<()> {
    let schema = match pageinspect(client)? {
        Ok(s) => s,
        Err(reason) => {
            out.skip(DETECTOR, reason);
            return Ok(());
        }
    };
    let raw = format!("{}.get_raw_page", ident(&schema)?);
    let name = crate::sql::QualifiedName::new(&index.schema, &index.name).sql()?;
    let meta: Vec<u8> = client
        .query_one(
            &format!("SELECT {raw}($1::text, 'main', 0::int8)"),
            &[&name],
        )
        .with_context(|| format!("reading the meta page of {}", index.name))?
        .get(0);
    if index.is_ruvector_ivfflat() {
        match pages::ivf_meta(&meta) {
            Ok(m) => {
                out.set("ruvector.ivf.lists", m.lists as f64);
                out.set("ruvector.ivf.vector_count", m.vector_count as f64);
                out.detail("ruvector_ivf_meta", &m);
            }
            Err(e) => out.skip(DETECTOR, e),
        }
        return Ok(());
    }
    let meta = match pages::hnsw_meta(&meta) {
        Ok(m) => m,
        Err(e) => {
            out.skip(DETECTOR, e);
            return Ok(());
        }
    };
    out.set("ruvector.hnsw.node_count", meta.node_count as f64);
    out.set("ruvector.hnsw.deleted_count", meta.deleted_count as f64);
    out.set("ruvector.hnsw.next_block", meta.next_block as f64);
    out.set("ruvector.hnsw.m", f64::from(meta.m));
    out.set(
        "ruvector.hnsw.ef_construction",
        f64::from(meta.ef_construction),
    );
    out.detail("ruvector_hnsw_meta", &meta);
    build_options(ctx, index, &meta, out);
    let blocks = index.size_bytes / 8192;
    let nodes = sample_nodes(client, &raw, &name, blocks, meta.dimensions as usize)?;
    stale_nodes(client, &raw, ctx, spec, &meta, &nodes, blocks, rows, out)
}

/// `WITH (m, ef_construction)` against what the meta page says the graph has.
fn build_options(ctx: &Ctx<'_>, index: &IndexInfo, meta: &HnswMeta, out: &mut Measured) {
    let asked = |key: &str| {
        index
            .explicit_options
            .iter()
            .find_map(|o| o.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse::<i64>().ok())
    };
    let mut differ = vec![];
    for (key, built) in [
        ("m", i64::from(meta.m)),
        ("ef_construction", i64::from(meta.ef_construction)),
    ] {
        if let Some(want) = asked(key)
            && want != built
        {
            differ.push(json!({"option": key, "asked": want, "built": built}));
        }
    }
    out.set("ruvector.build_options_ignored", differ.len() as f64);
    if differ.is_empty() {
        return;
    }
    out.push(
        Finding::new(Class::PoorConnectivity, Severity::Warning, "ruvector.build_options", format!(
            "index {} of {} was built with other options than asked: {} (RuVector 2.0.6 ignores WITH (m, \
             ef_construction) and builds with its defaults m = 16, ef_construction = 64)",
            index.name, ctx.collection.collection,
            differ.iter().map(|d| format!("{} = {} asked, {} on the meta page", d["option"].as_str().unwrap_or(""), d["asked"], d["built"])).collect::<Vec<_>>().join(", ")))
        .evidence(json!({"index": index.name, "reloptions": index.explicit_options, "meta": meta,
                         "differences": differ, HUMAN_ONLY: release::BUILD_OPTIONS})),
    );
}

/// Up to [`MAX_NODES`] node pages, evenly spread over blocks `1..blocks`.
fn sample_nodes(
    client: &mut postgres::Client,
    raw: &str,
    name: &str,
    blocks: i64,
    dims: usize,
) -> Result<Vec<(i64, Option<Node>)>> {
    if blocks <= 1 || dims == 0 {
        return Ok(vec![]);
    }
    let n = (blocks - 1).min(MAX_NODES);
    let step = (blocks - 1) as f64 / n as f64;
    let picks: Vec<i64> = (0..n).map(|i| 1 + (i as f64 * step) as i64).collect();
    let len = i32::try_from(pages::node_bytes(dims)).unwrap_or(i32::MAX);
    let rows = client
        .query(
            &format!(
                "SELECT b, pg_catalog.substr({raw}($1::text, 'main', b), 1, $3::int4) \
                        FROM pg_catalog.unnest($2::int8[]) AS b"
            ),
            &[&name, &picks, &len],
        )
        .with_context(|| format!("reading node pages of {name}"))?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<_, i64>(0),
                pages::hnsw_node(r.get::<_, &[u8]>(1), dims),
            )
        })
        .collect())
}

/// Node vectors against the heap rows at their TIDs.
#[allow(clippy::too_many_arguments)]
fn stale_nodes(
    client: &mut postgres::Client,
    raw: &str,
    ctx: &Ctx<'_>,
    spec: &Spec,
    meta: &HnswMeta,
    nodes: &[(i64, Option<Node>)],
    blocks: i64,
    rows: u64,
    out: &mut Measured,
) -> Result<()> {
    let live: Vec<&Node> = nodes
        .iter()
        .filter_map(|(_, n)| n.as_ref())
        .filter(|n| !n.deleted())
        .collect();
    let empty = nodes.iter().filter(|(_, n)| n.is_none()).count();
    let flagged = nodes
        .iter()
        .filter(|(_, n)| n.as_ref().is_some_and(Node::deleted))
        .count();
    out.set("ruvector.nodes_sampled", nodes.len() as f64);
    out.set("ruvector.nodes_empty_pages", empty as f64);
    out.set("ruvector.nodes_flagged_deleted", flagged as f64);
    if live.is_empty() {
        return Ok(());
    }
    let table = spec.table.sql()?;
    let col = ident(&spec.column)?;
    let tids: Vec<String> = live.iter().map(|n| n.tid_text()).collect();
    let heap: HashMap<String, Vec<f32>> = client
        .query(
            &format!(
                "SELECT ctid::text, {col} FROM {table} \
                       WHERE ctid = ANY ($1::text[]::pg_catalog.tid[]) AND {col} IS NOT NULL"
            ),
            &[&tids],
        )
        .with_context(|| {
            format!(
                "reading the heap rows the nodes of {} point at",
                ctx.collection.collection
            )
        })?
        .iter()
        .map(|r| {
            let v = Value::decode(VecKind::Ruvector, &r.get::<_, Raw>(1).0).ok();
            let v = match v {
                Some(Value::Vector(v)) => v,
                _ => vec![],
            };
            (r.get::<_, String>(0), v)
        })
        .collect();
    let mut gone = vec![];
    let mut reused = vec![];
    for n in &live {
        match heap.get(&n.tid_text()) {
            None => gone.push(n.tid_text()),
            Some(v) if *v != n.vector => reused.push(n.tid_text()),
            Some(_) => {}
        }
    }
    // A TID without a visible row is stale only once VACUUM freed its line
    // pointer (before that every index keeps dead rows' entries).
    let freed = freed_slots(client, raw, &table, &gone)?;
    let stale = freed + reused.len();
    let share = stale as f64 / live.len() as f64;
    out.set("ruvector.nodes_checked", live.len() as f64);
    out.set("ruvector.nodes_dead_rows", gone.len() as f64);
    out.set("ruvector.nodes_freed_rows", freed as f64);
    out.set("ruvector.nodes_reused_tids", reused.len() as f64);
    out.set("ruvector.stale_node_ratio", share);
    let lost = rows as f64 - meta.node_count as f64;
    out.set("ruvector.rows_beyond_node_count", lost.max(0.0));
    if stale > 0 {
        let severity = if share >= 0.05 || !reused.is_empty() {
            Severity::Critical
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new(Class::OrphanNodes, severity, "ruvector.stale_nodes", format!(
                "{stale} of {} sampled graph nodes of {} point at heap rows VACUUM has freed ({freed}) or \
                 whose slot a newer row now uses with another vector ({}): RuVector 2.0.6's VACUUM marks no \
                 node deleted (deleted_count {}, next_block {}), so searches walk deleted rows and attach old \
                 vectors' distances to new rows",
                live.len(), ctx.collection.collection, reused.len(), meta.deleted_count, meta.next_block))
            .metric("ruvector.stale_node_ratio", share, Some(0.0))
            .evidence(json!({"sampled": nodes.len(), "checked": live.len(), "freed": freed,
                             "reused_tids": reused.iter().take(10).collect::<Vec<_>>(),
                             "meta_deleted_count": meta.deleted_count, "meta_next_block": meta.next_block,
                             "index_blocks": blocks, "remedy": "REINDEX (ruvector_reindex)"})),
        );
    }
    if lost > 0.0 {
        out.push(
            Finding::new(Class::OrphanNodes, Severity::Critical, "ruvector.lost_rows", format!(
                "{} holds {rows} rows but its index's meta page counts {} nodes: {lost:.0} rows were never \
                 indexed or were lost from the unlogged index in a crash",
                ctx.collection.collection, meta.node_count))
            .metric("ruvector.rows_beyond_node_count", lost, Some(0.0))
            .evidence(json!({"rows_nonnull": rows, "meta_node_count": meta.node_count,
                             "empty_pages_sampled": empty, "remedy": "REINDEX (ruvector_reindex)"})),
        );
    }
    Ok(())
}

/// How many of `tids` (rows no longer visible) have a line pointer VACUUM freed
/// (unused, or beyond the heap's end after truncation).
fn freed_slots(
    client: &mut postgres::Client,
    raw: &str,
    table: &str,
    tids: &[String],
) -> Result<usize> {
    if tids.is_empty() {
        return Ok(0);
    }
    let items = raw.replace("get_raw_page", "heap_page_items");
    let sql = format!(
        "SELECT pg_catalog.count(*) FILTER (WHERE CASE WHEN x.blk >= x.nblocks THEN true ELSE coalesce((
                 SELECT h.lp_flags FROM {items}({raw}($1::text, 'main', x.blk)) h WHERE h.lp = x.off), 0) = 0 END)
           FROM (SELECT ((t::pg_catalog.point)[0])::int8 AS blk, ((t::pg_catalog.point)[1])::int4 AS off,
                        (pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)) /
                         pg_catalog.current_setting('block_size')::int8)::int8 AS nblocks
                   FROM pg_catalog.unnest($2::text[]) AS t) x"
    );
    let n: i64 = client
        .query_one(&sql, &[&table, &tids])
        .context("reading the heap line pointers of dead rows")?
        .get(0);
    Ok(n as usize)
}
