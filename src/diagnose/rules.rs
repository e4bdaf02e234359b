//! The classifier: rules from findings, metrics and witness edges to problems.
//!
//! Low recall is a symptom with several causes, told apart in this order:
//! 1. the search setting flagged by the settings detector (`hnsw.ef_search` below
//!    k, `ivfflat.probes` far below the lists): it alone makes results short;
//! 2. dead tuples: the table or index holds many dead rows *and* queries came back
//!    short (fewer than k rows) — the index's candidates were dead;
//! 3. the search setting again when the search-breadth ladder found a value that
//!    meets the recall and latency contracts;
//! 4. a weak HNSW graph: unreachable elements, low degree, or an integrity cut
//!    through region links;
//! 5. stale IVFFlat training: skewed lists or rows drifted from the centres;
//! 6. an index too weak for the contract: no breadth within the latency
//!    contract meets it (`recall.search_exhausted`), whatever the structure says;
//! 7. otherwise `unknown`, never auto-healed.
//!
//! Every other finding of warning or worse becomes a problem of its own class
//! (findings of one class are merged). A non-normal integrity state adds the
//! problem its witness edges point at when no finding already names it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Input, IntegrityView, Problem};
use crate::detect::Finding;
use crate::integrity::{EdgeKind, IntegrityState};
use crate::vocab::{Class, Severity};

/// Dead-row share that, with short results, explains low recall.
const DEAD_SHARE: f64 = 0.2;

/// Classifies the observation into problems (impact and priority filled later).
pub fn classify(input: &Input<'_>, integrity: Option<&IntegrityView>) -> Vec<Problem> {
    let mut by_class: BTreeMap<Class, Vec<&(i64, Finding)>> = BTreeMap::new();
    let met = contract_met(input);
    for f in input
        .findings
        .iter()
        .filter(|f| f.1.severity >= Severity::Warning)
        .filter(|f| !(met && serves_the_contract(&f.1)))
    {
        by_class.entry(f.1.class).or_default().push(f);
    }
    let recall = by_class
        .remove(&Class::RecallDegradation)
        .unwrap_or_default();
    let mut problems: Vec<Problem> = by_class
        .iter()
        .map(|(&class, fs)| from_findings(class, fs, input))
        .collect();
    if !recall.is_empty() {
        explain_recall(&recall, input, integrity, &mut problems);
    }
    if let Some(view) = integrity {
        integrity_problem(view, input, &mut problems);
    }
    cross_links(&mut problems);
    problems
}

/// Whether the probe measured recall on the index and its interval reaches the
/// contract, with no latency finding: the collection meets its contract.
pub fn contract_met(input: &Input<'_>) -> bool {
    let reaches = metric(input, "recall.ci_high").is_some_and(|hi| hi >= input.min_recall);
    let latency = input
        .findings
        .iter()
        .any(|f| f.1.class == Class::LatencyAnomaly && f.1.severity >= Severity::Warning);
    reaches && !latency
}

/// Whether a finding is only a predictor of recall (a search setting below
/// what usually suffices, lists far from the usual count, centres drifted or
/// unbalanced): when the measured recall meets the contract, it is no problem.
/// Filtered queries, which the probe does not see, and structural damage stay.
fn serves_the_contract(f: &Finding) -> bool {
    match f.class {
        Class::RecallDegradation => f.detector == "settings",
        Class::StaleTraining | Class::CentroidSkew => true,
        _ => false,
    }
}

fn metric(input: &Input<'_>, name: &str) -> Option<f64> {
    input.metrics.get(name).copied()
}

