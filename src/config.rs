//! Resolved configuration: flags > environment > configuration file > defaults.
//!
//! clap has already merged flags with their environment variables; this module
//! finds and reads the configuration file (`--config`, else `./ruvheal.yaml`, else
//! `$XDG_CONFIG_HOME/ruvheal/config.yaml`) and fills in what is still missing. It
//! opens no connection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::usage;

/// Default name of the schema holding ruvheal's state tables.
pub const DEFAULT_STATE_SCHEMA: &str = "ruvheal";

/// Days of history kept when the file does not say (`retention_days`).
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// The configuration file, as written by the user. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database holding the collections.
    pub database_url: Option<String>,
    /// Database holding the state tables.
    pub state_url: Option<String>,
    /// Schema of the state tables (default `ruvheal`).
    pub state_schema: Option<String>,
    /// Default output format.
    pub output: Option<OutputFormat>,
    /// Seconds to wait for a connection (default 10).
    pub connect_timeout_secs: Option<u64>,
    /// Per-collection contracts, keyed by `table` or `schema.table`.
    #[serde(default)]
    pub collections: BTreeMap<String, CollectionContract>,
    /// Detector thresholds for `check`.
    #[serde(default)]
    pub check: CheckConfig,
    /// Settings of `diagnose`.
    #[serde(default)]
    pub diagnose: DiagnoseConfig,
    /// The audit log.
    #[serde(default)]
    pub audit: AuditConfig,
    /// Safety limits of `plan`, `repair` and `heal`.
    #[serde(default)]
    pub plan: PlanConfig,
    /// Days of observations, findings, diagnoses, problems and superseded plans
    /// to keep (default 30; 0 keeps everything).
    pub retention_days: Option<u32>,
    /// Switches of `heal`.
    #[serde(default)]
    pub heal: Switch,
    /// Switches of `learn`.
    #[serde(default)]
    pub learn: Switch,
}

/// An operator's on/off switch (`heal.enabled`, `learn.enabled`; default on).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Switch {
    /// `false`: `heal` checks and diagnoses but acts on nothing; `learn` reports
    /// but stores no weights and raises no stops.
    pub enabled: bool,
}

impl Default for Switch {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// Safety limits of planning and repair. Every field has a default.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PlanConfig {
    /// Plans with a higher playbook impact wait for approval.
    pub max_auto_heal_impact: f64,
    /// Seconds after a repair of a collection before the next may be planned.
    pub cooldown_secs: u64,
    /// Repairs allowed per collection within `attempts_window_secs`.
    pub max_attempts: u32,
    /// The window of the attempt cap, in seconds.
    pub attempts_window_secs: u64,
    /// Playbook names or problem classes that always need approval.
    pub require_approval: Vec<String>,
    /// Programs shell steps may run (none by default: shell playbooks are off).
    pub shell_allow: Vec<String>,
    /// Playbooks never planned.
    pub disabled: Vec<String>,
    /// The role the application ingests as (for `throttle_ingestion`), when
    /// pg_stat_activity and pg_stat_statements show none writing the table.
    pub writer_role: Option<String>,
    /// Minimum relative improvement of a playbook's target metric for a repair to count as verified.
    pub verify_margin: f64,
    /// lock_timeout of every repair statement, in milliseconds.
    pub lock_timeout_ms: u64,
    /// statement_timeout of every repair statement, in milliseconds.
    pub statement_timeout_ms: u64,
    /// Retries of a statement that hit the lock timeout.
    pub lock_retries: u32,
    /// A daily window (UTC) in which the playbooks it names run without approval.
    pub maintenance_window: Option<crate::plan::window::MaintenanceWindow>,
    /// Repairs that may run at once on the server, across all its databases
    /// and collections (0: no cap). A repair over the cap exits 75.
    pub max_concurrent_repairs: u32,
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self {
            max_auto_heal_impact: 0.5,
            cooldown_secs: 3600,
            max_attempts: 3,
            attempts_window_secs: 86_400,
            require_approval: vec![],
            shell_allow: vec![],
            disabled: vec![],
            writer_role: None,
            verify_margin: 0.10,
            lock_timeout_ms: 2000,
            statement_timeout_ms: 6 * 3_600_000,
            lock_retries: 3,
            maintenance_window: None,
            max_concurrent_repairs: 0,
        }
    }
}

