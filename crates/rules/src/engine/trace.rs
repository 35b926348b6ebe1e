//! The arithmetic behind an amount, from the evaluation itself: the branch taken at each `if`,
//! the factors of a product, whether a `min` with a fixed number capped the value. Pages turn
//! it into "¥2,500,000 × 1.2 = ¥3,000,000，不超过上限 ¥5,000,000"; nothing here is written per
//! program, so a policy edit changes the explanation too.

use super::Ctx;
use crate::policy::eval::{eval, truth};
use crate::policy::expr::BinOp;
use crate::policy::fields::{Var, unit_at};
use crate::policy::model::Expr;
use crate::policy::value::Val;
use crate::units::Unit;
use rust_decimal::Decimal;

/// One step of an amount's arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub enum Calc {
    /// A number and what it measures (`None`: a plain number, a factor).
    Value(Decimal, Option<Unit>),
    /// The factors (none of them 1) and the product.
    Product(Vec<Calc>, Decimal),
    /// `min(computed, cap)` with a fixed cap; `capped` when the cap is what counts.
    Capped {
        computed: Box<Calc>,
        cap: Decimal,
        unit: Option<Unit>,
        capped: bool,
    },
}

impl Calc {
    pub fn value(&self) -> Decimal {
        match self {
            Calc::Value(v, _) | Calc::Product(_, v) => *v,
            Calc::Capped {
                computed,
                cap,
                capped,
                ..
            } => {
                if *capped {
                    *cap
                } else {
                    computed.value()
                }
            }
        }
    }

    pub fn unit(&self) -> Option<Unit> {
        match self {
            Calc::Value(_, u) | Calc::Capped { unit: u, .. } => *u,
            Calc::Product(..) => Some(Unit::Yuan),
        }
    }

    /// Whether there is arithmetic to show (not just one number).
    pub fn is_arithmetic(&self) -> bool {
        !matches!(self, Calc::Value(..))
    }
}

/// A bare number in an amount's rule: a sum of money when it is large, else a plain number
/// (a factor such as 1.2, a count).
fn constant_unit(v: Decimal) -> Option<Unit> {
    (v >= Decimal::from(1000)).then_some(Unit::Yuan)
}

/// The arithmetic of `e` for the profile in `ctx`; `None` where a value is missing.
pub(super) fn trace(e: &Expr, ctx: &Ctx<'_>) -> Option<Calc> {
    let number = |e: &Expr| match eval(e, ctx) {
        Some(Val::Num(n)) => Some(n),
        _ => None,
    };
    Some(match e {
        Expr::Const(Val::Num(n)) => Calc::Value(*n, constant_unit(*n)),
        Expr::Field(i) => Calc::Value(number(e)?, unit_at(*i)),
        Expr::Var(Var::AnnualSalary) | Expr::Var(Var::Amount) => {
            Calc::Value(number(e)?, Some(Unit::Yuan))
        }
        Expr::If(c, t, f) => {
            if truth(c, ctx)? {
                trace(t, ctx)?
            } else {
                trace(f, ctx)?
            }
        }
        Expr::Arith(BinOp::Mul, a, b) => {
            let mut factors = Vec::new();
            for side in [trace(a, ctx)?, trace(b, ctx)?] {
                match side {
                    Calc::Product(fs, _) => factors.extend(fs),
                    Calc::Value(v, _) if v == Decimal::ONE => {}
                    other => factors.push(other),
                }
            }
            let value = number(e)?;
            match factors.len() {
                0 => Calc::Value(value, Some(Unit::Yuan)),
                1 => factors.remove(0),
                _ => Calc::Product(factors, value),
            }
        }
        Expr::Min(items) if items.len() == 2 => {
            let fixed = items.iter().position(|x| matches!(x, Expr::Const(_)));
            match fixed {
                Some(k) => {
                    let cap = number(&items[k])?;
                    let computed = trace(&items[1 - k], ctx)?;
                    let unit = computed.unit().or_else(|| constant_unit(cap));
                    Calc::Capped {
                        capped: cap < computed.value(),
                        computed: Box::new(computed),
                        cap,
                        unit,
                    }
                }
                None => Calc::Value(number(e)?, Some(Unit::Yuan)),
            }
        }
        _ => Calc::Value(number(e)?, constant_unit(number(e)?)),
    })
}
