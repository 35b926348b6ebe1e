//! What casework records: uploaded files and their kinds, the stage they came at, condition
//! checks, program decisions and the payments they plan.

use super::*;

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
    /// Where its application is in the procedure: paid only once the decision is in force.
    pub step: CaseStep,
    /// The payee's account, masked (`****1234`), and bank, once the agreement is recorded.
    pub payee_account: Option<String>,
    pub payee_bank: Option<String>,
    /// Registrations of it reversed so far (a registration after one is a new one).
    pub reversals: i64,
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
