//! Discovery: every table with a `vector`, `halfvec`, `sparsevec` or `bit` column
//! (pgvector) or a `ruvector` column (RuVector), with its ANN-relevant indexes.
//!
//! An index's access method is told apart by the extension that owns it
//! (`pg_depend`), not by its name: RuVector's extension version 0.3.0 names its
//! HNSW method `hnsw`, like pgvector's.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::QualifiedName;

/// One vector column of one table (or partitioned table).
#[derive(Debug, Clone, Serialize)]
pub struct Collection {
    /// `schema.table`, quoted where needed to be read back by `--collection`.
    pub collection: String,
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub table: String,
    /// The vector column.
    pub column: String,
    /// `vector`, `halfvec`, `sparsevec`, `bit` or `ruvector`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Declared dimensions (bits for `bit`); `None` when the column has no typmod.
    pub dims: Option<i32>,
    /// Estimated rows (the live-tuple counter, else the planner's estimate).
    pub rows: Option<i64>,
    /// `table`, `partitioned_table` or `materialized_view`.
    pub kind: String,
    /// Number of leaf partitions (0 for a plain table).
    pub partitions: i64,
    /// Indexes that include the vector column.
    pub indexes: Vec<IndexInfo>,
    /// The table's oid (not shown).
    #[serde(skip)]
    pub oid: u32,
}

impl Collection {
    /// The table's qualified name.
    pub fn name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.table)
    }

    /// Whether the column is RuVector's `ruvector` type.
    pub fn is_ruvector(&self) -> bool {
        self.type_name == "ruvector"
    }

    /// The ANN index checks measure and repairs act on: the first valid HNSW or
    /// IVFFlat index on the column (HNSW preferred), else any HNSW/IVFFlat index.
    /// For a `ruvector` column: RuVector's HNSW (`hnsw` or `ruhnsw`) or `ruivfflat`.
    pub fn ann_index(&self) -> Option<&IndexInfo> {
        let ruvector = self.is_ruvector();
        let ann = |i: &&IndexInfo| {
            if ruvector {
                i.is_ruvector_hnsw() || i.is_ruvector_ivfflat()
            } else {
                !i.is_ruvector() && matches!(i.method.as_str(), "hnsw" | "ivfflat")
            }
        };
        let hnsw_first = |i: &IndexInfo| !(i.method == "hnsw" || i.is_ruvector_hnsw());
        let idx = &self.indexes;
        idx.iter()
            .filter(ann)
            .filter(|i| i.valid)
            .min_by_key(|i| (hnsw_first(i), i.name.clone()))
            .or_else(|| idx.iter().find(ann))
    }
}

/// One index on a collection's vector column.
#[derive(Debug, Clone, Serialize)]
pub struct IndexInfo {
    /// Index schema.
    pub schema: String,
    /// Index name.
    pub name: String,
    /// Access method (`hnsw`, `ivfflat`, `btree`, ...).
    pub method: String,
    /// Operator class on the vector column (`vector_cosine_ops`, ...).
    pub opclass: String,
    /// Effective build options: explicit reloptions, pgvector's defaults filled in.
    pub options: BTreeMap<String, serde_json::Value>,
    /// Options set explicitly with `WITH (...)`.
    pub explicit_options: Vec<String>,
    /// `indisvalid`: usable by queries.
    pub valid: bool,
    /// `indisready`: receiving inserts.
    pub ready: bool,
    /// On-disk size in bytes (summed over partitions).
    pub size_bytes: i64,
    /// The extension that owns the access method (`vector`, `ruvector`), if any.
    pub extension: Option<String>,
    /// The access method's handler function (`hnswhandler`, `hnsw_handler`, ...).
    pub handler: String,
    /// The index's oid (not shown).
    #[serde(skip)]
    pub oid: u32,
}

impl IndexInfo {
    /// Whether RuVector's extension owns the access method.
    pub fn is_ruvector(&self) -> bool {
        self.extension.as_deref() == Some("ruvector")
    }

    /// RuVector's HNSW: `ruhnsw` (extension version 2.0.0) or `hnsw` (0.3.0).
    pub fn is_ruvector_hnsw(&self) -> bool {
        self.is_ruvector() && matches!(self.method.as_str(), "hnsw" | "ruhnsw")
    }

    /// RuVector's IVFFlat (`ruivfflat`).
    pub fn is_ruvector_ivfflat(&self) -> bool {
        self.is_ruvector() && self.method == "ruivfflat"
    }
}

