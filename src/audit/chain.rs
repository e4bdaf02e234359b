//! Rows of the chain and how their hashes are computed.

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is appended: an action with its subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// `plan`, `approve`, `abort`, `step`, `verify`, `rollback`, `cleanup`, ...
    pub action: String,
    /// The collection it concerns, if one.
    pub collection: Option<String>,
    /// Ids, names and numbers that say what exactly happened.
    pub subject: serde_json::Value,
}

/// A stored row of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When (microsecond precision, as PostgreSQL stores it).
    pub at: DateTime<Utc>,
    /// The database role that acted.
    pub actor: String,
    /// The action.
    pub action: String,
    /// The collection, if one.
    pub collection: Option<String>,
    /// The subject.
    pub subject: serde_json::Value,
    /// `hash` of the row before ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) of [`canonical`] of this row.
    pub hash: String,
    /// HMAC-SHA256 (hex) of `hash` with the audit key, when one was configured.
    pub hmac: Option<String>,
}

/// The canonical content of a row: compact JSON with keys in a fixed (sorted)
/// order, timestamps in RFC 3339 UTC with microseconds. Everything but `hash`
/// and `hmac` is covered, `prev_hash` included, so editing, deleting, inserting
/// or reordering rows breaks the chain.
pub fn canonical(
    seq: i64,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    collection: Option<&str>,
    subject: &serde_json::Value,
    prev_hash: &str,
) -> String {
    // serde_json's map is ordered by key, so nested objects are canonical too.
    serde_json::json!({
        "action": action,
        "actor": actor,
        "at": at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "collection": collection,
        "prev_hash": prev_hash,
        "seq": seq,
        "subject": subject,
    })
    .to_string()
}

/// SHA-256 of the canonical content, hex.
pub fn hash_of(canonical: &str) -> String {
    hex(&Sha256::digest(canonical.as_bytes()))
}

/// HMAC-SHA256 of `hash` with `key`, hex.
pub fn hmac_of(key: &[u8], hash: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(hash.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Row {
    /// The hash this row's content should have.
    pub fn expected_hash(&self) -> String {
        hash_of(&canonical(
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            self.collection.as_deref(),
            &self.subject,
            &self.prev_hash,
        ))
    }
}
