//! Where an application's state changes, and nothing else: read its status and version,
//! move it (one version on, only from the version read), log the move, make files its own,
//! record a program's decision and its payments, and say what a decision or a reply leads to.
//!
//! Invariants: every move is checked against the version it was read at (a concurrent move
//! finds no row and is refused); every move writes one audit entry in the same transaction;
//! the audit words and decision reasons are sealed before they are written.

use super::keys::{self, Place};
use super::*;

/// The id, status and version of the application whose `column` (`reference` or
/// `status_token`, never text from outside) is `value`.
pub(super) async fn current(
    tx: &mut sqlx::AnyConnection,
    column: &'static str,
    value: &str,
) -> std::result::Result<(i64, AppStatus, i64), DecideError> {
    let row = sqlx::query(&format!(
        "SELECT id, status, version FROM applications WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::from)?
    .ok_or(DecideError::NotFound)?;
    let id: i64 = row.try_get("id").map_err(StoreError::from)?;
    let status: String = row.try_get("status").map_err(StoreError::from)?;
    let version: i64 = row.try_get("version").map_err(StoreError::from)?;
    let status = AppStatus::from_id(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("status = {status:?}")))?;
    Ok((id, status, version))
}

/// Moves an application seen at `version` from `from` to `to`, one version on, and logs who,
/// when and why. The version in the WHERE clause is what makes two concurrent moves
/// exclusive: the second finds no row at the version it read. `shown_note` replaces the note
/// the applicant sees (`None` keeps it).
#[allow(clippy::too_many_arguments)]
pub(super) async fn transition(
    tx: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    version: i64,
    from: AppStatus,
    to: AppStatus,
    actor: &str,
    why: &str,
    shown_note: Option<&str>,
) -> std::result::Result<(), DecideError> {
    let at = stamp(Utc::now());
    let changed = sqlx::query(
        "UPDATE applications SET status = $1, note = COALESCE($2, note), updated_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5",
    )
    .bind(to.id())
    .bind(shown_note.map(|n| key.seal_text(n, &Place::Note.of(&id.to_string()))))
    .bind(&at)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if changed.rows_affected() != 1 {
        return Err(DecideError::Changed(from));
    }
    audit(tx, key, id, &at, actor, Some(from.id()), to.id(), why).await?;
    Ok(())
}

/// One entry of the audit log: who, when, the status before (`None` for the submission) and
/// after (the same when nothing moved), and why — sealed: who, when and the statuses stay
/// readable, the words (a reply may hold an ID number) do not.
#[allow(clippy::too_many_arguments)]
pub(super) async fn audit(
    conn: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    at: &str,
    actor: &str,
    from: Option<&str>,
    to: &str,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (application_id, at, actor, from_status, to_status, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(at)
    .bind(actor)
    .bind(from)
    .bind(to)
    .bind(if note.is_empty() {
        String::new()
    } else {
        key.seal_text(note, &Place::AuditNote.of(&id.to_string()))
    })
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes kept files the application's own; each must exist and belong to no application yet.
pub(super) async fn claim(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    uploads: &[String],
) -> Result<()> {
    for u in uploads {
        let done = sqlx::query(
            "UPDATE uploads SET application_id = $1 WHERE id = $2 AND application_id IS NULL",
        )
        .bind(id)
        .bind(u)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "upload {u} is not there to claim"
            )));
        }
    }
    Ok(())
}

/// The decision's words in the audit log.
pub(super) fn decision_words(d: &ProgramDecision) -> String {
    if !d.approved {
        format!("不予批准（{}） / refused ({})", d.reason, d.reason)
    } else if d.amount < d.assessed {
        format!(
            "批准 ¥{}，低于测算的 ¥{}（{}） / approved ¥{}, below the assessed ¥{} ({})",
            d.amount, d.assessed, d.reason, d.amount, d.assessed, d.reason
        )
    } else {
        format!("批准 ¥{} / approved ¥{}", d.amount, d.amount)
    }
}

