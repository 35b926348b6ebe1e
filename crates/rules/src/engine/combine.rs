//! Combining programs (`policy/combining.toml`), in order: no double funding (the larger amount wins,
//! the first listed on a tie), then each cap in the order written, serving its programs in
//! order. Every reduction is recorded: from what, to what, by which rule.

use super::{ProgramOutcome, ReducedBy, Reduction, Status};
use crate::policy::model::Rules;
use rust_decimal::Decimal;

pub(super) fn apply<'p>(rules: &'p Rules, programs: &mut [ProgramOutcome<'p>]) {
    for group in &rules.exclusive_groups {
        let mut winner: Option<usize> = None;
        for &i in &group.programs {
            if programs[i].status == Status::Eligible
                && winner.is_none_or(|w| programs[i].amount > programs[w].amount)
            {
                winner = Some(i);
            }
        }
        let Some(w) = winner else { continue };
        let winner_program = programs[w].program;
        for &i in &group.programs {
            let p = &mut programs[i];
            if i != w && p.status == Status::Eligible {
                p.reductions.push(Reduction {
                    by: ReducedBy::Exclusive(group, winner_program),
                    from: p.amount,
                    to: Decimal::ZERO,
                });
                p.status = Status::Excluded;
                p.amount = Decimal::ZERO;
            }
        }
    }
    for cap in &rules.caps {
        let mut left = cap.max;
        for &i in &cap.programs {
            let p = &mut programs[i];
            if p.status != Status::Eligible {
                continue;
            }
            let granted = p.amount.min(left);
            if granted < p.amount {
                p.reductions.push(Reduction {
                    by: ReducedBy::Cap(cap),
                    from: p.amount,
                    to: granted,
                });
                p.amount = granted;
            }
            left -= granted;
        }
    }
}
