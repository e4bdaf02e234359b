//! Table-driven cases: estimator, exploration rule, slope, drift, and the
//! planner switching strategy on recorded outcomes.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};

use super::estimate::{Posterior, UCB_C, reference_weight};
use super::trend::{Direction, Trend, slope};
use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn outcome(class: Class, strategy: &str, days_ago: f64, ok: bool) -> Outcome {
    Outcome {
        class,
        strategy: strategy.into(),
        finished_at: now() - Duration::seconds((days_ago * 86_400.0) as i64),
        duration_ms: 1000.0,
        success: true,
        verified: ok,
        improvement: ok.then_some(0.5),
        feedback: None,
    }
}

#[test]
fn a_humans_verdict_replaces_the_automatic_one() {
    let mut o = outcome(Class::RecallDegradation, "reindex_concurrently", 1.0, true);
    assert!(o.succeeded());
    for (score, ok) in [(-1, false), (0, false), (2, false), (3, true), (5, true)] {
        o.feedback = Some(score);
        assert_eq!(o.succeeded(), ok, "score {score}");
    }
    let mut failed = outcome(Class::RecallDegradation, "reindex_concurrently", 1.0, false);
    failed.feedback = Some(4);
    assert!(failed.succeeded(), "a human saw it help");
    // Three verified repairs a human called harmful stop the class like failures.
    let harmful: Vec<Outcome> = (0..3)
        .map(|i| {
            let mut o = outcome(
                Class::RecallDegradation,
                "tune_search_params",
                i as f64,
                true,
            );
            o.feedback = Some(-1);
            o
        })
        .collect();
    let learned = learn(&harmful, &BTreeMap::new(), now());
    assert_eq!(learned.strategies[0].successes, 0);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_beta_posterior_counts_successes_and_failures() {
    // (attempts, successes) -> (alpha, beta, mean, sd)
    let cases = [
        (0, 0, 1.0, 1.0, 0.5, (1.0f64 / 12.0).sqrt()),
        (1, 1, 2.0, 1.0, 2.0 / 3.0, (2.0f64 / 36.0).sqrt()),
        (1, 0, 1.0, 2.0, 1.0 / 3.0, (2.0f64 / 36.0).sqrt()),
        (4, 3, 4.0, 2.0, 4.0 / 6.0, (8.0f64 / 252.0).sqrt()),
        (10, 0, 1.0, 11.0, 1.0 / 12.0, (11.0f64 / 1872.0).sqrt()),
        (2, 5, 3.0, 1.0, 0.75, (3.0f64 / 80.0).sqrt()), // successes capped at attempts
    ];
    for (n, s, a, b, m, sd) in cases {
        let p = Posterior::from_counts(n, s);
        assert!(close(p.alpha, a) && close(p.beta, b), "{n}/{s}: {p:?}");
        assert!(close(p.mean(), m), "{n}/{s}: mean {}", p.mean());
        assert!(close(p.sd(), sd), "{n}/{s}: sd {}", p.sd());
    }
}

#[test]
fn the_upper_confidence_bound_explores_then_settles() {
    // The uniform prior's bound is exactly 1: untried == never recorded.
    assert!(close(Posterior::from_counts(0, 0).ucb(), 1.0));
    assert!(close(UCB_C * UCB_C, 3.0));
    // (attempts, successes, expected weight range)
    let cases: [(u32, u32, f64, f64); 6] = [
        (1, 1, 1.0, 1.0),   // a success keeps full weight
        (1, 0, 0.70, 0.75), // one failure already ranks it below an untried one
        (3, 0, 0.45, 0.50),
        (10, 0, 0.20, 0.23),
        (20, 10, 0.68, 0.70), // a coin flip with little doubt left
        (4, 3, 0.97, 0.98),
    ];
    for (n, s, lo, hi) in cases {
        let w = Posterior::from_counts(n, s).ucb();
        assert!((lo..=hi).contains(&w), "{n}/{s}: weight {w}");
    }
    // More evidence of the same rate: less doubt, lower optimistic bound.
    let few = Posterior::from_counts(2, 1);
    let many = Posterior::from_counts(40, 20);
    assert!(many.sd() < few.sd() && many.ucb() < few.ucb());
}

#[test]
fn the_reference_formula_stays_simple() {
    for (rate, imp, want) in [
        (1.0, Some(0.5), 1.5),
        (0.5, None, 0.5),
        (0.0, Some(2.0), 0.0),
        (0.8, Some(-0.25), 0.6),
    ] {
        assert!(close(reference_weight(rate, imp), want), "{rate} {imp:?}");
    }
}

#[test]
fn least_squares_slope() {
    type Case<'a> = (&'a [(f64, f64)], Option<f64>);
    let cases: [Case; 5] = [
        (&[], None),
        (&[(0.0, 1.0)], None),
        (&[(1.0, 1.0), (1.0, 0.0)], None),
        (&[(0.0, 1.0), (1.0, 0.8), (2.0, 0.6)], Some(-0.2)),
        (
            &[(-3.0, 0.0), (-2.0, 1.0), (-1.0, 0.0), (0.0, 1.0)],
            Some(0.2),
        ),
    ];
    for (points, want) in cases {
        let got = slope(points);
        match (got, want) {
            (Some(g), Some(w)) => assert!(close(g, w), "{points:?}: {g}"),
            (g, w) => assert_eq!(g, w, "{points:?}"),
        }
    }
}

