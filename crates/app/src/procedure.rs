//! The procedure's rules (brief §11, `policy/procedure.toml`): who may move a case from one
//! step to the next, where it goes, and when each step is due — pure functions of the case,
//! the officer, the procedure in force and the working-day calendar. The console's handlers
//! read a form, ask these, and hand the answer to the store, which applies it only on the
//! step and version the officer saw and whose constraints refuse one officer signing two
//! review steps of a round even if a rule here were bypassed.
//!
//! What a reviewer can read here:
//! - each step is taken by the role the procedure names for it;
//! - 复审 is never taken by the officer of the round's 初审, 审批 by neither of them, and
//!   payment by none of those who signed the round (四眼原则, where the procedure says so);
//! - sending a case back, not accepting it, or refusing a sign-off needs a reason;
//! - a case agreed at 复审 goes to 审批 when its approved total is at or above the threshold,
//!   else to 公示; with nothing approved its decision is in force at once (nothing to notice);
//! - a notice starts on a working day, today or later, and lasts the procedure's working days;
//! - nothing is paid before the decision is in force (公示无异议), nor an installment whose
//!   trigger has no date.

use crate::refusal::Refused;
use chrono::NaiveDate;
use rules::Msg;
use rules::calendar::Calendar;
use rules::procedure::{Procedure, StepId};
use rust_decimal::Decimal;
use store::{AppStatus, CaseEvent, CaseStep, Role, Signed, Signer};

/// What the officer asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// 受理.
    Accept,
    /// 不予受理.
    NotAccept,
    /// 复审: agree with the proposals.
    Agree,
    /// 复审: send back to 初审.
    SendBack,
    /// 审批: sign off.
    SignOff,
    /// 审批: return to 复审.
    ReturnToSecondReview,
    /// A leader reopens a decided case: back to 复审, a reason required.
    Reopen,
}

impl Asked {
    pub fn from_id(s: &str) -> Option<Asked> {
        Some(match s {
            "accept" => Asked::Accept,
            "not_accept" => Asked::NotAccept,
            "agree" => Asked::Agree,
            "send_back" => Asked::SendBack,
            "sign_off" => Asked::SignOff,
            "return" => Asked::ReturnToSecondReview,
            "reopen" => Asked::Reopen,
            _ => return None,
        })
    }

    /// The step of the procedure this acts at.
    fn step(self) -> StepId {
        match self {
            Asked::Accept | Asked::NotAccept => StepId::Accept,
            Asked::Agree | Asked::SendBack => StepId::SecondReview,
            Asked::SignOff | Asked::ReturnToSecondReview | Asked::Reopen => StepId::SignOff,
        }
    }

    /// The case's step it acts on.
    fn from(self) -> CaseStep {
        match self {
            Asked::Accept | Asked::NotAccept => CaseStep::Accept,
            Asked::Agree | Asked::SendBack => CaseStep::SecondReview,
            Asked::SignOff | Asked::ReturnToSecondReview => CaseStep::SignOff,
            Asked::Reopen => CaseStep::InForce,
        }
    }
}

/// A case as the procedure's rules read it.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub step: CaseStep,
    pub round: i64,
    pub status: AppStatus,
    /// Every signature, every round.
    pub signers: &'a [Signer],
    /// The total of the programs approved this round.
    pub approved_total: Decimal,
}

/// The officer acting.
#[derive(Debug, Clone, Copy)]
pub struct Officer<'a> {
    pub name: &'a str,
    pub role: Role,
}

/// A move the rules allow: the store applies it (see `store::Move`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub from: CaseStep,
    pub to: CaseStep,
    pub action: &'static str,
    pub signs: Option<Signed>,
    pub back_to_first_review: bool,
    pub reopen: bool,
    pub status: Option<AppStatus>,
}

fn role_words(role: &str) -> (&'static str, &'static str) {
    match role {
        "approver" => ("分管领导", "an approver"),
        "finance" => ("财务人员", "finance"),
        _ => ("审核人员", "a reviewer"),
    }
}