const COLUMNS_SQL: &str = "
SELECT c.oid, n.nspname, c.relname, a.attname, a.attnum, t.typname, a.atttypmod,
       c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN
            (SELECT sum(greatest(lc.reltuples, 0))::float8 FROM pg_partition_tree(c.oid) pt
               JOIN pg_class lc ON lc.oid = pt.relid WHERE pt.isleaf)
            ELSE nullif(c.reltuples, -1)::float8 END,
       (SELECT s.n_live_tup FROM pg_stat_all_tables s WHERE s.relid = c.oid),
       CASE WHEN c.relkind = 'p' THEN
            (SELECT count(*) FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
            ELSE 0 END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
  AND n.nspname <> $1
  AND (t.oid = 'pg_catalog.bit'::regtype
       OR (t.typname IN ('vector', 'halfvec', 'sparsevec') AND EXISTS (
            SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
            WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
              AND d.refclassid = 'pg_extension'::regclass AND e.extname = 'vector'))
       OR (t.typname = 'ruvector' AND EXISTS (
            SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
            WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid
              AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
              AND e.extname = 'ruvector')))
ORDER BY n.nspname, c.relname, a.attnum";

const INDEXES_SQL: &str = "
SELECT i.indrelid, k.attnum::int2, ic.oid, n.nspname, ic.relname, am.amname, opc.opcname,
       coalesce(ic.reloptions, '{}'::text[]), i.indisvalid, i.indisready,
       CASE WHEN ic.relkind = 'I' THEN
            (SELECT coalesce(sum(pg_relation_size(pt.relid)), 0)::int8
               FROM pg_partition_tree(ic.oid) pt WHERE pt.isleaf)
            ELSE pg_relation_size(ic.oid) END,
       (SELECT e.extname::text FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
         WHERE d.classid = 'pg_catalog.pg_am'::pg_catalog.regclass AND d.objid = am.oid
           AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
         LIMIT 1),
       (SELECT pr.proname::pg_catalog.text FROM pg_catalog.pg_proc pr
         WHERE pr.oid OPERATOR(pg_catalog.=) am.amhandler)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) AS k(attnum, opclass)
JOIN pg_opclass opc ON opc.oid = k.opclass
WHERE i.indrelid = ANY($1) AND k.attnum > 0
ORDER BY ic.relname";

/// Lists every vector collection in the connected database, skipping the state
/// schema `state_schema`.
pub fn discover(client: &mut impl GenericClient, state_schema: &str) -> Result<Vec<Collection>> {
    let rows = client
        .query(COLUMNS_SQL, &[&state_schema])
        .context("listing vector columns from the catalog")?;
    let mut out: Vec<(i16, Collection)> = rows
        .iter()
        .map(|r| {
            let typmod: i32 = r.get(6);
            let estimated: Option<f64> = r.get(8);
            let live: Option<i64> = r.get(9);
            let kind: String = r.get(7);
            (
                r.get::<_, i16>(4),
                Collection {
                    oid: r.get(0),
                    schema: r.get(1),
                    table: r.get(2),
                    collection: crate::sql::QualifiedName::new(
                        r.get::<_, String>(1),
                        r.get::<_, String>(2),
                    )
                    .to_string(),
                    column: r.get(3),
                    type_name: r.get(5),
                    dims: (typmod > 0).then_some(typmod),
                    // The live-tuple counter follows every write; the planner's
                    // estimate only the last ANALYZE. Prefer the counter when it has data.
                    rows: live
                        .filter(|n| *n > 0)
                        .or(estimated.map(|v| v.round() as i64)),
                    kind: match kind.as_str() {
                        "p" => "partitioned_table",
                        "m" => "materialized_view",
                        _ => "table",
                    }
                    .into(),
                    partitions: r.get(10),
                    indexes: vec![],
                },
            )
        })
        .collect();
    let oids: Vec<u32> = out.iter().map(|(_, c)| c.oid).collect();
    let idx_rows = client
        .query(INDEXES_SQL, &[&oids])
        .context("listing indexes of vector columns")?;
    for r in &idx_rows {
        let table: u32 = r.get(0);
        let attnum: i16 = r.get(1);
        let method: String = r.get(5);
        let reloptions: Vec<String> = r.get(7);
        let extension: Option<String> = r.get(11);
        let index = IndexInfo {
            oid: r.get(2),
            schema: r.get(3),
            name: r.get(4),
            options: effective_options(&method, &reloptions),
            extension,
            handler: r.get(12),
            explicit_options: reloptions,
            method,
            opclass: r.get(6),
            valid: r.get(8),
            ready: r.get(9),
            size_bytes: r.get(10),
        };
        if let Some((_, c)) = out.iter_mut().find(|(a, c)| c.oid == table && *a == attnum) {
            c.indexes.push(index);
        }
    }
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// pgvector's build defaults, overridden by the index's reloptions.
fn effective_options(method: &str, reloptions: &[String]) -> BTreeMap<String, serde_json::Value> {
    let mut map = BTreeMap::new();
    match method {
        // RuVector 2.0.6 has the same HNSW defaults (hnsw_am.rs DEFAULT_M, DEFAULT_EF_CONSTRUCTION)
        "hnsw" | "ruhnsw" => {
            map.insert("m".into(), 16.into());
            map.insert("ef_construction".into(), 64.into());
        }
        "ivfflat" | "ruivfflat" => {
            map.insert("lists".into(), 100.into());
        }
        _ => {}
    }
    for opt in reloptions {
        if let Some((k, v)) = opt.split_once('=') {
            let value = v
                .parse::<i64>()
                .map(serde_json::Value::from)
                .or_else(|_| v.parse::<f64>().map(serde_json::Value::from))
                .unwrap_or_else(|_| serde_json::Value::from(v));
            map.insert(k.to_string(), value);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_filled_and_overridden() {
        let o = effective_options("hnsw", &["m=8".into()]);
        assert_eq!(o["m"], 8);
        assert_eq!(o["ef_construction"], 64);
        let o = effective_options("ivfflat", &[]);
        assert_eq!(o["lists"], 100);
        assert!(effective_options("btree", &["fillfactor=70".into()])["fillfactor"] == 70);
    }
}
