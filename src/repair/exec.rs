//! Runs one SQL step safely: `lock_timeout` and `statement_timeout` on every
//! statement, session settings (e.g. `maintenance_work_mem`) for that step only,
//! a bounded number of retries with backoff when a lock could not be had
//! (SQLSTATE 55P03), so the application's queries never queue behind ruvheal's
//! DDL for longer than the lock timeout.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use postgres::Client;

use crate::sql::{QualifiedName, quote};

/// Timeouts and retries for every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// `lock_timeout` for each statement.
    pub lock_timeout: Duration,
    /// `statement_timeout` for each statement.
    pub statement_timeout: Duration,
    /// Retries after a lock timeout.
    pub retries: u32,
    /// First wait before a retry; doubles each time.
    pub backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(3600),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// One SQL statement to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlStep {
    /// The exact SQL (rendered; values already quoted).
    pub sql: String,
    /// Run inside a transaction (false for CONCURRENTLY work and VACUUM).
    pub transactional: bool,
    /// Session settings for this step only, `(name, value)`.
    pub settings: Vec<(String, String)>,
    /// An index this step creates: when a failed attempt leaves it INVALID it is
    /// dropped before the next attempt.
    pub creates_index: Option<QualifiedName>,
}

/// How a step went.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRun {
    /// Attempts made (1 when the first one succeeded).
    pub attempts: u32,
    /// Wall time of the successful attempt.
    pub duration: Duration,
}

fn ms(d: Duration) -> Result<String> {
    Ok(quote::literal(&format!("{}ms", d.as_millis()))?)
}

/// `SET [LOCAL] name = value` for the timeouts and the step's settings.
fn settings_sql(step: &SqlStep, limits: &Limits, local: bool) -> Result<String> {
    let scope = if local { "SET LOCAL" } else { "SET" };
    let mut sql = format!(
        "{scope} lock_timeout = {}; {scope} statement_timeout = {};",
        ms(limits.lock_timeout)?,
        ms(limits.statement_timeout)?
    );
    for (name, value) in &step.settings {
        sql.push_str(&format!(
            " {scope} {} = {};",
            quote::setting_name(name)?,
            quote::literal(value)?
        ));
    }
    Ok(sql)
}

/// True for "could not obtain lock" (lock_timeout) errors.
fn is_lock_timeout(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code() == "55P03")
}

/// Runs `step` on `client` under `limits`.
pub fn run(client: &mut Client, step: &SqlStep, limits: &Limits) -> Result<StepRun> {
    let settings = settings_sql(step, limits, step.transactional)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = if step.transactional {
            once_in_transaction(client, &settings, &step.sql)
        } else {
            once_in_session(client, step, &settings)
        };
        match result {
            Ok(()) => {
                return Ok(StepRun {
                    attempts: attempt,
                    duration: started.elapsed(),
                });
            }
            Err(e) if is_lock_timeout(&e) && attempt <= limits.retries => {
                log::warn!(
                    "lock not available within {:?} (attempt {attempt}); retrying",
                    limits.lock_timeout
                );
                if let Some(index) = &step.creates_index {
                    drop_if_invalid(client, index, limits)?;
                }
                std::thread::sleep(limits.backoff * 2u32.pow(attempt - 1));
            }
            Err(e) => {
                if let Some(index) = &step.creates_index {
                    let _ = drop_if_invalid(client, index, limits);
                }
                let code = e
                    .code()
                    .map_or(String::new(), |c| format!(", SQLSTATE {}", c.code()));
                return Err(anyhow::Error::new(e)).with_context(|| {
                    format!(
                        "running `{}` (attempt {attempt}{code})",
                        first_line(&step.sql)
                    )
                });
            }
        }
    }
}

fn first_line(sql: &str) -> &str {
    sql.lines().next().unwrap_or(sql)
}

fn once_in_transaction(
    client: &mut Client,
    settings: &str,
    sql: &str,
) -> std::result::Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    tx.batch_execute(settings)?;
    tx.batch_execute(sql)?;
    tx.commit()
}

/// The names a session-scoped step sets: the two timeouts and its own settings.
fn names_set(step: &SqlStep) -> Vec<&str> {
    let mut names = vec!["lock_timeout", "statement_timeout"];
    names.extend(step.settings.iter().map(|(n, _)| n.as_str()));
    names
}

/// Runs a non-transactional step: its settings with `SET`, the statement sent
/// alone, then exactly those settings put back to what they were before (never
/// `RESET ALL`, which would also drop what the session itself pinned or set).
fn once_in_session(
    client: &mut Client,
    step: &SqlStep,
    settings: &str,
) -> std::result::Result<(), postgres::Error> {
    let mut before = Vec::new();
    for name in names_set(step) {
        let value: Option<String> = client
            .query_one("SELECT pg_catalog.current_setting($1, true)", &[&name])?
            .get(0);
        before.push((name.to_string(), value));
    }
    client.batch_execute(settings)?;
    // Sent alone: CONCURRENTLY and VACUUM refuse to run inside a transaction block.
    let result = client.simple_query(&step.sql).map(|_| ());
    let restore = restore_settings(client, &before);
    result.and(restore)
}

/// Sets each `(name, value)` back at session level; a setting that did not exist
/// before (`None`, a custom placeholder) is reset.
fn restore_settings(
    client: &mut Client,
    before: &[(String, Option<String>)],
) -> std::result::Result<(), postgres::Error> {
    for (name, value) in before {
        match value {
            Some(v) => client
                .execute("SELECT pg_catalog.set_config($1, $2, false)", &[name, v])
                .map(|_| ())?,
            None => {
                // A name settings_sql refused was never set.
                if let Ok(quoted) = quote::setting_name(name) {
                    client.batch_execute(&format!("RESET {quoted}"))?;
                }
            }
        }
    }
    Ok(())
}

/// Drops `index` if it exists and is INVALID (left by a failed concurrent build).
pub fn drop_if_invalid(
    client: &mut Client,
    index: &QualifiedName,
    limits: &Limits,
) -> Result<bool> {
    let invalid: bool = client
        .query_one(
            "SELECT coalesce((SELECT NOT indisvalid FROM pg_catalog.pg_index \
             WHERE indexrelid = pg_catalog.to_regclass($1)), false)",
            &[&index.sql()?],
        )
        .context("checking for an invalid index")?
        .get(0);
    if invalid {
        let step = SqlStep {
            sql: format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql()?),
            transactional: false,
            settings: vec![],
            creates_index: None,
        };
        once_in_session(client, &step, &settings_sql(&step, limits, false)?)
            .with_context(|| format!("dropping the invalid index {index}"))?;
    }
    Ok(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_settings_are_quoted_literals() {
        let step = SqlStep {
            sql: "VACUUM t".into(),
            transactional: false,
            settings: vec![(
                "maintenance_work_mem".into(),
                "1GB'; DROP TABLE t; --".into(),
            )],
            creates_index: None,
        };
        let sql = settings_sql(&step, &Limits::default(), true).unwrap();
        assert!(
            sql.contains("SET LOCAL \"maintenance_work_mem\" = '1GB''; DROP TABLE t; --'"),
            "{sql}"
        );
        assert!(
            sql.starts_with("SET LOCAL lock_timeout = '2000ms'"),
            "{sql}"
        );
    }
}
