//! Casework in the console: each program under review with its conditions, the materials
//! proving them, the files sent for each and a check per condition; the decision on each
//! program (approve, perhaps for less, or refuse, with a reason); the applicant's files. The
//! payment schedule approvals make is in `payments.rs`.
//!
//! Invariants: a program is approved only with no condition checked "not met" or "awaiting
//! material"; an approved amount is above zero and at most the assessed amount, and a lower
//! one says why; every save names the application's version the officer saw.

use super::*;
use crate::case_view::{PaymentLine, decision_text};
use app::case::Case;
use app::service::casework::{payment_plan, reviewed_program};
use store::{Check, ProgramDecision, ProgramReview};

/// A program under review, for its card on the application page.
pub struct ReviewCard {
    pub id: String,
    pub name: String,
    pub assessed: String,
    /// The assessed amount as a number, to fill the amount field.
    pub assessed_plain: String,
    /// The decision in words, once made.
    pub decided: Option<String>,
    pub conditions: Vec<ConditionView>,
    pub action: String,
    /// Checks and a decision can still be saved.
    pub open: bool,
    /// What the officer typed before a refusal (kept, never reset): decision, amount, reason.
    pub chosen: String,
    pub amount: String,
    pub reason: String,
    /// The refusal shown at its field (`decision`, `amount` or `reason`), when this card's form
    /// was refused.
    pub error: Option<(&'static str, String)>,
}

pub struct ConditionView {
    /// The form field of its check: `check:` and the condition's id (never shown).
    pub field: String,
    pub name: String,
    /// The materials that prove it, each with the files sent for it.
    pub materials: Vec<(String, Vec<(String, String)>)>,
    /// The check recorded (`verified`, `failed`, `pending`), or empty.
    pub check: &'static str,
    pub check_words: &'static str,
    /// What the condition asks, and what the applicant declared, in words (from the answers
    /// saved with the application; empty once they are erased).
    pub requirement: String,
    pub answer: String,
}

/// The application with this reference and its casework, as an officer's request reads
/// them (`None`: no such application).
pub async fn case_of_reference(
    s: &Signed,
    store: &store::Store,
    reference: &str,
) -> Result<Option<(store::Application, Case)>, AuthError> {
    let Some(app) = store
        .application(reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(None);
    };
    let case = Case::read(store, &app).await.map_err(|e| s.db_error(e))?;
    Ok(Some((app, case)))
}

/// The programs under review as cards for the application page.
/// Which field of a program's form a refusal is about, from its words.
pub fn refused_field(message: &str) -> &'static str {
    if message.contains("理由") || message.contains("reason") || message.contains("Reason") {
        "reason"
    } else if message.contains("金额") || message.contains("mount") {
        "amount"
    } else {
        "decision"
    }
}

