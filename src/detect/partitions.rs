//! Partitions of a partitioned collection: per leaf, rows, dead rows, activity
//! and whether it has a valid ANN index on the vector column. A partitioned
//! table has no statistics or index pages of its own, so this is where its
//! health is seen. Findings name the partition; each leaf also becomes a node of
//! the integrity graph (see [`super::integrity`]).

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde::Serialize;
use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::{Class, Finding, Severity};

const DETECTOR: &str = "partitions";

/// A leaf partition's activity share above which (with 3+ partitions and at least
/// 3x its share of rows) it is a hot spot.
const HOT_SHARE: f64 = 0.5;

const LEAVES_SQL: &str = "
SELECT n.nspname::text, c.relname::text,
       (CASE WHEN coalesce(s.n_live_tup, 0) = 0 AND c.reltuples > 0 THEN c.reltuples
             ELSE greatest(coalesce(s.n_live_tup, 0), 0) END)::float8,
       coalesce(s.n_dead_tup, 0)::float8,
       (coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0) + coalesce(s.n_tup_ins, 0)
        + coalesce(s.n_tup_upd, 0) + coalesce(s.n_tup_del, 0))::float8,
       EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 JOIN pg_am a ON a.oid = ic.relam
                 JOIN pg_attribute att ON att.attrelid = c.oid AND att.attname = $2
                WHERE i.indrelid = c.oid AND a.amname IN ('hnsw', 'ivfflat') AND i.indisvalid
                  AND att.attnum = ANY (i.indkey))
  FROM pg_partition_tree($1::oid::regclass) pt
  JOIN pg_class c ON c.oid = pt.relid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
 WHERE pt.isleaf
 ORDER BY 1, 2";

/// One leaf partition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leaf {
    /// `schema.table`.
    pub name: String,
    /// Live rows (statistics).
    pub rows: f64,
    /// Dead rows.
    pub dead: f64,
    /// Scans plus written rows since statistics were reset.
    pub activity: f64,
    /// Has a valid HNSW or IVFFlat index on the vector column.
    pub has_ann_index: bool,
}

impl Leaf {
    /// Dead share of its rows.
    pub fn dead_ratio(&self) -> f64 {
        if self.rows + self.dead > 0.0 {
            self.dead / (self.rows + self.dead)
        } else {
            0.0
        }
    }
}

/// Measures the leaves of a partitioned collection (nothing for a plain table).
pub fn detect(
    client: &mut impl GenericClient,
    ctx: &Ctx<'_>,
    out: &mut Measured,
) -> Result<Vec<Leaf>> {
    let c = ctx.collection;
    if c.kind != "partitioned_table" {
        out.set("partitions.count", 0.0);
        return Ok(vec![]);
    }
    let rows = client
        .query(LEAVES_SQL, &[&c.oid, &c.column])
        .with_context(|| format!("reading the partitions of {}", c.collection))?;
    let leaves: Vec<Leaf> = rows
        .iter()
        .map(|r| Leaf {
            name: crate::sql::QualifiedName::new(r.get::<_, String>(0), r.get::<_, String>(1))
                .to_string(),
            rows: r.get(2),
            dead: r.get(3),
            activity: r.get(4),
            has_ann_index: r.get(5),
        })
        .collect();
    judge(&leaves, ctx, out);
    out.detail("partitions", &leaves);
    Ok(leaves)
}

/// Metrics and findings over the leaves.
pub fn judge(leaves: &[Leaf], ctx: &Ctx<'_>, out: &mut Measured) {
    let cfg = ctx.config;
    let total_rows: f64 = leaves.iter().map(|l| l.rows).sum();
    let total_activity: f64 = leaves.iter().map(|l| l.activity).sum();
    out.set("partitions.count", leaves.len() as f64);
    let without: Vec<&Leaf> = leaves.iter().filter(|l| !l.has_ann_index).collect();
    out.set("partitions.without_ann_index", without.len() as f64);
    // The collection is indexed when every leaf is, whatever the parent shows.
    if !leaves.is_empty() {
        out.set("index.ann_valid", without.is_empty() as u8 as f64);
    }
    out.set(
        "partitions.max_dead_ratio",
        leaves.iter().map(Leaf::dead_ratio).fold(0.0, f64::max),
    );
    let indexed_elsewhere = without.len() < leaves.len();
    for l in &without {
        if indexed_elsewhere || l.rows >= cfg.missing_index_rows as f64 {
            out.push(
                Finding::new(Class::MissingIndex, Severity::Warning, DETECTOR, format!(
                    "partition {} ({:.0} rows) has no valid ANN index on {}: queries on it scan every row",
                    l.name, l.rows, ctx.collection.column))
                .metric("partitions.without_ann_index", without.len() as f64, Some(0.0))
                .evidence(json!({"partition": l.name, "rows": l.rows})),
            );
        }
    }
    for l in leaves {
        let ratio = l.dead_ratio();
        if ratio >= cfg.dead_ratio_warning && l.dead >= 1000.0 {
            let severity = if ratio >= cfg.dead_ratio_critical {
                Severity::Critical
            } else {
                Severity::Warning
            };
            out.push(
                Finding::new(
                    Class::DeadTupleBloat,
                    severity,
                    DETECTOR,
                    format!(
                        "{:.0}% of the rows of partition {} are dead ({:.0} dead, {:.0} live)",
                        ratio * 100.0,
                        l.name,
                        l.dead,
                        l.rows
                    ),
                )
                .metric(
                    "partitions.max_dead_ratio",
                    ratio,
                    Some(cfg.dead_ratio_warning),
                )
                .evidence(json!({"partition": l.name, "dead": l.dead, "live": l.rows})),
            );
        }
        if leaves.len() >= 3 && total_activity > 0.0 && total_rows > 0.0 {
            let act = l.activity / total_activity;
            let share = l.rows / total_rows;
            if act >= HOT_SHARE && act >= 3.0 * share {
                out.push(
                    Finding::new(Class::HotspotCongestion, Severity::Warning, DETECTOR, format!(
                        "partition {} takes {:.0}% of the collection's scans and writes with {:.0}% of its rows",
                        l.name, act * 100.0, share * 100.0))
                    .evidence(json!({"partition": l.name, "activity_share": act, "row_share": share})),
                );
            }
        }
    }
}

/// The leaves as the integrity graph: health = has an ANN index (else 0) times
/// how far its dead share is from `dead_ratio_critical`.
pub fn graph(leaves: &[Leaf], cfg: &crate::config::CheckConfig) -> crate::integrity::Graph {
    use crate::integrity::build;
    let parts: Vec<build::PartitionHealth> = leaves
        .iter()
        .map(|l| {
            let dead = build::health(l.dead_ratio(), cfg.dead_ratio_critical);
            let (health, hint) = if !l.has_ann_index {
                (0.0, Some(Class::MissingIndex))
            } else if dead < 1.0 && l.dead >= 1000.0 {
                (dead, Some(Class::DeadTupleBloat))
            } else {
                (1.0, None)
            };
            (
                l.name.clone(),
                l.rows.max(0.0) as u64,
                health,
                hint.map(|c| c.as_str().to_string()),
            )
        })
        .collect();
    build::partitions(&parts)
}
