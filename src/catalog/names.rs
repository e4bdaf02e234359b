//! A name for a new index that no relation of the schema has yet.

use anyhow::{Context, Result};
use postgres::GenericClient;

/// PostgreSQL's identifier limit, in bytes.
const NAMEDATALEN: usize = 63;

/// `base` cut to fit with `suffix` (at a character boundary), then the suffix.
fn fit(base: &str, suffix: &str) -> String {
    let mut end = NAMEDATALEN.saturating_sub(suffix.len()).min(base.len());
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &base[..end])
}

/// `base` (or `base_2`, `base_3`, ...) cut to 63 bytes, the first no relation
/// of `schema` is called.
pub fn unused_relation_name(
    client: &mut impl GenericClient,
    schema: &str,
    base: &str,
) -> Result<String> {
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("_{n}")
        };
        let name = fit(base, &suffix);
        let taken = client
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_class c
                   JOIN pg_catalog.pg_namespace s ON s.oid OPERATOR(pg_catalog.=) c.relnamespace
                  WHERE s.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2",
                &[&schema, &name],
            )
            .with_context(|| format!("looking for a relation named {name}"))?
            .is_some();
        if !taken {
            return Ok(name);
        }
    }
    anyhow::bail!("no free name like {base} in schema {schema}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_fit_in_63_bytes_at_a_character_boundary() {
        let long = "é".repeat(40);
        let n = super::fit(&long, "_2");
        assert!(n.len() <= 63 && n.ends_with("_2"), "{n}");
        assert_eq!(super::fit("emb_embedding_hnsw", ""), "emb_embedding_hnsw");
    }
}
