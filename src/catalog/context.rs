//! The catalog facts a playbook is rendered with: the database, the collection's
//! ANN index and INVALID index with their operator classes' schemas, and the
//! schema of every installed extension (for `{{ schema_of(ext) }}`).
//!
//! Read-only catalog queries with bound parameters; every name is qualified, so
//! nothing here depends on the session's search_path.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use postgres::GenericClient;

use super::{Collection, IndexInfo};
use crate::playbook::Context;
use crate::sql::QualifiedName;

const OPCLASS_SCHEMA_SQL: &str = "
SELECT n.nspname::pg_catalog.text
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL pg_catalog.unnest(i.indclass::pg_catalog.oid[]) AS k(opclass)
JOIN pg_catalog.pg_opclass o ON o.oid OPERATOR(pg_catalog.=) k.opclass
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.opcnamespace
WHERE i.indexrelid OPERATOR(pg_catalog.=) $1 AND o.opcname OPERATOR(pg_catalog.=) $2::pg_catalog.name
LIMIT 1";

const EXTENSIONS_SQL: &str = "
SELECT e.extname::pg_catalog.text, n.nspname::pg_catalog.text
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace";

/// The rendering context of collection `c` (parameters are added by the planner).
pub fn playbook_context(client: &mut impl GenericClient, c: &Collection) -> Result<Context> {
    let database: String = client
        .query_one("SELECT pg_catalog.current_database()::pg_catalog.text", &[])
        .context("reading the database name")?
        .get(0);
    let extensions: BTreeMap<String, String> = client
        .query(EXTENSIONS_SQL, &[])
        .context("listing installed extensions")?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut ctx =
        Context::collection(&c.schema, &c.table, &c.column, &database).with_extensions(extensions);
    if let Some(ix) = c.ann_index() {
        let opclass = opclass(client, ix)?;
        ctx = ctx.with_index(&ix.schema, &ix.name, &ix.method, opclass);
    }
    if let Some(ix) = c.indexes.iter().find(|i| !i.valid) {
        let opclass = opclass(client, ix)?;
        ctx = ctx.with_invalid_index(&ix.schema, &ix.name, &ix.method, opclass);
    }
    Ok(ctx)
}

/// The index's operator class on the vector column, with its schema.
pub fn opclass(client: &mut impl GenericClient, ix: &IndexInfo) -> Result<QualifiedName> {
    let schema: String = client
        .query_opt(OPCLASS_SCHEMA_SQL, &[&ix.oid, &ix.opclass])
        .with_context(|| format!("reading the operator class of index {}", ix.name))?
        .map(|r| r.get(0))
        .unwrap_or_else(|| "pg_catalog".to_string());
    Ok(QualifiedName::new(schema, &ix.opclass))
}
