//! What a rendered statement is: its kind and the index it creates or rebuilds,
//! read once with the checker's grammar (sqlparser's PostgreSQL tokenizer and
//! parser) when the step is rendered, and carried with the step, so the
//! executor never reads SQL text back. Classifies; never refuses (that is the
//! checker's job): what it does not recognise is [`StatementKind::Other`].

use serde::{Deserialize, Serialize};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::names::{Part, parts};

/// The kind of a step's statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// `CREATE INDEX`.
    CreateIndex,
    /// `REINDEX INDEX|TABLE`.
    Reindex,
    /// `DROP INDEX`.
    DropIndex,
    /// `ALTER INDEX`.
    AlterIndex,
    /// `ALTER TABLE`.
    AlterTable,
    /// `ALTER DATABASE`.
    AlterDatabase,
    /// `ALTER ROLE`.
    AlterRole,
    /// `VACUUM`.
    Vacuum,
    /// `ANALYZE`.
    Analyze,
    /// `SET`.
    Set,
    /// `RESET`.
    Reset,
    /// A query.
    Select,
    /// Anything else.
    Other,
}

/// A statement's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Its kind.
    pub kind: StatementKind,
    /// The index `CREATE INDEX` creates or `REINDEX INDEX` rebuilds:
    /// (schema if written, name), as the server reads them.
    pub index: Option<(Option<String>, String)>,
    /// The schema of `CREATE INDEX`'s table, if written (the index lands there).
    pub table_schema: Option<String>,
}

