//! Distance metrics, computed the way pgvector computes them.
//!
//! pgvector sums in `float4` and finishes in `float8` (`sqrt((double) sum)`,
//! `(double) dot / sqrt((double) na * (double) nb)`), so the kernels here sum in
//! `f32` too, with many independent accumulators so that the loops vectorise;
//! the summation order differs from the server's, so results agree to within a
//! few `f32` ulps of the sum, not bit for bit. Pure code, no I/O.

use std::fmt;

use super::vectors::{Value, VecKind};

/// A distance, named after pgvector's operator classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `<->`: Euclidean distance (not squared).
    L2,
    /// `<#>`: the negative inner product.
    InnerProduct,
    /// `<=>`: 1 − cosine similarity; NaN when either side has norm 0.
    Cosine,
    /// `<+>`: taxicab distance.
    L1,
    /// `<~>`: number of differing bits.
    Hamming,
    /// `<%>`: 1 − |a ∧ b| / |a ∨ b| (1 when no bit is shared).
    Jaccard,
}

impl Metric {
    /// The metric of an index operator class (`vector_l2_ops`, `halfvec_cosine_ops`,
    /// `bit_hamming_ops`, ...); `None` for an opclass that is not a pgvector distance.
    pub fn from_opclass(opclass: &str) -> Option<Metric> {
        let (_, suffix) = opclass.rsplit_once('_').and_then(|(rest, ops)| {
            (ops == "ops").then_some(())?;
            rest.rsplit_once('_')
        })?;
        match suffix {
            "l2" => Some(Metric::L2),
            "ip" => Some(Metric::InnerProduct),
            "cosine" => Some(Metric::Cosine),
            "l1" => Some(Metric::L1),
            "hamming" => Some(Metric::Hamming),
            "jaccard" => Some(Metric::Jaccard),
            _ => None,
        }
    }

