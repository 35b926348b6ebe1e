//! Personal information over time: the access log (who saw what; append-only, triggers
//! refuse a change), the applicant's withdrawal, and erasure once the retention period is over.
//!
//! Invariants: an access is logged before what it gives is sent (a failed log refuses the
//! access); erasure empties the personal fields (name, ID number, profile, notes), forgets
//! their search hashes and the status link, deletes the files, and keeps the figures (tier,
//! programs, amounts, decisions, payments) with `erased_at` set.

use super::keys::Place;
use super::transitions::{current, transition};
use super::*;
use chrono::{Datelike, Months};

/// How long personal information is kept, as the privacy notice states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Years a decided application is kept as an archive.
    pub decided_years: u32,
    /// Days a withdrawn application is kept.
    pub withdrawn_days: u32,
}

impl Store {
    /// Records that `officer` did `action`, on an application (`Some((id, reference))`) or
    /// on the list. Returns only after the commit.
    pub async fn log_access(
        &self,
        officer: &Officer,
        action: Access,
        application: Option<(i64, &str)>,
        detail: AccessDetail,
    ) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO access_log (at, officer, role, action, application_id, reference, \
             detail, detail_en, items) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(stamp(Utc::now()))
        .bind(&officer.name)
        .bind(officer.role.id())
        .bind(action.id())
        .bind(application.map(|(id, _)| id))
        .bind(application.map(|(_, r)| r).unwrap_or_default())
        .bind(detail.zh)
        .bind(detail.en)
        .bind(detail.items)
        .execute(&self.write)
        .await
        .map(|_| ())
        .map_err(StoreError::from);
        self.recycle.note(done)
    }

    /// The access log, newest first, at most `limit` lines, and how many match; with `fold`,
    /// repeated views of a case by one officer are one line (`fold_views`), read from at most
    /// twenty times as many entries.
    pub async fn access_log(
        &self,
        filter: &AccessFilter,
        limit: u32,
        fold: bool,
    ) -> Result<(Vec<AccessEntry>, i64)> {
        let mut clauses = vec!["1 = 1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let mut add = |clause: &str, value: String| {
            binds.push(value);
            clauses.push(clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(o) = &filter.officer {
            add("officer = ?", o.trim().to_string());
        }
        if let Some(r) = &filter.reference {
            add("reference = ?", r.trim().to_uppercase());
        }
        if let Some(a) = filter.action {
            add("action = ?", a.id().to_string());
        }
        if let Some(d) = filter.from {
            add("at >= ?", d.to_string());
        }
        if let Some(d) = filter.to {
            // Every time on that day sorts before the next day.
            add("at < ?", (d + Duration::days(1)).to_string());
        }
        let cond = clauses.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM access_log WHERE {cond}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b);
        }
        let total = count.fetch_one(&self.read).await?;
        let read = if fold {
            limit.saturating_mul(20)
        } else {
            limit
        };
        let sql = format!(
            "SELECT id, at, officer, role, action, reference, detail, detail_en, items \
             FROM access_log WHERE {cond} ORDER BY id DESC LIMIT {read}"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.read).await?;
        let entries = rows
            .iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                Ok(AccessEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    officer: r.try_get("officer")?,
                    role: r.try_get("role")?,
                    action: Access::from_id(&action)
                        .ok_or_else(|| StoreError::Corrupt(format!("action = {action:?}")))?,
                    reference: r.try_get("reference")?,
                    detail: AccessDetail {
                        zh: r.try_get("detail")?,
                        en: r.try_get("detail_en")?,
                        items: r.try_get("items")?,
                    },
                    times: 1,
                    first_at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut entries = if fold { fold_views(entries) } else { entries };
        entries.truncate(limit as usize);
        Ok((entries, total))
    }

    /// The applicant withdraws their application (through the status link) while nothing is
    /// decided; `reason` may be empty.
    pub async fn withdraw(
        &self,
        token: &str,
        reason: &str,
    ) -> std::result::Result<(), DecideError> {
        let done: std::result::Result<(), DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let (id, from, version) = current(
                &mut tx,
                "status_token",
                &super::keys::status_link_hash(token),
            )
            .await?;
            if !from.can_withdraw() {
                return Err(DecideError::NotAllowed(from, AppStatus::Withdrawn));
            }
            let decided: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM program_decisions WHERE application_id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            if decided > 0 {
                return Err(DecideError::NotAllowed(from, AppStatus::Withdrawn));
            }
            sqlx::query("UPDATE applications SET missing_materials = '' WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            let why = if reason.trim().is_empty() {
                "申请人撤回申请 / withdrawn by the applicant".to_string()
            } else {
                format!(
                    "申请人撤回申请 / withdrawn by the applicant: {}",
                    reason.trim()
                )
            };
            transition(
                &mut tx,
                &self.key,
                id,
                version,
                from,
                AppStatus::Withdrawn,
                APPLICANT_ACTOR,
                &why,
                None,
            )
            .await?;
            let (step, _) = super::transitions::step_of(&mut tx, id).await?;
            super::transitions::move_step(
                &mut tx,
                &self.key,
                id,
                step,
                CaseStep::Withdrawn,
                "withdrawn",
                APPLICANT_ACTOR,
                "",
                super::today(),
                false,
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

    /// Erases the personal information of applications past their retention at `now`:
    /// decided ones `decided_years` after the later of their decision and their last payment
    /// (never while a payment is still to be made), withdrawn ones `withdrawn_days` after the
    /// withdrawal. Returns how many were erased.
    pub async fn erase_expired(&self, now: DateTime<Utc>, retention: Retention) -> Result<u64> {
        let today = now.with_timezone(&china()).date_naive();
        let decided_before = today
            .checked_sub_months(Months::new(retention.decided_years.saturating_mul(12)))
            .unwrap_or(today.with_year(1).unwrap_or(today));
        let withdrawn_before = today - Duration::days(i64::from(retention.withdrawn_days));
        let done = async {
            let mut tx = self.write.begin().await?;
            // A time stamp sorts with a date as text: everything before that day.
            let due: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT a.id, a.reference, a.result FROM applications a WHERE a.erased_at IS NULL AND (\
                 (a.status = 'withdrawn' AND a.updated_at < $1) OR \
                 (a.status IN ('approved', 'rejected', 'closed') AND a.updated_at < $2 \
                  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.application_id = a.id \
                      AND (p.status = 'scheduled' OR p.paid_on >= $2))))",
            )
            .bind(withdrawn_before.to_string())
            .bind(decided_before.to_string())
            .fetch_all(&mut *tx)
            .await?;
            let at = stamp(now);
            for (id, reference, result) in &due {
                let result = self.open_sealed(result, Place::Result, reference)?;
                sqlx::query(
                    "UPDATE applications SET applicant_name = '', id_number = '', profile = '', \
                     note = '', contact_mobile = '', contact_email = '', contact_link = '', \
                     id_hmac = NULL, name_hmac = NULL, idempotency_key = NULL, \
                     request_hash = NULL, status_token = $1, erased_at = $2, result = $3 \
                     WHERE id = $4",
                )
                // The status link stops working: nobody holds the new token.
                .bind(super::keys::status_link_hash(&random_token()))
                .bind(&at)
                .bind(self.seal(&figures_only(&result), Place::Result, reference))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "DELETE FROM upload_chunks WHERE upload_id IN \
                     (SELECT id FROM uploads WHERE application_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM uploads WHERE application_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE agreements SET bank_name = '', account = '' WHERE application_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM search_terms WHERE application_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // Letters keep their numbers (the register stays whole), not their words.
                sqlx::query("UPDATE letters SET body = '' WHERE application_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The files objectors sent go too.
                let sent = "SELECT f.upload_id FROM objection_files f \
                     JOIN objections o ON o.id = f.objection_id WHERE o.application_id = $1";
                sqlx::query(&format!(
                    "DELETE FROM upload_chunks WHERE upload_id IN ({sent})"
                ))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let files: Vec<String> = sqlx::query_scalar(sent)
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                sqlx::query(
                    "DELETE FROM objection_files WHERE objection_id IN \
                     (SELECT id FROM objections WHERE application_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                for f in files {
                    sqlx::query("DELETE FROM uploads WHERE id = $1")
                        .bind(f)
                        .execute(&mut *tx)
                        .await?;
                }
                // Objectors' names, phones and words go with it; the finding's fact stays.
                sqlx::query(
                    "UPDATE objections SET objector_name = '', objector_phone = '', \
                     statement = '' WHERE application_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            if !due.is_empty() && self.backend == Backend::Sqlite {
                // Old page images in the write-ahead log go too (secure_delete has overwritten
                // them in the database file).
                let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.write)
                    .await;
            }
            Ok(due.len() as u64)
        }
        .await;
        self.recycle.note(done)
    }
}

/// What of a saved result stays after erasure: the policy version and date, the tier, each
/// program's status and amount, the total. The conditions go: their values (an age, a salary,
/// an employer) describe the person.
fn figures_only(result: &str) -> String {
    use serde_json::{Map, Value};
    let Ok(Value::Object(full)) = serde_json::from_str::<Value>(result) else {
        return "{}".into();
    };
    let pick = |from: &Map<String, Value>, keys: &[&str]| -> Map<String, Value> {
        keys.iter()
            .filter_map(|k| from.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect()
    };
    let mut kept = pick(
        &full,
        &["policy_version", "application_date", "talent_tier", "total"],
    );
    if let Some(Value::Object(tier)) = full.get("tier_rule") {
        kept.insert(
            "tier_rule".into(),
            Value::Object(pick(tier, &["tier_name_zh", "tier_name_en"])),
        );
    }
    if let Some(Value::Array(programs)) = full.get("programs") {
        let programs = programs
            .iter()
            .filter_map(Value::as_object)
            .map(|p| Value::Object(pick(p, &["id", "name_zh", "name_en", "status", "amount"])))
            .collect();
        kept.insert("programs".into(), Value::Array(programs));
    }
    Value::Object(kept).to_string()
}
