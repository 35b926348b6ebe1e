//! `talent-subsidy eval`: one JSON profile, or JSON Lines, assessed in batches on rayon's
//! pool while the previous batch is written and the next read; one result line per input
//! line, in input order.

use app::service::Output;
use rayon::prelude::*;
use rules::policy::Policy;
use std::io::{BufRead, BufWriter, Read, Write};
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

/// Bytes of input per batch handed to the worker threads (about 4,000 profiles).
const BLOCK: usize = 4 << 20;

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
    // two sets, one per run, and are reused (a batch's results are ~40 MB); a batch's input
    // is one buffer read in large blocks, its lines slices of it.
    // Pieces of a batch, more than the threads, so that one slowed (sharing its core with
    // the reading and writing) leaves its rest to the others.
    let runs = rayon::current_num_threads() * 8;
    if first.last() != Some(&b'\n') {
        first.push(b'\n');
    }
    let mut lines = Batch::default();
    let mut carry = first;
    let mut eof = lines.read(&mut reader, &mut carry, BLOCK)?;
    let mut next_lines = Batch::default();
    let mut working: Vec<Vec<u8>> = vec![Vec::new(); runs];
    let mut finished: Vec<Vec<u8>> = vec![Vec::new(); runs];
    let mut all_ok = true;
    while !lines.is_empty() {
        let chunk = lines.spans.len().div_ceil(runs).max(1);
        let mut ok = true;
        // The body runs on this thread (reader and writer stay here); the batch on the pool.
        let io = rayon::in_place_scope(|s| {
            let (lines, working, ok) = (&lines, &mut working, &mut ok);
            s.spawn(move |_| {
                *ok = lines
                    .spans
                    .par_chunks(chunk)
                    .zip(working.par_iter_mut())
                    .map(|(part, buf)| {
                        buf.clear();
                        part.iter().fold(true, |ok, &(from, to)| {
                            let line = &lines.bytes[from..to];
                            eval_line(policy, line, with_hints, output, buf) & ok
                        })
                    })
                    .reduce(|| true, |a, b| a & b);
            });
            for buf in &mut finished {
                out.write_all(buf)?;
                buf.clear();
            }
            if eof {
                next_lines.clear();
                return Ok(true);
            }
            next_lines.read(&mut reader, &mut carry, BLOCK)
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

/// Lines of input: one buffer and the non-blank lines' spans in it.
#[derive(Default)]
struct Batch {
    /// The lines read are `bytes[..len]`; what lies beyond is room kept from earlier batches,
    /// so that a batch does not zero its buffer again before reading into it.
    bytes: Vec<u8>,
    len: usize,
    spans: Vec<(usize, usize)>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn clear(&mut self) {
        self.len = 0;
        self.spans.clear();
    }

    /// Reads whole lines until about `block` bytes are in: `carry` (a line begun
    /// in the previous block) first, and what follows the last newline becomes the next
    /// `carry`. Returns whether the input ended.
    fn read(
        &mut self,
        reader: &mut impl Read,
        carry: &mut Vec<u8>,
        block: usize,
    ) -> std::io::Result<bool> {
        self.clear();
        self.room(carry.len());
        self.bytes[..carry.len()].copy_from_slice(carry);
        self.len = carry.len();
        carry.clear();
        let mut eof = false;
        loop {
            let start = self.len;
            if start >= block && memchr::memchr(b'\n', &self.bytes[..start]).is_some() {
                break;
            }
            self.room(start + block.div_ceil(4));
            let n = loop {
                match reader.read(&mut self.bytes[start..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    r => break r?,
                }
            };
            self.len = start + n;
            if n == 0 {
                eof = true;
                break;
            }
        }
        let end = if eof {
            self.len
        } else {
            memchr::memrchr(b'\n', &self.bytes[..self.len]).map_or(0, |i| i + 1)
        };
        carry.extend_from_slice(&self.bytes[end..self.len]);
        self.len = end;
        let lines = &self.bytes[..end];
        let mut from = 0;
        for to in memchr::memchr_iter(b'\n', lines)
            .chain((end > 0 && lines[end - 1] != b'\n').then_some(end))
        {
            if !lines[from..to].iter().all(u8::is_ascii_whitespace) {
                self.spans.push((from, to));
            }
            from = to + 1;
        }
        Ok(eof)
    }

    /// At least `n` bytes of buffer (zeroed only when it grows).
    fn room(&mut self, n: usize) {
        if self.bytes.len() < n {
            self.bytes.resize(n, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines split across reads, blank lines, a line longer than a block and a last line
    /// without its newline all come out whole, in order, and only once.
    #[test]
    fn a_batch_holds_whole_lines_whatever_the_blocks() {
        let input = b"first\n\n   \nsecond line\n0123456789abcdefghij\nlast";
        for block in [1, 3, 8, 64] {
            let mut reader = &input[..];
            let mut carry = Vec::new();
            let mut got: Vec<String> = Vec::new();
            let mut batch = Batch::default();
            loop {
                let eof = batch.read(&mut reader, &mut carry, block).unwrap();
                for &(from, to) in &batch.spans {
                    got.push(String::from_utf8(batch.bytes[from..to].to_vec()).unwrap());
                }
                if eof {
                    break;
                }
            }
            assert_eq!(
                got,
                ["first", "second line", "0123456789abcdefghij", "last"],
                "block {block}"
            );
        }
    }
}
