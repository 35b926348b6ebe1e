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

pub mod crypto;
pub mod secrets;

mod agreements;
mod answers;
mod applications;
mod assignment;
mod batches;
mod casework;
mod group;
mod keys;
mod letters;
mod messages;
mod model;
mod objections;
mod officers;
mod policy;
mod privacy;
mod procedure;
mod transitions;
pub use letters::{Letter, NewLetter};
pub use messages::{Claimed, Delivery, FailedDelivery, Message};
pub use objections::NewObjection;
pub use policy::{Draft, Reload, SimulationRun};
pub use privacy::Retention;

pub use model::*;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use crate::crypto::DataKey;
use std::path::PathBuf;

/// Where the data key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A file beside the SQLite database (`talent-subsidy.db.key`), created on its first
    /// start. PostgreSQL has no such place: it needs a file or a key named.
    Beside,
    /// This file; created on the first start of a database that has no key yet.
    File(PathBuf),
    /// This key (`TALENT_SUBSIDY_DATA_KEY`, or a test's).
    Given(Box<DataKey>),
}

impl KeySource {
    /// The key file this source names for a database URL, if any.
    pub fn file_for(&self, url: &str) -> Option<PathBuf> {
        match self {
            KeySource::File(p) => Some(p.clone()),
            KeySource::Beside if !is_postgres(url) => {
                Some(PathBuf::from(format!("{}.key", sqlite_path(url))))
            }
            _ => None,
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// The file of a SQLite URL or path.
fn sqlite_path(url: &str) -> &str {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or(path)
}

/// Makes a SQLite database file readable and writable by its owner only: created so when
/// missing (SQLite gives its `-wal` and `-shm` files the database file's mode), and an
/// existing one (with its `-wal` and `-shm`) set so.
fn owner_only(path: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.as_os_str().is_empty() || path.to_str().is_some_and(|p| p.contains(":memory:")) {
            return Ok(());
        }
        let folder = |e| {
            StoreError::Folder(
                path.parent()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default(),
                e,
            )
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(folder(e)),
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let file = std::path::Path::new(&file);
            if let Ok(meta) = std::fs::metadata(file)
                && meta.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                    .map_err(folder)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

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
    /// The data key cannot be had, or is not the one the data was sealed with.
    #[error("{0}")]
    Key(String),
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
    /// Records an error: one that is about the connection or the database (not the data)
    /// retires the connections open now.
    fn saw(&self, e: &StoreError) {
        if e.is_trouble()
            && let Ok(mut at) = self.0.lock()
        {
            *at = Some(Instant::now());
        }
    }

    /// Passes a result on, recording its error.
    fn note<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(e) = &r {
            self.saw(e);
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
    /// Seals and opens the personal fields, and hashes what is searched.
    key: DataKey,
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

/// Today in the park's time zone (UTC+8). The front ends may read the clock; the engine
/// never does.
pub fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
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
    ///
    /// The data key comes from `keys`; a database that has none yet takes it (the fields of
    /// rows written before are sealed with it in the same transaction), one that has a key
    /// refuses any other, and a missing key file is created only for a database without one.
    pub async fn open(url: &str, keys: &KeySource) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if is_postgres(url) {
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
            let path = sqlite_path(&url);
            if let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Folder(dir.display().to_string(), e))?;
            }
            owner_only(std::path::Path::new(path))?;
        }
        let recycle = Recycle::default();
        let (read, write) = match backend {
            Backend::Sqlite => {
                let opts = || {
                    recycle.options().after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writes; FULL makes each commit
                            // durable before it is acknowledged.
                            // secure_delete overwrites what is deleted or replaced, so an
                            // erased or re-sealed value leaves no copy in free pages.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA secure_delete = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                };
                let write = opts().max_connections(1).connect(&url).await?;
                sqlx::migrate!("../../migrations/sqlite")
                    .run(&write)
                    .await?;
                rebuild_tables(&write).await?;
                let read = opts().max_connections(8).connect(&url).await?;
                (read, write)
            }
            Backend::Postgres => {
                let pool = recycle.options().max_connections(16).connect(&url).await?;
                sqlx::migrate!("../../migrations/postgres")
                    .run(&pool)
                    .await?;
                (pool.clone(), pool)
            }
        };
        let key = keys::take(&write, url.as_str(), keys).await?;
        // Values this version seals that an older one kept in plain (and status links kept
        // in plain) are sealed (hashed) now, once.
        {
            let mut tx = write.begin().await?;
            keys::reseal_columns(&mut tx, None, &key, true).await?;
            keys::backfill_search_terms(&mut tx, &key).await?;
            tx.commit().await?;
        }
        let group = (backend == Backend::Sqlite)
            .then(|| group::start(write.clone(), "TEXT", recycle.clone(), key.clone()));
        Ok(Store {
            key,
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
    /// Whether several instances may share this database (PostgreSQL): what every instance
    /// must see (rate limits) is then counted in it.
    pub fn shared(&self) -> bool {
        self.backend == Backend::Postgres
    }

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
                self.recycle
                    .saw(&StoreError::Group("the health write timed out".into()));
                false
            }
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Gives SQLite's `applications` and `officers` tables the statuses and roles of the latest
/// migrations, once: a CHECK constraint changes only by rebuilding the table, which needs
/// foreign keys off, which a migration's transaction cannot turn off. One transaction per
/// table: it happens wholly or not at all.
async fn rebuild_tables(write: &AnyPool) -> Result<()> {
    rebuild(
        write,
        "applications",
        // The status constraint's last two (the procedure's step constraint also names
        // 'withdrawn').
        "'rejected', 'withdrawn'",
        include_str!("../../../migrations/sqlite_rebuild/applications.sql"),
    )
    .await?;
    rebuild(
        write,
        "officers",
        "'finance'",
        include_str!("../../../migrations/sqlite_rebuild/officers.sql"),
    )
    .await
}

/// Rebuilds SQLite's `table` with `script` unless its definition already holds `marker`.
async fn rebuild(write: &AnyPool, table: &str, marker: &str, script: &str) -> Result<()> {
    let sql: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
            .bind(table)
            .fetch_one(write)
            .await?;
    if sql.contains(marker) {
        return Ok(());
    }
    let mut conn = write.acquire().await?;
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let rebuilt = conn.execute(script).await;
    if rebuilt.is_err() {
        let _ = conn.execute("ROLLBACK").await;
    }
    let checked = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    rebuilt?;
    if !checked?.is_empty() {
        return Err(StoreError::Corrupt(
            "a row refers to an application that is not there".into(),
        ));
    }
    Ok(())
}

/// Dates from a filter form (`YYYY-MM-DD`).
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}
