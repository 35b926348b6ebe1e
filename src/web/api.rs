//! The JSON API: assessments (one, or a batch as JSON Lines), the programs in force, the
//! policy versions, and the operational endpoints. Errors are JSON
//! `{"errors":[{"field","message_zh","message_en"}]}` with 400, 413, 415 or 422; input never
//! causes a 500.

use super::AppState;
use super::catalog::{self, Catalog, VersionInfo};
use super::schema::{AssessmentDoc, ErrorsDoc, HealthDoc, ProfileDoc};
use crate::applicant::{FieldError, InvalidProfile};
use crate::service::{Outcome, assess_json};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use std::time::Instant;

/// Largest body of one assessment.
pub const PROFILE_LIMIT: usize = 64 * 1024;
/// Largest batch body, and most profiles in it.
pub const BATCH_LIMIT: usize = 10 * 1024 * 1024;
pub const BATCH_MAX_PROFILES: usize = 10_000;

/// Error responses. `Debug` (which request logs print) names the kind only: the bodies may
/// echo what the applicant typed.
#[derive(thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON (already rendered as an errors object).
    #[error("the body is not valid JSON")]
    Malformed(Vec<u8>),
    /// 422: JSON, but not a valid profile.
    #[error("the profile is not valid")]
    Invalid(Vec<u8>),
    #[error("the body must be sent as {0}")]
    MediaType(&'static str),
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("a batch holds at most {0} profiles")]
    TooMany(usize),
    #[error("a query parameter is not valid")]
    BadQuery(FieldError),
    #[error("no policy is in force on {0}")]
    NoVersion(NaiveDate),
    /// 404 for a reference or status link that does not exist.
    #[error("not found")]
    NotFound,
    /// 503: the database did not answer, or the service has none.
    #[error("the database is not available")]
    Store,
    /// 400: a file refused as a whole (a batch CSV).
    #[error("the file cannot be read")]
    File(crate::batch::FileError),
    /// 422: an idempotency key sent again with a different body.
    #[error("the idempotency key was used with a different request")]
    KeyReused,
}

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            ApiError::Malformed(_) => "Malformed",
            ApiError::Invalid(_) => "Invalid",
            ApiError::MediaType(_) => "MediaType",
            ApiError::TooLarge(_) => "TooLarge",
            ApiError::TooMany(_) => "TooMany",
            ApiError::BadQuery(_) => "BadQuery",
            ApiError::NoVersion(_) => "NoVersion",
            ApiError::NotFound => "NotFound",
            ApiError::Store => "Store",
            ApiError::File(_) => "File",
            ApiError::KeyReused => "KeyReused",
        };
        f.write_str(kind)
    }
}

fn errors_body(errors: Vec<FieldError>) -> Vec<u8> {
    serde_json::to_vec(&InvalidProfile { errors }).unwrap_or_default()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) | ApiError::BadQuery(_) | ApiError::File(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Store => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Invalid(_) | ApiError::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) | ApiError::TooMany(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NoVersion(_) => StatusCode::NOT_FOUND,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            ApiError::Malformed(b) | ApiError::Invalid(b) => b.clone(),
            ApiError::MediaType(t) => errors_body(vec![FieldError::new(
                "",
                format!("请求体应为 {t}"),
                format!("the body must be sent as {t}"),
            )]),
            ApiError::TooLarge(n) => errors_body(vec![FieldError::new(
                "",
                format!("请求体超过 {n} 字节"),
                format!("the body is larger than {n} bytes"),
            )]),
            ApiError::TooMany(n) => errors_body(vec![FieldError::new(
                "",
                format!("一次最多提交 {n} 份档案"),
                format!("a batch holds at most {n} profiles"),
            )]),
            ApiError::BadQuery(e) => errors_body(vec![e.clone()]),
            ApiError::NoVersion(d) => errors_body(vec![FieldError::new(
                "as_of",
                format!("{d} 没有有效的政策版本"),
                format!("no policy is in force on {d}"),
            )]),
            ApiError::NotFound => errors_body(vec![FieldError::new("", "没有找到", "not found")]),
            ApiError::Store => errors_body(vec![FieldError::new(
                "",
                "数据库暂时无法访问，请稍后再试",
                "the database is not available; try again shortly",
            )]),
            ApiError::File(e) => errors_body(vec![FieldError::new(
                "file",
                e.message_zh.clone(),
                e.message_en.clone(),
            )]),
            ApiError::KeyReused => errors_body(vec![FieldError::new(
                "Idempotency-Key",
                "这个 Idempotency-Key 已用于另一份不同的申请：重试时请发送与第一次完全相同的内容，新的申请请使用新的 Key",
                "this Idempotency-Key was already used with a different body: send the same body to retry, or a new key for a new application",
            )]),
        };
        HttpResponse::build(self.status_code())
            .content_type("application/json")
            .body(body)
    }
}

