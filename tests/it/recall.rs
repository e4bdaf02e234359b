//! The recall probe against the real server: value decoding, distances and
//! exact top-k differentially against pgvector's operators, recall of healthy
//! and starved HNSW / IVFFlat indexes, deterministic sampling.

use std::io::Write;

use postgres::Client;
use ruvheal::detect::distance::Metric;
use ruvheal::detect::exact::{Tid, exact_top_k};
use ruvheal::detect::recall::{ProbeSpec, RecallReport, measure, sample_probes};
use ruvheal::detect::vectors::{Value, VecKind};
use ruvheal::sql::QualifiedName;
use ruvheal::sql::copy::CopyReader;

use crate::harness::{TestDb, db};

/// splitmix64: deterministic test data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    fn value(&mut self, kind: VecKind, dim: usize) -> Value {
        match kind {
            VecKind::Vector | VecKind::Ruvector => {
                Value::Vector((0..dim).map(|_| self.unit()).collect())
            }
            // halfvec: only values a binary16 holds exactly
            VecKind::Halfvec => Value::Halfvec(
                (0..dim)
                    .map(|_| (self.unit() * 1024.0).round() / 1024.0)
                    .collect(),
            ),
            VecKind::Sparsevec => {
                let indices: Vec<u32> = (0..dim as u32)
                    .filter(|_| self.next().is_multiple_of(4))
                    .collect();
                let values = indices.iter().map(|_| self.unit()).collect();
                Value::Sparsevec {
                    dim: dim as u32,
                    indices,
                    values,
                }
            }
            VecKind::Bit => {
                let mut bytes: Vec<u8> = (0..dim.div_ceil(8)).map(|_| self.next() as u8).collect();
                ruvheal::detect::vectors::mask_padding(dim as u32, &mut bytes);
                Value::Bit {
                    len: dim as u32,
                    bytes,
                }
            }
        }
    }
}

fn type_sql(kind: VecKind, dim: usize) -> String {
    format!("{}({dim})", kind.type_name())
}

/// Creates `t(id, v <type>)` and loads the values (None = NULL) with COPY.
fn load(c: &mut Client, table: &str, ty: &str, values: &[Option<Value>]) {
    c.batch_execute(&format!("CREATE TABLE {table} (id int, v {ty})"))
        .unwrap();
    let mut w = c
        .copy_in(&format!("COPY {table} (id, v) FROM STDIN"))
        .unwrap();
    for (i, v) in values.iter().enumerate() {
        let text = v.as_ref().map_or("\\N".to_string(), Value::to_text);
        writeln!(w, "{i}\t{text}").unwrap();
    }
    w.finish().unwrap();
    c.batch_execute(&format!("ANALYZE {table}")).unwrap();
}

/// Every value of `SELECT <exprs>` decoded from a binary COPY.
fn copy_values(c: &mut Client, kinds: &[VecKind], select: &str) -> Vec<Vec<Value>> {
    let r = c
        .copy_out(&format!("COPY ({select}) TO STDOUT (FORMAT binary)"))
        .unwrap();
    let mut copy = CopyReader::new(r).unwrap();
    let (mut buf, mut spans, mut out) = (Vec::new(), Vec::new(), Vec::new());
    while copy.next_tuple(&mut buf, &mut spans).unwrap() {
        let row = kinds
            .iter()
            .zip(&spans)
            .map(|(k, s)| Value::decode(*k, &buf[s.clone().unwrap()]).unwrap())
            .collect();
        out.push(row);
    }
    out
}

