//! Times the HNSW page analysis alone (parse + graph passes), on pages read
//! once from a real index into memory, so the server and the exact pass do not
//! blur the figure.
//!
//! `cargo run --release --example hnsw_bench -- <url> <index> [runs]` (`LAPS=1`
//! prints each phase's time; `DUMP=1` the measured structure and region graph as JSON)

use std::time::Instant;

use postgres::{Client, NoTls};
use ruvheal::detect::pages::HnswReader;

/// Prints the analysis' debug laps.
struct Laps;

impl log::Log for Laps {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record<'_>) {
        if std::env::var_os("LAPS").is_some() {
            eprintln!("  {}", r.args());
        }
    }
    fn flush(&self) {}
}

fn main() -> anyhow::Result<()> {
    log::set_logger(&Laps).map_err(|e| anyhow::anyhow!("{e}"))?;
    log::set_max_level(log::LevelFilter::Debug);
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(index)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: hnsw_bench <url> <index> [runs]");
    };
    let runs: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    let mut c = Client::connect(url, NoTls)?;
    let t = Instant::now();
    let rows = c.query(
        "SELECT b::int4, get_raw_page($1::text, b::int8) FROM generate_series(0, \
         pg_relation_size($1::text::regclass) / current_setting('block_size')::int8 - 1) b",
        &[index],
    )?;
    let pages: Vec<(u32, Vec<u8>)> = rows
        .iter()
        .map(|r| (r.get::<_, i32>(0) as u32, r.get::<_, Vec<u8>>(1)))
        .collect();
    println!(
        "read {} pages in {:.2}s",
        pages.len(),
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let mut reader = HnswReader::new();
        for (b, bytes) in &pages {
            reader.push(*b, bytes)?;
        }
        let s = reader.finish()?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(std::hint::black_box(s));
    }
    // DUMP=1 prints the measured structure, to compare two versions' results.
    if let (Some(s), Some(_)) = (last, std::env::var_os("DUMP")) {
        println!("{}", serde_json::to_string_pretty(&s)?);
        println!("{}", serde_json::to_string(&s.regions)?);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "parse + analysis: best {:.3}s, median {:.3}s over {runs} runs",
        times[0],
        times[runs / 2]
    );
    Ok(())
}