#[test]
fn weekly_trends_have_a_direction() {
    let at = |d: i64, ok| (now() - Duration::days(d), ok);
    let falling = [
        at(20, true),
        at(19, true),
        at(13, true),
        at(12, false),
        at(1, false),
    ];
    let rising = [at(20, false), at(13, true), at(1, true)];
    let flat = [at(20, true), at(10, true), at(1, true)];
    let once = [at(1, false), at(2, true)];
    for (events, dir) in [
        (&falling[..], Direction::Falling),
        (&rising[..], Direction::Improving),
        (&flat[..], Direction::Steady),
        (&once[..], Direction::Unknown),
    ] {
        assert_eq!(Trend::of(events, now()).direction, dir, "{events:?}");
    }
}

#[test]
fn learn_aggregates_per_class_and_strategy() {
    let c = Class::DeadTupleBloat;
    let mut o = vec![
        outcome(c, "vacuum_collection", 1.0, true),
        outcome(c, "vacuum_collection", 2.0, false),
        outcome(c, "other", 3.0, true),
    ];
    o[1].duration_ms = 9000.0; // failures do not count for time to recovery
    let l = learn(&o, &BTreeMap::new(), now());
    assert_eq!(l.strategies.len(), 2);
    let v = &l.strategies[1];
    assert_eq!(
        (v.strategy.as_str(), v.attempts, v.successes),
        ("vacuum_collection", 2, 1)
    );
    assert!(close(v.success_rate, 0.5));
    assert_eq!(v.mean_improvement, Some(0.5));
    assert_eq!(v.mean_time_to_recovery_ms, Some(1000.0));
    assert!(close(v.reference_weight, 0.75));
    assert!(close(v.weight, Posterior::from_counts(2, 1).ucb()));
    assert!(l.drift.is_empty());
}

#[test]
fn drift_stops_a_class_after_a_failure_streak_or_a_falling_rate() {
    let c = Class::IndexFragmentation;
    let streak: Vec<_> = (0..5)
        .map(|i| outcome(c, "s", f64::from(i), false))
        .collect();
    let short: Vec<_> = (0..4)
        .map(|i| outcome(c, "s", f64::from(i), false))
        .collect();
    let mut broken = short.clone();
    broken.push(outcome(c, "s", 0.1, true));
    broken.push(outcome(c, "s", 4.5, false));
    let falling: Vec<_> = [
        (27.0, true),
        (26.0, true),
        (20.0, true),
        (13.0, false),
        (6.0, false),
        (5.0, true),
    ]
    .iter()
    .map(|&(d, ok)| outcome(c, "s", d, ok))
    .collect();
    let cases: [(&str, &[Outcome], bool); 4] = [
        ("five failures in a row", &streak, true),
        ("four failures", &short, false),
        ("the streak broken by a success", &broken, false),
        ("falling weekly success rate", &falling, true),
    ];
    for (what, o, stops) in cases {
        let d = drift::detect(o, &BTreeMap::new(), now());
        assert_eq!(!d.is_empty(), stops, "{what}: {d:?}");
    }
    // A human cleared the stop after these failures: they do not raise it again.
    let cleared = BTreeMap::from([(c, now())]);
    assert!(drift::detect(&streak, &cleared, now()).is_empty());
}

#[test]
fn after_a_strategy_keeps_failing_the_planner_switches() {
    use crate::plan::{self, Decision, History, Input, ProblemRef};
    let library = crate::playbook::Library::bundled().unwrap();
    let metrics = BTreeMap::from([
        ("table.dead_ratio".to_string(), 0.5),
        ("recall.search_exhausted".to_string(), 0.0),
    ]);
    let problems = [ProblemRef {
        id: None,
        class: Class::IndexFragmentation,
        severity: crate::vocab::Severity::Warning,
        priority: 50.0,
        human_only: None,
        blocked_by: None,
    }];
    let pick = |outcomes: &[Outcome]| {
        let w = weights(&learn(outcomes, &BTreeMap::new(), now()));
        let d = plan::choose(&Input {
            problems: &problems,
            library: &library,
            metrics: &metrics,
            params: &BTreeMap::new(),
            history: &History::default(),
            limits: &crate::config::PlanConfig::default().limits(),
            weights: &w,
            stopped: &BTreeMap::new(),
            now: now(),
        });
        match &d[0] {
            Decision::Planned(c) => c.playbook.clone(),
            Decision::Blocked { reason, .. } => panic!("blocked: {reason}"),
        }
    };
    let c = Class::IndexFragmentation;
    let fails = |n: u32| -> Vec<Outcome> {
        (0..n)
            .map(|i| outcome(c, "vacuum_collection", f64::from(i + 1), false))
            .collect()
    };
    let works: Vec<_> = (0..3)
        .map(|i| outcome(c, "vacuum_collection", f64::from(i), true))
        .collect();
    let mut mixed = fails(3);
    mixed.extend((0..3).map(|i| outcome(c, "reindex_concurrently", f64::from(i), true)));
    let cases: [(&str, Vec<Outcome>, &str); 5] = [
        ("no history: lowest impact", vec![], "vacuum_collection"),
        ("it works: keep it", works, "vacuum_collection"),
        ("it failed: the next one", fails(1), "reindex_concurrently"),
        ("it keeps failing", fails(4), "reindex_concurrently"),
        (
            "the alternative proved itself",
            mixed,
            "reindex_concurrently",
        ),
    ];
    for (what, outcomes, want) in cases {
        assert_eq!(pick(&outcomes), want, "{what}");
    }
}