#[test]
fn server_values_decode_to_what_was_written() {
    let db = db();
    let mut c = db.client();
    let fixed = copy_values(
        &mut c,
        &[
            VecKind::Vector,
            VecKind::Halfvec,
            VecKind::Sparsevec,
            VecKind::Bit,
        ],
        "SELECT '[1,2,3]'::vector, '[1,2.5,-3]'::halfvec, '{1:0.5,3:2}/5'::sparsevec, B'1011000011'",
    );
    assert_eq!(
        fixed[0],
        vec![
            Value::Vector(vec![1.0, 2.0, 3.0]),
            Value::Halfvec(vec![1.0, 2.5, -3.0]),
            Value::Sparsevec {
                dim: 5,
                indices: vec![0, 2],
                values: vec![0.5, 2.0]
            },
            Value::Bit {
                len: 10,
                bytes: vec![0xb0, 0xc0]
            },
        ]
    );
    // random values: our text form in, the server's binary form out, equal
    let mut rng = Rng(1);
    for (kind, dim) in [
        (VecKind::Vector, 300),
        (VecKind::Halfvec, 77),
        (VecKind::Sparsevec, 1000),
        (VecKind::Bit, 77),
    ] {
        let values: Vec<Option<Value>> = (0..50).map(|_| Some(rng.value(kind, dim))).collect();
        let table = format!("dec_{}", kind.type_name());
        load(&mut c, &table, &type_sql(kind, dim), &values);
        let back = copy_values(
            &mut c,
            &[kind],
            &format!("SELECT v FROM {table} ORDER BY id"),
        );
        let back: Vec<Option<Value>> = back.into_iter().map(|mut r| r.pop()).collect();
        assert_eq!(back, values, "{kind:?}");
    }
    let tiny = copy_values(
        &mut c,
        &[VecKind::Vector],
        "SELECT '[1e-38,3.4e38,-0]'::vector",
    );
    assert_eq!(
        tiny[0][0].to_text(),
        Value::Vector(vec![1e-38, 3.4e38, -0.0]).to_text()
    );
}

const FLOAT_METRICS: [Metric; 4] = [Metric::L2, Metric::InnerProduct, Metric::Cosine, Metric::L1];
const BIT_METRICS: [Metric; 2] = [Metric::Hamming, Metric::Jaccard];

/// Within 1e-5 relative. Inner products cancel, so for them "relative" is to
/// the magnitude of the terms, |a|·|b|, not to the (possibly tiny) sum.
fn close(metric: Metric, a: &Value, b: &Value, ours: f64, server: f64) -> bool {
    let scale = match metric {
        Metric::InnerProduct => norm(a) * norm(b),
        Metric::Cosine => 1.0,
        _ => 0.0,
    };
    (ours.is_nan() && server.is_nan())
        || (ours - server).abs() <= 1e-5 * server.abs().max(scale).max(1e-9)
}

fn norm(v: &Value) -> f64 {
    (-Metric::InnerProduct.distance(v, v).unwrap_or(0.0))
        .max(0.0)
        .sqrt()
}

#[test]
fn distances_match_the_server_operators() {
    let db = db();
    let mut c = db.client();
    let mut rng = Rng(2);
    for (kind, dim) in [
        (VecKind::Vector, 96),
        (VecKind::Vector, 7),
        (VecKind::Halfvec, 61),
        (VecKind::Sparsevec, 500),
        (VecKind::Bit, 100),
    ] {
        let metrics: &[Metric] = if kind == VecKind::Bit {
            &BIT_METRICS
        } else {
            &FLOAT_METRICS
        };
        let mut a: Vec<Value> = (0..300).map(|_| rng.value(kind, dim)).collect();
        let mut b: Vec<Value> = (0..300).map(|_| rng.value(kind, dim)).collect();
        // the edge cases pgvector defines: zero norms (cosine NaN), no shared bits (Jaccard 1)
        a[0] = zero(kind, dim);
        (a[1], b[1]) = (zero(kind, dim), zero(kind, dim));
        let (ta, tb): (Vec<String>, Vec<String>) = (
            a.iter().map(Value::to_text).collect(),
            b.iter().map(Value::to_text).collect(),
        );
        for metric in metrics {
            let ty = type_sql(kind, dim);
            let sql = format!(
                "SELECT (x::{ty} {} y::{ty})::float8 FROM unnest($1::text[], $2::text[]) AS u(x, y)",
                metric.operator()
            );
            let server: Vec<f64> = c
                .query(&sql, &[&ta, &tb])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            for (i, s) in server.iter().enumerate() {
                let ours = metric.distance(&a[i], &b[i]).unwrap();
                assert!(
                    close(*metric, &a[i], &b[i], ours, *s),
                    "{kind:?} {metric}: ours {ours} server {s} for {} vs {}",
                    ta[i],
                    tb[i]
                );
            }
        }
    }
}

