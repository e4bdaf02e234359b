//! Ground truth: the exact top-k neighbours of every probe, from ONE streamed
//! `COPY (SELECT tableoid, ctid, <col> ...) TO STDOUT (FORMAT binary)` pass.
//!
//! Each row is decoded once, compared with every probe, and offered to a bounded
//! max-heap of `k` entries per probe, so memory depends on probes × k, never on
//! the table's size. Rows the index cannot hold are skipped: NULLs (in SQL) and,
//! for cosine, rows of norm zero (their distance is NaN). Reads only; the caller
//! chooses the transaction (a REPEATABLE READ one keeps the truth stable).

use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::sync::{Arc, mpsc};

use anyhow::{Context, Result, anyhow, bail};
use postgres::GenericClient;

use super::distance::{BLOCK, Metric, ROWS, norm_sq, popcount, transpose};
use super::top_k::{TopK, offer};
use super::vectors::{Value, VecKind, decode_bit, decode_dense_into, mask_padding};
use crate::sql::copy::CopyReader;
use crate::sql::{QualifiedName, ident};

/// A heap row: the relation it lives in (`tableoid`, which differs between the
/// partitions or inheritance children of one table) and its `ctid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tid {
    /// `tableoid` of the row.
    pub table: u32,
    /// Heap block number.
    pub block: u32,
    /// Line pointer (1-based) within the block.
    pub offset: u16,
}

impl Tid {
    /// Decodes the binary `tid` form: int32 block, int16 offset.
    pub fn from_ctid(table: u32, bytes: &[u8]) -> Option<Tid> {
        let b: [u8; 6] = bytes.try_into().ok()?;
        Some(Tid {
            table,
            block: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            offset: u16::from_be_bytes([b[4], b[5]]),
        })
    }
}

impl fmt::Display for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.block, self.offset)
    }
}

/// The exact neighbours of each probe.
#[derive(Debug, Clone, Default)]
pub struct ExactResult {
    /// Per probe (same order as given): up to k (distance, row), nearest first,
    /// ties broken by row.
    pub neighbours: Vec<Vec<(f64, Tid)>>,
    /// Non-NULL rows read from the table.
    pub rows_scanned: u64,
    /// Rows left out because their distance is undefined (cosine, norm zero).
    pub rows_skipped: u64,
    /// Bytes of COPY data read.
    pub bytes_read: u64,
}

/// Computes the exact top-`k` of every probe under `metric` in one binary COPY
/// pass over `table`.`column`. All probes must be of `kind` with the column's
/// dimensions; a row of other dimensions is an error (the server's operator
/// would refuse it too). With no probes or `k == 0` nothing is read.
pub fn exact_top_k(
    client: &mut impl GenericClient,
    table: &QualifiedName,
    column: &str,
    kind: VecKind,
    metric: Metric,
    probes: &[Value],
    k: usize,
) -> Result<ExactResult> {
    let scan = Scan::new(kind, metric, probes, k)?;
    if probes.is_empty() || k == 0 {
        return Ok(scan.finish());
    }
    let col = ident(column)?;
    let sql = format!(
        "COPY (SELECT tableoid, ctid, {col} FROM {} WHERE {col} IS NOT NULL) TO STDOUT (FORMAT binary)",
        table.sql()?
    );
    let what = || format!("exact neighbours: reading {table}.{column} with COPY");
    let reader = client.copy_out(&sql).with_context(what)?;
    top_k_from_copy(reader, kind, metric, probes, k).with_context(what)
}

/// [`exact_top_k`] over any binary COPY stream of `(tableoid, ctid, value)` rows.
///
/// The probes are split by blocks over up to `available_parallelism()` worker
/// threads, which receive the rows in batches from the reading thread (a few
/// batches in flight, so memory stays bounded); with one core or one block of
/// probes everything runs on the calling thread.
pub fn top_k_from_copy(
    reader: impl Read,
    kind: VecKind,
    metric: Metric,
    probes: &[Value],
    k: usize,
) -> Result<ExactResult> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    scan_threads(reader, kind, metric, probes, k, cores)
}