/// Whether `officer` holds the role the procedure names for `step`.
pub fn may_take(procedure: &Procedure, step: StepId, officer: Officer<'_>) -> Result<(), Refused> {
    let s = procedure.step(step);
    if officer.role.id() == s.role {
        return Ok(());
    }
    let (zh, en) = role_words(&s.role);
    Err(Refused::Conflict(Msg::new(
        format!("“{}”由{zh}办理", s.zh),
        format!("{} is taken by {en}", s.en),
    )))
}

/// Whether `officer` signed a review step of the round other than `except` (四眼原则).
fn signed_other(facts: &Facts<'_>, officer: &str, except: Option<Signed>) -> Option<Signed> {
    facts
        .signers
        .iter()
        .find(|s| s.round == facts.round && s.actor == officer && Some(s.step) != except)
        .map(|s| s.step)
}

fn signed_words(s: Signed) -> (&'static str, &'static str) {
    match s {
        Signed::FirstReview => ("初审", "the first review"),
        Signed::SecondReview => ("复审", "the second review"),
        Signed::SignOff => ("审批", "the sign-off"),
    }
}

fn four_eyes(signed: Signed, step_zh: &str, step_en: &str) -> Refused {
    let (zh, en) = signed_words(signed);
    Refused::Conflict(Msg::new(
        format!("四眼原则：您办理了本案的{zh}，{step_zh}须由其他工作人员办理"),
        format!("Four eyes: you took {en} of this case, so {step_en} is for another officer"),
    ))
}

/// The move `asked` makes, or why not.
pub fn plan(
    procedure: &Procedure,
    facts: &Facts<'_>,
    officer: Officer<'_>,
    asked: Asked,
    note: &str,
) -> Result<Plan, Refused> {
    let step = procedure.step(asked.step());
    if facts.step != asked.from() {
        return Err(Refused::Conflict(Msg::new(
            format!("本案现处于“{}”，不能办理{}", facts.step.zh(), step.zh),
            format!(
                "The case is at \"{}\" now: {} cannot be taken",
                facts.step.en(),
                step.en
            ),
        )));
    }
    may_take(procedure, asked.step(), officer)?;
    let signs = match asked {
        Asked::Reopen => None,
        _ => match asked.step() {
            StepId::SecondReview => Some(Signed::SecondReview),
            StepId::SignOff => Some(Signed::SignOff),
            _ => None,
        },
    };
    if step.other_officer
        && asked != Asked::Reopen
        && let Some(other) = signed_other(facts, officer.name, signs)
    {
        return Err(four_eyes(other, &step.zh, &step.en));
    }
    let needs_reason = matches!(
        asked,
        Asked::NotAccept | Asked::SendBack | Asked::ReturnToSecondReview | Asked::Reopen
    );
    if needs_reason && note.trim().is_empty() {
        return Err(Refused::Invalid(Msg::new(
            "理由：退回、重新审核或不予受理时请写明理由",
            "Reason: say why when sending back, reopening or not accepting",
        )));
    }
    let open = |to, action| Plan {
        from: asked.from(),
        to,
        action,
        signs,
        back_to_first_review: false,
        reopen: false,
        status: None,
    };
    Ok(match asked {
        Asked::Accept => open(CaseStep::FirstReview, "accept"),
        Asked::NotAccept => Plan {
            status: Some(AppStatus::Rejected),
            ..open(CaseStep::NotAccepted, "not_accept")
        },
        Asked::Agree => {
            let to = if facts.approved_total >= procedure.sign_off_from
                && facts.approved_total > Decimal::ZERO
            {
                CaseStep::SignOff
            } else if facts.approved_total > Decimal::ZERO {
                CaseStep::NoticeReady
            } else {
                CaseStep::InForce
            };
            open(to, "agree")
        }
        Asked::SendBack => Plan {
            back_to_first_review: true,
            status: Some(AppStatus::Submitted),
            ..open(CaseStep::FirstReview, "send_back")
        },
        Asked::SignOff => open(CaseStep::NoticeReady, "sign_off"),
        Asked::ReturnToSecondReview => open(CaseStep::SecondReview, "return"),
        Asked::Reopen => Plan {
            reopen: true,
            ..open(CaseStep::SecondReview, "reopen")
        },
    })
}

