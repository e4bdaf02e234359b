//! Aborting a running repair (`abort REPAIR_ID`): the request is recorded on the
//! repair (see [`crate::store::repairs::request_abort`]); the statement its
//! lock holder runs is cancelled, so the repairing process sees the step fail,
//! reads the request, undoes what it did and ends the repair `aborted`.

use anyhow::{Context, Result};
use postgres::Client;

/// Cancels the statement `pid` is running, if it is running one (an idle
/// session between steps is left alone: the repair reads the request itself).
/// Returns whether a cancel was sent.
pub fn cancel_statement(client: &mut Client, pid: i32) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT coalesce(pg_catalog.bool_or(pg_catalog.pg_cancel_backend(a.pid)), false)
               FROM pg_catalog.pg_stat_activity a
              WHERE a.pid OPERATOR(pg_catalog.=) $1
                AND a.state OPERATOR(pg_catalog.=) 'active'",
            &[&pid],
        )
        .context("cancelling the repair's statement")?
        .get(0))
}
