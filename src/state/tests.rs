//! The transition tables, spelled out: every allowed transition, a sample of
//! refused ones, and the text each state is stored and printed as.

use std::str::FromStr;

use super::{PlanStatus as P, RepairStatus as R, StepStatus as S};

/// Every pair of `all` is allowed exactly when it is in `allowed`.
fn table<T: Copy + PartialEq + std::fmt::Debug>(
    all: &[T],
    allowed: &[(T, T)],
    can: impl Fn(T, T) -> bool,
) {
    for &a in all {
        for &b in all {
            assert_eq!(
                can(a, b),
                allowed.contains(&(a, b)),
                "{a:?} -> {b:?} should be {}",
                if allowed.contains(&(a, b)) {
                    "allowed"
                } else {
                    "refused"
                }
            );
        }
    }
}

#[test]
fn plan_transitions_are_exactly_the_table() {
    use P::*;
    let allowed = [
        (AwaitingApproval, Approved),
        (AwaitingApproval, Aborted),
        (AwaitingApproval, Superseded),
        (Approved, Running),
        (Approved, Aborted),
        (Approved, Superseded),
        (Ready, Running),
        (Ready, Aborted),
        (Ready, Superseded),
        (Running, Done),
        (Running, Interrupted),
        (Running, Aborted),
        (Interrupted, Aborted),
    ];
    table(P::ALL, &allowed, P::can_become);
    // a sample of refusals, by name
    for (a, b) in [
        (AwaitingApproval, Running), // never runs unapproved
        (Running, Superseded),
        (Running, Ready),
        (Done, Running),
        (Interrupted, Running),
        (Aborted, Approved),
        (Superseded, Ready),
        (Running, Running),
    ] {
        let e = a.to(b, "plan 7").unwrap_err();
        assert_eq!(e.from, Some(a.as_str()));
        assert_eq!(e.to, b.as_str());
        assert!(e.to_string().contains("plan 7 cannot go from"), "{e}");
    }
    assert_eq!(Ready.to(Running, "plan 7"), Ok(Running));
    let terminal: Vec<P> = P::ALL.iter().copied().filter(|s| s.is_terminal()).collect();
    assert_eq!(terminal, [Done, Aborted, Superseded]);
    let initial: Vec<P> = P::ALL.iter().copied().filter(|s| s.is_initial()).collect();
    assert_eq!(initial, [AwaitingApproval, Ready]);
    // the order human messages list them in ("awaiting_approval or approved or ready")
    assert_eq!(
        P::source_texts(Aborted),
        [
            "awaiting_approval",
            "approved",
            "ready",
            "running",
            "interrupted"
        ]
    );
    let gate: Vec<P> = P::ALL
        .iter()
        .copied()
        .filter(|s| s.is_before_run())
        .collect();
    assert_eq!(gate, [AwaitingApproval, Approved, Ready]);
    assert_eq!(P::source_texts(Approved), ["awaiting_approval"]);
}

#[test]
fn a_running_plan_can_only_end() {
    // whatever happens to its repair, a running plan never runs again: its ways
    // out are terminal, or `interrupted`, which only an operator's abort leaves
    for to in P::ALL {
        if P::Running.can_become(*to) {
            assert!(
                to.is_terminal()
                    || P::ALL
                        .iter()
                        .filter(|n| to.can_become(**n))
                        .all(|n| n.is_terminal()),
                "{to:?}"
            );
        }
    }
    assert_eq!(P::sources(P::Interrupted), [P::Running]);
}

#[test]
fn repair_transitions_are_exactly_the_table() {
    use R::*;
    let mut allowed = vec![
        (Running, Succeeded),
        (Running, Failed),
        (Running, RolledBack),
        (Running, NotVerified),
        (Running, Interrupted),
        (Running, Aborted),
        (Interrupted, Aborted),
    ];
    for from in [Succeeded, Failed, NotVerified, Interrupted, RolledBack] {
        allowed.push((from, RolledBack));
    }
    table(R::ALL, &allowed, R::can_become);
    for (a, b) in [
        (Succeeded, Running),
        (Succeeded, Failed),
        (RolledBack, Succeeded),
        (Interrupted, Running),
        (Failed, Interrupted),
        (Running, Running),
    ] {
        assert!(a.to(b, "repair 3").is_err(), "{a:?} -> {b:?}");
    }
    assert!(!Running.is_terminal());
    assert_eq!(R::source_texts(Interrupted), ["running"]);
}

#[test]
fn step_transitions_are_exactly_the_table() {
    use S::*;
    let allowed = [
        (Running, Done),
        (Running, Failed),
        (Running, Skipped),
        (Running, Interrupted),
        (Done, Undone),
        (Failed, Undone),
        (Interrupted, Undone),
    ];
    table(S::ALL, &allowed, S::can_become);
    for (a, b) in [
        (Undone, Done),
        (Undone, Undone), // undoing twice is skipped, never written twice
        (Running, Undone),
        (Skipped, Undone),
        (Done, Failed),
        (Done, Running),
    ] {
        assert!(a.to(b, "step 2 of repair 3").is_err(), "{a:?} -> {b:?}");
    }
    let undoable: Vec<S> = S::ALL
        .iter()
        .copied()
        .filter(|s| s.can_be_undone())
        .collect();
    assert_eq!(undoable, [Done, Failed, Interrupted]);
}

#[test]
fn states_keep_their_text_on_disk_and_in_json() {
    let texts = |all: Vec<(&'static str, String, String)>| {
        for (text, json, parsed) in all {
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(parsed, text);
        }
    };
    texts(
        P::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    serde_json::to_string(s).unwrap(),
                    P::from_str(s.as_str()).unwrap().to_string(),
                )
            })
            .collect(),
    );
    texts(
        R::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    serde_json::to_string(s).unwrap(),
                    R::from_str(s.as_str()).unwrap().to_string(),
                )
            })
            .collect(),
    );
    texts(
        S::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    serde_json::to_string(s).unwrap(),
                    S::from_str(s.as_str()).unwrap().to_string(),
                )
            })
            .collect(),
    );
    // the texts the migrations' CHECK constraints list, exactly
    let all = |v: Vec<&str>| v.join(",");
    assert_eq!(
        all(P::ALL.iter().map(|s| s.as_str()).collect()),
        "awaiting_approval,approved,ready,running,done,aborted,superseded,interrupted"
    );
    assert_eq!(
        all(R::ALL.iter().map(|s| s.as_str()).collect()),
        "running,succeeded,failed,rolled_back,not_verified,interrupted,aborted"
    );
    assert_eq!(
        all(S::ALL.iter().map(|s| s.as_str()).collect()),
        "running,done,failed,undone,skipped,interrupted"
    );
    assert!(P::from_str("Running").is_err());
    assert_eq!(
        R::from_str("nope").unwrap_err().to_string(),
        "unknown repair status \"nope\""
    );
}
