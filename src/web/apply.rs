//! Applicants submitting: "提交申请" on the result page (and `POST /api/v1/applications`) saves
//! the profile, its result and the policy version, and answers with a reference number and an
//! unguessable status link where the applicant follows the review.
//!
//! Invariants: the server assesses again what it saves — a result sent by the browser is never
//! trusted; a submission is acknowledged only after its transaction commits; sending the same
//! form (or the same `Idempotency-Key`) twice saves it once.

use super::AppState;
use super::auth::{self, form_token_ok};
use super::html::{self, language, page};
use super::http::{ApiError, PROFILE_LIMIT, read_body, require_content_type};
use super::pages;
use super::view;
use crate::engine::Status;
use crate::input::FormValues;
use crate::input::Lang;
use crate::service::prepare_application;
use crate::store::{AppStatus, Application, Submitted};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The parts of a saved result that summaries and comparisons use.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredResult {
    pub policy_version: String,
    pub application_date: String,
    pub talent_tier: String,
    /// The tier's names (absent when no tier was reached).
    #[serde(default)]
    pub tier_rule: Option<StoredTier>,
    pub programs: Vec<StoredProgram>,
    pub total: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredTier {
    pub tier_name_zh: String,
    pub tier_name_en: String,
}

impl StoredResult {
    /// The tier in words: its name, or that none was reached.
    pub fn tier_words(&self, lang: Lang) -> String {
        match &self.tier_rule {
            Some(t) => lang.t(&t.tier_name_zh, &t.tier_name_en).to_string(),
            None => lang
                .t("未达到人才层次认定条件", "No talent tier reached")
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredProgram {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: String,
    pub amount: Decimal,
}

impl StoredResult {
    pub fn parse(json: &str) -> Option<StoredResult> {
        serde_json::from_str(json).ok()
    }

    /// The same parts of an assessment made now.
    pub fn of(a: &crate::engine::Assessment<'_>) -> StoredResult {
        StoredResult {
            policy_version: a.version.id.to_string(),
            application_date: a.application_date.to_string(),
            talent_tier: a.tier_id().to_string(),
            tier_rule: a.tier.map(|(t, _)| StoredTier {
                tier_name_zh: t.zh.to_string(),
                tier_name_en: t.en.to_string(),
            }),
            programs: a
                .programs
                .iter()
                .map(|p| StoredProgram {
                    id: p.program.id.to_string(),
                    name_zh: p.program.zh.clone(),
                    name_en: p.program.en.clone(),
                    status: p.status.id().to_string(),
                    amount: p.amount,
                })
                .collect(),
            total: a.total,
        }
    }
}

/// A stored program status in words.
pub fn status_words(id: &str, lang: Lang) -> &'static str {
    [
        Status::Eligible,
        Status::Ineligible,
        Status::NotApplicable,
        Status::Excluded,
    ]
    .into_iter()
    .find(|s| s.id() == id)
    .map_or("?", |s| crate::input::status_label(s, lang))
}

pub fn app_status_words(s: AppStatus, lang: Lang) -> &'static str {
    lang.t(s.zh(), s.en())
}

pub(crate) fn status_url(token: &str) -> String {
    format!("/status/{token}")
}

/// Saves one profile (JSON) as an application.
/// Why a submission was not saved: the answers are not a valid profile, or the service
/// refused it (no database, a reused key).
enum NotSaved {
    Invalid(crate::applicant::InvalidProfile),
    Refused(ApiError),
}

/// Reads, validates and assesses a submission with the policy in force.
fn prepare(
    state: &AppState,
    profile_json: &[u8],
    key: Option<String>,
) -> Result<crate::store::NewApplication, NotSaved> {
    prepare_application(&state.snapshot().policy, profile_json, key).map_err(NotSaved::Invalid)
}

async fn save(state: &AppState, new: crate::store::NewApplication) -> Result<Submitted, NotSaved> {
    let store = state
        .store
        .as_ref()
        .ok_or(NotSaved::Refused(ApiError::Store))?;
    match store.submit(new).await {
        Ok(s) => {
            if s.created {
                state.metrics.applications_saved.inc();
                tracing::info!(reference = %s.reference, "application submitted");
            }
            Ok(s)
        }
        Err(crate::store::StoreError::KeyReused) => Err(NotSaved::Refused(ApiError::KeyReused)),
        Err(e) => {
            tracing::error!(error = %e, "saving an application failed");
            Err(NotSaved::Refused(ApiError::Store))
        }
    }
}

/// The result page's "submit application": saves, then shows the status page.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The result page's answers, its form token and submission key"), responses((status = 303, description = "Saved: to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 422, description = "The answers are not valid", content_type = "text/html", body = String)))]
#[post("/applications")]
pub async fn submit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let values = FormValues::parse(&body);
    let lang = language(&req, Some(&values));
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let json = crate::input::to_profile_json(&values).to_string();
    // The key is the visitor's own: bound to their form cookie, so nobody else's key (seen in
    // a page source, say) can fetch their application.
    let key = Some(values.get("submission_key"))
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|k| {
            let scope = format!("{}:{k}", values.get("form_token"));
            format!("form:{}", crate::secrets::sha256_hex(scope))
        });
    let saved = match prepare(&state, json.as_bytes(), key) {
        // Nothing payable: the applicant confirms they still want to apply (the page asks).
        Ok(new) if new.total.is_zero() && values.get("confirm_nothing") != "1" => {
            return html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "目前测算合计为 ¥0：如仍要提交，请返回结果页勾选确认后再提交",
                "The estimate is ¥0: to apply all the same, go back to the result and tick the confirmation",
            );
        }
        Ok(new) => save(&state, new).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(s) => HttpResponse::SeeOther()
            .insert_header((LOCATION, status_url(&s.status_token)))
            .finish(),
        Err(NotSaved::Invalid(invalid)) => page(
            &pages::form_page(&state, &values, &invalid.errors, lang.lang),
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
        ),
        Err(NotSaved::Refused(ApiError::KeyReused)) => html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "这份表单已经提交过另一组答案：请返回修改答案页面，重新测算后再提交",
            "This form was already submitted with other answers: go back to your answers, check again and submit from the new result",
        ),
        Err(_) => html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法保存申请，请稍后再试；您的答案没有丢失，可返回上一页重新提交",
            "The application could not be saved just now. Your answers are not lost: go back and submit again",
        ),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmittedDoc {
    /// `SXT-2026-000123`
    pub reference: String,
    pub status: String,
    /// The applicant's status link (keep it private: whoever has it sees the status).
    pub status_url: String,
    /// The secret of the status link, for `GET /api/v1/status/{token}`.
    pub status_token: String,
}

