//! A repair step's life: `running` from just before its statement is sent, then
//! how it ended; a rollback may undo an ended step.

use super::machine;

machine! {
    /// The status of a repair step (`repair_steps.status`).
    StepStatus, "step", {
        /// Recorded with its undo state, its statement sent.
        Running => "running",
        /// It ran.
        Done => "done",
        /// It failed (what it changed may still need undoing).
        Failed => "failed",
        /// Put back by a rollback.
        Undone => "undone",
        /// Not run.
        Skipped => "skipped",
        /// Cut short with its repair.
        Interrupted => "interrupted",
    }
}

impl StepStatus {
    fn allowed(from: StepStatus, to: StepStatus) -> bool {
        use StepStatus::*;
        matches!(
            (from, to),
            (Running, Done | Failed | Skipped | Interrupted)
                | (Done | Failed | Interrupted, Undone)
        )
    }

    /// Whether a rollback has something to undo for a step in this state.
    pub fn can_be_undone(self) -> bool {
        self.can_become(StepStatus::Undone)
    }
}
