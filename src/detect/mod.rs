//! Detection (`check`): measures one collection and turns the measurements into
//! findings. Read-only on user objects: no lock stronger than AccessShareLock,
//! a statement_timeout on every query. Knows nothing about terminals.

pub mod finding;
pub mod pages;
pub mod structure;

pub use finding::{Class, Finding, Severity};