/// Submits a profile as an application. Send the same `Idempotency-Key` again to get the
/// first answer back instead of a second application.
#[utoipa::path(
    tag = "applications",
    request_body(content = super::schema::ProfileDoc, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 100 characters. The same key with the same body returns the application saved first (200); with a different body it is refused (422)")),
    responses(
        (status = 201, description = "Saved", body = SubmittedDoc),
        (status = 200, description = "Saved before under the same Idempotency-Key", body = SubmittedDoc),
        (status = 400, description = "Not JSON", body = super::schema::ErrorsDoc),
        (status = 422, description = "Not a valid profile, or an Idempotency-Key already used with a different body", body = super::schema::ErrorsDoc),
        (status = 413, description = "The body is larger than 64 KiB", body = super::schema::ErrorsDoc),
        (status = 415, description = "The body is not application/json", body = super::schema::ErrorsDoc),
        (status = 429, description = "Too many submissions from this address (Retry-After)", body = super::schema::ErrorsDoc),
        (status = 503, description = "The database is not available", body = super::schema::ErrorsDoc)
    )
)]
#[post("/api/v1/applications")]
pub async fn submit_api(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_content_type(&req, &["application/json"])?;
    let body = read_body(payload, PROFILE_LIMIT).await?;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("api:{}", k.chars().take(100).collect::<String>()));
    let saved = match prepare(&state, &body, key) {
        Ok(new) => save(&state, new).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(s) => {
            let status = if s.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(HttpResponse::build(status).json(SubmittedDoc {
                reference: s.reference,
                status: AppStatus::Submitted.id().into(),
                status_url: status_url(&s.status_token),
                status_token: s.status_token,
            }))
        }
        Err(NotSaved::Refused(e)) => Err(e),
        Err(NotSaved::Invalid(invalid)) => {
            let errors = serde_json::to_vec(&invalid).unwrap_or_default();
            match crate::service::refusal(&body) {
                crate::service::Outcome::NotJson => Err(ApiError::Malformed(errors)),
                _ => Err(ApiError::Invalid(errors)),
            }
        }
    }
}

