//! The OpenAPI document and what the service really writes are one contract: every key of a
//! real result (with hints, reductions, installments, missing sections) is documented, every
//! documented key appears in real results, and the documented enumerations are the ones the
//! profile reader accepts and the engine writes.

use serde_json::Value;
use std::collections::BTreeSet;
use talent_subsidy::applicant::Domain;

const EXAMPLE: &str = talent_subsidy::EXAMPLE_PROFILE;

/// The OpenAPI document as the service serves it.
async fn openapi() -> Value {
    let source = talent_subsidy::policy::PolicySource::Dir("policy".into());
    let state = actix_web::web::Data::new(talent_subsidy::web::AppState::new(
        source.load().unwrap(),
        source,
    ));
    let app = actix_web::test::init_service(talent_subsidy::web::startup::app(state)).await;
    let req = actix_web::test::TestRequest::get()
        .uri("/api/v1/openapi.json")
        .to_request();
    actix_web::test::call_and_read_body_json(&app, req).await
}

/// Every key path under a schema (`programs[].conditions[].met`), following `$ref`s.
fn schema_paths(doc: &Value, schema: &Value, at: &str, out: &mut BTreeSet<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return schema_paths(doc, &doc["components"]["schemas"][name], at, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            for s in list {
                schema_paths(doc, s, at, out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        schema_paths(doc, items, &format!("{at}[]"), out);
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            out.insert(path.clone());
            schema_paths(doc, v, &path, out);
        }
    }
}

fn value_paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.insert(path.clone());
                value_paths(v, &path, out);
            }
        }
        Value::Array(items) => {
            for i in items {
                value_paths(i, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

/// Results of varied people (with hints): reductions, installments, every status and an
/// applicant with nothing to show.
fn results() -> Vec<Value> {
    let policy = talent_subsidy::policy::load(std::path::Path::new("policy")).unwrap();
    let mut people: Vec<Value> = (0..60)
        .map(|i| {
            let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
            v["startup"]["founder_equity_pct"] = Value::String(format!("{}", 5 + i % 40 * 2));
            v["employment"]["contract_years"] = serde_json::json!(1 + i % 5);
            v["startup"]["planned_rd_investment"] =
                Value::String(format!("{}", 5_000_000 * (i % 7)));
            v
        })
        .collect();
    // An academician: tier A, whose startup funding uses up the startup-support cap.
    let mut capped: Value = serde_json::from_str(EXAMPLE).unwrap();
    capped["person"]["honors"] = serde_json::json!(["academician"]);
    people.push(capped);
    // A recent graduate: the settling-in allowance and the home-purchase subsidy, not both.
    let mut graduate: Value = serde_json::from_str(EXAMPLE).unwrap();
    graduate["person"]["graduation_date"] = Value::String("2022-06-30".into());
    people.push(graduate);
    let mut bare: Value = serde_json::from_str(EXAMPLE).unwrap();
    for section in ["employment", "startup", "housing"] {
        bare.as_object_mut().unwrap().remove(section);
    }
    people.push(bare);
    people
        .iter()
        .map(|p| {
            let mut out = Vec::new();
            talent_subsidy::service::assess_json(&policy, p.to_string().as_bytes(), true, &mut out);
            serde_json::from_slice(&out).unwrap()
        })
        .collect()
}

#[actix_web::test]
async fn every_key_of_a_real_result_is_documented_and_every_documented_key_occurs() {
    let doc = openapi().await;
    let mut documented = BTreeSet::new();
    schema_paths(
        &doc,
        &doc["components"]["schemas"]["AssessmentDoc"],
        "",
        &mut documented,
    );
    let mut written = BTreeSet::new();
    for r in results() {
        assert!(r.get("errors").is_none(), "{r}");
        value_paths(&r, "", &mut written);
    }
    let undocumented: Vec<_> = written.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "written but not documented: {undocumented:?}"
    );
    let never: Vec<_> = documented.difference(&written).collect();
    assert!(never.is_empty(), "documented but never written: {never:?}");
}

fn enum_values(doc: &Value, name: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn documented_enumerations_are_the_ones_the_service_reads_and_writes() {
    let doc = openapi().await;
    for (schema, domain) in [
        ("IdType", Domain::IdType),
        ("Degree", Domain::Degree),
        ("InstitutionTier", Domain::InstitutionTier),
        ("Title", Domain::Title),
        ("Honor", Domain::Honor),
        ("Industry", Domain::Industry),
    ] {
        let read: BTreeSet<String> = domain.values().iter().map(|v| v.id.to_string()).collect();
        assert_eq!(enum_values(&doc, schema), read, "{schema}");
    }
    let statuses: BTreeSet<String> = [
        talent_subsidy::engine::Status::Eligible,
        talent_subsidy::engine::Status::Ineligible,
        talent_subsidy::engine::Status::NotApplicable,
        talent_subsidy::engine::Status::Excluded,
    ]
    .iter()
    .map(|s| s.id().to_string())
    .collect();
    assert_eq!(enum_values(&doc, "Status"), statuses);
}

/// The officers' list documents its filters as the service reads them: every status and step
/// the code has (so a new one cannot be left out), days as dates (`from=0` is not a day), and
/// every route a rate limit covers documents its 429.
#[actix_web::test]
async fn the_list_filters_are_documented_from_the_code_and_every_limited_route_says_429() {
    use talent_subsidy::store::{AppStatus, CaseStep};
    use talent_subsidy::web::guard::Work;
    let doc = openapi().await;
    let params = doc["paths"]["/api/v1/applications"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let schema_of = |name: &str| -> Value {
        let p = params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("the list's `{name}` filter is not documented"));
        let s = &p["schema"];
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")].clone()
            }
            None => s.clone(),
        }
    };
    let listed = |name: &str| -> BTreeSet<String> {
        schema_of(name)["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("`{name}` is not an enumeration"))
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let statuses: BTreeSet<String> = AppStatus::ALL.iter().map(|s| s.id().into()).collect();
    assert_eq!(listed("status"), statuses);
    assert!(listed("status").contains("withdrawn"));
    let steps: BTreeSet<String> = CaseStep::ALL.iter().map(|s| s.id().into()).collect();
    assert_eq!(listed("step"), steps);
    assert_eq!(
        listed("handler"),
        BTreeSet::from(["mine".to_string(), "unassigned".to_string()])
    );
    for day in ["from", "to"] {
        assert_eq!(schema_of(day)["format"], "date", "`{day}` is not a date");
    }
    let mut limited = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{token}", "t0ken")
            .replace("{reference}", "STP-2026-000001");
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<actix_web::http::Method>() else {
                continue;
            };
            if Work::of(&m, &concrete).is_some() {
                limited += 1;
                assert!(
                    op["responses"].get("429").is_some(),
                    "{method} {path} is rate-limited but does not document 429"
                );
            }
        }
    }
    assert!(
        limited >= 5,
        "only {limited} limited routes found in the document"
    );
}
