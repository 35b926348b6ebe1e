//! Evaluating a compiled expression when some inputs are not known yet (a screening, brief
//! §8): every value becomes the set of values it could still take — an interval for numbers,
//! dates and months, a bit mask for enumerations, the possible truth values for yes/no — and
//! every operation maps sets to a set that holds every result the exact evaluation
//! ([`super::eval`]) could give for some answer to the unknowns.
//!
//! Invariants:
//! - **Soundness**: for any answers to the unknowns, [`super::eval::eval`] of the answered
//!   profile gives a value inside what [`eval`] gives here (a missing value included: `missing`
//!   says the exact evaluation may give `None`).
//! - **Exactness on known inputs**: when every input an expression reads is known, the set is
//!   a single value, the one exact evaluation gives.

use super::compile::compare;
use super::expr::BinOp;
use super::fields::Var;
use super::model::Expr;
use super::value::{Ty, Val, add_months};
use crate::applicant::Domain;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;

mod ops;
use ops::{arith, compare_ranges, junction, map_bool, pick};

/// An end of a number interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bound {
    NegInf,
    Fin(Decimal),
    PosInf,
}

impl Bound {
    pub fn finite(self) -> Option<Decimal> {
        match self {
            Bound::Fin(d) => Some(d),
            _ => None,
        }
    }

    fn neg(self) -> Bound {
        match self {
            Bound::NegInf => Bound::PosInf,
            Bound::PosInf => Bound::NegInf,
            Bound::Fin(d) => Bound::Fin(-d),
        }
    }

    /// `self + other`; an overflow goes to the infinity on its side (so the interval only
    /// widens). `−∞ + +∞` does not arise: lower ends add to lower ends.
    fn add(self, other: Bound) -> Bound {
        match (self, other) {
            (Bound::Fin(a), Bound::Fin(b)) => a.checked_add(b).map_or_else(
                || {
                    if a.is_sign_negative() {
                        Bound::NegInf
                    } else {
                        Bound::PosInf
                    }
                },
                Bound::Fin,
            ),
            (Bound::NegInf, _) | (_, Bound::NegInf) => Bound::NegInf,
            _ => Bound::PosInf,
        }
    }

    fn sign(self) -> Ordering {
        match self {
            Bound::NegInf => Ordering::Less,
            Bound::PosInf => Ordering::Greater,
            Bound::Fin(d) => d.cmp(&Decimal::ZERO),
        }
    }

    /// `self × other`, where `0 × ∞` is 0 (the end of an interval, not a value).
    fn mul(self, other: Bound) -> Bound {
        match (self, other) {
            (Bound::Fin(a), Bound::Fin(b)) => a.checked_mul(b).map_or_else(
                || {
                    if a.is_sign_negative() != b.is_sign_negative() {
                        Bound::NegInf
                    } else {
                        Bound::PosInf
                    }
                },
                Bound::Fin,
            ),
            (a, b) => match a.sign() as i8 * b.sign() as i8 {
                0 => Bound::Fin(Decimal::ZERO),
                s if s > 0 => Bound::PosInf,
                _ => Bound::NegInf,
            },
        }
    }
}

/// The possible values of one expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind<'a> {
    /// No value at all: the exact evaluation gives `None` (then `missing` is true).
    Nothing,
    /// The truth values still possible.
    Bool {
        no: bool,
        yes: bool,
    },
    Num(Bound, Bound),
    Date(NaiveDate, NaiveDate),
    Months(i64, i64),
    /// A known text, or `None`: any text.
    Text(Option<&'a str>),
    /// The values still possible, as a bit mask over the domain's values.
    Enum(Domain, u64),
    /// A set known to hold `must` and to hold nothing outside `may`.
    Set {
        domain: Domain,
        must: u64,
        may: u64,
    },
}

/// A set of possible values; `missing`: the exact evaluation may also give no value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range<'a> {
    pub kind: Kind<'a>,
    pub missing: bool,
}

/// Possible truth values of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truth {
    /// It may hold.
    pub yes: bool,
    /// It may not hold (false, or a missing value).
    pub no: bool,
}

impl Truth {
    pub const YES: Truth = Truth {
        yes: true,
        no: false,
    };
    pub const NO: Truth = Truth {
        yes: false,
        no: true,
    };
    pub const UNKNOWN: Truth = Truth {
        yes: true,
        no: true,
    };

    pub fn is_known(self) -> bool {
        self.yes != self.no
    }
}

