//! The engine: assesses a validated profile against the compiled policy in force on its
//! application date (the policy files' tiers, programs, combining rules and installments), explaining every condition, reduction and
//! installment.
//!
//! Invariants: **the engine is pure** — the same profile and policy give the same result;
//! there is no clock (the date is an input), no I/O, and nothing of HTTP, templates or the
//! database in here. **Money is `Decimal` throughout.** Every program of the version appears
//! in the result, in the policy's order.

mod combine;
pub mod hints;
pub mod installments;
mod json_out;
pub mod report;
pub mod screen;
mod trace;

use crate::applicant::Domain;
use crate::applicant::Profile;
use crate::policy::eval::{Env, eval, truth};
use crate::policy::expr::BinOp;
use crate::policy::fields::{FIELDS, Section, Var};
use crate::policy::model::{Cap, Condition, ExclusiveGroup, Expr, Program, Tier, TierRow};
use crate::policy::value::{Shown, Val};
use crate::policy::{Policy, Version};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

pub use installments::split;
pub use report::{DISCLAIMER_EN, DISCLAIMER_ZH, ObservedText, RequirementText, ValueText};
pub use trace::Calc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Eligible,
    Ineligible,
    NotApplicable,
    Excluded,
    /// Every condition holds, but the person chose not to apply for it: amount 0, and it
    /// gives way in the combining (a program it would have beaten is granted instead).
    Declined,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Eligible,
        Status::Ineligible,
        Status::NotApplicable,
        Status::Excluded,
        Status::Declined,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::NotApplicable => "not_applicable",
            Status::Excluded => "excluded",
            Status::Declined => "declined",
        }
    }
}

/// What the applicant's profile showed for a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// The one value the condition tests (`None`: not given).
    One(Option<Shown>),
    /// The values of the condition's fields and variables, in `Condition::leaves` order.
    Several(Vec<Option<Shown>>),
}

/// What a condition requires, with thresholds computed for this profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// `value OP threshold` (`≥ 30`, `∈ [electronic_information, …]`); `None`: the threshold
    /// depends on a value that was not given.
    Compare(BinOp, Option<Shown>),
    /// The yes/no value must be this.
    Is(bool),
    /// The condition's expression as written in the policy.
    Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionOutcome {
    pub met: bool,
    pub value: Observed,
    pub requirement: Requirement,
}

/// The rule that reduced a program's amount.
#[derive(Debug, Clone, Copy)]
pub enum ReducedBy<'p> {
    /// No double funding: the winner of the group got it.
    Exclusive(&'p ExclusiveGroup, &'p Program),
    Cap(&'p Cap),
}

#[derive(Debug, Clone)]
pub struct Reduction<'p> {
    pub by: ReducedBy<'p>,
    pub from: Decimal,
    pub to: Decimal,
}

#[derive(Debug, Clone)]
pub struct ProgramOutcome<'p> {
    pub program: &'p Program,
    pub status: Status,
    /// Sections the program needs that the profile does not have.
    pub missing_sections: Vec<Section>,
    /// One per condition of the program, in order; empty when not applicable.
    pub conditions: Vec<ConditionOutcome>,
    /// The amount by the program's own rule, in whole yuan, before combination; 0 unless
    /// every condition holds.
    pub computed_amount: Decimal,
    /// The amount granted after sections 5's rules.
    pub amount: Decimal,
    pub reductions: Vec<Reduction<'p>>,
    /// One amount per installment of the program; they add up to `amount`.
    pub installments: Vec<Decimal>,
    pub review_required: bool,
    /// The arithmetic behind `computed_amount` (explained assessments of eligible programs).
    pub calc: Option<Calc>,
}

impl ProgramOutcome<'_> {
    /// The conditions that do not hold, by id.
    pub fn failed_conditions(&self) -> impl Iterator<Item = &Arc<str>> {
        self.program
            .conditions
            .iter()
            .zip(&self.conditions)
            .filter(|(_, o)| !o.met)
            .map(|(c, _)| &c.id)
    }
}

