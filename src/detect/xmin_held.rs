//! Dead rows VACUUM cannot remove yet, and the session that keeps them.
//!
//! A dead row can be removed once its deleting transaction precedes every
//! session's snapshot (`backend_xmin`). This reads the heap's line pointers of
//! up to [`SAMPLE_BLOCKS`] evenly spread blocks (pageinspect, superuser;
//! otherwise it says why it was skipped), keeps the rows whose deleting
//! transaction committed, and counts, per session of this database holding a
//! snapshot, the rows deleted at or after its `backend_xmin`: those it keeps,
//! however young the session is. The oldest such session is named as a
//! `maintenance_contention` finding with its pid, application_name, state and
//! query, and as the metrics `contention.xmin_holder_pid` /
//! `contention.xmin_holder_age` that `cancel_blocking_sessions` acts on.
//! Reads only (AccessShareLock through `get_raw_page`); never changes a row.

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::{Class, Finding, Severity};
use crate::sql::{QualifiedName, quote};

const DETECTOR: &str = "contention";

/// Heap blocks read at most (evenly spread over the table).
pub const SAMPLE_BLOCKS: i64 = 256;

const PREFLIGHT_SQL: &str = "
SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                  WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER), false),
       (SELECT n.nspname::text FROM pg_catalog.pg_extension e
          JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
         WHERE e.extname OPERATOR(pg_catalog.=) 'pageinspect'),
       (SELECT c.relkind::text FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid),
       pg_catalog.pg_relation_size($1::pg_catalog.oid::pg_catalog.regclass)
         OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::int8";

/// Sessions of this database holding a snapshot, with their xmin as a full
/// 64-bit transaction id (the epoch taken from the current snapshot).
const HOLDERS_SQL: &str = "
WITH ref AS (SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::int8 AS n)
SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''),
       pg_catalog.left(coalesce(a.query, ''), 200),
       coalesce(pg_catalog.date_part('epoch', pg_catalog.now() OPERATOR(pg_catalog.-) a.xact_start), 0)::float8,
       pg_catalog.age(a.backend_xmin)::int8,
       CASE WHEN ((ref.n >> 32) << 32) + a.backend_xmin::text::int8 > ref.n
            THEN ((ref.n >> 32) << 32) + a.backend_xmin::text::int8 - 4294967296
            ELSE ((ref.n >> 32) << 32) + a.backend_xmin::text::int8 END
  FROM pg_catalog.pg_stat_activity a, ref
 WHERE a.backend_xmin IS NOT NULL AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
   AND a.backend_type OPERATOR(pg_catalog.=) 'client backend'
   AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
 ORDER BY pg_catalog.age(a.backend_xmin) DESC";

/// The full transaction ids of committed deletes (or updates) of the sampled
/// blocks' rows: not locks only (0x0080), not a multixact (0x1000), not
/// aborted (0x0800). `{pi}` is pageinspect's quoted schema.
fn deleters_sql(pi: &str) -> String {
    format!(
        "WITH ref AS (SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::int8 AS n),
              x AS (SELECT i.t_xmax::text::int8 AS x
                      FROM pg_catalog.generate_series(0::int8, $2::int8 - 1, $3::int8) b,
                           LATERAL {pi}.heap_page_items({pi}.get_raw_page($1::text, b::int4)) i
                     WHERE i.t_xmax IS NOT NULL AND i.t_xmax::text::int8 OPERATOR(pg_catalog.<>) 0
                       AND (i.t_infomask & 6272) OPERATOR(pg_catalog.=) 0),
              f AS (SELECT CASE WHEN ((ref.n >> 32) << 32) + x.x > ref.n
                                THEN ((ref.n >> 32) << 32) + x.x - 4294967296
                                ELSE ((ref.n >> 32) << 32) + x.x END AS f
                      FROM x, ref)
         SELECT f.f FROM f
          WHERE pg_catalog.pg_xact_status(f.f::text::pg_catalog.xid8) OPERATOR(pg_catalog.=) 'committed'"
    )
}

