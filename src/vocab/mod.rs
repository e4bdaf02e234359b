//! The shared vocabulary, at the bottom of the layers: it imports nothing
//! from the crate, and every layer may use it.
//!
//! * [`Class`]: the problem classes of DESIGN.md.
//! * [`Severity`]: `info < warning < critical`.
//! * [`bytes`]: sizes for people.

mod class;
mod severity;
mod units;

pub use class::Class;
pub use severity::Severity;
pub use units::bytes;
