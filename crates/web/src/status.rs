//! The applicant's status link: where the application stands (decisions, payments, the
//! applicant's own files, and while more is asked for, the missing materials with an upload
//! form), withdrawing, replying with files, downloading one's own file, and the same as JSON.
//!
//! Invariants: the link is the only key (stored hashed); a link that names nothing and one
//! that names an erased application answer alike; a reply or withdrawal checks the link and
//! the application's status before reading the body.

use super::AppState;
use super::apply::{page_form, refused_page};
use super::auth::{self, form_token_ok};
use super::case_view::{
    FileLine, PaymentLine, StoredResult, app_status_words, decision_text, file_lines, status_url,
    status_words,
};
use super::html::{self, language, page};
use super::http::ApiError;
use super::uploads;
use super::view;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use app::casework::NOTE_LIMIT;
use askama::Template;
use rules::input::FormValues;
use rules::input::Lang;
use rust_decimal::Decimal;
use serde::Serialize;
use store::{AppStatus, Stage};

use crate::case_view::by_token;

#[derive(Template)]
#[template(path = "status.html")]
pub struct StatusPage {
    pub lang: Lang,
    /// The letters issued to the applicant.
    pub letters: Vec<crate::letters::LetterLine>,
    /// Messages about the application, newest first (站内消息).
    pub messages: Vec<crate::message_view::MessageLine>,
    /// The applicant's reply was just received.
    pub replied: bool,
    pub reference: String,
    pub submitted_at: String,
    pub status: &'static str,
    pub status_id: &'static str,
    /// Where it is in the procedure.
    pub step: &'static str,
    /// Decisions recorded but not yet in force (复审, 审批 or 公示 still to come).
    pub pending: bool,
    pub note: String,
    pub policy_version: String,
    pub tier: String,
    pub programs: Vec<(String, &'static str, String)>,
    pub total: String,
    /// This page's full address, to keep.
    pub link: String,
    /// While more information is requested: the form token for the reply (the page sets its
    /// cookie).
    pub reply_token: Option<String>,
    pub reply_action: String,
    /// While the applicant may withdraw: the form token for it.
    pub withdraw_token: Option<String>,
    pub withdraw_action: String,
    pub withdrawn: bool,
    /// The privacy notice the applicant consented to (empty for older applications).
    pub notice_version: String,
    /// The materials asked for: (upload field id, name).
    pub missing: Vec<(String, String)>,
    /// The files the applicant sent: (link, material, file name, size, when).
    pub files: Vec<FileLine>,
    /// The decision on each program decided so far: (program, words).
    pub decisions: Vec<(String, String)>,
    /// Payments scheduled for approved programs.
    pub payments: Vec<PaymentLine>,
    pub file_mb: u64,
    pub total_mb: u64,
}

/// The page for a status link that names no application.
fn no_such_link() -> HttpResponse {
    html::message(
        StatusCode::NOT_FOUND,
        "没有找到这份申请：请检查链接是否完整",
        "No application has this link: check that it was copied whole",
    )
}

/// The applicant's status page (the link is the secret).
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), responses((status = 200, description = "Where the application stands", content_type = "text/html", body = String), (status = 404, description = "No such application")))]
#[get("/status/{token}")]
pub async fn status_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    let lang = language(&req, None);
    let a = match by_token(&state, &token).await {
        Ok(a) => a,
        Err(ApiError::NotFound) => return no_such_link(),
        Err(_) => {
            return html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法查询，请稍后再试",
                "The status cannot be read just now; try again shortly",
            );
        }
    };
    let s = &a.summary;
    let result = StoredResult::parse(&a.result);
    let l = lang.lang;
    let programs = result
        .as_ref()
        .map(|r| {
            r.programs
                .iter()
                .map(|p| {
                    (
                        l.t(&p.name_zh, &p.name_en).to_string(),
                        status_words(&p.status, l),
                        view::yuan(&p.amount),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // The status page's forms (a reply, a withdrawal) carry the cookie-bound form token.
    let (form_token, cookie) = if s.status.can_withdraw() {
        let (t, c) = auth::form_token(&req, state.secure_cookies);
        (Some(t), c)
    } else {
        (None, None)
    };
    let reply_token = form_token
        .clone()
        .filter(|_| s.status == AppStatus::MoreInfo);
    let Some(store) = state.store.as_ref() else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法查询，请稍后再试",
            "The status cannot be read just now; try again shortly",
        );
    };
    let casework = async {
        let files = store.uploads(s.id).await?;
        let decisions = store.decisions(s.id).await?;
        let payments = store
            .payments(&store::PaymentFilter {
                application_id: Some(s.id),
                ..Default::default()
            })
            .await?;
        let letters = store.letters(s.id).await?;
        let messages = store.messages(s.id).await?;
        Ok::<_, store::StoreError>((files, decisions, payments, letters, messages))
    }
    .await;
    let Ok((files, decisions, payments, letters, messages)) = casework else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法查询，请稍后再试",
            "The status cannot be read just now; try again shortly",
        );
    };
    let program_name = |id: &str| {
        result
            .as_ref()
            .and_then(|r| r.programs.iter().find(|p| p.id == id))
            .map_or_else(
                || l.t("其他项目", "Another program").to_string(),
                |p| l.t(&p.name_zh, &p.name_en).to_string(),
            )
    };
    let missing = s
        .missing_materials
        .iter()
        .map(|m| (m.clone(), uploads::material_name(&state, m, l)))
        .collect();
    let mut resp = page(
        &StatusPage {
            letters: crate::letters::letter_lines(&letters, &status_url(&token), l, true),
            messages: crate::message_view::message_lines(&messages, l, None),
            missing,
            files: file_lines(&state, &files, &status_url(&token), l),
            decisions: decisions
                .iter()
                .map(|d| (program_name(&d.program), decision_text(d, l)))
                .collect(),
            payments: payments
                .iter()
                .map(|p| PaymentLine::of(p, program_name(&p.program), l))
                .collect(),
            file_mb: state.settings.upload_file_limit.div_ceil(1024 * 1024),
            total_mb: state.settings.upload_total_limit.div_ceil(1024 * 1024),
            reply_token,
            reply_action: format!("{}/reply", status_url(&token)),
            // Withdrawal: while nothing, not even one program, is decided.
            withdraw_token: form_token.filter(|_| decisions.is_empty()),
            withdraw_action: format!("{}/withdraw", status_url(&token)),
            withdrawn: s.status == AppStatus::Withdrawn,
            replied: req.query_string().split('&').any(|p| p == "replied=1"),
            notice_version: s.notice_version.clone(),
            link: format!(
                "{}{}",
                super::guard::public_origin(&req, &state.settings.trusted_proxies),
                req.path()
            ),
            lang: l,
            reference: s.reference.clone(),
            submitted_at: view::short_time(&s.submitted_at),
            status: app_status_words(s.status, l),
            status_id: s.status.id(),
            step: l.t(s.step.zh(), s.step.en()),
            pending: !decisions.is_empty()
                && !matches!(
                    s.step,
                    store::CaseStep::InForce | store::CaseStep::FirstReview
                ),
            note: s.note.clone(),
            policy_version: s.policy_version.clone(),
            tier: result
                .as_ref()
                .map_or_else(|| s.tier.clone(), |r| r.tier_words(l)),
            programs,
            total: view::yuan(&s.total),
        },
        StatusCode::OK,
        lang,
    );
    if let Some(c) = cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

/// The applicant withdraws the application through the status link while nothing is decided
/// (PIPL art. 15: consent withdrawn); a reason is optional. Its personal information is then
/// erased after the withdrawn retention period.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "form_token, confirm=1, reason (optional)"), responses((status = 303, description = "Withdrawn: back to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 404, description = "No such application"), (status = 409, description = "The application is decided (or partly) and can no longer be withdrawn", content_type = "text/html", body = String), (status = 422, description = "Not confirmed, or the reason too long", content_type = "text/html", body = String)))]
#[post("/status/{token}/withdraw")]
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = FormValues::parse(&body);
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let reason = values.get("reason").trim();
    if values.get("confirm") != "1" {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "撤回申请：请勾选确认后再提交（撤回后不能恢复，如需申请须重新提交）",
            "Withdraw: tick the confirmation first (a withdrawal cannot be undone; to apply again, submit anew)",
        );
    }
    if reason.chars().count() > NOTE_LIMIT || rules::applicant::unsafe_text(reason, true).is_some()
    {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "撤回原因：最多 2000 字，不含控制字符",
            "Reason: at most 2,000 characters, no control characters",
        );
    }
    let Some(store) = state.store.as_ref() else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法撤回，请稍后再试",
            "The application cannot be withdrawn just now; try again shortly",
        );
    };
    let done = store.withdraw(&token, reason).await;
    if done.is_ok() {
        tracing::info!("an applicant withdrew an application");
    }
    status_link_outcome(
        done,
        &token,
        (
            "这份申请已有审核结论（或部分结论），不能再撤回；如有疑问请联系园区人才办",
            "This application is decided (at least in part) and can no longer be withdrawn; contact the talent office with any question",
        ),
        (
            "暂时无法撤回，请稍后再试",
            "The application cannot be withdrawn just now; try again shortly",
        ),
    )
}

