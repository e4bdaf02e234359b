//! Choosing a playbook per problem within the safety limits.
//!
//! For each problem (highest priority first; `unknown` never): the playbooks
//! that handle its class and whose `when` holds. Disabled playbooks and those
//! whose shell programs are not allow-listed drop out. The rest are ranked by
//! score = learned weight x (1 - impact / 2): with no learning (weight 1.0) the
//! lowest impact wins (graduated response); a strategy that keeps failing loses
//! its weight and the next one takes over. Cooldown and the attempt cap block
//! planning for the collection; approval is needed when the playbook asks for it,
//! its impact is above `max_auto_heal_impact`, or the configuration lists the
//! playbook or the problem class. A class whose auto-heal `learn` stopped
//! (drift) is blocked with the reason until a human clears the stop.
//! A RuVector collection (metric `ruvector.collection`) takes only playbooks
//! written for it (a `when` on `ruvector.collection`): the others use pgvector's
//! settings or concurrent builds, which RuVector 2.0.6 refuses.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::playbook::{Action, Library, ParamValue, Playbook};
use crate::vocab::{Class, Severity};

/// Safety limits (config `plan:`; the defaults are `PlanConfig`'s).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limits {
    /// Above this impact a plan waits for approval.
    pub max_auto_heal_impact: f64,
    /// Seconds after a repair of the collection before the next may be planned.
    pub cooldown_secs: u64,
    /// Repairs allowed per collection in `attempts_window_secs`.
    pub max_attempts: u32,
    /// The window of the attempt cap, in seconds.
    pub attempts_window_secs: u64,
    /// Playbook names or problem classes that always need approval.
    pub require_approval: Vec<String>,
    /// Programs shell steps may run.
    pub shell_allow: Vec<String>,
    /// Playbooks never planned.
    pub disabled: Vec<String>,
    /// The window in which the playbooks it names need no approval.
    pub maintenance_window: Option<super::window::MaintenanceWindow>,
}

/// The collection's recent repairs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct History {
    /// When the last (non-dry-run) repair of the collection ended.
    pub last_repair_end: Option<DateTime<Utc>>,
    /// Repairs started within the attempt window.
    pub attempts_in_window: u32,
}

/// A problem to plan for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemRef {
    /// Its id in the state tables, when stored.
    pub id: Option<i64>,
    /// Its class.
    pub class: Class,
    /// Its severity.
    pub severity: Severity,
    /// Its priority.
    pub priority: f64,
    /// Why only a human may act on it (diagnose says so), if that is the case.
    pub human_only: Option<String>,
    /// The class of the problem that keeps this one (diagnose's `blocked_by`):
    /// while that one is planned, this one waits for it.
    pub blocked_by: Option<Class>,
}

/// What the planner reads.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Problems, any order (sorted by priority here).
    pub problems: &'a [ProblemRef],
    /// The playbooks.
    pub library: &'a Library,
    /// The latest metrics (for `when`).
    pub metrics: &'a BTreeMap<String, f64>,
    /// Parameter values sized from the metrics, per playbook.
    pub params: &'a BTreeMap<String, BTreeMap<String, ParamValue>>,
    /// The collection's repair history.
    pub history: &'a History,
    /// The limits.
    pub limits: &'a Limits,
    /// Learned weights by (class, playbook); 1.0 when absent.
    pub weights: &'a BTreeMap<(Class, String), f64>,
    /// Classes whose auto-heal `learn` stopped (drift), with the reason.
    pub stopped: &'a BTreeMap<Class, String>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// The playbook chosen for a problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The problem.
    pub problem: ProblemRef,
    /// The playbook's name.
    pub playbook: String,
    /// Parameter values (sized; defaults fill the rest when rendering).
    pub params: BTreeMap<String, ParamValue>,
    /// The playbook's impact.
    pub impact: f64,
    /// Its learned weight.
    pub weight: f64,
    /// Its score (weight x (1 - impact / 2)).
    pub score: f64,
    /// Why it waits for approval (empty: it does not).
    pub approval_reasons: Vec<String>,
    /// Other candidates, with why they ranked lower or dropped out.
    pub alternatives: Vec<(String, String)>,
}