    /// The SQL operator (`<->`, `<#>`, `<=>`, `<+>`, `<~>`, `<%>`).
    pub fn operator(self) -> &'static str {
        match self {
            Metric::L2 => "<->",
            Metric::InnerProduct => "<#>",
            Metric::Cosine => "<=>",
            Metric::L1 => "<+>",
            Metric::Hamming => "<~>",
            Metric::Jaccard => "<%>",
        }
    }

    /// Whether pgvector defines this metric for `kind`.
    pub fn supports(self, kind: VecKind) -> bool {
        matches!(self, Metric::Hamming | Metric::Jaccard) == (kind == VecKind::Bit)
    }

    /// The distance between two values of the same kind and dimensions, as the
    /// server's operator would return it.
    pub fn distance(self, a: &Value, b: &Value) -> Result<f64, MetricError> {
        if a.kind() != b.kind() || !self.supports(a.kind()) {
            return Err(MetricError(format!(
                "{self} is not defined between {} and {}",
                a.kind().type_name(),
                b.kind().type_name()
            )));
        }
        if a.dims() != b.dims() {
            return Err(MetricError(format!(
                "different dimensions {} and {}",
                a.dims(),
                b.dims()
            )));
        }
        Ok(match (a, b) {
            (Value::Vector(x) | Value::Halfvec(x), Value::Vector(y) | Value::Halfvec(y)) => {
                self.dense(x, y, norm_sq(x), norm_sq(y))
            }
            (
                Value::Sparsevec {
                    indices: ia,
                    values: va,
                    ..
                },
                Value::Sparsevec {
                    indices: ib,
                    values: vb,
                    ..
                },
            ) => self.sparse((ia, va), (ib, vb), norm_sq(va), norm_sq(vb)),
            (Value::Bit { bytes: x, .. }, Value::Bit { bytes: y, .. }) => {
                self.bits(x, y, popcount(x), popcount(y))
            }
            _ => return Err(MetricError("mismatched values".into())),
        })
    }

    /// Dense distance; `na`/`nb` are the squared norms (used by cosine only).
    #[inline]
    pub fn dense(self, a: &[f32], b: &[f32], na: f32, nb: f32) -> f64 {
        let sum = match self {
            Metric::L2 => l2_squared(a, b),
            Metric::InnerProduct | Metric::Cosine => dot(a, b),
            Metric::L1 => l1(a, b),
            Metric::Hamming | Metric::Jaccard => f32::NAN,
        };
        self.finish(sum, na, nb)
    }

    /// The distance from the metric's f32 sum (squared difference, dot product or
    /// absolute difference) as pgvector finishes it in f64.
    #[inline]
    pub fn finish(self, sum: f32, na: f32, nb: f32) -> f64 {
        match self {
            Metric::L2 => f64::from(sum).sqrt(),
            Metric::InnerProduct => -f64::from(sum),
            Metric::Cosine => cosine_finish(sum, na, nb),
            Metric::L1 => f64::from(sum),
            Metric::Hamming | Metric::Jaccard => f64::NAN,
        }
    }

    /// [`Metric::finish`] over a block of sums; `nb` holds the probes' squared norms.
    #[inline(always)]
    pub fn finish_block(self, sums: &[f32; BLOCK], na: f32, nb: &[f32; BLOCK]) -> [f64; BLOCK] {
        let mut out = [f64::NAN; BLOCK];
        // one loop per metric, so that each vectorises
        match self {
            Metric::L2 => out
                .iter_mut()
                .zip(sums)
                .for_each(|(o, s)| *o = f64::from(*s).sqrt()),
            Metric::InnerProduct => out
                .iter_mut()
                .zip(sums)
                .for_each(|(o, s)| *o = -f64::from(*s)),
            Metric::L1 => out
                .iter_mut()
                .zip(sums)
                .for_each(|(o, s)| *o = f64::from(*s)),
            Metric::Cosine => {
                for ((o, s), n) in out.iter_mut().zip(sums).zip(nb) {
                    *o = cosine_finish(*s, na, *n);
                }
            }
            Metric::Hamming | Metric::Jaccard => {}
        }
        out
    }

    /// [`ROWS`] rows stored dimension-major (`xs[j][r]` is element j of row r)
    /// against a block of [`BLOCK`] probes stored likewise (`blk[j][p]`; see
    /// [`transpose`]): per row, the f32 sums [`Metric::finish`] expects. No
    /// horizontal additions, so the loop vectorises across probes; each sum runs
    /// in dimension order, and the rows' sums, independent of each other,
    /// overlap in the vector unit.
    #[inline(always)]
    pub fn block_sums(self, xs: &[[f32; ROWS]], blk: &[[f32; BLOCK]]) -> [[f32; BLOCK]; ROWS] {
        match self {
            Metric::L2 => block_reduce(xs, blk, |x, y| (x - y) * (x - y)),
            Metric::InnerProduct | Metric::Cosine => block_reduce(xs, blk, |x, y| x * y),
            Metric::L1 => block_reduce(xs, blk, |x, y| (x - y).abs()),
            Metric::Hamming | Metric::Jaccard => [[f32::NAN; BLOCK]; ROWS],
        }
    }

    /// Sparse distance over (indices, values) pairs; `na`/`nb` are squared norms.
    pub fn sparse(self, a: (&[u32], &[f32]), b: (&[u32], &[f32]), na: f32, nb: f32) -> f64 {
        let (mut d2, mut ip, mut l1) = (0.0f32, 0.0f32, 0.0f32);
        merge(a, b, |x, y| {
            let d = x - y;
            d2 += d * d;
            ip += x * y;
            l1 += d.abs();
        });
        match self {
            Metric::L2 => f64::from(d2).sqrt(),
            Metric::InnerProduct => -f64::from(ip),
            Metric::Cosine => cosine_finish(ip, na, nb),
            Metric::L1 => f64::from(l1),
            Metric::Hamming | Metric::Jaccard => f64::NAN,
        }
    }

    /// Bit distance; `ca`/`cb` are the numbers of set bits.
    #[inline]
    pub fn bits(self, a: &[u8], b: &[u8], ca: u32, cb: u32) -> f64 {
        match self {
            Metric::Hamming => f64::from(bit_combine(a, b, |x, y| x ^ y)),
            Metric::Jaccard => {
                let both = bit_combine(a, b, |x, y| x & y);
                if both == 0 {
                    1.0
                } else {
                    1.0 - f64::from(both) / (f64::from(ca) + f64::from(cb) - f64::from(both))
                }
            }
            _ => f64::NAN,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Metric::L2 => "l2",
            Metric::InnerProduct => "inner_product",
            Metric::Cosine => "cosine",
            Metric::L1 => "l1",
            Metric::Hamming => "hamming",
            Metric::Jaccard => "jaccard",
        })
    }
}

