//! Undo state: what a step changed, captured before it runs and stored with it,
//! so `rollback` (any process, any time later) and crash cleanup can put things
//! back without re-reading playbooks.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::exec::SqlStep;
use crate::sql::quote::{self, setting_name};

/// How to undo one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Undo {
    /// Nothing to undo: the step changed nothing (a wait, a re-check).
    Nothing,
    /// The step changed something no statement can put back (REINDEX, VACUUM,
    /// ending a session): a rollback keeps it and says so, never "undone".
    Irreversible,
    /// The step created this index (qualified, quoted SQL name): drop it.
    DropIndex {
        /// `"schema"."name"`.
        index: String,
    },
    /// The step changed a database- or role-level setting: restore it.
    RestoreSetting {
        /// `database` or `role`.
        scope: String,
        /// The database or role name.
        target: String,
        /// The setting.
        name: String,
        /// Its value before (`None`: it was not set at that level, so RESET).
        previous: Option<String>,
    },
    /// The step changed a table storage option: restore it.
    RestoreTableOption {
        /// `"schema"."table"`.
        table: String,
        /// The option (`autovacuum_enabled`, ...).
        option: String,
        /// Its value before (`None`: RESET).
        previous: Option<String>,
    },
    /// The step changed a role's connection limit: restore it.
    RestoreConnectionLimit {
        /// The role.
        role: String,
        /// The limit before (-1: none).
        previous: i32,
    },
    /// A playbook's own undo step, rendered when the step ran.
    Sql {
        /// The statement.
        sql: String,
        /// Whether it runs in a transaction.
        transactional: bool,
    },
}

impl Undo {
    /// The statement that undoes the step, if any. Safe to run twice.
    pub fn step(&self) -> Result<Option<SqlStep>> {
        let sql = |sql: String, transactional: bool| SqlStep {
            sql,
            transactional,
            settings: vec![],
            creates_index: None,
        };
        Ok(Some(match self {
            Undo::Nothing | Undo::Irreversible => return Ok(None),
            Undo::DropIndex { index } => sql(
                format!("DROP INDEX CONCURRENTLY IF EXISTS {}", checked_name(index)?),
                false,
            ),
            Undo::RestoreSetting {
                scope,
                target,
                name,
                previous,
            } => {
                let what = match scope.as_str() {
                    "database" => "DATABASE",
                    "role" => "ROLE",
                    other => anyhow::bail!("unknown setting scope {other:?}"),
                };
                let set = match previous {
                    Some(v) => format!("SET {} = {}", setting_name(name)?, quote::literal(v)?),
                    None => format!("RESET {}", setting_name(name)?),
                };
                sql(
                    format!("ALTER {what} {} {set}", quote::ident(target)?),
                    true,
                )
            }
            Undo::RestoreTableOption {
                table,
                option,
                previous,
            } => {
                let option_sql = setting_name(option)?;
                let change = match previous {
                    Some(v) => format!("SET ({option_sql} = {})", quote::literal(v)?),
                    None => format!("RESET ({option_sql})"),
                };
                sql(
                    format!("ALTER TABLE {} {change}", checked_name(table)?),
                    true,
                )
            }
            Undo::RestoreConnectionLimit { role, previous } => sql(
                format!(
                    "ALTER ROLE {} CONNECTION LIMIT {previous}",
                    quote::ident(role)?
                ),
                true,
            ),
            Undo::Sql {
                sql: s,
                transactional,
            } => sql(s.clone(), *transactional),
        }))
    }
}

/// A stored qualified name must still be exactly what the quoting module makes.
fn checked_name(name: &str) -> Result<String> {
    let q = match quote::split_name(name)? {
        (Some(schema), table) => crate::sql::QualifiedName::new(&schema, &table).sql()?,
        (None, _) => anyhow::bail!("{name:?} is not a schema-qualified name"),
    };
    anyhow::ensure!(q == name, "{name:?} is not a quoted schema-qualified name");
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_statements_quote_everything() {
        let u = Undo::RestoreSetting {
            scope: "database".into(),
            target: "my db".into(),
            name: "hnsw.ef_search".into(),
            previous: Some("40'; DROP TABLE t; --".into()),
        };
        let s = u.step().unwrap().unwrap();
        assert_eq!(
            s.sql,
            "ALTER DATABASE \"my db\" SET \"hnsw\".\"ef_search\" = '40''; DROP TABLE t; --'"
        );
        let u = Undo::RestoreSetting {
            scope: "role".into(),
            target: "app".into(),
            name: "ivfflat.probes".into(),
            previous: None,
        };
        assert_eq!(
            u.step().unwrap().unwrap().sql,
            "ALTER ROLE \"app\" RESET \"ivfflat\".\"probes\""
        );
        let u = Undo::DropIndex {
            index: "\"public\".\"emb_new\"".into(),
        };
        let s = u.step().unwrap().unwrap();
        assert!(!s.transactional);
        assert_eq!(
            s.sql,
            "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"emb_new\""
        );
        let bad = Undo::DropIndex {
            index: "public.x; DROP TABLE t".into(),
        };
        assert!(bad.step().is_err());
        assert_eq!(Undo::Nothing.step().unwrap(), None);
        let round: Undo = serde_json::from_value(serde_json::to_value(&u).unwrap()).unwrap();
        assert_eq!(round, u);
    }
}
