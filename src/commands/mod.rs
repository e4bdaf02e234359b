//! One file per subcommand, each the same shape: arguments -> engine -> report ->
//! output. No SQL and no printing here beyond handing a report to [`crate::output`].

mod abort;
mod audit;
mod check;
mod collections;
mod decide;
mod diagnose;
mod feedback;
mod fleet;
mod generated;
mod heal;
mod heal_off;
mod history;
mod learn;
mod plan;
mod playbooks;
mod repair;
mod rollback;
mod status;
mod textfile;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::Settings;
use crate::exit::Exit;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> Result<Exit> {
    match cli.command {
        // These need no database and no configuration.
        Command::Completions(args) => generated::completions(args.shell),
        Command::Man => generated::man(),
        command => {
            let settings = Settings::resolve(&cli.global)?;
            run(command, &settings)
        }
    }
}

fn run(command: Command, settings: &Settings) -> Result<Exit> {
    match command {
        Command::Collections(args) => collections::run(&args, settings),
        Command::Check(args) => check::run(&args, settings),
        Command::Diagnose(args) => diagnose::run(&args, settings),
        Command::Plan(args) => plan::run(&args, settings),
        Command::Repair(args) => repair::run(&args, settings),
        Command::Rollback(args) => rollback::run(&args, settings),
        Command::Learn(args) => learn::run(&args, settings),
        Command::Heal(args) => heal::run(&args, settings),
        Command::Approve(args) => decide::run(&args, crate::state::PlanStatus::Approved, settings),
        Command::Abort(args) => abort::run(&args, settings),
        Command::Feedback(args) => feedback::run(&args, settings),
        Command::Status(args) => status::run(&args, settings),
        Command::History(args) => history::run(&args, settings),
        Command::Playbooks(command) => playbooks::run(&command, settings),
        Command::Audit(cmd) => audit::run(&cmd, settings),
        Command::Completions(_) | Command::Man => unreachable!("handled in dispatch"),
    }
}

/// Cleans up repairs a killed process left `running` (every command that opens
/// the state store and touches collections calls this first).
pub(crate) fn sweep_cut_short(
    settings: &crate::config::Settings,
    store: &mut crate::store::Store,
) -> anyhow::Result<()> {
    let info = settings.target()?;
    let key = settings.audit_key()?;
    crate::repair::recover::sweep(store, &info, key.as_deref())?;
    Ok(())
}

/// The sessions a collection command runs on and the collections it acts on:
/// `name` (`table` or `schema.table`; unknown is a usage error before anything
/// is opened in the state store), or every discovered collection when `None`.
pub(crate) fn collections(
    settings: &Settings,
    name: Option<&str>,
) -> Result<(check::Connections, Vec<crate::catalog::Collection>)> {
    let mut conns = check::Connections::open(settings)?;
    let found = crate::catalog::discover(&mut conns.detect, &settings.state_schema)?;
    let targets = match name {
        Some(name) => vec![crate::catalog::resolve(&found, name)?.clone()],
        None => found,
    };
    Ok((conns, targets))
}

/// For the commands that may act: drops what failed concurrent builds left on
/// `targets` (before anything is written to the state tables), then reads the
/// catalog again when something went.
pub(crate) fn clean_leftovers(
    settings: &Settings,
    conns: &mut check::Connections,
    targets: Vec<crate::catalog::Collection>,
) -> Result<Vec<crate::catalog::Collection>> {
    let info = settings.target()?;
    let mut dropped = false;
    for c in &targets {
        dropped |= !crate::repair::recover::drop_build_leftovers(&info, c)?.is_empty();
    }
    if !dropped {
        return Ok(targets);
    }
    let found = crate::catalog::discover(&mut conns.detect, &settings.state_schema)?;
    Ok(targets
        .into_iter()
        .map(|t| {
            found
                .iter()
                .find(|f| f.oid == t.oid && f.column == t.column)
                .cloned()
                .unwrap_or(t)
        })
        .collect())
}

/// The state store, after cleaning up repairs a killed process left behind and
/// pruning history older than `retention_days` (bounded batches).
pub(crate) fn store(settings: &Settings) -> Result<crate::store::Store> {
    let mut store = crate::store::Store::open(settings)?;
    sweep_cut_short(settings, &mut store)?;
    let pruned =
        crate::store::retention::prune(&mut store.client, &store.schema, settings.retention_days)?;
    if !pruned.is_empty() {
        log::info!(
            "retention ({} days): pruned {} observations ({} findings), {} diagnoses ({} problems), {} superseded plans",
            settings.retention_days,
            pruned.observations,
            pruned.findings,
            pruned.diagnoses,
            pruned.problems,
            pruned.plans
        );
    }
    Ok(store)
}

/// The state store for a command that is read-only on user objects (`check`):
/// its statements bounded like the detection sessions', and repairs a killed
/// process left behind reported, not cleaned up — the next command that may
/// act does that.
pub(crate) fn read_only_store(settings: &Settings) -> Result<crate::store::Store> {
    let mut store = crate::store::Store::open(settings)?;
    crate::sql::session::bounded(&mut store.client, settings.check.statement_timeout())?;
    for (id, collection) in crate::repair::recover::pending(&mut store, &settings.target()?)? {
        log::warn!(
            "repair {id} of {collection} was cut short; check leaves what it left as it is \
             (read-only): the next diagnose, plan, repair, rollback or heal cleans up after it"
        );
    }
    Ok(store)
}

/// Prints the one report of `--collection C`, else all of them wrapped by `all`
/// (`{"checks": [...]}` and the like).
pub(crate) fn emit_reports<R: crate::output::Report, A: crate::output::Report>(
    single: bool,
    mut reports: Vec<R>,
    all: impl FnOnce(Vec<R>) -> A,
    format: crate::cli::OutputFormat,
) -> Result<()> {
    if single && reports.len() == 1 {
        crate::output::emit(&reports.remove(0), format)
    } else {
        crate::output::emit(&all(reports), format)
    }
}