/// Two values a metric cannot compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricError(pub String);

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MetricError {}

/// pgvector's cosine finish: clamp the similarity to [-1, 1]; NaN for a zero norm.
#[inline]
pub fn cosine_finish(dot: f32, na: f32, nb: f32) -> f64 {
    let sim = f64::from(dot) / (f64::from(na) * f64::from(nb)).sqrt();
    if sim.is_nan() {
        f64::NAN
    } else {
        1.0 - sim.clamp(-1.0, 1.0)
    }
}

/// Probes per block in [`Metric::block_sums`] (16 f32 = four SSE registers of accumulators).
pub const BLOCK: usize = 16;

/// Rows per call of [`Metric::block_sums`]: one row's additions into the same
/// accumulators wait on each other (a sum of 96 terms is 96 additions in a
/// row); four rows' sums do not, so the vector unit works on four at once.
pub const ROWS: usize = 4;

/// Lays out dense probes of `dim` elements dimension-major in blocks of
/// [`BLOCK`]: block b covers probes b·BLOCK.., element `[b·dim + j][i]`; missing
/// probes of the last block are zeros.
pub fn transpose(probes: &[&[f32]], dim: usize) -> Vec<[f32; BLOCK]> {
    let mut out = vec![[0.0f32; BLOCK]; probes.len().div_ceil(BLOCK) * dim];
    for (p, probe) in probes.iter().enumerate() {
        for (j, x) in probe.iter().take(dim).enumerate() {
            if let Some(slot) = out.get_mut((p / BLOCK) * dim + j) {
                slot[p % BLOCK] = *x;
            }
        }
    }
    out
}

#[inline(always)]
fn block_reduce(
    xs: &[[f32; ROWS]],
    blk: &[[f32; BLOCK]],
    f: impl Fn(f32, f32) -> f32,
) -> [[f32; BLOCK]; ROWS] {
    let [mut a0, mut a1, mut a2, mut a3] = [[0.0f32; BLOCK]; ROWS];
    // one statement per row: a loop over the rows would invite the compiler to
    // vectorise across them (four lanes, gathered) instead of across the probes
    for (x, q) in xs.iter().zip(blk) {
        lanes(&mut a0, x[0], q, &f);
        lanes(&mut a1, x[1], q, &f);
        lanes(&mut a2, x[2], q, &f);
        lanes(&mut a3, x[3], q, &f);
    }
    [a0, a1, a2, a3]
}

/// `acc[i] += f(x, q[i])` for every probe of the block.
#[inline(always)]
fn lanes(acc: &mut [f32; BLOCK], x: f32, q: &[f32; BLOCK], f: &impl Fn(f32, f32) -> f32) {
    for i in 0..BLOCK {
        acc[i] += f(x, q[i]);
    }
}

const LANES: usize = 16;

#[inline]
fn fold(acc: [f32; LANES], tail: f32) -> f32 {
    let mut w = acc;
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            w[i] += w[i + n];
        }
    }
    w[0] + tail
}

/// Generic lane-parallel reduction `Σ f(a_i, b_i)` over the common prefix.
#[inline(always)]
fn reduce(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let n = a.len().min(b.len());
    let (ca, ra) = a[..n].as_chunks::<LANES>();
    let (cb, rb) = b[..n].as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..LANES {
            acc[i] += f(x[i], y[i]);
        }
    }
    let tail = ra.iter().zip(rb).map(|(x, y)| f(*x, *y)).sum();
    fold(acc, tail)
}

/// Σ (a_i − b_i)², summed in f32.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    reduce(a, b, |x, y| (x - y) * (x - y))
}

/// Σ a_i · b_i, summed in f32.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    reduce(a, b, |x, y| x * y)
}

