//! The payment schedule approvals make: `/officer/payments` (filtered by status, program
//! and month, with a summary by month), its CSV, and marking a payment paid (dated no later
//! than today and no earlier than its approval).

use super::casework::policy_program_name;
use super::*;
use crate::case_view::PaymentLine;
use store::PaymentFilter;

/// The payments list's query, read.
struct PaymentQuery {
    filter: PaymentFilter,
    due_before: String,
    program: String,
    state: String,
    errors: Vec<String>,
}

fn read_payment_query(q: &FormValues, state: &AppState, l: Lang) -> PaymentQuery {
    let mut out = PaymentQuery {
        filter: PaymentFilter::default(),
        due_before: q.get("due_before").trim().chars().take(20).collect(),
        program: q.get("program").chars().take(60).collect(),
        state: q.get("state").chars().take(20).collect(),
        errors: Vec::new(),
    };
    if !out.due_before.is_empty() {
        match rules::applicant::parse_date(&out.due_before) {
            Some(d) => out.filter.due_before = Some(d),
            None => out.errors.push(
                l.t("到期日：应为 YYYY-MM-DD", "Due by: a date as YYYY-MM-DD")
                    .into(),
            ),
        }
    }
    if !out.program.is_empty() {
        if program_names(state, l)
            .iter()
            .any(|(id, _)| *id == out.program)
        {
            out.filter.program = Some(out.program.clone());
        } else {
            out.errors
                .push(l.t("项目：无此项目", "Program: no such program").into());
        }
    }
    match out.state.as_str() {
        "" => {}
        "to_pay" => out.filter.paid = Some(false),
        "paid" => out.filter.paid = Some(true),
        _ => out.errors.push(
            l.t("拨付状态：无此选项", "Payment status: no such choice")
                .into(),
        ),
    }
    out
}

/// One line of the summary by month and program.
pub struct MonthLine {
    pub month: String,
    pub program: String,
    pub count: usize,
    pub to_pay: String,
    pub paid: String,
}

#[derive(Template)]
#[template(path = "officer/payments.html")]
pub struct PaymentsPage {
    pub lang: Lang,
    pub nav: Nav,
    pub due_before: String,
    pub program: String,
    pub state: String,
    pub programs: Vec<(String, String)>,
    pub errors: Vec<String>,
    pub rows: Vec<PaymentLine>,
    pub months: Vec<MonthLine>,
    pub total_to_pay: String,
    pub total_paid: String,
    pub export: String,
    pub today: String,
    pub back: String,
}

fn payment_query_string(p: &PaymentQuery) -> String {
    serde_html_form::to_string([
        ("due_before", p.due_before.as_str()),
        ("program", p.program.as_str()),
        ("state", p.state.as_str()),
    ])
    .unwrap_or_default()
}