/// A problem of `class` from its findings; root cause from the worst one.
fn from_findings(class: Class, fs: &[&(i64, Finding)], input: &Input<'_>) -> Problem {
    let worst = fs
        .iter()
        .max_by_key(|f| f.1.severity)
        .expect("a class has findings");
    let mut root_cause = match class {
        Class::DeadTupleBloat => format!(
            "{} — dead rows not yet vacuumed still sit in the table and the index",
            worst.1.message
        ),
        Class::Unknown => format!(
            "{} (no rule explains it; left for a human)",
            worst.1.message
        ),
        _ => worst.1.message.clone(),
    };
    if fs.len() > 1 {
        root_cause.push_str(&format!(" (and {} related findings)", fs.len() - 1));
    }
    let _ = input;
    let mut problem = Problem {
        id: None,
        class,
        severity: worst.1.severity,
        priority: 0.0,
        root_cause,
        evidence: json!({
            "findings": fs.iter().map(|f| json!({
                "id": f.0, "detector": f.1.detector, "metric": f.1.metric,
                "observed": f.1.observed, "expected": f.1.expected, "message": f.1.message,
            })).collect::<Vec<_>>(),
        }),
        impact: Default::default(),
        findings: fs.iter().map(|f| f.0).collect(),
    };
    // The sessions a contention finding names (pid, application_name, state,
    // query), for whoever approves ending one.
    let sessions: Vec<Value> = fs
        .iter()
        .map(|f| &f.1.evidence)
        .filter(|e| e.get("pid").is_some())
        .map(|e| {
            json!({"pid": e["pid"], "application_name": e["application_name"],
                   "state": e["state"], "query": e["query"]})
        })
        .collect();
    if !sessions.is_empty() {
        problem.evidence["sessions"] = Value::Array(sessions);
    }
    // A bug of the installed pgvector release: a rebuild on the same release
    // can meet it again, so no playbook runs until someone upgrades.
    if fs
        .iter()
        .all(|f| f.1.detector == crate::detect::index_health::VERSION_DETECTOR)
    {
        problem.leave_to_a_human(
            "the cause is the installed pgvector release: upgrade pgvector (ruvheal does not), \
             then REINDEX; a rebuild on this release can meet the same bug: left for a human",
        );
    }
    problem
}

