//! A private PostgreSQL cluster from `scripts/postgres scratch`, for scenarios
//! that crash or restart a server or need other server settings: the shared
//! test server is never touched.

use std::process::Command;

use postgres::{Client, NoTls};

use crate::harness::{postgres_script as script, ruvheal};

fn scratch(args: &[&str]) -> String {
    let out = Command::new(script())
        .arg("scratch")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/postgres scratch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A fresh cluster with the extensions the tests use, stopped and deleted when
/// dropped.
pub struct Scratch {
    /// Its name under scripts/postgres' scratch folder.
    pub name: String,
    /// URL of its `postgres` database.
    pub url: String,
}

impl Scratch {
    /// Starts a cluster; `settings` (`name=value`) go to its postgresql.conf.
    pub fn start(name: &str, settings: &[&str]) -> Scratch {
        let name = format!("{name}-{}", std::process::id());
        let mut args = vec!["start", name.as_str()];
        args.extend(settings);
        let url = scratch(&args);
        let s = Scratch { name, url };
        s.client()
            .batch_execute("CREATE EXTENSION vector; CREATE EXTENSION pageinspect;")
            .unwrap();
        s
    }

    /// A new connection.
    pub fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).unwrap()
    }

    /// The ruvheal binary pointed at this cluster.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = ruvheal();
        cmd.env("DATABASE_URL", &self.url);
        cmd
    }

    /// Runs `ruvheal <args> -o json` on it and parses stdout.
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value, String) {
        crate::harness::run_json(&mut self.cmd(), args)
    }

    /// Restarts it cleanly (`-m fast`).
    pub fn restart(&self) {
        scratch(&["restart", &self.name]);
    }
}

/// Crashes cluster `name` (`-m immediate`: every session cut, no checkpoint) and
/// starts it again; crash recovery runs.
pub fn crash_restart(name: &str) {
    scratch(&["crash-restart", name]);
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .args(["scratch", "stop", &self.name])
            .output();
    }
}