async fn by_token(state: &AppState, token: &str) -> Result<Application, ApiError> {
    let store = state.store.as_ref().ok_or(ApiError::Store)?;
    match store.application_by_token(token).await {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(ApiError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, "reading an application failed");
            Err(ApiError::Store)
        }
    }
}

#[derive(Template)]
#[template(path = "status.html")]
pub struct StatusPage {
    pub lang: Lang,
    pub reference: String,
    pub submitted_at: String,
    pub status: &'static str,
    pub status_id: &'static str,
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
        Err(ApiError::NotFound) => {
            return html::message(
                StatusCode::NOT_FOUND,
                "没有找到这份申请：请检查链接是否完整",
                "No application has this link: check that it was copied whole",
            );
        }
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
    let (reply_token, cookie) = if s.status == AppStatus::MoreInfo {
        let (t, c) = auth::form_token(&req, state.secure_cookies);
        (Some(t), c)
    } else {
        (None, None)
    };
    let mut resp = page(
        &StatusPage {
            reply_token,
            reply_action: format!("{}/reply", status_url(&token)),
            link: {
                let info = req.connection_info();
                format!("{}://{}{}", info.scheme(), info.host(), req.path())
            },
            lang: l,
            reference: s.reference.clone(),
            submitted_at: view::short_time(&s.submitted_at),
            status: app_status_words(s.status, l),
            status_id: s.status.id(),
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

/// The applicant's reply to a request for more information, through the status link: the
/// application goes back to "awaiting review" and the reply enters the audit log.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "form_token, reply"), responses((status = 303, description = "Sent: back to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 404, description = "No such application"), (status = 409, description = "The application is not waiting for more information"), (status = 422, description = "The reply is empty or too long", content_type = "text/html", body = String)))]
#[post("/status/{token}/reply")]
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = FormValues::parse(&body);
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let text = values.get("reply");
    if text.is_empty()
        || text.chars().count() > crate::web::officer::NOTE_LIMIT
        || crate::applicant::unsafe_text(text, true).is_some()
    {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "回复：请写明补充的情况（最多 2000 字，不含控制字符）",
            "Reply: say what you are adding (at most 2,000 characters, no control characters)",
        );
    }
    let Some(store) = state.store.as_ref() else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法提交，请稍后再试",
            "The reply cannot be sent just now; try again shortly",
        );
    };
    match store.reply(&token, text).await {
        Ok(()) => {
            tracing::info!("an applicant replied to a request for more information");
            HttpResponse::SeeOther()
                .insert_header((LOCATION, status_url(&token)))
                .finish()
        }
        Err(crate::store::DecideError::NotFound) => html::message(
            StatusCode::NOT_FOUND,
            "没有找到这份申请：请检查链接是否完整",
            "No application has this link: check that it was copied whole",
        ),
        Err(crate::store::DecideError::NotAllowed(..) | crate::store::DecideError::Changed(..)) => {
            html::message(
                StatusCode::CONFLICT,
                "这份申请目前不需要补充材料",
                "This application is not waiting for more information",
            )
        }
        Err(crate::store::DecideError::Store(e)) => {
            tracing::error!(error = %e, "saving a reply failed");
            html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法提交，请稍后再试",
                "The reply cannot be sent just now; try again shortly",
            )
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusDoc {
    pub reference: String,
    pub submitted_at: String,
    /// submitted, more_info, approved or rejected
    pub status: String,
    /// The officer's note with the latest decision.
    pub note: String,
    pub policy_version: String,
    pub talent_tier: String,
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// Where an application stands, for the holder of its status link.
#[utoipa::path(tag = "applications", params(("token" = String, Path, description = "The status link's secret")), responses((status = 200, description = "The status", body = StatusDoc), (status = 404, description = "No such application", body = super::schema::ErrorsDoc)))]
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
