//! The OpenAPI document: the routes `utoipa` collects, the links between operations (a
//! submission's status link), the example profile, served as JSON once built.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "talent-subsidy API",
        description = "Su-Xi-Tong park talent subsidies: assess an applicant profile against the park's policies, with a reason and a citation for every condition. Money is always a decimal string. Results are estimates; the park's review decides (估算结果，以园区正式审核为准).",
        version = "1"
    ),
    tags(
        (name = "assessments", description = "Assess profiles"),
        (name = "policy", description = "The policy in force"),
        (name = "operations", description = "Health and metrics"),
        (name = "applications", description = "Applicants submitting, and following their application by its status link"),
        (name = "officers", description = "The officers' JSON routes: applications and batch checks, for a script holding a console session (sign in at /officer/login; POSTs carry the session's CSRF token in X-CSRF-Token)")
    ),
    // Types that only parameters name: utoipa collects those of bodies and answers itself.
    components(schemas(
        super::schema::NoticeVersionDoc,
        super::officer::IdsParam,
        super::officer::ResultFormat,
        super::schema::AppStatusParam,
        super::schema::CaseStepParam,
        super::schema::HandlerParam
    ))
)]
pub(crate) struct ApiDoc;

/// Links from an answer to the operation that reads what it names, so a client (or a stateful
/// test) can follow them: a saved application's status, and the application itself.
fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::link::LinkBuilder;
    let Some(op) = doc
        .paths
        .paths
        .get_mut("/api/v1/applications")
        .and_then(|item| item.post.as_mut())
    else {
        return;
    };
    for code in ["200", "201"] {
        if let Some(RefOr::T(resp)) = op.responses.responses.get_mut(code) {
            // Only the first answer (201) carries the status link; a replay (200) does not.
            if code == "201" {
                resp.links.insert(
                    "status".into(),
                    RefOr::T(
                        LinkBuilder::new()
                            .operation_id("status_api")
                            .parameter("token", "$response.body#/status_token")
                            .description("Where the application stands")
                            .build(),
                    ),
                );
            }
            resp.links.insert(
                "application".into(),
                RefOr::T(
                    LinkBuilder::new()
                        .operation_id("application_api")
                        .parameter("reference", "$response.body#/reference")
                        .description("The application (for a reviewer's session)")
                        .build(),
                ),
            );
        }
    }
}

/// The document as served: JSON, with each link's `operationId` spelled as OpenAPI spells it
/// (utoipa 5.5 writes the field as `operation_id`).
pub(crate) fn document_json(doc: utoipa::openapi::OpenApi) -> actix_web::web::Bytes {
    let mut v = serde_json::to_value(&doc).unwrap_or_default();
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths
            .values_mut()
            .filter_map(|i| i.as_object_mut())
            .flat_map(|i| i.values_mut())
        {
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
                continue;
            };
            for link in responses
                .values_mut()
                .filter_map(|r| r.get_mut("links").and_then(|l| l.as_object_mut()))
                .flat_map(|l| l.values_mut())
                .filter_map(|l| l.as_object_mut())
            {
                if let Some(id) = link.remove("operation_id") {
                    link.insert("operationId".into(), id);
                }
            }
        }
    }
    actix_web::web::Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

/// The OpenAPI document, with the example profile as the request example.
pub fn openapi_with_example(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    add_links(&mut doc);
    let example: serde_json::Value =
        serde_json::from_str(rules::EXAMPLE_PROFILE).unwrap_or_default();
    if let Some(item) = doc.paths.paths.get_mut("/api/v1/assessments")
        && let Some(op) = item.post.as_mut()
        && let Some(body) = op.request_body.as_mut()
        && let Some(content) = body.content.get_mut("application/json")
    {
        content.example = Some(example);
    }
    doc
}
