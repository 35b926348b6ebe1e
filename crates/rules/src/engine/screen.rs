//! Screening a partial profile (brief §8): the same rules as [`super::assess`], evaluated over
//! what the unknown answers could still be ([`crate::policy::range`]). Conditions are met,
//! not met or unknown; amounts, the combination rules and the total become ranges; a program
//! is `possible` while some answer could still change its status or amount. What is worth
//! asking next comes from the rules' structure: the unknown answers an undecided condition or
//! amount reads, each with the money at stake and the programs it decides.
//!
//! Invariants (property-tested in `crates/rules/tests/screening.rs`):
//! - **Sound**: whatever the unknown answers turn out to be, the assessment of the answered
//!   profile has each program's status among the possible ones, each amount and the total
//!   inside their ranges, and the tier among the possible tiers.
//! - **Exact when complete**: a profile with nothing unknown screens to the assessment's
//!   statuses, amounts, tier and total, every program decided.
//! - **Only what matters is asked**: a question's path is read by an undecided program; a
//!   section's fields are asked only once the section is known to apply.

use super::{AssessError, Status};
use crate::applicant::{Domain, PATHS, Partial, path_bit};
use crate::policy::fields::{FIELDS, Section, Var};
use crate::policy::model::{Expr, Program};
use crate::policy::prior::Prior;
use crate::policy::range::{self, Inputs, Range, Truth, whole_yuan};
use crate::policy::value::Val;
use crate::policy::{Policy, Version};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::LazyLock;

mod expect;
mod questions;
mod shared;
pub use questions::SECTIONS;
use questions::{enclosing, questions};
use shared::{first_time, tiers};

/// A set of statuses, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Statuses(u8);

impl Statuses {
    const ORDER: [Status; 4] = [
        Status::Eligible,
        Status::Ineligible,
        Status::NotApplicable,
        Status::Excluded,
    ];

    fn bit(s: Status) -> u8 {
        1 << Self::ORDER.iter().position(|x| *x == s).unwrap_or(0)
    }
    pub fn has(self, s: Status) -> bool {
        self.0 & Self::bit(s) != 0
    }
    fn add(&mut self, s: Status) {
        self.0 |= Self::bit(s);
    }
    fn remove(&mut self, s: Status) {
        self.0 &= !Self::bit(s);
    }
    /// The one status, when only one is possible.
    pub fn only(self) -> Option<Status> {
        (self.0.count_ones() == 1).then(|| Self::ORDER[self.0.trailing_zeros() as usize])
    }
    pub fn iter(self) -> impl Iterator<Item = Status> {
        Self::ORDER.into_iter().filter(move |s| self.has(*s))
    }
}

#[derive(Debug, Clone)]
pub struct ProgramRange<'p> {
    pub program: &'p Program,
    pub statuses: Statuses,
    /// The amount after the combination rules, lowest and highest possible.
    pub amount: (Decimal, Decimal),
    /// One per condition of the program (empty when it surely does not apply).
    pub conditions: Vec<Truth>,
    /// Sections the program needs that are not known to apply or not.
    pub open_sections: Vec<Section>,
    /// Whether the amount may go to committee review.
    pub review: Truth,
    /// Unknown paths ([`PATHS`] bits) whose answers could still change it; 0 once decided.
    pub reads: u64,
}

impl ProgramRange<'_> {
    /// Decided: whether it pays and how much are known. A program that surely pays nothing
    /// is decided even while it could still be either ineligible or not applicable (no
    /// company yet, say): asking which would not change the applicant's answer.
    pub fn is_decided(&self) -> bool {
        self.amount.0 == self.amount.1
            && (self.statuses.only().is_some() || !self.statuses.has(Status::Eligible))
    }

    /// The decided status, or `None` while it is possible. Of the statuses a program that
    /// pays nothing could still have, ineligible is named when a condition surely fails,
    /// else not applicable, else excluded.
    pub fn status(&self) -> Option<Status> {
        if !self.is_decided() {
            return None;
        }
        self.statuses.only().or_else(|| {
            let fails = self.conditions.iter().any(|t| !t.yes);
            [Status::Ineligible, Status::NotApplicable, Status::Excluded]
                .into_iter()
                .filter(|s| self.statuses.has(*s))
                .find(|s| *s != Status::Ineligible || fails)
                .or(Some(Status::Ineligible))
        })
    }

    /// The ids of conditions that are neither met nor failed yet.
    pub fn undecided_conditions(&self) -> impl Iterator<Item = &str> {
        self.program
            .conditions
            .iter()
            .zip(&self.conditions)
            .filter(|(_, t)| !t.is_known())
            .map(|(c, _)| &*c.id)
    }
}

