//! Personal information (PIPL), black-box on SQLite and PostgreSQL: identifiers encrypted at
//! rest (never in plain text in the database file, its write-ahead log or any table) yet shown
//! to a reviewer and found by a search; the data key never silently replaced; consent before a
//! submission; the access log and the auditor role; withdrawal; erasure after the retention
//! period with a fixed clock, keeping the statistics.

use crate::common;
use common::console::*;

use serde_json::Value;
use talent_subsidy::privacy::{NOTICE_VERSION, Retention};
use talent_subsidy::store::{KeySource, Role, Store};

/// A name found nowhere else in the service's data or policy.
const NAME: &str = "欧阳明月";
const ID: &str = "32068219880315001X";

/// A one-page PDF whose text holds the applicant's name and ID number.
fn certificate() -> Vec<u8> {
    format!("%PDF-1.4\n% {NAME} {ID}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n").into_bytes()
}

/// Submits the example profile, renamed, with one material, through the API.
async fn submit_with_file(c: &Console) -> (String, String) {
    let form = reqwest::multipart::Form::new()
        .text("profile", profile_named(NAME))
        .part(
            "material:degree_certificate",
            reqwest::multipart::Part::bytes(certificate())
                .file_name(format!("{NAME}的学位证书.pdf"))
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header("Consent-Notice-Version", NOTICE_VERSION)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    (
        v["reference"].as_str().unwrap().to_string(),
        v["status_url"].as_str().unwrap().to_string(),
    )
}

/// `post_form` with owned pairs.
async fn post_pairs(
    b: &reqwest::Client,
    url: String,
    form: &[(String, String)],
) -> (u16, String, reqwest::header::HeaderMap) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_form(b, url, &pairs).await
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// After a submission, the reviewer still sees the name and (when asked) the ID number, and a
/// search by ID number or name finds it.
async fn a_reviewer_still_sees_and_finds_it(c: &Console, reference: &str) {
    let b = signed_in(c, "zhao", Role::Reviewer).await;
    let (status, page, _) = get(&b, format!("{}/officer/applications/{reference}", c.base)).await;
    assert_eq!(status, 200);
    assert!(page.contains(NAME));
    assert!(!page.contains(ID), "masked until asked for");
    let csrf = hidden(&page, "csrf");
    let (status, page, _) = post_form(
        &b,
        format!("{}/officer/applications/{reference}/full-id", c.base),
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains(ID));
    for q in [ID, &ID.to_lowercase(), NAME] {
        let r = b
            .get(format!("{}/officer/applications", c.base))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let list = r.text().await.unwrap();
        assert!(list.contains(reference), "{q} finds it");
    }
    // The file comes back whole, decrypted.
    let app = c.store.application(reference).await.unwrap().unwrap();
    let files = c.store.uploads(app.summary.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, format!("{NAME}的学位证书.pdf"));
    let r = b
        .get(format!(
            "{}/officer/applications/{reference}/files/{}",
            c.base, files[0].id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), certificate());
}

#[actix_web::test]
async fn no_name_or_id_number_in_plain_text_in_the_sqlite_file_or_its_wal() {
    let (c, dir) = sqlite_console().await;
    let (reference, _) = submit_with_file(&c).await;
    // Every byte of the database and its write-ahead log, as they are on disk now.
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("console.db") || name.ends_with(".key") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        seen += bytes.len();
        assert!(!contains(&bytes, NAME.as_bytes()), "the name in {name}");
        assert!(!contains(&bytes, ID.as_bytes()), "the ID number in {name}");
        assert!(!contains(&bytes, b"%PDF-1.4"), "the file in {name}");
    }
    assert!(seen > 0, "the database files were read");
    assert!(
        dir.path().join("console.db-wal").exists(),
        "the write-ahead log was searched too"
    );
    // The key file sits beside the database, readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("console.db.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    a_reviewer_still_sees_and_finds_it(&c, &reference).await;
}

