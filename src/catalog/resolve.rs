//! Turning a user-typed `--collection` into one discovered collection.

use anyhow::Result;

use super::Collection;
use crate::exit::usage;
use crate::sql::quote::split_name;

/// Finds the collection `input` names (`table` or `schema.table`, PostgreSQL
/// quoting rules; an unquoted name that matches nothing is tried lower-cased).
/// Hostile or unknown names give one "no such collection" usage error (exit 64);
/// the name is compared with catalog data and never reaches SQL.
pub fn resolve<'a>(collections: &'a [Collection], input: &str) -> Result<&'a Collection> {
    let (schema, table) =
        split_name(input).map_err(|e| usage(format!("no such collection: {input} ({e})")))?;
    let find = |schema: Option<&str>, table: &str| -> Vec<&'a Collection> {
        collections
            .iter()
            .filter(|c| c.table == table && schema.is_none_or(|s| c.schema == s))
            .collect()
    };
    let mut hits = find(schema.as_deref(), &table);
    if hits.is_empty() {
        hits = find(
            schema.as_deref().map(str::to_lowercase).as_deref(),
            &table.to_lowercase(),
        );
    }
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(usage(format!(
            "no such collection: {input} (no table with a vector column by that name; \
             `ruvheal collections` lists them)"
        ))),
        many => {
            let tables: std::collections::BTreeSet<&str> =
                many.iter().map(|c| c.collection.as_str()).collect();
            if tables.len() > 1 {
                return Err(usage(format!(
                    "ambiguous collection {input}: name the schema, one of {}",
                    tables.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
            // One table with several vector columns: the first one an ANN index covers.
            let ann = |c: &&&Collection| {
                c.indexes
                    .iter()
                    .any(|i| matches!(i.method.as_str(), "hnsw" | "ivfflat"))
            };
            Ok(many.iter().find(ann).unwrap_or(&many[0]))
        }
    }
}
