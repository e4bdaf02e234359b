//! The alert rules under `deploy/prometheus`, tested with `promtool test rules`
//! on series ruvheal itself wrote (`heal --prometheus-textfile`, `status
//! --prometheus`, their timestamps rebased on the server's clock at the start
//! of the test so they fit promtool's time line, which starts at 0): each alert fires on a faulty state and stays quiet on
//! a healthy one. A textfile a stopped cron leaves behind repeats its last
//! values; a running cron keeps rewriting its timestamps.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::harness::{TestDb, clustered_table_sql, db, run, write_config};

const RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deploy/prometheus/ruvheal-alerts.yml"
);
/// Gauges each run rewrites with the time it ran.
const CLOCKS: &[&str] = &[
    "ruvheal_heal_last_run_timestamp_seconds",
    "ruvheal_status_timestamp_seconds",
    "ruvheal_check_timestamp_seconds",
];

fn promtool() -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join("promtool"))
        .find(|p| p.is_file())
}

/// The server's clock (Unix seconds) that promtool's time 0 stands for.
fn server_epoch(d: &TestDb) -> f64 {
    d.client()
        .query_one(
            "SELECT pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now()))::float8",
            &[],
        )
        .unwrap()
        .get(0)
}

/// `text` with every `*_timestamp_seconds` value made relative to `t0`.
fn rebase(text: &str, t0: f64) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let stamp = !line.starts_with('#')
            && line
                .split(['{', ' '])
                .next()
                .is_some_and(|n| n.ends_with("_timestamp_seconds"));
        match line.rsplit_once(' ') {
            Some((series, value)) if stamp => {
                let v: f64 = value.parse().unwrap();
                writeln!(out, "{series} {:.3}", v - t0).unwrap();
            }
            _ => writeln!(out, "{line}").unwrap(),
        }
    }
    out
}

/// The samples of a textfile: (series, value).
fn samples(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.to_string())
        })
        .collect()
}

/// promtool `input_series` for samples repeated every minute for 10 hours (a
/// scrape interval: a sample older than 5 minutes is stale to PromQL);
/// `running`: the clocks move on with each run, else they stay.
fn input_series(samples: &[(String, String)], running: bool) -> String {
    let mut out = String::new();
    for (series, value) in samples {
        let name = series.split('{').next().unwrap();
        let values = if running && CLOCKS.contains(&name) {
            format!("{value}+60x600")
        } else {
            format!("{value}x600")
        };
        writeln!(
            out,
            "      - series: '{series}'\n        values: '{values}'"
        )
        .unwrap();
    }
    out
}

/// One expected alert: its output labels (without severity) at `eval`.
struct Expect {
    alert: &'static str,
    eval: &'static str,
    labels: Vec<(&'static str, String)>,
}

fn expect(alert: &'static str, eval: &'static str, labels: &[(&'static str, &str)]) -> Expect {
    Expect {
        alert,
        eval,
        labels: labels.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    }
}

struct Rule {
    severity: String,
    annotations: BTreeMap<String, String>,
}

fn rules() -> BTreeMap<String, Rule> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(RULES).unwrap()).unwrap();
    doc["groups"][0]["rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| {
            let annotations = r["annotations"]
                .as_mapping()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap().to_string(),
                        v.as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (
                r["alert"].as_str().unwrap().to_string(),
                Rule {
                    severity: r["labels"]["severity"].as_str().unwrap().to_string(),
                    annotations,
                },
            )
        })
        .collect()
}

