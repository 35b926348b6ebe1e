//! Where a simulation's people come from: a file (JSON Lines, or a spreadsheet in the batch
//! format), or the saved applications. Every profile is re-dated by the simulation, so a
//! profile is read whatever its own application date.

use super::Person;
use chrono::NaiveDate;
use rayon::prelude::*;
use rules::applicant::{Profile, ProfileContext};
use rules::policy::Policy;

/// Reads profiles for either of two policies, on any date (the simulation re-dates them).
pub struct EitherPolicy<'a>(pub &'a Policy, pub &'a Policy);

impl ProfileContext for EitherPolicy<'_> {
    fn is_known_program(&self, id: &str) -> bool {
        self.0.is_known_program(id) || self.1.is_known_program(id)
    }
    fn has_version_on(&self, _date: NaiveDate) -> bool {
        true
    }
    fn first_day(&self) -> Option<NaiveDate> {
        match (self.0.first_day(), self.1.first_day()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The people of a file, and the lines that could not be read (label, why).
#[derive(Debug, Default)]
pub struct Read {
    pub people: Vec<Person>,
    pub skipped: Vec<(String, String)>,
}

/// The most people one file may hold on the command line.
pub const MAX_PEOPLE: usize = 1_000_000;
/// The most people a file uploaded to the console may hold (its 16 MiB hold fewer real rows):
/// a file with more is refused as soon as its reading passes them.
pub const CONSOLE_MAX_PEOPLE: usize = 200_000;

/// Reads JSON Lines (one profile a line) or, told by its bytes, a workbook or CSV in the
/// batch template's columns. Labels are line numbers (“第 3 行”).
pub fn read_file(
    bytes: &[u8],
    ctx: &EitherPolicy,
    max_people: usize,
) -> Result<Read, (String, String)> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Ok(read_jsonl(bytes, ctx, max_people));
    }
    let rows =
        crate::batch::profiles(bytes, ctx.0, ctx, max_people).map_err(|e| (e.0.zh, e.0.en))?;
    let mut out = Read::default();
    for (line, row) in rows {
        let label = format!("第 {line} 行");
        match row {
            Ok(profile) => out.people.push(Person { label, profile }),
            Err(why) => out.skipped.push((label, why)),
        }
    }
    Ok(out)
}

/// JSON Lines, read on every core.
fn read_jsonl(bytes: &[u8], ctx: &EitherPolicy, max_people: usize) -> Read {
    let lines: Vec<(String, &[u8])> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .take(max_people)
        .map(|(i, l)| (format!("第 {} 行", i + 1), l))
        .collect();
    read_json(&lines, ctx)
}

/// The saved applications' answers (reference, JSON), each labelled by its reference.
pub fn from_saved(saved: &[(String, String)], ctx: &EitherPolicy) -> Read {
    let items: Vec<(String, &[u8])> = saved
        .iter()
        .map(|(r, json)| (r.clone(), json.as_bytes()))
        .collect();
    read_json(&items, ctx)
}

/// JSON profiles with their labels, read on every core, in order.
fn read_json(lines: &[(String, &[u8])], ctx: &EitherPolicy) -> Read {
    let parts: Vec<Read> = crate::parallel::runs(lines)
        .map(|(_, run)| {
            let mut out = Read::default();
            for (label, line) in run {
                let label = label.clone();
                match Profile::from_json(line, ctx) {
                    Ok(profile) => out.people.push(Person { label, profile }),
                    Err(e) => out.skipped.push((
                        label,
                        crate::batch::errors_in_words(&e.errors, rules::input::Lang::Zh),
                    )),
                }
            }
            out
        })
        .collect();
    let mut out = Read::default();
    for p in parts {
        out.people.extend(p.people);
        out.skipped.extend(p.skipped);
    }
    out
}