impl Choice {
    /// Whether the plan waits for a human.
    pub fn requires_approval(&self) -> bool {
        !self.approval_reasons.is_empty()
    }
}

/// The planner's answer for one problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// A playbook was chosen.
    Planned(Choice),
    /// Nothing will be planned for this problem now, and why.
    Blocked {
        /// The problem.
        problem: ProblemRef,
        /// Why.
        reason: String,
    },
}

/// The metric that marks a RuVector collection.
const RUVECTOR: &str = "ruvector.collection";

/// Why a plan of `p` for a problem of `class` waits for a human (empty: it
/// does not): the playbook asks for it, its impact is above
/// `max_auto_heal_impact` (both waived inside the maintenance window), or the
/// configuration lists the playbook or the class.
pub(super) fn approval_reasons(
    p: &Playbook,
    class: Class,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut approval = Vec::new();
    let in_window = limits
        .maintenance_window
        .as_ref()
        .is_some_and(|w| w.covers(&p.name, now));
    if p.requires_approval && !in_window {
        approval.push(format!("playbook {} requires approval", p.name));
    }
    if p.impact > limits.max_auto_heal_impact && !in_window {
        approval.push(format!(
            "impact {:.2} is above max_auto_heal_impact {:.2}",
            p.impact, limits.max_auto_heal_impact
        ));
    }
    if limits
        .require_approval
        .iter()
        .any(|r| r == &p.name || r == class.as_str())
    {
        approval.push("the configuration requires approval for it".into());
    }
    approval
}

/// Why a playbook cannot be planned at all, if it cannot: [`refused`] or its
/// `when` does not hold.
fn excluded(p: &Playbook, input: &Input<'_>) -> Option<String> {
    refused(p, input).or_else(|| unmet_condition(p, input))
}

/// Why a playbook may not run here whoever asks: disabled in the
/// configuration, not written for a RuVector collection, or a shell program
/// not allow-listed.
pub(super) fn refused(p: &Playbook, input: &Input<'_>) -> Option<String> {
    if input.limits.disabled.iter().any(|d| d == &p.name) {
        return Some("disabled in the configuration".into());
    }
    let for_ruvector = p.when.iter().any(|c| c.metric == RUVECTOR);
    if input.metrics.get(RUVECTOR).is_some_and(|v| *v >= 1.0) && !for_ruvector {
        return Some(
            "it is not written for RuVector collections (no `when` on ruvector.collection)".into(),
        );
    }
    for step in &p.steps {
        for action in std::iter::once(&step.action).chain(step.undo.as_ref()) {
            if let Action::Shell { program, .. } = action
                && !input.limits.shell_allow.iter().any(|a| a == program)
            {
                return Some(format!(
                    "its shell step runs {program}, which plan.shell_allow does not list"
                ));
            }
        }
    }
    None
}

/// The playbook's first `when` condition that does not hold, if one does not.
pub(super) fn unmet_condition(p: &Playbook, input: &Input<'_>) -> Option<String> {
    let params = input.params.get(&p.name).cloned().unwrap_or_default();
    if let Some((name, d)) = p
        .params
        .iter()
        .find(|(k, d)| d.default.is_none() && !params.contains_key(*k))
    {
        return Some(format!(
            "its parameter {name} is unknown here ({})",
            d.description.trim_end_matches('.')
        ));
    }
    let mut values: BTreeMap<String, ParamValue> = p
        .params
        .iter()
        .filter_map(|(k, v)| v.default.clone().map(|d| (k.clone(), d)))
        .collect();
    values.extend(params);
    p.when
        .iter()
        .find(|c| !c.holds(input.metrics, &values))
        .map(|c| format!("its condition {c} does not hold"))
}

