//! The procedure on a case's page (its step, when it is due, the timeline, what this officer
//! may do next) and the step form's handler. The rules are `app::procedure`'s; this reads the
//! form, asks them, hands the move to the store and says what happened.

use super::*;
use app::case::Case;
use app::procedure::{Asked, Officer, plan};

/// One line of a case's timeline.
pub struct TimelineRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub note: String,
}

/// An objection as the case's page shows it.
pub struct ObjectionView {
    pub id: i64,
    pub received: String,
    pub who: String,
    pub statement: String,
    /// The finding in words, once made.
    pub finding: Option<String>,
    /// Files the objector sent: (link, name).
    pub files: Vec<(String, String)>,
}

/// An approved program paid under a funding agreement, as the case's page shows it.
pub struct AgreementView {
    pub program: String,
    pub name: String,
    /// The agreement in words, once recorded (the account masked).
    pub recorded: Option<String>,
}

/// The procedure as a case's page shows it.
pub struct ProcedureView {
    pub step: String,
    pub step_id: &'static str,
    /// "决定期限 2026-12-30（还剩 12 个工作日）", if the step has one.
    pub due: Option<String>,
    pub overdue: bool,
    /// What this officer may do now: (action, label).
    pub actions: Vec<(&'static str, &'static str)>,
    /// Why this officer may not act at this step (四眼原则), when another may.
    pub barred: Option<String>,
    /// Who acts next, when not this officer.
    pub next: Option<String>,
    pub timeline: Vec<TimelineRow>,
    /// The notice the case is or was on.
    pub notice: Option<String>,
    pub objections: Vec<ObjectionView>,
    /// This officer may record findings (a reviewer).
    pub can_find: bool,
    /// Who handles the step (empty: nobody yet).
    pub handler: String,
    /// This officer may take it from the unassigned queue.
    pub can_take: bool,
    /// This officer may hand it over (its handler, or a leader).
    pub can_hand_over: bool,
    /// Approved programs paid under an agreement, once the decision is in force.
    pub agreements: Vec<AgreementView>,
    /// This officer may record agreements (a reviewer).
    pub can_record_agreement: bool,
}

/// What an action is called on its button.
fn action_label(a: Asked, l: Lang) -> &'static str {
    match a {
        Asked::Accept => l.t("受理", "Accept"),
        Asked::NotAccept => l.t("不予受理", "Do not accept"),
        Asked::Agree => l.t("复审同意", "Agree (second review)"),
        Asked::SendBack => l.t("退回初审", "Send back to the first review"),
        Asked::SignOff => l.t("审批同意", "Sign off"),
        Asked::ReturnToSecondReview => l.t("退回复审", "Return to the second review"),
        Asked::Reopen => l.t("重新审核（退回复审）", "Reopen (back to the second review)"),
    }
}

const ACTIONS: [(&str, Asked); 7] = [
    ("accept", Asked::Accept),
    ("not_accept", Asked::NotAccept),
    ("agree", Asked::Agree),
    ("send_back", Asked::SendBack),
    ("sign_off", Asked::SignOff),
    ("return", Asked::ReturnToSecondReview),
    ("reopen", Asked::Reopen),
];

/// What a timeline entry's action was, in words.
fn event_words(action: &str, l: Lang) -> &'static str {
    match action {
        "accept" => l.t("受理", "Accepted"),
        "not_accept" => l.t("不予受理", "Not accepted"),
        "proposed" => l.t(
            "初审完成，提交复审",
            "First review done, sent to the second review",
        ),
        "agree" => l.t("复审同意", "Second review agreed"),
        "send_back" => l.t("复审退回初审", "Second review sent it back"),
        "sign_off" => l.t("审批同意", "Signed off"),
        "return" => l.t("审批退回复审", "Returned to the second review"),
        "reopen" => l.t("重新审核", "Reopened"),
        "publish" => l.t("列入公示", "Put on public notice"),
        "cleared" => l.t("公示期满无异议", "Notice passed with no objection upheld"),
        "pause" => l.t("要求补正，计时暂停", "More asked for: the clock stops"),
        "resume" => l.t(
            "申请人补正，计时恢复",
            "The applicant replied: the clock runs again",
        ),
        "withdrawn" => l.t("申请人撤回", "Withdrawn by the applicant"),
        "objection_upheld" => l.t("异议成立，撤下公示", "Objection upheld: off the notice"),
        "objection_dismissed" => l.t("异议不成立", "Objection dismissed"),
        "take" => l.t("接手办理", "Taken"),
        "hand_over" => l.t("移交", "Handed over"),
        "assign" => l.t("分配经办人", "Assigned"),
        _ => l.t("办理", "Step taken"),
    }
}

