//! Signing in and out: the login form, the attempt counted before its password is checked, the lockout, sessions.

use super::*;

#[derive(Template)]
#[template(path = "officer/login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub next: String,
    pub form_token: String,
    pub name: String,
    pub error: Option<String>,
}

fn login_page(
    req: &HttpRequest,
    state: &AppState,
    lang: PageLang,
    next: &str,
    name: &str,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let (token, set) = auth::form_token(req, state.secure_cookies);
    let mut resp = page(
        &LoginPage {
            lang: lang.lang,
            next: auth::safe_next(next).to_string(),
            form_token: token,
            name: name.to_string(),
            error,
        },
        status,
        lang,
    );
    if let Some(c) = set {
        let _ = resp.add_cookie(&c);
    }
    resp
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[utoipa::path(tag = "officers", params(("next" = Option<String>, Query, description = "A console page to go to after signing in")), responses((status = 200, description = "The login form", content_type = "text/html", body = String)))]
#[get("/officer/login")]
pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> HttpResponse {
    let lang = language(&req, None);
    let next = q.next.as_deref().unwrap_or("/officer");
    login_page(&req, &state, lang, next, "", None, StatusCode::OK)
}

/// An argon2id hash nobody's password matches, verified against for unknown accounts so that
/// they take as long as known ones.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| store::secrets::hash_password(&store::random_token()).unwrap_or_default())
}

