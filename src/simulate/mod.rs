//! What a policy change would cost and whom it moves: a population assessed under the policy
//! in force and under a draft, on one date, side by side.
//!
//! Invariants: every person is assessed on the same date under both policies (their
//! answers re-dated); amounts are exact decimals end to end; the cash flow of each program
//! adds up to its granted amounts; the result holds figures, program names and the labels the
//! caller gave (reference numbers or line numbers), never a person's answers.

pub mod charts;
pub mod population;
pub mod tables;

use crate::applicant::Profile;
use crate::engine::{Assessment, Detail, Status, assess_version_as};
use crate::policy::{Policy, Version};
use chrono::{Datelike, Months, NaiveDate};
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
    /// People of the population who could not be read, with why (at most 100 kept;
    /// `skipped_count` counts them all); the caller fills these in.
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

/// How many of the largest changes are listed.
pub const TOP: usize = 20;

/// An installment without `after` waits for an event (an agreement signed, a review passed);
/// the simulation places it this many months after the installment before it (the first at
/// the grant), as `policy/README.md` says.
pub const MONTHS_BETWEEN_TRIGGERS: u32 = 12;

/// The month an installment falls due, counted from the grant.
pub fn due_months(installments: &[crate::policy::model::Installment]) -> Vec<u32> {
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
    let mut ids: Vec<&crate::policy::Program> = s.current.rules.programs.iter().collect();
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
    let tally = crate::parallel::runs(people, |offset, run| {
        let mut t = Tally::new(layout.programs, layout.edges.len());
        for (k, person) in run.iter().enumerate() {
            let mut profile = person.profile.clone();
            profile.application_date = as_of;
            let both = [
                assess_version_as(s.current, &profile, Detail::DecisionOnly),
                assess_version_as(s.draft, &profile, Detail::DecisionOnly),
            ];
            t.count(&layout, offset + k, &both);
        }
        t
    })
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
        .map(|person| explain(&s, person, as_of))
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
        people: people.len() as u64,
        skipped: Vec::new(),
        skipped_count: 0,
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
                (c.zh, c.en) = draft.parameter_words(&c.name);
                c
            })
            .collect(),
    })
}

/// The parameters whose values differ between the two versions (or exist in one only).
fn parameter_changes(current: &Version, draft: &Version) -> Vec<ParamChange> {
    let show = |v: &Version, name: &str| {
        v.rules
            .parameters
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, val)| v.rules.render(&(*val).into()))
            .unwrap_or_else(|| "—".into())
    };
    let mut names: Vec<&str> = current
        .rules
        .parameters
        .iter()
        .chain(&draft.rules.parameters)
        .map(|(n, _)| &**n)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| ParamChange {
            name: n.to_string(),
            zh: String::new(),
            en: String::new(),
            current: show(current, n),
            draft: show(draft, n),
        })
        .filter(|c| c.current != c.draft)
        .collect()
}

/// Why one person's total changed: their tier, and each program whose outcome moved.
fn explain(s: &Sides, person: &Person, as_of: NaiveDate) -> Change {
    let mut profile = person.profile.clone();
    profile.application_date = as_of;
    let a = assess_version_as(s.current, &profile, Detail::Explained);
    let b = assess_version_as(s.draft, &profile, Detail::Explained);
    let mut reasons = Vec::new();
    let (ta, tb) = (a.tier_id(), b.tier_id());
    if ta != tb {
        reasons.push((
            format!("人才层次 {} → {}", tier_zh(&a), tier_zh(&b)),
            format!("talent tier {} → {}", tier_en(&a), tier_en(&b)),
        ));
    }
    for pb in &b.programs {
        let pa = a.program(&pb.program.id);
        let (sa, aa) = pa.map_or((Status::NotApplicable, Decimal::ZERO), |p| {
            (p.status, p.amount)
        });
        if sa == pb.status && aa == pb.amount {
            continue;
        }
        let name = (&pb.program.zh, &pb.program.en);
        let money = |d: Decimal| crate::words::yuan(&d);
        let (zh, en) = match (sa == Status::Eligible, pb.status == Status::Eligible) {
            (true, true) => {
                let why = if pa.is_some_and(|p| p.computed_amount != pb.computed_amount) {
                    ("按金额规则", "by the amount rule")
                } else {
                    (
                        "因合并规则（不重复资助或总额上限）",
                        "by the combining rules (no double funding, caps)",
                    )
                };
                (
                    format!(
                        "{}：{} → {}，{}",
                        name.0,
                        money(aa),
                        money(pb.amount),
                        why.0
                    ),
                    format!(
                        "{}: {} → {}, {}",
                        name.1,
                        money(aa),
                        money(pb.amount),
                        why.1
                    ),
                )
            }
            (false, true) => {
                let now_met = changed_conditions(pa, pb, true);
                (
                    format!(
                        "{}：现在符合（{}），{}",
                        name.0,
                        now_met.0,
                        money(pb.amount)
                    ),
                    format!(
                        "{}: now eligible ({}), {}",
                        name.1,
                        now_met.1,
                        money(pb.amount)
                    ),
                )
            }
            (true, false) => {
                let failed = changed_conditions(pa, pb, false);
                (
                    format!("{}：不再符合（{}），原为 {}", name.0, failed.0, money(aa)),
                    format!(
                        "{}: no longer eligible ({}), was {}",
                        name.1,
                        failed.1,
                        money(aa)
                    ),
                )
            }
            (false, false) => continue,
        };
        reasons.push((zh, en));
    }
    for pa in &a.programs {
        if b.program(&pa.program.id).is_none() && pa.status == Status::Eligible {
            reasons.push((
                format!(
                    "{}：草案中没有此项目，原为 {}",
                    pa.program.zh,
                    crate::words::yuan(&pa.amount)
                ),
                format!(
                    "{}: not in the draft, was {}",
                    pa.program.en,
                    crate::words::yuan(&pa.amount)
                ),
            ));
        }
    }
    Change {
        label: person.label.clone(),
        current_total: a.total,
        draft_total: b.total,
        reasons,
    }
}

fn tier_zh(a: &Assessment) -> String {
    a.tier
        .map_or("无".into(), |(t, _)| format!("{}（{}）", t.id, t.zh))
}

fn tier_en(a: &Assessment) -> String {
    a.tier
        .map_or("none".into(), |(t, _)| format!("{} ({})", t.id, t.en))
}

/// The conditions whose outcome moved between the sides: those now met (`now_met`) or
/// those now failing, by name; when none moved, what else did (the tier, the section).
fn changed_conditions(
    before: Option<&crate::engine::ProgramOutcome>,
    after: &crate::engine::ProgramOutcome,
    now_met: bool,
) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (c, o) in after.program.conditions.iter().zip(&after.conditions) {
        let was = before
            .and_then(|p| {
                p.program
                    .conditions
                    .iter()
                    .position(|x| x.id == c.id)
                    .and_then(|j| p.conditions.get(j))
            })
            .map(|x| x.met);
        let moved = if now_met {
            o.met && was != Some(true)
        } else {
            !o.met && was != Some(false)
        };
        if moved {
            zh.push(format!("“{}”", c.zh));
            en.push(format!("“{}”", c.en));
        }
    }
    if zh.is_empty() {
        return (
            "条件或合并规则变化".into(),
            "a condition or combining rule changed".into(),
        );
    }
    let verb = if now_met {
        ("满足", "meets")
    } else {
        ("不满足", "fails")
    };
    (
        format!("{}{}", verb.0, zh.join("、")),
        format!("{} {}", verb.1, en.join(", ")),
    )
}
