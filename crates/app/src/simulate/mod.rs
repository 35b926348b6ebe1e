//! What a policy change would cost and whom it moves: a population assessed under the policy
//! in force and under a draft, on one date, side by side.
//!
//! Invariants: every person is assessed on the same date under both policies (their
//! answers re-dated); amounts are exact decimals end to end; the cash flow of each program
//! adds up to its granted amounts; the result holds figures, program names and the labels the
//! caller gave (reference numbers or line numbers), never a person's answers.

pub mod charts;
mod why;
use rayon::prelude::*;
use why::{explain, parameter_changes};
pub mod population;
pub mod tables;

use chrono::{Datelike, Months, NaiveDate};
use rules::applicant::Profile;
use rules::engine::{Assessment, Detail, Status, assess_version_as};
use rules::input::Lang;
use rules::policy::{Policy, Version};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One person of the population: a label the officer can look up (a reference number, a
/// line of the uploaded file) and their answers.
#[derive(Debug, Clone)]
pub struct Person {
    pub label: String,
    pub profile: Profile,
}

/// Per program: eligible people and the amount granted, now and under the draft.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProgramRow {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub current_count: u64,
    pub current_amount: Decimal,
    pub draft_count: u64,
    pub draft_amount: Decimal,
}

impl ProgramRow {
    pub fn change(&self) -> Decimal {
        self.draft_amount - self.current_amount
    }
}

/// People whose total changed by an amount in `[low, high)` (`None`: unbounded).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Band {
    pub zh: String,
    pub en: String,
    pub low: Option<Decimal>,
    pub high: Option<Decimal>,
    pub count: u64,
}

/// One of the largest changes, with why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    pub label: String,
    pub current_total: Decimal,
    pub draft_total: Decimal,
    /// In both languages, one line each.
    pub reasons: Vec<(String, String)>,
}

impl Change {
    pub fn change(&self) -> Decimal {
        self.draft_total - self.current_total
    }
}

/// What falls due in one calendar year, per program (in the order of `programs`) and in all.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CashYear {
    pub year: i32,
    pub current: Vec<Decimal>,
    pub draft: Vec<Decimal>,
}

impl CashYear {
    pub fn current_total(&self) -> Decimal {
        self.current.iter().sum()
    }
    pub fn draft_total(&self) -> Decimal {
        self.draft.iter().sum()
    }
}

/// A parameter whose value differs between the two versions compared.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParamChange {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub current: String,
    pub draft: String,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Simulation {
    pub as_of: NaiveDate,
    pub current_version: String,
    pub draft_version: String,
    pub people: u64,
    /// People of the population who could not be read, or whose answers are not valid on
    /// `as_of`, with why (at most 100 kept; `skipped_count` counts them all). `simulate`
    /// names those it left out; the caller adds those its reading left out.
    pub skipped: Vec<(String, String)>,
    pub skipped_count: u64,
    pub programs: Vec<ProgramRow>,
    pub current_total: Decimal,
    pub draft_total: Decimal,
    pub winners: u64,
    pub losers: u64,
    pub unchanged: u64,
    pub bands: Vec<Band>,
    /// The 20 largest changes, largest first.
    pub top: Vec<Change>,
    pub cash: Vec<CashYear>,
    pub parameters: Vec<ParamChange>,
}

impl Simulation {
    /// Adds the people the population's reading left out (label, why) ahead of those the
    /// simulation left out; at most 100 are kept, all are counted.
    pub fn add_unread(&mut self, mut unread: Vec<(String, String)>) {
        self.skipped_count += unread.len() as u64;
        unread.append(&mut self.skipped);
        unread.truncate(100);
        self.skipped = unread;
    }
}

/// How many of the largest changes are listed.
pub const TOP: usize = 20;