impl<'a> Range<'a> {
    pub const MISSING: Range<'static> = Range {
        kind: Kind::Nothing,
        missing: true,
    };

    pub fn of(kind: Kind<'a>) -> Range<'a> {
        Range {
            kind,
            missing: false,
        }
    }

    pub fn bool(no: bool, yes: bool) -> Range<'a> {
        Range::of(Kind::Bool { no, yes })
    }

    pub fn num(lo: Decimal, hi: Decimal) -> Range<'a> {
        Range::of(Kind::Num(Bound::Fin(lo), Bound::Fin(hi)))
    }

    /// One known value (or a known absence).
    pub fn exact(v: Option<Val<'a>>) -> Range<'a> {
        let Some(v) = v else { return Range::MISSING };
        Range::of(match v {
            Val::Bool(b) => Kind::Bool { no: !b, yes: b },
            Val::Num(n) => Kind::Num(Bound::Fin(n), Bound::Fin(n)),
            Val::Date(d) => Kind::Date(d, d),
            Val::Months(m) => Kind::Months(m, m),
            Val::Text(t) => Kind::Text(Some(t)),
            Val::Enum(d, i) => Kind::Enum(d, 1u64.checked_shl(u32::from(i)).unwrap_or(0)),
            Val::Set(d, m) => Kind::Set {
                domain: d,
                must: m,
                may: m,
            },
        })
    }

    /// Any value of a type (an unknown field); dates up to `latest`.
    pub fn any(ty: Ty, latest: NaiveDate) -> Range<'static> {
        Range::of(match ty {
            Ty::Bool => Kind::Bool {
                no: true,
                yes: true,
            },
            Ty::Num => Kind::Num(Bound::Fin(Decimal::ZERO), Bound::PosInf),
            Ty::Date => Kind::Date(NaiveDate::MIN, latest),
            Ty::Months => Kind::Months(i64::MIN, i64::MAX),
            Ty::Text | Ty::TextSet => Kind::Text(None),
            Ty::Enum(d) => Kind::Enum(d, all_values(d)),
            Ty::Set(d) => Kind::Set {
                domain: d,
                must: 0,
                may: all_values(d),
            },
        })
    }

    /// The possible truth values of a yes/no range: "no" includes a missing value.
    pub fn truth(self) -> Truth {
        match self.kind {
            Kind::Bool { no, yes } => Truth {
                yes,
                no: no || self.missing,
            },
            _ => Truth::NO,
        }
    }

    /// The number interval, if this is a number that cannot be missing.
    pub fn interval(self) -> Option<(Bound, Bound)> {
        match self.kind {
            Kind::Num(lo, hi) if !self.missing => Some((lo, hi)),
            _ => None,
        }
    }

    /// The single value this range holds, if it holds exactly one (and cannot be missing).
    pub fn single(self) -> Option<Val<'a>> {
        if self.missing {
            return None;
        }
        Some(match self.kind {
            Kind::Bool { no, yes } if no != yes => Val::Bool(yes),
            Kind::Num(Bound::Fin(a), Bound::Fin(b)) if a == b => Val::Num(a),
            Kind::Date(a, b) if a == b => Val::Date(a),
            Kind::Months(a, b) if a == b => Val::Months(a),
            Kind::Text(Some(t)) => Val::Text(t),
            Kind::Enum(d, m) if m.count_ones() == 1 => Val::Enum(d, m.trailing_zeros() as u8),
            Kind::Set { domain, must, may } if must == may => Val::Set(domain, must),
            _ => return None,
        })
    }

    /// Every value either range allows.
    pub fn hull(self, other: Range<'a>) -> Range<'a> {
        let missing = self.missing || other.missing;
        let kind = match (self.kind, other.kind) {
            (Kind::Nothing, k) | (k, Kind::Nothing) => k,
            (Kind::Bool { no: a, yes: b }, Kind::Bool { no: c, yes: d }) => Kind::Bool {
                no: a || c,
                yes: b || d,
            },
            (Kind::Num(a, b), Kind::Num(c, d)) => Kind::Num(a.min(c), b.max(d)),
            (Kind::Date(a, b), Kind::Date(c, d)) => Kind::Date(a.min(c), b.max(d)),
            (Kind::Months(a, b), Kind::Months(c, d)) => Kind::Months(a.min(c), b.max(d)),
            (Kind::Text(a), Kind::Text(b)) => Kind::Text(if a == b { a } else { None }),
            (Kind::Enum(d, a), Kind::Enum(_, b)) => Kind::Enum(d, a | b),
            (
                Kind::Set {
                    domain,
                    must: a,
                    may: b,
                },
                Kind::Set {
                    must: c, may: d, ..
                },
            ) => Kind::Set {
                domain,
                must: a & c,
                may: b | d,
            },
            // Types are checked at load, so two branches have one type.
            (k, _) => k,
        };
        Range { kind, missing }
    }
}

