//! `ruvheal collections`: list vector collections and their indexes.

use anyhow::Result;
use serde::Serialize;

use crate::catalog::{self, Collection};
use crate::cli::CollectionsArgs;
use crate::config::Settings;
use crate::exit::Exit;
use crate::output::{self, Block, Report, Style};
use crate::sql;

/// The `collections` report.
#[derive(Debug, Serialize)]
pub struct CollectionsReport {
    /// The database listed.
    pub database: String,
    /// Every collection found (or the one asked for).
    pub collections: Vec<Collection>,
}

/// Lists the collections of the target database.
pub fn run(args: &CollectionsArgs, settings: &Settings) -> Result<Exit> {
    let info = settings.target()?;
    let mut client = sql::connect(&info)?;
    let mut found = catalog::discover(&mut client, &settings.state_schema)?;
    if let Some(name) = &args.collection {
        let one = catalog::resolve(&found, name)?.clone();
        found = vec![one];
    }
    let report = CollectionsReport {
        database: info.target().database,
        collections: found,
    };
    output::emit(&report, settings.output)?;
    Ok(Exit::Ok)
}

impl Report for CollectionsReport {
    fn tables(&self, style: &Style) -> Vec<Block> {
        if self.collections.is_empty() {
            return vec![Block::Line(format!(
                "no vector collections in database {}",
                self.database
            ))];
        }
        let mut t = style.table(["collection", "column", "type", "dims", "rows", "indexes"]);
        for c in &self.collections {
            let rows = c.rows.map_or("?".into(), |r| r.to_string());
            let rows = if c.partitions > 0 {
                format!("{rows} ({} partitions)", c.partitions)
            } else {
                rows
            };
            let indexes = if c.indexes.is_empty() {
                "none".to_string()
            } else {
                c.indexes
                    .iter()
                    .map(|i| {
                        let opts: Vec<String> =
                            i.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        format!(
                            "{} {} {}{} {}{}",
                            i.name,
                            i.method,
                            i.opclass,
                            if opts.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", opts.join(", "))
                            },
                            output::bytes(i.size_bytes),
                            if i.valid { "" } else { " INVALID" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            t.add_row(vec![
                c.collection.clone(),
                c.column.clone(),
                c.type_name.clone(),
                c.dims.map_or("-".into(), |d| d.to_string()),
                rows,
                indexes,
            ]);
        }
        vec![Block::Table(t)]
    }
}