/// What an applicant's action through the status link answers: back to the status page once
/// saved; 404 for a link that is not there; 409 (`conflict`, in both languages) when the
/// application no longer allows it; 503 (`unavailable`) when the database failed.
fn status_link_outcome(
    done: Result<(), store::DecideError>,
    token: &str,
    conflict: (&str, &str),
    unavailable: (&str, &str),
) -> HttpResponse {
    use store::DecideError;
    match done {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((LOCATION, status_url(token)))
            .finish(),
        Err(DecideError::NotFound) => no_such_link(),
        Err(
            DecideError::NotAllowed(..)
            | DecideError::Changed(..)
            | DecideError::Step(..)
            | DecideError::SameOfficer
            | DecideError::Taken(..),
        ) => html::message(StatusCode::CONFLICT, conflict.0, conflict.1),
        Err(DecideError::Store(e)) => {
            tracing::error!(error = %e, "saving an applicant's action failed");
            html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                unavailable.0,
                unavailable.1,
            )
        }
    }
}

/// The applicant's reply to a request for more information, through the status link: a
/// text, files, or both; the application goes back to review and the reply enters the audit
/// log.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), request_body(content = String, content_type = "multipart/form-data", description = "form_token, reply, then files as `material:ID` parts (a plain form with form_token and reply is also taken)"), responses((status = 303, description = "Sent: back to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 404, description = "No such application"), (status = 409, description = "The application is not waiting for more information"), (status = 413, description = "A file or the files together are too large", content_type = "text/html", body = String), (status = 422, description = "Nothing sent, the reply too long, or a file not an accepted kind", content_type = "text/html", body = String)))]
#[post("/status/{token}/reply")]
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    const NOT_WAITING: (&str, &str) = (
        "这份申请目前不需要补充材料",
        "This application is not waiting for more information",
    );
    const UNAVAILABLE: (&str, &str) = (
        "暂时无法提交，请稍后再试",
        "The reply cannot be sent just now; try again shortly",
    );
    let unavailable = || {
        html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE.0,
            UNAVAILABLE.1,
        )
    };
    // The link and the application's status are checked before a byte of the body is read
    // (and so before any file is stored).
    match by_token(&state, &token).await {
        Ok(a) if a.summary.status == AppStatus::MoreInfo => {}
        Ok(_) => return html::message(StatusCode::CONFLICT, NOT_WAITING.0, NOT_WAITING.1),
        Err(ApiError::NotFound) => return no_such_link(),
        Err(_) => return unavailable(),
    }
    let (body, mut files) = match page_form(&req, &state, payload, Stage::Supplement).await {
        Ok(got) => got,
        Err(refused) => return refused,
    };
    let values = FormValues::parse(&body);
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let text = values.get("reply").trim();
    if (text.is_empty() && files.is_empty())
        || text.chars().count() > NOTE_LIMIT
        || rules::applicant::unsafe_text(text, true).is_some()
    {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "回复：请写明补充的情况或上传材料（文字最多 2000 字，不含控制字符）",
            "Reply: say what you are adding or upload the material (at most 2,000 characters, no control characters)",
        );
    }
    let Some(store) = state.store.as_ref() else {
        return unavailable();
    };
    let ids = match uploads::keep(store, &mut files).await {
        Ok(ids) => ids,
        Err(r) => return refused_page(&r),
    };
    let done = store.reply(&token, text, &ids).await;
    if done.is_ok() {
        tracing::info!(
            files = ids.len(),
            "an applicant replied to a request for more information"
        );
        if let Ok(a) = by_token(&state, &token).await {
            crate::letters::after_step(&state, store, &a.summary.reference).await;
        }
    }
    match status_link_outcome(done, &token, NOT_WAITING, UNAVAILABLE) {
        // Saved: back to the status page, which says it arrived.
        r if r.status() == StatusCode::SEE_OTHER => HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("{}?replied=1", status_url(&token))))
            .finish(),
        r => r,
    }
}

