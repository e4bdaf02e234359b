//! The static safety pass: no playbook statement may delete or rewrite user rows.
//!
//! Each SQL step is rendered with placeholder values and checked here. The check is
//! an allow-list, so anything not recognised is rejected:
//!
//! * allowed: `CREATE INDEX [CONCURRENTLY]`, `DROP INDEX [CONCURRENTLY]`,
//!   `ALTER INDEX ... RENAME TO`, `REINDEX`, `VACUUM` (not `FULL`), `ANALYZE`,
//!   `ALTER TABLE ... SET (...)` / `RESET (...)` (storage parameters only),
//!   `ALTER DATABASE ... SET/RESET`, `ALTER ROLE ... SET/RESET` and
//!   `ALTER ROLE ... CONNECTION LIMIT`, `SELECT` without data-modifying parts
//!   (`pg_cancel_backend`, `pg_prewarm`), `SET`, `RESET`;
//! * rejected with a reason: `DELETE`, `UPDATE`, `TRUNCATE`, `MERGE`, `INSERT`
//!   (including `ON CONFLICT DO UPDATE`), `COPY FROM`, `DROP TABLE` and any other
//!   `DROP`, `ALTER TABLE` column changes (`DROP COLUMN`, `ALTER COLUMN TYPE`, ...),
//!   `VACUUM FULL`, data-modifying CTEs, and more than one statement.
//!
//! Statements are parsed with `sqlparser` (PostgreSQL dialect). Five statement
//! families it does not parse as PostgreSQL writes them (`REINDEX`, `VACUUM (...)`,
//! `ANALYZE (...)`, `ALTER DATABASE ... SET`, `DROP INDEX CONCURRENTLY IF EXISTS`) are matched instead by narrow token
//! grammars over sqlparser's own tokenizer, which still sees every `;`, comment and
//! quoted name, so nothing can hide behind them.

use sqlparser::ast::{
    AlterIndexOperation, AlterRoleOperation, AlterTableOperation, ObjectType, OnConflictAction,
    OnInsert, Query, RoleOption, SetExpr, Statement,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Checks one statement; `Err` says why it is refused.
pub fn check(sql: &str) -> Result<(), String> {
    let dialect = PostgreSqlDialect {};
    let tokens: Vec<Token> = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(|e| format!("cannot read the SQL: {e}"))?
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF))
        .collect();
    let mut statements: Vec<&[Token]> = tokens
        .split(|t| *t == Token::SemiColon)
        .filter(|s| !s.is_empty())
        .collect();
    match statements.len() {
        0 => return Err("the step has no SQL statement".into()),
        1 => {}
        n => {
            return Err(format!(
                "a step must hold exactly one SQL statement, found {n}"
            ));
        }
    }
    let t = statements.remove(0);
    if let Some(verdict) = narrow_rules(t) {
        return verdict;
    }
    let parsed = Parser::parse_sql(&dialect, sql).map_err(|e| {
        format!("{} is not a statement ruvheal can check ({e}); only maintenance statements are allowed", head(t))
    })?;
    match parsed.as_slice() {
        [one] => statement(one, t),
        _ => Err("a step must hold exactly one SQL statement".into()),
    }
}

