//! The playbook model as written in YAML (serde, unknown fields rejected everywhere).
//!
//! Conditions and durations are parsed while deserializing, so a malformed one is
//! reported with its line and column; templates are kept as text here and checked
//! by `validate`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::vocab::Class;

/// One playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// Unique name (`[a-z0-9_]+`); a file in `--playbooks DIR` with the same name
    /// overrides the bundled one.
    pub name: String,
    /// What it does and when to use it, for a human.
    pub description: String,
    /// The problem classes of DESIGN.md it can repair.
    pub handles: Vec<Class>,
    /// Conditions on measured metrics that must all hold for it to apply.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Expected disruption, 0 (none) to 1 (outage); the planner compares it with
    /// `max_auto_heal_impact`.
    pub impact: f64,
    /// Whether every step can be undone.
    pub reversible: bool,
    /// Whether a human must approve it before it runs.
    pub requires_approval: bool,
    /// Upper bound on the whole run, as a duration string (`90s`, `30m`, `2h`).
    pub timeout: Timeout,
    /// Parameters, by name; the planner may size them, else the default applies.
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
    /// What must hold after the repair.
    #[serde(default)]
    pub verify: Verify,
}

impl Playbook {
    /// Whether it handles `class`.
    pub fn handles(&self, class: Class) -> bool {
        self.handles.contains(&class)
    }

    /// Whether every `when` condition holds on `metrics` (true when there are none);
    /// `params` are the values the planner chose (defaults are filled in here).
    pub fn applies(
        &self,
        metrics: &BTreeMap<String, f64>,
        params: &BTreeMap<String, ParamValue>,
    ) -> bool {
        let values = self.param_values(params);
        self.when.iter().all(|c| c.holds(metrics, &values))
    }

    /// `params` over the defaults: the values conditions and verification compare with.
    pub fn param_values(
        &self,
        params: &BTreeMap<String, ParamValue>,
    ) -> BTreeMap<String, ParamValue> {
        let mut out: BTreeMap<String, ParamValue> = self
            .params
            .iter()
            .filter_map(|(k, p)| p.default.clone().map(|d| (k.clone(), d)))
            .collect();
        out.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Whether any step runs an external program.
    pub fn has_shell(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(s.action, Action::Shell { .. }) || matches!(s.undo, Some(Action::Shell { .. }))
        })
    }
}

/// A playbook parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Its type, which decides the template functions it may be used with.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The value used when the planner supplies none; without one the planner must.
    #[serde(default)]
    pub default: Option<ParamValue>,
    /// What it means.
    #[serde(default)]
    pub description: String,
}

/// Parameter types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// A whole number; `number()` or `literal()`.
    Int,
    /// A finite number; `number()` or `literal()`.
    Float,
    /// Text; `literal()` only.
    String,
    /// A name of a database object; `ident()` (or `literal()`).
    Identifier,
    /// `true` or `false`; `literal()` only.
    Bool,
}

impl ParamType {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::String => "string",
            ParamType::Identifier => "identifier",
            ParamType::Bool => "bool",
        }
    }

    /// Whether `value` is of this type (an int is a valid float).
    pub fn accepts(self, value: &ParamValue) -> bool {
        matches!(
            (self, value),
            (ParamType::Int, ParamValue::Int(_))
                | (ParamType::Float, ParamValue::Int(_) | ParamValue::Float(_))
                | (
                    ParamType::String | ParamType::Identifier,
                    ParamValue::Str(_)
                )
                | (ParamType::Bool, ParamValue::Bool(_))
        )
    }
}

/// A parameter value as written in YAML or supplied by the planner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text or a name.
    Str(String),
}

impl ParamValue {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Str(s) => f.write_str(s),
        }
    }
}

/// One step: an action and, optionally, the action that undoes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the playbook; recorded with the repair.
    pub name: String,
    /// What the step does.
    #[serde(rename = "do")]
    pub action: Action,
    /// How to undo it (same kinds as `do`).
    #[serde(default)]
    pub undo: Option<Action>,
    /// The step may call `pg_cancel_backend` / `pg_terminate_backend`: allowed only
    /// in a playbook with `requires_approval: true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub signals_backends: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What a step does, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Exactly one SQL statement (a template).
    Sql {
        /// The statement; values only through `{{ ident() }}`, `{{ literal() }}`, `{{ number() }}`.
        sql: String,
        /// Run inside a transaction (default); `false` for `CONCURRENTLY` work,
        /// `VACUUM` and other statements PostgreSQL refuses in a transaction block.
        #[serde(default = "yes")]
        transaction: bool,
        /// Session settings for this step only (name -> value template),
        /// e.g. `maintenance_work_mem: "{{ literal(maintenance_work_mem) }}"`.
        #[serde(default)]
        settings: BTreeMap<String, String>,
    },
    /// `ALTER DATABASE|ROLE ... SET setting = value`; the executor records the
    /// previous value so the undo can restore it.
    SetSetting {
        /// `database` (the collection's database) or `role`.
        scope: Scope,
        /// For `scope: role`: the role, a template such as `{{ ident(writer_role) }}`.
        #[serde(default)]
        role: Option<String>,
        /// The configuration parameter (`hnsw.ef_search`).
        setting: String,
        /// The value, a template (`{{ number(ef_search) }}`).
        value: String,
    },
    /// Polls a query returning one boolean until it is true or the timeout passes.
    WaitFor {
        /// A `SELECT` returning one boolean (a template).
        condition: String,
        /// How long to wait.
        timeout: Timeout,
    },
    /// Re-runs a detector by name and fails if it still reports a problem.
    Check {
        /// The detector (`recall`, `structure`, `table`, `settings`, `contention`, `anomaly`, `integrity`).
        detector: String,
    },
    /// Runs a program (no shell): disabled unless allow-listed in the configuration,
    /// and always behind approval.
    Shell {
        /// The program.
        program: String,
        /// Its arguments (templates; passed as argv, never through a shell).
        #[serde(default)]
        args: Vec<String>,
    },
}

