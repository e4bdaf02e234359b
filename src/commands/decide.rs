//! `ruvheal approve PLAN_ID` / `ruvheal abort PLAN_ID`: the human gate.

use anyhow::Result;

use crate::cli::DecisionArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::{self, decision_report::DecisionReport};
use crate::state::PlanStatus;
use crate::store::{Store, audit, plans};

/// Records `decision` (`approved` or `aborted`) on a plan, audited.
pub fn run(args: &DecisionArgs, decision: PlanStatus, settings: &Settings) -> Result<Exit> {
    decide(args.plan_id, args.reason.as_deref(), decision, settings)
}

/// Records `decision` on plan `plan_id`, audited, and prints it.
pub(crate) fn decide(
    plan_id: i64,
    reason: Option<&str>,
    decision: PlanStatus,
    settings: &Settings,
) -> Result<Exit> {
    let key = settings.audit_key()?;
    let mut store = Store::open(settings)?;
    let plan = plans::decide(&mut store.client, &store.schema, plan_id, decision, reason)?;
    audit::append(
        &mut store.client,
        &store.schema,
        &crate::audit::Entry {
            action: if decision == PlanStatus::Approved {
                "approve"
            } else {
                "abort"
            }
            .into(),
            collection: Some(plan.collection.clone()),
            subject: serde_json::json!({"plan_id": plan.id, "playbook": plan.playbook, "reason": reason}),
        },
        key.as_deref(),
    )?;
    output::emit(
        &DecisionReport {
            plan_id: plan.id,
            collection: plan.collection,
            playbook: plan.playbook,
            status: plan.status,
        },
        settings.output,
    )?;
    Ok(Exit::Ok)
}