/// Refuses a body whose media type is none of `wanted` (compared without regard to case, as
/// media types are).
pub(crate) fn require_content_type(
    req: &HttpRequest,
    wanted: &[&'static str],
) -> Result<(), ApiError> {
    let sent = req.content_type().trim();
    if wanted.iter().any(|w| w.eq_ignore_ascii_case(sent)) {
        Ok(())
    } else {
        Err(ApiError::MediaType(wanted[0]))
    }
}

pub(crate) async fn read_body(payload: web::Payload, limit: usize) -> Result<Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(_)) => Err(ApiError::Malformed(errors_body(vec![FieldError::new(
            "",
            "请求体读取失败",
            "the body could not be read",
        )]))),
        Err(_) => Err(ApiError::TooLarge(limit)),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HintsQuery {
    /// Add "what would change it" hints to the result.
    hints: Option<String>,
}

fn flag(q: &HintsQuery) -> Result<bool, ApiError> {
    match q.hints.as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(other) => Err(ApiError::BadQuery(FieldError::new(
            "hints",
            format!("应为 true 或 false，收到的是 {other}"),
            format!("must be true or false, got {other}"),
        ))),
    }
}

/// Assess one applicant profile.
#[utoipa::path(
    tag = "assessments",
    params(HintsQuery),
    request_body(content = ProfileDoc, content_type = "application/json", description = "An applicant profile (policy brief section 2)"),
    responses(
        (status = 200, description = "The assessment", body = AssessmentDoc),
        (status = 400, description = "The body is not JSON, or a query parameter is wrong", body = ErrorsDoc),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorsDoc),
        (status = 415, description = "The body is not application/json", body = ErrorsDoc),
        (status = 422, description = "The profile is not valid: every field error, in Chinese and English", body = ErrorsDoc),
    )
)]
#[post("/api/v1/assessments")]
pub async fn assess_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HintsQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let hints = flag(&query)?;
    require_content_type(&req, &["application/json"])?;
    let body = read_body(payload, PROFILE_LIMIT).await?;
    let loaded = state.snapshot();
    let started = Instant::now();
    let mut out = Vec::with_capacity(12 * 1024);
    let outcome = assess_json(&loaded.policy, &body, hints, &mut out);
    state.metrics.assessment(started.elapsed());
    match outcome {
        Outcome::Assessed => Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(out)),
        Outcome::Invalid => Err(ApiError::Invalid(out)),
        Outcome::NotJson => Err(ApiError::Malformed(out)),
    }
}