/// One of the applicant's own files, through their status link; anyone else's is not found.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret"), ("file" = String, Path, description = "The file's id, from the status page")), responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = String), (status = 404, description = "No such file for this application")))]
#[get("/status/{token}/files/{file}")]
pub async fn status_file(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (token, file) = path.into_inner();
    let not_found = || html::message(StatusCode::NOT_FOUND, "没有找到这个文件", "No such file");
    let a = match by_token(&state, &token).await {
        Ok(a) => a,
        Err(ApiError::NotFound) => return not_found(),
        Err(e) => return actix_web::ResponseError::error_response(&e),
    };
    let Some(store) = state.store.as_ref() else {
        return not_found();
    };
    match store.upload(a.summary.id, &file).await {
        Ok(Some(u)) => uploads::download(store, u),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading an upload failed");
            actix_web::ResponseError::error_response(&ApiError::Store)
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusDoc {
    pub reference: String,
    pub submitted_at: String,
    /// The application's status (partial: some programs approved; closed: every program
    /// decided; approved or rejected: decided as a whole).
    #[schema(value_type = crate::schema::AppStatusParam)]
    pub status: String,
    /// The officer's note with the latest decision.
    pub note: String,
    pub policy_version: String,
    pub talent_tier: String,
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// Where an application stands, for the holder of its status link.
#[utoipa::path(tag = "applications", params(("token" = String, Path, description = "The status link's secret")), responses((status = 200, description = "The status", body = StatusDoc), (status = 404, description = "No such application", body = super::schema::ErrorsDoc), (status = 429, description = "Too many status reads from this address (Retry-After); the limit is `--limit-status` a minute", body = super::schema::ErrorsDoc)))]
#[get("/api/v1/status/{token}")]
pub async fn status_api(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let a = by_token(&state, &token).await?;
    let s = a.summary;
    Ok(HttpResponse::Ok().json(StatusDoc {
        reference: s.reference,
        submitted_at: s.submitted_at,
        status: s.status.id().into(),
        note: s.note,
        policy_version: s.policy_version,
        talent_tier: s.tier,
        total: s.total,
    }))
}
