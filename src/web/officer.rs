//! The officer console: sign in and out; for the talent office (`reviewer`) the applications
//! list, an application with its re-assessment and decisions, and the CSV export; for every
//! officer (`reviewer`, `hr`) batch checks from a spreadsheet. The JSON routes under
//! `/api/v1/applications` and `/api/v1/batch-checks` give the same to scripts holding a session.
//!
//! Invariants: every handler here takes [`Signed`] (no session: to the login page, or 401);
//! application routes call [`Signed::reviewer`] first (an `hr` account gets 403); every POST
//! checks the session's CSRF token before it reads anything else; ID numbers leave this module
//! masked except on an application's own page and in an export asked for in full.

use super::AppState;
use super::apply::{StoredResult, app_status_words, status_words};
use super::auth::{self, AuthError, LOCKOUT_LIMIT, LOCKOUT_MINUTES, SESSION_COOKIE, Signed};
use super::html::{PageLang, language, page};
use super::http::{ApiError, read_body, require_content_type};
use super::pages::program_names;
use super::view;
use crate::batch::{self, Summary};
use crate::input::Lang;
use crate::input::{FIELDS, FormValues, Kind};
use crate::store::{self, AppStatus, ApplicationSummary, DecideError, ListFilter, Role, mask_id};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use futures_util::StreamExt;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use std::sync::atomic::Ordering::Relaxed;

/// Applications per page of the list.
pub const PER_PAGE: u32 = 50;
/// Largest batch upload.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;
/// Longest decision note.
pub const NOTE_LIMIT: usize = 2000;

/// What the console's header shows of the signed-in officer.
pub struct Nav {
    pub name: String,
    pub reviewer: bool,
    pub csrf: String,
}

fn nav(s: &Signed) -> Nav {
    Nav {
        name: s.name().to_string(),
        reviewer: s.role() == Role::Reviewer,
        csrf: s.csrf().to_string(),
    }
}

fn no_application() -> HttpResponse {
    super::html::message(
        StatusCode::NOT_FOUND,
        "没有这个申请编号",
        "No application has this reference",
    )
}

fn no_batch() -> HttpResponse {
    super::html::message(
        StatusCode::NOT_FOUND,
        "没有这次批量检查",
        "No such batch check",
    )
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, to.to_string()))
        .finish()
}

// ----- signing in and out ------------------------------------------------------------------

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
    HASH.get_or_init(|| crate::secrets::hash_password(&store::random_token()).unwrap_or_default())
}

