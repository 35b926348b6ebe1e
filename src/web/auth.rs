//! Officers signing in: passwords (argon2id), sessions (a random token in an HttpOnly,
//! SameSite=Strict cookie; the database keeps its hash), CSRF tokens, and lockout after
//! repeated failures.
//!
//! Invariants: **every officer route takes [`Signed`]**, so a visitor without a session is sent
//! to the login page (pages) or answered 401 (API) before the handler runs; **every form that
//! changes something carries a token** — the session's for officers, a cookie-bound one for
//! forms without a session (login, submitting an application) — and a request without it
//! changes nothing.

use super::AppState;
use crate::store::{Role, Session, Store};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "sxt_session";
/// The token of forms shown without a session (double-submit: cookie and form must agree).
pub const FORM_COOKIE: &str = "sxt_form";
/// How long a session lasts from sign-in.
pub const SESSION_HOURS: i64 = 8;
/// Failed logins for one account or one address within the window that lock it.
pub const LOCKOUT_LIMIT: u32 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// Shortest password `officer add` accepts.
pub const MIN_PASSWORD: usize = 10;

/// An argon2id hash in PHC form, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie of ours: HttpOnly, SameSite=Strict, whole site, `Secure` when configured.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// The form token for a page without a session: the visitor's, or a new one and the cookie
/// that sets it.
pub fn form_token(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    match req.cookie(FORM_COOKIE) {
        Some(c) if c.value().len() == 64 => (c.value().to_string(), None),
        _ => {
            let t = crate::store::random_token();
            (t.clone(), Some(cookie(FORM_COOKIE, t, secure)))
        }
    }
}

/// Whether a form without a session carried the token its cookie holds.
pub fn form_token_ok(req: &HttpRequest, submitted: &str) -> bool {
    req.cookie(FORM_COOKIE)
        .is_some_and(|c| same_secret(c.value(), submitted))
}

/// The address failed logins are counted against.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".into(), |a| a.ip().to_string())
}

/// Why an officer request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this service was started without a database")]
    NoStore,
    #[error("not signed in")]
    SignedOut { api: bool, next: String },
    #[error("this account may not do this")]
    Forbidden { api: bool },
    #[error("the form's security token is missing or wrong")]
    Csrf { api: bool },
    #[error("the database did not answer")]
    Store,
}

fn message_page(status: StatusCode, zh: &str, en: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", super::pages::CSP))
        .body(super::pages::message_html(zh, en))
}

fn json_error(status: StatusCode, zh: &str, en: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "field": "", "message_zh": zh, "message_en": en }]
    }))
}

impl ResponseError for AuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            AuthError::NoStore | AuthError::Store => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::SignedOut { api: true, .. } => StatusCode::UNAUTHORIZED,
            AuthError::SignedOut { .. } => StatusCode::SEE_OTHER,
            AuthError::Forbidden { .. } | AuthError::Csrf { .. } => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (zh, en) = match self {
            AuthError::NoStore => ("本服务未配置数据库", "This service has no database"),
            AuthError::Store => (
                "数据库暂时无法访问，请稍后再试",
                "The database is not answering; try again shortly",
            ),
            AuthError::SignedOut { .. } => ("请先登录", "Please sign in first"),
            AuthError::Forbidden { .. } => (
                "您的账户无权访问此页面",
                "Your account may not open this page",
            ),
            AuthError::Csrf { .. } => (
                "表单已失效，请返回刷新页面后重试",
                "The form has expired: go back, reload the page and try again",
            ),
        };
        match self {
            AuthError::SignedOut { api: false, next } => HttpResponse::SeeOther()
                .insert_header((LOCATION, login_location(next)))
                .finish(),
            AuthError::SignedOut { api: true, .. }
            | AuthError::Forbidden { api: true }
            | AuthError::Csrf { api: true } => json_error(self.status_code(), zh, en),
            _ => message_page(self.status_code(), zh, en),
        }
    }
}

/// The login page's address, coming back to `next` afterwards.
pub fn login_location(next: &str) -> String {
    let encoded: String = serde_html_form::to_string([("next", next)]).unwrap_or_default();
    format!("/officer/login?{encoded}")
}

/// Where to go after signing in: only a page of the officer console.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with("/officer/") && !next.starts_with("//") && !next.contains("://") {
        next
    } else {
        "/officer"
    }
}

/// A signed-in officer. As a handler argument it refuses the request of anyone else.
pub struct Signed {
    pub session: Session,
    /// The cookie's token, to end the session.
    pub token: String,
    api: bool,
}

impl Signed {
    pub fn name(&self) -> &str {
        &self.session.officer.name
    }

    pub fn role(&self) -> Role {
        self.session.officer.role
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    /// Only the talent office sees applications.
    pub fn reviewer(&self) -> Result<(), AuthError> {
        match self.role() {
            Role::Reviewer => Ok(()),
            Role::Hr => Err(AuthError::Forbidden { api: self.api }),
        }
    }

    pub fn check_csrf(&self, submitted: &str) -> Result<(), AuthError> {
        if same_secret(&self.session.csrf, submitted) {
            Ok(())
        } else {
            Err(AuthError::Csrf { api: self.api })
        }
    }
}

/// The store, or the error a route that needs one answers with.
pub fn store(state: &AppState) -> Result<&Store, AuthError> {
    state.store.as_ref().ok_or(AuthError::NoStore)
}

impl FromRequest for Signed {
    type Error = AuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Signed, AuthError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let api = req.path().starts_with("/api/");
        // After signing in, back to the page asked for; a refused POST cannot be replayed, so
        // it starts from the console's first page.
        let next = match req.query_string() {
            _ if req.method() != actix_web::http::Method::GET => "/officer".to_string(),
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or(AuthError::NoStore)?;
            let store = store(&state)?;
            let signed_out = AuthError::SignedOut { api, next };
            let Some(token) = token else {
                return Err(signed_out);
            };
            match store.session(&token).await {
                Ok(Some(session)) => Ok(Signed {
                    session,
                    token,
                    api,
                }),
                Ok(None) => Err(signed_out),
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    Err(AuthError::Store)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse battery!", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn next_stays_inside_the_console() {
        assert_eq!(
            safe_next("/officer/applications?page=2"),
            "/officer/applications?page=2"
        );
        assert_eq!(safe_next("https://evil.example/"), "/officer");
        assert_eq!(safe_next("//evil.example/officer/"), "/officer");
        assert!(!same_secret("", ""));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd"));
    }
}
