//! "What would change it": for a program the applicant misses by exactly one condition that
//! the policy marks actionable, the smallest change to that one input that makes the program
//! eligible, and what it would then pay. Computed from the condition's structure (the field
//! and the threshold it is compared with) and confirmed by assessing the changed profile;
//! never written by hand per program.

use super::{Assessment, ConditionOutcome, Requirement, Status, assess_version};
use crate::applicant::{Profile, ProfileContext};
use crate::policy::expr::BinOp;
use crate::policy::fields::FIELDS;
use crate::policy::model::{Condition, Expr, Program};
use crate::policy::value::{Shown, Val};
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct Hint<'p> {
    pub program: &'p Program,
    pub condition: &'p Condition,
    /// The profile field to change, as `startup.founder_equity_pct`.
    pub field: &'static str,
    /// Its value now (`None`: not given).
    pub from: Option<Shown>,
    /// The value that makes the program eligible.
    pub to: Shown,
    /// The program's amount with that change, after every combination rule.
    pub amount: Decimal,
    /// The new total across programs.
    pub total: Decimal,
}

/// Rounds `v` up (or down) to a whole number of `step`s.
fn to_step(v: Decimal, step: Decimal, up: bool) -> Decimal {
    let n = v / step;
    let n = if up { n.ceil() } else { n.floor() };
    n * step
}

/// The value a field must take to satisfy `field OP threshold`, moving as little as possible.
fn target(op: BinOp, threshold: Decimal, step: Decimal) -> Option<Decimal> {
    Some(match op {
        BinOp::Ge => to_step(threshold, step, true),
        BinOp::Gt => to_step(threshold, step, false) + step,
        BinOp::Le => to_step(threshold, step, false),
        BinOp::Lt => to_step(threshold, step, true) - step,
        BinOp::Eq => threshold,
        _ => return None,
    })
}

/// Hints for every ineligible program of `assessment`, which must be `profile`'s assessment.
pub fn hints<'p>(
    assessment: &Assessment<'p>,
    profile: &Profile,
    ctx: &dyn ProfileContext,
) -> Vec<Hint<'p>> {
    let mut out = Vec::new();
    for (pi, outcome) in assessment.programs.iter().enumerate() {
        if outcome.status != Status::Ineligible {
            continue;
        }
        let mut failed = outcome
            .conditions
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.met);
        let (Some((ci, _)), None) = (failed.next(), failed.next()) else {
            continue;
        };
        let condition = &outcome.program.conditions[ci];
        if !condition.actionable {
            continue;
        }
        let Some((field, to)) = change(condition, &outcome.conditions[ci]) else {
            continue;
        };
        let mut changed = profile.clone();
        let value = match to {
            Shown::Num(n) => Val::Num(n),
            Shown::Bool(b) => Val::Bool(b),
            _ => continue,
        };
        let set = FIELDS[field].set;
        if set.and_then(|set| set(&mut changed, value)).is_none()
            || changed.revalidate(ctx).is_err()
        {
            continue;
        }
        let after = assess_version(assessment.version, &changed);
        let now = &after.programs[pi];
        if now.status == Status::Ineligible || now.status == Status::NotApplicable {
            continue;
        }
        out.push(Hint {
            program: outcome.program,
            condition,
            field: FIELDS[field].path,
            from: (FIELDS[field].get)(profile).map(Shown::from),
            to,
            amount: now.amount,
            total: after.total,
        });
    }
    out
}

/// The field and the value that would satisfy an actionable condition, from the threshold the
/// assessment already computed for this profile.
fn change(c: &Condition, outcome: &ConditionOutcome) -> Option<(usize, Shown)> {
    match (&c.expr, &outcome.requirement) {
        (&Expr::Field(i), _) => Some((i, Shown::Bool(true))),
        (Expr::Compare(_, l, _), Requirement::Compare(op, Some(Shown::Num(t)))) => {
            let i = l.as_field()?;
            let step = FIELDS[i].step?;
            Some((i, Shown::Num(target(*op, *t, step)?.normalize())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_move_by_whole_steps() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(target(BinOp::Ge, d("30"), d("0.01")), Some(d("30")));
        assert_eq!(target(BinOp::Gt, d("0"), d("0.01")), Some(d("0.01")));
        assert_eq!(target(BinOp::Ge, d("2.5"), d("1")), Some(d("3")));
        assert_eq!(target(BinOp::Gt, d("3"), d("1")), Some(d("4")));
        assert_eq!(target(BinOp::Lt, d("3"), d("1")), Some(d("2")));
        assert_eq!(target(BinOp::Le, d("2.5"), d("1")), Some(d("2")));
        assert_eq!(target(BinOp::In, d("2.5"), d("1")), None);
    }
}
