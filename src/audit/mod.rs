//! The tamper-evident audit chain: every action (plan, approval, step,
//! verification, rollback, cleanup) is one row carrying the hash of the row
//! before it and a SHA-256 over its own canonical content, optionally an
//! HMAC-SHA256 of that hash with a secret key. Pure: hashing and verification
//! over rows; storing them is [`crate::store::audit`].

pub mod chain;
pub mod verify;

pub use chain::{Entry, GENESIS, Row, canonical, hash_of, hmac_of};
pub use verify::{Head, Problem, Verdict, verify};
