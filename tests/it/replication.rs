//! Replication lag on a real streaming replica: a hot standby of the test server
//! taken by `scripts/postgres replica start` (pg_basebackup from the same
//! binaries), replay paused while the primary writes.

use std::process::Command;
use std::time::Duration;

use crate::harness::{
    admin_url, classes, clustered_table_sql, db, postgres_script as script, run, with_db,
    write_config,
};

/// The replica's URL; it is stopped and deleted when dropped.
struct Replica {
    name: String,
    url: String,
}

impl Replica {
    fn start(name: &str) -> Replica {
        let managed = Command::new(script()).arg("url").output().unwrap();
        let managed = String::from_utf8_lossy(&managed.stdout).trim().to_string();
        assert_eq!(
            managed,
            admin_url(),
            "the replication scenario takes a base backup of the server scripts/postgres manages; \
             RUVHEAL_TEST_DATABASE_URL points elsewhere"
        );
        let out = Command::new(script())
            .args(["replica", "start", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Replica {
            name: name.into(),
            url: String::from_utf8_lossy(&out.stdout).trim().to_string(),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .args(["replica", "stop", &self.name])
            .output();
    }
}

#[test]
fn a_paused_standby_is_replication_lag_and_nothing_is_auto_healed() {
    let d = db();
    d.sql(&clustered_table_sql("emb", 2000, 8, 10));
    d.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    d.check_json("emb", &[]); // state schema on the primary
    let replica = Replica::start(&d.name);
    let standby = with_db(&replica.url, &d.name);
    let mut s = postgres::Client::connect(&standby, postgres::NoTls).unwrap();
    // wait until the standby has the collection, then pause replay and write on the primary
    for _ in 0..100 {
        if s.query_opt("SELECT 1 FROM pg_class WHERE relname = 'emb'", &[])
            .unwrap()
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // one commit replayed after the standby started (its replay timestamp is set)
    d.sql("CREATE TABLE marker (id int)");
    for _ in 0..100 {
        if s.query_opt("SELECT 1 FROM pg_class WHERE relname = 'marker'", &[])
            .unwrap()
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    s.batch_execute("SELECT pg_wal_replay_pause()").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    d.sql("INSERT INTO emb (embedding) SELECT embedding FROM emb LIMIT 100");
    std::thread::sleep(Duration::from_millis(2500));
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &dir,
        "check:\n  replication_lag_warning_secs: 1\n  replication_lag_critical_secs: 2\n",
    );
    let args = |cmd: &str| -> Vec<String> {
        [
            "--config",
            &cfg,
            "--state-url",
            &d.url,
            "--database-url",
            &standby,
            cmd,
            "--collection",
            "emb",
            "-o",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let (code, out, err) = run(crate::harness::ruvheal().args(args("check")));
    assert!(code >= 1, "{out} {err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        classes(&report, "warning").contains(&"replication_lag".to_string()),
        "{report:#}"
    );
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "replication_lag")
        .unwrap();
    assert_eq!(f["evidence"]["replay_paused"], true, "{f:#}");
    // diagnosed as replication lag; the integrity cut severs the standby
    let (_, out, err) = run(crate::harness::ruvheal().args(args("diagnose")));
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e} {out} {err}"));
    let problems: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["class"].as_str().unwrap())
        .collect();
    assert!(problems.contains(&"replication_lag"), "{v:#}");
    // no bundled playbook acts on a standby (adding replicas is an operator's
    // call): nothing is planned, and plan says why
    let (code, out, _) = run(crate::harness::ruvheal().args(args("plan")));
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plans"], serde_json::json!([]), "{v:#}");
    assert!(
        v["blocked"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("no playbook handles replication_lag"),
        "{v:#}"
    );
    // replay resumes and catches up: the lag is gone
    s.batch_execute("SELECT pg_wal_replay_resume()").unwrap();
    let mut caught_up = false;
    for _ in 0..100 {
        let n: i64 = s.query_one("SELECT count(*) FROM emb", &[]).unwrap().get(0);
        if n == 2100 {
            caught_up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(caught_up);
    // (other tests keep writing to the shared server, so the standby may need a
    // moment to replay their WAL too)
    let mut lagging = true;
    let mut last = serde_json::Value::Null;
    for _ in 0..20 {
        let (_, out, _) = run(crate::harness::ruvheal().args(args("check")));
        last = serde_json::from_str(&out).unwrap();
        lagging = classes(&last, "warning").contains(&"replication_lag".to_string());
        if !lagging {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(!lagging, "{last:#}");
}
