//! The static safety pass: what a playbook's SQL may do, checked before it can run.
//!
//! Every SQL step, `wait_for` condition and step setting is rendered with
//! placeholder values ([`crate::playbook::Context::placeholder`]), keeping where
//! each placeholder's text landed, and parsed with a PostgreSQL grammar. The check
//! is an allow-list; anything not recognised is rejected with a reason:
//!
//! * `VACUUM` (not `FULL`) and `ANALYZE` of the collection's table;
//!   `REINDEX INDEX|TABLE`, `CREATE INDEX` and `DROP INDEX` (`CONCURRENTLY` or
//!   not) of the collection's indexes; `ALTER INDEX ... RENAME TO / SET / RESET`;
//!   `ALTER TABLE ... SET (...) / RESET (...)` of storage parameters;
//! * `ALTER DATABASE <the collection's database>` / `ALTER ROLE <a role parameter>`
//!   `SET` / `RESET` of the settings in [`lists::PERSISTENT_SETTINGS`] (and
//!   `ALTER ROLE ... CONNECTION LIMIT n`); `SET` / `RESET` of
//!   [`lists::SESSION_SETTINGS`];
//! * `SELECT` whose every expression, `FROM` item, subquery and CTE uses only
//!   listed read-only functions ([`lists::READ_FUNCTIONS`], unqualified or
//!   `pg_catalog.`, or an extension's function through `{{ schema_of(ext) }}`),
//!   listed catalog views and the collection's own table;
//!   `pg_cancel_backend` / `pg_terminate_backend` only when [`Allow::signal_backends`].
//!
//! "The collection's own" means the name came from a placeholder
//! (`{{ ident(table) }}`, `{{ ident(index) }}`, ...: see [`names`]); a name typed
//! into the playbook never is, whatever it spells. Rejected among others: dblink,
//! `COPY`, `DO`, `CALL`, `set_config`, `ALTER SYSTEM`, `RESET ALL`, data-modifying
//! statements and CTEs, file and large-object functions, and more than one statement.
//!
//! `VACUUM (...)`, `ANALYZE (...)`, `REINDEX`, `ALTER DATABASE`, `ALTER INDEX` and
//! `DROP INDEX` are matched by strict token grammars ([`narrow`]) because sqlparser
//! does not parse them as PostgreSQL writes them; everything else goes through
//! sqlparser's PostgreSQL dialect.

pub mod lists;
pub mod names;
mod narrow;
mod query;
pub mod setting;
pub mod shape;

use std::collections::BTreeSet;

use sqlparser::ast::{
    AlterRoleOperation, AlterTableOperation, CreateIndex, Expr, ObjectType, ResetConfig,
    RoleOption, SetConfigValue, SqlOption, Statement,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

pub use lists::EXTENSIONS;
use names::{Origins, Part, dotted, parts};

use super::render::{Context, Placed, fill_traced};

/// What a statement may do beyond the maintenance every step may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allow {
    /// `pg_cancel_backend` / `pg_terminate_backend` (a step marked
    /// `signals_backends: true` in a playbook with `requires_approval: true`).
    pub signal_backends: bool,
    /// Only a `SELECT` (a `wait_for` condition).
    pub query_only: bool,
}

/// What the playbook's parameters are, for telling its own objects from others.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Parameters of type `identifier`.
    pub identifiers: BTreeSet<String>,
    /// `identifier` parameters naming an index some step of the playbook creates
    /// (`CREATE INDEX {{ ident(p) }} ON {{ ident(table) }} ...`).
    pub created_indexes: BTreeSet<String>,
}

impl Params {
    fn identifier(&self, v: &str) -> bool {
        self.identifiers.contains(v)
    }

    fn created(&self, v: &str) -> bool {
        self.created_indexes.contains(v)
    }
}

/// What a statement that passed does, for the checks across steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The `identifier` parameter naming the index it creates, if it creates one.
    pub creates_index: Option<String>,
}

/// A statement's verdict: what it does, or why it is refused.
pub type Verdict = Result<Facts, String>;

/// Renders `template` with `ctx` (keeping where placeholders land) and checks it.
pub fn check_template(template: &str, ctx: &Context, allow: Allow, params: &Params) -> Verdict {
    let (sql, placed) = fill_traced(template, ctx).map_err(|e| e.to_string())?;
    check(&sql, &placed, allow, params)
}