impl PlanConfig {
    /// The planner's limits.
    pub fn limits(&self) -> crate::plan::Limits {
        crate::plan::Limits {
            max_auto_heal_impact: self.max_auto_heal_impact,
            cooldown_secs: self.cooldown_secs,
            max_attempts: self.max_attempts,
            attempts_window_secs: self.attempts_window_secs,
            require_approval: self.require_approval.clone(),
            shell_allow: self.shell_allow.clone(),
            disabled: self.disabled.clone(),
            maintenance_window: self.maintenance_window.clone(),
        }
    }

    /// Timeouts and retries of repair statements.
    pub fn exec_limits(&self) -> crate::repair::exec::Limits {
        crate::repair::exec::Limits {
            lock_timeout: std::time::Duration::from_millis(self.lock_timeout_ms),
            statement_timeout: std::time::Duration::from_millis(self.statement_timeout_ms),
            retries: self.lock_retries,
            backoff: std::time::Duration::from_millis(500),
        }
    }
}

/// The audit log's optional HMAC key.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// A file holding the HMAC key (its bytes, one trailing newline dropped).
    /// `RUVHEAL_AUDIT_KEY` (the key itself) wins over it.
    pub hmac_key_file: Option<PathBuf>,
}

/// Settings of `diagnose`. Every field has a default.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DiagnoseConfig {
    /// Seconds after which the last observation is too old and `diagnose` runs a fresh check.
    pub max_observation_age_secs: u64,
    /// Normalised lambda below which the integrity state is `stress`.
    pub lambda_stress: f64,
    /// Normalised lambda below which the integrity state is `critical`.
    pub lambda_critical: f64,
}

impl Default for DiagnoseConfig {
    fn default() -> Self {
        Self {
            max_observation_age_secs: 300,
            lambda_stress: 0.1,
            lambda_critical: 0.02,
        }
    }
}

impl CheckConfig {
    /// [`CheckConfig::statement_timeout_ms`] as a duration.
    pub fn statement_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.statement_timeout_ms)
    }
}

/// Thresholds and budgets of the detectors. Every field has a default.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// statement_timeout for every detection query, in milliseconds.
    pub statement_timeout_ms: u64,
    /// Dead-tuple ratio that is a warning.
    pub dead_ratio_warning: f64,
    /// Dead-tuple ratio that is critical.
    pub dead_ratio_critical: f64,
    /// Rows above which a collection without an ANN index is a finding.
    pub missing_index_rows: i64,
    /// Seconds a session may sit idle in a transaction before it is a finding.
    pub idle_in_transaction_secs: f64,
    /// Seconds a transaction may hold back the xmin horizon before it is a finding.
    pub xmin_horizon_secs: f64,
    /// Replication replay lag that is a warning, in seconds.
    pub replication_lag_warning_secs: f64,
    /// Replication replay lag that is critical, in seconds.
    pub replication_lag_critical_secs: f64,
    /// Share of deleted HNSW elements (or dead IVFFlat entries) that is fragmentation.
    pub deleted_ratio_warning: f64,
    /// Orphan share of live HNSW elements that is a warning.
    pub orphan_ratio_warning: f64,
    /// IVFFlat coefficient of variation of list sizes that is skew.
    pub list_cv_warning: f64,
    /// Ratio of current to baseline mean distance-to-centroid that is drift.
    pub drift_ratio_warning: f64,
    /// Observations needed before anomaly detection judges a metric.
    pub baseline_min_samples: usize,
    /// Days of observations that form a baseline.
    pub baseline_window_days: u32,
    /// Multiplies the z-score thresholds (3 / 4 / 5); above 1 is less sensitive.
    pub anomaly_sensitivity: f64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            statement_timeout_ms: 600_000,
            dead_ratio_warning: 0.2,
            dead_ratio_critical: 0.5,
            missing_index_rows: 10_000,
            idle_in_transaction_secs: 60.0,
            xmin_horizon_secs: 300.0,
            replication_lag_warning_secs: 30.0,
            replication_lag_critical_secs: 300.0,
            deleted_ratio_warning: 0.2,
            orphan_ratio_warning: 0.01,
            list_cv_warning: 1.0,
            drift_ratio_warning: 1.5,
            baseline_min_samples: 10,
            baseline_window_days: 7,
            anomaly_sensitivity: 1.0,
        }
    }
}

