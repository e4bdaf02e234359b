//! Probe queries that are not in the table: each sampled row takes a random
//! step within the span of its near neighbours, so the query lies in the row's
//! neighbourhood but is no stored element.
//!
//! Why: a table row as the query finds itself, and its exact top-k is largely
//! its own adjacency list in the HNSW graph (or its own IVFFlat list), so its
//! recall reads higher than what an application's queries get. A point off
//! the stored elements has a top-k no single element links to. Pure: the caller
//! fetches the neighbours (one ANN query per row).

use super::vectors::Value;

/// Where the probe vectors came from; shown in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeSource {
    /// Rows of the configured `query_table` (real queries).
    QueryTable,
    /// Rows stepped within their neighbourhood (not in the table).
    Neighbourhood,
    /// Table rows themselves (types that cannot be mixed, or no neighbours found).
    TableRows,
}

impl ProbeSource {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeSource::QueryTable => "query_table",
            ProbeSource::Neighbourhood => "neighbourhood",
            ProbeSource::TableRows => "table_rows",
        }
    }
}

/// splitmix64: a small deterministic generator (same seed, same queries).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// A query near `anchor`: `x + sum_j g_j (n_j - x) / sqrt(m)` over its `m`
/// neighbours `n_j`, with `g_j` standard normal — a Gaussian step of about the
/// neighbour distance, along the directions the data spans there (an isotropic
/// step in many dimensions would keep the row's own neighbour ranking). Measured
/// against held-out rows of the same data (BENCHMARKS.md), this comes within
/// about 0.02 of their recall on clustered and text-like data. `keep_norm`
/// rescales the result to the anchor's norm (cosine and inner product). Bits
/// are drawn from the anchor or a random neighbour (one in four from a
/// neighbour). `None` when there are no neighbours, the type is sparsevec, or
/// the result is zero.
pub fn mix(anchor: &Value, neighbours: &[Value], seed: u64, keep_norm: bool) -> Option<Value> {
    if neighbours.is_empty() {
        return None;
    }
    let mut rng = Rng(seed ^ 0x005E_ED0F_u64.wrapping_mul(0x1000_0001));
    let out = match anchor {
        Value::Vector(x) | Value::Halfvec(x) => {
            let near: Vec<&[f32]> = neighbours
                .iter()
                .filter_map(|n| match n {
                    Value::Vector(v) | Value::Halfvec(v) if v.len() == x.len() => {
                        Some(v.as_slice())
                    }
                    _ => None,
                })
                .collect();
            if near.is_empty() {
                return None;
            }
            let mut q: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
            let scale = 1.0 / (near.len() as f64).sqrt();
            for n in &near {
                let g =
                    (-2.0 * rng.unit().ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos();
                let c = scale * g;
                q.iter_mut()
                    .zip(n.iter().zip(x))
                    .for_each(|(q, (n, x))| *q += c * f64::from(*n - *x));
            }
            if keep_norm {
                let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
                let want = norm(&mut x.iter().map(|v| f64::from(*v)));
                let have = norm(&mut q.iter().copied());
                if have > 0.0 {
                    q.iter_mut().for_each(|v| *v *= want / have);
                }
            }
            let q: Vec<f32> = q.into_iter().map(|v| v as f32).collect();
            match anchor {
                Value::Vector(_) => Value::Vector(q),
                _ => Value::Halfvec(q),
            }
        }
        Value::Bit { len, bytes } => {
            let mut out = bytes.clone();
            for i in 0..*len as usize {
                if rng.unit() >= 0.25 {
                    continue;
                }
                let n = &neighbours[(rng.next() % neighbours.len() as u64) as usize];
                let Value::Bit { bytes: src, .. } = n else {
                    return None;
                };
                let bit = src.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0);
                if bit {
                    out[i / 8] |= 0x80 >> (i % 8);
                } else {
                    out[i / 8] &= !(0x80 >> (i % 8));
                }
            }
            Value::Bit {
                len: *len,
                bytes: out,
            }
        }
        Value::Sparsevec { .. } => return None,
    };
    (!out.is_zero()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_stays_in_the_span_of_the_neighbours_and_is_deterministic() {
        let a = Value::Vector(vec![0.0, 0.0, 5.0]);
        let n = [
            Value::Vector(vec![1.0, 0.0, 5.0]),
            Value::Vector(vec![0.0, 1.0, 5.0]),
        ];
        let q = mix(&a, &n, 7, false).unwrap();
        assert_eq!(Some(&q), mix(&a, &n, 7, false).as_ref());
        assert_ne!(Some(&q), mix(&a, &n, 8, false).as_ref());
        let Value::Vector(v) = q else { panic!() };
        // the third coordinate, where the neighbours agree with the row, stays
        assert_eq!(v[2], 5.0);
        assert!(
            v[0] != 0.0 && v[1] != 0.0,
            "both neighbours take part: {v:?}"
        );
        // steps are about the neighbour distance (1), over many seeds
        let mean: f64 = (0..2000)
            .map(|s| {
                let Some(Value::Vector(v)) = mix(&a, &n, s, false) else {
                    panic!()
                };
                f64::from(v[0] * v[0] + v[1] * v[1])
            })
            .sum::<f64>()
            / 2000.0;
        assert!((mean - 1.0).abs() < 0.1, "{mean}");
    }

    #[test]
    fn keep_norm_stays_on_the_sphere_of_unit_rows() {
        let a = Value::Vector(vec![0.0, 0.0, 2.0]);
        let n = [
            Value::Vector(vec![0.0, 2.0, 0.0]),
            Value::Vector(vec![2.0, 0.0, 0.0]),
        ];
        let Some(Value::Vector(v)) = mix(&a, &n, 3, true) else {
            panic!()
        };
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 2.0).abs() < 1e-5, "{norm}");
    }

    #[test]
    fn bits_come_from_the_parts_and_sparse_or_lonely_rows_do_not_mix() {
        let a = Value::Bit {
            len: 12,
            bytes: vec![0xFF, 0xF0],
        };
        let n = [Value::Bit {
            len: 12,
            bytes: vec![0xFF, 0xF0],
        }];
        assert_eq!(mix(&a, &n, 1, false), Some(a.clone()));
        assert_eq!(mix(&a, &[], 1, false), None);
        let s = Value::Sparsevec {
            dim: 3,
            indices: vec![0],
            values: vec![1.0],
        };
        assert_eq!(mix(&s, std::slice::from_ref(&s), 1, false), None);
    }
}