fn word(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn is_kw(t: Option<&Token>, kw: &str) -> bool {
    t.and_then(word).is_some_and(|w| w == kw)
}

fn head(t: &[Token]) -> String {
    let words: Vec<String> = t.iter().take(2).filter_map(word).collect();
    if words.is_empty() {
        "this".into()
    } else {
        words.join(" ")
    }
}

/// `name` or `schema.name`; returns the index after it.
fn qualified_name(t: &[Token], at: usize) -> Option<usize> {
    let is_name = |i: usize| matches!(t.get(i), Some(Token::Word(_)));
    if !is_name(at) {
        return None;
    }
    if t.get(at + 1) == Some(&Token::Period) {
        return is_name(at + 2).then_some(at + 3);
    }
    Some(at + 1)
}

/// `( word [value], ... )` of simple options; returns the index after it.
fn option_list(t: &[Token], at: usize) -> Option<(usize, Vec<String>)> {
    if t.get(at) != Some(&Token::LParen) {
        return Some((at, vec![]));
    }
    let mut words = vec![];
    let mut i = at + 1;
    loop {
        match t.get(i)? {
            Token::RParen => return Some((i + 1, words)),
            Token::Word(w) => words.push(w.value.to_ascii_uppercase()),
            Token::Comma | Token::Number(..) => {}
            _ => return None,
        }
        i += 1;
    }
}

/// `( col, ... )` column list; returns the index after it.
fn column_list(t: &[Token], at: usize) -> Option<usize> {
    if t.get(at) != Some(&Token::LParen) {
        return Some(at);
    }
    let mut i = at + 1;
    loop {
        match t.get(i)? {
            Token::RParen => return Some(i + 1),
            Token::Word(_) | Token::Comma => {}
            _ => return None,
        }
        i += 1;
    }
}

fn narrow_rules(t: &[Token]) -> Option<Result<(), String>> {
    let first = word(t.first()?)?;
    let bad = |what: &str| Some(Err(format!("{what} is not in the form ruvheal allows")));
    match first.as_str() {
        // REINDEX [ (options) ] { INDEX | TABLE } [ CONCURRENTLY ] name
        "REINDEX" => {
            let (mut i, _) = option_list(t, 1)?;
            if !(is_kw(t.get(i), "INDEX") || is_kw(t.get(i), "TABLE")) {
                return bad("REINDEX");
            }
            i += 1;
            if is_kw(t.get(i), "CONCURRENTLY") && t.len() > i + 1 {
                i += 1;
            }
            match qualified_name(t, i) {
                Some(end) if end == t.len() => Some(Ok(())),
                _ => bad("REINDEX"),
            }
        }
        // VACUUM [ (options) | VERBOSE/ANALYZE/FREEZE ... ] [ name [ (columns) ] ]; never FULL
        // ANALYZE [ (options) | VERBOSE ] [ name [ (columns) ] ]
        "VACUUM" | "ANALYZE" => {
            let (mut i, mut opts) = option_list(t, 1)?;
            while i < t.len()
                && ["VERBOSE", "ANALYZE", "FREEZE", "FULL"]
                    .iter()
                    .any(|k| is_kw(t.get(i), k))
                && t.get(i + 1) != Some(&Token::Period)
            {
                opts.push(word(&t[i])?);
                i += 1;
            }
            if opts.iter().any(|o| o == "FULL") {
                return Some(Err(
                    "VACUUM FULL rewrites the whole table under an exclusive lock; use plain VACUUM or rebuild the index".into(),
                ));
            }
            if i < t.len() {
                i = qualified_name(t, i)?;
                i = column_list(t, i)?;
            }
            if i == t.len() {
                Some(Ok(()))
            } else {
                bad(&first)
            }
        }
        // DROP INDEX [ CONCURRENTLY ] [ IF EXISTS ] name [ RESTRICT ]
        "DROP" if is_kw(t.get(1), "INDEX") => {
            let mut i = 2;
            if is_kw(t.get(i), "CONCURRENTLY") && t.len() > i + 1 {
                i += 1;
            }
            if is_kw(t.get(i), "IF") && is_kw(t.get(i + 1), "EXISTS") && t.len() > i + 2 {
                i += 2;
            }
            i = qualified_name(t, i)?;
            if is_kw(t.get(i), "RESTRICT") {
                i += 1;
            }
            if i == t.len() {
                Some(Ok(()))
            } else {
                bad("DROP INDEX (one index, no CASCADE)")
            }
        }
        // ALTER DATABASE name { SET setting { = | TO } value | RESET { setting | ALL } }
        "ALTER" if is_kw(t.get(1), "DATABASE") => {
            let i = 3;
            if !matches!(t.get(2), Some(Token::Word(_))) {
                return bad("ALTER DATABASE");
            }
            let setting_end = |at: usize| qualified_name(t, at);
            let ok = if is_kw(t.get(i), "SET") {
                setting_end(i + 1).is_some_and(|j| {
                    (t.get(j) == Some(&Token::Eq) || is_kw(t.get(j), "TO"))
                        && matches!(
                            t.get(j + 1),
                            Some(Token::Number(..) | Token::SingleQuotedString(_) | Token::Word(_))
                        )
                        && j + 2 == t.len()
                })
            } else if is_kw(t.get(i), "RESET") {
                setting_end(i + 1).is_some_and(|j| j == t.len())
            } else {
                false
            };
            if ok {
                Some(Ok(()))
            } else {
                bad("ALTER DATABASE (only SET and RESET of a setting)")
            }
        }
        _ => None,
    }
}

fn statement(s: &Statement, t: &[Token]) -> Result<(), String> {
    match s {
        Statement::CreateIndex(_) | Statement::Set(_) | Statement::Reset(_) => Ok(()),
        Statement::Drop {
            object_type: ObjectType::Index,
            ..
        } => Ok(()),
        Statement::Drop { object_type, .. } => Err(format!(
            "DROP {object_type} deletes user data; only DROP INDEX is allowed"
        )),
        Statement::AlterIndex {
            operation: AlterIndexOperation::RenameIndex { .. },
            ..
        } => Ok(()),
        Statement::AlterTable(at) => {
            for op in &at.operations {
                match op {
                    AlterTableOperation::SetOptionsParens { .. }
                    | AlterTableOperation::ResetOptions { .. } => {}
                    other => {
                        return Err(format!(
                            "ALTER TABLE ... {other} can rewrite or delete user rows; only SET (...) and RESET (...) of storage parameters are allowed"
                        ));
                    }
                }
            }
            Ok(())
        }
        Statement::AlterRole { operation, .. } => match operation {
            AlterRoleOperation::Set { .. } | AlterRoleOperation::Reset { .. } => Ok(()),
            AlterRoleOperation::WithOptions { options }
                if options
                    .iter()
                    .all(|o| matches!(o, RoleOption::ConnectionLimit(_))) =>
            {
                Ok(())
            }
            _ => Err("ALTER ROLE may only SET/RESET settings or change CONNECTION LIMIT".into()),
        },
        Statement::Query(q) => query(q),
        Statement::Delete(_) => Err("DELETE deletes user rows".into()),
        Statement::Update(_) => Err("UPDATE rewrites user rows".into()),
        Statement::Truncate(_) => Err("TRUNCATE deletes user rows".into()),
        Statement::Merge(_) => Err("MERGE rewrites user rows".into()),
        Statement::Insert(i) => match &i.on {
            Some(OnInsert::OnConflict(c)) if matches!(c.action, OnConflictAction::DoUpdate(_)) => {
                Err("INSERT ... ON CONFLICT DO UPDATE rewrites user rows".into())
            }
            Some(OnInsert::DuplicateKeyUpdate(_)) => {
                Err("INSERT ... ON DUPLICATE KEY UPDATE rewrites user rows".into())
            }
            _ => Err("INSERT writes user rows; playbooks do not change data".into()),
        },
        Statement::Copy { to: false, .. } => Err("COPY FROM writes user rows".into()),
        _ => Err(format!(
            "{} is not on the allow-list of maintenance statements",
            head(t)
        )),
    }
}

fn query(q: &Query) -> Result<(), String> {
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            query(&cte.query)?;
        }
    }
    set_expr(&q.body)
}