/// Checks one rendered statement; `placed` says where the placeholders are.
pub fn check(sql: &str, placed: &[Placed], allow: Allow, params: &Params) -> Verdict {
    let dialect = PostgreSqlDialect {};
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| format!("cannot read the SQL: {e}"))?
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .collect();
    // With standard_conforming_strings off the server reads a backslash in '...'
    // as an escape, so the statement it runs would not be the one checked here.
    if tokens.iter().any(|t| {
        matches!(&t.token, Token::SingleQuotedString(v) | Token::NationalStringLiteral(v) if v.contains('\\'))
    }) {
        return Err(BACKSLASH.into());
    }
    let statements: Vec<&[TokenWithSpan]> = tokens
        .split(|t| t.token == Token::SemiColon)
        .filter(|s| !s.is_empty())
        .collect();
    let t = match statements.as_slice() {
        [] => return Err("the step has no SQL statement".into()),
        [one] => *one,
        more => {
            return Err(format!(
                "a step must hold exactly one SQL statement, found {}",
                more.len()
            ));
        }
    };
    let o = Origins::new(sql, placed);
    if let Some(verdict) = narrow::rules(t, &o, params) {
        if allow.query_only {
            return Err(format!(
                "{} is not a query; wait_for needs a SELECT returning one boolean",
                head(t)
            ));
        }
        return verdict;
    }
    let parsed = Parser::parse_sql(&dialect, sql).map_err(|e| {
        format!(
            "{} is not a statement ruvheal can check ({e}); only maintenance statements are allowed",
            head(t)
        )
    })?;
    let [one] = parsed.as_slice() else {
        return Err("a step must hold exactly one SQL statement".into());
    };
    if allow.query_only && !matches!(one, Statement::Query(_)) {
        return Err(format!(
            "{} is not a query; wait_for needs a SELECT returning one boolean",
            head(t)
        ));
    }
    statement(one, t, &o, allow, params)
}

/// Checks a step's `settings:` entry or a `set_setting` step: `name` on the list
/// (`persistent` for `ALTER DATABASE|ROLE ... SET`), `value` one constant.
pub fn check_setting(
    name: &str,
    value: &str,
    ctx: &Context,
    persistent: bool,
) -> Result<(), String> {
    // Setting names are case-insensitive: listed or not as the server reads them.
    let name = &crate::sql::quote::setting_key(name).map_err(|e| e.to_string())?;
    if persistent {
        setting::persistent(name)?;
    } else {
        setting::session(name)?;
    }
    let (text, _) = fill_traced(value, ctx).map_err(|e| e.to_string())?;
    setting::one_value_text(&text)
}

fn word(t: &TokenWithSpan) -> Option<String> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn head(t: &[TokenWithSpan]) -> String {
    let words: Vec<String> = t.iter().take(2).filter_map(word).collect();
    if words.is_empty() {
        "this".into()
    } else {
        words.join(" ")
    }
}

fn plain_value(e: &Expr) -> bool {
    match e {
        Expr::Value(_) | Expr::Identifier(_) => true,
        Expr::UnaryOp { expr, .. } => matches!(**expr, Expr::Value(_)),
        _ => false,
    }
}

fn storage_options(options: &[SqlOption]) -> bool {
    options
        .iter()
        .all(|o| matches!(o, SqlOption::KeyValue { value, .. } if plain_value(value)))
}

const BACKSLASH: &str = "a '...' string with a backslash reads differently when \
    standard_conforming_strings is off; write E'...' (literal() does)";
const ROLE_PARAM: &str =
    "ALTER ROLE must name the role through an identifier parameter ({{ ident(writer_role) }})";
const ROLE_IN_DATABASE: &str = "ALTER ROLE ... IN DATABASE must name the collection's database";
const ROLE_FORMS: &str =
    "ALTER ROLE may only SET/RESET a listed setting or change CONNECTION LIMIT";
const RESET_ALL: &str = "RESET ALL / RESET SESSION AUTHORIZATION would undo ruvheal's own \
    session settings; reset one listed setting";
const NEW_INDEX_NAME: &str = "CREATE INDEX must name the new index through a placeholder \
    ({{ ident(new_index_name) }}, {{ ident(index_name) }}), unqualified";

