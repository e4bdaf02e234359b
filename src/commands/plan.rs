//! `ruvheal plan`: diagnose, then pick a playbook per problem within the safety
//! limits, render it to the exact statements, store the plan. Exit 1 when a plan
//! waits for approval.

use anyhow::{Context as _, Result};

use super::check::Connections;
use super::diagnose::diagnose_one;
use crate::catalog::Collection;
use crate::cli::PlanArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::plan_report::{CollectionPlan, PlanAll, PlannedReport};
use crate::plan::{self, Decision, Input, ProblemRef, render_steps};
use crate::playbook::Library;
use crate::repair::run::StoredAction;
use crate::store::plans::{NewPlan, NewStep};
use crate::store::{Store, audit, plans};

/// Plans one collection (or all).
pub fn run(args: &PlanArgs, settings: &Settings) -> Result<Exit> {
    let library = Library::load(args.playbooks.playbooks.as_deref())?;
    let (mut conns, targets) = super::collections(settings, args.target.collection.as_deref())?;
    let targets = super::clean_leftovers(settings, &mut conns, targets)?;
    let mut store = super::store(settings)?;
    let single = args.target.collection.is_some();
    let fleet = super::fleet::each(single, &targets, settings, &mut conns, |c, conns, out| {
        out.push(plan_one(c, false, settings, &mut store, conns, &library)?);
        Ok(())
    })?;
    let exit = fleet.exit(|p| {
        if p.awaits_approval() {
            Exit::Warning
        } else {
            Exit::Ok
        }
    });
    let errors = fleet.errors;
    super::emit_reports(
        single,
        fleet.reports,
        |plans| PlanAll { plans, errors },
        settings.output,
    )?;
    Ok(exit)
}

/// A playbook the operator named (`repair --playbook NAME --param k=v`).
pub(crate) struct Named {
    /// The playbook's name.
    pub playbook: String,
    /// The `--param` pairs, unparsed.
    pub params: Vec<String>,
}

/// Diagnoses `c` and stores a plan per problem that can be planned.
pub(crate) fn plan_one(
    c: &Collection,
    fresh: bool,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
    library: &Library,
) -> Result<CollectionPlan> {
    plan_collection(c, fresh, settings, store, conns, library, None)
}

