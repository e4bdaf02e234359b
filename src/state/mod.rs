//! Execution states of plans, repairs and repair steps: one enum each, with
//! every allowed transition in one table and one text mapping (`as_str` /
//! `FromStr`) for what is stored in the state tables and printed in JSON.
//!
//! The store writes a status only through [`PlanStatus::sources`] and friends
//! (`UPDATE ... WHERE status IN (the states it may come from)`), so a write the
//! table does not allow changes no row and comes back as an [`IllegalTransition`]
//! error: a programming error, never a silent write. Imports nothing of the crate.

mod plan;
mod repair;
mod step;

use std::fmt;

pub use plan::PlanStatus;
pub use repair::RepairStatus;
pub use step::StepStatus;

/// A status change the transition table does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    /// What changes state (`plan 7`, `repair 3`, `step 2 of repair 3`).
    pub subject: String,
    /// Its status now (`None`: no such record).
    pub from: Option<&'static str>,
    /// The status asked for.
    pub to: &'static str,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.from {
            Some(from) => write!(
                f,
                "internal error: {} cannot go from {from} to {}",
                self.subject, self.to
            ),
            None => write!(
                f,
                "internal error: {} does not exist (asked to become {})",
                self.subject, self.to
            ),
        }
    }
}

impl std::error::Error for IllegalTransition {}

/// A stored status text no state of the machine spells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus {
    /// Which machine (`plan`, `repair`, `step`).
    pub machine: &'static str,
    /// The text read.
    pub text: String,
}

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} status {:?}", self.machine, self.text)
    }
}

impl std::error::Error for UnknownStatus {}

/// Defines a status enum: its text for each state, `ALL`, `as_str`, `FromStr`,
/// `Display`, serde as the text, and the transition helpers over `$allowed`.
macro_rules! machine {
    ($(#[$doc:meta])* $name:ident, $machine:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every state, in the order of the table.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The text stored in the state tables and printed in JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Whether the table allows `self -> to`.
            pub fn can_become(self, to: $name) -> bool {
                Self::allowed(self, to)
            }

            /// `to`, if the table allows `self -> to`; else the error naming `subject`.
            pub fn to(self, to: $name, subject: impl Into<String>) -> Result<$name, crate::state::IllegalTransition> {
                if self.can_become(to) {
                    Ok(to)
                } else {
                    Err(crate::state::IllegalTransition {
                        subject: subject.into(),
                        from: Some(self.as_str()),
                        to: to.as_str(),
                    })
                }
            }

            /// The states `to` may be reached from, in the order of the table.
            pub fn sources(to: $name) -> Vec<$name> {
                Self::ALL.iter().copied().filter(|s| s.can_become(to)).collect()
            }

            /// Texts of [`Self::sources`], for `status = ANY($n)`.
            pub fn source_texts(to: $name) -> Vec<&'static str> {
                Self::sources(to).into_iter().map(Self::as_str).collect()
            }

            /// Whether no transition leaves this state.
            pub fn is_terminal(self) -> bool {
                !Self::ALL.iter().any(|&t| t != self && self.can_become(t))
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::state::UnknownStatus;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::state::UnknownStatus {
                        machine: $machine,
                        text: other.to_string(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
use machine;

#[cfg(test)]
mod tests;
