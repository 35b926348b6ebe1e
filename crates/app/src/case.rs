//! An application's casework as the store holds it: its files, checks, program decisions,
//! the programs under review (in the result's order) and the payments planned. Read in one
//! place; the rules about what may happen to it are in `casework`.

use crate::stored::StoredResult;
use store::{
    Check, CheckRow, DecisionRow, Payment, PaymentFilter, ProgramRow, Store, StoreError, Upload,
};

/// What an application's casework holds.
pub struct Case {
    pub files: Vec<Upload>,
    pub decisions: Vec<DecisionRow>,
    pub checks: Vec<CheckRow>,
    pub under_review: Vec<ProgramRow>,
    pub payments: Vec<Payment>,
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
