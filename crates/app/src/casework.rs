//! The casework rules: what an officer may do to an application, as functions of what the
//! application is now and what was asked, each answering with what to record or why not — in
//! both languages. No HTTP, no database, no clock: the console's handlers read a form, call
//! these, and show the answer; the store applies what they allow (and enforces, on the
//! version the officer saw, that nothing changed in between).
//!
//! A reviewer can read every rule here:
//! - a program is decided once, and only while the application is open;
//! - approving a program needs every one of its conditions verified (none "not met" or
//!   "awaiting material"), an amount in whole yuan above 0 and at most the assessed amount,
//!   and a reason when the amount is lower; refusing needs a reason;
//! - rejecting the whole application or asking for more needs a note, which the applicant
//!   sees; approving or rejecting everything at once is possible only while no program has
//!   been decided on its own, and approving it all needs no open check;
//! - a payment is dated no later than today and no earlier than its approval.

use crate::case::Case;
use crate::service::casework::payment_plan;
use chrono::NaiveDate;
use rules::Msg;
use rules::policy::Policy;
use rust_decimal::Decimal;
use store::{Check, ProgramDecision};

pub use crate::refusal::{NOTE_LIMIT, Refused};

/// A program as a decision on it finds it.
#[derive(Debug, Clone, Copy)]
pub struct ProgramState {
    /// The amount the assessment gave it.
    pub assessed: Decimal,
    /// Whether it is decided already.
    pub decided: bool,
    /// Whether the application is still open to decisions.
    pub open: bool,
    /// Whether, with the checks this request records, a condition is "not met" or "awaiting
    /// material".
    pub open_checks: bool,
}

/// What an officer asks of one program: `decision` is the form's choice (`""`: only checks,
/// `"approve"`, `"refuse"`), `amount` the amount as read (`None`: missing or not a number).
#[derive(Debug, Clone, Copy)]
pub struct ProgramRequest<'a> {
    pub decision: &'a str,
    pub amount: Option<Decimal>,
    pub reason: &'a str,
}

/// What a program's review records besides its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramChoice {
    /// Checks only; no decision yet.
    Undecided,
    Refuse,
    Approve(Decimal),
}

/// The rule for a decision on one program.
pub fn program_decision(
    state: ProgramState,
    asked: ProgramRequest<'_>,
) -> Result<ProgramChoice, Refused> {
    if state.decided || !state.open {
        return Err(Refused::Conflict(Msg::new(
            "此项目已作出决定（或申请已结案），不能再更改",
            "This program is decided (or the application closed): it cannot change",
        )));
    }
    let reason = asked.reason.trim();
    match asked.decision {
        "" => Ok(ProgramChoice::Undecided),
        "refuse" if reason.is_empty() => Err(Refused::invalid(
            "理由：不予批准时请写明理由，申请人会看到",
            "Reason: say why the program is refused; the applicant sees it",
        )),
        "refuse" => Ok(ProgramChoice::Refuse),
        "approve" if state.open_checks => Err(Refused::invalid(
            "有条件核验为“不通过”或“待补充”，不能批准：请先核验，或不予批准",
            "A condition is checked \"not met\" or \"awaiting material\": verify it first, or refuse",
        )),
        "approve" => match asked.amount {
            None => Err(Refused::invalid(
                "批准金额：请填写金额（元）",
                "Approved amount: enter an amount in yuan",
            )),
            Some(a) if a <= Decimal::ZERO || a > state.assessed || !a.fract().is_zero() => {
                let shown = rules::words::yuan(&state.assessed);
                Err(Refused::invalid(
                    format!("批准金额：应为大于 0、不超过测算金额 {shown} 的整数元"),
                    format!("Approved amount: whole yuan above 0 and at most the assessed {shown}"),
                ))
            }
            Some(a) if a < state.assessed && reason.is_empty() => Err(Refused::invalid(
                "理由：批准金额低于测算金额时请写明理由",
                "Reason: say why the amount is below the assessed one",
            )),
            Some(a) => Ok(ProgramChoice::Approve(a)),
        },
        _ => Err(Refused::invalid(
            "决定：无此选项",
            "Decision: no such choice",
        )),
    }
}