#[actix_web::test]
async fn no_name_or_id_number_in_plain_text_in_any_postgresql_table() {
    let Some((c, db)) = pg_console("no_plain_text").await else {
        return;
    };
    let (reference, _) = submit_with_file(&c).await;
    a_reviewer_still_sees_and_finds_it(&c, &reference).await;
    // Every row of every table, as text (bytea as hex, which the file's bytes would show in).
    let hex = |s: &str| talent_subsidy::secrets::hex(s.as_bytes());
    for (t, row) in every_pg_row(&db.url).await {
        for needle in [NAME.to_string(), ID.to_string(), hex(NAME), hex(ID)] {
            assert!(!row.contains(&needle), "{needle} in a row of {t}");
        }
    }
    c.shut_down().await;
}

#[actix_web::test]
async fn without_its_key_an_encrypted_database_is_not_opened_and_no_key_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kept.db").display().to_string();
    let store = Store::open(&db, &KeySource::Beside).await.unwrap();
    store.close().await;
    let key = dir.path().join("kept.db.key");
    let original = std::fs::read_to_string(&key).unwrap();
    std::fs::rename(&key, dir.path().join("elsewhere.key")).unwrap();
    let e = Store::open(&db, &KeySource::Beside)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("key file") && e.contains("密钥文件"), "{e}");
    assert!(!key.exists(), "no new key was made over the old data");
    // Another key is refused too.
    let (other, _) = talent_subsidy::crypto::DataKey::generate();
    let e = Store::open(&db, &KeySource::Given(Box::new(other)))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("not the one"), "{e}");
    // The service says so and does not start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("restore") && said.contains("kept.db.key"),
        "{said}"
    );
    // Given back readable by others, it is refused with the fix; owner-only, it opens.
    std::fs::write(&key, original).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Store::open(&db, &KeySource::Beside)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    Store::open(&db, &KeySource::Beside)
        .await
        .unwrap()
        .close()
        .await;
}