/// Measures the dead rows each snapshot keeps and names the oldest holder.
pub fn detect(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    out.set("contention.dead_rows_held", 0.0);
    let cfg = ctx.config;
    let live = out.get("table.live_tuples").unwrap_or(0.0);
    let dead = out.get("table.dead_tuples").unwrap_or(0.0);
    if !significant(dead, live, cfg.dead_ratio_warning) {
        return Ok(());
    }
    let oid = ctx.collection.oid;
    let row = client
        .query_one(PREFLIGHT_SQL, &[&oid])
        .context("checking whether the heap's pages can be read")?;
    let superuser: bool = row.get(0);
    let schema: Option<String> = row.get(1);
    let relkind: Option<String> = row.get(2);
    let blocks: i64 = row.get(3);
    let why = match (&schema, superuser, relkind.as_deref()) {
        (None, _, _) => Some("pageinspect is not installed: CREATE EXTENSION pageinspect".into()),
        (_, false, _) => Some(
            "telling removable dead rows from those a snapshot keeps reads heap pages \
             (get_raw_page), which needs a superuser"
                .to_string(),
        ),
        (_, _, Some("r" | "m")) => None,
        (_, _, _) => return Ok(()),
    };
    if let Some(why) = why {
        out.skip("xmin_held", why);
        return Ok(());
    }
    let pi = quote::ident(schema.as_deref().unwrap_or_default())?;
    let step = (blocks + SAMPLE_BLOCKS - 1) / SAMPLE_BLOCKS.max(1);
    let step = step.max(1);
    let sampled = (blocks + step - 1) / step;
    let name = QualifiedName::new(&ctx.collection.schema, &ctx.collection.table).sql()?;
    // A page that cannot be read (a concurrent truncation, an old pageinspect)
    // costs this measurement, not the whole check.
    let deleters: Vec<i64> = match client.query(&deleters_sql(&pi), &[&name, &blocks, &step]) {
        Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
        Err(e) => {
            out.skip(
                "xmin_held",
                format!("could not read the deleting transactions of {name}'s rows: {e}"),
            );
            return Ok(());
        }
    };
    let scale = if sampled > 0 {
        blocks as f64 / sampled as f64
    } else {
        0.0
    };
    let holders = client
        .query(HOLDERS_SQL, &[])
        .context("reading the sessions that hold a snapshot")?;
    let mut named = false;
    for h in &holders {
        let xmin: i64 = h.get(6);
        let held = deleters.iter().filter(|&&x| x >= xmin).count() as f64 * scale;
        if !named {
            out.set("contention.dead_rows_held", held.round());
        }
        if !significant(held, live, cfg.dead_ratio_warning) {
            continue;
        }
        let pid: i32 = h.get(0);
        let app: String = h.get(1);
        let state: String = h.get(2);
        let query: String = h.get(3);
        let xact_age: f64 = h.get(4);
        let xmin_age: i64 = h.get(5);
        if !named {
            out.set("contention.xmin_holder_pid", f64::from(pid));
            out.set("contention.xmin_holder_age", xmin_age as f64);
            named = true;
        }
        // The age-threshold finding for the same session says less: this replaces it.
        out.findings.retain(|f| {
            !(f.class == Class::MaintenanceContention && f.evidence.get("pid") == Some(&json!(pid)))
        });
        // A warning: the dead rows it keeps are the table's dead_tuple_bloat
        // (critical or not), which this ranks just above.
        let severity = Severity::Warning;
        out.push(
            Finding::new(
                Class::MaintenanceContention,
                severity,
                DETECTOR,
                format!(
                    "session {pid} ({}, {state}, transaction open {xact_age:.0}s) took its snapshot before \
                     about {held:.0} of the dead rows of {} were deleted: VACUUM cannot remove them while it lives \
                     (query: {})",
                    if app.is_empty() { "no application_name" } else { &app },
                    ctx.collection.collection,
                    if query.is_empty() { "-" } else { &query },
                ),
            )
            .metric("contention.dead_rows_held", held.round(), Some(0.0))
            .evidence(json!({
                "pid": pid, "application_name": app, "state": state, "query": query,
                "xact_age_s": xact_age, "xmin_age": xmin_age, "dead_rows_held": held.round(),
                "dead_tuples": dead, "sampled_blocks": sampled, "blocks": blocks,
            })),
        );
    }
    Ok(())
}

/// Enough dead rows to matter: at least 100 and `ratio` of the rows.
fn significant(dead: f64, live: f64, ratio: f64) -> bool {
    dead >= 100.0 && dead / (live + dead).max(1.0) >= ratio
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_dead_rows_are_not_contention() {
        assert!(!super::significant(50.0, 0.0, 0.1));
        assert!(!super::significant(200.0, 10_000.0, 0.1));
        assert!(super::significant(2400.0, 600.0, 0.1));
    }
}
