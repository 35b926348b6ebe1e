//! Black-box tests of the JSON API: the app on port 0, a real HTTP client, one helper per
//! endpoint; every route and every error status; the OpenAPI document; hot reload.

use crate::common;
use common::{edit, policy_copy};

use serde_json::Value;
use std::time::Duration;
use talent_subsidy::policy::PolicySource;
use talent_subsidy::web::startup::watch_policy;

const EXAMPLE: &str = talent_subsidy::EXAMPLE_PROFILE;

use common::TestApp;

fn spawn_app(source: PolicySource) -> TestApp {
    TestApp::of_source(source)
}

fn default_app() -> TestApp {
    spawn_app(PolicySource::Dir("policy".into()))
}

impl common::TestApp {
    async fn post_assessment(
        &self,
        query: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/api/v1/assessments{query}", self.base))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post_batch(&self, content_type: &str, body: String) -> (u16, String) {
        self.post_batch_query("", content_type, body).await
    }

    async fn post_batch_query(
        &self,
        query: &str,
        content_type: &str,
        body: String,
    ) -> (u16, String) {
        let r = self
            .client
            .post(format!("{}/api/v1/assessments/batch{query}", self.base))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.page(path).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn one_line(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<Value>(json).unwrap()).unwrap()
}

fn program<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
}

#[actix_web::test]
async fn an_assessment_returns_the_same_result_as_the_cli() {
    let app = default_app();
    let (status, body) = app.post_assessment("", "application/json", EXAMPLE).await;
    assert_eq!(status, 200);
    assert_eq!(body["policy_version"], "2026");
    assert_eq!(body["talent_tier"], "C");
    assert_eq!(body["total"], "4434000");
    assert_eq!(program(&body, "jinying_startup")["amount"], "3000000");
    assert!(body.get("hints").is_none());
    let mut cli = Vec::new();
    talent_subsidy::cli::eval_one(
        &app.state.snapshot().policy,
        EXAMPLE.as_bytes(),
        false,
        &mut cli,
    );
    assert_eq!(serde_json::from_slice::<Value>(&cli).unwrap(), body);
}

#[actix_web::test]
async fn hints_are_added_on_request() {
    let app = default_app();
    let near = EXAMPLE.replace(
        r#""founder_equity_pct": "51""#,
        r#""founder_equity_pct": "25""#,
    );
    let (status, body) = app
        .post_assessment("?hints=true", "application/json; charset=utf-8", near)
        .await;
    assert_eq!(status, 200);
    let hints = body["hints"].as_array().unwrap();
    let h = hints
        .iter()
        .find(|h| h["program"] == "jinying_startup")
        .unwrap();
    assert_eq!(
        (h["field"].as_str(), h["to"].as_str(), h["amount"].as_str()),
        (
            Some("startup.founder_equity_pct"),
            Some("30"),
            Some("3000000")
        )
    );
}

#[actix_web::test]
async fn every_error_status_of_the_assessment_route() {
    let app = default_app();
    // (what, query, content type, body, status, field of the first error)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            "",
            "application/json",
            b"{\"person\": ".to_vec(),
            400,
            "",
        ),
        (
            "not an object",
            "",
            "application/json",
            b"[]".to_vec(),
            422,
            "",
        ),
        (
            "wrong content type",
            "",
            "text/plain",
            EXAMPLE.as_bytes().to_vec(),
            415,
            "",
        ),
        (
            "no content type",
            "",
            "",
            EXAMPLE.as_bytes().to_vec(),
            415,
            "",
        ),
        (
            "too large",
            "",
            "application/json",
            vec![b' '; 64 * 1024 + 1],
            413,
            "",
        ),
        (
            "bad hints flag",
            "?hints=maybe",
            "application/json",
            EXAMPLE.as_bytes().to_vec(),
            400,
            "hints",
        ),
        (
            "invalid ID",
            "",
            "application/json",
            EXAMPLE
                .replace("32068219880315001X", "320682198803150011")
                .into_bytes(),
            422,
            "person.id_number",
        ),
        (
            "unknown field",
            "",
            "application/json",
            EXAMPLE
                .replace("\"prior_awards\"", "\"priors\"")
                .into_bytes(),
            422,
            "priors",
        ),
        (
            "binary garbage",
            "",
            "application/json",
            vec![0xff, 0xfe, 0x00, 0x80],
            400,
            "",
        ),
    ];
    for (what, query, ct, body, want, field) in cases {
        let (status, json) = app.post_assessment(query, ct, body).await;
        assert_eq!(status, want, "{what}: {json}");
        let first = &json["errors"][0];
        assert_eq!(first["field"], field, "{what}: {json}");
        assert!(
            !first["message_zh"].as_str().unwrap_or("").is_empty()
                && !first["message_en"].as_str().unwrap_or("").is_empty(),
            "{what}: {json}"
        );
    }
}

