//! Configuration resolution: flags > environment > ./ruvheal.yaml > XDG config.

use crate::harness::{db, run, ruvheal};

fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!(
        "postgres://nobody@127.0.0.1:{}/deaddb",
        l.local_addr().unwrap().port()
    )
}

#[test]
fn flags_beat_env_beat_local_file_beat_xdg() {
    let good = db();
    let dir = tempfile::tempdir().unwrap();
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("ruvheal")).unwrap();

    // XDG file alone is used.
    std::fs::write(
        xdg.path().join("ruvheal/config.yaml"),
        format!("database_url: {}\noutput: json\n", good.url),
    )
    .unwrap();
    let (code, out, err) = run(ruvheal()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", xdg.path())
        .arg("collections"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.trim_start().starts_with('{'),
        "output: json from the file: {out}"
    );

    // ./ruvheal.yaml beats XDG.
    std::fs::write(
        dir.path().join("ruvheal.yaml"),
        format!("database_url: {}\n", dead_url()),
    )
    .unwrap();
    let (code, _, err) = run(ruvheal()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", xdg.path())
        .arg("collections"));
    assert_eq!(code, 3, "local file's dead URL must win: {err}");
    assert!(err.contains("deaddb"), "{err}");

    // Environment beats the file.
    let (code, _, err) = run(ruvheal()
        .current_dir(dir.path())
        .env("DATABASE_URL", &good.url)
        .arg("collections"));
    assert_eq!(code, 0, "{err}");

    // The flag beats the environment.
    let (code, _, err) = run(ruvheal()
        .current_dir(dir.path())
        .env("DATABASE_URL", &good.url)
        .args(["collections", "--database-url", &dead_url()]));
    assert_eq!(code, 3, "{err}");
}

#[test]
fn broken_config_file_is_a_usage_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "database_url: postgres://x/y\nstate_shema: typo\n").unwrap();
    let (code, out, err) = run(ruvheal().args(["collections", "--config"]).arg(&path));
    assert_eq!(code, 64, "{err}");
    assert!(out.is_empty());
    assert!(err.contains(&format!("{}:2:1:", path.display())), "{err}");
    assert!(err.contains("state_shema"), "{err}");

    let (code, _, err) =
        run(ruvheal().args(["collections", "--config", "/nonexistent/ruvheal.yaml"]));
    assert_eq!(code, 64, "{err}");
}
