//! Flag groups shared by several subcommands, flattened into them.

use std::path::PathBuf;

/// Flags every subcommand accepts (connection, configuration, output).
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// PostgreSQL URL or key=value DSN of the database holding the collections
    /// [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// Where ruvheal keeps its state tables [default: the --database-url database]
    #[arg(
        long,
        global = true,
        env = "RUVHEAL_STATE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub state_url: Option<String>,
    /// Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]
    #[arg(
        long,
        global = true,
        env = "RUVHEAL_CONFIG",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// Output format [default: table]
    #[arg(
        short = 'o',
        long,
        global = true,
        env = "RUVHEAL_OUTPUT",
        hide_env_values = true,
        value_enum
    )]
    pub output: Option<OutputFormat>,
    /// Never draw progress bars
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Print only results and errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail on stderr (repeat for debug output)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How reports are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Human-readable tables
    Table,
    /// One JSON document with stable snake_case keys
    Json,
}

/// Which collection(s) a command acts on.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct CollectionArgs {
    /// The collection: `table` or `schema.table`
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
    /// Every discovered collection
    #[arg(long)]
    pub all: bool,
}

/// Where playbooks come from besides the bundled set.
#[derive(Debug, clap::Args)]
pub struct PlaybookArgs {
    /// A folder of playbooks that add to or override the bundled ones by name
    #[arg(
        long,
        value_name = "DIR",
        env = "RUVHEAL_PLAYBOOKS",
        hide_env_values = true
    )]
    pub playbooks: Option<PathBuf>,
}