/// Diagnoses `c` and stores a plan per problem that can be planned, or, with
/// `named`, one plan of that playbook under the same limits.
pub(crate) fn plan_collection(
    c: &Collection,
    fresh: bool,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
    library: &Library,
    named: Option<&Named>,
) -> Result<CollectionPlan> {
    let named = match named {
        Some(n) => {
            let playbook = &library
                .get(&n.playbook)
                .ok_or_else(|| {
                    crate::exit::usage(format!(
                        "no playbook named {} (see `ruvheal playbooks list`)",
                        n.playbook
                    ))
                })?
                .playbook;
            let given =
                plan::named::parse_params(playbook, &n.params).map_err(crate::exit::usage)?;
            Some((playbook, given))
        }
        None => None,
    };
    let (diagnosis, obs) = diagnose_one(c, fresh, settings, store, conns)?;
    let now = store.now()?;
    let collection_id = store.collection_id(&c.schema, &c.table, &c.column)?;
    let contract = settings.contract(&c.schema, &c.table);
    let mut params =
        plan::sizing::size(library, &obs.metrics, &settings.check, contract.min_recall);
    writer_role(c, settings, library, &mut params, conns)?;
    new_index(c, &contract, &obs.metrics, library, &mut params, conns)?;
    let limits = settings.plan.limits();
    let history = plans::history(
        &mut store.client,
        &store.schema,
        collection_id,
        limits.attempts_window_secs,
        now,
    )?;
    let weights = plans::weights(&mut store.client, &store.schema)?;
    let stopped = crate::store::learning::stopped(&mut store.client, &store.schema)?;
    let problems: Vec<ProblemRef> = diagnosis
        .problems
        .iter()
        .map(|p| ProblemRef {
            id: p.id,
            class: p.class,
            severity: p.severity,
            priority: p.priority,
            human_only: p.human_only().map(str::to_string),
            blocked_by: serde_json::from_value(p.evidence["blocked_by"].clone()).ok(),
        })
        .collect();
    let input = Input {
        problems: &problems,
        library,
        metrics: &obs.metrics,
        params: &params,
        history: &history,
        limits: &limits,
        weights: &weights,
        stopped: &stopped,
        now,
    };
    let decisions = match &named {
        Some((playbook, given)) => vec![plan::named::choose_named(&input, playbook, given)],
        None => plan::choose(&input),
    };
    let ctx = crate::catalog::playbook_context(&mut conns.detect, c)?;
    let key = settings.audit_key()?;
    let mut planned = Vec::new();
    let mut blocked = Vec::new();
    for d in decisions {
        let mut choice = match d {
            Decision::Planned(choice) => choice,
            Decision::Blocked { problem, reason } => {
                blocked.push((problem.class, problem.severity, reason));
                continue;
            }
        };
        let playbook = &library
            .get(&choice.playbook)
            .context("the chosen playbook vanished")?
            .playbook;
        let operator_sized = named
            .as_ref()
            .is_some_and(|(_, g)| g.contains_key("ef_search") || g.contains_key("probes"));
        let measured = if operator_sized {
            None
        } else {
            sized_by_measurement(c, settings, &obs.metrics, playbook, &mut choice, conns)?
        };
        // A playbook that cannot be rendered here (an extension it names through
        // schema_of() is not installed, no INVALID index to act on) is not planned.
        let method = c.ann_index().map(|i| i.method.as_str());
        let steps = match render_steps(playbook, ctx.clone(), &choice.params) {
            Ok(steps) => plan::steps::for_method(steps, method),
            Err(e) => {
                blocked.push((
                    choice.problem.class,
                    choice.problem.severity,
                    format!("{e:#}"),
                ));
                continue;
            }
        };
        let status = if choice.requires_approval() {
            crate::state::PlanStatus::AwaitingApproval
        } else {
            crate::state::PlanStatus::Ready
        };
        let new = NewPlan {
            collection_id,
            problem_id: choice.problem.id,
            problem_class: choice.problem.class.as_str().into(),
            playbook: choice.playbook.clone(),
            params: serde_json::to_value(&choice.params)?,
            status,
            requires_approval: choice.requires_approval(),
            impact: choice.impact,
            estimated_duration_ms: None,
            reason: match &measured {
                Some(m) => format!(
                    "{}; sized by measurement: {m}",
                    reason(&choice, named.is_some())
                ),
                None => reason(&choice, named.is_some()),
            },
            steps: steps
                .iter()
                .map(|s| {
                    Ok(NewStep {
                        ordinal: s.ordinal,
                        kind: s.kind.clone(),
                        name: s.name.clone(),
                        rendered: s.text(),
                        transactional: matches!(
                            &s.rendered,
                            crate::playbook::Rendered::Sql {
                                transaction: true,
                                ..
                            } | crate::playbook::Rendered::SetSetting { .. }
                        ),
                        undo: serde_json::to_value(StoredAction {
                            action: s.rendered.clone(),
                            undo: s.undo.clone(),
                        })?,
                    })
                })
                .collect::<Result<_>>()?,
        };
        let plan_id = plans::insert(&mut store.client, &store.schema, &new)?;
        audit::append(
            &mut store.client,
            &store.schema,
            &crate::audit::Entry {
                action: "plan".into(),
                collection: Some(c.collection.clone()),
                subject: serde_json::json!({"plan_id": plan_id, "playbook": choice.playbook,
                    "problem_class": choice.problem.class, "status": status, "params": choice.params}),
            },
            key.as_deref(),
        )?;
        let texts: Vec<String> = steps
            .iter()
            .filter_map(|s| match &s.rendered {
                crate::playbook::Rendered::Sql { sql, .. } => Some(sql.clone()),
                _ => None,
            })
            .collect();
        planned.push(PlannedReport {
            plan_id,
            status,
            choice,
            space: crate::plan::space::estimate(&texts, c),
            measured,
            steps,
        });
    }
    Ok(CollectionPlan {
        collection: c.collection.clone(),
        diagnosis_id: diagnosis.diagnosis_id,
        status: diagnosis.status,
        plans: planned,
        blocked: blocked
            .into_iter()
            .map(
                |(class, severity, reason)| crate::output::plan_report::Blocked {
                    class,
                    severity,
                    reason,
                },
            )
            .collect(),
    })
}

/// What measurement sized the choice, said in the plan: the search-breadth
/// ladder `check` measured (the value itself comes from [`plan::sizing`]), or,
/// for a rebuild with new HNSW build options, trial builds over a sample
/// ([`crate::detect::trial`]), which set `m` and `ef_construction`.
fn sized_by_measurement(
    c: &Collection,
    settings: &Settings,
    metrics: &std::collections::BTreeMap<String, f64>,
    playbook: &crate::playbook::Playbook,
    choice: &mut plan::Choice,
    conns: &mut Connections,
) -> Result<Option<String>> {
    use crate::playbook::ParamValue;
    let has = |p: &str| playbook.params.contains_key(p);
    let Some(index) = c.ann_index() else {
        return Ok(None);
    };
    if (has("ef_search") || has("probes")) && !has("m") {
        let name = if index.method == "hnsw" {
            "ef_search"
        } else {
            "probes"
        };
        let setting = if index.method == "hnsw" {
            "hnsw.ef_search"
        } else {
            "ivfflat.probes"
        };
        let (Some(ParamValue::Int(v)), Some(recall)) =
            (choice.params.get(name), metrics.get("recall.boosted_at_k"))
        else {
            return Ok(None);
        };
        let m = |k: &str| metrics.get(k).copied().unwrap_or(f64::NAN);
        return Ok(Some(format!(
            "{setting} {:.0} -> {v}, the smallest rung of the measured ladder that meets the contract: \
             recall {recall:.3} (interval from {:.3}), p99 {:.2} ms",
            m("recall.search_current"),
            m("recall.boosted_ci_low"),
            m("recall.boosted_p99_ms"),
        )));
    }
    if !(has("m") && has("ef_construction")) || index.method != "hnsw" {
        return Ok(None);
    }
    let option = |k: &str, metric: &str, default: i64| {
        metrics.get(metric).map(|v| *v as i64).unwrap_or_else(|| {
            index
                .options
                .get(k)
                .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
                .unwrap_or(default)
        })
    };
    let current = (
        option("m", "hnsw.m", 16),
        option("ef_construction", "hnsw.ef_construction", 64),
    );
    let contract = settings.contract(&c.schema, &c.table);
    let mut trial = crate::sql::connect(&settings.target()?)?;
    crate::sql::session::bounded(&mut trial, settings.check.statement_timeout())?;
    let Some(t) =
        crate::detect::trial::hnsw(&mut trial, &mut conns.detect, c, &contract, current, 0)?
    else {
        return Ok(None);
    };
    choice
        .params
        .insert("m".into(), ParamValue::Int(t.chosen.0));
    choice
        .params
        .insert("ef_construction".into(), ParamValue::Int(t.chosen.1));
    let summary = format!(
        "current m {} ef_construction {}; {}",
        current.0,
        current.1,
        t.summary()
    );
    log::info!("{}: {summary}", c.collection);
    Ok(Some(summary))
}

