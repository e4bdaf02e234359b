//! The chosen playbook rendered for the collection: the exact statements a
//! repair would run, stored with the plan and printed by `plan` and
//! `repair --dry-run`.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::playbook::{Context, ParamValue, Playbook, Rendered, render};

/// One rendered step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStep {
    /// 1-based position.
    pub ordinal: i32,
    /// The step's name.
    pub name: String,
    /// The action kind (`sql`, `set_setting`, `wait_for`, `check`, `shell`).
    pub kind: String,
    /// What it will run.
    pub rendered: Rendered,
    /// What undoes it, rendered, when the playbook says.
    pub undo: Option<Rendered>,
}

impl PlannedStep {
    /// The statement as text (for storage and display).
    pub fn text(&self) -> String {
        text(&self.rendered)
    }
}

/// A rendered action as one line of text.
pub fn text(r: &Rendered) -> String {
    match r {
        Rendered::Sql { sql, settings, .. } => {
            let mut out = settings
                .iter()
                .map(|s| format!("{s}; "))
                .collect::<String>();
            out.push_str(sql);
            out
        }
        Rendered::SetSetting { sql, .. } => sql.clone(),
        Rendered::WaitFor { sql, timeout } => {
            format!("wait up to {}s for: {sql}", timeout.as_secs())
        }
        Rendered::Check { detector } => format!("re-run the {detector} detector"),
        Rendered::Shell { program, args } => std::iter::once(program.as_str())
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Renders every step of `playbook` with `ctx` and the planner's `params`.
pub fn render_steps(
    playbook: &Playbook,
    ctx: Context,
    params: &BTreeMap<String, ParamValue>,
) -> Result<Vec<PlannedStep>> {
    let ctx = ctx
        .with_params(playbook, params)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("filling the parameters of playbook {}", playbook.name))?;
    playbook
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let rendered = render(&s.action, &ctx)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("rendering step {} of {}", s.name, playbook.name))?;
            let undo = s
                .undo
                .as_ref()
                .map(|u| render(u, &ctx).map_err(|e| anyhow::anyhow!("{e}")))
                .transpose()
                .with_context(|| {
                    format!("rendering the undo of step {} of {}", s.name, playbook.name)
                })?;
            Ok(PlannedStep {
                ordinal: i as i32 + 1,
                name: s.name.clone(),
                kind: s.action.kind().to_string(),
                rendered,
                undo,
            })
        })
        .collect()
}

/// Drops the `set_setting` steps of another access method's search setting
/// (`hnsw.*` for an IVFFlat index, `ivfflat.*` for an HNSW one): they would
/// change nothing for this collection. Ordinals are renumbered.
pub fn for_method(steps: Vec<PlannedStep>, method: Option<&str>) -> Vec<PlannedStep> {
    let other = match method {
        Some("hnsw") => "ivfflat.",
        Some("ivfflat") => "hnsw.",
        _ => return steps,
    };
    steps
        .into_iter()
        .filter(|s| {
            !matches!(&s.rendered, Rendered::SetSetting { setting, .. } if setting.starts_with(other))
        })
        .enumerate()
        .map(|(i, mut s)| {
            s.ordinal = i as i32 + 1;
            s
        })
        .collect()
}
