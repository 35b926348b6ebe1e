//! Casework: uploaded files (metadata in `uploads`, bytes in `upload_chunks`, so every
//! instance sharing a PostgreSQL database has them), program-by-program checks and decisions,
//! and the payment schedule that approvals make.
//!
//! Invariants: a file is kept whole or not at all (its chunks and its row commit together)
//! and belongs to an application only once the submission or supplement that brought it
//! commits; a program decision is final and is recorded with the application's status, its
//! payments and its audit entry in one transaction, on the version the officer saw.

use super::keys::{self, Place};
use super::transitions::{
    after_decisions, current, decision_words, record_decision, status_after, transition,
};
use super::*;
use std::io::Read;

/// Bytes per stored chunk: a download reads one at a time.
pub const CHUNK: usize = 256 * 1024;

pub(super) fn upload_row(store: &Store, r: &AnyRow) -> Result<Upload> {
    let kind: String = r.try_get("kind")?;
    let stage: String = r.try_get("stage")?;
    let id: String = r.try_get("id")?;
    let name: String = r.try_get("file_name")?;
    Ok(Upload {
        file_name: store.open_sealed(&name, Place::FileName, &id)?,
        id,
        material: r.try_get("material")?,
        kind: FileKind::from_id(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("kind = {kind:?}")))?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: r.try_get("created_at")?,
        supplement: stage == Stage::Supplement.id(),
    })
}

pub(super) const UPLOAD_COLUMNS: &str =
    "id, material, file_name, kind, size, sha256, created_at, stage";

const PAYMENT_COLUMNS: &str = "p.id, a.reference, a.applicant_name, p.program, p.seq, \
    CAST(p.amount AS TEXT) AS amount, p.trigger_zh, p.trigger_en, p.due_on, p.status, \
    p.paid_on, p.paid_by, a.step, g.account_tail, g.bank_name, p.application_id, \
    (SELECT COUNT(*) FROM payment_reversals r WHERE r.payment_id = p.id) AS reversals";

/// The payee of a payment: the agreement of its program, if recorded.
const PAYEE_JOIN: &str =
    "LEFT JOIN agreements g ON g.application_id = p.application_id AND g.program = p.program";

fn payment_row(store: &Store, r: &AnyRow) -> Result<Payment> {
    let status: String = r.try_get("status")?;
    let reference: String = r.try_get("reference")?;
    let name: String = r.try_get("applicant_name")?;
    Ok(Payment {
        id: r.try_get("id")?,
        applicant_name: store.open_sealed(&name, Place::Name, &reference)?,
        reference,
        program: r.try_get("program")?,
        seq: r.try_get("seq")?,
        amount: decimal(r, "amount")?,
        trigger_zh: r.try_get("trigger_zh")?,
        trigger_en: r.try_get("trigger_en")?,
        due_on: r.try_get("due_on")?,
        paid: status == "paid",
        paid_on: r.try_get("paid_on")?,
        paid_by: r.try_get("paid_by")?,
        step: {
            let step: String = r.try_get("step")?;
            CaseStep::from_id(&step)
                .ok_or_else(|| StoreError::Corrupt(format!("step = {step:?}")))?
        },
        payee_account: r.try_get("account_tail")?,
        reversals: r.try_get("reversals")?,
        payee_bank: match r.try_get::<Option<String>, _>("bank_name")? {
            Some(sealed) if !sealed.is_empty() => {
                let id: i64 = r.try_get("application_id")?;
                let program: String = r.try_get("program")?;
                let place = keys::Place::Payee.of(&format!("{id}/{program}"));
                Some(
                    store
                        .data_key()
                        .open_text(&sealed, &format!("{place}.bank"))
                        .map_err(|e| StoreError::Corrupt(format!("payee of {id}: {e}")))?,
                )
            }
            _ => None,
        },
    })
}

