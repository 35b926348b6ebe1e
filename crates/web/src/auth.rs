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
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use std::future::Future;
use std::pin::Pin;
use store::{Role, Session, Store};

pub const SESSION_COOKIE: &str = "sxt_session";
/// The token of forms shown without a session (double-submit: cookie and form must agree).
pub const FORM_COOKIE: &str = "sxt_form";
/// How long a session lasts from sign-in.
pub const SESSION_HOURS: i64 = 8;
/// Failed logins for one account or one address within the window that lock it.
pub const LOCKOUT_LIMIT: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

use store::secrets::same_secret;

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
            let t = store::random_token();
            (t.clone(), Some(cookie(FORM_COOKIE, t, secure)))
        }
    }
}

/// Whether the request carries a form cookie at all: without one no form token can be
/// right, so a body need not be read to refuse it.
pub fn has_form_cookie(req: &HttpRequest) -> bool {
    req.cookie(FORM_COOKIE)
        .is_some_and(|c| c.value().len() == 64)
}

/// Whether a form without a session carried the token its cookie holds.
pub fn form_token_ok(req: &HttpRequest, submitted: &str) -> bool {
    req.cookie(FORM_COOKIE)
        .is_some_and(|c| same_secret(c.value(), submitted))
}

/// The address sign-in attempts are counted against: the connection's, or the client's as
/// a trusted proxy reports it.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    super::guard::client_ip(req, &state.settings.trusted_proxies)
        .map_or_else(|| "unknown".into(), |a| a.to_string())
}

/// Why an officer request was refused. `api` says whether to answer in JSON (routes under
/// `/api/`) or with a page.
#[derive(thiserror::Error)]
pub enum AuthError {
    #[error("this service was started without a database")]
    NoStore { api: bool },
    #[error("not signed in")]
    SignedOut { api: bool, next: String },
    #[error("this account may not do this")]
    Forbidden { api: bool },
    #[error("the form's security token is missing or wrong")]
    Csrf { api: bool },
    #[error("the database did not answer")]
    Store { api: bool },
    /// Work on a blocking thread failed (a bug, not the database).
    #[error("internal error")]
    Internal { api: bool },
}

/// Names the kind only: `next` may hold a batch token, which must not reach logs.
impl std::fmt::Debug for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthError::NoStore { .. } => "NoStore",
            AuthError::SignedOut { .. } => "SignedOut",
            AuthError::Forbidden { .. } => "Forbidden",
            AuthError::Csrf { .. } => "Csrf",
            AuthError::Store { .. } => "Store",
            AuthError::Internal { .. } => "Internal",
        })
    }
}

impl AuthError {
    fn api(&self) -> bool {
        match self {
            AuthError::NoStore { api }
            | AuthError::SignedOut { api, .. }
            | AuthError::Forbidden { api }
            | AuthError::Csrf { api }
            | AuthError::Store { api }
            | AuthError::Internal { api } => *api,
        }
    }
}

impl ResponseError for AuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            AuthError::NoStore { .. } | AuthError::Store { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            AuthError::SignedOut { api: true, .. } => StatusCode::UNAUTHORIZED,
            AuthError::SignedOut { .. } => StatusCode::SEE_OTHER,
            AuthError::Forbidden { .. } | AuthError::Csrf { .. } => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (zh, en) = match self {
            AuthError::NoStore { .. } => ("本服务未配置数据库", "This service has no database"),
            AuthError::Store { .. } => (
                "数据库暂时无法访问，请稍后再试",
                "The database is not answering; try again shortly",
            ),
            AuthError::Internal { .. } => (
                "服务内部出错，这次操作没有完成；请稍后重试，如仍出错请联系管理员",
                "Something went wrong inside the service and this was not done: try again later, and tell an administrator if it happens again",
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
            _ => super::guard::refusal(self.api(), self.status_code(), zh, en),
        }
    }
}

