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
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Hr => "hr",
            Role::Auditor => "auditor",
            Role::Policy => "policy",
        }
    }

    pub fn from_id(s: &str) -> Option<Role> {
        match s {
            "reviewer" => Some(Role::Reviewer),
            "hr" => Some(Role::Hr),
            "auditor" => Some(Role::Auditor),
            "policy" => Some(Role::Policy),
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
    /// The privacy notice the applicant consented to (its version), at submission.
    pub notice_version: String,
    /// Files already kept (`Store::put_upload`) that this submission brings: they become its
    /// own in the transaction that saves it.
    pub uploads: Vec<String>,
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

/// The kinds of file an applicant may upload, recognised by their first bytes (never by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Pdf, FileKind::Jpeg, FileKind::Png];

    pub fn id(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
        }
    }

    pub fn from_id(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// How many first bytes [`FileKind::sniff`] needs.
    pub const HEAD: usize = 8;

    /// The kind the file's first bytes say it is: `%PDF-`, the JPEG start-of-image marker, or
    /// the PNG signature. Anything else (an executable, HTML, a renamed text) is `None`.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else {
            None
        }
    }
}

/// When a file came: with the application, or answering a request for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Application,
    Supplement,
}

impl Stage {
    pub fn id(self) -> &'static str {
        match self {
            Stage::Application => "application",
            Stage::Supplement => "supplement",
        }
    }
}

/// A received file to keep: its bytes are in a spool file the caller wrote.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub material: String,
    /// As the applicant's device named it: shown, never used as a path or a type.
    pub file_name: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
    pub stage: Stage,
}

/// A kept file, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: String,
    pub material: String,
    pub file_name: String,
    pub kind: FileKind,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
    pub supplement: bool,
}

/// An officer's check of one condition against its materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Verified,
    Failed,
    Pending,
}

impl Check {
    pub const ALL: [Check; 3] = [Check::Verified, Check::Failed, Check::Pending];

    pub fn id(self) -> &'static str {
        match self {
            Check::Verified => "verified",
            Check::Failed => "failed",
            Check::Pending => "pending",
        }
    }

    pub fn from_id(s: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Check::Verified => "核验通过",
            Check::Failed => "不通过",
            Check::Pending => "待补充",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Check::Verified => "Verified",
            Check::Failed => "Not met",
            Check::Pending => "Awaiting material",
        }
    }
}

/// One installment of an approved program, to become a scheduled payment.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPayment {
    pub amount: Decimal,
    pub trigger_zh: String,
    pub trigger_en: String,
    /// Due this many months after the approval; `None`: when its trigger happens.
    pub after_months: Option<u32>,
}

/// The decision on one program.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramDecision {
    pub program: String,
    pub approved: bool,
    /// Approved: the amount granted (at most `assessed`); refused: zero.
    pub amount: Decimal,
    /// What the assessment at submission gave.
    pub assessed: Decimal,
    /// Why it was refused, or approved for less; may be empty for a full approval.
    pub reason: String,
    /// Approved: its installments.
    pub payments: Vec<PlannedPayment>,
}

/// What an officer saves for one program: changed checks and, perhaps, the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramReview {
    pub program: String,
    /// The program's name for the audit log (`中文 / English`).
    pub program_name: String,
    /// Condition id, its name for the audit log, and the check.
    pub checks: Vec<(String, String, Check)>,
    pub decision: Option<ProgramDecision>,
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow {
    pub program: String,
    pub approved: bool,
    pub amount: Decimal,
    pub assessed: Decimal,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

/// A check as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub program: String,
    pub condition: String,
    pub check: Check,
    pub actor: String,
    pub at: String,
}

/// A payment on the schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub id: i64,
    pub reference: String,
    pub applicant_name: String,
    pub program: String,
    /// 1 for the first installment.
    pub seq: i64,
    pub amount: Decimal,
    pub trigger_zh: String,
    pub trigger_en: String,
    /// `YYYY-MM-DD`, or `None` while it waits for its trigger.
    pub due_on: Option<String>,
    pub paid: bool,
    pub paid_on: Option<String>,
    pub paid_by: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// Due on or before (dated payments only).
    pub due_before: Option<NaiveDate>,
    pub program: Option<String>,
    /// `Some(true)`: paid; `Some(false)`: to pay.
    pub paid: Option<bool>,
    pub application_id: Option<i64>,
}

/// What an officer did with personal information, as the access log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Opened an application's page.
    View,
    /// Read an application through the officers' JSON API.
    ViewApi,
    /// Asked for an application's full ID number.
    FullId,
    /// Exported the list (ID numbers masked).
    Export,
    /// Exported the list with full ID numbers.
    ExportFullIds,
    /// Downloaded an uploaded material.
    Download,
}

impl Access {
    pub const ALL: [Access; 6] = [
        Access::View,
        Access::ViewApi,
        Access::FullId,
        Access::Export,
        Access::ExportFullIds,
        Access::Download,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::ViewApi => "view_api",
            Access::FullId => "full_id",
            Access::Export => "export",
            Access::ExportFullIds => "export_full_ids",
            Access::Download => "download",
        }
    }

    pub fn from_id(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Access::View => "查看申请",
            Access::ViewApi => "通过接口读取申请",
            Access::FullId => "查看完整证件号",
            Access::Export => "导出申请列表（证件号遮盖）",
            Access::ExportFullIds => "导出申请列表（完整证件号）",
            Access::Download => "下载申报材料",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Access::View => "Viewed an application",
            Access::ViewApi => "Read an application through the API",
            Access::FullId => "Viewed a full ID number",
            Access::Export => "Exported the list (ID numbers masked)",
            Access::ExportFullIds => "Exported the list with full ID numbers",
            Access::Download => "Downloaded a material",
        }
    }
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub at: String,
    pub officer: String,
    pub role: String,
    pub action: Access,
    /// The application's reference (empty for a list export).
    pub reference: String,
    /// What else: the file downloaded, the rows exported and their filter.
    pub detail: String,
}

/// Which lines of the access log to read.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub officer: Option<String>,
    pub reference: Option<String>,
    pub action: Option<Access>,
    /// On or after / on or before (dates at UTC+8).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}
