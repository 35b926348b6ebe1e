//! The privacy notice: the page people read (`/privacy`) and the same notice as data for
//! systems that submit through the API (`GET /api/v1/privacy-notice`), which must show it and
//! obtain the applicant's consent before sending `Consent-Notice-Version`.

use super::AppState;
use super::html::{language, page};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use app::privacy::{NOTICE_VERSION, NoticePart, notice};
use askama::Template;
use rules::input::Lang;

#[derive(Template)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub lang: Lang,
    pub version: &'static str,
    pub parts: Vec<NoticePart>,
}

/// The privacy notice in force, in the visitor's language.
#[utoipa::path(tag = "pages", responses((status = 200, description = "The privacy notice", content_type = "text/html", body = String)))]
#[get("/privacy")]
pub async fn privacy_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lang = language(&req, None);
    page(
        &PrivacyPage {
            lang: lang.lang,
            version: NOTICE_VERSION,
            parts: notice(state.settings.retention()),
        },
        StatusCode::OK,
        lang,
    )
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NoticeDoc {
    /// What `Consent-Notice-Version` names when the applicant has agreed to this notice.
    pub version: &'static str,
    /// Who processes, why, what, how long, the applicant's rights, whom to ask.
    pub parts: Vec<NoticePart>,
    /// Years a decided application's personal information is kept.
    pub retention_decided_years: u32,
    /// Days a withdrawn application's personal information is kept.
    pub retention_withdrawn_days: u32,
}

/// The privacy notice in force, in both languages: show it to the applicant and obtain their
/// consent before submitting on their behalf.
#[utoipa::path(tag = "applications", responses((status = 200, description = "The notice in force", body = NoticeDoc)))]
#[get("/api/v1/privacy-notice")]
pub async fn privacy_api(state: web::Data<AppState>) -> HttpResponse {
    let r = state.settings.retention();
    HttpResponse::Ok().json(NoticeDoc {
        version: NOTICE_VERSION,
        parts: notice(r),
        retention_decided_years: r.decided_years,
        retention_withdrawn_days: r.withdrawn_days,
    })
}
