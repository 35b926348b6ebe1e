//! `talent-subsidy eval`: one JSON profile, or JSON Lines, assessed in pieces on rayon's
//! pool while earlier pieces are written and later ones read; one result line per input
//! line, in input order.

use app::service::Output;
use rules::policy::Policy;
use std::collections::VecDeque;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::Receiver;

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

/// Bytes of input per piece handed to the pool (about 230 profiles of 1.1 KB).
const PIECE: usize = 256 << 10;

pub(super) fn eval(policy: &Policy, file: &Path, options: EvalOptions) -> ExitCode {
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(file) {
            // Pieces are read in requests larger than this buffer, which they bypass.
            Ok(f) => Box::new(std::io::BufReader::with_capacity(64 << 10, f)),
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
/// lines are spread over rayon's pool in pieces, never more than a few per thread in memory.
/// Returns whether every profile was assessed.
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
    // Pieces of input flow through the pool without waiting for each other: this thread
    // reads a piece, hands it to the pool, and while at most `limit` are in flight writes the
    // oldest one's results as soon as they are ready, in input order. Buffers come back with
    // the results and are used again.
    if first.last() != Some(&b'\n') {
        first.push(b'\n');
    }
    let limit = rayon::current_num_threads() * 8;
    let mut carry = first;
    let mut spare: Vec<(Batch, Vec<u8>)> = Vec::new();
    let mut pending: VecDeque<Receiver<Done>> = VecDeque::new();
    let mut all_ok = true;
    rayon::in_place_scope(|s| -> std::io::Result<()> {
        let mut eof = false;
        while !eof || !pending.is_empty() {
            if !eof && pending.len() < limit {
                let (mut lines, mut results) = spare.pop().unwrap_or_default();
                eof = lines.read(&mut reader, &mut carry, PIECE)?;
                if lines.is_empty() {
                    spare.push((lines, results));
                    continue;
                }
                let (done, ready) = std::sync::mpsc::sync_channel(1);
                s.spawn(move |_| {
                    results.clear();
                    let ok = lines.spans.iter().fold(true, |ok, &(from, to)| {
                        let line = &lines.bytes[from..to];
                        eval_line(policy, line, with_hints, output, &mut results) & ok
                    });
                    // The receiver is gone only when writing failed; the error is reported.
                    let _ = done.send(Done { lines, results, ok });
                });
                pending.push_back(ready);
            } else if let Some(oldest) = pending.pop_front() {
                let Done { lines, results, ok } = oldest
                    .recv()
                    .map_err(|_| std::io::Error::other("an assessment stopped unfinished"))?;
                all_ok &= ok;
                out.write_all(&results)?;
                spare.push((lines, results));
            }
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(all_ok)
}

/// A piece assessed: its lines (to be read into again), its results, and whether every line
/// was assessed.
struct Done {
    lines: Batch,
    results: Vec<u8>,
    ok: bool,
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
            self.room(start + block);
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

    /// Over many pieces, each line's result is the one it gets alone, in input order, with
    /// refused lines in their places; blank lines give nothing.
    #[test]
    fn results_come_out_in_input_order_across_pieces() {
        let policy = rules::policy::load_embedded().expect("the shipped policy loads");
        let example: serde_json::Value =
            serde_json::from_str(rules::EXAMPLE_PROFILE).expect("the example is JSON");
        let lines: Vec<String> = (0..1500)
            .map(|i| match i % 7 {
                0 => format!("{{\"line\": {i}}}"),
                _ => {
                    let mut p = example.clone();
                    p["employment"]["annual_salary"] = serde_json::json!(100_000 + i * 997);
                    p.to_string()
                }
            })
            .collect();
        let input = lines.join("\n\n");
        assert!(input.len() > 4 * PIECE, "the input spans several pieces");
        for output in [Output::Full, Output::Summary] {
            let options = EvalOptions {
                with_hints: false,
                output,
            };
            let mut got = Vec::new();
            let all = eval_stream(&policy, input.as_bytes(), &mut got, options).unwrap();
            assert!(!all, "some lines were refused");
            let mut want = Vec::new();
            for line in &lines {
                eval_line(&policy, line.as_bytes(), false, output, &mut want);
            }
            assert!(
                got == want,
                "{output:?}: results differ from one line at a time"
            );
        }
    }

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
