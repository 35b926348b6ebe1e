//! The procedure's moves (受理, 复审, 审批, 公示 and its end) as the casework rules allowed
//! them, and what the timeline, the signatures and the public notices read back.
//!
//! Invariants: a move happens only from the step and the version the officer saw (of two
//! officers acting at once, one does); the database refuses an officer signing two review
//! steps of one round; a notice period ends once per case however many instances sweep at
//! once (the entry's `cleared_at` is set by a conditional update in the same transaction as
//! the case's move).

use super::keys::Place;
use super::transitions::{current, move_step, sign, step_of, transition, void_round};
use super::*;

impl Store {
    /// Applies a move the procedure's rules allowed (see [`Move`]).
    pub async fn advance(&self, m: &Move<'_>) -> std::result::Result<(), DecideError> {
        let done: std::result::Result<(), DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let (id, status, version) = current(&mut tx, "reference", m.reference).await?;
            if version != m.seen_version {
                return Err(DecideError::Changed(status));
            }
            let (step, round) = step_of(&mut tx, id).await?;
            if step != m.from {
                return Err(DecideError::Step(step));
            }
            if let Some(s) = m.signs {
                sign(&mut tx, id, round, s, m.actor).await?;
            }
            if m.back_to_first_review {
                void_round(&mut tx, id, round, m.actor).await?;
            }
            if m.reopen {
                super::transitions::carry_first_review(&mut tx, id, round).await?;
            }
            move_step(
                &mut tx,
                &self.key,
                id,
                m.from,
                m.to,
                m.action,
                m.actor,
                m.note,
                m.day,
                m.back_to_first_review || m.reopen,
            )
            .await?;
            let words = format!(
                "{} → {} / {} → {}{}",
                m.from.zh(),
                m.to.zh(),
                m.from.en(),
                m.to.en(),
                if m.note.is_empty() {
                    String::new()
                } else {
                    format!("：{}", m.note)
                }
            );
            let to = m.status.unwrap_or(status);
            let shown = (to != status).then_some(m.note);
            transition(
                &mut tx, &self.key, id, version, status, to, m.actor, &words, shown,
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

    /// Who signed the review steps of application `id`, every round, in order.
    pub async fn signers(&self, id: i64) -> Result<Vec<Signer>> {
        let rows = sqlx::query(
            "SELECT review_round, step, actor, at FROM case_signers WHERE application_id = $1 \
             ORDER BY review_round, at",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let step: String = r.try_get("step")?;
                Ok(Signer {
                    round: r.try_get("review_round")?,
                    step: Signed::from_id(&step)
                        .ok_or_else(|| StoreError::Corrupt(format!("signed = {step:?}")))?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Application `id`'s timeline, oldest first.
    pub async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT id, review_round, action, from_step, to_step, actor, at, day, note \
             FROM case_events WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let row_id = id.to_string();
        rows.iter()
            .map(|r| {
                let step = |col: &str| -> Result<CaseStep> {
                    let s: String = r.try_get(col)?;
                    CaseStep::from_id(&s)
                        .ok_or_else(|| StoreError::Corrupt(format!("{col} = {s:?}")))
                };
                let day: String = r.try_get("day")?;
                let note: String = r.try_get("note")?;
                Ok(CaseEvent {
                    id: r.try_get("id")?,
                    round: r.try_get("review_round")?,
                    action: r.try_get("action")?,
                    from: step("from_step")?,
                    to: step("to_step")?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                    day: parse_day(&day)
                        .ok_or_else(|| StoreError::Corrupt(format!("day = {day:?}")))?,
                    note: if note.is_empty() {
                        note
                    } else {
                        self.open_sealed(&note, Place::CaseEvent, &row_id)?
                    },
                })
            })
            .collect()
    }

    /// Opens a public notice from `first` to `last` with the cases given, each of which must be
    /// waiting for one (待公示) at the version the approver saw: all go on it or none.
    /// Returns the notice's number.
    pub async fn publish_notice(
        &self,
        actor: &str,
        first: NaiveDate,
        last: NaiveDate,
        cases: &[(NoticeCase, i64)],
    ) -> std::result::Result<i64, DecideError> {
        let done: std::result::Result<i64, DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let notice: i64 = sqlx::query_scalar(
                "INSERT INTO notices (first_day, last_day, created_by, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(first.to_string())
            .bind(last.to_string())
            .bind(actor)
            .bind(stamp(Utc::now()))
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            for (c, seen_version) in cases {
                let (id, status, version) = current(&mut tx, "reference", &c.reference).await?;
                if version != *seen_version {
                    return Err(DecideError::Changed(status));
                }
                let (_, round) = step_of(&mut tx, id).await?;
                sqlx::query(
                    "INSERT INTO notice_entries (notice_id, application_id, review_round, \
                     masked_name, employer) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(notice)
                .bind(id)
                .bind(round)
                .bind(&c.masked_name)
                .bind(&c.employer)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                sqlx::query(
                    "INSERT INTO notice_lines (notice_id, application_id, program, amount) \
                     SELECT $1, application_id, program, amount FROM program_decisions \
                     WHERE application_id = $2 AND decision = 'approved'",
                )
                .bind(notice)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                let words = format!("公示 {first} 至 {last} / on public notice {first} to {last}");
                move_step(
                    &mut tx,
                    &self.key,
                    id,
                    CaseStep::NoticeReady,
                    CaseStep::Notice,
                    "publish",
                    actor,
                    // The timeline says it in the reader's language; the audit log keeps words.
                    "",
                    today(),
                    false,
                )
                .await?;
                transition(
                    &mut tx, &self.key, id, version, status, status, actor, &words, None,
                )
                .await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            Ok(notice)
        }
        .await;
        if let Err(DecideError::Store(e)) = &done {
            self.recycle.saw(e);
        }
        done
    }

    /// Ends the notice period of every case whose notice's last day is before `today`, that
    /// is still on it and has no objection waiting for a finding: 公示无异议, the decision in
    /// force. Each case in its own
    /// transaction, claimed by a conditional update, so two instances sweeping at once (or a
    /// sweep cut short by a restart and run again) end each case once. Returns the references
    /// it ended.
    pub async fn close_notices(&self, today: NaiveDate) -> Result<Vec<String>> {
        let due = sqlx::query(
            "SELECT e.notice_id, e.application_id, a.reference, n.last_day FROM notice_entries e \
             JOIN notices n ON n.id = e.notice_id JOIN applications a ON a.id = e.application_id \
             WHERE n.last_day < $1 AND e.withdrawn_at IS NULL AND e.cleared_at IS NULL \
             AND a.step = 'notice' AND NOT EXISTS (SELECT 1 FROM objections o \
             WHERE o.notice_id = e.notice_id AND o.application_id = e.application_id \
             AND o.finding IS NULL) ORDER BY e.notice_id, e.application_id",
        )
        .bind(today.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut ended = Vec::new();
        for row in &due {
            let notice: i64 = row.try_get("notice_id")?;
            let id: i64 = row.try_get("application_id")?;
            let reference: String = row.try_get("reference")?;
            let last_day: String = row.try_get("last_day")?;
            let done: std::result::Result<bool, DecideError> = async {
                let mut tx = self.write.begin().await.map_err(StoreError::from)?;
                let claimed = sqlx::query(
                    "UPDATE notice_entries SET cleared_at = $1 WHERE notice_id = $2 \
                     AND application_id = $3 AND cleared_at IS NULL AND withdrawn_at IS NULL",
                )
                .bind(stamp(Utc::now()))
                .bind(notice)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                if claimed.rows_affected() != 1 {
                    return Ok(false);
                }
                let (_, status, version) = current(&mut tx, "reference", &reference).await?;
                let words = format!(
                    "公示期满（至 {last_day}）无异议，决定生效 / The notice ended on {last_day} with no objection upheld: the decision is in force"
                );
                move_step(
                    &mut tx,
                    &self.key,
                    id,
                    CaseStep::Notice,
                    CaseStep::InForce,
                    "cleared",
                    SYSTEM_ACTOR,
                    "",
                    today,
                    false,
                )
                .await?;
                transition(
                    &mut tx,
                    &self.key,
                    id,
                    version,
                    status,
                    status,
                    SYSTEM_ACTOR,
                    &words,
                    None,
                )
                .await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok(true)
            }
            .await;
            match done {
                Ok(true) => ended.push(reference),
                Ok(false) | Err(DecideError::Step(_) | DecideError::Changed(_)) => {}
                Err(DecideError::Store(e)) => {
                    self.recycle.saw(&e);
                    return Err(e);
                }
                Err(e) => return Err(StoreError::Corrupt(e.to_string())),
            }
        }
        Ok(ended)
    }

    /// Notices whose first day has come (`first_day <= today`), newest first: those still
    /// running and, when `past`, those ended too (the latest 30 of them).
    pub async fn notices(&self, today: NaiveDate, past: bool) -> Result<Vec<Notice>> {
        let rows = sqlx::query(
            "SELECT id, first_day, last_day FROM notices WHERE first_day <= $1 \
             AND (last_day >= $1 OR $2 = 1) ORDER BY first_day DESC, id DESC LIMIT 30",
        )
        .bind(today.to_string())
        .bind(i64::from(past))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            out.push(self.notice_with(id, r).await?);
        }
        Ok(out)
    }

    /// Every notice, upcoming ones included, newest first (the console's list).
    pub async fn all_notices(&self, limit: i64) -> Result<Vec<Notice>> {
        let rows = sqlx::query(
            "SELECT id, first_day, last_day FROM notices ORDER BY first_day DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            out.push(self.notice_with(r.try_get("id")?, r).await?);
        }
        Ok(out)
    }

    /// The latest notice application `id` was put on, if any.
    pub async fn notice_of(&self, id: i64) -> Result<Option<Notice>> {
        let row = sqlx::query(
            "SELECT n.id, n.first_day, n.last_day FROM notices n JOIN notice_entries e \
             ON e.notice_id = n.id WHERE e.application_id = $1 ORDER BY n.id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(r) => Ok(Some(self.notice_with(r.try_get("id")?, &r).await?)),
            None => Ok(None),
        }
    }

    async fn notice_with(&self, id: i64, r: &AnyRow) -> Result<Notice> {
        let day = |col: &str| -> Result<NaiveDate> {
            let s: String = r.try_get(col)?;
            parse_day(&s).ok_or_else(|| StoreError::Corrupt(format!("{col} = {s:?}")))
        };
        let entries = sqlx::query(
            "SELECT e.application_id, a.reference, e.masked_name, e.employer, e.withdrawn_at, \
             e.cleared_at FROM notice_entries e JOIN applications a ON a.id = e.application_id \
             WHERE e.notice_id = $1 ORDER BY a.reference",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let lines = sqlx::query(
            "SELECT application_id, program, CAST(amount AS TEXT) AS amount FROM notice_lines \
             WHERE notice_id = $1 ORDER BY application_id, program",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for e in &entries {
            let app: i64 = e.try_get("application_id")?;
            let mut mine = Vec::new();
            for l in &lines {
                if l.try_get::<i64, _>("application_id")? == app {
                    mine.push((l.try_get("program")?, decimal(l, "amount")?));
                }
            }
            out.push(NoticeEntry {
                application_id: app,
                reference: e.try_get("reference")?,
                masked_name: e.try_get("masked_name")?,
                employer: e.try_get("employer")?,
                lines: mine,
                withdrawn: e.try_get::<Option<String>, _>("withdrawn_at")?.is_some(),
                cleared: e.try_get::<Option<String>, _>("cleared_at")?.is_some(),
            });
        }
        Ok(Notice {
            id,
            first_day: day("first_day")?,
            last_day: day("last_day")?,
            entries: out,
        })
    }

    /// Every case with a timeline entry from `first` to `last` (days at UTC+8): the day it was
    /// submitted, the day it was accepted, and its whole timeline (the monthly report).
    pub async fn case_histories(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Option<NaiveDate>, Vec<CaseEvent>)>> {
        let rows = sqlx::query(
            "SELECT id, submitted_on, accepted_on FROM applications WHERE id IN \
             (SELECT application_id FROM case_events WHERE day >= $1 AND day <= $2) ORDER BY id",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let submitted: String = r.try_get("submitted_on")?;
            let accepted: Option<String> = r.try_get("accepted_on")?;
            out.push((
                parse_day(&submitted)
                    .ok_or_else(|| StoreError::Corrupt(format!("submitted_on = {submitted:?}")))?,
                accepted.as_deref().and_then(parse_day),
                self.case_events(id).await?,
            ));
        }
        Ok(out)
    }
}