fn zero(kind: VecKind, dim: usize) -> Value {
    match kind {
        VecKind::Vector | VecKind::Ruvector => Value::Vector(vec![0.0; dim]),
        VecKind::Halfvec => Value::Halfvec(vec![0.0; dim]),
        VecKind::Sparsevec => Value::Sparsevec {
            dim: dim as u32,
            indices: vec![],
            values: vec![],
        },
        VecKind::Bit => Value::Bit {
            len: dim as u32,
            bytes: vec![0; dim.div_ceil(8)],
        },
    }
}

/// `n` points around `clusters` random centres in [-1, 1]^dim.
fn clustered(
    rng: &mut Rng,
    n: usize,
    dim: usize,
    clusters: usize,
    spread: f32,
) -> Vec<Option<Value>> {
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| (0..dim).map(|_| rng.unit()).collect())
        .collect();
    (0..n)
        .map(|i| {
            let c = &centres[i % clusters];
            Some(Value::Vector(
                c.iter()
                    .map(|x| x + spread * (rng.unit() + rng.unit() + rng.unit()) / 3.0)
                    .collect(),
            ))
        })
        .collect()
}

fn parse_ctid(table: u32, text: &str) -> Tid {
    let (b, o) = text
        .trim_matches(|c| c == '(' || c == ')')
        .split_once(',')
        .unwrap();
    Tid {
        table,
        block: b.parse().unwrap(),
        offset: o.parse().unwrap(),
    }
}

/// The server's exact answer: `ORDER BY (col <op> q) + 0` cannot use an index.
fn server_top_k(
    c: &mut Client,
    table: &str,
    col: &str,
    ty: &str,
    metric: Metric,
    q: &Value,
    k: usize,
) -> Vec<(f64, Tid)> {
    let d = format!("({col} {} ($1::text)::{ty})", metric.operator());
    let sql = format!(
        "SELECT tableoid, ctid::text, {d}::float8 FROM {table} WHERE {col} IS NOT NULL ORDER BY {d} + 0 LIMIT {k}"
    );
    let rows = c.query(&sql, &[&q.to_text()]).unwrap();
    rows.iter()
        .map(|r| (r.get(2), parse_ctid(r.get(0), r.get(1))))
        .collect()
}

/// Same distances, and the same rows except where rows tie at the k-th distance.
fn assert_same_top_k(what: &str, ours: &[(f64, Tid)], server: &[(f64, Tid)]) {
    assert_eq!(ours.len(), server.len(), "{what}: lengths");
    let tol = |d: f64| 2e-5 * d.abs().max(1.0);
    for (i, (o, s)) in ours.iter().zip(server).enumerate() {
        assert!(
            (o.0 - s.0).abs() <= tol(s.0),
            "{what}: #{i} ours {o:?} server {s:?}"
        );
    }
    let kth = server.last().map_or(0.0, |s| s.0);
    for s in server {
        let tie = (s.0 - kth).abs() <= tol(kth);
        assert!(
            tie || ours.iter().any(|o| o.1 == s.1),
            "{what}: server row {s:?} missing from {ours:?}"
        );
    }
}