#[actix_web::test]
async fn a_batch_answers_each_line_in_order_with_errors_on_their_own_lines() {
    let app = default_app();
    let good = one_line(EXAMPLE);
    let invalid = good.replace("\"2026-03-01\"", "\"2021-06-30\"");
    let body = format!("{good}\n{invalid}\nnot json\n\n{good}\n");
    let (status, text) = app.post_batch("application/x-ndjson", body).await;
    assert_eq!(status, 200);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["total"], "4434000");
    assert_eq!(lines[1]["errors"][0]["field"], "application_date");
    assert_eq!(lines[2]["errors"][0]["field"], "");
    assert_eq!(lines[3]["total"], "4434000");

    // A larger batch streams in several chunks, still in order.
    let mut many = String::new();
    for i in 0..300 {
        let date = format!("2026-{:02}-{:02}", 1 + (i % 12), 1 + (i % 28));
        many.push_str(&good.replace(
            "\"application_date\":\"2026-03-01\"",
            &format!("\"application_date\":\"{date}\""),
        ));
        many.push('\n');
    }
    let (status, text) = app.post_batch("application/x-ndjson", many.clone()).await;
    assert_eq!(status, 200);
    let dates: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["application_date"]
                .as_str()
                .unwrap_or("error")
                .to_string()
        })
        .collect();
    let want: Vec<String> = (0..300)
        .map(|i| format!("2026-{:02}-{:02}", 1 + (i % 12), 1 + (i % 28)))
        .collect();
    assert_eq!(dates, want);
}

#[actix_web::test]
async fn a_batch_refuses_too_many_profiles_and_wrong_types() {
    let app = default_app();
    let (status, text) = app
        .post_batch("application/x-ndjson", "{}\n".repeat(10_001))
        .await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("10000"));
    let (status, _) = app.post_batch("image/png", "{}\n".into()).await;
    assert_eq!(status, 415);
    let (status, _) = app
        .post_batch("application/x-ndjson", " ".repeat(10 * 1024 * 1024 + 1))
        .await;
    assert_eq!(status, 413);
}

