//! Session set-up for ruvheal's own connections.

use std::time::Duration;

use anyhow::{Context, Result};

use super::quote;

/// Makes `client` a read-only detection session: every query bounded by
/// `statement_timeout`, locks waited for at most `lock_timeout`, and no
/// transaction able to write. Nothing here changes query planning.
pub fn read_only(client: &mut postgres::Client, statement_timeout: Duration) -> Result<()> {
    let ms = statement_timeout.as_millis().to_string();
    client
        .batch_execute(&format!(
            "SET statement_timeout = {}; SET lock_timeout = '5s'; \
             SET idle_in_transaction_session_timeout = {}; SET default_transaction_read_only = on",
            quote::literal(&ms)?,
            quote::literal(&ms)?
        ))
        .context("setting up the read-only session")
}

/// Bounds every statement of `client` by `statement_timeout` and every lock
/// wait by `lock_timeout` (5 s); nothing that changes how queries are planned.
pub fn bounded(client: &mut postgres::Client, statement_timeout: Duration) -> Result<()> {
    let ms = statement_timeout.as_millis().to_string();
    client
        .batch_execute(&format!(
            "SET statement_timeout = {}; SET lock_timeout = '5s'",
            quote::literal(&ms)?
        ))
        .context("setting statement_timeout and lock_timeout")
}

/// Prepares a session that will change the database: the server checks every
/// second that ruvheal is still there (`client_connection_check_interval`), so a
/// killed ruvheal's REINDEX/CREATE INDEX is cancelled instead of running on
/// with its advisory lock held.
pub fn repair(client: &mut postgres::Client) -> Result<()> {
    client
        .batch_execute("SET client_connection_check_interval = '1s'")
        .context("setting client_connection_check_interval")
}
