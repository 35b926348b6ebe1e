//! Who handles a case (经办人): take it from the unassigned queue, hand it over with a reason,
//! or assign cases in bulk from the list. The rule of who may handle a step is
//! `app::procedure::may_handle`; the store makes a take or a hand-over one conditional update.

use super::*;
use app::procedure::{Officer, may_handle};

/// Whether the named account may be given the case's current step: an enabled account whose
/// role and signatures allow it.
async fn may_be_given(
    s: &Signed,
    state: &AppState,
    app: &store::Application,
    case: &app::case::Case,
    name: &str,
    l: Lang,
) -> Result<Result<(), String>, AuthError> {
    let store = s.store(state)?;
    let Some(o) = store
        .officer_by_name(name.trim())
        .await
        .map_err(|e| s.db_error(e))?
        .filter(|o| !o.disabled)
    else {
        return Ok(Err(l
            .t(
                "经办人：没有这个工作人员账号",
                "Handler: no such officer account",
            )
            .into()));
    };
    let procedure = &state.snapshot().policy.procedure;
    let given = Officer {
        name: &o.name,
        role: o.role,
    };
    Ok(may_handle(procedure, &case.facts(&app.summary), given).map_err(|r| r.msg().t(l).into()))
}

fn handler_refusal(e: DecideError, l: Lang) -> (StatusCode, String) {
    match e {
        DecideError::Taken(by) if !by.is_empty() => (
            StatusCode::CONFLICT,
            format!(
                "{}{by}{}",
                l.t("此案已由 ", "This case is handled by "),
                l.t(" 经办", " already")
            ),
        ),
        other => (StatusCode::CONFLICT, refusal_words(&other, l)),
    }
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "Taken: back to the application"), (status = 403, description = "Not a reviewer or approver, or no CSRF token"), (status = 409, description = "Someone else took it, or this officer may not handle the step", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/take")]
pub async fn take_case(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    case_form(&s, &body)?;
    let l = language(&req, None).lang;
    let store = s.store(&state)?;
    let Some((app, case)) = casework::case_of_reference(&s, store, &reference).await? else {
        return Ok(no_application());
    };
    let me = Officer {
        name: s.name(),
        role: s.role(),
    };
    let procedure = state.snapshot().policy.procedure.clone();
    if let Err(r) = may_handle(&procedure, &case.facts(&app.summary), me) {
        let problem = Some((StatusCode::CONFLICT, r.msg().t(l).to_string()));
        return application_page(&s, &req, &state, &reference, problem, None).await;
    }
    match store
        .take_case(&reference, app.summary.step, s.name())
        .await
    {
        Ok(()) => Ok(redirect(&format!("/officer/applications/{reference}"))),
        Err(DecideError::NotFound) => Ok(no_application()),
        Err(DecideError::Store(e)) => Err(s.db_error(e)),
        Err(e) => {
            let problem = Some(handler_refusal(e, l));
            application_page(&s, &req, &state, &reference, problem, None).await
        }
    }
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path)), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, to (an officer's account name), handover_reason"), responses((status = 303, description = "Handed over: back to the application"), (status = 403, description = "Not a reviewer or approver, or no CSRF token"), (status = 409, description = "Not this officer's case to hand over, or it moved on", content_type = "text/html", body = String), (status = 422, description = "No such officer, one who may not handle the step, or no reason", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/hand-over")]
pub async fn hand_over(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = case_form(&s, &body)?;
    let l = language(&req, None).lang;
    let to = form.to.trim().to_string();
    let reason = form.handover_reason.trim().to_string();
    let store = s.store(&state)?;
    let Some((app, case)) = casework::case_of_reference(&s, store, &reference).await? else {
        return Ok(no_application());
    };
    let invalid = |m: String| Some((StatusCode::UNPROCESSABLE_ENTITY, m));
    let mut problem = if reason.is_empty() {
        invalid(
            l.t(
                "移交理由：请写明为何移交",
                "Reason: say why it is handed over",
            )
            .into(),
        )
    } else {
        text_problem(&reason, ("移交理由", "Reason"), l)
    };
    if problem.is_none()
        && let Err(m) = may_be_given(&s, &state, &app, &case, &to, l).await?
    {
        problem = invalid(m);
    }
    // The handler hands over their own case; a leader may hand over anyone's.
    let from = if s.role() == Role::Approver {
        None
    } else {
        Some(s.name())
    };
    if problem.is_none() && from.is_some() && app.summary.handler.as_deref() != from {
        problem = Some((
            StatusCode::CONFLICT,
            l.t(
                "只有本案经办人或分管领导可以移交",
                "Only the case's handler or a leader hands it over",
            )
            .into(),
        ));
    }
    if problem.is_some() {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    }
    match store
        .hand_over(&reference, app.summary.step, from, &to, s.name(), &reason)
        .await
    {
        Ok(()) => Ok(redirect(&format!("/officer/applications/{reference}"))),
        Err(DecideError::NotFound) => Ok(no_application()),
        Err(DecideError::Store(e)) => Err(s.db_error(e)),
        Err(e) => {
            let problem = Some(handler_refusal(e, l));
            application_page(&s, &req, &state, &reference, problem, Some(&form)).await
        }
    }
}

#[utoipa::path(tag = "officers", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, to (an officer's account name), case (a reference, repeated), back"), responses((status = 200, description = "What was assigned and what was not, with why", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer or approver, or no CSRF token")))]
#[post("/officer/applications/assign")]
pub async fn assign(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = case_form(&s, &body)?;
    let l = language(&req, None).lang;
    let to = form.to.trim().to_string();
    let store = s.store(&state)?;
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for reference in form.case.iter().take(200) {
        let Some((app, case)) = casework::case_of_reference(&s, store, reference).await? else {
            continue;
        };
        if let Err(m) = may_be_given(&s, &state, &app, &case, &to, l).await? {
            refused.push(format!("{reference}{}{m}", l.colon()));
            continue;
        }
        match store
            .assign_case(reference, app.summary.step, &to, s.name())
            .await
        {
            Ok(()) => done.push(reference.clone()),
            Err(DecideError::Store(e)) => return Err(s.db_error(e)),
            Err(e) => refused.push(format!(
                "{reference}{}{}",
                l.colon(),
                handler_refusal(e, l).1
            )),
        }
    }
    let zh = format!(
        "已分配给 {to}：{} 件{}",
        done.len(),
        if refused.is_empty() {
            String::new()
        } else {
            format!("；未分配：{}", refused.join("；"))
        }
    );
    let en = format!(
        "Assigned to {to}: {}{}",
        done.len(),
        if refused.is_empty() {
            String::new()
        } else {
            format!("; not assigned: {}", refused.join("; "))
        }
    );
    Ok(super::super::html::message(StatusCode::OK, &zh, &en))
}