fn lockout_message(until: chrono::DateTime<chrono::FixedOffset>) -> (String, String) {
    let left = (until.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .num_minutes()
        .max(0)
        + 1;
    let at = until.with_timezone(&store::china()).format("%H:%M");
    (
        format!("登录失败次数过多，已暂时锁定。请于 {at}（约 {left} 分钟后）再试，或联系管理员。"),
        format!(
            "Too many failed sign-ins: locked for now. Try again at {at} (in about {left} minutes), or ask an administrator."
        ),
    )
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
    if !auth::form_token_ok(&req, form.get("form_token")) {
        return Err(AuthError::Csrf { api: false });
    }
    let store = auth::store(&state, false)?;
    let db_error = |e: store::StoreError| {
        tracing::error!(error = %e, "database error while signing in");
        AuthError::Store { api: false }
    };
    let name = form.get("name").to_string();
    let next = form.get("next").to_string();
    let refuse = |zh: &str, en: &str, status| {
        let message = Some(lang.lang.t(zh, en).to_string());
        login_page(&req, &state, lang, &next, &name, message, status)
    };
    if let Some(problem) = crate::applicant::unsafe_text(&name, false) {
        return Ok(refuse(
            &format!("用户名{}", problem.zh),
            &format!("Name: {}", problem.en),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let address = auth::client_address(&req, &state);
    let window = chrono::Duration::minutes(LOCKOUT_MINUTES);
    let locked = |until| {
        let (zh, en) = lockout_message(until);
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
    let checked = state
        .passwords
        .check(form.get("password").to_string(), hash, PASSWORD_WAIT)
        .await;
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
    state.metrics.password_checks.fetch_add(1, Relaxed);
    let officer = match officer {
        Some(o) if ok && !o.disabled => o,
        _ => {
            state.metrics.login_failures.fetch_add(1, Relaxed);
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
    }
}

// ----- the applications list -----------------------------------------------------------------

/// The filter as typed, to fill the form again.
#[derive(Default)]
pub struct FilterView {
    pub status: String,
    pub program: String,
    pub tier: String,
    pub from: String,
    pub to: String,
}

/// Reads the list's query; every value that is not understood is an error naming it.
fn read_filter(
    q: &FormValues,
    state: &AppState,
    lang: Lang,
) -> (ListFilter, FilterView, u32, Vec<String>) {
    let mut errors = Vec::new();
    let mut filter = ListFilter::default();
    let view = FilterView {
        status: q.get("status").into(),
        program: q.get("program").into(),
        tier: q.get("tier").into(),
        from: q.get("from").into(),
        to: q.get("to").into(),
    };
    if !view.status.is_empty() {
        match AppStatus::from_id(&view.status) {
            Some(s) => filter.status = Some(s),
            None => errors.push(lang.t("状态：无此选项", "status: no such choice").into()),
        }
    }
    if !view.program.is_empty() {
        if program_names(state, lang)
            .iter()
            .any(|(id, _)| *id == view.program)
        {
            filter.program = Some(view.program.clone());
        } else {
            errors.push(lang.t("项目：无此项目", "program: no such program").into());
        }
    }
    if !view.tier.is_empty() {
        if tiers(state, lang).iter().any(|(id, _)| *id == view.tier) {
            filter.tier = Some(view.tier.clone());
        } else {
            errors.push(lang.t("人才层次：无此层次", "tier: no such tier").into());
        }
    }
    for (raw, slot, zh, en) in [
        (&view.from, &mut filter.from, "起始日期", "from"),
        (&view.to, &mut filter.to, "截止日期", "to"),
    ] {
        if raw.is_empty() {
            continue;
        }
        match store::parse_day(raw) {
            Some(d) => *slot = Some(d),
            None => errors.push(
                lang.t(
                    &format!("{zh}：应写作 YYYY-MM-DD"),
                    &format!("{en}: write the date as YYYY-MM-DD"),
                )
                .to_string(),
            ),
        }
    }
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && f > t
    {
        errors.push(
            lang.t("起始日期晚于截止日期", "from is later than to")
                .into(),
        );
    }
    let page = match q.get("page") {
        "" => 1,
        p => match p.parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                errors.push(
                    lang.t("页码：应为正整数", "page: a whole number from 1")
                        .into(),
                );
                1
            }
        },
    };
    (filter, view, page, errors)
}

fn tiers(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    let loaded = state.snapshot();
    let mut out: Vec<(String, String)> = Vec::new();
    for v in loaded.policy.versions.iter().rev() {
        for t in &v.rules.tiers {
            if !out.iter().any(|(id, _)| **id == *t.id) {
                out.push((t.id.to_string(), lang.t(&t.zh, &t.en).to_string()));
            }
        }
    }
    out.push(("none".into(), lang.t("无", "none").into()));
    out
}

/// The query string of a filter, for links that keep it.
fn filter_query(f: &FilterView, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("status", f.status.as_str()),
        ("program", f.program.as_str()),
        ("tier", f.tier.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    pairs.extend_from_slice(extra);
    serde_html_form::to_string(pairs).unwrap_or_default()
}

pub struct ListRow {
    pub reference: String,
    pub submitted: String,
    pub name: String,
    pub id_masked: String,
    pub tier: String,
    pub total: String,
    pub status: &'static str,
    pub status_id: &'static str,
}

fn list_row(a: &ApplicationSummary, lang: Lang) -> ListRow {
    ListRow {
        reference: a.reference.clone(),
        submitted: view::short_time(&a.submitted_at),
        name: a.applicant_name.clone(),
        id_masked: mask_id(&a.id_number),
        tier: a.tier.clone(),
        total: view::yuan(&a.total),
        status: app_status_words(a.status, lang),
        status_id: a.status.id(),
    }
}

#[derive(Template)]
#[template(path = "officer/list.html")]
pub struct ListPage {
    pub lang: Lang,
    pub nav: Nav,
    pub filter: FilterView,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub programs: Vec<(String, String)>,
    pub tiers: Vec<(String, String)>,
    pub errors: Vec<String>,
    pub rows: Vec<ListRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub export: String,
}

#[utoipa::path(tag = "officers", params(("status" = Option<String>, Query), ("program" = Option<String>, Query, description = "Applications eligible for this program"), ("tier" = Option<String>, Query), ("from" = Option<String>, Query, description = "Submitted on or after, YYYY-MM-DD"), ("to" = Option<String>, Query, description = "Submitted on or before"), ("page" = Option<u32>, Query)), responses((status = 200, description = "Applications, newest first", content_type = "text/html", body = String), (status = 303, description = "Not signed in: to the login page"), (status = 403, description = "Not a reviewer")))]
#[get("/officer/applications")]
pub async fn list(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.reviewer()?;
    let lang = language(&req, None);
    let q = FormValues::parse(req.query_string().as_bytes());
    let (filter, view, page_no, errors) = read_filter(&q, &state, lang.lang);
    let (rows, total) = if errors.is_empty() {
        s.store(&state)?
            .list(&filter, page_no, PER_PAGE)
            .await
            .map_err(|e| s.db_error(e))?
    } else {
        (Vec::new(), 0)
    };
    let pages = u32::try_from((total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
        .unwrap_or(u32::MAX)
        .max(1);
    let link = |p: u32| {
        format!(
            "/officer/applications?{}",
            filter_query(&view, &[("page", &p.to_string())])
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let l = lang.lang;
    Ok(page(
        &ListPage {
            lang: l,
            nav: nav(&s),
            statuses: AppStatus::ALL
                .iter()
                .map(|st| (st.id(), app_status_words(*st, l)))
                .collect(),
            programs: program_names(&state, l),
            tiers: tiers(&state, l),
            errors,
            rows: rows.iter().map(|a| list_row(a, l)).collect(),
            total,
            page: page_no,
            pages,
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: (page_no < pages).then(|| link(page_no + 1)),
            export: format!("/officer/applications.csv?{}", filter_query(&view, &[])),
            filter: view,
        },
        status,
        lang,
    ))
}

/// Applications as CSV (UTF-8 with BOM, which Excel opens as such).
#[utoipa::path(tag = "officers", params(("ids" = Option<String>, Query, description = "`full` for unmasked ID numbers; masked by default"), ("status" = Option<String>, Query), ("program" = Option<String>, Query), ("tier" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)), responses((status = 200, description = "The applications matching the filter", content_type = "text/csv", body = String), (status = 400, description = "A filter value is not valid"), (status = 403, description = "Not a reviewer")))]
#[get("/officer/applications.csv")]
pub async fn export(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.reviewer()?;
    let lang = language(&req, None).lang;
    let q = FormValues::parse(req.query_string().as_bytes());
    let (filter, _, _, errors) = read_filter(&q, &state, lang);
    if !errors.is_empty() {
        return Ok(super::html::message(
            StatusCode::BAD_REQUEST,
            &errors.join("；"),
            &errors.join("; "),
        ));
    }
    let full_ids = q.get("ids") == "full";
    let apps = s
        .store(&state)?
        .export(&filter)
        .await
        .map_err(|e| s.db_error(e))?;
    tracing::info!(officer = %s.name(), count = apps.len(), full_ids, "applications exported");
    let progs = batch::all_programs(&state.snapshot().policy);
    let mut sheet = crate::spreadsheet::Sheet::new();
    let mut header: Vec<String> = [
        ("申请编号", "Reference"),
        ("提交时间", "Submitted"),
        ("姓名", "Name"),
        ("证件号码", "ID number"),
        ("政策版本", "Policy version"),
        ("申请日期", "Application date"),
        ("人才层次", "Talent tier"),
    ]
    .iter()
    .map(|(zh, en)| lang.t(zh, en).to_string())
    .collect();
    header.extend(batch::program_headers(&progs, lang));
    for (zh, en) in [
        ("合计（元）", "Total (yuan)"),
        ("状态", "Status"),
        ("审核意见", "Note"),
    ] {
        header.push(lang.t(zh, en).into());
    }
    sheet.row(&header);
    for (a, rows) in &apps {
        let mut rec = vec![
            a.reference.clone(),
            view::short_time(&a.submitted_at),
            a.applicant_name.clone(),
            if full_ids {
                a.id_number.clone()
            } else {
                mask_id(&a.id_number)
            },
            a.policy_version.clone(),
            a.application_date.clone(),
            a.tier.clone(),
        ];
        for (id, _, _) in &progs {
            match rows.iter().find(|r| r.program == *id) {
                Some(r) => {
                    rec.push(status_words(&r.status, lang).into());
                    rec.push(r.amount.to_string());
                }
                None => rec.extend([String::new(), String::new()]),
            }
        }
        rec.push(a.total.to_string());
        rec.push(app_status_words(a.status, lang).into());
        rec.push(a.note.clone());
        sheet.row(&rec);
    }
    Ok(csv_response(
        sheet.finish().into_bytes(),
        &format!("applications-{}.csv", super::http::today()),
    ))
}

fn csv_response(body: Vec<u8>, file_name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

// ----- one application -----------------------------------------------------------------------

/// One line of the comparison: what it was at submission, what it is today.
pub struct CompareRow {
    pub label: String,
    pub then: String,
    pub now: String,
    pub changed: bool,
}

pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "officer/application.html")]
pub struct ApplicationPage {
    pub lang: Lang,
    pub nav: Nav,
    pub reference: String,
    pub name: String,
    pub status: &'static str,
    pub status_id: &'static str,
    pub submitted: String,
    pub note: String,
    pub answers: Vec<(String, String)>,
    pub today: String,
    pub reassessment_error: Option<String>,
    pub compare: Vec<CompareRow>,
    pub can_decide: bool,
    pub decisions: Vec<(&'static str, &'static str)>,
    pub error: Option<String>,
    pub chosen: String,
    pub typed_note: String,
    pub audit: Vec<AuditView>,
    /// The version decisions are made on (see `Store::decide`).
    pub version: i64,
    /// When more information was requested, while nothing has come from the applicant since.
    pub waiting_since: Option<String>,
}

/// An answer of the saved profile in words.
fn answer_text(v: &serde_json::Value, kind: Kind, lang: Lang) -> String {
    use serde_json::Value;
    let choice = |d: crate::applicant::Domain, s: &str| {
        d.values()
            .iter()
            .find(|x| x.id == s)
            .map_or_else(|| s.to_string(), |x| lang.t(x.zh, x.en).to_string())
    };
    match (v, kind) {
        (Value::Bool(b), _) => lang
            .t(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .into(),
        (Value::String(s), Kind::Select(d)) => choice(d, s),
        (Value::String(s), Kind::Money) => s
            .parse::<Decimal>()
            .map_or_else(|_| s.clone(), |d| view::yuan(&d)),
        (Value::String(s), _) => s.clone(),
        (Value::Array(items), k) => items
            .iter()
            .map(|i| match (i, k) {
                (Value::String(s), Kind::Checks(d)) => choice(d, s),
                (other, _) => other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string),
            })
            .collect::<Vec<_>>()
            .join(lang.t("、", ", ")),
        (Value::Null, _) => String::new(),
        (other, _) => other.to_string(),
    }
}

fn answers(profile: &serde_json::Value, lang: Lang) -> Vec<(String, String)> {
    FIELDS
        .iter()
        .filter_map(|f| {
            let v = f.path.split('.').try_fold(profile, |at, k| at.get(k))?;
            let text = answer_text(v, f.kind, lang);
            (!text.is_empty()).then(|| (lang.t(f.zh, f.en).to_string(), text))
        })
        .collect()
}

/// The saved result beside a re-assessment of the same answers on today's date, under the
/// policy in force today.
fn compare(then: &StoredResult, now: &StoredResult, lang: Lang) -> Vec<CompareRow> {
    let row = |label: String, a: String, b: String| CompareRow {
        changed: a != b,
        label,
        then: a,
        now: b,
    };
    let mut out = vec![
        row(
            lang.t("政策版本", "Policy version").into(),
            then.policy_version.clone(),
            now.policy_version.clone(),
        ),
        row(
            lang.t("人才层次", "Talent tier").into(),
            then.talent_tier.clone(),
            now.talent_tier.clone(),
        ),
    ];
    let program_text = |p: Option<&super::apply::StoredProgram>| {
        p.map_or_else(
            || lang.t("（无此项目）", "(no such program)").to_string(),
            |p| {
                format!(
                    "{} {}",
                    status_words(&p.status, lang),
                    view::yuan(&p.amount)
                )
            },
        )
    };
    let mut ids: Vec<&str> = then.programs.iter().map(|p| p.id.as_str()).collect();
    for p in &now.programs {
        if !ids.contains(&p.id.as_str()) {
            ids.push(&p.id);
        }
    }
    for id in ids {
        let a = then.programs.iter().find(|p| p.id == id);
        let b = now.programs.iter().find(|p| p.id == id);
        let Some(named) = a.or(b) else { continue };
        out.push(row(
            lang.t(&named.name_zh, &named.name_en).to_string(),
            program_text(a),
            program_text(b),
        ));
    }
    out.push(row(
        lang.t("合计", "Total").into(),
        view::yuan(&then.total),
        view::yuan(&now.total),
    ));
    out
}

/// Assesses the saved answers again with today as the application date; `Err` says in the
/// page's language why it could not be done (the answers' errors under today's policy).
fn reassess(
    state: &AppState,
    profile: &serde_json::Value,
    lang: Lang,
) -> Result<StoredResult, String> {
    let mut p = profile.clone();
    let today = super::http::today();
    if let Some(obj) = p.as_object_mut() {
        obj.insert("application_date".into(), today.to_string().into());
    }
    let loaded = state.snapshot();
    match crate::service::assess_value(&loaded.policy, &p) {
        Ok(done) => Ok(StoredResult::of(&done.assessment)),
        Err(invalid) => Err(invalid
            .errors
            .iter()
            .map(|e| {
                let label = crate::input::error_field(&e.field).map_or("", |f| lang.t(f.zh, f.en));
                let message = lang.t(&e.message_zh, &e.message_en);
                if label.is_empty() {
                    message.to_string()
                } else {
                    format!("{label}{}{message}", lang.t("：", ": "))
                }
            })
            .collect::<Vec<_>>()
            .join(lang.t("；", "; "))),
    }
}

async fn application_page(
    s: &Signed,
    req: &HttpRequest,
    state: &AppState,
    reference: &str,
    error: Option<(StatusCode, String)>,
    form: Option<&FormValues>,
) -> Result<HttpResponse, AuthError> {
    let lang = language(req, None);
    let l = lang.lang;
    let store = s.store(state)?;
    let Some(app) = store
        .application(reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_application());
    };
    let audit = store
        .audit_log(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let profile: serde_json::Value = serde_json::from_str(&app.profile).unwrap_or_default();
    let then = StoredResult::parse(&app.result);
    let (compare_rows, reassessment_error) = match (then, reassess(state, &profile, l)) {
        (Some(then), Ok(now)) => (compare(&then, &now, l), None),
        (_, Err(e)) => (
            Vec::new(),
            Some(format!(
                "{}{e}",
                l.t(
                    "按今日政策重新测算未能完成：",
                    "Today's re-assessment could not be made: "
                )
            )),
        ),
        (None, _) => (
            Vec::new(),
            Some(
                l.t(
                    "提交时保存的测算结果无法读取，无法对比",
                    "The result saved at submission cannot be read, so nothing can be compared",
                )
                .into(),
            ),
        ),
    };
    let a = &app.summary;
    let status_text = |id: &str| {
        AppStatus::from_id(id).map_or_else(|| id.to_string(), |st| app_status_words(st, l).into())
    };
    let (status, body) = error.map_or((StatusCode::OK, None), |(st, m)| (st, Some(m)));
    Ok(page(
        &ApplicationPage {
            lang: l,
            nav: nav(s),
            reference: a.reference.clone(),
            name: a.applicant_name.clone(),
            status: app_status_words(a.status, l),
            status_id: a.status.id(),
            submitted: view::short_time(&a.submitted_at),
            note: a.note.clone(),
            answers: answers(&profile, l),
            today: super::http::today().to_string(),
            reassessment_error,
            compare: compare_rows,
            can_decide: AppStatus::ALL.iter().any(|t| a.status.can_become(*t)),
            decisions: [
                AppStatus::Approved,
                AppStatus::Rejected,
                AppStatus::MoreInfo,
            ]
            .iter()
            .map(|d| (d.id(), decision_words(*d, l)))
            .collect(),
            error: body,
            chosen: form
                .map(|f| f.get("decision").to_string())
                .unwrap_or_default(),
            typed_note: form.map(|f| f.get("note").to_string()).unwrap_or_default(),
            version: a.version,
            // Applicants cannot yet send anything after a request, so while the status is
            // "more information requested", nothing has arrived since the request.
            waiting_since: (a.status == AppStatus::MoreInfo)
                .then(|| view::short_time(&a.updated_at)),
            audit: audit
                .into_iter()
                .map(|e| AuditView {
                    at: view::short_time(&e.at),
                    actor: if e.actor == store::APPLICANT_ACTOR {
                        l.t("申请人", "applicant").into()
                    } else {
                        e.actor
                    },
                    from: e
                        .from_status
                        .as_deref()
                        .map(status_text)
                        .unwrap_or_default(),
                    to: status_text(&e.to_status),
                    note: e.note,
                })
                .collect(),
        },
        status,
        lang,
    ))
}

fn decision_words(d: AppStatus, lang: Lang) -> &'static str {
    match d {
        AppStatus::Approved => lang.t("批准", "Approve"),
        AppStatus::Rejected => lang.t("不予批准", "Reject"),
        AppStatus::MoreInfo => lang.t("要求补充材料", "Request more information"),
        AppStatus::Submitted => lang.t("待审核", "Awaiting review"),
    }
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path, description = "SXT-2026-000123")), responses((status = 200, description = "The application, its re-assessment today, decisions and audit log", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer"), (status = 404, description = "No such application")))]
#[get("/officer/applications/{reference}")]
pub async fn application(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    s.reviewer()?;
    application_page(&s, &req, &state, &reference, None, None).await
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, seen (the status the officer saw), decision (approved, rejected, more_info), note"), responses((status = 303, description = "Decided: back to the application"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 409, description = "Someone decided it meanwhile", content_type = "text/html", body = String), (status = 422, description = "The decision or note is not valid", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/decision")]
pub async fn decide(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = FormValues::parse(&body);
    s.check_csrf(form.get("csrf"))?;
    s.reviewer()?;
    let l = language(&req, None).lang;
    let invalid =
        |zh: &str, en: &str| Some((StatusCode::UNPROCESSABLE_ENTITY, l.t(zh, en).to_string()));
    let to = AppStatus::from_id(form.get("decision")).filter(|d| *d != AppStatus::Submitted);
    let seen = form.get("seen_version").parse::<i64>().ok();
    let note = form.get("note");
    let unsafe_note = crate::applicant::unsafe_text(note, true);
    let problem = match (to, seen) {
        (None, _) => invalid("审核结论：请选择一项", "Decision: choose one"),
        (_, None) => invalid(
            "表单不完整，请刷新页面后重试",
            "The form is incomplete: reload the page and try again",
        ),
        (Some(AppStatus::Rejected | AppStatus::MoreInfo), _) if note.is_empty() => invalid(
            "意见：不予批准或要求补充材料时，请写明原因，申请人会看到",
            "Note: say why when rejecting or asking for more; the applicant sees it",
        ),
        _ if note.chars().count() > NOTE_LIMIT => invalid(
            &format!("意见：最多 {NOTE_LIMIT} 字"),
            &format!("Note: at most {NOTE_LIMIT} characters"),
        ),
        _ if unsafe_note.is_some() => unsafe_note
            .and_then(|p| invalid(&format!("意见：{}", p.zh), &format!("Note: {}", p.en))),
        _ => None,
    };
    let (Some(to), Some(seen), None) = (to, seen, &problem) else {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    };
    let result = s
        .store(&state)?
        .decide(&reference, s.name(), seen, to, note)
        .await;
    let problem = match result {
        Ok(()) => {
            state.metrics.decisions.fetch_add(1, Relaxed);
            tracing::info!(officer = %s.name(), reference = %reference, decision = to.id(), "application decided");
            return Ok(redirect(&format!("/officer/applications/{reference}")));
        }
        Err(DecideError::NotFound) => {
            return Ok(no_application());
        }
        Err(DecideError::Changed(now)) => (
            StatusCode::CONFLICT,
            format!(
                "{}{}",
                l.t(
                    "此申请已被他人处理，当前状态：",
                    "Someone else decided this meanwhile; it is now: "
                ),
                app_status_words(now, l)
            ),
        ),
        Err(DecideError::NotAllowed(from, _)) => (
            StatusCode::CONFLICT,
            format!(
                "{}{}",
                l.t("此申请已结案，不能再更改：", "This application is closed: "),
                app_status_words(from, l)
            ),
        ),
        Err(DecideError::Store(e)) => return Err(s.db_error(e)),
    };
    application_page(&s, &req, &state, &reference, Some(problem), Some(&form)).await
}

// ----- batch checks --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "officer/batch.html")]
pub struct BatchPage {
    pub lang: Lang,
    pub nav: Nav,
    pub error: Option<String>,
    pub max_rows: usize,
    pub columns: Vec<(&'static str, String, bool)>,
}

fn batch_page(
    s: &Signed,
    lang: PageLang,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    page(
        &BatchPage {
            lang: lang.lang,
            nav: nav(s),
            error,
            max_rows: batch::MAX_ROWS,
            columns: FIELDS
                .iter()
                .map(|f| (f.path, lang.lang.t(f.zh, f.en).to_string(), f.required))
                .collect(),
        },
        status,
        lang,
    )
}

#[utoipa::path(tag = "officers", responses((status = 200, description = "The upload form and the columns a file may have", content_type = "text/html", body = String)))]
#[get("/officer/batch")]
pub async fn batch_form(s: Signed, req: HttpRequest) -> HttpResponse {
    batch_page(&s, language(&req, None), None, StatusCode::OK)
}

#[utoipa::path(tag = "officers", responses((status = 200, description = "The CSV template: a header row of field paths", content_type = "text/csv", body = String)))]
#[get("/officer/batch/template.csv")]
pub async fn batch_template(_s: Signed) -> HttpResponse {
    csv_response(
        batch::template_csv().into_bytes(),
        "talent-subsidy-template.csv",
    )
}

/// A batch's saved summary, with the first rows that could not be assessed.
#[derive(Serialize, Deserialize)]
pub struct SavedSummary {
    pub summary: Summary,
    /// Line, name, errors (zh), errors (en).
    pub problems: Vec<(u64, String, String, String)>,
}

/// Runs a batch on a blocking thread and keeps it; returns its token.
async fn run_batch(
    s: &Signed,
    state: &AppState,
    bytes: Vec<u8>,
    file_name: &str,
    lang: Lang,
) -> Result<Result<(String, Vec<u8>), batch::FileError>, AuthError> {
    let loaded = state.snapshot();
    let started = std::time::Instant::now();
    let ran = auth::blocking(s.api(), move || {
        batch::run(&loaded.policy, &bytes, Some(batch::MAX_ROWS)).map(|b| {
            let problems = b
                .rows
                .iter()
                .filter_map(|r| match &r.outcome {
                    batch::RowOutcome::Invalid(errs) => Some((r, errs)),
                    batch::RowOutcome::Assessed { .. } => None,
                })
                .take(100)
                .map(|(r, errs)| {
                    let join = |en: bool| {
                        errs.iter()
                            .map(|e| {
                                let m = if en { &e.message_en } else { &e.message_zh };
                                if e.field.is_empty() {
                                    m.clone()
                                } else {
                                    format!("{}: {m}", e.field)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(if en { "; " } else { "；" })
                    };
                    (r.line, r.name.clone(), join(false), join(true))
                })
                .collect();
            (
                SavedSummary {
                    summary: b.summary.clone(),
                    problems,
                },
                b.results_csv(lang),
            )
        })
    })
    .await?;
    let (saved, csv) = match ran {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    tracing::info!(officer = %s.name(), rows = saved.summary.rows, invalid = saved.summary.invalid, elapsed_ms = started.elapsed().as_millis() as u64, "batch check");
    state
        .metrics
        .batch_rows
        .fetch_add(saved.summary.rows as u64, Relaxed);
    let summary_json = serde_json::to_string(&saved).unwrap_or_default();
    let token = s
        .store(state)?
        .save_batch(s.session.officer.id, file_name, &summary_json, &csv)
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(Ok((token, csv.into_bytes())))
}

#[utoipa::path(tag = "officers", request_body(content = String, content_type = "multipart/form-data", description = "csrf, file (CSV)"), responses((status = 303, description = "Checked: to the summary"), (status = 400, description = "The file cannot be read as a table", content_type = "text/html", body = String), (status = 403, description = "No CSRF token"), (status = 413, description = "The file is larger than 16 MiB", content_type = "text/html", body = String)))]
#[post("/officer/batch")]
pub async fn batch_upload(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, AuthError> {
    let lang = language(&req, None);
    let l = lang.lang;
    // The form sends its token before the file: the token is checked as soon as it arrives,
    // and a file that comes before a valid token is refused unread.
    let mut csrf_ok = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    let mut broken = false;
    while let Some(field) = form.next().await {
        let Ok(mut field) = field else {
            broken = true;
            break;
        };
        let name = field.name().unwrap_or_default().to_string();
        if name != "csrf" && !csrf_ok {
            return Err(AuthError::Csrf { api: false });
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let limit = if name == "file" { UPLOAD_LIMIT } else { 1024 };
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                broken = true;
                break;
            };
            if data.len() + chunk.len() > limit {
                too_large = true;
                break;
            }
            data.extend_from_slice(&chunk);
        }
        if too_large || broken {
            break;
        }
        match name.as_str() {
            "csrf" => {
                s.check_csrf(&String::from_utf8_lossy(&data))?;
                csrf_ok = true;
            }
            "file" => file = Some((file_name.unwrap_or_else(|| "upload.csv".into()), data)),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AuthError::Csrf { api: false });
    }
    if too_large {
        return Ok(batch_page(
            &s,
            lang,
            Some(
                l.t(
                    "文件超过 16 MiB，请分成几份上传",
                    "The file is larger than 16 MiB: split it",
                )
                .into(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        ));
    }
    if broken {
        return Ok(batch_page(
            &s,
            lang,
            Some(
                l.t(
                    "文件没有完整上传，请重新上传",
                    "The file did not arrive whole: upload it again",
                )
                .into(),
            ),
            StatusCode::BAD_REQUEST,
        ));
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(batch_page(
            &s,
            lang,
            Some(
                l.t(
                    "file：请选择要上传的 CSV 文件",
                    "file: choose a CSV file to upload",
                )
                .into(),
            ),
            StatusCode::BAD_REQUEST,
        ));
    };
    let file_name: String = file_name
        .chars()
        .filter(|c| !crate::applicant::is_unsafe_char(*c, false))
        .take(200)
        .collect();
    match run_batch(&s, &state, bytes, &file_name, l).await? {
        Ok((token, _)) => Ok(redirect(&format!("/officer/batch/{token}"))),
        Err(e) => Ok(batch_page(
            &s,
            lang,
            Some(e.message(l).to_string()),
            StatusCode::BAD_REQUEST,
        )),
    }
}

#[derive(Template)]
#[template(path = "officer/batch_result.html")]
pub struct BatchResultPage {
    pub lang: Lang,
    pub nav: Nav,
    pub token: String,
    pub file_name: String,
    pub created: String,
    pub summary: Summary,
    pub programs: Vec<(String, usize, String)>,
    pub total: String,
    pub problems: Vec<(u64, String, String)>,
}

#[utoipa::path(tag = "officers", params(("token" = String, Path)), responses((status = 200, description = "How many qualify for each program, and amounts", content_type = "text/html", body = String), (status = 404, description = "No such batch of this officer's")))]
#[get("/officer/batch/{token}")]
pub async fn batch_result(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    let lang = language(&req, None);
    let l = lang.lang;
    let Some(run) = s
        .store(&state)?
        .batch(&token, s.session.officer.id)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_batch());
    };
    let saved: SavedSummary = serde_json::from_str(&run.summary)
        .map_err(|e| s.db_error(format!("batch summary: {e}")))?;
    Ok(page(
        &BatchResultPage {
            lang: l,
            nav: nav(&s),
            token: token.to_string(),
            file_name: run.file_name,
            created: view::short_time(&run.created_at),
            programs: saved
                .summary
                .programs
                .iter()
                .map(|p| {
                    (
                        l.t(&p.name_zh, &p.name_en).to_string(),
                        p.eligible,
                        view::yuan(&p.amount),
                    )
                })
                .collect(),
            total: view::yuan(&saved.summary.total),
            problems: saved
                .problems
                .into_iter()
                .map(|(line, name, zh, en)| (line, name, if l.en() { en } else { zh }))
                .collect(),
            summary: saved.summary,
        },
        StatusCode::OK,
        lang,
    ))
}

#[utoipa::path(tag = "officers", params(("token" = String, Path)), responses((status = 200, description = "Per person: tier, each program's status and amount, total, or the row's errors", content_type = "text/csv", body = String), (status = 404, description = "No such batch of this officer's")))]
#[get("/officer/batch/{token}/results.csv")]
pub async fn batch_results(
    s: Signed,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    match s
        .store(&state)?
        .batch(&token, s.session.officer.id)
        .await
        .map_err(|e| s.db_error(e))?
    {
        Some(run) => Ok(csv_response(run.results.into_bytes(), "results.csv")),
        None => Ok(no_batch()),
    }
}

// ----- the officers' JSON API ----------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationItem {
    pub reference: String,
    pub submitted_at: String,
    pub applicant_name: String,
    /// Masked: `3206**********001X`.
    pub id_number: String,
    pub policy_version: String,
    pub talent_tier: String,
    #[schema(value_type = String)]
    pub total: Decimal,
    pub status: String,
    pub note: String,
}

fn item(a: ApplicationSummary, masked: bool) -> ApplicationItem {
    ApplicationItem {
        id_number: if masked {
            mask_id(&a.id_number)
        } else {
            a.id_number
        },
        reference: a.reference,
        submitted_at: a.submitted_at,
        applicant_name: a.applicant_name,
        policy_version: a.policy_version,
        talent_tier: a.tier,
        total: a.total,
        status: a.status.id().into(),
        note: a.note,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<ApplicationItem>,
}

#[utoipa::path(tag = "officers", params(("status" = Option<String>, Query), ("program" = Option<String>, Query), ("tier" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("page" = Option<u32>, Query)), responses((status = 200, description = "Applications, newest first; ID numbers masked", body = ApplicationList), (status = 400, description = "A filter value is not valid", body = super::schema::ErrorsDoc), (status = 401, description = "Not signed in", body = super::schema::ErrorsDoc), (status = 403, description = "Not a reviewer", body = super::schema::ErrorsDoc)))]
#[get("/api/v1/applications")]
pub async fn list_api(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    s.reviewer()?;
    let q = FormValues::parse(req.query_string().as_bytes());
    let (filter, _, page_no, errors) = read_filter(&q, &state, Lang::En);
    if let Some(first) = errors.first() {
        let zh = read_filter(&q, &state, Lang::Zh).3.join("；");
        return Err(
            ApiError::BadQuery(crate::applicant::FieldError::new("", zh, first.clone())).into(),
        );
    }
    let (rows, total) = s
        .store(&state)?
        .list(&filter, page_no, PER_PAGE)
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(HttpResponse::Ok().json(ApplicationList {
        total,
        page: page_no,
        per_page: PER_PAGE,
        items: rows.into_iter().map(|a| item(a, true)).collect(),
    }))
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), responses((status = 200, description = "The application with its profile, result as assessed and audit log", body = Object), (status = 401, description = "Not signed in", body = super::schema::ErrorsDoc), (status = 403, description = "Not a reviewer", body = super::schema::ErrorsDoc), (status = 404, description = "No such application", body = super::schema::ErrorsDoc)))]
#[get("/api/v1/applications/{reference}")]
pub async fn application_api(
    s: Signed,
    state: web::Data<AppState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    s.reviewer()?;
    let store = s.store(&state)?;
    let app = store
        .application(&reference)
        .await
        .map_err(|e| s.db_error(e))?
        .ok_or(ApiError::NotFound)?;
    let audit = store
        .audit_log(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let raw = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "application": item(app.summary, false),
        "profile": raw(&app.profile),
        "result": raw(&app.result),
        "audit": audit.iter().map(|e| serde_json::json!({
            "at": e.at, "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note
        })).collect::<Vec<_>>(),
    })))
}

#[utoipa::path(tag = "officers", params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token (shown on console pages)"), ("lang" = Option<String>, Query, description = "zh (default) or en: the language of the results' headers")), request_body(content = String, content_type = "text/csv", description = "People, one per row; the template's columns"), responses((status = 200, description = "The results CSV; X-Rows, X-Invalid-Rows headers", content_type = "text/csv", body = String), (status = 400, description = "The file cannot be read as a table", body = super::schema::ErrorsDoc), (status = 401, description = "Not signed in", body = super::schema::ErrorsDoc), (status = 403, description = "No CSRF token", body = super::schema::ErrorsDoc)))]
#[post("/api/v1/batch-checks")]
pub async fn batch_api(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let token = req
        .headers()
        .get("X-CSRF-Token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    s.check_csrf(token)?;
    require_content_type(&req, &["text/csv", "text/plain"])?;
    let body = read_body(payload, UPLOAD_LIMIT).await?;
    let lang = language(&req, None).lang;
    match run_batch(&s, &state, body.to_vec(), "api.csv", lang).await? {
        Ok((_, csv)) => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
            .body(csv)),
        Err(e) => Err(ApiError::File(e).into()),
    }
}
