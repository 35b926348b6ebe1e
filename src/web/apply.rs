//! Applicants submitting: "提交申请" on the result page (and `POST /api/v1/applications`) saves
//! the profile, its result and the policy version, and answers with a reference number and an
//! unguessable status link where the applicant follows the review.
//!
//! Invariants: the server assesses again what it saves — a result sent by the browser is never
//! trusted; a submission is acknowledged only after its transaction commits; sending the same
//! form (or the same `Idempotency-Key`) twice saves it once.

use super::AppState;
use super::auth::{self, form_token_ok};
use super::html::{self, language, page};
use super::http::{ApiError, PROFILE_LIMIT, read_body, require_content_type};
use super::pages;
use super::uploads;
use super::view;
use crate::engine::Status;
use crate::input::FormValues;
use crate::input::Lang;
use crate::service::prepare_application;
use crate::store::{AppStatus, Application, Stage, Submitted};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The parts of a saved result that summaries and comparisons use.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredResult {
    pub policy_version: String,
    pub application_date: String,
    pub talent_tier: String,
    /// The tier's names (absent when no tier was reached).
    #[serde(default)]
    pub tier_rule: Option<StoredTier>,
    pub programs: Vec<StoredProgram>,
    pub total: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredTier {
    pub tier_name_zh: String,
    pub tier_name_en: String,
}

impl StoredResult {
    /// The tier in words: its name, or that none was reached.
    pub fn tier_words(&self, lang: Lang) -> String {
        match &self.tier_rule {
            Some(t) => lang.t(&t.tier_name_zh, &t.tier_name_en).to_string(),
            None => lang
                .t("未达到人才层次认定条件", "No talent tier reached")
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredProgram {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: String,
    pub amount: Decimal,
}

impl StoredResult {
    pub fn parse(json: &str) -> Option<StoredResult> {
        serde_json::from_str(json).ok()
    }

    /// The same parts of an assessment made now.
    pub fn of(a: &crate::engine::Assessment<'_>) -> StoredResult {
        StoredResult {
            policy_version: a.version.id.to_string(),
            application_date: a.application_date.to_string(),
            talent_tier: a.tier_id().to_string(),
            tier_rule: a.tier.map(|(t, _)| StoredTier {
                tier_name_zh: t.zh.to_string(),
                tier_name_en: t.en.to_string(),
            }),
            programs: a
                .programs
                .iter()
                .map(|p| StoredProgram {
                    id: p.program.id.to_string(),
                    name_zh: p.program.zh.clone(),
                    name_en: p.program.en.clone(),
                    status: p.status.id().to_string(),
                    amount: p.amount,
                })
                .collect(),
            total: a.total,
        }
    }
}

/// A stored program status in words.
pub fn status_words(id: &str, lang: Lang) -> &'static str {
    [
        Status::Eligible,
        Status::Ineligible,
        Status::NotApplicable,
        Status::Excluded,
    ]
    .into_iter()
    .find(|s| s.id() == id)
    .map_or("?", |s| crate::input::status_label(s, lang))
}

pub fn app_status_words(s: AppStatus, lang: Lang) -> &'static str {
    lang.t(s.zh(), s.en())
}

pub(crate) fn status_url(token: &str) -> String {
    format!("/status/{token}")
}

/// Saves one profile (JSON) as an application.
/// Why a submission was not saved: the answers are not a valid profile, or the service
/// refused it (no database, a reused key).
enum NotSaved {
    Invalid(crate::applicant::InvalidProfile),
    Refused(ApiError),
}

/// Reads, validates and assesses a submission with the policy in force.
fn prepare(
    state: &AppState,
    profile_json: &[u8],
    key: Option<String>,
) -> Result<crate::store::NewApplication, NotSaved> {
    prepare_application(
        &state.snapshot().policy,
        profile_json,
        key,
        crate::privacy::NOTICE_VERSION,
    )
    .map_err(NotSaved::Invalid)
}

/// The API's consent: the `Consent-Notice-Version` header names the notice in force, which
/// the integrating system showed and the applicant agreed to.
fn api_consent(req: &HttpRequest) -> Result<(), ApiError> {
    let sent = req
        .headers()
        .get("Consent-Notice-Version")
        .map(|v| v.to_str().unwrap_or_default());
    let error = match sent {
        None => crate::applicant::FieldError::new(
            "Consent-Notice-Version",
            format!(
                "缺少请求头 Consent-Notice-Version：提交前必须向申请人展示个人信息处理告知（版本 {v}）并取得其同意，再在此请求头中写明该版本",
                v = crate::privacy::NOTICE_VERSION
            ),
            format!(
                "the Consent-Notice-Version header is missing: show the applicant the privacy notice (version {v}), obtain their consent, and name that version in this header",
                v = crate::privacy::NOTICE_VERSION
            ),
        ),
        Some(v) if crate::privacy::is_current(v) => return Ok(()),
        Some(_) => crate::applicant::FieldError::new(
            "Consent-Notice-Version",
            format!(
                "告知版本不是现行版本 {v}：请向申请人展示现行告知（GET /api/v1/privacy-notice）并重新取得同意",
                v = crate::privacy::NOTICE_VERSION
            ),
            format!(
                "this is not the notice in force ({v}): show the applicant the current notice (GET /api/v1/privacy-notice) and obtain their consent again",
                v = crate::privacy::NOTICE_VERSION
            ),
        ),
    };
    Err(ApiError::Invalid(super::http::errors_body(vec![error])))
}

async fn save(state: &AppState, new: crate::store::NewApplication) -> Result<Submitted, NotSaved> {
    let store = state
        .store
        .as_ref()
        .ok_or(NotSaved::Refused(ApiError::Store))?;
    match store.submit(new).await {
        Ok(s) => {
            if s.created {
                state.metrics.applications_saved.inc();
                tracing::info!(reference = %s.reference, "application submitted");
            }
            Ok(s)
        }
        Err(e) => Err(not_saved(e)),
    }
}

/// What the store's refusal of a submission answers: a reused key, or the database.
fn not_saved(e: crate::store::StoreError) -> NotSaved {
    match e {
        crate::store::StoreError::KeyReused => NotSaved::Refused(ApiError::KeyReused),
        e => {
            tracing::error!(error = %e, "saving an application failed");
            NotSaved::Refused(ApiError::Store)
        }
    }
}

/// The largest form a submission sends without files.
const FORM_LIMIT: usize = 256 * 1024;

/// Saves a submission with the files it brought: their hashes join the request's (so an
/// idempotency key binds the files too), and a request sent again under its key is answered
/// with the application saved first, keeping no file a second time.
async fn save_with_files(
    state: &AppState,
    mut new: crate::store::NewApplication,
    files: &mut [uploads::Spooled],
) -> Result<Submitted, NotSaved> {
    if files.is_empty() {
        return save(state, new).await;
    }
    let store = state
        .store
        .as_ref()
        .ok_or(NotSaved::Refused(ApiError::Store))?;
    let mut hashed = new.request_hash.clone();
    for f in files.iter() {
        hashed.push_str(&f.upload.material);
        hashed.push_str(&f.upload.sha256);
    }
    new.request_hash = crate::secrets::sha256_hex(hashed);
    if let Some(key) = &new.idempotency_key
        && let Some(s) = store
            .submitted_under(key, &new.request_hash)
            .await
            .map_err(not_saved)?
    {
        return Ok(s);
    }
    new.uploads = uploads::keep(store, files)
        .await
        .map_err(|r| NotSaved::Refused(files_error(&r)))?;
    save(state, new).await
}

fn files_error(r: &uploads::Refused) -> ApiError {
    let (zh, en) = r.words();
    ApiError::Files(r.status(), zh, en)
}

fn refused_page(r: &uploads::Refused) -> HttpResponse {
    if matches!(r, uploads::Refused::Token) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let (zh, en) = r.words();
    html::message(r.status(), &zh, &en)
}

/// A page's form: multipart with files (the form token checked before the first file is
/// read), or a plain form. `Err` is the page that refuses it.
async fn page_form(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
    stage: Stage,
) -> Result<(web::Bytes, Vec<uploads::Spooled>), HttpResponse> {
    // Without the form's cookie no token can be right: refused before the body is read.
    if !auth::has_form_cookie(req) {
        return Err(actix_web::ResponseError::error_response(
            &auth::AuthError::Csrf { api: false },
        ));
    }
    if uploads::is_multipart(req) {
        let token_ok = |got: &uploads::Received| {
            form_token_ok(req, got.field("form_token").unwrap_or_default())
        };
        let materials = uploads::material_ids(state);
        match uploads::receive(state, req, payload, stage, &materials, Some(&token_ok)).await {
            Ok(got) => Ok((web::Bytes::from(got.form_bytes()), got.files)),
            Err(r) => Err(refused_page(&r)),
        }
    } else {
        match read_body(payload, FORM_LIMIT).await {
            Ok(b) => Ok((b, Vec::new())),
            Err(e) => Err(actix_web::ResponseError::error_response(&e)),
        }
    }
}

/// The result page's "submit application" (with the materials' files, multipart, or without,
/// as a plain form): saves, then shows the status page.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "multipart/form-data", description = "The result page's answers, its form token and submission key, then files as `material:ID` parts (PDF, JPEG, PNG); a plain form without files is also taken"), responses((status = 303, description = "Saved: to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 413, description = "A file or the files together are too large", content_type = "text/html", body = String), (status = 422, description = "The answers are not valid, or a file is not an accepted kind", content_type = "text/html", body = String)))]
#[post("/applications")]
pub async fn submit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let (body, mut files) = match page_form(&req, &state, payload, Stage::Application).await {
        Ok(got) => got,
        Err(refused) => return refused,
    };
    let values = FormValues::parse(&body);
    let lang = language(&req, Some(&values));
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    if values.get("consent") != "1" || !crate::privacy::is_current(values.get("notice_version")) {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "同意个人信息处理：提交申请前请阅读个人信息处理告知，并勾选同意处理您的敏感个人信息；请返回结果页勾选后再提交",
            "Consent to processing: before applying, read the privacy notice and tick your consent to the processing of your sensitive personal information; go back to the result, tick it and submit again",
        );
    }
    let json = crate::input::to_profile_json(&values).to_string();
    // The key is the visitor's own: bound to their form cookie, so nobody else's key (seen in
    // a page source, say) can fetch their application.
    let key = Some(values.get("submission_key"))
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|k| {
            let scope = format!("{}:{k}", values.get("form_token"));
            format!("form:{}", crate::secrets::sha256_hex(scope))
        });
    let saved = match prepare(&state, json.as_bytes(), key) {
        // Nothing payable: the applicant confirms they still want to apply (the page asks).
        Ok(new) if new.total.is_zero() && values.get("confirm_nothing") != "1" => {
            return html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "目前测算合计为 ¥0：如仍要提交，请返回结果页勾选确认后再提交",
                "The estimate is ¥0: to apply all the same, go back to the result and tick the confirmation",
            );
        }
        Ok(new) => save_with_files(&state, new, &mut files).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(s) if !s.status_token.is_empty() => HttpResponse::SeeOther()
            .insert_header((LOCATION, status_url(&s.status_token)))
            .finish(),
        // Sent before, and its link replaced since (an officer made a new one): the link is
        // not stored, so it cannot be shown again.
        Ok(s) => html::message(
            StatusCode::OK,
            &format!(
                "这份申请已经提交，编号 {}；查看链接已在首次提交时给出，如已遗失请联系园区人才办",
                s.reference
            ),
            &format!(
                "This application was submitted already, reference {}; its status link was given when it was first sent — if it is lost, contact the talent office",
                s.reference
            ),
        ),
        Err(NotSaved::Invalid(invalid)) => page(
            &pages::form_page(&state, &values, &invalid.errors, lang.lang),
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
        ),
        Err(NotSaved::Refused(ApiError::KeyReused)) => html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "这份表单已经提交过另一组答案：请返回修改答案页面，重新测算后再提交",
            "This form was already submitted with other answers: go back to your answers, check again and submit from the new result",
        ),
        Err(NotSaved::Refused(ApiError::Files(status, zh, en))) => html::message(status, &zh, &en),
        Err(_) => html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法保存申请，请稍后再试；您的答案没有丢失，可返回上一页重新提交",
            "The application could not be saved just now. Your answers are not lost: go back and submit again",
        ),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmittedDoc {
    /// `SXT-2026-000123`
    pub reference: String,
    pub status: String,
    /// The applicant's status link (keep it private: whoever has it sees the status). Only
    /// in the first answer (201): the service keeps a hash of it, never the link, and a
    /// replayed request (200) does not prove it comes from the same client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    /// The secret of the status link, for `GET /api/v1/status/{token}` (first answer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_token: Option<String>,
}

