//! Findings from an index's structure (pages) and from pgvector's version.

use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::pages::{HnswStructure, IvfStructure};
use super::{Class, Finding, Severity};

const DETECTOR: &str = "structure";

/// Share of live HNSW elements unreachable over layer-0 links from the entry
/// point from which layer 0 counts as split (`hnsw.layer0_split_ratio`).
pub const LAYER0_SPLIT: f64 = 0.05;

/// Turns an HNSW structure into metrics and findings.
pub fn hnsw(s: &HnswStructure, ctx: &Ctx<'_>, out: &mut Measured) {
    let cfg = ctx.config;
    let live = s.live_elements as f64;
    let elements = s.elements.max(1) as f64;
    let deleted = (s.deleted_elements + s.being_deleted) as f64;
    out.set("hnsw.elements", s.elements as f64);
    out.set("hnsw.live_elements", live);
    out.set("hnsw.deleted_ratio", deleted / elements);
    out.set("hnsw.orphans", s.unreachable as f64);
    out.set("hnsw.orphan_ratio", s.unreachable as f64 / live.max(1.0));
    out.set("hnsw.layer0_unreachable", s.orphans as f64);
    let split = s.orphans as f64 / live.max(1.0);
    out.set("hnsw.layer0_split_ratio", split);
    out.set("hnsw.ef_construction", s.ef_construction as f64);
    out.set("hnsw.in_degree_zero", s.in_degree_zero as f64);
    out.set("hnsw.out_degree_mean", s.out_degree.mean);
    out.set("hnsw.in_degree_mean", s.in_degree.mean);
    out.set("hnsw.empty_layer0_slot_ratio", s.empty_layer0_slot_ratio);
    out.set("hnsw.duplicate_links", s.duplicate_links as f64);
    out.set("hnsw.invalid_links", s.invalid_links as f64);
    out.set("hnsw.entry_level", s.entry_level as f64);
    out.set("hnsw.m", s.m as f64);
    let noise = (live * 0.001).max(2.0);
    // Rows deleted since the last VACUUM: their elements are still linked, so
    // searches and inserts walk past them until VACUUM marks them deleted.
    let unvacuumed = s.being_deleted as f64;
    out.set("hnsw.unvacuumed_ratio", unvacuumed / elements);
    // Slots VACUUM marked deleted: unlinked from the graph (searches never
    // visit them) and reused by inserts. Space, not health: information, with
    // what a rebuild would give back.
    let free = s.deleted_elements as f64;
    out.set("hnsw.free_slot_ratio", free / elements);
    if unvacuumed / elements >= cfg.deleted_ratio_warning {
        out.push(
            Finding::new(Class::IndexFragmentation, Severity::Warning, DETECTOR, format!(
                "{:.0}% of the HNSW index's elements point only at deleted rows ({unvacuumed:.0} of {elements:.0}); \
                 searches and inserts walk past them until VACUUM marks them deleted",
                unvacuumed / elements * 100.0))
            .metric("hnsw.unvacuumed_ratio", unvacuumed / elements, Some(cfg.deleted_ratio_warning))
            .evidence(json!({"deleted_elements": s.deleted_elements, "being_deleted": s.being_deleted, "elements": s.elements})),
        );
    } else if deleted / elements >= cfg.deleted_ratio_warning {
        out.push(
            Finding::new(Class::IndexFragmentation, Severity::Info, DETECTOR, format!(
                "{:.0}% of the HNSW index's element slots are free ({free:.0} of {elements:.0}, left by \
                 rows VACUUM removed): searches skip them and inserts reuse them; a rebuild would give \
                 the space back (`ruvheal repair --playbook reindex_concurrently`)",
                deleted / elements * 100.0))
            .metric("hnsw.deleted_ratio", deleted / elements, Some(cfg.deleted_ratio_warning))
            .evidence(json!({"deleted_elements": s.deleted_elements, "being_deleted": s.being_deleted, "elements": s.elements})),
        );
    }
    if !s.entry_point_ok && s.elements > 0 {
        out.push(
            Finding::new(
                Class::OrphanNodes,
                Severity::Critical,
                DETECTOR,
                format!(
                    "the HNSW entry point is broken ({}): searches start from the wrong place",
                    s.entry_point_problem.as_deref().unwrap_or("unknown reason")
                ),
            )
            .evidence(json!({"entry_point": s.entry_point, "entry_level": s.entry_level})),
        );
    }
    // Unreachable by any search from the entry point (through every layer).
    let orphan_ratio = s.unreachable as f64 / live.max(1.0);
    if s.unreachable as f64 > noise && orphan_ratio >= cfg.orphan_ratio_warning {
        let severity = if orphan_ratio >= 0.05 {
            Severity::Critical
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new(Class::OrphanNodes, severity, DETECTOR, format!(
                "{} live elements ({:.1}%) cannot be reached from the entry point: no search can return them",
                s.unreachable, orphan_ratio * 100.0))
            .metric("hnsw.orphan_ratio", orphan_ratio, Some(cfg.orphan_ratio_warning))
            .evidence(json!({"unreachable": s.unreachable, "layer0_unreachable": s.orphans, "layer0_reachable": s.reachable, "live_elements": s.live_elements,
                             "in_degree_zero": s.in_degree_zero})),
        );
    }
    // Layer 0 in parts: searches still route through the upper layers, so this
    // alone is information; diagnose names it when recall is low.
    if split >= LAYER0_SPLIT && s.orphans as f64 > noise {
        out.push(
            Finding::new(Class::PoorConnectivity, Severity::Info, DETECTOR, format!(
                "layer 0 of the HNSW graph is in parts: searches reach {} live elements ({:.0}%) through \
                 the upper layers rather than over layer-0 links; normal for tightly clustered rows when \
                 a cluster outgrows ef_construction = {}, and after deletes; only a concern when recall \
                 is low, which the recall probe measures",
                s.orphans, split * 100.0, s.ef_construction))
            .metric("hnsw.layer0_split_ratio", split, Some(LAYER0_SPLIT))
            .evidence(json!({"layer0_unreachable": s.orphans, "live_elements": s.live_elements,
                             "m": s.m, "ef_construction": s.ef_construction})),
        );
    }
    let full = 2.0 * s.m as f64;
    if live >= 100.0 && (s.out_degree.mean < 0.5 * full || s.m < 4) {
        out.push(
            Finding::new(Class::PoorConnectivity, Severity::Warning, DETECTOR, format!(
                "weak HNSW graph: {:.1} layer-0 links per element on average (m = {}, full = {full:.0}); \
                 recall suffers, more so on high-dimensional data",
                s.out_degree.mean, s.m))
            .metric("hnsw.out_degree_mean", s.out_degree.mean, Some(full))
            .evidence(json!({"out_degree": s.out_degree, "in_degree": s.in_degree, "m": s.m,
                             "ef_construction": s.ef_construction})),
        );
    }
    let broken =
        s.invalid_links + s.count_mismatches + s.version_mismatches + s.missing_neighbor_tuples;
    if broken as f64 > noise {
        out.push(
            Finding::new(Class::PoorConnectivity, Severity::Critical, DETECTOR, format!(
                "{broken} broken links or neighbor tuples in the HNSW graph (corruption or an interrupted VACUUM)"))
            .metric("hnsw.invalid_links", s.invalid_links as f64, Some(0.0))
            .evidence(json!({"invalid_links": s.invalid_link_kinds, "count_mismatches": s.count_mismatches,
                             "version_mismatches": s.version_mismatches, "notes": s.notes})),
        );
    } else if broken > 0 {
        out.push(Finding::new(Class::PoorConnectivity, Severity::Info, DETECTOR, format!(
            "{broken} links changed while the pages were read; concurrent writes cause a few, so this is noise"))
            .evidence(json!({"notes": s.notes})));
    }
    if s.duplicate_links as f64 > noise {
        out.push(
            Finding::new(Class::PoorConnectivity, Severity::Warning, DETECTOR, format!(
                "{} duplicate neighbor links waste graph degree (an insert/vacuum race in pgvector up to 0.8.6); a rebuild removes them",
                s.duplicate_links))
            .metric("hnsw.duplicate_links", s.duplicate_links as f64, Some(0.0)),
        );
    }
    if s.live_above_entry_level > 0 {
        out.push(Finding::new(Class::PoorConnectivity, Severity::Warning, DETECTOR, format!(
            "{} live elements sit above the entry point's level; their upper layers are unreachable",
            s.live_above_entry_level)));
    }
    out.detail("hnsw", s);
}

