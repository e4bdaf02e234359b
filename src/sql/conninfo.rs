//! Connection parameters: a URL or key=value DSN, completed from the libpq
//! environment variables and libpq's defaults, the way `psql` would.
//!
//! The parameters tokio-postgres does not know (`sslmode=verify-ca|verify-full`,
//! `sslrootcert`) are taken out here and handled by [`super::tls`].

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Result;
use postgres::config::Host;

use crate::exit::usage;

/// libpq's `sslmode`, all six values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disable,
    /// Plain first; TLS if the server insists (treated as `prefer`).
    Allow,
    /// TLS when the server offers it, unverified (libpq's default).
    Prefer,
    /// TLS always, certificate not verified.
    Require,
    /// TLS always, certificate chain verified, host name not.
    VerifyCa,
    /// TLS always, chain and host name verified.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(usage(format!(
                    "invalid sslmode {other:?}: use disable, allow, prefer, require, verify-ca or verify-full"
                )));
            }
        })
    }
}

/// Everything needed to open one connection.
pub struct ConnInfo {
    /// tokio-postgres configuration (host, port, user, database, password, ...).
    pub config: postgres::Config,
    /// The TLS policy.
    pub sslmode: SslMode,
    /// Root certificates for `verify-*`: a PEM file, or `system`.
    pub sslrootcert: Option<String>,
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnInfo({}, sslmode={:?})", self.target(), self.sslmode)
    }
}

/// Reads one environment variable, treating empty as unset.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ConnInfo {
    /// Parses `input` (URL or DSN; `None` for libpq environment only) and completes
    /// it from `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`,
    /// `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME`, the password file
    /// (`PGPASSFILE` or `~/.pgpass`, see [`super::pgpass`]) and libpq's defaults.
    pub fn resolve(input: Option<&str>, connect_timeout: Duration) -> Result<Self> {
        let (rest, mut sslmode, mut sslrootcert) = match input {
            Some(s) => split_tls_params(s)?,
            None => (String::new(), None, None),
        };
        let mut config = if rest.trim().is_empty() {
            postgres::Config::new()
        } else {
            postgres::Config::from_str(&rest).map_err(|e| {
                usage(format!(
                    "invalid database URL or DSN ({e}); expected postgres://user@host:port/db or 'host=... dbname=...'"
                ))
            })?
        };
        if config.get_hosts().is_empty() {
            match env("PGHOST") {
                Some(h) => {
                    for part in h.split(',') {
                        config.host(part);
                    }
                }
                None => default_host(&mut config),
            }
        }
        if config.get_ports().is_empty() {
            let port = match env("PGPORT") {
                Some(p) => p
                    .parse::<u16>()
                    .map_err(|_| usage(format!("invalid PGPORT {p:?}")))?,
                None => 5432,
            };
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .or_else(|| env("LOGNAME"))
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let db = env("PGDATABASE").unwrap_or_else(|| config.get_user().unwrap_or("").into());
            config.dbname(&db);
        }
        if let (None, Some(pw)) = (config.get_password(), env("PGPASSWORD")) {
            config.password(pw);
        }
        if config.get_password().is_none()
            && let Some(pw) = super::pgpass::path().and_then(|f| pgpass_for(&config, &f))
        {
            config.password(pw);
        }
        if config.get_application_name().is_none() {
            config.application_name(&env("PGAPPNAME").unwrap_or_else(|| "ruvheal".into()));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(connect_timeout);
        }
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(30));
        if sslmode.is_none() {
            sslmode = env("PGSSLMODE").map(|m| m.parse()).transpose()?;
        }
        if sslrootcert.is_none() {
            sslrootcert = env("PGSSLROOTCERT");
        }
        let sslmode = sslmode.unwrap_or(SslMode::Prefer);
        config.ssl_mode(match sslmode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        Ok(ConnInfo {
            config,
            sslmode,
            sslrootcert,
        })
    }

    /// Where this connects, for messages: host, port, database and user; never the password.
    pub fn target(&self) -> Target {
        let host = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(s) => s.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect::<Vec<_>>()
            .join(",");
        let port = self
            .config
            .get_ports()
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Target {
            host,
            port,
            database: self.config.get_dbname().unwrap_or("").to_string(),
            user: self.config.get_user().unwrap_or("").to_string(),
        }
    }
}

/// Where a connection goes, safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name, address or socket folder (comma-separated when several).
    pub host: String,
    /// Port(s).
    pub port: String,
    /// Database name.
    pub database: String,
    /// Role name.
    pub user: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "host {} port {} database {} user {}",
            self.host, self.port, self.database, self.user
        )
    }
}