#[derive(Debug, Clone)]
pub struct Assessment<'p> {
    pub version: &'p Version,
    pub application_date: NaiveDate,
    /// The talent tier and the row that gave it; `None` when no row holds.
    pub tier: Option<(&'p Tier, &'p TierRow)>,
    pub programs: Vec<ProgramOutcome<'p>>,
    pub total: Decimal,
}

impl Assessment<'_> {
    pub fn tier_id(&self) -> &str {
        self.tier.map_or("none", |(t, _)| &t.id)
    }

    pub fn program(&self, id: &str) -> Option<&ProgramOutcome<'_>> {
        self.programs.iter().find(|p| &*p.program.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error("no policy version is in force on {0}")]
    NoVersion(NaiveDate),
}

/// The inputs expressions read while one profile is assessed.
struct Ctx<'a> {
    profile: &'a Profile,
    age: Decimal,
    tier: u8,
    salary: Decimal,
    first_time: bool,
    amount: Decimal,
    met: Vec<bool>,
}

impl<'a> Env<'a> for Ctx<'a> {
    fn field(&self, index: usize) -> Option<Val<'a>> {
        FIELDS.get(index).and_then(|f| (f.get)(self.profile))
    }
    fn var(&self, var: Var) -> Option<Val<'a>> {
        Some(match var {
            Var::Age => Val::Num(self.age),
            Var::Tier => Val::Enum(Domain::Tier, self.tier),
            Var::AnnualSalary => Val::Num(self.salary),
            Var::FirstTime => Val::Bool(self.first_time),
            Var::Amount => Val::Num(self.amount),
        })
    }
    fn conditions_met(&self, program: usize) -> bool {
        self.met.get(program).copied().unwrap_or(false)
    }
}

/// Assesses `profile` under the policy version in force on its application date.
pub fn assess<'p>(policy: &'p Policy, profile: &Profile) -> Result<Assessment<'p>, AssessError> {
    assess_as(policy, profile, Detail::Explained)
}

/// [`assess`], keeping as much of why as asked.
pub fn assess_as<'p>(
    policy: &'p Policy,
    profile: &Profile,
    detail: Detail,
) -> Result<Assessment<'p>, AssessError> {
    assess_declining(policy, profile, detail, &[])
}

/// [`assess_as`] for an application that leaves out the programs named in `declined` (ids;
/// unknown ones are ignored): each of them whose conditions all hold is `declined`, amount
/// 0, and the others are combined without it.
pub fn assess_declining<'p>(
    policy: &'p Policy,
    profile: &Profile,
    detail: Detail,
    declined: &[&str],
) -> Result<Assessment<'p>, AssessError> {
    let version = policy
        .version_on(profile.application_date)
        .ok_or(AssessError::NoVersion(profile.application_date))?;
    Ok(assess_inner(version, profile, detail, declined))
}

/// Assesses `profile` under one version's rules, whatever its application date.
pub fn assess_version<'p>(version: &'p Version, profile: &Profile) -> Assessment<'p> {
    assess_version_as(version, profile, Detail::Explained)
}

/// How much an assessment keeps of why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every condition with its value and requirement (pages, full results, hints).
    Explained,
    /// Only whether each condition holds: `conditions` stays empty; statuses, amounts,
    /// reductions and installments are the same as `Explained` gives.
    DecisionOnly,
    /// What a summary prints: the tier, statuses, amounts and the total as `Explained` gives
    /// them; no conditions, installments or review flags are built.
    Summary,
}

pub fn assess_version_as<'p>(
    version: &'p Version,
    profile: &Profile,
    detail: Detail,
) -> Assessment<'p> {
    assess_inner(version, profile, detail, &[])
}

