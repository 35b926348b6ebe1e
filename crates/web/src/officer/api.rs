//! The officers' JSON routes: applications and batch checks for scripts holding a session.

use super::*;

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
    #[schema(value_type = crate::schema::AppStatusParam)]
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

#[utoipa::path(tag = "officers", params(
    ("status" = Option<crate::schema::AppStatusParam>, Query, description = "Applications with this status; absent for all"),
    ("step" = Option<crate::schema::CaseStepParam>, Query, description = "Applications at this step of the procedure; absent for all"),
    ("handler" = Option<crate::schema::HandlerParam>, Query, description = "`unassigned` for cases no officer holds, `mine` for the signed-in officer's; absent for all"),
    ("program" = Option<String>, Query, description = "A program id of the policy (see /api/v1/programs): applications eligible for it; absent for all. The ids change with the policy files, so an unknown one is a 400 naming the filter"),
    ("tier" = Option<String>, Query, description = "A tier id of the policy, or `none` for applications that reached no tier; absent for all. An unknown one is a 400 naming the filter"),
    ("from" = Option<chrono::NaiveDate>, Query, description = "Submitted on or after this day; absent for no bound"),
    ("to" = Option<chrono::NaiveDate>, Query, description = "Submitted on or before this day (not before `from`, else 400); absent for no bound"),
    ("q" = Option<String>, Query, description = "A reference or the start of one, a name or the start of one, the last 4 to 6 characters of an ID number, or a whole ID number (references and ID numbers whatever their case); absent for all"),
    ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000)),
    responses((status = 200, description = "Applications, newest first; ID numbers masked", body = ApplicationList), (status = 400, description = "A filter value is not valid", body = crate::schema::ErrorsDoc), (status = 401, description = "Not signed in", body = crate::schema::ErrorsDoc), (status = 403, description = "Not a reviewer", body = crate::schema::ErrorsDoc)))]
#[get("/api/v1/applications")]
pub async fn list_api(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    s.reviewer()?;
    let q = FormValues::parse(req.query_string().as_bytes());
    // The page's links leave out an empty filter; on the API a number, a date or a choice is
    // given or left out, never empty (the document says what each takes).
    for (key, zh, en) in [
        ("page", "页码：应为正整数", "page: a whole number from 1"),
        (
            "status",
            "状态：请给出一个状态，或不带此参数",
            "status: give a status, or leave the parameter out",
        ),
        (
            "step",
            "办理环节：请给出一个环节，或不带此参数",
            "step: give a step, or leave the parameter out",
        ),
        (
            "handler",
            "经办：应为 unassigned 或 mine，或不带此参数",
            "handler: unassigned or mine, or leave the parameter out",
        ),
        (
            "from",
            "起始日期：应写作 YYYY-MM-DD，或不带此参数",
            "from: a date as YYYY-MM-DD, or leave the parameter out",
        ),
        (
            "to",
            "截止日期：应写作 YYYY-MM-DD，或不带此参数",
            "to: a date as YYYY-MM-DD, or leave the parameter out",
        ),
    ] {
        if q.0
            .get(key)
            .is_some_and(|v| v.iter().any(|p| p.trim().is_empty()))
        {
            return Err(ApiError::BadQuery(rules::applicant::FieldError::new(key, zh, en)).into());
        }
    }
    let ReadFilter {
        filter,
        page: page_no,
        errors,
        ..
    } = read_filter(&q, &state, Lang::En);
    if let Some(first) = errors.first() {
        let zh = read_filter(&q, &state, Lang::Zh).errors.join("；");
        return Err(
            ApiError::BadQuery(rules::applicant::FieldError::new("", zh, first.clone())).into(),
        );
    }
    let (rows, total) = s
        .store(&state)?
        .list(&filter, page_no, PER_PAGE)
        .await
        .map_err(|e| s.db_error(e))?;
    super::applications::log_search(&s, &state, &filter, total).await?;
    Ok(HttpResponse::Ok().json(ApplicationList {
        total,
        page: page_no,
        per_page: PER_PAGE,
        items: rows.into_iter().map(|a| item(a, true)).collect(),
    }))
}

/// Whether an application's ID number is given whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IdsParam {
    Masked,
    Full,
}

#[derive(Debug, Deserialize)]
pub struct IdsQuery {
    ids: Option<IdsParam>,
}