/// Attaches the recall findings to the cause that explains them.
fn explain_recall(
    recall: &[&(i64, Finding)],
    input: &Input<'_>,
    integrity: Option<&IntegrityView>,
    problems: &mut Vec<Problem>,
) {
    let has = |problems: &Vec<Problem>, c: Class| problems.iter().any(|p| p.class == c);
    let at_k = metric(input, "recall.at_k");
    let short = metric(input, "recall.short_results").unwrap_or(0.0);
    let dead_share = metric(input, "table.dead_ratio")
        .unwrap_or(0.0)
        .max(metric(input, "hnsw.deleted_ratio").unwrap_or(0.0));
    let setting_flagged = recall.iter().any(|f| f.1.detector == "settings");
    let boosted = metric(input, "recall.boosted_at_k");
    // The search-breadth ladder says whether some breadth within the latency
    // contract meets the recall contract; without it (RuVector's single
    // re-probe), whether the re-probe reached the contract.
    let exhausted = metric(input, "recall.search_exhausted").is_some_and(|e| e >= 0.5);
    let boost_restores = match metric(input, "recall.search_exhausted") {
        Some(_) => !exhausted && boosted.is_some(),
        None => boosted.is_some_and(|b| b >= input.min_recall),
    };
    let weak_cut = integrity.is_some_and(|v| {
        use crate::integrity::NodeKind;
        let through_graph = v.cut.witnesses.iter().any(|w| {
            matches!(
                w.kind,
                EdgeKind::Link | EdgeKind::UpperLink | EdgeKind::Reachability
            )
        }) || v.cut.cut_side_kinds.contains(&NodeKind::Unreachable);
        v.state != IntegrityState::Normal && through_graph
    });
    let split = metric(input, "hnsw.layer0_split_ratio")
        .filter(|s| *s >= crate::detect::index_health::LAYER0_SPLIT);
    let recall_text = at_k.map_or_else(String::new, |r| format!("recall@k {r:.3}"));
    let dead_explains =
        short > 0.0 && (dead_share >= DEAD_SHARE || has(problems, Class::DeadTupleBloat));
    let filtered_only = recall
        .iter()
        .all(|f| f.1.detector == crate::detect::filtered::DETECTOR);
    let human = filtered_only.then_some(
        "the remedy is the application's search settings (hnsw.iterative_scan or \
         ivfflat.iterative_scan, which change the order rows come back in, or a wider search), \
         not the index: left for a human",
    );
    let (class, cause, extra) = if filtered_only {
        // The probe's unfiltered queries are fine; the application's filtered
        // ones lose rows to the filter (iterative scan off).
        (
            Class::RecallDegradation,
            format!(
                "filtered queries come back short, not the index: {}",
                recall.first().map_or("", |f| f.1.message.as_str())
            ),
            json!({"filtered_queries": metric(input, "queries.filtered_short")}),
        )
    } else if dead_explains && !setting_flagged {
        (
            Class::DeadTupleBloat,
            format!(
                "low {recall_text} comes from dead rows: {:.0}% of rows or index elements are dead and \
                 {short:.0} probe queries returned fewer than k rows (the index's candidates were dead)",
                dead_share * 100.0
            ),
            json!({"dead_share": dead_share, "short_results": short}),
        )
    } else if setting_flagged || boost_restores {
        // A setting flagged as too low (ef_search below k) explains short results
        // by itself, so it is named before dead rows.
        let boost = boosted.map_or_else(String::new, |b| {
            format!(
                "; measured, {} = {:.0} gives recall {b:.3}",
                setting_name(input),
                metric(input, "recall.boosted_setting").unwrap_or(0.0)
            )
        });
        (
            Class::RecallDegradation,
            format!(
                "the search setting is too low for the recall contract ({recall_text}{boost}): \
                 the index is fine, the query explores too few candidates"
            ),
            json!({"boosted_recall": boosted, "setting_flagged": setting_flagged}),
        )
    } else if has(problems, Class::OrphanNodes)
        || has(problems, Class::PoorConnectivity)
        || weak_cut
        || split.is_some()
    {
        let class = if has(problems, Class::OrphanNodes) {
            Class::OrphanNodes
        } else {
            Class::PoorConnectivity
        };
        let split_text = split.map_or_else(String::new, |s| {
            format!(
                "; layer 0 is split ({:.0}% of live elements unreachable over layer-0 links), \
                 which a rebuild with a larger ef_construction than {:.0} joins",
                s * 100.0,
                metric(input, "hnsw.ef_construction").unwrap_or(64.0)
            )
        });
        (
            class,
            format!(
                "low {recall_text} comes from a weak HNSW graph: {:.1}% of elements unreachable, \
                 mean out-degree {:.1}{}{split_text}",
                metric(input, "hnsw.orphan_ratio").unwrap_or(0.0) * 100.0,
                metric(input, "hnsw.out_degree_mean").unwrap_or(0.0),
                boosted.map_or_else(String::new, |b| format!(
                    "; a larger ef_search only reaches {b:.3}"
                ))
            ),
            json!({"orphan_ratio": metric(input, "hnsw.orphan_ratio"),
                   "layer0_split_ratio": metric(input, "hnsw.layer0_split_ratio"),
                   "boosted_recall": boosted}),
        )
    } else if has(problems, Class::StaleTraining) || has(problems, Class::CentroidSkew) {
        let class = if has(problems, Class::StaleTraining) {
            Class::StaleTraining
        } else {
            Class::CentroidSkew
        };
        (
            class,
            format!(
                "low {recall_text} comes from stale IVFFlat training: list sizes vary with CV {:.2}, \
                 rows sit {:.2}x as far from their centres as at build time{}",
                metric(input, "ivfflat.list_cv").unwrap_or(0.0),
                metric(input, "integrity.drift_fit").map_or(1.0, |f| 1.0 / f.max(1e-9)),
                boosted.map_or_else(String::new, |b| format!("; more probes only reach {b:.3}"))
            ),
            json!({"list_cv": metric(input, "ivfflat.list_cv"), "boosted_recall": boosted}),
        )
    } else if exhausted {
        (
            Class::RecallDegradation,
            format!(
                "low {recall_text} comes from an index too weak for the contract: no {} within the \
                 latency contract meets it (the widest tried, {:.0}, gives recall {:.3}); a wider \
                 search cannot fix it, a rebuild with stronger build parameters can",
                setting_name(input),
                metric(input, "recall.boosted_setting").unwrap_or(0.0),
                boosted.unwrap_or(0.0)
            ),
            json!({"weak_index": true, "boosted_recall": boosted,
                   "boosted_setting": metric(input, "recall.boosted_setting")}),
        )
    } else {
        (
            Class::Unknown,
            format!(
                "{recall_text} is below the contract of {:.2} and no measured cause explains it{}",
                input.min_recall,
                boosted.map_or_else(String::new, |b| format!(
                    " (a larger search setting gives {b:.3})"
                ))
            ),
            json!({"boosted_recall": boosted}),
        )
    };
    let severity = recall
        .iter()
        .map(|f| f.1.severity)
        .max()
        .unwrap_or(Severity::Warning);
    let ids: Vec<i64> = recall.iter().map(|f| f.0).collect();
    let messages: Vec<&str> = recall.iter().map(|f| f.1.message.as_str()).collect();
    if let Some(p) = problems.iter_mut().find(|p| p.class == class) {
        p.severity = p.severity.max(severity);
        p.root_cause = cause;
        p.findings.extend(ids);
        p.evidence["recall"] = json!({"recall_at_k": at_k, "messages": messages, "cause": extra});
    } else {
        problems.push(Problem {
            id: None,
            class,
            severity,
            priority: 0.0,
            root_cause: cause,
            evidence: json!({"recall": {"recall_at_k": at_k, "messages": messages, "cause": extra}}),
            impact: Default::default(),
            findings: ids,
        });
    }
    if let (Some(why), Some(p)) = (human, problems.iter_mut().find(|p| p.class == class)) {
        p.leave_to_a_human(why);
    }
}

