//! Contention, replication and memory: transactions holding back the xmin
//! horizon, lock waits on the collection, running maintenance, busy autovacuum
//! workers, replication lag, index cache hit ratio, temp spills.

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::table_state::age;
use super::{Class, Finding, Severity};

const DETECTOR: &str = "contention";

/// Runs the contention, replication and memory checks.
pub fn detect(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    xmin_horizon(client, ctx, out)?;
    super::xmin_held::detect(client, ctx, out)?;
    locks_and_maintenance(client, ctx, out)?;
    replication(client, ctx, out)?;
    cache(client, ctx, out)?;
    Ok(())
}

const XMIN_SQL: &str = "
SELECT pid, coalesce(application_name, ''), coalesce(state, ''),
       extract(epoch FROM now() - xact_start)::float8,
       extract(epoch FROM now() - state_change)::float8,
       age(backend_xmin)::int8, left(coalesce(query, ''), 200), datname
FROM pg_stat_activity
WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
  AND backend_type = 'client backend' AND datname = current_database()
ORDER BY age(backend_xmin) DESC
LIMIT 5";

fn xmin_horizon(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    let rows = client
        .query(XMIN_SQL, &[])
        .context("reading sessions that hold the xmin horizon")?;
    let cfg = ctx.config;
    let mut oldest = 0.0_f64;
    // The session cancel_blocking_sessions would end (0: none); xmin_held
    // names the one that keeps this table's dead rows instead, when it finds one.
    out.set("contention.xmin_holder_pid", 0.0);
    out.set("contention.xmin_holder_age", 0.0);
    for r in &rows {
        let pid: i32 = r.get(0);
        let app: String = r.get(1);
        let state: String = r.get(2);
        let xact_age: f64 = r.get::<_, Option<f64>>(3).unwrap_or(0.0);
        let idle_for: f64 = r.get::<_, Option<f64>>(4).unwrap_or(0.0);
        oldest = oldest.max(xact_age);
        let idle =
            state.starts_with("idle in transaction") && idle_for >= cfg.idle_in_transaction_secs;
        if !(idle || xact_age >= cfg.xmin_horizon_secs) {
            continue;
        }
        if idle && out.get("contention.xmin_holder_pid") == Some(0.0) {
            out.set("contention.xmin_holder_pid", f64::from(pid));
            let xmin_age = r.get::<_, Option<i64>>(5).unwrap_or(0);
            out.set("contention.xmin_holder_age", xmin_age as f64);
        }
        let dead = out.get("table.dead_tuples").unwrap_or(0.0);
        let severity = if dead >= 1000.0 {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(
            Finding::new(Class::MaintenanceContention, severity, DETECTOR, format!(
                "session {pid} ({}) has held a transaction open for {} ({state}); VACUUM cannot remove rows deleted since, \
                 on any table{}",
                if app.is_empty() { "no application_name" } else { &app },
                age(xact_age).trim_end_matches(" ago"),
                if dead > 0.0 { format!(" ({dead:.0} dead rows here)") } else { String::new() }))
            .metric("contention.oldest_xact_s", xact_age, Some(cfg.xmin_horizon_secs))
            .evidence(json!({"pid": pid, "application_name": app, "state": state, "xact_age_s": xact_age,
                             "idle_s": idle_for, "xmin_age": r.get::<_, Option<i64>>(5),
                             "database": r.get::<_, Option<String>>(7), "query": r.get::<_, String>(6)})),
        );
    }
    out.set("contention.oldest_xact_s", oldest);
    Ok(())
}

fn locks_and_maintenance(
    client: &mut impl GenericClient,
    ctx: &Ctx<'_>,
    out: &mut Measured,
) -> Result<()> {
    let oid = ctx.collection.oid;
    let r = client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_locks WHERE relation = $1 AND NOT granted),
                    (SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = $1),
                    (SELECT count(*) FROM pg_stat_progress_create_index WHERE relid = $1),
                    (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'),
                    current_setting('autovacuum_max_workers')::int8",
            &[&oid],
        )
        .context("reading locks and maintenance progress")?;
    let waiting: i64 = r.get(0);
    let vacuums: i64 = r.get(1);
    let builds: i64 = r.get(2);
    let workers: i64 = r.get(3);
    let max_workers: i64 = r.get(4);
    out.set("contention.lock_waits", waiting as f64);
    out.set("contention.autovacuum_workers", workers as f64);
    if waiting > 0 {
        out.push(
            Finding::new(
                Class::HotspotCongestion,
                Severity::Warning,
                DETECTOR,
                format!(
                    "{waiting} sessions are waiting for locks on {}",
                    ctx.collection.collection
                ),
            )
            .metric("contention.lock_waits", waiting as f64, Some(0.0))
            .evidence(json!({"waiting_sessions": waiting})),
        );
    }
    if vacuums + builds > 0 {
        out.push(
            Finding::new(
                Class::MaintenanceContention,
                Severity::Info,
                DETECTOR,
                format!(
                    "maintenance is running on {}: {vacuums} VACUUM, {builds} CREATE INDEX/REINDEX",
                    ctx.collection.collection
                ),
            )
            .evidence(json!({"vacuum": vacuums, "create_index": builds})),
        );
    }
    if max_workers > 0 && workers >= max_workers {
        out.push(
            Finding::new(
                Class::MaintenanceContention,
                Severity::Warning,
                DETECTOR,
                format!("all {max_workers} autovacuum workers are busy; this table waits its turn"),
            )
            .metric(
                "contention.autovacuum_workers",
                workers as f64,
                Some(max_workers as f64),
            )
            .evidence(json!({"busy": workers, "max": max_workers})),
        );
    }
    Ok(())
}