pub fn step_words(step: store::CaseStep, l: Lang) -> &'static str {
    l.t(step.zh(), step.en())
}

/// Who an actor is, in words.
pub fn actor_words(actor: &str, l: Lang) -> String {
    match actor {
        store::APPLICANT_ACTOR => l.t("申请人", "applicant").into(),
        store::SYSTEM_ACTOR => l.t("系统（按日历）", "system (by the calendar)").into(),
        a => a.to_string(),
    }
}

/// A deadline in words, and whether it has passed.
pub fn due_words(due: &app::procedure::Due, l: Lang) -> (String, bool) {
    use rules::procedure::StepId;
    let what = match due.what {
        StepId::Accept => l.t("受理期限", "Accept by"),
        StepId::Notice => l.t("公示截止", "Notice ends"),
        _ => l.t("决定期限", "Decide by"),
    };
    let left = match due.left {
        n if n < 0 => l
            .t("已超期 {} 个工作日", "{} working day(s) overdue")
            .replace("{}", &(-n).to_string()),
        0 => l.t("今天到期", "due today").into(),
        n => l
            .t("还剩 {} 个工作日", "{} working day(s) left")
            .replace("{}", &n.to_string()),
    };
    let paused = if due.paused {
        l.t(
            "；补正中，计时暂停",
            "; waiting for the applicant, the clock is stopped",
        )
    } else {
        ""
    };
    (
        format!(
            "{what} {}{}{left}{paused}{}",
            due.on,
            l.t("（", " ("),
            l.t("）", ")")
        ),
        due.left < 0,
    )
}

