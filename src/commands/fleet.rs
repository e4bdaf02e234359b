//! `--all`: every collection on its own. An error on one collection (its lock
//! held by another ruvheal, a playbook that does not render, a query that
//! fails) is reported against that collection and the run goes on with the
//! next; the exit status is the worst one seen, by [`rank`]. With
//! `--collection C` the error is the command's, as before.
//!
//! Owns the loop only: no SQL, no printing beyond one stderr line per failure.

use anyhow::Result;

use super::check::Connections;
use crate::catalog::Collection;
use crate::config::Settings;
use crate::exit::{self, Exit};
use crate::output::fleet_report::CollectionError;

/// What a run over the collections produced.
pub(crate) struct Fleet<R> {
    /// The reports of the collections that ran (several per collection for `heal`).
    pub reports: Vec<R>,
    /// The collections that failed, with their exit code and error.
    pub errors: Vec<CollectionError>,
}

/// How bad an exit status is when several collections are summed up in one:
/// `0 < 75 < 1 < 2 < 3 < 64`. A held lock (75) means another ruvheal is at
/// work on that collection, so any finding elsewhere says more; an error (3)
/// means ruvheal could not tell a collection's state at all, which is worse
/// than any state it could tell; a usage error (64) means the command itself
/// is wrong.
pub(crate) fn rank(e: Exit) -> u8 {
    match e {
        Exit::Ok => 0,
        Exit::Locked => 1,
        Exit::Warning => 2,
        Exit::Critical => 3,
        Exit::Unknown => 4,
        Exit::Usage => 5,
    }
}

/// The worst of `exits` by [`rank`]; `Ok` when there are none.
pub(crate) fn worst(exits: impl IntoIterator<Item = Exit>) -> Exit {
    exits
        .into_iter()
        .max_by_key(|e| rank(*e))
        .unwrap_or(Exit::Ok)
}

impl<R> Fleet<R> {
    /// The worst exit status over the reports (`of` gives a report's) and the errors.
    pub fn exit(&self, of: impl Fn(&R) -> Exit) -> Exit {
        worst(
            self.reports
                .iter()
                .map(of)
                .chain(self.errors.iter().map(|e| code_exit(e.exit))),
        )
    }
}

/// The [`Exit`] of a numeric status (an unknown number is `Unknown`).
pub(crate) fn code_exit(code: u8) -> Exit {
    match code {
        0 => Exit::Ok,
        1 => Exit::Warning,
        2 => Exit::Critical,
        64 => Exit::Usage,
        75 => Exit::Locked,
        _ => Exit::Unknown,
    }
}

/// Runs `one` for every target. `single` (`--collection C`): an error ends the
/// command. Otherwise an error is recorded against its collection, the
/// detection sessions are opened afresh (a failed statement may have left them
/// in any state) and the next collection runs.
pub(crate) fn each<R>(
    single: bool,
    targets: &[Collection],
    settings: &Settings,
    conns: &mut Connections,
    mut one: impl FnMut(&Collection, &mut Connections, &mut Vec<R>) -> Result<()>,
) -> Result<Fleet<R>> {
    let mut fleet = Fleet {
        reports: Vec::new(),
        errors: Vec::new(),
    };
    let mut rest = targets.iter();
    while let Some(c) = rest.next() {
        let Err(e) = one(c, conns, &mut fleet.reports) else {
            continue;
        };
        if single {
            return Err(e);
        }
        fleet.errors.push(failed(c, &e));
        if let Err(e) = Connections::open(settings).map(|fresh| *conns = fresh) {
            // The server is gone for everyone: say so for each one left.
            for c in rest.by_ref() {
                fleet.errors.push(failed(c, &e));
            }
        }
    }
    Ok(fleet)
}

fn failed(c: &Collection, e: &anyhow::Error) -> CollectionError {
    let code = exit::classify(e).code();
    log::error!("{}: {e:#}", c.collection);
    CollectionError {
        collection: c.collection.clone(),
        exit: code,
        error: format!("{e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_ranks_below_any_finding_and_an_error_above_all_states() {
        assert_eq!(worst([Exit::Ok, Exit::Locked]), Exit::Locked);
        assert_eq!(worst([Exit::Locked, Exit::Warning]), Exit::Warning);
        assert_eq!(worst([Exit::Critical, Exit::Locked]), Exit::Critical);
        assert_eq!(worst([Exit::Critical, Exit::Unknown]), Exit::Unknown);
        assert_eq!(worst([Exit::Usage, Exit::Unknown]), Exit::Usage);
        assert_eq!(worst([]), Exit::Ok);
        for e in [
            Exit::Ok,
            Exit::Warning,
            Exit::Critical,
            Exit::Unknown,
            Exit::Usage,
            Exit::Locked,
        ] {
            assert_eq!(code_exit(e.code()), e);
        }
    }
}
