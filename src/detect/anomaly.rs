//! Anomalies over time: per-metric baselines (mean, standard deviation, p99 over
//! a window of stored observations) with z-score and EWMA detectors.
//!
//! Pure: takes the history and the current metrics, returns findings and the
//! updated baselines. |z| > 3 is a medium and |z| > 4 a high anomaly
//! (warning), |z| > 5 critical; the thresholds scale with `anomaly_sensitivity`.
//! The EWMA detector catches what no single value shows: a sustained shift of
//! a few observations, each too small for the z-score, moves the exponentially
//! weighted average (of values clamped to 3 spreads of the mean, so one spike
//! does not echo) more than 3 of its own deviations (spread·sqrt(α/(2−α)); the
//! spread is the standard deviation, at least 5% of the mean) from the
//! baseline mean, with the latest value on the bad side too: a warning.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::{Class, Finding, Severity};

/// Which way a metric goes bad, and what class that is.
struct Tracked {
    metric: &'static str,
    worse_when_higher: bool,
    class: Class,
    what: &'static str,
}

const TRACKED: &[Tracked] = &[
    Tracked {
        metric: "latency.p99_ms",
        worse_when_higher: true,
        class: Class::LatencyAnomaly,
        what: "p99 probe latency",
    },
    Tracked {
        metric: "latency.p50_ms",
        worse_when_higher: true,
        class: Class::LatencyAnomaly,
        what: "median probe latency",
    },
    Tracked {
        metric: "throughput.scans_per_s",
        worse_when_higher: false,
        class: Class::ThroughputDrop,
        what: "scans per second",
    },
    Tracked {
        metric: "cache.index_hit_ratio",
        worse_when_higher: false,
        class: Class::MemoryPressure,
        what: "index cache hit ratio",
    },
    Tracked {
        metric: "memory.temp_bytes_per_s",
        worse_when_higher: true,
        class: Class::MemoryPressure,
        what: "temp bytes written per second",
    },
    Tracked {
        metric: "recall.at_k",
        worse_when_higher: false,
        class: Class::RecallDegradation,
        what: "recall@k",
    },
];

/// A metric's baseline over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// Metric name.
    pub metric: String,
    /// Samples in the window (excluding the current one).
    pub samples: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub stddev: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Exponentially weighted moving average including the current value (alpha 0.3).
    pub ewma: f64,
    /// The current value's z-score against the baseline, when judged.
    pub z: Option<f64>,
}

const ALPHA: f64 = 0.3;

