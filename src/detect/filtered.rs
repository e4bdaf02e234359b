//! Filtered ANN queries that come back short: iterative scans off where the
//! application's filtered queries lose rows.
//!
//! Without iterative scan an HNSW scan hands back at most `hnsw.ef_search`
//! candidates, and an IVFFlat scan the rows of `ivfflat.probes` lists; a WHERE
//! clause applied to those can leave fewer rows than the LIMIT asked for
//! (pgvector's README, "Filtering"). The application's statements come from
//! pg_stat_statements: in this database, on the collection's table, with a
//! WHERE clause and an ORDER BY on the column with the index's distance
//! operator, then LIMIT — and fewer rows per call on average than the
//! contract's k. (The normalised text shows the LIMIT as a parameter, so k
//! stands for it.) Read-only; skipped with a reason when pg_stat_statements is
//! not installed, not loaded, or its texts are not visible to this role.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use serde_json::json;

use super::context::Ctx;
use super::distance::Metric;
use super::measured::Measured;
use super::{Class, Finding, Severity};
use crate::sql::ident;

/// The detector's name in findings (diagnose looks for it).
pub const DETECTOR: &str = "filtered_queries";

/// Calls a statement needs before its rows per call are judged.
const MIN_CALLS: i64 = 5;

/// Statements named in a finding's evidence, at most.
const SHOWN: usize = 3;

/// One application statement as pg_stat_statements reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// Normalised text (cut to 300 characters in evidence).
    pub query: String,
    /// Times executed.
    pub calls: i64,
    /// Rows returned per call, on average.
    pub rows_per_call: f64,
}

/// Finds the application's filtered ANN statements on the collection that
/// return fewer than k rows per call while `app`'s iterative scan is off.
pub fn detect(
    client: &mut postgres::Client,
    ctx: &Ctx<'_>,
    app: &BTreeMap<String, String>,
    out: &mut Measured,
) -> Result<()> {
    let Some(index) = ctx.ann_index().filter(|i| i.valid) else {
        return Ok(());
    };
    let (setting, breadth) = match index.method.as_str() {
        "hnsw" => ("hnsw.iterative_scan", "hnsw.ef_search"),
        "ivfflat" => ("ivfflat.iterative_scan", "ivfflat.probes"),
        _ => return Ok(()),
    };
    let Some(metric) = Metric::from_opclass(&index.opclass) else {
        return Ok(());
    };
    let (statements, hidden) = match statements(client, metric.operator())? {
        Ok(s) => s,
        Err(reason) => {
            out.skip(DETECTOR, reason);
            return Ok(());
        }
    };
    if hidden {
        out.push(Finding::new(
            Class::Unknown,
            Severity::Info,
            DETECTOR,
            "other roles' statements are hidden from this role in pg_stat_statements, so only \
             its own were judged (grant it pg_read_all_stats)",
        ));
    }
    let c = ctx.collection;
    let k = ctx.contract.k as f64;
    let filtered: Vec<Statement> = statements
        .into_iter()
        .filter(|s| is_filtered_ann(&s.query, &c.schema, &c.table, &c.column, metric.operator()))
        .collect();
    let mut short: Vec<Statement> = filtered
        .iter()
        .filter(|s| s.rows_per_call < k)
        .map(|s| Statement {
            query: s.query.chars().take(300).collect(),
            ..s.clone()
        })
        .collect();
    short.sort_by(|a, b| a.rows_per_call.total_cmp(&b.rows_per_call));
    out.set("queries.filtered_ann", filtered.len() as f64);
    out.set("queries.filtered_short", short.len() as f64);
    let iterative = app.get(setting).map_or("off", String::as_str);
    let Some(worst) = short.first() else {
        return Ok(());
    };
    if iterative != "off" {
        return Ok(());
    }
    let value = app.get(breadth).map_or("?", String::as_str);
    let n = short.len();
    out.push(
        Finding::new(Class::RecallDegradation, Severity::Warning, DETECTOR, format!(
            "{n} filtered ANN {} on {} {} fewer rows than k = {k:.0} (as few as {:.1} per call over {} calls) \
             with {setting} off: the filter only sees the rows the scan hands back ({breadth} = {value}); \
             set {setting} = relaxed_order (pgvector 0.8+) for the application, or raise {breadth}",
            if n == 1 { "query" } else { "queries" },
            c.name(),
            if n == 1 { "returns" } else { "return" },
            worst.rows_per_call,
            worst.calls))
        .metric("queries.filtered_short", n as f64, Some(0.0))
        .evidence(json!({"statements": &short[..n.min(SHOWN)],
                         "setting": setting, "value": iterative, breadth: value, "k": k})),
    );
    Ok(())
}