/// Records a program's decision (refused if one was made already) and, for an approval, its
/// payments, due the given number of months after today (UTC+8).
pub(super) async fn record_decision(
    tx: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    d: &ProgramDecision,
    actor: &str,
    at: &str,
    money: &str,
) -> std::result::Result<(), DecideError> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO program_decisions (application_id, program, decision, amount, assessed, \
         reason, actor, at) VALUES ($1, $2, $3, CAST($4 AS {money}), CAST($5 AS {money}), $6, \
         $7, $8) ON CONFLICT (application_id, program) DO NOTHING"
    ))
    .bind(id)
    .bind(&d.program)
    .bind(if d.approved { "approved" } else { "refused" })
    .bind(d.amount.to_string())
    .bind(d.assessed.to_string())
    .bind(key.seal_text(&d.reason, &keys::Place::DecisionReason.of(&id.to_string())))
    .bind(actor)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if inserted.rows_affected() != 1 {
        return Err(DecideError::Changed(AppStatus::Partial));
    }
    let today = Utc::now().with_timezone(&china()).date_naive();
    for (i, p) in d.payments.iter().enumerate() {
        let due = p
            .after_months
            .and_then(|m| today.checked_add_months(chrono::Months::new(m)))
            .map(|d| d.to_string());
        sqlx::query(&format!(
            "INSERT INTO payments (application_id, program, seq, amount, trigger_zh, trigger_en, \
             due_on, status) VALUES ($1, $2, $3, CAST($4 AS {money}), $5, $6, $7, 'scheduled')"
        ))
        .bind(id)
        .bind(&d.program)
        .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
        .bind(p.amount.to_string())
        .bind(&p.trigger_zh)
        .bind(&p.trigger_en)
        .bind(due)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    }
    Ok(())
}

/// The status program decisions give an open application: every program under review decided
/// → closed; some approved → partly approved; otherwise as it was.
pub(super) async fn status_after(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    from: AppStatus,
) -> std::result::Result<AppStatus, DecideError> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM application_programs p WHERE p.application_id = $1 \
              AND p.status = 'eligible' AND NOT EXISTS (SELECT 1 FROM program_decisions d \
              WHERE d.application_id = $1 AND d.program = p.program)) AS undecided, \
           (SELECT COUNT(*) FROM program_decisions d WHERE d.application_id = $1 \
              AND d.decision = 'approved') AS approved",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let undecided: i64 = row.try_get("undecided").map_err(StoreError::from)?;
    let approved: i64 = row.try_get("approved").map_err(StoreError::from)?;
    Ok(if undecided == 0 {
        AppStatus::Closed
    } else if approved > 0 && from != AppStatus::MoreInfo {
        AppStatus::Partial
    } else {
        from
    })
}

/// What a reply brings the application back to: partly approved when some program is, else
/// awaiting review.
pub(super) async fn status_on_reply(
    tx: &mut sqlx::AnyConnection,
    id: i64,
) -> std::result::Result<AppStatus, DecideError> {
    let approved: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM program_decisions WHERE application_id = $1 AND decision = 'approved'",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    Ok(if approved > 0 {
        AppStatus::Partial
    } else {
        AppStatus::Submitted
    })
}

