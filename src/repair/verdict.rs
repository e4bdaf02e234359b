//! The verdict on a repair: did its target improve, and did the whole contract
//! hold, on a fresh check taken after it? Pure: two metric maps in, notes out
//! (no notes: verified). Knows nothing of SQL or playbook files.
//!
//! A repair is verified only when
//! * its target metric improved, or the contract is now met: for recall, beyond
//!   the noise band of the two measurements, or with the fresh interval reaching
//!   the contract (the contract is missed only when the interval lies below it);
//!   for latency, the playbook's margin or p99 within the contract; for anything
//!   else, the playbook's margin. A target not measured before fails;
//! * recall >= min(before, contract) - the noise band (the two probes' own
//!   interval half-widths, combined);
//! * p99 latency <= max(before, contract) x 1.2 (plus 5 ms of slack: the p99
//!   of a few hundred millisecond-scale probes on a busy 2-core host was seen
//!   to swing from 0.3 to 3.9 ms with nothing changed, and a few milliseconds
//!   is no regression an operator acts on);
//! * the rows the exact pass read (every non-NULL vector) are the same count;
//! * no index is INVALID that was not before.

use std::collections::BTreeMap;

use crate::playbook::Direction;

/// p99 latency may grow to this multiple of max(before, contract).
pub const LATENCY_FACTOR: f64 = 1.2;

/// Milliseconds of measurement noise allowed on top of the latency limit.
pub const LATENCY_SLACK_MS: f64 = 5.0;

/// Noise band used when an observation carries no interval (older ones).
pub const DEFAULT_BAND: f64 = 0.02;

/// The playbook's target metric.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Metric name (`recall.at_k`, `table.dead_ratio`, ...).
    pub metric: &'a str,
    /// Which way is better.
    pub direction: Direction,
}

/// What the verdict found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    /// Why it is not verified (empty: verified).
    pub notes: Vec<String>,
    /// Relative change of the target (positive is better).
    pub improvement: Option<f64>,
    /// The target before and after.
    pub metric: Option<(String, Option<f64>, Option<f64>)>,
}

type Metrics = BTreeMap<String, f64>;

/// Judges a repair from the metrics `before` and `after` it. `margin` is the
/// relative improvement a metric without a contract must show.
pub fn judge(
    before: &Metrics,
    after: &Metrics,
    target: Option<Target<'_>>,
    margin: f64,
) -> Verdict {
    let mut v = Verdict::default();
    if let Some(t) = target {
        improved(before, after, t, margin, &mut v);
    }
    guards(before, after, &mut v.notes);
    v
}

fn get(m: &Metrics, k: &str) -> Option<f64> {
    m.get(k).copied().filter(|x| x.is_finite())
}

/// A contract value: the fresh observation's, else the earlier one's.
fn contract(before: &Metrics, after: &Metrics, k: &str) -> Option<f64> {
    get(after, k).or_else(|| get(before, k))
}

/// The noise band between two recall measurements.
fn band(before: &Metrics, after: &Metrics) -> f64 {
    let hw = |m: &Metrics| get(m, "recall.half_width").unwrap_or(DEFAULT_BAND);
    (hw(before).powi(2) + hw(after).powi(2)).sqrt()
}

fn improved(before: &Metrics, after: &Metrics, t: Target<'_>, margin: f64, v: &mut Verdict) {
    let (b, a) = (get(before, t.metric), get(after, t.metric));
    v.metric = Some((t.metric.to_string(), b, a));
    let (b, a) = match (b, a) {
        (Some(b), Some(a)) => (b, a),
        (None, _) => {
            v.notes.push(format!(
                "{} was not measured before the repair: there is nothing to judge it against",
                t.metric
            ));
            return;
        }
        (Some(_), None) => {
            v.notes
                .push(format!("{} was not measured after the repair", t.metric));
            return;
        }
    };
    let delta = match t.direction {
        Direction::Increase => a - b,
        Direction::Decrease => b - a,
    };
    // Relative to the value before; from zero (no index before) the change itself.
    let rel = if b.abs() < 1e-9 {
        delta
    } else {
        delta / b.abs()
    };
    // Six decimals: the figure is stored in jsonb and hashed in the audit log,
    // and a float's 17-digit text does not come back from jsonb the same.
    v.improvement = Some((rel * 1e6).round() / 1e6);
    if t.metric.starts_with("recall.") {
        let band = band(before, after);
        let min = contract(before, after, "contract.min_recall");
        let high = get(after, "recall.ci_high").unwrap_or(a);
        if delta > band || min.is_some_and(|m| high >= m) {
            return;
        }
        v.notes.push(format!(
            "{} went from {b:.4} to {a:.4}: within the noise band ({band:.3}) and the contract{} is still missed",
            t.metric,
            min.map_or(String::new(), |m| format!(" {m:.2}")),
        ));
        return;
    }
    if t.metric.starts_with("latency.")
        && let (Some(max), Some(p99)) = (
            contract(before, after, "contract.max_latency_ms"),
            get(after, "latency.p99_ms"),
        )
        && p99 <= max
        && delta >= 0.0
    {
        return;
    }
    if rel < margin {
        v.notes.push(if delta.abs() <= f64::EPSILON {
            format!("{} did not change ({b:.4})", t.metric)
        } else {
            format!(
                "{} went from {b:.4} to {a:.4}: {:+.1}%, below the required {:.0}%",
                t.metric,
                rel * 100.0,
                margin * 100.0
            )
        });
    }
}

