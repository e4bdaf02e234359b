//! Exit codes: the contract of `../shared/DESIGN.md` in one place.
//!
//! Commands return an [`Exit`] on success. Errors are mapped to a code here, at the
//! edge, by downcasting a few marker types anywhere in the error chain; anything
//! unmarked is `3` (unknown / internal).

use std::fmt;

/// The process exit status, as documented in DESIGN.md and the man page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Exit {
    /// 0: healthy, or the command did what was asked.
    Ok,
    /// 1: warning findings, or a plan waits for approval.
    Warning,
    /// 2: critical findings, or a repair failed or was rolled back.
    Critical,
    /// 3: unknown: could not connect, missing privilege or extension, internal error.
    Unknown,
    /// 64: usage error (bad flag, bad argument, bad configuration).
    Usage,
    /// 75: another ruvheal holds the collection's lock; try later.
    Locked,
}

impl Exit {
    /// The numeric process status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Warning => 1,
            Exit::Critical => 2,
            Exit::Unknown => 3,
            Exit::Usage => 64,
            Exit::Locked => 75,
        }
    }
}

/// The table printed in `--help` and the man page (EXIT STATUS).
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0   healthy, or the command did what was asked
  1   warning findings, or a plan waits for approval
  2   critical findings, or a repair failed or was rolled back
  3   unknown: could not connect, missing privilege or extension, internal error,
      or a capability this build does not have yet
  64  usage error: bad flag, argument, name or configuration file
  75  another ruvheal holds the collection's lock; try later
With --all every collection runs on its own (a failed one is reported with its
code and the next one runs); the status is the worst seen, ranked
0 < 75 < 1 < 2 < 3 < 64.";

/// Bad input from the user: flags, names, configuration. Exit 64.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

/// Another ruvheal process holds the collection's advisory lock. Exit 75.
#[derive(Debug)]
pub struct LockHeld(pub String);

impl fmt::Display for LockHeld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LockHeld {}

/// Builds a usage error (exit 64) with the given message.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

/// What an error means for the exit status.
pub fn classify(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if cause.is::<LockHeld>() {
            return Exit::Locked;
        }
    }
    Exit::Unknown
}

/// What a repair had done when writing ruvheal's state failed: carried as the
/// context of that error, for the last line ([`resource_line`]).
#[derive(Debug)]
pub struct Left(pub String);

impl fmt::Display for Left {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Left {}

/// The name of a SQLSTATE that means PostgreSQL ran out of room: 53100
/// `disk_full`, 53200 `out_of_memory`, 53400 `configuration_limit_exceeded`.
pub fn out_of_resources(sqlstate: &str) -> Option<&'static str> {
    match sqlstate {
        "53100" => Some("disk_full"),
        "53200" => Some("out_of_memory"),
        "53400" => Some("configuration_limit_exceeded"),
        _ => None,
    }
}

/// The one line printed when an error ran out of room in PostgreSQL
/// (typically writing ruvheal's own state): the SQLSTATE and its name, what was
/// being done (`chain`, flattened to one line) and what the run left. A repair
/// that was running says so itself in the chain (`has_left`: a [`Left`]
/// context); otherwise it comes from how many repairs this run ended and
/// recorded. `None` for any other SQLSTATE. The exit status stays 3.
pub fn resource_line(
    sqlstate: &str,
    chain: &str,
    has_left: bool,
    repairs_recorded: usize,
) -> Option<String> {
    let name = out_of_resources(sqlstate)?;
    let chain = chain.split_whitespace().collect::<Vec<_>>().join(" ");
    let left = match (has_left, repairs_recorded) {
        (true, _) => String::new(),
        (false, 0) => "; nothing was repaired".into(),
        (false, n) => format!(
            "; {n} repair(s) of this run ended and are recorded (ruvheal history); nothing ran after"
        ),
    };
    Some(format!(
        "error: PostgreSQL is out of room (SQLSTATE {sqlstate} {name}): {chain}{left}"
    ))
}

/// The reader of stdout went away (`ruvheal ... | head`). Only the output module
/// raises it, so a broken pipe elsewhere (a database socket the server closed)
/// stays an error.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stdout was closed")
    }
}
impl std::error::Error for StdoutClosed {}

/// True when the error is a closed stdout, which ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.is::<StdoutClosed>())
}

/// True when the error is a database connection that broke under us (the
/// server closed it, restarted or crashed), as opposed to an SQL error or a
/// connection that never opened. The driver exposes the I/O kind only through
/// its message.
pub fn connection_lost(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<postgres::Error>().is_some_and(|e| {
            e.is_closed()
                || e.to_string()
                    .starts_with("error communicating with the server")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn markers_are_found_anywhere_in_the_chain() {
        let e = Err::<(), _>(usage("bad flag"))
            .context("parsing")
            .unwrap_err();
        assert_eq!(classify(&e), Exit::Usage);
        let e = anyhow::Error::new(LockHeld("held".into())).context("repair");
        assert_eq!(classify(&e), Exit::Locked);
        assert_eq!(classify(&anyhow::anyhow!("boom")), Exit::Unknown);
    }

    #[test]
    fn running_out_of_room_is_one_line_with_the_sqlstate_and_what_was_left() {
        let chain = "storing the observation: db error: ERROR: could not extend file \"x\"\nHINT: Check free disk space.";
        let line = resource_line("53100", chain, false, 0).unwrap();
        assert_eq!(
            line,
            "error: PostgreSQL is out of room (SQLSTATE 53100 disk_full): storing the observation: \
             db error: ERROR: could not extend file \"x\" HINT: Check free disk space.; nothing was repaired"
        );
        assert!(!line.contains('\n'));
        // a running repair's own account is in the chain, and not said twice
        let line = resource_line("53200", "repair 4: step 1 ran: recording", true, 3).unwrap();
        assert!(
            line.contains("SQLSTATE 53200 out_of_memory")
                && line.ends_with("): repair 4: step 1 ran: recording"),
            "{line}"
        );
        let line = resource_line("53400", "x", false, 2).unwrap();
        assert!(line.contains("configuration_limit_exceeded"), "{line}");
        assert!(line.contains("2 repair(s) of this run ended"), "{line}");
        assert_eq!(resource_line("42501", "x", false, 0), None);
        assert_eq!(resource_line("53300", "x", false, 0), None);
    }

    #[test]
    fn only_a_closed_stdout_ends_quietly() {
        // A database socket the server closed is an error, even though its
        // io::Error is a broken pipe too.
        let socket = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("recording the repair");
        assert!(!is_broken_pipe(&socket));
        assert!(is_broken_pipe(
            &anyhow::Error::new(StdoutClosed).context("writing")
        ));
    }

    #[test]
    fn codes_match_the_contract() {
        let codes: Vec<u8> = [
            Exit::Ok,
            Exit::Warning,
            Exit::Critical,
            Exit::Unknown,
            Exit::Usage,
            Exit::Locked,
        ]
        .iter()
        .map(|e| e.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 64, 75]);
    }
}
