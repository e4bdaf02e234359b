//! The `playbooks` reports: the library as a table, one playbook with its steps,
//! and validation problems as `file:line:col: message`.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::playbook::{Action, Library, Loaded, Playbook, Problem, Source};

/// One row of `playbooks list`.
#[derive(Debug, Serialize)]
pub struct ListEntry {
    /// Name.
    pub name: String,
    /// Problem classes handled.
    pub handles: Vec<String>,
    /// Impact, 0..1.
    pub impact: f64,
    /// Whether it can be undone.
    pub reversible: bool,
    /// Whether it needs approval.
    pub requires_approval: bool,
    /// `bundled` or the file it came from.
    pub source: String,
    /// Description.
    pub description: String,
}

/// `playbooks list`.
#[derive(Debug, Serialize)]
pub struct ListReport {
    /// Every playbook, by name.
    pub playbooks: Vec<ListEntry>,
}

impl ListReport {
    /// The report for a library.
    pub fn new(lib: &Library) -> Self {
        ListReport {
            playbooks: lib
                .iter()
                .map(|l| ListEntry {
                    name: l.playbook.name.clone(),
                    handles: l.playbook.handles.iter().map(|c| c.to_string()).collect(),
                    impact: l.playbook.impact,
                    reversible: l.playbook.reversible,
                    requires_approval: l.playbook.requires_approval,
                    source: l.source.to_string(),
                    description: l.playbook.description.clone(),
                })
                .collect(),
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl Report for ListReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut t = style.table([
            "name",
            "handles",
            "impact",
            "reversible",
            "approval",
            "source",
        ]);
        for p in &self.playbooks {
            t.add_row(vec![
                p.name.clone(),
                p.handles.join(", "),
                format!("{:.2}", p.impact),
                yes_no(p.reversible).into(),
                yes_no(p.requires_approval).into(),
                p.source.clone(),
            ]);
        }
        vec![Block::Table(t)]
    }
}

/// `playbooks show NAME`.
#[derive(Debug, Serialize)]
pub struct ShowReport {
    /// The playbook as loaded.
    pub playbook: Playbook,
    /// `bundled` or its file.
    pub source: String,
}

impl ShowReport {
    /// The report for one loaded playbook.
    pub fn new(l: &Loaded) -> Self {
        ShowReport {
            playbook: l.playbook.clone(),
            source: match &l.source {
                Source::Bundled => "bundled".into(),
                Source::Path(p) => p.display().to_string(),
            },
        }
    }
}

fn describe(a: &Action) -> (String, String) {
    match a {
        Action::Sql {
            sql,
            transaction,
            settings,
        } => {
            let mut text = sql.trim().to_string();
            for (k, v) in settings {
                text.push_str(&format!("\n  with {k} = {v}"));
            }
            if !transaction {
                text.push_str("\n  (outside a transaction)");
            }
            ("sql".into(), text)
        }
        Action::SetSetting {
            scope,
            role,
            setting,
            value,
        } => (
            "set_setting".into(),
            format!(
                "{scope:?} {}{setting} = {value}",
                role.as_deref().map(|r| format!("{r} ")).unwrap_or_default()
            )
            .to_lowercase(),
        ),
        Action::WaitFor { condition, timeout } => (
            "wait_for".into(),
            format!("{} (up to {timeout})", condition.trim()),
        ),
        Action::Check { detector } => ("check".into(), format!("detector {detector}")),
        Action::Shell { program, args } => {
            ("shell".into(), format!("{program} {}", args.join(" ")))
        }
    }
}

impl Report for ShowReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let p = &self.playbook;
        let mut out = vec![
            Block::Line(format!("{} ({})", p.name, self.source)),
            Block::Line(p.description.trim().to_string()),
            Block::Line(format!(
                "handles: {}; impact {:.2}; reversible: {}; approval: {}; timeout {}",
                p.handles
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.impact,
                yes_no(p.reversible),
                yes_no(p.requires_approval),
                p.timeout
            )),
        ];
        if !p.when.is_empty() {
            let w: Vec<String> = p.when.iter().map(ToString::to_string).collect();
            out.push(Block::Line(format!("when: {}", w.join(" and "))));
        }
        if !p.params.is_empty() {
            let mut t = style.table(["param", "type", "default", "description"]);
            for (name, param) in &p.params {
                t.add_row(vec![
                    name.clone(),
                    param.kind.as_str().into(),
                    param
                        .default
                        .as_ref()
                        .map_or("(required)".into(), |d| d.to_string()),
                    param.description.clone(),
                ]);
            }
            out.push(Block::Table(t));
        }
        let mut t = style.table(["#", "step", "kind", "does", "undo"]);
        for (i, s) in p.steps.iter().enumerate() {
            let (kind, does) = describe(&s.action);
            let undo = s.undo.as_ref().map_or("-".into(), |u| describe(u).1);
            t.add_row(vec![(i + 1).to_string(), s.name.clone(), kind, does, undo]);
        }
        out.push(Block::Table(t));
        let mut verify: Vec<String> = p.verify.expect.iter().map(ToString::to_string).collect();
        if let Some(i) = &p.verify.improves {
            verify.push(format!(
                "{} must {}",
                i.metric,
                match i.direction {
                    crate::playbook::Direction::Decrease => "decrease",
                    crate::playbook::Direction::Increase => "increase",
                }
            ));
        }
        if !verify.is_empty() {
            out.push(Block::Line(format!("verify: {}", verify.join("; "))));
        }
        out
    }
}

/// `playbooks validate`.
#[derive(Debug, Serialize)]
pub struct ValidateReport {
    /// (file, name) of each valid playbook.
    pub valid: Vec<(String, String)>,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

impl Report for ValidateReport {
    fn tables(&self, _style: &Style) -> Vec<Block> {
        let mut out: Vec<Block> = self
            .problems
            .iter()
            .map(|p| Block::Line(p.to_string()))
            .collect();
        out.push(Block::Line(if self.problems.is_empty() {
            format!("{} playbooks valid", self.valid.len())
        } else {
            format!(
                "{} problems; {} playbooks valid",
                self.problems.len(),
                self.valid.len()
            )
        }));
        out
    }
}
