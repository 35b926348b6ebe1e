//! HTTP plumbing the JSON routes and the console share: body limits and reading, media
//! types, the error answer of JSON routes, and today's date in the park.
//!
//! Invariant: **an error answer names its kind in `Debug`** (which logs print), never the body
//! it may echo.

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use chrono::NaiveDate;
use rules::applicant::{FieldError, InvalidProfile};

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
    File(app::batch::FileError),
    /// 422: an idempotency key sent again with a different body.
    #[error("the idempotency key was used with a different request")]
    KeyReused,
    /// Uploaded files refused (413 too large, 422 not accepted, 400 cut off, 503), with the
    /// message in both languages.
    #[error("the files were not accepted")]
    Files(StatusCode, String, String),
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
            ApiError::Files(..) => "Files",
        };
        f.write_str(kind)
    }
}

pub(crate) fn errors_body(errors: Vec<FieldError>) -> Vec<u8> {
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
            ApiError::Files(status, ..) => *status,
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
            ApiError::Files(_, zh, en) => {
                errors_body(vec![FieldError::new("files", zh.clone(), en.clone())])
            }
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
                e.0.zh.clone(),
                e.0.en.clone(),
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

pub use store::today;

pub fn as_of_date(raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    match raw {
        None | Some("") => Ok(today()),
        Some(s) => rules::applicant::parse_date(s.trim()).ok_or_else(|| {
            ApiError::BadQuery(FieldError::new(
                "as_of",
                format!("应为 YYYY-MM-DD 格式的日期，收到的是 {s}"),
                format!("must be a date written YYYY-MM-DD, got {s}"),
            ))
        }),
    }
}