#[test]
fn exact_top_k_equals_the_server_for_every_metric() {
    let db = db();
    let mut c = db.client();
    c.batch_execute("CREATE SCHEMA \"S p\"").unwrap();
    let mut rng = Rng(3);
    let table = QualifiedName::new("S p", "Odd \"name\"");
    let tsql = table.sql().unwrap();
    for (kind, dim, n) in [
        (VecKind::Vector, 24, 3000),
        (VecKind::Halfvec, 33, 2000),
        (VecKind::Bit, 64, 3000),
        (VecKind::Sparsevec, 200, 1000),
    ] {
        let mut values: Vec<Option<Value>> = (0..n).map(|_| Some(rng.value(kind, dim))).collect();
        for i in 0..20 {
            values[i * 7] = values[i * 7 + 1].clone(); // exact duplicates: ties
        }
        values[5] = None;
        values[6] = Some(zero(kind, dim));
        let ty = type_sql(kind, dim);
        c.batch_execute(&format!(
            "DROP TABLE IF EXISTS {tsql}; CREATE TABLE {tsql} (id int, \"My Vec\" {ty})"
        ))
        .unwrap();
        let mut w = c.copy_in(&format!("COPY {tsql} FROM STDIN")).unwrap();
        for (i, v) in values.iter().enumerate() {
            writeln!(
                w,
                "{i}\t{}",
                v.as_ref().map_or("\\N".into(), Value::to_text)
            )
            .unwrap();
        }
        w.finish().unwrap();
        let mut probes: Vec<Value> = values
            .iter()
            .step_by(n / 4)
            .skip(1)
            .flatten()
            .cloned()
            .collect();
        probes.push(rng.value(kind, dim));
        let metrics: &[Metric] = if kind == VecKind::Bit {
            &BIT_METRICS
        } else {
            &FLOAT_METRICS
        };
        for metric in metrics {
            let ours = exact_top_k(&mut c, &table, "My Vec", kind, *metric, &probes, 10).unwrap();
            assert_eq!(ours.rows_scanned, n as u64 - 1, "NULL rows are not read");
            assert_eq!(
                ours.rows_skipped,
                u64::from(*metric == Metric::Cosine),
                "zero-norm rows are skipped for cosine"
            );
            assert!(ours.bytes_read > ours.rows_scanned * dim as u64 / 8);
            for (p, got) in probes.iter().zip(&ours.neighbours) {
                let want = server_top_k(&mut c, &tsql, "\"My Vec\"", &ty, *metric, p, 10);
                assert_same_top_k(&format!("{kind:?} {metric}"), got, &want);
            }
        }
    }
    // probes of another type or other dimensions are refused before reading
    let other = [Value::Vector(vec![1.0; 3])];
    assert!(
        exact_top_k(
            &mut c,
            &table,
            "My Vec",
            VecKind::Sparsevec,
            Metric::L2,
            &other,
            10
        )
        .is_err()
    );
    assert!(exact_top_k(&mut c, &table, "My Vec", VecKind::Bit, Metric::L2, &[], 10).is_err());
}

/// Samples probes, computes the truth, and measures on a fresh session.
fn probe(db: &TestDb, table: &str, kind: VecKind, metric: Metric, rows: i64) -> RecallReport {
    let mut c = db.client();
    let table = QualifiedName::new("public", table);
    let probes = sample_probes(&mut c, &table, "v", kind, 50, 7, rows).unwrap();
    assert_eq!(probes.len(), 50);
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    let exact = exact_top_k(&mut c, &table, "v", kind, metric, &values, 10).unwrap();
    let spec = ProbeSpec {
        table,
        column: "v".into(),
        kind,
        metric,
        k: 10,
    };
    let mut ann = db.client();
    measure(&mut ann, &exact, &probes, &spec).unwrap()
}

#[test]
fn hnsw_recall_is_high_by_default_and_starved_by_a_tiny_ef_search() {
    let db = db();
    let mut c = db.client();
    load(
        &mut c,
        "items",
        "vector(32)",
        &clustered(&mut Rng(4), 5000, 32, 50, 1.5),
    );
    c.batch_execute("CREATE INDEX items_hnsw ON items USING hnsw (v vector_l2_ops)")
        .unwrap();

    let healthy = probe(&db, "items", VecKind::Vector, Metric::L2, 5000);
    assert!(healthy.recall >= 0.95, "{healthy:?}");
    assert!(
        healthy.plan_uses_index && healthy.index_name.as_deref() == Some("items_hnsw"),
        "{healthy:?}"
    );
    assert_eq!(healthy.short_results, 0);
    assert_eq!(healthy.exact_rows_scanned, 5000);
    assert_eq!(
        healthy.settings.get("hnsw.ef_search").map(String::as_str),
        Some("40")
    );
    let lat = healthy.latency_ms;
    assert!(
        0.0 < lat.p50 && lat.p50 <= lat.p95 && lat.p95 <= lat.p99 && lat.p99 <= lat.max,
        "{lat:?}"
    );
    let json = serde_json::to_value(&healthy).unwrap();
    for key in [
        "probes",
        "k",
        "recall",
        "recall_min",
        "recall_p10",
        "short_results",
        "latency_ms",
        "plan_uses_index",
        "index_name",
        "exact_rows_scanned",
        "settings",
    ] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }

    db.sql(&format!(
        "ALTER DATABASE {} SET hnsw.ef_search = 5",
        db.name
    ));
    let starved = probe(&db, "items", VecKind::Vector, Metric::L2, 5000);
    assert!(starved.recall < 0.7, "{starved:?}");
    assert_eq!(
        starved.short_results, starved.probes,
        "ef_search 5 < k 10 returns 5 rows"
    );
    assert!(starved.plan_uses_index);
    assert_eq!(
        starved.settings.get("hnsw.ef_search").map(String::as_str),
        Some("5")
    );
}