/// The step of the procedure an officer handles while a case is at `step`, if any.
pub fn handled_step(step: CaseStep) -> Option<StepId> {
    Some(match step {
        CaseStep::Accept => StepId::Accept,
        CaseStep::FirstReview => StepId::FirstReview,
        CaseStep::SecondReview => StepId::SecondReview,
        CaseStep::SignOff => StepId::SignOff,
        CaseStep::NoticeReady => StepId::Notice,
        _ => return None,
    })
}

/// Whether `officer` may handle the step the case is at (take it, or be given it): the step's
/// role, and for a step another officer must take, no signature on another review step of the
/// round.
pub fn may_handle(
    procedure: &Procedure,
    facts: &Facts<'_>,
    officer: Officer<'_>,
) -> Result<(), Refused> {
    let Some(id) = handled_step(facts.step) else {
        return Err(Refused::Conflict(Msg::new(
            format!("本案处于“{}”，无需经办", facts.step.zh()),
            format!(
                "The case is at \"{}\": there is no step to handle",
                facts.step.en()
            ),
        )));
    };
    may_take(procedure, id, officer)?;
    let step = procedure.step(id);
    let own = match id {
        StepId::SecondReview => Some(Signed::SecondReview),
        StepId::SignOff => Some(Signed::SignOff),
        StepId::FirstReview => Some(Signed::FirstReview),
        _ => None,
    };
    if step.other_officer
        && let Some(other) = signed_other(facts, officer.name, own)
    {
        return Err(four_eyes(other, &step.zh, &step.en));
    }
    Ok(())
}

/// The period of a notice opened on `first`: its first and last day, or why not (`first`
/// before `today`, not a working day, or past the calendar).
pub fn notice_period(
    procedure: &Procedure,
    calendar: &Calendar,
    first: NaiveDate,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Refused> {
    let invalid = |zh: String, en: String| Err(Refused::Invalid(Msg::new(zh, en)));
    if first < today {
        return invalid(
            "公示首日：不能早于今天".into(),
            "First day: today or later".into(),
        );
    }
    match calendar.is_working_day(first) {
        None => invalid(
            format!("公示首日：工作日历不包括 {first}，请先添加该年的节假日安排"),
            format!(
                "First day: the calendar does not hold {first}; add that year's holidays first"
            ),
        ),
        Some(false) => invalid(
            format!("公示首日：{first} 不是工作日"),
            format!("First day: {first} is not a working day"),
        ),
        Some(true) => match calendar.add_working_days(first, procedure.notice_days - 1) {
            Some(last) => Ok((first, last)),
            None => invalid(
                "公示期超出工作日历，请先添加下一年的节假日安排".into(),
                "The notice runs past the calendar: add next year's holidays first".into(),
            ),
        },
    }
}

/// Why `officer` may not register a payment of the case, if they may not: the role, the
/// decision not yet in force, an undated trigger, or a signature on the round.
pub fn may_pay(
    procedure: &Procedure,
    facts: &Facts<'_>,
    officer: Officer<'_>,
    dated: bool,
) -> Result<(), Refused> {
    may_take(procedure, StepId::Payment, officer)?;
    if facts.step != CaseStep::InForce {
        return Err(Refused::Conflict(Msg::new(
            format!(
                "决定尚未生效（本案现处于“{}”）：公示期满无异议后才能拨付",
                facts.step.zh()
            ),
            format!(
                "The decision is not in force (the case is at \"{}\"): payments start once the public notice has passed",
                facts.step.en()
            ),
        )));
    }
    if !dated {
        return Err(Refused::Conflict(Msg::new(
            "此期款项的拨付条件尚未登记达成日期，不能拨付",
            "This installment's trigger has no date recorded: it cannot be paid yet",
        )));
    }
    let step = procedure.step(StepId::Payment);
    if step.other_officer
        && let Some(other) = signed_other(facts, officer.name, None)
    {
        return Err(four_eyes(other, &step.zh, &step.en));
    }
    Ok(())
}

/// When the step a case is at is due, and how many working days are left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// What is due: accepting it, a decision, or the end of its notice.
    pub what: StepId,
    pub on: NaiveDate,
    /// Working days from today to `on` (negative: overdue).
    pub left: i64,
    /// Whether the clock is stopped (waiting for the applicant's reply, 补正).
    pub paused: bool,
}

