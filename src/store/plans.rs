//! Plans and their rendered steps in the state tables; approvals; the repair
//! history the planner's limits look at.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use crate::sql::quote;
use crate::state::{IllegalTransition, PlanStatus};

/// A plan to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPlan {
    /// The collection.
    pub collection_id: i64,
    /// The problem it answers.
    pub problem_id: Option<i64>,
    /// The problem's class.
    pub problem_class: String,
    /// The playbook.
    pub playbook: String,
    /// Parameter values.
    pub params: serde_json::Value,
    /// `ready` or `awaiting_approval`.
    pub status: PlanStatus,
    /// Whether it waits for a human.
    pub requires_approval: bool,
    /// The playbook's impact.
    pub impact: f64,
    /// Expected duration, if known.
    pub estimated_duration_ms: Option<f64>,
    /// Why this playbook (and why approval).
    pub reason: String,
    /// Its steps.
    pub steps: Vec<NewStep>,
}

/// A rendered step to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewStep {
    /// 1-based.
    pub ordinal: i32,
    /// Action kind.
    pub kind: String,
    /// Step name.
    pub name: String,
    /// The statement as text.
    pub rendered: String,
    /// Whether it runs in a transaction.
    pub transactional: bool,
    /// The rendered step and its undo, as JSON (what `repair` executes).
    pub undo: serde_json::Value,
}