#[test]
fn ivfflat_recall_rises_with_probes() {
    let db = db();
    let mut c = db.client();
    load(
        &mut c,
        "docs",
        "vector(32)",
        &clustered(&mut Rng(5), 10000, 32, 8, 0.8),
    );
    c.batch_execute(
        "CREATE INDEX docs_ivf ON docs USING ivfflat (v vector_cosine_ops) WITH (lists = 50)",
    )
    .unwrap();

    let one = probe(&db, "docs", VecKind::Vector, Metric::Cosine, 10000);
    assert!(one.plan_uses_index, "{one:?}");
    assert_eq!(
        one.settings.get("ivfflat.probes").map(String::as_str),
        Some("1")
    );
    db.sql(&format!(
        "ALTER DATABASE {} SET ivfflat.probes = 50",
        db.name
    ));
    let all = probe(&db, "docs", VecKind::Vector, Metric::Cosine, 10000);
    assert_eq!(
        all.settings.get("ivfflat.probes").map(String::as_str),
        Some("50")
    );
    assert!(
        all.recall >= 0.99 && one.recall + 0.1 < all.recall,
        "probes=1 {one:?}\nprobes=50 {all:?}"
    );
}

#[test]
fn sampling_is_deterministic_per_seed_and_skips_nulls_and_zeros() {
    let db = db();
    let mut c = db.client();
    let mut rng = Rng(6);
    let mut big: Vec<Option<Value>> = (0..5000)
        .map(|_| Some(rng.value(VecKind::Halfvec, 8)))
        .collect();
    let mut small = big[..30].to_vec();
    for v in [&mut big, &mut small] {
        for i in 0..3 {
            v[i * 5] = None;
            v[i * 5 + 1] = Some(zero(VecKind::Halfvec, 8));
        }
    }
    load(&mut c, "big", "halfvec(8)", &big);
    load(&mut c, "small", "halfvec(8)", &small);
    for (name, rows, n) in [("big", 5000, 20), ("small", 30, 5)] {
        let t = QualifiedName::new("public", name);
        let sample = |c: &mut Client, seed| {
            sample_probes(c, &t, "v", VecKind::Halfvec, n, seed, rows).unwrap()
        };
        let a = sample(&mut c, 1);
        assert_eq!(a.len(), n, "{name}");
        assert_eq!(a, sample(&mut c, 1), "{name}: same seed, same probes");
        assert_ne!(a, sample(&mut c, 2), "{name}: another seed, other probes");
        assert!(
            a.windows(2).all(|w| w[0].tid < w[1].tid),
            "{name}: in row order"
        );
        assert!(
            a.iter().all(|p| !p.value.is_zero()),
            "{name}: no zero vectors"
        );
    }
    // A table of many blocks is sampled by whole blocks (TABLESAMPLE SYSTEM,
    // which reads only those), yet the probes are spread over many of them.
    let wide: Vec<Option<Value>> = (0..20000)
        .map(|_| Some(rng.value(VecKind::Vector, 64)))
        .collect();
    load(&mut c, "wide", "vector(64)", &wide);
    c.batch_execute("ANALYZE wide").unwrap();
    let t = QualifiedName::new("public", "wide");
    let a = sample_probes(&mut c, &t, "v", VecKind::Vector, 20, 3, 20000).unwrap();
    assert_eq!(a.len(), 20);
    assert_eq!(
        a,
        sample_probes(&mut c, &t, "v", VecKind::Vector, 20, 3, 20000).unwrap()
    );
    let blocks: std::collections::BTreeSet<u32> = a.iter().map(|p| p.tid.block).collect();
    assert!(blocks.len() >= 10, "probes from {} blocks", blocks.len());
    // asking for more than there are gives every indexable row once
    let all = sample_probes(
        &mut c,
        &QualifiedName::new("public", "small"),
        "v",
        VecKind::Halfvec,
        100,
        9,
        30,
    )
    .unwrap();
    assert_eq!(all.len(), 24);
    // stale statistics (far fewer rows than estimated) fall back to a full ranking
    let stale = sample_probes(
        &mut c,
        &QualifiedName::new("public", "small"),
        "v",
        VecKind::Halfvec,
        5,
        9,
        1_000_000,
    )
    .unwrap();
    assert_eq!(stale.len(), 5);
}

