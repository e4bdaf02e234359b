//! Times the exact top-k pass against a plain binary COPY of the same column.
//!
//! `cargo run --release --example exact_bench -- <url> [rows] [dims] [probes]`
//! creates `bench_<rows>x<dims>` (random vectors) in that database if missing,
//! then prints the best and the median of five runs of each.

use std::io::Read;
use std::time::Instant;

use postgres::{Client, NoTls};
use ruvheal::detect::distance::Metric;
use ruvheal::detect::exact::exact_top_k;
use ruvheal::detect::recall::sample_probes;
use ruvheal::detect::vectors::VecKind;
use ruvheal::sql::QualifiedName;
use ruvheal::sql::copy::CopyReader;

/// Best and median wall time of five runs.
fn best(mut f: impl FnMut() -> u64) -> (f64, f64, u64) {
    let mut times = Vec::new();
    let mut out = 0;
    for _ in 0..5 {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[2], out)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("postgres://postgres@127.0.0.1/postgres");
    let num = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (rows, dims, n) = (num(2, 200_000), num(3, 96), num(4, 50));
    let mut c = Client::connect(url, NoTls)?;
    let name = format!("bench_{rows}x{dims}");
    c.batch_execute(&format!(
        "CREATE EXTENSION IF NOT EXISTS vector;
         CREATE TABLE IF NOT EXISTS {name} (id int, v vector({dims}));
         INSERT INTO {name} SELECT i, (SELECT array_agg(random() - 0.5)::vector({dims})
                                       FROM generate_series(1, {dims}) WHERE i > 0)
           FROM generate_series(1, {rows}) i WHERE NOT EXISTS (SELECT 1 FROM {name});
         ANALYZE {name}"
    ))?;
    let table = QualifiedName::new("public", &name);
    let copy_sql = format!(
        "COPY (SELECT tableoid, ctid, v FROM {name} WHERE v IS NOT NULL) TO STDOUT (FORMAT binary)"
    );
    let (plain, plain_med, bytes) = best(|| {
        let mut r = c.copy_out(copy_sql.as_str()).unwrap();
        std::io::copy(&mut r, &mut std::io::sink()).unwrap()
    });
    println!(
        "plain COPY read-and-discard: {plain:.3}s, median {plain_med:.3}s ({:.1} MB, {:.0} MB/s)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / plain
    );
    let (parse, parse_med, n_rows) = best(|| {
        let r = c.copy_out(copy_sql.as_str()).unwrap();
        let mut copy = CopyReader::new(r).unwrap();
        let (mut buf, mut spans, mut n) = (Vec::new(), Vec::new(), 0);
        while copy.next_tuple(&mut buf, &mut spans).unwrap() {
            n += 1;
        }
        let _ = copy.bytes_read();
        n
    });
    println!(
        "COPY + tuple parsing only:   {parse:.3}s, median {parse_med:.3}s ({n_rows} rows, {:.2}x plain)",
        parse / plain
    );
    let probes = sample_probes(&mut c, &table, "v", VecKind::Vector, n, 1, rows as i64)?;
    let values: Vec<_> = probes.into_iter().map(|p| p.value).collect();
    for metric in [Metric::L2, Metric::Cosine, Metric::InnerProduct, Metric::L1] {
        let (t, t_med, _) = best(|| {
            exact_top_k(&mut c, &table, "v", VecKind::Vector, metric, &values, 10)
                .unwrap()
                .rows_scanned
        });
        println!(
            "exact_top_k {metric:>13} ({} probes, k=10): {t:.3}s, median {t_med:.3}s ({:.2}x plain best, {:.2}x median)",
            values.len(),
            t / plain,
            t_med / plain_med
        );
    }
    let mut status = String::new();
    std::fs::File::open("/proc/self/status")?.read_to_string(&mut status)?;
    for line in status
        .lines()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
    {
        println!("{line}");
    }
    Ok(())
}