#[actix_web::test]
async fn postgresql_needs_its_key_named_and_refuses_another() {
    let Some(db) = common::pg_database("pg_keys") else {
        return;
    };
    let e = Store::open(&db.url, &KeySource::Beside)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("--data-key-file"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg.key");
    Store::open(&db.url, &KeySource::File(file.clone()))
        .await
        .unwrap()
        .close()
        .await;
    assert!(file.exists(), "created for a database without a key");
    let e = Store::open(&db.url, &KeySource::File(dir.path().join("missing.key")))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing"), "{e}");
    Store::open(&db.url, &KeySource::File(file))
        .await
        .unwrap()
        .close()
        .await;
}

async fn consent_is_required_and_kept(c: &Console) {
    let send = |header: Option<&'static str>| {
        let mut r = reqwest::Client::new()
            .post(format!("{}/api/v1/applications", c.base))
            .header("Content-Type", "application/json")
            .body(EXAMPLE);
        if let Some(h) = header {
            r = r.header("Consent-Notice-Version", h);
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    for header in [None, Some("2020-01-01")] {
        let (status, v) = send(header).await;
        assert_eq!(status, 422, "{v}");
        let e = &v["errors"][0];
        assert_eq!(e["field"], "Consent-Notice-Version", "{v}");
        assert!(e["message_zh"].as_str().unwrap().contains("告知"), "{v}");
        assert!(e["message_en"].as_str().unwrap().contains("notice"), "{v}");
    }
    assert_eq!(c.store.count_applications().await.unwrap(), 0);
    let (status, v) = send(Some(NOTICE_VERSION)).await;
    assert_eq!(status, 201, "{v}");
    let app = c
        .store
        .application(v["reference"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.summary.notice_version, NOTICE_VERSION);
    assert_eq!(app.summary.consented_at, app.summary.submitted_at);
    // The web form: the notice on the result page, the box required.
    let b = browser();
    let (status, result, _) = post_pairs(&b, format!("{}/assess", c.base), &applicant_form()).await;
    assert_eq!(status, 200);
    assert!(result.contains("id=\"privacy-notice\"") && result.contains("name=\"consent\""));
    assert!(result.contains("测算不保存您填写的任何信息"));
    let mut form = applicant_form();
    form.push(("form_token".into(), hidden(&result, "form_token")));
    form.push(("submission_key".into(), hidden(&result, "submission_key")));
    form.push(("confirm_nothing".into(), "1".into()));
    let (status, page, _) = post_pairs(&b, format!("{}/applications", c.base), &form).await;
    assert_eq!(status, 422);
    assert!(page.contains("同意个人信息处理"), "{page}");
    assert_eq!(c.store.count_applications().await.unwrap(), 1);
    form.push(("consent".into(), "1".into()));
    form.push(("notice_version".into(), hidden(&result, "notice_version")));
    let (status, _, h) = post_pairs(&b, format!("{}/applications", c.base), &form).await;
    assert_eq!(status, 303);
    assert!(location(&h).starts_with("/status/"));
    // The notice itself, as a page and as data.
    let (status, notice, _) = get(&b, format!("{}/privacy", c.base)).await;
    assert_eq!(status, 200);
    assert!(
        notice.contains("5 年") && notice.contains("30 天"),
        "{notice}"
    );
    let v: Value = reqwest::get(format!("{}/api/v1/privacy-notice", c.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["version"], NOTICE_VERSION);
    assert_eq!(v["parts"].as_array().unwrap().len(), 7);
    // It names the optional contact details and what messages carry.
    assert!(notice.contains("消息通知（可选）") && notice.contains("只写申请编号"));
}

crate::on_both_databases!(consent_is_required_and_kept: consent_on_sqlite, consent_on_postgresql);

/// The status page's form token (its cookie kept by `b`).
async fn status_form(c: &Console, b: &reqwest::Client, status_url: &str) -> (String, String) {
    let (status, page, _) = get(b, format!("{}{status_url}", c.base)).await;
    assert_eq!(status, 200);
    (page.clone(), hidden(&page, "form_token"))
}

async fn withdrawing(c: &Console) {
    let (reference, status_url) = submit_with_file(c).await;
    let b = browser();
    let (page, token) = status_form(c, &b, &status_url).await;
    assert!(page.contains("id=\"withdraw\""));
    let withdraw = format!("{}{status_url}/withdraw", c.base);
    // Not confirmed: nothing happens.
    let (status, _, _) = post_form(&b, withdraw.clone(), &[("form_token", &token)]).await;
    assert_eq!(status, 422);
    // Without the form token: refused.
    let (status, _, _) = post_form(&browser(), withdraw.clone(), &[("confirm", "1")]).await;
    assert_eq!(status, 403);
    let (status, _, h) = post_form(
        &b,
        withdraw.clone(),
        &[
            ("form_token", &token),
            ("confirm", "1"),
            ("reason", "已在别处申请"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location(&h), status_url);
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.status.id(), "withdrawn");
    let audit = c.store.audit_log(app.summary.id).await.unwrap();
    assert!(audit.last().unwrap().note.contains("已在别处申请"));
    let (page, _) = (get(&b, format!("{}{status_url}", c.base)).await.1, ());
    assert!(page.contains("id=\"withdrawn\"") && !page.contains("id=\"withdraw\""));
    let (status, _, _) = post_form(&b, withdraw, &[("form_token", &token), ("confirm", "1")]).await;
    assert_eq!(status, 409, "once is enough");
    // A reviewer can no longer decide it.
    let officer = signed_in(c, "qin", Role::Reviewer).await;
    let (_, page, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", csrf.as_str()),
            ("seen_version", "1"),
            ("decision", "approved"),
        ],
    )
    .await;
    assert_eq!(status, 409);

    // An application with a program decided cannot be withdrawn.
    let (reference, status_url) = submit_with_file(c).await;
    let (_, page, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    let (status, body, _) = post_form(
        &officer,
        format!(
            "{}/officer/applications/{reference}/programs/rent_subsidy",
            c.base
        ),
        &[
            ("csrf", csrf.as_str()),
            ("seen_version", "0"),
            ("decision", "refuse"),
            ("reason", "自有住房"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    // The same visitor's form token (bound to their cookie) gets past the token check.
    let (_, page, _) = get(&b, format!("{}{status_url}", c.base)).await;
    assert!(!page.contains("id=\"withdraw\""), "no withdrawal offered");
    let (status, _, _) = post_form(
        &b,
        format!("{}{status_url}/withdraw", c.base),
        &[("form_token", &token), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, 409);
}

crate::on_both_databases!(withdrawing: withdrawal_on_sqlite, withdrawal_on_postgresql);

async fn retention(c: &Console) {
    let officer = signed_in(c, "han", Role::Reviewer).await;
    let decide = |reference: String, decision: &'static str| {
        let officer = officer.clone();
        let base = c.base.clone();
        async move {
            let (_, page, _) =
                get(&officer, format!("{base}/officer/applications/{reference}")).await;
            let csrf = hidden(&page, "csrf");
            let (status, body, _) = post_form(
                &officer,
                format!("{base}/officer/applications/{reference}/decision"),
                &[
                    ("csrf", csrf.as_str()),
                    ("seen_version", "0"),
                    ("decision", decision),
                    ("note", "依据政策"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{body}");
        }
    };
    // Withdrawn, rejected, approved (payments still to make) and still open.
    let (withdrawn, w_url) = submit_with_file(c).await;
    let b = browser();
    let (_, token) = status_form(c, &b, &w_url).await;
    let (status, _, _) = post_form(
        &b,
        format!("{}{w_url}/withdraw", c.base),
        &[("form_token", &token), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let (rejected, _) = submit_with_file(c).await;
    decide(rejected.clone(), "rejected").await;
    let (approved, _) = submit_with_file(c).await;
    decide(approved.clone(), "approved").await;
    let (open, _) = submit_with_file(c).await;
    let before = |r: &str| {
        let r = r.to_string();
        async move { c.store.application(&r).await.unwrap().unwrap() }
    };
    let w_before = before(&withdrawn).await;
    let r_before = before(&rejected).await;
    let totals = c.store.export(&Default::default()).await.unwrap();

    let now = chrono::Utc::now();
    let kept = Retention {
        decided_years: 5,
        withdrawn_days: 30,
    };
    assert_eq!(
        c.store.erase_expired(now, kept).await.unwrap(),
        0,
        "nothing yet"
    );
    assert_eq!(
        c.store
            .erase_expired(now + chrono::Duration::days(31), kept)
            .await
            .unwrap(),
        1,
        "the withdrawn one after 30 days"
    );
    let w = before(&withdrawn).await;
    assert!(w.summary.erased_at.is_some());
    assert_eq!(
        (
            w.summary.applicant_name.as_str(),
            w.summary.id_number.as_str(),
            w.profile.as_str()
        ),
        ("", "", "")
    );
    assert_eq!(
        (&w.summary.tier, w.summary.total),
        (&w_before.summary.tier, w_before.summary.total),
        "the figures stay"
    );
    // The saved result keeps each program's status and amount, not the conditions' values.
    let figures = |json: &str| {
        let v: Value = serde_json::from_str(json).unwrap();
        let programs: Vec<(Value, Value)> = v["programs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["status"].clone(), p["amount"].clone()))
            .collect();
        (v["talent_tier"].clone(), v["total"].clone(), programs)
    };
    assert_eq!(figures(&w.result), figures(&w_before.result));
    assert!(w_before.result.contains("\"conditions\"") && !w.result.contains("\"conditions\""));
    assert!(c.store.uploads(w.summary.id).await.unwrap().is_empty());
    let (status, _, _) = get(&browser(), format!("{}{w_url}", c.base)).await;
    assert_eq!(status, 404, "the status link no longer works");
    let (_, list, _) = get(
        &officer,
        format!("{}/officer/applications?status=withdrawn", c.base),
    )
    .await;
    assert!(list.contains("（已匿名）") && list.contains(&withdrawn));
    let (status, page, _) = get(
        &officer,
        format!("{}/officer/applications/{withdrawn}", c.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("已删除") && !page.contains(NAME));

    // Five years and a day after the decisions: the rejected one goes; the approved one stays
    // while its installments are still to be paid; the open one stays.
    let later = now + chrono::Duration::days(5 * 366 + 1);
    assert_eq!(c.store.erase_expired(later, kept).await.unwrap(), 1);
    let r = before(&rejected).await;
    assert!(r.summary.erased_at.is_some() && r.summary.applicant_name.is_empty());
    assert_eq!(r.summary.total, r_before.summary.total);
    assert!(before(&approved).await.summary.erased_at.is_none());
    assert!(before(&open).await.summary.erased_at.is_none());
    // The statistics: every application with its programs and amounts, as before.
    let after = c.store.export(&Default::default()).await.unwrap();
    assert_eq!(after.len(), totals.len());
    for ((a, pa), (b, pb)) in after.iter().zip(&totals) {
        assert_eq!((&a.reference, a.total, pa), (&b.reference, b.total, pb));
    }
    // A search by the ID number now finds only the two not erased.
    let filter = talent_subsidy::store::ListFilter {
        search: Some(ID.into()),
        ..Default::default()
    };
    assert_eq!(c.store.list(&filter, 1, 10).await.unwrap().1, 2);
}

crate::on_both_databases!(retention: retention_on_sqlite, retention_on_postgresql);

async fn the_access_log(c: &Console) {
    let (reference, _) = submit_with_file(c).await;
    let reviewer = signed_in(c, "lu", Role::Reviewer).await;
    let (_, page, _) = get(
        &reviewer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    let csrf = hidden(&page, "csrf");
    post_form(
        &reviewer,
        format!("{}/officer/applications/{reference}/full-id", c.base),
        &[("csrf", csrf.as_str())],
    )
    .await;
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let file = &c.store.uploads(app.summary.id).await.unwrap()[0];
    get(
        &reviewer,
        format!(
            "{}/officer/applications/{reference}/files/{}",
            c.base, file.id
        ),
    )
    .await;
    let (_, csv, _) = get(&reviewer, format!("{}/officer/applications.csv", c.base)).await;
    assert!(!csv.contains(ID));
    let (_, csv, _) = get(
        &reviewer,
        format!("{}/officer/applications.csv?ids=full", c.base),
    )
    .await;
    assert!(csv.contains(ID));
    let (_, api, _) = get(
        &reviewer,
        format!("{}/api/v1/applications/{reference}", c.base),
    )
    .await;
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["profile"]["person"]["id_number"], "3206**********001X");
    let (_, api, _) = get(
        &reviewer,
        format!("{}/api/v1/applications/{reference}?ids=full", c.base),
    )
    .await;
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["application"]["id_number"], ID);
    // A reviewer does not read the access log; an auditor reads nothing else.
    let (status, _, _) = get(&reviewer, format!("{}/officer/access-log", c.base)).await;
    assert_eq!(status, 403);
    let auditor = signed_in(c, "audit", Role::Auditor).await;
    for path in [
        format!("/officer/applications/{reference}"),
        "/officer/applications".into(),
        "/officer/batch".into(),
        format!("/api/v1/applications/{reference}"),
    ] {
        let (status, _, _) = get(&auditor, format!("{}{path}", c.base)).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, page, _) = get(&auditor, format!("{}/officer/access-log", c.base)).await;
    assert_eq!(status, 200);
    for words in [
        "查看申请",
        "查看完整证件号",
        "下载申报材料",
        "导出申请列表（证件号遮盖）",
        "导出申请列表（完整证件号）",
        "通过接口读取申请",
        "学位证书",
    ] {
        assert!(page.contains(words), "{words} in the log");
    }
    assert!(page.contains("共 7 条记录"), "{page}");
    let (status, only, _) = get(
        &auditor,
        format!("{}/officer/access-log?action=full_id&officer=lu", c.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        only.contains("共 2 条记录"),
        "the page's and the API's full ID"
    );
    let (status, _, _) = get(
        &auditor,
        format!("{}/officer/access-log?from=2026-13-01", c.base),
    )
    .await;
    assert_eq!(status, 400);
    let (status, csv, h) = get(&auditor, format!("{}/officer/access-log.csv", c.base)).await;
    assert_eq!(status, 200);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(
        csv.starts_with("\u{feff}时间,工作人员"),
        "one BOM, then the header"
    );
    assert_eq!(csv.trim_end().lines().count(), 8);
    // The auditor's own reading is not personal information; nothing was added.
    let (log, total) = c
        .store
        .access_log(&Default::default(), 100, false)
        .await
        .unwrap();
    assert_eq!(total, 7);
    assert!(log.iter().all(|e| e.officer == "lu"));
    // Times to the second, details in the page's language only.
    let seconds = regex_lite_free_time(&page);
    assert!(seconds, "times to the second: {page}");
    let (_, english, _) = get(&auditor, format!("{}/officer/access-log?lang=en", c.base)).await;
    assert!(english.contains("Degree certificate") && !english.contains("学位证书"));
    assert!(!english.contains(" / applications") && !page.contains(" / applications"));

    // What the log missed before: a search (how many found, not the words), the payment
    // schedule and its CSV (payees), a batch check, a simulation over the saved applications.
    let (_, found, _) = get(
        &reviewer,
        format!("{}/officer/applications?q=%E6%AC%A7%E9%98%B3", c.base),
    )
    .await;
    assert!(found.contains(&reference));
    get(&reviewer, format!("{}/api/v1/applications?q=001X", c.base)).await;
    get(&reviewer, format!("{}/officer/payments", c.base)).await;
    get(&reviewer, format!("{}/officer/payments.csv", c.base)).await;
    let hr = signed_in(c, "hr1", Role::Hr).await;
    let staff = "姓名,证件号码,出生日期\n张三,32068219880315001X,1988-03-15\n李四,32068219880315001X,1988-03-15\n";
    let ran = upload_batch(c, &hr, staff.as_bytes().to_vec(), "staff.csv").await;
    assert!(ran.status().is_redirection() || ran.status().is_success());
    let policy = signed_in(c, "po", Role::Policy).await;
    let (_, drafts, _) = get(&policy, format!("{}/officer/policy/drafts", c.base)).await;
    let token = hidden(&drafts, "csrf");
    let (status, _, h) = post_form(
        &policy,
        format!("{}/officer/policy/drafts", c.base),
        &[("csrf", &token), ("name", "安家补贴调整")],
    )
    .await;
    assert_eq!(status, 303);
    let draft = location(&h);
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .text("saved", "on");
    let ran = policy
        .post(format!("{}{draft}/simulate", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(
        ran.status().is_redirection() || ran.status().is_success(),
        "{}",
        ran.status()
    );
    let (log, _) = c
        .store
        .access_log(&Default::default(), 100, false)
        .await
        .unwrap();
    let kinds: Vec<(&str, Option<i64>, &str)> = log
        .iter()
        .take(6)
        .map(|e| (e.action.id(), e.detail.items, e.officer.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("simulation", Some(1), "po"),
            ("batch", Some(2), "hr1"),
            ("payments_export", Some(0), "lu"),
            ("payments", Some(0), "lu"),
            ("search", Some(1), "lu"),
            ("search", Some(1), "lu"),
        ]
    );
    assert!(
        log.iter()
            .all(|e| !e.detail.zh.contains("欧阳") && !e.detail.en.contains("001X")),
        "the words searched for are not kept"
    );

    // A sitting: the same case opened ten times is one line with its count on the page; the
    // CSV keeps each view.
    for _ in 0..10 {
        get(
            &reviewer,
            format!("{}/officer/applications/{reference}", c.base),
        )
        .await;
    }
    let (_, page, _) = get(
        &auditor,
        format!("{}/officer/access-log?action=view&lang=zh", c.base),
    )
    .await;
    assert_eq!(page.matches("<tr><td").count(), 1, "{page}");
    assert!(
        page.contains("共 11 次"),
        "ten views and the first one: {page}"
    );
    let (_, csv, _) = get(
        &auditor,
        format!("{}/officer/access-log.csv?action=view", c.base),
    )
    .await;
    assert_eq!(csv.trim_end().lines().count(), 1 + 11);
}

/// Whether the page's first log line gives its time to the second (`2026-12-05 14:03:09`).
fn regex_lite_free_time(page: &str) -> bool {
    let Some(at) = page.find("<tr><td class=\"word\">") else {
        return false;
    };
    let cell: String = page[at + 21..].chars().take(19).collect();
    cell.len() == 19
        && cell.chars().enumerate().all(|(i, ch)| match i {
            4 | 7 => ch == '-',
            10 => ch == ' ',
            13 | 16 => ch == ':',
            _ => ch.is_ascii_digit(),
        })
}

crate::on_both_databases!(the_access_log: access_log_on_sqlite, access_log_on_postgresql);

/// The access log refuses any change, in the database itself.
#[actix_web::test]
async fn the_access_log_is_append_only() {
    let (c, dir) = sqlite_console().await;
    let (reference, _) = submit_with_file(&c).await;
    let reviewer = signed_in(&c, "lu", Role::Reviewer).await;
    get(
        &reviewer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    use sqlx::Connection;
    let url = format!("sqlite://{}", dir.path().join("console.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in [
        "UPDATE access_log SET officer = 'nobody'",
        "DELETE FROM access_log",
    ] {
        let e = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
}

/// `data-key rotate` re-encrypts everything with a new key: the old key no longer opens the
/// database, the new one does, and the data reads as before.
#[actix_web::test]
async fn a_key_rotation_re_encrypts_everything() {
    let (c, dir) = sqlite_console().await;
    let (reference, _) = submit_with_file(&c).await;
    // A request for materials: a sealed note on the case's timeline, and its letter.
    let app = c.store.application(&reference).await.unwrap().unwrap();
    c.store
        .decide(
            &reference,
            "sun",
            app.summary.version,
            talent_subsidy::store::AppStatus::MoreInfo,
            "请补充社保缴纳证明",
            &["social_insurance_record".to_string()],
            &[],
        )
        .await
        .unwrap();
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let loaded = c.state.snapshot();
    assert_eq!(
        talent_subsidy::letters::issue_owed(
            &c.store,
            &loaded.policy,
            &app,
            &talent_subsidy::case::Case::read(&c.store, &app)
                .await
                .unwrap()
        )
        .await
        .unwrap(),
        1
    );
    c.shut_down().await;
    let db = dir.path().join("console.db").display().to_string();
    let old_key = std::fs::read_to_string(dir.path().join("console.db.key")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(["data-key", "rotate", "--database-url", &db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_key = std::fs::read_to_string(dir.path().join("console.db.key")).unwrap();
    assert_ne!(old_key, new_key);
    let retired: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().to_string();
            n.starts_with("console.db.key.retired-").then_some(n)
        })
        .collect();
    assert_eq!(retired.len(), 1, "the old key kept for older backups");
    let old = talent_subsidy::crypto::DataKey::parse(&old_key).unwrap();
    assert!(
        Store::open(&db, &KeySource::Given(Box::new(old)))
            .await
            .is_err()
    );
    let store = Store::open(&db, &KeySource::Beside).await.unwrap();
    let app = store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.applicant_name, NAME);
    assert!(app.profile.contains(ID));
    let file = &store.uploads(app.summary.id).await.unwrap()[0];
    let events = store.case_events(app.summary.id).await.unwrap();
    assert_eq!(events.last().unwrap().note, "请补充社保缴纳证明");
    let letters = store.letters(app.summary.id).await.unwrap();
    assert!(letters[0].body.contains(NAME) && letters[0].body.contains("补正材料通知书"));
    assert_eq!(
        store.upload_chunk(&file.id, 0).await.unwrap().unwrap(),
        certificate()
    );
    let filter = talent_subsidy::store::ListFilter {
        search: Some(ID.into()),
        ..Default::default()
    };
    assert_eq!(store.list(&filter, 1, 10).await.unwrap().1, 1);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(["data-key", "check", "--database-url", &db])
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// What the interview weighs its questions with grows from what the service sees: a
/// submission's answers are counted as the prior's buckets — never its name, ID number or
/// dates — and the policy in use weighs them.
async fn answers_seen_are_counted_without_the_person(c: &Console) {
    let degree_weight = |c: &Console| -> u64 {
        c.state
            .snapshot()
            .policy
            .prior()
            .of("person.highest_degree")
            .map_or(0, |b| b.iter().map(|x| x.weight()).sum())
    };
    let before = degree_weight(c);
    let profile = profile_named(NAME);
    let (status, v) = submit_json(c, &profile, None).await;
    assert_eq!(status, 201, "{v}");
    // Counted in the background, after the answer: wait a bounded while.
    let mut counts = Vec::new();
    for _ in 0..100 {
        counts = c.store.answer_counts().await.unwrap();
        if !counts.is_empty() && degree_weight(c) == before + 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        counts
            .iter()
            .any(|(p, _, n)| p == "person.highest_degree" && *n == 1),
        "{counts:?}"
    );
    assert!(
        counts.iter().any(|(p, _, _)| p == "employment"),
        "{counts:?}"
    );
    let text = format!("{counts:?}");
    let json: Value = serde_json::from_str(&profile).unwrap();
    for personal in [
        NAME,
        json["person"]["id_number"].as_str().unwrap(),
        json["person"]["birth_date"].as_str().unwrap(),
    ] {
        assert!(!text.contains(personal), "{personal} kept in {text}");
    }
    assert_eq!(degree_weight(c), before + 1, "the prior in use weighs it");
}

crate::on_both_databases!(answers_seen_are_counted_without_the_person: answers_seen_counted_on_sqlite, answers_seen_counted_on_postgresql);