/// A question worth asking: an unknown answer that undecided programs read.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// A profile path ([`PATHS`]): a field, or a section (`employment`) to say whether it
    /// applies.
    pub path: &'static str,
    /// How far the total's range could move on this answer: the widths of the programs it
    /// decides, added, at most the total's width.
    pub at_stake: Decimal,
    /// The programs (indexes into [`Screening::programs`]) it decides.
    pub decides: Vec<usize>,
    /// The money an answer is expected to settle: each answer weighed by how often it is seen
    /// ([`Prior`]), the widths of the programs it would decide added (at most `at_stake`).
    /// Questions are asked largest first.
    pub expected: Decimal,
    /// For a section's question, the sections one answer settles (`housing` may settle the
    /// home purchase too: "which of these describe you"); empty for a field.
    pub settles: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Screening<'p> {
    pub version: &'p Version,
    pub application_date: NaiveDate,
    /// The possible talent tiers: bits over the version's tiers, then one for no tier.
    pub tiers: u64,
    pub programs: Vec<ProgramRange<'p>>,
    pub total: (Decimal, Decimal),
    /// Largest stake first; empty once every program is decided.
    pub questions: Vec<Question>,
}

impl Screening<'_> {
    /// The programs (indexes) that may be eligible and may pay: those whose materials the
    /// applicant should prepare.
    pub fn may_pay(&self) -> Vec<usize> {
        self.programs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.statuses.has(Status::Eligible) && p.amount.1 > Decimal::ZERO)
            .map(|(i, _)| i)
            .collect()
    }

    pub fn is_complete(&self) -> bool {
        self.programs.iter().all(ProgramRange::is_decided)
    }

    /// The questions as they are asked: [`Self::questions`] with two or more sections'
    /// questions made one that settles them all (path [`SECTIONS`], its sections in
    /// `settles`), where the first of them stood.
    pub fn asks(&self) -> Vec<Question> {
        questions::asked(&self.questions, self.total.1 - self.total.0)
    }

    /// The tier ids still possible, highest first (`none` last).
    pub fn tier_ids(&self) -> Vec<&str> {
        let tiers = &self.version.rules.tiers;
        (0..=tiers.len())
            .filter(|i| {
                self.tiers
                    .checked_shr(*i as u32)
                    .is_some_and(|t| t & 1 == 1)
            })
            .map(|i| tiers.get(i).map_or("none", |t| &*t.id))
            .collect()
    }
}

/// Fields that exist only with a degree: whether they are known depends on the degree
/// (without one there is nothing to ask), so reading one reads the degree too, and the degree
/// is asked first, as a section is.
const NEEDS_DEGREE: [&str; 3] = [
    "person.institution_tier",
    "person.institution_name",
    "person.graduation_date",
];

/// The [`PATHS`] bit of each of [`FIELDS`].
static FIELD_BITS: LazyLock<Vec<u64>> =
    LazyLock::new(|| FIELDS.iter().map(|f| path_bit(f.path)).collect());

/// What reading each of [`FIELDS`] depends on: the field, the sections it lies in, and the
/// degree for [`NEEDS_DEGREE`].
static READ_BITS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    FIELDS
        .iter()
        .map(|f| path_bit(f.path) | enclosing(f.path))
        .collect()
});

struct Known<'a> {
    partial: &'a Partial,
    unknown: u64,
    age: Range<'static>,
    tier: u64,
    tier_reads: u64,
    salary: Range<'static>,
    first_time: Truth,
    amount: Range<'static>,
    met: Vec<Truth>,
    met_reads: Vec<u64>,
    /// A hypothetical answer ([`FIELDS`] index, value) read instead of the unknown one, when
    /// weighing a question (see `expect.rs`).
    over: Option<(usize, Val<'static>)>,
}

