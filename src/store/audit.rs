//! The audit log table: appending to the chain and reading it back.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use postgres::GenericClient;

use crate::audit::{Entry, GENESIS, Row, canonical, hash_of, hmac_of};
use crate::sql::quote;

/// Appends `entry` to the chain (in a transaction of its own, or a savepoint of
/// the caller's, so the action and its audit row commit together). Appends are
/// serialised by an advisory lock. The row is stamped with the server's clock.
pub fn append(
    client: &mut impl GenericClient,
    schema: &str,
    entry: &Entry,
    key: Option<&[u8]>,
) -> Result<Row> {
    let q = quote::ident(schema)?;
    let mut tx = client.transaction().context("starting the audit append")?;
    tx.execute(
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
        &[&format!("ruvheal.audit.{schema}")],
    )
    .context("locking the audit chain")?;
    let last = tx
        .query_opt(
            &format!("SELECT seq, hash FROM {q}.audit_log ORDER BY seq DESC LIMIT 1"),
            &[],
        )
        .context("reading the end of the audit chain")?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_string()), |r| {
        (r.get::<_, i64>(0) + 1, r.get::<_, String>(1))
    });
    let actor: String = tx
        .query_one("SELECT pg_catalog.current_user()::text", &[])?
        .get(0);
    let at = micros(crate::clock::server_now(&mut tx)?);
    let hash = hash_of(&canonical(
        seq,
        at,
        &actor,
        &entry.action,
        entry.collection.as_deref(),
        &entry.subject,
        &prev_hash,
    ));
    let hmac = key.map(|k| hmac_of(k, &hash));
    tx.execute(
        &format!(
            "INSERT INTO {q}.audit_log (seq, at, actor, action, collection, subject, prev_hash, hash, hmac)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        &[
            &seq,
            &at,
            &actor,
            &entry.action,
            &entry.collection,
            &entry.subject,
            &prev_hash,
            &hash,
            &hmac,
        ],
    )
    .context("appending to the audit log")?;
    tx.commit().context("committing the audit row")?;
    Ok(Row {
        seq,
        at,
        actor,
        action: entry.action.clone(),
        collection: entry.collection.clone(),
        subject: entry.subject.clone(),
        prev_hash,
        hash,
        hmac,
    })
}

fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Every row of the chain, in `seq` order.
pub fn load(client: &mut impl GenericClient, schema: &str) -> Result<Vec<Row>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT seq, at, actor, action, collection, subject, prev_hash, hash, hmac
                   FROM {q}.audit_log ORDER BY seq"
            ),
            &[],
        )
        .context("reading the audit log")?;
    Ok(rows
        .iter()
        .map(|r| Row {
            seq: r.get(0),
            at: r.get(1),
            actor: r.get(2),
            action: r.get(3),
            collection: r.get(4),
            subject: r.get(5),
            prev_hash: r.get(6),
            hash: r.get(7),
            hmac: r.get(8),
        })
        .collect())
}
