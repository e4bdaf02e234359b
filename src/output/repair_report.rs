//! The `repair` report: the exact SQL on `--dry-run`, else what ran and how it ended.

use serde::Serialize;

use super::{Block, Report, Style};
use crate::catalog::Collection;
use crate::exit::Exit;
use crate::output::plan_report::Blocked;
use crate::repair::run::Outcome;
use crate::store::plans::StoredPlan;

/// `repair --collection C -o json`.
#[derive(Debug, Serialize)]
pub struct RepairReport {
    /// `schema.table`.
    pub collection: String,
    /// Nothing was changed.
    pub dry_run: bool,
    /// Plans that would run (`--dry-run`) or were declined at the prompt.
    #[serde(rename = "plans")]
    pub runnable: Vec<StoredPlan>,
    /// Plans waiting for approval (not run).
    pub awaiting_approval: Vec<StoredPlan>,
    /// Problems nothing was planned for.
    pub blocked: Vec<Blocked>,
    /// Every problem this run left unrepaired, whatever the reason (blocked,
    /// cooling down, attempt cap, awaiting approval, failed, dry run, declined).
    pub unrepaired: Vec<Blocked>,
    /// Repairs that ran.
    pub repairs: Vec<Ran>,
    /// The operator answered no at the prompt.
    pub declined: bool,
    #[serde(skip)]
    pub(crate) waiting: Vec<StoredPlan>,
    #[serde(skip)]
    pub(crate) outcomes: Vec<(StoredPlan, Outcome)>,
}

/// One repair that ran.
#[derive(Debug, Serialize)]
pub struct Ran {
    /// The plan.
    pub plan_id: i64,
    /// Its playbook.
    pub playbook: String,
    /// How it went.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl RepairReport {
    /// An empty report for `c`.
    pub fn new(c: &Collection, dry_run: bool) -> Self {
        RepairReport {
            collection: c.collection.clone(),
            dry_run,
            runnable: vec![],
            awaiting_approval: vec![],
            blocked: vec![],
            unrepaired: vec![],
            repairs: vec![],
            declined: false,
            waiting: vec![],
            outcomes: vec![],
        }
    }

    /// Moves the internal lists into their serialised places.
    fn settle(&mut self) {
        self.awaiting_approval.append(&mut self.waiting);
        for (p, o) in self.outcomes.drain(..) {
            self.repairs.push(Ran {
                plan_id: p.id,
                playbook: p.playbook,
                outcome: o,
            });
        }
    }

    /// What the problems left unrepaired mean: 2 for a critical one, 1 for a
    /// warning, else 0 (`heal`'s exit status says what is left).
    pub fn unrepaired_exit(&self) -> Exit {
        self.unrepaired
            .iter()
            .map(|b| match b.severity {
                crate::vocab::Severity::Critical => Exit::Critical,
                crate::vocab::Severity::Warning => Exit::Warning,
                crate::vocab::Severity::Info => Exit::Ok,
            })
            .max()
            .unwrap_or(Exit::Ok)
    }

    /// 2 when a repair failed or was rolled back, 1 when a plan waits for approval, else 0.
    pub fn exit(&self) -> Exit {
        let bad = |o: &Outcome| o.status != crate::state::RepairStatus::Succeeded;
        if self.repairs.iter().any(|r| bad(&r.outcome)) || self.outcomes.iter().any(|(_, o)| bad(o))
        {
            Exit::Critical
        } else if !self.awaiting_approval.is_empty() || !self.waiting.is_empty() {
            Exit::Warning
        } else {
            Exit::Ok
        }
    }

    fn blocks(&self, style: &Style) -> Vec<Block> {
        let mut out = Vec::new();
        let c = &self.collection;
        if self.dry_run {
            if self.runnable.is_empty() {
                out.push(Block::Line(format!("{c}: dry run: nothing would run")));
            }
            for p in &self.runnable {
                out.push(Block::Line(format!(
                    "{c}: dry run of plan {} ({} for {}): these statements would run; nothing was changed",
                    p.id, p.playbook, p.problem_class
                )));
                let mut t = style.table(["#", "step", "statement"]);
                for s in &p.steps {
                    t.add_row(vec![
                        s.ordinal.to_string(),
                        s.name.clone(),
                        s.rendered.clone(),
                    ]);
                }
                out.push(Block::Table(t));
            }
        }
        if self.declined {
            out.push(Block::Line(format!("{c}: not confirmed; nothing was done")));
        }
        for r in &self.repairs {
            let o = &r.outcome;
            let metric = o.metric.as_ref().map_or(String::new(), |(m, b, a)| {
                format!(
                    "; {m} {} -> {}",
                    b.map_or("?".into(), |v| format!("{v:.4}")),
                    a.map_or("?".into(), |v| format!("{v:.4}"))
                )
            });
            out.push(Block::Line(format!(
                "{c}: repair {} (plan {}, {}) {}{metric}{}",
                o.repair_id,
                r.plan_id,
                r.playbook,
                o.status,
                o.error
                    .as_ref()
                    .or(o.verify_notes.first())
                    .map_or(String::new(), |e| format!(": {e}"))
            )));
            let mut t = style.table(["#", "step", "status", "attempts", "ms", "statement"]);
            for s in &o.steps {
                t.add_row(vec![
                    s.ordinal.to_string(),
                    s.name.clone(),
                    s.status.to_string(),
                    s.attempts.to_string(),
                    format!("{:.0}", s.duration_ms),
                    s.rendered.clone(),
                ]);
            }
            out.push(Block::Table(t));
        }
        for p in &self.awaiting_approval {
            out.push(Block::Line(format!(
                "{c}: plan {} ({}) waits for approval: ruvheal approve {}",
                p.id, p.playbook, p.id
            )));
        }
        for b in &self.blocked {
            out.push(Block::Line(format!(
                "{c}: {} not planned: {}",
                b.class, b.reason
            )));
        }
        for b in self.unrepaired.iter().filter(|b| {
            !self
                .blocked
                .iter()
                .any(|x| x.class == b.class && x.reason == b.reason)
        }) {
            out.push(Block::Line(format!(
                "{c}: {} ({}) left unrepaired: {}",
                b.class,
                b.severity.as_str(),
                b.reason
            )));
        }
        if out.is_empty() {
            out.push(Block::Line(format!("{c}: nothing to repair")));
        }
        out
    }
}

impl Report for RepairReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        self.blocks(style)
    }
}

/// `repair --all -o json`.
#[derive(Debug, Serialize)]
pub struct RepairAll {
    /// One per collection.
    pub repairs: Vec<RepairReport>,
    /// Collections whose run failed (the others still ran).
    pub errors: Vec<crate::output::fleet_report::CollectionError>,
}

impl Report for RepairAll {
    fn tables(&self, style: &Style) -> Vec<Block> {
        let mut out: Vec<Block> = self.repairs.iter().flat_map(|r| r.blocks(style)).collect();
        out.extend(crate::output::fleet_report::blocks(&self.errors, style));
        out
    }
}

/// Finishes a report before it is printed.
pub fn settle(mut r: RepairReport) -> RepairReport {
    r.settle();
    r
}
