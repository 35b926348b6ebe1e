//! Saving submissions: one submission in its own transaction (PostgreSQL), or the SQLite
//! writer's group commit — every submission waiting is saved inside a savepoint of one
//! transaction, and all hear their answer after its single commit.

use super::keys::Place;
use super::{
    APPLICANT_ACTOR, DataKey, NewApplication, Result, StoreError, Submitted, china, random_token,
    stamp,
};
use chrono::Utc;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Connection, Row};
use tokio::sync::{mpsc, oneshot};

/// Most submissions one commit takes.
const GROUP_MAX: usize = 256;

type Job = (NewApplication, oneshot::Sender<Result<Submitted>>);

/// Where submissions wait for the writer.
#[derive(Debug, Clone)]
pub struct Queue(mpsc::Sender<Job>);

/// Starts the writer on the current runtime. It ends when every `Queue` is dropped. A group
/// that fails leaves the writer running: the next group takes a new connection when `recycle`
/// says the old one may be the trouble.
pub fn start(pool: AnyPool, money: &'static str, recycle: super::Recycle, key: DataKey) -> Queue {
    let (tx, mut rx) = mpsc::channel::<Job>(4 * GROUP_MAX);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            if let Err(e) = commit_group(&pool, jobs, money, &key).await {
                recycle.saw(&e);
            }
        }
    });
    Queue(tx)
}

pub async fn submit(queue: &Queue, new: NewApplication) -> Result<Submitted> {
    let (reply, answer) = oneshot::channel();
    let stopped = || StoreError::Group("the writer has stopped".into());
    queue.0.send((new, reply)).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

async fn commit_group(pool: &AnyPool, jobs: Vec<Job>, money: &str, key: &DataKey) -> Result<()> {
    let mut results = Vec::with_capacity(jobs.len());
    let committed: Result<()> = async {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        for (new, _) in &jobs {
            results.push(save_one(&mut tx, new, money, key).await);
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    match committed {
        Ok(()) => {
            for ((_, reply), r) in jobs.into_iter().zip(results) {
                let _ = reply.send(r);
            }
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, count = jobs.len(), "a group of submissions was not saved");
            for (_, reply) in jobs {
                let _ = reply.send(Err(StoreError::Group(e.to_string())));
            }
            Err(e)
        }
    }
}

/// Saves one submission in a transaction of its own — a savepoint when `conn` is already in
/// one. A key seen before answers with the submission saved then, if it came with the same
/// request; with another request it is refused.
pub async fn save_one(
    conn: &mut AnyConnection,
    new: &NewApplication,
    money: &str,
    key: &DataKey,
) -> Result<Submitted> {
    if let Some(idem) = &new.idempotency_key
        && let Some(s) = by_key(conn, idem, &new.request_hash, key).await?
    {
        return Ok(s);
    }
    let saved = async {
        let mut tx = conn.begin().await?;
        let s = insert(&mut tx, new, money, key).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(s)
    }
    .await;
    match (saved, &new.idempotency_key) {
        // The same key sent twice at once: the other request saved it first.
        (Err(StoreError::Db(sqlx::Error::Database(e))), Some(idem)) if e.is_unique_violation() => {
            by_key(conn, idem, &new.request_hash, key)
                .await?
                .ok_or(StoreError::Db(sqlx::Error::Database(e)))
        }
        (saved, _) => saved,
    }
}

/// The submission saved under the idempotency key `idem`, when its request had the same
/// hash. Its status link is given again only while it is still the one derived from the key
/// (an officer may have made a new one since); otherwise it is empty.
pub(super) async fn by_key(
    conn: &mut AnyConnection,
    idem: &str,
    hash: &str,
    key: &DataKey,
) -> Result<Option<Submitted>> {
    let row = sqlx::query(
        "SELECT reference, status_token, request_hash FROM applications \
         WHERE idempotency_key = $1",
    )
    .bind(idem)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let first: Option<String> = r.try_get("request_hash")?;
    if !first.is_some_and(|h| super::same_secret(&h, hash)) {
        return Err(StoreError::KeyReused);
    }
    let stored: String = r.try_get("status_token")?;
    let derived = super::keys::derived_status_link(key, idem);
    let status_token = if super::same_secret(&stored, &super::keys::status_link_hash(&derived)) {
        derived
    } else {
        String::new()
    };
    Ok(Some(Submitted {
        reference: r.try_get("reference")?,
        status_token,
        created: false,
    }))
}

/// The rows of one submission: its reference number, the application, its programs and the
/// first audit entry. The caller commits.
async fn insert(
    conn: &mut AnyConnection,
    new: &NewApplication,
    money: &str,
    key: &DataKey,
) -> Result<Submitted> {
    let now = Utc::now();
    let at = stamp(now);
    let year = i64::from(chrono::Datelike::year(&now.with_timezone(&china())));
    let token = match &new.idempotency_key {
        Some(idem) => super::keys::derived_status_link(key, idem),
        None => random_token(),
    };
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO reference_counters (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let reference = format!("SXT-{year}-{n:06}");
    let id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO applications (reference, status_token, idempotency_key, submitted_at, \
         submitted_on, applicant_name, id_number, tier, total, policy_version, \
         application_date, profile, result, status, note, updated_at, request_hash, id_hmac, \
         name_hmac, notice_version, consented_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS {money}), $10, $11, $12, $13, \
         'submitted', '', $4, $14, $15, $16, $17, $4) RETURNING id",
    ))
    .bind(&reference)
    .bind(super::keys::status_link_hash(&token))
    .bind(new.idempotency_key.as_deref())
    .bind(&at)
    .bind(at[..10].to_string())
    .bind(key.seal_text(&new.applicant_name, &Place::Name.of(&reference)))
    .bind(key.seal_text(&new.id_number, &Place::IdNumber.of(&reference)))
    .bind(&new.tier)
    .bind(new.total.to_string())
    .bind(&new.policy_version)
    .bind(new.application_date.to_string())
    .bind(key.seal_text(&new.profile, &Place::Profile.of(&reference)))
    .bind(key.seal_text(&new.result, &Place::Result.of(&reference)))
    .bind(&new.request_hash)
    .bind(super::keys::id_hash(key, &new.id_number))
    .bind(super::keys::name_hash(key, &new.applicant_name))
    .bind(&new.notice_version)
    .fetch_one(&mut *conn)
    .await?;
    let insert_program = format!(
        "INSERT INTO application_programs (application_id, program, status, amount) \
         VALUES ($1, $2, $3, CAST($4 AS {money}))",
    );
    for p in &new.programs {
        sqlx::query(&insert_program)
            .bind(id)
            .bind(&p.program)
            .bind(&p.status)
            .bind(p.amount.to_string())
            .execute(&mut *conn)
            .await?;
    }
    super::messages::save_contact(conn, key, id, &reference, &new.contact, &token).await?;
    super::keys::write_search_terms(conn, key, id, &new.applicant_name, &new.id_number).await?;
    super::transitions::claim(conn, id, &new.uploads).await?;
    let submitted = super::AppStatus::Submitted.id();
    super::transitions::audit(conn, key, id, &at, APPLICANT_ACTOR, None, submitted, "").await?;
    Ok(Submitted {
        reference,
        status_token: token,
        created: true,
    })
}
