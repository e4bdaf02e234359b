//! Table-driven planner cases over the bundled playbooks.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::playbook::Library;

fn problem(class: Class, priority: f64) -> ProblemRef {
    ProblemRef {
        id: Some(priority as i64),
        class,
        severity: Severity::Warning,
        priority,
        human_only: None,
        blocked_by: None,
    }
}

/// The metrics, with the ladder's verdict (some breadth meets the contract)
/// unless the case gives its own.
fn metrics(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    let mut m: BTreeMap<String, f64> = pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    m.entry("recall.search_exhausted".into()).or_insert(0.0);
    m
}

struct Setup {
    library: Library,
    metrics: BTreeMap<String, f64>,
    params: BTreeMap<String, BTreeMap<String, ParamValue>>,
    history: History,
    limits: Limits,
    weights: BTreeMap<(Class, String), f64>,
    stopped: BTreeMap<Class, String>,
}

impl Setup {
    fn new(m: &[(&str, f64)]) -> Self {
        Setup {
            library: Library::bundled().expect("the bundled playbooks are valid"),
            metrics: metrics(m),
            params: BTreeMap::new(),
            history: History::default(),
            limits: crate::config::PlanConfig::default().limits(),
            weights: BTreeMap::new(),
            stopped: BTreeMap::new(),
        }
    }

    fn run(&self, problems: &[ProblemRef]) -> Vec<Decision> {
        choose(&Input {
            problems,
            library: &self.library,
            metrics: &self.metrics,
            params: &self.params,
            history: &self.history,
            limits: &self.limits,
            weights: &self.weights,
            stopped: &self.stopped,
            now: Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap(),
        })
    }
}

fn planned(d: &Decision) -> &Choice {
    match d {
        Decision::Planned(c) => c,
        Decision::Blocked { reason, .. } => panic!("blocked: {reason}"),
    }
}

fn blocked(d: &Decision) -> &str {
    match d {
        Decision::Blocked { reason, .. } => reason,
        Decision::Planned(c) => panic!("planned {}", c.playbook),
    }
}

#[test]
fn graduated_response_picks_the_lowest_impact_that_applies() {
    let s = Setup::new(&[
        ("recall.at_k", 0.6),
        ("recall.ci_high", 0.65),
        ("table.dead_ratio", 0.5),
    ]);
    let d = s.run(&[
        problem(Class::RecallDegradation, 50.0),
        problem(Class::DeadTupleBloat, 90.0),
    ]);
    assert_eq!(d.len(), 2);
    // highest priority first
    assert_eq!(planned(&d[0]).problem.class, Class::DeadTupleBloat);
    assert_eq!(planned(&d[0]).playbook, "vacuum_collection");
    let recall = planned(&d[1]);
    assert_eq!(recall.playbook, "tune_search_params");
    assert!(!recall.requires_approval());
    assert!(
        recall
            .alternatives
            .iter()
            .any(|(n, why)| n == "reindex_concurrently" && why.contains("ranked lower")),
        "{:?}",
        recall.alternatives
    );
}

#[test]
fn a_strategy_that_keeps_failing_gives_way() {
    let mut s = Setup::new(&[("recall.at_k", 0.6)]);
    s.weights
        .insert((Class::RecallDegradation, "tune_search_params".into()), 0.1);
    let d = s.run(&[problem(Class::RecallDegradation, 50.0)]);
    assert_ne!(planned(&d[0]).playbook, "tune_search_params");
    assert_eq!(planned(&d[0]).weight, 1.0);
}

#[test]
fn when_conditions_filter_candidates() {
    // recall already meets the target: tuning does not apply
    let s = Setup::new(&[("recall.at_k", 0.99)]);
    let d = s.run(&[problem(Class::RecallDegradation, 50.0)]);
    assert_ne!(planned(&d[0]).playbook, "tune_search_params");
    assert!(
        planned(&d[0])
            .alternatives
            .iter()
            .any(|(n, why)| n == "tune_search_params" && why.contains("condition")),
        "{:?}",
        planned(&d[0]).alternatives
    );
}

#[test]
fn cooldown_and_attempt_caps_block_planning() {
    let mut s = Setup::new(&[("table.dead_ratio", 0.5)]);
    s.history.last_repair_end = Some(Utc.with_ymd_and_hms(2026, 11, 23, 11, 30, 0).unwrap());
    let d = s.run(&[problem(Class::DeadTupleBloat, 90.0)]);
    assert!(blocked(&d[0]).contains("cooling down"), "{d:?}");
    s.history.last_repair_end =
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap() - Duration::hours(2));
    assert_eq!(
        planned(&s.run(&[problem(Class::DeadTupleBloat, 90.0)])[0]).playbook,
        "vacuum_collection"
    );
    s.history.attempts_in_window = 3;
    let d = s.run(&[problem(Class::DeadTupleBloat, 90.0)]);
    assert!(blocked(&d[0]).contains("cap"), "{d:?}");
}