impl Store {
    /// Keeps a received file: its row and its bytes (read from `file`, the spool the caller
    /// wrote, from its start) in one transaction. Returns its id; it belongs to no application
    /// until a submission or a supplement claims it.
    pub async fn put_upload(&self, new: &NewUpload, file: &mut std::fs::File) -> Result<String> {
        use std::io::Seek;
        let id = random_token()[..32].to_string();
        let kept = async {
            file.seek(std::io::SeekFrom::Start(0))
                .map_err(|e| StoreError::Corrupt(format!("the spooled upload: {e}")))?;
            let mut tx = self.write.begin().await?;
            sqlx::query(
                "INSERT INTO uploads (id, application_id, material, file_name, kind, size, \
                 sha256, created_at, stage) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(&new.material)
            .bind(self.seal(&new.file_name, Place::FileName, &id))
            .bind(new.kind.id())
            .bind(i64::try_from(new.size).unwrap_or(i64::MAX))
            .bind(&new.sha256)
            .bind(stamp(Utc::now()))
            .bind(new.stage.id())
            .execute(&mut *tx)
            .await?;
            let mut buf = vec![0u8; CHUNK];
            let mut seq = 0i64;
            loop {
                let mut filled = 0;
                while filled < CHUNK {
                    let n = file
                        .read(&mut buf[filled..])
                        .map_err(|e| StoreError::Corrupt(format!("the spooled upload: {e}")))?;
                    if n == 0 {
                        break;
                    }
                    filled += n;
                }
                if filled == 0 {
                    break;
                }
                sqlx::query(
                    "INSERT INTO upload_chunks (upload_id, seq, bytes) VALUES ($1, $2, $3)",
                )
                .bind(&id)
                .bind(seq)
                .bind(
                    self.data_key()
                        .seal(&buf[..filled], &keys::chunk_place(&id, seq)),
                )
                .execute(&mut *tx)
                .await?;
                seq += 1;
                if filled < CHUNK {
                    break;
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        self.recycle.note(kept).map(|()| id)
    }

    /// An application's files, in the order they came.
    pub async fn uploads(&self, application_id: i64) -> Result<Vec<Upload>> {
        sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE application_id = $1 ORDER BY created_at, id"
        ))
        .bind(application_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| upload_row(self, r))
        .collect()
    }

    /// One of an application's files; `None` when it is not this application's.
    pub async fn upload(&self, application_id: i64, upload_id: &str) -> Result<Option<Upload>> {
        sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE application_id = $1 AND id = $2"
        ))
        .bind(application_id)
        .bind(upload_id)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(|r| upload_row(self, r))
        .transpose()
    }