/// The procedure of a case as `s` sees it.
pub fn procedure_view(
    s: &Signed,
    state: &AppState,
    app: &store::Application,
    case: &Case,
    l: Lang,
) -> ProcedureView {
    let snapshot = state.snapshot();
    let procedure = &snapshot.policy.procedure;
    let a = &app.summary;
    let facts = case.facts(a);
    let me = Officer {
        name: s.name(),
        role: s.role(),
    };
    let mut actions = Vec::new();
    let mut barred = None;
    let mut next = None;
    for (id, asked) in ACTIONS {
        match plan(procedure, &facts, me, asked, "-") {
            Ok(_) => actions.push((id, action_label(asked, l))),
            Err(app::casework::Refused::Conflict(m)) => {
                if m.en.starts_with("Four eyes") {
                    barred = Some(m.t(l).to_string());
                } else if m.en.contains(" is taken by ") {
                    next = Some(m.t(l).to_string());
                }
            }
            Err(_) => {}
        }
    }
    if !actions.is_empty() {
        next = None;
    }
    let due = case.due(a, &snapshot.policy, crate::http::today());
    let (due, overdue) = match due.map(|d| due_words(&d, l)) {
        Some((w, o)) => (Some(w), o),
        None => (None, false),
    };
    ProcedureView {
        step: step_words(a.step, l).into(),
        step_id: a.step.id(),
        due,
        overdue,
        actions,
        barred,
        next,
        timeline: case
            .events
            .iter()
            .map(|e| TimelineRow {
                when: view::short_time(&e.at),
                who: actor_words(&e.actor, l),
                what: if e.from == e.to {
                    event_words(&e.action, l).into()
                } else {
                    format!("{} → {}", event_words(&e.action, l), step_words(e.to, l))
                },
                note: e.note.clone(),
            })
            .collect(),
        can_find: s.role() == Role::Reviewer,
        can_record_agreement: s.role() == Role::Reviewer,
        agreements: if a.step == store::CaseStep::InForce {
            case.decisions
                .iter()
                .filter(|d| d.approved)
                .filter(|d| {
                    app::service::casework::paid_under_agreement(
                        &snapshot.policy,
                        &a.policy_version,
                        &d.program,
                    )
                })
                .map(|d| AgreementView {
                    program: d.program.clone(),
                    name: super::casework::policy_program_name(state, &d.program, l),
                    recorded: case
                        .agreements
                        .iter()
                        .find(|g| g.program == d.program)
                        .map(|g| {
                            format!(
                                "{} {} · {} · {} · {}",
                                l.t("签订于", "Signed on"),
                                g.signed_on,
                                g.bank_name,
                                g.account_masked(),
                                g.recorded_by
                            )
                        }),
                })
                .collect()
        } else {
            Vec::new()
        },
        handler: a.handler.clone().unwrap_or_default(),
        can_take: a.handler.is_none() && app::procedure::may_handle(procedure, &facts, me).is_ok(),
        can_hand_over: app::procedure::handled_step(a.step).is_some()
            && (a.handler.as_deref() == Some(s.name()) || s.role() == Role::Approver),
        objections: case
            .objections
            .iter()
            .map(|o| ObjectionView {
                id: o.id,
                received: view::short_time(&o.received_at),
                who: format!("{} · {}", o.objector_name, o.objector_phone),
                statement: o.statement.clone(),
                files: case
                    .objection_files
                    .iter()
                    .filter(|(oid, _)| *oid == o.id)
                    .map(|(_, f)| {
                        (
                            format!(
                                "/officer/applications/{}/objections/{}/files/{}",
                                a.reference, o.id, f.id
                            ),
                            f.file_name.clone(),
                        )
                    })
                    .collect(),
                finding: o.upheld.map(|u| {
                    format!(
                        "{}{}{}{}",
                        if u {
                            l.t("异议成立", "Upheld")
                        } else {
                            l.t("异议不成立", "Dismissed")
                        },
                        l.t("（", " ("),
                        o.found_by.clone().unwrap_or_default(),
                        l.t("）", ")")
                    ) + &if o.finding_note.is_empty() {
                        String::new()
                    } else {
                        format!("{}{}", l.colon(), o.finding_note)
                    }
                }),
            })
            .collect(),
        notice: case.notice.as_ref().map(|n| {
            format!(
                "{} {} {} {}",
                l.t("公示期", "Public notice"),
                n.first_day,
                l.t("至", "to"),
                n.last_day
            )
        }),
    }
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, seen_version, action (accept, not_accept, agree, send_back, sign_off, return), reason"), responses((status = 303, description = "Done: back to the application"), (status = 403, description = "Not a reviewer or approver, or no CSRF token"), (status = 404, description = "No such application"), (status = 409, description = "Another step, another officer, or four eyes", content_type = "text/html", body = String), (status = 422, description = "A reason is needed", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/step")]
pub async fn take_step(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = case_form(&s, &body)?;
    let l = language(&req, None).lang;
    let note = form.reason.trim();
    let asked = ACTIONS
        .iter()
        .find(|(id, _)| *id == form.action)
        .map(|(_, a)| *a);
    let seen = form.seen();
    let problem = match (asked, seen) {
        (None, _) | (_, None) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(
                "表单不完整，请刷新页面后重试",
                "The form is incomplete: reload the page and try again",
            )
            .to_string(),
        )),
        _ => text_problem(note, ("理由", "Reason"), l),
    };
    let (Some(asked), Some(seen), None) = (asked, seen, &problem) else {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    };
    let store = s.store(&state)?;
    let Some((app, case)) = casework::case_of_reference(&s, store, &reference).await? else {
        return Ok(no_application());
    };
    let procedure = state.snapshot().policy.procedure.clone();
    let me = Officer {
        name: s.name(),
        role: s.role(),
    };
    let planned = match plan(&procedure, &case.facts(&app.summary), me, asked, note) {
        Ok(p) => p,
        Err(r) => {
            let status = match r {
                app::casework::Refused::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                app::casework::Refused::Conflict(_) => StatusCode::CONFLICT,
            };
            let problem = Some((status, r.msg().t(l).to_string()));
            return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
        }
    };
    let done = store
        .advance(&store::Move {
            reference: &reference,
            seen_version: seen,
            from: planned.from,
            to: planned.to,
            actor: s.name(),
            action: planned.action,
            note,
            signs: planned.signs,
            back_to_first_review: planned.back_to_first_review,
            reopen: planned.reopen,
            status: planned.status,
            day: crate::http::today(),
        })
        .await;
    let problem = match done {
        Ok(()) => {
            tracing::info!(officer = %s.name(), reference = %reference, action = planned.action, "procedure step taken");
            crate::letters::after_step(&state, store, &reference).await;
            return Ok(redirect(&format!("/officer/applications/{reference}")));
        }
        Err(DecideError::NotFound) => return Ok(no_application()),
        Err(DecideError::Store(e)) => return Err(s.db_error(e)),
        Err(e) => (StatusCode::CONFLICT, refusal_words(&e, l)),
    };
    application_page(&s, &req, &state, &reference, Some(problem), Some(&form)).await
}

