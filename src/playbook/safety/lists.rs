//! The allow-lists of the safety pass, in one place so a reviewer can read them whole.
//!
//! Names are compared as PostgreSQL folds them (unquoted: lower case). Anything not
//! listed here is rejected.

/// Extensions `{{ schema_of(ext) }}` may name.
pub const EXTENSIONS: &[&str] = &["vector", "ruvector", "pg_prewarm"];

/// Extensions whose operator classes a `CREATE INDEX` may name as
/// `{{ schema_of(ext) }}.opclass`.
pub const OPCLASS_EXTENSIONS: &[&str] = &["vector", "ruvector"];

/// Functions of an extension, called as `{{ schema_of(ext) }}.name(...)`.
pub const EXTENSION_FUNCTIONS: &[(&str, &str)] = &[("pg_prewarm", "pg_prewarm")];

/// Read-only `pg_catalog` functions a query may call, unqualified (the session's
/// search_path is pinned to `pg_catalog, pg_temp`) or as `pg_catalog.name`.
pub const READ_FUNCTIONS: &[&str] = &[
    "abs",
    "age",
    "avg",
    "bool_and",
    "bool_or",
    "ceil",
    "clock_timestamp",
    "count",
    "current_database",
    "date_part",
    "every",
    "floor",
    "length",
    "lower",
    "make_interval",
    "max",
    "min",
    "now",
    "pg_backend_pid",
    "pg_current_wal_lsn",
    "pg_indexes_size",
    "pg_is_in_recovery",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_postmaster_start_time",
    "pg_relation_size",
    "pg_size_pretty",
    "pg_table_size",
    "pg_total_relation_size",
    "pg_wal_lsn_diff",
    "round",
    "split_part",
    "statement_timestamp",
    "substr",
    "sum",
    "upper",
];

/// Functions whose first argument is a relation (`regclass`): a string there must
/// be the collection's own (`{{ literal(table) }}`, `{{ literal(index) }}`).
pub const RELATION_ARG_FUNCTIONS: &[&str] = &[
    "pg_indexes_size",
    "pg_prewarm",
    "pg_relation_size",
    "pg_table_size",
    "pg_total_relation_size",
];

/// `pg_catalog` functions that signal other sessions: only in a step marked
/// `signals_backends: true` of a playbook with `requires_approval: true`.
pub const SIGNAL_FUNCTIONS: &[&str] = &["pg_cancel_backend", "pg_terminate_backend"];

/// SQL constructs that look like function calls but are grammar, never looked up
/// (and so never qualified): `coalesce(...)`, `nullif(...)`, `greatest(...)`, `least(...)`.
pub const SYNTAX_FUNCTIONS: &[&str] = &["coalesce", "greatest", "least", "nullif"];

/// Catalog relations a query may read, unqualified or as `pg_catalog.name`.
pub const CATALOG_RELATIONS: &[&str] = &[
    "pg_am",
    "pg_attribute",
    "pg_class",
    "pg_database",
    "pg_db_role_setting",
    "pg_extension",
    "pg_index",
    "pg_locks",
    "pg_namespace",
    "pg_opclass",
    "pg_replication_slots",
    "pg_roles",
    "pg_settings",
    "pg_stat_activity",
    "pg_stat_all_indexes",
    "pg_stat_all_tables",
    "pg_stat_database",
    "pg_stat_progress_analyze",
    "pg_stat_progress_create_index",
    "pg_stat_progress_vacuum",
    "pg_stat_replication",
    "pg_stat_user_indexes",
    "pg_stat_user_tables",
    "pg_stat_wal_receiver",
    "pg_statio_user_indexes",
    "pg_tablespace",
];

/// Type names a cast may use (optionally `pg_catalog.`-qualified), as sqlparser prints them.
pub const TYPES: &[&str] = &[
    "bigint",
    "bool",
    "boolean",
    "double precision",
    "float4",
    "float8",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "interval",
    "name",
    "numeric",
    "oid",
    "pg_lsn",
    "real",
    "regclass",
    "smallint",
    "text",
    "timestamp",
    "timestamptz",
];

/// Settings `ALTER DATABASE ... SET` / `ALTER ROLE ... SET` (and `set_setting` steps)
/// may change: search breadth and planner switches for vector searches, and build
/// memory. Never `search_path`, timeouts, roles, replication or logging settings.
pub const PERSISTENT_SETTINGS: &[&str] = &[
    "enable_bitmapscan",
    "enable_indexonlyscan",
    "enable_indexscan",
    "enable_seqscan",
    "hnsw.ef_search",
    "hnsw.iterative_scan",
    "hnsw.max_scan_tuples",
    "hnsw.scan_mem_multiplier",
    "ivfflat.iterative_scan",
    "ivfflat.max_probes",
    "ivfflat.probes",
    "maintenance_work_mem",
    "max_parallel_maintenance_workers",
    "max_parallel_workers_per_gather",
    "random_page_cost",
    "work_mem",
];

/// Settings a step's `settings:` (or a `SET` / `RESET` step) may change for its own
/// session: the persistent ones. `statement_timeout`, `lock_timeout` and
/// `client_connection_check_interval` belong to ruvheal's executor and are not here.
pub const SESSION_SETTINGS: &[&str] = PERSISTENT_SETTINGS;

/// Options of `VACUUM (...)`; `FULL` is refused with its own reason.
pub const VACUUM_OPTIONS: &[&str] = &[
    "ANALYZE",
    "BUFFER_USAGE_LIMIT",
    "DISABLE_PAGE_SKIPPING",
    "FREEZE",
    "INDEX_CLEANUP",
    "PARALLEL",
    "PROCESS_MAIN",
    "PROCESS_TOAST",
    "SKIP_DATABASE_STATS",
    "SKIP_LOCKED",
    "TRUNCATE",
    "VERBOSE",
];

/// Options of `ANALYZE (...)`.
pub const ANALYZE_OPTIONS: &[&str] = &["BUFFER_USAGE_LIMIT", "SKIP_LOCKED", "VERBOSE"];

/// Options of `REINDEX (...)` (not `TABLESPACE`, which moves the index).
pub const REINDEX_OPTIONS: &[&str] = &["CONCURRENTLY", "VERBOSE"];

/// Whether `name` (already folded) is in `list`.
pub fn listed(list: &[&str], name: &str) -> bool {
    list.contains(&name)
}
