//! Objections on a case: a reviewer's finding (dismissed, or upheld: off the notice and back
//! to 复审), and the files an objector sent, for reviewers and leaders only.

use super::procedure::refusal_words;
use super::*;

#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("id" = i64, Path, description = "The objection")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, seen_version, finding (upheld, dismissed), finding_note"), responses((status = 303, description = "Recorded: back to the application"), (status = 403, description = "Not a reviewer, or no CSRF token"), (status = 409, description = "Found on already, or the case changed", content_type = "text/html", body = String), (status = 422, description = "No finding chosen, or no reason", content_type = "text/html", body = String)))]
#[post("/officer/applications/{reference}/objections/{id}")]
pub async fn find_objection(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let (reference, id) = path.into_inner();
    let form = reviewer_form(&s, &body)?;
    let l = language(&req, None).lang;
    let note = form.finding_note.trim();
    let upheld = match form.finding.as_str() {
        "upheld" => Some(true),
        "dismissed" => Some(false),
        _ => None,
    };
    let seen = form.seen();
    let problem = match (upheld, seen) {
        (None, _) | (_, None) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(
                "核实结论：请选择成立或不成立",
                "Finding: choose upheld or dismissed",
            )
            .to_string(),
        )),
        _ if note.is_empty() => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t("核实意见：请写明核实情况", "Finding: say what was found")
                .to_string(),
        )),
        _ => text_problem(note, ("核实意见", "Finding"), l),
    };
    let (Some(upheld), Some(seen), None) = (upheld, seen, &problem) else {
        return application_page(&s, &req, &state, &reference, problem, Some(&form)).await;
    };
    let done = s
        .store(&state)?
        .find_objection(&reference, id, seen, s.name(), upheld, note)
        .await;
    let problem = match done {
        Ok(()) => {
            tracing::info!(officer = %s.name(), reference = %reference, objection = id, upheld, "objection found on");
            if let Ok(store) = s.store(&state) {
                crate::letters::after_step(&state, store, &reference).await;
            }
            return Ok(redirect(&format!("/officer/applications/{reference}")));
        }
        Err(DecideError::NotFound) => return Ok(no_application()),
        Err(DecideError::Store(e)) => return Err(s.db_error(e)),
        Err(e) => (StatusCode::CONFLICT, refusal_words(&e, l)),
    };
    application_page(&s, &req, &state, &reference, Some(problem), Some(&form)).await
}

/// A file an objector sent, for the reviewers and leaders who read the case (in the access
/// log).
#[utoipa::path(tag = "officers", params(("reference" = String, Path), ("objection" = String, Path), ("file" = String, Path)), responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = String), (status = 403, description = "Not a reviewer or leader"), (status = 404, description = "No such file with this objection")))]
#[get("/officer/applications/{reference}/objections/{objection}/files/{file}")]
pub async fn objection_file(
    s: Signed,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AuthError> {
    s.case_reader()?;
    let (reference, objection, file) = path.into_inner();
    let none = || crate::html::message(StatusCode::NOT_FOUND, "没有找到这个文件", "No such file");
    let store = s.store(&state)?;
    let Some(app) = store
        .application(&reference)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(none());
    };
    let found = store
        .objection_files(app.summary.id)
        .await
        .map_err(|e| s.db_error(e))?
        .into_iter()
        .find(|(oid, f)| oid.to_string() == objection && f.id == file);
    let Some((_, upload)) = found else {
        return Ok(none());
    };
    store
        .log_access(
            s.officer(),
            store::Access::View,
            Some((app.summary.id, &app.summary.reference)),
            store::AccessDetail::words("异议材料", "an objection's file"),
        )
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(crate::uploads::download(store, upload))
}