/// Assess many profiles: a JSON Lines body in, JSON Lines out, in input order, streamed as
/// they are assessed. A line that is not a valid profile gets its errors on its own line.
#[utoipa::path(
    tag = "assessments",
    params(HintsQuery),
    request_body(content = String, content_type = "application/x-ndjson", description = "One profile per line; at most 10,000 profiles and 10 MiB"),
    responses(
        (status = 200, description = "One line per input line: an assessment, or {\"errors\":[…]}", content_type = "application/x-ndjson", body = String),
        (status = 413, description = "More than 10 MiB or 10,000 profiles", body = ErrorsDoc),
        (status = 415, description = "Not JSON Lines", body = ErrorsDoc),
    )
)]
#[post("/api/v1/assessments/batch")]
pub async fn assess_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HintsQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let hints = flag(&query)?;
    require_content_type(
        &req,
        &[
            "application/x-ndjson",
            "application/jsonl",
            "application/json-lines",
            "application/json",
            "text/plain",
        ],
    )?;
    let body = read_body(payload, BATCH_LIMIT).await?;
    let lines: Vec<Bytes> = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| body.slice_ref(l))
        .collect();
    if lines.len() > BATCH_MAX_PROFILES {
        return Err(ApiError::TooMany(BATCH_MAX_PROFILES));
    }
    let loaded = state.snapshot();
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let worker_state = state.clone();
    tokio::task::spawn_blocking(move || {
        for chunk in lines.chunks(64) {
            let mut out = Vec::with_capacity(chunk.len() * 11 * 1024);
            for line in chunk {
                let started = Instant::now();
                assess_json(&loaded.policy, line, hints, &mut out);
                worker_state.metrics.assessment(started.elapsed());
                out.push(b'\n');
            }
            // The client went away: stop assessing.
            if tx.blocking_send(Bytes::from(out)).is_err() {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .streaming(stream))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AsOfQuery {
    /// The date whose policy to show, `YYYY-MM-DD`; today (China time) by default.
    as_of: Option<String>,
}

/// Today in the park's time zone (UTC+8). The web layer may read the clock; the engine never does.
pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&crate::store::china())
        .date_naive()
}

pub fn as_of_date(raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    match raw {
        None | Some("") => Ok(today()),
        Some(s) => crate::applicant::parse_date(s.trim()).ok_or_else(|| {
            ApiError::BadQuery(FieldError::new(
                "as_of",
                format!("应为 YYYY-MM-DD 格式的日期，收到的是 {s}"),
                format!("must be a date written YYYY-MM-DD, got {s}"),
            ))
        }),
    }
}

/// The programs in force on a date, with their conditions, amounts, installments, combining
/// rules and citations: the machine-readable policy browser.
#[utoipa::path(
    tag = "policy",
    params(AsOfQuery),
    responses(
        (status = 200, description = "The policy in force on the date", body = Catalog),
        (status = 400, description = "as_of is not a date", body = ErrorsDoc),
        (status = 404, description = "No policy is in force on that date", body = ErrorsDoc),
    )
)]
#[get("/api/v1/programs")]
pub async fn programs(
    state: web::Data<AppState>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_of = as_of_date(query.as_of.as_deref())?;
    let loaded = state.snapshot();
    let c = catalog::catalog(&loaded.policy, as_of).ok_or(ApiError::NoVersion(as_of))?;
    Ok(HttpResponse::Ok().json(c))
}

/// The policy versions and the programs each contains.
#[utoipa::path(tag = "policy", responses((status = 200, description = "Versions in date order", body = Vec<VersionInfo>)))]
#[get("/api/v1/policy/versions")]
pub async fn versions(state: web::Data<AppState>) -> HttpResponse {
    let loaded = state.snapshot();
    let list: Vec<VersionInfo> = loaded
        .policy
        .versions
        .iter()
        .map(catalog::version_info)
        .collect();
    HttpResponse::Ok().json(list)
}

/// Liveness and the policy in use: its versions and load time, the errors of the last
/// refused reload, if any, and whether the database takes a write (a one-row transaction).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Serving (`degraded` when the last policy reload was refused: the previous policy still serves)", body = HealthDoc), (status = 503, description = "The database cannot be written: submissions and the console fail until it can", body = HealthDoc)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let loaded = state.snapshot();
    let failure = state.last_failure();
    let database = match &state.store {
        None => "none",
        Some(store) if store.can_write().await => "ok",
        Some(_) => "unavailable",
    };
    let degraded = failure.is_some() || database == "unavailable";
    let status = if database == "unavailable" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status).json(serde_json::json!({
        "status": if degraded { "degraded" } else { "ok" },
        "database": database,
        "policy_source": state.source.describe(),
        "policy_versions": loaded.policy.versions.iter().map(|v| v.id.to_string()).collect::<Vec<_>>(),
        "policy_loaded_at": loaded.loaded_at.to_rfc3339(),
        "last_reload_error": failure.map(|f| serde_json::json!({ "at": f.at.to_rfc3339(), "diagnostics": f.diagnostics })),
    }))
}

/// Prometheus metrics: requests by route and status, assessment latency, policy reloads.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let loaded = state.snapshot();
    let text = state
        .metrics
        .render(state.last_failure().is_none(), loaded.loaded_at.timestamp());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}