/// Judges `current` against `history` (oldest first). Returns findings and baselines.
pub fn detect(
    history: &[BTreeMap<String, f64>],
    current: &BTreeMap<String, f64>,
    min_samples: usize,
    sensitivity: f64,
) -> (Vec<Finding>, Vec<Baseline>) {
    let mut findings = Vec::new();
    let mut baselines = Vec::new();
    let scale = if sensitivity > 0.0 { sensitivity } else { 1.0 };
    for t in TRACKED {
        let Some(&now) = current.get(t.metric) else {
            continue;
        };
        let past: Vec<f64> = history
            .iter()
            .filter_map(|m| m.get(t.metric).copied())
            .collect();
        if past.is_empty() {
            continue;
        }
        let n = past.len() as f64;
        let mean = past.iter().sum::<f64>() / n;
        let var = if past.len() > 1 {
            past.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        let stddev = var.sqrt();
        let ewma = moving_average(past.iter().copied().chain([now])).unwrap_or(now);
        let mut base = Baseline {
            metric: t.metric.to_string(),
            samples: past.len(),
            mean,
            stddev,
            p99: percentile(&past, 0.99),
            ewma,
            z: None,
        };
        if past.len() >= min_samples.max(2) {
            // A floor on the spread: 5% of the mean, so a flat history does not make noise huge.
            let spread = stddev.max(mean.abs() * 0.05).max(1e-9);
            let signed = (now - mean) / spread;
            let z = if t.worse_when_higher { signed } else { -signed };
            base.z = Some(signed);
            // The detector's average takes each value clamped to 3 spreads of the
            // mean: one spike (the z-score's business) must not read as a shift
            // for the checks after it.
            let (low, high) = (mean - 3.0 * spread, mean + 3.0 * spread);
            let clamped = moving_average(past.iter().chain([&now]).map(|x| x.clamp(low, high)))
                .unwrap_or(now);
            let ewma_z = {
                let s = if t.worse_when_higher {
                    clamped - mean
                } else {
                    mean - clamped
                };
                s / (spread * (ALPHA / (2.0 - ALPHA)).sqrt())
            };
            let level = if z > 5.0 * scale {
                Some((Severity::Critical, "critical"))
            } else if z > 4.0 * scale {
                Some((Severity::Warning, "high"))
            } else if z > 3.0 * scale {
                Some((Severity::Warning, "medium"))
            } else {
                None
            };
            // a shift still under way: the latest value is on the bad side too
            if level.is_none() && ewma_z > 3.0 * scale && z > 0.0 {
                findings.push(
                    Finding::new(t.class, Severity::Warning, "anomaly", format!(
                        "{} has shifted: its moving average {clamped:.3} is {ewma_z:.1} EWMA deviations from its baseline \
                         {mean:.3} ± {stddev:.3} ({} samples; the latest value {now:.3} alone is within bounds)",
                        t.what, past.len()))
                    .metric(t.metric, clamped, Some(mean))
                    .evidence(json!({"z": signed, "level": "sustained", "mean": mean, "stddev": stddev,
                                     "p99": base.p99, "ewma": ewma, "ewma_z": ewma_z, "samples": past.len()})),
                );
            }
            if let Some((severity, label)) = level {
                findings.push(
                    Finding::new(t.class, severity, "anomaly", format!(
                        "{} is {now:.3}, {label} anomaly against its baseline {mean:.3} ± {stddev:.3} (z = {signed:+.1}, {} samples)",
                        t.what, past.len()))
                    .metric(t.metric, now, Some(mean))
                    .evidence(json!({"z": signed, "level": label, "mean": mean, "stddev": stddev,
                                     "p99": base.p99, "ewma": ewma, "ewma_z": ewma_z, "samples": past.len()})),
                );
            }
        }
        baselines.push(base);
    }
    (findings, baselines)
}

/// The exponentially weighted moving average (alpha [`ALPHA`]) of `values`,
/// oldest first; `None` when there are none.
fn moving_average(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |acc, x| {
        Some(acc.map_or(x, |a| ALPHA * x + (1.0 - ALPHA) * a))
    })
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let idx = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[idx.min(v.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(metric: &str, values: &[f64]) -> Vec<BTreeMap<String, f64>> {
        values
            .iter()
            .map(|v| BTreeMap::from([(metric.to_string(), *v)]))
            .collect()
    }

    #[test]
    fn judges_only_with_enough_samples_and_in_the_bad_direction() {
        let hist = series(
            "latency.p99_ms",
            &[10.0, 11.0, 9.0, 10.0, 10.5, 9.5, 10.0, 10.2, 9.8, 10.0],
        );
        let cases = [
            (10.3, None),
            (11.8, Some(Severity::Warning)),
            (30.0, Some(Severity::Critical)),
            (2.0, None), // faster is not an anomaly
        ];
        for (now, want) in cases {
            let cur = BTreeMap::from([("latency.p99_ms".to_string(), now)]);
            let (f, b) = detect(&hist, &cur, 10, 1.0);
            assert_eq!(f.first().map(|f| f.severity), want, "p99 {now}");
            assert_eq!(b[0].samples, 10);
            if let Some(f) = f.first() {
                assert_eq!(f.class, Class::LatencyAnomaly);
            }
        }
        let cur = BTreeMap::from([("latency.p99_ms".to_string(), 30.0)]);
        assert!(
            detect(&hist[..5], &cur, 10, 1.0).0.is_empty(),
            "too few samples"
        );
        assert!(detect(&hist, &cur, 10, 20.0).0.is_empty(), "less sensitive");
    }

    #[test]
    fn a_sustained_shift_too_small_for_the_z_score_moves_the_ewma() {
        // 20 observations around 10 (σ 0.5), then five at 11.5
        let steady: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 9.5 } else { 10.5 })
            .collect();
        let shifted: Vec<f64> = steady.iter().copied().chain([11.5; 5]).collect();
        let cur = BTreeMap::from([("latency.p99_ms".to_string(), 11.5)]);
        let (f, b) = detect(&series("latency.p99_ms", &shifted), &cur, 10, 1.0);
        let z = b[0].z.unwrap();
        assert!(z < 3.0, "the value alone is no anomaly: z {z}");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].class, f[0].severity),
            (Class::LatencyAnomaly, Severity::Warning)
        );
        assert!(f[0].message.contains("shifted"), "{}", f[0].message);
        assert_eq!(f[0].evidence["level"], "sustained");
        // the same value after a steady history, or a steady value: nothing
        let (f, _) = detect(&series("latency.p99_ms", &steady), &cur, 10, 1.0);
        assert!(
            f.iter().all(|f| f.evidence["level"] != "sustained"),
            "{f:?}"
        );
        let calm = BTreeMap::from([("latency.p99_ms".to_string(), 10.5)]);
        assert!(
            detect(&series("latency.p99_ms", &steady), &calm, 10, 1.0)
                .0
                .is_empty()
        );
        // less sensitive: the shift passes
        assert!(
            detect(&series("latency.p99_ms", &shifted), &cur, 10, 2.0)
                .0
                .is_empty()
        );
        // one spike (z about 10 against a long steady history), judged by the
        // z-score when it came, is no shift in the checks after it
        let long: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 9.5 } else { 10.5 })
            .collect();
        for after in 1..4 {
            let spiked: Vec<f64> = long
                .iter()
                .copied()
                .chain([15.0])
                .chain(std::iter::repeat_n(10.0, after - 1))
                .collect();
            let calm = BTreeMap::from([("latency.p99_ms".to_string(), 10.5)]);
            let (f, _) = detect(&series("latency.p99_ms", &spiked), &calm, 10, 1.0);
            assert!(f.is_empty(), "{after} checks after a spike: {f:?}");
        }
        // a shift the good way (lower latency) is no anomaly
        let lower: Vec<f64> = steady.iter().copied().chain([8.5; 5]).collect();
        let cur = BTreeMap::from([("latency.p99_ms".to_string(), 8.5)]);
        assert!(
            detect(&series("latency.p99_ms", &lower), &cur, 10, 1.0)
                .0
                .is_empty()
        );
    }

    #[test]
    fn drops_are_bad_for_recall_and_throughput() {
        let hist = series("recall.at_k", &[0.98; 12]);
        let cur = BTreeMap::from([("recall.at_k".to_string(), 0.5)]);
        let (f, _) = detect(&hist, &cur, 10, 1.0);
        assert_eq!(f[0].class, Class::RecallDegradation);
        assert_eq!(f[0].severity, Severity::Critical);
        let cur = BTreeMap::from([("recall.at_k".to_string(), 0.99)]);
        assert!(detect(&hist, &cur, 10, 1.0).0.is_empty());
    }
}