/// An installment without `after` waits for an event (an agreement signed, a review passed);
/// the simulation places it this many months after the installment before it (the first at
/// the grant), as `policy/README.md` says.
pub const MONTHS_BETWEEN_TRIGGERS: u32 = 12;

/// The month an installment falls due, counted from the grant.
pub fn due_months(installments: &[rules::policy::model::Installment]) -> Vec<u32> {
    let mut previous: Option<u32> = None;
    installments
        .iter()
        .map(|i| {
            let m = i.after_months.unwrap_or(match previous {
                None => 0,
                Some(p) => p + MONTHS_BETWEEN_TRIGGERS,
            });
            previous = Some(m);
            m
        })
        .collect()
}

/// The bands of change in a person's total (yuan), lower bound included.
fn band_edges() -> Vec<Band> {
    let b = |zh: &str, en: &str, low: Option<i64>, high: Option<i64>| Band {
        zh: zh.into(),
        en: en.into(),
        low: low.map(Decimal::from),
        high: high.map(Decimal::from),
        count: 0,
    };
    vec![
        b(
            "减少100万元以上",
            "down by 1,000,000 or more",
            None,
            Some(-999_999),
        ),
        b(
            "减少10万–100万元",
            "down 100,000–999,999",
            Some(-999_999),
            Some(-99_999),
        ),
        b(
            "减少1万–10万元",
            "down 10,000–99,999",
            Some(-99_999),
            Some(-9_999),
        ),
        b("减少不足1万元", "down under 10,000", Some(-9_999), Some(0)),
        b("不变", "unchanged", Some(0), Some(1)),
        b("增加不足1万元", "up under 10,000", Some(1), Some(10_000)),
        b(
            "增加1万–10万元",
            "up 10,000–99,999",
            Some(10_000),
            Some(100_000),
        ),
        b(
            "增加10万–100万元",
            "up 100,000–999,999",
            Some(100_000),
            Some(1_000_000),
        ),
        b(
            "增加100万元以上",
            "up by 1,000,000 or more",
            Some(1_000_000),
            None,
        ),
    ]
}

/// What every worker needs to add a person up: where each side's programs stand in the
/// comparison, when their installments fall due, the bands, the date.
struct Layout {
    /// Per side, per program of that side's version: its index among the compared programs.
    maps: [Vec<usize>; 2],
    /// Per side, per program: each installment's month after approval.
    dues: [Vec<Vec<u32>>; 2],
    edges: Vec<Band>,
    as_of: NaiveDate,
    /// How many programs are compared.
    programs: usize,
}

/// What one worker adds up.
struct Tally {
    programs: Vec<[(u64, Decimal); 2]>,
    cash: BTreeMap<i32, Vec<[Decimal; 2]>>,
    bands: Vec<u64>,
    winners: u64,
    losers: u64,
    unchanged: u64,
    /// (|change|, index into the population), the largest kept.
    top: Vec<(Decimal, usize)>,
    totals: [Decimal; 2],
    /// People whose answers are not valid on the simulation's date (index, why), in order.
    invalid: Vec<(usize, String)>,
}

impl Tally {
    fn new(programs: usize, bands: usize) -> Tally {
        Tally {
            programs: vec![[(0, Decimal::ZERO); 2]; programs],
            cash: BTreeMap::new(),
            bands: vec![0; bands],
            winners: 0,
            losers: 0,
            unchanged: 0,
            top: Vec::new(),
            totals: [Decimal::ZERO; 2],
            invalid: Vec::new(),
        }
    }

