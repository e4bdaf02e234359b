//! `ruvheal check`: measure a collection, store an observation, report findings.

use anyhow::Result;

use crate::catalog::Collection;
use crate::cli::CheckArgs;
use crate::config::Settings;
use crate::detect::check::{self, Sessions};
use crate::detect::context::Ctx;
use crate::exit::Exit;
use crate::output::{self, check_report::CheckReport};
use crate::sql::{self, session};
use crate::store::{Store, observations};

/// Checks one collection (or all) and exits by the worst finding.
pub fn run(args: &CheckArgs, settings: &Settings) -> Result<Exit> {
    let (mut conns, targets) = super::collections(settings, args.target.collection.as_deref())?;
    let mut store = super::read_only_store(settings)?;
    let single = args.target.collection.is_some();
    let seed = args.seed.unwrap_or(0);
    let fleet = super::fleet::each(single, &targets, settings, &mut conns, |c, conns, out| {
        out.push(check_one(c, seed, settings, &mut store, conns)?);
        Ok(())
    })?;
    let exit = fleet.exit(CheckReport::exit);
    if let Some(path) = &args.prometheus_textfile {
        output::prometheus::write_atomic(
            path,
            &output::check_report::prometheus(&fleet.reports, &fleet.errors),
        )?;
    }
    let errors = fleet.errors;
    super::emit_reports(
        single,
        fleet.reports,
        |checks| output::check_report::CheckAll { checks, errors },
        settings.output,
    )?;
    Ok(exit)
}

/// The sessions a check runs on.
pub(crate) struct Connections {
    /// Read-only detection session.
    pub detect: postgres::Client,
    /// Read-only session for the index pages (read concurrently with the probe).
    pub pages: postgres::Client,
    /// Session with the application's default settings.
    pub app: postgres::Client,
}

impl Connections {
    /// Opens the three sessions to the collections' database.
    pub fn open(settings: &Settings) -> Result<Self> {
        let info = settings.target()?;
        let timeout = settings.check.statement_timeout();
        let mut detect = sql::connect(&info)?;
        session::read_only(&mut detect, timeout)?;
        let mut pages = sql::connect(&info)?;
        session::read_only(&mut pages, timeout)?;
        let mut app = sql::connect(&info)?;
        session::bounded(&mut app, timeout)?;
        Ok(Self { detect, pages, app })
    }
}

/// Checks one collection and stores the observation.
pub(crate) fn check_one(
    c: &Collection,
    seed: u64,
    settings: &Settings,
    store: &mut Store,
    conns: &mut Connections,
) -> Result<CheckReport> {
    let Connections { detect, pages, app } = conns;
    let started = std::time::Instant::now();
    let now = store.now()?;
    let contract = settings.contract(&c.schema, &c.table);
    let id = store.collection_id(&c.schema, &c.table, &c.column)?;
    let previous = observations::previous(&mut store.client, &store.schema, id)?;
    let history = observations::history(
        &mut store.client,
        &store.schema,
        id,
        now,
        settings.check.baseline_window_days,
    )?;
    let ctx = Ctx {
        collection: c,
        contract: &contract,
        config: &settings.check,
        previous: &previous,
        now,
    };
    let spinner = output::progress::Spinner::start(
        settings.progress && settings.output == crate::cli::OutputFormat::Table,
        format!("checking {}", c.collection),
    );
    let result = check::run(Sessions { detect, app, pages }, &ctx, &history, seed);
    spinner.finish();
    let (mut measured, baselines) = result?;
    let mut fit = None;
    if let Some(node) = measured.get("index.relfilenode") {
        // Baselines of this physical index: its first observation by ruvheal.
        let mut first = |metric: &str| {
            observations::first_value_where(
                &mut store.client,
                &store.schema,
                id,
                metric,
                "index.relfilenode",
                node,
            )
        };
        let first_ins = first("table.n_tup_ins")?;
        let first_distance = first("ivfflat.center_distance")?;
        crate::detect::table_state::since_build(&mut measured, first_ins);
        if let (Some(current), Some(baseline)) =
            (measured.get("ivfflat.center_distance"), first_distance)
        {
            fit = Some(baseline / current);
        }
        if let (Some(current), Some(baseline)) =
            (measured.get("ivfflat.center_distance"), first_distance)
            && let Some(f) = crate::detect::index_health::drift(
                current,
                baseline,
                settings.check.drift_ratio_warning,
            )
        {
            measured.push(f);
        }
    }
    crate::detect::integrity::record(&ctx, fit, &mut measured);
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let observation_id = observations::record(
        &mut store.client,
        &store.schema,
        id,
        now,
        duration_ms,
        &measured,
        &baselines,
    )?;
    Ok(CheckReport::new(
        c,
        ctx.ann_index(),
        now,
        observation_id,
        duration_ms,
        measured,
    ))
}