/// What a collection promises its users; detectors compare against it.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionContract {
    /// Minimum recall@k of the ANN index against exact search.
    pub min_recall: f64,
    /// The k of recall@k and of the probe queries.
    pub k: u32,
    /// Maximum p99 latency of a probe query, in milliseconds.
    pub max_latency_ms: Option<f64>,
    /// How many probe vectors to sample. The default, 500, keeps the recall
    /// interval's half-width at or below 0.02 at recall 0.95 even when every
    /// probe scores all or nothing (the widest case; see BENCHMARKS.md).
    pub probes: usize,
    /// A table of real queries (`table` or `schema.table`) to sample probe vectors
    /// from instead of the collection itself.
    pub query_table: Option<String>,
    /// The vector column of `query_table` (default: the collection's column name).
    pub query_column: Option<String>,
    /// The distance the application searches with (`l2`, `cosine`, `ip`, `l1`,
    /// `hamming`, `jaccard`), for an index ruvheal creates when
    /// pg_stat_statements shows none.
    pub distance: Option<String>,
}

impl Default for CollectionContract {
    fn default() -> Self {
        Self {
            min_recall: 0.95,
            k: 10,
            max_latency_ms: None,
            probes: 500,
            query_table: None,
            query_column: None,
            distance: None,
        }
    }
}

/// Everything a command needs to know before it opens anything.
#[derive(Debug)]
pub struct Settings {
    /// URL/DSN of the collections' database, if one was given anywhere.
    pub database_url: Option<String>,
    /// URL/DSN of the state database; `None` means the collections' database.
    pub state_url: Option<String>,
    /// Schema of the state tables.
    pub state_schema: String,
    /// Output format.
    pub output: OutputFormat,
    /// Connect timeout.
    pub connect_timeout: std::time::Duration,
    /// Whether progress bars may be drawn at all (a terminal check comes later).
    pub progress: bool,
    /// -q
    pub quiet: bool,
    /// -v count
    pub verbose: u8,
    /// The file the settings came from, if any.
    pub config_path: Option<PathBuf>,
    /// Contracts per collection name, as written in the file.
    pub collections: BTreeMap<String, CollectionContract>,
    /// Detector thresholds.
    pub check: CheckConfig,
    /// Settings of `diagnose`.
    pub diagnose: DiagnoseConfig,
    /// The audit log.
    pub audit: AuditConfig,
    /// Safety limits of `plan`, `repair` and `heal`.
    pub plan: PlanConfig,
    /// Days of history the acting commands keep (0: everything).
    pub retention_days: u32,
    /// `heal.enabled`.
    pub heal: Switch,
    /// `learn.enabled`.
    pub learn: Switch,
}

impl Settings {
    /// Where the collections live: `--database-url` / `DATABASE_URL`, else the
    /// libpq environment, with the connect timeout.
    pub fn target(&self) -> Result<crate::sql::ConnInfo> {
        crate::sql::ConnInfo::resolve(self.database_url.as_deref(), self.connect_timeout)
    }

    /// The contract of a collection: the entry keyed `schema.table`, else `table`, else defaults.
    pub fn contract(&self, schema: &str, table: &str) -> CollectionContract {
        self.collections
            .get(&format!("{schema}.{table}"))
            .or_else(|| self.collections.get(table))
            .cloned()
            .unwrap_or_default()
    }
}

