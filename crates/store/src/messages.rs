//! Messages to the applicant and their delivery: the contact details given at submission
//! (sealed), one message per step that concerns the applicant, and the outbox the delivery
//! workers of every instance share.
//!
//! Invariants: **a step makes one message** (`UNIQUE (application_id, kind, source)`), and the
//! message and its outbox rows (one per channel the applicant gave) are written in one
//! transaction; **a row is sent by whoever holds its claim**: claiming is a conditional update
//! of rows pending, due and unclaimed or whose claim has lapsed (PostgreSQL: `FOR UPDATE SKIP
//! LOCKED`, so two instances never take the same row), and only the claim's holder can mark it
//! sent or failed; a row whose sender stopped mid-way is taken again once its claim lapses —
//! at least once, and the message id travels as the idempotency key so a receiver that got it
//! already can tell.

use super::keys::Place;
use super::*;
use sqlx::AnyConnection;

/// A message as the status page and the console show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    /// What it tells (`accepted`, `more_info`, `reply_received`, `not_accepted`, `decided`,
    /// `notice`, `objection_upheld`, `reopened`, `paid`).
    pub kind: String,
    pub source: String,
    pub day: NaiveDate,
    pub created_at: String,
    pub deliveries: Vec<Delivery>,
}

/// One channel's delivery of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub sent_at: Option<String>,
    pub last_error: String,
}

/// An outbox row claimed for sending, with what the message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub outbox_id: i64,
    pub message_id: i64,
    pub channel: String,
    pub kind: String,
    pub reference: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The number or address to send to (opened).
    pub to: String,
    /// The status link's secret, when the applicant asked for it in messages.
    pub link_token: String,
}

/// A delivery that failed after its retries, for a person to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDelivery {
    pub reference: String,
    pub kind: String,
    pub channel: String,
    pub attempts: i64,
    pub last_error: String,
    pub day: NaiveDate,
}

