//! The office's letters as pages: listed on a case (officers) and on the status page (the
//! applicant: every letter but finance's payment notice), each a printable A4 page in the
//! language asked for, exactly as issued.
//!
//! Invariants: a letter is shown only through the case it belongs to (the status link's
//! application, or an officer allowed to read that case; finance reads payment notices
//! only); reading one is in the access log for officers; letters are issued after a step by
//! [`after_step`] and by the sweep every minute, never by a page view.

use super::AppState;
use super::auth::{AuthError, Signed};
use super::html::{language, page};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use app::letters::{Doc, DocPart, Written};
use askama::Template;
use rules::input::Lang;
use rules::letters::LetterKind;
use store::{Role, Store};

/// One letter in a list.
pub struct LetterLine {
    pub href: String,
    pub kind: String,
    pub number: String,
    pub date: String,
}

/// The lines of `letters` under `base` (a case's console address or its status link), the
/// applicant's only when `applicant`.
pub fn letter_lines(
    letters: &[store::Letter],
    base: &str,
    l: Lang,
    applicant: bool,
) -> Vec<LetterLine> {
    letters
        .iter()
        .filter_map(|x| {
            let kind = LetterKind::from_id(&x.kind)?;
            if applicant && !kind.to_applicant() {
                return None;
            }
            Some(LetterLine {
                href: format!("{base}/letters/{}", x.id),
                kind: l.t(kind.zh(), kind.en()).to_string(),
                number: x.number.clone(),
                date: app::letters::day_words(x.issued_on, l),
            })
        })
        .collect()
}

/// Issues the letters and records the messages a case owes after one of its steps; a
/// failure is logged (the sweep does it within a minute) and never undoes the step.
pub async fn after_step(state: &AppState, store: &Store, reference: &str) {
    let loaded = state.snapshot();
    let policy = &loaded.policy;
    let done: Result<(usize, usize), store::StoreError> = async {
        match store.application(reference).await? {
            Some(app) => {
                // The case read once for both.
                let case = app::case::Case::read(store, &app).await?;
                Ok((
                    app::letters::issue_owed(store, policy, &app, &case).await?,
                    app::messages::record_owed(store, app.summary.id, &case).await?,
                ))
            }
            None => Ok((0, 0)),
        }
    }
    .await;
    match done {
        Ok((0, 0)) => {}
        Ok((letters, messages)) => {
            tracing::info!(reference = %reference, letters, messages, "letters issued, messages recorded")
        }
        Err(e) => {
            tracing::warn!(error = %e, reference = %reference, "letters or messages failed after a step; the sweep tries again")
        }
    }
}

#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage {
    pub lang: Lang,
    pub doc: Doc,
    pub back: String,
    pub back_words: &'static str,
}

fn show(written: &str, l: Lang, back: String, back_words: &'static str) -> Option<LetterPage> {
    let w = Written::parse(written)?;
    Some(LetterPage {
        lang: l,
        doc: w.doc(l).clone(),
        back,
        back_words,
    })
}

fn no_letter() -> HttpResponse {
    super::html::message(StatusCode::NOT_FOUND, "没有这份文书", "No such letter")
}

/// A letter of the applicant's own application, through the status link.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret"), ("id" = String, Path, description = "The letter's number in the database, from the status page")), responses((status = 200, description = "The letter as a printable page", content_type = "text/html", body = String), (status = 404, description = "No such letter for this application")))]
#[get("/status/{token}/letters/{id}")]
pub async fn status_letter(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (token, id) = path.into_inner();
    let lang = language(&req, None);
    let a = match super::case_view::by_token(&state, &token).await {
        Ok(a) => a,
        Err(super::http::ApiError::NotFound) => return no_letter(),
        Err(e) => return actix_web::ResponseError::error_response(&e),
    };
    let Ok(id) = id.parse::<i64>() else {
        return no_letter();
    };
    let Some(store) = state.store.as_ref() else {
        return no_letter();
    };
    let letters = match store.letters(a.summary.id).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "reading letters failed");
            return actix_web::ResponseError::error_response(&super::http::ApiError::Store);
        }
    };
    let found = letters
        .iter()
        .find(|x| x.id == id && LetterKind::from_id(&x.kind).is_some_and(LetterKind::to_applicant));
    match found.and_then(|x| {
        show(
            &x.body,
            lang.lang,
            super::case_view::status_url(&token),
            lang.lang.t("返回申请状态", "Back to the application"),
        )
    }) {
        Some(p) => page(&p, StatusCode::OK, lang),
        None => no_letter(),
    }
}

