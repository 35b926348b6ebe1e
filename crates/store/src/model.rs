//! What the store keeps, as the rest of the service sees it.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

pub use crate::secrets::Secret;

mod access;
mod casework;
mod procedure;
pub use access::*;
pub use casework::*;
pub use procedure::*;

/// The actor of audit entries written for the applicant (the submission itself).
pub const APPLICANT_ACTOR: &str = "applicant";

/// The actor of what happens by the calendar (a notice period ending).
pub const SYSTEM_ACTOR: &str = "system";

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppStatus {
    Submitted,
    MoreInfo,
    /// Some programs approved, others not decided yet.
    Partial,
    /// Every program under review decided, one by one.
    Closed,
    /// Decided as a whole: every program approved at its assessed amount.
    Approved,
    /// Decided as a whole: every program refused.
    Rejected,
    /// Withdrawn by the applicant before any decision.
    Withdrawn,
}

impl AppStatus {
    pub const ALL: [AppStatus; 7] = [
        AppStatus::Submitted,
        AppStatus::MoreInfo,
        AppStatus::Partial,
        AppStatus::Closed,
        AppStatus::Approved,
        AppStatus::Rejected,
        AppStatus::Withdrawn,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AppStatus::Submitted => "submitted",
            AppStatus::MoreInfo => "more_info",
            AppStatus::Partial => "partial",
            AppStatus::Closed => "closed",
            AppStatus::Approved => "approved",
            AppStatus::Rejected => "rejected",
            AppStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_id(s: &str) -> Option<AppStatus> {
        AppStatus::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AppStatus::Submitted => "待审核",
            AppStatus::MoreInfo => "需补充材料",
            AppStatus::Partial => "部分批准",
            AppStatus::Closed => "已办结",
            AppStatus::Approved => "已批准",
            AppStatus::Rejected => "未获批准",
            AppStatus::Withdrawn => "已撤回",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            AppStatus::Submitted => "Awaiting review",
            AppStatus::MoreInfo => "More information requested",
            AppStatus::Partial => "Partly approved",
            AppStatus::Closed => "Closed",
            AppStatus::Approved => "Approved",
            AppStatus::Rejected => "Rejected",
            AppStatus::Withdrawn => "Withdrawn",
        }
    }

    /// Still under review: programs can be checked and decided, more can be asked for.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AppStatus::Submitted | AppStatus::MoreInfo | AppStatus::Partial
        )
    }

    /// The applicant may withdraw it: nothing is decided yet (no program either).
    pub fn can_withdraw(self) -> bool {
        matches!(self, AppStatus::Submitted | AppStatus::MoreInfo)
    }

    /// Decided for good: kept as an archive for the retention period, then erased.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            AppStatus::Approved | AppStatus::Rejected | AppStatus::Closed
        )
    }

    /// The moves an officer makes on the application as a whole. Approval, rejection and
    /// closing are final; more information can be asked for while it is open; the whole is
    /// approved or rejected only before any program has been approved on its own (the console
    /// also refuses it once any program is decided on its own; partial
    /// approval and closing follow from program decisions, never from this).
    pub fn can_become(self, to: AppStatus) -> bool {
        match to {
            AppStatus::MoreInfo => self.is_open(),
            AppStatus::Approved | AppStatus::Rejected => {
                matches!(self, AppStatus::Submitted | AppStatus::MoreInfo)
            }
            _ => false,
        }
    }
}

/// What an officer account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The park's talent office: sees and decides applications, runs batch checks.
    Reviewer,
    /// A company's HR: runs batch checks only.
    Hr,
    /// Reads the access log (who saw which personal information), nothing else.
    Auditor,
    /// The policy office: the policy files, drafts of parameter changes and their
    /// simulations; no application and no batch check.
    Policy,
    /// A leader (分管领导): signs off cases at or above the threshold, opens public notices.
    Approver,
    /// Finance: registers payments; sees payments and payees, not the answers.
    Finance,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Reviewer,
        Role::Hr,
        Role::Auditor,
        Role::Policy,
        Role::Approver,
        Role::Finance,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Hr => "hr",
            Role::Auditor => "auditor",
            Role::Policy => "policy",
            Role::Approver => "approver",
            Role::Finance => "finance",
        }
    }

    pub fn from_id(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == s)
    }
}

/// One program's outcome, as saved with an application.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramRow {
    pub program: String,
    pub status: String,
    pub amount: Decimal,
}

/// A submission to save: the profile and its result as JSON, and the columns lists filter on.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// The same key sent again with the same request answers with the first submission
    /// instead of a new one; with another request it is refused. Callers scope the key to its
    /// client (`api:…`, `form:…`).
    pub idempotency_key: Option<String>,
    /// SHA-256 (hex) of the request the key came with.
    pub request_hash: String,
    pub applicant_name: String,
    pub id_number: String,
    pub tier: String,
    pub total: Decimal,
    pub policy_version: String,
    pub application_date: NaiveDate,
    pub profile: String,
    pub result: String,
    pub programs: Vec<ProgramRow>,
    /// The privacy notice the applicant consented to (its version), at submission.
    pub notice_version: String,
    /// Files already kept (`Store::put_upload`) that this submission brings: they become its
    /// own in the transaction that saves it.
    pub uploads: Vec<String>,
    /// Where the applicant wants to be told of their application's steps (optional).
    pub contact: Contact,
}