/// What a decision on the whole application asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    /// Approve every undecided program at its assessed amount.
    Approve,
    /// Refuse every undecided program with the note.
    Reject,
    /// Ask the applicant for more (the materials named).
    MoreInfo,
}

/// The application as a decision on the whole finds it.
#[derive(Debug, Clone, Copy)]
pub struct WholeState {
    /// Whether some program has been decided on its own.
    pub programs_decided: bool,
    /// Whether an undecided program has a condition "not met" or "awaiting material".
    pub open_checks: bool,
}

/// The rule for a decision on the whole application's note: rejecting it or asking for more
/// needs one (the applicant sees it). Checked before anything is read.
pub fn whole_note(asked: Whole, note: &str) -> Result<(), Refused> {
    if matches!(asked, Whole::Reject | Whole::MoreInfo) && note.trim().is_empty() {
        return Err(Refused::invalid(
            "意见：不予批准或要求补充材料时，请写明原因，申请人会看到",
            "Note: say why when rejecting or asking for more; the applicant sees it",
        ));
    }
    Ok(())
}

/// The rule for approving (`approve`) or rejecting every undecided program at once, given the
/// casework (asking for more decides no program and reads none).
pub fn whole_programs(approve: bool, state: WholeState) -> Result<(), Refused> {
    if state.programs_decided {
        return Err(Refused::invalid(
            "已有项目单独作出决定：请逐项决定其余项目",
            "Some program is decided on its own already: decide the others one by one",
        ));
    }
    if approve && state.open_checks {
        return Err(Refused::invalid(
            "有条件核验为“不通过”或“待补充”，不能全部批准：请逐项决定",
            "Some condition is checked \"not met\" or \"awaiting material\": decide program by program",
        ));
    }
    Ok(())
}

/// The rule for the date a payment is recorded as made: blank means today; never after
/// today (the store also refuses a date before the program's approval).
pub fn payment_date(written: &str, today: NaiveDate) -> Result<NaiveDate, Refused> {
    match written.trim() {
        "" => Ok(today),
        d => rules::applicant::parse_date(d)
            .filter(|d| *d <= today)
            .ok_or_else(|| {
                Refused::invalid(
                    "拨付日期：应为不晚于今天的日期（YYYY-MM-DD）",
                    "Paid on: a date no later than today (YYYY-MM-DD)",
                )
            }),
    }
}

/// Whether an undecided program has a condition checked "not met" or "awaiting material":
/// approving everything at once is then refused.
pub fn has_open_checks(case: &Case) -> bool {
    case.checks
        .iter()
        .any(|c| c.check != Check::Verified && case.decision(&c.program).is_none())
}