fn assess_inner<'p>(
    version: &'p Version,
    profile: &Profile,
    detail: Detail,
    declined: &[&str],
) -> Assessment<'p> {
    let rules = &version.rules;
    let mut ctx = Ctx {
        profile,
        age: Decimal::from(profile.age()),
        tier: rules.tiers.len() as u8,
        salary: profile.annual_salary(),
        first_time: true,
        amount: Decimal::ZERO,
        met: Vec::with_capacity(rules.programs.len()),
    };

    let mut tier = None;
    'tiers: for (ti, t) in rules.tiers.iter().enumerate() {
        for row in &t.rows {
            if truth(&row.when, &ctx) == Some(true) {
                tier = Some((t, row));
                ctx.tier = ti as u8;
                break 'tiers;
            }
        }
    }

    let mut programs = Vec::with_capacity(rules.programs.len());
    for program in &rules.programs {
        let missing_sections: Vec<Section> = program
            .needs
            .iter()
            .copied()
            .filter(|s| !s.is_present(profile))
            .collect();
        if !missing_sections.is_empty() {
            ctx.met.push(false);
            programs.push(ProgramOutcome {
                program,
                status: Status::NotApplicable,
                missing_sections,
                conditions: Vec::new(),
                computed_amount: Decimal::ZERO,
                amount: Decimal::ZERO,
                reductions: Vec::new(),
                installments: if detail == Detail::Summary {
                    Vec::new()
                } else {
                    vec![Decimal::ZERO; program.installments.len()]
                },
                review_required: false,
                calc: None,
            });
            continue;
        }
        ctx.first_time = !profile.prior_awards.iter().any(|a| **a == *program.id);
        let (conditions, all_met) = match detail {
            Detail::Explained => {
                let conditions: Vec<ConditionOutcome> = program
                    .conditions
                    .iter()
                    .map(|c| condition(c, &ctx))
                    .collect();
                let all_met = conditions.iter().all(|c| c.met);
                (conditions, all_met)
            }
            Detail::DecisionOnly | Detail::Summary => (
                Vec::new(),
                program.conditions.iter().all(|c| holds(c, &ctx)),
            ),
        };
        ctx.met.push(all_met);
        let computed_amount = if all_met {
            whole_yuan(eval(&program.amount.expr, &ctx))
        } else {
            Decimal::ZERO
        };
        let status = if !all_met {
            Status::Ineligible
        } else if declined.contains(&&*program.id) {
            Status::Declined
        } else {
            Status::Eligible
        };
        programs.push(ProgramOutcome {
            program,
            status,
            missing_sections,
            conditions,
            computed_amount,
            amount: if status == Status::Eligible {
                computed_amount
            } else {
                Decimal::ZERO
            },
            reductions: Vec::new(),
            installments: Vec::new(),
            review_required: false,
            calc: (all_met && detail == Detail::Explained)
                .then(|| trace::trace(&program.amount.expr, &ctx))
                .flatten(),
        });
    }

    combine::apply(rules, &mut programs);

    let mut total = Decimal::ZERO;
    for p in &mut programs {
        total += p.amount;
        if detail == Detail::Summary {
            continue;
        }
        if p.status == Status::Eligible
            && let Some(review) = &p.program.review
        {
            ctx.amount = p.amount;
            p.review_required = truth(&review.when, &ctx) == Some(true);
        }
        if p.status != Status::NotApplicable {
            p.installments = split(p.amount, &p.program.installments);
        }
    }

    Assessment {
        version,
        application_date: profile.application_date,
        tier,
        programs,
        total,
    }
}

/// An amount rounded down to whole yuan; a missing or negative amount is 0.
fn whole_yuan(v: Option<Val<'_>>) -> Decimal {
    match v {
        Some(Val::Num(n)) if n > Decimal::ZERO => n.floor(),
        _ => Decimal::ZERO,
    }
}

fn shown(v: Option<Val<'_>>) -> Option<Shown> {
    v.map(Shown::from)
}

/// Whether [`condition`] gives this condition the same requirement for every profile (its
/// threshold reads no field or variable). Mirrors `condition`'s cases.
pub fn requirement_is_fixed(c: &Condition) -> bool {
    let reads_nothing = |e: &Expr| {
        let mut l = Vec::new();
        crate::policy::compile::leaves(e, &mut l);
        l.is_empty() && !matches!(e, Expr::ConditionsMet(_))
    };
    match &c.expr {
        Expr::Compare(_, _, r) => reads_nothing(r),
        Expr::InSet { set, .. } => reads_nothing(set),
        _ => true,
    }
}

