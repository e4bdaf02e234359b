//! Parameter values from what `check` measured: memory for index builds, IVFFlat
//! lists from the row count, search breadth from the re-probe, thresholds from
//! the detector configuration. Only parameters a playbook declares are passed on.

use std::collections::BTreeMap;

use crate::config::CheckConfig;
use crate::playbook::{Library, ParamValue};

const MB: f64 = 1024.0 * 1024.0;

/// Memory for building the index: what the index needs (its current or expected
/// size, plus a quarter), at least the server's `maintenance_work_mem`, at most 8 GB.
pub fn maintenance_work_mem(metrics: &BTreeMap<String, f64>) -> String {
    let m = |k: &str| metrics.get(k).copied().unwrap_or(0.0);
    let need = m("index.expected_size_bytes").max(m("index.size_bytes")) * 1.25;
    let floor = m("settings.maintenance_work_mem_bytes").max(64.0 * MB);
    let bytes = need.max(floor).min(8192.0 * MB);
    format!("{}MB", (bytes / MB).ceil() as u64)
}

/// pgvector's guidance for IVFFlat lists: rows / 1000 up to 1M rows, sqrt(rows) above.
pub fn ivfflat_lists(rows: f64) -> i64 {
    let lists = if rows <= 1_000_000.0 {
        rows / 1000.0
    } else {
        rows.sqrt()
    };
    (lists.round() as i64).clamp(1, 32_768)
}

/// The search breadth `check` measured: the smallest rung of its ladder that
/// met the recall and latency contracts (`detect::tune`), none when no rung did.
/// Without a ladder (RuVector's single re-probe): the value tried when it met
/// the target, else four times it (capped at pgvector's maximum of 1000).
fn search_breadth(metrics: &BTreeMap<String, f64>, target: f64) -> Option<i64> {
    if let Some(exhausted) = metrics.get("recall.search_exhausted") {
        return if *exhausted >= 0.5 {
            None
        } else {
            metrics
                .get("recall.boosted_setting")
                .map(|v| (v.round() as i64).clamp(1, 1000))
        };
    }
    let tried = metrics.get("recall.boosted_setting").copied()?;
    let reached = metrics.get("recall.boosted_at_k").copied().unwrap_or(0.0);
    let v = if reached >= target {
        tried
    } else {
        tried * 4.0
    };
    Some((v.round() as i64).clamp(1, 1000))
}

