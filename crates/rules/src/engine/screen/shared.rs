//! What the screening and the weighing of its questions both compute: the possible tiers,
//! and whether a program would be received for the first time.

use super::*;

/// The possible tiers (bits over the version's tiers, then one for no tier) and the unknown
/// paths the undecided rows read: a row is the one that holds when it may hold and every row
/// above may not.
pub(super) fn tiers(rules: &crate::policy::Rules, k: &Known<'_>) -> (u64, u64) {
    let mut above_may_fail = true;
    let mut tier = 0u64;
    let mut tier_reads = 0u64;
    'tiers: for (ti, t) in rules.tiers.iter().enumerate() {
        for row in &t.rows {
            let holds = range::truth(&row.when, k);
            if !holds.is_known() {
                tier_reads |= k.reads(&row.when);
            }
            if holds.yes {
                tier |= 1u64.checked_shl(ti as u32).unwrap_or(0);
            }
            if !holds.no {
                above_may_fail = false;
                break 'tiers;
            }
        }
    }
    if above_may_fail {
        tier |= 1u64.checked_shl(rules.tiers.len() as u32).unwrap_or(0);
    }
    (tier, tier_reads)
}

/// Whether this is the first time the applicant receives the program.
pub(super) fn first_time(partial: &Partial, program: &Program) -> Truth {
    if partial.is_unknown("prior_awards") {
        Truth::UNKNOWN
    } else if partial
        .profile
        .prior_awards
        .iter()
        .any(|a| **a == *program.id)
    {
        Truth::NO
    } else {
        Truth::YES
    }
}
