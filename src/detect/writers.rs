//! The role that writes a collection: the sessions `pg_stat_activity` shows
//! running (or last having run) an INSERT, UPDATE, COPY or MERGE into the
//! table, else the statements pg_stat_statements recorded, by calls. Read-only.

use anyhow::{Context, Result};
use postgres::GenericClient;

use crate::catalog::Collection;

/// A statement writing the table named by the pattern `$1` (a regular
/// expression matching the table's name as a word).
const ACTIVITY_SQL: &str = "
SELECT r.rolname::text
  FROM pg_catalog.pg_stat_activity a
  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.usesysid
 WHERE a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
   AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
   AND a.backend_type OPERATOR(pg_catalog.=) 'client backend'
   AND a.query OPERATOR(pg_catalog.~*) $1
 GROUP BY r.rolname ORDER BY pg_catalog.count(*) DESC, r.rolname LIMIT 1";

fn statements_sql(schema: &str) -> String {
    format!(
        "SELECT r.rolname::text
           FROM {schema}.pg_stat_statements s
           JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) s.userid
          WHERE s.dbid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                 WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
            AND s.query OPERATOR(pg_catalog.~*) $1
          GROUP BY r.rolname ORDER BY pg_catalog.sum(s.calls) DESC, r.rolname LIMIT 1"
    )
}

/// The pattern of a statement writing `table` (also one of several sent at once).
fn pattern(table: &str) -> String {
    let mut name = String::new();
    for ch in table.chars() {
        if !ch.is_alphanumeric() && ch != '_' {
            name.push('\\');
        }
        name.push(ch);
    }
    format!(r#"(^|;)\s*(insert\s+into|update|copy|merge\s+into)\s+([^\s(]*\.)?"?{name}"?(\s|\(|$)"#)
}

/// The role that writes `c`, when a session or a recorded statement shows one.
pub fn writer_role(client: &mut impl GenericClient, c: &Collection) -> Result<Option<String>> {
    let pat = pattern(&c.table);
    let row = client
        .query_opt(ACTIVITY_SQL, &[&pat])
        .context("reading which role writes the collection (pg_stat_activity)")?;
    if let Some(r) = row {
        return Ok(Some(r.get(0)));
    }
    let schema: Option<String> = client
        .query_opt(
            "SELECT n.nspname::text FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
              WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'",
            &[],
        )
        .context("looking for pg_stat_statements")?
        .map(|r| r.get(0));
    let Some(schema) = schema else {
        return Ok(None);
    };
    let sql = statements_sql(&crate::sql::quote::ident(&schema)?);
    // Without pg_read_all_stats other roles' texts are hidden: then no answer.
    Ok(client
        .query_opt(&sql, &[&pat])
        .ok()
        .flatten()
        .map(|r| r.get(0)))
}

/// The role's current connection limit (-1: none), what an undo restores.
pub fn connection_limit(client: &mut impl GenericClient, role: &str) -> Result<Option<i32>> {
    Ok(client
        .query_opt(
            "SELECT r.rolconnlimit FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $1",
            &[&role],
        )
        .with_context(|| format!("reading the connection limit of role {role}"))?
        .map(|r| r.get(0)))
}
