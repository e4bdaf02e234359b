//! One file per subcommand, each the same shape: arguments -> engine -> report ->
//! output. No SQL and no printing here beyond handing a report to [`crate::output`].

mod audit;
mod check;
mod collections;
mod decide;
mod diagnose;
mod generated;
mod heal;
mod history;
mod learn;
mod plan;
mod playbooks;
mod repair;
mod rollback;
mod status;

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
        Command::Approve(args) => decide::run(&args, "approved", settings),
        Command::Abort(args) => decide::run(&args, "aborted", settings),
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
    let info =
        crate::sql::ConnInfo::resolve(settings.database_url.as_deref(), settings.connect_timeout)?;
    let key = settings.audit_key()?;
    crate::repair::recover::sweep(store, &info, key.as_deref())?;
    Ok(())
}
