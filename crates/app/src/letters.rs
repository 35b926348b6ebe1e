//! The office's letters (文书) made from a case: which letters its steps owe (受理 → 受理通知书,
//! 补正 → 补正材料通知书, 不予受理 → 不予受理通知书, a decision in force → 资助决定书 for what was
//! granted and 不予资助决定书 for what was refused, a registered payment → 拨付通知), the data each
//! names, and the letter written from the office's template in both languages.
//!
//! Invariants: **a letter is written once, from the case as it stands when its step is
//! taken, and kept as written** (the store seals its words; a later template edit or policy
//! change does not alter it); **every brace of a template is filled** (the loader admits only
//! names a kind has, and every such name has a value here — "not recorded" where the case has
//! none); a refusal names each program with its reasons and their articles, and the remedies.

use crate::case::Case;
use chrono::{Datelike, NaiveDate};
use rules::input::Lang;
use rules::letters::{LetterKind, Part, Piece};
use rules::policy::Policy;
use serde::{Deserialize, Serialize};
use store::{Store, StoreError};

/// A letter as written: both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub zh: Doc,
    pub en: Doc,
}

impl Written {
    pub fn parse(body: &str) -> Option<Written> {
        serde_json::from_str(body).ok()
    }

    pub fn doc(&self, lang: Lang) -> &Doc {
        if lang.en() { &self.en } else { &self.zh }
    }
}

/// One language's letter: title, number, paragraphs and tables, and the issuing office and
/// date above the place for the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    pub title: String,
    pub number: String,
    pub parts: Vec<DocPart>,
    pub office: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum DocPart {
    Para {
        text: String,
    },
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A letter a case owes: its kind, what it answers, its day and who took the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub kind: LetterKind,
    /// `e<event id>` or `p<payment id>`.
    pub source: String,
    pub day: NaiveDate,
    pub actor: String,
}

/// The letters a case's steps and payments owe, issued or not, in the order they happened.
pub fn owed(case: &Case) -> Vec<Owed> {
    let mut out = Vec::new();
    for e in &case.events {
        let source = format!("e{}", e.id);
        let mut owe = |kind| {
            out.push(Owed {
                kind,
                source: source.clone(),
                day: e.day,
                actor: e.actor.clone(),
            })
        };
        match e.action.as_str() {
            "accept" => owe(LetterKind::Accept),
            "not_accept" => owe(LetterKind::NotAccepted),
            "pause" => owe(LetterKind::Correction),
            _ if Case::came_into_force(e) => {
                if case.decisions.iter().any(|d| d.approved) {
                    owe(LetterKind::Grant);
                }
                if case.decisions.iter().any(|d| !d.approved) {
                    owe(LetterKind::Refusal);
                }
            }
            _ => {}
        }
    }
    for (source, day, p) in case.registrations() {
        out.push(Owed {
            kind: LetterKind::Payment,
            source,
            day,
            actor: p.paid_by.clone().unwrap_or_default(),
        });
    }
    out
}

/// Issues every letter the case (`case`, as read for `app`) owes and has not had; returns
/// how many were issued. A kind the policy has no wording for is not issued (a folder
/// without `letters.toml`).
pub async fn issue_owed(
    store: &Store,
    policy: &Policy,
    app: &store::Application,
    case: &Case,
) -> Result<usize, StoreError> {
    let issued = store.letters(app.summary.id).await?;
    let mut n = 0;
    for o in owed(case) {
        if issued
            .iter()
            .any(|l| l.kind == o.kind.id() && l.source == o.source)
            || policy.letters.template(o.kind, false).is_none()
        {
            continue;
        }
        let new = store::NewLetter {
            application_id: app.summary.id,
            kind: o.kind.id(),
            source: &o.source,
            day: o.day,
            actor: &o.actor,
        };
        let letters = &policy.letters;
        let done = store
            .issue_letter(
                &new,
                |seq| letters.number_of(o.kind, o.day.year(), seq),
                |number| {
                    let w = write(policy, app, case, &o, number);
                    serde_json::to_string(&w).unwrap_or_default()
                },
            )
            .await?;
        n += usize::from(done.is_some());
    }
    Ok(n)
}

/// Issues the letters owed by up to `limit` cases that owe some (the sweep every instance runs;
/// a letter issued by another instance meanwhile is skipped, not issued twice).
pub async fn sweep(store: &Store, policy: &Policy, limit: i64) -> Result<usize, StoreError> {
    let mut n = 0;
    for reference in store.owing_letters(limit).await? {
        if let Some(app) = store.application(&reference).await? {
            let case = Case::read(store, &app).await?;
            n += issue_owed(store, policy, &app, &case).await?;
        }
    }
    Ok(n)
}

/// The letter `o` written from its template, in both languages.
pub fn write(
    policy: &Policy,
    app: &store::Application,
    case: &Case,
    o: &Owed,
    number: &str,
) -> Written {
    let doc = |lang: Lang| {
        let letters = &policy.letters;
        let data = Data::of(policy, app, case, o, number, lang);
        let template = letters.template(o.kind, lang.en());
        let mut parts = Vec::new();
        for part in template.map(|t| t.parts.as_slice()).unwrap_or_default() {
            match part {
                Part::Para(pieces) => {
                    let text: String = pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Text(t) => t.as_str(),
                            Piece::Field(f) => {
                                data.fields.get(f.as_str()).map_or("", String::as_str)
                            }
                        })
                        .collect();
                    // A paragraph of data the case does not have (an officer's empty note).
                    if !text.trim().is_empty() {
                        parts.push(DocPart::Para { text });
                    }
                }
                Part::Table(name) => {
                    if let Some((head, rows)) = data.tables.get(name.as_str()) {
                        parts.push(DocPart::Table {
                            head: head.clone(),
                            rows: rows.clone(),
                        });
                    }
                }
            }
        }
        Doc {
            title: template.map(|t| t.title.clone()).unwrap_or_default(),
            number: number.to_string(),
            parts,
            office: lang.t(&letters.office_zh, &letters.office_en).to_string(),
            date: day_words(o.day, lang),
        }
    };
    Written {
        zh: doc(Lang::Zh),
        en: doc(Lang::En),
    }
}

/// A day in words: 2026年12月5日, 5 December 2026.
pub fn day_words(d: NaiveDate, lang: Lang) -> String {
    if lang.en() {
        d.format("%-d %B %Y").to_string()
    } else {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }
}

mod data;
use data::Data;
