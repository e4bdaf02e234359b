//! One file per subcommand, each the same shape: arguments -> engine -> report ->
//! output. No SQL and no printing here beyond handing a report to [`crate::output`].

mod check;
mod collections;
mod diagnose;
mod generated;
mod pending;
mod playbooks;

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
        Command::Plan(_) => pending::not_yet("plan", "planning remediations from playbooks"),
        Command::Repair(_) => pending::not_yet("repair", "executing and verifying repairs"),
        Command::Rollback(_) => pending::not_yet("rollback", "undoing repairs"),
        Command::Learn(_) => pending::not_yet("learn", "learning strategy weights"),
        Command::Heal(_) => pending::not_yet("heal", "the full healing cycle"),
        Command::Approve(_) => pending::not_yet("approve", "approving plans"),
        Command::Abort(_) => pending::not_yet("abort", "aborting plans"),
        Command::Status(_) => pending::not_yet("status", "reporting running and pending work"),
        Command::History(_) => pending::not_yet("history", "the repair history"),
        Command::Playbooks(command) => playbooks::run(&command, settings),
        Command::Audit(_) => pending::not_yet("audit", "the audit log"),
        Command::Completions(_) | Command::Man => unreachable!("handled in dispatch"),
    }
}
