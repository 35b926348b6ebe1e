//! One application: the answers, the saved result beside a re-assessment under today's policy, decisions and the audit log.

use super::*;
use app::casework::{Whole, WholeState};

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
    /// The id of the field a refusal is about (the summary at the top links to it).
    pub error_at: String,
    /// The letters issued on the case.
    pub letters: Vec<crate::letters::LetterLine>,
    /// Messages to the applicant and their delivery.
    pub messages: Vec<crate::message_view::MessageLine>,
    pub nav: Nav,
    pub reference: String,
    pub name: String,
    /// The ID number, masked unless the officer asked for it whole.
    pub id_shown: String,
    pub full_id: bool,
    /// The personal fields were erased after the retention period.
    pub erased: bool,
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
    /// Each program under review with its conditions, their materials and checks.
    pub programs: Vec<ReviewCard>,
    /// Every file the applicant sent.
    pub files: Vec<crate::case_view::FileLine>,
    /// The materials a request for more information can name: (id, name, ticked).
    pub material_choices: Vec<(String, String, bool)>,
    /// The payments its approvals scheduled.
    pub scheduled: Vec<crate::case_view::PaymentLine>,
    /// Where it is in the procedure, what is due, and what this officer may do.
    pub procedure: super::procedure::ProcedureView,
    /// The reason typed into the step form, kept when it is refused.
    pub typed_reason: String,
}