/// Each program under review as a card; the one whose form was refused (`typed`: the form
/// sent and the refusal's words) keeps what the officer entered and shows the refusal at
/// its field.
pub fn review_cards(
    case: &Case,
    state: &AppState,
    app: &store::Application,
    typed: Option<(&CaseForm, &str)>,
    l: Lang,
) -> Vec<ReviewCard> {
    let loaded = state.snapshot();
    let stored = StoredResult::parse(&app.result);
    let open = app.summary.status.is_open();
    // The saved answers assessed again under their own date: each condition's declared value
    // and requirement, beside its check.
    let profile: serde_json::Value = serde_json::from_str(&app.profile).unwrap_or_default();
    let assessed = app::service::assess_value(&loaded.policy, &profile).ok();
    case.under_review
        .iter()
        .map(|p| {
            let name = program_name(stored.as_ref(), &p.program, l);
            let mine = typed.filter(|(f, _)| f.program == p.program);
            let outcome = assessed.as_ref().and_then(|a| {
                a.assessment
                    .programs
                    .iter()
                    .find(|o| *o.program.id == *p.program)
                    .map(|o| (o, &a.assessment.version.rules))
            });
            let reviewed =
                reviewed_program(&loaded.policy, &app.summary.policy_version, &p.program);
            let conditions = reviewed
                .map(|r| {
                    r.conditions
                        .iter()
                        .map(|(c, materials)| {
                            let check = match mine {
                                Some((f, _)) => Check::from_id(f.check(&c.id)),
                                None => case.check(&p.program, &c.id),
                            };
                            let said = outcome.and_then(|(o, rules)| {
                                let i = o.program.conditions.iter().position(|x| x.id == c.id)?;
                                Some(crate::result_view::condition_view(
                                    &o.program.conditions[i],
                                    o.conditions.get(i)?,
                                    rules,
                                    l,
                                ))
                            });
                            ConditionView {
                                requirement: said
                                    .as_ref()
                                    .map(|v| v.requirement.clone())
                                    .unwrap_or_default(),
                                answer: said.map(|v| v.value).unwrap_or_default(),
                                field: format!("check:{}", c.id),
                                name: l.t(&c.zh, &c.en).to_string(),
                                materials: materials
                                    .iter()
                                    .map(|m| {
                                        let files = case
                                            .files
                                            .iter()
                                            .filter(|f| f.material == *m.id)
                                            .map(|f| {
                                                (
                                                    format!(
                                                        "/officer/applications/{}/files/{}",
                                                        app.summary.reference, f.id
                                                    ),
                                                    f.file_name.clone(),
                                                )
                                            })
                                            .collect();
                                        (l.t(&m.zh, &m.en).to_string(), files)
                                    })
                                    .collect(),
                                check: check.map_or("", Check::id),
                                check_words: check.map_or("", |c| l.t(c.zh(), c.en())),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let decided = case.decision(&p.program).map(|d| decision_text(d, l));
            ReviewCard {
                chosen: mine.map(|(f, _)| f.decision.clone()).unwrap_or_default(),
                amount: mine.map_or_else(|| p.amount.to_string(), |(f, _)| f.amount.clone()),
                reason: mine.map(|(f, _)| f.reason.clone()).unwrap_or_default(),
                error: mine.map(|(_, e)| (refused_field(e), e.to_string())),
                id: p.program.clone(),
                assessed: view::yuan(&p.amount),
                assessed_plain: p.amount.to_string(),
                open: open && decided.is_none(),
                decided,
                conditions,
                action: format!(
                    "/officer/applications/{}/programs/{}",
                    app.summary.reference, p.program
                ),
                name,
            }
        })
        .collect()
}

/// The materials a request for more information can name: those proving the programs
/// under review; ticked are those typed before, or else those of conditions awaiting
/// material and those no file was sent for.
pub fn material_choices(
    case: &Case,
    state: &AppState,
    app: &store::Application,
    form: Option<&CaseForm>,
    l: Lang,
) -> Vec<(String, String, bool)> {
    let loaded = state.snapshot();
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for p in &case.under_review {
        let Some(r) = reviewed_program(&loaded.policy, &app.summary.policy_version, &p.program)
        else {
            continue;
        };
        for (c, materials) in &r.conditions {
            let pending = case.check(&p.program, &c.id) == Some(Check::Pending);
            for m in materials {
                let sent = case.files.iter().any(|f| f.material == *m.id);
                let ticked = match form {
                    Some(f) => f.missing.iter().any(|x| *x == *m.id),
                    None => pending || !sent,
                };
                match out.iter_mut().find(|(id, _, _)| *id == *m.id) {
                    Some(o) => o.2 |= ticked,
                    None => out.push((m.id.to_string(), l.t(&m.zh, &m.en).to_string(), ticked)),
                }
            }
        }
    }
    out
}

/// The payments planned for the application, as lines of the schedule.
pub fn payment_lines(case: &Case, app: &store::Application, l: Lang) -> Vec<PaymentLine> {
    let stored = StoredResult::parse(&app.result);
    case.payments
        .iter()
        .map(|p| PaymentLine::of(p, program_name(stored.as_ref(), &p.program, l), l))
        .collect()
}

fn program_name(stored: Option<&StoredResult>, id: &str, l: Lang) -> String {
    stored
        .and_then(|r| r.programs.iter().find(|p| p.id == id))
        .map_or_else(
            || l.t("其他项目", "Another program").to_string(),
            |p| l.t(&p.name_zh, &p.name_en).to_string(),
        )
}

/// The program's name in the current policy, for lists of payments.
pub fn policy_program_name(state: &AppState, id: &str, l: Lang) -> String {
    program_names(state, l)
        .into_iter()
        .find(|(p, _)| p == id)
        .map_or_else(
            || l.t("其他项目", "Another program").to_string(),
            |(_, n)| n,
        )
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("program" = String, Path, description = "The program's id")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, seen_version, check:CONDITION (verified, failed, pending) for each condition, decision (approve, refuse or empty), amount, reason"), responses((status = 303, description = "Saved: back to the application"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 404, description = "No such application or program under review"), (status = 409, description = "Someone saved meanwhile, or the application is closed", content_type = "text/html", body = String), (status = 422, description = "The amount or reason is not valid", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/programs/{program}")]
pub async fn review_program(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = reviewer_form(&s, &body)?;
    let (reference, program) = path.into_inner();
    let l = language(&req, None).lang;
    let store = s.store(&state)?;
    let Some((app, case)) = case_of_reference(&s, store, &reference).await? else {
        return Ok(no_application());
    };
    let Some(row) = case.under_review.iter().find(|p| p.program == program) else {
        return Ok(super::super::html::message(
            StatusCode::NOT_FOUND,
            "这份申请没有待审核的这个项目",
            "This application has no such program under review",
        ));
    };
    let loaded = state.snapshot();
    let reviewed = reviewed_program(&loaded.policy, &app.summary.policy_version, &program);
    let stored = StoredResult::parse(&app.result);
    let name_zh = program_name(stored.as_ref(), &program, Lang::Zh);
    let name_en = program_name(stored.as_ref(), &program, Lang::En);
    let mut checks = Vec::new();
    if let Some(r) = &reviewed {
        for (c, _) in &r.conditions {
            if let Some(check) = Check::from_id(form.check(&c.id)) {
                checks.push((c.id.to_string(), format!("{} / {}", c.zh, c.en), check));
            }
        }
    }
    let reason = form.reason.trim();
    let seen = form.seen();
    // The checks as they will be after this save.
    let open_checks = reviewed.as_ref().is_some_and(|r| {
        r.conditions.iter().any(|(c, _)| {
            let now = checks
                .iter()
                .find(|(id, _, _)| *id == *c.id)
                .map(|(_, _, k)| *k)
                .or_else(|| case.check(&program, &c.id));
            matches!(now, Some(Check::Failed | Check::Pending))
        })
    });
    let ruled = app::casework::program_decision(
        app::casework::ProgramState {
            assessed: row.amount,
            decided: case.decision(&program).is_some(),
            open: app.summary.status.is_open(),
            open_checks,
        },
        app::casework::ProgramRequest {
            decision: &form.decision,
            amount: rules::applicant::parse_money(&rules::input::normalize_money(&form.amount)),
            reason,
        },
    );
    // What the form says is checked first (an incomplete form, an unreadable reason), then
    // the rules.
    let form_problem = if seen.is_none() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(
                "表单不完整，请刷新页面后重试",
                "The form is incomplete: reload the page and try again",
            )
            .to_string(),
        ))
    } else {
        text_problem(reason, ("理由", "Reason"), l)
    };
    let mut decision = None;
    let problem = match ruled {
        Err(refused @ app::casework::Refused::Conflict(_)) => Some((
            StatusCode::CONFLICT,
            l.t(&refused.msg().zh, &refused.msg().en).to_string(),
        )),
        _ if form_problem.is_some() => form_problem,
        Err(refused) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(&refused.msg().zh, &refused.msg().en).to_string(),
        )),
        Ok(choice) => {
            decision = match choice {
                app::casework::ProgramChoice::Undecided => None,
                app::casework::ProgramChoice::Refuse => Some(ProgramDecision {
                    program: program.clone(),
                    approved: false,
                    amount: Decimal::ZERO,
                    assessed: row.amount,
                    reason: reason.to_string(),
                    payments: Vec::new(),
                }),
                app::casework::ProgramChoice::Approve(a) => Some(ProgramDecision {
                    program: program.clone(),
                    approved: true,
                    amount: a,
                    assessed: row.amount,
                    reason: reason.to_string(),
                    payments: payment_plan(
                        &loaded.policy,
                        &app.summary.policy_version,
                        &program,
                        a,
                    ),
                }),
            };
            None
        }
    };
    drop(loaded);
    let (Some(seen), None) = (seen, &problem) else {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    };
    let review = ProgramReview {
        program: program.clone(),
        program_name: format!("{name_zh} / {name_en}"),
        checks,
        decision,
    };
    let problem = match store
        .review_program(&reference, s.name(), seen, &review)
        .await
    {
        Ok(to) => {
            if review.decision.is_some() {
                state.metrics.decisions.inc();
            }
            tracing::info!(officer = %s.name(), reference = %reference, program = %program, status = to.id(), "program reviewed");
            return Ok(redirect(&format!(
                "/officer/applications/{reference}#p-{program}"
            )));
        }
        Err(DecideError::NotFound) => return Ok(no_application()),
        Err(DecideError::Changed(_)) => (
            StatusCode::CONFLICT,
            l.t(
                "此申请已被他人更新，请查看最新情况后再保存",
                "Someone else saved this application meanwhile: look at it again before saving",
            )
            .to_string(),
        ),
        Err(DecideError::NotAllowed(from, _)) => closed_problem(from, l),
        Err(DecideError::Store(e)) => return Err(s.db_error(e)),
        Err(e) => (StatusCode::CONFLICT, refusal_words(&e, l)),
    };
    application_page(&s, &req, &state, &reference, Some(problem), Some(&form)).await
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("file" = String, Path, description = "The file's id")), responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = String), (status = 403, description = "Not a reviewer"), (status = 404, description = "No such file for this application")))]
#[get("/officer/applications/{reference}/files/{file}")]
pub async fn application_file(
    s: Signed,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AuthError> {
    s.case_reader()?;
    let (reference, file) = path.into_inner();
    let store = s.store(&state)?;
    let Some(app) = store
        .application(&reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_application());
    };
    match store
        .upload(app.summary.id, &file)
        .await
        .map_err(|e| s.db_error(e))?
    {
        Some(u) => {
            let material = |l| crate::uploads::material_name(&state, &u.material, l);
            store
                .log_access(
                    s.officer(),
                    store::Access::Download,
                    Some((app.summary.id, &app.summary.reference)),
                    store::AccessDetail::words(material(Lang::Zh), material(Lang::En)),
                )
                .await
                .map_err(|e| s.db_error(e))?;
            tracing::info!(officer = %s.name(), reference = %reference, "file downloaded");
            Ok(crate::uploads::download(store, u))
        }
        None => Ok(super::super::html::message(
            StatusCode::NOT_FOUND,
            "没有找到这个文件",
            "No such file",
        )),
    }
}
