//! The JSON API: assessments (one, or a batch as JSON Lines), the programs in force, the
//! policy versions, and the operational endpoints. Errors are JSON
//! `{"errors":[{"field","message_zh","message_en"}]}` with 400, 413, 415 or 422; input never
//! causes a 500.

use super::AppState;
use super::catalog::{self, Catalog, VersionInfo};
use super::http::{
    ApiError, BATCH_LIMIT, BATCH_MAX_PROFILES, PROFILE_LIMIT, as_of_date, read_body,
    require_content_type,
};
use super::schema::{AssessmentDoc, ErrorsDoc, HealthDoc, PartialProfileDoc, ProfileDoc};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, get, post};
use app::service::{Outcome, assess_json};
use rules::applicant::FieldError;
use serde::Deserialize;
use std::time::Instant;

/// A yes/no query value as the API reads it (empty means yes).
fn flag_param() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["true", "false", "1", "0", ""]))
        .build()
}

/// How much of each result a batch writes.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum OutputParam {
    Full,
    Summary,
}

/// A query string that cannot be read at all (a name twice, say): 400 with the errors JSON on
/// the API, a message page elsewhere.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    req: &HttpRequest,
) -> actix_web::Error {
    let (zh, en) = (
        format!("查询参数无法读取：{err}"),
        format!("the query string cannot be read: {err}"),
    );
    if req.path().starts_with("/api/") {
        ApiError::BadQuery(FieldError::new("", zh, en)).into()
    } else {
        actix_web::error::InternalError::from_response(
            err,
            super::html::message(StatusCode::BAD_REQUEST, &zh, &en),
        )
        .into()
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HintsQuery {
    /// Add "what would change it" hints to the result.
    #[param(schema_with = flag_param)]
    hints: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BatchQuery {
    /// Add "what would change it" hints to each result.
    #[param(schema_with = flag_param)]
    hints: Option<String>,
    /// `full` (the default): every condition explained; `summary`: per person the version,
    /// tier, each program's status and amount and the total, one short line.
    #[param(inline, value_type = Option<OutputParam>)]
    output: Option<String>,
}

fn output(q: &BatchQuery) -> Result<app::service::Output, ApiError> {
    match q.output.as_deref() {
        None | Some("") | Some("full") => Ok(app::service::Output::Full),
        Some("summary") => Ok(app::service::Output::Summary),
        Some(other) => Err(ApiError::BadQuery(FieldError::new(
            "output",
            format!("应为 full 或 summary，收到的是 {other}"),
            format!("must be full or summary, got {other}"),
        ))),
    }
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
    request_body(content = ProfileDoc, content_type = "application/json", description = "An applicant profile"),
    responses(
        (status = 200, description = "The assessment", body = AssessmentDoc),
        (status = 400, description = "The body is not JSON, or a query parameter is wrong", body = ErrorsDoc),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorsDoc),
        (status = 415, description = "The body is not application/json", body = ErrorsDoc),
        (status = 422, description = "The profile is not valid: every field error, in Chinese and English", body = ErrorsDoc),
        (status = 429, description = "Too many assessments from this address (Retry-After)", body = ErrorsDoc),
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

/// Screen a partial profile: what the answers given so far decide, as ranges, and which
/// questions are worth asking next (largest stake first). Absent means unknown; a section
/// given as null does not apply. A complete profile screens to its assessment.
#[utoipa::path(
    tag = "assessments",
    request_body(content = PartialProfileDoc, content_type = "application/json", description = "A partial applicant profile"),
    responses(
        (status = 200, description = "The screening", body = app::service::screening::ScreeningJson),
        (status = 400, description = "The body is not JSON", body = ErrorsDoc),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorsDoc),
        (status = 415, description = "The body is not application/json", body = ErrorsDoc),
        (status = 422, description = "A given answer is not valid: every field error, in Chinese and English", body = ErrorsDoc),
        (status = 429, description = "Too many assessments from this address (Retry-After)", body = ErrorsDoc),
    )
)]
#[post("/api/v1/screenings")]
pub async fn screen_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_content_type(&req, &["application/json"])?;
    let body = read_body(payload, PROFILE_LIMIT).await?;
    let loaded = state.snapshot();
    let started = Instant::now();
    let answer = app::service::screening::screen_json(&loaded.policy, &body, super::http::today());
    state.metrics.assessment(started.elapsed());
    match answer {
        Ok(out) => Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(out)),
        Err((Outcome::NotJson, out)) => Err(ApiError::Malformed(out)),
        Err((_, out)) => Err(ApiError::Invalid(out)),
    }
}

