//! What the procedure records: the step a case is at, the officers who signed each review step
//! of a round, the case's timeline, and public notices.

use super::*;

/// Where a case is in the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStep {
    /// 待受理: submitted, not yet accepted.
    Accept,
    /// 初审: accepted; programs being checked and proposed.
    FirstReview,
    /// 复审: every program proposed; another officer agrees or sends it back.
    SecondReview,
    /// 审批: agreed, at or above the sign-off threshold; a leader signs off.
    SignOff,
    /// 待公示: approved, waiting to be put on a public notice.
    NoticeReady,
    /// 公示中: on a public notice.
    Notice,
    /// 决定生效: the notice passed with no objection upheld (公示无异议), or nothing was
    /// approved; approved installments can be paid.
    InForce,
    /// 不予受理: not accepted.
    NotAccepted,
    /// 已撤回: withdrawn by the applicant.
    Withdrawn,
}

impl CaseStep {
    pub const ALL: [CaseStep; 9] = [
        CaseStep::Accept,
        CaseStep::FirstReview,
        CaseStep::SecondReview,
        CaseStep::SignOff,
        CaseStep::NoticeReady,
        CaseStep::Notice,
        CaseStep::InForce,
        CaseStep::NotAccepted,
        CaseStep::Withdrawn,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CaseStep::Accept => "accept",
            CaseStep::FirstReview => "first_review",
            CaseStep::SecondReview => "second_review",
            CaseStep::SignOff => "sign_off",
            CaseStep::NoticeReady => "notice_ready",
            CaseStep::Notice => "notice",
            CaseStep::InForce => "in_force",
            CaseStep::NotAccepted => "not_accepted",
            CaseStep::Withdrawn => "withdrawn",
        }
    }

    pub fn from_id(s: &str) -> Option<CaseStep> {
        CaseStep::ALL.into_iter().find(|x| x.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CaseStep::Accept => "待受理",
            CaseStep::FirstReview => "初审",
            CaseStep::SecondReview => "复审",
            CaseStep::SignOff => "审批",
            CaseStep::NoticeReady => "待公示",
            CaseStep::Notice => "公示中",
            CaseStep::InForce => "决定生效",
            CaseStep::NotAccepted => "不予受理",
            CaseStep::Withdrawn => "已撤回",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CaseStep::Accept => "Awaiting acceptance",
            CaseStep::FirstReview => "First review",
            CaseStep::SecondReview => "Second review",
            CaseStep::SignOff => "Sign-off",
            CaseStep::NoticeReady => "Awaiting public notice",
            CaseStep::Notice => "On public notice",
            CaseStep::InForce => "Decision in force",
            CaseStep::NotAccepted => "Not accepted",
            CaseStep::Withdrawn => "Withdrawn",
        }
    }
}

/// A review step an officer signs, once per round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    FirstReview,
    SecondReview,
    SignOff,
}

impl Signed {
    pub fn id(self) -> &'static str {
        match self {
            Signed::FirstReview => "first_review",
            Signed::SecondReview => "second_review",
            Signed::SignOff => "sign_off",
        }
    }

    pub fn from_id(s: &str) -> Option<Signed> {
        [Signed::FirstReview, Signed::SecondReview, Signed::SignOff]
            .into_iter()
            .find(|x| x.id() == s)
    }
}

/// Who signed a review step of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub round: i64,
    pub step: Signed,
    pub actor: String,
    pub at: String,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// Its number in the database (what a letter answering it names).
    pub id: i64,
    pub round: i64,
    /// What happened (`accept`, `agree`, `send_back`, `publish`, `cleared`, `pause`, …).
    pub action: String,
    pub from: CaseStep,
    pub to: CaseStep,
    pub actor: String,
    pub at: String,
    /// The day at UTC+8 (`YYYY-MM-DD`): what working days are counted from.
    pub day: NaiveDate,
    pub note: String,
}

/// A move of a case from one step to another, as the procedure's rules allowed it: the store
/// applies it only if the case is still at `from` and at the version the officer saw, and
/// records the signature (refused by the database if the officer signed another step of the
/// round, or another officer signed this one).
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub reference: &'a str,
    pub seen_version: i64,
    pub from: CaseStep,
    pub to: CaseStep,
    pub actor: &'a str,
    /// What the timeline calls it (`accept`, `agree`, `send_back`, `sign_off`, …).
    pub action: &'a str,
    /// The officer's reason or note (sealed); words for the audit log are made from it.
    pub note: &'a str,
    /// The review step this move signs, if any.
    pub signs: Option<Signed>,
    /// Sending the case back to 初审: this round's decisions are voided (kept), its planned
    /// payments dropped, the round counts up and the application is open for review again.
    pub back_to_first_review: bool,
    /// Reopening a decided case: a new round whose 初审 is the one already done (its
    /// decisions and any payments made stand), back at 复审.
    pub reopen: bool,
    /// The application's status after the move (`None`: as it is).
    pub status: Option<AppStatus>,
    /// The day at UTC+8 the move happens (accepting sets `accepted_on` to it).
    pub day: NaiveDate,
}

/// A case to put on a notice: what the public may read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeCase {
    pub reference: String,
    pub masked_name: String,
    pub employer: String,
}

/// A notice as the public page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub entries: Vec<NoticeEntry>,
}

/// One case on a notice.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeEntry {
    pub application_id: i64,
    pub reference: String,
    pub masked_name: String,
    pub employer: String,
    /// Each approved program and its amount.
    pub lines: Vec<(String, Decimal)>,
    /// Taken off the notice (an objection upheld).
    pub withdrawn: bool,
    pub cleared: bool,
}

/// An objection to a case on a notice, as reviewers and leaders read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub received_at: String,
    pub objector_name: String,
    pub objector_phone: String,
    pub statement: String,
    /// `Some(true)`: upheld; `Some(false)`: dismissed; `None`: not yet found on.
    pub upheld: Option<bool>,
    pub finding_note: String,
    pub found_by: Option<String>,
    pub found_at: Option<String>,
}

/// A funding agreement as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub program: String,
    pub signed_on: NaiveDate,
    pub bank_name: String,
    /// The whole account number (finance's confirmation only).
    pub account: String,
    pub recorded_by: String,
}

impl Agreement {
    /// The account as lists show it: its last four digits.
    pub fn account_masked(&self) -> String {
        mask_account(&self.account)
    }
}

/// An account number with all but its last four digits hidden (`****1234`).
pub fn mask_account(account: &str) -> String {
    let digits: Vec<char> = account
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}
