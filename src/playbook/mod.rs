//! Playbooks: the declarative remediation language, its validator and the bundled set.
//!
//! A playbook is a YAML file (see README, "playbooks"): which problem classes it
//! handles, when it applies, how risky it is, its parameters, ordered steps with
//! their undo, and what must hold afterwards. This module owns
//!
//! * the model ([`Playbook`], [`Step`], [`Action`], [`Condition`], [`Verify`]),
//! * the template language that is the only way values reach SQL
//!   ([`template`]: `{{ ident(x) }}`, `{{ literal(x) }}`, `{{ number(x) }}`),
//! * rendering a step for one collection ([`render()`], [`Context`]),
//! * validation with file:line:column for every problem ([`Problem`]), including
//!   the static safety pass ([`safety`]) that rejects statements which delete or
//!   rewrite user rows,
//! * the library: bundled playbooks compiled in, plus `--playbooks DIR` ([`Library`]).
//!
//! It is pure: no database connection, no printing, no execution. The planner
//! picks from a [`Library`]; the executor runs [`Rendered`] steps.

pub mod condition;
mod de;
pub mod library;
mod locate;
pub mod model;
pub mod render;
pub mod safety;
mod structure;
pub mod template;
pub mod validate;

pub use condition::{Condition, Op, Operand};
pub use library::{Library, Loaded, Source};
pub use model::{
    Action, Direction, Improves, Param, ParamType, ParamValue, Playbook, Scope, Step, Timeout,
    Verify,
};
pub use render::{Context, RenderError, Rendered, Setting, StatementKind, Value, render};
pub use validate::{Problem, parse_playbook, validate_path};
