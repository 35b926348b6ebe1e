//! Batch checks kept for their officer, and deleting what is kept no longer than needed.

use super::keys::Place;
use super::*;

impl Store {
    /// Keeps a batch check's summary (JSON) and results (CSV text, and the workbook);
    /// returns its token.
    pub async fn save_batch(
        &self,
        officer_id: i64,
        file_name: &str,
        summary: &str,
        results: &str,
        workbook: &[u8],
    ) -> Result<String> {
        let token = random_token();
        let saved = sqlx::query(
            "INSERT INTO batch_runs (token, officer_id, created_at, file_name, summary, results, \
             workbook) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token)
        .bind(officer_id)
        .bind(stamp(Utc::now()))
        .bind(self.seal(file_name, Place::BatchFileName, &token))
        .bind(self.seal(summary, Place::BatchSummary, &token))
        .bind(self.seal(results, Place::BatchResults, &token))
        .bind(
            self.data_key()
                .seal(workbook, &Place::BatchWorkbook.of(&token)),
        )
        .execute(&self.write)
        .await;
        self.recycle.note(saved.map_err(StoreError::from))?;
        Ok(token)
    }

    /// This officer's batch checks still kept, newest first (at most `limit`): token, when, the
    /// file's name and the summary (JSON) — not the results.
    pub async fn batches_of(&self, officer_id: i64, limit: u32) -> Result<Vec<BatchListed>> {
        let rows = sqlx::query(&format!(
            "SELECT token, created_at, file_name, summary FROM batch_runs \
             WHERE officer_id = $1 ORDER BY id DESC LIMIT {limit}"
        ))
        .bind(officer_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let token: String = r.try_get("token")?;
                let file_name: String = r.try_get("file_name")?;
                let summary: String = r.try_get("summary")?;
                Ok(BatchListed {
                    created_at: r.try_get("created_at")?,
                    file_name: self.open_sealed(&file_name, Place::BatchFileName, &token)?,
                    summary: self.open_sealed(&summary, Place::BatchSummary, &token)?,
                    token,
                })
            })
            .collect()
    }

    /// A batch run of this officer's.
    pub async fn batch(&self, token: &str, officer_id: i64) -> Result<Option<BatchRun>> {
        let row = sqlx::query(
            "SELECT created_at, file_name, summary, results, workbook FROM batch_runs \
             WHERE token = $1 AND officer_id = $2",
        )
        .bind(token)
        .bind(officer_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            let results: String = r.try_get("results")?;
            let workbook: Option<Vec<u8>> = r.try_get("workbook")?;
            let place = Place::BatchWorkbook.of(token);
            let file_name: String = r.try_get("file_name")?;
            let summary: String = r.try_get("summary")?;
            Ok(BatchRun {
                created_at: r.try_get("created_at")?,
                file_name: self.open_sealed(&file_name, Place::BatchFileName, token)?,
                summary: self.open_sealed(&summary, Place::BatchSummary, token)?,
                results: self.open_sealed(&results, Place::BatchResults, token)?,
                workbook: workbook
                    .map(|w| self.open_sealed_bytes(&w, &place))
                    .transpose()?,
            })
        })
        .transpose()
    }

    /// Deletes batch checks older than `batch_days`, sign-in counters and sessions no longer
    /// in force. Returns how many batch checks were deleted.
    pub async fn purge(&self, now: DateTime<Utc>, batch_days: u32) -> Result<u64> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let batches = sqlx::query("DELETE FROM batch_runs WHERE created_at < $1")
                .bind(stamp(now - Duration::days(i64::from(batch_days))))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM login_attempts WHERE window_start < $1")
                .bind(stamp(now - Duration::days(1)))
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(stamp(now))
                .execute(&mut *tx)
                .await?;
            // Files no submission claimed (the request that brought them failed or stopped).
            let stale = stamp(now - Duration::days(1));
            sqlx::query(
                "DELETE FROM upload_chunks WHERE upload_id IN (SELECT id FROM uploads \
                 WHERE application_id IS NULL AND created_at < $1 \
                 AND id NOT IN (SELECT upload_id FROM objection_files))",
            )
            .bind(&stale)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM uploads WHERE application_id IS NULL AND created_at < $1 \
                 AND id NOT IN (SELECT upload_id FROM objection_files)",
            )
            .bind(&stale)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(batches)
        }
        .await;
        self.recycle.note(done)
    }
}
