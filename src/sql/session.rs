//! Session set-up for ruvheal's own connections.

use std::time::Duration;

use anyhow::{Context, Result};

use super::quote;

/// An error for a session whose pinned settings did not take (a pooler in
/// between that drops startup options, or a server that ignores them). Exit 3.
#[derive(Debug)]
pub struct NotPinned(pub String);

impl std::fmt::Display for NotPinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the session's search_path is {:?}, not pg_catalog, pg_temp: connect directly \
             or through a pooler that keeps startup options (ruvheal refuses to run with a \
             search_path it did not set)",
            self.0
        )
    }
}
impl std::error::Error for NotPinned {}

/// Reads the pinned `search_path` back (see [`super::connect::PINNED`]).
pub fn verify_pinned(client: &mut postgres::Client) -> Result<()> {
    let path: String = client
        .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
        .context("reading the session's search_path")?
        .get(0);
    if path.replace(' ', "") != "pg_catalog,pg_temp" {
        return Err(NotPinned(path).into());
    }
    Ok(())
}

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