    /// Adds one person's two assessments (current, draft); `index` is theirs in the
    /// population.
    fn count(&mut self, layout: &Layout, index: usize, both: &[Assessment; 2]) {
        for (side, a) in both.iter().enumerate() {
            self.totals[side] += a.total;
            for (pi, o) in a.programs.iter().enumerate() {
                if o.status != Status::Eligible {
                    continue;
                }
                let program = layout.maps[side][pi];
                let slot = &mut self.programs[program][side];
                slot.0 += 1;
                slot.1 += o.amount;
                for (amount, m) in o.installments.iter().zip(&layout.dues[side][pi]) {
                    let year = layout
                        .as_of
                        .checked_add_months(Months::new(*m))
                        .map_or(layout.as_of.year(), |d| d.year());
                    self.cash
                        .entry(year)
                        .or_insert_with(|| vec![[Decimal::ZERO; 2]; layout.programs])[program]
                        [side] += *amount;
                }
            }
        }
        let change = both[1].total - both[0].total;
        match change.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => self.winners += 1,
            std::cmp::Ordering::Less => self.losers += 1,
            std::cmp::Ordering::Equal => self.unchanged += 1,
        }
        if let Some(b) = layout
            .edges
            .iter()
            .position(|b| b.low.is_none_or(|l| change >= l) && b.high.is_none_or(|h| change < h))
        {
            self.bands[b] += 1;
        }
        self.keep_top(change.abs(), index);
    }

    fn keep_top(&mut self, size: Decimal, index: usize) {
        if size.is_zero() {
            return;
        }
        self.top.push((size, index));
        if self.top.len() > TOP * 4 {
            self.trim_top();
        }
    }

    fn trim_top(&mut self) {
        self.top
            .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.top.truncate(TOP);
    }

    fn merge(&mut self, other: Tally) {
        self.invalid.extend(other.invalid);
        for (a, b) in self.programs.iter_mut().zip(other.programs) {
            for side in 0..2 {
                a[side].0 += b[side].0;
                a[side].1 += b[side].1;
            }
        }
        for (year, row) in other.cash {
            let mine = self
                .cash
                .entry(year)
                .or_insert_with(|| vec![[Decimal::ZERO; 2]; row.len()]);
            for (a, b) in mine.iter_mut().zip(row) {
                a[0] += b[0];
                a[1] += b[1];
            }
        }
        for (a, b) in self.bands.iter_mut().zip(other.bands) {
            *a += b;
        }
        self.winners += other.winners;
        self.losers += other.losers;
        self.unchanged += other.unchanged;
        self.top.extend(other.top);
        self.trim_top();
        self.totals[0] += other.totals[0];
        self.totals[1] += other.totals[1];
    }
}

/// The version of each side in force on `as_of`.
pub struct Sides<'p> {
    pub current: &'p Version,
    pub draft: &'p Version,
}

/// Why the two policies cannot be compared on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoVersion {
    pub draft: bool,
    pub date: NaiveDate,
}

impl NoVersion {
    pub fn zh(&self) -> String {
        let which = if self.draft { "草案" } else { "现行政策" };
        format!("{which}在 {} 没有有效的版本", self.date)
    }
    pub fn en(&self) -> String {
        let which = if self.draft {
            "the draft"
        } else {
            "the policy in force"
        };
        format!("{which} has no version in force on {}", self.date)
    }
}

pub fn sides<'p>(
    current: &'p Policy,
    draft: &'p Policy,
    as_of: NaiveDate,
) -> Result<Sides<'p>, NoVersion> {
    Ok(Sides {
        current: current.version_on(as_of).ok_or(NoVersion {
            draft: false,
            date: as_of,
        })?,
        draft: draft.version_on(as_of).ok_or(NoVersion {
            draft: true,
            date: as_of,
        })?,
    })
}

/// The date a simulation is run on by default: the first day of the draft's last version
/// when that is still to come, otherwise `today`.
pub fn default_as_of(draft: &Policy, today: NaiveDate) -> NaiveDate {
    draft.versions.last().map_or(today, |v| v.from.max(today))
}