#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("ids" = Option<IdsParam>, Query, description = "`full` for the whole ID number (recorded in the access log as a view of it); masked by default")), responses((status = 200, description = "The application with its profile, result as assessed, audit log, files, condition checks, program decisions and payments; every read is recorded in the access log", body = Object), (status = 400, description = "A query parameter is not valid (ids is masked or full)", body = crate::schema::ErrorsDoc), (status = 401, description = "Not signed in", body = crate::schema::ErrorsDoc), (status = 403, description = "Not a reviewer", body = crate::schema::ErrorsDoc), (status = 404, description = "No such application", body = crate::schema::ErrorsDoc)))]
#[get("/api/v1/applications/{reference}")]
pub async fn application_api(
    s: Signed,
    state: web::Data<AppState>,
    reference: web::Path<String>,
    q: web::Query<IdsQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    s.reviewer()?;
    let store = s.store(&state)?;
    let app = store
        .application(&reference)
        .await
        .map_err(|e| s.db_error(e))?
        .ok_or(ApiError::NotFound)?;
    let full = q.ids == Some(IdsParam::Full);
    store
        .log_access(
            s.officer(),
            if full {
                store::Access::FullId
            } else {
                store::Access::ViewApi
            },
            Some((app.summary.id, &app.summary.reference)),
            store::AccessDetail::default(),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let mut profile = serde_json::from_str::<serde_json::Value>(&app.profile).unwrap_or_default();
    if !full
        && let Some(id) = profile.pointer_mut("/person/id_number")
        && let Some(text) = id.as_str()
    {
        *id = mask_id(text).into();
    }
    let audit = store
        .audit_log(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?;
    let case = app::case::Case::read(store, &app)
        .await
        .map_err(|e| s.db_error(e))?;
    let raw = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
    let reference = app.summary.reference.clone();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "files": case.files.iter().map(|f| serde_json::json!({
            "id": f.id, "material": f.material, "file_name": f.file_name, "kind": f.kind.id(),
            "size": f.size, "sha256": f.sha256, "at": f.created_at, "supplement": f.supplement,
            "href": format!("/officer/applications/{reference}/files/{}", f.id),
        })).collect::<Vec<_>>(),
        "checks": case.checks.iter().map(|c| serde_json::json!({
            "program": c.program, "condition": c.condition, "check": c.check.id(),
            "actor": c.actor, "at": c.at,
        })).collect::<Vec<_>>(),
        "decisions": case.decisions.iter().map(|d| serde_json::json!({
            "program": d.program, "decision": if d.approved { "approved" } else { "refused" },
            "amount": d.amount.to_string(), "assessed": d.assessed.to_string(),
            "reason": d.reason, "actor": d.actor, "at": d.at,
        })).collect::<Vec<_>>(),
        "payments": case.payments.iter().map(|p| serde_json::json!({
            "program": p.program, "installment": p.seq, "amount": p.amount.to_string(),
            "trigger_zh": p.trigger_zh, "trigger_en": p.trigger_en, "due_on": p.due_on,
            "paid": p.paid, "paid_on": p.paid_on,
        })).collect::<Vec<_>>(),
        "application": item(app.summary, !full),
        "profile": profile,
        "result": raw(&app.result),
        "audit": audit.iter().map(|e| serde_json::json!({
            "at": e.at, "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note
        })).collect::<Vec<_>>(),
    })))
}

/// The results' format.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResultFormat {
    Csv,
    Xlsx,
}

/// A file's bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryDoc(#[allow(dead_code)] Vec<u8>);

#[utoipa::path(tag = "officers", params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token (shown on console pages)"), ("lang" = Option<String>, Query, description = "zh (default) or en: the language of the results' headers"), ("format" = Option<ResultFormat>, Query, description = "csv (default) or xlsx: the results as CSV, or as a workbook with a summary sheet and chart")), request_body(content(
    (String = "text/csv", example = json!("姓名,证件类型,证件号码,出生日期,最高学历\n张三,护照,E12345678,1990-05-01,无\n")),
    (BinaryDoc = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
), description = "People, one per row, as a CSV (UTF-8 or GBK) or an Excel workbook (.xlsx, the template's sheet 填写), told apart by their content; the template's columns (the form's Chinese or English labels)"), responses((status = 200, description = "The results (CSV, or with format=xlsx a workbook); X-Rows, X-Invalid-Rows headers", content(
    (String = "text/csv"),
    (BinaryDoc = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
)), (status = 400, description = "The file cannot be read as a table", body = crate::schema::ErrorsDoc), (status = 413, description = "The file is larger than 16 MiB", body = crate::schema::ErrorsDoc), (status = 415, description = "The body is neither text/csv nor an .xlsx workbook", body = crate::schema::ErrorsDoc), (status = 503, description = "The database is not available", body = crate::schema::ErrorsDoc), (status = 401, description = "Not signed in", body = crate::schema::ErrorsDoc), (status = 403, description = "No CSRF token", body = crate::schema::ErrorsDoc)))]
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
    s.batch_user()?;
    require_content_type(
        &req,
        &[
            "text/csv",
            "text/plain",
            super::batch::XLSX,
            "application/octet-stream",
        ],
    )?;
    let workbook = match FormValues::parse(req.query_string().as_bytes()).get("format") {
        "" | "csv" => false,
        "xlsx" => true,
        _ => {
            return Err(ApiError::BadQuery(rules::applicant::FieldError::new(
                "format",
                "结果格式：应为 csv 或 xlsx",
                "format: csv or xlsx",
            ))
            .into());
        }
    };
    let body = read_body(payload, UPLOAD_LIMIT).await?;
    let lang = language(&req, None).lang;
    let name = if app::batch::xlsx::is_xlsx(&body) {
        "api.xlsx"
    } else {
        "api.csv"
    };
    match run_batch(&s, &state, body.to_vec(), name, lang).await {
        Ok(Checked { workbook: book, .. }) if workbook => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, super::batch::XLSX))
            .body(book)),
        Ok(Checked { csv, .. }) => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
            .body(csv)),
        Err(NotChecked::File(e)) => Err(ApiError::File(e).into()),
        Err(NotChecked::Refused(e)) => Err(e.into()),
    }
}
