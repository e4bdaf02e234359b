//! Crash safety: a repair cut short (process killed, connection lost, server
//! restarted) leaves a `running` record whose collection lock nobody holds. The
//! next run of a command that may act (diagnose, plan, repair, rollback, heal;
//! `check` is read-only and only reports it) finds it here, takes the lock,
//! cleans what it left —
//! INVALID indexes from its concurrent builds, leftover `_ccnew`/`_ccold`
//! indexes, settings a running step may have half-applied — marks it
//! `interrupted` and records the cleanup in the audit log. Completed steps stay:
//! `rollback` undoes those on request.

use anyhow::Result;
use serde::Serialize;

use super::exec::{self, Limits};
use super::lock::{self, CollectionLock};
use super::undo::Undo;
use crate::audit::Entry;
use crate::sql::{ConnInfo, QualifiedName, quote};
use crate::state::{PlanStatus, StepStatus};
use crate::store::{Store, audit, plans, repairs};

/// What one cleanup did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cleanup {
    /// The repair marked `interrupted`.
    pub repair_id: i64,
    /// `schema.table`.
    pub collection: String,
    /// Statements run to clean up.
    pub actions: Vec<String>,
}

/// Finds and cleans every cut-short repair. Live repairs (their lock is held)
/// are left alone. Cheap when there is nothing to do: one query.
pub fn sweep(store: &mut Store, info: &ConnInfo, key: Option<&[u8]>) -> Result<Vec<Cleanup>> {
    end_plans_left_running(store, info, key)?;
    let running = repairs::running(&mut store.client, &store.schema)?;
    if running.is_empty() {
        return Ok(vec![]);
    }
    let mut done = Vec::new();
    for r in running {
        let collection = QualifiedName::new(&r.schema, &r.table).to_string();
        let mut client = crate::sql::connect(info)?;
        if lock::is_held(&mut client, &collection)? {
            continue;
        }
        let Ok(mut held) = CollectionLock::acquire(client, &collection) else {
            continue; // another process got there first
        };
        let actions = clean(held.client(), &r)?;
        let note = format!(
            "cut short (backend {} gone); cleaned up by a later run",
            r.backend_pid.map_or("?".into(), |p| p.to_string())
        );
        repairs::mark_interrupted(&mut store.client, &store.schema, r.id, &note)?;
        audit::append(
            &mut store.client,
            &store.schema,
            &Entry {
                action: "cleanup".into(),
                collection: Some(collection.clone()),
                subject: serde_json::json!({"repair_id": r.id, "actions": actions}),
            },
            key,
        )?;
        log::warn!(
            "repair {} of {collection} was cut short; marked interrupted{}",
            r.id,
            if actions.is_empty() {
                String::new()
            } else {
                format!(" and cleaned up: {}", actions.join("; "))
            }
        );
        held.release()?;
        done.push(Cleanup {
            repair_id: r.id,
            collection,
            actions,
        });
    }
    Ok(done)
}

/// Ends plans a process started and lost before it recorded their repair (no
/// repair of theirs runs and nobody holds the collection lock): `interrupted`,
/// audited. Nothing of theirs ran, so there is nothing to clean up.
fn end_plans_left_running(store: &mut Store, info: &ConnInfo, key: Option<&[u8]>) -> Result<()> {
    let left = plans::running_without_repair(&mut store.client, &store.schema)?;
    if left.is_empty() {
        return Ok(());
    }
    let mut client = crate::sql::connect(info)?;
    for (plan_id, collection) in left {
        if lock::is_held(&mut client, &collection)? {
            continue;
        }
        plans::set_status(
            &mut store.client,
            &store.schema,
            plan_id,
            PlanStatus::Interrupted,
        )?;
        audit::append(
            &mut store.client,
            &store.schema,
            &Entry {
                action: "cleanup".into(),
                collection: Some(collection.clone()),
                subject: serde_json::json!({"plan_id": plan_id, "actions": [],
                    "note": "plan left running before its repair was recorded"}),
            },
            key,
        )?;
        log::warn!(
            "plan {plan_id} of {collection} was left running with no repair; marked interrupted"
        );
    }
    Ok(())
}

/// The cut-short repairs, `(repair id, collection)`, touching nothing: what a
/// read-only command reports instead of cleaning up.
pub fn pending(store: &mut Store, info: &ConnInfo) -> Result<Vec<(i64, String)>> {
    let running = repairs::running(&mut store.client, &store.schema)?;
    if running.is_empty() {
        return Ok(vec![]);
    }
    let mut client = crate::sql::connect(info)?;
    let mut out = Vec::new();
    for r in running {
        let collection = QualifiedName::new(&r.schema, &r.table).to_string();
        if !lock::is_held(&mut client, &collection)? {
            out.push((r.id, collection));
        }
    }
    Ok(out)
}