/// Σ |a_i − b_i|, summed in f32.
#[inline]
pub fn l1(a: &[f32], b: &[f32]) -> f32 {
    reduce(a, b, |x, y| (x - y).abs())
}

/// Σ a_i², summed in f32.
#[inline]
pub fn norm_sq(a: &[f32]) -> f32 {
    dot(a, a)
}

/// Walks two sparse vectors in index order, calling `f(x, y)` once per index
/// present in either (0 for a missing side).
fn merge(a: (&[u32], &[f32]), b: (&[u32], &[f32]), mut f: impl FnMut(f32, f32)) {
    let (mut i, mut j) = (0, 0);
    let (na, nb) = (a.0.len().min(a.1.len()), b.0.len().min(b.1.len()));
    while i < na || j < nb {
        let (ia, ib) = (
            a.0.get(i).copied().unwrap_or(u32::MAX),
            b.0.get(j).copied().unwrap_or(u32::MAX),
        );
        if i < na && (j >= nb || ia < ib) {
            f(a.1[i], 0.0);
            i += 1;
        } else if j < nb && (i >= na || ib < ia) {
            f(0.0, b.1[j]);
            j += 1;
        } else {
            f(a.1[i], b.1[j]);
            i += 1;
            j += 1;
        }
    }
}

/// Number of set bits.
pub fn popcount(a: &[u8]) -> u32 {
    bit_combine(a, a, |x, _| x)
}