/// Turns an IVFFlat structure into metrics and findings.
pub fn ivfflat(s: &IvfStructure, ctx: &Ctx<'_>, live_rows: f64, out: &mut Measured) {
    let cfg = ctx.config;
    out.set("ivfflat.lists", s.lists as f64);
    out.set("ivfflat.entries", s.total_entries as f64);
    out.set("ivfflat.list_cv", s.cv);
    out.set("ivfflat.list_max_over_mean", s.max_over_mean);
    out.set("ivfflat.empty_lists", s.empty_lists as f64);
    out.set("ivfflat.gini", s.gini);
    let lists = s.lists.max(1) as f64;
    if s.total_entries >= 10 * s.lists as u64
        && (s.cv >= cfg.list_cv_warning || s.empty_lists as f64 > 0.1 * lists)
    {
        out.push(
            Finding::new(Class::CentroidSkew, Severity::Warning, DETECTOR, format!(
                "IVFFlat lists are unbalanced: coefficient of variation {:.2}, largest list {:.1}x the mean, {} of {} lists empty",
                s.cv, s.max_over_mean, s.empty_lists, s.lists))
            .metric("ivfflat.list_cv", s.cv, Some(cfg.list_cv_warning))
            .evidence(json!({"entries_per_list_max": s.entries_per_list.iter().max(), "mean": s.mean, "gini": s.gini,
                             "empty_lists": s.empty_lists})),
        );
    }
    if live_rows >= 10_000.0 {
        let target = if live_rows <= 1_000_000.0 {
            live_rows / 1000.0
        } else {
            live_rows.sqrt()
        };
        if lists < target / 4.0 || lists > target * 4.0 {
            out.push(
                Finding::new(Class::StaleTraining, Severity::Warning, DETECTOR, format!(
                    "{lists:.0} lists for {live_rows:.0} rows; pgvector's guidance is about {target:.0} (rows/1000 up to 1M rows, sqrt(rows) above)"))
                .metric("ivfflat.lists", lists, Some(target)),
            );
        }
    }
    let dead = s.total_entries as f64 - live_rows;
    if live_rows > 0.0
        && dead / (s.total_entries.max(1) as f64) >= cfg.deleted_ratio_warning
        && dead >= 100.0
    {
        out.push(
            Finding::new(Class::IndexFragmentation, Severity::Warning, DETECTOR, format!(
                "the IVFFlat index holds {dead:.0} entries more than the table's {live_rows:.0} live rows (dead, not vacuumed)"))
            .metric("ivfflat.entries", s.total_entries as f64, Some(live_rows)),
        );
    }
    let mut detail = serde_json::to_value(s).unwrap_or_default();
    if let Some(obj) = detail.as_object_mut() {
        obj.remove("centers");
    }
    out.detail("ivfflat", detail);
}

