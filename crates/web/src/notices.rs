//! Public notices (公示): the public page `/gongshi` (each running notice — masked name,
//! employer or company, program and amount, its first and last day, whom to contact — and the
//! past ones), and the console page where a leader puts approved cases on a new notice.
//!
//! Invariant: the public page shows only what the store keeps for it (`notice_entries`:
//! masked name and employer, written when the notice opened) and the approved amounts; it
//! reads no application, answer or ID number.

use super::AppState;
use super::auth::{AuthError, Signed};
use super::html::{language, page};
use super::officer::{Nav, nav};
use super::view;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rules::input::{FormValues, Lang};
use rust_decimal::Decimal;

/// One case on a notice as the public reads it.
pub struct NoticeLine {
    /// What the objection form names it by (`NOTICE-APPLICATION`).
    pub entry: String,
    pub name: String,
    pub employer: String,
    /// Each program and its amount.
    pub programs: Vec<(String, String)>,
    pub total: String,
    /// Taken off the notice (an objection upheld).
    pub withdrawn: bool,
}

/// A notice as the public reads it.
pub struct NoticeView {
    pub id: i64,
    pub first_day: String,
    pub last_day: String,
    pub lines: Vec<NoticeLine>,
    /// Its period has not ended.
    pub running: bool,
}

fn notice_view(
    state: &AppState,
    n: &store::Notice,
    today: chrono::NaiveDate,
    l: Lang,
) -> NoticeView {
    NoticeView {
        id: n.id,
        first_day: n.first_day.to_string(),
        last_day: n.last_day.to_string(),
        running: n.last_day >= today,
        lines: n
            .entries
            .iter()
            .map(|e| NoticeLine {
                entry: format!("{}-{}", n.id, e.application_id),
                name: e.masked_name.clone(),
                employer: if e.employer.is_empty() {
                    l.t("（未填写单位）", "(employer not given)").into()
                } else {
                    e.employer.clone()
                },
                programs: e
                    .lines
                    .iter()
                    .map(|(p, a)| {
                        (
                            super::officer::policy_program_name(state, p, l),
                            view::yuan(a),
                        )
                    })
                    .collect(),
                total: view::yuan(&e.lines.iter().map(|(_, a)| *a).sum::<Decimal>()),
                withdrawn: e.withdrawn,
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "gongshi.html")]
pub struct GongshiPage {
    pub lang: Lang,
    pub current: Vec<NoticeView>,
    pub past: Vec<NoticeView>,
    pub contact: String,
    pub days: u32,
    /// The objection form's token (its cookie is set with the page).
    pub form_token: String,
    /// What was typed, kept when the form is refused.
    pub typed: ObjectionForm,
    pub errors: Vec<String>,
    /// An objection was just received.
    pub received: bool,
}

/// What the objection form sends, read in one place (a field sent twice counts once, the
/// first time).
#[derive(Default, Debug)]
pub struct ObjectionForm {
    pub form_token: String,
    /// The person objected to, as `NOTICE-APPLICATION`.
    pub entry: String,
    pub name: String,
    pub phone: String,
    pub statement: String,
}

impl ObjectionForm {
    fn read(body: &[u8]) -> ObjectionForm {
        let v = FormValues::parse(body);
        let text = |name: &str| v.get(name).to_string();
        ObjectionForm {
            form_token: text("form_token"),
            entry: text("entry"),
            name: text("name"),
            phone: text("phone"),
            statement: text("statement"),
        }
    }

    /// The notice and application of the entry chosen, when it is one of the list's.
    fn entry(&self) -> Option<(i64, i64)> {
        let (notice, application) = self.entry.split_once('-')?;
        Some((notice.parse().ok()?, application.parse().ok()?))
    }
}

/// The public page, with the objection form as typed and its problems, if any.
async fn gongshi_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    typed: ObjectionForm,
    errors: Vec<String>,
) -> HttpResponse {
    let lang = language(req, None);
    let l = lang.lang;
    let Some(store) = &state.store else {
        return super::html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "公示暂不可用",
            "Public notices are not available",
        );
    };
    let today = crate::http::today();
    let all = match store.notices(today, true).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "reading the public notices failed");
            return super::html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                "公示暂不可用，请稍后再试",
                "Public notices are not available just now; try again later",
            );
        }
    };
    let snapshot = state.snapshot();
    let procedure = &snapshot.policy.procedure;
    let (current, past): (Vec<_>, Vec<_>) = all
        .iter()
        .map(|n| notice_view(state, n, today, l))
        .partition(|n| n.running);
    let (form_token, cookie) = super::auth::form_token(req, state.secure_cookies);
    let mut resp = page(
        &GongshiPage {
            lang: l,
            current,
            past,
            contact: l
                .t(&procedure.contact_zh, &procedure.contact_en)
                .to_string(),
            days: procedure.notice_days,
            form_token,
            typed,
            errors,
            received: req.query_string().contains("received=1"),
        },
        status,
        lang,
    );
    if let Some(c) = cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

