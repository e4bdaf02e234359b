//! A plan's life: made `ready` or `awaiting_approval`, approved or aborted by a
//! human, superseded by a newer plan, run once, ended.

use super::machine;

machine! {
    /// The status of a stored plan (`plans.status`).
    PlanStatus, "plan", {
        /// Waits for `ruvheal approve`.
        AwaitingApproval => "awaiting_approval",
        /// Approved by a human; runs at the next repair.
        Approved => "approved",
        /// May run without a human.
        Ready => "ready",
        /// Its repair runs now.
        Running => "running",
        /// Its repair ended (however it went: the repair's own status says).
        Done => "done",
        /// Aborted by a human (before it ran, or while its repair ran).
        Aborted => "aborted",
        /// Replaced by a newer plan, or left out of a run (cap reached, no longer needed).
        Superseded => "superseded",
        /// Its repair was cut short and cleaned up by a later run.
        Interrupted => "interrupted",
    }
}

impl PlanStatus {
    fn allowed(from: PlanStatus, to: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (from, to),
            (AwaitingApproval, Approved | Aborted | Superseded)
                | (Approved | Ready, Running | Aborted | Superseded)
                | (Running, Done | Interrupted | Aborted)
                | (Interrupted, Aborted)
        )
    }

    /// Whether its repair has not started: the plans a human decides on.
    pub fn is_before_run(self) -> bool {
        matches!(
            self,
            PlanStatus::AwaitingApproval | PlanStatus::Approved | PlanStatus::Ready
        )
    }

    /// Whether a new plan may be stored with this status.
    pub fn is_initial(self) -> bool {
        matches!(self, PlanStatus::Ready | PlanStatus::AwaitingApproval)
    }
}
