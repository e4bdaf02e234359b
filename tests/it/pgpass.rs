//! `~/.pgpass` and `PGPASSFILE` against a role that needs its password: a
//! private cluster (`scripts/postgres scratch`) whose TCP connections use
//! scram-sha-256 for every role but `postgres`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::harness::{run, ruvheal};
use crate::scratch::Scratch;

const PASSWORD: &str = r"se:cr\et";

/// The scratch cluster with scram on TCP and role `pw_user` (password
/// [`PASSWORD`]); returns it and its port.
fn scram_cluster() -> (Scratch, String) {
    let s = Scratch::start("pgpass", &[]);
    let mut c = s.client();
    let hba: String = c.query_one("SHOW hba_file", &[]).unwrap().get(0);
    c.batch_execute(&format!(
        "COPY (VALUES ('local all all trust'), ('host all postgres 127.0.0.1/32 trust'),
                      ('host all all 127.0.0.1/32 scram-sha-256')) TO '{hba}';
         SET password_encryption = 'scram-sha-256';
         CREATE ROLE pw_user LOGIN PASSWORD 'se:cr\\et';
         SELECT pg_reload_conf();"
    ))
    .unwrap();
    let port = s
        .url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap()
        .to_string();
    // the reload is asynchronous: wait until a password-less login is refused
    let url = format!("postgres://pw_user@127.0.0.1:{port}/postgres");
    for _ in 0..100 {
        if postgres::Client::connect(&url, postgres::NoTls).is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (s, port)
}

fn pgpass(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_password_file_logs_in_only_when_it_matches_and_is_private() {
    let (_s, port) = scram_cluster();
    let home = tempfile::tempdir().unwrap();
    let url = format!("postgres://pw_user@127.0.0.1:{port}/postgres");
    let collections = |extra: &[(&str, &Path)]| {
        let mut cmd = ruvheal();
        cmd.env("HOME", home.path())
            .env("DATABASE_URL", &url)
            .arg("collections");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        run(&mut cmd)
    };

    // no password anywhere: scram refuses
    let (code, _, err) = collections(&[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("password"), "{err}");

    // the first matching line wins; \: and \\ are escapes; * is any value
    let file = home.path().join(".pgpass");
    let text = format!(
        "# a comment:*:*:*:wrong\n\
         127.0.0.1:{port}:otherdb:pw_user:wrong\n\
         *:{port}:postgres:pw_user:se\\:cr\\\\et\n\
         *:*:*:*:wrong\n"
    );
    pgpass(&file, &text, 0o600);
    let (code, out, err) = collections(&[]);
    assert_eq!(code, 0, "{out} {err}");
    assert!(!err.contains(PASSWORD) && !out.contains(PASSWORD));

    // group or others may read it: ignored, with libpq's warning
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = collections(&[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!(
            "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
            file.display()
        )),
        "{err}"
    );

    // PGPASSFILE names the file instead of ~/.pgpass
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let other = home.path().join("elsewhere");
    pgpass(
        &other,
        &format!("127.0.0.1:{port}:postgres:pw_user:wrong\n"),
        0o600,
    );
    let (code, _, err) = collections(&[("PGPASSFILE", &other)]);
    assert_eq!(code, 3, "PGPASSFILE's wrong password is used: {err}");
    pgpass(&other, &text, 0o400);
    let (code, _, err) = collections(&[("PGPASSFILE", &other)]);
    assert_eq!(code, 0, "{err}");

    // a line for another port never matches
    pgpass(&file, "127.0.0.1:1:postgres:pw_user:se\\:cr\\\\et\n", 0o600);
    let (code, _, err) = collections(&[]);
    assert_eq!(code, 3, "{err}");
}