/// The park's public notices: those running today (with the objection form), then those
/// ended.
#[utoipa::path(tag = "pages", responses((status = 200, description = "The public notices (公示): running and past, and the objection form", content_type = "text/html", body = String), (status = 503, description = "No database")))]
#[get("/gongshi")]
pub async fn gongshi(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    gongshi_page(&req, &state, StatusCode::OK, Default::default(), Vec::new()).await
}

/// An objection to a case on a running notice: under a real name with a phone number; the
/// objector's details are sealed and shown only to reviewers and leaders.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "multipart/form-data", description = "form_token, entry (NOTICE-APPLICATION, from the page), name, phone, statement, then optional files as `material:objection` parts (PDF, JPEG, PNG); a plain form without files is also taken"), responses((status = 303, description = "Received: back to the notices"), (status = 403, description = "The form token is missing or wrong"), (status = 409, description = "That case is not on a running notice", content_type = "text/html", body = String), (status = 422, description = "A field is missing or not valid (anonymous objections are refused)", content_type = "text/html", body = String), (status = 429, description = "Too many from this address")))]
#[post("/gongshi/objections")]
pub async fn object(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    // A plain form, or multipart with files (`material:objection`, PDF/JPEG/PNG, the upload
    // limits of an application; the form token checked before the first file is read).
    let (body, mut files) = if super::uploads::is_multipart(&req) {
        if !super::auth::has_form_cookie(&req) {
            return expired();
        }
        let token_ok = |got: &super::uploads::Received| {
            super::auth::form_token_ok(&req, got.field("form_token").unwrap_or_default())
        };
        match super::uploads::receive(
            &state,
            &req,
            payload,
            store::Stage::Application,
            &[OBJECTION_FILES.to_string()],
            Some(&token_ok),
        )
        .await
        {
            Ok(got) => (got.form_bytes(), got.files),
            Err(r) => return super::apply::refused_page(&r),
        }
    } else {
        match super::http::read_body(payload, 64 * 1024).await {
            Ok(b) => (b.to_vec(), Vec::new()),
            Err(e) => return actix_web::ResponseError::error_response(&e),
        }
    };
    let typed = ObjectionForm::read(&body);
    if !super::auth::form_token_ok(&req, &typed.form_token) {
        return expired();
    }
    let l = language(&req, None).lang;
    let entry = typed.entry();
    let mut errors: Vec<String> = Vec::new();
    if entry.is_none() {
        errors.push(
            l.t(
                "异议对象：请选择公示名单中的一项",
                "Objecting to: choose one of the people on the notice",
            )
            .into(),
        );
    }
    errors.extend(
        app::procedure::objection_problems(&typed.name, &typed.phone, &typed.statement)
            .iter()
            .map(|m| m.t(l).to_string()),
    );
    let (Some((notice, application)), true) = (entry, errors.is_empty()) else {
        return gongshi_page(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            errors,
        )
        .await;
    };
    let Some(store) = &state.store else {
        return super::html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "公示暂不可用",
            "Public notices are not available",
        );
    };
    let uploads = match super::uploads::keep(store, &mut files).await {
        Ok(ids) => ids,
        Err(r) => return super::apply::refused_page(&r),
    };
    match store
        .add_objection(&store::NewObjection {
            notice_id: notice,
            application_id: application,
            today: crate::http::today(),
            name: typed.name.trim(),
            phone: typed.phone.trim(),
            statement: typed.statement.trim(),
            uploads: &uploads,
        })
        .await
    {
        Ok(Some(id)) => {
            tracing::info!(objection = id, notice, "objection received");
            HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/gongshi?received=1"))
                .finish()
        }
        Ok(None) => {
            let said = l.t(
                "该人员已不在正在进行的公示中（公示期已过或已撤下），异议未能受理",
                "That person is no longer on a running notice (it ended or they were taken off): the objection was not taken",
            );
            gongshi_page(&req, &state, StatusCode::CONFLICT, typed, vec![said.into()]).await
        }
        Err(e) => {
            tracing::error!(error = %e, "saving an objection failed");
            super::html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法受理，请稍后再试",
                "It cannot be taken just now; try again shortly",
            )
        }
    }
}