fn statement(
    s: &Statement,
    t: &[TokenWithSpan],
    o: &Origins<'_>,
    allow: Allow,
    params: &Params,
) -> Verdict {
    let done = Ok(Facts::default());
    match s {
        Statement::CreateIndex(ci) => create_index(ci, o, params),
        Statement::AlterTable(at) => {
            let name = parts(&at.name).unwrap_or_default();
            if !o.is_table(&name) {
                return Err(format!(
                    "ALTER TABLE {} names a table that is not the collection's: write {{{{ ident(table) }}}}",
                    dotted(&name)
                ));
            }
            if at.location.is_some() || at.on_cluster.is_some() || at.table_type.is_some() {
                return Err("this ALTER TABLE form is not PostgreSQL's".into());
            }
            for op in &at.operations {
                match op {
                    AlterTableOperation::SetOptionsParens { options }
                        if storage_options(options) => {}
                    AlterTableOperation::ResetOptions { .. } => {}
                    other => {
                        return Err(format!(
                            "ALTER TABLE ... {other} can rewrite or delete user rows; only SET (...) and RESET (...) of storage parameters are allowed"
                        ));
                    }
                }
            }
            done
        }
        Statement::AlterRole { name, operation } => {
            if !o.is_role(&[Part::of(name)], &|v| params.identifier(v)) {
                return Err(ROLE_PARAM.into());
            }
            match operation {
                AlterRoleOperation::Set {
                    config_name,
                    config_value,
                    in_database,
                } => {
                    setting::persistent(&dotted(&parts(config_name).unwrap_or_default()))?;
                    let db_ok = |d: &sqlparser::ast::ObjectName| {
                        o.is_database(&parts(d).unwrap_or_default())
                    };
                    if in_database.as_ref().is_some_and(|d| !db_ok(d)) {
                        return Err(ROLE_IN_DATABASE.into());
                    }
                    match config_value {
                        SetConfigValue::Value(v) if plain_value(v) => done,
                        SetConfigValue::Default => done,
                        _ => Err("a setting's value must be one constant".into()),
                    }
                }
                AlterRoleOperation::Reset {
                    config_name: ResetConfig::ConfigName(n),
                    in_database: None,
                } => setting::persistent(&dotted(&parts(n).unwrap_or_default()))
                    .map(|()| Facts::default()),
                AlterRoleOperation::WithOptions { options }
                    if options
                        .iter()
                        .all(|o| matches!(o, RoleOption::ConnectionLimit(e) if plain_value(e))) =>
                {
                    done
                }
                _ => Err(ROLE_FORMS.into()),
            }
        }
        Statement::Set(sqlparser::ast::Set::SingleAssignment {
            scope: _,
            hivevar: false,
            variable,
            values,
        }) => {
            setting::session(&dotted(&parts(variable).unwrap_or_default()))?;
            if values.len() == 1 && plain_value(&values[0]) {
                done
            } else {
                Err("a setting's value must be one constant".into())
            }
        }
        Statement::Set(_) => Err(format!("{} is not a SET of a listed setting", head(t))),
        Statement::Reset(r) => match &r.reset {
            sqlparser::ast::Reset::ConfigurationParameter(n) => {
                setting::session(&dotted(&parts(n).unwrap_or_default())).map(|()| Facts::default())
            }
            _ => Err(RESET_ALL.into()),
        },
        Statement::Query(q) => {
            let mut w = query::Walk {
                o,
                allow,
                ctes: Vec::new(),
            };
            w.query(q).map(|()| Facts::default())
        }
        Statement::Drop {
            object_type: ObjectType::Index,
            ..
        } => Err("DROP INDEX (one index, no CASCADE) is not in the form ruvheal allows".into()),
        Statement::Drop { object_type, .. } => Err(format!(
            "DROP {object_type} deletes user data; only DROP INDEX is allowed"
        )),
        Statement::Delete(_) => Err("DELETE deletes user rows".into()),
        Statement::Update(_) => Err("UPDATE rewrites user rows".into()),
        Statement::Truncate(_) => Err("TRUNCATE deletes user rows".into()),
        Statement::Merge(_) => Err("MERGE rewrites user rows".into()),
        Statement::Insert(_) => Err("INSERT writes user rows; playbooks do not change data".into()),
        _ => Err(format!(
            "{} is not on the allow-list of maintenance statements",
            head(t)
        )),
    }
}

fn create_index(ci: &CreateIndex, o: &Origins<'_>, params: &Params) -> Verdict {
    let CreateIndex {
        name,
        table_name,
        using: _,
        columns,
        unique,
        concurrently: _,
        r#async,
        if_not_exists: _,
        include,
        nulls_distinct,
        with,
        predicate,
        index_options,
        alter_options,
    } = ci;
    let table = parts(table_name).unwrap_or_default();
    if !o.is_table(&table) {
        return Err(format!(
            "CREATE INDEX ON {} names a table that is not the collection's: write {{{{ ident(table) }}}}",
            dotted(&table)
        ));
    }
    let mut facts = Facts::default();
    if let Some(n) = name {
        let p = parts(n).unwrap_or_default();
        if !o.is_new_index(&p, &|v| params.identifier(v)) {
            return Err(NEW_INDEX_NAME.into());
        }
        facts.creates_index = o
            .placed(p[0].span)
            .map(|pl| pl.var.clone())
            .filter(|v| params.identifier(v));
    }
    if *unique
        || *r#async
        || nulls_distinct.is_some()
        || !index_options.is_empty()
        || !alter_options.is_empty()
    {
        return Err(
            "this CREATE INDEX form is not allowed (no UNIQUE, no options beyond WITH)".into(),
        );
    }
    if predicate.is_some() {
        return Err(
            "a partial index's WHERE runs expressions; CREATE INDEX may not have one".into(),
        );
    }
    if !include.is_empty() {
        return Err("CREATE INDEX ... INCLUDE is not allowed".into());
    }
    for c in columns {
        if !matches!(c.column.expr, Expr::Identifier(_)) {
            return Err(
                "CREATE INDEX may index plain columns only (an expression runs functions)".into(),
            );
        }
        if let Some(opc) = &c.operator_class
            && !o.is_opclass(&parts(opc).unwrap_or_default())
        {
            return Err(format!(
                "operator class {opc} must be {{{{ ident(opclass) }}}} or qualified with {{{{ schema_of(vector) }}}}"
            ));
        }
    }
    for w in with {
        let ok = match w {
            Expr::BinaryOp { left, right, .. } => {
                matches!(**left, Expr::Identifier(_)) && plain_value(right)
            }
            _ => false,
        };
        if !ok {
            return Err(
                "CREATE INDEX ... WITH takes `name = constant` storage parameters only".into(),
            );
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests;
