//! Conditions on measured metrics: `metric op value`, e.g. `table.dead_ratio >= 0.2`
//! or `hnsw.ef_search < {{ ef_search }}`.
//!
//! The metric is a dotted name of the observation's metrics; the operator one of
//! `<` `<=` `>` `>=` `==` `!=`; the value a number or `{{ param }}` naming a numeric
//! playbook parameter. No SQL is involved, so a bare parameter reference is fine here.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::model::ParamValue;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Condition {
    /// The metric on the left.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The right-hand side.
    pub rhs: Operand,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn apply(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// The right-hand side of a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Operand {
    /// A number.
    Number(f64),
    /// `{{ name }}`: a playbook parameter.
    Param(String),
}

impl Condition {
    /// Whether the condition holds. A metric that was not measured, a parameter
    /// that is missing or not numeric, or a NaN makes it false: a playbook never
    /// applies (or verifies) on data it does not have.
    pub fn holds(
        &self,
        metrics: &BTreeMap<String, f64>,
        params: &BTreeMap<String, ParamValue>,
    ) -> bool {
        let Some(&left) = metrics.get(&self.metric) else {
            return false;
        };
        let right = match &self.rhs {
            Operand::Number(n) => *n,
            Operand::Param(p) => match params.get(p).and_then(ParamValue::as_f64) {
                Some(v) => v,
                None => return false,
            },
        };
        !left.is_nan() && !right.is_nan() && self.op.apply(left, right)
    }

    /// The parameter it refers to, if any.
    pub fn param(&self) -> Option<&str> {
        match &self.rhs {
            Operand::Param(p) => Some(p),
            Operand::Number(_) => None,
        }
    }
}

/// Whether `s` is a metric name: dotted lowercase words (`table.dead_ratio`).
pub fn is_metric_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Whether `s` is a parameter name (`[a-z_][a-z0-9_]*`).
pub fn is_param_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl FromStr for Condition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let ops = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let Some((at, len, op)) = s.char_indices().find_map(|(i, _)| {
            ops.iter()
                .find(|(t, _)| s[i..].starts_with(t))
                .map(|(t, o)| (i, t.len(), *o))
        }) else {
            return Err(format!(
                "condition {s:?} has no operator; write `metric OP value` with OP one of < <= > >= == !="
            ));
        };
        let metric = s[..at].trim();
        let rhs = s[at + len..].trim();
        if !is_metric_name(metric) {
            return Err(format!(
                "condition {s:?}: {metric:?} is not a metric name like table.dead_ratio"
            ));
        }
        let rhs = if let Some(inner) = rhs.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
            let name = inner.trim();
            if !is_param_name(name) {
                return Err(format!(
                    "condition {s:?}: {{{{ {name} }}}} is not a parameter name"
                ));
            }
            Operand::Param(name.to_string())
        } else {
            match rhs.parse::<f64>() {
                Ok(n) if n.is_finite() => Operand::Number(n),
                _ => {
                    return Err(format!(
                        "condition {s:?}: {rhs:?} is neither a number nor {{{{ param }}}}"
                    ));
                }
            }
        };
        Ok(Condition {
            metric: metric.to_string(),
            op,
            rhs,
        })
    }
}

impl TryFrom<String> for Condition {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Condition> for String {
    fn from(c: Condition) -> String {
        c.to_string()
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rhs {
            Operand::Number(n) => write!(f, "{} {} {n}", self.metric, self.op.as_str()),
            Operand::Param(p) => write!(f, "{} {} {{{{ {p} }}}}", self.metric, self.op.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("table.dead_ratio".to_string(), 0.25),
            ("recall.at_k".to_string(), 0.9),
            ("bad".to_string(), f64::NAN),
        ])
    }

    #[test]
    fn operators_compare_as_written() {
        let params = BTreeMap::from([
            ("threshold".to_string(), ParamValue::Float(0.2)),
            ("name".to_string(), ParamValue::Str("x".into())),
        ]);
        let cases = [
            ("table.dead_ratio >= 0.2", true),
            ("table.dead_ratio>=0.25", true),
            ("table.dead_ratio > 0.25", false),
            ("table.dead_ratio < 0.3", true),
            ("table.dead_ratio <= 0.24", false),
            ("table.dead_ratio == 0.25", true),
            ("table.dead_ratio != 0.25", false),
            ("table.dead_ratio >= {{ threshold }}", true),
            ("recall.at_k < {{threshold}}", false),
            ("missing.metric < 1", false),
            ("table.dead_ratio < {{ undefined }}", false),
            ("table.dead_ratio < {{ name }}", false),
            ("bad < 1", false),
            ("bad != 1", false),
        ];
        for (text, want) in cases {
            let c: Condition = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(c.holds(&metrics(), &params), want, "{text}");
        }
    }

    #[test]
    fn malformed_conditions_are_rejected() {
        for bad in [
            "",
            "table.dead_ratio",
            "table.dead_ratio = 0.2",
            "< 0.2",
            "Table.X < 1",
            "table.dead_ratio < abc",
            "table.dead_ratio < {{ a b }}",
            "table.dead_ratio < {{ ident(a) }}",
            "table.dead_ratio < inf",
            "table..x < 1",
        ] {
            assert!(bad.parse::<Condition>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn conditions_round_trip() {
        for text in ["table.dead_ratio >= 0.2", "hnsw.m != {{ m }}"] {
            let c: Condition = text.parse().unwrap();
            assert_eq!(c.to_string().parse::<Condition>().unwrap(), c);
        }
    }
}