/// Submits a profile as an application. Send the same `Idempotency-Key` again to get the
/// first answer back instead of a second application.
#[utoipa::path(
    tag = "applications",
    request_body(content(
        (super::schema::ProfileDoc = "application/json"),
        (super::schema::ApplicationFilesDoc = "multipart/form-data")
    )),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 100 characters. The same key with the same body returns the application saved first (200: its reference and status, without the status link, which only the first answer carries); with a different body it is refused (422)"),
        ("Consent-Notice-Version" = super::schema::NoticeVersionDoc, Header, description = "The version of the privacy notice (GET /api/v1/privacy-notice) the integrating system showed the applicant, who consented to the processing of their sensitive personal information. Missing or not the notice in force: 422")
    ),
    responses(
        (status = 201, description = "Saved", body = SubmittedDoc),
        (status = 200, description = "Saved before under the same Idempotency-Key (without the status link)", body = SubmittedDoc),
        (status = 400, description = "Not JSON (an application/json body), or a multipart body cut off", body = super::schema::ErrorsDoc),
        (status = 422, description = "Not a valid profile, no consent (Consent-Notice-Version missing or not the notice in force), or an Idempotency-Key already used with a different body", body = super::schema::ErrorsDoc),
        (status = 413, description = "The profile is larger than 64 KiB, a file larger than the file limit (10 MB by default) or the files together larger than the total limit (50 MB)", body = super::schema::ErrorsDoc),
        (status = 415, description = "The body is neither application/json nor multipart/form-data", body = super::schema::ErrorsDoc),
        (status = 429, description = "Too many submissions from this address (Retry-After)", body = super::schema::ErrorsDoc),
        (status = 503, description = "The database is not available", body = super::schema::ErrorsDoc)
    )
)]
#[post("/api/v1/applications")]
pub async fn submit_api(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    api_consent(&req)?;
    let multipart = uploads::is_multipart(&req);
    let (body, mut files) = if multipart {
        let materials = uploads::material_ids(&state);
        let got = uploads::receive(&state, &req, payload, Stage::Application, &materials, None)
            .await
            .map_err(|r| files_error(&r))?;
        let profile = got.field("profile").ok_or_else(|| {
            ApiError::Invalid(super::http::errors_body(vec![
                crate::applicant::FieldError::new(
                    "profile",
                    "缺少名为 profile 的部分（申请的 JSON）",
                    "the part named profile (the application's JSON) is missing",
                ),
            ]))
        })?;
        if profile.len() > PROFILE_LIMIT {
            return Err(ApiError::TooLarge(PROFILE_LIMIT));
        }
        (web::Bytes::from(profile.to_string()), got.files)
    } else {
        require_content_type(&req, &["application/json", "multipart/form-data"])?;
        (read_body(payload, PROFILE_LIMIT).await?, Vec::new())
    };
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("api:{}", k.chars().take(100).collect::<String>()));
    let saved = match prepare(&state, &body, key) {
        Ok(new) => save_with_files(&state, new, &mut files).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(s) => {
            let status = if s.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            // The link goes only with the first answer: the key alone does not show that a
            // replay comes from the client that sent it.
            let link = Some(s.status_token).filter(|t| s.created && !t.is_empty());
            Ok(HttpResponse::build(status).json(SubmittedDoc {
                reference: s.reference,
                status: AppStatus::Submitted.id().into(),
                status_url: link.as_deref().map(status_url),
                status_token: link,
            }))
        }
        Err(NotSaved::Refused(e)) => Err(e),
        Err(NotSaved::Invalid(invalid)) => {
            let errors = serde_json::to_vec(&invalid).unwrap_or_default();
            // A multipart body that arrived whole is well-formed: a `profile` part that is not
            // JSON is an invalid value in it (422), as in a form.
            match crate::service::refusal(&body) {
                crate::service::Outcome::NotJson if !multipart => Err(ApiError::Malformed(errors)),
                _ => Err(ApiError::Invalid(errors)),
            }
        }
    }
}