/// Saves the contact details of a new application (sealed; the link only when asked for).
pub(super) async fn save_contact(
    conn: &mut AnyConnection,
    key: &DataKey,
    id: i64,
    reference: &str,
    c: &Contact,
    token: &str,
) -> Result<()> {
    if c.mobile.is_empty() && c.email.is_empty() {
        return Ok(());
    }
    let place = |what: &str| format!("{}.{what}", Place::Contact.of(reference));
    let seal = |v: &str, what: &str| {
        if v.is_empty() {
            String::new()
        } else {
            key.seal_text(v, &place(what))
        }
    };
    sqlx::query(
        "UPDATE applications SET contact_mobile = $1, contact_email = $2, contact_link = $3 \
         WHERE id = $4",
    )
    .bind(seal(&c.mobile, "mobile"))
    .bind(seal(&c.email, "email"))
    .bind(if c.send_link {
        seal(token, "link")
    } else {
        String::new()
    })
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records the message `kind` telling of `source` on application `id`, with an outbox row
    /// for each channel the applicant gave. `Ok(false)`: recorded already.
    pub async fn record_message(
        &self,
        id: i64,
        kind: &str,
        source: &str,
        day: NaiveDate,
    ) -> Result<bool> {
        let done = async {
            let mut tx = self.write.begin().await?;
            let (mobile, email): (String, String) = sqlx::query_as(
                "SELECT contact_mobile, contact_email FROM applications WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let now = stamp(Utc::now());
            let message: Option<i64> = sqlx::query_scalar(
                "INSERT INTO messages (application_id, kind, source, day, created_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (application_id, kind, source) DO NOTHING RETURNING id",
            )
            .bind(id)
            .bind(kind)
            .bind(source)
            .bind(day.to_string())
            .bind(&now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(message) = message else {
                tx.rollback().await?;
                return Ok(false);
            };
            for (channel, given) in [("sms", &mobile), ("email", &email)] {
                if given.is_empty() {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO outbox (message_id, channel, state, next_at) \
                     VALUES ($1, $2, 'pending', $3)",
                )
                .bind(message)
                .bind(channel)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        }
        .await;
        self.recycle.note(done)
    }

    /// The messages of application `id`, oldest first, each with its deliveries.
    pub async fn messages(&self, id: i64) -> Result<Vec<Message>> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, kind, source, day, created_at FROM messages WHERE application_id = $1 \
             ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let deliveries = sqlx::query(
            "SELECT o.id, o.message_id, o.channel, o.state, o.attempts, o.sent_at, o.last_error \
             FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.application_id = $1 \
             ORDER BY o.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for (mid, kind, source, day, created_at) in rows {
            let mut list = Vec::new();
            for r in &deliveries {
                if r.try_get::<i64, _>("message_id")? == mid {
                    list.push(Delivery {
                        id: r.try_get("id")?,
                        channel: r.try_get("channel")?,
                        state: r.try_get("state")?,
                        attempts: r.try_get("attempts")?,
                        sent_at: r.try_get("sent_at")?,
                        last_error: r.try_get("last_error")?,
                    });
                }
            }
            out.push(Message {
                id: mid,
                kind,
                source,
                day: parse_day(&day)
                    .ok_or_else(|| StoreError::Corrupt(format!("day = {day:?}")))?,
                created_at,
                deliveries: list,
            });
        }
        Ok(out)
    }

    /// Claims up to `limit` rows of `channel` that are due at `now` for `lease`, as `claim`.
    pub async fn claim_outbox(
        &self,
        channel: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
        claim: &str,
    ) -> Result<Vec<Claimed>> {
        let done = async {
            let skip = if self.backend == Backend::Postgres {
                " FOR UPDATE SKIP LOCKED"
            } else {
                ""
            };
            let mut tx = self.write.begin().await?;
            let taken: Vec<i64> = sqlx::query_scalar(&format!(
                "UPDATE outbox SET claim = $1, claimed_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM outbox WHERE channel = $3 AND state = 'pending' \
                 AND next_at <= $4 AND (claimed_until IS NULL OR claimed_until < $4) \
                 ORDER BY id LIMIT $5{skip}) RETURNING id"
            ))
            .bind(claim)
            .bind(stamp(now + lease))
            .bind(channel)
            .bind(stamp(now))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            let mut out = Vec::new();
            for oid in taken {
                let r = sqlx::query(
                    "SELECT o.id, o.message_id, o.channel, o.attempts, m.kind, a.reference, \
                     a.contact_mobile, a.contact_email, a.contact_link FROM outbox o \
                     JOIN messages m ON m.id = o.message_id \
                     JOIN applications a ON a.id = m.application_id WHERE o.id = $1",
                )
                .bind(oid)
                .fetch_one(&mut *tx)
                .await?;
                let reference: String = r.try_get("reference")?;
                let open = |col: &str, what: &str| -> Result<String> {
                    let v: String = r.try_get(col)?;
                    if v.is_empty() {
                        return Ok(v);
                    }
                    self.data_key()
                        .open_text(&v, &format!("{}.{what}", Place::Contact.of(&reference)))
                        .map_err(|e| StoreError::Corrupt(format!("contact of {reference}: {e}")))
                };
                let channel: String = r.try_get("channel")?;
                let to = if channel == "sms" {
                    open("contact_mobile", "mobile")?
                } else {
                    open("contact_email", "email")?
                };
                out.push(Claimed {
                    outbox_id: r.try_get("id")?,
                    message_id: r.try_get("message_id")?,
                    kind: r.try_get("kind")?,
                    attempts: r.try_get("attempts")?,
                    link_token: open("contact_link", "link")?,
                    to,
                    channel,
                    reference,
                });
            }
            tx.commit().await?;
            Ok(out)
        }
        .await;
        self.recycle.note(done)
    }

    /// Marks a claimed row sent. `Ok(false)`: the claim was not this one's any more.
    pub async fn outbox_sent(&self, outbox_id: i64, claim: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $1, claimed_until = NULL, \
             last_error = '' WHERE id = $2 AND claim = $3 AND state = 'pending'",
        )
        .bind(stamp(Utc::now()))
        .bind(outbox_id)
        .bind(claim)
        .execute(&self.write)
        .await
        .map(|r| r.rows_affected() == 1)
        .map_err(StoreError::from);
        self.recycle.note(done)
    }

    /// Records a failed attempt of a claimed row: tried again at `retry_at`, or (`None`)
    /// given up, for a person to act on.
    pub async fn outbox_failed(
        &self,
        outbox_id: i64,
        claim: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let error: String = error.chars().take(300).collect();
        // Given up: `failed`, for a person; else pending again from `retry_at`.
        let (state, next) = match retry_at {
            Some(at) => ("pending", Some(stamp(at))),
            None => ("failed", None),
        };
        let done = sqlx::query(
            "UPDATE outbox SET state = $1, next_at = COALESCE($2, next_at), \
             claimed_until = NULL, last_error = $3 \
             WHERE id = $4 AND claim = $5 AND state = 'pending'",
        )
        .bind(state)
        .bind(next)
        .bind(error)
        .bind(outbox_id)
        .bind(claim)
        .execute(&self.write)
        .await
        .map(|_| ())
        .map_err(StoreError::from);
        self.recycle.note(done)
    }

    /// Deliveries that failed after their retries, newest first, at most `limit`.
    pub async fn failed_deliveries(&self, limit: i64) -> Result<Vec<FailedDelivery>> {
        let rows = sqlx::query(
            "SELECT a.reference, m.kind, o.channel, o.attempts, o.last_error, m.day \
             FROM outbox o JOIN messages m ON m.id = o.message_id \
             JOIN applications a ON a.id = m.application_id WHERE o.state = 'failed' \
             ORDER BY o.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                Ok(FailedDelivery {
                    reference: r.try_get("reference")?,
                    kind: r.try_get("kind")?,
                    channel: r.try_get("channel")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    day: parse_day(&day)
                        .ok_or_else(|| StoreError::Corrupt(format!("day = {day:?}")))?,
                })
            })
            .collect()
    }

    /// The applications with a step that concerns the applicant and no message for it yet,
    /// at most `limit`: what the sweep records messages for.
    pub async fn owing_messages(&self, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT reference FROM applications WHERE erased_at IS NULL AND id IN ( \
               SELECT e.application_id FROM case_events e \
               WHERE (e.action IN ('accept', 'not_accept', 'pause', 'resume', 'publish', \
                 'objection_upheld', 'reopen') OR e.to_step = 'in_force') \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.application_id = e.application_id \
                 AND m.source = 'e' || CAST(e.id AS TEXT)) \
               UNION \
               SELECT p.application_id FROM payments p WHERE p.status = 'paid' \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.application_id = p.application_id \
                 AND m.kind = 'paid' AND (m.source = 'p' || CAST(p.id AS TEXT) \
                 OR m.source LIKE 'p' || CAST(p.id AS TEXT) || '.%')) \
             ) ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }
}