#[test]
fn approval_rules() {
    let mut s = Setup::new(&[("contention.xmin_holder_pid", 4242.0)]);
    // the playbook asks for approval
    s.limits.disabled = vec!["pause_maintenance".into()];
    let d = s.run(&[problem(Class::MaintenanceContention, 60.0)]);
    let c = planned(&d[0]);
    assert_eq!(c.playbook, "cancel_blocking_sessions");
    assert!(
        c.approval_reasons
            .iter()
            .any(|r| r.contains("requires approval")),
        "{c:?}"
    );
    // impact above the limit
    let mut s = Setup::new(&[("table.dead_ratio", 0.5)]);
    s.limits.max_auto_heal_impact = 0.05;
    let c = s.run(&[problem(Class::DeadTupleBloat, 90.0)]);
    assert!(
        planned(&c[0])
            .approval_reasons
            .iter()
            .any(|r| r.contains("max_auto_heal_impact"))
    );
    // the configuration lists the class
    let mut s = Setup::new(&[("table.dead_ratio", 0.5)]);
    s.limits.require_approval = vec!["dead_tuple_bloat".into()];
    let c = s.run(&[problem(Class::DeadTupleBloat, 90.0)]);
    assert!(planned(&c[0]).requires_approval());
}

#[test]
fn shell_playbooks_are_off_unless_allow_listed_and_unknown_is_never_planned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("add_standby.yaml"),
        "name: add_standby\ndescription: adds a standby\nhandles: [replication_lag]\nimpact: 0.5\n\
         reversible: false\nrequires_approval: true\ntimeout: 1m\nsteps:\n  - name: add\n    do:\n\
         \x20     kind: shell\n      program: add-standby\n      args: []\n\
         verify:\n  expect: [\"replication.replay_lag_s < 60\"]\n",
    )
    .unwrap();
    let mut s = Setup::new(&[("replication.replay_lag_s", 600.0)]);
    s.library = Library::load(Some(dir.path())).unwrap();
    let d = s.run(&[
        problem(Class::ReplicationLag, 80.0),
        problem(Class::Unknown, 10.0),
    ]);
    assert!(blocked(&d[0]).contains("shell_allow"), "{d:?}");
    assert!(blocked(&d[1]).contains("human"), "{d:?}");
    s.limits.shell_allow = vec!["add-standby".into()];
    let d = s.run(&[problem(Class::ReplicationLag, 80.0)]);
    let c = planned(&d[0]);
    assert_eq!(c.playbook, "add_standby");
    assert!(c.requires_approval());
}

#[test]
fn a_class_stopped_by_drift_is_blocked_with_the_reason() {
    let mut s = Setup::new(&[("table.dead_ratio", 0.5), ("recall.at_k", 0.6)]);
    s.stopped
        .insert(Class::DeadTupleBloat, "5 consecutive failed repairs".into());
    let d = s.run(&[
        problem(Class::DeadTupleBloat, 90.0),
        problem(Class::RecallDegradation, 50.0),
    ]);
    let why = blocked(&d[0]);
    assert!(
        why.contains("stopped until a human acts") && why.contains("5 consecutive failed"),
        "{why}"
    );
    // other classes are still planned
    assert!(!planned(&d[1]).playbook.is_empty());
}

#[test]
fn a_problem_diagnose_leaves_to_a_human_is_blocked_with_its_reason() {
    let s = Setup::new(&[("recall.at_k", 0.6), ("index.hnsw", 1.0)]);
    let mut filtered = problem(Class::RecallDegradation, 50.0);
    filtered.human_only = Some("the remedy is the application's search settings".into());
    let d = s.run(&[filtered, problem(Class::RecallDegradation, 40.0)]);
    assert_eq!(
        blocked(&d[0]),
        "the remedy is the application's search settings"
    );
    // the same class without that reason is planned as usual
    assert!(!planned(&d[1]).playbook.is_empty(), "{d:?}");
}