fn set_expr(e: &SetExpr) -> Result<(), String> {
    match e {
        SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Table(_) => Ok(()),
        SetExpr::Query(q) => query(q),
        SetExpr::SetOperation { left, right, .. } => {
            set_expr(left)?;
            set_expr(right)
        }
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
            Err("a data-modifying WITH query changes user rows".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn maintenance_statements_are_allowed() {
        for sql in [
            r#"CREATE INDEX CONCURRENTLY "i_new" ON "s"."t" USING "hnsw" ("embedding" "vector_cosine_ops") WITH (m = 16, ef_construction = 64)"#,
            "CREATE INDEX ON t USING ivfflat (embedding vector_l2_ops) WITH (lists = 100)",
            r#"DROP INDEX CONCURRENTLY IF EXISTS "s"."i""#,
            r#"ALTER INDEX "s"."i_new" RENAME TO "i""#,
            r#"REINDEX INDEX CONCURRENTLY "s"."i""#,
            "REINDEX (VERBOSE) TABLE t;",
            r#"VACUUM (ANALYZE, VERBOSE) "s"."t""#,
            "VACUUM ANALYZE t",
            "VACUUM",
            "ANALYZE s.t (embedding)",
            r#"ALTER TABLE "s"."t" SET (autovacuum_enabled = off)"#,
            r#"ALTER TABLE "s"."t" RESET (autovacuum_enabled, autovacuum_vacuum_scale_factor)"#,
            r#"ALTER DATABASE "db" SET "hnsw"."ef_search" = 200"#,
            r#"ALTER DATABASE "db" RESET "hnsw"."ef_search""#,
            r#"ALTER ROLE "writer" CONNECTION LIMIT 5"#,
            r#"ALTER ROLE "writer" SET statement_timeout = '5s'"#,
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'",
            r#"SELECT pg_prewarm('"s"."i"'::regclass)"#,
            "SELECT count(*) = 0 FROM pg_stat_progress_create_index",
            "SET maintenance_work_mem = '1GB'",
            "-- comment\nVACUUM t; ",
        ] {
            check(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn statements_touching_user_rows_are_rejected() {
        for (sql, why) in [
            ("DELETE FROM t", "DELETE"),
            ("UPDATE t SET embedding = NULL", "UPDATE"),
            ("TRUNCATE t", "TRUNCATE"),
            ("DROP TABLE t", "DROP TABLE"),
            ("DROP SCHEMA s CASCADE", "DROP SCHEMA"),
            ("ALTER TABLE t DROP COLUMN embedding", "DROP COLUMN"),
            (
                "ALTER TABLE t ALTER COLUMN embedding TYPE vector(3)",
                "ALTER COLUMN",
            ),
            (
                "ALTER TABLE t SET (fillfactor = 50), DROP COLUMN x",
                "DROP COLUMN",
            ),
            (
                "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 2",
                "DO UPDATE",
            ),
            ("INSERT INTO t VALUES (1)", "INSERT"),
            (
                "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE",
                "MERGE",
            ),
            ("COPY t FROM '/tmp/x'", "COPY FROM"),
            (
                "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d",
                "data-modifying",
            ),
            ("VACUUM FULL t", "VACUUM FULL"),
            ("VACUUM (FULL) t", "VACUUM FULL"),
            ("VACUUM t; DELETE FROM t", "exactly one"),
            ("REINDEX INDEX i; DROP TABLE t", "exactly one"),
            ("SELECT 1; SELECT 2", "exactly one"),
            ("ALTER DATABASE db RENAME TO x", "ALTER DATABASE"),
            ("ALTER DATABASE db SET x = 1 , y", "ALTER DATABASE"),
            ("REINDEX SYSTEM db", "REINDEX"),
            ("DROP INDEX i CASCADE", "DROP INDEX"),
            ("DROP INDEX i, j", "DROP INDEX"),
            ("ALTER ROLE w SUPERUSER", "ALTER ROLE"),
            ("CREATE TABLE x (a int)", "CREATE TABLE"),
            ("GRANT ALL ON t TO PUBLIC", "GRANT"),
            ("", "no SQL"),
        ] {
            let e = check(sql).expect_err(sql);
            assert!(e.contains(why), "{sql}: {e}");
        }
    }
}