impl<'a> Inputs<'a> for Known<'a> {
    fn field(&self, index: usize) -> Range<'a> {
        let (Some(f), Some(bit)) = (FIELDS.get(index), FIELD_BITS.get(index)) else {
            return Range::MISSING;
        };
        if let Some((i, v)) = self.over
            && i == index
        {
            return Range::exact(Some(v));
        }
        if self.unknown & bit != 0 {
            Range::any(f.ty, self.partial.profile.application_date)
        } else {
            Range::exact((f.get)(&self.partial.profile))
        }
    }
    fn var(&self, var: Var) -> Range<'a> {
        match var {
            Var::Age => self.age,
            Var::Tier => Range::of(range::Kind::Enum(Domain::Tier, self.tier)),
            Var::AnnualSalary => self.salary,
            Var::FirstTime => Range::bool(self.first_time.no, self.first_time.yes),
            Var::Amount => self.amount,
        }
    }
    fn conditions_met(&self, program: usize) -> Truth {
        self.met.get(program).copied().unwrap_or(Truth::NO)
    }
}

impl Known<'_> {
    /// The unknown paths `e` reads.
    fn reads(&self, e: &Expr) -> u64 {
        let all = match e {
            Expr::Field(i) => READ_BITS.get(*i).copied().unwrap_or(0),
            Expr::Var(Var::Age) => path_bit("person.birth_date"),
            Expr::Var(Var::AnnualSalary) => {
                path_bit("employment") | path_bit("employment.annual_salary")
            }
            Expr::Var(Var::FirstTime) => path_bit("prior_awards"),
            Expr::Var(Var::Tier) => self.tier_reads,
            Expr::Var(Var::Amount) | Expr::Const(_) | Expr::Text(_) => 0,
            Expr::ConditionsMet(p) => self.met_reads.get(*p).copied().unwrap_or(0),
            Expr::Not(a) | Expr::Neg(a) => self.reads(a),
            Expr::InTexts { elem, .. } => self.reads(elem),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
                self.reads(a) | self.reads(b)
            }
            Expr::InSet { elem, set, .. } => self.reads(elem) | self.reads(set),
            Expr::Min(v) | Expr::Max(v) => v.iter().fold(0, |m, x| m | self.reads(x)),
            Expr::If(c, t, f) => self.reads(c) | self.reads(t) | self.reads(f),
        };
        all & self.unknown
    }
}

/// Screens a partial profile under the policy version in force on its application date.
pub fn screen<'p>(policy: &'p Policy, partial: &Partial) -> Result<Screening<'p>, AssessError> {
    let date = partial.profile.application_date;
    let version = policy
        .version_on(date)
        .ok_or(AssessError::NoVersion(date))?;
    Ok(screen_version(version, partial, &policy.prior()))
}

fn section_state(partial: &Partial, s: Section) -> Option<bool> {
    if partial.unknown & path_bit(s.path()) != 0 {
        None
    } else {
        Some(s.is_present(&partial.profile))
    }
}

