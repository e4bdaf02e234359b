//! `ruvheal learn [--window DAYS] [--reset | --restore]`: recompute strategy
//! weights from outcomes (or back them up and clear them, or bring the backup
//! back), print the effectiveness report. Exit 1 while a class is stopped by drift.

use anyhow::Result;

use crate::cli::LearnArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::{self, learn_report::LearnReport};
use crate::store::{Store, audit, learning};

/// Runs `learn`.
pub fn run(args: &LearnArgs, settings: &Settings) -> Result<Exit> {
    let mut store = Store::open(settings)?;
    let now = store.now()?;
    let mut report = LearnReport {
        action: "learn".into(),
        window_days: None,
        outcomes: 0,
        weights: 0,
        strategies: vec![],
        drift: vec![],
        stopped: vec![],
        learning_enabled: settings.learn.enabled,
    };
    let subject = if args.reset {
        let (n, cleared) = learning::reset(&mut store.client, &store.schema, now)?;
        report.action = "reset".into();
        report.weights = n;
        serde_json::json!({"backed_up": n, "stops_cleared": cleared})
    } else if args.restore {
        let n = learning::restore(&mut store.client, &store.schema)?;
        report.action = "restore".into();
        report.weights = n;
        serde_json::json!({"restored": n})
    } else {
        let since = now - chrono::Duration::days(i64::from(args.window));
        let outcomes = learning::outcomes(&mut store.client, &store.schema, since)?;
        let cleared = learning::cleared(&mut store.client, &store.schema)?;
        let learned = crate::learn::learn(&outcomes, &cleared, now);
        // learn.enabled false: the report is computed, nothing is stored.
        let raised = if settings.learn.enabled {
            learning::store(
                &mut store.client,
                &store.schema,
                &learned.strategies,
                &learned.drift,
                now,
            )?
        } else {
            log::warn!(
                "learning is off (learn.enabled: false): weights and stops are reported, not stored"
            );
            vec![]
        };
        report.window_days = Some(args.window);
        report.outcomes = outcomes.len();
        report.weights = if settings.learn.enabled {
            learned.strategies.len() as u64
        } else {
            0
        };
        report.strategies = learned.strategies;
        report.drift = learned.drift;
        serde_json::json!({"window_days": args.window, "outcomes": report.outcomes,
            "weights": report.weights, "stopped": raised, "enabled": settings.learn.enabled})
    };
    report.stopped = learning::stops(&mut store.client, &store.schema)?;
    let key = settings.audit_key()?;
    audit::append(
        &mut store.client,
        &store.schema,
        &crate::audit::Entry {
            action: match report.action.as_str() {
                "learn" => "learn".into(),
                other => format!("learn.{other}"),
            },
            collection: None,
            subject,
        },
        key.as_deref(),
    )?;
    output::emit(&report, settings.output)?;
    Ok(if report.stopped.is_empty() {
        Exit::Ok
    } else {
        Exit::Warning
    })
}