fn yes() -> bool {
    true
}

impl Action {
    /// The `kind` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Sql { .. } => "sql",
            Action::SetSetting { .. } => "set_setting",
            Action::WaitFor { .. } => "wait_for",
            Action::Check { .. } => "check",
            Action::Shell { .. } => "shell",
        }
    }
}

/// Where `set_setting` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `ALTER DATABASE <the collection's database> SET ...`.
    Database,
    /// `ALTER ROLE <role> SET ...`.
    Role,
}

/// What must hold after the repair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// Conditions on the metrics measured after the repair; all must hold.
    #[serde(default)]
    pub expect: Vec<Condition>,
    /// A metric that must get better than it was before the repair.
    #[serde(default)]
    pub improves: Option<Improves>,
}

/// A metric that must improve, and which way is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Improves {
    /// The metric (`table.dead_ratio`).
    pub metric: String,
    /// `decrease` or `increase`.
    pub direction: Direction,
}

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Lower is better (dead ratio, latency).
    Decrease,
    /// Higher is better (recall).
    Increase,
}

impl Verify {
    /// Whether the repair met its expectations: every `expect` condition holds on
    /// `after`, and the `improves` metric moved the right way (strictly) from
    /// `before`. A metric missing from either map fails the check.
    pub fn holds(
        &self,
        before: &BTreeMap<String, f64>,
        after: &BTreeMap<String, f64>,
        params: &BTreeMap<String, ParamValue>,
    ) -> bool {
        let expected = self.expect.iter().all(|c| c.holds(after, params));
        let improved = self.improves.as_ref().is_none_or(|i| {
            match (before.get(&i.metric), after.get(&i.metric)) {
                (Some(b), Some(a)) => match i.direction {
                    Direction::Decrease => a < b,
                    Direction::Increase => a > b,
                },
                _ => false,
            }
        });
        expected && improved
    }
}

/// A duration written as a number with a unit: `90s`, `30m`, `2h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timeout(pub Duration);

impl TryFrom<String> for Timeout {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("bad duration {s:?}: write a whole number with s, m or h (`30m`)");
        let t = s.trim();
        // The unit is the last character (any character: never split inside one).
        let cut = t.char_indices().last().map_or(0, |(i, _)| i);
        let (num, unit) = t.split_at(cut);
        let n: u64 = num.parse().map_err(|_| bad())?;
        let secs = match unit {
            "s" => n,
            "m" => n.checked_mul(60).ok_or_else(bad)?,
            "h" => n.checked_mul(3600).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        if secs == 0 {
            return Err(format!("duration {s:?} must be positive"));
        }
        Ok(Timeout(Duration::from_secs(secs)))
    }
}

impl From<Timeout> for String {
    fn from(t: Timeout) -> String {
        t.to_string()
    }
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        if s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_and_print() {
        let t = |s: &str| Timeout::try_from(s.to_string());
        assert_eq!(t("90s").unwrap().0, Duration::from_secs(90));
        assert_eq!(t("30m").unwrap().0, Duration::from_secs(1800));
        assert_eq!(t("2h").unwrap().to_string(), "2h");
        assert_eq!(t("120s").unwrap().to_string(), "2m");
        for bad in [
            "",
            "30",
            "m",
            "1.5h",
            "-1s",
            "0s",
            "10d",
            "10m\u{202e}",
            "é",
        ] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn verify_needs_expectations_and_improvement() {
        let v = Verify {
            expect: vec!["table.dead_ratio < 0.1".parse().unwrap()],
            improves: Some(Improves {
                metric: "table.dead_ratio".into(),
                direction: Direction::Decrease,
            }),
        };
        let m = |x: f64| BTreeMap::from([("table.dead_ratio".to_string(), x)]);
        let p = BTreeMap::new();
        assert!(v.holds(&m(0.5), &m(0.05), &p));
        assert!(!v.holds(&m(0.04), &m(0.05), &p), "not improved");
        assert!(!v.holds(&m(0.5), &m(0.2), &p), "expectation fails");
        assert!(!v.holds(&BTreeMap::new(), &m(0.05), &p), "no before value");
    }

    #[test]
    fn param_types_accept_their_values() {
        assert!(ParamType::Float.accepts(&ParamValue::Int(3)));
        assert!(!ParamType::Int.accepts(&ParamValue::Float(3.5)));
        assert!(ParamType::Identifier.accepts(&ParamValue::Str("w".into())));
        assert!(!ParamType::Bool.accepts(&ParamValue::Str("true".into())));
    }
}