/// Cleans what repair `r` left on the lock holder's session.
fn clean(client: &mut postgres::Client, r: &repairs::RunningRepair) -> Result<Vec<String>> {
    let limits = Limits::default();
    let mut actions = Vec::new();
    for step in r.steps.iter().rev() {
        match (&step.undo, step.status) {
            (
                Some(Undo::DropIndex { index }),
                StepStatus::Running | StepStatus::Done | StepStatus::Failed,
            ) => {
                let (schema, name) = match quote::split_name(index)? {
                    (Some(s), n) => (s, n),
                    (None, n) => (r.schema.clone(), n),
                };
                let q = QualifiedName::new(&schema, &name);
                if exec::drop_if_invalid(client, &q, &limits)? {
                    actions.push(format!("dropped invalid index {q}"));
                }
            }
            (
                Some(
                    u @ (Undo::RestoreSetting { .. }
                    | Undo::RestoreTableOption { .. }
                    | Undo::RestoreConnectionLimit { .. }),
                ),
                StepStatus::Running,
            ) => {
                if let Some(s) = u.step()? {
                    exec::run(client, &s, &limits)?;
                    actions.push(s.sql);
                }
            }
            _ => {}
        }
    }
    // Leftovers of an interrupted REINDEX CONCURRENTLY on the collection's table.
    let leftovers = client.query(
        "SELECT n.nspname::text, ic.relname::text FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
          WHERE i.indrelid = to_regclass($1) AND NOT i.indisvalid
            AND ic.relname ~ '_cc(new|old)[0-9]*$'",
        &[&QualifiedName::new(&r.schema, &r.table).sql()?],
    )?;
    for row in leftovers {
        let q = QualifiedName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        if exec::drop_if_invalid(client, &q, &limits)? {
            actions.push(format!("dropped invalid index {q}"));
        }
    }
    Ok(actions)
}

/// Drops what failed concurrent builds left on collection `c`: INVALID
/// `<name>_ccnew[N]` / `<name>_ccold[N]` indexes whose original `<name>` is
/// valid, while no build runs on the table and under the collection's lock
/// (held by another ruvheal: left alone). Runs before anything is written to
/// the state tables, so a full disk cannot stop it. Returns what it dropped.
pub fn drop_build_leftovers(
    info: &ConnInfo,
    c: &crate::catalog::Collection,
) -> Result<Vec<String>> {
    let leftovers: Vec<&crate::catalog::IndexInfo> = c
        .indexes
        .iter()
        .filter(|i| !i.valid && original_of(&i.name).is_some_and(|o| valid_index(c, o)))
        .collect();
    if leftovers.is_empty() {
        return Ok(vec![]);
    }
    let mut client = crate::sql::connect(info)?;
    if lock::is_held(&mut client, &c.collection)? {
        return Ok(vec![]);
    }
    let Ok(mut held) = CollectionLock::acquire(client, &c.collection) else {
        return Ok(vec![]);
    };
    let building: bool = held
        .client()
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index \
              WHERE relid OPERATOR(pg_catalog.=) $1)",
            &[&c.oid],
        )?
        .get(0);
    let mut dropped = Vec::new();
    if !building {
        for ix in leftovers {
            let q = QualifiedName::new(&ix.schema, &ix.name);
            if exec::drop_if_invalid(held.client(), &q, &Limits::default())? {
                log::warn!("dropped {q}, an INVALID leftover of a failed concurrent build");
                dropped.push(format!("dropped invalid index {q}"));
            }
        }
    }
    held.release()?;
    Ok(dropped)
}

/// `name` without a `_ccnew[N]` / `_ccold[N]` suffix, if it has one.
fn original_of(name: &str) -> Option<&str> {
    let trimmed = name.trim_end_matches(|ch: char| ch.is_ascii_digit());
    trimmed
        .strip_suffix("_ccnew")
        .or_else(|| trimmed.strip_suffix("_ccold"))
        .filter(|o| !o.is_empty())
}

fn valid_index(c: &crate::catalog::Collection, name: &str) -> bool {
    c.indexes.iter().any(|i| i.name == name && i.valid)
}

#[cfg(test)]
mod tests {
    use super::original_of;

    #[test]
    fn build_leftover_names_lead_back_to_their_original() {
        assert_eq!(original_of("emb_hnsw_ccnew"), Some("emb_hnsw"));
        assert_eq!(original_of("emb_hnsw_ccnew12"), Some("emb_hnsw"));
        assert_eq!(original_of("emb_hnsw_ccold1"), Some("emb_hnsw"));
        assert_eq!(original_of("emb_hnsw"), None);
        assert_eq!(original_of("_ccnew"), None);
    }
}