/// What was decided and paid on an application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecidedFigures {
    /// Programs decided (approved or refused).
    pub decided: i64,
    /// The total approved.
    pub approved: Decimal,
    /// The total registered paid.
    pub paid: Decimal,
}

/// An applicant's mobile number and e-mail address for messages (each may be empty), and
/// whether their messages may carry the status link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub mobile: String,
    pub email: String,
    pub send_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub reference: String,
    /// The secret in the applicant's status link.
    pub status_token: String,
    /// False when the idempotency key had been seen: this is the earlier submission.
    pub created: bool,
}

#[derive(Debug, Clone)]
pub struct ApplicationSummary {
    pub id: i64,
    pub reference: String,
    pub submitted_at: String,
    pub applicant_name: String,
    pub id_number: String,
    pub tier: String,
    pub total: Decimal,
    pub policy_version: String,
    pub application_date: String,
    pub status: AppStatus,
    /// The latest decision's note, which the applicant sees.
    pub note: String,
    pub updated_at: String,
    /// Counts decisions: an officer decides on the version they saw, and only one of two
    /// decisions made on the same version is recorded.
    pub version: i64,
    /// The materials the latest request for more information asked for (ids).
    pub missing_materials: Vec<String>,
    /// The privacy notice consented to and when (empty for applications made before notices).
    pub notice_version: String,
    pub consented_at: String,
    /// When the personal fields were erased after the retention period: the name, the ID
    /// number and the profile are then empty.
    pub erased_at: Option<String>,
    /// Where it is in the procedure, in which review round, and the day it was accepted.
    pub step: CaseStep,
    pub review_round: i64,
    pub accepted_on: Option<NaiveDate>,
    /// Who handles the step it is at (经办人); `None`: in the unassigned queue.
    pub handler: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub summary: ApplicationSummary,
    pub profile: String,
    pub result: String,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<AppStatus>,
    /// At this step of the procedure.
    pub step: Option<CaseStep>,
    /// Handled by this officer (`Some("")`: by nobody yet, the unassigned queue).
    pub handler: Option<String>,
    /// Applications eligible for this program.
    pub program: Option<String>,
    pub tier: Option<String>,
    /// Submitted on or after / on or before (dates at UTC+8).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A reference number, a name or an ID number, matched exactly (references and ID
    /// numbers without regard to case).
    pub search: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Officer {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    pub password_hash: Secret,
}

/// A sign-in attempt as counted before its password is checked: how many attempts the
/// account and the address have made in their current windows (this one included), and when
/// each window started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    pub account: (i64, DateTime<FixedOffset>),
    pub address: (i64, DateTime<FixedOffset>),
}

impl LoginAttempt {
    /// When the lockout ends if the account or the address has made more than `allowed`
    /// attempts (counting this one) in its window.
    pub fn locked_beyond(&self, allowed: i64, window: Duration) -> Option<DateTime<FixedOffset>> {
        [self.account, self.address]
            .into_iter()
            .filter(|(n, _)| *n > allowed)
            .map(|(_, start)| start + window)
            .max()
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub officer: Officer,
    /// The token every changing form of this session must carry.
    pub csrf: String,
}

/// A batch check in its officer's list.
#[derive(Debug, Clone)]
pub struct BatchListed {
    pub token: String,
    pub created_at: String,
    pub file_name: String,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct BatchRun {
    pub created_at: String,
    pub file_name: String,
    pub summary: String,
    pub results: String,
    /// The results as an .xlsx workbook (none for checks kept before workbooks were).
    pub workbook: Option<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such application")]
    NotFound,
    /// Someone decided since the officer looked: the status now.
    #[error("the application is now {}: someone decided it meanwhile", .0.id())]
    Changed(AppStatus),
    #[error("an application that is {} cannot become {}", .0.id(), .1.id())]
    NotAllowed(AppStatus, AppStatus),
    /// The case is at another step of the procedure now.
    #[error("the case is now at step {}", .0.id())]
    Step(CaseStep),
    /// The officer signed another review step of this round (四眼原则).
    #[error("the same officer cannot sign two review steps of one case")]
    SameOfficer,
    /// Another officer signed this step of the round: who.
    #[error("{0} is handling this step")]
    Taken(String),
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

/// An ID number as lists, exports and logs show it: the first four and the last four
/// characters, the rest as `*` (`3206**********001X`).
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..4]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 8))
        .chain(&chars[n - 4..])
        .collect()
}

#[cfg(test)]
mod tests;
