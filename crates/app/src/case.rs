//! An application's casework as the store holds it: its files, checks, program decisions,
//! the programs under review (in the result's order) and the payments planned. Read in one
//! place; the rules about what may happen to it are in `casework`.

use crate::stored::StoredResult;
use rust_decimal::Decimal;
use store::{
    Agreement, CaseEvent, Check, CheckRow, DecisionRow, Notice, Objection, Payment, PaymentFilter,
    ProgramRow, Signer, Store, StoreError, Upload,
};

/// What an application's casework holds.
pub struct Case {
    pub files: Vec<Upload>,
    pub decisions: Vec<DecisionRow>,
    pub checks: Vec<CheckRow>,
    pub under_review: Vec<ProgramRow>,
    pub payments: Vec<Payment>,
    /// Who signed its review steps, every round.
    pub signers: Vec<Signer>,
    /// Its timeline.
    pub events: Vec<CaseEvent>,
    /// The latest public notice it was put on.
    pub notice: Option<Notice>,
    /// Objections to it on its notices (the objectors' details: reviewers and leaders only).
    pub objections: Vec<Objection>,
    /// Files sent with those objections: (objection id, file).
    pub objection_files: Vec<(i64, Upload)>,
    /// Funding agreements recorded, with the payee's account.
    pub agreements: Vec<Agreement>,
}

impl Case {
    pub async fn read(store: &Store, app: &store::Application) -> Result<Case, StoreError> {
        let id = app.summary.id;
        // In the order the result lists them (the policy's).
        let order = StoredResult::parse(&app.result)
            .map(|r| r.programs.into_iter().map(|p| p.id).collect::<Vec<_>>())
            .unwrap_or_default();
        let mut under_review = store.programs_under_review(id).await?;
        under_review.sort_by_key(|p| order.iter().position(|o| *o == p.program));
        Ok(Case {
            files: store.uploads(id).await?,
            decisions: store.decisions(id).await?,
            checks: store.checks(id).await?,
            under_review,
            payments: store
                .payments(&PaymentFilter {
                    application_id: Some(id),
                    ..Default::default()
                })
                .await?,
            signers: store.signers(id).await?,
            events: store.case_events(id).await?,
            notice: store.notice_of(id).await?,
            objections: store.objections(id).await?,
            objection_files: store.objection_files(id).await?,
            agreements: store.agreements(id).await?,
        })
    }

    /// The total approved in the current round's decisions.
    pub fn approved_total(&self) -> Decimal {
        self.decisions
            .iter()
            .filter(|d| d.approved)
            .map(|d| d.amount)
            .sum()
    }

    /// The case as the procedure's rules read it.
    pub fn facts<'a>(&'a self, app: &store::ApplicationSummary) -> crate::procedure::Facts<'a> {
        crate::procedure::Facts {
            step: app.step,
            round: app.review_round,
            status: app.status,
            signers: &self.signers,
            approved_total: self.approved_total(),
        }
    }

    /// When the step the case is at is due (see `procedure::due`).
    pub fn due(
        &self,
        app: &store::ApplicationSummary,
        policy: &rules::policy::Policy,
        today: chrono::NaiveDate,
    ) -> Option<crate::procedure::Due> {
        let submitted = store::parse_day(app.submitted_at.get(..10).unwrap_or_default())?;
        crate::procedure::due(
            &policy.procedure,
            &policy.calendar,
            app.step,
            submitted,
            app.accepted_on,
            &self.events,
            self.notice.as_ref().map(|n| n.last_day),
            today,
        )
    }

    /// Whether a timeline entry brought the decision into force (the notice passed, or —
    /// nothing granted — 复审 agreed): what a decision letter and message answer.
    pub fn came_into_force(e: &CaseEvent) -> bool {
        e.to == store::CaseStep::InForce && e.from != store::CaseStep::InForce
    }

    /// Each registration of a payment as paid: what it is known by (`p<id>`, and `p<id>.<n>`
    /// for a registration after `n` reversals), its day, the payment.
    pub fn registrations(&self) -> impl Iterator<Item = (String, chrono::NaiveDate, &Payment)> {
        self.payments.iter().filter(|p| p.paid).filter_map(|p| {
            let day = p.paid_on.as_deref().and_then(store::parse_day)?;
            Some((registration(p), day, p))
        })
    }

    /// The decision made on a program, if any.
    pub fn decision(&self, program: &str) -> Option<&DecisionRow> {
        self.decisions.iter().find(|d| d.program == program)
    }

    /// The check recorded on one of a program's conditions, if any.
    pub fn check(&self, program: &str, condition: &str) -> Option<Check> {
        self.checks
            .iter()
            .find(|c| c.program == program && c.condition == condition)
            .map(|c| c.check)
    }
}

/// What a payment's registration is known by (see [`Case::registrations`]).
pub fn registration(p: &Payment) -> String {
    if p.reversals == 0 {
        format!("p{}", p.id)
    } else {
        format!("p{}.{}", p.id, p.reversals)
    }
}