#[utoipa::path(tag = "officers", params(("due_before" = Option<String>, Query, description = "Due on or before (YYYY-MM-DD)"), ("program" = Option<String>, Query), ("state" = Option<String>, Query, description = "to_pay or paid")), responses((status = 200, description = "The payment schedule with a summary by month and program", content_type = "text/html", body = String), (status = 400, description = "A filter value is not understood", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer")))]
#[get("/officer/payments")]
pub async fn payments(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.payments_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let q = read_payment_query(&FormValues::parse(req.query_string().as_bytes()), &state, l);
    let found = if q.errors.is_empty() {
        let store = s.store(&state)?;
        let found = store.payments(&q.filter).await.map_err(|e| s.db_error(e))?;
        // The schedule names payees: every view is in the access log, with how many it showed.
        store
            .log_access(
                s.officer(),
                store::Access::Payments,
                None,
                store::AccessDetail::default().items(found.len()),
            )
            .await
            .map_err(|e| s.db_error(e))?;
        found
    } else {
        Vec::new()
    };
    let name = |id: &str| policy_program_name(&state, id, l);
    let mut months: Vec<MonthLine> = Vec::new();
    let mut sums: Vec<(String, String, usize, Decimal, Decimal)> = Vec::new();
    let (mut to_pay, mut paid) = (Decimal::ZERO, Decimal::ZERO);
    for p in &found {
        let month = p.due_on.as_deref().map_or_else(
            || l.t("待触发", "On trigger").to_string(),
            |d| d[..7.min(d.len())].to_string(),
        );
        let at = match sums
            .iter()
            .position(|(m, pr, ..)| *m == month && *pr == p.program)
        {
            Some(i) => i,
            None => {
                sums.push((month, p.program.clone(), 0, Decimal::ZERO, Decimal::ZERO));
                sums.len() - 1
            }
        };
        sums[at].2 += 1;
        if p.paid {
            sums[at].4 += p.amount;
            paid += p.amount;
        } else {
            sums[at].3 += p.amount;
            to_pay += p.amount;
        }
    }
    for (month, program, count, tp, pd) in sums {
        months.push(MonthLine {
            month,
            program: name(&program),
            count,
            to_pay: view::yuan(&tp),
            paid: view::yuan(&pd),
        });
    }
    let qs = payment_query_string(&q);
    let status = if q.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(page(
        &PaymentsPage {
            lang: l,
            nav: nav(&s),
            programs: program_names(&state, l),
            rows: found
                .iter()
                .map(|p| PaymentLine::of(p, name(&p.program), l))
                .collect(),
            months,
            total_to_pay: view::yuan(&to_pay),
            total_paid: view::yuan(&paid),
            export: format!("/officer/payments.csv?{qs}"),
            back: format!("/officer/payments?{qs}"),
            today: crate::http::today().to_string(),
            due_before: q.due_before,
            program: q.program,
            state: q.state,
            errors: q.errors,
        },
        status,
        lang,
    ))
}

