//! Weighing the questions by the money an answer is expected to settle (brief §8, "what to
//! ask next"; SCREENING-NOTES "ask less"): for each answer the prior knows, how likely it is
//! and how much of the programs a question decides it would settle — a program it rules out
//! settles all its width, one it makes certain settles what its amount no longer spans.
//! A rare answer worth much (a Nobel-level honour) so weighs little, and its question comes
//! later; a common answer that rules out much comes first.
//!
//! The weighing orders questions only: what is asked, the ranges and the statuses are the
//! screening's, whatever the prior says.

use super::*;
use crate::applicant::age_on;
use crate::policy::prior::{Answer, date_before};

/// Sets each question's `expected` money and orders the questions by it (largest first, the
/// structural order among equals).
pub(super) fn weigh(
    questions: &mut [Question],
    k: &mut Known<'_>,
    rules: &crate::policy::Rules,
    programs: &[ProgramRange<'_>],
    prior: &Prior,
    total: (Decimal, Decimal),
) {
    if questions.len() < 2 {
        return;
    }
    let width = total.1 - total.0;
    for q in questions.iter_mut() {
        q.expected = expected(q, k, rules, programs, prior)
            .min(q.at_stake)
            .min(width);
    }
    questions.sort_by_key(|q| std::cmp::Reverse(q.expected));
}

/// The hypothetical answers of a path and their weights: the prior's buckets, else each
/// value of a yes/no, a list or a section evenly; `None` for a number or a date without a
/// prior.
fn answers(path: &str, prior: &Prior) -> Option<Vec<(Answer, u64)>> {
    if let Some(b) = prior.of(path) {
        return Some(b.iter().map(|b| (b.answer.clone(), b.weight())).collect());
    }
    if Section::ALL.iter().any(|s| s.path() == path) {
        return Some(vec![
            (Answer::Section(true), 1),
            (Answer::Section(false), 1),
        ]);
    }
    if path == "prior_awards" {
        return Some(vec![(Answer::Received(None), 1)]);
    }
    let f = FIELDS.iter().find(|f| f.path == path)?;
    let value = |v| (Answer::Value(v), 1);
    match f.ty {
        crate::policy::value::Ty::Bool => {
            Some(vec![value(Val::Bool(true)), value(Val::Bool(false))])
        }
        crate::policy::value::Ty::Enum(d) => Some(
            (0..d.values().len())
                .map(|i| value(Val::Enum(d, i as u8)))
                .collect(),
        ),
        crate::policy::value::Ty::Set(d) => Some(
            std::iter::once(value(Val::Set(d, 0)))
                .chain((0..d.values().len()).map(|i| value(Val::Set(d, 1 << i))))
                .collect(),
        ),
        _ => None,
    }
}

fn expected(
    q: &Question,
    k: &mut Known<'_>,
    rules: &crate::policy::Rules,
    programs: &[ProgramRange<'_>],
    prior: &Prior,
) -> Decimal {
    let Some(answers) = answers(q.path, prior) else {
        // A number or date with no prior: half of what it could move.
        return q.at_stake / Decimal::TWO;
    };
    let all: u64 = answers.iter().map(|(_, n)| n).sum();
    if all == 0 {
        return q.at_stake / Decimal::TWO;
    }
    let mut settled = Decimal::ZERO;
    for (answer, n) in &answers {
        if *n == 0 {
            continue;
        }
        let s = settled_by(q, answer, k, rules, programs);
        settled += s * Decimal::from(*n);
    }
    settled / Decimal::from(all)
}

/// The width of the programs `q` decides that `answer` would settle.
fn settled_by(
    q: &Question,
    answer: &Answer,
    k: &mut Known<'_>,
    rules: &crate::policy::Rules,
    programs: &[ProgramRange<'_>],
) -> Decimal {
    let width = |p: &ProgramRange<'_>| p.amount.1 - p.amount.0;
    match answer {
        Answer::Section(applies) => {
            if *applies {
                return Decimal::ZERO;
            }
            // Every program it decides needs the section (or lies inside it): none applies.
            q.decides.iter().map(|&j| width(&programs[j])).sum()
        }
        Answer::Received(received) => q
            .decides
            .iter()
            .map(|&j| {
                let p = &programs[j];
                let first = match received {
                    Some(id) if **id == *p.program.id => Truth::NO,
                    _ => Truth::YES,
                };
                k.first_time = first;
                width(p) - width_after(p, k).min(width(p))
            })
            .sum(),
        Answer::Value(_) | Answer::MonthsBefore(_) => {
            let Some(index) = FIELDS.iter().position(|f| f.path == q.path) else {
                return Decimal::ZERO;
            };
            let value = match answer {
                Answer::Value(v) => *v,
                Answer::MonthsBefore(m) => {
                    Val::Date(date_before(k.partial.profile.application_date, *m))
                }
                _ => return Decimal::ZERO,
            };
            let saved = (k.age, k.salary, k.tier);
            k.over = Some((index, value));
            match (q.path, value) {
                ("person.birth_date", Val::Date(d)) => {
                    let age = age_on(d, k.partial.profile.application_date);
                    k.age = Range::exact(Some(Val::Num(Decimal::from(age))));
                }
                ("employment.annual_salary", Val::Num(n)) => {
                    k.salary = Range::exact(Some(Val::Num(n)));
                }
                _ => {}
            }
            // The tier moves only when an undecided tier row reads this answer.
            if k.tier.count_ones() > 1 && k.tier_reads & path_bit(q.path) != 0 {
                k.tier = tiers(rules, k).0;
            }
            let out = q
                .decides
                .iter()
                .map(|&j| {
                    let p = &programs[j];
                    k.first_time = first_time(k.partial, p.program);
                    width(p) - width_after(p, k).min(width(p))
                })
                .sum();
            k.over = None;
            (k.age, k.salary, k.tier) = saved;
            out
        }
    }
}

/// A program's width once the hypothetical answer is read: 0 when a condition then surely
/// fails, its amount's width when every condition surely holds and no section is open, else
/// unchanged.
fn width_after(p: &ProgramRange<'_>, k: &Known<'_>) -> Decimal {
    if p.conditions.len() != p.program.conditions.len() {
        // Surely not applicable: nothing to settle.
        return p.amount.1 - p.amount.0;
    }
    let mut certain = p.open_sections.is_empty();
    for (c, before) in p.program.conditions.iter().zip(&p.conditions) {
        // More answers never unsettle a condition: one known already stays as it was.
        let t = if before.is_known() {
            *before
        } else {
            range::truth(&c.expr, k)
        };
        if !t.yes {
            return Decimal::ZERO;
        }
        certain &= !t.no;
    }
    if certain {
        let a = whole_yuan(range::eval(&p.program.amount.expr, k));
        a.1 - a.0
    } else {
        p.amount.1 - p.amount.0
    }
}
