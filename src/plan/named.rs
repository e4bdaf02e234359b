//! A playbook named by the operator (`repair --playbook NAME [--param k=v]`):
//! the choice is made by a human, the limits are the planner's. Cooldown, the
//! attempt cap, disabled playbooks, shell allow-listing and the RuVector rule
//! block it exactly as they block an automatic plan; approval is needed on the
//! same grounds. A `when` that does not hold and a class `learn` stopped do not
//! block a human's explicit choice; they are said in the plan's reason.

use std::collections::BTreeMap;

use super::choose::{Choice, Decision, Input, ProblemRef, approval_reasons};
use super::choose::{held_back, refused, unmet_condition};
use crate::playbook::{ParamType, ParamValue, Playbook};
use crate::vocab::Severity;

/// Plans `playbook` for the most urgent diagnosed problem it handles, or, when
/// it handles none of them, for the operator's request under its first class.
/// `given`: the operator's `--param` values, already checked by [`parse_params`].
pub fn choose_named(
    input: &Input<'_>,
    playbook: &Playbook,
    given: &BTreeMap<String, ParamValue>,
) -> Decision {
    let mut handled: Vec<&ProblemRef> = input
        .problems
        .iter()
        .filter(|p| playbook.handles.contains(&p.class))
        .collect();
    handled.sort_by(|a, b| b.priority.total_cmp(&a.priority));
    let problem = handled.first().map_or_else(
        || ProblemRef {
            id: None,
            class: playbook.handles[0],
            severity: Severity::Warning,
            priority: 0.0,
            human_only: None,
            blocked_by: None,
        },
        |p| (*p).clone(),
    );
    let blocked = |reason: String| Decision::Blocked {
        problem: problem.clone(),
        reason,
    };
    if let Some(why) = refused(playbook, input).or_else(|| held_back(input)) {
        return blocked(format!("{} cannot run: {why}", playbook.name));
    }
    let mut notes = Vec::new();
    if handled.is_empty() {
        notes.push(format!(
            "no diagnosed problem is one {} handles; run as the operator asked",
            playbook.name
        ));
    }
    if let Some(why) = unmet_condition(playbook, input) {
        notes.push(format!("{why}; run as the operator asked"));
    }
    if let Some(why) = input.stopped.get(&problem.class) {
        notes.push(format!(
            "auto-heal of {} is stopped ({why}); a human asked",
            problem.class
        ));
    }
    let mut params = input
        .params
        .get(&playbook.name)
        .cloned()
        .unwrap_or_default();
    params.extend(given.clone());
    let weight = input
        .weights
        .get(&(problem.class, playbook.name.clone()))
        .copied()
        .unwrap_or(1.0);
    Decision::Planned(Choice {
        approval_reasons: approval_reasons(playbook, problem.class, input.limits, input.now),
        problem,
        playbook: playbook.name.clone(),
        params,
        impact: playbook.impact,
        weight,
        score: weight * (1.0 - playbook.impact / 2.0),
        alternatives: notes
            .into_iter()
            .map(|n| ("operator".to_string(), n))
            .collect(),
    })
}

/// `k=v` pairs into the playbook's typed parameters; an unknown name, a
/// missing `=` or a value of the wrong type is an error naming it.
pub fn parse_params(
    playbook: &Playbook,
    pairs: &[String],
) -> Result<BTreeMap<String, ParamValue>, String> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("--param {pair}: expected NAME=VALUE"))?;
        let spec = playbook.params.get(k).ok_or_else(|| {
            format!(
                "--param {k}: {} has no such parameter (it has: {})",
                playbook.name,
                playbook
                    .params
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let bad = || format!("--param {k}={v}: expected {}", spec.kind.as_str());
        let value = match spec.kind {
            ParamType::Int => ParamValue::Int(v.parse().map_err(|_| bad())?),
            ParamType::Float => {
                let f: f64 = v.parse().map_err(|_| bad())?;
                if !f.is_finite() {
                    return Err(bad());
                }
                ParamValue::Float(f)
            }
            ParamType::Bool => ParamValue::Bool(v.parse().map_err(|_| bad())?),
            ParamType::String | ParamType::Identifier => ParamValue::Str(v.to_string()),
        };
        if out.insert(k.to_string(), value).is_some() {
            return Err(format!("--param {k} is given twice"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::Library;

    fn reindex() -> Playbook {
        Library::load(None)
            .unwrap()
            .get("reindex_concurrently")
            .unwrap()
            .playbook
            .clone()
    }

    #[test]
    fn params_are_typed_by_the_playbook() {
        let p = reindex();
        let got = parse_params(
            &p,
            &[
                "parallel_workers=0".into(),
                "maintenance_work_mem=64MB".into(),
            ],
        )
        .unwrap();
        assert_eq!(got["parallel_workers"], ParamValue::Int(0));
        assert_eq!(got["maintenance_work_mem"], ParamValue::Str("64MB".into()));
        for (bad, says) in [
            ("parallel_workers=two", "expected int"),
            ("target_recall=NaN", "expected float"),
            ("nope=1", "has no such parameter"),
            ("parallel_workers", "expected NAME=VALUE"),
        ] {
            let e = parse_params(&p, &[bad.into()]).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let e = parse_params(
            &p,
            &["parallel_workers=1".into(), "parallel_workers=2".into()],
        )
        .unwrap_err();
        assert!(e.contains("twice"), "{e}");
    }
}