#[utoipa::path(tag = "officers", params(("due_before" = Option<String>, Query), ("program" = Option<String>, Query), ("state" = Option<String>, Query)), responses((status = 200, description = "The payment schedule as CSV (UTF-8 with BOM) for the finance office", content_type = "text/csv", body = String), (status = 400, description = "A filter value is not understood", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer")))]
#[get("/officer/payments.csv")]
pub async fn payments_csv(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.payments_reader()?;
    let l = language(&req, None).lang;
    let q = read_payment_query(&FormValues::parse(req.query_string().as_bytes()), &state, l);
    if let Some(e) = q.errors.first() {
        return Ok(super::super::html::message(StatusCode::BAD_REQUEST, e, e));
    }
    let store = s.store(&state)?;
    let found = store.payments(&q.filter).await.map_err(|e| s.db_error(e))?;
    store
        .log_access(
            s.officer(),
            store::Access::PaymentsExport,
            None,
            store::AccessDetail::default().items(found.len()),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let mut sheet = app::spreadsheet::Sheet::new();
    sheet.row([
        l.t("申请编号", "Reference"),
        l.t("姓名", "Name"),
        l.t("项目", "Program"),
        l.t("期次", "Installment"),
        l.t("拨付条件", "Trigger"),
        l.t("到期日", "Due"),
        l.t("金额（元）", "Amount (yuan)"),
        l.t("状态", "Status"),
        l.t("拨付日期", "Paid on"),
        l.t("经办人", "Paid by"),
        l.t("收款银行", "Payee's bank"),
        l.t("收款账户", "Payee's account"),
    ]);
    for p in &found {
        sheet.row([
            p.reference.clone(),
            p.applicant_name.clone(),
            policy_program_name(&state, &p.program, l),
            p.seq.to_string(),
            l.t(&p.trigger_zh, &p.trigger_en).to_string(),
            crate::case_view::due_words(p, l),
            p.amount.to_string(),
            crate::case_view::paid_words(p, l).to_string(),
            p.paid_on.clone().unwrap_or_default(),
            p.paid_by.clone().unwrap_or_default(),
            p.payee_bank.clone().unwrap_or_default(),
            p.payee_account.clone().unwrap_or_default(),
        ]);
    }
    Ok(super::applications::csv_response(
        sheet.finish().into_bytes(),
        "payments.csv",
    ))
}

/// A payment asked to be registered, shown once more before it is.
#[derive(Template)]
#[template(path = "officer/confirm_payment.html")]
pub struct ConfirmPaymentPage {
    pub lang: Lang,
    pub nav: Nav,
    /// The payee's bank and whole account, from the agreement (empty when none is needed).
    pub payee: String,
    pub id: i64,
    pub line: PaymentLine,
    pub seq: i64,
    pub paid_on: String,
    pub back: String,
}

/// A payment's form: registering it paid (`paid_on`, `confirm`), its trigger's date (`on`), or
/// reversing it (`reason`); each returns to `back`.
struct PaymentForm {
    csrf: String,
    paid_on: String,
    confirm: String,
    on: String,
    reason: String,
    back: String,
}

impl PaymentForm {
    fn read(body: &[u8]) -> PaymentForm {
        let v = FormValues::parse(body);
        let text = |name: &str| v.get(name).to_string();
        PaymentForm {
            csrf: text("csrf"),
            paid_on: text("paid_on"),
            confirm: text("confirm"),
            on: text("on"),
            reason: text("reason"),
            back: text("back"),
        }
    }
}

/// The list a payment form returns to: a payments list, or the list itself.
fn back_to(form: &PaymentForm) -> &str {
    let back = form.back.as_str();
    if back.starts_with("/officer/payments") && !back.contains("//") {
        back
    } else {
        "/officer/payments"
    }
}

/// A refusal as a page.
fn refused_page(r: &app::casework::Refused) -> HttpResponse {
    let status = match r {
        app::casework::Refused::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        app::casework::Refused::Conflict(_) => StatusCode::CONFLICT,
    };
    super::super::html::message(status, &r.msg().zh, &r.msg().en)
}

#[utoipa::path(tag = "officers", params(("id" = i64, Path, description = "The payment")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, paid_on (YYYY-MM-DD), back (the list to return to), confirm (`yes` once the officer has seen the confirmation)"), responses((status = 200, description = "The payment to confirm: amount, payee, installment", content_type = "text/html", body = String), (status = 303, description = "Recorded: back to the list"), (status = 403, description = "Not finance, or no CSRF token"), (status = 409, description = "Not payable: the decision not in force, an undated trigger, an officer who approved, or paid already", content_type = "text/html", body = String), (status = 422, description = "The date is not valid", content_type = "text/html", body = String)))]
#[post("/officer/payments/{id}/paid")]
pub async fn mark_paid(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = PaymentForm::read(&body);
    s.check_csrf(&form.csrf)?;
    s.payments_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let on = match app::casework::payment_date(&form.paid_on, crate::http::today()) {
        Ok(on) => on,
        Err(refused) => return Ok(refused_page(&refused)),
    };
    let store = s.store(&state)?;
    let Some(p) = store.payment(*id).await.map_err(|e| s.db_error(e))? else {
        return Ok(super::super::html::message(
            StatusCode::NOT_FOUND,
            "没有这笔款项",
            "No such payment",
        ));
    };
    let Some((app, case)) = casework::case_of_reference(&s, store, &p.reference).await? else {
        return Ok(no_application());
    };
    let procedure = state.snapshot().policy.procedure.clone();
    let me = app::procedure::Officer {
        name: s.name(),
        role: s.role(),
    };
    if let Err(r) = app::procedure::may_pay(
        &procedure,
        &case.facts(&app.summary),
        me,
        p.due_on.is_some(),
    ) {
        return Ok(refused_page(&r));
    }
    // A program paid under an agreement is paid to the account recorded with it.
    let agreement = case.agreements.iter().find(|a| a.program == p.program);
    let needs_agreement = app::service::casework::paid_under_agreement(
        &state.snapshot().policy,
        &app.summary.policy_version,
        &p.program,
    );
    if needs_agreement && agreement.is_none() {
        return Ok(super::super::html::message(
            StatusCode::CONFLICT,
            "此项目须先登记资助协议及收款账户，才能拨付",
            "Record this program's funding agreement and the payee's account before paying it",
        ));
    }
    if p.paid {
        return Ok(super::super::html::message(
            StatusCode::CONFLICT,
            "这笔款项已登记拨付",
            "This payment is recorded as paid already",
        ));
    }
    if form.confirm != "yes" {
        return Ok(page(
            &ConfirmPaymentPage {
                lang: l,
                nav: nav(&s),
                payee: agreement
                    .map(|a| format!("{} · {}", a.bank_name, a.account))
                    .unwrap_or_default(),
                id: p.id,
                line: PaymentLine::of(&p, policy_program_name(&state, &p.program, l), l),
                seq: p.seq,
                paid_on: on.to_string(),
                back: back_to(&form).to_string(),
            },
            StatusCode::OK,
            lang,
        ));
    }
    let done = store
        .mark_paid(*id, s.name(), on)
        .await
        .map_err(|e| s.db_error(e))?;
    if !done {
        return Ok(super::super::html::message(
            StatusCode::CONFLICT,
            "没有这笔待拨付的款项（可能已由他人登记拨付），或拨付日期早于批准日期",
            "No such payment waiting (someone may have recorded it already), or the date is before the approval",
        ));
    }
    tracing::info!(officer = %s.name(), payment = *id, "payment recorded");
    crate::letters::after_step(&state, store, &p.reference).await;
    Ok(redirect(back_to(&form)))
}

#[utoipa::path(tag = "officers", params(("id" = i64, Path, description = "The payment")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, on (YYYY-MM-DD: the day its trigger happened), back"), responses((status = 303, description = "Recorded: back to the list"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 409, description = "No such payment waiting for its trigger", content_type = "text/html", body = String), (status = 422, description = "The date is not valid", content_type = "text/html", body = String)))]
#[post("/officer/payments/{id}/trigger")]
pub async fn record_trigger(
    s: Signed,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    reviewer_form(&s, &body)?;
    let form = PaymentForm::read(&body);
    let on = match app::casework::payment_date(&form.on, crate::http::today()) {
        Ok(on) => on,
        Err(refused) => return Ok(refused_page(&refused)),
    };
    let done = s
        .store(&state)?
        .record_trigger(*id, s.name(), on)
        .await
        .map_err(|e| s.db_error(e))?;
    if !done {
        return Ok(super::super::html::message(
            StatusCode::CONFLICT,
            "没有这笔待登记条件达成日期的款项",
            "No such payment waiting for its trigger's date",
        ));
    }
    tracing::info!(officer = %s.name(), payment = *id, "trigger recorded");
    Ok(redirect(back_to(&form)))
}

#[utoipa::path(tag = "officers", params(("id" = i64, Path, description = "The payment")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, reason, back"), responses((status = 303, description = "Reversed: back to the list"), (status = 403, description = "Not finance, or no CSRF token"), (status = 409, description = "Not paid, or registered by this officer (a second finance officer reverses)", content_type = "text/html", body = String), (status = 422, description = "No reason", content_type = "text/html", body = String)))]
#[post("/officer/payments/{id}/reverse")]
pub async fn reverse_payment(
    s: Signed,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = PaymentForm::read(&body);
    s.check_csrf(&form.csrf)?;
    if s.role() != Role::Finance {
        return Err(AuthError::Forbidden { api: s.api() });
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > NOTE_LIMIT {
        return Ok(super::super::html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "冲正理由：请写明登记错误的原因（最多 2000 字）",
            "Reason: say why the registration was wrong (at most 2000 characters)",
        ));
    }
    let done = s
        .store(&state)?
        .reverse_payment(*id, s.name(), reason)
        .await
        .map_err(|e| s.db_error(e))?;
    if !done {
        return Ok(super::super::html::message(
            StatusCode::CONFLICT,
            "这笔款项未登记拨付，或由您本人登记：冲正须由另一名财务人员办理",
            "This payment is not recorded as paid, or you recorded it: another finance officer reverses it",
        ));
    }
    tracing::info!(officer = %s.name(), payment = *id, "payment reversed");
    Ok(redirect(back_to(&form)))
}
