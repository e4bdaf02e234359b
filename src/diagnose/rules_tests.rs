//! Table-driven tests of the classifier: each case is an observation (findings,
//! metrics, integrity) and the problems it must produce.

use std::collections::BTreeMap;

use crate::detect::Finding;
use crate::diagnose::{Input, diagnose};
use crate::integrity::{EdgeKind, Integrity, NodeKind, Thresholds, Witness};
use crate::vocab::{Class, Severity};

fn f(id: i64, class: Class, severity: Severity, detector: &str) -> (i64, Finding) {
    (
        id,
        Finding::new(class, severity, detector, format!("finding {id}")),
    )
}

fn cut(lambda_normalized: f64, kinds: Vec<NodeKind>, witness: EdgeKind) -> Integrity {
    Integrity {
        nodes: 10,
        edges: 20,
        lambda: lambda_normalized * 100.0,
        lambda_normalized,
        mean_degree: 100.0,
        cut_side: vec!["x".into()],
        cut_side_nodes: 1,
        cut_side_share: 0.1,
        cut_side_kinds: kinds,
        cut_side_hints: vec![],
        witnesses: vec![Witness {
            from: "a".into(),
            to: "x".into(),
            kind: witness,
            capacity: 1.0,
        }],
        witness_count: 1,
    }
}

