//! The password file, as libpq reads it: `PGPASSFILE`, else `~/.pgpass`; lines
//! `hostname:port:database:username:password`, `#` comments, `*` matching any
//! value in the first four fields, `\:` and `\\` escapes, the first matching
//! line wins. `localhost` matches a Unix-socket connection through the default
//! socket folders (`/var/run/postgresql`, `/tmp`) too. A file that is not a
//! plain file, or that its group or others may read, is ignored with libpq's
//! warning. Only consulted when no password was given.
//!
//! Reads one file; never prints the password and never fails a connection.

use std::path::{Path, PathBuf};

/// What a password is looked up for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'a> {
    /// Host name, address or socket folder (empty: libpq's default).
    pub host: &'a str,
    /// Port as text.
    pub port: &'a str,
    /// Database name.
    pub database: &'a str,
    /// Role name.
    pub user: &'a str,
}

/// The socket folders that count as `localhost` (libpq's compiled-in default
/// on Debian, and upstream's).
const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/run/postgresql", "/tmp"];

/// The password file libpq would read: `PGPASSFILE`, else `$HOME/.pgpass`.
pub fn path() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    env("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))
}

/// The password for `key` from the file at `file`, if the file may be used and
/// a line matches.
pub fn lookup(file: &Path, key: &Key<'_>) -> Option<String> {
    if key.database.is_empty() || key.user.is_empty() {
        return None;
    }
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() {
        log::warn!("password file \"{}\" is not a plain file", file.display());
        return None;
    }
    if insecure(&meta) {
        log::warn!(
            "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
            file.display()
        );
        return None;
    }
    let text = std::fs::read(file).ok()?;
    find(&String::from_utf8_lossy(&text), key)
}

#[cfg(unix)]
fn insecure(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn insecure(_: &std::fs::Metadata) -> bool {
    false
}

/// The password of the first line of `text` matching `key`.
pub fn find(text: &str, key: &Key<'_>) -> Option<String> {
    let host = if key.host.is_empty() || DEFAULT_SOCKET_DIRS.contains(&key.host) {
        "localhost"
    } else {
        key.host
    };
    let port = if key.port.is_empty() {
        "5432"
    } else {
        key.port
    };
    for line in text.split('\n') {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let rest = [host, port, key.database, key.user]
            .iter()
            .try_fold(line, |rest, want| field_matches(rest, want));
        if let Some(rest) = rest {
            return Some(password(rest));
        }
    }
    None
}

/// If the field at the start of `line` matches `want` (`*` matches anything),
/// the text after its `:`.
fn field_matches<'t>(line: &'t str, want: &str) -> Option<&'t str> {
    if let Some(rest) = line.strip_prefix("*:") {
        return Some(rest);
    }
    let mut value = String::new();
    let mut chars = line.char_indices();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => return None,
            },
            ':' => return (value == want).then(|| &line[i + 1..]),
            c => value.push(c),
        }
    }
    None
}

/// The password field: up to an unescaped `:` or the end, escapes removed.
fn password(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' if chars.peek().is_some() => out.extend(chars.next()),
            ':' => break,
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(host: &'a str, port: &'a str, database: &'a str, user: &'a str) -> Key<'a> {
        Key {
            host,
            port,
            database,
            user,
        }
    }

    #[test]
    fn first_match_wins_with_wildcards_and_escapes() {
        let file = "\
# comment:*:*:*:nope
db1.example:5432:app:alice:first
*:*:app:alice:second
*:*:*:bob:b\\:c\\\\d:ignored
h\\:x:6000:*:*:colon-host\r
*:*:*:*:fallback
";
        let cases = [
            (key("db1.example", "5432", "app", "alice"), "first"),
            (key("db2.example", "5432", "app", "alice"), "second"),
            (key("db1.example", "5433", "app", "alice"), "second"),
            (key("x", "1", "other", "bob"), "b:c\\d"),
            (key("h:x", "6000", "z", "z"), "colon-host"),
            (key("x", "1", "other", "alice"), "fallback"),
        ];
        for (k, want) in cases {
            assert_eq!(find(file, &k).as_deref(), Some(want), "{k:?}");
        }
    }

    #[test]
    fn fields_match_exactly_and_a_star_only_as_a_whole_field() {
        let file = "db:5432:app:alice:pw\nd\\*:5432:app:alice:star\n";
        assert_eq!(find(file, &key("db", "5432", "app", "alic")), None);
        assert_eq!(find(file, &key("db", "5432", "apps", "alice")), None);
        assert_eq!(find(file, &key("db", "5433", "app", "alice")), None);
        assert_eq!(
            find(file, &key("d*", "5432", "app", "alice")).as_deref(),
            Some("star")
        );
        assert_eq!(find(file, &key("dx", "5432", "app", "alice")), None);
        // too few fields never match
        assert_eq!(find("db:5432:app\n", &key("db", "5432", "app", "x")), None);
    }

    #[test]
    fn localhost_matches_the_default_socket_folders_and_an_empty_host() {
        let file = "localhost:5432:app:alice:local\n/srv/sock:5432:app:alice:srv\n";
        for host in ["localhost", "", "/var/run/postgresql", "/tmp"] {
            assert_eq!(
                find(file, &key(host, "5432", "app", "alice")).as_deref(),
                Some("local"),
                "{host}"
            );
        }
        assert_eq!(
            find(file, &key("/srv/sock", "", "app", "alice")).as_deref(),
            Some("srv")
        );
        assert_eq!(find(file, &key("127.0.0.1", "5432", "app", "alice")), None);
    }
}