/// This database's statements using `op` with enough calls, and whether some
/// were hidden from this role; or why none can be read.
fn statements(
    client: &mut postgres::Client,
    op: &str,
) -> Result<std::result::Result<(Vec<Statement>, bool), String>> {
    let Some(schema) = crate::sql::extension_schema(client, "pg_stat_statements")? else {
        return Ok(Err(
            "pg_stat_statements is not installed in this database, so the application's filtered \
             ANN queries cannot be seen (CREATE EXTENSION pg_stat_statements; the library must be \
             in shared_preload_libraries)"
                .into(),
        ));
    };
    let sql = format!(
        "SELECT query, calls, rows FROM {}.pg_stat_statements \
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
            AND calls >= $1 AND (strpos(query, $2) > 0 OR query = '<insufficient privilege>')",
        ident(&schema)?
    );
    // In its own transaction: an error (library not loaded) must not leave the
    // session in a failed one.
    let mut tx = client.transaction()?;
    let rows = match tx.query(&sql, &[&MIN_CALLS, &op]) {
        Ok(rows) => rows,
        Err(e) => {
            let why = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string());
            return Ok(Err(format!("pg_stat_statements cannot be read: {why}")));
        }
    };
    drop(tx);
    let (mut out, mut hidden) = (Vec::new(), false);
    for r in rows {
        let query: Option<String> = r.get(0);
        let Some(query) = query.filter(|q| q != "<insufficient privilege>") else {
            hidden = true;
            continue;
        };
        let (calls, rows): (i64, i64) = (r.get(1), r.get(2));
        out.push(Statement {
            query,
            calls,
            rows_per_call: rows as f64 / calls.max(1) as f64,
        });
    }
    Ok(Ok((out, hidden)))
}

/// Whether `query` filters rows of `schema.table` and orders them by `column`
/// with the distance operator `op`, then limits them: a WHERE before the ORDER
/// BY, the column and the operator between ORDER BY and LIMIT. Case and spacing
/// do not matter; names match as whole words, quoted or not; a table named with
/// another schema does not count (an unqualified one does: the search path is
/// the application's).
pub fn is_filtered_ann(query: &str, schema: &str, table: &str, column: &str, op: &str) -> bool {
    ann_parts(query, schema, table, column, op)
        .is_some_and(|head| word_at(&head, "where").is_some())
}

/// Whether `query` is an ANN search of `schema.table` (FROM it, ORDER BY
/// `column` with `op`, LIMIT), filtered or not.
pub fn is_ann(query: &str, schema: &str, table: &str, column: &str, op: &str) -> bool {
    ann_parts(query, schema, table, column, op).is_some()
}

/// The text before ORDER BY of an ANN search of the table, lower-cased.
fn ann_parts(query: &str, schema: &str, table: &str, column: &str, op: &str) -> Option<String> {
    let q = query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let order = word_at(&q, "order by")?;
    let limit = word_at(&q[order..], "limit").map(|i| order + i)?;
    let (head, ordering) = (&q[..order], &q[order..limit]);
    (names_table(head, &schema.to_lowercase(), &table.to_lowercase())
        && ordering.contains(op)
        && word_at(ordering, &column.to_lowercase()).is_some())
    .then(|| head.to_string())
}

