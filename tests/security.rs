//! What an attacker tried, and what must hold: sign-in bursts, reused idempotency keys,
//! concurrent decisions, formulas and control characters in input, a database that cannot be
//! written, floods of anonymous work, slow bodies, and the smaller leaks. Each scenario runs
//! on SQLite, and on PostgreSQL where the database matters (always on CI).

mod common;
use common::console::*;
use common::pg_exec;

use serde_json::Value;
use std::time::Duration;
use talent_subsidy::policy::PolicySource;
use talent_subsidy::settings::Settings;
use talent_subsidy::store::Role;

/// The login form's token, with its cookie set in `b`.
async fn login_token(c: &Console, b: &reqwest::Client) -> String {
    let (_, page, _) = get(b, format!("{}/officer/login", c.base)).await;
    hidden(&page, "form_token")
}

async fn attempt(
    c: &Console,
    b: &reqwest::Client,
    token: &str,
    name: &str,
    password: &str,
) -> (u16, String) {
    let (status, body, _) = post_form(
        b,
        format!("{}/officer/login", c.base),
        &[
            ("form_token", token),
            ("name", name),
            ("password", password),
        ],
    )
    .await;
    (status, body)
}

// ----- 1. sign-in bursts -------------------------------------------------------------------

/// 100 wrong passwords at once; once five checks have begun, the right password hidden among
/// 99 more wrong ones. At most five passwords are checked, and the right one is refused.
async fn a_burst_of_sign_ins(c: &Console) {
    add(c, "zhou", Role::Reviewer).await;
    let b = browser();
    let token = login_token(c, &b).await;
    let burst = |n: usize, right_at: Option<usize>| {
        let mut tasks = Vec::new();
        for i in 0..n {
            let (c, b, token) = (c.base.clone(), b.clone(), token.clone());
            let password = if Some(i) == right_at {
                PASSWORD.to_string()
            } else {
                format!("wrong guess {i}")
            };
            tasks.push(actix_web::rt::spawn(async move {
                let r = b
                    .post(format!("{c}/officer/login"))
                    .form(&[
                        ("form_token", token.as_str()),
                        ("name", "zhou"),
                        ("password", &password),
                    ])
                    .send()
                    .await
                    .unwrap();
                (i, r.status().as_u16())
            }));
        }
        tasks
    };
    let first = burst(100, None);
    let started = std::time::Instant::now();
    while metric(c, "password_checks_total").await < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no checks began"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let second = burst(100, Some(50));
    let mut statuses = Vec::new();
    for t in first {
        statuses.push(t.await.unwrap().1);
    }
    let mut right = 0;
    for t in second {
        let (i, status) = t.await.unwrap();
        if i == 50 {
            right = status;
        }
        statuses.push(status);
    }
    let checks = metric(c, "password_checks_total").await;
    assert!(checks <= 5, "{checks} passwords checked");
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
    // The right password, sent in the middle of the second burst, did not sign in.
    assert_eq!(right, 429, "{statuses:?}");
    // Four wrong passwords are told so; the fifth locks, and so does everything after it.
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        4,
        "{statuses:?}"
    );
}

crate::on_both_databases!(a_burst_of_sign_ins: a_burst_of_sign_ins_checks_at_most_five_passwords_on_sqlite, a_burst_of_sign_ins_checks_at_most_five_passwords_on_postgresql);

#[actix_web::test]
async fn a_disabled_account_answers_the_same_to_any_password() {
    let (c, _dir) = sqlite_console().await;
    add(&c, "sun", Role::Reviewer).await;
    assert!(c.store.set_disabled("sun", true).await.unwrap());
    let b = browser();
    let token = login_token(&c, &b).await;
    let (right, right_page) = attempt(&c, &b, &token, "sun", PASSWORD).await;
    let (wrong, wrong_page) = attempt(&c, &b, &token, "sun", "not the password").await;
    assert_eq!((right, wrong), (401, 401));
    let message = |p: &str| p.contains("用户名或密码不正确，或账户已停用");
    assert!(message(&right_page) && message(&wrong_page));
}