/// The step and review round of application `id`.
pub(super) async fn step_of(
    tx: &mut sqlx::AnyConnection,
    id: i64,
) -> std::result::Result<(CaseStep, i64), DecideError> {
    let row = sqlx::query("SELECT step, review_round FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let step: String = row.try_get("step").map_err(StoreError::from)?;
    let round: i64 = row.try_get("review_round").map_err(StoreError::from)?;
    let step =
        CaseStep::from_id(&step).ok_or_else(|| StoreError::Corrupt(format!("step = {step:?}")))?;
    Ok((step, round))
}

/// Moves application `id` from step `from` to `to` (refused when it is no longer at `from`:
/// of two officers moving it at once, one does), leaves the new step unassigned, and writes
/// the timeline's entry. Accepting
/// records the day; `back` (a case sent back to 初审) also counts the round up.
#[allow(clippy::too_many_arguments)]
pub(super) async fn move_step(
    tx: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    from: CaseStep,
    to: CaseStep,
    action: &str,
    actor: &str,
    note: &str,
    day: NaiveDate,
    back: bool,
) -> std::result::Result<(), DecideError> {
    let accepted =
        (from == CaseStep::Accept && to != CaseStep::NotAccepted && to != CaseStep::Withdrawn)
            .then(|| day.to_string());
    let moved = sqlx::query(
        "UPDATE applications SET step = $1, accepted_on = COALESCE(accepted_on, $2), \
         review_round = review_round + $3, handler = NULL WHERE id = $4 AND step = $5",
    )
    .bind(to.id())
    .bind(accepted)
    .bind(i64::from(back))
    .bind(id)
    .bind(from.id())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if moved.rows_affected() != 1 {
        let (now, _) = step_of(tx, id).await?;
        return Err(DecideError::Step(now));
    }
    let (_, round) = step_of(tx, id).await?;
    event(tx, key, id, round, action, from, to, actor, note, day).await
}

/// One entry of a case's timeline (the step may stay: a pause for 补正, a reply).
#[allow(clippy::too_many_arguments)]
pub(super) async fn event(
    tx: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    round: i64,
    action: &str,
    from: CaseStep,
    to: CaseStep,
    actor: &str,
    note: &str,
    day: NaiveDate,
) -> std::result::Result<(), DecideError> {
    sqlx::query(
        "INSERT INTO case_events (application_id, review_round, action, from_step, to_step, \
         actor, at, day, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(round)
    .bind(action)
    .bind(from.id())
    .bind(to.id())
    .bind(actor)
    .bind(stamp(Utc::now()))
    .bind(day.to_string())
    .bind(if note.is_empty() {
        String::new()
    } else {
        key.seal_text(note, &Place::CaseEvent.of(&id.to_string()))
    })
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

/// Records that `actor` signs review step `step` of the round. The database refuses an
/// officer who signed another step of the round (四眼原则: `UNIQUE (application_id,
/// review_round, actor)`) and keeps the first officer of a step (`PRIMARY KEY`); signing a
/// step one signed already is nothing new.
pub(super) async fn sign(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    round: i64,
    step: Signed,
    actor: &str,
) -> std::result::Result<(), DecideError> {
    let inserted = sqlx::query(
        "INSERT INTO case_signers (application_id, review_round, step, actor, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, review_round, step) DO NOTHING",
    )
    .bind(id)
    .bind(round)
    .bind(step.id())
    .bind(actor)
    .bind(stamp(Utc::now()))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(DecideError::SameOfficer);
        }
        Err(e) => return Err(StoreError::from(e).into()),
    }
    let by: String = sqlx::query_scalar(
        "SELECT actor FROM case_signers WHERE application_id = $1 AND review_round = $2 \
         AND step = $3",
    )
    .bind(id)
    .bind(round)
    .bind(step.id())
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if by != actor {
        return Err(DecideError::Taken(by));
    }
    Ok(())
}

/// Voids the round's program decisions (kept in `voided_decisions`) and drops the payments
/// they planned (none can have been paid: nothing is payable before the decision is in
/// force), so 初审 starts again.
pub(super) async fn void_round(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    round: i64,
    actor: &str,
) -> std::result::Result<(), DecideError> {
    let paid: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE application_id = $1 AND status = 'paid'",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if paid > 0 {
        return Err(DecideError::Step(CaseStep::InForce));
    }
    sqlx::query(
        "INSERT INTO voided_decisions (application_id, review_round, program, decision, amount, \
         assessed, reason, actor, at, voided_by, voided_at) SELECT application_id, $1, program, \
         decision, amount, assessed, reason, actor, at, $2, $3 FROM program_decisions \
         WHERE application_id = $4",
    )
    .bind(round)
    .bind(actor)
    .bind(stamp(Utc::now()))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    for table in ["payments", "program_decisions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE application_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    Ok(())
}

/// What a program decision (or a decision on the whole) does to the procedure: the first one
/// accepts a case not yet accepted; each signs 初审 for its officer; once every program is
/// decided (`to` is decided) the case goes to 复审.
pub(super) async fn after_decisions(
    tx: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    actor: &str,
    to: AppStatus,
) -> std::result::Result<(), DecideError> {
    let day = super::today();
    let (mut step, round) = step_of(tx, id).await?;
    if step == CaseStep::Accept {
        move_step(
            tx,
            key,
            id,
            CaseStep::Accept,
            CaseStep::FirstReview,
            "accept",
            actor,
            "",
            day,
            false,
        )
        .await?;
        step = CaseStep::FirstReview;
    }
    if step != CaseStep::FirstReview {
        return Err(DecideError::Step(step));
    }
    sign(tx, id, round, Signed::FirstReview, actor).await?;
    if to.is_decided() {
        move_step(
            tx,
            key,
            id,
            CaseStep::FirstReview,
            CaseStep::SecondReview,
            "proposed",
            actor,
            "",
            day,
            false,
        )
        .await?;
    }
    Ok(())
}

/// Starts a new round (the caller's move counts it up) whose 初审 is round `round`'s: its
/// officer signs it again, so 复审 of the new round is still not theirs.
pub(super) async fn carry_first_review(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    round: i64,
) -> std::result::Result<(), DecideError> {
    sqlx::query(
        "INSERT INTO case_signers (application_id, review_round, step, actor, at) \
         SELECT application_id, review_round + 1, step, actor, at FROM case_signers \
         WHERE application_id = $1 AND review_round = $2 AND step = 'first_review'",
    )
    .bind(id)
    .bind(round)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}
