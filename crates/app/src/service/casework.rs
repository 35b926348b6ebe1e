//! What casework needs from the policy: a saved application's program as the policy version
//! it was assessed under defines it (its conditions and the materials proving them), and the
//! payments an approved amount becomes.

use rules::policy::Policy;
use rules::policy::model::{Material, Program, Rules};
use rust_decimal::Decimal;
use store::PlannedPayment;

/// The rules a saved application was assessed under (its version, when the policy still has
/// it; else the latest version that has the program) and the program's index in them.
pub fn program_rules<'p>(
    policy: &'p Policy,
    version: &str,
    program: &str,
) -> Option<(&'p Rules, usize)> {
    let find = |rules: &'p Rules| {
        rules
            .programs
            .iter()
            .position(|p| &*p.id == program)
            .map(|i| (rules, i))
    };
    policy
        .versions
        .iter()
        .find(|v| &*v.id == version)
        .and_then(|v| find(&v.rules))
        .or_else(|| policy.versions.iter().rev().find_map(|v| find(&v.rules)))
}

/// A program under review with the materials proving each of its conditions.
pub struct ReviewedProgram<'p> {
    pub program: &'p Program,
    /// Each condition with the materials that prove it (none: it is read from the answers
    /// or the ID document).
    pub conditions: Vec<(&'p rules::policy::model::Condition, Vec<&'p Material>)>,
}

pub fn reviewed_program<'p>(
    policy: &'p Policy,
    version: &str,
    program: &str,
) -> Option<ReviewedProgram<'p>> {
    let (rules, i) = program_rules(policy, version, program)?;
    let program = &rules.programs[i];
    Some(ReviewedProgram {
        program,
        conditions: program
            .conditions
            .iter()
            .map(|c| {
                (
                    c,
                    c.proof
                        .iter()
                        .filter_map(|m| policy.materials.get(*m))
                        .collect(),
                )
            })
            .collect(),
    })
}

/// The payments an approved `amount` of `program` becomes: its installments' shares of the
/// amount (whole yuan, the last taking the remainder), each with its trigger and, where the
/// policy gives one, its offset from approval. A program the policy no longer has is paid in
/// Whether `program` (under `version`) is paid under a funding agreement: some installment
/// waits for a trigger (signing, a review) rather than falling due a number of months on.
/// Such a program's agreement, with the payee's account, is recorded before it is paid.
pub fn paid_under_agreement(policy: &Policy, version: &str, program: &str) -> bool {
    program_rules(policy, version, program).is_some_and(|(rules, i)| {
        rules.programs[i]
            .installments
            .iter()
            .any(|s| s.after_months.is_none())
    })
}

/// one payment on the approval document.
pub fn payment_plan(
    policy: &Policy,
    version: &str,
    program: &str,
    amount: Decimal,
) -> Vec<PlannedPayment> {
    let Some((rules, i)) = program_rules(policy, version, program) else {
        return vec![PlannedPayment {
            amount,
            trigger_zh: "按批准文件一次性拨付".into(),
            trigger_en: "In one payment, as the approval says".into(),
            after_months: Some(0),
        }];
    };
    let shares = &rules.programs[i].installments;
    rules::engine::installments::split(amount, shares)
        .into_iter()
        .zip(shares)
        .map(|(amount, s)| PlannedPayment {
            amount,
            trigger_zh: s.zh.clone(),
            trigger_en: s.en.clone(),
            after_months: s.after_months,
        })
        .collect()
}
