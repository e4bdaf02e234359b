//! Build, measure, then swap: recall and latency measured on the *new* index
//! while the old one still serves, judged by the same verdict as a finished
//! repair ([`super::verdict`]) against the check before the repair. A new index
//! that does not meet the contract better fails the step, and the repair's
//! undo drops it: the old index stays.
//!
//! How PostgreSQL is made to use the new index for the measurement: on a
//! session of its own, `BEGIN; DROP INDEX <old>; <the probe queries>; ROLLBACK`.
//! Inside the transaction the planner sees only the new index; the rollback
//! puts the old one back untouched (a DROP INDEX removes no file before
//! commit). The DROP takes an ACCESS EXCLUSIVE lock on the table until the
//! rollback, so the application waits for the length of the probe queries
//! (about a millisecond each; the exact neighbours are computed before, outside
//! the transaction), and the lock is asked for under a 2 s `lock_timeout`, so
//! the gate never queues behind a long query. Rejected: clearing
//! `pg_index.indisvalid` (a catalog write that every session sees, and that a
//! crash would leave behind); planner settings (`enable_*` choose between scan
//! types, not between two indexes of one kind); a scratch copy (it measures
//! another build, not the index about to serve).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use crate::catalog::Collection;
use crate::config::{CollectionContract, Settings};
use crate::detect::distance::Metric;
use crate::detect::exact::exact_top_k;
use crate::detect::recall::{ProbeSpec, measure};
use crate::detect::vectors::{Value, VecKind};
use crate::playbook::Direction;
use crate::sql::QualifiedName;

/// The detector name a playbook's `check` step uses for the gate.
pub const DETECTOR: &str = "new_index";

/// How long the gate waits for the table's lock before it gives up.
const LOCK_TIMEOUT: &str = "2s";

/// The gate for a plan of `playbook`: the new index is its `new_index_name`
/// (planned, else the playbook's default), the old one the collection's ANN
/// index as it was before the repair.
pub fn for_plan(
    settings: &Settings,
    c: &Collection,
    playbook: &crate::playbook::Playbook,
    params: &serde_json::Value,
    before: &BTreeMap<String, f64>,
) -> Result<()> {
    let name = params
        .get("new_index_name")
        .and_then(|v| v.as_str().map(str::to_string))
        .or_else(|| {
            playbook
                .params
                .get("new_index_name")
                .and_then(|p| p.default.as_ref())
                .map(|d| d.to_string())
        })
        .context("the playbook names no new_index_name to measure")?;
    let old = c.ann_index().context("the collection had no ANN index")?;
    let contract = settings.contract(&c.schema, &c.table);
    new_index(
        settings,
        c,
        &contract,
        &QualifiedName::new(&old.schema, &old.name),
        &QualifiedName::new(&c.schema, name),
        before,
        settings.plan.verify_margin,
    )
}

/// Measures `new` (an index of `c` built next to `old`) and fails unless it
/// meets the contract better than `before` (the check before the repair).
pub fn new_index(
    settings: &Settings,
    c: &Collection,
    contract: &CollectionContract,
    old: &QualifiedName,
    new: &QualifiedName,
    before: &BTreeMap<String, f64>,
    margin: f64,
) -> Result<()> {
    let after = measure_new(settings, c, contract, old, new)?;
    let target = super::verdict::Target {
        metric: "recall.at_k",
        direction: Direction::Increase,
    };
    let v = super::verdict::judge(before, &after, Some(target), margin);
    let recall = after.get("recall.at_k").copied().unwrap_or(f64::NAN);
    if !v.notes.is_empty() {
        bail!(
            "the new index {new} does not meet the contract better than {old} (recall {:.4} before, {recall:.4} on the new index): {}",
            before.get("recall.at_k").copied().unwrap_or(f64::NAN),
            v.notes.join("; ")
        );
    }
    log::info!(
        "{}: the new index {new} measures recall {recall:.4} (before {:.4}): swapping",
        c.collection,
        before.get("recall.at_k").copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// The probe's metrics with only `new` visible to the planner.
fn measure_new(
    settings: &Settings,
    c: &Collection,
    contract: &CollectionContract,
    old: &QualifiedName,
    new: &QualifiedName,
) -> Result<BTreeMap<String, f64>> {
    let index = c.ann_index().context("the collection has no ANN index")?;
    let (Some(kind), Some(metric)) = (
        VecKind::from_type_name(&c.type_name),
        Metric::from_opclass(&index.opclass),
    ) else {
        bail!("the new index cannot be measured: unsupported type or operator class");
    };
    let info = settings.target()?;
    let timeout = settings.check.statement_timeout();
    let mut detect = crate::sql::connect(&info)?;
    crate::sql::session::read_only(&mut detect, timeout)?;
    let k = contract.k.max(1) as usize;
    let (probes, _) = crate::detect::probe::sample(&mut detect, c, contract, kind, metric, 0)?;
    if probes.is_empty() {
        bail!("the new index cannot be measured: the table has no rows to probe with");
    }
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    let exact = exact_top_k(&mut detect, &c.name(), &c.column, kind, metric, &values, k)?;
    drop(detect);
    let spec = ProbeSpec {
        table: c.name(),
        column: c.column.clone(),
        kind,
        metric,
        k,
    };
    let mut app = crate::sql::connect(&info)?;
    crate::sql::session::bounded(&mut app, timeout)?;
    let mut tx = app.transaction()?;
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}; DROP INDEX {}",
        crate::sql::literal(LOCK_TIMEOUT)?,
        old.sql()?
    ))
    .with_context(|| {
        format!("hiding {old} from the planner (DROP INDEX in a transaction that is rolled back)")
    })?;
    let report = measure(&mut tx, &exact, &probes, &spec);
    tx.rollback()
        .context("rolling back the measurement transaction")?;
    let report = report?;
    if report.index_name.as_deref() != Some(new.name.as_str()) {
        bail!(
            "the planner did not use the new index {new} for the measurement (it used {})",
            report.index_name.as_deref().unwrap_or("no index")
        );
    }
    let mut m = BTreeMap::new();
    m.insert("recall.at_k".to_string(), report.recall);
    m.insert("recall.ci_low".to_string(), report.recall_low);
    m.insert("recall.ci_high".to_string(), report.recall_high);
    m.insert("recall.half_width".to_string(), report.recall_half_width);
    m.insert("recall.exact_rows".to_string(), exact.rows_scanned as f64);
    m.insert("latency.p99_ms".to_string(), report.latency_ms.p99);
    m.insert("contract.min_recall".to_string(), contract.min_recall);
    if let Some(max) = contract.max_latency_ms {
        m.insert("contract.max_latency_ms".to_string(), max);
    }
    Ok(m)
}