/// What a refused move tells the officer.
pub fn refusal_words(e: &DecideError, l: Lang) -> String {
    match e {
        DecideError::Changed(_) => l
            .t(
                "此申请已被他人处理，请查看最新情况后再办理",
                "Someone else acted on this meanwhile: look at it again before you act",
            )
            .into(),
        DecideError::Step(now) => format!(
            "{}{}",
            l.t("本案已处于其他环节：", "The case is at another step now: "),
            step_words(*now, l)
        ),
        DecideError::SameOfficer => l
            .t(
                "四眼原则：同一工作人员不能办理本案同一轮的两个审核环节",
                "Four eyes: one officer cannot take two review steps of the same round",
            )
            .into(),
        DecideError::Taken(by) => format!(
            "{}{by}{}",
            l.t("此环节已由 ", "This step is being handled by "),
            l.t(" 办理", "")
        ),
        DecideError::NotAllowed(from, _) => closed_problem(*from, l).1,
        DecideError::NotFound | DecideError::Store(_) => {
            l.t("无法办理", "It cannot be done").into()
        }
    }
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("program" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, signed_on (YYYY-MM-DD), bank, account"), responses((status = 303, description = "Recorded: back to the application"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 409, description = "Recorded already, or the decision not in force", content_type = "text/html", body = String), (status = 422, description = "A field is not valid", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/agreements/{program}")]
pub async fn record_agreement(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let (reference, program) = path.into_inner();
    let form = reviewer_form(&s, &body)?;
    let l = language(&req, None).lang;
    let store = s.store(&state)?;
    let Some((app, _)) = casework::case_of_reference(&s, store, &reference).await? else {
        return Ok(no_application());
    };
    if app.summary.step != store::CaseStep::InForce {
        let problem = Some((
            StatusCode::CONFLICT,
            l.t(
                "决定生效（公示期满无异议）后才能登记资助协议",
                "An agreement is recorded once the decision is in force (after the public notice)",
            )
            .to_string(),
        ));
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    }
    let day = match app::procedure::agreement_problems(
        &form.signed_on,
        &form.bank,
        &form.account,
        crate::http::today(),
    ) {
        Ok(d) => d,
        Err(problems) => {
            let words: Vec<&str> = problems.iter().map(|m| m.t(l)).collect();
            let problem = Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                words.join(l.t("；", "; ")),
            ));
            return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
        }
    };
    let account: String = form.account.chars().filter(char::is_ascii_digit).collect();
    let done = store
        .record_agreement(
            app.summary.id,
            &program,
            day,
            form.bank.trim(),
            &account,
            s.name(),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    if !done {
        let problem = Some((
            StatusCode::CONFLICT,
            l.t(
                "此项目的资助协议已登记，或该项目未获批准",
                "This program's agreement is recorded already, or the program is not approved",
            )
            .to_string(),
        ));
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    }
    tracing::info!(officer = %s.name(), reference = %reference, program = %program, "agreement recorded");
    Ok(redirect(&format!("/officer/applications/{reference}")))
}