/// The whole contract: nothing got worse.
fn guards(before: &Metrics, after: &Metrics, notes: &mut Vec<String>) {
    let min = contract(before, after, "contract.min_recall");
    match (get(before, "recall.at_k"), get(after, "recall.at_k")) {
        (b, Some(a)) => {
            let floor = match (b, min) {
                (Some(b), Some(m)) => Some(b.min(m)),
                (b, m) => b.or(m),
            };
            let band = band(before, after);
            if let Some(floor) = floor
                && a < floor - band
            {
                notes.push(format!(
                    "recall fell to {a:.4}, below min(before {}, contract {}) - noise {band:.3}",
                    b.map_or("-".into(), |b| format!("{b:.4}")),
                    min.map_or("-".into(), |m| format!("{m:.2}")),
                ));
            }
        }
        (Some(b), None) => notes.push(format!(
            "recall ({b:.4} before) could not be measured after the repair"
        )),
        (None, None) => {}
    }
    let max = contract(before, after, "contract.max_latency_ms");
    if let Some(a) = get(after, "latency.p99_ms") {
        let b = get(before, "latency.p99_ms");
        let base = match (b, max) {
            (Some(b), Some(m)) => Some(b.max(m)),
            (b, m) => b.or(m),
        };
        if let Some(base) = base {
            let limit = base * LATENCY_FACTOR + LATENCY_SLACK_MS;
            if a > limit {
                notes.push(format!(
                    "p99 latency rose to {a:.2} ms, above max(before {}, contract {}) x {LATENCY_FACTOR} ({limit:.2} ms)",
                    b.map_or("-".into(), |b| format!("{b:.2} ms")),
                    max.map_or("-".into(), |m| format!("{m:.2} ms")),
                ));
            }
        }
    }
    if let (Some(b), Some(a)) = (
        get(before, "recall.exact_rows"),
        get(after, "recall.exact_rows"),
    ) && a != b
    {
        notes.push(format!(
            "the collection held {b:.0} rows before and {a:.0} after: live rows must be identical"
        ));
    }
    if let Some(a) = get(after, "index.invalid") {
        let b = get(before, "index.invalid").unwrap_or(0.0);
        if a > b {
            notes.push(format!(
                "{a:.0} index(es) of the table are INVALID after the repair ({b:.0} before)"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, f64)]) -> Metrics {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    const RECALL: Target<'static> = Target {
        metric: "recall.at_k",
        direction: Direction::Increase,
    };
    const DEAD: Target<'static> = Target {
        metric: "table.dead_ratio",
        direction: Direction::Decrease,
    };
    const P95: Target<'static> = Target {
        metric: "latency.p95_ms",
        direction: Direction::Decrease,
    };

    /// A healthy-looking measurement: recall r with half-width 0.015.
    fn obs(r: f64, p99: f64, rows: f64) -> Vec<(&'static str, f64)> {
        vec![
            ("contract.min_recall", 0.95),
            ("recall.at_k", r),
            ("recall.ci_high", (r + 0.015).min(1.0)),
            ("recall.half_width", 0.015),
            ("latency.p99_ms", p99),
            ("recall.exact_rows", rows),
            ("index.invalid", 0.0),
        ]
    }

    fn with(
        mut base: Vec<(&'static str, f64)>,
        k: &'static str,
        v: f64,
    ) -> Vec<(&'static str, f64)> {
        base.retain(|(n, _)| *n != k);
        base.push((k, v));
        base
    }

    #[test]
    fn verdicts() {
        struct Case {
            name: &'static str,
            before: Vec<(&'static str, f64)>,
            after: Vec<(&'static str, f64)>,
            target: Option<Target<'static>>,
            /// Words the single note must contain; None: verified.
            fails: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "a small shortfall fixed: the contract is met, +3% is enough",
                before: obs(0.934, 2.0, 1000.0),
                after: obs(0.960, 2.1, 1000.0),
                target: Some(RECALL),
                fails: None,
            },
            Case {
                name: "met by the interval, though the point estimate is a hair below",
                before: obs(0.90, 2.0, 1000.0),
                after: obs(0.945, 2.0, 1000.0),
                target: Some(RECALL),
                fails: None,
            },
            Case {
                name: "a big gain that still misses the contract counts as improved",
                before: obs(0.50, 2.0, 1000.0),
                after: obs(0.80, 2.0, 1000.0),
                target: Some(RECALL),
                fails: None,
            },
            Case {
                name: "a change within the noise that misses the contract is no fix",
                before: obs(0.80, 2.0, 1000.0),
                after: obs(0.81, 2.0, 1000.0),
                target: Some(RECALL),
                fails: Some("noise band"),
            },
            Case {
                name: "the IVFFlat rebuild that halved recall: fails the recall guard",
                before: with(obs(0.99, 2.0, 1000.0), "ivfflat.list_cv", 1.5),
                after: with(obs(0.60, 2.0, 1000.0), "ivfflat.list_cv", 0.3),
                target: Some(Target {
                    metric: "ivfflat.list_cv",
                    direction: Direction::Decrease,
                }),
                fails: Some("recall fell to 0.6000"),
            },
            Case {
                name: "recall a little lower, within the noise of min(before, contract)",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.4),
                after: with(obs(0.94, 2.0, 1000.0), "table.dead_ratio", 0.0),
                target: Some(DEAD),
                fails: None,
            },
            Case {
                name: "recall below min(before, contract) beyond the noise",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.4),
                after: with(obs(0.91, 2.0, 1000.0), "table.dead_ratio", 0.0),
                target: Some(DEAD),
                fails: Some("recall fell"),
            },
            Case {
                name: "a missing before value fails",
                before: obs(0.99, 2.0, 1000.0),
                after: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.0),
                target: Some(DEAD),
                fails: Some("not measured before"),
            },
            Case {
                name: "latency more than 1.2x max(before, contract)",
                before: with(obs(0.99, 10.0, 1000.0), "table.dead_ratio", 0.4),
                after: with(obs(0.99, 17.5, 1000.0), "table.dead_ratio", 0.1),
                target: Some(DEAD),
                fails: Some("p99 latency rose"),
            },
            Case {
                name: "latency up to 1.2x the contract when before was faster",
                before: with(
                    with(obs(0.99, 5.0, 1000.0), "contract.max_latency_ms", 20.0),
                    "table.dead_ratio",
                    0.4,
                ),
                after: with(obs(0.99, 23.0, 1000.0), "table.dead_ratio", 0.1),
                target: Some(DEAD),
                fails: None,
            },
            Case {
                name: "rows changed",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.4),
                after: with(obs(0.99, 2.0, 999.0), "table.dead_ratio", 0.1),
                target: Some(DEAD),
                fails: Some("live rows must be identical"),
            },
            Case {
                name: "an index left INVALID",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.4),
                after: with(
                    with(obs(0.99, 2.0, 1000.0), "index.invalid", 1.0),
                    "table.dead_ratio",
                    0.1,
                ),
                target: Some(DEAD),
                fails: Some("INVALID"),
            },
            Case {
                name: "a metric without a contract needs the margin",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.40),
                after: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.38),
                target: Some(DEAD),
                fails: Some("below the required 10%"),
            },
            Case {
                name: "latency target: within the contract counts as met",
                before: with(
                    with(obs(0.99, 30.0, 1000.0), "contract.max_latency_ms", 25.0),
                    "latency.p95_ms",
                    20.0,
                ),
                after: with(obs(0.99, 24.0, 1000.0), "latency.p95_ms", 19.5),
                target: Some(P95),
                fails: None,
            },
            Case {
                name: "recall no longer measurable (the index went away)",
                before: with(obs(0.99, 2.0, 1000.0), "table.dead_ratio", 0.4),
                after: vec![("table.dead_ratio", 0.0), ("contract.min_recall", 0.95)],
                target: Some(DEAD),
                fails: Some("could not be measured after"),
            },
            Case {
                name: "no target: the guards alone",
                before: obs(0.99, 2.0, 1000.0),
                after: obs(0.985, 2.4, 1000.0),
                target: None,
                fails: None,
            },
        ];
        for c in &cases {
            let v = judge(&m(&c.before), &m(&c.after), c.target, 0.10);
            match c.fails {
                None => assert!(v.notes.is_empty(), "{}: {:?}", c.name, v.notes),
                Some(words) => assert!(
                    v.notes.len() == 1 && v.notes[0].contains(words),
                    "{}: {:?}",
                    c.name,
                    v.notes
                ),
            }
        }
    }

    #[test]
    fn the_target_is_reported_with_its_change() {
        let v = judge(
            &m(&obs(0.9, 1.0, 5.0)),
            &m(&obs(0.99, 1.0, 5.0)),
            Some(RECALL),
            0.1,
        );
        assert_eq!(
            v.metric,
            Some(("recall.at_k".into(), Some(0.9), Some(0.99)))
        );
        assert!((v.improvement.unwrap() - 0.1).abs() < 1e-9);
    }
}