/// Runs `work` on a blocking thread; a panic there is an internal error, told as such (not
/// as the database being away).
pub async fn blocking<R: Send + 'static>(
    api: bool,
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, AuthError> {
    web::block(work).await.map_err(|_| {
        tracing::error!("work on a blocking thread panicked");
        AuthError::Internal { api }
    })
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
        self.one_of(&[Role::Reviewer])
    }

    /// Applications and their cases: the talent office, and the leaders who sign them off.
    pub fn case_reader(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Reviewer, Role::Approver])
    }

    /// The payment schedule: the talent office, leaders and finance.
    pub fn payments_reader(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Reviewer, Role::Approver, Role::Finance])
    }

    /// Public notices are opened by the role the procedure names (checked again there).
    pub fn approver(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Approver])
    }

    /// Only auditors read the access log.
    pub fn auditor(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Auditor])
    }

    /// The policy files and simulations: the talent office and the policy office.
    pub fn policy_reader(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Reviewer, Role::Policy])
    }

    /// Drafts of parameter changes: the policy office only.
    pub fn policy_office(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Policy])
    }

    /// Batch checks are for the talent office and companies' HR (an auditor only reads).
    pub fn batch_user(&self) -> Result<(), AuthError> {
        self.one_of(&[Role::Reviewer, Role::Hr])
    }

    fn one_of(&self, roles: &[Role]) -> Result<(), AuthError> {
        if roles.contains(&self.role()) {
            Ok(())
        } else {
            Err(AuthError::Forbidden { api: self.api })
        }
    }

    /// The signed-in account (for the access log).
    pub fn officer(&self) -> &store::Officer {
        &self.session.officer
    }

    pub fn check_csrf(&self, submitted: &str) -> Result<(), AuthError> {
        if same_secret(&self.session.csrf, submitted) {
            Ok(())
        } else {
            Err(AuthError::Csrf { api: self.api })
        }
    }

    /// Whether the request came to a JSON route.
    pub fn api(&self) -> bool {
        self.api
    }

    /// The store, or the error a route that needs one answers with.
    pub fn store<'a>(&self, state: &'a AppState) -> Result<&'a Store, AuthError> {
        store(state, self.api)
    }

    /// A database error, logged, as this route answers it.
    pub fn db_error(&self, e: impl std::fmt::Display) -> AuthError {
        tracing::error!(error = %e, "database error in the officer console");
        AuthError::Store { api: self.api }
    }
}

/// The store, or the error a route that needs one answers with.
pub fn store(state: &AppState, api: bool) -> Result<&Store, AuthError> {
    state.store.as_ref().ok_or(AuthError::NoStore { api })
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
            let state = state.ok_or(AuthError::NoStore { api })?;
            let store = store(&state, api)?;
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
                    Err(AuthError::Store { api })
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::CONTENT_TYPE;

    #[test]
    fn next_stays_inside_the_console() {
        assert_eq!(
            safe_next("/officer/applications?page=2"),
            "/officer/applications?page=2"
        );
        assert_eq!(safe_next("https://evil.example/"), "/officer");
        assert_eq!(safe_next("//evil.example/officer/"), "/officer");
    }

    #[test]
    fn a_refused_redirect_names_its_kind_but_not_where_it_was_going() {
        let e = AuthError::SignedOut {
            api: false,
            next: "/officer/batch/0123456789abcdef".into(),
        };
        assert_eq!(format!("{e:?}"), "SignedOut");
    }

    #[actix_web::test]
    async fn a_panic_on_a_blocking_thread_is_an_internal_error_not_the_database() {
        let r = blocking(true, || -> u8 { panic!("a bug") }).await;
        let e = r.unwrap_err();
        assert!(matches!(e, AuthError::Internal { api: true }), "{e:?}");
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(e.error_response().into_body())
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("服务内部出错") && !text.contains("数据库"),
            "{text}"
        );
    }

    #[actix_web::test]
    async fn database_errors_on_json_routes_answer_json() {
        let e = AuthError::Store { api: true };
        let resp = e.error_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            resp.headers().get(CONTENT_TYPE).unwrap(),
            "application/json"
        );
    }
}
