//! Walks the chain and names every row that does not fit.

use serde::Serialize;

use super::chain::{GENESIS, Row, hmac_of};

/// One break in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The row where the chain breaks.
    pub seq: i64,
    /// `edited`, `missing_rows`, `broken_link`, `bad_hmac`, `unsigned`.
    pub kind: String,
    /// In words.
    pub message: String,
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Rows read.
    pub rows: usize,
    /// Whether HMACs were checked (a key was configured).
    pub hmac_checked: bool,
    /// First seq that carries an HMAC, if any.
    pub signed_from: Option<i64>,
    /// Breaks, in chain order; empty when intact.
    pub problems: Vec<Problem>,
}

impl Verdict {
    /// No break found.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies rows (in `seq` order). With `key`, HMACs are checked; a row without
/// one after the first signed row is a break (a stripped signature).
pub fn verify(rows: &[Row], key: Option<&[u8]>) -> Verdict {
    let mut problems = Vec::new();
    let mut say = |seq: i64, kind: &str, message: String| {
        problems.push(Problem {
            seq,
            kind: kind.into(),
            message,
        })
    };
    let mut prev: Option<&Row> = None;
    let mut signed_from = None;
    for row in rows {
        let expected_seq = prev.map_or(1, |p| p.seq + 1);
        if row.seq != expected_seq {
            say(
                row.seq,
                "missing_rows",
                format!(
                    "row {} follows row {}: rows {}..{} are missing (deleted) or the rows were renumbered",
                    row.seq,
                    expected_seq - 1,
                    expected_seq,
                    row.seq - 1
                ),
            );
        }
        let expected_prev = prev.map_or(GENESIS, |p| p.hash.as_str());
        if row.prev_hash != expected_prev {
            say(
                row.seq,
                "broken_link",
                format!(
                    "row {} does not link to the row before it ({}): a row was deleted, inserted or reordered there",
                    row.seq,
                    prev.map_or("the start of the chain".to_string(), |p| format!(
                        "row {}",
                        p.seq
                    ))
                ),
            );
        }
        if row.hash != row.expected_hash() {
            say(
                row.seq,
                "edited",
                format!(
                    "row {} ({}) was edited: its content no longer matches its hash",
                    row.seq, row.action
                ),
            );
        }
        if let Some(key) = key {
            match &row.hmac {
                Some(mac) => {
                    signed_from.get_or_insert(row.seq);
                    if *mac != hmac_of(key, &row.hash) {
                        say(
                            row.seq,
                            "bad_hmac",
                            format!(
                                "row {}'s HMAC does not match: written without the key or rewritten",
                                row.seq
                            ),
                        );
                    }
                }
                None if signed_from.is_some() => say(
                    row.seq,
                    "unsigned",
                    format!(
                        "row {} has no HMAC although earlier rows do: its signature was stripped",
                        row.seq
                    ),
                ),
                None => {}
            }
        } else if row.hmac.is_some() {
            signed_from.get_or_insert(row.seq);
        }
        prev = Some(row);
    }
    Verdict {
        rows: rows.len(),
        hmac_checked: key.is_some(),
        signed_from,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::audit::chain::{canonical, hash_of};

    fn chain(n: i64, key: Option<&[u8]>) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for seq in 1..=n {
            let prev = rows.last().map_or(GENESIS.to_string(), |r| r.hash.clone());
            let at = Utc.timestamp_opt(1_700_000_000 + seq, 123_456_000).unwrap();
            let subject = serde_json::json!({"plan_id": seq, "b": [1, 2]});
            let hash = hash_of(&canonical(
                seq,
                at,
                "ops",
                "step",
                Some("public.emb"),
                &subject,
                &prev,
            ));
            rows.push(Row {
                seq,
                at,
                actor: "ops".into(),
                action: "step".into(),
                collection: Some("public.emb".into()),
                subject,
                prev_hash: prev,
                hmac: key.map(|k| hmac_of(k, &hash)),
                hash,
            });
        }
        rows
    }

    fn kinds(v: &Verdict) -> Vec<(i64, String)> {
        v.problems.iter().map(|p| (p.seq, p.kind.clone())).collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify(&chain(5, None), None).intact());
        assert!(verify(&chain(5, Some(b"k")), Some(b"k")).intact());
        assert!(verify(&[], None).intact());
    }

    #[test]
    fn each_kind_of_tamper_is_named() {
        let mut edited = chain(5, None);
        edited[2].subject = serde_json::json!({"plan_id": 99});
        assert_eq!(kinds(&verify(&edited, None)), [(3, "edited".to_string())]);

        let mut deleted = chain(5, None);
        deleted.remove(2);
        assert_eq!(
            kinds(&verify(&deleted, None)),
            [
                (4, "missing_rows".to_string()),
                (4, "broken_link".to_string())
            ]
        );

        let mut reordered = chain(5, None);
        reordered.swap(1, 2);
        let k = kinds(&verify(&reordered, None));
        assert!(k.contains(&(3, "broken_link".to_string())), "{k:?}");

        // an inserted row, hashed properly, still breaks the next link and the numbering
        let mut inserted = chain(5, None);
        let mut extra = inserted[1].clone();
        extra.action = "approve".into();
        extra.seq = 3;
        extra.prev_hash = inserted[1].hash.clone();
        extra.hash = extra.expected_hash();
        inserted.insert(2, extra);
        let k = kinds(&verify(&inserted, None));
        assert!(
            k.contains(&(3, "broken_link".to_string()))
                || k.contains(&(3, "missing_rows".to_string())),
            "{k:?}"
        );
        assert!(!verify(&inserted, None).intact());
    }

    #[test]
    fn hmac_catches_a_recomputed_chain_and_stripped_signatures() {
        let key = b"secret";
        // an attacker without the key rewrites a row and recomputes every hash
        let mut forged = chain(4, Some(key));
        forged[1].subject = serde_json::json!({"plan_id": 7});
        for i in 1..forged.len() {
            forged[i].prev_hash = forged[i - 1].hash.clone();
            forged[i].hash = forged[i].expected_hash();
        }
        assert!(
            verify(&forged, None).intact(),
            "without the key it cannot be seen"
        );
        let k = kinds(&verify(&forged, Some(key)));
        assert_eq!(k[0], (2, "bad_hmac".to_string()), "{k:?}");
        let mut stripped = chain(4, Some(key));
        stripped[3].hmac = None;
        assert_eq!(
            kinds(&verify(&stripped, Some(key))),
            [(4, "unsigned".to_string())]
        );
        // rows written before a key was configured are not a break
        let mut mixed = chain(2, None);
        let signed = chain(4, Some(key));
        mixed.extend(signed[2..].iter().cloned().map(|mut r| {
            r.prev_hash = String::new();
            r
        }));
        mixed[2].prev_hash = mixed[1].hash.clone();
        mixed[2].hash = mixed[2].expected_hash();
        mixed[2].hmac = Some(hmac_of(key, &mixed[2].hash));
        mixed[3].prev_hash = mixed[2].hash.clone();
        mixed[3].hash = mixed[3].expected_hash();
        mixed[3].hmac = Some(hmac_of(key, &mixed[3].hash));
        let v = verify(&mixed, Some(key));
        assert!(v.intact(), "{:?}", v.problems);
        assert_eq!(v.signed_from, Some(3));
    }
}
