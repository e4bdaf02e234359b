//! The catalog check after a step that builds an index (the rendered step says
//! which: [`crate::playbook::Rendered::Sql`]'s `index`): "no error" is not
//! success — a build can return and leave the index invalid, or leave an
//! INVALID `_ccnew` copy behind.

use anyhow::{Context, Result, bail};
use postgres::Client;

use crate::sql::QualifiedName;

/// Fails unless `index` exists, is valid and ready, and no INVALID `_ccnew`
/// copy of it is left behind.
pub fn check_valid(client: &mut Client, index: &QualifiedName) -> Result<()> {
    let row = client
        .query_one(
            "SELECT coalesce((SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = to_regclass($1)), false),
                    (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = $2 AND c.relname LIKE $3 AND NOT i.indisvalid)",
            &[&index.sql()?, &index.schema, &format!("{}\\_ccnew%", index.name.replace('_', "\\_"))],
        )
        .context("checking the index in the catalog")?;
    let (valid, leftovers): (bool, i64) = (row.get(0), row.get(1));
    if !valid {
        bail!("the statement returned without error but index {index} is not valid and ready");
    }
    if leftovers > 0 {
        bail!("index {index} is valid but {leftovers} INVALID _ccnew copy(ies) of it are left");
    }
    Ok(())
}

/// Drops the INVALID `<index>_ccnew[N]` copies a failed `REINDEX CONCURRENTLY`
/// of `index` left (the old index stays in use). Returns the names dropped.
pub fn drop_ccnew_copies(
    client: &mut Client,
    index: &QualifiedName,
    limits: &super::exec::Limits,
) -> Result<Vec<QualifiedName>> {
    let pattern = format!(
        "{}\\_ccnew%",
        index
            .name
            .replace('\\', "\\\\")
            .replace('_', "\\_")
            .replace('%', "\\%")
    );
    let rows = client
        .query(
            "SELECT c.relname::pg_catalog.text FROM pg_catalog.pg_index i
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name
                AND c.relname::pg_catalog.text OPERATOR(pg_catalog.~~) $2
                AND NOT i.indisvalid",
            &[&index.schema, &pattern],
        )
        .context("looking for INVALID _ccnew copies")?;
    let mut dropped = Vec::new();
    for r in rows {
        let name: String = r.get(0);
        let suffix = &name[index.name.len() + "_ccnew".len()..];
        if !suffix.chars().all(|ch| ch.is_ascii_digit()) {
            continue;
        }
        let q = QualifiedName::new(&index.schema, &name);
        if super::exec::drop_if_invalid(client, &q, limits)? {
            dropped.push(q);
        }
    }
    Ok(dropped)
}