/// The detector name of findings about the installed pgvector release.
pub const VERSION_DETECTOR: &str = "version";

/// pgvector releases with index-corruption fixes after them.
pub fn version(extversion: &str, method: &str, out: &mut Measured) {
    // each part's leading digits: "0.8.4rc1" is 0.8.4
    let parts: Vec<u32> = extversion
        .split('.')
        .map_while(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    if parts.len() < 2 {
        return; // not a release number: nothing known about it
    }
    let v = (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    );
    if method == "hnsw" && v < (0, 8, 4) {
        out.push(Finding::new(Class::PoorConnectivity, Severity::Warning, VERSION_DETECTOR, format!(
            "pgvector {extversion} has known HNSW corruption bugs fixed in 0.8.3 (VACUUM, stale entry point) and 0.8.4 \
             (\"hnsw graph not repaired\"); upgrade and REINDEX")).evidence(json!({"extversion": extversion})));
    }
    if method == "ivfflat" && v == (0, 8, 4) {
        out.push(Finding::new(Class::CentroidSkew, Severity::Warning, VERSION_DETECTOR, format!(
            "pgvector {extversion} can build IVFFlat indexes with poor centres (regression #995, fixed in 0.8.5); \
             upgrade and REINDEX")).evidence(json!({"extversion": extversion})));
    }
}

/// Mean distance from each sample to its nearest centre (L2; samples normalised
/// first for cosine and inner-product opclasses, whose centres are normalised).
pub fn center_distance(samples: &[Vec<f32>], centers: &[Vec<f32>], normalize: bool) -> Option<f64> {
    if samples.is_empty() || centers.is_empty() {
        return None;
    }
    let norm = |v: &[f32]| -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if normalize && n > 0.0 {
            v.iter().map(|x| x / n).collect()
        } else {
            v.to_vec()
        }
    };
    let mut total = 0.0;
    let mut n = 0usize;
    for s in samples {
        let s = norm(s);
        let best = centers
            .iter()
            .filter(|c| c.len() == s.len())
            .map(|c| {
                c.iter()
                    .zip(&s)
                    .map(|(a, b)| ((a - b) as f64).powi(2))
                    .sum::<f64>()
            })
            .fold(f64::INFINITY, f64::min);
        if best.is_finite() {
            total += best.sqrt();
            n += 1;
        }
    }
    (n > 0).then(|| total / n as f64)
}