/// Parameter values for every playbook of `library` that declares them.
pub fn size(
    library: &Library,
    metrics: &BTreeMap<String, f64>,
    check: &CheckConfig,
    min_recall: f64,
) -> BTreeMap<String, BTreeMap<String, ParamValue>> {
    let rows = metrics.get("table.live_tuples").copied().unwrap_or(0.0);
    let mut known: BTreeMap<&str, ParamValue> = BTreeMap::new();
    known.insert(
        "maintenance_work_mem",
        ParamValue::Str(maintenance_work_mem(metrics)),
    );
    known.insert(
        "parallel_workers",
        ParamValue::Int(if rows >= 100_000.0 { 2 } else { 0 }),
    );
    known.insert("lists", ParamValue::Int(ivfflat_lists(rows)));
    if let Some(l) = metrics.get("ivfflat.lists") {
        known.insert("current_lists", ParamValue::Int((*l as i64).max(1)));
    }
    known.insert(
        "idle_threshold_s",
        ParamValue::Int(check.idle_in_transaction_secs.round() as i64),
    );
    // The session check named as holding back the xmin horizon.
    for (param, metric) in [
        ("holder_pid", "contention.xmin_holder_pid"),
        ("holder_xmin_age", "contention.xmin_holder_age"),
    ] {
        if let Some(v) = metrics.get(metric) {
            known.insert(param, ParamValue::Int(*v as i64));
        }
    }
    known.insert("target_recall", ParamValue::Float(min_recall));
    if let Some(m) = metrics.get("hnsw.m") {
        // A rebuild never builds a weaker graph than pgvector's defaults or the current one.
        let m = (*m as i64).max(16);
        known.insert("m", ParamValue::Int(m));
        let current = metrics.get("hnsw.ef_construction").map_or(0, |e| *e as i64);
        let split = metrics
            .get("hnsw.layer0_split_ratio")
            .is_some_and(|s| *s >= crate::detect::index_health::LAYER0_SPLIT);
        // A split layer 0 comes back from a build with the same ef_construction
        // (11 of 12 builds of tightly clustered rows); twice it joined them in 12 of 12.
        let ef = if split {
            (2 * current).max(8 * m)
        } else {
            current.max(2 * m).max(64)
        };
        known.insert("ef_construction", ParamValue::Int(ef.min(1000)));
    }
    if let Some(b) = search_breadth(metrics, min_recall) {
        if metrics.contains_key("index.lists") {
            let lists = metrics.get("index.lists").copied().unwrap_or(1.0) as i64;
            known.insert("probes", ParamValue::Int(b.min(lists.max(1))));
        } else {
            known.insert("ef_search", ParamValue::Int(b));
        }
    }
    let mut out = BTreeMap::new();
    for loaded in library.iter() {
        let p = &loaded.playbook;
        let values: BTreeMap<String, ParamValue> = known
            .iter()
            .filter(|(k, v)| p.params.get(**k).is_some_and(|d| d.kind.accepts(v)))
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if !values.is_empty() {
            out.insert(p.name.clone(), values);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_lists_follow_the_measurements() {
        let m: BTreeMap<String, f64> = [
            ("index.size_bytes", 800.0 * MB),
            ("settings.maintenance_work_mem_bytes", 64.0 * MB),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        assert_eq!(maintenance_work_mem(&m), "1000MB");
        assert_eq!(maintenance_work_mem(&BTreeMap::new()), "64MB");
        assert_eq!(ivfflat_lists(500_000.0), 500);
        assert_eq!(ivfflat_lists(4_000_000.0), 2000);
        assert_eq!(ivfflat_lists(10.0), 1);
    }

    #[test]
    fn a_rebuild_is_never_weaker_and_doubles_ef_construction_for_a_split_layer0() {
        let library = Library::load(None).unwrap();
        let check = CheckConfig::default();
        let build = |pairs: &[(&str, f64)]| {
            let met: BTreeMap<String, f64> =
                pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            let p = size(&library, &met, &check, 0.95);
            let r = &p["rebuild_and_swap"];
            (
                r["m"].as_f64().unwrap(),
                r["ef_construction"].as_f64().unwrap(),
            )
        };
        assert_eq!(
            build(&[("hnsw.m", 2.0), ("hnsw.ef_construction", 4.0)]),
            (16.0, 64.0)
        );
        assert_eq!(
            build(&[("hnsw.m", 16.0), ("hnsw.ef_construction", 200.0)]),
            (16.0, 200.0)
        );
        let split = [
            ("hnsw.m", 16.0),
            ("hnsw.ef_construction", 64.0),
            ("hnsw.layer0_split_ratio", 0.3),
        ];
        assert_eq!(build(&split), (16.0, 128.0));
        let tiny_split = [split[0], split[1], ("hnsw.layer0_split_ratio", 0.01)];
        assert_eq!(build(&tiny_split).1, 64.0);
    }

    #[test]
    fn search_breadth_comes_from_the_reprobe() {
        let m = |pairs: &[(&str, f64)]| -> BTreeMap<String, f64> {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        let met = m(&[
            ("recall.boosted_setting", 160.0),
            ("recall.boosted_at_k", 0.97),
        ]);
        assert_eq!(search_breadth(&met, 0.95), Some(160));
        let missed = m(&[
            ("recall.boosted_setting", 400.0),
            ("recall.boosted_at_k", 0.9),
        ]);
        assert_eq!(search_breadth(&missed, 0.95), Some(1000));
        assert_eq!(search_breadth(&BTreeMap::new(), 0.95), None);
        // the ladder's rung as measured; none when no rung met the contract
        let ladder = m(&[
            ("recall.boosted_setting", 64.0),
            ("recall.boosted_at_k", 0.97),
            ("recall.search_exhausted", 0.0),
        ]);
        assert_eq!(search_breadth(&ladder, 0.95), Some(64));
        let weak = m(&[
            ("recall.boosted_setting", 1000.0),
            ("recall.boosted_at_k", 0.6),
            ("recall.search_exhausted", 1.0),
        ]);
        assert_eq!(search_breadth(&weak, 0.95), None);
    }
}