    /// The `seq`th chunk of a file's bytes; `None` past its end.
    pub async fn upload_chunk(&self, upload_id: &str, seq: i64) -> Result<Option<Vec<u8>>> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM upload_chunks WHERE upload_id = $1 AND seq = $2")
                .bind(upload_id)
                .bind(seq)
                .fetch_optional(&self.read)
                .await?;
        sealed
            .map(|s| self.open_sealed_bytes(&s, &keys::chunk_place(upload_id, seq)))
            .transpose()
    }

    /// The programs of an application under review: those it was eligible for when submitted.
    pub async fn programs_under_review(&self, application_id: i64) -> Result<Vec<ProgramRow>> {
        let rows = sqlx::query(
            "SELECT program, status, CAST(amount AS TEXT) AS amount FROM application_programs \
             WHERE application_id = $1 AND status = 'eligible' ORDER BY program",
        )
        .bind(application_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ProgramRow {
                    program: r.try_get("program")?,
                    status: r.try_get("status")?,
                    amount: decimal(r, "amount")?,
                })
            })
            .collect()
    }

    /// How many files are kept (claimed or not).
    pub async fn count_uploads(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
            .fetch_one(&self.read)
            .await?)
    }

    pub async fn decisions(&self, application_id: i64) -> Result<Vec<DecisionRow>> {
        let rows = sqlx::query(
            "SELECT program, decision, CAST(amount AS TEXT) AS amount, \
             CAST(assessed AS TEXT) AS assessed, reason, actor, at FROM program_decisions \
             WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_all(&self.read)
        .await?;
        let row = application_id.to_string();
        rows.iter()
            .map(|r| {
                let d: String = r.try_get("decision")?;
                let reason: String = r.try_get("reason")?;
                Ok(DecisionRow {
                    program: r.try_get("program")?,
                    approved: d == "approved",
                    amount: decimal(r, "amount")?,
                    assessed: decimal(r, "assessed")?,
                    reason: self.open_sealed(&reason, keys::Place::DecisionReason, &row)?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    pub async fn checks(&self, application_id: i64) -> Result<Vec<CheckRow>> {
        let rows = sqlx::query(
            "SELECT program, condition_id, result, actor, at FROM condition_checks \
             WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let c: String = r.try_get("result")?;
                Ok(CheckRow {
                    program: r.try_get("program")?,
                    condition: r.try_get("condition_id")?,
                    check: Check::from_id(&c)
                        .ok_or_else(|| StoreError::Corrupt(format!("check = {c:?}")))?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Saves an officer's checks and decision on one program, on the version they saw: the
    /// application's status follows (every program under review decided → closed; some
    /// approved → partly approved), an approval schedules its payments, and one audit entry
    /// says what changed. Returns the status after.
    pub async fn review_program(
        &self,
        reference: &str,
        actor: &str,
        seen_version: i64,
        review: &ProgramReview,
    ) -> std::result::Result<AppStatus, DecideError> {
        let done: std::result::Result<AppStatus, DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let (id, from, version) = current(&mut tx, "reference", reference).await?;
            if !from.is_open() {
                return Err(DecideError::NotAllowed(from, AppStatus::Closed));
            }
            if version != seen_version {
                return Err(DecideError::Changed(from));
            }
            let at = stamp(Utc::now());
            let mut said: Vec<String> = Vec::new();
            for (condition, name, check) in &review.checks {
                let before: Option<String> = sqlx::query_scalar(
                    "SELECT result FROM condition_checks WHERE application_id = $1 \
                     AND program = $2 AND condition_id = $3",
                )
                .bind(id)
                .bind(&review.program)
                .bind(condition)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                if before.as_deref() == Some(check.id()) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO condition_checks (application_id, program, condition_id, result, \
                     actor, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, \
                     program, condition_id) DO UPDATE SET result = excluded.result, \
                     actor = excluded.actor, at = excluded.at",
                )
                .bind(id)
                .bind(&review.program)
                .bind(condition)
                .bind(check.id())
                .bind(actor)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                said.push(format!("{name}：{} / {}", check.zh(), check.en()));
            }
            if let Some(d) = &review.decision {
                record_decision(&mut tx, &self.key, id, d, actor, &at, self.money_type()).await?;
                said.push(decision_words(d));
            }
            if said.is_empty() {
                // Nothing changed: nothing to record.
                return Ok(from);
            }
            let to = status_after(&mut tx, id, from).await?;
            if review.decision.is_some() {
                after_decisions(&mut tx, &self.key, id, actor, to).await?;
            }
            let why = format!("{}：{}", review.program_name, said.join("；"));
            transition(&mut tx, &self.key, id, version, from, to, actor, &why, None).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(to)
        }
        .await;
        if let Err(DecideError::Store(e)) = &done {
            self.recycle.saw(e);
        }
        done
    }

    /// Payments on the schedule matching the filter: by due date (those waiting for their
    /// trigger last), then reference and installment.
    pub async fn payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>> {
        let mut sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN applications a ON a.id = p.application_id {PAYEE_JOIN} \
             WHERE 1 = 1"
        );
        let mut binds: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: String, sql: &mut String| {
            binds.push(v);
            sql.push_str(&format!(" AND {clause} ${}", binds.len()));
        };
        if let Some(d) = filter.due_before {
            add("p.due_on <=", d.to_string(), &mut sql);
        }
        if let Some(p) = &filter.program {
            add("p.program =", p.clone(), &mut sql);
        }
        if let Some(paid) = filter.paid {
            add(
                "p.status =",
                if paid { "paid" } else { "scheduled" }.into(),
                &mut sql,
            );
        }
        if let Some(id) = filter.application_id {
            add("CAST(p.application_id AS TEXT) =", id.to_string(), &mut sql);
        }
        sql.push_str(
            " ORDER BY CASE WHEN p.due_on IS NULL THEN 1 ELSE 0 END, p.due_on, a.reference, \
             p.program, p.seq",
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| payment_row(self, r))
            .collect()
    }

    /// One payment on the schedule.
    pub async fn payment(&self, payment_id: i64) -> Result<Option<Payment>> {
        sqlx::query(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN applications a ON a.id = p.application_id {PAYEE_JOIN} \
             WHERE p.id = $1"
        ))
        .bind(payment_id)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(|r| payment_row(self, r))
        .transpose()
    }

    /// Marks a payment made (on `on`, by `actor`), with an audit entry on its application.
    /// `Ok(false)`: no such payment, it was already paid, `on` is before its approval, it
    /// waits for its trigger, the decision is not in force yet (公示 not passed), or `actor`
    /// signed a review step of the case's round (the one who approved never pays).
    pub async fn mark_paid(&self, payment_id: i64, actor: &str, on: NaiveDate) -> Result<bool> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let changed = sqlx::query(
                "UPDATE payments SET status = 'paid', paid_on = $1, paid_by = $2 \
                 WHERE id = $3 AND status = 'scheduled' AND EXISTS (SELECT 1 FROM \
                 program_decisions d WHERE d.application_id = payments.application_id \
                 AND d.program = payments.program AND SUBSTR(d.at, 1, 10) <= $1) \
                 AND due_on IS NOT NULL AND EXISTS (SELECT 1 FROM applications a \
                 WHERE a.id = payments.application_id AND a.step = 'in_force' \
                 AND NOT EXISTS (SELECT 1 FROM case_signers s WHERE s.application_id = a.id \
                 AND s.review_round = a.review_round AND s.actor = $2))",
            )
            .bind(on.to_string())
            .bind(actor)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Ok(false);
            }
            self.audit_payment(&mut tx, payment_id, actor, |amount, zh, en| {
                format!("已拨付 ¥{amount}（{zh}，{on}） / Paid ¥{amount} ({en}, {on})")
            })
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        self.recycle.note(done)
    }

    /// Records the day an installment's trigger happened (the agreement signed, the mid-term
    /// review passed, …): the installment falls due that day and can then be paid.
    /// `Ok(false)`: no such payment, or it is dated already.
    pub async fn record_trigger(
        &self,
        payment_id: i64,
        actor: &str,
        on: NaiveDate,
    ) -> Result<bool> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let changed = sqlx::query(
                "UPDATE payments SET due_on = $1 WHERE id = $2 AND due_on IS NULL \
                 AND status = 'scheduled'",
            )
            .bind(on.to_string())
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Ok(false);
            }
            self.audit_payment(&mut tx, payment_id, actor, |_, zh, en| {
                format!("拨付条件已达成：{zh}（{on}） / Trigger recorded: {en} ({on})")
            })
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        self.recycle.note(done)
    }

    /// Reverses a payment registered by mistake: by another officer than the one who
    /// registered it, with a reason. The registration is kept in `payment_reversals`, the
    /// payment is to pay again, and the audit log says so. `Ok(false)`: not paid, or the
    /// officer registered it themselves.
    pub async fn reverse_payment(
        &self,
        payment_id: i64,
        actor: &str,
        reason: &str,
    ) -> Result<bool> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let at = stamp(Utc::now());
            let kept = sqlx::query(
                "INSERT INTO payment_reversals (payment_id, paid_on, paid_by, reason, \
                 reversed_by, reversed_at) SELECT id, paid_on, paid_by, $1, $2, $3 FROM payments \
                 WHERE id = $4 AND status = 'paid' AND paid_by <> $2",
            )
            .bind(self.data_key().seal_text(
                reason,
                &keys::Place::AuditNote.of(&format!("reversal/{payment_id}")),
            ))
            .bind(actor)
            .bind(&at)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            if kept.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE payments SET status = 'scheduled', paid_on = NULL, paid_by = NULL \
                 WHERE id = $1 AND status = 'paid'",
            )
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            self.audit_payment(&mut tx, payment_id, actor, |amount, _, _| {
                format!(
                    "拨付登记冲正 ¥{amount}：{reason} / Payment of ¥{amount} reversed: {reason}"
                )
            })
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        self.recycle.note(done)
    }

    /// The audit entry of a change to a payment, on its application (its status unchanged):
    /// `words` is given the payment's amount and its trigger in Chinese and English.
    async fn audit_payment(
        &self,
        tx: &mut sqlx::AnyConnection,
        payment_id: i64,
        actor: &str,
        words: impl FnOnce(Decimal, &str, &str) -> String,
    ) -> Result<()> {
        let row = sqlx::query(
            "SELECT p.application_id, CAST(p.amount AS TEXT) AS amount, p.trigger_zh, \
             p.trigger_en, a.status FROM payments p JOIN applications a \
             ON a.id = p.application_id WHERE p.id = $1",
        )
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
        let status: String = row.try_get("status")?;
        let (zh, en): (String, String) = (row.try_get("trigger_zh")?, row.try_get("trigger_en")?);
        let said = words(decimal(&row, "amount")?, &zh, &en);
        super::transitions::audit(
            tx,
            &self.key,
            row.try_get("application_id")?,
            &stamp(Utc::now()),
            actor,
            Some(&status),
            &status,
            &said,
        )
        .await
    }
}
