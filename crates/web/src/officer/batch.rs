//! Batch checks from a spreadsheet: the upload (its token checked before the file is read), the summary, the results CSV.

use super::*;

#[derive(Template)]
#[template(path = "officer/batch.html")]
pub struct BatchPage {
    pub lang: Lang,
    pub nav: Nav,
    pub error: Option<String>,
    pub max_rows: usize,
    /// Each column: its header, what it takes, whether it is required.
    pub columns: Vec<(String, String, bool)>,
    /// The officer's own batch checks still kept, newest first.
    pub past: Vec<PastBatch>,
    pub kept_days: u32,
}

/// One of the officer's earlier batch checks.
pub struct PastBatch {
    pub href: String,
    pub when: String,
    pub file_name: String,
    pub people: usize,
    pub total: String,
}

async fn batch_page(
    s: &Signed,
    state: &AppState,
    lang: PageLang,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AuthError> {
    let l = lang.lang;
    let mut columns: Vec<(String, String, bool)> = FIELDS
        .iter()
        .map(|f| {
            let rules::Msg { zh, en } = app::batch::xlsx::what_it_takes(f);
            let header = match l {
                Lang::Zh => app::batch::xlsx::header(f),
                Lang::En => f.en.to_string(),
            };
            (header, l.t(&zh, &en).to_string(), f.required())
        })
        .collect();
    let (own_zh, own_en) = app::batch::PASS_THROUGH;
    columns.push((
        l.t(own_zh, own_en).to_string(),
        l.t(
            "选填：贵单位的工号或备注，不作为申请信息读取，在结果中原样列在姓名旁",
            "Optional: your staff number or note, not read as an answer, given back unchanged beside the name",
        )
        .to_string(),
        false,
    ));
    let past = s
        .store(state)?
        .batches_of(s.session.officer.id, 50)
        .await
        .map_err(|e| s.db_error(e))?
        .into_iter()
        .map(|b| {
            let summary = serde_json::from_str::<SavedSummary>(&b.summary).ok();
            PastBatch {
                href: format!("/officer/batch/{}", b.token),
                when: view::short_time(&b.created_at),
                file_name: b.file_name,
                people: summary.as_ref().map_or(0, |x| x.summary.rows),
                total: summary.map_or_else(String::new, |x| view::yuan(&x.summary.total)),
            }
        })
        .collect();
    Ok(page(
        &BatchPage {
            lang: l,
            nav: nav(s),
            error,
            max_rows: app::batch::MAX_ROWS,
            columns,
            past,
            kept_days: state.settings.batch_retention_days,
        },
        status,
        lang,
    ))
}

#[utoipa::path(tag = "officers", responses((status = 200, description = "The upload form and the columns a file may have", content_type = "text/html", body = String)))]
#[get("/officer/batch")]
pub async fn batch_form(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.batch_user()?;
    batch_page(&s, &state, language(&req, None), None, StatusCode::OK).await
}

#[utoipa::path(tag = "officers", responses((status = 200, description = "The Excel template: sheet 填写 (Chinese headers, an example row, dropdowns, number checks, text-formatted IDs and dates), sheet 说明 (each column explained)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 500, description = "The workbook could not be written")))]
#[get("/officer/batch/template.xlsx")]
pub async fn batch_template_xlsx(_s: Signed) -> HttpResponse {
    match app::batch::xlsx::template() {
        Ok(bytes) => HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((
                CONTENT_DISPOSITION,
                "attachment; filename=\"talent-subsidy-template.xlsx\"",
            ))
            .body(bytes),
        Err(e) => {
            tracing::error!(error = %e, "writing the template failed");
            super::super::html::message(StatusCode::INTERNAL_SERVER_ERROR, &e.0.zh, &e.0.en)
        }
    }
}

/// The media type of an .xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(tag = "officers", responses((status = 200, description = "The CSV template: the form's labels as headers and an example row", content_type = "text/csv", body = String)))]
#[get("/officer/batch/template.csv")]
pub async fn batch_template(_s: Signed) -> HttpResponse {
    csv_response(
        app::batch::template_csv().into_bytes(),
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
/// A batch checked and kept: its token and its results CSV.
pub(super) struct Checked {
    pub token: String,
    pub csv: Vec<u8>,
    pub workbook: Vec<u8>,
}

/// Why a batch was not checked: the file is not a table of ours, or the request was refused.
pub(super) enum NotChecked {
    File(app::batch::FileError),
    Refused(AuthError),
}

impl From<AuthError> for NotChecked {
    fn from(e: AuthError) -> Self {
        NotChecked::Refused(e)
    }
}

pub(super) async fn run_batch(
    s: &Signed,
    state: &AppState,
    bytes: Vec<u8>,
    file_name: &str,
    lang: Lang,
) -> Result<Checked, NotChecked> {
    let loaded = state.snapshot();
    let started = std::time::Instant::now();
    let ran = auth::blocking(s.api(), move || {
        app::batch::run(&loaded.policy, &bytes, Some(app::batch::MAX_ROWS)).map(|b| {
            let problems = b
                .rows
                .iter()
                .filter_map(|r| match &r.outcome {
                    app::batch::RowOutcome::Invalid(errs) => Some((r, errs)),
                    app::batch::RowOutcome::Assessed { .. } => None,
                })
                .take(100)
                .map(|(r, errs)| {
                    (
                        r.line,
                        r.name.clone(),
                        app::batch::errors_in_words(errs, Lang::Zh),
                        app::batch::errors_in_words(errs, Lang::En),
                    )
                })
                .collect();
            let (csv, workbook) = b.results_csv_and_xlsx(lang)?;
            Ok((
                SavedSummary {
                    summary: b.summary.clone(),
                    problems,
                },
                csv,
                workbook,
                b.seen,
            ))
        })
    })
    .await?;
    let (saved, csv, workbook, seen) = match ran.and_then(|r| r) {
        Ok(x) => x,
        Err(e) => return Err(NotChecked::File(e)),
    };
    tracing::info!(officer = %s.name(), rows = saved.summary.rows, invalid = saved.summary.invalid, elapsed_ms = started.elapsed().as_millis() as u64, "batch check");
    state.metrics.batch_rows.inc_by(saved.summary.rows as u64);
    state.count_seen(seen);
    // A batch holds staff's ID numbers and answers: each run is in the access log (the file's
    // name is the officer's own words, so it is not repeated there).
    s.store(state)?
        .log_access(
            s.officer(),
            store::Access::Batch,
            None,
            store::AccessDetail::default().items(saved.summary.rows),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    let summary_json = serde_json::to_string(&saved).unwrap_or_default();
    let token = s
        .store(state)?
        .save_batch(
            s.session.officer.id,
            file_name,
            &summary_json,
            &csv,
            &workbook,
        )
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(Checked {
        token,
        csv: csv.into_bytes(),
        workbook,
    })
}

#[utoipa::path(tag = "officers", request_body(content = String, content_type = "multipart/form-data", description = "csrf, file (an .xlsx workbook or a CSV, told apart by content)"), responses((status = 303, description = "Checked: to the summary"), (status = 400, description = "The file cannot be read as a table (or is a workbook that unpacks to too much)", content_type = "text/html", body = String), (status = 403, description = "No CSRF token"), (status = 413, description = "The file is larger than 16 MiB", content_type = "text/html", body = String)))]
#[post("/officer/batch")]
pub async fn batch_upload(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, AuthError> {
    s.batch_user()?;
    let lang = language(&req, None);
    let l = lang.lang;
    // The form sends its token before the file: a file before a valid token is refused unread.
    let read = read_parts(&s, &mut form, |name| {
        if name == "file" { UPLOAD_LIMIT } else { 1024 }
    })
    .await?;
    let (too_large, broken) = (
        matches!(read, Err(PartsProblem::TooLarge)),
        matches!(read, Err(PartsProblem::Broken)),
    );
    let file = read.ok().and_then(|parts| {
        parts
            .into_iter()
            .find(|p| p.name == "file")
            .map(|p| (p.file_name.unwrap_or_else(|| "upload.csv".into()), p.data))
    });
    if too_large {
        return batch_page(
            &s,
            &state,
            lang,
            Some(
                l.t(
                    "文件超过 16 MiB，请分成几份上传",
                    "The file is larger than 16 MiB: split it",
                )
                .into(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    if broken {
        return batch_page(
            &s,
            &state,
            lang,
            Some(
                l.t(
                    "文件没有完整上传，请重新上传",
                    "The file did not arrive whole: upload it again",
                )
                .into(),
            ),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return batch_page(
            &s,
            &state,
            lang,
            Some(
                l.t(
                    "文件：请选择要上传的 Excel 或 CSV 文件",
                    "File: choose an Excel or CSV file to upload",
                )
                .into(),
            ),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let file_name: String = file_name
        .chars()
        .filter(|c| !rules::applicant::is_unsafe_char(*c, false))
        .take(200)
        .collect();
    match run_batch(&s, &state, bytes, &file_name, l).await {
        Ok(Checked { token, .. }) => Ok(redirect(&format!("/officer/batch/{token}"))),
        Err(NotChecked::Refused(e)) => Err(e),
        Err(NotChecked::File(e)) => {
            batch_page(
                &s,
                &state,
                lang,
                Some(e.message(l).to_string()),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
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

/// A batch check of the signed-in officer's own; `None` for anyone else's.
async fn own_batch(
    s: &Signed,
    state: &AppState,
    token: &str,
) -> Result<Option<store::BatchRun>, AuthError> {
    s.store(state)?
        .batch(token, s.session.officer.id)
        .await
        .map_err(|e| s.db_error(e))
}

#[utoipa::path(tag = "officers", params(("token" = String, Path)), responses((status = 200, description = "The results workbook: per person tier, each program's status and amount, total, conditions missed and hints, or the row's errors; a summary per program with a chart; the problem rows", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 404, description = "No such batch of this officer's, or one kept before workbooks were")))]
#[get("/officer/batch/{token}/results.xlsx")]
pub async fn batch_results_xlsx(
    s: Signed,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    match own_batch(&s, &state, &token).await? {
        Some(store::BatchRun {
            workbook: Some(bytes),
            ..
        }) => Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"results.xlsx\""))
            .body(bytes)),
        _ => Ok(no_batch()),
    }
}

#[utoipa::path(tag = "officers", params(("token" = String, Path)), responses((status = 200, description = "Per person: tier, each program's status and amount, total, conditions missed and hints, or the row's errors", content_type = "text/csv", body = String), (status = 404, description = "No such batch of this officer's")))]
#[get("/officer/batch/{token}/results.csv")]
pub async fn batch_results(
    s: Signed,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AuthError> {
    match own_batch(&s, &state, &token).await? {
        Some(run) => Ok(csv_response(run.results.into_bytes(), "results.csv")),
        None => Ok(no_batch()),
    }
}