fn replication(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    let cfg = ctx.config;
    let standby: bool = client.query_one("SELECT pg_is_in_recovery()", &[])?.get(0);
    if standby {
        // Caught up (everything received is replayed): no lag, however long ago
        // the primary last committed. Else: the age of the last replayed commit.
        let r = client.query_one(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
                    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,
                    pg_is_wal_replay_paused()",
            &[],
        )?;
        let lag: Option<f64> = r.get(0);
        let paused: bool = r.get(1);
        if let Some(lag) = lag {
            out.set("replication.replay_lag_s", lag);
            lag_finding(
                out,
                cfg,
                lag,
                json!({"role": "standby", "replay_paused": paused}),
                "this standby",
            );
        }
        return Ok(());
    }
    let rows = client
        .query(
            "SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'), state,
                    coalesce(extract(epoch FROM replay_lag), 0)::float8,
                    coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::float8,
                    coalesce(pg_wal_lsn_diff(sent_lsn, replay_lsn), 0)::float8
             FROM pg_stat_replication",
            &[],
        )
        .context("reading pg_stat_replication")?;
    let mut worst = 0.0_f64;
    for r in &rows {
        let name: String = r.get(0);
        let lag_s: f64 = r.get(3);
        let behind: f64 = r.get(4);
        worst = worst.max(lag_s);
        out.set(
            "replication.lag_bytes",
            behind.max(out.get("replication.lag_bytes").unwrap_or(0.0)),
        );
        lag_finding(
            out,
            cfg,
            lag_s,
            json!({"standby": name, "client_addr": r.get::<_, String>(1),
            "state": r.get::<_, String>(2), "replay_lag_bytes": behind}),
            &format!("standby {name}"),
        );
    }
    out.set("replication.standbys", rows.len() as f64);
    out.set("replication.replay_lag_s", worst);
    Ok(())
}

fn lag_finding(
    out: &mut Measured,
    cfg: &crate::config::CheckConfig,
    lag: f64,
    evidence: serde_json::Value,
    who: &str,
) {
    if lag < cfg.replication_lag_warning_secs {
        return;
    }
    let severity = if lag >= cfg.replication_lag_critical_secs {
        Severity::Critical
    } else {
        Severity::Warning
    };
    out.push(
        Finding::new(Class::ReplicationLag, severity, DETECTOR, format!(
            "{who} replays {lag:.0}s behind the primary; an index rebuild writes the whole index to WAL and adds to it"))
        .metric("replication.replay_lag_s", lag, Some(cfg.replication_lag_warning_secs))
        .evidence(evidence),
    );
}

fn cache(client: &mut impl GenericClient, ctx: &Ctx<'_>, out: &mut Measured) -> Result<()> {
    let r = client
        .query_one(
            "SELECT coalesce(sum(idx_blks_hit), 0)::float8, coalesce(sum(idx_blks_read), 0)::float8,
                    (SELECT temp_bytes::float8 FROM pg_stat_database WHERE datname = current_database())
             FROM pg_statio_all_indexes WHERE relid = $1",
            &[&ctx.collection.oid],
        )
        .context("reading index cache statistics")?;
    let hit: f64 = r.get(0);
    let read: f64 = r.get(1);
    let temp: f64 = r.get::<_, Option<f64>>(2).unwrap_or(0.0);
    out.set("cache.idx_blks_hit", hit);
    out.set("cache.idx_blks_read", read);
    out.set("memory.temp_bytes", temp);
    // Judge the ratio over the interval since the last check when we can, else cumulative.
    let (h, rd) = match (
        ctx.previous.delta("cache.idx_blks_hit", hit),
        ctx.previous.delta("cache.idx_blks_read", read),
    ) {
        (Some(h), Some(rd)) => (h, rd),
        _ => (hit, read),
    };
    if h + rd > 0.0 {
        let ratio = h / (h + rd);
        out.set("cache.index_hit_ratio", ratio);
        if rd >= 10_000.0 && ratio < 0.9 {
            out.push(
                Finding::new(
                    Class::MemoryPressure,
                    Severity::Warning,
                    DETECTOR,
                    format!(
                        "only {:.0}% of index block reads on {} hit shared_buffers",
                        ratio * 100.0,
                        ctx.collection.collection
                    ),
                )
                .metric("cache.index_hit_ratio", ratio, Some(0.9))
                .evidence(json!({"blocks_hit": h, "blocks_read": rd})),
            );
        }
    }
    if let Some(rate) = ctx.previous.rate("memory.temp_bytes", temp, ctx.now) {
        out.set("memory.temp_bytes_per_s", rate);
    }
    Ok(())
}