fn all_values(d: Domain) -> u64 {
    let n = if d == Domain::Tier {
        // Tier ranges come from the engine, never from here; a full mask is safe.
        64
    } else {
        d.values().len()
    };
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Where a screening's inputs come from.
pub trait Inputs<'a> {
    fn field(&self, index: usize) -> Range<'a>;
    fn var(&self, var: Var) -> Range<'a>;
    fn conditions_met(&self, program: usize) -> Truth;
}

/// The possible values of `e`.
pub fn eval<'a>(e: &'a Expr, env: &impl Inputs<'a>) -> Range<'a> {
    match e {
        Expr::Const(v) => Range::exact(Some(*v)),
        Expr::Text(t) => Range::of(Kind::Text(Some(t))),
        Expr::Field(i) => env.field(*i),
        Expr::Var(v) => env.var(*v),
        Expr::ConditionsMet(p) => {
            let t = env.conditions_met(*p);
            Range::bool(t.no, t.yes)
        }
        Expr::Not(a) => {
            let a = eval(a, env);
            map_bool(a, |no, yes| (yes, no))
        }
        Expr::And(a, b) => junction(eval(a, env), eval(b, env), false),
        Expr::Or(a, b) => junction(eval(a, env), eval(b, env), true),
        Expr::Compare(op, a, b) => compare_ranges(*op, eval(a, env), eval(b, env)),
        Expr::InSet { elem, set, negated } => {
            let (x, s) = (eval(elem, env), eval(set, env));
            let missing = x.missing || s.missing;
            match (x.kind, s.kind) {
                (Kind::Enum(_, m), Kind::Set { must, may, .. }) => {
                    let (inside, outside) = (m & may != 0, m & !must != 0);
                    let (yes, no) = if *negated {
                        (outside, inside)
                    } else {
                        (inside, outside)
                    };
                    Range {
                        kind: Kind::Bool { no, yes },
                        missing,
                    }
                }
                _ => Range::MISSING,
            }
        }
        Expr::InTexts {
            elem,
            list,
            negated,
        } => {
            let x = eval(elem, env);
            match x.kind {
                Kind::Text(Some(t)) => {
                    let found = list.iter().any(|l| **l == *t.trim()) != *negated;
                    Range {
                        kind: Kind::Bool {
                            no: !found,
                            yes: found,
                        },
                        missing: x.missing,
                    }
                }
                Kind::Text(None) => Range {
                    kind: Kind::Bool {
                        no: true,
                        yes: true,
                    },
                    missing: x.missing,
                },
                _ => Range::MISSING,
            }
        }
        Expr::Arith(op, a, b) => arith(*op, eval(a, env), eval(b, env)),
        Expr::Neg(a) => {
            let a = eval(a, env);
            match a.kind {
                Kind::Num(lo, hi) => Range {
                    kind: Kind::Num(hi.neg(), lo.neg()),
                    missing: a.missing,
                },
                _ => Range::MISSING,
            }
        }
        Expr::Min(items) => pick(items, env, Ordering::Less),
        Expr::Max(items) => pick(items, env, Ordering::Greater),
        Expr::If(c, t, f) => {
            let c = eval(c, env);
            let (no, yes, missing) = match c.kind {
                Kind::Bool { no, yes } => (no, yes, c.missing),
                _ => (false, false, true),
            };
            let mut out = Range {
                kind: Kind::Nothing,
                missing,
            };
            if yes {
                out = out.hull(eval(t, env));
            }
            if no {
                out = out.hull(eval(f, env));
            }
            out
        }
    }
}

/// The possible truth values of a condition (a missing value counts as "does not hold").
pub fn truth<'a>(e: &'a Expr, env: &impl Inputs<'a>) -> Truth {
    eval(e, env).truth()
}

/// An amount rounded down to whole yuan, as the engine rounds a program's amount: a missing
/// or negative amount is 0.
pub fn whole_yuan(r: Range<'_>) -> (Decimal, Decimal) {
    let clamp = |b: Bound| match b {
        Bound::NegInf => Decimal::ZERO,
        Bound::Fin(d) => d.floor().max(Decimal::ZERO),
        // No amount rule reads an unbounded value without a cap; if one did, the range
        // would say "no upper end" as the largest decimal.
        Bound::PosInf => Decimal::MAX,
    };
    match r.kind {
        Kind::Num(lo, hi) => {
            let lo = if r.missing { Decimal::ZERO } else { clamp(lo) };
            (lo, clamp(hi))
        }
        _ => (Decimal::ZERO, Decimal::ZERO),
    }
}

#[cfg(test)]
mod tests;
