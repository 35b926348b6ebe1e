//! The monthly report per step (cases that left each step in the month, the median working
//! days they spent at it, how many left late), as a page and as CSV. The counting is
//! `app::procedure::month_report`'s.

use super::*;
use app::procedure::{MonthReport, month_report};
use chrono::Datelike;

/// The month asked for (`YYYY-MM`; this month when absent): its first and last day.
fn month_of(q: &FormValues) -> Option<(String, chrono::NaiveDate, chrono::NaiveDate)> {
    let asked = q.get("month").trim();
    let today = crate::http::today();
    let (y, m) = if asked.is_empty() {
        (today.year(), today.month())
    } else {
        let (y, m) = asked.split_once('-')?;
        (y.parse().ok()?, m.parse().ok()?)
    };
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1)?;
    let last = first
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?;
    Some((format!("{y:04}-{m:02}"), first, last))
}

async fn report_of(
    s: &Signed,
    state: &AppState,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> Result<MonthReport, AuthError> {
    let histories = s
        .store(state)?
        .case_histories(first, last)
        .await
        .map_err(|e| s.db_error(e))?;
    let cases: Vec<app::procedure::CaseHistory<'_>> = histories
        .iter()
        .map(
            |(submitted, accepted, events)| app::procedure::CaseHistory {
                submitted_on: *submitted,
                accepted_on: *accepted,
                events,
            },
        )
        .collect();
    let snapshot = state.snapshot();
    Ok(month_report(
        &snapshot.policy.procedure,
        &snapshot.policy.calendar,
        &cases,
        first,
        last,
    ))
}

/// One line as people read it: step, cases, median days, late.
fn words(r: &MonthReport, l: Lang) -> Vec<[String; 4]> {
    r.lines
        .iter()
        .map(|line| {
            [
                super::procedure::step_words(line.step, l).to_string(),
                line.completed.to_string(),
                line.median_days
                    .map(|d| d.normalize().to_string())
                    .unwrap_or_else(|| l.t("—", "—").into()),
                line.overdue.to_string(),
            ]
        })
        .collect()
}

#[derive(Template)]
#[template(path = "officer/report.html")]
pub struct ReportPage {
    pub lang: Lang,
    pub nav: Nav,
    pub month: String,
    pub lines: Vec<[String; 4]>,
    pub csv: String,
    pub error: Option<String>,
}

#[utoipa::path(tag = "officers", params(("month" = Option<String>, Query, description = "YYYY-MM; this month when absent")), responses((status = 200, description = "The month's report per step", content_type = "text/html", body = String), (status = 400, description = "The month is not understood", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer or approver")))]
#[get("/officer/reports")]
pub async fn report(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.case_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let q = FormValues::parse(req.query_string().as_bytes());
    let Some((month, first, last)) = month_of(&q) else {
        return Ok(page(
            &ReportPage {
                lang: l,
                nav: nav(&s),
                month: q.get("month").chars().take(20).collect(),
                lines: Vec::new(),
                csv: String::new(),
                error: Some(
                    l.t("月份：应写作 YYYY-MM", "Month: write it as YYYY-MM")
                        .into(),
                ),
            },
            StatusCode::BAD_REQUEST,
            lang,
        ));
    };
    let r = report_of(&s, &state, first, last).await?;
    Ok(page(
        &ReportPage {
            lang: l,
            nav: nav(&s),
            csv: format!("/officer/reports.csv?month={month}"),
            month,
            lines: words(&r, l),
            error: None,
        },
        StatusCode::OK,
        lang,
    ))
}

#[utoipa::path(tag = "officers", params(("month" = Option<String>, Query, description = "YYYY-MM")), responses((status = 200, description = "The month's report per step as CSV (UTF-8 with BOM)", content_type = "text/csv", body = String), (status = 400, description = "The month is not understood", content_type = "text/html", body = String), (status = 403, description = "Not a reviewer or approver")))]
#[get("/officer/reports.csv")]
pub async fn report_csv(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.case_reader()?;
    let l = language(&req, None).lang;
    let q = FormValues::parse(req.query_string().as_bytes());
    let Some((month, first, last)) = month_of(&q) else {
        return Ok(super::super::html::message(
            StatusCode::BAD_REQUEST,
            "月份：应写作 YYYY-MM",
            "Month: write it as YYYY-MM",
        ));
    };
    let r = report_of(&s, &state, first, last).await?;
    let mut sheet = app::spreadsheet::Sheet::new();
    sheet.row([
        l.t("月份", "Month"),
        l.t("环节", "Step"),
        l.t("办结件数", "Cases done"),
        l.t("用时中位数（工作日）", "Median working days"),
        l.t("超期件数", "Late"),
    ]);
    for [step, done, median, late] in words(&r, l) {
        sheet.row([month.clone(), step, done, median, late]);
    }
    Ok(super::applications::csv_response(
        sheet.finish().into_bytes(),
        &format!("report-{month}.csv"),
    ))
}