async fn by_token(state: &AppState, token: &str) -> Result<Application, ApiError> {
    let store = state.store.as_ref().ok_or(ApiError::Store)?;
    match store.application_by_token(token).await {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(ApiError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, "reading an application failed");
            Err(ApiError::Store)
        }
    }
}

#[derive(Template)]
#[template(path = "status.html")]
pub struct StatusPage {
    pub lang: Lang,
    pub reference: String,
    pub submitted_at: String,
    pub status: &'static str,
    pub status_id: &'static str,
    pub note: String,
    pub policy_version: String,
    pub tier: String,
    pub programs: Vec<(String, &'static str, String)>,
    pub total: String,
    /// This page's full address, to keep.
    pub link: String,
    /// While more information is requested: the form token for the reply (the page sets its
    /// cookie).
    pub reply_token: Option<String>,
    pub reply_action: String,
    /// While the applicant may withdraw: the form token for it.
    pub withdraw_token: Option<String>,
    pub withdraw_action: String,
    pub withdrawn: bool,
    /// The privacy notice the applicant consented to (empty for older applications).
    pub notice_version: String,
    /// The materials asked for: (upload field id, name).
    pub missing: Vec<(String, String)>,
    /// The files the applicant sent: (link, material, file name, size, when).
    pub files: Vec<FileLine>,
    /// The decision on each program decided so far: (program, words).
    pub decisions: Vec<(String, String)>,
    /// Payments scheduled for approved programs.
    pub payments: Vec<PaymentLine>,
    pub file_mb: u64,
    pub total_mb: u64,
}

/// One file in a list.
pub struct FileLine {
    pub href: String,
    pub material: String,
    pub name: String,
    pub size: String,
    pub at: String,
    pub supplement: bool,
}

/// One scheduled payment, as the applicant and the console show it.
pub struct PaymentLine {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub program: String,
    pub amount: String,
    pub trigger: String,
    pub due: String,
    pub paid: bool,
    pub state: String,
}

impl PaymentLine {
    pub fn of(p: &crate::store::Payment, program: String, lang: Lang) -> PaymentLine {
        PaymentLine {
            id: p.id,
            reference: p.reference.clone(),
            name: p.applicant_name.clone(),
            program,
            amount: view::yuan(&p.amount),
            trigger: lang.t(&p.trigger_zh, &p.trigger_en).to_string(),
            due: due_words(p, lang),
            paid: p.paid,
            state: if p.paid {
                format!(
                    "{} {}",
                    paid_words(p, lang),
                    p.paid_on.clone().unwrap_or_default()
                )
            } else {
                paid_words(p, lang).to_string()
            },
        }
    }
}

/// When a payment falls due: its date, or that it waits for its trigger.
pub fn due_words(p: &crate::store::Payment, lang: Lang) -> String {
    p.due_on.clone().unwrap_or_else(|| {
        lang.t("待触发条件达成", "When its trigger happens")
            .to_string()
    })
}

/// 已拨付 or 待拨付.
pub fn paid_words(p: &crate::store::Payment, lang: Lang) -> &'static str {
    if p.paid {
        lang.t("已拨付", "Paid")
    } else {
        lang.t("待拨付", "To pay")
    }
}

