//! Static analysis of a compiled version: talent-tier rows that can never match because an
//! earlier row always matches first. The tier rows read few fields, each with few relevant
//! values (enumerations, sets of honors, and numbers around the thresholds the rows compare
//! them with), so the analysis tries every combination of those values: exact for rows made
//! of comparisons with constants, and skipped when the space would be too large.

use super::compile::leaves;
use super::eval::{Env, truth};
use super::fields::{ALWAYS_PRESENT, FIELDS, Var};
use super::model::{Expr, Rules};
use super::value::{Ty, Val};
use crate::applicant::Domain;
use rust_decimal::Decimal;
use std::sync::Arc;

/// Most combinations the analysis tries before giving up (silently: it only warns).
const MAX_COMBINATIONS: usize = 500_000;

pub struct Unreachable {
    pub row: Arc<str>,
    pub reason: String,
}

/// One combination of values for the rows' leaves. Where each field and variable stands
/// among the leaves is looked up once, not on every evaluation (the analysis evaluates up to
/// half a million combinations, at every policy load).
struct Sample {
    field_at: Vec<Option<usize>>,
    var_at: Vec<(Var, usize)>,
    values: Vec<Option<Val<'static>>>,
}

impl Sample {
    fn new(leaves: &[(String, Expr)], values: Vec<Option<Val<'static>>>) -> Sample {
        let mut field_at = vec![None; FIELDS.len()];
        let mut var_at = Vec::new();
        for (at, (_, e)) in leaves.iter().enumerate() {
            match e {
                Expr::Field(i) if field_at[*i].is_none() => field_at[*i] = Some(at),
                Expr::Var(v) if !var_at.iter().any(|(w, _)| w == v) => var_at.push((*v, at)),
                _ => {}
            }
        }
        Sample {
            field_at,
            var_at,
            values,
        }
    }
}

impl<'a> Env<'a> for Sample {
    fn field(&self, index: usize) -> Option<Val<'a>> {
        self.values[(*self.field_at.get(index)?)?]
    }
    fn var(&self, var: Var) -> Option<Val<'a>> {
        let (_, at) = self.var_at.iter().find(|(v, _)| *v == var)?;
        self.values[*at]
    }
    fn conditions_met(&self, _: usize) -> bool {
        false
    }
}

/// Constants an expression compares `leaf` with.
fn thresholds(e: &Expr, leaf: &Expr, out: &mut Vec<Decimal>) {
    match e {
        Expr::Compare(_, a, b) => {
            for (x, y) in [(a, b), (b, a)] {
                if **x == *leaf
                    && let Expr::Const(Val::Num(n)) = **y
                {
                    out.push(n);
                }
            }
        }
        Expr::Not(a) => thresholds(a, leaf, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            thresholds(a, leaf, out);
            thresholds(b, leaf, out);
        }
        Expr::If(c, t, f) => {
            thresholds(c, leaf, out);
            thresholds(t, leaf, out);
            thresholds(f, leaf, out);
        }
        _ => {}
    }
}

fn candidates(leaf: &Expr, rows: &[&Expr]) -> Option<Vec<Option<Val<'static>>>> {
    let (ty, always) = match leaf {
        Expr::Field(i) => (FIELDS[*i].ty, ALWAYS_PRESENT.contains(&FIELDS[*i].path)),
        Expr::Var(v) => (v.ty(), true),
        _ => return None,
    };
    let mut out: Vec<Option<Val<'static>>> = if always { Vec::new() } else { vec![None] };
    match ty {
        Ty::Bool => out.extend([Some(Val::Bool(false)), Some(Val::Bool(true))]),
        Ty::Enum(d) if d != Domain::Tier => {
            out.extend((0..d.values().len() as u8).map(|i| Some(Val::Enum(d, i))))
        }
        Ty::Set(d) if d.values().len() <= 8 => {
            out.extend((0..1u64 << d.values().len()).map(|m| Some(Val::Set(d, m))))
        }
        Ty::Num => {
            let mut ts = vec![Decimal::ZERO];
            for r in rows {
                thresholds(r, leaf, &mut ts);
            }
            let cent = Decimal::new(1, 2);
            for t in ts {
                for v in [t - cent, t, t + cent] {
                    if !out.contains(&Some(Val::Num(v))) {
                        out.push(Some(Val::Num(v)));
                    }
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// Rows (in tier order) that hold for no combination at all, or only where an earlier row
/// also holds.
pub fn unreachable_tier_rows(rules: &Rules) -> Vec<Unreachable> {
    let rows: Vec<(&Arc<str>, &Expr)> = rules
        .tiers
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (&r.id, &r.when)))
        .collect();
    let exprs: Vec<&Expr> = rows.iter().map(|(_, e)| *e).collect();
    let mut lv = Vec::new();
    for e in &exprs {
        leaves(e, &mut lv);
    }
    let Some(cands) = lv
        .iter()
        .map(|(_, e)| candidates(e, &exprs))
        .collect::<Option<Vec<_>>>()
    else {
        return Vec::new();
    };
    let total = cands
        .iter()
        .try_fold(1usize, |acc, c| acc.checked_mul(c.len()));
    if total.is_none_or(|t| t > MAX_COMBINATIONS) {
        return Vec::new();
    }
    // For each row: does it ever hold, and does it ever hold first?
    let mut holds = vec![false; rows.len()];
    let mut first = vec![false; rows.len()];
    let mut idx = vec![0usize; cands.len()];
    let mut sample = Sample::new(&lv, cands.iter().map(|c| c[0]).collect());
    let mut not_yet_first = rows.len();
    loop {
        let mut earlier = false;
        for (r, e) in exprs.iter().enumerate() {
            // Past the first row that holds, a row can only show that it ever holds: one
            // known to need not be evaluated again.
            if earlier && holds[r] {
                continue;
            }
            if truth(e, &sample) == Some(true) {
                holds[r] = true;
                if !earlier && !first[r] {
                    first[r] = true;
                    not_yet_first -= 1;
                }
                earlier = true;
            }
        }
        // Every row has been seen matching first: none is unreachable.
        if not_yet_first == 0 {
            return Vec::new();
        }
        // Next combination, odometer style.
        let mut k = 0;
        loop {
            if k == idx.len() {
                return report(&rows, &holds, &first);
            }
            idx[k] += 1;
            if idx[k] < cands[k].len() {
                sample.values[k] = cands[k][idx[k]];
                break;
            }
            idx[k] = 0;
            sample.values[k] = cands[k][0];
            k += 1;
        }
    }
}

fn report(rows: &[(&Arc<str>, &Expr)], holds: &[bool], first: &[bool]) -> Vec<Unreachable> {
    rows.iter()
        .enumerate()
        .filter(|(i, _)| !first[*i])
        .map(|(i, (id, _))| Unreachable {
            row: (*id).clone(),
            reason: if holds[i] {
                "every profile it matches is matched by an earlier row first".into()
            } else {
                "its condition never holds".into()
            },
        })
        .collect()
}
