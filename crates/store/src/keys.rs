//! The data key and the database: which key the data is sealed with (its fingerprint in
//! `data_key`), where each sealed value lives (`Place`, the associated data that binds it to
//! its row and column), sealing the rows of a database made before encryption, and rotating
//! the key (every sealed value opened with the old key and sealed with the new, and every
//! search hash recomputed, in one transaction). The other sealed columns are listed in
//! `sealed.rs`, the search terms in `search.rs`.

use super::*;
use crate::crypto::KeyError;
pub(super) use sealed::reseal_columns;
pub use search::query_terms;
pub(super) use search::{backfill_search_terms, write_search_terms};

#[path = "sealed.rs"]
mod sealed;
#[path = "search.rs"]
mod search;

/// A sealed column: with the row's key (a reference number, an upload id, a batch token) it
/// names the place a value is bound to.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Name,
    IdNumber,
    Profile,
    FileName,
    BatchResults,
    BatchWorkbook,
    /// The assessment kept with an application (it holds the answers' values).
    Result,
    /// The officer's note the applicant sees (row: the application's id).
    Note,
    /// The note of an audit entry: an officer's reason, an applicant's reply or withdrawal
    /// reason (row: the application's id). Who, when and the statuses stay readable.
    AuditNote,
    /// An officer's reason for a program's decision (row: the application's id).
    DecisionReason,
    /// An officer's words on a step of the procedure (row: the application's id).
    CaseEvent,
    /// An objector's name, phone and statement, and the finding (row: the objection's id).
    Objection,
    /// A payee's bank and account (row: `APPLICATION_ID/PROGRAM`).
    Payee,
    BatchSummary,
    BatchFileName,
    /// Who a simulation was run on (file names of populations).
    Population,
    /// A letter's words as issued (row: `APPLICATION_ID/KIND/SOURCE`).
    Letter,
    /// An applicant's mobile number, e-mail address and the status link to send them (row:
    /// the reference; `.mobile`, `.email`, `.link`).
    Contact,
}

impl Place {
    pub fn of(self, row: &str) -> String {
        let column = match self {
            Place::Name => "applications.applicant_name",
            Place::IdNumber => "applications.id_number",
            Place::Profile => "applications.profile",
            Place::FileName => "uploads.file_name",
            Place::BatchResults => "batch_runs.results",
            Place::BatchWorkbook => "batch_runs.workbook",
            Place::CaseEvent => "case_events.note",
            Place::Objection => "objections",
            Place::Payee => "agreements",
            Place::Result => "applications.result",
            Place::Note => "applications.note",
            Place::AuditNote => "audit_log.note",
            Place::DecisionReason => "program_decisions.reason",
            Place::BatchSummary => "batch_runs.summary",
            Place::BatchFileName => "batch_runs.file_name",
            Place::Population => "simulation_runs.population",
            Place::Letter => "letters.body",
            Place::Contact => "applications.contact",
        };
        format!("{column}/{row}")
    }
}

/// The place of one chunk of an upload's bytes.
pub fn chunk_place(upload: &str, seq: i64) -> String {
    format!("upload_chunks.bytes/{upload}/{seq}")
}

/// What a search for an ID number compares: the keyed hash of the number, upper case.
pub fn id_hash(key: &DataKey, id_number: &str) -> String {
    key.search_hash(&format!("id:{}", id_number.trim().to_uppercase()))
}

/// What a search for a name compares: the keyed hash of the name as written, trimmed.
pub fn name_hash(key: &DataKey, name: &str) -> String {
    key.search_hash(&format!("name:{}", name.trim()))
}

/// What `applications.status_token` holds for a status link: a hash of it, never the link.
/// The link is 256 random bits (or a keyed derivation of an idempotency key), so a plain
/// SHA-256 cannot be turned back, and it survives a key rotation (as sessions' hashes do).
pub fn status_link_hash(token: &str) -> String {
    format!(
        "{LINK_HASH_PREFIX}{}",
        crate::secrets::sha256_hex(format!("status-link:{token}"))
    )
}

/// Marks a status link's hash, so that a database written before hashing is told apart.
pub(super) const LINK_HASH_PREFIX: &str = "h1:";

/// The status link of a submission sent with an idempotency key: derived from the key with
/// the data key, so that the sender's own retry (a form sent twice) can be answered with the
/// link again although only its hash is stored.
pub fn derived_status_link(key: &DataKey, idempotency_key: &str) -> String {
    key.search_hash(&format!("status-link-for:{idempotency_key}"))
}

fn key_error(what: String) -> StoreError {
    StoreError::Key(what)
}

