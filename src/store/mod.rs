//! Saved applications, officers, sessions, login failures, batch runs and the audit log, in
//! SQLite (the default, a file created on first start) or PostgreSQL (`postgres://…`, for
//! several instances sharing state).
//!
//! Invariants:
//! - **Every write is one transaction**; a caller hears "saved" only after the commit.
//! - **Money is never a float**: TEXT holding a decimal in SQLite, NUMERIC in PostgreSQL; it is
//!   bound as text and read back as text (`CAST(… AS TEXT)`), then parsed as `Decimal`.
//! - **The audit log is append-only**: this module has no statement that changes or deletes
//!   a row of it, and triggers in both databases refuse one.
//! - Reference numbers count up per year without gaps (`SXT-2026-000123`); a status link is
//!   64 random hex digits; a session cookie's token is stored only as its SHA-256.
//! - SQLite writes go through one connection (SQLite allows one writer at a time; queuing them
//!   here avoids busy errors); reads use a pool. PostgreSQL uses one pool for both.
//! - SQLite submissions are committed in groups: the writer takes every submission waiting,
//!   saves each inside a savepoint of one transaction (so one failing leaves the others), and
//!   commits once; each hears its answer after that commit. One fsync serves many.
//!
//! One SQL text serves both databases through sqlx's `Any` driver (`$1` placeholders); where
//! they differ, `{num}` in a statement becomes the money type of the database in use.
//!
//! `Store` is cheap to clone: clones share the pools and the writer.

mod group;
mod model;

pub use model::*;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The database a service or a command uses when none is named.
pub const DEFAULT_SQLITE: &str = "./data/talent-subsidy.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    /// The commit of a group of submissions failed (each waiting submission hears this).
    #[error("saving failed: {0}")]
    Group(String),
    /// An idempotency key sent again with a different request.
    #[error("this idempotency key was first used with a different request")]
    KeyReused,
}

impl StoreError {
    /// Whether the error says something about the connection or the database rather than
    /// about the data written (a constraint): after such an error the connections in use are
    /// replaced, so a database that comes back (writable again, restarted) is used again.
    fn is_trouble(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => !matches!(
                e.kind(),
                sqlx::error::ErrorKind::UniqueViolation
                    | sqlx::error::ErrorKind::ForeignKeyViolation
                    | sqlx::error::ErrorKind::NotNullViolation
                    | sqlx::error::ErrorKind::CheckViolation
            ),
            StoreError::Db(_) | StoreError::Group(_) => true,
            _ => false,
        }
    }
}

/// When a write last failed for a reason a new connection might not repeat (a database that
/// was read-only, full, restarted). A connection opened before then is not reused: SQLite
/// opens a file it cannot write read-only and stays so, and a PostgreSQL session keeps the
/// settings it started with, so only new connections see the database as it is now.
#[derive(Debug, Clone, Default)]
struct Recycle(Arc<Mutex<Option<Instant>>>);

impl Recycle {
    fn note<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(e) = &r
            && e.is_trouble()
            && let Ok(mut at) = self.0.lock()
        {
            *at = Some(Instant::now());
        }
        r
    }

    /// Whether a connection of this age may be used again.
    fn keep(&self, age: std::time::Duration) -> bool {
        let failed = self.0.lock().ok().and_then(|at| *at);
        match (failed, Instant::now().checked_sub(age)) {
            (Some(failed), Some(opened)) => opened > failed,
            _ => true,
        }
    }

    fn options(&self) -> AnyPoolOptions {
        let me = self.clone();
        AnyPoolOptions::new().before_acquire(move |_, meta| {
            let keep = me.keep(meta.age);
            Box::pin(async move { Ok(keep) })
        })
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// SQLite: submissions queue for the writer, which commits those waiting together.
    group: Option<group::Queue>,
    recycle: Recycle,
}

/// Now, at UTC+8, as stored: fixed width, so that text order is time order.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.with_timezone(&china())
        .format("%Y-%m-%dT%H:%M:%S%.6f+08:00")
        .to_string()
}

