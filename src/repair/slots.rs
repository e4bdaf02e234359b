//! `plan.max_concurrent_repairs`: a server-wide cap on repairs running at once.
//! Each running repair holds a session-level advisory lock keyed by
//! ([`NAMESPACE`], its backend pid) on its lock session; `pg_locks` shows the
//! advisory locks of every database, so counting them counts the server's
//! repairs. A repair takes its slot first and counts after, and gives it back
//! when it finds the cap exceeded: two that race may both back off, never both
//! run over the cap. The slot goes with the session.

use anyhow::{Context, Result};
use postgres::Client;

use crate::exit::LockHeld;

/// The first key of every slot lock ("RVHE").
pub const NAMESPACE: i32 = 0x5256_4845;

/// Takes a repair slot on `client` (the collection lock's session) when `cap`
/// is set; over the cap, gives it back and fails with [`LockHeld`] (exit 75).
pub fn take(client: &mut Client, cap: u32) -> Result<()> {
    if cap == 0 {
        return Ok(());
    }
    client
        .execute(
            "SELECT pg_catalog.pg_advisory_lock($1::pg_catalog.int4, pg_catalog.pg_backend_pid())",
            &[&NAMESPACE],
        )
        .context("taking a repair slot")?;
    let running: i64 = client
        .query_one(
            "SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks l
              WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted
                AND l.objsubid OPERATOR(pg_catalog.=) 2
                AND l.classid OPERATOR(pg_catalog.=) $1::pg_catalog.int4::pg_catalog.oid",
            &[&NAMESPACE],
        )
        .context("counting the server's running repairs")?
        .get(0);
    if running > i64::from(cap) {
        client
            .execute(
                "SELECT pg_catalog.pg_advisory_unlock($1::pg_catalog.int4, pg_catalog.pg_backend_pid())",
                &[&NAMESPACE],
            )
            .context("giving the repair slot back")?;
        return Err(anyhow::Error::new(LockHeld(format!(
            "max_concurrent_repairs ({cap}) reached: {} other repair(s) run on this server; try later",
            running - 1
        ))));
    }
    Ok(())
}
