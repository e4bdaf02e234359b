//! What a repair statement builds, read back from its text, and the catalog
//! check after it: "no error" is not success — a build can return and leave the
//! index invalid, or leave an INVALID `_ccnew` copy behind.

use anyhow::{Context, Result, bail};
use postgres::Client;

use crate::sql::{QualifiedName, quote};

/// The index a `CREATE INDEX` statement creates (names are always quoted by the
/// template language, so the quoted name is read back exactly).
pub fn created_index(sql: &str, schema: &str) -> Option<QualifiedName> {
    let mut rest = sql.trim_start();
    for word in ["CREATE", "INDEX"] {
        rest = rest
            .get(..word.len())
            .filter(|w| w.eq_ignore_ascii_case(word))
            .map(|_| &rest[word.len()..])?;
        rest = rest.trim_start();
    }
    for word in ["CONCURRENTLY", "IF NOT EXISTS"] {
        if rest
            .get(..word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            rest = rest[word.len()..].trim_start();
        }
    }
    // The name ends at whitespace or `(` outside double quotes.
    let mut quoted = false;
    let end = rest
        .char_indices()
        .find(|&(_, ch)| {
            if ch == '"' {
                quoted = !quoted;
            }
            !quoted && (ch.is_whitespace() || ch == '(')
        })
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..end];
    match quote::split_name(name).ok()? {
        (Some(s), n) => Some(QualifiedName::new(s, n)),
        (None, n) if !n.eq_ignore_ascii_case("ON") => Some(QualifiedName::new(schema, &n)),
        _ => None,
    }
}

/// The index a `REINDEX INDEX [CONCURRENTLY] name` statement rebuilds.
pub fn reindexed(sql: &str, schema: &str) -> Option<QualifiedName> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let up = |i: usize| words.get(i).map(|w| w.to_ascii_uppercase());
    if up(0).as_deref() != Some("REINDEX") || up(1).as_deref() != Some("INDEX") {
        return None;
    }
    let rest = sql.trim_start()[7..].trim_start()[5..].trim_start();
    let rest = if rest
        .get(..12)
        .is_some_and(|w| w.eq_ignore_ascii_case("CONCURRENTLY"))
    {
        rest[12..].trim_start()
    } else {
        rest
    };
    created_index(&format!("CREATE INDEX {rest}"), schema)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_index_names_come_back_exactly() {
        let q = |s: &str| created_index(s, "public").map(|n| n.to_string());
        assert_eq!(
            q(
                "CREATE INDEX CONCURRENTLY \"emb_new\" ON \"public\".\"emb\" USING hnsw (\"e\" vector_l2_ops)"
            ),
            Some("public.emb_new".into())
        );
        assert_eq!(
            q("create index concurrently if not exists \"s x\".\"My Idx\" ON t (e)"),
            Some("\"s x\".\"My Idx\"".into())
        );
        assert_eq!(q("CREATE INDEX ON t (e)"), None);
        assert_eq!(q("VACUUM t"), None);
        assert_eq!(q("CRÉATE INDEX x"), None);
        // multi-byte text where a keyword is expected must not panic
        // (PostgreSQL would read it as an index name, and so do we)
        assert_eq!(
            q("CREATE INDEX CONCURRENTLé"),
            Some("public.\"CONCURRENTLé\"".into())
        );
    }

    #[test]
    fn reindexed_names_come_back_exactly() {
        let q = |s: &str| reindexed(s, "s").map(|n| n.to_string());
        assert_eq!(
            q("REINDEX INDEX CONCURRENTLY \"public\".\"emb_idx\""),
            Some("public.emb_idx".into())
        );
        assert_eq!(q("reindex index \"i\""), Some("s.i".into()));
        assert_eq!(q("REINDEX TABLE t"), None);
        assert_eq!(q("VACUUM t"), None);
    }
}