/// Why no repair may be planned for the collection now (cooldown, attempt
/// cap), if none may.
pub(super) fn held_back(input: &Input<'_>) -> Option<String> {
    let limits = input.limits;
    if let Some(end) = input.history.last_repair_end {
        let until = end + chrono::Duration::seconds(limits.cooldown_secs as i64);
        if until > input.now {
            return Some(format!(
                "the collection is cooling down after its last repair until {}",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
    }
    (input.history.attempts_in_window >= limits.max_attempts).then(|| {
        format!(
            "{} repairs in the last {} s reach the cap of {}",
            input.history.attempts_in_window, limits.attempts_window_secs, limits.max_attempts
        )
    })
}

/// Plans every problem.
pub fn choose(input: &Input<'_>) -> Vec<Decision> {
    let mut problems: Vec<&ProblemRef> = input.problems.iter().collect();
    problems.sort_by(|a, b| b.priority.total_cmp(&a.priority));
    let limits = input.limits;
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for problem in problems {
        let blocked = |reason: String| Decision::Blocked {
            problem: problem.clone(),
            reason,
        };
        // Information (a stressed cut with recall and latency in the contract)
        // gets no plan, not even a blocked one: the collection is healthy.
        if problem.severity < Severity::Warning {
            continue;
        }
        if problem.class == Class::Unknown {
            out.push(blocked(
                "no rule explains it; unknown problems are left for a human".into(),
            ));
            continue;
        }
        if let Some(why) = &problem.human_only {
            out.push(blocked(why.clone()));
            continue;
        }
        if let Some(why) = input.stopped.get(&problem.class) {
            out.push(blocked(format!(
                "auto-heal of {} is stopped until a human acts: {why}",
                problem.class
            )));
            continue;
        }
        if let Some(cause) = problem.blocked_by
            && out
                .iter()
                .any(|d| matches!(d, Decision::Planned(c) if c.problem.class == cause))
        {
            out.push(blocked(format!(
                "{cause} keeps it and is planned first: its repair has to end before this one can help"
            )));
            continue;
        }
        if let Some(why) = held_back(input) {
            out.push(blocked(why));
            continue;
        }
        let mut ranked: Vec<(f64, f64, &Playbook)> = Vec::new();
        let mut alternatives: Vec<(String, String)> = Vec::new();
        for loaded in input.library.for_class(problem.class) {
            let p = &loaded.playbook;
            if let Some(why) = excluded(p, input) {
                alternatives.push((p.name.clone(), why));
                continue;
            }
            let weight = input
                .weights
                .get(&(problem.class, p.name.clone()))
                .copied()
                .unwrap_or(1.0);
            ranked.push((weight * (1.0 - p.impact / 2.0), weight, p));
        }
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(a.2.impact.total_cmp(&b.2.impact))
                .then(a.2.name.cmp(&b.2.name))
        });
        let Some(&(score, weight, best)) = ranked.first() else {
            out.push(blocked(format!(
                "no playbook handles {} here{}",
                problem.class,
                if alternatives.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        alternatives
                            .iter()
                            .map(|(n, w)| format!("{n}: {w}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            )));
            continue;
        };
        if taken.contains(&best.name) {
            out.push(blocked(format!(
                "{} is already planned for a higher-priority problem",
                best.name
            )));
            continue;
        }
        taken.push(best.name.clone());
        for &(s, w, p) in ranked.iter().skip(1) {
            alternatives.push((
                p.name.clone(),
                format!(
                    "ranked lower: score {s:.3} (weight {w:.2}, impact {:.2})",
                    p.impact
                ),
            ));
        }
        let approval = approval_reasons(best, problem.class, limits, input.now);
        out.push(Decision::Planned(Choice {
            problem: problem.clone(),
            playbook: best.name.clone(),
            params: input.params.get(&best.name).cloned().unwrap_or_default(),
            impact: best.impact,
            weight,
            score,
            approval_reasons: approval,
            alternatives,
        }));
    }
    out
}

#[cfg(test)]
#[path = "choose_tests.rs"]
mod tests;
