//! RuVector findings in the diagnosis: after the shared rules, a problem a
//! RuVector detector explains gets that detector's cause (the rules only know
//! pgvector's causes of low recall and would call it `unknown`), and a problem
//! whose only causes are 2.0.6 defects no SQL fixes (the findings say so under
//! `human_only`) is left to a human. Pure.

use std::collections::BTreeMap;

use super::{Input, Problem};
use crate::detect::Finding;
use crate::detect::ruvector::HUMAN_ONLY;
use crate::vocab::Class;

/// Applies RuVector's causes to the problems of one observation.
pub fn refine(problems: &mut [Problem], input: &Input<'_>) {
    let by_id: BTreeMap<i64, &Finding> = input.findings.iter().map(|(id, f)| (*id, f)).collect();
    for p in problems.iter_mut() {
        let causes: Vec<&Finding> = p
            .findings
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .filter(|f| f.detector.starts_with("ruvector."))
            .collect();
        let Some(worst) = causes.iter().max_by_key(|f| f.severity) else {
            continue;
        };
        if p.class == Class::Unknown {
            p.class = worst.class;
        }
        let symptom = std::mem::take(&mut p.root_cause);
        p.root_cause = worst.message.clone();
        if causes.len() > 1 {
            p.root_cause.push_str(&format!(
                " (and {} related RuVector findings)",
                causes.len() - 1
            ));
        }
        p.evidence["ruvector"] = serde_json::json!({
            "findings": causes.iter().map(|f| serde_json::json!({
                "detector": f.detector, "message": f.message, "evidence": f.evidence,
            })).collect::<Vec<_>>(),
            "rules_said": symptom,
        });
        let reasons: Vec<&str> = causes
            .iter()
            .filter_map(|f| f.evidence.get(HUMAN_ONLY).and_then(|v| v.as_str()))
            .collect();
        if reasons.len() == causes.len() {
            p.leave_to_a_human(reasons[0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::Thresholds;
    use crate::vocab::Severity;

    fn problem(class: Class, findings: Vec<i64>) -> Problem {
        Problem {
            id: None,
            class,
            severity: Severity::Critical,
            priority: 0.0,
            root_cause: "rules".into(),
            evidence: serde_json::json!({}),
            impact: Default::default(),
            findings,
        }
    }

    fn run(findings: &[(i64, Finding)], problems: &mut [Problem]) {
        let metrics = BTreeMap::new();
        let input = Input {
            metrics: &metrics,
            previous: None,
            findings,
            integrity: None,
            thresholds: Thresholds {
                stress: 0.5,
                critical: 0.2,
            },
            min_recall: 0.95,
        };
        refine(problems, &input);
    }

    #[test]
    fn a_release_defect_names_the_cause_and_goes_to_a_human() {
        let recall = Finding::new(
            Class::RecallDegradation,
            Severity::Critical,
            "recall",
            "recall 0.0",
        );
        let ivf = Finding::new(
            Class::RecallDegradation,
            Severity::Critical,
            "ruvector.ivfflat",
            "farthest",
        )
        .evidence(serde_json::json!({HUMAN_ONLY: "drop it"}));
        let mut ps = [problem(Class::Unknown, vec![1, 2])];
        run(&[(1, recall), (2, ivf)], &mut ps);
        assert_eq!(ps[0].class, Class::RecallDegradation);
        assert_eq!(ps[0].root_cause, "farthest");
        assert_eq!(ps[0].human_only(), Some("drop it"));
    }

    #[test]
    fn a_remediable_cause_keeps_the_problem_plannable() {
        let stale = Finding::new(
            Class::OrphanNodes,
            Severity::Critical,
            "ruvector.stale_nodes",
            "stale",
        );
        let opts = Finding::new(
            Class::OrphanNodes,
            Severity::Warning,
            "ruvector.build_options",
            "opts",
        )
        .evidence(serde_json::json!({HUMAN_ONLY: "no"}));
        let mut ps = [
            problem(Class::OrphanNodes, vec![3, 4]),
            problem(Class::DeadTupleBloat, vec![9]),
        ];
        run(&[(3, stale), (4, opts)], &mut ps);
        assert_eq!(ps[0].class, Class::OrphanNodes);
        assert_eq!(ps[0].root_cause, "stale (and 1 related RuVector findings)");
        assert_eq!(ps[0].human_only(), None);
        assert_eq!(
            ps[1].root_cause, "rules",
            "problems without RuVector findings are untouched"
        );
    }
}
