//! `deploy/`: the alert rules parse, and every metric they use is one ruvheal
//! emits (a string literal in the code that renders it, or in `status`'s list).

use std::collections::BTreeSet;

const ALERTS: &str = include_str!("../../deploy/prometheus/ruvheal-alerts.yml");
const EMITTERS: &[&str] = &[
    include_str!("../../src/output/status_report.rs"),
    include_str!("../../src/output/check_report.rs"),
    include_str!("../../src/commands/heal.rs"),
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
        "ruvheal_repair_success_rate",
        "ruvheal_heal_stopped",
        "ruvheal_check_status",
    ] {
        assert!(used.contains(m), "{m} unused");
    }
}

#[test]
fn the_kubernetes_example_is_a_cronjob() {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../deploy/kubernetes/ruvheal-cronjob.yaml")).unwrap();
    assert_eq!(doc["kind"], "CronJob");
    assert_eq!(doc["spec"]["concurrencyPolicy"], "Forbid");
}