/// The decisions a decision on the whole application makes: every undecided program approved
/// at its assessed amount (with the payments its installments plan, under the version the
/// application was assessed with), or refused with the note.
pub fn whole_decisions(
    case: &Case,
    policy: &Policy,
    version: &str,
    approve: bool,
    note: &str,
) -> Vec<ProgramDecision> {
    case.under_review
        .iter()
        .filter(|p| case.decision(&p.program).is_none())
        .map(|p| ProgramDecision {
            program: p.program.clone(),
            approved: approve,
            amount: if approve { p.amount } else { Decimal::ZERO },
            assessed: p.amount,
            reason: if approve {
                String::new()
            } else {
                note.to_string()
            },
            payments: if approve {
                payment_plan(policy, version, &p.program, p.amount)
            } else {
                Vec::new()
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(assessed: i64) -> ProgramState {
        ProgramState {
            assessed: Decimal::from(assessed),
            decided: false,
            open: true,
            open_checks: false,
        }
    }

    fn ask<'a>(decision: &'a str, amount: Option<i64>, reason: &'a str) -> ProgramRequest<'a> {
        ProgramRequest {
            decision,
            amount: amount.map(Decimal::from),
            reason,
        }
    }

    fn refused_en(r: Result<ProgramChoice, Refused>) -> String {
        r.unwrap_err().msg().en.clone()
    }

    #[test]
    fn a_program_is_approved_at_most_at_its_assessed_amount_in_whole_yuan() {
        let s = state(3_000_000);
        assert_eq!(
            program_decision(s, ask("approve", Some(3_000_000), "")),
            Ok(ProgramChoice::Approve(Decimal::from(3_000_000)))
        );
        assert!(
            refused_en(program_decision(s, ask("approve", Some(3_000_001), "")))
                .contains("at most the assessed ¥3,000,000")
        );
        assert!(refused_en(program_decision(s, ask("approve", Some(0), ""))).contains("above 0"));
        let half = ProgramRequest {
            amount: Some(Decimal::new(15, 1)),
            ..ask("approve", None, "x")
        };
        assert!(refused_en(program_decision(s, half)).contains("whole yuan"));
        assert!(
            refused_en(program_decision(s, ask("approve", None, ""))).contains("enter an amount")
        );
    }

    #[test]
    fn less_than_assessed_and_a_refusal_need_a_reason() {
        let s = state(3_000_000);
        assert!(
            refused_en(program_decision(s, ask("approve", Some(2_500_000), " ")))
                .contains("below the assessed")
        );
        assert_eq!(
            program_decision(s, ask("approve", Some(2_500_000), "资金有限")),
            Ok(ProgramChoice::Approve(Decimal::from(2_500_000)))
        );
        assert!(refused_en(program_decision(s, ask("refuse", None, ""))).contains("say why"));
        assert_eq!(
            program_decision(s, ask("refuse", None, "自有住房")),
            Ok(ProgramChoice::Refuse)
        );
        assert_eq!(
            program_decision(s, ask("", None, "")),
            Ok(ProgramChoice::Undecided)
        );
        assert!(refused_en(program_decision(s, ask("maybe", None, ""))).contains("no such choice"));
    }

    #[test]
    fn an_open_check_blocks_approval_but_not_refusal() {
        let s = ProgramState {
            open_checks: true,
            ..state(100)
        };
        assert!(
            refused_en(program_decision(s, ask("approve", Some(100), "")))
                .contains("verify it first")
        );
        assert_eq!(
            program_decision(s, ask("refuse", None, "不符合")),
            Ok(ProgramChoice::Refuse)
        );
    }

    #[test]
    fn a_decided_program_or_a_closed_application_takes_no_decision() {
        for s in [
            ProgramState {
                decided: true,
                ..state(100)
            },
            ProgramState {
                open: false,
                ..state(100)
            },
        ] {
            let r = program_decision(s, ask("approve", Some(100), ""));
            assert!(matches!(r, Err(Refused::Conflict(_))), "{r:?}");
        }
    }

    #[test]
    fn the_whole_application_is_decided_only_while_no_program_is() {
        let clear = WholeState {
            programs_decided: false,
            open_checks: false,
        };
        assert_eq!(whole_programs(true, clear), Ok(()));
        let some_decided = WholeState {
            programs_decided: true,
            open_checks: false,
        };
        for approve in [true, false] {
            let r = whole_programs(approve, some_decided);
            assert!(r.unwrap_err().msg().en.contains("one by one"));
        }
        let open = WholeState {
            programs_decided: false,
            open_checks: true,
        };
        assert!(whole_programs(true, open).is_err());
        assert_eq!(whole_programs(false, open), Ok(()));
    }

    #[test]
    fn rejecting_or_asking_for_more_needs_a_note() {
        assert!(whole_note(Whole::MoreInfo, " ").is_err());
        assert_eq!(whole_note(Whole::MoreInfo, "请补充社保证明"), Ok(()));
        assert!(whole_note(Whole::Reject, "").is_err());
        assert_eq!(whole_note(Whole::Reject, "不符合"), Ok(()));
        assert_eq!(whole_note(Whole::Approve, ""), Ok(()));
    }

    #[test]
    fn a_payment_is_dated_today_or_earlier() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(payment_date("", today), Ok(today));
        assert_eq!(
            payment_date("2026-12-01", today),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        );
        assert!(payment_date("2026-12-05", today).is_err());
        assert!(payment_date("someday", today).is_err());
    }

    fn case(under_review: &[(&str, i64)], decided: &[&str], checks: &[(&str, Check)]) -> Case {
        Case {
            files: Vec::new(),
            decisions: decided
                .iter()
                .map(|p| store::DecisionRow {
                    program: p.to_string(),
                    approved: true,
                    amount: Decimal::ONE,
                    assessed: Decimal::ONE,
                    reason: String::new(),
                    actor: "zhou".into(),
                    at: String::new(),
                })
                .collect(),
            checks: checks
                .iter()
                .map(|(p, c)| store::CheckRow {
                    program: p.to_string(),
                    condition: "c".into(),
                    check: *c,
                    actor: "zhou".into(),
                    at: String::new(),
                })
                .collect(),
            under_review: under_review
                .iter()
                .map(|(p, a)| store::ProgramRow {
                    program: p.to_string(),
                    status: "eligible".into(),
                    amount: Decimal::from(*a),
                })
                .collect(),
            payments: Vec::new(),
            signers: Vec::new(),
            events: Vec::new(),
            notice: None,
            objections: Vec::new(),
            objection_files: Vec::new(),
            agreements: Vec::new(),
        }
    }

    #[test]
    fn only_an_undecided_programs_unverified_check_is_open() {
        let verified = case(&[("a", 1)], &[], &[("a", Check::Verified)]);
        assert!(!has_open_checks(&verified));
        let pending = case(&[("a", 1)], &[], &[("a", Check::Pending)]);
        assert!(has_open_checks(&pending));
        let failed = case(&[("a", 1), ("b", 1)], &[], &[("b", Check::Failed)]);
        assert!(has_open_checks(&failed));
        // Once its program is decided, a check no longer holds the rest back.
        let decided = case(&[("a", 1), ("b", 1)], &["b"], &[("b", Check::Failed)]);
        assert!(!has_open_checks(&decided));
    }

    #[test]
    fn deciding_the_whole_decides_each_undecided_program_with_its_payments() {
        let policy = rules::policy::load_embedded().unwrap();
        let c = case(
            &[("jinying_startup", 900_000), ("jinying_office", 216_000)],
            &["jinying_startup"],
            &[],
        );
        let approved = whole_decisions(&c, &policy, "2026", true, "");
        assert_eq!(approved.len(), 1, "the decided program is left as it is");
        let d = &approved[0];
        assert_eq!(d.program, "jinying_office");
        assert!(d.approved && d.reason.is_empty());
        assert_eq!(
            (d.amount, d.assessed),
            (Decimal::from(216_000), Decimal::from(216_000))
        );
        assert_eq!(
            d.payments.iter().map(|p| p.amount).sum::<Decimal>(),
            d.amount,
            "the installments add up to the amount"
        );
        assert_eq!(
            d.payments
                .iter()
                .map(|p| p.after_months)
                .collect::<Vec<_>>(),
            [Some(0), Some(12), Some(24)]
        );
        let refused = whole_decisions(&c, &policy, "2026", false, "材料不全");
        assert!(!refused[0].approved && refused[0].amount.is_zero());
        assert_eq!(refused[0].reason, "材料不全");
        assert!(refused[0].payments.is_empty());
    }
}