fn render(template: &str, labels: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in labels {
        s = s.replace(&format!("{{{{ $labels.{k} }}}}"), v);
    }
    assert!(!s.contains("{{"), "unrendered template: {s}");
    s
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A promtool test group: the series of `files` and the alerts expected.
fn group(
    files: &[&str],
    running: bool,
    expected: &[Expect],
    rules: &BTreeMap<String, Rule>,
) -> String {
    let all: Vec<(String, String)> = files.iter().flat_map(|f| samples(f)).collect();
    let mut out = format!(
        "  - interval: 1m\n    input_series:\n{}    alert_rule_test:\n",
        input_series(&all, running)
    );
    for e in expected {
        let rule = &rules[e.alert];
        write!(
            out,
            "      - eval_time: {}\n        alertname: {}\n        exp_alerts:\n",
            e.eval, e.alert
        )
        .unwrap();
        write!(
            out,
            "          - exp_labels:\n              severity: {}\n",
            rule.severity
        )
        .unwrap();
        for (k, v) in &e.labels {
            writeln!(out, "              {k}: {}", yaml_str(v)).unwrap();
        }
        out.push_str("            exp_annotations:\n");
        for (k, v) in &rule.annotations {
            writeln!(
                out,
                "              {k}: {}",
                yaml_str(&render(v, &e.labels))
            )
            .unwrap();
        }
    }
    out
}

/// A group in which no alert fires at any of `evals`.
fn quiet(files: &[&str], evals: &[&str], rules: &BTreeMap<String, Rule>) -> String {
    let all: Vec<(String, String)> = files.iter().flat_map(|f| samples(f)).collect();
    let mut out = format!(
        "  - interval: 1m\n    input_series:\n{}    alert_rule_test:\n",
        input_series(&all, true)
    );
    for eval in evals {
        for name in rules.keys() {
            writeln!(
                out,
                "      - eval_time: {eval}\n        alertname: {name}\n        exp_alerts: []"
            )
            .unwrap();
        }
    }
    out
}

/// `heal --all --yes` writing its textfile, with the clock at the epoch.
fn heal(d: &TestDb, t0: f64, dir: &Path, config: &str, name: &str) -> String {
    let path = dir.join(name);
    let (code, _, err) = run(d.cmd().args([
        "--config",
        config,
        "heal",
        "--all",
        "--yes",
        "-q",
        "--prometheus-textfile",
        path.to_str().unwrap(),
    ]));
    assert!(
        path.exists(),
        "heal exited {code} without a textfile: {err}"
    );
    rebase(&std::fs::read_to_string(path).unwrap(), t0)
}

fn status(d: &TestDb, t0: f64, config: &str) -> String {
    let (code, out, err) = run(d.cmd().args(["--config", config, "status", "--prometheus"]));
    assert_eq!(code, 0, "{err}");
    rebase(&out, t0)
}

fn collection(d: &TestDb, t: &str) {
    d.sql(&clustered_table_sql(t, 2000, 8, 10));
    d.sql(&format!(
        "CREATE INDEX {t}_hnsw ON {t} USING hnsw (embedding vector_l2_ops); ANALYZE {t};"
    ));
}

#[test]
fn every_alert_fires_on_what_ruvheal_wrote_and_stays_quiet_when_healthy() {
    let Some(promtool) = promtool() else {
        println!("SKIPPED alerts: promtool not found");
        return;
    };
    let rules = rules();
    let dir = tempfile::tempdir().unwrap();
    let plain = write_config(&dir, "{}\n");
    let config = |name: &str, yaml: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, yaml).unwrap();
        p.display().to_string()
    };

    // Healthy: one collection meeting its contract.
    let h = db();
    let t0 = server_epoch(&h);
    collection(&h, "emb");
    let healthy = [
        heal(&h, t0, dir.path(), &plain, "h.prom"),
        status(&h, t0, &plain),
    ];
    // The same with heal.enabled false.
    let off = config("off.yaml", "heal:\n  enabled: false\n");
    let disabled = heal(&h, t0, dir.path(), &off, "off.prom");

    // Faulty: recall low for the database; a playbook that cannot help is the
    // cheapest choice (its repair is not verified); a collection whose probe
    // table is missing (exit 3); then five failed repairs of another strategy
    // (learn stops the class) and a critical diagnosis.
    let b = db();
    collection(&b, "a_broken");
    collection(&b, "emb");
    b.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", b.name));
    let books = tempfile::tempdir().unwrap();
    std::fs::write(
        books.path().join("analyze_only.yaml"),
        "name: analyze_only\ndescription: ANALYZE, which cannot raise recall\nhandles: [recall_degradation]\n\
         impact: 0.01\nreversible: false\nrequires_approval: false\ntimeout: 5m\n\
         steps:\n  - name: analyze\n    do:\n      kind: sql\n      sql: ANALYZE {{ ident(table) }}\n\
         verify:\n  improves:\n    metric: recall.at_k\n    direction: increase\n",
    )
    .unwrap();
    let bad_config = config(
        "bad.yaml",
        "collections:\n  public.a_broken:\n    query_table: public.no_such_queries\n",
    );
    let bad_heal = {
        let path = dir.path().join("b.prom");
        let (code, _, err) = run(b.cmd().args([
            "--config",
            &bad_config,
            "heal",
            "--all",
            "--yes",
            "-q",
            "--playbooks",
            books.path().to_str().unwrap(),
            "--prometheus-textfile",
            path.to_str().unwrap(),
        ]));
        assert_eq!(code, 3, "{err}");
        rebase(&std::fs::read_to_string(path).unwrap(), t0)
    };
    b.sql(
        "INSERT INTO ruvheal.outcomes (collection_id, problem_class, strategy, started_at, finished_at,
                                       duration_ms, success, verified)
         SELECT c.id, 'recall_degradation', 'tune_search_params', now() - g * interval '1 hour',
                now() - g * interval '1 hour' + interval '30 seconds', 30000, false, false
           FROM ruvheal.collections c, generate_series(1, 5) g WHERE c.table_name = 'emb';
         INSERT INTO ruvheal.diagnoses (collection_id, created_at, integrity_state, lambda)
         SELECT c.id, now() + interval '1 minute', 'critical', 0 FROM ruvheal.collections c
          WHERE c.table_name = 'emb';",
    );
    let (code, _, err) = run(b.cmd().args(["learn", "-q", "-o", "json"]));
    assert_eq!(code, 1, "learn stops recall_degradation: {err}");
    let bad_status = status(&b, t0, &plain);

    // Waiting: recall low, every plan needs approval, nothing is repaired.
    let c = db();
    collection(&c, "waits");
    c.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", c.name));
    let approval = config(
        "approval.yaml",
        "plan:\n  require_approval: [recall_degradation]\n",
    );
    let waiting = [
        heal(&c, t0, dir.path(), &approval, "c.prom"),
        status(&c, t0, &approval),
    ];

    let emb = "public.emb";
    let tests = [
        quiet(&[&healthy[0], &healthy[1]], &["10m", "2h", "7h"], &rules),
        group(
            &[&bad_heal, &bad_status],
            true,
            &[
                expect(
                    "RuvhealHealRepairFailed",
                    "1m",
                    &[("collection", emb), ("strategy", "analyze_only")],
                ),
                expect("RuvhealHealFailing", "70m", &[]),
                expect(
                    "RuvhealAutoHealStopped",
                    "1m",
                    &[("class", "recall_degradation")],
                ),
                expect(
                    "RuvhealIneffectiveHealing",
                    "70m",
                    &[
                        ("collection", emb),
                        ("strategy", "tune_search_params"),
                        ("window", "7d"),
                    ],
                ),
                expect("RuvhealIntegrityCritical", "40m", &[("collection", emb)]),
            ],
            &rules,
        ),
        group(
            &[&waiting[0], &waiting[1]],
            true,
            &[
                expect(
                    "RuvhealProlongedDegradationWithoutAttempts",
                    "7h",
                    &[("collection", "public.waits")],
                ),
                expect(
                    "RuvhealAwaitingApproval",
                    "130m",
                    &[("collection", "public.waits")],
                ),
            ],
            &rules,
        ),
        group(
            &[&disabled, &healthy[1]],
            true,
            &[expect("RuvhealHealingDisabled", "70m", &[])],
            &rules,
        ),
        // cron stopped: the files stay as they were written
        group(
            &[&healthy[0], &healthy[1]],
            false,
            &[
                expect("RuvhealHealNotRunning", "2h", &[]),
                expect("RuvhealStatusStale", "2h", &[]),
                expect("RuvhealCheckStale", "130m", &[("collection", emb)]),
            ],
            &rules,
        ),
        // nothing exported at all
        group(
            &[],
            false,
            &[
                expect("RuvhealHealNotRunning", "20m", &[]),
                expect("RuvhealStatusStale", "20m", &[]),
            ],
            &rules,
        ),
    ];
    let tested: std::collections::BTreeSet<&str> = tests
        .iter()
        .flat_map(|t| t.lines())
        .filter_map(|l| l.trim().strip_prefix("alertname: "))
        .collect();
    let file = dir.path().join("ruvheal-alerts.test.yml");
    std::fs::write(
        &file,
        format!(
            "rule_files:\n  - {RULES}\nevaluation_interval: 1m\ntests:\n{}",
            tests.concat()
        ),
    )
    .unwrap();
    for name in rules.keys() {
        let fires = tests[1..].iter().any(|t| {
            t.contains(&format!(
                "alertname: {name}\n        exp_alerts:\n          -"
            ))
        });
        assert!(
            fires && tested.contains(name.as_str()),
            "{name} is never shown to fire"
        );
    }
    let out = std::process::Command::new(&promtool)
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool test rules {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