#[actix_web::test]
async fn an_officers_password_hash_never_shows_in_debug_output() {
    let (c, _dir) = sqlite_console().await;
    add(&c, "wu", Role::Reviewer).await;
    let officer = c.store.officer_by_name("wu").await.unwrap().unwrap();
    let printed = format!("{officer:?}");
    assert!(
        printed.contains("wu") && !printed.contains("argon2"),
        "{printed}"
    );
}

// ----- 2. idempotency keys -----------------------------------------------------------------

#[actix_web::test]
async fn an_idempotency_key_answers_only_the_request_it_came_with() {
    let (c, _dir) = sqlite_console().await;
    let (status, first) = submit_json(&c, EXAMPLE, Some("key-1")).await;
    assert_eq!(status, 201);
    let (status, again) = submit_json(&c, EXAMPLE, Some("key-1")).await;
    assert_eq!(
        (status, &again),
        (200, &first),
        "the same request: the first answer"
    );
    // Someone else sends the key with their own profile: refused, and told nothing.
    let (status, other) = submit_json(&c, &profile_named("李四"), Some("key-1")).await;
    assert_eq!(status, 422, "{other}");
    let text = other.to_string();
    assert!(text.contains("Idempotency-Key") && text.contains("另一份不同的申请"));
    assert!(!text.contains(first["reference"].as_str().unwrap()));
    assert!(!text.contains(first["status_url"].as_str().unwrap()));
    assert_eq!(c.store.count_applications().await.unwrap(), 1);
}

/// The result page's submission key belongs to the visitor whose form cookie it came with.
#[actix_web::test]
async fn a_result_pages_submission_key_is_the_visitors_own() {
    let (c, _dir) = sqlite_console().await;
    let send = |b: reqwest::Client, form_token: String, key: &'static str| {
        let url = format!("{}/applications", c.base);
        async move {
            let mut form: Vec<(String, String)> = applicant_form();
            form.push(("form_token".into(), form_token));
            form.push(("submission_key".into(), key.repeat(64)));
            form.push(("consent".into(), "1".into()));
            form.push((
                "notice_version".into(),
                talent_subsidy::privacy::NOTICE_VERSION.into(),
            ));
            // This applicant's estimate is ¥0; they confirm they still apply.
            form.push(("confirm_nothing".into(), "1".into()));
            let r = b.post(url).form(&form).send().await.unwrap();
            (r.status().as_u16(), location(r.headers()))
        }
    };
    let (a, b) = (browser(), browser());
    let (ta, tb) = (login_token(&c, &a).await, login_token(&c, &b).await);
    let (sa, la) = send(a.clone(), ta.clone(), "a").await;
    let (sb, lb) = send(b, tb, "a").await;
    assert_eq!((sa, sb), (303, 303));
    assert_ne!(
        la, lb,
        "the same key from another visitor is another application"
    );
    let (_, again) = send(a, ta, "a").await;
    assert_eq!(
        again, la,
        "the visitor's own retry answers with their application"
    );
    assert_eq!(c.store.count_applications().await.unwrap(), 2);
}

// ----- 3. concurrent decisions ---------------------------------------------------------------