/// The key this database is sealed with, taken from `source`: recorded on first use (when the
/// rows written before encryption are sealed, in the same transaction); refused when it is not
/// the recorded one; a key file created only for a database that has no key yet.
pub(super) async fn take(write: &AnyPool, url: &str, source: &KeySource) -> Result<DataKey> {
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT fingerprint FROM data_key WHERE id = 1")
            .fetch_optional(write)
            .await?;
    let key = match (source, source.file_for(url)) {
        (KeySource::Given(key), _) => (**key).clone(),
        (_, None) => {
            return Err(key_error(
                "PostgreSQL needs the data key named: --data-key-file FILE (the same file on \
                 every instance) or TALENT_SUBSIDY_DATA_KEY / PostgreSQL 需要指定数据密钥：\
                 --data-key-file 文件（各实例用同一文件）或环境变量 TALENT_SUBSIDY_DATA_KEY"
                    .into(),
            ));
        }
        (_, Some(file)) => {
            let shown = file.display().to_string();
            match DataKey::read(&file).map_err(|e| key_error(e.to_string()))? {
                Some(key) => key,
                None if recorded.is_some() => {
                    return Err(key_error(format!(
                        "the database is encrypted but its key file {shown} is missing: restore \
                         the file from its backup (a new key would not open the data) / \
                         数据库已加密，但密钥文件 {shown} 不存在：请从备份恢复该文件（新密钥无法解密已有数据）"
                    )));
                }
                None => match DataKey::create(&file) {
                    Ok(key) => {
                        tracing::warn!(file = %shown, "created a new data key file: back it up apart from the database");
                        key
                    }
                    // Another process created it first.
                    Err(KeyError::Create(..)) if file.exists() => DataKey::read(&file)
                        .map_err(|e| key_error(e.to_string()))?
                        .ok_or_else(|| key_error(format!("{shown}: no key")))?,
                    Err(e) => return Err(key_error(e.to_string())),
                },
            }
        }
    };
    match recorded {
        Some(fp) if fp == key.fingerprint() => Ok(key),
        Some(_) => Err(mismatch(source.file_for(url))),
        None => {
            let mut conn = write.acquire().await?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let first = sqlx::query(
                "INSERT INTO data_key (id, fingerprint, created_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(key.fingerprint())
            .bind(stamp(Utc::now()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if first == 1 {
                // Everything written before is plain: seal it with the key now recorded.
                reseal(&mut tx, None, &key).await?;
                tx.commit().await?;
                return Ok(key);
            }
            tx.rollback().await?;
            // Another instance recorded its key first: it must be this one.
            let fp: String = sqlx::query_scalar("SELECT fingerprint FROM data_key WHERE id = 1")
                .fetch_one(write)
                .await?;
            if fp == key.fingerprint() {
                Ok(key)
            } else {
                Err(mismatch(source.file_for(url)))
            }
        }
    }
}

fn mismatch(file: Option<std::path::PathBuf>) -> StoreError {
    let file = file.map(|f| f.display().to_string()).unwrap_or_default();
    key_error(format!(
        "the data key {file} is not the one this database was encrypted with: use that key \
         (if a key rotation was interrupted, the new key is in {file}.new) / \
         数据密钥 {file} 不是加密此数据库所用的密钥：请使用原密钥（若轮换密钥中断，新密钥在 {file}.new）"
    ))
}

fn unopened(place: &str) -> StoreError {
    StoreError::Corrupt(format!("a sealed value at {place} does not open"))
}

/// A stored text opened with `key`, or taken as plain text when `None` (a database written
/// before encryption). Empty stays empty (erased fields).
fn open_text_with(key: Option<&DataKey>, stored: &str, place: &str) -> Result<String> {
    match key {
        _ if stored.is_empty() => Ok(String::new()),
        None => Ok(stored.to_string()),
        Some(k) => k.open_text(stored, place).map_err(|_| unopened(place)),
    }
}

/// Stored bytes opened with `key`, or taken as plain when `None`.
fn open_bytes_with(key: Option<&DataKey>, stored: &[u8], place: &str) -> Result<Vec<u8>> {
    match key {
        None => Ok(stored.to_vec()),
        Some(k) => k.open(stored, place).map_err(|_| unopened(place)),
    }
}

/// One sealed text: opened with `old` (plain when `None`), sealed with `new`. Empty stays empty
/// (erased fields).
fn reseal_text(old: Option<&DataKey>, new: &DataKey, stored: &str, place: &str) -> Result<String> {
    if stored.is_empty() {
        return Ok(String::new());
    }
    Ok(new.seal_text(&open_text_with(old, stored, place)?, place))
}

fn reseal_bytes(
    old: Option<&DataKey>,
    new: &DataKey,
    stored: &[u8],
    place: &str,
) -> Result<Vec<u8>> {
    Ok(new.seal(&open_bytes_with(old, stored, place)?, place))
}

/// Opens every sealed value with `old` (or takes it as plain text when `None`: a database
/// written before encryption) and seals it with `new`; recomputes the search hashes. The
/// caller's transaction holds it all.
pub(super) async fn reseal(
    conn: &mut sqlx::AnyConnection,
    old: Option<&DataKey>,
    new: &DataKey,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, reference, applicant_name, id_number, profile FROM applications \
         WHERE erased_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let reference: String = r.try_get("reference")?;
        let name: String = r.try_get("applicant_name")?;
        let number: String = r.try_get("id_number")?;
        let profile: String = r.try_get("profile")?;
        let name_place = Place::Name.of(&reference);
        let number_place = Place::IdNumber.of(&reference);
        let plain_name = open_text_with(old, &name, &name_place)?;
        let plain_number = open_text_with(old, &number, &number_place)?;
        sqlx::query(
            "UPDATE applications SET applicant_name = $1, id_number = $2, profile = $3, \
             id_hmac = $4, name_hmac = $5 WHERE id = $6",
        )
        .bind(new.seal_text(&plain_name, &name_place))
        .bind(new.seal_text(&plain_number, &number_place))
        .bind(reseal_text(
            old,
            new,
            &profile,
            &Place::Profile.of(&reference),
        )?)
        .bind(id_hash(new, &plain_number))
        .bind(name_hash(new, &plain_name))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        write_search_terms(conn, new, id, &plain_name, &plain_number).await?;
    }
    let uploads = sqlx::query("SELECT id, file_name FROM uploads ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    for u in uploads {
        let id: String = u.try_get("id")?;
        let name: String = u.try_get("file_name")?;
        sqlx::query("UPDATE uploads SET file_name = $1 WHERE id = $2")
            .bind(reseal_text(old, new, &name, &Place::FileName.of(&id))?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        // One chunk at a time: a file is never whole in memory.
        let mut seq = 0i64;
        while let Some(bytes) = sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT bytes FROM upload_chunks WHERE upload_id = $1 AND seq = $2",
        )
        .bind(&id)
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?
        {
            sqlx::query("UPDATE upload_chunks SET bytes = $1 WHERE upload_id = $2 AND seq = $3")
                .bind(reseal_bytes(old, new, &bytes, &chunk_place(&id, seq))?)
                .bind(&id)
                .bind(seq)
                .execute(&mut *conn)
                .await?;
            seq += 1;
        }
    }
    reseal_columns(conn, old, new, false).await?;
    let batches = sqlx::query("SELECT id, token, results, workbook FROM batch_runs ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    for b in batches {
        let id: i64 = b.try_get("id")?;
        let token: String = b.try_get("token")?;
        let results: String = b.try_get("results")?;
        let workbook: Option<Vec<u8>> = b.try_get("workbook")?;
        let workbook = workbook
            .map(|w| reseal_bytes(old, new, &w, &Place::BatchWorkbook.of(&token)))
            .transpose()?;
        sqlx::query("UPDATE batch_runs SET results = $1, workbook = $2 WHERE id = $3")
            .bind(reseal_text(
                old,
                new,
                &results,
                &Place::BatchResults.of(&token),
            )?)
            .bind(workbook)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Seals a value of this store's.
    pub(super) fn seal(&self, plain: &str, place: Place, row: &str) -> String {
        self.key.seal_text(plain, &place.of(row))
    }

    /// Opens a sealed value; an empty one (erased) stays empty.
    pub(super) fn open_sealed(&self, stored: &str, place: Place, row: &str) -> Result<String> {
        open_text_with(Some(&self.key), stored, &place.of(row))
    }

    /// Opens sealed bytes stored at `place`.
    pub(super) fn open_sealed_bytes(&self, stored: &[u8], place: &str) -> Result<Vec<u8>> {
        open_bytes_with(Some(&self.key), stored, place)
    }

    pub(super) fn data_key(&self) -> &DataKey {
        &self.key
    }

    /// The fingerprint of the key in use (never the key).
    pub fn key_fingerprint(&self) -> &str {
        self.key.fingerprint()
    }

    /// Re-encrypts every sealed value with `new` and records it as the database's key, in one
    /// transaction: afterwards only `new` opens the data.
    pub async fn rotate_key(&self, new: &DataKey) -> Result<()> {
        let done = async {
            let mut tx = self.write.begin().await?;
            reseal(&mut tx, Some(&self.key), new).await?;
            sqlx::query("UPDATE data_key SET fingerprint = $1, rotated_at = $2 WHERE id = 1")
                .bind(new.fingerprint())
                .bind(stamp(Utc::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            if self.backend == Backend::Sqlite {
                // Page images sealed with the old key leave the write-ahead log too.
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.write)
                    .await?;
            }
            Ok(())
        }
        .await;
        self.recycle.note(done)
    }
}
