//! Disk full during REINDEX CONCURRENTLY: the index lives in a tablespace on a
//! small tmpfs that holds one copy of it but not two. The rebuild fails with
//! SQLSTATE 53100; the run drops the INVALID `_ccnew` it left, reports the
//! repair `failed` with the SQLSTATE, keeps the old index valid, and the
//! application can write again. And ruvheal's own state table in a full
//! tablespace: the run exits 3 with one line naming SQLSTATE 53100 and saying
//! nothing was repaired. Needs root (to mount the tmpfs) and a local server;
//! elsewhere each test prints SKIPPED and returns.

use std::os::unix::fs::MetadataExt;
use std::process::Command as StdCommand;

use crate::harness::{admin_url, db, invalid_indexes_on_emb, run, write_config};

/// A tmpfs tablespace; dropped and unmounted after the test's database is gone.
struct SmallTablespace {
    name: String,
    dir: std::path::PathBuf,
}

impl Drop for SmallTablespace {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(admin_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP TABLESPACE IF EXISTS {}", self.name));
        }
        let _ = StdCommand::new("umount").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Mounts a tmpfs of `mib` MiB owned by the server's user and makes it a
/// tablespace; `None` (after printing why) where that cannot be done here.
fn small_tablespace(tag: &str, mib: u64) -> Option<SmallTablespace> {
    let skip = |why: &str| {
        println!("SKIPPED disk_full: {why}");
        None
    };
    // Root owns /proc/self only for a process running as root.
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1);
    if uid != 0 {
        return skip("needs root to mount a small tmpfs");
    }
    let mut admin = postgres::Client::connect(admin_url(), postgres::NoTls).unwrap();
    let data: String = admin
        .query_one("SELECT current_setting('data_directory')", &[])
        .unwrap()
        .get(0);
    let Ok(owner) = std::fs::metadata(&data).map(|m| m.uid()) else {
        return skip("the test server's data directory is not on this machine");
    };
    let name = format!("small_{tag}");
    let dir = std::env::temp_dir().join(format!("ruvheal-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = StdCommand::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        let _ = std::fs::remove_dir(&dir);
        return skip("mount -t tmpfs failed (no CAP_SYS_ADMIN?)");
    }
    let ts = SmallTablespace { name, dir };
    let chowned = StdCommand::new("chown")
        .arg(owner.to_string())
        .arg(&ts.dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(chowned, "chown of the tablespace folder");
    admin
        .batch_execute(&format!(
            "CREATE TABLESPACE {} LOCATION '{}'",
            ts.name,
            ts.dir.display()
        ))
        .unwrap();
    Some(ts)
}

#[test]
fn disk_full_during_reindex_leaves_nothing_and_says_53100() {
    let d = db();
    d.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector(64));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random() + d * 0 + g * 0)::vector
           FROM generate_series(1, 64) d) FROM generate_series(1, 20000) g;
         CREATE INDEX emb_weak ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4);
         ANALYZE emb;",
    );
    let mut c = d.client();
    let size: i64 = c
        .query_one("SELECT pg_relation_size('emb_weak')", &[])
        .unwrap()
        .get(0);
    // Room for one copy and a half: the rebuild's second copy cannot fit.
    let mib = (size as f64 * 1.5 / 1_048_576.0).ceil() as u64 + 1;
    let Some(ts) = small_tablespace(&d.name, mib) else {
        return;
    };
    c.batch_execute(&format!("ALTER INDEX emb_weak SET TABLESPACE {}", ts.name))
        .unwrap();
    let rows = d.fingerprint("emb");
    let dir = tempfile::tempdir().unwrap();
    // A contract the recall meets: the REINDEX is for the graph's structure.
    let cfg = write_config(
        &dir,
        "collections:\n  emb:\n    min_recall: 0.05\nplan:\n  cooldown_secs: 0\n",
    );
    let (code, v, err) = d.json(&["--config", &cfg, "repair", "--collection", "emb", "--yes"]);
    let ran = &v["repairs"][0];
    assert_eq!(ran["playbook"], "reindex_concurrently", "{v:#} {err}");
    assert_eq!(code, 2, "{v:#} {err}");
    assert_eq!(ran["status"], "failed", "{v:#}");
    assert!(
        ran.to_string().contains("SQLSTATE 53100"),
        "the cause is not named: {v:#}"
    );
    assert!(
        !ran["steps"].to_string().contains("\"undone\""),
        "a step shown undone: {v:#}"
    );
    assert_eq!(invalid_indexes_on_emb(&mut c), 0, "the _ccnew copy is left");
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emb_weak'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid, "the old index must stay valid");
    assert_eq!(d.fingerprint("emb"), rows);
    // The space is free again: the application writes, the next run works.
    c.batch_execute("INSERT INTO emb (embedding) SELECT embedding FROM emb LIMIT 100")
        .unwrap();
    let (code, _, err) = run(d.cmd().args(["check", "--collection", "emb"]));
    assert!(code < 3, "{err}");
    assert_eq!(run(d.cmd().args(["audit", "verify"])).0, 0);
    drop(c);
    drop(d);
    drop(ts);
}

/// ruvheal's own state table in a full tablespace: the repair stops before it
/// changes anything, exits 3, and says so in one line naming SQLSTATE 53100.
/// Needs root (to mount the tmpfs); elsewhere it prints SKIPPED and returns.
#[test]
fn a_full_state_tablespace_exits_3_naming_53100_and_repairs_nothing() {
    let d = db();
    crate::harness::mass_deleted_without_vacuum(&d);
    let rows = d.fingerprint("emb");
    // the state schema, with no observation yet (the table has no page to reuse)
    let (code, _, err) = run(d.cmd().args(["status"]));
    assert!(code < 3, "{err}");
    let Some(ts) = small_tablespace(&format!("{}_state", d.name), 1) else {
        return;
    };
    let mut c = d.client();
    let observations: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.observations", &[])
        .unwrap()
        .get(0);
    assert_eq!(observations, 0);
    c.batch_execute(&format!(
        "ALTER TABLE ruvheal.observations SET TABLESPACE {0};
         CREATE TABLE fill (x text) WITH (autovacuum_enabled = off) TABLESPACE {0};",
        ts.name
    ))
    .unwrap();
    // fill what is left of the tablespace
    let full = c
        .batch_execute("INSERT INTO fill SELECT repeat('x', 1000) FROM generate_series(1, 100000)")
        .unwrap_err();
    assert_eq!(
        full.code().map(|s| s.code()),
        Some("53100"),
        "the filler did not fill the tablespace: {full}"
    );
    let (code, out, err) = run(d.cmd().args(["repair", "--collection", "emb", "--yes"]));
    assert_eq!(code, 3, "{out} {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line: {err}"));
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(line.contains("SQLSTATE 53100 disk_full"), "{err}");
    assert!(line.contains("nothing was repaired"), "{err}");
    let repairs: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.repairs", &[])
        .unwrap()
        .get(0);
    assert_eq!(repairs, 0, "a repair started");
    assert_eq!(d.fingerprint("emb"), rows);
    // with room again, the next run repairs
    c.batch_execute("DROP TABLE fill").unwrap();
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--yes"]);
    assert!(code < 3, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["playbook"], "vacuum_collection", "{v:#}");
    assert_eq!(run(d.cmd().args(["audit", "verify"])).0, 0);
    c.batch_execute("ALTER TABLE ruvheal.observations SET TABLESPACE pg_default")
        .unwrap();
    drop(c);
    drop(d);
    drop(ts);
}