/// An answer of the saved profile in words.
fn answer_text(v: &serde_json::Value, kind: Kind, lang: Lang) -> String {
    use serde_json::Value;
    let choice = |d: rules::applicant::Domain, s: &str| {
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

/// The answers in words; the ID number masked unless `full_id`.
fn answers(profile: &serde_json::Value, lang: Lang, full_id: bool) -> Vec<(String, String)> {
    FIELDS
        .iter()
        .filter_map(|f| {
            let v = f.path.split('.').try_fold(profile, |at, k| at.get(k))?;
            let mut text = answer_text(v, f.kind, lang);
            if f.path == ID_PATH && !full_id {
                text = mask_id(&text);
            }
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
            then.tier_words(lang),
            now.tier_words(lang),
        ),
    ];
    let program_text = |p: Option<&crate::case_view::StoredProgram>| {
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
    declined: &[&str],
    lang: Lang,
) -> Result<StoredResult, String> {
    let mut p = profile.clone();
    let today = crate::http::today();
    if let Some(obj) = p.as_object_mut() {
        obj.insert("application_date".into(), today.to_string().into());
    }
    let loaded = state.snapshot();
    match app::service::assess_value_declining(&loaded.policy, &p, declined) {
        Ok(done) => Ok(StoredResult::of(&done.assessment)),
        Err(invalid) => Err(invalid
            .errors
            .iter()
            .map(|e| {
                let label = rules::input::error_field(&e.field).map_or("", |f| lang.t(f.zh, f.en));
                let message = e.message(lang);
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

/// The profile's ID number.
const ID_PATH: &str = "person.id_number";

/// The application's page, its ID number masked (a view, in the access log).
pub(super) async fn application_page(
    s: &Signed,
    req: &HttpRequest,
    state: &AppState,
    reference: &str,
    error: Option<(StatusCode, String)>,
    form: Option<&CaseForm>,
) -> Result<HttpResponse, AuthError> {
    render_application(s, req, state, reference, error, form, false).await
}

/// The application's page; with `full_id`, its ID number whole. Each rendering is logged
/// (a view, or a view of the full ID number) before it is sent.
async fn render_application(
    s: &Signed,
    req: &HttpRequest,
    state: &AppState,
    reference: &str,
    error: Option<(StatusCode, String)>,
    form: Option<&CaseForm>,
    full_id: bool,
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
    let access = if full_id {
        store::Access::FullId
    } else {
        store::Access::View
    };
    store
        .log_access(
            s.officer(),
            access,
            Some((app.summary.id, &app.summary.reference)),
            store::AccessDetail::default(),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let erased = app.summary.erased_at.clone();
    let audit = store
        .audit_log(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let profile: serde_json::Value = serde_json::from_str(&app.profile).unwrap_or_default();
    let case = app::case::Case::read(store, &app)
        .await
        .map_err(|e| s.db_error(e))?;
    let letters = store
        .letters(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let messages = store
        .messages(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let then = StoredResult::parse(&app.result);
    // What the applicant left out stays left out when the answers are assessed again.
    let declined: Vec<&str> = then
        .iter()
        .flat_map(|r| &r.programs)
        .filter(|p| p.status == rules::engine::Status::Declined.id())
        .map(|p| p.id.as_str())
        .collect();
    let again = reassess(state, &profile, &declined, l);
    let (compare_rows, reassessment_error) = match (then.clone(), again) {
        _ if erased.is_some() => (
            Vec::new(),
            Some(
                l.t(
                    "保存期限已满，申请人的个人信息（姓名、证件号码、填写内容、文件）已删除，只保留项目和金额",
                    "The retention period is over: the applicant's personal information (name, ID number, answers, files) has been erased; the programs and amounts remain",
                )
                .into(),
            ),
        ),
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
    // Where the refusal is shown: the field of the form it is about, linked from the summary.
    let error_at = match form {
        Some(f) if !f.program.is_empty() => format!(
            "{}-{}",
            casework::refused_field(body.as_deref().unwrap_or_default()),
            f.program
        ),
        Some(f) if f.note.is_some() => "note".to_string(),
        _ => "h-step".to_string(),
    };
    Ok(page(
        &ApplicationPage {
            error_at,
            messages: crate::message_view::message_lines(&messages, l, Some(&state.channels)),
            letters: crate::letters::letter_lines(
                &letters,
                &format!("/officer/applications/{reference}"),
                l,
                false,
            ),
            lang: l,
            nav: nav(s),
            reference: a.reference.clone(),
            name: if erased.is_some() {
                l.t("（已匿名）", "(anonymised)").into()
            } else {
                a.applicant_name.clone()
            },
            id_shown: if full_id {
                a.id_number.clone()
            } else {
                mask_id(&a.id_number)
            },
            full_id,
            erased: erased.is_some(),
            status: app_status_words(a.status, l),
            status_id: a.status.id(),
            submitted: view::short_time(&a.submitted_at),
            note: a.note.clone(),
            answers: answers(&profile, l, full_id),
            today: crate::http::today().to_string(),
            reassessment_error,
            compare: compare_rows,
            can_decide: s.role() == Role::Reviewer
                && AppStatus::ALL.iter().any(|t| a.status.can_become(*t)),
            decisions: [
                AppStatus::MoreInfo,
                AppStatus::Approved,
                AppStatus::Rejected,
            ]
            .iter()
            .filter(|d| a.status.can_become(**d))
            // Deciding everything at once is for an application no program of which is
            // decided yet.
            .filter(|d| **d == AppStatus::MoreInfo || case.decisions.is_empty())
            .map(|d| (d.id(), decision_words(*d, l)))
            .collect(),
            programs: casework::review_cards(&case, state, &app, form.zip(body.as_deref()), l),
            files: crate::case_view::file_lines(
                state,
                &case.files,
                &format!("/officer/applications/{}", a.reference),
                l,
            ),
            material_choices: casework::material_choices(&case, state, &app, form, l),
            scheduled: casework::payment_lines(&case, &app, l),
            procedure: super::procedure::procedure_view(s, state, &app, &case, l),
            typed_reason: form.map(|f| f.reason.clone()).unwrap_or_default(),
            error: body,
            chosen: form.map(|f| f.decision.clone()).unwrap_or_default(),
            typed_note: form.and_then(|f| f.note.clone()).unwrap_or_default(),
            version: a.version,
            // A reply from the applicant puts the application back to "awaiting review", so
            // while the status is "more information requested", nothing has arrived since.
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
        AppStatus::Approved => lang.t(
            "全部批准（按测算金额）",
            "Approve everything (at the assessed amounts)",
        ),
        AppStatus::Rejected => lang.t("全部不予批准", "Refuse everything"),
        AppStatus::MoreInfo => lang.t("要求补充材料", "Request more information"),
        other => lang.t(other.zh(), other.en()),
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
    s.case_reader()?;
    application_page(&s, &req, &state, &reference, None, None).await
}

/// The application's page with its full ID number: asked for with a button (CSRF-checked)
/// and recorded in the access log.
#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "The application with its full ID number", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 404, description = "No such application")))]
#[post("/officer/applications/{reference}/full-id")]
pub async fn show_full_id(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    reviewer_form(&s, &body)?;
    render_application(&s, &req, &state, &reference, None, None, true).await
}

/// A new status link for an applicant who lost theirs: the old link stops working; the new
/// one is shown once, to send to the applicant.
#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "The new link, shown once", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 404, description = "No such application")))]
#[post("/officer/applications/{reference}/new-link")]
pub async fn new_link(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    reviewer_form(&s, &body)?;
    let token = match s.store(&state)?.new_status_link(&reference, s.name()).await {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(no_application()),
        Err(e) => return Err(s.db_error(e)),
    };
    tracing::info!(officer = %s.name(), reference = %reference, "new status link made");
    let info = req.connection_info();
    let link = format!(
        "{}://{}{}",
        info.scheme(),
        info.host(),
        crate::case_view::status_url(&token)
    );
    Ok(crate::html::message(
        StatusCode::OK,
        &format!("{reference} 的新查看链接（原链接已失效），请发送给申请人本人：{link}"),
        &format!(
            "The new status link for {reference} (the old one no longer works); send it to the applicant only: {link}"
        ),
    ))
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, seen_version (the version of the application the officer saw), decision (approved, rejected, more_info), note"), responses((status = 303, description = "Decided: back to the application"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 409, description = "Someone decided it meanwhile", content_type = "text/html", body = String), (status = 422, description = "The decision or note is not valid", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/decision")]
pub async fn decide(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = reviewer_form(&s, &body)?;
    let l = language(&req, None).lang;
    let invalid =
        |zh: &str, en: &str| Some((StatusCode::UNPROCESSABLE_ENTITY, l.t(zh, en).to_string()));
    let to = AppStatus::from_id(&form.decision).filter(|d| *d != AppStatus::Submitted);
    let seen = form.seen();
    let note = form.note.as_deref().unwrap_or_default();
    let asked = match to {
        Some(AppStatus::Approved) => Some(Whole::Approve),
        Some(AppStatus::Rejected) => Some(Whole::Reject),
        Some(AppStatus::MoreInfo) => Some(Whole::MoreInfo),
        _ => None,
    };
    let problem = match (asked, seen) {
        (None, _) => invalid("审核结论：请选择一项", "Decision: choose one"),
        (_, None) => invalid(
            "表单不完整，请刷新页面后重试",
            "The form is incomplete: reload the page and try again",
        ),
        (Some(asked), _) => text_problem(note, ("意见", "Note"), l).or_else(|| {
            app::casework::whole_note(asked, note)
                .err()
                .and_then(|r| invalid(&r.msg().zh, &r.msg().en))
        }),
    };
    let (Some(to), Some(asked), Some(seen), None) = (to, asked, seen, &problem) else {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    };
    let store = s.store(&state)?;
    let known = crate::uploads::material_ids(&state);
    let missing: Vec<String> = form
        .missing
        .iter()
        .filter(|m| known.contains(m))
        .cloned()
        .collect();
    // Deciding the whole decides each open program: only then is the casework read.
    let programs = if asked == Whole::MoreInfo {
        Vec::new()
    } else {
        let Some((app, case)) = casework::case_of_reference(&s, store, &reference).await? else {
            return Ok(no_application());
        };
        let now = WholeState {
            programs_decided: !case.decisions.is_empty(),
            open_checks: app::casework::has_open_checks(&case),
        };
        let approve = asked == Whole::Approve;
        if let Err(r) = app::casework::whole_programs(approve, now) {
            let problem = invalid(&r.msg().zh, &r.msg().en);
            return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
        }
        let policy = &state.snapshot().policy;
        app::casework::whole_decisions(&case, policy, &app.summary.policy_version, approve, note)
    };
    let result = store
        .decide(&reference, s.name(), seen, to, note, &missing, &programs)
        .await;
    let problem = match result {
        Ok(()) => {
            state.metrics.decisions.inc();
            tracing::info!(officer = %s.name(), reference = %reference, decision = to.id(), "application decided");
            crate::letters::after_step(&state, store, &reference).await;
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
        Err(DecideError::NotAllowed(from, _)) => closed_problem(from, l),
        Err(DecideError::Store(e)) => return Err(s.db_error(e)),
        Err(e) => (StatusCode::CONFLICT, refusal_words(&e, l)),
    };
    application_page(&s, &req, &state, &reference, Some(problem), Some(&form)).await
}