/// The role that writes `c` (pg_stat_activity, pg_stat_statements, else
/// `plan.writer_role`) for every playbook with a `writer_role` parameter.
fn writer_role(
    c: &Collection,
    settings: &Settings,
    library: &Library,
    params: &mut std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, crate::playbook::ParamValue>,
    >,
    conns: &mut Connections,
) -> Result<()> {
    let wants: Vec<String> = library
        .iter()
        .filter(|l| l.playbook.params.contains_key("writer_role"))
        .map(|l| l.playbook.name.clone())
        .collect();
    if wants.is_empty() {
        return Ok(());
    }
    let role = match crate::detect::writers::writer_role(&mut conns.detect, c)? {
        Some(r) => Some(r),
        None => settings.plan.writer_role.clone(),
    };
    let Some(role) = role else {
        return Ok(());
    };
    // The limit in force now is what the undo puts back.
    let previous = crate::detect::writers::connection_limit(&mut conns.detect, &role)?;
    for name in wants {
        let p = params.entry(name).or_default();
        p.insert(
            "writer_role".into(),
            crate::playbook::ParamValue::Str(role.clone()),
        );
        if let Some(limit) = previous {
            p.insert(
                "previous_limit".into(),
                crate::playbook::ParamValue::Int(i64::from(limit)),
            );
        }
    }
    Ok(())
}

/// For a playbook that creates the ANN index (`index_opclass`, `new_index_name`)
/// on a collection without a valid one: the operator class of the distance the
/// application's queries use (pg_stat_statements), else the contract's
/// `distance`, on the column's type; and a name no relation of the schema has.
fn new_index(
    c: &Collection,
    contract: &crate::config::CollectionContract,
    metrics: &std::collections::BTreeMap<String, f64>,
    library: &Library,
    params: &mut std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, crate::playbook::ParamValue>,
    >,
    conns: &mut Connections,
) -> Result<()> {
    let wants: Vec<String> = library
        .iter()
        .filter(|l| l.playbook.params.contains_key("index_opclass"))
        .map(|l| l.playbook.name.clone())
        .collect();
    if wants.is_empty() || metrics.get("index.ann_valid").is_some_and(|v| *v >= 1.0) {
        return Ok(());
    }
    use crate::detect::app_distance;
    let distance = match app_distance::in_use(&mut conns.detect, c)? {
        Some(d) => Some(d.to_string()),
        None => contract.distance.clone(),
    };
    let opclass = distance.and_then(|d| app_distance::hnsw_opclass(&c.type_name, &d));
    let name = crate::catalog::unused_relation_name(
        &mut conns.detect,
        &c.schema,
        &format!("{}_{}_hnsw_idx", c.table, c.column),
    )?;
    for p in wants {
        let p = params.entry(p).or_default();
        p.insert(
            "new_index_name".into(),
            crate::playbook::ParamValue::Str(name.clone()),
        );
        if let Some(o) = &opclass {
            p.insert(
                "index_opclass".into(),
                crate::playbook::ParamValue::Str(o.clone()),
            );
        }
    }
    Ok(())
}

fn reason(c: &plan::Choice, named: bool) -> String {
    let mut r = if named {
        let mut r = format!(
            "{} for {}: named by the operator (repair --playbook)",
            c.playbook, c.problem.class
        );
        for (_, note) in &c.alternatives {
            r.push_str(&format!("; {note}"));
        }
        r
    } else {
        format!(
            "{} for {}: best-scoring applicable playbook (score {:.3} = learned weight {:.2} x (1 - impact {:.2} / 2))",
            c.playbook, c.problem.class, c.score, c.weight, c.impact
        )
    };
    if c.requires_approval() {
        r.push_str(&format!(
            "; waits for approval: {}",
            c.approval_reasons.join("; ")
        ));
    }
    r
}