/// Working days the clock stood still for 补正 (from each request to its reply, or to today
/// while one is open), and whether one is open now.
/// Only requests made on or after `from` count.
pub fn paused_days(
    events: &[CaseEvent],
    calendar: &Calendar,
    from: NaiveDate,
    today: NaiveDate,
) -> (i64, bool) {
    let mut total = 0;
    let mut since: Option<NaiveDate> = None;
    for e in events.iter().filter(|e| e.day >= from) {
        match e.action.as_str() {
            "pause" if since.is_none() => since = Some(e.day),
            "resume" => {
                if let Some(from) = since.take() {
                    total += calendar.working_days_between(from, e.day).unwrap_or(0);
                }
            }
            _ => {}
        }
    }
    if let Some(from) = since {
        total += calendar.working_days_between(from, today).unwrap_or(0);
    }
    (total, since.is_some())
}

/// The deadline of the step a case is at: 受理 within the procedure's days of submission;
/// a decision (初审 to 审批) within its days of acceptance, 补正 time not counted; the end of
/// its notice. `None` for a case at no timed step, or past the calendar.
#[allow(clippy::too_many_arguments)]
pub fn due(
    procedure: &Procedure,
    calendar: &Calendar,
    step: CaseStep,
    submitted_on: NaiveDate,
    accepted_on: Option<NaiveDate>,
    events: &[CaseEvent],
    notice_last_day: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Due> {
    let counted_from = match step {
        CaseStep::Accept => submitted_on,
        _ => accepted_on.unwrap_or(submitted_on),
    };
    let (paused, open) = paused_days(events, calendar, counted_from, today);
    let extra = u32::try_from(paused.max(0)).unwrap_or(0);
    let (what, on) = match step {
        CaseStep::Accept => (
            StepId::Accept,
            calendar.add_working_days(submitted_on, procedure.accept_days + extra)?,
        ),
        CaseStep::FirstReview | CaseStep::SecondReview | CaseStep::SignOff => (
            StepId::SignOff,
            calendar.add_working_days(counted_from, procedure.decision_days + extra)?,
        ),
        CaseStep::Notice => (StepId::Notice, notice_last_day?),
        _ => return None,
    };
    let left = calendar.working_days_between(today, on)?;
    Some(Due {
        what,
        on,
        left,
        paused: open,
    })
}

/// A name as a public notice shows it: the first and last characters, the rest as `*`
/// (王*明, 欧阳**华, 李*); a single character as `*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 | 1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// What a public notice shows of an application: its masked name and the employer (or, for
/// someone not employed, the company they founded) from its answers; nothing else.
pub fn notice_case(app: &store::Application) -> store::NoticeCase {
    let profile: serde_json::Value = serde_json::from_str(&app.profile).unwrap_or_default();
    let text = |path: &[&str]| {
        path.iter()
            .try_fold(&profile, |v, k| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    store::NoticeCase {
        reference: app.summary.reference.clone(),
        masked_name: mask_name(&app.summary.applicant_name),
        employer: text(&["employment", "employer_name"])
            .or_else(|| text(&["startup", "company_name"]))
            .unwrap_or_default(),
    }
}

mod forms;
mod report;
pub use forms::{agreement_problems, objection_problems};
pub use report::{CaseHistory, MonthReport, StepLine, month_report};

#[cfg(test)]
mod tests;
