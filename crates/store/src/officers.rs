//! Officer accounts, their sessions, and sign-in attempts counted before a password is checked.

use super::*;

impl Store {
    pub async fn add_officer(&self, name: &str, role: Role, password_hash: &str) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO officers (name, role, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(role.id())
        .bind(password_hash)
        .bind(stamp(Utc::now()))
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Sets one column of an account, ending its sessions when asked, in one transaction.
    /// Returns whether the account exists.
    async fn update_officer(
        &self,
        name: &str,
        column: &str,
        value: sqlx::any::AnyArguments<'_>,
        end_sessions: bool,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let sql = format!("UPDATE officers SET {column} = $1 WHERE name = $2");
        let mut args = value;
        sqlx::Arguments::add(&mut args, name).map_err(sqlx::Error::Encode)?;
        let r = sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        if end_sessions {
            sqlx::query(
                "DELETE FROM sessions WHERE officer_id IN (SELECT id FROM officers WHERE name = $1)",
            )
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(r.rows_affected() == 1)
    }

    fn one<'q, T>(value: T) -> Result<sqlx::any::AnyArguments<'q>>
    where
        T: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        let mut args = sqlx::any::AnyArguments::default();
        sqlx::Arguments::add(&mut args, value).map_err(sqlx::Error::Encode)?;
        Ok(args)
    }

    /// Disables or enables an account; disabling also ends its sessions. Returns whether the
    /// account exists.
    pub async fn set_disabled(&self, name: &str, disabled: bool) -> Result<bool> {
        self.update_officer(name, "disabled", Self::one(i64::from(disabled))?, disabled)
            .await
    }

    /// Sets a new password hash and ends the account's sessions.
    pub async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        self.update_officer(name, "password_hash", Self::one(password_hash)?, true)
            .await
    }

    fn officer(row: &AnyRow) -> Result<Officer> {
        let role: String = row.try_get("role")?;
        let disabled: i64 = row.try_get("disabled")?;
        Ok(Officer {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            role: Role::from_id(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("role = {role:?}")))?,
            disabled: disabled != 0,
            created_at: row.try_get("created_at")?,
            password_hash: Secret::new(row.try_get::<String, _>("password_hash")?),
        })
    }

    pub async fn officer_by_name(&self, name: &str) -> Result<Option<Officer>> {
        sqlx::query("SELECT * FROM officers WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(Self::officer)
            .transpose()
    }

    pub async fn officers(&self) -> Result<Vec<Officer>> {
        sqlx::query("SELECT * FROM officers ORDER BY name")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(Self::officer)
            .collect()
    }

    // ----- sessions and login failures -----------------------------------------------------

    /// Starts a session; returns the cookie's token (only its hash is stored).
    pub async fn create_session(&self, officer_id: i64, lasts: Duration) -> Result<String> {
        let created = self.create_session_once(officer_id, lasts).await;
        self.recycle.note(created)
    }

    async fn create_session_once(&self, officer_id: i64, lasts: Duration) -> Result<String> {
        let token = random_token();
        let now = Utc::now();
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, officer_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256_hex(&token))
        .bind(officer_id)
        .bind(random_token())
        .bind(stamp(now))
        .bind(stamp(now + lasts))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The signed-in officer for a cookie token: an unexpired session of an enabled account.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT o.*, s.csrf FROM sessions s JOIN officers o ON o.id = s.officer_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.disabled = 0",
        )
        .bind(sha256_hex(token))
        .bind(stamp(Utc::now()))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(Session {
                officer: Self::officer(&r)?,
                csrf: r.try_get("csrf")?,
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Counts a sign-in attempt against its account and its address before the password is
    /// checked, in one transaction: each counter is incremented and read back in the same
    /// statement (a counter whose window of `window` has passed starts again at 1), so
    /// attempts made at the same moment each see a different count, and none can slip past
    /// the limit while others are still being checked.
    pub async fn count_login_attempt(
        &self,
        account: &str,
        address: &str,
        window: Duration,
    ) -> Result<LoginAttempt> {
        let counted = async {
            let now = Utc::now();
            let mut tx = self.write.begin().await?;
            let mut counts = Vec::with_capacity(2);
            for subject in [format!("account:{account}"), format!("address:{address}")] {
                counts.push(hit(&mut tx, &subject, now, window).await?);
            }
            tx.commit().await?;
            Ok(LoginAttempt {
                account: counts[0],
                address: counts[1],
            })
        }
        .await;
        self.recycle.note(counted)
    }

    /// Counts one more hit on `subject` in its fixed window of `window` (a new window starts
    /// when the last one is over): how many hits the window holds now, this one included, and
    /// when it started. Shared by every instance on the database: rate limits that hold across
    /// instances count here.
    pub async fn count_hit(
        &self,
        subject: &str,
        window: Duration,
    ) -> Result<(i64, DateTime<FixedOffset>)> {
        let counted = async {
            let mut conn = self.write.acquire().await?;
            hit(&mut conn, subject, Utc::now(), window).await
        }
        .await;
        self.recycle.note(counted)
    }

    /// A sign-in succeeded: the account's counter starts again, and the address gets back the
    /// attempt it was charged (an officer signing in often is not an attack).
    pub async fn login_succeeded(&self, account: &str, address: &str) -> Result<()> {
        self.uncount(account, address, true).await
    }

    /// An attempt whose password was never checked (the service was too busy): both counters
    /// get it back.
    pub async fn refund_login_attempt(&self, account: &str, address: &str) -> Result<()> {
        self.uncount(account, address, false).await
    }

    async fn uncount(&self, account: &str, address: &str, reset_account: bool) -> Result<()> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let account_sql = if reset_account {
                "DELETE FROM login_attempts WHERE subject = $1"
            } else {
                "UPDATE login_attempts SET attempts = attempts - 1 \
                 WHERE subject = $1 AND attempts > 0"
            };
            sqlx::query(account_sql)
                .bind(format!("account:{account}"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE login_attempts SET attempts = attempts - 1 \
                 WHERE subject = $1 AND attempts > 0",
            )
            .bind(format!("address:{address}"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        self.recycle.note(done)
    }
}

/// One more hit on `subject` in its fixed window of `window` ending `now` (a new window starts
/// when the last one is over): the hits it holds now, this one included, and when it started.
/// What the sign-in lockout and the shared rate limits count with.
async fn hit(
    conn: &mut sqlx::AnyConnection,
    subject: &str,
    now: DateTime<Utc>,
    window: Duration,
) -> Result<(i64, DateTime<FixedOffset>)> {
    let row = sqlx::query(
        "INSERT INTO login_attempts (subject, window_start, attempts) \
         VALUES ($1, $2, 1) ON CONFLICT (subject) DO UPDATE SET \
         attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 \
                    ELSE login_attempts.attempts + 1 END, \
         window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 \
                        ELSE login_attempts.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(subject)
    .bind(stamp(now))
    .bind(stamp(now - window))
    .fetch_one(&mut *conn)
    .await?;
    let start: String = row.try_get("window_start")?;
    let start = DateTime::parse_from_rfc3339(&start)
        .map_err(|_| StoreError::Corrupt(format!("window_start = {start:?}")))?;
    Ok((row.try_get::<i64, _>("attempts")?, start))
}
