//! Funding agreements: the day signed and the payee's bank account, sealed, once per approved
//! program. Recording one dates the program's first installment when it waits for its trigger
//! (the signing installment), so finance can pay it.

use super::keys::Place;
use super::*;

impl Store {
    /// Records the agreement of `program` of application `id` (signed on `signed_on`): once.
    /// `Ok(false)`: recorded already, or the program is not approved.
    pub async fn record_agreement(
        &self,
        id: i64,
        program: &str,
        signed_on: NaiveDate,
        bank_name: &str,
        account: &str,
        actor: &str,
    ) -> Result<bool> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let approved: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM program_decisions WHERE application_id = $1 \
                 AND program = $2 AND decision = 'approved'",
            )
            .bind(id)
            .bind(program)
            .fetch_one(&mut *tx)
            .await?;
            if approved != 1 {
                return Ok(false);
            }
            let place = Place::Payee.of(&format!("{id}/{program}"));
            let inserted = sqlx::query(
                "INSERT INTO agreements (application_id, program, signed_on, bank_name, account, \
                 account_tail, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (application_id, program) DO NOTHING",
            )
            .bind(id)
            .bind(program)
            .bind(signed_on.to_string())
            .bind(self.data_key().seal_text(bank_name, &format!("{place}.bank")))
            .bind(self.data_key().seal_text(account, &format!("{place}.account")))
            .bind(mask_account(account))
            .bind(actor)
            .bind(stamp(Utc::now()))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE payments SET due_on = $1 WHERE application_id = $2 AND program = $3 \
                 AND seq = 1 AND due_on IS NULL AND status = 'scheduled'",
            )
            .bind(signed_on.to_string())
            .bind(id)
            .bind(program)
            .execute(&mut *tx)
            .await?;
            let status: String =
                sqlx::query_scalar("SELECT status FROM applications WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            super::transitions::audit(
                &mut tx,
                &self.key,
                id,
                &stamp(Utc::now()),
                actor,
                Some(&status),
                &status,
                &format!(
                    "资助协议签订（{signed_on}），收款账户 {} / Funding agreement signed ({signed_on}), payee account {}",
                    mask_account(account),
                    mask_account(account)
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        self.recycle.note(done)
    }

    /// The agreements of application `id`.
    pub async fn agreements(&self, id: i64) -> Result<Vec<Agreement>> {
        let rows = sqlx::query(
            "SELECT program, signed_on, bank_name, account, recorded_by FROM agreements \
             WHERE application_id = $1 ORDER BY program",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let program: String = r.try_get("program")?;
                let place = Place::Payee.of(&format!("{id}/{program}"));
                let open = |col: &str, what: &str| -> Result<String> {
                    let sealed: String = r.try_get(col)?;
                    if sealed.is_empty() {
                        return Ok(sealed);
                    }
                    self.data_key()
                        .open_text(&sealed, &format!("{place}.{what}"))
                        .map_err(|e| StoreError::Corrupt(format!("agreement {id}/{program}: {e}")))
                };
                let day: String = r.try_get("signed_on")?;
                Ok(Agreement {
                    signed_on: parse_day(&day)
                        .ok_or_else(|| StoreError::Corrupt(format!("signed_on = {day:?}")))?,
                    bank_name: open("bank_name", "bank")?,
                    account: open("account", "account")?,
                    recorded_by: r.try_get("recorded_by")?,
                    program,
                })
            })
            .collect()
    }
}
