//! Planning (`plan`): for each problem, the playbook to run and why — pure
//! functions over problems, the playbook library, the collection's repair
//! history and the safety limits. `plan` and `repair --dry-run` print the same
//! plan; `repair` executes it.
//!
//! * [`choose`]: candidates, safety limits, graduated response, learned weights.
//! * [`named`]: a playbook the operator names, under the same limits.
//! * [`sizing`]: parameter values from what `check` measured.
//! * [`steps`]: the chosen playbook rendered to the exact statements.
//! * [`window`]: the maintenance window in which named playbooks need no approval.

pub mod choose;
pub mod named;
pub mod sizing;
pub mod space;
pub mod steps;
pub mod window;

pub use choose::{Choice, Decision, History, Input, Limits, ProblemRef, choose};
pub use steps::{PlannedStep, render_steps};