fn lockout_message(until: chrono::DateTime<chrono::FixedOffset>) -> rules::Msg {
    let left = (until.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .num_minutes()
        .max(0)
        + 1;
    let at = until.with_timezone(&store::china()).format("%H:%M");
    rules::Msg::new(
        format!("登录失败次数过多，已暂时锁定。请于 {at}（约 {left} 分钟后）再试，或联系管理员。"),
        format!(
            "Too many failed sign-ins: locked for now. Try again at {at} (in about {left} minutes), or ask an administrator."
        ),
    )
}

/// What the sign-in form sends, read in one place (a field sent twice counts once, the first
/// time).
struct SignInForm {
    form_token: String,
    name: String,
    /// Where to go once signed in (checked to be a console page before it is followed).
    next: String,
    password: String,
}

impl SignInForm {
    fn read(v: &FormValues) -> SignInForm {
        let text = |name: &str| v.get(name).to_string();
        SignInForm {
            form_token: text("form_token"),
            name: text("name"),
            next: text("next"),
            password: text("password"),
        }
    }
}

/// How long a sign-in waits for a free password check before it is answered 503.
const PASSWORD_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

#[utoipa::path(tag = "officers", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "name, password, form_token, next"), responses((status = 303, description = "Signed in: to the console"), (status = 401, description = "Wrong name or password, or a disabled account", content_type = "text/html", body = String), (status = 403, description = "The form token is missing or wrong"), (status = 422, description = "The name holds characters no account has", content_type = "text/html", body = String), (status = 429, description = "Locked after too many attempts", content_type = "text/html", body = String), (status = 503, description = "Too many sign-ins at once: try again (Retry-After)", content_type = "text/html", body = String)))]
#[post("/officer/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = FormValues::parse(&body);
    let lang = language(&req, Some(&form));
    let SignInForm {
        form_token,
        name,
        next,
        password,
    } = SignInForm::read(&form);
    if !auth::form_token_ok(&req, &form_token) {
        return Err(AuthError::Csrf { api: false });
    }
    let store = auth::store(&state, false)?;
    let db_error = |e: store::StoreError| {
        tracing::error!(error = %e, "database error while signing in");
        AuthError::Store { api: false }
    };
    let refuse = |zh: &str, en: &str, status| {
        let message = Some(lang.lang.t(zh, en).to_string());
        login_page(&req, &state, lang, &next, &name, message, status)
    };
    if let Some(problem) = rules::applicant::unsafe_text(&name, false) {
        return Ok(refuse(
            &format!("用户名{}", problem.zh),
            &format!("Name: {}", problem.en),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let address = auth::client_address(&req, &state);
    let window = chrono::Duration::minutes(LOCKOUT_MINUTES);
    let locked = |until| {
        let rules::Msg { zh, en } = lockout_message(until);
        refuse(&zh, &en, StatusCode::TOO_MANY_REQUESTS)
    };
    // The attempt is counted before the password is checked: of any number sent at once,
    // only the first LOCKOUT_LIMIT reach a check.
    let attempt = store
        .count_login_attempt(&name, &address, window)
        .await
        .map_err(db_error)?;
    if let Some(until) = attempt.locked_beyond(LOCKOUT_LIMIT, window) {
        return Ok(locked(until));
    }
    let officer = store.officer_by_name(&name).await.map_err(db_error)?;
    // Unknown and disabled accounts are checked against a hash nobody's password matches, so
    // that neither the time taken nor the answer tells them from a wrong password.
    let hash = officer.as_ref().filter(|o| !o.disabled).map_or_else(
        || store::Secret::new(dummy_hash()),
        |o| o.password_hash.clone(),
    );
    let checked = state.passwords.check(password, hash, PASSWORD_WAIT).await;
    let Ok(ok) = checked else {
        store
            .refund_login_attempt(&name, &address)
            .await
            .map_err(db_error)?;
        let mut resp = refuse(
            "登录请求过多，请稍候几秒再试",
            "Too many sign-ins at once: try again in a few seconds",
            StatusCode::SERVICE_UNAVAILABLE,
        );
        resp.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("5"),
        );
        return Ok(resp);
    };
    state.metrics.password_checks.inc();
    let officer = match officer {
        Some(o) if ok && !o.disabled => o,
        _ => {
            state.metrics.login_failures.inc();
            tracing::warn!(address = %address, "failed officer sign-in");
            if let Some(until) = attempt.locked_beyond(LOCKOUT_LIMIT - 1, window) {
                return Ok(locked(until));
            }
            return Ok(refuse(
                "用户名或密码不正确，或账户已停用",
                "Wrong name or password, or the account is disabled",
                StatusCode::UNAUTHORIZED,
            ));
        }
    };
    store
        .login_succeeded(&name, &address)
        .await
        .map_err(db_error)?;
    let token = store
        .create_session(officer.id, chrono::Duration::hours(auth::SESSION_HOURS))
        .await
        .map_err(db_error)?;
    tracing::info!(officer = %officer.name, "officer signed in");
    let mut resp = redirect(auth::safe_next(&next));
    let _ = resp.add_cookie(&auth::cookie(SESSION_COOKIE, token, state.secure_cookies));
    Ok(resp)
}

#[utoipa::path(tag = "officers", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "Signed out: to the login page"), (status = 403, description = "The form token is missing or wrong")))]
#[post("/officer/logout")]
pub async fn logout(
    s: Signed,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    s.check_csrf(FormValues::parse(&body).get("csrf"))?;
    s.store(&state)?
        .end_session(&s.token)
        .await
        .map_err(|e| s.db_error(e))?;
    let mut resp = redirect("/officer/login");
    let mut gone = auth::cookie(SESSION_COOKIE, String::new(), state.secure_cookies);
    gone.make_removal();
    let _ = resp.add_cookie(&gone);
    Ok(resp)
}

#[utoipa::path(tag = "officers", responses((status = 303, description = "To the officer's first page")))]
#[get("/officer")]
pub async fn home(s: Signed) -> HttpResponse {
    match s.role() {
        Role::Reviewer => redirect("/officer/applications"),
        Role::Hr => redirect("/officer/batch"),
        Role::Auditor => redirect("/officer/access-log"),
        Role::Policy => redirect("/officer/policy"),
        Role::Approver => redirect("/officer/applications?step=sign_off"),
        Role::Finance => redirect("/officer/payments"),
    }
}
