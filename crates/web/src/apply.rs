//! Applicants submitting: "提交申请" on the result page (and `POST /api/v1/applications`) saves
//! the profile, its result and the policy version, and answers with a reference number and an
//! unguessable status link where the applicant follows the review.
//!
//! Invariants: the server assesses again what it saves — a result sent by the browser is never
//! trusted; a submission is acknowledged only after its transaction commits; sending the same
//! form (or the same `Idempotency-Key`) twice saves it once.

use super::AppState;
use super::auth::{self, form_token_ok};
use super::case_view::status_url;
use super::html::{self, language, page};
use super::http::{ApiError, PROFILE_LIMIT, read_body, require_content_type};
use super::pages;
use super::uploads;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use app::service::{Prepared, prepare_application, read_declined};
use rules::Msg;
use rules::input::FormValues;
use serde::Serialize;
use store::{AppStatus, Stage, Submitted};

/// Saves one profile (JSON) as an application.
/// Why a submission was not saved: the answers are not a valid profile, or the service
/// refused it (no database, a reused key).
enum NotSaved {
    Invalid(rules::applicant::InvalidProfile),
    Refused(ApiError),
}

/// Reads, validates and assesses a submission with the policy in force.
fn prepare(
    state: &AppState,
    profile_json: &[u8],
    key: Option<String>,
    declined: &[String],
) -> Result<Prepared, NotSaved> {
    prepare_application(
        &state.snapshot().policy,
        profile_json,
        key,
        app::privacy::NOTICE_VERSION,
        declined,
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
        None => rules::applicant::FieldError::new(
            "Consent-Notice-Version",
            format!(
                "缺少请求头 Consent-Notice-Version：提交前必须向申请人展示个人信息处理告知（版本 {v}）并取得其同意，再在此请求头中写明该版本",
                v = app::privacy::NOTICE_VERSION
            ),
            format!(
                "the Consent-Notice-Version header is missing: show the applicant the privacy notice (version {v}), obtain their consent, and name that version in this header",
                v = app::privacy::NOTICE_VERSION
            ),
        ),
        Some(v) if app::privacy::is_current(v) => return Ok(()),
        Some(_) => rules::applicant::FieldError::new(
            "Consent-Notice-Version",
            format!(
                "告知版本不是现行版本 {v}：请向申请人展示现行告知（GET /api/v1/privacy-notice）并重新取得同意",
                v = app::privacy::NOTICE_VERSION
            ),
            format!(
                "this is not the notice in force ({v}): show the applicant the current notice (GET /api/v1/privacy-notice) and obtain their consent again",
                v = app::privacy::NOTICE_VERSION
            ),
        ),
    };
    Err(ApiError::Invalid(super::http::errors_body(vec![error])))
}

/// The API's contact details: the optional `Applicant-Mobile`, `Applicant-Email` and
/// `Applicant-Send-Link: true` headers, checked as the form's fields are.
fn api_contact(req: &HttpRequest) -> Result<store::Contact, ApiError> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("\u{fffd}").to_string())
            .unwrap_or_default()
    };
    app::messages::read_contact(
        &header("Applicant-Mobile"),
        &header("Applicant-Email"),
        header("Applicant-Send-Link").eq_ignore_ascii_case("true"),
    )
    .map_err(|errors| {
        let name = |f: &str| match f {
            "contact_mobile" => "Applicant-Mobile",
            "contact_email" => "Applicant-Email",
            _ => "Applicant-Send-Link",
        };
        ApiError::Invalid(super::http::errors_body(
            errors
                .into_iter()
                .map(|e| rules::applicant::FieldError {
                    field: name(&e.field).to_string(),
                    ..e
                })
                .collect(),
        ))
    })
}

/// The API's programs left out: the optional `Declined-Programs` header, program ids separated
/// by commas (each one the applicant chose not to apply for).
fn api_declined(req: &HttpRequest, state: &AppState) -> Result<Vec<String>, ApiError> {
    const HEADER: &str = "Declined-Programs";
    let raw = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"))
        .unwrap_or_default();
    let ids: Vec<&str> = raw.split(',').collect();
    read_declined(&state.snapshot().policy, &ids, HEADER)
        .map_err(|invalid| ApiError::Invalid(super::http::errors_body(invalid.errors)))
}

async fn save(state: &AppState, prepared: Prepared) -> Result<Submitted, NotSaved> {
    let store = state
        .store
        .as_ref()
        .ok_or(NotSaved::Refused(ApiError::Store))?;
    match store.submit(prepared.application).await {
        Ok(s) => {
            if s.created {
                // Its answers as the prior's buckets (nothing of the person).
                state.count_seen(prepared.seen);
                state.metrics.applications_saved.inc();
                tracing::info!(reference = %s.reference, "application submitted");
            }
            Ok(s)
        }
        Err(e) => Err(not_saved(e)),
    }
}

