//! The office's letters as issued: each once for what it answers (`e<event id>`, a step of the
//! case's timeline; `p<payment id>`, a registered payment), numbered per kind and year without
//! gaps, its words kept sealed as they were issued.
//!
//! Invariants: **the number is taken in the transaction that stores the letter**, from a
//! counter row the transaction locks (PostgreSQL) or while it is the only writer (SQLite); a
//! letter already issued for the same answer rolls the transaction back, counter included, so
//! numbers have no gaps however many instances issue at once. **Nothing is deleted**: erasure
//! empties a letter's words and keeps its number.

use super::keys::Place;
use super::*;

/// A letter as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub id: i64,
    pub application_id: i64,
    /// Its kind's id (`accept`, `correction`, `not_accepted`, `grant`, `refusal`, `payment`).
    pub kind: String,
    /// What it answers: `e<id>` or `p<id>`.
    pub source: String,
    pub year: i64,
    pub seq: i64,
    /// Its document number (文号).
    pub number: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
    /// Its words as issued (JSON, both languages); empty once erased.
    pub body: String,
}

/// A letter to issue.
#[derive(Debug, Clone)]
pub struct NewLetter<'a> {
    pub application_id: i64,
    pub kind: &'a str,
    pub source: &'a str,
    /// The day it bears (UTC+8); its year is the number's.
    pub day: NaiveDate,
    pub actor: &'a str,
}

fn letter_place(application_id: i64, kind: &str, source: &str) -> String {
    Place::Letter.of(&format!("{application_id}/{kind}/{source}"))
}

impl Store {
    /// Whether the letter of `kind` answering `source` has been issued.
    pub async fn letter_issued(&self, kind: &str, source: &str) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM letters WHERE kind = $1 AND source = $2")
                .bind(kind)
                .bind(source)
                .fetch_one(&self.read)
                .await?;
        Ok(n > 0)
    }

    /// Issues a letter: takes the next number of its kind and year, makes its number with
    /// `number(seq)` and its words with `body(number)`, and stores both. `Ok(None)`: it was
    /// issued already (by this instance or another); no number is used up.
    pub async fn issue_letter(
        &self,
        new: &NewLetter<'_>,
        number: impl FnOnce(i64) -> String,
        body: impl FnOnce(&str) -> String,
    ) -> Result<Option<Letter>> {
        let done = async {
            let year = i64::from(chrono::Datelike::year(&new.day));
            let mut tx = self.write.begin().await?;
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO letter_counters (kind, year, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (kind, year) DO UPDATE SET last = letter_counters.last + 1 \
                 RETURNING last",
            )
            .bind(new.kind)
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            let number = number(seq);
            let words = body(&number);
            let sealed = self.data_key().seal_text(
                &words,
                &letter_place(new.application_id, new.kind, new.source),
            );
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO letters (application_id, kind, source, year, seq, number, issued_on, \
                 issued_at, issued_by, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (kind, source) DO NOTHING RETURNING id",
            )
            .bind(new.application_id)
            .bind(new.kind)
            .bind(new.source)
            .bind(year)
            .bind(seq)
            .bind(&number)
            .bind(new.day.to_string())
            .bind(stamp(Utc::now()))
            .bind(new.actor)
            .bind(sealed)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                // Issued already: the counter goes back with the rest.
                tx.rollback().await?;
                return Ok(None);
            };
            tx.commit().await?;
            Ok(Some(Letter {
                id,
                application_id: new.application_id,
                kind: new.kind.to_string(),
                source: new.source.to_string(),
                year,
                seq,
                number,
                issued_on: new.day,
                issued_by: new.actor.to_string(),
                body: words,
            }))
        }
        .await;
        self.recycle.note(done)
    }

    /// The letters of application `id`, oldest first, their words opened.
    pub async fn letters(&self, id: i64) -> Result<Vec<Letter>> {
        let rows = sqlx::query(
            "SELECT id, application_id, kind, source, year, seq, number, issued_on, issued_by, \
             body FROM letters WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| self.letter_row(r)).collect()
    }

    /// Every letter of a kind issued in a year, by number (the register; tests check it has
    /// no gaps).
    pub async fn letter_register(&self, kind: &str, year: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT seq, number FROM letters WHERE kind = $1 AND year = $2 ORDER BY seq",
        )
        .bind(kind)
        .bind(year)
        .fetch_all(&self.read)
        .await?)
    }

    fn letter_row(&self, r: &sqlx::any::AnyRow) -> Result<Letter> {
        let application_id: i64 = r.try_get("application_id")?;
        let kind: String = r.try_get("kind")?;
        let source: String = r.try_get("source")?;
        let day: String = r.try_get("issued_on")?;
        let body: String = r.try_get("body")?;
        let body = if body.is_empty() {
            body
        } else {
            self.data_key()
                .open_text(&body, &letter_place(application_id, &kind, &source))
                .map_err(|e| StoreError::Corrupt(format!("letter {kind}/{source}: {e}")))?
        };
        Ok(Letter {
            id: r.try_get("id")?,
            application_id,
            year: r.try_get("year")?,
            seq: r.try_get("seq")?,
            number: r.try_get("number")?,
            issued_on: parse_day(&day)
                .ok_or_else(|| StoreError::Corrupt(format!("issued_on = {day:?}")))?,
            issued_by: r.try_get("issued_by")?,
            kind,
            source,
            body,
        })
    }

    /// The applications with a step or a registered payment that no letter answers yet,
    /// oldest first, at most `limit`: what the sweep issues letters for. (A step answered by
    /// one letter of two — a decision granting some programs and refusing others — is issued
    /// whole by the same call that issued the first.)
    pub async fn owing_letters(&self, limit: i64) -> Result<Vec<String>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT reference FROM applications WHERE erased_at IS NULL AND id IN ( \
               SELECT e.application_id FROM case_events e \
               WHERE (e.action IN ('accept', 'not_accept', 'pause') OR e.to_step = 'in_force') \
               AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.application_id = e.application_id \
                 AND l.source = 'e' || CAST(e.id AS TEXT)) \
               UNION \
               SELECT p.application_id FROM payments p WHERE p.status = 'paid' \
               AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.application_id = p.application_id \
                 AND l.kind = 'payment' AND (l.source = 'p' || CAST(p.id AS TEXT) \
                 OR l.source LIKE 'p' || CAST(p.id AS TEXT) || '.%')) \
             ) ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(ids)
    }
}