/// A file size in words: "1.4 MB", "820 KB".
pub fn size_words(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The files of an application as list lines, linked under `base` (`…/files/ID`).
pub fn file_lines(
    state: &AppState,
    files: &[crate::store::Upload],
    base: &str,
    lang: Lang,
) -> Vec<FileLine> {
    files
        .iter()
        .map(|f| FileLine {
            href: format!("{base}/files/{}", f.id),
            material: uploads::material_name(state, &f.material, lang),
            name: f.file_name.clone(),
            size: size_words(f.size),
            at: view::short_time(&f.created_at),
            supplement: f.supplement,
        })
        .collect()
}

/// A program decision in words.
pub fn decision_text(d: &crate::store::DecisionRow, lang: Lang) -> String {
    if !d.approved {
        format!("{}{}{}", lang.t("不予批准：", "Refused: "), d.reason, "")
    } else if d.amount < d.assessed {
        format!(
            "{} {}{}{}{}",
            lang.t("批准", "Approved"),
            view::yuan(&d.amount),
            lang.open(),
            d.reason,
            lang.close()
        )
    } else {
        format!("{} {}", lang.t("批准", "Approved"), view::yuan(&d.amount))
    }
}

/// The page for a status link that names no application.
fn no_such_link() -> HttpResponse {
    html::message(
        StatusCode::NOT_FOUND,
        "没有找到这份申请：请检查链接是否完整",
        "No application has this link: check that it was copied whole",
    )
}

/// The applicant's status page (the link is the secret).
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), responses((status = 200, description = "Where the application stands", content_type = "text/html", body = String), (status = 404, description = "No such application")))]
#[get("/status/{token}")]
pub async fn status_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    let lang = language(&req, None);
    let a = match by_token(&state, &token).await {
        Ok(a) => a,
        Err(ApiError::NotFound) => return no_such_link(),
        Err(_) => {
            return html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法查询，请稍后再试",
                "The status cannot be read just now; try again shortly",
            );
        }
    };
    let s = &a.summary;
    let result = StoredResult::parse(&a.result);
    let l = lang.lang;
    let programs = result
        .as_ref()
        .map(|r| {
            r.programs
                .iter()
                .map(|p| {
                    (
                        l.t(&p.name_zh, &p.name_en).to_string(),
                        status_words(&p.status, l),
                        view::yuan(&p.amount),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // The status page's forms (a reply, a withdrawal) carry the cookie-bound form token.
    let (form_token, cookie) = if s.status.can_withdraw() {
        let (t, c) = auth::form_token(&req, state.secure_cookies);
        (Some(t), c)
    } else {
        (None, None)
    };
    let reply_token = form_token
        .clone()
        .filter(|_| s.status == AppStatus::MoreInfo);
    let Some(store) = state.store.as_ref() else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法查询，请稍后再试",
            "The status cannot be read just now; try again shortly",
        );
    };
    let casework = async {
        let files = store.uploads(s.id).await?;
        let decisions = store.decisions(s.id).await?;
        let payments = store
            .payments(&crate::store::PaymentFilter {
                application_id: Some(s.id),
                ..Default::default()
            })
            .await?;
        Ok::<_, crate::store::StoreError>((files, decisions, payments))
    }
    .await;
    let Ok((files, decisions, payments)) = casework else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法查询，请稍后再试",
            "The status cannot be read just now; try again shortly",
        );
    };
    let program_name = |id: &str| {
        result
            .as_ref()
            .and_then(|r| r.programs.iter().find(|p| p.id == id))
            .map_or_else(
                || l.t("其他项目", "Another program").to_string(),
                |p| l.t(&p.name_zh, &p.name_en).to_string(),
            )
    };
    let missing = s
        .missing_materials
        .iter()
        .map(|m| (m.clone(), uploads::material_name(&state, m, l)))
        .collect();
    let mut resp = page(
        &StatusPage {
            missing,
            files: file_lines(&state, &files, &status_url(&token), l),
            decisions: decisions
                .iter()
                .map(|d| (program_name(&d.program), decision_text(d, l)))
                .collect(),
            payments: payments
                .iter()
                .map(|p| PaymentLine::of(p, program_name(&p.program), l))
                .collect(),
            file_mb: state.settings.upload_file_limit.div_ceil(1024 * 1024),
            total_mb: state.settings.upload_total_limit.div_ceil(1024 * 1024),
            reply_token,
            reply_action: format!("{}/reply", status_url(&token)),
            // Withdrawal: while nothing, not even one program, is decided.
            withdraw_token: form_token.filter(|_| decisions.is_empty()),
            withdraw_action: format!("{}/withdraw", status_url(&token)),
            withdrawn: s.status == AppStatus::Withdrawn,
            notice_version: s.notice_version.clone(),
            link: format!(
                "{}{}",
                super::guard::public_origin(&req, &state.settings.trusted_proxies),
                req.path()
            ),
            lang: l,
            reference: s.reference.clone(),
            submitted_at: view::short_time(&s.submitted_at),
            status: app_status_words(s.status, l),
            status_id: s.status.id(),
            note: s.note.clone(),
            policy_version: s.policy_version.clone(),
            tier: result
                .as_ref()
                .map_or_else(|| s.tier.clone(), |r| r.tier_words(l)),
            programs,
            total: view::yuan(&s.total),
        },
        StatusCode::OK,
        lang,
    );
    if let Some(c) = cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

/// The applicant withdraws the application through the status link while nothing is decided
/// (PIPL art. 15: consent withdrawn); a reason is optional. Its personal information is then
/// erased after the withdrawn retention period.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "form_token, confirm=1, reason (optional)"), responses((status = 303, description = "Withdrawn: back to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 404, description = "No such application"), (status = 409, description = "The application is decided (or partly) and can no longer be withdrawn", content_type = "text/html", body = String), (status = 422, description = "Not confirmed, or the reason too long", content_type = "text/html", body = String)))]
#[post("/status/{token}/withdraw")]
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = FormValues::parse(&body);
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let reason = values.get("reason").trim();
    if values.get("confirm") != "1" {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "撤回申请：请勾选确认后再提交（撤回后不能恢复，如需申请须重新提交）",
            "Withdraw: tick the confirmation first (a withdrawal cannot be undone; to apply again, submit anew)",
        );
    }
    if reason.chars().count() > crate::web::officer::NOTE_LIMIT
        || crate::applicant::unsafe_text(reason, true).is_some()
    {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "撤回原因：最多 2000 字，不含控制字符",
            "Reason: at most 2,000 characters, no control characters",
        );
    }
    let Some(store) = state.store.as_ref() else {
        return html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法撤回，请稍后再试",
            "The application cannot be withdrawn just now; try again shortly",
        );
    };
    let done = store.withdraw(&token, reason).await;
    if done.is_ok() {
        tracing::info!("an applicant withdrew an application");
    }
    status_link_outcome(
        done,
        &token,
        (
            "这份申请已有审核结论（或部分结论），不能再撤回；如有疑问请联系园区人才办",
            "This application is decided (at least in part) and can no longer be withdrawn; contact the talent office with any question",
        ),
        (
            "暂时无法撤回，请稍后再试",
            "The application cannot be withdrawn just now; try again shortly",
        ),
    )
}