/// Twenty decisions made at once on the version one officer saw — half asking for more again,
/// half approving: exactly one is recorded.
async fn decisions_at_once(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let b = signed_in(c, "zheng", Role::Reviewer).await;
    let token = csrf(c, &b).await;
    let url = format!("{}/officer/applications/{reference}/decision", c.base);
    let (status, _, _) = post_form(
        &b,
        url.clone(),
        &[
            ("csrf", &token),
            ("seen_version", "0"),
            ("decision", "more_info"),
            ("note", "请补充社保缴纳证明"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let page_url = format!("{}/officer/applications/{reference}", c.base);
    let (_, page, _) = get(&b, page_url.clone()).await;
    assert!(page.contains("id=\"nothing-new\""), "{page}");
    assert!(page.contains("申请人尚未提交任何新信息"));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (b, url, token) = (b.clone(), url.clone(), token.clone());
        let decision = if i % 2 == 0 { "more_info" } else { "approved" };
        tasks.push(actix_web::rt::spawn(async move {
            let r = b
                .post(url)
                .form(&[
                    ("csrf", token.as_str()),
                    ("seen_version", "1"),
                    ("decision", decision),
                    ("note", "再次要求"),
                ])
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 303 | 409)),
        "{statuses:?}"
    );
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let audit = c.store.audit_log(app.summary.id).await.unwrap();
    assert_eq!(audit.len(), 3, "submitted, more information, one decision");
    assert_eq!(app.summary.version, 2);
}

crate::on_both_databases!(decisions_at_once: of_decisions_made_at_once_exactly_one_is_recorded_on_sqlite, of_decisions_made_at_once_exactly_one_is_recorded_on_postgresql);

// ----- 4. formulas in spreadsheets -----------------------------------------------------------

#[actix_web::test]
async fn an_id_number_that_looks_like_a_formula_stays_text_in_batch_results() {
    let (c, _dir) = sqlite_console().await;
    let b = signed_in(&c, "feng", Role::Hr).await;
    let token = csrf(&c, &b).await;
    let r = b
        .post(format!("{}/api/v1/batch-checks", c.base))
        .header("Content-Type", "text/csv")
        .header("X-CSRF-Token", &token)
        .body("姓名,证件类型,证件号码\n张三,passport,=1+9X9+10\n@王五,passport,-2+3\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    for row in text.lines().skip(1) {
        for cell in row.split(',') {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{row}");
        }
    }
    assert!(text.contains(",'=1+9"), "{text}");
}

// ----- 5. control characters -----------------------------------------------------------------

async fn control_characters_are_refused(c: &Console) {
    // A profile: a NUL in a text field, a direction override in the name.
    for (field, value) in [
        ("institution_name", "南通\u{0}大学"),
        ("full_name", "张\u{202E}三"),
    ] {
        let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
        v["person"][field] = Value::String(value.into());
        let (status, body) = submit_json(c, &v.to_string(), None).await;
        assert_eq!(status, 422, "{field}: {body}");
        let e = &body["errors"][0];
        assert_eq!(e["field"], format!("person.{field}"), "{body}");
        assert!(e["message_zh"].as_str().unwrap().contains("控制字符"));
    }
    // A batch whose name cell holds a NUL: the row is an error, the batch is kept.
    let b = signed_in(c, "chu", Role::Reviewer).await;
    let token = csrf(c, &b).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                "姓名,证件类型,证件号码\n张\u{0}三,passport,E1234\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("人员\u{202E}.csv"),
        );
    let r = post_batch_form(c, &b, form).await;
    assert_eq!(r.status().as_u16(), 303, "the batch is kept");
    let (status, summary, _) = get(&b, format!("{}{}", c.base, location(r.headers()))).await;
    assert_eq!(status, 200);
    assert!(summary.contains("控制字符") && !summary.contains('\u{0}'));
    // A decision note and a login name.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap();
    let (status, page, _) = post_form(
        &b,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", "0"),
            ("decision", "rejected"),
            ("note", "不符合\u{0}条件"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("意见：不能含有控制字符"));
    let visitor = browser();
    let t = login_token(c, &visitor).await;
    let (status, page) = attempt(c, &visitor, &t, "chu\u{0}", PASSWORD).await;
    assert_eq!(status, 422, "{page}");
}

crate::on_both_databases!(control_characters_are_refused: control_characters_are_refused_at_every_input_on_sqlite, control_characters_are_refused_at_every_input_on_postgresql);

// ----- 6. a database that cannot be written --------------------------------------------------

async fn health(c: &Console) -> (u16, Value) {
    let r = reqwest::get(format!("{}/healthz", c.base)).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// PostgreSQL turned read-only (new sessions only; the pool's are cut): health says so, and
/// once it is writable again, submissions work without a restart.
#[actix_web::test]
async fn a_read_only_postgresql_is_unhealthy_and_is_used_again_when_writable() {
    let Some((c, db)) = pg_console("read_only").await else {
        return;
    };
    assert_eq!(health(&c).await.0, 200);
    let (status, _) = submit_json(&c, EXAMPLE, None).await;
    assert_eq!(status, 201);
    let sql = |s: String| pg_exec(&db.admin, &s).unwrap();
    sql(format!(
        "ALTER DATABASE {} SET default_transaction_read_only = on",
        db.name
    ));
    sql(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
        db.name
    ));
    common::eventually(
        "health to report the database",
        Duration::from_secs(30),
        async || {
            let (status, h) = health(&c).await;
            status == 503 && h["database"] == "unavailable" && h["status"] == "degraded"
        },
    )
    .await;
    let (status, _) = submit_json(&c, EXAMPLE, None).await;
    assert_eq!(status, 503);
    sql(format!(
        "ALTER DATABASE {} RESET default_transaction_read_only",
        db.name
    ));
    common::eventually(
        "submissions to work again",
        Duration::from_secs(30),
        async || submit_json(&c, &profile_named("王五"), None).await.0 == 201,
    )
    .await;
    assert_eq!(health(&c).await.0, 200);
    c.shut_down().await;
}

/// Another process holds SQLite's write lock: reads still work, but health tells the truth.
#[actix_web::test]
async fn a_locked_sqlite_database_is_unhealthy_until_it_can_be_written() {
    use sqlx::Connection;
    let (c, dir) = sqlite_console().await;
    assert_eq!(health(&c).await.0, 200);
    let url = format!("sqlite://{}", dir.path().join("console.db").display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN EXCLUSIVE; INSERT INTO health_checks (id, at) VALUES (2, 'x');")
        .execute(&mut other)
        .await
        .unwrap();
    let (status, h) = health(&c).await;
    assert_eq!((status, h["database"].as_str()), (503, Some("unavailable")));
    sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    common::eventually("health to recover", Duration::from_secs(30), async || {
        health(&c).await.0 == 200
    })
    .await;
}

// ----- 7. rate limits and the trusted proxy --------------------------------------------------

fn limited(trusted: bool) -> Settings {
    Settings {
        submissions_per_minute: 3,
        status_per_minute: 3,
        trusted_proxies: if trusted {
            vec!["127.0.0.1".parse().unwrap()]
        } else {
            Vec::new()
        },
        ..Settings::unlimited()
    }
}

async fn limited_console(trusted: bool) -> (Console, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("limited.db");
    let c = console_set(
        url.to_str().unwrap(),
        false,
        PolicySource::Dir("policy".into()),
        limited(trusted),
    )
    .await;
    (c, dir)
}

async fn submit_from(c: &Console, forwarded_for: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
        .header("Content-Type", "application/json")
        .header("X-Forwarded-For", forwarded_for)
        .body(EXAMPLE)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn anonymous_work_beyond_its_limit_is_refused_with_a_time_to_wait() {
    let (c, _dir) = limited_console(false).await;
    for i in 0..3 {
        // A client cannot escape its limit by claiming another address.
        let r = submit_from(&c, &format!("198.51.100.{i}")).await;
        assert_eq!(r.status().as_u16(), 201);
    }
    let r = submit_from(&c, "198.51.100.9").await;
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("请求过于频繁")
    );
    assert!(
        body["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("Too many")
    );
    assert_eq!(c.store.count_applications().await.unwrap(), 3);
    // The page route answers with a page.
    let r = browser()
        .post(format!("{}/applications", c.base))
        .form(&applicant_form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.text().await.unwrap().contains("<html"));
    // Status look-ups are limited on their own.
    for _ in 0..3 {
        let r = reqwest::get(format!("{}/status/{}", c.base, "0".repeat(64)))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
    }
    let r = reqwest::get(format!("{}/api/v1/status/{}", c.base, "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_lockout() {
    let (c, _dir) = limited_console(true).await;
    for _ in 0..3 {
        assert_eq!(submit_from(&c, "203.0.113.1").await.status().as_u16(), 201);
    }
    assert_eq!(submit_from(&c, "203.0.113.1").await.status().as_u16(), 429);
    // The proxy appends the address it was reached from; what the client wrote before is
    // not believed.
    assert_eq!(
        submit_from(&c, "203.0.113.1, 203.0.113.2")
            .await
            .status()
            .as_u16(),
        201
    );
    // Five failures lock the address they came from, not everyone behind the proxy.
    add(&c, "qin", Role::Reviewer).await;
    let b = browser();
    let token = login_token(&c, &b).await;
    let login = |from: &'static str, name: &'static str, password: &'static str| {
        let (b, token, url) = (
            b.clone(),
            token.clone(),
            format!("{}/officer/login", c.base),
        );
        async move {
            b.post(url)
                .header("X-Forwarded-For", from)
                .form(&[
                    ("form_token", token.as_str()),
                    ("name", name),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for i in 0..5 {
        let name = ["a1", "a2", "a3", "a4", "a5"][i];
        assert!(matches!(login("203.0.113.66", name, "x").await, 401 | 429));
    }
    assert_eq!(login("203.0.113.66", "qin", PASSWORD).await, 429);
    assert_eq!(login("203.0.113.7", "qin", PASSWORD).await, 303);
}

// ----- 8. slow bodies ------------------------------------------------------------------------

#[actix_web::test]
async fn a_body_sent_a_byte_at_a_time_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let c = console_set(
        dir.path().join("slow.db").to_str().unwrap(),
        false,
        PolicySource::Dir("policy".into()),
        Settings {
            body_grace: Duration::from_secs(1),
            ..Settings::unlimited()
        },
    )
    .await;
    let addr = c.base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    write
        .write_all(
            b"POST /api/v1/assessments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 1000\r\n\r\n{",
        )
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if write.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let read_all = tokio::time::timeout(Duration::from_secs(8), read.read_to_end(&mut answer));
    assert!(
        read_all.await.is_ok(),
        "the connection was still open after 8 s: {}",
        String::from_utf8_lossy(&answer)
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    trickle.abort();
}

// ----- 9. the smaller ones -------------------------------------------------------------------

#[actix_web::test]
async fn json_routes_answer_json_when_the_database_is_missing() {
    let (base, _) = common::launch(common::policy_state());
    let r = reqwest::get(format!("{base}/api/v1/applications"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert!(body["errors"][0]["message_en"].as_str().is_some());
}

#[actix_web::test]
async fn a_batch_file_sent_before_its_token_is_refused_unread() {
    let (c, _dir) = sqlite_console().await;
    let b = signed_in(&c, "yang", Role::Hr).await;
    let token = csrf(&c, &b).await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"name\n".to_vec()).file_name("a.csv"),
        )
        .text("csrf", token);
    let r = post_batch_form(&c, &b, form).await;
    assert_eq!(r.status().as_u16(), 403);
}

#[actix_web::test]
async fn media_types_are_read_without_regard_to_case() {
    let (c, _dir) = sqlite_console().await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/assessments", c.base))
        .header("Content-Type", "APPLICATION/JSON; charset=UTF-8")
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[actix_web::test]
async fn personal_data_is_never_cached_and_the_api_docs_have_a_csp() {
    let (c, _dir) = sqlite_console().await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap();
    let b = signed_in(&c, "he", Role::Reviewer).await;
    for path in [
        format!("/api/v1/applications/{reference}"),
        "/api/v1/applications".to_string(),
        v["status_url"].as_str().unwrap().to_string(),
    ] {
        let (status, _, h) = get(&b, format!("{}{path}", c.base)).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    let (status, _, h) = get(&b, format!("{}/api/docs/", c.base)).await;
    assert_eq!(status, 200);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
}

#[actix_web::test]
async fn invented_http_methods_do_not_grow_the_metrics() {
    let (c, _dir) = sqlite_console().await;
    let client = reqwest::Client::new();
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("ZZ{i}").as_bytes()).unwrap();
        let _ = client
            .request(method, format!("{}/nowhere", c.base))
            .send()
            .await
            .unwrap();
    }
    let text = metrics_text(&c).await;
    assert!(!text.contains("ZZ1"), "{text}");
    assert!(text.contains("method=\"OTHER\""));
}

// ----- 10. batch results are not kept forever ------------------------------------------------

#[actix_web::test]
async fn batch_results_are_deleted_after_the_retention_period() {
    let (c, _dir) = sqlite_console().await;
    add(&c, "lv", Role::Hr).await;
    let officer = c.store.officer_by_name("lv").await.unwrap().unwrap();
    let token = c
        .store
        .save_batch(officer.id, "a.csv", "{}", "x", b"PK")
        .await
        .unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        c.store
            .purge(now + chrono::Duration::days(29), 30)
            .await
            .unwrap(),
        0
    );
    assert!(c.store.batch(&token, officer.id).await.unwrap().is_some());
    assert_eq!(
        c.store
            .purge(now + chrono::Duration::days(31), 30)
            .await
            .unwrap(),
        1
    );
    assert!(c.store.batch(&token, officer.id).await.unwrap().is_none());
}
