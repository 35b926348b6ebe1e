//! "What would change it": for a program the applicant misses by exactly one condition that
//! the policy marks actionable, the smallest change to that one input that makes the program
//! eligible, and what it would then pay. Computed from the condition's structure (the field
//! and the threshold it is compared with) and confirmed by assessing the changed profile;
//! never written by hand per program.

use super::{Assessment, ConditionOutcome, Requirement, Status, assess_version};
use crate::applicant::{Profile, ProfileContext};
use crate::policy::expr::BinOp;
use crate::policy::fields::{FIELDS, revised};
use crate::policy::model::{Condition, Expr, Program};
use crate::policy::value::{Shown, Val};
use rust_decimal::Decimal;

/// One change a hint asks for: a field moved to the smallest value that meets a condition.
#[derive(Debug, Clone)]
pub struct Change<'p> {
    pub condition: &'p Condition,
    /// The profile field to change, as `startup.founder_equity_pct`.
    pub field: &'static str,
    /// Its value now (`None`: not given).
    pub from: Option<Shown>,
    /// The value that meets the condition.
    pub to: Shown,
}

#[derive(Debug, Clone)]
pub struct Hint<'p> {
    pub program: &'p Program,
    /// One to three changes, made together.
    pub changes: Vec<Change<'p>>,
    /// The program's amount with the changes, after every combination rule.
    pub amount: Decimal,
    /// The new total across programs.
    pub total: Decimal,
    /// What the total gains (always more than 0).
    pub gained: Decimal,
    /// Every program whose amount the changes move: (program, now, then).
    pub moved: Vec<(&'p Program, Decimal, Decimal)>,
}

impl<'p> Hint<'p> {
    /// The first change (a hint has at least one).
    pub fn first(&self) -> &Change<'p> {
        &self.changes[0]
    }
}

/// At most this many conditions are hinted together.
pub const MAX_CHANGES: usize = 3;

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

/// Hints for the ineligible programs of `assessment`, which must be `profile`'s assessment:
/// for a program missed by one to three conditions, each actionable and each with a smallest
/// step (they are independent thresholds), the changes made together — kept only when the
/// changed profile is valid, the program then pays, and the total gains. Best first: the most
/// gained per change.
pub fn hints<'p>(
    assessment: &Assessment<'p>,
    profile: &Profile,
    ctx: &dyn ProfileContext,
) -> Vec<Hint<'p>> {
    let mut out = Vec::new();
    'programs: for (pi, outcome) in assessment.programs.iter().enumerate() {
        if outcome.status != Status::Ineligible {
            continue;
        }
        let failed: Vec<usize> = outcome
            .conditions
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.met)
            .map(|(i, _)| i)
            .collect();
        if failed.is_empty() || failed.len() > MAX_CHANGES {
            continue;
        }
        let mut changes = Vec::with_capacity(failed.len());
        let mut values = Vec::with_capacity(failed.len());
        for ci in failed {
            let condition = &outcome.program.conditions[ci];
            if !condition.actionable {
                continue 'programs;
            }
            let Some((field, to)) = change(condition, &outcome.conditions[ci]) else {
                continue 'programs;
            };
            // Two conditions on one field would not be independent thresholds.
            if changes
                .iter()
                .any(|c: &Change<'_>| c.field == FIELDS[field].path)
            {
                continue 'programs;
            }
            let value = match to {
                Shown::Num(n) => Val::Num(n),
                Shown::Bool(b) => Val::Bool(b),
                _ => continue 'programs,
            };
            if !FIELDS[field].can_change() {
                continue 'programs;
            }
            values.push((&FIELDS[field], value));
            changes.push(Change {
                condition,
                field: FIELDS[field].path,
                from: (FIELDS[field].get)(profile).map(Shown::from),
                to,
            });
        }
        // Made together and checked again: a hint never rests on answers that are not valid.
        let Some(Ok(changed)) = revised(profile, &values, ctx) else {
            continue;
        };
        let after = assess_version(assessment.version, &changed);
        let now = &after.programs[pi];
        if now.status == Status::Ineligible || now.status == Status::NotApplicable {
            continue;
        }
        let gained = after.total - assessment.total;
        if gained <= Decimal::ZERO {
            continue;
        }
        let moved = assessment
            .programs
            .iter()
            .zip(&after.programs)
            .filter(|(a, b)| a.amount != b.amount)
            .map(|(a, b)| (a.program, a.amount, b.amount))
            .collect();
        out.push(Hint {
            program: outcome.program,
            changes,
            amount: now.amount,
            total: after.total,
            gained,
            moved,
        });
    }
    // Most gained per change first; the policy's order among equals (the sort is stable).
    out.sort_by(|a, b| {
        let per = |h: &Hint<'_>| h.gained / Decimal::from(h.changes.len());
        per(b).cmp(&per(a))
    });
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
