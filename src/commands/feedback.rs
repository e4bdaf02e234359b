//! `ruvheal feedback REPAIR_ID --score -1..5 [--note TEXT]`: a human's verdict
//! on a repair, audited. `learn` reads it in place of the automatic verdict
//! (see [`crate::learn::Outcome::succeeded`]).

use anyhow::Result;

use crate::cli::FeedbackArgs;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::learn::HELPFUL_SCORE;
use crate::output::{self, feedback_report::FeedbackReport};
use crate::store::{Store, audit, outcomes};

/// Runs `feedback`.
pub fn run(args: &FeedbackArgs, settings: &Settings) -> Result<Exit> {
    let key = settings.audit_key()?;
    let mut store = Store::open(settings)?;
    let judged = outcomes::set_feedback(
        &mut store.client,
        &store.schema,
        args.repair_id,
        args.score,
        args.note.as_deref(),
    )?
    .ok_or_else(|| {
        usage(format!(
            "repair {} has no recorded outcome (no such repair, a dry run, or still running)",
            args.repair_id
        ))
    })?;
    audit::append(
        &mut store.client,
        &store.schema,
        &crate::audit::Entry {
            action: "feedback".into(),
            collection: Some(judged.collection.clone()),
            subject: serde_json::json!({"repair_id": args.repair_id, "score": args.score,
                "previous": judged.previous, "note": args.note}),
        },
        key.as_deref(),
    )?;
    output::emit(
        &FeedbackReport {
            repair_id: args.repair_id,
            collection: judged.collection,
            class: judged.problem_class,
            strategy: judged.strategy,
            score: args.score,
            previous: judged.previous,
            counts_as_success: args.score >= HELPFUL_SCORE,
        },
        settings.output,
    )?;
    Ok(Exit::Ok)
}