/// What the store's refusal of a submission answers: a reused key, or the database.
fn not_saved(e: store::StoreError) -> NotSaved {
    match e {
        store::StoreError::KeyReused => NotSaved::Refused(ApiError::KeyReused),
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
    mut prepared: Prepared,
    files: &mut [uploads::Spooled],
) -> Result<Submitted, NotSaved> {
    if files.is_empty() {
        return save(state, prepared).await;
    }
    let new = &mut prepared.application;
    let store = state
        .store
        .as_ref()
        .ok_or(NotSaved::Refused(ApiError::Store))?;
    let mut hashed = new.request_hash.clone();
    for f in files.iter() {
        hashed.push_str(&f.upload.material);
        hashed.push_str(&f.upload.sha256);
    }
    new.request_hash = store::secrets::sha256_hex(hashed);
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
    save(state, prepared).await
}

fn files_error(r: &uploads::Refused) -> ApiError {
    let Msg { zh, en } = r.words();
    ApiError::Files(r.status(), zh, en)
}

pub(crate) fn refused_page(r: &uploads::Refused) -> HttpResponse {
    if matches!(r, uploads::Refused::Token) {
        return actix_web::ResponseError::error_response(&auth::AuthError::Csrf { api: false });
    }
    let m = r.words();
    html::message(r.status(), &m.zh, &m.en)
}

/// A page's form: multipart with files (the form token checked before the first file is
/// read), or a plain form. `Err` is the page that refuses it.
pub(crate) async fn page_form(
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
    if values.get("consent") != "1" || !app::privacy::is_current(values.get("notice_version")) {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "同意个人信息处理：提交申请前请阅读个人信息处理告知，并勾选同意处理您的敏感个人信息；请返回结果页勾选后再提交",
            "Consent to processing: before applying, read the privacy notice and tick your consent to the processing of your sensitive personal information; go back to the result, tick it and submit again",
        );
    }
    let contact = match app::messages::read_contact(
        values.get("contact_mobile"),
        values.get("contact_email"),
        values.get("contact_link") == "1",
    ) {
        Ok(c) => c,
        Err(errors) => {
            let zh: Vec<&str> = errors.iter().map(|e| e.message_zh.as_str()).collect();
            let en: Vec<&str> = errors.iter().map(|e| e.message_en.as_str()).collect();
            return html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{}；请返回结果页改正后再提交", zh.join("；")),
                &format!(
                    "{}. Go back to the result, correct it and submit again",
                    en.join("; ")
                ),
            );
        }
    };
    let json = rules::input::to_profile_json(&values).to_string();
    // The key is the visitor's own: bound to their form cookie, so nobody else's key (seen in
    // a page source, say) can fetch their application.
    let key = Some(values.get("submission_key"))
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|k| {
            let scope = format!("{}:{k}", values.get("form_token"));
            format!("form:{}", store::secrets::sha256_hex(scope))
        });
    let choice = super::choice::Choice::of(&values);
    if choice.none_chosen() {
        return html::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "没有勾选要申请的项目：请返回结果页，在“申请的项目”中至少勾选一个后再提交",
            "No program is ticked: go back to the result, tick at least one under \"Programs to apply for\" and submit again",
        );
    }
    let declined = match read_declined(&state.snapshot().policy, &choice.declined(), "apply_for") {
        Ok(d) => d,
        Err(invalid) => {
            let words = |l| app::batch::errors_in_words(&invalid.errors, l);
            return html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &words(rules::input::Lang::Zh),
                &words(rules::input::Lang::En),
            );
        }
    };
    let saved = match prepare(&state, json.as_bytes(), key, &declined) {
        // Nothing payable: the applicant confirms they still want to apply (the page asks).
        Ok(p) if p.application.total.is_zero() && values.get("confirm_nothing") != "1" => {
            return html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "目前测算合计为 ¥0：如仍要提交，请返回结果页勾选确认后再提交",
                "The estimate is ¥0: to apply all the same, go back to the result and tick the confirmation",
            );
        }
        Ok(mut prepared) => {
            prepared.application.contact = contact;
            save_with_files(&state, prepared, &mut files).await
        }
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
    /// in the first answer (201): the service keeps a hash of it (and, sealed, the link only
    /// when `Applicant-Send-Link: true` asked for it in messages), and a
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
        ("Consent-Notice-Version" = super::schema::NoticeVersionDoc, Header, description = "The version of the privacy notice (GET /api/v1/privacy-notice) the integrating system showed the applicant, who consented to the processing of their sensitive personal information. Missing or not the notice in force: 422"),
        ("Applicant-Mobile" = Option<String>, Header, description = "Optional: a mainland mobile number to text the applicant at when their application moves (11 digits from 1)"),
        ("Applicant-Email" = Option<String>, Header, description = "Optional: an e-mail address to write to when the application moves"),
        ("Applicant-Send-Link" = Option<String>, Header, description = "`true`: messages may carry the status link (only to the number or address given here)"),
        ("Declined-Programs" = Option<String>, Header, description = "Program ids separated by commas that the applicant does not apply for: each whose conditions hold is saved as `declined` at 0 and not reviewed, and the others are combined without it. An id that is no program: 422")
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
                rules::applicant::FieldError::new(
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
    let contact = api_contact(&req)?;
    let declined = api_declined(&req, &state)?;
    let saved = match prepare(&state, &body, key, &declined) {
        Ok(mut prepared) => {
            prepared.application.contact = contact;
            save_with_files(&state, prepared, &mut files).await
        }
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
            match app::service::refusal(&body) {
                app::service::Outcome::NotJson if !multipart => Err(ApiError::Malformed(errors)),
                _ => Err(ApiError::Invalid(errors)),
            }
        }
    }
}
