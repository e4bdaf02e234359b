//! Configuration drift: search settings that cannot meet the contract, build
//! memory too small for the graph, an index larger than shared_buffers.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use postgres::GenericClient;
use serde_json::json;

use super::context::Ctx;
use super::measured::Measured;
use super::{Class, Finding, Severity};

const DETECTOR: &str = "settings";

/// The settings a fresh application session gets (database and role defaults).
pub fn session_settings(client: &mut impl GenericClient) -> Result<BTreeMap<String, String>> {
    let names = [
        "hnsw.ef_search",
        "hnsw.iterative_scan",
        "ivfflat.probes",
        "ivfflat.iterative_scan",
        "maintenance_work_mem",
        "shared_buffers",
        "max_parallel_maintenance_workers",
        "autovacuum_max_workers",
    ];
    let mut out = BTreeMap::new();
    for n in names {
        let v: Option<String> = client
            .query_one("SELECT current_setting($1, true)", &[&n])
            .with_context(|| format!("reading setting {n}"))?
            .get(0);
        if let Some(v) = v {
            out.insert(n.to_string(), v);
        }
    }
    // pgvector defaults when its library is not loaded in this session yet.
    out.entry("hnsw.ef_search".into())
        .or_insert_with(|| "40".into());
    out.entry("ivfflat.probes".into())
        .or_insert_with(|| "1".into());
    out.entry("hnsw.iterative_scan".into())
        .or_insert_with(|| "off".into());
    out.entry("ivfflat.iterative_scan".into())
        .or_insert_with(|| "off".into());
    Ok(out)
}

/// Bytes of a memory setting as the server reports it in `pg_settings` units.
pub fn setting_bytes(client: &mut impl GenericClient, name: &str) -> Result<f64> {
    let r = client
        .query_one(
            "SELECT setting::float8 * CASE unit WHEN '8kB' THEN 8192 WHEN 'kB' THEN 1024 \
             WHEN 'MB' THEN 1048576 ELSE 1 END FROM pg_settings WHERE name = $1",
            &[&name],
        )
        .with_context(|| format!("reading {name}"))?;
    Ok(r.get(0))
}

/// Compares the application's effective settings and the server's memory with
/// what the collection needs. `app` are the settings of a default session.
pub fn detect(
    client: &mut impl GenericClient,
    ctx: &Ctx<'_>,
    app: &BTreeMap<String, String>,
    out: &mut Measured,
) -> Result<()> {
    let Some(index) = ctx.ann_index().filter(|i| i.valid) else {
        return Ok(());
    };
    let k = ctx.contract.k as f64;
    let num = |name: &str| app.get(name).and_then(|v| v.parse::<f64>().ok());
    match index.method.as_str() {
        "hnsw" => {
            let ef = num("hnsw.ef_search").unwrap_or(40.0);
            out.set("settings.hnsw_ef_search", ef);
            let iterative = app.get("hnsw.iterative_scan").map_or("off", String::as_str);
            if ef < k {
                out.push(
                    Finding::new(Class::RecallDegradation, Severity::Critical, DETECTOR, format!(
                        "hnsw.ef_search is {ef:.0}, below k = {k:.0}: an HNSW scan returns at most {ef:.0} rows{}",
                        if iterative == "off" { "" } else { " before iterative scan resumes" }))
                    .metric("settings.hnsw_ef_search", ef, Some(k))
                    .evidence(json!({"setting": "hnsw.ef_search", "value": ef, "k": k, "iterative_scan": iterative})),
                );
            }
        }
        "ivfflat" => {
            let probes = num("ivfflat.probes").unwrap_or(1.0);
            let lists = index
                .options
                .get("lists")
                .and_then(|v| v.as_f64())
                .unwrap_or(100.0);
            out.set("settings.ivfflat_probes", probes);
            out.set("index.lists", lists);
            // pgvector's guidance: probes ≈ sqrt(lists) for good recall.
            let advised = lists.sqrt().ceil();
            if probes < advised / 2.0 {
                out.push(
                    Finding::new(Class::RecallDegradation, Severity::Warning, DETECTOR, format!(
                        "ivfflat.probes is {probes:.0} for {lists:.0} lists; about sqrt(lists) = {advised:.0} is needed for recall near {:.2}",
                        ctx.contract.min_recall))
                    .metric("settings.ivfflat_probes", probes, Some(advised))
                    .evidence(json!({"setting": "ivfflat.probes", "value": probes, "lists": lists})),
                );
            }
        }
        _ => {}
    }
    let mwm = setting_bytes(client, "maintenance_work_mem")?;
    let shared = setting_bytes(client, "shared_buffers")?;
    out.set("settings.maintenance_work_mem_bytes", mwm);
    out.set("settings.shared_buffers_bytes", shared);
    let size = index.size_bytes as f64;
    if index.method == "hnsw" && size > mwm && size > 64.0 * 1024.0 * 1024.0 {
        out.push(
            Finding::new(Class::MemoryPressure, Severity::Warning, DETECTOR, format!(
                "maintenance_work_mem ({}) is smaller than the HNSW graph ({}): a rebuild will spill to disk and take much longer",
                crate::vocab::bytes(mwm as i64), crate::vocab::bytes(index.size_bytes)))
            .metric("settings.maintenance_work_mem_bytes", mwm, Some(size))
            .evidence(json!({"index": index.name, "index_bytes": size})),
        );
    }
    if shared > 0.0 {
        out.set("index.shared_buffers_ratio", size / shared);
    }
    if size > shared {
        out.push(
            Finding::new(Class::MemoryPressure, Severity::Warning, DETECTOR, format!(
                "index {} ({}) is larger than shared_buffers ({}): searches read it from the OS cache or disk; \
                 raise shared_buffers above the index (a server restart, which ruvheal leaves to you) or make the index smaller",
                index.name, crate::vocab::bytes(index.size_bytes), crate::vocab::bytes(shared as i64)))
            .metric("index.size_bytes", size, Some(shared))
            .evidence(json!({"index": index.name, "index_bytes": size, "shared_buffers_bytes": shared,
                             "needs_restart": true})),
        );
    }
    Ok(())
}
