//! The access log for auditors: who looked at which application, who saw a full ID number,
//! who exported the list and who downloaded a material — filtered, and exported as CSV.

use super::*;
use store::{Access, AccessEntry, AccessFilter};

/// Lines the page shows (the CSV has them all).
const SHOWN: u32 = 500;
/// Lines one export holds at most.
const EXPORTED: u32 = 1_000_000;

pub struct AccessLine {
    /// To the second; a folded line gives its first and last view.
    pub at: String,
    /// "15 次" for repeated views folded into the line; empty for one.
    pub times: String,
    pub officer: String,
    pub role: &'static str,
    pub action: &'static str,
    pub reference: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "officer/access.html")]
pub struct AccessPage {
    pub lang: Lang,
    pub nav: Nav,
    pub officer: String,
    pub reference: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub actions: Vec<(&'static str, &'static str)>,
    pub errors: Vec<String>,
    pub rows: Vec<AccessLine>,
    pub total: i64,
    pub export: String,
}

/// The query, read; errors in the page's language.
fn read_access_filter(q: &FormValues, l: Lang) -> (AccessFilter, Vec<String>) {
    let mut errors = Vec::new();
    let mut day = |key: &str, zh: &str, en: &str| {
        let raw = q.get(key).trim();
        if raw.is_empty() {
            return None;
        }
        let d = store::parse_day(raw);
        if d.is_none() {
            errors.push(format!(
                "{}{}",
                l.t(zh, en),
                l.t("：日期应写作 YYYY-MM-DD", ": write the date as YYYY-MM-DD")
            ));
        }
        d
    };
    let from = day("from", "起始日期", "From");
    let to = day("to", "截止日期", "To");
    let action = match q.get("action") {
        "" => None,
        a => {
            let found = Access::from_id(a);
            if found.is_none() {
                errors.push(
                    l.t("操作：请从列表中选择", "Action: choose one from the list")
                        .into(),
                );
            }
            found
        }
    };
    let text = |key: &str| {
        Some(q.get(key).trim().chars().take(100).collect::<String>()).filter(|t| !t.is_empty())
    };
    (
        AccessFilter {
            officer: text("officer"),
            reference: text("reference"),
            action,
            from,
            to,
        },
        errors,
    )
}

fn role_words(role: &str, l: Lang) -> &'static str {
    match store::Role::from_id(role) {
        Some(store::Role::Reviewer) => l.t("审核人员", "Reviewer"),
        Some(store::Role::Hr) => l.t("企业人事", "HR officer"),
        Some(store::Role::Auditor) => l.t("审计人员", "Auditor"),
        Some(store::Role::Policy) => l.t("政策办", "Policy office"),
        Some(store::Role::Approver) => l.t("分管领导", "Approver"),
        Some(store::Role::Finance) => l.t("财务", "Finance"),
        None => l.t("其他", "Other"),
    }
}

fn line(e: AccessEntry, l: Lang) -> AccessLine {
    let at = if e.times > 1 {
        // The same day: the second time without its date.
        let first = view::time_to_second(&e.first_at);
        let last = view::time_to_second(&e.at);
        match (first.split_once(' '), last.split_once(' ')) {
            (Some((d1, _)), Some((d2, t2))) if d1 == d2 => format!("{first} – {t2}"),
            _ => format!("{first} – {last}"),
        }
    } else {
        view::time_to_second(&e.at)
    };
    let pick = |zh: String, en: String| if l == Lang::Zh { zh } else { en };
    let mut detail = l.t(&e.detail.zh, &e.detail.en).to_string();
    if let Some(n) = e.detail.items {
        let count = match e.action {
            Access::Search => pick(
                format!("找到 {n} 份申请"),
                format!("{n} applications found"),
            ),
            Access::Simulation => {
                pick(format!("读取 {n} 份申请"), format!("{n} applications read"))
            }
            Access::Batch => pick(format!("{n} 人"), format!("{n} people")),
            Access::Payments | Access::PaymentsExport => {
                pick(format!("{n} 笔拨付"), format!("{n} payments"))
            }
            Access::Export | Access::ExportFullIds => {
                pick(format!("{n} 份申请"), format!("{n} applications"))
            }
            _ => pick(format!("{n} 条"), format!("{n} records")),
        };
        detail = if detail.is_empty() {
            count
        } else {
            format!("{count}{}{detail}", l.t("；", "; "))
        };
    }
    AccessLine {
        at,
        times: if e.times > 1 {
            pick(format!("共 {} 次", e.times), format!("{} views", e.times))
        } else {
            String::new()
        },
        role: role_words(&e.role, l),
        action: l.t(e.action.zh(), e.action.en()),
        officer: e.officer,
        reference: e.reference,
        detail,
    }
}

