//! A repair's life: `running` while its steps run, then how it ended; a later
//! `rollback` may put an ended repair back.

use super::machine;

machine! {
    /// The status of a repair record (`repairs.status`).
    RepairStatus, "repair", {
        /// Its steps run now (or it was cut short and not cleaned up yet).
        Running => "running",
        /// Verified: the target improved and the whole contract held.
        Succeeded => "succeeded",
        /// A step failed, or a change could not be undone.
        Failed => "failed",
        /// Everything it changed was put back.
        RolledBack => "rolled_back",
        /// Ran, not verified, and not reversible: left as it is.
        NotVerified => "not_verified",
        /// Cut short (killed, session lost); cleaned up by a later run.
        Interrupted => "interrupted",
        /// Stopped by an operator's `abort --repair`; what it changed was undone where it can be.
        Aborted => "aborted",
    }
}

impl RepairStatus {
    fn allowed(from: RepairStatus, to: RepairStatus) -> bool {
        use RepairStatus::*;
        matches!(
            (from, to),
            (
                Running,
                Succeeded | Failed | RolledBack | NotVerified | Interrupted | Aborted
            ) | (Interrupted, Aborted)
                | (
                    // `rollback` of an ended repair; twice is harmless.
                    Succeeded | Failed | NotVerified | Interrupted | RolledBack,
                    RolledBack
                )
        )
    }
}