/// Assess many profiles: a JSON Lines body in, JSON Lines out, in input order, streamed as
/// they are assessed. A line that is not a valid profile gets its errors on its own line.
#[utoipa::path(
    tag = "assessments",
    params(BatchQuery),
    request_body(
        description = "One profile (JSON) per line; at most 10,000 profiles and 10 MiB. Sent as application/x-ndjson (or text/plain)",
        content(
            (String = "application/x-ndjson", example = json!("{\"application_date\":\"2026-03-01\",\"person\":{\"full_name\":\"张三\",\"id_type\":\"passport\",\"id_number\":\"E12345678\",\"birth_date\":\"1990-05-01\",\"highest_degree\":\"master\",\"institution_tier\":\"double_first_class\",\"graduation_date\":\"2015-06-30\"}}\n")),
            (String = "text/plain")
        )
    ),
    responses(
        (status = 200, description = "One line per input line: an assessment (or its summary), or {\"errors\":[…]}", content_type = "application/x-ndjson", body = String),
        (status = 400, description = "A query parameter is not valid", body = ErrorsDoc),
        (status = 413, description = "More than 10 MiB or 10,000 profiles", body = ErrorsDoc),
        (status = 415, description = "Not JSON Lines", body = ErrorsDoc),
        (status = 429, description = "Too many assessments from this address (Retry-After)", body = ErrorsDoc),
    )
)]
#[post("/api/v1/assessments/batch")]
pub async fn assess_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<BatchQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let hints = flag(&HintsQuery {
        hints: query.hints.clone(),
    })?;
    let output = output(&query)?;
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
                app::service::assess_json_as(&loaded.policy, line, hints, output, &mut out);
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
    #[param(format = Date)]
    as_of: Option<String>,
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
    // The API takes a date or nothing; an empty value is not a date (the pages read it as
    // "today", as a form left blank).
    if query.as_of.as_deref() == Some("") {
        return Err(ApiError::BadQuery(FieldError::new(
            "as_of",
            "应为 YYYY-MM-DD 格式的日期；不填则为今天",
            "must be a date written YYYY-MM-DD; leave it out for today",
        )));
    }
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
        "policy_source": match state.source {
            rules::policy::PolicySource::Dir(_) => "folder",
            rules::policy::PolicySource::BuiltIn => "built-in",
        },
        "policy_versions": loaded.policy.versions.iter().map(|v| v.id.to_string()).collect::<Vec<_>>(),
        "policy_loaded_at": loaded.loaded_at.to_rfc3339(),
        "last_reload_error": failure.map(|f| serde_json::json!({ "at": f.at.to_rfc3339(), "diagnostics": f.diagnostics })),
    }))
}

/// Prometheus metrics: requests by route and status, assessment latency, policy reloads.
/// With `--metrics-token` set, only a request carrying it (`Authorization: Bearer …`) is
/// answered; without one, only a client on this machine (loopback, as the trusted proxies
/// report it) is.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String), (status = 403, description = "Not from this machine, or without the metrics secret", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let allowed = match &state.settings.metrics_token {
        Some(secret) => req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| store::secrets::same_secret(secret, t.trim())),
        None => super::guard::client_ip(&req, &state.settings.trusted_proxies)
            .is_some_and(|ip| ip.is_loopback()),
    };
    if !allowed {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("指标仅供本机或持有指标密钥者读取 / Metrics are for this machine or the holder of the metrics secret\n");
    }
    let loaded = state.snapshot();
    let text = state
        .metrics
        .render(state.last_failure().is_none(), loaded.loaded_at.timestamp());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}