/// Whether one condition holds, decided exactly as [`condition`] decides `met` (a property
/// test compares the two over random profiles), without keeping what explains it.
fn holds(c: &Condition, ctx: &Ctx<'_>) -> bool {
    use crate::policy::compile::compare;
    match &c.expr {
        Expr::Compare(op, l, r) => match (eval(l, ctx), eval(r, ctx)) {
            (Some(a), Some(b)) => compare(*op, a, b) == Some(true),
            _ => false,
        },
        Expr::InSet { elem, set, negated } => match (eval(elem, ctx), eval(set, ctx)) {
            (Some(Val::Enum(_, i)), Some(Val::Set(_, m))) => (m >> i & 1 == 1) != *negated,
            _ => false,
        },
        Expr::InTexts {
            elem,
            list,
            negated,
        } => match eval(elem, ctx) {
            Some(Val::Text(t)) => list.iter().any(|x| **x == *t.trim()) != *negated,
            _ => false,
        },
        Expr::Field(_) | Expr::Var(_) => eval(&c.expr, ctx) == Some(Val::Bool(true)),
        Expr::Not(inner) if matches!(**inner, Expr::Field(_) | Expr::Var(_)) => {
            eval(inner, ctx) == Some(Val::Bool(false))
        }
        other => truth(other, ctx) == Some(true),
    }
}

/// Evaluates one condition and keeps what explains it.
fn condition(c: &Condition, ctx: &Ctx<'_>) -> ConditionOutcome {
    use crate::policy::compile::compare;
    match &c.expr {
        Expr::Compare(op, l, r) => {
            let (lv, rv) = (eval(l, ctx), eval(r, ctx));
            let met = match (lv, rv) {
                (Some(a), Some(b)) => compare(*op, a, b) == Some(true),
                _ => false,
            };
            ConditionOutcome {
                met,
                value: Observed::One(shown(lv)),
                requirement: Requirement::Compare(*op, shown(rv)),
            }
        }
        Expr::InSet { elem, set, negated } => {
            let (ev, sv) = (eval(elem, ctx), eval(set, ctx));
            let met = match (ev, sv) {
                (Some(Val::Enum(_, i)), Some(Val::Set(_, m))) => (m >> i & 1 == 1) != *negated,
                _ => false,
            };
            let op = if *negated { BinOp::NotIn } else { BinOp::In };
            ConditionOutcome {
                met,
                value: Observed::One(shown(ev)),
                requirement: Requirement::Compare(op, shown(sv)),
            }
        }
        Expr::InTexts {
            elem,
            list,
            negated,
        } => {
            let ev = eval(elem, ctx);
            let met = match ev {
                Some(Val::Text(t)) => list.iter().any(|x| **x == *t.trim()) != *negated,
                _ => false,
            };
            let op = if *negated { BinOp::NotIn } else { BinOp::In };
            ConditionOutcome {
                met,
                value: Observed::One(shown(ev)),
                requirement: Requirement::Compare(op, Some(Shown::TextList(list.clone()))),
            }
        }
        Expr::Field(_) | Expr::Var(_) => {
            let v = eval(&c.expr, ctx);
            ConditionOutcome {
                met: v == Some(Val::Bool(true)),
                value: Observed::One(shown(v)),
                requirement: Requirement::Is(true),
            }
        }
        Expr::Not(inner) if matches!(**inner, Expr::Field(_) | Expr::Var(_)) => {
            let v = eval(inner, ctx);
            ConditionOutcome {
                met: v == Some(Val::Bool(false)),
                value: Observed::One(shown(v)),
                requirement: Requirement::Is(false),
            }
        }
        other => {
            let result = truth(other, ctx);
            let value = if c.leaves.is_empty() {
                Observed::One(result.map(Shown::Bool))
            } else {
                Observed::Several(c.leaves.iter().map(|(_, e)| shown(eval(e, ctx))).collect())
            };
            ConditionOutcome {
                met: result == Some(true),
                value,
                requirement: Requirement::Rule,
            }
        }
    }
}