fn scan_threads(
    reader: impl Read,
    kind: VecKind,
    metric: Metric,
    probes: &[Value],
    k: usize,
    threads: usize,
) -> Result<ExactResult> {
    let workers = threads.clamp(1, probes.len().div_ceil(BLOCK).max(1));
    let per = probes.len().div_ceil(BLOCK).div_ceil(workers).max(1) * BLOCK;
    let mut scans = probes
        .chunks(per)
        .map(|group| Scan::new(kind, metric, group, k))
        .collect::<Result<Vec<_>>>()?;
    let mut copy = CopyReader::new(reader)?;
    if scans.len() <= 1 {
        let mut scan = match scans.pop() {
            Some(scan) => scan,
            None => Scan::new(kind, metric, probes, k)?,
        };
        read_batches(&mut copy, |batch| batch.feed(&mut scan))?;
        return Ok(merge(vec![scan], copy.bytes_read()));
    }
    std::thread::scope(|s| {
        let (mut senders, mut handles) = (Vec::new(), Vec::new());
        for mut scan in scans {
            let (tx, rx) = mpsc::sync_channel::<Arc<Batch>>(4);
            senders.push(tx);
            handles.push(s.spawn(move || -> Result<Scan> {
                for batch in rx {
                    batch.feed(&mut scan)?;
                }
                Ok(scan)
            }));
        }
        let read = read_batches(&mut copy, |batch| {
            let batch = Arc::new(batch);
            for tx in &senders {
                // a closed channel means that worker failed; its error is reported below
                tx.send(Arc::clone(&batch))
                    .map_err(|_| anyhow!("exact-scan worker stopped"))?;
            }
            Ok(())
        });
        drop(senders);
        let mut done = Vec::new();
        for h in handles {
            done.push(
                h.join()
                    .map_err(|_| anyhow!("exact-scan worker panicked"))??,
            );
        }
        read?;
        Ok(merge(done, copy.bytes_read()))
    })
}

/// Rows handed to the scans at a time.
const BATCH_ROWS: usize = 1024;

/// A batch of rows: their ids and their values' bytes.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    rows: Vec<(Tid, Range<usize>)>,
}

impl Batch {
    fn feed(&self, scan: &mut Scan) -> Result<()> {
        let value = |r: &Range<usize>| self.data.get(r.clone()).unwrap_or_default();
        let mut group = Vec::with_capacity(ROWS);
        for rows in self.rows.chunks(ROWS) {
            group.clear();
            group.extend(rows.iter().map(|(tid, r)| (*tid, value(r))));
            scan.rows(&group)?;
        }
        Ok(())
    }
}