/// Screens a partial profile under one version's rules, its questions weighed with the
/// answers' prior.
pub fn screen_version<'p>(version: &'p Version, partial: &Partial, prior: &Prior) -> Screening<'p> {
    let rules = &version.rules;
    let profile = &partial.profile;
    let unknown = partial.unknown;
    let is_unknown = |p: &str| unknown & path_bit(p) != 0;
    let salary = if is_unknown("employment") || is_unknown("employment.annual_salary") {
        Range::of(range::Kind::Num(
            range::Bound::Fin(Decimal::ZERO),
            range::Bound::PosInf,
        ))
    } else {
        Range::exact(Some(crate::policy::value::Val::Num(
            profile.annual_salary(),
        )))
    };
    let age = if is_unknown("person.birth_date") {
        Range::num(Decimal::from(16), Decimal::from(100))
    } else {
        Range::exact(Some(crate::policy::value::Val::Num(Decimal::from(
            profile.age(),
        ))))
    };
    let mut k = Known {
        partial,
        unknown,
        age,
        tier: 0,
        tier_reads: 0,
        salary,
        first_time: Truth::YES,
        amount: Range::MISSING,
        met: Vec::with_capacity(rules.programs.len()),
        met_reads: Vec::with_capacity(rules.programs.len()),
        over: None,
    };

    let (tier, tier_reads) = tiers(rules, &k);
    k.tier = tier;
    k.tier_reads = if tier.count_ones() > 1 { tier_reads } else { 0 };

    // Each program on its own: statuses, conditions, the amount if eligible.
    struct Own {
        may: bool,
        must: bool,
        amount: (Decimal, Decimal),
    }
    let mut own = Vec::with_capacity(rules.programs.len());
    let mut programs: Vec<ProgramRange<'p>> = Vec::with_capacity(rules.programs.len());
    for program in &rules.programs {
        let states: Vec<(Section, Option<bool>)> = program
            .needs
            .iter()
            .map(|s| (*s, section_state(partial, *s)))
            .collect();
        let mut statuses = Statuses::default();
        if states.iter().any(|(_, st)| *st == Some(false)) {
            statuses.add(Status::NotApplicable);
            k.met.push(Truth::NO);
            k.met_reads.push(0);
            own.push(Own {
                may: false,
                must: false,
                amount: (Decimal::ZERO, Decimal::ZERO),
            });
            programs.push(ProgramRange {
                program,
                statuses,
                amount: (Decimal::ZERO, Decimal::ZERO),
                conditions: Vec::new(),
                open_sections: Vec::new(),
                review: Truth::NO,
                reads: 0,
            });
            continue;
        }
        let open_sections: Vec<Section> = states
            .iter()
            .filter(|(_, st)| st.is_none())
            .map(|(s, _)| *s)
            .collect();
        k.first_time = first_time(partial, program);
        let conditions: Vec<Truth> = program
            .conditions
            .iter()
            .map(|c| range::truth(&c.expr, &k))
            .collect();
        let all_yes = conditions.iter().all(|t| t.yes);
        let any_no = conditions.iter().any(|t| t.no);
        let na = !open_sections.is_empty();
        let mut reads = open_sections.iter().fold(0, |m, s| m | path_bit(s.path())) & unknown;
        for (c, t) in program.conditions.iter().zip(&conditions) {
            if !t.is_known() {
                reads |= k.reads(&c.expr);
            }
        }
        k.met.push(Truth {
            yes: all_yes,
            no: any_no || na,
        });
        k.met_reads.push(reads);
        let amount = if all_yes {
            let a = whole_yuan(range::eval(&program.amount.expr, &k));
            if a.0 != a.1 {
                reads |= k.reads(&program.amount.expr);
            }
            a
        } else {
            (Decimal::ZERO, Decimal::ZERO)
        };
        if all_yes {
            statuses.add(Status::Eligible);
        }
        if any_no {
            statuses.add(Status::Ineligible);
        }
        if na {
            statuses.add(Status::NotApplicable);
        }
        let must = all_yes && !any_no && !na;
        own.push(Own {
            may: all_yes,
            must,
            amount,
        });
        programs.push(ProgramRange {
            program,
            statuses,
            amount: (if must { amount.0 } else { Decimal::ZERO }, amount.1),
            conditions,
            open_sections,
            review: Truth::NO,
            reads,
        });
    }

    // No double funding: a program may lose to any program that may be eligible with an
    // amount that may beat it, and surely loses to one surely eligible that surely beats it.
    for group in &rules.exclusive_groups {
        let verdicts: Vec<(usize, bool, bool)> = group
            .programs
            .iter()
            .enumerate()
            .filter(|(_, i)| own[**i].may)
            .map(|(pos, &i)| {
                let (lo, hi) = own[i].amount;
                let mut may_lose = false;
                let mut must_lose = false;
                for (qpos, &j) in group.programs.iter().enumerate() {
                    if j == i || !own[j].may {
                        continue;
                    }
                    let (jlo, jhi) = own[j].amount;
                    let earlier = qpos < pos;
                    may_lose |= if earlier { jhi >= lo } else { jhi > lo };
                    must_lose |= own[j].must && if earlier { jlo >= hi } else { jlo > hi };
                }
                (i, may_lose, must_lose)
            })
            .collect();
        for (i, may_lose, must_lose) in verdicts {
            let p = &mut programs[i];
            if may_lose {
                p.statuses.add(Status::Excluded);
                p.amount.0 = Decimal::ZERO;
                own[i].must = false;
            }
            if must_lose {
                p.statuses.remove(Status::Eligible);
                p.amount.1 = Decimal::ZERO;
                own[i].may = false;
            }
        }
    }

    // Caps, served in order: the least a program gets uses the most the earlier ones got.
    for cap in &rules.caps {
        let (mut got_lo, mut got_hi) = (Decimal::ZERO, Decimal::ZERO);
        for &i in &cap.programs {
            if !own[i].may {
                continue;
            }
            let p = &mut programs[i];
            let lo = p.amount.0.min((cap.max - got_hi).max(Decimal::ZERO));
            let hi = p.amount.1.min((cap.max - got_lo).max(Decimal::ZERO));
            p.amount = (lo, hi);
            got_lo += lo;
            got_hi += hi;
        }
    }

    let mut total = (Decimal::ZERO, Decimal::ZERO);
    for (i, p) in programs.iter_mut().enumerate() {
        if own[i].may
            && let Some(review) = &p.program.review
        {
            k.amount = Range::num(p.amount.0, p.amount.1);
            let t = range::truth(&review.when, &k);
            p.review = Truth {
                yes: t.yes,
                no: t.no || !own[i].must,
            };
        }
        total.0 += p.amount.0;
        total.1 += p.amount.1;
    }
    // Each cap bounds the total too: what its programs may get together is at most its
    // maximum (each bound alone is sound; caps may overlap, so they are not combined).
    let highest = total.1;
    for cap in &rules.caps {
        let inside: Decimal = cap.programs.iter().map(|&i| programs[i].amount.1).sum();
        total.1 = total.1.min(highest - inside + inside.min(cap.max));
    }

    // What could still change each undecided program: its own unknowns, and those of the
    // undecided programs combined with it that can still touch it — a partner in a no-double-
    // funding group only while both may be eligible, a partner under a cap only when it is
    // served before it and the cap may bind there. The union over all programs is
    // the same either way (each partner counts its own unknowns), so the questions asked do
    // not change; what a program's card says it still needs does.
    let own_reads: Vec<u64> = programs.iter().map(|p| p.reads).collect();
    let decided: Vec<bool> = programs.iter().map(ProgramRange::is_decided).collect();
    let partners = |i: usize| {
        let mut m = 0;
        if !own[i].may {
            return m;
        }
        for g in &rules.exclusive_groups {
            if g.programs.contains(&i) {
                for &j in &g.programs {
                    if j != i && !decided[j] && own[j].may {
                        m |= own_reads[j];
                    }
                }
            }
        }
        // A cap is served in order: what a program gets depends only on those served before
        // it, and only when they and it may together pass the cap.
        for cap in &rules.caps {
            let Some(pos) = cap.programs.iter().position(|&j| j == i) else {
                continue;
            };
            let before = &cap.programs[..pos];
            let most: Decimal = before
                .iter()
                .filter(|&&j| own[j].may)
                .map(|&j| own[j].amount.1)
                .sum();
            if most + own[i].amount.1 > cap.max {
                for &j in before {
                    if !decided[j] {
                        m |= own_reads[j];
                    }
                }
            }
        }
        m
    };
    for (i, p) in programs.iter_mut().enumerate() {
        p.reads = if decided[i] {
            0
        } else {
            own_reads[i] | partners(i)
        };
    }

    let mut questions = questions(&programs, total, unknown);
    expect::weigh(&mut questions, &mut k, rules, &programs, prior, total);
    Screening {
        version,
        application_date: profile.application_date,
        tiers: tier,
        programs,
        total,
        questions,
    }
}