/// Drift: the current mean distance to the centres against the one measured when
/// ruvheal first saw this physical index (same relfilenode).
pub fn drift(current: f64, baseline: f64, ratio_warning: f64) -> Option<Finding> {
    if baseline <= 0.0 {
        return None;
    }
    let ratio = current / baseline;
    (ratio >= ratio_warning).then(|| {
        Finding::new(Class::StaleTraining, Severity::Warning, "drift", format!(
            "rows are {ratio:.1}x farther from their nearest IVFFlat centre than when this index was first seen \
             ({current:.4} vs {baseline:.4}): the data drifted away from the trained centres"))
        .metric("ivfflat.center_distance", current, Some(baseline))
        .evidence(json!({"ratio": ratio}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_with_corruption_fixes_after_them_are_named() {
        let classes = |v: &str, method: &str| {
            let mut out = Measured::default();
            version(v, method, &mut out);
            out.findings.iter().map(|f| f.class).collect::<Vec<_>>()
        };
        assert_eq!(classes("0.8.3", "hnsw"), [Class::PoorConnectivity]);
        assert_eq!(classes("0.7.4", "hnsw"), [Class::PoorConnectivity]);
        assert!(classes("0.8.4", "hnsw").is_empty());
        assert!(classes("0.8.6", "hnsw").is_empty());
        assert!(classes("0.8.10", "hnsw").is_empty(), "compared as numbers");
        assert_eq!(classes("0.8.4", "ivfflat"), [Class::CentroidSkew]);
        assert!(classes("0.8.5", "ivfflat").is_empty());
        assert!(classes("0.8.3", "ivfflat").is_empty());
        assert!(classes("devel", "hnsw").is_empty(), "not a release number");
        assert_eq!(classes("0.8.4rc1", "ivfflat"), [Class::CentroidSkew]);
        assert!(classes("0.8.4rc1", "hnsw").is_empty());
    }

    #[test]
    fn center_distance_is_the_mean_nearest_distance() {
        let centers = vec![vec![0.0, 0.0], vec![10.0, 0.0]];
        let d = center_distance(&[vec![3.0, 4.0], vec![10.0, 1.0]], &centers, false).unwrap();
        assert!((d - 3.0).abs() < 1e-9, "{d}");
        assert!(center_distance(&[], &centers, false).is_none());
        let d = center_distance(&[vec![0.0, 5.0]], &[vec![0.0, 1.0]], true).unwrap();
        assert!(d.abs() < 1e-6);
    }

    #[test]
    fn drift_needs_a_real_move() {
        assert!(drift(1.1, 1.0, 1.5).is_none());
        assert_eq!(drift(2.0, 1.0, 1.5).unwrap().class, Class::StaleTraining);
        assert!(drift(2.0, 0.0, 1.5).is_none());
    }
}
