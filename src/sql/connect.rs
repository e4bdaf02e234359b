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

/// Opens a connection described by `info`.
pub fn connect(info: &ConnInfo) -> Result<Client> {
    let fail = |reason: String| ConnectError {
        target: info.target(),
        reason,
    };
    let result = if info.sslmode == SslMode::Disable {
        info.config.connect(postgres::NoTls)
    } else {
        let tls = super::tls::client_config(info.sslmode, info.sslrootcert.as_deref())
            .map_err(|e| fail(format!("{e:#}")))?;
        info.config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
    };
    result.map_err(|e| fail(describe(&e)).into())
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