#[inline(always)]
fn bit_combine(a: &[u8], b: &[u8], f: impl Fn(u64, u64) -> u64) -> u32 {
    let n = a.len().min(b.len());
    let (ca, ra) = a[..n].as_chunks::<8>();
    let (cb, rb) = b[..n].as_chunks::<8>();
    let words: u32 = ca
        .iter()
        .zip(cb)
        .map(|(x, y)| f(u64::from_ne_bytes(*x), u64::from_ne_bytes(*y)).count_ones())
        .sum();
    let rest: u32 = ra
        .iter()
        .zip(rb)
        .map(|(x, y)| f(u64::from(*x), u64::from(*y)).count_ones())
        .sum();
    words + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opclasses_map_to_operators() {
        let cases = [
            ("vector_l2_ops", Some("<->")),
            ("halfvec_ip_ops", Some("<#>")),
            ("sparsevec_cosine_ops", Some("<=>")),
            ("vector_l1_ops", Some("<+>")),
            ("bit_hamming_ops", Some("<~>")),
            ("bit_jaccard_ops", Some("<%>")),
            ("int4_ops", None),
            ("vector_ops", None),
            ("l2_ops", None),
            ("", None),
        ];
        for (opc, op) in cases {
            assert_eq!(Metric::from_opclass(opc).map(Metric::operator), op, "{opc}");
        }
        assert!(Metric::Hamming.supports(VecKind::Bit));
        assert!(!Metric::L2.supports(VecKind::Bit));
        assert!(!Metric::Jaccard.supports(VecKind::Halfvec));
    }

    #[test]
    fn block_sums_on_the_widest_vector_unit_match_pgvectors_order_bit_for_bit() {
        // pgvector sums each distance in dimension order in f32; the block
        // kernel, compiled for AVX2 at run time, must give the same bits.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        };
        let dim = 96;
        let probes: Vec<Vec<f32>> = (0..BLOCK)
            .map(|_| (0..dim).map(|_| next()).collect())
            .collect();
        let refs: Vec<&[f32]> = probes.iter().map(Vec::as_slice).collect();
        let blk = transpose(&refs, dim);
        let arch = pulp::Arch::new();
        for _ in 0..50 {
            let rows: Vec<Vec<f32>> = (0..ROWS)
                .map(|_| (0..dim).map(|_| next()).collect())
                .collect();
            let xs: Vec<[f32; ROWS]> = (0..dim)
                .map(|j| std::array::from_fn(|r| rows[r][j]))
                .collect();
            for m in [Metric::L2, Metric::InnerProduct, Metric::L1] {
                let sums = arch.dispatch(
                    #[inline(always)]
                    || m.block_sums(&xs, &blk),
                );
                for (r, row) in rows.iter().enumerate() {
                    for (p, probe) in probes.iter().enumerate() {
                        let mut want = 0.0f32;
                        for (a, b) in row.iter().zip(probe) {
                            want += match m {
                                Metric::L2 => (a - b) * (a - b),
                                Metric::L1 => (a - b).abs(),
                                _ => a * b,
                            };
                        }
                        assert_eq!(
                            sums[r][p].to_bits(),
                            want.to_bits(),
                            "{m} row {r} probe {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn dense_distances_on_small_cases() {
        let a = Value::Vector(vec![1.0, 2.0, 3.0]);
        let b = Value::Vector(vec![4.0, 6.0, 3.0]);
        assert_eq!(Metric::L2.distance(&a, &b).unwrap(), 5.0);
        assert_eq!(Metric::InnerProduct.distance(&a, &b).unwrap(), -25.0);
        assert_eq!(Metric::L1.distance(&a, &b).unwrap(), 7.0);
        let c = Metric::Cosine.distance(&a, &b).unwrap();
        assert!((c - (1.0 - 25.0 / (14f64.sqrt() * 61f64.sqrt()))).abs() < 1e-7);
        let zero = Value::Vector(vec![0.0; 3]);
        assert!(Metric::Cosine.distance(&a, &zero).unwrap().is_nan());
        assert!(Metric::L2.distance(&a, &Value::Vector(vec![1.0])).is_err());
        assert!(Metric::Hamming.distance(&a, &b).is_err());
        // blocks agree with the pairwise kernels
        let probes: Vec<Vec<f32>> = (0..20)
            .map(|p| {
                (0..37)
                    .map(|j| ((p * 7 + j * 3) % 11) as f32 - 5.0)
                    .collect()
            })
            .collect();
        let refs: Vec<&[f32]> = probes.iter().map(Vec::as_slice).collect();
        let blocks = transpose(&refs, 37);
        let rows: Vec<Vec<f32>> = (0..ROWS)
            .map(|r| (0..37).map(|j| ((j + r) % 5) as f32).collect())
            .collect();
        let xs: Vec<[f32; ROWS]> = (0..37)
            .map(|j| std::array::from_fn(|r| rows[r][j]))
            .collect();
        for m in [Metric::L2, Metric::InnerProduct, Metric::L1] {
            for (b, blk) in blocks.chunks_exact(37).enumerate() {
                let sums = m.block_sums(&xs, blk);
                for (r, row) in rows.iter().enumerate() {
                    for (i, p) in probes.iter().skip(b * BLOCK).take(BLOCK).enumerate() {
                        assert_eq!(
                            m.finish(sums[r][i], 1.0, 1.0),
                            m.dense(row, p, 1.0, 1.0),
                            "{m}"
                        );
                    }
                }
            }
        }
        // long enough to use the lanes and the tail
        let x: Vec<f32> = (0..37).map(|i| i as f32).collect();
        let y: Vec<f32> = (0..37).map(|i| (i * 2) as f32).collect();
        assert_eq!(
            l2_squared(&x, &y),
            (0..37).map(|i| (i * i) as f32).sum::<f32>()
        );
    }

    #[test]
    fn sparse_and_bit_distances() {
        let a = Value::Sparsevec {
            dim: 5,
            indices: vec![0, 2],
            values: vec![1.0, 2.0],
        };
        let b = Value::Sparsevec {
            dim: 5,
            indices: vec![2, 4],
            values: vec![3.0, 4.0],
        };
        assert_eq!(Metric::L2.distance(&a, &b).unwrap(), 18f64.sqrt());
        assert_eq!(Metric::InnerProduct.distance(&a, &b).unwrap(), -6.0);
        assert_eq!(Metric::L1.distance(&a, &b).unwrap(), 6.0);
        let x = Value::Bit {
            len: 4,
            bytes: vec![0b1100_0000],
        };
        let y = Value::Bit {
            len: 4,
            bytes: vec![0b0110_0000],
        };
        let z = Value::Bit {
            len: 4,
            bytes: vec![0],
        };
        assert_eq!(Metric::Hamming.distance(&x, &y).unwrap(), 2.0);
        assert!((Metric::Jaccard.distance(&x, &y).unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(Metric::Jaccard.distance(&z, &z).unwrap(), 1.0);
    }
}
