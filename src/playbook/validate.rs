//! Validation: every problem of a playbook file, each with file, line and column.
//!
//! Three layers, in order: YAML syntax (yaml-rust2's scanner; the first error
//! ends the file), structure (unknown fields, wrong types, unknown problem classes,
//! malformed conditions and durations: each top-level field, each item of
//! `handles`, `when` and `steps` and each parameter is deserialized on its own over
//! the located tree (`de`), so every bad unit is reported, the first error
//! within a unit), then semantics (on a patched copy where malformed units are
//! stood in for, so they run even when the structure is broken), all reported and
//! located with `locate`:
//! names, impact range, parameters and their defaults, templates and the variables
//! they use, the safety pass over every rendered SQL statement, `wait_for`
//! condition and setting (`safety`), `signals_backends` and `shell` behind
//! approval, `CONCURRENTLY`/`VACUUM` outside a transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::condition::{Condition, is_metric_name, is_param_name};
use super::locate::{self, Pos, Seg};
use super::model::{Action, ParamType, Playbook, Scope};
use super::render::{self, BUILTINS, Context, ValueKind};
use super::safety;
use super::template;
use crate::vocab::Class;

/// Detectors a `check` step may name.
pub const DETECTORS: &[&str] = &[
    "new_index",
    "recall",
    "structure",
    "table",
    "settings",
    "contention",
    "anomaly",
    "integrity",
    "drift",
    "version",
];

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// The file (as given, or `bundled:NAME.yaml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Parses and validates one playbook file's text; `file` labels the problems.
pub fn parse_playbook(file: &str, text: &str) -> Result<Playbook, Vec<Problem>> {
    let at = |p: Pos, message: String| Problem {
        file: file.to_string(),
        line: p.line,
        column: p.column,
        message,
    };
    let docs =
        locate::parse(text).map_err(|(p, msg)| vec![at(p, format!("YAML syntax: {msg}"))])?;
    let root = match docs.as_slice() {
        [one] => one,
        [] => {
            return Err(vec![at(
                Pos { line: 1, column: 1 },
                "the file holds no playbook".into(),
            )]);
        }
        [_, second, ..] => {
            return Err(vec![at(
                second.pos,
                "one playbook per file: a second YAML document starts here".into(),
            )]);
        }
    };
    let playbook: Playbook = match serde_yaml::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            // serde_yaml stops at the first error; the per-unit pass over the
            // located tree finds them all.
            let mine = super::structure::problems(root);
            let first = e.location().map(|l| Pos {
                line: l.line(),
                column: l.column(),
            });
            // serde_yaml's own positions for custom errors (conditions, durations)
            // are unreliable, so its error is the fallback, used only when the
            // per-unit pass finds nothing (a duplicate key, say).
            let mut out: Vec<Problem> = mine.into_iter().map(|(_, p, msg)| at(p, msg)).collect();
            // Semantic problems of the well-formed rest, on a patched copy.
            if !out.is_empty()
                && let Some(patched) = super::structure::patched(root)
                && let Ok(partial) = super::de::from_node::<Playbook>(&patched)
            {
                semantics(&partial, &mut |path: &[Seg<'_>], message: String| {
                    out.push(at(root.locate(path), message));
                });
            }
            if out.is_empty() {
                let p = first.unwrap_or(root.pos);
                let msg = e.to_string();
                let msg = match msg.rfind(" at line ") {
                    Some(i) => msg[..i].to_string(),
                    None => msg,
                };
                out.push(at(p, msg));
            }
            out.sort();
            out.dedup();
            return Err(out);
        }
    };
    let mut problems = Vec::new();
    semantics(&playbook, &mut |path: &[Seg<'_>], message: String| {
        problems.push(at(root.locate(path), message));
    });
    // Checked on a well-formed file only: a malformed `verify` is stood in for.
    if playbook.verify.expect.is_empty() && playbook.verify.improves.is_none() {
        problems.push(at(
            root.locate(&[Seg::Key("verify")]),
            "a playbook needs a verify (expect conditions or an improves metric): \
             without one its repair would count as verified with nothing measured"
                .into(),
        ));
    }
    if problems.is_empty() {
        Ok(playbook)
    } else {
        problems.sort();
        Err(problems)
    }
}

type Report<'r> = dyn FnMut(&[Seg<'_>], String) + 'r;

