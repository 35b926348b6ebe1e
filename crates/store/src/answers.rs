//! How often each answer was seen, by the prior's buckets (`answer_counts`): counted when an
//! application is submitted and when a batch is checked, read back to weigh the interview's
//! questions. Only paths, bucket keys and counts are kept: no person, no time, no link.

use super::*;

impl Store {
    /// Adds `seen` (path, bucket key, how many) to the counts, in one transaction.
    pub async fn count_answers(&self, seen: &[(&str, &str, u64)]) -> Result<()> {
        if seen.is_empty() {
            return Ok(());
        }
        let done = async {
            let mut tx = self.write.begin().await?;
            for (path, bucket, n) in seen {
                sqlx::query(
                    "INSERT INTO answer_counts (path, bucket, count) VALUES ($1, $2, $3) \
                     ON CONFLICT (path, bucket) DO UPDATE SET count = answer_counts.count + \
                     excluded.count",
                )
                .bind(*path)
                .bind(*bucket)
                .bind(i64::try_from(*n).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        }
        .await
        .map_err(StoreError::from);
        self.recycle.note(done)
    }

    /// Every count: (path, bucket key, how many).
    pub async fn answer_counts(&self) -> Result<Vec<(String, String, u64)>> {
        let rows =
            sqlx::query("SELECT path, bucket, count FROM answer_counts ORDER BY path, bucket")
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("count")?;
                Ok((
                    r.try_get("path")?,
                    r.try_get("bucket")?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }
}
