//! Objections to cases on a public notice, and the reviewer's finding: dismissed, the case
//! stays on its notice (and passes once its period ends); upheld, it comes off the notice and
//! returns to 复审 in a new round whose 初审 is the one already done.
//!
//! Invariants: an objection is taken only for a case still on a notice running that day; the
//! objector's name, phone and statement are sealed; a finding is recorded once, and an upheld
//! one moves the case in the same transaction, from 公示 only.

use super::keys::Place;
use super::transitions::{current, move_step, step_of, transition};
use super::*;

/// An objection as the public form sends it.
#[derive(Debug, Clone)]
pub struct NewObjection<'a> {
    pub notice_id: i64,
    pub application_id: i64,
    /// The day it is received (UTC+8): the notice must run then.
    pub today: NaiveDate,
    pub name: &'a str,
    pub phone: &'a str,
    pub statement: &'a str,
    /// Files kept already (`Store::put_upload`) that it brings.
    pub uploads: &'a [String],
}

impl Store {
    /// Takes an objection to the case on the notice it names, if that notice runs on the day
    /// and the case is still on it. Returns its id (`None`: not taken).
    pub async fn add_objection(&self, o: &NewObjection<'_>) -> Result<Option<i64>> {
        let NewObjection {
            notice_id,
            application_id,
            today,
            name,
            phone,
            statement,
            uploads,
        } = *o;
        let done = async {
            let mut tx = self.write.begin().await?;
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notice_entries e JOIN notices n ON n.id = e.notice_id \
                 JOIN applications a ON a.id = e.application_id WHERE e.notice_id = $1 \
                 AND e.application_id = $2 AND e.withdrawn_at IS NULL AND e.cleared_at IS NULL \
                 AND n.first_day <= $3 AND n.last_day >= $3 AND a.step = 'notice'",
            )
            .bind(notice_id)
            .bind(application_id)
            .bind(today.to_string())
            .fetch_one(&mut *tx)
            .await?;
            if open != 1 {
                return Ok(None);
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO objections (notice_id, application_id, received_at, objector_name, \
                 objector_phone, statement) VALUES ($1, $2, $3, '', '', '') RETURNING id",
            )
            .bind(notice_id)
            .bind(application_id)
            .bind(stamp(Utc::now()))
            .fetch_one(&mut *tx)
            .await?;
            let place = |what: &str| format!("{}.{what}", Place::Objection.of(&id.to_string()));
            sqlx::query(
                "UPDATE objections SET objector_name = $1, objector_phone = $2, statement = $3 \
                 WHERE id = $4",
            )
            .bind(self.data_key().seal_text(name, &place("name")))
            .bind(self.data_key().seal_text(phone, &place("phone")))
            .bind(self.data_key().seal_text(statement, &place("statement")))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            // The files it brought: kept already, claimed by no application.
            for upload in uploads {
                sqlx::query(
                    "INSERT INTO objection_files (objection_id, upload_id) SELECT $1, id \
                     FROM uploads WHERE id = $2 AND application_id IS NULL",
                )
                .bind(id)
                .bind(upload)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(id))
        }
        .await;
        self.recycle.note(done)
    }

    /// The files sent with an objection to application `id` (reviewers and leaders only).
    pub async fn objection_files(&self, id: i64) -> Result<Vec<(i64, Upload)>> {
        let rows = sqlx::query(&format!(
            "SELECT f.objection_id, {} FROM objection_files f \
             JOIN objections o ON o.id = f.objection_id JOIN uploads u ON u.id = f.upload_id \
             WHERE o.application_id = $1 ORDER BY u.created_at",
            super::casework::UPLOAD_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("objection_id")?,
                    super::casework::upload_row(self, r)?,
                ))
            })
            .collect()
    }

    /// The objections to application `id`, oldest first.
    pub async fn objections(&self, id: i64) -> Result<Vec<Objection>> {
        let rows = sqlx::query(
            "SELECT id, notice_id, received_at, objector_name, objector_phone, statement, \
             finding, finding_note, found_by, found_at FROM objections WHERE application_id = $1 \
             ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let oid: i64 = r.try_get("id")?;
                let open = |col: &str, what: &str| -> Result<String> {
                    let sealed: String = r.try_get(col)?;
                    if sealed.is_empty() {
                        return Ok(sealed);
                    }
                    let place = format!("{}.{what}", Place::Objection.of(&oid.to_string()));
                    self.data_key()
                        .open_text(&sealed, &place)
                        .map_err(|e| StoreError::Corrupt(format!("objection {oid}: {e}")))
                };
                let finding: Option<String> = r.try_get("finding")?;
                Ok(Objection {
                    id: oid,
                    notice_id: r.try_get("notice_id")?,
                    received_at: r.try_get("received_at")?,
                    objector_name: open("objector_name", "name")?,
                    objector_phone: open("objector_phone", "phone")?,
                    statement: open("statement", "statement")?,
                    upheld: finding.map(|f| f == "upheld"),
                    finding_note: open("finding_note", "finding")?,
                    found_by: r.try_get("found_by")?,
                    found_at: r.try_get("found_at")?,
                })
            })
            .collect()
    }

    /// Records the finding on objection `objection` to `reference` (seen at `seen_version`):
    /// once. Upheld, the case comes off its notice and returns to 复审 in a new round, the
    /// proposals of 初审 standing with their officer.
    pub async fn find_objection(
        &self,
        reference: &str,
        objection: i64,
        seen_version: i64,
        actor: &str,
        upheld: bool,
        note: &str,
    ) -> std::result::Result<(), DecideError> {
        let done: std::result::Result<(), DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let (id, status, version) = current(&mut tx, "reference", reference).await?;
            if version != seen_version {
                return Err(DecideError::Changed(status));
            }
            let (step, round) = step_of(&mut tx, id).await?;
            let at = stamp(Utc::now());
            let place = format!("{}.finding", Place::Objection.of(&objection.to_string()));
            let found = sqlx::query(
                "UPDATE objections SET finding = $1, finding_note = $2, found_by = $3, \
                 found_at = $4 WHERE id = $5 AND application_id = $6 AND finding IS NULL",
            )
            .bind(if upheld { "upheld" } else { "dismissed" })
            .bind(self.data_key().seal_text(note, &place))
            .bind(actor)
            .bind(&at)
            .bind(objection)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            if found.rows_affected() != 1 {
                return Err(DecideError::Changed(status));
            }
            let words = if upheld {
                format!("异议成立，撤下公示，退回复审：{note} / Objection upheld: off the notice, back to the second review: {note}")
            } else {
                format!("异议不成立：{note} / Objection dismissed: {note}")
            };
            if upheld {
                if step != CaseStep::Notice {
                    return Err(DecideError::Step(step));
                }
                let notice: i64 = sqlx::query_scalar(
                    "SELECT notice_id FROM objections WHERE id = $1",
                )
                .bind(objection)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                sqlx::query(
                    "UPDATE notice_entries SET withdrawn_at = $1 WHERE notice_id = $2 \
                     AND application_id = $3",
                )
                .bind(&at)
                .bind(notice)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                // A new round: 复审 (and 审批) again, by any officer but the one of 初审.
                super::transitions::carry_first_review(&mut tx, id, round).await?;
                move_step(
                    &mut tx,
                    &self.key,
                    id,
                    CaseStep::Notice,
                    CaseStep::SecondReview,
                    "objection_upheld",
                    actor,
                    note,
                    today(),
                    true,
                )
                .await?;
            } else {
                super::transitions::event(
                    &mut tx,
                    &self.key,
                    id,
                    round,
                    "objection_dismissed",
                    step,
                    step,
                    actor,
                    note,
                    today(),
                )
                .await?;
            }
            transition(
                &mut tx, &self.key, id, version, status, status, actor, &words, None,
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
