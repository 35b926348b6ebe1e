//! The monthly report per step: of the cases that left a step during the month, how many, the
//! median working days they spent at it (补正 time not counted), and how many left it past
//! their deadline (受理 later than its limit after submission; 初审, 复审 and 审批 after the
//! decision's limit from acceptance). 公示 has a fixed length and is never late.

use super::{Calendar, CaseEvent, CaseStep, Procedure, paused_days};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One case as the report reads it.
pub struct CaseHistory<'a> {
    pub submitted_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    /// Its timeline, oldest first.
    pub events: &'a [CaseEvent],
}

/// One step's line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub step: CaseStep,
    /// Cases that left the step during the month.
    pub completed: usize,
    /// The median of the working days they spent at it; `None` when none left it.
    pub median_days: Option<Decimal>,
    /// Of them, how many left it past their deadline.
    pub overdue: usize,
}

/// The month's report: one line per timed step, in the procedure's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthReport {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub lines: Vec<StepLine>,
}

/// The steps the report counts, in order.
pub const REPORT_STEPS: [CaseStep; 5] = [
    CaseStep::Accept,
    CaseStep::FirstReview,
    CaseStep::SecondReview,
    CaseStep::SignOff,
    CaseStep::Notice,
];

fn median(mut days: Vec<i64>) -> Option<Decimal> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    Some(if n % 2 == 1 {
        Decimal::from(days[n / 2])
    } else {
        (Decimal::from(days[n / 2 - 1]) + Decimal::from(days[n / 2])) / Decimal::from(2)
    })
}

/// The report of the month from `first` to `last` (both included) over these cases.
pub fn month_report(
    procedure: &Procedure,
    calendar: &Calendar,
    cases: &[CaseHistory<'_>],
    first: NaiveDate,
    last: NaiveDate,
) -> MonthReport {
    let mut spent: HashMap<CaseStep, Vec<i64>> = HashMap::new();
    let mut late: HashMap<CaseStep, usize> = HashMap::new();
    for case in cases {
        let mut entered: HashMap<CaseStep, NaiveDate> = HashMap::new();
        entered.insert(CaseStep::Accept, case.submitted_on);
        for (i, e) in case.events.iter().enumerate() {
            if e.from == e.to {
                continue;
            }
            let so_far = &case.events[..=i];
            if let Some(&since) = entered.get(&e.from)
                && REPORT_STEPS.contains(&e.from)
                && (first..=last).contains(&e.day)
            {
                let (paused, _) = paused_days(so_far, calendar, since, e.day);
                let days = calendar
                    .working_days_between(since, e.day)
                    .map(|d| (d - paused).max(0));
                if let Some(days) = days {
                    spent.entry(e.from).or_default().push(days);
                }
                let overdue = match e.from {
                    CaseStep::Accept => days.is_some_and(|d| d > i64::from(procedure.accept_days)),
                    CaseStep::FirstReview | CaseStep::SecondReview | CaseStep::SignOff => {
                        let from = case.accepted_on.unwrap_or(case.submitted_on);
                        let (paused, _) = paused_days(so_far, calendar, from, e.day);
                        let extra = u32::try_from(paused.max(0)).unwrap_or(0);
                        calendar
                            .add_working_days(from, procedure.decision_days + extra)
                            .is_some_and(|due| e.day > due)
                    }
                    _ => false,
                };
                if overdue {
                    *late.entry(e.from).or_default() += 1;
                }
            }
            entered.insert(e.to, e.day);
        }
    }
    MonthReport {
        first,
        last,
        lines: REPORT_STEPS
            .iter()
            .map(|s| {
                let days = spent.remove(s).unwrap_or_default();
                StepLine {
                    step: *s,
                    completed: days.len(),
                    median_days: median(days),
                    overdue: late.get(s).copied().unwrap_or(0),
                }
            })
            .collect(),
    }
}