#[test]
fn ruvector_collections_take_only_ruvector_playbooks() {
    let s = Setup::new(&[
        ("ruvector.collection", 1.0),
        ("recall.at_k", 0.6),
        ("table.dead_ratio", 0.5),
        ("ruvector.invalid_indexes", 1.0),
    ]);
    let d = s.run(&[
        problem(Class::OrphanNodes, 90.0),
        problem(Class::RecallDegradation, 50.0),
        problem(Class::InvalidIndex, 40.0),
    ]);
    // REINDEX, not REINDEX CONCURRENTLY (which RuVector refuses)
    let reindex = planned(&d[0]);
    assert_eq!(reindex.playbook, "ruvector_reindex");
    assert!(
        reindex.requires_approval(),
        "an exclusive lock waits for a human"
    );
    assert!(
        reindex
            .alternatives
            .iter()
            .any(|(n, why)| n == "reindex_concurrently" && why.contains("RuVector")),
        "{:?}",
        reindex.alternatives
    );
    // no pgvector setting for RuVector's recall
    assert!(
        blocked(&d[1]).contains("not written for RuVector"),
        "{}",
        blocked(&d[1])
    );
    // the leftover of a refused concurrent build is dropped, not rebuilt concurrently
    assert_eq!(planned(&d[2]).playbook, "ruvector_drop_invalid_leftover");
    // and a pgvector collection never gets a RuVector playbook
    let pg = Setup::new(&[("recall.at_k", 0.6)]);
    let d = pg.run(&[problem(Class::OrphanNodes, 90.0)]);
    assert_eq!(planned(&d[0]).playbook, "reindex_concurrently");
}

#[test]
fn a_maintenance_window_lifts_the_approval_of_the_playbooks_it_names() {
    let mut s = Setup::new(&[("ruvector.collection", 1.0)]);
    let window = |start: &str, end: &str| crate::plan::window::MaintenanceWindow {
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
        playbooks: vec!["ruvector_reindex".into()],
    };
    // Setup's clock says 12:00 UTC
    s.limits.maintenance_window = Some(window("11:30", "12:30"));
    let d = s.run(&[problem(Class::OrphanNodes, 90.0)]);
    assert!(
        !planned(&d[0]).requires_approval(),
        "{:?}",
        planned(&d[0]).approval_reasons
    );
    s.limits.maintenance_window = Some(window("02:00", "04:00"));
    let d = s.run(&[problem(Class::OrphanNodes, 90.0)]);
    assert!(planned(&d[0]).requires_approval());
    // the configuration's own require_approval still holds inside the window
    s.limits.maintenance_window = Some(window("11:30", "12:30"));
    s.limits.require_approval = vec!["orphan_nodes".into()];
    let d = s.run(&[problem(Class::OrphanNodes, 90.0)]);
    assert!(planned(&d[0]).requires_approval());
}

#[test]
fn bloat_kept_by_a_planned_xmin_holder_waits_for_it() {
    let s = Setup::new(&[
        ("contention.xmin_holder_pid", 4242.0),
        ("table.dead_ratio", 0.8),
    ]);
    let mut bloat = problem(Class::DeadTupleBloat, 90.0);
    bloat.blocked_by = Some(Class::MaintenanceContention);
    let d = s.run(&[bloat.clone(), problem(Class::MaintenanceContention, 95.0)]);
    assert_eq!(planned(&d[0]).playbook, "cancel_blocking_sessions");
    assert!(blocked(&d[1]).contains("maintenance_contention"), "{d:?}");
    // with no holder to end, the vacuum is planned as usual
    let s = Setup::new(&[("table.dead_ratio", 0.8)]);
    let d = s.run(&[bloat, problem(Class::MaintenanceContention, 95.0)]);
    assert!(
        d.iter()
            .any(|x| matches!(x, Decision::Planned(c) if c.playbook == "vacuum_collection")),
        "{d:?}"
    );
}

#[test]
fn an_index_too_weak_for_any_search_breadth_is_rebuilt_stronger_not_reindexed() {
    let s = Setup::new(&[
        ("recall.at_k", 0.4),
        ("recall.ci_high", 0.43),
        ("index.hnsw", 1.0),
        ("recall.search_exhausted", 1.0),
    ]);
    let d = s.run(&[problem(Class::RecallDegradation, 50.0)]);
    let c = planned(&d[0]);
    assert_eq!(c.playbook, "rebuild_and_swap");
    for name in ["tune_search_params", "reindex_concurrently"] {
        assert!(
            c.alternatives
                .iter()
                .any(|(n, why)| n == name && why.contains("search_exhausted")),
            "{name}: {:?}",
            c.alternatives
        );
    }
}
