//! Connection failures: one line naming host, port, database and user, never the
//! password, exit 3. Bad DSNs are usage errors (64).

use crate::harness::{admin_url, run, ruvheal};

/// A local port nothing listens on.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn unreachable_server_is_one_clear_line_and_exit_3() {
    let port = dead_port();
    let url = format!("postgres://alice:s3cr3t-pw@127.0.0.1:{port}/vectors?connect_timeout=3");
    let (code, stdout, stderr) = run(ruvheal().args(["collections", "--database-url", &url]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty());
    let line = stderr.trim();
    assert_eq!(line.lines().count(), 1, "{stderr}");
    for want in [
        "could not connect".to_string(),
        "host 127.0.0.1".to_string(),
        format!("port {port}"),
        "database vectors".to_string(),
        "user alice".to_string(),
    ] {
        assert!(line.contains(&want), "missing {want:?} in {line}");
    }
    assert!(!stderr.contains("s3cr3t"), "password leaked: {stderr}");
}

#[test]
fn libpq_environment_is_used_when_no_url_is_given() {
    let port = dead_port();
    let (code, _, stderr) = run(ruvheal()
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", port.to_string())
        .env("PGUSER", "envuser")
        .env("PGDATABASE", "envdb")
        .env("PGPASSWORD", "hunter2")
        .env("PGCONNECT_TIMEOUT", "2")
        .arg("collections"));
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "host 127.0.0.1 port {port} database envdb user envuser"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"));
}

#[test]
fn libpq_environment_connects_for_real() {
    let db = crate::harness::db();
    let url = url::Url::parse(&db.url).unwrap();
    let (code, stdout, stderr) = run(ruvheal()
        .env("PGHOST", url.host_str().unwrap())
        .env("PGPORT", url.port().unwrap().to_string())
        .env("PGUSER", url.username())
        .env("PGDATABASE", &db.name)
        .args(["collections", "-o", "json"]));
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["database"], db.name.as_str());
}

#[test]
fn tls_required_against_a_plain_server_fails_clearly() {
    let url = format!("{}?sslmode=require", admin_url());
    let (code, _, stderr) = run(ruvheal().args(["collections", "--database-url", &url]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("could not connect"), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("tls") || stderr.to_lowercase().contains("ssl"),
        "{stderr}"
    );
}

#[test]
fn application_name_is_ruvheal() {
    let db = crate::harness::db();
    // The state-less `collections` connects and exits; observe the name while it is connected
    // by asking the server for our own session through the library's connect.
    let info =
        ruvheal::sql::ConnInfo::resolve(Some(&db.url), std::time::Duration::from_secs(5)).unwrap();
    let mut c = ruvheal::sql::connect(&info).unwrap();
    let name: String = c
        .query_one("SELECT current_setting('application_name')", &[])
        .unwrap()
        .get(0);
    assert_eq!(name, "ruvheal");
}

#[test]
fn malformed_dsns_are_usage_errors() {
    for bad in [
        "host=h dbname",
        "postgres://h/db?sslmode=always",
        "host='open",
    ] {
        let (code, _, stderr) = run(ruvheal().args(["collections", "--database-url", bad]));
        assert_eq!(code, 64, "{bad}: {stderr}");
    }
}