fn semantics(pb: &Playbook, report: &mut Report<'_>) {
    use Seg::{Index, Key};
    if !is_param_name(&pb.name) {
        report(
            &[Key("name")],
            format!("name {:?} must be lowercase letters, digits and _", pb.name),
        );
    }
    if pb.description.trim().is_empty() {
        report(&[Key("description")], "description is empty".into());
    }
    if pb.handles.is_empty() {
        report(&[Key("handles")], "handles lists no problem class".into());
    }
    for (i, c) in pb.handles.iter().enumerate() {
        if *c == Class::Unknown {
            report(
                &[Key("handles"), Index(i)],
                "class unknown is never auto-healed; it is for a human".into(),
            );
        }
    }
    if !(0.0..=1.0).contains(&pb.impact) {
        report(
            &[Key("impact")],
            format!("impact {} is outside 0..=1", pb.impact),
        );
    }
    for (name, p) in &pb.params {
        let path = [Key("params"), Key(name)];
        if !is_param_name(name) {
            report(
                &path,
                format!("parameter name {name:?} must be lowercase letters, digits and _"),
            );
        }
        if BUILTINS.iter().any(|(b, _)| b == name) {
            report(
                &path,
                format!("parameter {name:?} shadows the built-in variable of that name"),
            );
        }
        if let Some(d) = &p.default
            && !p.kind.accepts(d)
        {
            report(
                &[Key("params"), Key(name), Key("default")],
                format!("default {d} is not of type {}", p.kind.as_str()),
            );
        }
    }
    let conditions = |list: &[Condition], path: &[Seg<'_>], report: &mut Report<'_>| {
        for (i, c) in list.iter().enumerate() {
            if let Some(p) = c.param() {
                let numeric = pb
                    .params
                    .get(p)
                    .map(|d| ValueKind::of_param(d.kind) == ValueKind::Number);
                let mut at = path.to_vec();
                at.push(Index(i));
                match numeric {
                    None => report(&at, format!("condition uses undefined parameter {p:?}")),
                    Some(false) => report(
                        &at,
                        format!("condition compares with parameter {p:?}, which is not a number"),
                    ),
                    Some(true) => {}
                }
            }
        }
    };
    conditions(&pb.when, &[Key("when")], report);
    conditions(&pb.verify.expect, &[Key("verify"), Key("expect")], report);
    if let Some(i) = &pb.verify.improves
        && !is_metric_name(&i.metric)
    {
        report(
            &[Key("verify"), Key("improves"), Key("metric")],
            format!("{:?} is not a metric name", i.metric),
        );
    }
    if pb.steps.is_empty() {
        report(&[Key("steps")], "a playbook needs at least one step".into());
    }
    let mut names = BTreeSet::new();
    let ctx = Context::placeholder(pb);
    let params = safety_params(pb, &ctx);
    let kinds: BTreeMap<&str, ValueKind> = BUILTINS
        .iter()
        .map(|(n, k)| (*n, *k))
        .chain(
            pb.params
                .iter()
                .map(|(n, p)| (n.as_str(), ValueKind::of_param(p.kind))),
        )
        .collect();
    for (i, step) in pb.steps.iter().enumerate() {
        if !names.insert(step.name.as_str()) {
            report(
                &[Key("steps"), Index(i), Key("name")],
                format!("step name {:?} is used twice", step.name),
            );
        }
        let lasting = matches!(step.action, Action::Sql { .. } | Action::Shell { .. });
        if pb.reversible && lasting && step.undo.is_none() {
            report(
                &[Key("steps"), Index(i), Key("name")],
                format!(
                    "the playbook says reversible: true, but step {:?} has no undo",
                    step.name
                ),
            );
        }
        if step.signals_backends && !pb.requires_approval {
            report(
                &[Key("steps"), Index(i), Key("signals_backends")],
                "a step that signals backends needs `requires_approval: true` on the playbook"
                    .into(),
            );
        }
        let allow = safety::Allow {
            signal_backends: step.signals_backends && pb.requires_approval,
            query_only: false,
        };
        let mut check = |action: &Action, key: &'static str| {
            let base = [Key("steps"), Index(i), Key(key)];
            let env = Env {
                pb,
                kinds: &kinds,
                ctx: &ctx,
                params: &params,
                allow,
            };
            action_problems(&env, action, &base, report);
        };
        check(&step.action, "do");
        if let Some(undo) = &step.undo {
            check(undo, "undo");
        }
    }
}