/// Stores a plan with its steps; earlier plans of the collection that were
/// never run become `superseded`. Returns the id.
pub fn insert(client: &mut impl GenericClient, schema: &str, plan: &NewPlan) -> Result<i64> {
    let q = quote::ident(schema)?;
    if !plan.status.is_initial() {
        return Err(IllegalTransition {
            subject: "a new plan".into(),
            from: None,
            to: plan.status.as_str(),
        }
        .into());
    }
    let mut tx = client.transaction()?;
    tx.execute(
        &format!(
            "UPDATE {q}.plans SET status = $3
              WHERE collection_id = $1 AND status = ANY($4)
                AND problem_class = $2"
        ),
        &[
            &plan.collection_id,
            &plan.problem_class,
            &PlanStatus::Superseded.as_str(),
            &PlanStatus::source_texts(PlanStatus::Superseded),
        ],
    )?;
    let id: i64 = tx
        .query_one(
            &format!(
                "INSERT INTO {q}.plans (collection_id, problem_id, problem_class, playbook, params, status,
                    requires_approval, impact, estimated_duration_ms, reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
            ),
            &[
                &plan.collection_id,
                &plan.problem_id,
                &plan.problem_class,
                &plan.playbook,
                &plan.params,
                &plan.status.as_str(),
                &plan.requires_approval,
                &plan.impact,
                &plan.estimated_duration_ms,
                &plan.reason,
            ],
        )
        .context("storing the plan")?
        .get(0);
    for s in &plan.steps {
        tx.execute(
            &format!(
                "INSERT INTO {q}.plan_steps (plan_id, ordinal, kind, name, rendered, transactional, undo)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[&id, &s.ordinal, &s.kind, &s.name, &s.rendered, &s.transactional, &s.undo],
        )
        .context("storing a plan step")?;
    }
    tx.commit().context("committing the plan")?;
    Ok(id)
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPlan {
    /// Its id.
    pub id: i64,
    /// The collection's id.
    pub collection_id: i64,
    /// `schema.table` of the collection.
    pub collection: String,
    /// The problem's class.
    pub problem_class: String,
    /// The diagnosed problem it was planned for (`None` for a playbook an
    /// operator named when no diagnosed problem was one it handles).
    pub problem_id: Option<i64>,
    /// The playbook.
    pub playbook: String,
    /// Parameter values.
    pub params: serde_json::Value,
    /// Its status.
    pub status: PlanStatus,
    /// Whether it waits for a human.
    pub requires_approval: bool,
    /// Impact.
    pub impact: f64,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The severity of the problem it was planned for (`None` when that problem
    /// record is gone).
    pub severity: Option<crate::vocab::Severity>,
    /// Steps, in order: (ordinal, kind, name, rendered, transactional, undo).
    pub steps: Vec<NewStep>,
}

/// One plan by id.
pub fn get(client: &mut impl GenericClient, schema: &str, id: i64) -> Result<Option<StoredPlan>> {
    let q = quote::ident(schema)?;
    let Some(r) = client
        .query_opt(
            &format!(
                "SELECT p.id, p.collection_id, c.schema_name, c.table_name, p.problem_class, p.playbook,
                        p.params, p.status, p.requires_approval, p.impact, p.reason, p.created_at,
                        pr.severity, p.problem_id
                   FROM {q}.plans p JOIN {q}.collections c ON c.id = p.collection_id
                   LEFT JOIN {q}.problems pr ON pr.id = p.problem_id
                  WHERE p.id = $1"
            ),
            &[&id],
        )
        .context("reading the plan")?
    else {
        return Ok(None);
    };
    let steps = client
        .query(
            &format!(
                "SELECT ordinal, kind, name, rendered, transactional, undo FROM {q}.plan_steps
                  WHERE plan_id = $1 ORDER BY ordinal"
            ),
            &[&id],
        )
        .context("reading the plan's steps")?
        .iter()
        .map(|s| NewStep {
            ordinal: s.get(0),
            kind: s.get(1),
            name: s.get(2),
            rendered: s.get(3),
            transactional: s.get(4),
            undo: s.get::<_, Option<serde_json::Value>>(5).unwrap_or_default(),
        })
        .collect();
    Ok(Some(StoredPlan {
        id: r.get(0),
        collection_id: r.get(1),
        collection: crate::sql::QualifiedName::new(r.get::<_, String>(2), r.get::<_, String>(3))
            .to_string(),
        problem_class: r.get(4),
        problem_id: r.get(13),
        playbook: r.get(5),
        params: r.get(6),
        status: r.get::<_, String>(7).parse()?,
        requires_approval: r.get(8),
        impact: r.get(9),
        reason: r.get(10),
        created_at: r.get(11),
        severity: r
            .get::<_, Option<String>>(12)
            .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()),
        steps,
    }))
}

/// Records a human decision (`approved` or `aborted`) on a plan waiting for
/// approval (or approved or ready, for abort). Fails with the plan's status
/// when it cannot take that decision.
pub fn decide(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
    decision: PlanStatus,
    reason: Option<&str>,
) -> Result<StoredPlan> {
    if !matches!(decision, PlanStatus::Approved | PlanStatus::Aborted) {
        bail!("unknown decision {decision:?}");
    }
    let mut tx = client.transaction()?;
    let Some(plan) = get(&mut tx, schema, id)? else {
        return Err(crate::exit::usage(format!("no plan with id {id}")));
    };
    // A human decides on plans that have not run; a running one is aborted
    // through its repair (`abort --repair`).
    if !(plan.status.is_before_run() && plan.status.can_become(decision)) {
        let from: Vec<&str> = PlanStatus::sources(decision)
            .into_iter()
            .filter(|s| s.is_before_run())
            .map(PlanStatus::as_str)
            .collect();
        return Err(crate::exit::usage(format!(
            "plan {id} is {}; only a plan that is {} can be {decision}",
            plan.status,
            from.join(" or ")
        )));
    }
    set_status(&mut tx, schema, id, decision)?;
    let q = quote::ident(schema)?;
    tx.execute(
        &format!("INSERT INTO {q}.approvals (plan_id, decision, reason) VALUES ($1, $2, $3)"),
        &[&id, &decision.as_str(), &reason],
    )?;
    tx.commit().context("recording the decision")?;
    Ok(StoredPlan {
        status: decision,
        ..plan
    })
}

/// Moves plan `id` to `to` (`running`, `done`, ...) when the transition table
/// allows it from the status it has now; otherwise changes nothing and fails
/// with an [`IllegalTransition`].
pub fn set_status(
    client: &mut impl GenericClient,
    schema: &str,
    id: i64,
    to: PlanStatus,
) -> Result<()> {
    let q = quote::ident(schema)?;
    let changed = client
        .execute(
            &format!("UPDATE {q}.plans SET status = $2 WHERE id = $1 AND status = ANY($3)"),
            &[&id, &to.as_str(), &PlanStatus::source_texts(to)],
        )
        .context("updating the plan's status")?;
    if changed == 1 {
        return Ok(());
    }
    let now: Option<String> = client
        .query_opt(
            &format!("SELECT status FROM {q}.plans WHERE id = $1"),
            &[&id],
        )
        .context("reading the plan's status")?
        .map(|r| r.get(0));
    let from = match now {
        Some(text) => Some(text.parse::<PlanStatus>()?.as_str()),
        None => None,
    };
    Err(IllegalTransition {
        subject: format!("plan {id}"),
        from,
        to: to.as_str(),
    }
    .into())
}

/// The collection's repair history for the planner's limits.
pub fn history(
    client: &mut impl GenericClient,
    schema: &str,
    collection_id: i64,
    window_secs: u64,
    now: DateTime<Utc>,
) -> Result<crate::plan::History> {
    let q = quote::ident(schema)?;
    let since = now - chrono::Duration::seconds(window_secs as i64);
    let r = client
        .query_one(
            &format!(
                "SELECT max(coalesce(finished_at, started_at)),
                        count(*) FILTER (WHERE started_at >= $2)
                   FROM {q}.repairs WHERE collection_id = $1 AND NOT dry_run"
            ),
            &[&collection_id, &since],
        )
        .context("reading the repair history")?;
    Ok(crate::plan::History {
        last_repair_end: r.get(0),
        attempts_in_window: r.get::<_, i64>(1) as u32,
    })
}

/// Learned weights by (class, strategy).
pub fn weights(
    client: &mut impl GenericClient,
    schema: &str,
) -> Result<std::collections::BTreeMap<(crate::vocab::Class, String), f64>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!("SELECT problem_class, strategy, weight FROM {q}.strategy_weights"),
            &[],
        )
        .context("reading strategy weights")?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let class = serde_json::from_value(serde_json::Value::String(r.get(0))).ok()?;
            Some(((class, r.get::<_, String>(1)), r.get::<_, f64>(2)))
        })
        .collect())
}

