//! Who handles a case's current step (经办人): taken from the unassigned queue (of two
//! officers taking one case at once, one does), handed over with a reason, or assigned in bulk.
//!
//! Invariant: every change is a conditional update on the step (and the handler) read, with
//! its timeline entry in the same transaction; moving to another step empties the handler
//! (`transitions::move_step`).

use super::transitions::{event, step_of};
use super::*;

impl Store {
    /// `actor` takes the case at `step` if nobody handles it. `Err(Taken(by))` when someone
    /// does; `Err(Step(now))` when it moved on.
    pub async fn take_case(
        &self,
        reference: &str,
        step: CaseStep,
        actor: &str,
    ) -> std::result::Result<(), DecideError> {
        self.set_handler(reference, step, None, actor, actor, "take", "")
            .await
    }

    /// Gives an unassigned case at `step` to `to` (a bulk assignment): `Err(Taken(by))` when
    /// someone handles it already.
    pub async fn assign_case(
        &self,
        reference: &str,
        step: CaseStep,
        to: &str,
        actor: &str,
    ) -> std::result::Result<(), DecideError> {
        self.set_handler(reference, step, None, to, actor, "assign", "")
            .await
    }

    /// The handler (`from`, or anyone when `None`) hands the case at `step` to `to`, saying why.
    #[allow(clippy::too_many_arguments)]
    pub async fn hand_over(
        &self,
        reference: &str,
        step: CaseStep,
        from: Option<&str>,
        to: &str,
        actor: &str,
        reason: &str,
    ) -> std::result::Result<(), DecideError> {
        self.set_handler(
            reference,
            step,
            from.or(Some("")),
            to,
            actor,
            "hand_over",
            reason,
        )
        .await
    }

    /// Sets the handler of the case at `step`: only when it is now `from` (`None`: nobody;
    /// `Some("")`: whoever).
    #[allow(clippy::too_many_arguments)]
    async fn set_handler(
        &self,
        reference: &str,
        step: CaseStep,
        from: Option<&str>,
        to: &str,
        actor: &str,
        action: &str,
        reason: &str,
    ) -> std::result::Result<(), DecideError> {
        let done: std::result::Result<(), DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let row = sqlx::query("SELECT id, handler FROM applications WHERE reference = $1")
                .bind(reference)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .ok_or(DecideError::NotFound)?;
            let id: i64 = row.try_get("id").map_err(StoreError::from)?;
            let (clause, bind) = match from {
                None => ("handler IS NULL", None),
                Some("") => ("1 = 1", None),
                Some(h) => ("handler = $4", Some(h)),
            };
            let sql = format!(
                "UPDATE applications SET handler = $1 WHERE id = $2 AND step = $3 AND {clause}"
            );
            let mut q = sqlx::query(&sql);
            q = q.bind(to).bind(id).bind(step.id());
            if let Some(h) = bind {
                q = q.bind(h);
            }
            let changed = q.execute(&mut *tx).await.map_err(StoreError::from)?;
            if changed.rows_affected() != 1 {
                let (now, _) = step_of(&mut tx, id).await?;
                if now != step {
                    return Err(DecideError::Step(now));
                }
                let by: Option<String> =
                    sqlx::query_scalar("SELECT handler FROM applications WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(StoreError::from)?;
                return Err(DecideError::Taken(by.unwrap_or_default()));
            }
            let (_, round) = step_of(&mut tx, id).await?;
            let note = if reason.is_empty() {
                to.to_string()
            } else {
                format!("{to}：{reason}")
            };
            event(
                &mut tx,
                &self.key,
                id,
                round,
                action,
                step,
                step,
                actor,
                &note,
                today(),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(())
        }
        .await;
        if let Err(DecideError::Store(e)) = &done {
            self.recycle.saw(e);
        }
        done
    }
}