/// Whether `hay` names `table` unqualified or qualified with `schema`.
fn names_table(hay: &str, schema: &str, table: &str) -> bool {
    words(hay, table).any(|i| {
        let before = hay[..i].trim_end_matches('"');
        match before.strip_suffix('.') {
            None => true,
            Some(q) => {
                let q = q.trim_end_matches('"');
                q.strip_suffix(schema)
                    .is_some_and(|rest| !is_ident(rest.chars().next_back()))
            }
        }
    })
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Where `word` occurs in `hay` not inside a longer identifier.
fn words<'a>(hay: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    hay.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        !word.is_empty()
            && !is_ident(hay[..i].chars().next_back())
            && !is_ident(hay[i + word.len()..].chars().next())
    })
}

/// Where `word` first occurs in `hay` not inside a longer identifier.
fn word_at(hay: &str, word: &str) -> Option<usize> {
    words(hay, word).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtered_ann_queries_are_told_from_the_rest() {
        let yes = [
            "SELECT id FROM emb WHERE category = $1 ORDER BY embedding <-> $2 LIMIT $3",
            "select id\n  from public.emb e\n where e.tenant = $1\n order by e.embedding <-> $2::vector\n limit 10",
            "SELECT id FROM \"emb\" WHERE a = $1 AND b > $2 ORDER BY \"embedding\" OPERATOR(public.<->) $3 LIMIT $4",
            "SELECT * FROM items JOIN emb USING (id) WHERE items.kind = $1 ORDER BY emb.embedding <-> $2 LIMIT $3",
            "SELECT id FROM \"public\".\"emb\" WHERE a = $1 ORDER BY embedding <-> $2 LIMIT $3",
        ];
        for q in yes {
            assert!(
                is_filtered_ann(q, "public", "emb", "embedding", "<->"),
                "{q}"
            );
        }
        let no = [
            // no filter
            "SELECT id FROM emb ORDER BY embedding <-> $1 LIMIT $2",
            // another operator, another column, another table
            "SELECT id FROM emb WHERE c = $1 ORDER BY embedding <=> $2 LIMIT $3",
            "SELECT id FROM emb WHERE c = $1 ORDER BY other_embedding <-> $2 LIMIT $3",
            "SELECT id FROM emb_archive WHERE c = $1 ORDER BY embedding <-> $2 LIMIT $3",
            // the distance filters, it does not order
            "SELECT id FROM emb WHERE embedding <-> $1 < $2 ORDER BY id LIMIT $3",
            // no limit
            "SELECT id FROM emb WHERE c = $1 ORDER BY embedding <-> $2",
            // the same table name in another schema
            "SELECT id FROM archive.emb WHERE c = $1 ORDER BY embedding <-> $2 LIMIT $3",
            "SELECT id FROM \"Archive\".\"emb\" WHERE c = $1 ORDER BY embedding <-> $2 LIMIT $3",
            "SELECT id FROM xpublic.emb WHERE c = $1 ORDER BY embedding <-> $2 LIMIT $3",
            // ruvheal's own probe sample
            "SELECT tableoid, ctid, embedding FROM emb WHERE embedding IS NOT NULL AND \
             public.vector_norm(embedding) > $1 ORDER BY md5(tableoid::text || ctid::text || $2::text) LIMIT $3",
        ];
        for q in no {
            assert!(
                !is_filtered_ann(q, "public", "emb", "embedding", "<->"),
                "{q}"
            );
        }
    }

    #[test]
    fn words_do_not_match_inside_longer_identifiers() {
        assert_eq!(word_at("from emb where", "emb"), Some(5));
        assert_eq!(word_at("from emb_x where", "emb"), None);
        assert_eq!(word_at("from \"emb\" where", "emb"), Some(6));
        assert_eq!(word_at("from x.emb", "emb"), Some(7));
        assert_eq!(word_at("anything", ""), None);
    }
}
