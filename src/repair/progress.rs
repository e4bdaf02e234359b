//! Progress of a running step, polled from `pg_stat_progress_create_index` and
//! `pg_stat_progress_vacuum` on a second session, for the backend running the step.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use postgres::Client;

/// One progress reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// `CREATE INDEX` or `VACUUM`.
    pub command: String,
    /// PostgreSQL's phase text.
    pub phase: String,
    /// Units done (blocks or tuples, as PostgreSQL counts them for the phase).
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
}

const PROGRESS_SQL: &str = "
SELECT 'CREATE INDEX', phase,
       greatest(blocks_done, tuples_done)::int8,
       greatest(blocks_total, tuples_total)::int8
  FROM pg_stat_progress_create_index WHERE pid = $1
UNION ALL
SELECT 'VACUUM', phase, heap_blks_scanned::int8, heap_blks_total::int8
  FROM pg_stat_progress_vacuum WHERE pid = $1";

/// Reads the progress of backend `pid`, if it reports any.
pub fn read(client: &mut Client, pid: i32) -> Result<Option<Reading>> {
    Ok(client.query_opt(PROGRESS_SQL, &[&pid])?.map(|r| Reading {
        command: r.get(0),
        phase: r.get(1),
        done: r.get::<_, i64>(2).max(0) as u64,
        total: r.get::<_, i64>(3).max(0) as u64,
    }))
}

/// Polls `pid` every `every` until `stop` is set, calling `report` with each reading.
pub fn poll(
    client: &mut Client,
    pid: i32,
    every: Duration,
    stop: &AtomicBool,
    mut report: impl FnMut(&Reading),
) {
    while !stop.load(Ordering::Relaxed) {
        match read(client, pid) {
            Ok(Some(r)) => report(&r),
            Ok(None) => {}
            Err(e) => {
                log::debug!("progress polling stopped: {e:#}");
                return;
            }
        }
        std::thread::sleep(every);
    }
}