fn word(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// `name` or `schema.name` from word tokens, as the server reads it.
fn name_at(t: &[Token]) -> Option<(Option<String>, String)> {
    let part = |t: &Token| match t {
        Token::Word(w) => Some(match w.quote_style {
            Some(_) => w.value.clone(),
            None => w.value.to_ascii_lowercase(),
        }),
        _ => None,
    };
    match t {
        [a, Token::Period, b] => Some((Some(part(a)?), part(b)?)),
        [a] => Some((None, part(a)?)),
        _ => None,
    }
}

/// `REINDEX [ ( options ) ] INDEX [ CONCURRENTLY ] name`: the index.
fn reindexed(t: &[Token]) -> Option<(Option<String>, String)> {
    let mut i = 1;
    if t.get(i) == Some(&Token::LParen) {
        i += t[i..].iter().position(|x| *x == Token::RParen)? + 1;
    }
    if word(t.get(i)?).as_deref() != Some("INDEX") {
        return None;
    }
    i += 1;
    if t.len() > i + 1 && word(&t[i]).as_deref() == Some("CONCURRENTLY") {
        i += 1;
    }
    name_at(&t[i..])
}

fn folded(p: Vec<Part>) -> Option<(Option<String>, String)> {
    let mut names: Vec<String> = p.into_iter().map(|p| p.name).collect();
    match names.len() {
        1 => Some((None, names.remove(0))),
        2 => {
            let n = names.remove(1);
            Some((Some(names.remove(0)), n))
        }
        _ => None,
    }
}

/// The shape of one rendered statement.
pub fn shape(sql: &str) -> Shape {
    let other = Shape {
        kind: StatementKind::Other,
        index: None,
        table_schema: None,
    };
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return other;
    };
    let t: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF | Token::SemiColon))
        .collect();
    let first = t.first().and_then(word).unwrap_or_default();
    let second = t.get(1).and_then(word).unwrap_or_default();
    let kind = |kind| Shape {
        kind,
        ..other.clone()
    };
    match (first.as_str(), second.as_str()) {
        ("REINDEX", _) => {
            return Shape {
                kind: StatementKind::Reindex,
                index: reindexed(&t),
                table_schema: None,
            };
        }
        ("VACUUM", _) => return kind(StatementKind::Vacuum),
        ("ANALYZE" | "ANALYSE", _) => return kind(StatementKind::Analyze),
        ("DROP", "INDEX") => return kind(StatementKind::DropIndex),
        ("ALTER", "INDEX") => return kind(StatementKind::AlterIndex),
        ("ALTER", "DATABASE") => return kind(StatementKind::AlterDatabase),
        _ => {}
    }
    let Ok(parsed) = Parser::parse_sql(&dialect, sql) else {
        return other;
    };
    let [one] = parsed.as_slice() else {
        return other;
    };
    match one {
        Statement::CreateIndex(ci) => Shape {
            kind: StatementKind::CreateIndex,
            index: ci.name.as_ref().and_then(parts).and_then(folded),
            table_schema: parts(&ci.table_name).and_then(folded).and_then(|(s, _)| s),
        },
        Statement::AlterTable(_) => kind(StatementKind::AlterTable),
        Statement::AlterRole { .. } => kind(StatementKind::AlterRole),
        Statement::Set(_) => kind(StatementKind::Set),
        Statement::Reset(_) => kind(StatementKind::Reset),
        Statement::Query(_) => kind(StatementKind::Select),
        _ => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(sql: &str) -> Option<(Option<String>, String)> {
        shape(sql).index
    }

    fn named(s: Option<&str>, n: &str) -> Option<(Option<String>, String)> {
        Some((s.map(str::to_string), n.to_string()))
    }

    #[test]
    fn created_index_names_come_back_exactly() {
        let s = shape(
            "CREATE INDEX CONCURRENTLY \"emb_new\" ON \"public\".\"emb\" USING hnsw (\"e\" vector_l2_ops)",
        );
        assert_eq!(s.kind, StatementKind::CreateIndex);
        assert_eq!(s.index, named(None, "emb_new"));
        assert_eq!(s.table_schema, Some("public".into()));
        assert_eq!(
            index("create index concurrently if not exists \"s x\".\"My Idx\" ON t (e)"),
            named(Some("s x"), "My Idx")
        );
        // unquoted names fold as the server folds them
        assert_eq!(
            index("CREATE INDEX Emb_New ON t (e)"),
            named(None, "emb_new")
        );
        let s = shape("CREATE INDEX ON t (e)");
        assert_eq!((s.kind, s.index), (StatementKind::CreateIndex, None));
        assert_eq!(shape("VACUUM t").kind, StatementKind::Vacuum);
        assert_eq!(shape("VACUUM t").index, None);
        assert_eq!(shape("CRÉATE INDEX x").kind, StatementKind::Other);
        // text that is not SQL never panics
        assert_eq!(
            shape("CREATE INDEX CONCURRENTLé").kind,
            StatementKind::Other
        );
        assert_eq!(shape("'unterminated").kind, StatementKind::Other);
    }

    #[test]
    fn reindexed_names_come_back_exactly() {
        let s = shape("REINDEX INDEX CONCURRENTLY \"public\".\"emb_idx\"");
        assert_eq!(s.kind, StatementKind::Reindex);
        assert_eq!(s.index, named(Some("public"), "emb_idx"));
        assert_eq!(index("reindex index \"i\""), named(None, "i"));
        assert_eq!(
            index("REINDEX (VERBOSE) INDEX \"s\".\"i\""),
            named(Some("s"), "i")
        );
        // an index called "concurrently"
        assert_eq!(
            index("REINDEX INDEX concurrently"),
            named(None, "concurrently")
        );
        let s = shape("REINDEX TABLE t");
        assert_eq!((s.kind, s.index), (StatementKind::Reindex, None));
    }

    #[test]
    fn every_statement_family_has_its_kind() {
        use StatementKind as K;
        for (sql, kind) in [
            (
                "DROP INDEX CONCURRENTLY IF EXISTS \"s\".\"i\"",
                K::DropIndex,
            ),
            ("ALTER INDEX \"s\".\"i\" RENAME TO \"j\"", K::AlterIndex),
            (
                "ALTER TABLE \"s\".\"t\" SET (autovacuum_enabled = off)",
                K::AlterTable,
            ),
            (
                "ALTER DATABASE \"db\" SET \"hnsw\".\"ef_search\" = '40'",
                K::AlterDatabase,
            ),
            ("ALTER ROLE \"w\" SET work_mem = '8MB'", K::AlterRole),
            ("ANALYZE \"s\".\"t\"", K::Analyze),
            ("SET maintenance_work_mem = E'1GB'", K::Set),
            ("RESET maintenance_work_mem", K::Reset),
            ("SELECT pg_catalog.pg_prewarm('\"s\".\"i\"')", K::Select),
            ("TRUNCATE t", K::Other),
        ] {
            assert_eq!(shape(sql).kind, kind, "{sql}");
        }
    }
}
