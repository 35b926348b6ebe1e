//! The floor under `talent-subsidy eval`: read a JSON Lines file and only parse each line
//! with serde_json (into a `Value`), on as many threads as `eval` uses, writing nothing.
//!
//! `cargo run --release --example parse_floor -- /tmp/profiles.jsonl`

use std::io::BufRead;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor FILE.jsonl");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let file = std::fs::File::open(&path).expect("the file opens");
    let lines: Vec<Vec<u8>> = std::io::BufReader::with_capacity(1 << 20, file)
        .split(b'\n')
        .map(|l| l.expect("the file reads"))
        .filter(|l| !l.is_empty())
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = lines.len().div_ceil(threads).max(1);
    let parsed: usize = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok())
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{parsed} of {} lines parsed in {secs:.3} s: {:.0} lines/s",
        lines.len(),
        lines.len() as f64 / secs
    );
}