/// China Standard Time, UTC+8 (no daylight saving).
pub fn china() -> FixedOffset {
    // Eight hours is well within the ±24 hours a `FixedOffset` allows.
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

pub use crate::secrets::{hex, random_token, same_secret, sha256_hex};

/// A SQLite URL for a file path (the file is created when missing).
pub fn sqlite_url(path: &str) -> String {
    format!("sqlite://{path}?mode=rwc")
}

fn decimal(row: &AnyRow, col: &str) -> Result<Decimal> {
    let text: String = row.try_get(col)?;
    Decimal::from_str(&text).map_err(|_| StoreError::Corrupt(format!("{col} = {text:?}")))
}

impl Store {
    /// Opens (creating a SQLite file and its folder when needed) and migrates the database.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let url = match backend {
            Backend::Sqlite if !url.starts_with("sqlite:") => sqlite_url(url),
            // A missing file is created, whichever way the URL was written.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Folder(dir.display().to_string(), e))?;
            }
        }
        let recycle = Recycle::default();
        let (read, write) = match backend {
            Backend::Sqlite => {
                let opts = || {
                    recycle.options().after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writes; FULL makes each commit
                            // durable before it is acknowledged.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                };
                let write = opts().max_connections(1).connect(&url).await?;
                sqlx::migrate!("./migrations/sqlite").run(&write).await?;
                let read = opts().max_connections(8).connect(&url).await?;
                (read, write)
            }
            Backend::Postgres => {
                let pool = recycle.options().max_connections(16).connect(&url).await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        let group = (backend == Backend::Sqlite)
            .then(|| group::start(write.clone(), "TEXT", recycle.clone()));
        Ok(Store {
            read,
            write,
            backend,
            group,
            recycle,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The column type of money in this database.
    fn money_type(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "TEXT",
            Backend::Postgres => "NUMERIC",
        }
    }

    /// Whether the database takes a write (for `/healthz`): a one-row transaction, within
    /// two seconds. A database that answers reads but refuses writes is not healthy.
    pub async fn can_write(&self) -> bool {
        let q = sqlx::query(
            "INSERT INTO health_checks (id, at) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .bind(stamp(Utc::now()))
        .execute(&self.write);
        match tokio::time::timeout(std::time::Duration::from_secs(2), q).await {
            Ok(r) => self.recycle.note(r.map_err(StoreError::from)).is_ok(),
            Err(_) => {
                let _ = self
                    .recycle
                    .note::<()>(Err(StoreError::Group("timed out".into())));
                false
            }
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    // ----- applications -------------------------------------------------------------------

    /// Saves a submission with its next reference number, or — when its idempotency key was
    /// seen before — answers with the application saved then. Returns after the commit.
    pub async fn submit(&self, new: NewApplication) -> Result<Submitted> {
        let saved = match &self.group {
            Some(queue) => group::submit(queue, new).await,
            None => {
                async {
                    let mut conn = self.write.acquire().await?;
                    group::save_one(&mut conn, &new, self.money_type()).await
                }
                .await
            }
        };
        self.recycle.note(saved)
    }

    const APPLICATION_COLUMNS: &'static str = "id, reference, submitted_at, applicant_name, \
        id_number, tier, CAST(total AS TEXT) AS total, policy_version, application_date, \
        status, note, updated_at, version";

    fn summary(row: &AnyRow) -> Result<ApplicationSummary> {
        let status: String = row.try_get("status")?;
        Ok(ApplicationSummary {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            submitted_at: row.try_get("submitted_at")?,
            applicant_name: row.try_get("applicant_name")?,
            id_number: row.try_get("id_number")?,
            tier: row.try_get("tier")?,
            total: decimal(row, "total")?,
            policy_version: row.try_get("policy_version")?,
            application_date: row.try_get("application_date")?,
            status: AppStatus::from_id(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status = {status:?}")))?,
            note: row.try_get("note")?,
            updated_at: row.try_get("updated_at")?,
            version: row.try_get("version")?,
        })
    }

    async fn application_where(&self, column: &str, value: &str) -> Result<Option<Application>> {
        let sql = format!(
            "SELECT {}, profile, result FROM applications WHERE {column} = $1",
            Self::APPLICATION_COLUMNS
        );
        let Some(row) = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Application {
            summary: Self::summary(&row)?,
            profile: row.try_get("profile")?,
            result: row.try_get("result")?,
        }))
    }

    pub async fn application(&self, reference: &str) -> Result<Option<Application>> {
        self.application_where("reference", reference).await
    }

    pub async fn application_by_token(&self, token: &str) -> Result<Option<Application>> {
        // Only well-formed tokens reach the database.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        self.application_where("status_token", token).await
    }

    /// The filter as SQL after `WHERE`, and the values to bind, in order.
    fn filter_sql(filter: &ListFilter) -> (String, Vec<String>) {
        let mut clauses = vec!["1 = 1".to_string()];
        let mut binds = Vec::new();
        let mut add = |clause: &str, value: String| {
            binds.push(value);
            clauses.push(clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(s) = filter.status {
            add("a.status = ?", s.id().into());
        }
        if let Some(t) = &filter.tier {
            add("a.tier = ?", t.clone());
        }
        if let Some(d) = filter.from {
            add("a.submitted_on >= ?", d.to_string());
        }
        if let Some(d) = filter.to {
            add("a.submitted_on <= ?", d.to_string());
        }
        if let Some(p) = &filter.program {
            add(
                "EXISTS (SELECT 1 FROM application_programs p WHERE p.application_id = a.id \
                 AND p.status = 'eligible' AND p.program = ?)",
                p.clone(),
            );
        }
        (clauses.join(" AND "), binds)
    }

    /// One page of applications matching the filter, newest first, and how many match.
    pub async fn list(
        &self,
        filter: &ListFilter,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<ApplicationSummary>, i64)> {
        let (cond, binds) = Self::filter_sql(filter);
        let count_sql = format!("SELECT COUNT(*) FROM applications a WHERE {cond}");
        let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            q = q.bind(b);
        }
        let total = q.fetch_one(&self.read).await?;
        let sql = format!(
            "SELECT {} FROM applications a WHERE {cond} ORDER BY a.id DESC LIMIT {} OFFSET {}",
            Self::APPLICATION_COLUMNS,
            per_page,
            i64::from(page.saturating_sub(1)) * i64::from(per_page)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.read).await?;
        let list = rows.iter().map(Self::summary).collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    /// Every application matching the filter with its programs, oldest first, for export.
    pub async fn export(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<(ApplicationSummary, Vec<ProgramRow>)>> {
        let (cond, binds) = Self::filter_sql(filter);
        let sql = format!(
            "SELECT {} FROM applications a WHERE {cond} ORDER BY a.id",
            Self::APPLICATION_COLUMNS
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let apps = q
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(Self::summary)
            .collect::<Result<Vec<_>>>()?;
        let sql = format!(
            "SELECT p.application_id, p.program, p.status, CAST(p.amount AS TEXT) AS amount \
             FROM application_programs p JOIN applications a ON a.id = p.application_id \
             WHERE {cond} ORDER BY p.application_id"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let mut programs: std::collections::HashMap<i64, Vec<ProgramRow>> = Default::default();
        for row in q.fetch_all(&self.read).await? {
            programs
                .entry(row.try_get("application_id")?)
                .or_default()
                .push(ProgramRow {
                    program: row.try_get("program")?,
                    status: row.try_get("status")?,
                    amount: decimal(&row, "amount")?,
                });
        }
        Ok(apps
            .into_iter()
            .map(|a| {
                let p = programs.remove(&a.id).unwrap_or_default();
                (a, p)
            })
            .collect())
    }

    /// Records an officer's decision and its audit entry in one transaction. The application
    /// must still be at the version the officer saw (every decision increments it, so of two
    /// decisions made on one version exactly one is recorded); a decision taken is final.
    pub async fn decide(
        &self,
        reference: &str,
        actor: &str,
        seen_version: i64,
        to: AppStatus,
        note: &str,
    ) -> std::result::Result<(), DecideError> {
        let decided = self
            .decide_once(reference, actor, seen_version, to, note)
            .await;
        if let Err(DecideError::Store(e)) = decided {
            return Err(DecideError::Store(
                self.recycle.note::<()>(Err(e)).unwrap_err(),
            ));
        }
        decided
    }

    async fn decide_once(
        &self,
        reference: &str,
        actor: &str,
        seen_version: i64,
        to: AppStatus,
        note: &str,
    ) -> std::result::Result<(), DecideError> {
        let mut tx = self.write.begin().await.map_err(StoreError::from)?;
        let row = sqlx::query("SELECT id, status, version FROM applications WHERE reference = $1")
            .bind(reference)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .ok_or(DecideError::NotFound)?;
        let id: i64 = row.try_get("id").map_err(StoreError::from)?;
        let status: String = row.try_get("status").map_err(StoreError::from)?;
        let version: i64 = row.try_get("version").map_err(StoreError::from)?;
        let from = AppStatus::from_id(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("status = {status:?}")))?;
        if !from.can_become(to) {
            return Err(DecideError::NotAllowed(from, to));
        }
        if version != seen_version {
            return Err(DecideError::Changed(from));
        }
        let at = stamp(Utc::now());
        // The version in the WHERE clause is what makes two concurrent decisions exclusive:
        // the second UPDATE finds no row at the version it read.
        let changed = sqlx::query(
            "UPDATE applications SET status = $1, note = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(to.id())
        .bind(note)
        .bind(&at)
        .bind(id)
        .bind(seen_version)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if changed.rows_affected() != 1 {
            return Err(DecideError::Changed(from));
        }
        sqlx::query(
            "INSERT INTO audit_log (application_id, at, actor, from_status, to_status, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&at)
        .bind(actor)
        .bind(from.id())
        .bind(to.id())
        .bind(note)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn audit_log(&self, application_id: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, from_status, to_status, note FROM audit_log \
             WHERE application_id = $1 ORDER BY id",
        )
        .bind(application_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// How many applications there are (all of them).
    pub async fn count_applications(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM applications")
            .fetch_one(&self.read)
            .await?)
    }

    // ----- officers ------------------------------------------------------------------------

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
                let row = sqlx::query(
                    "INSERT INTO login_attempts (subject, window_start, attempts) \
                     VALUES ($1, $2, 1) ON CONFLICT (subject) DO UPDATE SET \
                     attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 \
                                ELSE login_attempts.attempts + 1 END, \
                     window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 \
                                    ELSE login_attempts.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(&subject)
                .bind(stamp(now))
                .bind(stamp(now - window))
                .fetch_one(&mut *tx)
                .await?;
                let start: String = row.try_get("window_start")?;
                let start = DateTime::parse_from_rfc3339(&start)
                    .map_err(|_| StoreError::Corrupt(format!("window_start = {start:?}")))?;
                counts.push((row.try_get::<i64, _>("attempts")?, start));
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

    // ----- keeping data no longer than needed ---------------------------------------------

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
            tx.commit().await?;
            Ok(batches)
        }
        .await;
        self.recycle.note(done)
    }

    // ----- batch runs ----------------------------------------------------------------------

    /// Keeps a batch check's summary (JSON) and results (CSV text); returns its token.
    pub async fn save_batch(
        &self,
        officer_id: i64,
        file_name: &str,
        summary: &str,
        results: &str,
    ) -> Result<String> {
        let token = random_token();
        let saved = sqlx::query(
            "INSERT INTO batch_runs (token, officer_id, created_at, file_name, summary, results) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token)
        .bind(officer_id)
        .bind(stamp(Utc::now()))
        .bind(file_name)
        .bind(summary)
        .bind(results)
        .execute(&self.write)
        .await;
        self.recycle.note(saved.map_err(StoreError::from))?;
        Ok(token)
    }

    /// A batch run of this officer's.
    pub async fn batch(&self, token: &str, officer_id: i64) -> Result<Option<BatchRun>> {
        let row = sqlx::query(
            "SELECT created_at, file_name, summary, results FROM batch_runs \
             WHERE token = $1 AND officer_id = $2",
        )
        .bind(token)
        .bind(officer_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(BatchRun {
                created_at: r.try_get("created_at")?,
                file_name: r.try_get("file_name")?,
                summary: r.try_get("summary")?,
                results: r.try_get("results")?,
            })
        })
        .transpose()
    }
}

/// Dates from a filter form (`YYYY-MM-DD`).
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}
