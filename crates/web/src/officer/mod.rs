//! The officer console: sign in and out; for the talent office (`reviewer`) the applications
//! list, an application with its re-assessment and decisions, and the CSV export; for every
//! officer (`reviewer`, `hr`) batch checks from a spreadsheet. The JSON routes under
//! `/api/v1/applications` and `/api/v1/batch-checks` give the same to scripts holding a session.
//!
//! Invariants: every handler here takes [`Signed`] (no session: to the login page, or 401);
//! application routes call [`Signed::reviewer`] first (an `hr` account gets 403); every POST
//! checks the session's CSRF token before it reads anything else; ID numbers leave this module
//! masked except on an application's own page and in an export asked for in full.

mod access;
mod api;
mod applications;
mod assignment;
mod batch;
mod casework;
mod objections;
mod policy;
mod procedure;
mod reports;
mod review;
mod schedule;
mod signin;

pub use access::*;
pub use api::*;
pub use applications::*;
pub use assignment::*;
pub use batch::*;
pub use casework::*;
pub use objections::*;
pub use policy::*;
pub use procedure::*;
pub use reports::*;
pub use review::*;
pub use schedule::*;
pub use signin::*;

// What the parts share: each of them starts with `use super::*`.
use super::AppState;
use super::auth::{self, AuthError, LOCKOUT_LIMIT, LOCKOUT_MINUTES, SESSION_COOKIE, Signed};
use super::html::{PageLang, language, page};
use super::http::{ApiError, read_body, require_content_type};
use super::pages::program_names;
use super::view;
use crate::case_view::{StoredResult, app_status_words, status_words};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use app::batch::Summary;
use askama::Template;
use futures_util::StreamExt;
use rules::input::Lang;
use rules::input::{FIELDS, FormValues, Kind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use store::{self, AppStatus, ApplicationSummary, DecideError, ListFilter, Role, mask_id};

/// Applications per page of the list.
pub const PER_PAGE: u32 = 50;
/// Largest batch upload.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;
pub use app::casework::NOTE_LIMIT;

/// What the console's header shows of the signed-in officer.
pub struct Nav {
    pub name: String,
    pub reviewer: bool,
    pub auditor: bool,
    /// The policy office (its pages only).
    pub policy: bool,
    /// A leader: signs off, opens public notices.
    pub approver: bool,
    pub finance: bool,
    pub csrf: String,
}

pub fn nav(s: &Signed) -> Nav {
    Nav {
        name: s.name().to_string(),
        reviewer: s.role() == Role::Reviewer,
        auditor: s.role() == Role::Auditor,
        policy: s.role() == Role::Policy,
        approver: s.role() == Role::Approver,
        finance: s.role() == Role::Finance,
        csrf: s.csrf().to_string(),
    }
}

/// Why a text the applicant will read (a note, a reason) cannot be taken: longer than
/// [`NOTE_LIMIT`], or holding control or direction characters. `label` names it, as
/// (Chinese, English).
fn text_problem(text: &str, label: (&str, &str), l: Lang) -> Option<(StatusCode, String)> {
    let (zh, en) = label;
    let said =
        |z: String, e: String| Some((StatusCode::UNPROCESSABLE_ENTITY, l.t(&z, &e).to_string()));
    if text.chars().count() > NOTE_LIMIT {
        return said(
            format!("{zh}：最多 {NOTE_LIMIT} 字"),
            format!("{en}: at most {NOTE_LIMIT} characters"),
        );
    }
    rules::applicant::unsafe_text(text, true)
        .and_then(|p| said(format!("{zh}：{}", p.zh), format!("{en}: {}", p.en)))
}

/// Why nothing more can be saved on an application in status `from`.
fn closed_problem(from: AppStatus, l: Lang) -> (StatusCode, String) {
    (
        StatusCode::CONFLICT,
        format!(
            "{}{}",
            l.t("此申请已结案，不能再更改：", "This application is closed: "),
            app_status_words(from, l)
        ),
    )
}

/// What the forms of a case's page send, read into one type in one place: each form sends
/// some of these (a field it does not send is empty; a field sent twice counts once, the first
/// time), and a refused one is shown again with what was typed. A program's checks
/// (`check:CONDITION`) are named by the policy's conditions: they are kept by condition.
#[derive(Default, Debug)]
pub struct CaseForm {
    pub csrf: String,
    /// The case's version the officer saw (a number; anything else is an incomplete form).
    pub seen_version: String,
    pub program: String,
    pub decision: String,
    pub amount: String,
    pub reason: String,
    /// The whole-application decision's note (`None`: not that form).
    pub note: Option<String>,
    /// A step of the procedure (`accept`, `agree`, `sign_off`, …).
    pub action: String,
    pub signed_on: String,
    pub bank: String,
    pub account: String,
    /// An officer's account name (assigning, handing over).
    pub to: String,
    pub handover_reason: String,
    pub finding: String,
    pub finding_note: String,
    /// Materials asked for.
    pub missing: Vec<String>,
    /// References of the cases assigned at once.
    pub case: Vec<String>,
    /// Each condition's check as sent (condition id, check id).
    pub checks: Vec<(String, String)>,
}

impl CaseForm {
    fn read(body: &[u8]) -> CaseForm {
        let v = FormValues::parse(body);
        let text = |name: &str| v.get(name).to_string();
        CaseForm {
            csrf: text("csrf"),
            seen_version: text("seen_version"),
            program: text("program"),
            decision: text("decision"),
            amount: text("amount"),
            reason: text("reason"),
            note: v.0.contains_key("note").then(|| text("note")),
            action: text("action"),
            signed_on: text("signed_on"),
            bank: text("bank"),
            account: text("account"),
            to: text("to"),
            handover_reason: text("handover_reason"),
            finding: text("finding"),
            finding_note: text("finding_note"),
            missing: v.all("missing").to_vec(),
            case: v.all("case").to_vec(),
            checks: v
                .0
                .iter()
                .filter_map(|(k, vs)| {
                    let condition = k.strip_prefix("check:")?;
                    Some((condition.to_string(), vs.first()?.clone()))
                })
                .collect(),
        }
    }

    /// The check sent for `condition` (empty: none).
    pub fn check(&self, condition: &str) -> &str {
        self.checks
            .iter()
            .find(|(c, _)| c == condition)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn seen(&self) -> Option<i64> {
        self.seen_version.parse().ok()
    }
}

/// A reviewer's form: read, its CSRF token checked before anything else, then the role.
fn reviewer_form(s: &Signed, body: &[u8]) -> Result<CaseForm, AuthError> {
    let form = CaseForm::read(body);
    s.check_csrf(&form.csrf)?;
    s.reviewer()?;
    Ok(form)
}

/// A form about a case from a reviewer or a leader (the procedure's rules then say which of
/// them may do what): read, its CSRF token checked first, then the role.
fn case_form(s: &Signed, body: &[u8]) -> Result<CaseForm, AuthError> {
    let form = CaseForm::read(body);
    s.check_csrf(&form.csrf)?;
    s.case_reader()?;
    Ok(form)
}

/// The most parts a console form sends (besides its token).
const MAX_PARTS: usize = 16;

/// One part of a multipart form.
pub(super) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

/// Why a multipart form was not read whole.
pub(super) enum PartsProblem {
    /// A part is larger than its limit.
    TooLarge,
    /// The body broke off.
    Broken,
}

/// Reads a multipart form whose first part is the CSRF token: the token is checked as soon
/// as it arrives, and a part that comes before a valid token is refused unread. `limit`
/// bounds each part by its name.
pub(super) async fn read_parts(
    s: &Signed,
    form: &mut actix_multipart::Multipart,
    limit: impl Fn(&str) -> usize,
) -> Result<Result<Vec<Part>, PartsProblem>, AuthError> {
    let mut csrf_ok = false;
    let mut parts = Vec::new();
    while let Some(field) = form.next().await {
        let Ok(mut field) = field else {
            return Ok(Err(PartsProblem::Broken));
        };
        let name = field.name().unwrap_or_default().to_string();
        if name != "csrf" && !csrf_ok {
            return Err(AuthError::Csrf { api: false });
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let most = limit(&name);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                return Ok(Err(PartsProblem::Broken));
            };
            if data.len() + chunk.len() > most {
                return Ok(Err(PartsProblem::TooLarge));
            }
            data.extend_from_slice(&chunk);
        }
        if name == "csrf" {
            s.check_csrf(&String::from_utf8_lossy(&data))?;
            csrf_ok = true;
        } else if parts.len() >= MAX_PARTS {
            // No form of ours has more: a body of endless small parts is refused.
            return Ok(Err(PartsProblem::TooLarge));
        } else {
            parts.push(Part {
                name,
                file_name,
                data,
            });
        }
    }
    if !csrf_ok {
        return Err(AuthError::Csrf { api: false });
    }
    Ok(Ok(parts))
}

fn no_application() -> HttpResponse {
    super::html::message(
        StatusCode::NOT_FOUND,
        "没有这个申请编号",
        "No application has this reference",
    )
}

fn no_batch() -> HttpResponse {
    super::html::message(
        StatusCode::NOT_FOUND,
        "没有这次批量检查",
        "No such batch check",
    )
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, to.to_string()))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::CaseForm;

    /// A case form reads its fields, lists from repeated keys, the checks by condition, a
    /// field it does not send as empty, and a single field sent twice as the first.
    #[test]
    fn a_case_form_reads_into_its_type() {
        let f = CaseForm::read(
            b"csrf=t&seen_version=3&missing=a&missing=b&check%3Aage=verified&reason=%E7%90%86&other=x",
        );
        assert_eq!(f.csrf, "t");
        assert_eq!(f.seen(), Some(3));
        assert_eq!(f.missing, ["a", "b"]);
        assert_eq!(f.check("age"), "verified");
        assert_eq!(f.check("degree"), "");
        assert_eq!(f.reason, "理");
        assert!(f.note.is_none() && f.decision.is_empty());
        let twice = CaseForm::read(b"csrf=t&decision=approve&decision=refuse");
        assert_eq!(
            (twice.csrf.as_str(), twice.decision.as_str()),
            ("t", "approve")
        );
        assert_eq!(CaseForm::read(b"note=").note.as_deref(), Some(""));
    }
}