/// Ids of the collection's approved plans that have not run, oldest first.
pub fn approved(
    client: &mut impl GenericClient,
    schema: &str,
    collection_id: i64,
) -> Result<Vec<i64>> {
    let q = quote::ident(schema)?;
    Ok(client
        .query(
            &format!(
                "SELECT id FROM {q}.plans WHERE collection_id = $1 AND status = $2 ORDER BY id"
            ),
            &[&collection_id, &PlanStatus::Approved.as_str()],
        )
        .context("reading approved plans")?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Plans left `running` with no running repair of theirs, `(plan id,
/// "schema.table")`: a process that started the plan and was cut short (or
/// failed) before it recorded the repair. While that process lives it holds
/// the collection lock, which the caller checks.
pub fn running_without_repair(
    client: &mut impl GenericClient,
    schema: &str,
) -> Result<Vec<(i64, String)>> {
    let q = quote::ident(schema)?;
    let rows = client
        .query(
            &format!(
                "SELECT p.id, c.schema_name, c.table_name
                   FROM {q}.plans p JOIN {q}.collections c ON c.id = p.collection_id
                  WHERE p.status = $1
                    AND NOT EXISTS (SELECT 1 FROM {q}.repairs r
                                     WHERE r.plan_id = p.id AND r.status = $2)
                  ORDER BY p.id"
            ),
            &[
                &PlanStatus::Running.as_str(),
                &crate::state::RepairStatus::Running.as_str(),
            ],
        )
        .context("looking for plans left running")?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                crate::sql::QualifiedName::new(r.get::<_, String>(1), r.get::<_, String>(2))
                    .to_string(),
            )
        })
        .collect())
}
