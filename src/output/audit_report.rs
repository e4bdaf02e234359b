//! The `audit verify` report.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::audit::Verdict;

/// `audit verify -o json`: `intact`, `rows`, `head` (`seq`, `hash`),
/// `hmac_checked`, `signed_from`, `problems`.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// No break found.
    pub intact: bool,
    /// The verification.
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl AuditReport {
    /// Wraps a verdict.
    pub fn new(verdict: Verdict) -> Self {
        Self {
            intact: verdict.intact(),
            verdict,
        }
    }
}

impl Report for AuditReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let v = &self.verdict;
        let hmac = match (v.hmac_checked, v.signed_from) {
            (true, Some(s)) => format!("; HMACs checked from row {s}"),
            (true, None) => "; a key is set but no row is signed".into(),
            (false, Some(_)) => {
                "; rows carry HMACs but no key is set (RUVHEAL_AUDIT_KEY): not checked".into()
            }
            (false, None) => String::new(),
        };
        if self.intact {
            let mut out = vec![Block::Line(format!(
                "audit chain intact: {} rows{hmac}",
                v.rows
            ))];
            if let Some(h) = &v.head {
                out.push(Block::Line(format!(
                    "head {h} (keep it outside the database; `audit verify --expect-head {h}` later finds deleted newest rows)"
                )));
            }
            return out;
        }
        let mut t = style.table(["row", "break", "what"]);
        for p in &v.problems {
            t.add_row(vec![p.seq.to_string(), p.kind.clone(), p.message.clone()]);
        }
        vec![
            Block::Line(format!(
                "audit chain TAMPERED: {} break(s) in {} rows{hmac}",
                v.problems.len(),
                v.rows
            )),
            Block::Table(t),
        ]
    }
}