/// The material name an objection's files are sent under (`material:objection`).
pub const OBJECTION_FILES: &str = "objection";

fn expired() -> HttpResponse {
    super::html::message(
        StatusCode::FORBIDDEN,
        "表单已过期，请刷新页面后重新提交",
        "The form has expired: reload the page and send it again",
    )
}

/// A case waiting to be put on a notice, as the console lists it.
pub struct ReadyLine {
    pub reference: String,
    pub version: i64,
    pub name: String,
    pub employer: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "officer/notices.html")]
pub struct NoticesPage {
    pub lang: Lang,
    pub nav: Nav,
    pub ready: Vec<ReadyLine>,
    pub first_day: String,
    pub days: u32,
    pub error: Option<String>,
    pub notices: Vec<NoticeView>,
}

async fn notices_page(
    s: &Signed,
    req: &HttpRequest,
    state: &AppState,
    error: Option<(StatusCode, String)>,
    first_day: Option<String>,
) -> Result<HttpResponse, AuthError> {
    let lang = language(req, None);
    let l = lang.lang;
    let store = s.store(state)?;
    let (waiting, _) = store
        .list(
            &store::ListFilter {
                step: Some(store::CaseStep::NoticeReady),
                ..Default::default()
            },
            1,
            500,
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let mut ready = Vec::new();
    for a in &waiting {
        let Some(app) = store
            .application(&a.reference)
            .await
            .map_err(|e| s.db_error(e))?
        else {
            continue;
        };
        let decided = store.decisions(a.id).await.map_err(|e| s.db_error(e))?;
        let total: Decimal = decided
            .iter()
            .filter(|d| d.approved)
            .map(|d| d.amount)
            .sum();
        let shown = app::procedure::notice_case(&app);
        ready.push(ReadyLine {
            reference: a.reference.clone(),
            version: a.version,
            name: shown.masked_name,
            employer: if shown.employer.is_empty() {
                l.t("（未填写单位）", "(no employer given)").into()
            } else {
                shown.employer
            },
            total: view::yuan(&total),
        });
    }
    let today = crate::http::today();
    let snapshot = state.snapshot();
    let next_working = snapshot
        .policy
        .calendar
        .add_working_days(today, 1)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let opened: Vec<NoticeView> = store
        .all_notices(50)
        .await
        .map_err(|e| s.db_error(e))?
        .iter()
        .map(|n| notice_view(state, n, today, l))
        .collect();
    let (status, error) = error.map_or((StatusCode::OK, None), |(st, m)| (st, Some(m)));
    Ok(page(
        &NoticesPage {
            lang: l,
            nav: nav(s),
            ready,
            first_day: first_day.unwrap_or(next_working),
            days: snapshot.policy.procedure.notice_days,
            error,
            notices: opened,
        },
        status,
        lang,
    ))
}

/// The console's notices: cases waiting for one, and the notices opened.
#[utoipa::path(tag = "officers", responses((status = 200, description = "Cases waiting for a public notice, and the notices", content_type = "text/html", body = String), (status = 403, description = "Not an approver")))]
#[get("/officer/notices")]
pub async fn notices(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.approver()?;
    notices_page(&s, &req, &state, None, None).await
}

/// Opens a notice with the cases ticked.
#[utoipa::path(tag = "officers", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, first_day (YYYY-MM-DD, a working day), case (REFERENCE:VERSION, repeated)"), responses((status = 303, description = "Opened: back to the notices"), (status = 403, description = "Not an approver, or no CSRF token"), (status = 409, description = "A case changed meanwhile", content_type = "text/html", body = String), (status = 422, description = "No case ticked, or the first day is not a working day from today", content_type = "text/html", body = String)))]
#[post("/officer/notices")]
pub async fn publish(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = FormValues::parse(&body);
    s.check_csrf(form.get("csrf"))?;
    s.approver()?;
    let l = language(&req, None).lang;
    let typed = form.get("first_day").to_string();
    let snapshot = state.snapshot();
    let procedure = &snapshot.policy.procedure;
    let me = app::procedure::Officer {
        name: s.name(),
        role: s.role(),
    };
    let invalid = |m: &rules::Msg| Some((StatusCode::UNPROCESSABLE_ENTITY, m.t(l).to_string()));
    let mut problem = app::procedure::may_take(procedure, rules::procedure::StepId::Notice, me)
        .err()
        .map(|r| (StatusCode::CONFLICT, r.msg().t(l).to_string()));
    let today = crate::http::today();
    let period = match store::parse_day(&typed) {
        None => {
            problem = problem.or_else(|| {
                invalid(&rules::Msg::new(
                    "公示首日：应写作 YYYY-MM-DD",
                    "First day: write it as YYYY-MM-DD",
                ))
            });
            None
        }
        Some(first) => {
            match app::procedure::notice_period(procedure, &snapshot.policy.calendar, first, today)
            {
                Ok(p) => Some(p),
                Err(r) => {
                    problem = problem.or_else(|| invalid(r.msg()));
                    None
                }
            }
        }
    };
    let picked: Vec<(String, i64)> = form
        .all("case")
        .iter()
        .filter_map(|c| {
            let (r, v) = c.rsplit_once(':')?;
            Some((r.to_string(), v.parse().ok()?))
        })
        .collect();
    if picked.is_empty() {
        problem = problem.or_else(|| {
            invalid(&rules::Msg::new(
                "请至少勾选一个待公示的案件",
                "Tick at least one case waiting for a notice",
            ))
        });
    }
    let (Some((first, last)), None) = (period, &problem) else {
        return notices_page(&s, &req, &state, problem, Some(typed)).await;
    };
    let store = s.store(&state)?;
    let mut cases = Vec::new();
    for (reference, version) in &picked {
        let Some(app) = store
            .application(reference)
            .await
            .map_err(|e| s.db_error(e))?
        else {
            continue;
        };
        cases.push((app::procedure::notice_case(&app), *version));
    }
    match store.publish_notice(s.name(), first, last, &cases).await {
        Ok(id) => {
            tracing::info!(officer = %s.name(), notice = id, cases = cases.len(), "public notice opened");
            for (case, _) in &cases {
                crate::letters::after_step(&state, store, &case.reference).await;
            }
            Ok(HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/officer/notices"))
                .finish())
        }
        Err(store::DecideError::Store(e)) => Err(s.db_error(e)),
        Err(e) => {
            let words = super::officer::refusal_words(&e, l);
            notices_page(
                &s,
                &req,
                &state,
                Some((StatusCode::CONFLICT, words)),
                Some(typed),
            )
            .await
        }
    }
}
