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
