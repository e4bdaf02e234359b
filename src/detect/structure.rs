//! Structure inspection, the server side: checks that pages can be read
//! (pageinspect installed, superuser, the expected access method), then streams
//! the index's pages in batches into the pure readers of [`super::pages`].
//!
//! Read-only. The pages come in one binary COPY of `get_raw_page`, which takes
//! only an AccessShareLock on the index; the table is never locked and no
//! setting is changed. Pages are parsed as they arrive and never kept, so memory
//! follows the size of the graph, not of the index. Pages appended after the
//! relation size was read are ignored.

use std::time::Instant;

use anyhow::{Context, Result};
use postgres::Client;
use serde::Serialize;

use super::pages::{HnswReader, HnswStructure, IvfReader, IvfStructure};
use crate::sql::copy::CopyReader;
use crate::sql::{QualifiedName, ident};

/// Why structure inspection could not run (pageinspect missing, not superuser,
/// unsupported access method). Not an error for `check`: it becomes an info finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// One sentence saying why, and what would make it run.
    pub reason: String,
}

/// The outcome of an inspection that is allowed not to run.
#[derive(Debug, Clone)]
pub enum Inspection<T> {
    /// The measurements.
    Done(T),
    /// Why there are none.
    Skipped(Skipped),
}

impl<T> Inspection<T> {
    /// The measurements, if the inspection ran.
    pub fn done(self) -> Option<T> {
        match self {
            Inspection::Done(t) => Some(t),
            Inspection::Skipped(_) => None,
        }
    }
}

/// Reads every page of the HNSW index `index` and measures its graph.
pub fn inspect_hnsw(
    client: &mut Client,
    index: &QualifiedName,
) -> Result<Inspection<HnswStructure>> {
    let target = match prepare(client, index, "hnsw")? {
        Ok(t) => t,
        Err(skipped) => return Ok(Inspection::Skipped(skipped)),
    };
    let limit = HnswReader::max_blocks(target.block_size as usize);
    if target.blocks >= limit as i64 {
        return Ok(skip(format!(
            "index {index} has {} blocks; structure inspection reads HNSW indexes of up to {limit} blocks",
            target.blocks
        )));
    }
    let mut reader = HnswReader::new();
    stream(client, index, &target, |b, page| reader.push(b, page))?;
    let s = reader
        .finish()
        .with_context(|| format!("measuring the HNSW graph of {index}"))?;
    Ok(Inspection::Done(s))
}

/// Reads every page of the IVFFlat index `index` and measures its lists.
pub fn inspect_ivfflat(
    client: &mut Client,
    index: &QualifiedName,
) -> Result<Inspection<IvfStructure>> {
    let target = match prepare(client, index, "ivfflat")? {
        Ok(t) => t,
        Err(skipped) => return Ok(Inspection::Skipped(skipped)),
    };
    let mut reader = IvfReader::new();
    stream(client, index, &target, |b, page| reader.push(b, page))?;
    let s = reader
        .finish()
        .with_context(|| format!("measuring the IVFFlat lists of {index}"))?;
    Ok(Inspection::Done(s))
}

fn skip<T>(reason: String) -> Inspection<T> {
    Inspection::Skipped(Skipped { reason })
}

/// What to read: the quoted name, the schema-qualified `get_raw_page`, the size.
#[derive(Debug)]
struct Target {
    name_sql: String,
    get_raw_page: String,
    blocks: i64,
    block_size: i64,
}

const PREFLIGHT_SQL: &str = "
SELECT current_database()::text, current_user::text,
       coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
       (SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pageinspect')";

const INDEX_SQL: &str = "
SELECT c.relkind::text, coalesce(a.amname::text, ''), pg_relation_size(c.oid),
       current_setting('block_size')::int8
  FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam
 WHERE c.oid = to_regclass($1)";

/// Checks that `index` can be read and is an `am` index; `Err(Skipped)` says why not.
fn prepare(
    client: &mut Client,
    index: &QualifiedName,
    am: &str,
) -> Result<std::result::Result<Target, Skipped>> {
    let row = client
        .query_one(PREFLIGHT_SQL, &[])
        .context("checking for pageinspect and superuser")?;
    let (database, role): (String, String) = (row.get(0), row.get(1));
    let superuser: bool = row.get(2);
    let Some(schema) = row.get::<_, Option<String>>(3) else {
        return Ok(Err(Skipped {
            reason: format!(
                "pageinspect is not installed in database {database}: CREATE EXTENSION pageinspect"
            ),
        }));
    };
    if !superuser {
        return Ok(Err(Skipped {
            reason: format!(
                "reading index pages needs a superuser (pageinspect's raw-page functions are \
                 superuser-only); role {role} is not"
            ),
        }));
    }
    let name_sql = index.sql()?;
    let row = client
        .query_opt(INDEX_SQL, &[&name_sql])
        .with_context(|| format!("looking up index {index}"))?
        .with_context(|| format!("index {index} does not exist"))?;
    let (relkind, method): (String, String) = (row.get(0), row.get(1));
    let (size, block_size): (i64, i64) = (row.get(2), row.get(3));
    let reason = match (relkind.as_str(), method.as_str()) {
        ("i", m) if m == am => None,
        ("I", _) => Some(format!(
            "{index} is a partitioned index, which has no pages of its own; inspect its partitions"
        )),
        ("i", m) => Some(format!("{index} is a {m} index, not {am}")),
        (k, _) => Some(format!("{index} is not an index (relkind {k})")),
    };
    if let Some(reason) = reason {
        return Ok(Err(Skipped { reason }));
    }
    Ok(Ok(Target {
        name_sql,
        get_raw_page: format!("{}.get_raw_page", ident(&schema)?),
        blocks: size / block_size.max(1),
        block_size,
    }))
}

/// Feeds blocks `0..target.blocks` to `push`, streamed by one binary COPY (one
/// statement: an AccessShareLock on the index for the length of the read, which
/// blocks nothing but DROP/REINDEX without CONCURRENTLY).
fn stream(
    client: &mut Client,
    index: &QualifiedName,
    target: &Target,
    mut push: impl FnMut(u32, &[u8]) -> Result<()>,
) -> Result<()> {
    let started = Instant::now();
    if target.blocks > 0 {
        let sql = format!(
            "COPY (SELECT b, {}({}, 'main', b) FROM generate_series(0::int8, {}::int8) b) TO STDOUT (FORMAT binary)",
            target.get_raw_page,
            crate::sql::literal(&target.name_sql)?,
            target.blocks - 1
        );
        let reader = client
            .copy_out(&sql)
            .with_context(|| format!("reading the pages of {index}"))?;
        let mut copy = CopyReader::new(reader)?;
        let (mut buf, mut spans) = (Vec::with_capacity(8200), Vec::with_capacity(2));
        while copy
            .next_tuple(&mut buf, &mut spans)
            .with_context(|| format!("reading the pages of {index}"))?
        {
            let (Some(Some(b)), Some(Some(p))) = (spans.first(), spans.get(1)) else {
                anyhow::bail!("unexpected NULL in the page stream of {index}");
            };
            let block = i64::from_be_bytes(
                buf[b.clone()]
                    .try_into()
                    .context("block number is not an int8")?,
            );
            let block = u32::try_from(block).context("block number out of range")?;
            push(block, &buf[p.clone()])
                .with_context(|| format!("parsing block {block} of {index}"))?;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    log::debug!(
        "read {} pages of {index} in {secs:.2}s ({:.0} pages/s)",
        target.blocks,
        target.blocks as f64 / secs.max(1e-9)
    );
    Ok(())
}
