//! ruvheal keeps PostgreSQL vector collections (pgvector HNSW and IVFFlat, and
//! RuVector's `ruvector` columns with its HNSW and IVFFlat) healthy.
//!
//! # Architecture
//!
//! Data flows one way through a cycle, one synchronous cycle per invocation:
//!
//! ```text
//! catalog (what collections exist)
//!   -> detect (check)  -> diagnose (with integrity) -> playbook/plan
//!   -> repair (execute, verify, rollback) -> learn
//! ```
//!
//! * [`cli`] parses; [`config`] resolves flags > environment > file > defaults.
//! * [`commands`] holds one file per subcommand: arguments -> engine -> report.
//! * [`output`] alone prints: tables or JSON on stdout, logs on stderr.
//! * Domain modules ([`catalog`], [`detect`], [`integrity`], [`diagnose`],
//!   [`plan`], [`repair`], [`learn`], [`audit`]) know nothing about terminals;
//!   [`integrity`], [`diagnose`], [`plan`], [`learn`] and [`audit`] are pure.
//! * [`playbook`] is the remediation language: model, templates, validation,
//!   the static safety pass and the bundled library (pure; the planner reads it).
//! * [`store`] owns the state tables and their migrations; [`sql`] owns
//!   connections and the one quoting helper every SQL string goes through.
//! * [`state`] holds the plan, repair and step state machines (below the store:
//!   it imports nothing of the crate).
//! * [`exit`] is the exit-code contract of DESIGN.md.

pub mod audit;
pub mod catalog;
pub mod cli;
pub mod clock;
mod commands;
pub mod config;
pub mod detect;
pub mod diagnose;
pub mod exit;
pub mod generated;
pub mod integrity;
pub mod learn;
pub mod output;
pub mod plan;
pub mod playbook;
pub mod repair;
pub mod sql;
pub mod state;
pub mod store;
pub mod vocab;

use std::ffi::OsString;

use clap::Parser;

use crate::exit::Exit;

/// Runs ruvheal with `args` (including the program name) and returns the exit status.
pub fn run<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Exit::Ok,
                _ => Exit::Usage,
            };
        }
    };
    output::log::init(cli.global.quiet, cli.global.verbose);
    match commands::dispatch(cli) {
        Ok(exit) => exit,
        Err(e) if exit::is_broken_pipe(&e) => Exit::Ok,
        Err(e) => {
            let room = sql::sqlstate(&e).and_then(|code| {
                let left = e.downcast_ref::<exit::Left>().is_some();
                exit::resource_line(&code, &format!("{e:#}"), left, repair::run::recorded())
            });
            match room {
                Some(line) => eprintln!("{line}"),
                None => eprintln!("error: {e:#}"),
            }
            if exit::connection_lost(&e) {
                eprintln!(
                    "hint: the connection to PostgreSQL was lost (server restart or crash?); \
                     a repair cut short is cleaned up by the next ruvheal run"
                );
            }
            exit::classify(&e)
        }
    }
}