/// Reads every row of the stream, handing them to `sink` in batches.
fn read_batches<R: Read>(
    copy: &mut CopyReader<R>,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<()> {
    let (mut buf, mut spans, mut batch) = (Vec::new(), Vec::new(), Batch::default());
    while copy.next_tuple(&mut buf, &mut spans)? {
        let field = |i: usize| spans.get(i).cloned().flatten().and_then(|r| buf.get(r));
        let (Some(oid), Some(ctid), Some(value)) = (field(0), field(1), field(2)) else {
            bail!("expected 3 non-NULL fields per row, got {spans:?}");
        };
        let oid: [u8; 4] = oid.try_into().map_err(|_| anyhow!("bad tableoid"))?;
        let tid =
            Tid::from_ctid(u32::from_be_bytes(oid), ctid).ok_or_else(|| anyhow!("bad ctid"))?;
        let start = batch.data.len();
        batch.data.extend_from_slice(value);
        batch.rows.push((tid, start..batch.data.len()));
        if batch.rows.len() == BATCH_ROWS {
            sink(std::mem::take(&mut batch))?;
        }
    }
    if !batch.rows.is_empty() {
        sink(batch)?;
    }
    Ok(())
}

/// One result from scans over consecutive groups of probes (each saw every row).
fn merge(scans: Vec<Scan>, bytes_read: u64) -> ExactResult {
    let mut out = ExactResult {
        bytes_read,
        ..ExactResult::default()
    };
    for scan in scans {
        let part = scan.finish();
        (out.rows_scanned, out.rows_skipped) = (part.rows_scanned, part.rows_skipped);
        out.neighbours.extend(part.neighbours);
    }
    out
}

/// Per-probe state, laid out for the inner loop.
enum Probes {
    Dense {
        dim: usize,
        /// Dimension-major blocks of probes (see [`transpose`]).
        blocks: Vec<[f32; BLOCK]>,
        /// Squared norms of the probes, per block.
        norms: Vec<[f32; BLOCK]>,
        row: Vec<f32>,
        /// Up to [`ROWS`] rows, dimension-major (see [`Metric::block_sums`]).
        xs: Vec<[f32; ROWS]>,
    },
    Sparse {
        dim: usize,
        values: Vec<Value>,
        norms: Vec<f32>,
    },
    Bit {
        len: u32,
        flat: Vec<u8>,
        counts: Vec<u32>,
        row: Vec<u8>,
    },
}

struct Scan {
    kind: VecKind,
    metric: Metric,
    probes: Probes,
    top: Vec<TopK>,
    /// Per probe, the distance a row must not exceed to enter its top-k
    /// (padded to whole blocks with -inf).
    worst: Vec<f64>,
    /// Scratch distances of one row.
    dists: Vec<f64>,
    rows: u64,
    skipped: u64,
    /// The vector instruction set found at run time.
    arch: pulp::Arch,
}

impl Scan {
    fn new(kind: VecKind, metric: Metric, probes: &[Value], k: usize) -> Result<Scan> {
        if !metric.supports(kind) {
            bail!("{metric} distance is not defined for {}", kind.type_name());
        }
        let dims = probes.first().map_or(0, Value::dims);
        if let Some(p) = probes
            .iter()
            .find(|p| p.kind() != kind.value_kind() || p.dims() != dims)
        {
            bail!(
                "probes differ: a {} of {} dims among {} of {dims}",
                p.kind().type_name(),
                p.dims(),
                kind.type_name()
            );
        }
        let probes_state = match kind {
            VecKind::Vector | VecKind::Halfvec | VecKind::Ruvector => {
                let dense: Vec<&[f32]> = probes.iter().map(dense_of).collect();
                Probes::Dense {
                    dim: dims,
                    blocks: transpose(&dense, dims),
                    norms: dense
                        .chunks(BLOCK)
                        .map(|c| std::array::from_fn(|i| c.get(i).map_or(0.0, |p| norm_sq(p))))
                        .collect(),
                    row: Vec::new(),
                    xs: vec![[0.0; ROWS]; dims],
                }
            }
            VecKind::Sparsevec => Probes::Sparse {
                dim: dims,
                norms: probes
                    .iter()
                    .map(|p| sparse_of(p).map_or(0.0, |(_, v)| norm_sq(v)))
                    .collect(),
                values: probes.to_vec(),
            },
            VecKind::Bit => {
                let flat: Vec<u8> = probes.iter().flat_map(bits_of).copied().collect();
                let counts = probes.iter().map(|p| popcount(bits_of(p))).collect();
                Probes::Bit {
                    len: dims as u32,
                    flat,
                    counts,
                    row: Vec::new(),
                }
            }
        };
        Ok(Scan {
            kind,
            metric,
            probes: probes_state,
            top: (0..probes.len()).map(|_| TopK::new(k)).collect(),
            worst: (0..probes.len().div_ceil(BLOCK) * BLOCK)
                .map(|p| {
                    if p < probes.len() {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect(),
            dists: Vec::with_capacity(probes.len()),
            rows: 0,
            skipped: 0,
            arch: pulp::Arch::new(),
        })
    }

    /// Up to [`ROWS`] rows, in table order: dense ones measured together.
    fn rows(&mut self, group: &[(Tid, &[u8])]) -> Result<()> {
        if matches!(self.probes, Probes::Dense { .. }) {
            return self.dense_rows(group);
        }
        for (tid, bytes) in group {
            self.row(*tid, bytes)
                .with_context(|| format!("row {tid}"))?;
        }
        Ok(())
    }

    /// One sparse or bit row.
    fn row(&mut self, tid: Tid, bytes: &[u8]) -> Result<()> {
        self.rows += 1;
        let (metric, top, worst, dists) =
            (self.metric, &mut self.top, &mut self.worst, &mut self.dists);
        match &mut self.probes {
            Probes::Dense { .. } => bail!("dense rows are measured by Scan::dense_rows"),
            Probes::Sparse { dim, values, norms } => {
                let v = Value::decode(VecKind::Sparsevec, bytes)?;
                check_dims(v.dims(), *dim)?;
                let (ix, xs) = sparse_of(&v).unwrap_or_default();
                let n = norm_sq(xs);
                if metric == Metric::Cosine && n == 0.0 {
                    self.skipped += 1;
                    return Ok(());
                }
                dists.clear();
                dists.extend(values.iter().zip(norms.iter()).map(|(p, np)| {
                    let (pi, pv) = sparse_of(p).unwrap_or_default();
                    metric.sparse((ix, xs), (pi, pv), n, *np)
                }));
                offer(top, worst, 0, tid, dists);
            }
            Probes::Bit {
                len,
                flat,
                counts,
                row,
            } => {
                let (bits, body) = decode_bit(bytes)?;
                check_dims(bits as usize, *len as usize)?;
                row.clear();
                row.extend_from_slice(body);
                mask_padding(bits, row);
                let c = popcount(row);
                let chunks = flat.chunks_exact(row.len().max(1));
                dists.clear();
                dists.extend(
                    chunks
                        .zip(counts.iter())
                        .map(|(p, cp)| metric.bits(row, p, c, *cp)),
                );
                offer(top, worst, 0, tid, dists);
            }
        }
        Ok(())
    }

    /// Up to [`ROWS`] dense rows, measured together (see [`Metric::block_sums`]);
    /// each probe is offered the rows in their order, as one at a time would.
    fn dense_rows(&mut self, group: &[(Tid, &[u8])]) -> Result<()> {
        let metric = self.metric;
        let Probes::Dense {
            dim,
            blocks,
            norms,
            row,
            xs,
        } = &mut self.probes
        else {
            bail!("dense rows for non-dense probes");
        };
        let (mut n, mut used) = ([0.0f32; ROWS], [false; ROWS]);
        for (r, (tid, bytes)) in group.iter().enumerate().take(ROWS) {
            self.rows += 1;
            decode_dense_into(self.kind, bytes, row).with_context(|| format!("row {tid}"))?;
            check_dims(row.len(), *dim).with_context(|| format!("row {tid}"))?;
            n[r] = if metric == Metric::Cosine {
                norm_sq(row)
            } else {
                1.0
            };
            if n[r] == 0.0 {
                self.skipped += 1;
                continue;
            }
            used[r] = true;
            for (x, v) in xs.iter_mut().zip(row.iter()) {
                x[r] = *v;
            }
        }
        let (top, worst, xs) = (&mut self.top, &mut self.worst, &*xs);
        let blocks = blocks.chunks_exact((*dim).max(1)).zip(norms.iter());
        // Compiled for the widest vector unit this CPU has (AVX2 where
        // present), chosen at run time; same arithmetic, same sums.
        self.arch.dispatch(
            #[inline(always)]
            || {
                for (b, (blk, nb)) in blocks.enumerate() {
                    let sums = metric.block_sums(xs, blk);
                    for (r, (tid, _)) in group.iter().enumerate().take(ROWS) {
                        if used[r] {
                            let d = metric.finish_block(&sums[r], n[r], nb);
                            offer(top, worst, b * BLOCK, *tid, &d);
                        }
                    }
                }
            },
        );
        Ok(())
    }

    fn finish(self) -> ExactResult {
        ExactResult {
            neighbours: self.top.into_iter().map(TopK::into_sorted).collect(),
            rows_scanned: self.rows,
            rows_skipped: self.skipped,
            bytes_read: 0,
        }
    }
}

fn check_dims(got: usize, want: usize) -> Result<()> {
    if got != want {
        bail!("the row has {got} dimensions, the probes {want}");
    }
    Ok(())
}

fn dense_of(v: &Value) -> &[f32] {
    match v {
        Value::Vector(x) | Value::Halfvec(x) => x,
        _ => &[],
    }
}

fn sparse_of(v: &Value) -> Option<(&[u32], &[f32])> {
    match v {
        Value::Sparsevec {
            indices, values, ..
        } => Some((indices, values)),
        _ => None,
    }
}

fn bits_of(v: &Value) -> &[u8] {
    match v {
        Value::Bit { bytes, .. } => bytes,
        _ => &[],
    }
}

#[cfg(test)]
#[path = "exact_tests.rs"]
mod tests;