fn setting_name(input: &Input<'_>) -> &'static str {
    if input.metrics.contains_key("index.lists") {
        "ivfflat.probes"
    } else {
        "hnsw.ef_search"
    }
}

/// The class the witness edges of a cut point at.
pub fn witness_class(view: &IntegrityView, metrics: &BTreeMap<String, f64>) -> Class {
    use crate::integrity::NodeKind;
    let kinds = &view.cut.cut_side_kinds;
    if kinds.contains(&NodeKind::Partition) {
        return view
            .cut
            .cut_side_hints
            .iter()
            .find_map(|h| serde_json::from_value(Value::String(h.clone())).ok())
            .unwrap_or(Class::HotspotCongestion);
    }
    if kinds.contains(&NodeKind::Replica) {
        return Class::ReplicationLag;
    }
    if kinds.contains(&NodeKind::Maintenance) {
        return Class::MaintenanceContention;
    }
    if kinds.contains(&NodeKind::Unreachable) {
        return Class::OrphanNodes;
    }
    if kinds.contains(&NodeKind::List) {
        let drifted = metrics.get("integrity.drift_fit").is_some_and(|&f| f < 0.9);
        return if drifted {
            Class::StaleTraining
        } else {
            Class::CentroidSkew
        };
    }
    Class::PoorConnectivity
}

/// Adds or annotates the problem a non-normal integrity state points at.
fn integrity_problem(view: &IntegrityView, input: &Input<'_>, problems: &mut Vec<Problem>) {
    let evidence = json!({
        "state": view.state.as_str(),
        "lambda": view.cut.lambda,
        "lambda_normalized": view.cut.lambda_normalized,
        "cut_side": view.cut.cut_side,
        "witness_count": view.cut.witness_count,
        "witnesses": view.cut.witnesses.iter().take(5).collect::<Vec<_>>(),
    });
    if view.state == IntegrityState::Normal {
        return;
    }
    let class = witness_class(view, input.metrics);
    if let Some(p) = problems.iter_mut().find(|p| p.class == class) {
        // A finding of the class the cut points at agrees with it.
        let severity = if view.state == IntegrityState::Critical {
            Severity::Critical
        } else {
            Severity::Warning
        };
        p.evidence["integrity"] = evidence;
        p.severity = p.severity.max(severity);
        return;
    }
    // Stress from lambda alone is information: a low cut on its own has been
    // measured on healthy builds (BENCHMARKS.md), so it needs recall or latency
    // outside the contract to count.
    let outside = problems.iter().any(|p| {
        matches!(
            p.class,
            Class::RecallDegradation
                | Class::LatencyAnomaly
                | Class::PoorConnectivity
                | Class::OrphanNodes
                | Class::CentroidSkew
                | Class::StaleTraining
                | Class::Unknown
        ) && p.severity >= Severity::Warning
    }) || metric(input, "recall.ci_high").is_some_and(|hi| hi < input.min_recall);
    let severity = match view.state {
        IntegrityState::Critical => Severity::Critical,
        _ if outside => Severity::Warning,
        _ => Severity::Info,
    };
    let side = view
        .cut
        .cut_side
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let kind = view
        .cut
        .witnesses
        .first()
        .map_or("no".to_string(), |w| format!("{:?}", w.kind).to_lowercase());
    problems.push(Problem {
        id: None,
        class,
        severity,
        priority: 0.0,
        root_cause: format!(
            "the collection's integrity graph is in state {}: its minimum cut (normalised lambda {:.3}) \
             separates {side}{} from the rest through {} {kind} edges",
            view.state.as_str(),
            view.cut.lambda_normalized,
            if view.cut.cut_side_nodes > 3 { " and more" } else { "" },
            view.cut.witness_count,
        ),
        evidence: json!({ "integrity": evidence }),
        impact: Default::default(),
        findings: vec![],
    });
}

/// Says when one problem is the cause of another (contention keeps bloat).
fn cross_links(problems: &mut [Problem]) {
    // Only a session holding the xmin horizon keeps dead rows (not busy
    // autovacuum workers or running maintenance).
    let contention = problems.iter().any(|p| {
        p.class == Class::MaintenanceContention
            && p.evidence["findings"].as_array().is_some_and(|fs| {
                fs.iter().any(|f| {
                    matches!(
                        f["metric"].as_str(),
                        Some("contention.dead_rows_held" | "contention.oldest_xact_s")
                    )
                })
            })
    });
    if contention
        && let Some(p) = problems
            .iter_mut()
            .find(|p| p.class == Class::DeadTupleBloat)
    {
        p.root_cause.push_str(
            "; VACUUM cannot remove them while a transaction holds the xmin horizon \
             (see maintenance_contention, which comes first)",
        );
        p.evidence["blocked_by"] = Value::String("maintenance_contention".into());
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
