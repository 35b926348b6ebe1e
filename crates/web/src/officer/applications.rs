//! The applications list (filters, paging, masked ID numbers) and its CSV export.

use super::*;

/// The filter as typed, to fill the form again.
#[derive(Default)]
pub struct FilterView {
    pub status: String,
    pub step: String,
    /// `mine` or `unassigned`.
    pub handler: String,
    pub program: String,
    pub tier: String,
    pub from: String,
    pub to: String,
    pub q: String,
}

/// Reads the list's query; every value that is not understood is an error naming it.
/// The list's query, read: the filter, what was typed (to fill the form again), the page, and
/// an error for each value that is not understood.
pub(super) struct ReadFilter {
    pub filter: ListFilter,
    pub view: FilterView,
    pub page: u32,
    pub errors: Vec<String>,
}

pub(super) fn read_filter(q: &FormValues, state: &AppState, lang: Lang) -> ReadFilter {
    let mut errors = Vec::new();
    let mut filter = ListFilter::default();
    let view = FilterView {
        status: q.get("status").into(),
        step: q.get("step").into(),
        handler: q.get("handler").into(),
        program: q.get("program").into(),
        tier: q.get("tier").into(),
        from: q.get("from").into(),
        to: q.get("to").into(),
        q: q.get("q").chars().take(100).collect(),
    };
    if !view.q.is_empty() {
        filter.search = Some(view.q.clone());
    }
    if !view.status.is_empty() {
        match AppStatus::from_id(&view.status) {
            Some(s) => filter.status = Some(s),
            None => errors.push(lang.t("状态：无此选项", "status: no such choice").into()),
        }
    }
    match view.handler.as_str() {
        "" => {}
        "unassigned" => filter.handler = Some(String::new()),
        "mine" => {} // the signed-in officer's name is filled in by the caller
        _ => errors.push(lang.t("经办：无此选项", "handler: no such choice").into()),
    }
    if !view.step.is_empty() {
        match store::CaseStep::from_id(&view.step) {
            Some(s) => filter.step = Some(s),
            None => errors.push(lang.t("办理环节：无此选项", "step: no such choice").into()),
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
    ReadFilter {
        filter,
        view,
        page,
        errors,
    }
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
    out.push((
        "none".into(),
        lang.t("未达到人才层次", "No talent tier").into(),
    ));
    out
}

/// A search (a name, an ID number's digits or a reference) goes into the access log with how
/// many applications it found — never the words searched for, which may be a name or an ID.
pub(super) async fn log_search(
    s: &Signed,
    state: &AppState,
    filter: &ListFilter,
    found: i64,
) -> Result<(), AuthError> {
    if filter.search.is_none() {
        return Ok(());
    }
    s.store(state)?
        .log_access(
            s.officer(),
            store::Access::Search,
            None,
            store::AccessDetail::default().items(usize::try_from(found).unwrap_or(0)),
        )
        .await
        .map_err(|e| s.db_error(e))
}

/// The query string of a filter, for links that keep it.
fn filter_query(f: &FilterView, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("status", f.status.as_str()),
        ("step", f.step.as_str()),
        ("handler", f.handler.as_str()),
        ("program", f.program.as_str()),
        ("tier", f.tier.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
        ("q", f.q.as_str()),
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
    pub step: &'static str,
    pub step_id: &'static str,
    pub handler: String,
    /// When its step is due, in words (empty at an untimed step).
    pub due: String,
    pub overdue: bool,
    /// What was decided beside the assessment: approved and paid so far (empty while nothing
    /// is decided).
    pub decided: String,
}

fn list_row(a: &ApplicationSummary, lang: Lang) -> ListRow {
    ListRow {
        reference: a.reference.clone(),
        submitted: view::short_time(&a.submitted_at),
        name: if a.erased_at.is_some() {
            lang.t("（已匿名）", "(anonymised)").into()
        } else {
            a.applicant_name.clone()
        },
        id_masked: mask_id(&a.id_number),
        tier: a.tier.clone(),
        total: view::yuan(&a.total),
        status: app_status_words(a.status, lang),
        status_id: a.status.id(),
        step: super::procedure::step_words(a.step, lang),
        step_id: a.step.id(),
        handler: a.handler.clone().unwrap_or_default(),
        due: String::new(),
        overdue: false,
        decided: String::new(),
    }
}

/// Whether there is a decision to show: a program decided, or the application closed (an
/// application decided as a whole with no program eligible approved ¥0).
fn anything_decided(f: &store::DecidedFigures, status: AppStatus) -> bool {
    f.decided > 0 || !status.is_open()
}

/// What was decided on an application, in words for a list: the total approved and what was
/// paid of it.
fn decided_words(f: &store::DecidedFigures, status: AppStatus, lang: Lang) -> String {
    if !anything_decided(f, status) {
        return String::new();
    }
    let mut out = format!("{} {}", lang.t("批准", "approved"), view::yuan(&f.approved));
    if !f.paid.is_zero() {
        out.push_str(&format!(
            "{}{} {}",
            lang.t(" · ", " · "),
            lang.t("已拨付", "paid"),
            view::yuan(&f.paid)
        ));
    }
    out
}

/// Each row's deadline (from its timeline and notice): the steps that have one.
async fn with_deadlines(
    s: &Signed,
    state: &AppState,
    apps: &[ApplicationSummary],
    rows: &mut [ListRow],
    lang: Lang,
) -> Result<(), AuthError> {
    use store::CaseStep::*;
    let store = s.store(state)?;
    let snapshot = state.snapshot();
    let today = crate::http::today();
    for (a, row) in apps.iter().zip(rows.iter_mut()) {
        if !matches!(
            a.step,
            Accept | FirstReview | SecondReview | SignOff | Notice
        ) {
            continue;
        }
        let events = store.case_events(a.id).await.map_err(|e| s.db_error(e))?;
        let notice = if a.step == Notice {
            store.notice_of(a.id).await.map_err(|e| s.db_error(e))?
        } else {
            None
        };
        let Some(submitted) = store::parse_day(a.submitted_at.get(..10).unwrap_or_default()) else {
            continue;
        };
        if let Some(d) = app::procedure::due(
            &snapshot.policy.procedure,
            &snapshot.policy.calendar,
            a.step,
            submitted,
            a.accepted_on,
            &events,
            notice.map(|n| n.last_day),
            today,
        ) {
            let (words, overdue) = super::procedure::due_words(&d, lang);
            row.due = words;
            row.overdue = overdue;
        }
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "officer/list.html")]
pub struct ListPage {
    pub lang: Lang,
    pub nav: Nav,
    pub filter: FilterView,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub steps: Vec<(&'static str, &'static str)>,
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
    /// How many on this page are past their deadline.
    pub overdue: usize,
    /// Cases can be ticked and assigned (reviewers and leaders).
    pub can_assign: bool,
    /// Messages given up after their retries: (case, what failed), for a person to act on.
    pub failed: Vec<(String, String)>,
}

#[utoipa::path(tag = "officers", params(("status" = Option<String>, Query), ("program" = Option<String>, Query, description = "Applications eligible for this program"), ("tier" = Option<String>, Query), ("from" = Option<String>, Query, description = "Submitted on or after, YYYY-MM-DD"), ("to" = Option<String>, Query, description = "Submitted on or before"), ("page" = Option<u32>, Query)), responses((status = 200, description = "Applications, newest first", content_type = "text/html", body = String), (status = 303, description = "Not signed in: to the login page"), (status = 403, description = "Not a reviewer")))]
#[get("/officer/applications")]
pub async fn list(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.case_reader()?;
    let lang = language(&req, None);
    let q = FormValues::parse(req.query_string().as_bytes());
    let ReadFilter {
        filter,
        view,
        page: page_no,
        errors,
    } = read_filter(&q, &state, lang.lang);
    let mut filter = filter;
    if view.handler == "mine" {
        filter.handler = Some(s.name().to_string());
    }
    let (rows, total) = if errors.is_empty() {
        let found = s
            .store(&state)?
            .list(&filter, page_no, PER_PAGE)
            .await
            .map_err(|e| s.db_error(e))?;
        log_search(&s, &state, &filter, found.1).await?;
        found
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
    let mut shown: Vec<ListRow> = rows.iter().map(|a| list_row(a, l)).collect();
    with_deadlines(&s, &state, &rows, &mut shown, l).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let figures = s
        .store(&state)?
        .decided_figures(&ids)
        .await
        .map_err(|e| s.db_error(e))?;
    for (row, a) in shown.iter_mut().zip(&rows) {
        let f = figures.get(&a.id).cloned().unwrap_or_default();
        row.decided = decided_words(&f, a.status, l);
    }
    let failed = s
        .store(&state)?
        .failed_deliveries(20)
        .await
        .map_err(|e| s.db_error(e))?
        .into_iter()
        .map(|f| {
            let what = app::messages::Kind::from_id(&f.kind).map_or("", |k| k.words(l));
            let via = crate::message_view::channel_words(&f.channel, l);
            (f.reference, format!("{} · {via} · {what}", f.day))
        })
        .collect();
    Ok(page(
        &ListPage {
            failed,
            lang: l,
            nav: nav(&s),
            statuses: AppStatus::ALL
                .iter()
                .map(|st| (st.id(), app_status_words(*st, l)))
                .collect(),
            steps: store::CaseStep::ALL
                .iter()
                .map(|st| (st.id(), super::procedure::step_words(*st, l)))
                .collect(),
            programs: program_names(&state, l),
            tiers: tiers(&state, l),
            errors,
            overdue: shown.iter().filter(|r| r.overdue).count(),
            can_assign: matches!(s.role(), Role::Reviewer | Role::Approver),
            rows: shown,
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
    s.case_reader()?;
    let lang = language(&req, None).lang;
    let q = FormValues::parse(req.query_string().as_bytes());
    let ReadFilter {
        mut filter,
        errors,
        view,
        ..
    } = read_filter(&q, &state, lang);
    if view.handler == "mine" {
        filter.handler = Some(s.name().to_string());
    }
    if !errors.is_empty() {
        return Ok(crate::html::message(
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
    let store = s.store(&state)?;
    let access = if full_ids {
        store::Access::ExportFullIds
    } else {
        store::Access::Export
    };
    // The filter is described without its search text, which may be a name or an ID number.
    let detail = if filter.search.is_some() {
        store::AccessDetail::words(
            "按编号、姓名或证件号检索",
            "searched by reference, name or ID number",
        )
    } else {
        store::AccessDetail::default()
    };
    store
        .log_access(s.officer(), access, None, detail.items(apps.len()))
        .await
        .map_err(|e| s.db_error(e))?;
    tracing::info!(officer = %s.name(), count = apps.len(), full_ids, "applications exported");
    let progs = app::batch::all_programs(&state.snapshot().policy);
    let mut sheet = app::spreadsheet::Sheet::new();
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
    header.extend(app::batch::program_headers(&progs, lang));
    for (zh, en) in [
        ("测算合计（元）", "Assessed total (yuan)"),
        ("批准金额（元）", "Approved (yuan)"),
        ("已拨付（元）", "Paid (yuan)"),
        ("状态", "Status"),
        ("审核意见", "Note"),
    ] {
        header.push(lang.t(zh, en).into());
    }
    sheet.row(&header);
    let ids: Vec<i64> = apps.iter().map(|(a, _)| a.id).collect();
    let figures = store
        .decided_figures(&ids)
        .await
        .map_err(|e| s.db_error(e))?;
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
        for app::batch::ProgramName { id, .. } in &progs {
            match rows.iter().find(|r| r.program == *id) {
                Some(r) => {
                    rec.push(status_words(&r.status, lang).into());
                    rec.push(r.amount.to_string());
                }
                None => rec.extend([String::new(), String::new()]),
            }
        }
        rec.push(a.total.to_string());
        let f = figures.get(&a.id).cloned().unwrap_or_default();
        if anything_decided(&f, a.status) {
            rec.extend([f.approved.to_string(), f.paid.to_string()]);
        } else {
            rec.extend([String::new(), String::new()]);
        }
        rec.push(app_status_words(a.status, lang).into());
        rec.push(a.note.clone());
        sheet.row(&rec);
    }
    Ok(csv_response(
        sheet.finish().into_bytes(),
        &format!("applications-{}.csv", crate::http::today()),
    ))
}

pub(super) fn csv_response(body: Vec<u8>, file_name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}