/// The parameters the safety pass needs: which are identifiers, and which of
/// those name an index the playbook itself creates.
fn safety_params(pb: &Playbook, ctx: &Context) -> safety::Params {
    let mut params = safety::Params {
        identifiers: pb
            .params
            .iter()
            .filter(|(_, p)| p.kind == ParamType::Identifier)
            .map(|(n, _)| n.clone())
            .collect(),
        created_indexes: BTreeSet::new(),
    };
    let mut created = BTreeSet::new();
    for step in &pb.steps {
        for action in std::iter::once(&step.action).chain(&step.undo) {
            if let Action::Sql { sql, .. } = action
                && let Ok(facts) =
                    safety::check_template(sql, ctx, safety::Allow::default(), &params)
                && let Some(p) = facts.creates_index
            {
                created.insert(p);
            }
        }
    }
    params.created_indexes = created;
    params
}

/// Whether `template` is exactly `{{ ident(p) }}` with `p` an `identifier` parameter.
fn one_identifier_param(template: &str, params: &safety::Params) -> bool {
    match template::parse(template).as_deref() {
        Ok(
            [
                template::Segment::Call {
                    func: template::Func::Ident,
                    var,
                    ..
                },
            ],
        ) => params.identifiers.contains(var),
        _ => false,
    }
}

/// What checking one action needs to know about its playbook.
struct Env<'e> {
    pb: &'e Playbook,
    kinds: &'e BTreeMap<&'e str, ValueKind>,
    ctx: &'e Context,
    params: &'e safety::Params,
    allow: safety::Allow,
}

