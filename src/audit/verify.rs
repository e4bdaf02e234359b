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

/// The newest row of the chain, to keep somewhere the database's writers cannot
/// reach: a chain whose newest rows were deleted is still a valid chain, so
/// only a head pinned earlier shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// Its `seq`.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

impl std::str::FromStr for Head {
    type Err = String;

    /// `SEQ:HASH`, as `audit verify` prints it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not SEQ:HASH"))?;
        let seq: i64 = seq
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("{seq:?} is not a row number"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{hash:?} is not a SHA-256 hash (64 hex digits)"));
        }
        Ok(Head {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Rows read.
    pub rows: usize,
    /// The newest row (`SEQ:HASH` to pin), if any.
    pub head: Option<Head>,
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
/// one after the first signed row is a break (a stripped signature). With
/// `pinned`, a head recorded earlier must still be in the chain, unchanged.
pub fn verify(rows: &[Row], key: Option<&[u8]>, pinned: Option<&Head>) -> Verdict {
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
    let head = rows.last().map(|r| Head {
        seq: r.seq,
        hash: r.hash.clone(),
    });
    if let Some(pin) = pinned {
        match rows.iter().find(|r| r.seq == pin.seq) {
            None => say(
                pin.seq,
                "truncated",
                format!(
                    "pinned row {} is gone: the chain now ends at {}; its newest rows were deleted",
                    pin.seq,
                    head.as_ref()
                        .map_or("nothing".to_string(), |h| format!("row {}", h.seq))
                ),
            ),
            Some(r) if r.hash != pin.hash => say(
                pin.seq,
                "rewritten",
                format!(
                    "row {} no longer has the pinned hash: the chain was rewritten from there",
                    pin.seq
                ),
            ),
            Some(_) => {}
        }
    }
    Verdict {
        rows: rows.len(),
        head,
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
    fn a_pinned_head_finds_deleted_newest_rows() {
        let rows = chain(5, None);
        let pin: Head = format!("4:{}", rows[3].hash).parse().unwrap();
        assert_eq!(verify(&rows, None, None).head.unwrap().seq, 5);
        assert!(verify(&rows, None, Some(&pin)).intact());
        // the two newest rows deleted: the rest is a valid chain ...
        assert!(verify(&rows[..3], None, None).intact());
        // ... but not to a pinned head
        assert_eq!(
            kinds(&verify(&rows[..3], None, Some(&pin))),
            [(4, "truncated".to_string())]
        );
        let other: Head = format!("4:{}", rows[2].hash).parse().unwrap();
        assert_eq!(
            kinds(&verify(&rows, None, Some(&other))),
            [(4, "rewritten".to_string())]
        );
        for bad in ["4", "x:ab", "0:ab", &format!("4:{}", &rows[3].hash[..10])] {
            assert!(bad.parse::<Head>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify(&chain(5, None), None, None).intact());
        assert!(verify(&chain(5, Some(b"k")), Some(b"k"), None).intact());
        assert!(verify(&[], None, None).intact());
    }

    #[test]
    fn each_kind_of_tamper_is_named() {
        let mut edited = chain(5, None);
        edited[2].subject = serde_json::json!({"plan_id": 99});
        assert_eq!(
            kinds(&verify(&edited, None, None)),
            [(3, "edited".to_string())]
        );

        let mut deleted = chain(5, None);
        deleted.remove(2);
        assert_eq!(
            kinds(&verify(&deleted, None, None)),
            [
                (4, "missing_rows".to_string()),
                (4, "broken_link".to_string())
            ]
        );

        let mut reordered = chain(5, None);
        reordered.swap(1, 2);
        let k = kinds(&verify(&reordered, None, None));
        assert!(k.contains(&(3, "broken_link".to_string())), "{k:?}");

        // an inserted row, hashed properly, still breaks the next link and the numbering
        let mut inserted = chain(5, None);
        let mut extra = inserted[1].clone();
        extra.action = "approve".into();
        extra.seq = 3;
        extra.prev_hash = inserted[1].hash.clone();
        extra.hash = extra.expected_hash();
        inserted.insert(2, extra);
        let k = kinds(&verify(&inserted, None, None));
        assert!(
            k.contains(&(3, "broken_link".to_string()))
                || k.contains(&(3, "missing_rows".to_string())),
            "{k:?}"
        );
        assert!(!verify(&inserted, None, None).intact());
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
            verify(&forged, None, None).intact(),
            "without the key it cannot be seen"
        );
        let k = kinds(&verify(&forged, Some(key), None));
        assert_eq!(k[0], (2, "bad_hmac".to_string()), "{k:?}");
        let mut stripped = chain(4, Some(key));
        stripped[3].hmac = None;
        assert_eq!(
            kinds(&verify(&stripped, Some(key), None)),
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
        let v = verify(&mixed, Some(key), None);
        assert!(v.intact(), "{:?}", v.problems);
        assert_eq!(v.signed_from, Some(3));
    }
}