struct Case {
    name: &'static str,
    findings: Vec<(i64, Finding)>,
    metrics: Vec<(&'static str, f64)>,
    integrity: Option<Integrity>,
    /// (class, severity, finding ids, words the root cause must contain), in priority order.
    expect: Vec<(Class, Severity, Vec<i64>, &'static str)>,
}

/// The diagnosis of `findings` with `metrics` (contract 0.95).
fn diagnose_with(
    findings: &[(i64, Finding)],
    metrics: &[(&str, f64)],
    integrity: Option<&Integrity>,
) -> crate::diagnose::Diagnosis {
    let metrics: BTreeMap<String, f64> = metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    diagnose(&Input {
        metrics: &metrics,
        previous: None,
        findings,
        integrity,
        thresholds: Thresholds {
            stress: 0.1,
            critical: 0.02,
        },
        min_recall: 0.95,
    })
}

fn run(case: &Case) {
    let d = diagnose_with(&case.findings, &case.metrics, case.integrity.as_ref());
    let got: Vec<_> = d
        .problems
        .iter()
        .map(|p| (p.class, p.severity, p.findings.clone()))
        .collect();
    let want: Vec<_> = case
        .expect
        .iter()
        .map(|(c, s, ids, _)| (*c, *s, ids.clone()))
        .collect();
    assert_eq!(got, want, "case {}: {:#?}", case.name, d.problems);
    for (p, (_, _, _, words)) in d.problems.iter().zip(&case.expect) {
        assert!(
            p.root_cause.contains(words),
            "case {}: {:?} lacks {words:?}",
            case.name,
            p.root_cause
        );
    }
}

#[test]
fn classifier_cases() {
    use Class::*;
    use Severity::*;
    let cases = vec![
        Case {
            name: "healthy: nothing, and info findings are not problems",
            findings: vec![f(1, Unknown, Info, "structure")],
            metrics: vec![("recall.at_k", 0.99)],
            integrity: Some(cut(0.4, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![],
        },
        Case {
            name: "ef_search flagged by settings and by the probe",
            findings: vec![
                f(1, RecallDegradation, Critical, "settings"),
                f(2, RecallDegradation, Warning, "recall"),
            ],
            metrics: vec![("recall.at_k", 0.6), ("recall.boosted_at_k", 0.99)],
            integrity: None,
            expect: vec![(RecallDegradation, Critical, vec![1, 2], "search setting")],
        },
        Case {
            name: "the ladder met the contract: the search setting, however low the recall",
            findings: vec![f(1, RecallDegradation, Warning, "recall")],
            metrics: vec![
                ("recall.at_k", 0.8),
                ("recall.boosted_at_k", 0.97),
                ("recall.boosted_setting", 64.0),
                ("recall.search_exhausted", 0.0),
            ],
            integrity: None,
            expect: vec![(RecallDegradation, Warning, vec![1], "search setting")],
        },
        Case {
            name: "no breadth within the latency contract meets recall: the index is too weak",
            findings: vec![f(1, RecallDegradation, Warning, "recall")],
            metrics: vec![
                ("recall.at_k", 0.8),
                ("recall.boosted_at_k", 0.97),
                ("recall.boosted_setting", 1000.0),
                ("recall.search_exhausted", 1.0),
            ],
            integrity: None,
            expect: vec![(RecallDegradation, Warning, vec![1], "too weak")],
        },
        Case {
            name: "ef_search below k explains short results even with dead rows about",
            findings: vec![
                f(1, DeadTupleBloat, Warning, "table"),
                f(2, RecallDegradation, Critical, "settings"),
                f(3, RecallDegradation, Warning, "recall"),
            ],
            metrics: vec![
                ("recall.at_k", 0.4),
                ("recall.short_results", 50.0),
                ("table.dead_ratio", 0.3),
            ],
            integrity: None,
            expect: vec![
                (RecallDegradation, Critical, vec![2, 3], "search setting"),
                (DeadTupleBloat, Warning, vec![1], "finding 1"),
            ],
        },
        Case {
            name: "filtered queries short while the probe's recall is fine",
            findings: vec![f(1, RecallDegradation, Warning, "filtered_queries")],
            metrics: vec![("recall.at_k", 0.99), ("queries.filtered_short", 1.0)],
            integrity: None,
            expect: vec![(
                RecallDegradation,
                Warning,
                vec![1],
                "filtered queries come back short",
            )],
        },
        Case {
            name: "filtered queries short and the probe's recall low: the probe's cause wins",
            findings: vec![
                f(1, RecallDegradation, Warning, "filtered_queries"),
                f(2, RecallDegradation, Critical, "settings"),
            ],
            metrics: vec![("recall.at_k", 0.5), ("recall.boosted_at_k", 0.99)],
            integrity: None,
            expect: vec![(RecallDegradation, Critical, vec![1, 2], "search setting")],
        },
        Case {
            name: "boost restores recall without a settings finding",
            findings: vec![f(2, RecallDegradation, Warning, "recall")],
            metrics: vec![
                ("recall.at_k", 0.85),
                ("recall.boosted_at_k", 0.97),
                ("recall.boosted_setting", 160.0),
            ],
            integrity: None,
            expect: vec![(RecallDegradation, Warning, vec![2], "hnsw.ef_search = 160")],
        },
        Case {
            name: "dead tuples with short results explain recall",
            findings: vec![
                f(1, DeadTupleBloat, Critical, "table"),
                f(2, RecallDegradation, Warning, "recall"),
            ],
            metrics: vec![
                ("recall.at_k", 0.7),
                ("recall.short_results", 12.0),
                ("table.dead_ratio", 0.6),
                ("recall.boosted_at_k", 0.99),
            ],
            integrity: None,
            expect: vec![(DeadTupleBloat, Critical, vec![1, 2], "dead rows")],
        },
        Case {
            name: "a weak graph: orphans, and a bigger ef_search does not help",
            findings: vec![
                f(1, OrphanNodes, Critical, "structure"),
                f(2, PoorConnectivity, Warning, "structure"),
                f(3, RecallDegradation, Critical, "recall"),
            ],
            metrics: vec![
                ("recall.at_k", 0.2),
                ("recall.boosted_at_k", 0.4),
                ("hnsw.orphan_ratio", 0.5),
            ],
            integrity: Some(cut(
                0.0,
                vec![NodeKind::Unreachable],
                EdgeKind::Reachability,
            )),
            expect: vec![
                (OrphanNodes, Critical, vec![1, 3], "weak HNSW graph"),
                (PoorConnectivity, Warning, vec![2], "finding 2"),
            ],
        },
        Case {
            name: "a split layer 0 (tightly clustered rows) is a weak graph, not unknown",
            findings: vec![f(2, RecallDegradation, Warning, "recall")],
            metrics: vec![
                ("recall.at_k", 0.92),
                ("recall.boosted_at_k", 0.93),
                ("hnsw.orphan_ratio", 0.0),
                ("hnsw.layer0_split_ratio", 0.4),
                ("hnsw.ef_construction", 64.0),
            ],
            integrity: Some(cut(0.2, vec![NodeKind::Region], EdgeKind::UpperLink)),
            expect: vec![(
                PoorConnectivity,
                Warning,
                vec![2],
                "layer 0 is split (40% of live elements unreachable over layer-0 links), which a rebuild with a larger ef_construction than 64 joins",
            )],
        },
        Case {
            name: "stale IVFFlat training",
            findings: vec![
                f(1, CentroidSkew, Warning, "structure"),
                f(2, RecallDegradation, Warning, "recall"),
            ],
            metrics: vec![
                ("recall.at_k", 0.8),
                ("recall.boosted_at_k", 0.9),
                ("ivfflat.list_cv", 2.5),
                ("index.lists", 100.0),
            ],
            integrity: None,
            expect: vec![(CentroidSkew, Warning, vec![1, 2], "stale IVFFlat training")],
        },
        Case {
            name: "low recall nothing explains is unknown",
            findings: vec![f(2, RecallDegradation, Warning, "recall")],
            metrics: vec![("recall.at_k", 0.8), ("recall.boosted_at_k", 0.82)],
            integrity: Some(cut(0.5, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![(Unknown, Warning, vec![2], "no measured cause")],
        },
        Case {
            name: "an xmin holder keeps the bloat: contention comes first",
            findings: vec![f(1, DeadTupleBloat, Warning, "table"), {
                let (id, f) = f(2, MaintenanceContention, Warning, "contention");
                (id, f.metric("contention.dead_rows_held", 900.0, Some(0.0)))
            }],
            metrics: vec![("table.dead_ratio", 0.3)],
            integrity: None,
            expect: vec![
                (MaintenanceContention, Warning, vec![2], "finding 2"),
                (DeadTupleBloat, Warning, vec![1], "xmin horizon"),
            ],
        },
        Case {
            name: "busy autovacuum workers keep no dead rows: the bloat is not linked to them",
            findings: vec![f(1, DeadTupleBloat, Warning, "table"), {
                let (id, f) = f(2, MaintenanceContention, Warning, "contention");
                (
                    id,
                    f.metric("contention.autovacuum_workers", 3.0, Some(3.0)),
                )
            }],
            metrics: vec![("table.dead_ratio", 0.3)],
            integrity: None,
            expect: vec![
                (MaintenanceContention, Warning, vec![2], "finding 2"),
                (DeadTupleBloat, Warning, vec![1], "not yet vacuumed"),
            ],
        },
        Case {
            name: "a lagging replica severed by the cut is replication lag",
            findings: vec![],
            metrics: vec![("replication.replay_lag_s", 400.0)],
            integrity: Some(cut(0.0, vec![NodeKind::Replica], EdgeKind::Replication)),
            expect: vec![(ReplicationLag, Critical, vec![], "state critical")],
        },
        Case {
            name: "a stressed cut alone, recall within the contract, is information",
            findings: vec![],
            metrics: vec![("recall.at_k", 0.99), ("recall.ci_high", 1.0)],
            integrity: Some(cut(0.05, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![(PoorConnectivity, Info, vec![], "state stress")],
        },
        Case {
            name: "a stressed cut with recall below the contract is poor connectivity",
            findings: vec![],
            metrics: vec![("recall.at_k", 0.85), ("recall.ci_high", 0.88)],
            integrity: Some(cut(0.05, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![(PoorConnectivity, Warning, vec![], "state stress")],
        },
        Case {
            name: "a stressed cut a structural finding agrees with",
            findings: vec![f(1, PoorConnectivity, Warning, "structure")],
            metrics: vec![("recall.at_k", 0.99), ("recall.ci_high", 1.0)],
            integrity: Some(cut(0.05, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![(PoorConnectivity, Warning, vec![1], "finding 1")],
        },
        Case {
            name: "a stressed cut with a latency finding is a warning",
            findings: vec![f(1, LatencyAnomaly, Warning, "recall")],
            metrics: vec![("recall.at_k", 0.99), ("recall.ci_high", 1.0)],
            integrity: Some(cut(0.05, vec![NodeKind::Region], EdgeKind::Link)),
            expect: vec![
                (LatencyAnomaly, Warning, vec![1], "finding 1"),
                (PoorConnectivity, Warning, vec![], "state stress"),
            ],
        },
        Case {
            name: "a low search setting whose measured recall meets the contract is no problem",
            findings: vec![
                f(1, RecallDegradation, Warning, "settings"),
                f(2, StaleTraining, Warning, "structure"),
            ],
            metrics: vec![("recall.at_k", 0.99), ("recall.ci_high", 0.995)],
            integrity: None,
            expect: vec![],
        },
        Case {
            name: "the same setting with recall missed by the interval stays",
            findings: vec![f(1, RecallDegradation, Warning, "settings")],
            metrics: vec![("recall.at_k", 0.90), ("recall.ci_high", 0.93)],
            integrity: None,
            expect: vec![(RecallDegradation, Warning, vec![1], "")],
        },
        Case {
            name: "drifted lists cut off are stale training",
            findings: vec![],
            metrics: vec![("integrity.drift_fit", 0.5)],
            integrity: Some(cut(0.01, vec![NodeKind::List], EdgeKind::ListNeighbour)),
            expect: vec![(StaleTraining, Critical, vec![], "state critical")],
        },
        Case {
            name: "findings of one class merge; other classes stay apart",
            findings: vec![
                f(1, InvalidIndex, Critical, "table"),
                f(2, InvalidIndex, Warning, "table"),
                f(3, MissingIndex, Warning, "table"),
            ],
            metrics: vec![],
            integrity: None,
            expect: vec![
                (InvalidIndex, Critical, vec![1, 2], "1 related"),
                (MissingIndex, Warning, vec![3], "finding 3"),
            ],
        },
    ];
    for case in &cases {
        run(case);
    }
}

#[test]
fn growth_breaks_ties() {
    let findings = vec![
        f(1, Class::LatencyAnomaly, Severity::Warning, "anomaly"),
        f(2, Class::CentroidSkew, Severity::Warning, "structure"),
    ];
    let now: BTreeMap<String, f64> = [("ivfflat.list_cv", 3.0), ("latency.p99_ms", 10.0)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let before: BTreeMap<String, f64> = [("ivfflat.list_cv", 1.5), ("latency.p99_ms", 10.0)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let mut input = Input {
        metrics: &now,
        previous: Some(&before),
        findings: &findings,
        integrity: None,
        thresholds: Thresholds {
            stress: 0.1,
            critical: 0.02,
        },
        min_recall: 0.95,
    };
    let mut metrics = now.clone();
    metrics.insert("ivfflat.gini".into(), 1.0);
    input.metrics = &metrics;
    let d = diagnose(&input);
    assert_eq!(
        d.problems[0].class,
        Class::CentroidSkew,
        "{:#?}",
        d.problems
    );
    assert!(d.problems[0].priority > d.problems[1].priority);
    // without the previous observation the order falls back to the class order
    input.previous = None;
    let d = diagnose(&input);
    assert_eq!(d.problems[0].priority, d.problems[1].priority);
}

#[test]
fn problems_only_a_human_can_fix_say_so() {
    use Class::*;
    use Severity::*;
    let judge = |findings: Vec<(i64, Finding)>, recall: f64| {
        diagnose_with(&findings, &[("recall.at_k", recall)], None)
            .problems
            .iter()
            .map(|p| (p.class, p.human_only().is_some()))
            .collect::<Vec<_>>()
    };
    // a pgvector release bug: upgrade first, a rebuild on it can meet it again
    assert_eq!(
        judge(vec![f(1, PoorConnectivity, Warning, "version")], 0.99),
        [(PoorConnectivity, true)]
    );
    // the same class measured in the pages: a rebuild is the remedy
    assert_eq!(
        judge(
            vec![
                f(1, PoorConnectivity, Warning, "version"),
                f(2, PoorConnectivity, Warning, "structure"),
            ],
            0.99
        ),
        [(PoorConnectivity, false)]
    );
    // filtered queries short while the probe is fine: the application's settings
    assert_eq!(
        judge(
            vec![f(1, RecallDegradation, Warning, "filtered_queries")],
            0.99
        ),
        [(RecallDegradation, true)]
    );
    assert_eq!(
        judge(vec![f(1, RecallDegradation, Warning, "recall")], 0.6),
        [(Unknown, false)]
    );
}
