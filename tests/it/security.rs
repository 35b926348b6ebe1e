//! What an attacker tried, and what must hold: sign-in bursts, reused idempotency keys,
//! concurrent decisions, formulas and control characters in input, a database that cannot be
//! written, floods of anonymous work, slow bodies, and the smaller leaks. Each scenario runs
//! on SQLite, and on PostgreSQL where the database matters (always on CI).

use crate::common;
use common::console::*;
use common::{pg_exec, policy_files_with, zipped_policy};

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
    assert_eq!(status, 200);
    assert_eq!(
        (&again["reference"], &again["status"]),
        (&first["reference"], &first["status"]),
        "the same request: the first application"
    );
    // The key alone does not show the replay comes from the first client: no status link.
    assert!(again.get("status_url").is_none() && again.get("status_token").is_none());
    assert!(
        !again
            .to_string()
            .contains(first["status_token"].as_str().unwrap())
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

// ----- 11. this round's findings: drafts, bodies, what the files hold --------------------------

/// Posts a zipped draft to the console's simulation, as a policy officer.
async fn simulate_zip(c: &Console, b: &reqwest::Client, zip: Vec<u8>) -> (u16, String) {
    let (_, page, _) = get(b, format!("{}/officer/policy/drafts", c.base)).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .part(
            "draft",
            reqwest::multipart::Part::bytes(zip).file_name("draft.zip"),
        )
        .text("saved", "on");
    let r = b
        .post(format!("{}/officer/policy/simulate", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// `talent-subsidy check` on a folder of these files: its exit code and what it printed.
fn check_folder(files: &[(String, String)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(["check", "--policy"])
        .arg(dir.path())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A condition written as a flat chain of 2,000 terms overflowed the compiler's stack and
/// aborted the process; now it is refused at its place, in the console and by `check`, and
/// the service goes on.
#[actix_web::test]
async fn a_draft_with_a_flat_chain_of_two_thousand_terms_is_refused_and_the_service_lives() {
    let (c, _dir) = sqlite_console().await;
    let b = signed_in(&c, "gao", Role::Policy).await;
    let condition = "when = \"startup.founder_equity_pct >= 30\"";
    for chain in [
        vec!["true"; 2_000].join(" and "),
        vec!["false"; 2_000].join(" or "),
        format!("{} > 0", vec!["1"; 2_000].join("+")),
    ] {
        let to = format!("when = \"startup.founder_equity_pct >= 30 and {chain}\"");
        let (status, page) =
            simulate_zip(&c, &b, zipped_policy("jinying.toml", condition, &to)).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("draft.zip/jinying.toml:"), "{page}");
        assert!(page.contains("嵌套超过 64 层"), "{page}");
        let (code, said) = check_folder(&policy_files_with("jinying.toml", condition, &to));
        assert_eq!(code, 1, "{said}");
        assert!(
            said.contains("jinying.toml:") && said.contains("嵌套超过 64 层"),
            "{said}"
        );
        assert!(said.contains("nested more than 64 deep"), "{said}");
    }
    assert_eq!(health(&c).await.0, 200, "the service still answers");
}

/// 8,028 parameters of three lines each took 17 s to refuse (diagnostics located and
/// compared one against every other); now the count is capped and the problems too, and
/// the page and `check` say how many more there were.
#[actix_web::test]
async fn a_draft_with_thousands_of_parameters_is_refused_with_a_bounded_list_of_problems() {
    let (c, _dir) = sqlite_console().await;
    let b = signed_in(&c, "hua", Role::Policy).await;
    let mut extra = String::new();
    for i in 0..8_028 {
        extra.push_str(&format!("\n[[params]]\nid = \"p{i}\"\nvalue = \"1\"\n"));
    }
    let anchor = "[[params]]\nid = \"housing_allowance_doctorate\"";
    let to = format!("{extra}\n{anchor}");
    let (status, page) = simulate_zip(&c, &b, zipped_policy("doubling.toml", anchor, &to)).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("个问题未列出"), "{page}");
    let (code, said) = check_folder(&policy_files_with("doubling.toml", anchor, &to));
    assert_eq!(code, 1);
    assert!(
        said.contains("参数过多") || said.contains("个问题未列出"),
        "{said}"
    );
    assert!(
        said.matches("错误 error").count() <= 101,
        "at most a hundred problems and the count of the rest"
    );
    assert_eq!(health(&c).await.0, 200);
}

/// Sends request headers (and `first` bytes of a body they declare far longer) over a raw
/// connection; the status code of an answer that must come before the rest of the body.
async fn answer_before_the_body(c: &Console, head: &str, first: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = c.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(first).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // Far less than the body deadline (10 s): an answer only once the body gave up is late.
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "no answer before the body was sent: {head}");
    let text = String::from_utf8_lossy(&got);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn multipart_head(path: &str, length: u64, cookie: Option<&str>) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {length}\r\n{cookie}Consent-Notice-Version: {}\r\n\r\n",
        talent_subsidy::privacy::NOTICE_VERSION
    )
}

/// A body of `parts` empty parts, each named with `name_len` characters.
fn many_parts(parts: usize, name_len: usize, token: &str) -> Vec<u8> {
    let mut body =
        format!("--b\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n")
            .into_bytes();
    let name = "n".repeat(name_len);
    for _ in 0..parts {
        body.extend_from_slice(
            format!("--b\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--b--\r\n");
    body
}

/// Anonymous multipart bodies of 40,000 parts with 8,000-character names took the service to
/// 1.6 GB before a 403. Now a status link, its application's status and the form's cookie are
/// checked before the body is read; a body declared larger than the limit is refused from
/// its headers; the parts, their names and their text are bounded as they arrive.
async fn multipart_bodies_are_bounded_before_they_are_read(c: &Console) {
    let declared = 322_000_000;
    let first = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n";
    // A link that does not exist: 404 before the body.
    let head = multipart_head(&format!("/status/{}/reply", "0".repeat(64)), declared, None);
    assert_eq!(answer_before_the_body(c, &head, first).await, 404);
    // An application not waiting for information: 409 before the body.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let link = v["status_url"].as_str().unwrap().to_string();
    let head = multipart_head(&format!("{link}/reply"), declared, None);
    assert_eq!(answer_before_the_body(c, &head, first).await, 409);
    // No form cookie: 403 before the body.
    let head = multipart_head("/applications", declared, None);
    assert_eq!(answer_before_the_body(c, &head, first).await, 403);
    // A cookie, and a body declared beyond the limit: 413 from the headers.
    let b = browser();
    let (_, page, _) = get(&b, format!("{}/officer/login", c.base)).await;
    let token = hidden(&page, "form_token");
    let cookie = format!("sxt_form={token}");
    let head = multipart_head("/applications", declared, Some(&cookie));
    let status = answer_before_the_body(c, &head, first).await;
    assert!(status == 413 || status == 403, "{status}");
    let head = multipart_head("/api/v1/applications", declared, None);
    assert_eq!(answer_before_the_body(c, &head, first).await, 413);
    // Bodies that arrive whole: too many parts, too long a name.
    for (parts, name_len) in [(500, 4), (2, 8_000)] {
        let body = many_parts(parts, name_len, &token);
        let r = api_post(c)
            .header("Content-Type", "multipart/form-data; boundary=b")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "{parts} parts of {name_len}");
        let text = r.text().await.unwrap();
        assert!(text.contains("过多") || text.contains("过长"), "{text}");
    }
    assert_eq!(c.store.count_applications().await.unwrap(), 1);
}

crate::on_both_databases!(multipart_bodies_are_bounded_before_they_are_read: bounded_bodies_on_sqlite, bounded_bodies_on_postgresql);

/// A POST to the applications API with the consent header an integrating system sends.
fn api_post(c: &Console) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
}

/// How many files the database keeps.
async fn stored_files(c: &Console) -> i64 {
    c.store.count_uploads().await.unwrap()
}

fn pdf_named(marker: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(format!("%PDF-1.4\n% {marker}\n%%EOF\n").into_bytes())
        .file_name("x.html")
        .mime_str("text/html")
        .unwrap()
}

/// Files came before anything was checked: a reply to a link that does not exist, or to an
/// application not waiting for information, kept its files; so did every retry with one
/// Idempotency-Key. Now nothing is stored unless it will be kept. And a PDF named `x.html`
/// is downloaded as `x.pdf`.
async fn files_are_kept_only_when_their_request_is(c: &Console) {
    let before = stored_files(c).await;
    let reply = |link: String, token: String| async move {
        let b = browser();
        let form = reqwest::multipart::Form::new()
            .text("form_token", token)
            .text("reply", "补充")
            .part("material:social_insurance_record", pdf_named("reply"));
        b.post(link).multipart(form).send().await.unwrap()
    };
    let r = reply(
        format!("{}/status/{}/reply", c.base, "0".repeat(64)),
        "t".into(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 404);
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    let r = reply(format!("{link}/reply"), "t".into()).await;
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(stored_files(c).await, before, "nothing kept");
    // One Idempotency-Key sent three times with its files: one copy.
    let send = || async {
        let form = reqwest::multipart::Form::new()
            .text("profile", profile_named("钱七"))
            .part("material:degree_certificate", pdf_named("degree"));
        api_post(c)
            .header("Idempotency-Key", "files-once")
            .multipart(form)
            .send()
            .await
            .unwrap()
    };
    let first = send().await;
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.unwrap();
    for _ in 0..2 {
        let again = send().await;
        assert_eq!(again.status().as_u16(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["reference"], first["reference"]);
        assert!(
            again.get("status_url").is_none(),
            "no link in a replay: {again}"
        );
    }
    assert_eq!(stored_files(c).await, before + 1, "one copy of the file");
    // The file downloads under the name of what it is.
    let link = format!("{}{}", c.base, first["status_url"].as_str().unwrap());
    let (_, page, _) = get(&browser(), link.clone()).await;
    let at = page.find("/files/").expect("a file link");
    let id: String = page[at + 7..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let r = reqwest::get(format!("{link}/files/{id}")).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains("x.pdf"), "{disposition}");
    assert!(!disposition.contains(".html"), "{disposition}");
}

crate::on_both_databases!(files_are_kept_only_when_their_request_is: files_checked_first_on_sqlite, files_checked_first_on_postgresql);

/// A NUL in a path or a query reached PostgreSQL and came back as 503 with an ERROR log.
async fn a_nul_in_an_address_is_refused_before_any_handler(c: &Console) {
    let b = signed_in(c, "nul", Role::Reviewer).await;
    let r = b
        .get(format!("{}/officer/applications?q=a%00b", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    for path in [
        "/status/ab%00cd",
        "/api/v1/status/ab%00cd",
        "/officer/applications/SXT-2026-%0000001",
        "/status/00/files/a%00",
    ] {
        let r = b.get(format!("{}{path}", c.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let r = b
        .get(format!("{}/officer/access-log?from=2026-01-01%00", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(health(c).await.0, 200, "the database is still healthy");
}

crate::on_both_databases!(a_nul_in_an_address_is_refused_before_any_handler: nul_on_sqlite, nul_on_postgresql);

/// The smaller leaks: a status link made for an erased application, a payment dated
/// 0001-01-01, a status page linking wherever a client's X-Forwarded-Host says, /healthz
/// naming the policy folder, and /metrics open to anyone.
#[actix_web::test]
async fn the_smaller_leaks_are_closed() {
    let (c, _dir) = sqlite_console().await;
    let officer = signed_in(&c, "lu", Role::Reviewer).await;
    let token = csrf(&c, &officer).await;
    // A payment before its approval.
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let (_, page, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &hidden(&page, "seen_version")),
            ("decision", "approved"),
            ("note", "同意"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    put_in_force(&c, &reference).await;
    let finance = signed_in(&c, "qian", Role::Finance).await;
    let ftoken = csrf_on(&c, &finance, "/officer/payments").await;
    let (_, list, _) = get(&finance, format!("{}/officer/payments", c.base)).await;
    let at = list.find("/officer/payments/").expect("a payment form");
    let id: String = list[at + 18..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let pay = format!("{}/officer/payments/{id}/paid", c.base);
    let (status, _, _) = post_form(
        &finance,
        pay.clone(),
        &[
            ("csrf", &ftoken),
            ("paid_on", "0001-01-01"),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 409, "not before the approval");
    let (status, _, _) = post_form(
        &finance,
        pay,
        &[("csrf", &ftoken), ("paid_on", ""), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 303, "today is fine");
    // A status link for an erased application.
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let erased = v["reference"].as_str().unwrap().to_string();
    let link = v["status_url"].as_str().unwrap().to_string();
    let b = browser();
    let (_, page, _) = get(&b, format!("{}{link}", c.base)).await;
    let form_token = hidden(&page, "form_token");
    let (status, _, _) = post_form(
        &b,
        format!("{}{link}/withdraw", c.base),
        &[("form_token", &form_token), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let later = chrono::Utc::now() + chrono::Duration::days(400);
    assert!(
        c.store
            .erase_expired(later, c.state.settings.retention())
            .await
            .unwrap()
            >= 1
    );
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{erased}/new-link", c.base),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(status, 404, "no link for an erased application");
    // The status page's link: the client's own forwarded host is not believed.
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let link = v["status_url"].as_str().unwrap().to_string();
    let r = reqwest::Client::new()
        .get(format!("{}{link}", c.base))
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(!page.contains("evil.example"), "forwarded host used");
    assert!(page.contains("http://127.0.0.1:"), "own host kept");
    // /healthz names no folder.
    let (_, h) = health(&c).await;
    assert_eq!(h["policy_source"], "folder", "{h}");
    assert!(!h.to_string().contains("/policy"), "{h}");
}

/// /metrics: from this machine, or with the secret when one is set; a client a trusted
/// proxy reports from elsewhere is refused.
#[actix_web::test]
async fn metrics_answer_this_machine_or_the_holder_of_their_secret() {
    let (c, _dir) = limited_console(true).await;
    let get_metrics = |from: &'static str, bearer: Option<&'static str>| {
        let url = format!("{}/metrics", c.base);
        async move {
            let mut r = reqwest::Client::new()
                .get(url)
                .header("X-Forwarded-For", from);
            if let Some(t) = bearer {
                r = r.header("Authorization", format!("Bearer {t}"));
            }
            r.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(get_metrics("127.0.0.1", None).await, 200);
    assert_eq!(get_metrics("203.0.113.9", None).await, 403);
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("metrics.db");
    let with_secret = console_set(
        url.to_str().unwrap(),
        false,
        PolicySource::Dir("policy".into()),
        Settings {
            metrics_token: Some("s3cret-metrics".into()),
            ..Settings::unlimited()
        },
    )
    .await;
    let status = |bearer: Option<&str>| {
        let mut r = reqwest::Client::new().get(format!("{}/metrics", with_secret.base));
        if let Some(t) = bearer {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(None).await, 403);
    assert_eq!(status(Some("wrong")).await, 403);
    assert_eq!(status(Some("s3cret-metrics")).await, 200);
}

/// Words that must not be readable in the database's files or rows.
const MARKS: [&str; 7] = [
    "NOTEMARK请补充",
    "REPLYMARK已补充",
    "REASONMARK不予",
    "WITHDRAWMARK撤回",
    "BATCHFILEMARK",
    "BATCHNAMEMARK",
    "POPFILEMARK",
];

/// Leaves each mark somewhere an officer or applicant writes: the officer's note, the
/// applicant's reply (with an ID number), a refusal's reason, a withdrawal's reason, a batch
/// check's file and a row's name, a simulated population's file. Returns the status link.
async fn write_every_kind_of_text(c: &Console) -> String {
    let officer = signed_in(c, "feng", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let link = v["status_url"].as_str().unwrap().to_string();
    let seen = |reference: String| {
        let officer = officer.clone();
        let url = format!("{}/officer/applications/{reference}", c.base);
        async move { hidden(&get(&officer, url).await.1, "seen_version") }
    };
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen(reference.clone()).await),
            ("decision", "more_info"),
            ("note", MARKS[0]),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let applicant = browser();
    let (_, page, _) = get(&applicant, format!("{}{link}", c.base)).await;
    let reply = format!("{} 32068219880315001X", MARKS[1]);
    let (status, _, _) = post_form(
        &applicant,
        format!("{}{link}/reply", c.base),
        &[
            ("form_token", &hidden(&page, "form_token")),
            ("reply", &reply),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, body, _) = post_form(
        &officer,
        format!(
            "{}/officer/applications/{reference}/programs/rent_subsidy",
            c.base
        ),
        &[
            ("csrf", &token),
            ("seen_version", &seen(reference.clone()).await),
            ("decision", "refuse"),
            ("reason", MARKS[2]),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    // A second application, withdrawn with a reason.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let other = v["status_url"].as_str().unwrap().to_string();
    let b = browser();
    let (_, page, _) = get(&b, format!("{}{other}", c.base)).await;
    let (status, _, _) = post_form(
        &b,
        format!("{}{other}/withdraw", c.base),
        &[
            ("form_token", &hidden(&page, "form_token")),
            ("confirm", "1"),
            ("reason", MARKS[3]),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // A batch check with a row in error, and a simulation on an uploaded file.
    let csv = format!(
        "申请日期,姓名,证件类型,证件号码,出生日期,最高学历,毕业院校类别,毕业院校名称,毕业日期\r\n\
         2026-03-01,{},居民身份证,320682198803150010,1988-03-15,硕士,双一流,南通大学,2015-06-30\r\n",
        MARKS[5]
    );
    let r = upload_batch(
        c,
        &officer,
        csv.clone().into_bytes(),
        &format!("{}.csv", MARKS[4]),
    )
    .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, page, _) = get(&officer, format!("{}/officer/policy/drafts", c.base)).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .part(
            "draft",
            reqwest::multipart::Part::bytes(zipped_policy("policy.toml", "", ""))
                .file_name("draft.zip"),
        )
        .part(
            "population",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name(format!("{}.csv", MARKS[6])),
        );
    let r = officer
        .post(format!("{}/officer/policy/simulate", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    // Everything reads back for those who may see it.
    let (_, page, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    for mark in &MARKS[..3] {
        assert!(page.contains(mark), "{mark} shown to the reviewer");
    }
    let (_, page, _) = get(&applicant, format!("{}{link}", c.base)).await;
    assert!(
        page.contains(MARKS[2]),
        "the refusal's reason shown to the applicant"
    );
    link
}

/// The files of a SQLite database were 0644 and held in plain the status-link secret, the
/// assessment (salary, dates…), notes, replies, reasons, batch and population file names.
#[actix_web::test]
async fn the_sqlite_files_are_owner_only_and_hold_no_secret_or_personal_words() {
    let (c, dir) = sqlite_console().await;
    let link = write_every_kind_of_text(&c).await;
    let token = link.trim_start_matches("/status/");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("console.db") {
            continue;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name} is {:o}", mode & 0o777);
        }
        if name.ends_with(".key") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        seen += bytes.len();
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        for mark in MARKS.iter().chain([&token, &"\"talent_tier\""]) {
            assert!(!has(mark), "{mark} readable in {name}");
        }
    }
    assert!(seen > 0);
    assert!(dir.path().join("console.db-wal").exists());
    // A key file others may read is refused, saying how to fix it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.path().join("console.db.key");
        c.shut_down().await;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let url = dir.path().join("console.db");
        let e = talent_subsidy::store::Store::open(
            url.to_str().unwrap(),
            &talent_subsidy::store::KeySource::Beside,
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("chmod 600") && e.contains("可被其他用户读取"),
            "{e}"
        );
    }
}

/// The same on PostgreSQL: no row of any table holds them.
#[actix_web::test]
async fn no_postgresql_row_holds_a_secret_or_personal_words() {
    let Some((c, db)) = pg_console("sealed_words").await else {
        return;
    };
    let link = write_every_kind_of_text(&c).await;
    let token = link.trim_start_matches("/status/").to_string();
    for (t, row) in every_pg_row(&db.url).await {
        for mark in MARKS.iter().chain([&token.as_str(), &"\"talent_tier\""]) {
            assert!(!row.contains(mark), "{mark} in a row of {t}");
        }
    }
    c.shut_down().await;
}

/// A database written before this version (plain notes, reasons, results, status links) is
/// sealed when it is opened, and everything still reads back; the old link still works.
async fn an_older_database_is_sealed_when_opened(
    url: &str,
    keys: &talent_subsidy::store::KeySource,
) {
    use talent_subsidy::store::Store;
    let store = Store::open(url, keys).await.unwrap();
    let c_url = url.to_string();
    // Written as an older version wrote them.
    let plain_token = "ab".repeat(32);
    let result = r#"{"policy_version":"v","talent_tier":"E"}"#;
    let sql = [
        format!(
            "INSERT INTO applications (reference, status_token, submitted_at, submitted_on, \
             applicant_name, id_number, tier, total, policy_version, application_date, profile, \
             result, status, note, updated_at) VALUES ('SXT-2025-000001', '{plain_token}', \
             '2025-01-01T00:00:00+08:00', '2025-01-01', '', '', 'E', '0', 'v', '2025-01-01', '', \
             '{result}', 'more_info', 'OLDNOTE', '2025-01-01T00:00:00+08:00')"
        ),
        "INSERT INTO audit_log (application_id, at, actor, from_status, to_status, note) \
         SELECT id, '2025-01-01', 'applicant', 'more_info', 'submitted', 'OLDREPLY' \
         FROM applications WHERE reference = 'SXT-2025-000001'"
            .to_string(),
    ];
    // The database as an outside connection sees it.
    let raw = if url.starts_with("postgres") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    };
    {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&raw).await.unwrap();
        for s in &sql {
            sqlx::query(s).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    }
    store.close().await;
    let store = Store::open(&c_url, keys).await.unwrap();
    let app = store
        .application_by_token(&plain_token)
        .await
        .unwrap()
        .expect("the old link still works");
    assert_eq!(app.summary.note, "OLDNOTE");
    assert_eq!(app.result, result);
    let audit = store.audit_log(app.summary.id).await.unwrap();
    assert_eq!(audit.last().unwrap().note, "OLDREPLY");
    // And none of it is plain any more.
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(&raw).await.unwrap();
    let row = sqlx::query(
        "SELECT status_token, note, result FROM applications WHERE reference = 'SXT-2025-000001'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let (token, note, result): (String, String, String) =
        (row.get("status_token"), row.get("note"), row.get("result"));
    assert!(token.starts_with("h1:") && !token.contains(&plain_token));
    assert!(note.starts_with("enc1:") && result.starts_with("enc1:"));
    let notes: Vec<String> = sqlx::query_scalar("SELECT note FROM audit_log")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(
        notes.iter().all(|n| n.is_empty() || n.starts_with("enc1:")),
        "{notes:?}"
    );
    // The audit log is append-only again.
    assert!(
        sqlx::query("UPDATE audit_log SET note = 'x'")
            .execute(&mut conn)
            .await
            .is_err()
    );
    conn.close().await.unwrap();
    store.close().await;
}

#[actix_web::test]
async fn an_older_sqlite_database_is_sealed_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("old.db");
    an_older_database_is_sealed_when_opened(
        url.to_str().unwrap(),
        &talent_subsidy::store::KeySource::Beside,
    )
    .await;
}

#[actix_web::test]
async fn an_older_postgresql_database_is_sealed_when_opened() {
    let Some(db) = common::pg_database("older_sealed") else {
        return;
    };
    an_older_database_is_sealed_when_opened(&db.url, &common::test_keys(&db.url)).await;
}

/// Two instances on one PostgreSQL database: a client's submissions are limited across both,
/// not per instance (each alone would allow the whole limit), and a status look-up limit holds
/// the same way.
#[actix_web::test]
async fn a_rate_limit_holds_across_two_instances_on_one_database() {
    let Some(db) = common::pg_database("rate_limit_two_instances") else {
        return;
    };
    let source = || PolicySource::Dir("policy".into());
    let a = console_set(&db.url, false, source(), limited(false)).await;
    let b = console_set(&db.url, false, source(), limited(false)).await;
    // Three allowed in all, alternating instances; the fourth refused on either.
    let statuses = [
        submit_from(&a, "x").await.status().as_u16(),
        submit_from(&b, "x").await.status().as_u16(),
        submit_from(&a, "x").await.status().as_u16(),
    ];
    assert_eq!(statuses, [201, 201, 201]);
    for c in [&b, &a] {
        let r = submit_from(c, "x").await;
        assert_eq!(r.status().as_u16(), 429, "the fourth, on either instance");
        assert!(r.headers().contains_key("retry-after"));
    }
    assert_eq!(a.store.count_applications().await.unwrap(), 3);
    for (i, c) in [&a, &b, &a].into_iter().enumerate() {
        let r = reqwest::get(format!("{}/status/{}", c.base, "0".repeat(64)))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "look-up {i}");
    }
    let r = reqwest::get(format!("{}/status/{}", b.base, "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    a.shut_down().await;
    b.shut_down().await;
}

/// Assessments are limited across instances when a Redis is configured (each instance alone
/// would allow the whole limit); a Redis that is not there stops nothing — each instance then
/// counts its own.
#[actix_web::test]
async fn an_assessment_limit_holds_across_two_instances_through_redis() {
    let up = std::net::TcpStream::connect("127.0.0.1:6379").is_ok();
    if !up {
        common::tool_absent(
            "redis_rate_limit",
            "Redis on 127.0.0.1:6379",
            "the machine starts one; redis-server --daemonize yes --port 6379",
        );
        return;
    }
    let settings = |redis: &str| Settings {
        assessments_per_minute: 3,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        redis_url: Some(redis.to_string()),
        ..Settings::unlimited()
    };
    // A client address of this run's own, so an earlier run's counts do not meet it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let client = format!(
        "10.{}.{}.{}",
        nanos % 250,
        (nanos / 250) % 250,
        (nanos / 62_500) % 250 + 1
    );
    let assess = |c: &Console, client: String| {
        let url = format!("{}/api/v1/assessments", c.base);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", client)
                .body(EXAMPLE)
                .send()
                .await
                .unwrap()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).display().to_string();
    let source = || PolicySource::Dir("policy".into());
    let a = console_set(
        &path("a.db"),
        false,
        source(),
        settings("redis://127.0.0.1:6379"),
    )
    .await;
    let b = console_set(
        &path("b.db"),
        false,
        source(),
        settings("redis://127.0.0.1:6379"),
    )
    .await;
    let mut seen = Vec::new();
    for c in [&a, &b, &a, &b, &a] {
        seen.push(assess(c, client.clone()).await.status().as_u16());
    }
    assert_eq!(
        seen,
        [200, 200, 200, 429, 429],
        "three in all across both instances"
    );
    let r = assess(&b, client.clone()).await;
    assert!(r.headers().contains_key("retry-after"));
    a.shut_down().await;
    b.shut_down().await;

    // No Redis where it is said to be: every assessment is answered, and each instance
    // counts its own (three each).
    let gone = format!("redis://127.0.0.1:{}", common::free_port());
    let c = console_set(&path("c.db"), false, source(), settings(&gone)).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(assess(&c, client.clone()).await.status().as_u16());
    }
    assert_eq!(seen, [200, 200, 200, 429], "limited here, not stopped");
    c.shut_down().await;
}
