//! Detection (`check`): measures one collection and turns the measurements into
//! findings. Read-only on user objects: no lock stronger than AccessShareLock,
//! a statement_timeout on every query. Knows nothing about terminals.

pub mod anomaly;
pub mod app_distance;
pub mod check;
pub mod contention;
pub mod context;
pub mod distance;
pub mod exact;
pub mod filtered;
pub mod finding;
pub mod index_health;
pub mod integrity;
pub mod measured;
pub mod neighbourhood;
pub mod own_traffic;
pub mod pages;
pub mod partitions;
pub mod probe;
pub mod recall;
pub mod ruvector;
pub mod settings;
pub mod structure;
pub mod table_state;
mod top_k;
pub mod trial;
pub mod tune;
pub mod vectors;
pub mod writers;
pub mod xmin_held;

pub use finding::{Class, Finding, Severity};
