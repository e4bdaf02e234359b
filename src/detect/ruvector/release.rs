//! What ruvector-postgres 2.0.6 gets wrong that no SQL remedy fixes, with the
//! reasons diagnose gives when it leaves such a problem to a human.

use serde_json::json;

use super::HUMAN_ONLY;
use crate::catalog::IndexInfo;
use crate::detect::context::Ctx;
use crate::detect::measured::Measured;
use crate::detect::recall::RecallReport;
use crate::detect::{Class, Finding, Severity};

/// The 100-row cap.
pub const K_CAP: &str = "RuVector 2.0.6 hard-codes k = 100 in its HNSW scan: no setting or rebuild returns \
    more rows; ask for at most 100 neighbours or upgrade RuVector: left for a human";
/// Ignored build options.
pub const BUILD_OPTIONS: &str = "RuVector 2.0.6 ignores WITH (m, ef_construction): a rebuild gets the \
    defaults again; raise ruvector.hnsw_ef_search for recall or upgrade RuVector: left for a human";
/// ruivfflat.
pub const IVFFLAT: &str = "RuVector 2.0.6's ruivfflat returns the farthest candidates (recall@10 0.000 at \
    any probes), ignores lists and ruvector.probes and never indexes rows inserted after the build: no SQL \
    remedy makes it right; drop it and use RuVector's HNSW (CREATE INDEX ... USING ruhnsw) instead: left for a human";

/// The ruivfflat finding: measured when it is the index the probe used,
/// otherwise named from the release (the planner may still pick it).
pub fn detect(ctx: &Ctx<'_>, measured: &IndexInfo, report: &RecallReport, out: &mut Measured) {
    let c = ctx.collection;
    for ix in c.indexes.iter().filter(|i| i.is_ruvector_ivfflat()) {
        let probed = ix.name == measured.name && report.plan_uses_index;
        let (severity, how) = if probed {
            (
                Severity::Critical,
                format!(
                    "measured recall@{} {:.3} over {} probe queries ({} returned fewer than {} rows)",
                    report.k, report.recall, report.probes, report.short_results, report.k
                ),
            )
        } else {
            (
                Severity::Warning,
                "not measured here (the HNSW index answers the probe), known from the release"
                    .to_string(),
            )
        };
        out.push(
            Finding::new(Class::RecallDegradation, severity, "ruvector.ivfflat", format!(
                "index {} ({}) uses RuVector 2.0.6's ruivfflat, which returns the farthest candidates: {how}",
                ix.name, c.collection))
            .evidence(json!({"index": ix.name, "probed": probed,
                             "recall_at_k": probed.then_some(report.recall),
                             "lists_asked": ix.explicit_options, "meta_lists": out.get("ruvector.ivf.lists"),
                             "meta_vector_count": out.get("ruvector.ivf.vector_count"),
                             "advice": "drop it and use RuVector's HNSW", HUMAN_ONLY: IVFFLAT})),
        );
    }
}