#[test]
fn partitions_keep_rows_apart() {
    let db = db();
    let mut c = db.client();
    c.batch_execute(
        "CREATE TABLE parts (id int, v vector(16)) PARTITION BY RANGE (id); \
         CREATE TABLE parts_a PARTITION OF parts FOR VALUES FROM (0) TO (2000); \
         CREATE TABLE parts_b PARTITION OF parts FOR VALUES FROM (2000) TO (4000)",
    )
    .unwrap();
    let mut w = c.copy_in("COPY parts FROM STDIN").unwrap();
    for (i, v) in clustered(&mut Rng(8), 4000, 16, 20, 1.5).iter().enumerate() {
        writeln!(w, "{i}\t{}", v.as_ref().unwrap().to_text()).unwrap();
    }
    w.finish().unwrap();
    c.batch_execute("CREATE INDEX parts_hnsw ON parts USING hnsw (v vector_l2_ops); ANALYZE parts")
        .unwrap();
    let report = probe(&db, "parts", VecKind::Vector, Metric::L2, 4000);
    assert!(
        report.recall >= 0.95 && report.plan_uses_index,
        "{report:?}"
    );
    let t = QualifiedName::new("public", "parts");
    let probes = sample_probes(&mut c, &t, "v", VecKind::Vector, 5, 1, 4000).unwrap();
    let values: Vec<Value> = probes.iter().map(|p| p.value.clone()).collect();
    let ours = exact_top_k(&mut c, &t, "v", VecKind::Vector, Metric::L2, &values, 10).unwrap();
    for (p, got) in values.iter().zip(&ours.neighbours) {
        assert_same_top_k(
            "partitioned",
            got,
            &server_top_k(&mut c, "parts", "v", "vector", Metric::L2, p, 10),
        );
    }
}

#[test]
fn check_probes_every_index_opclass_end_to_end() {
    let db = db();
    let cases = [
        ("vector(8)", "vector_ip_ops", "v"),
        ("vector(8)", "vector_l1_ops", "v"),
        ("halfvec(8)", "halfvec_l2_ops", "v"),
        ("halfvec(8)", "halfvec_cosine_ops", "v"),
        ("bit(64)", "bit_hamming_ops", "b"),
        ("bit(64)", "bit_jaccard_ops", "b"),
    ];
    for (i, (ty, opclass, data)) in cases.iter().enumerate() {
        let t = format!("emb{i}");
        let value = match *data {
            // ten clusters, as the other recall tests
            "v" => format!(
                "(SELECT array_agg(sin((g % 10) * 7 + d * 0.37) + (random() - 0.5) * 1.5)::vector \
                   FROM generate_series(1, 8) d)::{ty}"
            ),
            _ => "(SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '') \
                   FROM generate_series(1, 64) d WHERE g > 0)::bit(64)"
                .to_string(),
        };
        db.sql(&format!(
            "CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding {ty});
             INSERT INTO {t} (embedding) SELECT {value} FROM generate_series(1, 2000) g;
             CREATE INDEX ON {t} USING hnsw (embedding {opclass});"
        ));
        db.sql(&format!("ANALYZE {t}"));
        let (code, report, err) = db.check_json(&t, &[]);
        assert!(code < 3, "{opclass}: {err}");
        let recall = &report["details"]["recall"];
        assert_eq!(recall["plan_uses_index"], true, "{opclass}: {report:#}");
        assert_eq!(recall["probes"], 500, "{opclass}");
        let at_k = report["metrics"]["recall.at_k"].as_f64().unwrap();
        assert!(at_k >= 0.9, "{opclass}: recall {at_k}: {report:#}");
    }
}