/// Assesses every person under both sides on `as_of` (on every core) and adds it all up.
pub fn simulate(
    current: &Policy,
    draft: &Policy,
    people: &[Person],
    as_of: NaiveDate,
) -> Result<Simulation, NoVersion> {
    let s = sides(current, draft, as_of)?;
    // The programs of both sides, the current ones first, each once.
    let mut ids: Vec<&rules::policy::Program> = s.current.rules.programs.iter().collect();
    for p in &s.draft.rules.programs {
        if !ids.iter().any(|q| q.id == p.id) {
            ids.push(p);
        }
    }
    let index_of = |id: &str| ids.iter().position(|p| &*p.id == id).unwrap_or(0);
    let maps: [Vec<usize>; 2] = [
        s.current
            .rules
            .programs
            .iter()
            .map(|p| index_of(&p.id))
            .collect(),
        s.draft
            .rules
            .programs
            .iter()
            .map(|p| index_of(&p.id))
            .collect(),
    ];
    let dues: [Vec<Vec<u32>>; 2] = [
        s.current
            .rules
            .programs
            .iter()
            .map(|p| due_months(&p.installments))
            .collect(),
        s.draft
            .rules
            .programs
            .iter()
            .map(|p| due_months(&p.installments))
            .collect(),
    ];
    let layout = Layout {
        maps,
        dues,
        edges: band_edges(),
        as_of,
        programs: ids.len(),
    };
    let ctx = population::EitherPolicy(current, draft);
    let tally = crate::parallel::runs(people)
        .map(|(offset, run)| {
            let mut t = Tally::new(layout.programs, layout.edges.len());
            for (k, person) in run.iter().enumerate() {
                // Everyone is assessed on one day; answers dated after it are not valid then.
                let profile = match person.profile.redated(as_of, &ctx) {
                    Ok(p) => p,
                    Err(e) => {
                        let why = crate::batch::errors_in_words(&e.errors, Lang::Zh);
                        t.invalid.push((offset + k, why));
                        continue;
                    }
                };
                let both = [
                    assess_version_as(s.current, &profile, Detail::DecisionOnly),
                    assess_version_as(s.draft, &profile, Detail::DecisionOnly),
                ];
                t.count(&layout, offset + k, &both);
            }
            t
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold(
            Tally::new(layout.programs, layout.edges.len()),
            |mut all, t| {
                all.merge(t);
                all
            },
        );
    let top = tally
        .top
        .iter()
        .filter_map(|(_, i)| people.get(*i))
        .map(|person| explain(&s, person, as_of, &ctx))
        .collect();
    let programs = ids
        .iter()
        .zip(&tally.programs)
        .map(|(p, [c, d])| ProgramRow {
            id: p.id.to_string(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            current_count: c.0,
            current_amount: c.1,
            draft_count: d.0,
            draft_amount: d.1,
        })
        .collect();
    let cash = tally
        .cash
        .into_iter()
        .map(|(year, row)| CashYear {
            year,
            current: row.iter().map(|r| r[0]).collect(),
            draft: row.iter().map(|r| r[1]).collect(),
        })
        .collect();
    let mut bands = layout.edges;
    for (b, n) in bands.iter_mut().zip(&tally.bands) {
        b.count = *n;
    }
    Ok(Simulation {
        as_of,
        current_version: s.current.id.to_string(),
        draft_version: s.draft.id.to_string(),
        people: (people.len() - tally.invalid.len()) as u64,
        skipped_count: tally.invalid.len() as u64,
        skipped: tally
            .invalid
            .iter()
            .take(100)
            .filter_map(|(i, why)| Some((people.get(*i)?.label.clone(), why.clone())))
            .collect(),
        programs,
        current_total: tally.totals[0],
        draft_total: tally.totals[1],
        winners: tally.winners,
        losers: tally.losers,
        unchanged: tally.unchanged,
        bands,
        top,
        cash,
        parameters: parameter_changes(s.current, s.draft)
            .into_iter()
            .map(|mut c| {
                rules::Msg { zh: c.zh, en: c.en } = draft.parameter_words(&c.name);
                c
            })
            .collect(),
    })
}
