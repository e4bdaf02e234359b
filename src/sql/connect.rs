//! Opening connections: one clear error line on failure, naming where (never the
//! password), marked so that it exits 3.

use anyhow::Result;
use postgres::Client;

use super::conninfo::{ConnInfo, SslMode, Target};

/// A connection failure: which server, and why. Exit 3.
#[derive(Debug)]
pub struct ConnectError {
    /// Where the connection went.
    pub target: Target,
    /// The driver's reason.
    pub reason: String,
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "could not connect to PostgreSQL at {}: {}",
            self.target, self.reason
        )
    }
}
impl std::error::Error for ConnectError {}

/// Opens a connection described by `info`, pinned: the session's
/// [`PINNED`] settings are sent in the startup packet, after any the user gave,
/// so they beat every database-, role- and user-level setting and are what
/// `RESET` and `RESET ALL` return to. The pin is then read back from the server;
/// a session where it did not take is refused.
pub fn connect(info: &ConnInfo) -> Result<Client> {
    let fail = |reason: String| ConnectError {
        target: info.target(),
        reason,
    };
    let mut config = info.config.clone();
    config.options(&startup_options(config.get_options()));
    let result = if info.sslmode == SslMode::Disable {
        config.connect(postgres::NoTls)
    } else {
        let tls = super::tls::client_config(info.sslmode, info.sslrootcert.as_deref())
            .map_err(|e| fail(format!("{e:#}")))?;
        config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
    };
    let mut client = result.map_err(|e| fail(describe(&e)))?;
    super::session::verify_pinned(&mut client)?;
    Ok(client)
}

/// Settings every ruvheal session starts with, `(name, value)`:
/// * `search_path`: only `pg_catalog` (and the session's own `pg_temp`, which
///   PostgreSQL never searches for functions or operators), so no schema a user
///   can create, and no `ALTER DATABASE/ROLE ... SET search_path`, changes what a
///   name means; everything else ruvheal names is schema-qualified;
/// * `client_connection_check_interval`: the server notices within a second
///   that ruvheal is gone and cancels its statement (a killed ruvheal's
///   REINDEX does not run on, holding the collection lock);
/// * `lock_timeout` and `statement_timeout`: no statement waits on a lock or
///   runs unbounded, whatever the database's defaults (commands and steps
///   tighten or widen them with `SET`, and reset only what they set).
pub const PINNED: &[(&str, &str)] = &[
    ("search_path", "pg_catalog,pg_temp"),
    ("client_connection_check_interval", "1s"),
    ("lock_timeout", "5s"),
    ("statement_timeout", "1h"),
];

/// The startup `options`: the user's, then ours (the last `-c` of a name wins).
fn startup_options(user: Option<&str>) -> String {
    let mut parts: Vec<String> = user
        .filter(|o| !o.trim().is_empty())
        .map(|o| vec![o.trim().to_string()])
        .unwrap_or_default();
    parts.extend(
        PINNED
            .iter()
            .map(|(name, value)| format!("-c {name}={value}")),
    );
    parts.join(" ")
}

/// The driver's error with its cause, in one line.
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(cause) = src {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        src = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_settings_come_after_the_users_options() {
        let o = startup_options(Some("-c search_path=evil -c work_mem=64MB"));
        assert!(
            o.starts_with("-c search_path=evil -c work_mem=64MB -c search_path=pg_catalog,pg_temp")
        );
        assert!(o.ends_with("-c statement_timeout=1h"));
        assert_eq!(
            startup_options(None),
            "-c search_path=pg_catalog,pg_temp -c client_connection_check_interval=1s \
             -c lock_timeout=5s -c statement_timeout=1h"
        );
    }
}