fn action_problems<'a>(
    env: &Env<'_>,
    action: &'a Action,
    base: &[Seg<'a>],
    report: &mut Report<'_>,
) {
    let Env {
        pb,
        kinds,
        ctx,
        params,
        allow,
    } = env;
    let path = |extra: &[Seg<'a>]| -> Vec<Seg<'a>> { base.iter().chain(extra).copied().collect() };
    // Templates: syntax, defined variables, functions fitting their kinds.
    let mut templates_ok = true;
    let mut tpl =
        |text: &str, at: Vec<Seg<'a>>, report: &mut Report<'_>| match template::parse(text) {
            Err(e) => {
                templates_ok = false;
                report(&at, format!("template: {}", e.message));
            }
            Ok(segs) => {
                for (func, var, _) in template::calls(&segs) {
                    if func == template::Func::SchemaOf {
                        if !safety::EXTENSIONS.contains(&var) {
                            templates_ok = false;
                            report(
                                &at,
                                format!(
                                    "schema_of({var}): not an extension ruvheal knows; one of {}",
                                    safety::EXTENSIONS.join(", ")
                                ),
                            );
                        }
                        continue;
                    }
                    match kinds.get(var) {
                        None => {
                            templates_ok = false;
                            report(&at, format!("template uses undefined parameter {var:?}"));
                        }
                        Some(k) if !k.allows(func) => {
                            templates_ok = false;
                            report(
                                &at,
                                format!("{}({var}) does not fit a {k:?} variable", func.as_str()),
                            );
                        }
                        Some(_) => {}
                    }
                }
            }
        };
    match action {
        Action::Sql {
            sql,
            transaction,
            settings,
        } => {
            tpl(sql, path(&[Seg::Key("sql")]), report);
            for (name, value) in settings {
                let at = path(&[Seg::Key("settings"), Seg::Key(name.as_str())]);
                if render::setting_name(name).is_err() {
                    report(&at, format!("{name:?} is not a setting name"));
                }
                tpl(value, at, report);
            }
            if templates_ok && let Ok(r) = render::render(action, ctx) {
                let render::Rendered::Sql { sql: text, .. } = r else {
                    return;
                };
                if let Err(e) = safety::check_template(sql, ctx, *allow, params) {
                    report(&path(&[Seg::Key("sql")]), format!("unsafe SQL: {e}"));
                }
                for (name, value) in settings {
                    if let Err(e) = safety::check_setting(name, value, ctx, false) {
                        report(
                            &path(&[Seg::Key("settings"), Seg::Key(name.as_str())]),
                            format!("unsafe setting: {e}"),
                        );
                    }
                }
                let upper = text.to_ascii_uppercase();
                let needs_autocommit = upper.split_whitespace().any(|w| w == "CONCURRENTLY")
                    || upper.trim_start().starts_with("VACUUM");
                if *transaction && needs_autocommit {
                    report(
                        &path(&[Seg::Key("sql")]),
                        "CONCURRENTLY and VACUUM cannot run inside a transaction; add `transaction: false`".into(),
                    );
                }
            }
        }
        Action::SetSetting {
            scope,
            role,
            setting,
            value,
        } => {
            if render::setting_name(setting).is_err() {
                report(
                    &path(&[Seg::Key("setting")]),
                    format!("{setting:?} is not a setting name"),
                );
            }
            tpl(value, path(&[Seg::Key("value")]), report);
            match (scope, role) {
                (Scope::Role, None) => report(
                    &path(&[Seg::Key("scope")]),
                    "scope role needs `role`".into(),
                ),
                (Scope::Database, Some(_)) => report(
                    &path(&[Seg::Key("role")]),
                    "`role` only applies to scope role".into(),
                ),
                (_, Some(r)) => tpl(r, path(&[Seg::Key("role")]), report),
                _ => {}
            }
            if let Some(r) = role
                && !one_identifier_param(r, params)
            {
                report(
                    &path(&[Seg::Key("role")]),
                    "role must be one identifier parameter: {{ ident(writer_role) }}".into(),
                );
            }
            if templates_ok && let Err(e) = safety::check_setting(setting, value, ctx, true) {
                report(&path(&[Seg::Key("value")]), format!("unsafe setting: {e}"));
            }
        }
        Action::WaitFor { condition, .. } => {
            tpl(condition, path(&[Seg::Key("condition")]), report);
            let query = safety::Allow {
                query_only: true,
                ..*allow
            };
            if templates_ok && let Err(e) = safety::check_template(condition, ctx, query, params) {
                report(&path(&[Seg::Key("condition")]), format!("unsafe SQL: {e}"));
            }
        }
        Action::Check { detector } => {
            if !DETECTORS.contains(&detector.as_str()) {
                report(
                    &path(&[Seg::Key("detector")]),
                    format!(
                        "unknown detector {detector:?}; one of {}",
                        DETECTORS.join(", ")
                    ),
                );
            }
        }
        Action::Shell { program, args } => {
            if !pb.requires_approval {
                report(
                    &path(&[Seg::Key("kind")]),
                    "a shell step needs `requires_approval: true` on the playbook".into(),
                );
            }
            if program.trim().is_empty() {
                report(&path(&[Seg::Key("program")]), "program is empty".into());
            }
            for (i, a) in args.iter().enumerate() {
                let at = path(&[Seg::Key("args"), Seg::Index(i)]);
                if let Ok(segs) = template::parse(a)
                    && template::calls(&segs).any(|(f, _, _)| f != template::Func::Number)
                {
                    report(
                        &at,
                        "shell arguments are not SQL: only {{ number(x) }} may be used there"
                            .into(),
                    );
                }
                tpl(a, at, report);
            }
        }
    }
}

/// The playbook files of `path`: the file itself, or the `*.yaml` / `*.yml` files
/// directly in the folder, sorted.
pub fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    out.sort();
    Ok(out)
}

/// Validates a file or a folder; returns the valid playbooks with their files and
/// every problem found (also duplicate names across files).
pub fn validate_path(path: &Path) -> (Vec<(PathBuf, Playbook)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut valid: Vec<(PathBuf, Playbook)> = Vec::new();
    let list = match files(path) {
        Ok(l) => l,
        Err(e) => {
            return (
                vec![],
                vec![Problem {
                    file: path.display().to_string(),
                    line: 1,
                    column: 1,
                    message: format!("cannot read the folder: {e}"),
                }],
            );
        }
    };
    for file in list {
        let label = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem {
                    file: label,
                    line: 1,
                    column: 1,
                    message: format!("cannot read the file: {e}"),
                });
                continue;
            }
        };
        match parse_playbook(&label, &text) {
            Ok(pb) => {
                if let Some((other, _)) = valid.iter().find(|(_, p)| p.name == pb.name) {
                    let pos = locate::parse(&text)
                        .ok()
                        .and_then(|d| d.first().map(|r| r.locate(&[Seg::Key("name")])))
                        .unwrap_or(Pos { line: 1, column: 1 });
                    problems.push(Problem {
                        file: label,
                        line: pos.line,
                        column: pos.column,
                        message: format!(
                            "playbook {:?} is already defined in {}",
                            pb.name,
                            other.display()
                        ),
                    });
                } else {
                    valid.push((file, pb));
                }
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    (valid, problems)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
