//! Versioned, idempotent migrations of the state schema.
//!
//! All migrations run in one transaction under a transaction-scoped advisory lock,
//! so two processes migrating at once neither fail nor apply anything twice: the
//! second waits, then finds nothing left to do. Each applied migration is recorded
//! with a checksum; a changed or unknown (newer) migration is refused.

use anyhow::{Context, Result, bail};
use postgres::GenericClient;
use sha2::{Digest, Sha256};

use crate::sql::quote;

/// One migration: a version and its SQL, with `{schema}` for the quoted schema.
pub struct Migration {
    /// Monotonic version number.
    pub version: i32,
    /// Short name.
    pub name: &'static str,
    /// SQL text with `{schema}` placeholders.
    pub sql: &'static str,
}

/// The migrations this build knows, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "state",
        sql: include_str!("migrations/0001_state.sql"),
    },
    Migration {
        version: 2,
        name: "learn",
        sql: include_str!("migrations/0002_learn.sql"),
    },
    Migration {
        version: 3,
        name: "plan_interrupted",
        sql: include_str!("migrations/0003_plan_interrupted.sql"),
    },
    Migration {
        version: 4,
        name: "abort_feedback",
        sql: include_str!("migrations/0004_abort_feedback.sql"),
    },
];

/// The newest schema version this build knows.
pub fn latest_version() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// A privilege the connected role lacks. Exit 3, naming the privilege.
#[derive(Debug)]
pub struct MissingPrivilege(pub String);

impl std::fmt::Display for MissingPrivilege {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "missing privilege: {}", self.0)
    }
}
impl std::error::Error for MissingPrivilege {}

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrateReport {
    /// Versions applied by this run (empty when already current).
    pub applied: Vec<i32>,
    /// The schema version now in place.
    pub version: i32,
}

fn checksum(m: &Migration) -> String {
    let digest = Sha256::digest(m.sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A state schema that another, less trusted role could have planted (it owns
/// the schema or one of its objects): ruvheal would run that role's triggers
/// with its own privileges. Exit 3.
#[derive(Debug)]
pub struct UntrustedSchema(pub String);

impl std::fmt::Display for UntrustedSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refusing the state schema: {}", self.0)
    }
}
impl std::error::Error for UntrustedSchema {}

/// Fails when schema `schema` exists and it, or anything in it, is owned by a
/// role that is neither the session's user nor a superuser.
fn check_owners(client: &mut impl GenericClient, schema: &str) -> Result<()> {
    let rows = client
        .query(
            "SELECT o.kind, o.name, r.rolname::pg_catalog.text
               FROM (SELECT 'schema'::pg_catalog.text AS kind, n.nspname::pg_catalog.text AS name,
                            n.nspowner AS owner
                       FROM pg_catalog.pg_namespace n
                      WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name
                     UNION ALL
                     SELECT 'relation', c.relname::pg_catalog.text, c.relowner
                       FROM pg_catalog.pg_class c
                       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                      WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name
                     UNION ALL
                     SELECT 'function', p.proname::pg_catalog.text, p.proowner
                       FROM pg_catalog.pg_proc p
                       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
                      WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name) o
               JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) o.owner
              WHERE r.rolname OPERATOR(pg_catalog.<>) pg_catalog.current_user()
                AND NOT r.rolsuper
              LIMIT 1",
            &[&schema],
        )
        .context("checking who owns the state schema")?;
    if let Some(r) = rows.first() {
        let (kind, name, owner): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        return Err(UntrustedSchema(format!(
            "{kind} {name} in schema {schema} is owned by role {owner}, which is neither this \
             session's user nor a superuser; its triggers would run with ruvheal's privileges \
             (drop or re-own it, or set another state_schema)"
        ))
        .into());
    }
    Ok(())
}

/// Brings the state schema `schema` up to [`latest_version`].
pub fn migrate(client: &mut postgres::Client, schema: &str) -> Result<MigrateReport> {
    let q = quote::ident(schema)?;
    check_owners(client, schema)?;
    if let Some(version) = current_if_complete(client, schema)? {
        return Ok(MigrateReport {
            applied: vec![],
            version,
        });
    }
    let mut tx = client
        .transaction()
        .context("starting the migration transaction")?;
    tx.execute(
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
        &[&format!("ruvheal.migrate:{schema}")],
    )
    .context("taking the migration lock")?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&schema],
        )?
        .get(0);
    if !exists {
        tx.batch_execute(&format!("CREATE SCHEMA {q}"))
            .map_err(|e| privilege(e, &format!("CREATE on the database (to create schema {q})")))?;
    }
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {q}.schema_version (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now())"
    ))
    .map_err(|e| privilege(e, &format!("CREATE on schema {q}")))?;
    let done = applied(&mut tx, &q)?;
    let mut report = MigrateReport {
        applied: vec![],
        version: done.last().map_or(0, |(v, _)| *v),
    };
    for m in MIGRATIONS {
        if done.iter().any(|(v, _)| *v == m.version) {
            continue;
        }
        tx.batch_execute(&m.sql.replace("{schema}", &q))
            .map_err(|e| privilege(e, &format!("CREATE on schema {q}")))
            .with_context(|| format!("applying state migration {} ({})", m.version, m.name))?;
        tx.execute(
            &format!(
                "INSERT INTO {q}.schema_version (version, name, checksum) VALUES ($1, $2, $3)"
            ),
            &[&m.version, &m.name, &checksum(m)],
        )?;
        report.applied.push(m.version);
        report.version = m.version;
    }
    tx.commit().context("committing the state migrations")?;
    Ok(report)
}

/// The recorded migrations, checked against this build's.
fn applied(client: &mut impl GenericClient, q: &str) -> Result<Vec<(i32, String)>> {
    let rows = client
        .query(
            &format!("SELECT version, checksum FROM {q}.schema_version ORDER BY version"),
            &[],
        )
        .map_err(|e| privilege(e, &format!("SELECT on {q}.schema_version")))?;
    let done: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for (v, sum) in &done {
        match MIGRATIONS.iter().find(|m| m.version == *v) {
            None => bail!(
                "state schema {q} is at version {v}, newer than this ruvheal knows ({}); upgrade ruvheal",
                latest_version()
            ),
            Some(m) if checksum(m) != *sum => bail!(
                "state migration {v} ({}) in schema {q} differs from this build's; \
                 the schema was changed by hand or by another ruvheal build",
                m.name
            ),
            Some(_) => {}
        }
    }
    Ok(done)
}

/// The version in place when nothing needs doing, without taking the lock.
fn current_if_complete(client: &mut postgres::Client, schema: &str) -> Result<Option<i32>> {
    let table = format!("{}.schema_version", quote::ident(schema)?);
    let present: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .context("looking for the state schema")?
        .get(0);
    if !present {
        return Ok(None);
    }
    let done = applied(client, &quote::ident(schema)?)?;
    let complete = MIGRATIONS
        .iter()
        .all(|m| done.iter().any(|(v, _)| *v == m.version));
    Ok(complete.then(|| done.last().map_or(0, |(v, _)| *v)))
}

/// Turns SQLSTATE 42501 (insufficient_privilege) into [`MissingPrivilege`].
fn privilege(e: postgres::Error, what: &str) -> anyhow::Error {
    if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        anyhow::Error::new(MissingPrivilege(format!(
            "ruvheal needs {what} for its state tables ({detail}); grant it, or point --state-url at a database where ruvheal may keep its state"
        )))
    } else {
        anyhow::Error::new(e)
    }
}
