//! The park's procedure (办理流程) as the office wrote it in `policy/procedure.toml`: the steps
//! in order, the role that acts at each, which steps another officer must take (四眼), the
//! sign-off threshold, the time limits in working days and the length of the public notice.
//! Read with the policy and replaced with it on a reload, so a changed limit applies to every
//! step not yet taken (a deadline is counted from the procedure in force when it is shown).
//!
//! The steps' order is the brief's (§11) and is checked, not chosen: the file names each step
//! once, in that order, so the code's state machine and the file never disagree.

use rust_decimal::Decimal;

/// A step of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepId {
    /// 受理: the formal check of a submission.
    Accept,
    /// 初审: each condition checked, each program proposed.
    FirstReview,
    /// 复审: another officer agrees or sends the case back.
    SecondReview,
    /// 审批: a leader signs off a case at or above the threshold.
    SignOff,
    /// 公示: the approved list on public notice.
    Notice,
    /// 拨付: finance registers each installment paid.
    Payment,
}

impl StepId {
    /// Every step, in the procedure's order.
    pub const ALL: [StepId; 6] = [
        StepId::Accept,
        StepId::FirstReview,
        StepId::SecondReview,
        StepId::SignOff,
        StepId::Notice,
        StepId::Payment,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StepId::Accept => "accept",
            StepId::FirstReview => "first_review",
            StepId::SecondReview => "second_review",
            StepId::SignOff => "sign_off",
            StepId::Notice => "notice",
            StepId::Payment => "payment",
        }
    }

    pub fn from_id(s: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|x| x.id() == s)
    }
}

/// One step as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: StepId,
    pub zh: String,
    pub en: String,
    /// The officer role that acts at this step (`reviewer`, `approver`, `finance`).
    pub role: String,
    /// Whether the officer must be another than every officer who signed an earlier step of
    /// the same round (初审, 复审, 审批; for payment: whoever approved).
    pub other_officer: bool,
}

/// The procedure in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// In order: one per [`StepId`].
    pub steps: Vec<Step>,
    /// A case whose approved total is at or above this needs a leader's sign-off (审批).
    pub sign_off_from: Decimal,
    /// Working days after submission to accept it (受理).
    pub accept_days: u32,
    /// Working days from acceptance to a decision, the days waiting for a reply (补正) not
    /// counted.
    pub decision_days: u32,
    /// Working days a public notice lasts, its first day counted.
    pub notice_days: u32,
    /// Whom to contact about a notice (shown on it), Chinese and English.
    pub contact_zh: String,
    pub contact_en: String,
}

impl Procedure {
    pub fn step(&self, id: StepId) -> &Step {
        self.steps
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| unreachable!("a loaded procedure has every step"))
    }

    /// The procedure as modelled in the brief (§11), for a policy folder that has no
    /// `procedure.toml` (the tests' small folders); the park's folder always has one.
    pub fn modelled() -> Procedure {
        let step = |id, zh: &str, en: &str, role: &str, other_officer| Step {
            id,
            zh: zh.into(),
            en: en.into(),
            role: role.into(),
            other_officer,
        };
        Procedure {
            steps: vec![
                step(StepId::Accept, "受理", "Acceptance", "reviewer", false),
                step(
                    StepId::FirstReview,
                    "初审",
                    "First review",
                    "reviewer",
                    false,
                ),
                step(
                    StepId::SecondReview,
                    "复审",
                    "Second review",
                    "reviewer",
                    true,
                ),
                step(StepId::SignOff, "审批", "Sign-off", "approver", true),
                step(StepId::Notice, "公示", "Public notice", "approver", false),
                step(StepId::Payment, "拨付", "Payment", "finance", true),
            ],
            sign_off_from: Decimal::from(1_000_000),
            accept_days: 5,
            decision_days: 20,
            notice_days: 5,
            contact_zh: "园区人才工作办公室".into(),
            contact_en: "The park's talent office".into(),
        }
    }
}

impl Default for Procedure {
    fn default() -> Self {
        Procedure::modelled()
    }
}

/// The roles a step may name.
pub const ROLES: [&str; 3] = ["reviewer", "approver", "finance"];
