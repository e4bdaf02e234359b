//! The state store: ruvheal's own tables (observations, findings, plans, repairs,
//! outcomes, weights, audit log) in a schema of the target or a separate database.
//!
//! Owns the migrations and every query on the state tables. Knows nothing about
//! terminals or the user's collections.

pub mod audit;
pub mod diagnoses;
pub mod history;
pub mod learning;
pub mod metrics;
pub mod migrate;
pub mod observations;
pub mod outcomes;
pub mod plans;
pub mod repairs;
pub mod retention;
pub mod status;

use std::collections::HashMap;

use anyhow::Result;

use crate::config::Settings;
use crate::sql::{self, ConnInfo};

pub use migrate::{MigrateReport, MissingPrivilege, migrate};

/// An open, migrated state store.
pub struct Store {
    /// The connection to the state database.
    pub client: postgres::Client,
    /// The state schema's name (unquoted).
    pub schema: String,
    /// Collection ids this handle has recorded: one run records each once.
    ids: HashMap<(String, String, String), i64>,
}

impl Store {
    /// Connects to the state database (`--state-url`, else the collections'
    /// database) and brings its schema up to date.
    pub fn open(settings: &Settings) -> Result<Self> {
        let url = settings
            .state_url
            .as_deref()
            .or(settings.database_url.as_deref());
        let info = ConnInfo::resolve(url, settings.connect_timeout)?;
        let mut client = sql::connect(&info)?;
        migrate(&mut client, &settings.state_schema)?;
        Ok(Store {
            client,
            schema: settings.state_schema.clone(),
            ids: HashMap::new(),
        })
    }

    /// The state server's current time: the clock every time-based decision uses.
    pub fn now(&mut self) -> Result<chrono::DateTime<chrono::Utc>> {
        crate::clock::server_now(&mut self.client)
    }

    /// The id of collection `table_schema.table(column)` in the state tables,
    /// recording it (and its `last_seen`) on the first ask of this handle.
    pub fn collection_id(&mut self, table_schema: &str, table: &str, column: &str) -> Result<i64> {
        let key = (
            table_schema.to_string(),
            table.to_string(),
            column.to_string(),
        );
        if let Some(&id) = self.ids.get(&key) {
            return Ok(id);
        }
        let id = observations::collection_id(
            &mut self.client,
            &self.schema,
            table_schema,
            table,
            column,
        )?;
        self.ids.insert(key, id);
        Ok(id)
    }
}