/// The password file's password for the first host and port of `config`.
fn pgpass_for(config: &postgres::Config, file: &std::path::Path) -> Option<String> {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(s)) => s.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => String::new(),
    };
    let port = config
        .get_ports()
        .first()
        .map_or(String::new(), u16::to_string);
    super::pgpass::lookup(
        file,
        &super::pgpass::Key {
            host: &host,
            port: &port,
            database: config.get_dbname().unwrap_or(""),
            user: config.get_user().unwrap_or(""),
        },
    )
}

/// libpq's default: the Debian socket folder, then /tmp, then localhost.
fn default_host(config: &mut postgres::Config) {
    let port = env("PGPORT").unwrap_or_else(|| "5432".into());
    for dir in ["/var/run/postgresql", "/tmp"] {
        if PathBuf::from(dir).join(format!(".s.PGSQL.{port}")).exists() {
            config.host_path(dir);
            return;
        }
    }
    config.host("localhost");
}

/// Takes `sslmode` and `sslrootcert` out of a URL's query or a DSN's pairs.
fn split_tls_params(input: &str) -> Result<(String, Option<SslMode>, Option<String>)> {
    let trimmed = input.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        split_url(trimmed)
    } else {
        split_dsn(trimmed)
    }
}

fn split_url(input: &str) -> Result<(String, Option<SslMode>, Option<String>)> {
    let Some(qpos) = input.find('?') else {
        return Ok((input.to_string(), None, None));
    };
    let (base, query) = input.split_at(qpos);
    let (mut sslmode, mut rootcert) = (None, None);
    let mut kept = Vec::new();
    for (k, v) in url::form_urlencoded::parse(&query.as_bytes()[1..]) {
        match k.as_ref() {
            "sslmode" => sslmode = Some(v.parse()?),
            "sslrootcert" => rootcert = Some(v.into_owned()),
            _ => kept.push((k.into_owned(), v.into_owned())),
        }
    }
    if kept.is_empty() {
        return Ok((base.to_string(), sslmode, rootcert));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    Ok((format!("{base}?{query}"), sslmode, rootcert))
}

/// Splits a libpq key=value string (values may be single-quoted, with `\'` and `\\`).
fn split_dsn(input: &str) -> Result<(String, Option<SslMode>, Option<String>)> {
    let (mut sslmode, mut rootcert) = (None, None);
    let mut kept = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_whitespace())).collect();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(usage(format!(
                "invalid DSN: expected key=value after {key:?}"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(usage("invalid DSN: unterminated quoted value")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        match key.as_str() {
            "sslmode" => sslmode = Some(value.parse()?),
            "sslrootcert" => rootcert = Some(value),
            _ => kept.push(format!(
                "{key}='{}'",
                value.replace('\\', "\\\\").replace('\'', "\\'")
            )),
        }
    }
    Ok((kept.join(" "), sslmode, rootcert))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(s: &str) -> ConnInfo {
        ConnInfo::resolve(Some(s), Duration::from_secs(5)).unwrap()
    }

    #[test]
    fn url_with_verify_full_is_understood() {
        let c = resolve(
            "postgres://alice:secret@db.example:6543/vec?sslmode=verify-full&sslrootcert=/ca.pem&application_name=x",
        );
        assert_eq!(c.sslmode, SslMode::VerifyFull);
        assert_eq!(c.sslrootcert.as_deref(), Some("/ca.pem"));
        assert_eq!(c.config.get_application_name(), Some("x"));
        let t = c.target();
        assert_eq!(
            t.to_string(),
            "host db.example port 6543 database vec user alice"
        );
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn dsn_pairs_with_quotes_are_understood() {
        let c =
            resolve(r"host=h port=1 dbname='my db' user=bob password='a\'b c' sslmode=verify-ca");
        assert_eq!(c.sslmode, SslMode::VerifyCa);
        assert_eq!(c.config.get_dbname(), Some("my db"));
        assert_eq!(c.config.get_password(), Some(&b"a'b c"[..]));
        assert_eq!(c.config.get_application_name(), Some("ruvheal"));
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        for bad in [
            "postgres://h/db?sslmode=sometimes",
            "host=h dbname",
            "host='unterminated",
            "postgres://h:notaport/db",
        ] {
            let e = ConnInfo::resolve(Some(bad), Duration::from_secs(1)).unwrap_err();
            assert_eq!(
                crate::exit::classify(&e),
                crate::exit::Exit::Usage,
                "{bad}: {e:#}"
            );
        }
    }
}