impl Settings {
    /// The audit HMAC key: `RUVHEAL_AUDIT_KEY`, else `audit.hmac_key_file`, else none.
    /// An unreadable or empty key file is a usage error.
    pub fn audit_key(&self) -> Result<Option<Vec<u8>>> {
        if let Some(k) = std::env::var_os("RUVHEAL_AUDIT_KEY").filter(|k| !k.is_empty()) {
            return Ok(Some(k.into_encoded_bytes()));
        }
        let Some(path) = &self.audit.hmac_key_file else {
            return Ok(None);
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path)
                && meta.permissions().mode() & 0o077 != 0
            {
                anyhow::bail!(
                    "audit.hmac_key_file {} is readable by group or others (mode {:o}); chmod 600 it",
                    path.display(),
                    meta.permissions().mode() & 0o777
                );
            }
        }
        let mut key = std::fs::read(path).map_err(|e| {
            usage(format!(
                "cannot read audit.hmac_key_file {}: {e}",
                path.display()
            ))
        })?;
        if key.last() == Some(&b'\n') {
            key.pop();
        }
        if key.is_empty() {
            return Err(usage(format!(
                "audit.hmac_key_file {} is empty",
                path.display()
            )));
        }
        Ok(Some(key))
    }

    /// Resolves flags (already merged with env by clap) against the config file.
    pub fn resolve(args: &GlobalArgs) -> Result<Self> {
        let config_path = locate(args.config.as_deref())?;
        let file = match &config_path {
            Some(p) => load(p)?,
            None => FileConfig::default(),
        };
        let state_schema = std::env::var("RUVHEAL_STATE_SCHEMA")
            .ok()
            .filter(|s| !s.is_empty())
            .or(file.state_schema)
            .unwrap_or_else(|| DEFAULT_STATE_SCHEMA.to_string());
        crate::sql::quote::ident(&state_schema)
            .map_err(|e| usage(format!("invalid state schema name {state_schema:?}: {e}")))?;
        let connect_timeout = std::env::var("PGCONNECT_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .or(file.connect_timeout_secs)
            .unwrap_or(10)
            .max(1);
        Ok(Settings {
            database_url: args.database_url.clone().or(file.database_url),
            state_url: args.state_url.clone().or(file.state_url),
            state_schema,
            output: args.output.or(file.output).unwrap_or(OutputFormat::Table),
            connect_timeout: std::time::Duration::from_secs(connect_timeout),
            progress: !args.no_progress && !args.quiet,
            quiet: args.quiet,
            verbose: args.verbose,
            config_path,
            collections: file.collections,
            check: file.check,
            diagnose: file.diagnose,
            audit: file.audit,
            plan: file.plan,
            retention_days: file.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS),
            heal: file.heal,
            learn: file.learn,
        })
    }
}

/// The configuration file to read: the explicit one (which must exist), else
/// `./ruvheal.yaml`, else the XDG one, else none.
fn locate(explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(p) = explicit {
        if !p.is_file() {
            return Err(usage(format!(
                "configuration file {} does not exist or is not a file",
                p.display()
            )));
        }
        return Ok(Some(p.to_path_buf()));
    }
    let local = PathBuf::from("ruvheal.yaml");
    if local.is_file() {
        return Ok(Some(local));
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)
        .map(|d| d.join("ruvheal").join("config.yaml"));
    Ok(xdg.filter(|p| p.is_file()))
}

/// Reads and parses one configuration file; a syntax or schema error is a usage
/// error naming the file, line and column.
pub fn load(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration file {}", path.display()))?;
    parse(&text).map_err(|e| usage(format!("{}:{e}", path.display())))
}

/// Parses configuration text; errors read `LINE:COLUMN: message`.
pub fn parse(text: &str) -> std::result::Result<FileConfig, String> {
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(loc) => format!("{}:{}: {e}", loc.line(), loc.column()),
        None => format!(" {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let c = parse(
            "database_url: postgres://u@h/db\nstate_schema: heal\noutput: json\n\
             collections:\n  public.embeddings:\n    min_recall: 0.9\n    k: 20\n",
        )
        .unwrap();
        assert_eq!(c.state_schema.as_deref(), Some("heal"));
        assert_eq!(c.output, Some(OutputFormat::Json));
        let contract = &c.collections["public.embeddings"];
        assert_eq!((contract.min_recall, contract.k), (0.9, 20));
        assert_eq!(contract.max_latency_ms, None);
    }

    #[test]
    fn unknown_keys_and_bad_types_name_the_line() {
        let e = parse("database_url: x\nstate_shema: y\n").unwrap_err();
        assert!(e.starts_with("2:1:"), "{e}");
        assert!(e.contains("state_shema"), "{e}");
        let e = parse("collections:\n  t:\n    k: many\n").unwrap_err();
        assert!(e.starts_with("3:"), "{e}");
        assert!(parse("output: xml\n").is_err());
        assert!(parse(": : :\n").is_err());
    }

    #[test]
    fn empty_file_is_defaults() {
        assert!(parse("").unwrap().database_url.is_none());
    }
}