/// What an applicant's action through the status link answers: back to the status page once
/// saved; 404 for a link that is not there; 409 (`conflict`, in both languages) when the
/// application no longer allows it; 503 (`unavailable`) when the database failed.
fn status_link_outcome(
    done: Result<(), crate::store::DecideError>,
    token: &str,
    conflict: (&str, &str),
    unavailable: (&str, &str),
) -> HttpResponse {
    use crate::store::DecideError;
    match done {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((LOCATION, status_url(token)))
            .finish(),
        Err(DecideError::NotFound) => no_such_link(),
        Err(DecideError::NotAllowed(..) | DecideError::Changed(..)) => {
            html::message(StatusCode::CONFLICT, conflict.0, conflict.1)
        }
        Err(DecideError::Store(e)) => {
            tracing::error!(error = %e, "saving an applicant's action failed");
            html::message(
                StatusCode::SERVICE_UNAVAILABLE,
                unavailable.0,
                unavailable.1,
            )
        }
    }
}

/// The applicant's reply to a request for more information, through the status link: a
/// text, files, or both; the application goes back to review and the reply enters the audit
/// log.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret")), request_body(content = String, content_type = "multipart/form-data", description = "form_token, reply, then files as `material:ID` parts (a plain form with form_token and reply is also taken)"), responses((status = 303, description = "Sent: back to the status page"), (status = 403, description = "The form token is missing or wrong"), (status = 404, description = "No such application"), (status = 409, description = "The application is not waiting for more information"), (status = 413, description = "A file or the files together are too large", content_type = "text/html", body = String), (status = 422, description = "Nothing sent, the reply too long, or a file not an accepted kind", content_type = "text/html", body = String)))]
#[post("/status/{token}/reply")]
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    const NOT_WAITING: (&str, &str) = (
        "这份申请目前不需要补充材料",
        "This application is not waiting for more information",
    );
    const UNAVAILABLE: (&str, &str) = (
        "暂时无法提交，请稍后再试",
        "The reply cannot be sent just now; try again shortly",
    );
    let unavailable = || {
        html::message(
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE.0,
            UNAVAILABLE.1,
        )
    };
    // The link and the application's status are checked before a byte of the body is read
    // (and so before any file is stored).
    match by_token(&state, &token).await {
        Ok(a) if a.summary.status == AppStatus::MoreInfo => {}
        Ok(_) => return html::message(StatusCode::CONFLICT, NOT_WAITING.0, NOT_WAITING.1),
        Err(ApiError::NotFound) => return no_such_link(),
        Err(_) => return unavailable(),
    }
    let (body, mut files) = match page_form(&req, &state, payload, Stage::Supplement).await {
        Ok(got) => got,
        Err(refused) => return refused,
    };
    let values = FormValues::parse(&body);
    if !form_token_ok(&req, values.get("form_token")) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let text = values.get("reply").trim();
    if (text.is_empty() && files.is_empty())
        || text.chars().count() > crate::web::officer::NOTE_LIMIT
        || crate::applicant::unsafe_text(text, true).is_some()
    {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "回复：请写明补充的情况或上传材料（文字最多 2000 字，不含控制字符）",
            "Reply: say what you are adding or upload the material (at most 2,000 characters, no control characters)",
        );
    }
    let Some(store) = state.store.as_ref() else {
        return unavailable();
    };
    let ids = match uploads::keep(store, &mut files).await {
        Ok(ids) => ids,
        Err(r) => return refused_page(&r),
    };
    let done = store.reply(&token, text, &ids).await;
    if done.is_ok() {
        tracing::info!(
            files = ids.len(),
            "an applicant replied to a request for more information"
        );
    }
    status_link_outcome(done, &token, NOT_WAITING, UNAVAILABLE)
}

