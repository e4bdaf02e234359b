//! Structural checks over the located YAML tree: each top-level field, each item of
//! `handles`, `when` and `steps`, and each parameter is deserialized on its own
//! (`de`), so one bad unit does not hide the next. serde_yaml, which stops
//! at the first error, remains the parser of record for the model itself.

use std::collections::BTreeMap;

use super::condition::Condition;
use super::de::{DeError, from_node};
use super::locate::{Kind, Node, Pos};
use super::model::{Param, Step, Timeout, Verify};
use crate::vocab::Class;

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

/// A copy of `root` where every unit that fails to deserialize is replaced by a
/// harmless stand-in of the same shape (list items keep their index, so semantic
/// problems found on the copy are located on the original), unknown fields are
/// dropped and missing ones supplied. Semantic checks then still run on everything
/// that is well formed. `None` when the file is not a mapping at all.
pub fn patched(root: &Node) -> Option<Node> {
    let Kind::Map(entries) = &root.kind else {
        return None;
    };
    let at = root.pos;
    let scalar = |pos: Pos, s: &str| Node {
        pos,
        kind: Kind::Scalar(s.to_string(), true),
    };
    let map = |pos: Pos, kv: Vec<(&str, Node)>| Node {
        pos,
        kind: Kind::Map(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), pos, v))
                .collect(),
        ),
    };
    // Stand-ins trip no semantic rule (`requires_approval: true` hides nothing:
    // only its absence is ever a problem).
    let stand_in = |key: &str, pos: Pos| -> Node {
        match key {
            "impact" => scalar(pos, "0"),
            "reversible" => scalar(pos, "false"),
            "requires_approval" => scalar(pos, "true"),
            "timeout" => scalar(pos, "1h"),
            "handles" => Node {
                pos,
                kind: Kind::Seq(vec![scalar(pos, "dead_tuple_bloat")]),
            },
            "steps" => Node {
                pos,
                kind: Kind::Seq(vec![]),
            },
            "when" => Node {
                pos,
                kind: Kind::Seq(vec![]),
            },
            "params" | "verify" => map(pos, vec![]),
            _ => scalar(pos, "x"),
        }
    };
    let items =
        |v: &Node, ok: &dyn Fn(&Node) -> bool, dummy: &dyn Fn(usize, Pos) -> Node| match &v.kind {
            Kind::Seq(list) => Node {
                pos: v.pos,
                kind: Kind::Seq(
                    list.iter()
                        .enumerate()
                        .map(|(i, n)| if ok(n) { n.clone() } else { dummy(i, n.pos) })
                        .collect(),
                ),
            },
            _ => Node {
                pos: v.pos,
                kind: Kind::Seq(vec![]),
            },
        };
    let mut out: Vec<(String, Pos, Node)> = Vec::new();
    for (key, kpos, v) in entries {
        let fits = |r: Result<(), DeError>| r.is_ok();
        let node = match key.as_str() {
            "name" | "description" => fits(from_node::<String>(v).map(drop)).then(|| v.clone()),
            "impact" => fits(from_node::<f64>(v).map(drop)).then(|| v.clone()),
            "reversible" | "requires_approval" => {
                fits(from_node::<bool>(v).map(drop)).then(|| v.clone())
            }
            "timeout" => fits(from_node::<Timeout>(v).map(drop)).then(|| v.clone()),
            "verify" => fits(from_node::<Verify>(v).map(drop)).then(|| v.clone()),
            "handles" => Some(items(v, &|n| from_node::<Class>(n).is_ok(), &|_, p| {
                scalar(p, "dead_tuple_bloat")
            })),
            "when" => Some(items(v, &|n| from_node::<Condition>(n).is_ok(), &|_, p| {
                scalar(p, "ruvheal.placeholder >= 0")
            })),
            "steps" => Some(items(v, &|n| from_node::<Step>(n).is_ok(), &|i, p| {
                let name = format!("\u{1}unparsed step {i}");
                map(
                    p,
                    vec![
                        (
                            "name",
                            Node {
                                pos: p,
                                kind: Kind::Scalar(name, false),
                            },
                        ),
                        (
                            "do",
                            map(
                                p,
                                vec![
                                    ("kind", scalar(p, "check")),
                                    ("detector", scalar(p, "table")),
                                ],
                            ),
                        ),
                    ],
                )
            })),
            "params" => Some(match &v.kind {
                Kind::Map(params) => Node {
                    pos: v.pos,
                    kind: Kind::Map(
                        params
                            .iter()
                            .map(|(name, p, pv)| {
                                if from_node::<Param>(pv).is_ok() {
                                    return (name.clone(), *p, pv.clone());
                                }
                                // keep a well-formed type so templates are still checked
                                let kind = match &pv.kind {
                                    Kind::Map(e) => e
                                        .iter()
                                        .find(|(k, ..)| k == "type")
                                        .filter(|(.., t)| {
                                            from_node::<super::model::ParamType>(t).is_ok()
                                        })
                                        .map(|(.., t)| t.clone()),
                                    _ => None,
                                }
                                .unwrap_or_else(|| scalar(pv.pos, "string"));
                                (name.clone(), *p, map(pv.pos, vec![("type", kind)]))
                            })
                            .collect(),
                    ),
                },
                _ => map(v.pos, vec![]),
            }),
            _ => continue,
        };
        out.push((
            key.clone(),
            *kpos,
            node.unwrap_or_else(|| stand_in(key, v.pos)),
        ));
    }
    for f in REQUIRED {
        if !out.iter().any(|(k, ..)| k == f) {
            out.push((f.to_string(), at, stand_in(f, at)));
        }
    }
    Some(Node {
        pos: at,
        kind: Kind::Map(out),
    })
}
