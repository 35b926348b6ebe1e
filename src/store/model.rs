//! What the store keeps, as the rest of the service sees it.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

pub use crate::secrets::Secret;

/// The actor of audit entries written for the applicant (the submission itself).
pub const APPLICANT_ACTOR: &str = "applicant";

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppStatus {
    Submitted,
    MoreInfo,
    Approved,
    Rejected,
}

impl AppStatus {
    pub const ALL: [AppStatus; 4] = [
        AppStatus::Submitted,
        AppStatus::MoreInfo,
        AppStatus::Approved,
        AppStatus::Rejected,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AppStatus::Submitted => "submitted",
            AppStatus::MoreInfo => "more_info",
            AppStatus::Approved => "approved",
            AppStatus::Rejected => "rejected",
        }
    }

    pub fn from_id(s: &str) -> Option<AppStatus> {
        AppStatus::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AppStatus::Submitted => "待审核",
            AppStatus::MoreInfo => "需补充材料",
            AppStatus::Approved => "已批准",
            AppStatus::Rejected => "未获批准",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            AppStatus::Submitted => "Awaiting review",
            AppStatus::MoreInfo => "More information requested",
            AppStatus::Approved => "Approved",
            AppStatus::Rejected => "Rejected",
        }
    }

    /// Approval and rejection are final; a request for more information can be followed by
    /// another one, or by a decision.
    pub fn can_become(self, to: AppStatus) -> bool {
        matches!(self, AppStatus::Submitted | AppStatus::MoreInfo)
            && matches!(
                to,
                AppStatus::MoreInfo | AppStatus::Approved | AppStatus::Rejected
            )
    }
}

/// What an officer account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The park's talent office: sees and decides applications, runs batch checks.
    Reviewer,
    /// A company's HR: runs batch checks only.
    Hr,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Hr => "hr",
        }
    }

    pub fn from_id(s: &str) -> Option<Role> {
        match s {
            "reviewer" => Some(Role::Reviewer),
            "hr" => Some(Role::Hr),
            _ => None,
        }
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

#[derive(Debug, Clone)]
pub struct BatchRun {
    pub created_at: String,
    pub file_name: String,
    pub summary: String,
    pub results: String,
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
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_masked_but_for_both_ends() {
        assert_eq!(mask_id("32068219880315001X"), "3206**********001X");
        assert_eq!(mask_id("E12345678"), "E123*5678");
        assert_eq!(mask_id("1234567"), "*******");
    }

    #[test]
    fn an_attempt_beyond_the_limit_is_locked_until_its_window_ends() {
        let t = |m: u32| {
            DateTime::parse_from_rfc3339(&format!("2026-11-26T10:{m:02}:00+08:00")).unwrap()
        };
        let a = LoginAttempt {
            account: (6, t(0)),
            address: (2, t(5)),
        };
        assert_eq!(a.locked_beyond(5, Duration::minutes(15)), Some(t(15)));
        assert_eq!(a.locked_beyond(6, Duration::minutes(15)), None);
        let both = LoginAttempt {
            account: (6, t(0)),
            address: (9, t(5)),
        };
        assert_eq!(both.locked_beyond(5, Duration::minutes(15)), Some(t(20)));
    }

    #[test]
    fn decisions_are_final_and_only_officers_make_them() {
        use AppStatus::*;
        assert!(Submitted.can_become(Approved));
        assert!(MoreInfo.can_become(MoreInfo));
        assert!(!Approved.can_become(Rejected));
        assert!(!Rejected.can_become(MoreInfo));
        assert!(!Submitted.can_become(Submitted));
    }
}