#[utoipa::path(tag = "officers", params(("officer" = Option<String>, Query), ("reference" = Option<String>, Query), ("action" = Option<String>, Query, description = "view, view_api, full_id, export, export_full_ids or download"), ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD")), responses((status = 200, description = "The access log, newest first (500 lines at most; the CSV has all)", content_type = "text/html", body = String), (status = 400, description = "A filter value is not valid", content_type = "text/html", body = String), (status = 403, description = "Not an auditor")))]
#[get("/officer/access-log")]
pub async fn access_log(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.auditor()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let q = FormValues::parse(req.query_string().as_bytes());
    let (filter, errors) = read_access_filter(&q, l);
    let (rows, total) = if errors.is_empty() {
        s.store(&state)?
            .access_log(&filter, SHOWN, true)
            .await
            .map_err(|e| s.db_error(e))?
    } else {
        (Vec::new(), 0)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let keep = |k: &str| q.get(k).trim().chars().take(100).collect::<String>();
    let pairs: Vec<(&str, String)> = ["officer", "reference", "action", "from", "to"]
        .into_iter()
        .map(|k| (k, keep(k)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let query = serde_html_form::to_string(pairs).unwrap_or_default();
    Ok(page(
        &AccessPage {
            lang: l,
            nav: nav(&s),
            officer: keep("officer"),
            reference: keep("reference"),
            action: keep("action"),
            from: keep("from"),
            to: keep("to"),
            actions: Access::ALL
                .iter()
                .map(|a| (a.id(), l.t(a.zh(), a.en())))
                .collect(),
            errors,
            rows: rows.into_iter().map(|e| line(e, l)).collect(),
            total,
            export: format!("/officer/access-log.csv?{query}"),
        },
        status,
        lang,
    ))
}

#[utoipa::path(tag = "officers", params(("officer" = Option<String>, Query), ("reference" = Option<String>, Query), ("action" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)), responses((status = 200, description = "The access log matching the filter, oldest last", content_type = "text/csv", body = String), (status = 400, description = "A filter value is not valid"), (status = 403, description = "Not an auditor")))]
#[get("/officer/access-log.csv")]
pub async fn access_log_csv(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.auditor()?;
    let l = language(&req, None).lang;
    let (filter, errors) = read_access_filter(&FormValues::parse(req.query_string().as_bytes()), l);
    if !errors.is_empty() {
        let said = errors.join(l.t("；", "; "));
        return Ok(super::super::html::message(
            StatusCode::BAD_REQUEST,
            &said,
            &said,
        ));
    }
    let (rows, _) = s
        .store(&state)?
        .access_log(&filter, EXPORTED, false)
        .await
        .map_err(|e| s.db_error(e))?;
    let mut sheet = app::spreadsheet::Sheet::new();
    sheet.row([
        l.t("时间", "Time"),
        l.t("工作人员", "Officer"),
        l.t("角色", "Role"),
        l.t("操作", "Action"),
        l.t("申请编号", "Reference"),
        l.t("说明", "Detail"),
    ]);
    for e in rows {
        let a = line(e, l);
        sheet.row([
            a.at,
            a.officer,
            a.role.to_string(),
            a.action.to_string(),
            a.reference,
            a.detail,
        ]);
    }
    Ok(super::applications::csv_response(
        sheet.finish().into_bytes(),
        &format!("access-log-{}.csv", crate::http::today()),
    ))
}
