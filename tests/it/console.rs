//! Black-box tests of applications and the officer console: the app on port 0 with a real
//! database (a SQLite file; PostgreSQL too wherever one is reachable, always on CI), a real HTTP
//! client with a cookie jar. Sign-in, lockout, CSRF, roles, submit → list → decide → audit,
//! export, batch checks (GBK too), concurrency, and data surviving a restart.

use crate::common;
use common::console::*;

use serde_json::Value;
use talent_subsidy::policy::PolicySource;
use talent_subsidy::store::{Role, Store};

#[actix_web::test]
async fn signing_in_and_out_and_every_console_route_needs_a_session() {
    let (c, _dir) = sqlite_console().await;
    add(&c, "wang", Role::Reviewer).await;
    let anon = browser();
    for path in [
        "/officer",
        "/officer/applications",
        "/officer/applications.csv",
        "/officer/applications/SXT-2026-000001",
        "/officer/batch",
        "/officer/batch/template.csv",
    ] {
        let (status, _, h) = get(&anon, format!("{}{path}", c.base)).await;
        assert_eq!(status, 303, "{path}");
        assert!(location(&h).starts_with("/officer/login?next="), "{path}");
    }
    for (method, path) in [
        ("GET", "/api/v1/applications"),
        ("GET", "/api/v1/applications/SXT-2026-000001"),
        ("POST", "/api/v1/batch-checks"),
        ("POST", "/officer/logout"),
        ("POST", "/officer/applications/SXT-2026-000001/decision"),
    ] {
        let r = anon
            .request(method.parse().unwrap(), format!("{}{path}", c.base))
            .send()
            .await
            .unwrap();
        let api = path.starts_with("/api/");
        assert_eq!(r.status().as_u16(), if api { 401 } else { 303 }, "{path}");
        if !api {
            assert_eq!(
                location(r.headers()),
                "/officer/login?next=%2Fofficer",
                "{path}"
            );
        }
        if api {
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["errors"][0]["message_en"], "Please sign in first");
        }
    }

    let b = browser();
    let (status, body) = sign_in(&c, &b, "wang", "wrong password").await;
    assert_eq!(status, 401);
    assert!(body.contains("用户名或密码不正确"), "{body}");
    let (status, to) = sign_in(&c, &b, "wang", PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/officer/applications"));
    let (status, page, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert_eq!(status, 200);
    assert!(page.contains("wang"));

    // The session cookie: HttpOnly, SameSite=Strict, not Secure over plain HTTP.
    let login_page = get(&browser(), format!("{}/officer/login", c.base)).await.1;
    let r = browser()
        .post(format!("{}/officer/login", c.base))
        .header(
            "Cookie",
            format!("sxt_form={}", hidden(&login_page, "form_token")),
        )
        .form(&[
            ("form_token", hidden(&login_page, "form_token").as_str()),
            ("name", "wang"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("sxt_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");

    let token = csrf(&c, &b).await;
    let (status, _, h) = post_form(
        &b,
        format!("{}/officer/logout", c.base),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!((status, location(&h).as_str()), (303, "/officer/login"));
    let (status, _, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert_eq!(status, 303, "signed out: the old session no longer works");
    c.server.stop(false).await;
}

#[actix_web::test]
async fn secure_cookies_when_served_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let c = console_with(dir.path().join("s.db").to_str().unwrap(), true).await;
    let r = browser()
        .get(format!("{}/officer/login", c.base))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[actix_web::test]
async fn five_failures_lock_an_account_and_an_address_for_a_while() {
    let (c, _dir) = sqlite_console().await;
    add(&c, "li", Role::Reviewer).await;
    let b = browser();
    for i in 1..=4 {
        let (status, _) = sign_in(&c, &b, "li", "nope").await;
        assert_eq!(status, 401, "failure {i}");
    }
    let (status, body) = sign_in(&c, &b, "li", "nope").await;
    assert_eq!(status, 429, "the fifth failure locks");
    assert!(
        body.contains("登录失败次数过多") && body.contains("分钟"),
        "{body}"
    );
    let (status, body) = sign_in(&c, &b, "li", PASSWORD).await;
    assert_eq!(status, 429, "locked even with the right password");
    assert!(body.contains("已暂时锁定"), "{body}");
    assert_eq!(metric(&c, "login_failures_total").await, 5);

    // Five failures from one address on different names lock the address too.
    let (c, _dir2) = sqlite_console().await;
    add(&c, "zhao", Role::Reviewer).await;
    for i in 0..5 {
        let (status, _) = sign_in(&c, &b, &format!("nobody{i}"), "x").await;
        assert!(status == 401 || status == 429);
    }
    let (status, _) = sign_in(&c, &b, "zhao", PASSWORD).await;
    assert_eq!(status, 429, "the address is locked");
}

#[actix_web::test]
async fn a_post_without_its_csrf_token_changes_nothing() {
    let (c, _dir) = sqlite_console().await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let b = signed_in(&c, "qian", Role::Reviewer).await;
    let decision = format!("{}/officer/applications/{reference}/decision", c.base);
    let zeros = "0".repeat(64);
    for form in [
        vec![("seen_version", "0"), ("decision", "approved")],
        vec![
            ("csrf", zeros.as_str()),
            ("seen_version", "0"),
            ("decision", "approved"),
        ],
    ] {
        let (status, body, _) = post_form(&b, decision.clone(), &form).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("表单已失效"), "{body}");
    }
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.status.id(), "submitted", "nothing was decided");
    assert_eq!(c.store.audit_log(app.summary.id).await.unwrap().len(), 1);

    let (status, _, _) = post_form(&b, format!("{}/officer/logout", c.base), &[]).await;
    assert_eq!(status, 403);
    let (status, _, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert_eq!(status, 200, "still signed in");

    let r = b
        .post(format!("{}/api/v1/batch-checks", c.base))
        .header("Content-Type", "text/csv")
        .body("姓名\n张三\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"a\n".to_vec()).file_name("x.csv"),
    );
    let r = post_batch_form(&c, &b, form).await;
    assert_eq!(r.status().as_u16(), 403);

    // Forms without a session: login and submitting an application.
    let (status, _, _) = post_form(
        &browser(),
        format!("{}/officer/login", c.base),
        &[("name", "qian"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post_form(
        &browser(),
        format!("{}/applications", c.base),
        &[("person.full_name", "张三")],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(c.store.count_applications().await.unwrap(), 1);
}

#[actix_web::test]
async fn an_hr_account_runs_batches_but_sees_no_application() {
    let (c, _dir) = sqlite_console().await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let b = signed_in(&c, "hr1", Role::Hr).await;
    let (status, _, h) = get(&b, format!("{}/officer", c.base)).await;
    assert_eq!((status, location(&h).as_str()), (303, "/officer/batch"));
    let token = csrf(&c, &b).await;
    for path in [
        "/officer/applications".to_string(),
        "/officer/applications.csv".into(),
        format!("/officer/applications/{reference}"),
        "/api/v1/applications".into(),
        format!("/api/v1/applications/{reference}"),
    ] {
        let (status, body, _) = get(&b, format!("{}{path}", c.base)).await;
        assert_eq!(status, 403, "{path}");
        assert!(!body.contains(&reference), "{path} shows the application");
    }
    let (status, _, _) = post_form(
        &b,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", "0"),
            ("decision", "approved"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        c.store
            .application(&reference)
            .await
            .unwrap()
            .unwrap()
            .summary
            .status
            .id(),
        "submitted"
    );
    let (status, page, _) = get(&b, format!("{}/officer/batch", c.base)).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("/officer/applications\""),
        "no link to applications for hr"
    );
}

/// Submit from the result page → listed → filtered → decided → in the audit log and on the
/// applicant's status page. Run on each database.
async fn submit_review_decide(c: &Console) {
    // The applicant: the form, the result page, "submit application".
    let applicant = browser();
    let form = applicant_form();
    let r = applicant
        .post(format!("{}/assess", c.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let result_page = r.text().await.unwrap();
    assert!(result_page.contains("提交申请"));
    let mut submit = form.clone();
    submit.push(("form_token".into(), hidden(&result_page, "form_token")));
    submit.push((
        "submission_key".into(),
        hidden(&result_page, "submission_key"),
    ));
    // The privacy notice is on the page; consent is required (see the privacy tests).
    assert!(result_page.contains("id=\"privacy-notice\""));
    submit.push((
        "notice_version".into(),
        hidden(&result_page, "notice_version"),
    ));
    submit.push(("consent".into(), "1".into()));
    // This applicant's estimate is ¥0: the page says so and asks for a confirmation, and a
    // submission without it is not saved.
    assert!(result_page.contains("id=\"nothing-payable\""));
    let r = applicant
        .post(format!("{}/applications", c.base))
        .form(&submit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    submit.push(("confirm_nothing".into(), "1".into()));
    let r = applicant
        .post(format!("{}/applications", c.base))
        .form(&submit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let status_url = location(r.headers());
    assert!(status_url.starts_with("/status/") && status_url.len() == "/status/".len() + 64);
    // Sent twice (a double click, a retry): saved once.
    let r = applicant
        .post(format!("{}/applications", c.base))
        .form(&submit)
        .send()
        .await
        .unwrap();
    assert_eq!(location(r.headers()), status_url);
    let (status, page, _) = get(&applicant, format!("{}{status_url}", c.base)).await;
    assert_eq!(status, 200);
    let reference = page
        .split("id=\"reference\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(
        reference.starts_with("SXT-2026-") && reference.len() == 15,
        "{reference}"
    );
    assert!(page.contains("待审核"));

    // Another applicant, through the API, for the filters to tell apart.
    let (status, other) = submit_json(c, &profile_named("周敏"), None).await;
    assert_eq!(status, 201);
    let other_ref = other["reference"].as_str().unwrap().to_string();

    // The officer: the list, with masked ID numbers.
    let b = signed_in(c, "sun", Role::Reviewer).await;
    let list = |q: &str| get(&b, format!("{}/officer/applications{q}", c.base));
    let (status, page, _) = list("").await;
    assert_eq!(status, 200);
    assert!(page.contains(&reference) && page.contains(&other_ref));
    assert!(page.contains("3206**********001X") && !page.contains("32068219880315001X"));
    assert!(page.contains("共 2 份申请"), "two applications, not three");
    let (_, page, _) = list("?program=jinying_startup").await;
    assert!(
        page.contains(&other_ref) && !page.contains(&reference),
        "only the founder"
    );
    let (_, page, _) = list("?status=approved").await;
    assert!(!page.contains(&reference));
    let today = talent_subsidy::web::http::today();
    let (_, page, _) = list(&format!("?from={today}&to={today}")).await;
    assert!(page.contains(&reference));
    let (_, page, _) = list("?from=2020-01-01&to=2020-12-31").await;
    assert!(!page.contains(&reference));
    // Finding one: by reference (any case), by name, by ID number; exactly, not in part.
    let lower = reference.to_lowercase();
    for q in [lower.as_str(), "陈静", "32068219880315001x"] {
        let query = format!(
            "?q={}",
            serde_html_form::to_string([("", q)])
                .unwrap()
                .trim_start_matches('=')
        );
        let (status, page, _) = list(&query).await;
        assert_eq!(status, 200);
        assert!(page.contains(&reference), "{q} finds it");
        assert!(
            page.contains("3206**********001X") && !page.contains("32068219880315001X"),
            "masked"
        );
    }
    // In part: the name's first character (a surname), the ID number's last four, a part of
    // the reference — found by keyed hashes, never by the name or number in plain.
    let (_, page, _) = list("?q=%E9%99%88").await;
    assert!(
        page.contains(&reference) && !page.contains(&other_ref),
        "陈 finds 陈静, not 周敏"
    );
    let (_, page, _) = list("?q=%E9%9D%99").await;
    assert!(!page.contains(&reference), "静 is no name's start");
    let (_, page, _) = list("?q=001x").await;
    assert!(
        page.contains(&reference) && page.contains(&other_ref),
        "the ID's last four"
    );
    let serial = &reference[reference.len() - 6..];
    let (_, page, _) = list(&format!("?q={serial}")).await;
    assert!(
        page.contains(&reference) && !page.contains(&other_ref),
        "{serial}"
    );
    let (_, page, _) = list("?q=0").await;
    assert!(
        page.contains("共 0 份申请"),
        "one character of a reference is no search"
    );
    let (_, api, _) = get(&b, format!("{}/api/v1/applications?q={lower}", c.base)).await;
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["total"], 1, "{api}");
    let (status, page, _) = list("?from=yesterday&tier=Z").await;
    assert_eq!(status, 400);
    assert!(page.contains("起始日期：应写作 YYYY-MM-DD") && page.contains("人才层次：无此层次"));
    let (status, api, _) = get(
        &b,
        format!("{}/api/v1/applications?status=submitted", c.base),
    )
    .await;
    assert_eq!(status, 200);
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["total"], 2);
    assert_eq!(api["items"][0]["id_number"], "3206**********001X");
    // On the API a date or a choice is given or left out, never empty (as documented); the
    // page's own links leave empty filters out, and the page takes them as "all".
    for empty in ["to=", "from=", "status=", "step=", "handler="] {
        let (status, said, _) = get(&b, format!("{}/api/v1/applications?{empty}", c.base)).await;
        assert_eq!(status, 400, "{empty}: {said}");
    }
    let (status, _, _) = list("?status=&to=").await;
    assert_eq!(status, 200, "the page takes an empty filter as all");

    // The application: the result then and today, decisions, the audit log.
    let (status, page, _) = get(&b, format!("{}/officer/applications/{reference}", c.base)).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("32068219880315001X") && page.contains("3206**********001X"),
        "the ID masked until asked for"
    );
    let token = hidden(&page, "csrf");
    let (status, full, _) = post_form(
        &b,
        format!("{}/officer/applications/{reference}/full-id", c.base),
        &[("csrf", token.as_str())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        full.contains("32068219880315001X"),
        "the full ID on the application's own page, when asked for"
    );
    let (log, _) = c
        .store
        .access_log(&Default::default(), 20, false)
        .await
        .unwrap();
    // The searches above are logged with how many they found; the case's views with it.
    let (cases, searches): (Vec<_>, Vec<_>) = log.iter().partition(|e| !e.reference.is_empty());
    let actions: Vec<&str> = cases.iter().map(|e| e.action.id()).collect();
    assert_eq!(actions, ["full_id", "view"], "newest first");
    assert!(
        cases
            .iter()
            .all(|e| e.reference == reference && e.officer == "sun")
    );
    assert!(!searches.is_empty());
    assert!(
        searches
            .iter()
            .all(|e| e.action.id() == "search" && e.detail.items.is_some())
    );
    assert!(page.contains("id=\"compare\""));
    let token = hidden(&page, "csrf");
    // `seen` is the version the officer saw: 0 at submission, one more with each decision.
    let decide = |decision: &'static str, note: &'static str, seen: &'static str| {
        let (b, url, token) = (
            b.clone(),
            format!("{}/officer/applications/{reference}/decision", c.base),
            token.clone(),
        );
        async move {
            post_form(
                &b,
                url,
                &[
                    ("csrf", &token),
                    ("seen_version", seen),
                    ("decision", decision),
                    ("note", note),
                ],
            )
            .await
        }
    };
    let (status, page, _) = decide("more_info", "", "0").await;
    assert_eq!(status, 422, "a request for more needs a reason");
    assert!(page.contains("请写明原因"));
    let (status, _, _) = decide("more_info", "请补充社保缴纳证明", "0").await;
    assert_eq!(status, 303);
    let (status, page, _) = decide("approved", "", "0").await;
    assert_eq!(status, 409, "decided on a status that changed meanwhile");
    assert!(page.contains("此申请已被他人处理"));
    let (status, _, _) = decide("approved", "材料齐全", "1").await;
    assert_eq!(status, 303);
    let (status, page, _) = decide("rejected", "改主意", "2").await;
    assert_eq!(status, 409, "an approval is final");
    assert!(page.contains("此申请已结案"));
    let (_, page, _) = get(&b, format!("{}/officer/applications/{reference}", c.base)).await;
    let audit = page.split("id=\"audit\"").nth(1).unwrap();
    assert!(
        audit.contains("<td>sun</td><td>待审核</td><td>需补充材料</td><td>请补充社保缴纳证明</td>"),
        "{audit}"
    );
    assert!(
        audit.contains("<td>sun</td><td>需补充材料</td><td>已批准</td><td>材料齐全</td>"),
        "{audit}"
    );
    assert!(
        audit.contains("<td>申请人</td><td></td><td>待审核</td>"),
        "{audit}"
    );
    let (_, page, _) = get(&applicant, format!("{}{status_url}", c.base)).await;
    assert!(page.contains("已批准") && page.contains("材料齐全"));
    let (status, v, _) = get(&b, format!("{}/api/v1/applications/{reference}", c.base)).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["audit"].as_array().unwrap().len(), 3);
    assert_eq!(v["application"]["status"], "approved");

    // The export: UTF-8 with BOM, masked unless asked in full.
    let r = b
        .get(format!("{}/officer/applications.csv", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("申请编号,提交时间,姓名,证件号码"));
    assert!(text.contains("3206**********001X") && !text.contains("32068219880315001X"));
    assert!(text.contains(&format!("{reference},")) && text.contains("已批准,材料齐全"));
    // What was decided stands beside the assessment: approved in full, nothing paid yet.
    assert!(text.contains("批准金额（元）,已拨付（元）"), "{text}");
    assert!(text.contains(",0,0,已批准,材料齐全"), "{text}");
    let (_, list, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert!(
        list.contains("class=\"why decided\">批准 ¥"),
        "the list shows what was approved"
    );
    let (_, full, _) = get(
        &b,
        format!(
            "{}/officer/applications.csv?ids=full&status=approved",
            c.base
        ),
    )
    .await;
    assert!(full.contains("32068219880315001X") && !full.contains(&other_ref));
    assert_eq!(
        metric(c, "applications_saved_total").await,
        2,
        "the repeated form is not counted"
    );
    assert_eq!(metric(c, "decisions_total").await, 2);
}

crate::on_both_databases!(submit_review_decide: submit_review_decide_on_sqlite, submit_review_decide_on_postgresql);

#[actix_web::test]
async fn the_application_page_marks_what_todays_policy_changes() {
    let policy = common::policy_copy();
    let dir = tempfile::tempdir().unwrap();
    let c = console_on(
        dir.path().join("c.db").to_str().unwrap(),
        false,
        PolicySource::Dir(policy.path().to_path_buf()),
    )
    .await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap();
    let b = signed_in(&c, "wu", Role::Reviewer).await;
    let page = |b: reqwest::Client, url: String| async move { get(&b, url).await.1 };
    let url = format!("{}/officer/applications/{reference}", c.base);
    let before = page(b.clone(), url.clone()).await;
    let rent_row = |p: &str| {
        p.split("<tr")
            .find(|r| r.contains("租房补贴"))
            .unwrap()
            .to_string()
    };
    assert!(
        rent_row(&before).contains("¥72,000</td><td>符合 ¥72,000"),
        "{}",
        rent_row(&before)
    );
    // The park raises the doctorate rent subsidy to 2,500 a month.
    common::raise_rent(policy.path());
    assert!(c.state.reload());
    let after = page(b, url).await;
    let row = rent_row(&after);
    assert!(row.starts_with(" class=\"changed\""), "{row}");
    assert!(row.contains("符合 ¥72,000</td><td>符合 ¥90,000"), "{row}");
    let total = after.split("<tr").find(|r| r.contains("合计")).unwrap();
    assert!(total.starts_with(" class=\"changed\""), "{total}");
    let tier = after.split("<tr").find(|r| r.contains("人才层次")).unwrap();
    assert!(
        !tier.starts_with(" class=\"changed\""),
        "the tier did not change: {tier}"
    );
}

#[actix_web::test]
async fn the_audit_log_refuses_changes_in_the_database_itself() {
    let (c, dir) = sqlite_console().await;
    submit_json(&c, EXAMPLE, None).await;
    let db = dir.path().join("console.db");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .unwrap();
    for sql in ["UPDATE audit_log SET note = 'x'", "DELETE FROM audit_log"] {
        let e = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    if let Some((c, pg)) = pg_console("audit_log_append_only").await {
        submit_json(&c, EXAMPLE, None).await;
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&pg.url)
            .await
            .unwrap();
        for sql in [
            "UPDATE audit_log SET note = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ] {
            let e = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        drop(conn);
        c.shut_down().await;
    }
}

/// 200 submissions at once: 200 rows, 200 different reference numbers.
async fn two_hundred_at_once(c: &Console) {
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let base = c.base.clone();
            actix_web::rt::spawn(async move {
                let r = reqwest::Client::new()
                    .post(format!("{base}/api/v1/applications"))
                    .header(
                        "Consent-Notice-Version",
                        talent_subsidy::privacy::NOTICE_VERSION,
                    )
                    .header("Content-Type", "application/json")
                    .body(profile_named(&format!("申请人{i}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
                let v: Value = r.json().await.unwrap();
                v["reference"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut refs = Vec::new();
    for t in tasks {
        refs.push(t.await.unwrap());
    }
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 200, "distinct reference numbers");
    assert_eq!(c.store.count_applications().await.unwrap(), 200);
    let year = talent_subsidy::web::http::today().format("%Y").to_string();
    assert_eq!(refs.first().unwrap(), &format!("SXT-{year}-000001"));
    assert_eq!(
        refs.last().unwrap(),
        &format!("SXT-{year}-000200"),
        "no gaps"
    );
    // Paging: 50 a page, newest first, the filter kept in the links.
    let b = signed_in(c, "pager", Role::Reviewer).await;
    let page = |n: u32| {
        let (b, url) = (
            b.clone(),
            format!("{}/officer/applications?status=submitted&page={n}", c.base),
        );
        async move { get(&b, url).await.1 }
    };
    let first = page(1).await;
    assert_eq!(
        first
            .matches("<td class=\"ref\"><a href=\"/officer/applications/SXT-")
            .count(),
        50
    );
    assert!(
        first.contains(&format!("SXT-{year}-000200"))
            && !first.contains(&format!("SXT-{year}-000150<"))
    );
    assert!(first.contains("<span>1 / 4</span>"));
    assert!(
        first.contains("href=\"/officer/applications?status=submitted&#38;page=2\" rel=\"next\""),
        "{first}"
    );
    let last = page(4).await;
    assert!(last.contains(&format!("SXT-{year}-000001<")) && !last.contains("rel=\"next\""));
    assert_eq!(
        page(5)
            .await
            .matches("<td class=\"ref\"><a href=\"/officer/applications/SXT-")
            .count(),
        0
    );
}

#[actix_web::test]
async fn two_hundred_parallel_submissions_on_sqlite() {
    let (c, _dir) = sqlite_console().await;
    two_hundred_at_once(&c).await;
}

#[actix_web::test]
async fn two_hundred_parallel_submissions_on_postgresql_and_two_instances_share_it() {
    let Some((a, db)) = pg_console("two_hundred").await else {
        return;
    };
    two_hundred_at_once(&a).await;
    // A second instance on the same database: same applications, same sessions.
    let b2 = console_with(&db.url, false).await;
    let officer = signed_in(&a, "shared", Role::Reviewer).await;
    let (status, page, _) = get(&officer, format!("{}/officer/applications", b2.base)).await;
    assert_eq!(
        status, 200,
        "a session from one instance works on the other"
    );
    assert!(page.contains("共 200 份申请"));
    let (_, v) = submit_json(&b2, EXAMPLE, Some("same-key")).await;
    let (status, again) = submit_json(&a, EXAMPLE, Some("same-key")).await;
    assert_eq!(status, 200, "the key was seen by the other instance");
    assert_eq!(v["reference"], again["reference"]);
    a.shut_down().await;
    b2.shut_down().await;
}

#[actix_web::test]
async fn the_api_submits_once_per_key_and_reports_bad_profiles() {
    let (c, _dir) = sqlite_console().await;
    let (status, first) = submit_json(&c, EXAMPLE, Some("abc")).await;
    assert_eq!(status, 201);
    let (status, again) = submit_json(&c, EXAMPLE, Some("abc")).await;
    assert_eq!(status, 200);
    assert_eq!(first["reference"], again["reference"]);
    assert!(
        again.get("status_url").is_none(),
        "the link only in the first answer"
    );
    let (status, v) = submit_json(&c, "{not json", None).await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = submit_json(
        &c,
        &EXAMPLE.replace("32068219880315001X", "320682198803150010"),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "person.id_number");
    assert_eq!(c.store.count_applications().await.unwrap(), 1);
    let url = first["status_url"]
        .as_str()
        .unwrap()
        .replace("/status/", "/api/v1/status/");
    let (status, v, _) = get(&browser(), format!("{}{url}", c.base)).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["reference"], first["reference"]);
    let (status, _, _) = get(&browser(), format!("{}/status/{}", c.base, "0".repeat(64))).await;
    assert_eq!(status, 404);
}

fn batch_csv() -> String {
    // Chinese headers as HR writes them; a good row, a row with a wrong check digit, a row
    // with a date that does not exist, and a founder with money in 万.
    [
        "申请日期,姓名,证件类型,证件号码,出生日期,最高学历,毕业院校类别,毕业院校名称,毕业日期,企业名称,企业注册在园区,企业所属产业,企业注册日期,实缴注册资本（元）,本人持股比例（%）,本人现金出资（元）,拥有核心自主知识产权,在园区租用办公面积（平方米）",
        "2026/3/1,张三,居民身份证,32068219880315001X,1988-03-15,博士,双一流,南通大学,2015-06-30,某某新材料有限公司,是,新材料,2024-05-20,200万,51,80万,是,150",
        "2026-03-01,李四,居民身份证,320682198803150010,1988-03-15,硕士,双一流,南通大学,2015-06-30,,,,,,,,,",
        "2026-03-01,王五,居民身份证,32068219880315001X,1988-02-30,硕士,双一流,南通大学,2015-06-30,,,,,,,,,",
    ]
    .join("\r\n")
}

/// The batch's first row agrees with the engine on the same person written as JSON.
fn assert_same_as_the_engine(row: &str) {
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let profile = serde_json::json!({
        "application_date": "2026-03-01",
        "person": {
            "full_name": "张三", "id_type": "resident_id", "id_number": "32068219880315001X",
            "birth_date": "1988-03-15", "highest_degree": "doctorate",
            "institution_tier": "double_first_class", "institution_name": "南通大学",
            "graduation_date": "2015-06-30"
        },
        "startup": {
            "company_name": "某某新材料有限公司", "company_in_park": true, "industry": "new_materials",
            "registration_date": "2024-05-20", "paid_in_capital": "2000000",
            "founder_equity_pct": "51", "founder_cash_investment": "800000",
            "owns_core_ip": true, "office_area_sqm": "150"
        }
    });
    let mut out = Vec::new();
    talent_subsidy::service::assess_json(&policy, profile.to_string().as_bytes(), false, &mut out);
    let result: Value = serde_json::from_slice(&out).unwrap();
    let cells: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(cells[3], result["policy_version"].as_str().unwrap());
    assert_eq!(cells[4], result["talent_tier"].as_str().unwrap());
    let order = talent_subsidy::batch::all_programs(&policy);
    let programs = result["programs"].as_array().unwrap();
    for (i, talent_subsidy::batch::ProgramName { id, .. }) in order.iter().enumerate() {
        let p = programs.iter().find(|p| p["id"] == id.as_str()).unwrap();
        let words = talent_subsidy::web::case_view::status_words(
            p["status"].as_str().unwrap(),
            talent_subsidy::input::Lang::Zh,
        );
        assert_eq!(cells[5 + 2 * i], words, "{id}");
        assert_eq!(cells[6 + 2 * i], p["amount"].as_str().unwrap(), "{id}");
    }
    assert_eq!(
        cells[5 + 2 * order.len()],
        result["total"].as_str().unwrap()
    );
    assert!(
        programs
            .iter()
            .any(|p| p["id"] == "jinying_startup" && p["status"] == "eligible"),
        "a row that qualifies"
    );
}

#[actix_web::test]
async fn a_batch_with_good_and_bad_rows_in_gbk() {
    let (c, _dir) = sqlite_console().await;
    let b = signed_in(&c, "hr2", Role::Hr).await;
    let (status, template, _) = get(&b, format!("{}/officer/batch/template.csv", c.base)).await;
    assert_eq!(status, 200);
    // Headers in words, and an example row that is never checked.
    assert!(template.starts_with("\u{feff}申请日期,姓名,"), "{template}");
    assert!(template.contains("（示例）张三") && !template.contains("person."));
    let text = batch_csv();
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    let r = upload_batch(&c, &b, gbk.into_owned(), "员工.csv").await;
    assert_eq!(r.status().as_u16(), 303);
    let summary_url = location(r.headers());
    let (status, page, _) = get(&b, format!("{}{summary_url}", c.base)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"rows\">3<")
            && page.contains("id=\"assessed\">1<")
            && page.contains("id=\"invalid\">2<"),
        "{page}"
    );
    assert!(page.contains("证件号码：") && page.contains("出生日期："));
    assert!(
        !page.contains("person."),
        "no field paths in what people read"
    );
    let (status, csv, _) = get(&b, format!("{}{summary_url}/results.csv", c.base)).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("2,张三,3206**********001X,2026,"),
        "{}",
        lines[1]
    );
    assert_same_as_the_engine(lines[1]);
    assert!(
        lines[2].starts_with("3,李四,") && lines[2].contains("第 3 行 证件号码："),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("4,王五,") && lines[3].contains("出生日期："),
        "{}",
        lines[3]
    );
    // Someone else's batch is not to be seen.
    let other = signed_in(&c, "hr3", Role::Hr).await;
    let (status, _, _) = get(&other, format!("{}{summary_url}", c.base)).await;
    assert_eq!(status, 404);
    // The officer's own earlier checks are listed on the batch page; nobody else's.
    let (_, mine, _) = get(&b, format!("{}/officer/batch", c.base)).await;
    assert!(mine.contains(&format!("href=\"{summary_url}\"")) && mine.contains("员工.csv"));
    let (_, theirs, _) = get(&other, format!("{}/officer/batch", c.base)).await;
    assert!(!theirs.contains(&summary_url) && theirs.contains("还没有批量检查"));

    // A file that is not a table of ours is refused whole, saying why.
    let r = upload_batch(&c, &b, "姓名,说明\n张三,x\n".as_bytes().to_vec(), "x.csv").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("无法识别的列：说明"));
    let r = upload_batch(&c, &b, b"%PDF-1.4\n%\xE2\xE3\n".to_vec(), "staff.pdf").await;
    assert_eq!(r.status().as_u16(), 400);
    let said = r.text().await.unwrap();
    assert!(
        said.contains("这不是表格文件") && !said.contains("%PDF"),
        "{said}"
    );

    // The same through the API.
    let r = b
        .post(format!("{}/api/v1/batch-checks?lang=en", c.base))
        .header("Content-Type", "text/csv")
        .header("X-CSRF-Token", csrf(&c, &b).await)
        .body(batch_csv())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    assert!(
        text.trim_start_matches('\u{feff}')
            .starts_with("Line,Name,ID number,"),
        "{text}"
    );
    assert!(text.contains(",Eligible,"), "{text}");
    assert_eq!(
        metric(&c, "batch_rows_total").await,
        6,
        "two files of three; the refused one is not counted"
    );
}

#[actix_web::test]
async fn applications_are_still_there_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("restart.db");
    let c = console_with(url.to_str().unwrap(), false).await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    add(&c, "zhou", Role::Reviewer).await;
    c.server.stop(true).await;
    c.store.close().await;
    let c = console_with(url.to_str().unwrap(), false).await;
    let b = browser();
    let (status, _) = sign_in(&c, &b, "zhou", PASSWORD).await;
    assert_eq!(status, 303, "the account survived");
    let (_, page, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert!(page.contains(v["reference"].as_str().unwrap()));
    let (status, next) = submit_json(&c, &profile_named("赵六"), None).await;
    assert_eq!(status, 201);
    assert!(
        next["reference"].as_str().unwrap().ends_with("000002"),
        "numbering goes on"
    );
}

#[actix_web::test]
async fn a_failing_submission_in_a_group_commit_leaves_the_others_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db").display().to_string();
    let store = Store::open(&path, &common::test_keys(&path)).await.unwrap();
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let good = talent_subsidy::service::prepare_application(
        &policy,
        EXAMPLE.as_bytes(),
        None,
        "2026-11-26",
        &[],
    )
    .unwrap()
    .application;
    // One program listed twice breaks the programs table's key: that submission fails.
    let mut bad = good.clone();
    bad.programs.push(bad.programs[0].clone());
    let mut tasks = Vec::new();
    for i in 0..41 {
        let (store, new) = (
            store.clone(),
            if i == 20 { bad.clone() } else { good.clone() },
        );
        tasks.push(actix_web::rt::spawn(async move { store.submit(new).await }));
    }
    let mut saved = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(s) => {
                assert!(s.created);
                saved += 1;
            }
            Err(e) => assert_eq!(i, 20, "only the bad one fails: {e}"),
        }
    }
    assert_eq!(saved, 40);
    assert_eq!(store.count_applications().await.unwrap(), 40);
    let (list, _) = store.list(&Default::default(), 1, 100).await.unwrap();
    let mut refs: Vec<_> = list.iter().map(|a| a.reference.clone()).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 40);
    assert!(
        refs.last().unwrap().ends_with("-000040"),
        "the failed one's number was rolled back with it: {refs:?}"
    );
}

#[actix_web::test]
async fn health_reports_the_database() {
    let (c, _dir) = sqlite_console().await;
    let health = |c: &Console| {
        let url = format!("{}/healthz", c.base);
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let h = health(&c).await;
    assert_eq!(
        (h["status"].as_str(), h["database"].as_str()),
        (Some("ok"), Some("ok"))
    );
    c.store.close().await;
    let h = health(&c).await;
    assert_eq!(h["database"], "unavailable");
    assert_eq!(h["status"], "degraded");
}

#[actix_web::test]
async fn a_sqlite_database_is_created_whichever_way_it_is_named() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        dir.path().join("plain.db").display().to_string(),
        format!("sqlite://{}", dir.path().join("url.db").display()),
        format!("sqlite:{}", dir.path().join("deeper/short.db").display()),
    ] {
        let store = Store::open(&name, &common::test_keys(&name))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(store.count_applications().await.unwrap(), 0, "{name}");
        store.close().await;
    }
    for f in ["plain.db", "url.db", "deeper/short.db"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[actix_web::test]
async fn the_export_keeps_a_formula_looking_name_as_text() {
    let (c, _dir) = sqlite_console().await;
    let (status, _) = submit_json(&c, &profile_named("=HYPERLINK(\\\"http://x\\\")"), None).await;
    assert_eq!(status, 201);
    let b = signed_in(&c, "fang", Role::Reviewer).await;
    let (_, csv, _) = get(&b, format!("{}/officer/applications.csv", c.base)).await;
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{row}");
}

#[actix_web::test]
async fn the_status_page_names_the_tier_and_console_pages_offer_no_sign_in() {
    let (c, _dir) = sqlite_console().await;
    let (_, v) = submit_json(&c, EXAMPLE, None).await;
    let (status, page, _) = get(
        &browser(),
        format!("{}{}", c.base, v["status_url"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("<dd>省级领军人才</dd>"), "{page}");
    assert_eq!(page.matches("估算结果，以园区正式审核为准").count(), 1);
    // The link to keep is shown in full, in a field one can select (and copy).
    let full = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    assert!(
        page.contains(&format!(
            "id=\"status-link\" class=\"mono\" readonly value=\"{full}\""
        )),
        "{page}"
    );
    let mut nobody: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    nobody["person"]["honors"] = serde_json::json!([]);
    nobody["person"]["highest_degree"] = "none".into();
    for key in ["institution_tier", "institution_name", "graduation_date"] {
        nobody["person"].as_object_mut().unwrap().remove(key);
    }
    nobody["person"]["professional_title"] = "none".into();
    nobody["person"]["overseas_work_years"] = 0.into();
    let (status, v) = submit_json(&c, &nobody.to_string(), None).await;
    assert_eq!(status, 201, "{v}");
    let (_, page, _) = get(
        &browser(),
        format!("{}{}", c.base, v["status_url"].as_str().unwrap()),
    )
    .await;
    assert!(page.contains("未达到人才层次认定条件"), "{page}");
    let b = signed_in(&c, "tang", Role::Reviewer).await;
    let (_, list, _) = get(&b, format!("{}/officer/applications", c.base)).await;
    assert!(!list.contains("href=\"/officer/login\""), "{list}");
    // The tier filter names "no tier" in words, not its code.
    assert!(
        list.contains(">未达到人才层次</option>") && !list.contains("none ·"),
        "{list}"
    );
    // The applicant's "estimate only" line means nothing on the console.
    assert!(!list.contains("估算结果，以园区正式审核为准"), "{list}");
}

/// A lost status link: an officer makes a new one, the old one stops working, the audit log
/// says who and when (without the link).
async fn a_new_status_link(c: &Console) {
    let (status, v) = submit_json(c, EXAMPLE, None).await;
    assert_eq!(status, 201, "{v}");
    let (reference, old) = (
        v["reference"].as_str().unwrap().to_string(),
        v["status_url"].as_str().unwrap().to_string(),
    );
    let b = signed_in(c, "lin", Role::Reviewer).await;
    let token = csrf(c, &b).await;
    let url = format!("{}/officer/applications/{reference}/new-link", c.base);
    // Without the CSRF token nothing changes.
    let (status, _, _) = post_form(&b, url.clone(), &[("csrf", "wrong")]).await;
    assert_eq!(status, 403);
    assert_eq!(get(&browser(), format!("{}{old}", c.base)).await.0, 200);
    let (status, page, _) = post_form(&b, url, &[("csrf", &token)]).await;
    assert_eq!(status, 200, "{page}");
    let at = page.find("/status/").expect("the new link is shown");
    let new = &page[at..at + "/status/".len() + 64];
    assert_ne!(new, old);
    assert_eq!(get(&browser(), format!("{}{new}", c.base)).await.0, 200);
    assert_eq!(
        get(&browser(), format!("{}{old}", c.base)).await.0,
        404,
        "the old link stops working"
    );
    let (_, app, _) = get(&b, format!("{}/officer/applications/{reference}", c.base)).await;
    assert!(app.contains("新的查看链接已生成"), "in the audit log");
    assert!(
        !app.contains(&new[8..]),
        "the audit log does not hold the link"
    );
}

crate::on_both_databases!(a_new_status_link: a_new_status_link_on_sqlite, a_new_status_link_on_postgresql);

/// More information requested: the applicant replies through the status link, the
/// application is back awaiting review, and the reply is in the audit log.
async fn a_reply_through_the_status_link(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let (reference, link) = (
        v["reference"].as_str().unwrap().to_string(),
        format!("{}{}", c.base, v["status_url"].as_str().unwrap()),
    );
    let applicant = browser();
    let (_, page, _) = get(&applicant, link.clone()).await;
    assert!(
        !page.contains("id=\"send-reply\""),
        "no reply form before a request"
    );
    let officer = signed_in(c, "zhou", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", "0"),
            ("decision", "more_info"),
            ("note", "请补充社保缴纳证明"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page, _) = get(&applicant, link.clone()).await;
    assert!(page.contains("请补充社保缴纳证明") && page.contains("id=\"send-reply\""));
    let form_token = hidden(&page, "form_token");
    let reply = format!("{link}/reply");
    // Without the page's token, or empty: nothing happens.
    let (status, _, _) = post_form(
        &browser(),
        reply.clone(),
        &[("form_token", &form_token), ("reply", "x")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post_form(
        &applicant,
        reply.clone(),
        &[("form_token", &form_token), ("reply", "")],
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, h) = post_form(
        &applicant,
        reply.clone(),
        &[
            ("form_token", &form_token),
            ("reply", "社保缴纳证明已在园区窗口提交，编号 2026-118"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        format!("{}{}", c.base, location(&h)),
        format!("{link}?replied=1"),
        "back to the status page, which says it arrived"
    );
    let (_, page, _) = get(&applicant, link.clone()).await;
    assert!(page.contains("待审核") && !page.contains("id=\"send-reply\""));
    // Once is enough: a second reply finds nothing waiting.
    let (status, _, _) = post_form(
        &applicant,
        reply,
        &[("form_token", &form_token), ("reply", "again")],
    )
    .await;
    assert_eq!(status, 409);
    let (_, app, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    assert!(
        app.contains("社保缴纳证明已在园区窗口提交") && app.contains("申请人"),
        "in the audit log"
    );
    assert!(!app.contains("id=\"nothing-new\""), "something has arrived");
}

crate::on_both_databases!(a_reply_through_the_status_link: a_reply_on_sqlite, a_reply_on_postgresql);

/// The applicant leaves an eligible program out of the application: every program whose
/// conditions hold is offered on the result page, ticked; the one unticked is saved as not
/// applied for, at ¥0, is not under review, and the status page says so; the total is what
/// is left.
async fn leaving_a_program_out(c: &Console) {
    let applicant = browser();
    let mut form: Vec<(String, String)> = applicant_form()
        .into_iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "person.birth_date"
                    | "person.id_type"
                    | "person.id_number"
                    | "person.graduation_date"
                    | "employment.start_date"
                    | "employment.contract_years"
                    | "employment.social_insurance_months_in_park"
            )
        })
        .collect();
    for (k, v) in [
        ("person.birth_date", "1998-05-01"),
        ("person.id_type", "passport"),
        ("person.id_number", "E12345678"),
        ("person.graduation_date", "2024-06-30"),
        ("employment.start_date", "2024-08-01"),
        ("employment.contract_years", "3"),
        ("employment.annual_salary", "180000"),
        ("employment.social_insurance_months_in_park", "18"),
    ] {
        form.push((k.into(), v.into()));
    }
    let (status, result, _) = post_pairs(&applicant, &format!("{}/assess", c.base), &form).await;
    assert_eq!(status, 200, "{result}");
    let offered: Vec<String> = result
        .split("name=\"offered\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert!(offered.len() >= 2, "{offered:?}");
    for id in &offered {
        assert!(
            result.contains(&format!("name=\"apply_for\" value=\"{id}\" checked")),
            "{id} is ticked by default"
        );
    }
    let left_out = offered[0].clone();
    let mut submit = form.clone();
    for id in &offered {
        submit.push(("offered".into(), id.clone()));
    }
    for name in ["form_token", "submission_key", "notice_version"] {
        submit.push((name.into(), hidden(&result, name)));
    }
    submit.push(("consent".into(), "1".into()));
    // Nothing ticked: refused, nothing saved.
    let (status, page, _) =
        post_pairs(&applicant, &format!("{}/applications", c.base), &submit).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("至少勾选一个"), "{page}");
    assert_eq!(c.store.count_applications().await.unwrap(), 0);
    for id in &offered[1..] {
        submit.push(("apply_for".into(), id.clone()));
    }
    let (status, _, h) = post_pairs(&applicant, &format!("{}/applications", c.base), &submit).await;
    assert_eq!(status, 303);
    let (_, status_page, _) = get(&applicant, format!("{}{}", c.base, location(&h))).await;
    assert!(status_page.contains("未申请"), "{status_page}");
    let reference = status_page
        .split("id=\"reference\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let result: Value = serde_json::from_str(&app.result).unwrap();
    let program = |id: &str| {
        result["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(program(&left_out)["status"], "declined");
    assert_eq!(program(&left_out)["amount"], "0");
    let sum: rust_decimal::Decimal = offered[1..]
        .iter()
        .map(|id| {
            program(id)["amount"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(app.summary.total, sum);
    assert!(sum > rust_decimal::Decimal::ZERO);
    let reviewed: Vec<String> = c
        .store
        .programs_under_review(app.summary.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.program)
        .collect();
    assert!(!reviewed.contains(&left_out), "{reviewed:?}");
    assert_eq!(reviewed.len(), offered.len() - 1, "{reviewed:?}");
}

crate::on_both_databases!(leaving_a_program_out: leaving_a_program_out_on_sqlite, leaving_a_program_out_on_postgresql);

/// The API leaves programs out through `Declined-Programs`; an id that is no program is named.
#[actix_web::test]
async fn the_api_leaves_out_the_programs_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let c = plain_console(&dir.path().join("d.db").display().to_string()).await;
    let send = |declined: &'static str| {
        let url = format!("{}/api/v1/applications", c.base);
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("Content-Type", "application/json")
                .header(
                    "Consent-Notice-Version",
                    talent_subsidy::privacy::NOTICE_VERSION,
                )
                .header("Declined-Programs", declined)
                .body(EXAMPLE)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, v) = send("no_such_program").await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "Declined-Programs", "{v}");
    assert!(
        v["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("no_such_program")
    );
    let (status, v) = send(" jinying_office ").await;
    assert_eq!(status, 201, "{v}");
    let app = c
        .store
        .application(v["reference"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let result: Value = serde_json::from_str(&app.result).unwrap();
    let office = result["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "jinying_office")
        .unwrap();
    assert_eq!(office["status"], "declined", "{office}");
}

/// The full form gives an estimate without name and ID: the result page, no submit form,
/// and "go on to apply" leads to the page that asks for them (never the full form again).
/// The form marks every field a submission requires with *, the conditional ones too.
async fn an_estimate_without_identity(c: &Console) {
    let applicant = browser();
    let (status, form, _) = get(&applicant, format!("{}/form", c.base)).await;
    assert_eq!(status, 200);
    for id in [
        "f-person-full_name",
        "f-person-id_number",
        "f-person-institution_tier",
        "f-person-institution_name",
        "f-person-graduation_date",
    ] {
        let label = form
            .split(&format!("<label for=\"{id}\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("no label for {id}"))
            .split("</label>")
            .next()
            .unwrap();
        assert!(label.contains("class=\"req\""), "{id} has no *: {label}");
    }
    assert!(
        form.contains("提交申请时必填，只测算可以不填"),
        "the help says when"
    );
    let answers: Vec<(String, String)> = applicant_form()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "person.full_name" | "person.id_number"))
        .collect();
    let (status, result, _) = post_pairs(&applicant, &format!("{}/assess", c.base), &answers).await;
    assert_eq!(status, 200, "{result}");
    assert!(result.contains("id=\"total\""), "an estimate");
    assert!(!result.contains("class=\"error"), "{result}");
    assert!(
        !result.contains("id=\"submit-application\""),
        "no submission without identity"
    );
    for stand_in in ["value=\"测算\"", "ESTIMATE00", "320682"] {
        assert!(
            !result.contains(stand_in),
            "the stand-in is never shown: {stand_in}"
        );
    }
    assert!(result.contains("id=\"apply-identity\""), "{result}");
    let hidden_pairs: Vec<(String, String)> = result
        .split("action=\"/interview/apply\">")
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap()
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|chunk| {
            let (name, rest) = chunk.split_once('"').unwrap();
            let value = rest
                .strip_prefix(" value=\"")
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (name.to_string(), value.to_string())
        })
        .collect();
    assert!(!hidden_pairs.iter().any(|(k, _)| k == "person.id_number"));
    let (status, apply, _) = post_pairs(
        &applicant,
        &format!("{}/interview/apply", c.base),
        &hidden_pairs,
    )
    .await;
    assert_eq!(status, 200, "{apply}");
    assert!(
        apply.contains("id=\"f-person-full_name\""),
        "asks the name: {apply}"
    );
    assert!(
        apply.contains("id=\"f-person-id_number\""),
        "asks the ID: {apply}"
    );
    assert!(
        !apply.contains("id=\"f-person-birth_date\""),
        "not what was answered"
    );
    // A section the form left unticked does not apply there either: the home purchase is not
    // an open question, and nothing it decides is "still open".
    assert!(
        !apply.contains("name=\"also\" value=\"home_purchase\""),
        "the home purchase the form left out is offered as open: {apply}"
    );
    assert!(hidden_pairs.contains(&("has_home_purchase".to_string(), "0".to_string())));
}

crate::on_both_databases!(an_estimate_without_identity: an_estimate_without_identity_on_sqlite, an_estimate_without_identity_on_postgresql);
