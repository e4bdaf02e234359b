//! Command-line definition: clap structs that only parse.
//!
//! Nothing here opens a file or a connection; [`crate::config`] resolves these
//! flags (with the environment and the configuration file) into settings first.

mod args;

pub use args::{CollectionArgs, GlobalArgs, OutputFormat, PlaybookArgs};

use clap::{Parser, Subcommand};

/// Keeps PostgreSQL vector collections (pgvector HNSW and IVFFlat) healthy:
/// detect, diagnose, plan, repair, verify, learn.
#[derive(Debug, Parser)]
#[command(
    name = "ruvheal",
    version,
    about,
    long_about = "Keeps PostgreSQL vector collections (pgvector HNSW and IVFFlat indexes) \
healthy. Each invocation runs one synchronous cycle and exits with a meaningful code, so \
it fits cron, CI and shell pipelines. State lives in PostgreSQL tables (schema `ruvheal`).",
    after_long_help = crate::exit::EXIT_STATUS_HELP,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Flags every subcommand accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of DESIGN.md.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List vector collections: table, column, type, dims, rows and their indexes
    Collections(CollectionsArgs),
    /// Measure a collection, store an observation and report findings
    Check(CheckArgs),
    /// Classify findings into problems with root cause, evidence, impact and priority
    Diagnose(DiagnoseArgs),
    /// Pick a playbook per problem within the safety limits and store a plan
    Plan(PlanArgs),
    /// Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help
    Repair(RepairArgs),
    /// Undo a repair (the last one by default)
    Rollback(RollbackArgs),
    /// Recompute strategy weights from outcomes and print the effectiveness report
    Learn(LearnArgs),
    /// The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron
    Heal(HealArgs),
    /// Approve a plan that waits for a human
    Approve(DecisionArgs),
    /// Abort a plan that has not run, or a running repair (undone, recorded `aborted`)
    Abort(AbortArgs),
    /// A human's verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`
    Feedback(FeedbackArgs),
    /// What is running, cooling down or waiting for approval; last state per collection
    Status(StatusArgs),
    /// Past repairs with their outcomes
    History(HistoryArgs),
    /// The playbook library: list, show, validate
    #[command(subcommand)]
    Playbooks(PlaybooksCommand),
    /// The tamper-evident audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

/// `collections` flags.
#[derive(Debug, clap::Args)]
pub struct CollectionsArgs {
    /// Show only this collection (`table` or `schema.table`)
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
}

/// `check` flags.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: CollectionArgs,
    /// Seed for the deterministic choice of probe vectors
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Write node_exporter textfile metrics to PATH (atomically)
    #[arg(long, value_name = "PATH")]
    pub prometheus_textfile: Option<std::path::PathBuf>,
}

/// `diagnose` flags.
#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub target: CollectionArgs,
    /// Run a fresh check even when the last observation is recent
    #[arg(long)]
    pub fresh: bool,
}

/// `plan` flags.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub target: CollectionArgs,
    #[command(flatten)]
    pub playbooks: PlaybookArgs,
}

/// `repair` flags.
#[derive(Debug, clap::Args)]
pub struct RepairArgs {
    #[command(flatten)]
    pub target: CollectionArgs,
    /// Run this stored plan instead of planning afresh
    #[arg(long, value_name = "ID", conflicts_with = "playbook")]
    pub plan: Option<i64>,
    /// Run this playbook (instead of the planner's choice), under the same
    /// safety limits, approval rules and verification
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub playbook: Option<String>,
    /// A parameter of --playbook, overriding its default and the sizing
    /// (repeatable)
    #[arg(long = "param", value_name = "K=V", requires = "playbook")]
    pub params: Vec<String>,
    /// Print the exact SQL and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub playbooks: PlaybookArgs,
}

/// `rollback` flags.
#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The collection (`table` or `schema.table`)
    #[arg(long, value_name = "C", required = true)]
    pub collection: String,
    /// The repair to undo (default: the last one)
    #[arg(long, value_name = "ID")]
    pub repair: Option<i64>,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `learn` flags.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// Window of outcomes to learn from, in days
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub window: u32,
    /// Back up and clear the learned weights
    #[arg(long, conflicts_with = "restore")]
    pub reset: bool,
    /// Bring back the weights saved by the last --reset
    #[arg(long)]
    pub restore: bool,
}

/// `heal` flags.
#[derive(Debug, clap::Args)]
pub struct HealArgs {
    #[command(flatten)]
    pub target: CollectionArgs,
    /// Plan and print, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write node_exporter textfile metrics to PATH (atomically)
    #[arg(long, value_name = "PATH")]
    pub prometheus_textfile: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub playbooks: PlaybookArgs,
}

/// `approve` / `abort` arguments.
#[derive(Debug, clap::Args)]
pub struct DecisionArgs {
    /// The plan's id (from `ruvheal plan` or `ruvheal status`)
    #[arg(value_name = "PLAN_ID")]
    pub plan_id: i64,
    /// Why, for the audit log
    #[arg(long)]
    pub reason: Option<String>,
}

/// `abort` arguments.
#[derive(Debug, clap::Args)]
pub struct AbortArgs {
    /// The plan's id; with --repair, the repair's id. A plan that is running
    /// aborts its repair
    #[arg(value_name = "PLAN_ID|REPAIR_ID")]
    pub id: i64,
    /// The id is a repair's (from `ruvheal status` or `ruvheal history`)
    #[arg(long)]
    pub repair: bool,
    /// Why, for the audit log
    #[arg(long)]
    pub reason: Option<String>,
    /// How long to wait for a running repair to stop and undo its steps
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub wait: u64,
}

/// `feedback` arguments.
#[derive(Debug, clap::Args)]
pub struct FeedbackArgs {
    /// The repair's id (from `ruvheal history`)
    #[arg(value_name = "REPAIR_ID")]
    pub repair_id: i64,
    /// -1 harmful, 0 useless, 1-2 poor, 3-5 helpful; replaces the automatic
    /// verdict of this repair in `learn`
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i16).range(-1..=5))]
    pub score: i16,
    /// A note, kept with the score and in the audit log
    #[arg(long)]
    pub note: Option<String>,
}

/// `status` flags.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print Prometheus exposition text instead of a report
    #[arg(long)]
    pub prometheus: bool,
}

/// `history` flags.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Only this collection
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
    /// Only this problem class
    #[arg(long, value_name = "CLASS")]
    pub class: Option<String>,
    /// Only repairs since this time (RFC 3339) or age (e.g. 7d, 12h)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

/// `playbooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum PlaybooksCommand {
    /// List the playbooks (bundled and from --playbooks)
    List(PlaybookArgs),
    /// Show one playbook
    Show {
        /// The playbook's name
        name: String,
        #[command(flatten)]
        playbooks: PlaybookArgs,
    },
    /// Validate playbooks (a file or a folder; the bundled set by default)
    Validate {
        /// A playbook file or a folder of them
        path: Option<std::path::PathBuf>,
    },
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log
    Verify {
        /// A head printed by an earlier verify (SEQ:HASH), kept outside the
        /// database: finds deleted newest rows, which leave a valid chain
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
}

/// `completions` arguments.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