/// A letter of a case, for the officers who read it (finance: payment notices).
#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("id" = String, Path, description = "The letter's number in the database, from the case page")), responses((status = 200, description = "The letter as a printable page", content_type = "text/html", body = String), (status = 403, description = "Not an officer who reads this letter"), (status = 404, description = "No such letter on this case")))]
#[get("/officer/applications/{reference}/letters/{id}")]
pub async fn officer_letter(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AuthError> {
    s.payments_reader()?;
    let (reference, id) = path.into_inner();
    let Ok(id) = id.parse::<i64>() else {
        return Ok(no_letter());
    };
    let lang = language(&req, None);
    let store = s.store(&state)?;
    let Some(app) = store
        .application(&reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_letter());
    };
    let letters = store
        .letters(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let Some(letter) = letters.iter().find(|x| x.id == id) else {
        return Ok(no_letter());
    };
    if s.role() == Role::Finance && letter.kind != LetterKind::Payment.id() {
        return Err(AuthError::Forbidden { api: false });
    }
    store
        .log_access(
            s.officer(),
            store::Access::View,
            Some((app.summary.id, &app.summary.reference)),
            store::AccessDetail::words(
                format!("文书 {}", letter.number),
                format!("letter {}", letter.number),
            ),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let back = if s.role() == Role::Finance {
        "/officer/payments".to_string()
    } else {
        format!("/officer/applications/{reference}")
    };
    let back_words = lang.lang.t("返回", "Back");
    Ok(match show(&letter.body, lang.lang, back, back_words) {
        Some(p) => page(&p, StatusCode::OK, lang),
        None => super::html::message(
            StatusCode::GONE,
            "这份文书的内容已按保存期限删除，只保留文号",
            "This letter's words were erased with the application's personal information; its number is kept",
        ),
    })
}

/// A registered payment's notice (拨付通知), from the payment schedule: to the latest one
/// issued for it (a registration after a reversal has its own).
#[utoipa::path(tag = "officers", params(("id" = String, Path, description = "The payment")), responses((status = 303, description = "To the payment notice"), (status = 403, description = "Not an officer who reads payments"), (status = 404, description = "No payment notice for this payment")))]
#[get("/officer/payments/{id}/notice")]
pub async fn payment_notice(
    s: Signed,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    s.payments_reader()?;
    let none = || {
        super::html::message(
            StatusCode::NOT_FOUND,
            "这笔款项尚无拨付通知（登记拨付后出具）",
            "This payment has no payment notice yet (one is issued when it is registered paid)",
        )
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(none());
    };
    let store = s.store(&state)?;
    let Some(p) = store.payment(id).await.map_err(|e| s.db_error(e))? else {
        return Ok(none());
    };
    let Some(app) = store
        .application(&p.reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(none());
    };
    let letters = store
        .letters(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let plain = format!("p{id}");
    let after = format!("p{id}.");
    let found = letters.iter().rev().find(|l| {
        l.kind == LetterKind::Payment.id() && (l.source == plain || l.source.starts_with(&after))
    });
    Ok(match found {
        Some(l) => HttpResponse::SeeOther()
            .insert_header((
                actix_web::http::header::LOCATION,
                format!("/officer/applications/{}/letters/{}", p.reference, l.id),
            ))
            .finish(),
        None => none(),
    })
}
