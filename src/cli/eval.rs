//! `talent-subsidy eval`: one JSON profile, or JSON Lines, assessed in batches on rayon's
//! pool while the previous batch is written and the next read; one result line per input
//! line, in input order.

use app::service::Output;
use rayon::prelude::*;
use rules::policy::Policy;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

/// One line of output for one input: the full result, or the profile's errors. Returns
/// whether the profile was assessed.
pub fn eval_one(policy: &Policy, input: &[u8], with_hints: bool, out: &mut Vec<u8>) -> bool {
    eval_line(policy, input, with_hints, Output::Full, out)
}

/// The same in the form asked for.
fn eval_line(
    policy: &Policy,
    input: &[u8],
    with_hints: bool,
    output: Output,
    out: &mut Vec<u8>,
) -> bool {
    let outcome = app::service::assess_json_as(policy, input, with_hints, output, out);
    out.push(b'\n');
    outcome == app::service::Outcome::Assessed
}

/// What `eval` is asked to write.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    pub with_hints: bool,
    pub output: Output,
}

/// Lines per batch handed to the worker threads.
const BATCH: usize = 4096;

pub(super) fn eval(policy: &Policy, file: &Path, options: EvalOptions) -> ExitCode {
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("cannot read {}: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match eval_stream(policy, reader, &mut out, options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Assesses a stream: one JSON document, or JSON Lines (decided by whether the first
/// non-blank line is a JSON value on its own). Results are written in input order; the
/// lines are spread over rayon's pool in batches. Returns whether every profile was
/// assessed.
pub fn eval_stream(
    policy: &Policy,
    mut reader: impl BufRead,
    out: &mut impl Write,
    options: EvalOptions,
) -> std::io::Result<bool> {
    let EvalOptions { with_hints, output } = options;
    let mut first = Vec::new();
    while first.iter().all(u8::is_ascii_whitespace) {
        first.clear();
        if reader.read_until(b'\n', &mut first)? == 0 {
            return Ok(true);
        }
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(&first).is_err() {
        // A single (pretty-printed) document.
        std::io::Read::read_to_end(&mut reader, &mut first)?;
        let mut buf = Vec::new();
        let ok = eval_line(policy, &first, with_hints, output, &mut buf);
        out.write_all(&buf)?;
        out.flush()?;
        return Ok(ok);
    }
    // Batches flow through a pipeline: while rayon's pool assesses batch N, this thread
    // writes the results of batch N-1 and reads batch N+1. Output buffers alternate between
    // two sets, one per run, and are reused (a batch's results are ~40 MB).
    let runs = rayon::current_num_threads();
    let mut lines = vec![first];
    let mut eof = read_batch(&mut reader, &mut lines)?;
    let mut next_lines: Vec<Vec<u8>> = Vec::new();
    let mut working: Vec<Vec<u8>> = vec![Vec::new(); runs];
    let mut finished: Vec<Vec<u8>> = vec![Vec::new(); runs];
    let mut all_ok = true;
    while !lines.is_empty() {
        let chunk = lines.len().div_ceil(runs).max(1);
        let mut ok = true;
        // The body runs on this thread (reader and writer stay here); the batch on the pool.
        let io = rayon::in_place_scope(|s| {
            let (lines, working, ok) = (&lines, &mut working, &mut ok);
            s.spawn(move |_| {
                *ok = lines
                    .par_chunks(chunk)
                    .zip(working.par_iter_mut())
                    .map(|(part, buf)| {
                        buf.clear();
                        part.iter().fold(true, |ok, line| {
                            eval_line(policy, line, with_hints, output, buf) & ok
                        })
                    })
                    .reduce(|| true, |a, b| a & b);
            });
            for buf in &mut finished {
                out.write_all(buf)?;
                buf.clear();
            }
            next_lines.clear();
            if eof {
                return Ok(true);
            }
            read_batch(&mut reader, &mut next_lines)
        });
        eof = io?;
        all_ok &= ok;
        std::mem::swap(&mut working, &mut finished);
        std::mem::swap(&mut lines, &mut next_lines);
    }
    for buf in &finished {
        out.write_all(buf)?;
    }
    out.flush()?;
    Ok(all_ok)
}

/// Reads non-blank lines until the batch is full; returns whether the input ended.
fn read_batch(reader: &mut impl BufRead, lines: &mut Vec<Vec<u8>>) -> std::io::Result<bool> {
    while lines.len() < BATCH {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(true);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push(line);
        }
    }
    Ok(false)
}
