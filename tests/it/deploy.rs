//! `deploy/`: the alert rules parse, and every metric they use is one ruvheal
//! emits (a string literal in the code that renders it, or in `status`'s list).

use std::collections::BTreeSet;

const ALERTS: &str = include_str!("../../deploy/prometheus/ruvheal-alerts.yml");
const EMITTERS: &[&str] = &[
    include_str!("../../src/output/status_report.rs"),
    include_str!("../../src/output/check_report.rs"),
    include_str!("../../src/output/heal_metrics.rs"),
    include_str!("../../src/output/outcome_metrics.rs"),
];

fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = expr;
    while let Some(i) = rest.find("ruvheal_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[test]
fn alert_rules_parse_and_use_only_emitted_metrics() {
    let doc: serde_yaml::Value = serde_yaml::from_str(ALERTS).expect("valid YAML");
    let rules = doc["groups"][0]["rules"]
        .as_sequence()
        .expect("groups[0].rules");
    assert!(rules.len() >= 4);
    let mut used = BTreeSet::new();
    for rule in rules {
        let name = rule["alert"].as_str().expect("alert name");
        let expr = rule["expr"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: expr"));
        assert!(rule["labels"]["severity"].is_string(), "{name}: severity");
        assert!(
            rule["annotations"]["summary"].is_string(),
            "{name}: summary"
        );
        let names = metric_names(expr);
        assert!(!names.is_empty(), "{name} uses no ruvheal metric");
        used.extend(names);
    }
    let status: BTreeSet<&str> = ruvheal::output::status_report::METRICS
        .iter()
        .copied()
        .collect();
    for m in &used {
        let quoted = format!("\"{m}\"");
        assert!(
            status.contains(m.as_str()) || EMITTERS.iter().any(|src| src.contains(&quoted)),
            "alert rules use {m}, which ruvheal does not emit"
        );
    }
    // the three kinds of alert the monitoring section promises
    for m in [
        "ruvheal_repair_window_success_rate",
        "ruvheal_heal_stopped",
        "ruvheal_check_status",
        "ruvheal_healing_enabled",
        "ruvheal_heal_last_run_timestamp_seconds",
    ] {
        assert!(used.contains(m), "{m} unused");
    }
}

/// Every shipped schedule exports both files the alert rules read: heal's
/// textfile (heal, check and switch metrics) and status's (outcomes, windows,
/// integrity).
#[test]
fn every_deploy_file_exports_what_the_alerts_read() {
    for (name, text) in [
        ("cron", include_str!("../../deploy/cron/ruvheal.cron")),
        (
            "systemd",
            include_str!("../../deploy/systemd/ruvheal-heal.service"),
        ),
        (
            "kubernetes",
            include_str!("../../deploy/kubernetes/ruvheal-cronjob.yaml"),
        ),
    ] {
        let body: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            body.contains("heal --all --yes") && body.contains("--prometheus-textfile"),
            "{name}: heal's textfile"
        );
        assert!(
            body.contains("status --prometheus"),
            "{name}: status export"
        );
    }
    // systemd: the exports run whatever heal's exit (ExecStopPost), and learn's
    // exit 1 (a stopped class) does not skip the status export after it
    let unit = include_str!("../../deploy/systemd/ruvheal-heal.service");
    let posts: Vec<&str> = unit
        .lines()
        .filter(|l| l.starts_with("ExecStopPost="))
        .collect();
    assert_eq!(posts.len(), 2, "{unit}");
    assert!(posts[0].starts_with("ExecStopPost=-") && posts[0].contains("learn"));
    assert!(posts[1].contains("status --prometheus"));
    assert!(!unit.contains("ExecStartPost"));
}

#[test]
fn the_kubernetes_example_is_a_cronjob() {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../deploy/kubernetes/ruvheal-cronjob.yaml")).unwrap();
    assert_eq!(doc["kind"], "CronJob");
    assert_eq!(doc["spec"]["concurrencyPolicy"], "Forbid");
}
