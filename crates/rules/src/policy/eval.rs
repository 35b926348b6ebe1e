//! Evaluation of compiled expressions. A missing value (a field the applicant did not give)
//! makes any comparison on it fail: `None` propagates, and a condition that evaluates to
//! `None` does not hold.

use super::compile::compare;
use super::fields::Var;
use super::model::Expr;
use super::value::{Val, arith, order};
use std::cmp::Ordering;

/// Where an expression's inputs come from: a real profile (the engine) or a sample
/// assignment (the tier analysis).
pub trait Env<'a> {
    fn field(&self, index: usize) -> Option<Val<'a>>;
    fn var(&self, var: Var) -> Option<Val<'a>>;
    fn conditions_met(&self, program: usize) -> bool;
}

pub fn eval<'a>(e: &'a Expr, env: &impl Env<'a>) -> Option<Val<'a>> {
    Some(match e {
        Expr::Const(v) => *v,
        Expr::Text(t) => Val::Text(t),
        Expr::Field(i) => return env.field(*i),
        Expr::Var(v) => return env.var(*v),
        Expr::ConditionsMet(p) => Val::Bool(env.conditions_met(*p)),
        Expr::Not(a) => Val::Bool(!truth(a, env)?),
        // `and`/`or` decide on what is known: `false and missing` is false.
        Expr::And(a, b) => match truth(a, env) {
            Some(false) => Val::Bool(false),
            x => match (x, truth(b, env)) {
                (_, Some(false)) => Val::Bool(false),
                (Some(true), Some(true)) => Val::Bool(true),
                _ => return None,
            },
        },
        Expr::Or(a, b) => match truth(a, env) {
            Some(true) => Val::Bool(true),
            x => match (x, truth(b, env)) {
                (_, Some(true)) => Val::Bool(true),
                (Some(false), Some(false)) => Val::Bool(false),
                _ => return None,
            },
        },
        Expr::Compare(op, a, b) => Val::Bool(compare(*op, eval(a, env)?, eval(b, env)?)?),
        Expr::InSet { elem, set, negated } => match (eval(elem, env)?, eval(set, env)?) {
            (Val::Enum(_, i), Val::Set(_, mask)) => Val::Bool((mask >> i & 1 == 1) != *negated),
            _ => return None,
        },
        Expr::InTexts {
            elem,
            list,
            negated,
        } => match eval(elem, env)? {
            Val::Text(t) => Val::Bool(list.iter().any(|x| **x == *t.trim()) != *negated),
            _ => return None,
        },
        Expr::Arith(op, a, b) => arith(*op, eval(a, env)?, eval(b, env)?)?,
        Expr::Neg(a) => match eval(a, env)? {
            Val::Num(n) => Val::Num(-n),
            _ => return None,
        },
        Expr::Min(items) => pick(items, env, Ordering::Less)?,
        Expr::Max(items) => pick(items, env, Ordering::Greater)?,
        Expr::If(c, t, f) => {
            if truth(c, env)? {
                return eval(t, env);
            }
            return eval(f, env);
        }
    })
}

/// A yes/no expression's value; `None` when it depends on a missing value.
pub fn truth<'a>(e: &'a Expr, env: &impl Env<'a>) -> Option<bool> {
    match eval(e, env)? {
        Val::Bool(b) => Some(b),
        _ => None,
    }
}

fn pick<'a>(items: &'a [Expr], env: &impl Env<'a>, keep: Ordering) -> Option<Val<'a>> {
    let mut best: Option<Val<'a>> = None;
    for item in items {
        let v = eval(item, env)?;
        best = match best {
            Some(b) if order(v, b)? != keep => Some(b),
            _ => Some(v),
        };
    }
    best
}