#[actix_web::test]
async fn programs_in_force_on_a_date() {
    let app = default_app();
    let (status, body) = app.get_json("/api/v1/programs?as_of=2026-03-01").await;
    assert_eq!(status, 200);
    assert_eq!(body["policy_version"], "2026");
    let ids: Vec<&str> = body["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    let startup = &body["programs"][1];
    assert_eq!(startup["id"], "jinying_startup");
    assert_eq!(
        startup["conditions"][4]["rule"],
        "startup.founder_equity_pct >= 30"
    );
    assert_eq!(startup["conditions"][4]["actionable"], true);
    assert_eq!(startup["installments"][0]["share"], "50%");
    let param = |body: &Value, id: &str| {
        body["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(param(&body, "startup_amount[C]"), "2500000");
    assert!(
        body["combining"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == "per_person" && g["max"] == "10000000")
    );

    let (_, old) = app.get_json("/api/v1/programs?as_of=2025-06-01").await;
    assert_eq!(old["policy_version"], "2021");
    assert_eq!(param(&old, "startup_amount[C]"), "2000000");

    let (status, _) = app.get_json("/api/v1/programs").await;
    assert_eq!(status, 200, "today by default");
    let (status, body) = app.get_json("/api/v1/programs?as_of=2021-06-30").await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (404, Some("as_of"))
    );
    let (status, _) = app.get_json("/api/v1/programs?as_of=yesterday").await;
    assert_eq!(status, 400);
}

#[actix_web::test]
async fn versions_health_and_metrics() {
    let app = default_app();
    let (status, versions) = app.get_json("/api/v1/policy/versions").await;
    assert_eq!(status, 200);
    assert_eq!(versions[0]["id"], "2021");
    assert_eq!(versions[0]["until"], "2025-12-31");
    assert_eq!(versions[1]["from"], "2026-01-01");
    assert_eq!(versions[1]["until"], Value::Null);

    let (status, health) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["policy_versions"],
        serde_json::json!(["2021", "2026"])
    );
    assert!(
        health["policy_loaded_at"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );

    app.post_assessment("", "application/json", EXAMPLE).await;
    app.post_assessment("", "text/plain", EXAMPLE).await;
    let (status, text) = app.page("/metrics").await;
    assert_eq!(status, 200);
    // The exposition writes a series' labels in name order.
    assert!(
        text.contains(
            r#"http_requests_total{method="POST",route="/api/v1/assessments",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{method="POST",route="/api/v1/assessments",status="415"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("assessment_duration_seconds_count 1"),
        "{text}"
    );
    assert!(text.contains("policy_reload_failures_total 0"), "{text}");
}

#[actix_web::test]
async fn every_route_is_in_the_openapi_document_and_its_example_is_assessed() {
    let app = default_app();
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    // The machine interface is documented; the pages people use are served but listed apart
    // (`startup::page_routes`), so a client generated from the document has no methods for them.
    let routes = [
        "/api/v1/assessments",
        "/api/v1/assessments/batch",
        "/api/v1/screenings",
        "/api/v1/programs",
        "/api/v1/policy/versions",
        "/healthz",
        "/metrics",
        "/api/v1/applications",
        "/api/v1/privacy-notice",
        "/api/v1/status/{token}",
        "/api/v1/applications/{reference}",
        "/api/v1/batch-checks",
    ];
    for route in routes {
        assert!(
            paths.iter().any(|p| *p == route),
            "{route} not in {paths:?}"
        );
    }
    assert_eq!(paths.len(), routes.len(), "{paths:?}");
    let served = |route: &str| {
        format!(
            "{}{}",
            app.base,
            route
                .replace("{id}", "jinying_startup")
                .replace("{file}", "app.css")
                .replace("{reference}", "SXT-2026-000001")
                .replace("{token}", "0")
        )
    };
    for route in routes {
        let request = if doc["paths"][route].get("post").is_some() {
            app.client.post(served(route))
        } else {
            app.client.get(served(route))
        };
        let status = request.send().await.unwrap().status().as_u16();
        assert_ne!(status, 404, "{route} is documented but not served");
    }
    for (route, methods) in talent_subsidy::web::startup::pages() {
        let route = route.as_str();
        assert!(
            !paths.iter().any(|p| *p == route),
            "the page {route} is in the API document"
        );
        for method in methods {
            let request = match method {
                "POST" => app.client.post(served(route)),
                _ => app.client.get(served(route)),
            };
            let status = request.send().await.unwrap().status().as_u16();
            assert!(status != 404 && status != 405, "{method} {route}: {status}");
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "ProfileDoc",
        "AssessmentDoc",
        "ErrorsDoc",
        "Catalog",
        "HealthDoc",
    ] {
        assert!(schemas.contains_key(s), "schema {s} missing");
    }
    assert_eq!(
        schemas["ProgramResultDoc"]["properties"]["amount"]["type"], "string",
        "money is a string"
    );
    let example = doc["paths"]["/api/v1/assessments"]["post"]["requestBody"]["content"]["application/json"]["example"].clone();
    assert_eq!(example["person"]["full_name"], "张三");
    let (status, body) = app
        .post_assessment(
            "",
            "application/json",
            serde_json::to_vec(&example).unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[actix_web::test]
async fn the_api_docs_page_and_its_assets_are_served_by_the_app() {
    let app = default_app();
    let (status, html) = app.page("/api/docs/").await;
    assert_eq!(status, 200);
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the docs page must not load anything from a CDN"
    );
    let (status, js) = app.page("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(status, 200);
    assert!(js.len() > 100_000);
    let (status, init) = app.page("/api/docs/swagger-initializer.js").await;
    assert_eq!(status, 200);
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
}

async fn rent(app: &TestApp) -> String {
    let (_, body) = app.post_assessment("", "application/json", EXAMPLE).await;
    program(&body, "rent_subsidy")["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn the_running_service_picks_up_a_valid_edit_and_keeps_serving_through_an_invalid_one() {
    let dir = policy_copy();
    let app = spawn_app(PolicySource::Dir(dir.path().to_path_buf()));
    let _watcher = watch_policy(dir.path().to_path_buf(), app.state.clone()).unwrap();
    assert_eq!(rent(&app).await, "72000");

    // A valid edit: the doctorate rent subsidy rises to 2,500 a month.
    common::raise_rent(dir.path());
    common::eventually("the new amount", Duration::from_secs(15), async || {
        rent(&app).await == "90000"
    })
    .await;
    let (_, health) = app.get_json("/healthz").await;
    assert_eq!(health["status"], "ok");

    // An invalid edit: refused, located, and the previous policy keeps serving.
    edit(
        dir.path(),
        "doubling.toml",
        "then 2_500 else if",
        "then 2_500 elsee if",
    );
    common::eventually(
        "the refusal on /healthz",
        Duration::from_secs(15),
        async || app.get_json("/healthz").await.1["status"] == "degraded",
    )
    .await;
    let (_, health) = app.get_json("/healthz").await;
    let diag = health["last_reload_error"]["diagnostics"][0]
        .as_str()
        .unwrap();
    assert!(
        diag.contains("doubling.toml:") && diag.contains(" error: "),
        "{diag}"
    );
    assert_eq!(rent(&app).await, "90000");
    let (_, metrics) = app.page("/metrics").await;
    assert!(
        metrics.contains("policy_reload_failures_total 1")
            || metrics.contains("policy_reload_failures_total 2"),
        "{metrics}"
    );
    assert!(metrics.contains("policy_last_reload_ok 0"), "{metrics}");

    // Fixed again: picked up, healthy.
    edit(
        dir.path(),
        "doubling.toml",
        "then 2_500 elsee if",
        "then 3_000 else if",
    );
    edit(dir.path(), "doubling.toml", "博士2500元", "博士3000元");
    edit(
        dir.path(),
        "doubling.toml",
        "doctorate 2,500",
        "doctorate 3,000",
    );
    common::eventually("the fixed policy", Duration::from_secs(15), async || {
        rent(&app).await == "108000"
    })
    .await;
    assert_eq!(app.get_json("/healthz").await.1["status"], "ok");
}

#[actix_web::test]
async fn requests_during_reloads_all_succeed_with_one_policy_each() {
    let dir = policy_copy();
    let app = spawn_app(PolicySource::Dir(dir.path().to_path_buf()));
    let state = app.state.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let path = dir.path().to_path_buf();
    // Flip the policy between two valid versions as fast as it compiles.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done_by_reloader = done.clone();
    let reloader = std::thread::spawn(move || {
        let mut n = 0;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) && n < 200 {
            let (from, to) = if n % 2 == 0 {
                ("then 2_000 else if", "then 2_500 else if")
            } else {
                ("then 2_500 else if", "then 2_000 else if")
            };
            let file = path.join("doubling.toml");
            let (said_from, said_to) = if n % 2 == 0 {
                (
                    ["博士2000元", "doctorate 2,000"],
                    ["博士2500元", "doctorate 2,500"],
                )
            } else {
                (
                    ["博士2500元", "doctorate 2,500"],
                    ["博士2000元", "doctorate 2,000"],
                )
            };
            let mut text = std::fs::read_to_string(&file)
                .unwrap()
                .replacen(from, to, 1);
            // The description says the same number, or the reload is refused.
            for (a, b) in said_from.iter().zip(said_to) {
                text = text.replacen(a, b, 1);
            }
            std::fs::write(&file, text).unwrap();
            assert!(state.reload());
            n += 1;
            done_by_reloader.store(n, std::sync::atomic::Ordering::Relaxed);
        }
        n
    });
    let mut seen = std::collections::BTreeSet::new();
    // Keep asking (at least 100 times) until several reloads have happened, for 60 s at most.
    let started = std::time::Instant::now();
    let mut asked = 0;
    while (asked < 100 || done.load(std::sync::atomic::Ordering::Relaxed) < 4)
        && started.elapsed() < std::time::Duration::from_secs(60)
    {
        asked += 1;
        let (status, body) = app.post_assessment("", "application/json", EXAMPLE).await;
        assert_eq!(status, 200);
        let rent = program(&body, "rent_subsidy")["amount"]
            .as_str()
            .unwrap()
            .to_string();
        let installments: Vec<String> = program(&body, "rent_subsidy")["installments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["amount"].as_str().unwrap().to_string())
            .collect();
        let total = body["total"].as_str().unwrap().to_string();
        // Everything in one response comes from one policy.
        match rent.as_str() {
            "72000" => assert_eq!(
                (total.as_str(), installments.join(",")),
                ("4434000", "24000,24000,24000".into())
            ),
            "90000" => assert_eq!(
                (total.as_str(), installments.join(",")),
                ("4452000", "30000,30000,30000".into())
            ),
            other => panic!("unexpected rent {other}"),
        }
        seen.insert(rent);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reloads = reloader.join().unwrap();
    assert!(
        reloads >= 4,
        "only {reloads} reloads happened while {asked} requests were served"
    );
}

#[actix_web::test]
async fn a_batch_can_answer_with_summaries() {
    let app = default_app();
    let r = app
        .client
        .post(format!(
            "{}/api/v1/assessments/batch?output=summary",
            app.base
        ))
        .header("Content-Type", "application/x-ndjson")
        .body(format!("{}\n{{}}\n", one_line(EXAMPLE)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["total"], "4434000");
    assert_eq!(
        lines[0]["programs"]["jinying_startup"],
        serde_json::json!(["eligible", "3000000"])
    );
    assert!(lines[0].get("disclaimer_zh").is_none() && text.lines().next().unwrap().len() < 600);
    assert!(lines[1]["errors"].is_array());
    let (status, body) = app
        .post_batch_query("?output=short", "application/x-ndjson", one_line(EXAMPLE))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("output"));
}

#[actix_web::test]
async fn a_known_path_with_another_method_answers_405_with_allow() {
    let app = default_app();
    for (method, path, allow) in [
        ("TRACE", "/api/v1/assessments", "POST"),
        ("PUT", "/healthz", "GET"),
        ("DELETE", "/api/v1/status/0", "GET"),
        ("PATCH", "/officer/login", "GET, POST"),
        ("TRACE", "/", "GET"),
        ("PUT", "/officer/policy/drafts", "GET, POST"),
        ("DELETE", "/officer/policy/simulations/1", "GET"),
    ] {
        let r = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", app.base),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "{method} {path}");
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
    }
    let (status, _) = app.page("/nowhere").await;
    assert_eq!(status, 404);
    let r = app
        .client
        .get(format!("{}/api/v1/nowhere", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(r.headers()["content-type"], "application/json");
}

impl TestApp {
    async fn post_screening(&self, body: &str) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/api/v1/screenings", self.base))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

#[actix_web::test]
async fn a_complete_profile_screens_to_what_its_assessment_says() {
    let app = default_app();
    let (status, s) = app.post_screening(EXAMPLE).await;
    assert_eq!(status, 200, "{s}");
    let (_, a) = app.post_assessment("", "application/json", EXAMPLE).await;
    assert_eq!(s["complete"], true, "{s:#}");
    assert_eq!(s["next_questions"], serde_json::json!([]));
    assert_eq!(s["talent_tier"], a["talent_tier"]);
    assert_eq!(s["policy_version"], a["policy_version"]);
    assert_eq!(s["total"]["min"], a["total"]);
    assert_eq!(s["total"]["max"], a["total"]);
    let programs = a["programs"].as_array().unwrap();
    assert_eq!(s["programs"].as_array().unwrap().len(), programs.len());
    for (x, y) in s["programs"].as_array().unwrap().iter().zip(programs) {
        assert_eq!(x["id"], y["id"]);
        assert_eq!(x["status"], y["status"], "{}", y["id"]);
        assert_eq!(x["amount"]["min"], y["amount"], "{}", y["id"]);
        assert_eq!(x["amount"]["max"], y["amount"], "{}", y["id"]);
        assert_eq!(x["review_possible"], y["review_required"], "{}", y["id"]);
    }
}

#[actix_web::test]
async fn an_empty_screening_is_all_open_and_asks_what_decides_the_most_first() {
    let app = default_app();
    let (status, s) = app.post_screening("{}").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["complete"], false);
    assert_eq!(s["total"]["min"], "0");
    assert_eq!(s["total"]["max"], "10000000");
    for p in s["programs"].as_array().unwrap() {
        assert_eq!(p["status"], "possible", "{p}");
        assert!(!p["decides"].is_string());
    }
    let qs = s["next_questions"].as_array().unwrap();
    assert!(!qs.is_empty());
    let stakes: Vec<rust_decimal::Decimal> = qs
        .iter()
        .map(|q| q["at_stake"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(stakes.windows(2).all(|w| w[0] >= w[1]), "{stakes:?}");
    for q in qs {
        assert!(!q["label_zh"].as_str().unwrap().is_empty(), "{q}");
        assert!(!q["label_en"].as_str().unwrap().is_empty(), "{q}");
        let field = q["field"].as_str().unwrap();
        assert!(
            !["person.full_name", "person.id_number", "person.id_type"].contains(&field),
            "identity asked: {field}"
        );
    }
    // Every program may still be eligible, so the checklist holds every material once.
    let materials = s["materials"].as_array().unwrap();
    let contract = materials
        .iter()
        .find(|m| m["id"] == "labour_contract")
        .unwrap();
    assert!(
        contract["programs"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("jinying_innovation"))
    );
    assert_eq!(
        materials
            .iter()
            .filter(|m| m["id"] == "labour_contract")
            .count(),
        1
    );
    // "Which of these describe you" first: one question of kind `sections` whose choices are
    // the section paths, answered as sections are.
    assert_eq!(qs[0]["field"], "sections", "{}", qs[0]);
    assert_eq!(qs[0]["kind"], "sections");
    let choices: Vec<&str> = qs[0]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        choices,
        ["employment", "startup", "housing", "housing.home_purchase"]
    );
    assert!(
        qs.iter().all(|q| q["kind"] != "section"),
        "no section asked twice"
    );
    let (status, after) = app
        .post_screening(r#"{"employment": {}, "startup": null, "housing": null}"#)
        .await;
    assert_eq!(status, 200, "{after}");
    let after_qs = after["next_questions"].as_array().unwrap();
    assert!(
        after_qs
            .iter()
            .all(|q| q["field"] != "sections" && q["kind"] != "section")
    );
    for p in after["programs"].as_array().unwrap() {
        if [
            "jinying_startup",
            "jinying_office",
            "rent_subsidy",
            "home_purchase",
        ]
        .contains(&p["id"].as_str().unwrap())
        {
            assert_eq!(p["status"], "not_applicable", "{p}");
        }
    }
    let degree = qs
        .iter()
        .find(|q| q["field"] == "person.highest_degree")
        .expect("the degree is asked");
    assert_eq!(degree["kind"], "choice");
    assert!(
        degree["choices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"] == "master")
    );
}

/// The checklist asks only for papers a person may have: after "no title" and "none of these
/// honours", no title certificate and no proof of a talent program; with a title, its
/// certificate; while unknown, both.
#[actix_web::test]
async fn the_checklist_leaves_out_papers_the_person_said_they_do_not_have() {
    let app = default_app();
    let ids = |s: &serde_json::Value| -> Vec<String> {
        s["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, unknown) = app
        .post_screening(r#"{"person": {"highest_degree": "master"}, "startup": {}}"#)
        .await;
    assert_eq!(status, 200, "{unknown}");
    let listed = ids(&unknown);
    assert!(
        listed.contains(&"title_certificate".to_string()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"talent_program_proof".to_string()),
        "{listed:?}"
    );
    let (status, none) = app
        .post_screening(
            r#"{"person": {"highest_degree": "master", "professional_title": "none", "honors": []}, "startup": {}}"#,
        )
        .await;
    assert_eq!(status, 200, "{none}");
    let listed = ids(&none);
    assert!(
        !listed.contains(&"title_certificate".to_string()),
        "{listed:?}"
    );
    assert!(
        !listed.contains(&"talent_program_proof".to_string()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"degree_certificate".to_string()),
        "{listed:?}"
    );
    let (_, senior) = app
        .post_screening(
            r#"{"person": {"highest_degree": "master", "professional_title": "senior", "honors": []}, "startup": {}}"#,
        )
        .await;
    let listed = ids(&senior);
    assert!(
        listed.contains(&"title_certificate".to_string()),
        "{listed:?}"
    );
    assert!(
        !listed.contains(&"talent_program_proof".to_string()),
        "{listed:?}"
    );
}

#[actix_web::test]
async fn a_section_said_not_to_apply_decides_its_programs_and_bad_answers_are_refused() {
    let app = default_app();
    let (status, s) = app
        .post_screening(r#"{"application_date":"2026-03-01","startup":null,"person":{"highest_degree":"master"}}"#)
        .await;
    assert_eq!(status, 200, "{s}");
    for id in ["scitech_major_project", "jinying_startup", "jinying_office"] {
        let p = s["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        assert_eq!(p["status"], "not_applicable", "{p}");
    }
    assert!(
        !s["next_questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["field"].as_str().unwrap().starts_with("startup")),
        "{s:#}"
    );
    // A given answer is validated as in a full profile; an unknown key is an error.
    let (status, e) = app
        .post_screening(r#"{"employment":{"contract_years":99},"person":{"nickname":"x"}}"#)
        .await;
    assert_eq!(status, 422, "{e}");
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"employment.contract_years"), "{fields:?}");
    assert!(fields.contains(&"person.nickname"), "{fields:?}");
    let (status, _) = app.post_screening("{not json").await;
    assert_eq!(status, 400);
    let (status, _) = app.post_screening("[]").await;
    assert_eq!(status, 422);
}

/// The method table (405 and `Allow` on a known path) is built from the routes registered in
/// `startup::page_routes` and the API's: every page route written in the source must be in
/// it, with its method, so a route added but not registered is caught here (the policy
/// office's ten routes were once missing).
#[test]
fn every_page_route_in_the_source_is_in_the_method_table() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (method, marker) in [("GET", "#[get(\""), ("POST", "#[post(\"")] {
                    for chunk in text.split(marker).skip(1) {
                        let route = chunk.split('"').next().unwrap().to_string();
                        out.push((method.to_string(), route));
                    }
                }
            }
        }
    }
    let mut routes = Vec::new();
    walk(std::path::Path::new("crates/web/src"), &mut routes);
    assert!(routes.len() > 60, "{routes:?}");
    let documented = ["/healthz", "/metrics"];
    let pages = talent_subsidy::web::startup::pages();
    for (method, route) in routes {
        if route.starts_with("/api/") || documented.contains(&route.as_str()) {
            continue;
        }
        assert!(
            pages
                .iter()
                .any(|(path, methods)| *path == route && methods.contains(&method.as_str())),
            "{method} {route} is served but not in startup::page_routes"
        );
    }
}