/// One of the applicant's own files, through their status link; anyone else's is not found.
#[utoipa::path(tag = "pages", params(("token" = String, Path, description = "The status link's secret"), ("file" = String, Path, description = "The file's id, from the status page")), responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = String), (status = 404, description = "No such file for this application")))]
#[get("/status/{token}/files/{file}")]
pub async fn status_file(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (token, file) = path.into_inner();
    let not_found = || html::message(StatusCode::NOT_FOUND, "没有找到这个文件", "No such file");
    let a = match by_token(&state, &token).await {
        Ok(a) => a,
        Err(ApiError::NotFound) => return not_found(),
        Err(e) => return actix_web::ResponseError::error_response(&e),
    };
    let Some(store) = state.store.as_ref() else {
        return not_found();
    };
    match store.upload(a.summary.id, &file).await {
        Ok(Some(u)) => uploads::download(store, u),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading an upload failed");
            actix_web::ResponseError::error_response(&ApiError::Store)
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusDoc {
    pub reference: String,
    pub submitted_at: String,
    /// submitted, more_info, partial (some programs approved), closed (every program
    /// decided), approved or rejected (decided as a whole)
    pub status: String,
    /// The officer's note with the latest decision.
    pub note: String,
    pub policy_version: String,
    pub talent_tier: String,
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// Where an application stands, for the holder of its status link.
#[utoipa::path(tag = "applications", params(("token" = String, Path, description = "The status link's secret")), responses((status = 200, description = "The status", body = StatusDoc), (status = 404, description = "No such application", body = super::schema::ErrorsDoc)))]
#[get("/api/v1/status/{token}")]
pub async fn status_api(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let a = by_token(&state, &token).await?;
    let s = a.summary;
    Ok(HttpResponse::Ok().json(StatusDoc {
        reference: s.reference,
        submitted_at: s.submitted_at,
        status: s.status.id().into(),
        note: s.note,
        policy_version: s.policy_version,
        talent_tier: s.tier,
        total: s.total,
    }))
}
