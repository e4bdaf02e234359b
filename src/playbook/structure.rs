//! Structural checks over the located YAML tree: each top-level field, each item of
//! `handles`, `when` and `steps`, and each parameter is deserialized on its own
//! (`de`), so one bad unit does not hide the next. serde_yaml, which stops
//! at the first error, remains the parser of record for the model itself.

use std::collections::BTreeMap;

use super::condition::Condition;
use super::de::{DeError, from_node};
use super::locate::{Kind, Node, Pos};
use super::model::{Param, Step, Timeout, Verify};
use crate::detect::Class;

const REQUIRED: &[&str] = &[
    "name",
    "description",
    "handles",
    "impact",
    "reversible",
    "requires_approval",
    "timeout",
    "steps",
];

/// Structural problems, each unit (a top-level field, one item of `handles`,
/// `when` or `steps`, one parameter) deserialized on its own so one bad unit does
/// not hide the next: (unit start, position, message).
pub fn problems(root: &Node) -> Vec<(Pos, Pos, String)> {
    let mut out = Vec::new();
    let Kind::Map(entries) = &root.kind else {
        out.push((
            root.pos,
            root.pos,
            "a playbook is a mapping of fields (name, description, handles, ...)".into(),
        ));
        return out;
    };
    for f in REQUIRED {
        if !entries.iter().any(|(k, ..)| k == f) {
            out.push((root.pos, root.pos, format!("missing field `{f}`")));
        }
    }
    let mut push = |unit: Pos, path: String, r: Result<(), DeError>| {
        if let Err(e) = r {
            out.push((
                unit,
                e.pos.unwrap_or(unit),
                format!("{path}: {}", e.message),
            ));
        }
    };
    fn items<T: for<'d> serde::Deserialize<'d>>(
        key: &str,
        v: &Node,
        unit: Pos,
        push: &mut dyn FnMut(Pos, String, Result<(), DeError>),
    ) {
        match &v.kind {
            Kind::Seq(list) => {
                for (i, item) in list.iter().enumerate() {
                    push(
                        item.pos,
                        format!("{key}[{i}]"),
                        from_node::<T>(item).map(drop),
                    );
                }
            }
            _ => push(unit, key.to_string(), from_node::<Vec<T>>(v).map(drop)),
        }
    }
    for (key, kpos, v) in entries {
        let unit = *kpos;
        match key.as_str() {
            "name" | "description" => push(unit, key.clone(), from_node::<String>(v).map(drop)),
            "impact" => push(unit, key.clone(), from_node::<f64>(v).map(drop)),
            "reversible" | "requires_approval" => {
                push(unit, key.clone(), from_node::<bool>(v).map(drop))
            }
            "timeout" => push(unit, key.clone(), from_node::<Timeout>(v).map(drop)),
            "verify" => push(unit, key.clone(), from_node::<Verify>(v).map(drop)),
            "handles" => items::<Class>(key, v, unit, &mut push),
            "when" => items::<Condition>(key, v, unit, &mut push),
            "steps" => items::<Step>(key, v, unit, &mut push),
            "params" => match &v.kind {
                Kind::Map(params) => {
                    for (name, p, pv) in params {
                        push(
                            *p,
                            format!("params.{name}"),
                            from_node::<Param>(pv).map(drop),
                        );
                    }
                }
                _ => push(
                    unit,
                    key.clone(),
                    from_node::<BTreeMap<String, Param>>(v).map(drop),
                ),
            },
            other => out_unknown(other, unit, &mut push),
        }
    }
    out
}

fn out_unknown(key: &str, unit: Pos, push: &mut dyn FnMut(Pos, String, Result<(), DeError>)) {
    let e = DeError {
        pos: Some(unit),
        message: format!(
            "unknown field `{key}`, expected one of name, description, handles, when, impact, reversible, requires_approval, timeout, params, steps, verify"
        ),
    };
    push(unit, key.to_string(), Err(e));
}
