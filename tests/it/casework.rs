//! Casework, black-box on SQLite and PostgreSQL: files with an application (recognised by
//! their bytes, size-limited, given only to their own applicant and to officers), the
//! supplement round trip through the status link, program-by-program decisions with a partial
//! approval and a lowered amount, the payment schedule (listed, exported, marked paid), and
//! concurrent decisions of which exactly one is recorded.

use crate::common;
use common::console::*;
#[path = "casework/letters.rs"]
mod letters;
use letters::*;
#[path = "casework/messages.rs"]
mod messages;
use messages::*;

use serde_json::Value;
use talent_subsidy::policy::PolicySource;
use talent_subsidy::settings::Settings;
use talent_subsidy::store::Role;

/// Small limits, so the size tests send little.
const FILE_LIMIT: u64 = 64 * 1024;
const TOTAL_LIMIT: u64 = 160 * 1024;

async fn casework_console(url: &str) -> Console {
    console_set(
        url,
        false,
        PolicySource::Dir(policy_years_ahead()),
        Settings {
            upload_file_limit: FILE_LIMIT,
            upload_total_limit: TOTAL_LIMIT,
            ..Settings::unlimited()
        },
    )
    .await
}

/// A file of `n` bytes of the kind whose signature starts it.
fn file(signature: &[u8], n: usize, seed: u8) -> Vec<u8> {
    let mut v = signature.to_vec();
    v.extend((0..n.saturating_sub(signature.len())).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    v
}

fn pdf(n: usize, seed: u8) -> Vec<u8> {
    file(b"%PDF-1.7\n", n, seed)
}
fn jpeg(n: usize) -> Vec<u8> {
    file(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'], n, 7)
}
fn png(n: usize) -> Vec<u8> {
    file(b"\x89PNG\r\n\x1a\n", n, 9)
}

/// Submits a profile with files through the API: (material, file name, declared type, bytes).
async fn submit_files(
    c: &Console,
    profile: &str,
    files: &[(&str, &str, &str, Vec<u8>)],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("profile", profile.to_string());
    for (material, name, mime, bytes) in files {
        form = form.part(
            format!("material:{material}"),
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    }
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// The links of the form `…/files/ID` in a page, in order.
fn file_links(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.contains("/files/"))
        .map(str::to_string)
        .collect()
}

async fn download(b: &reqwest::Client, url: String) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let r = b.get(url).send().await.unwrap();
    let (s, h) = (r.status().as_u16(), r.headers().clone());
    (s, r.bytes().await.unwrap().to_vec(), h)
}

async fn count(c: &Console) -> i64 {
    c.store.count_applications().await.unwrap()
}

async fn files_are_recognised_by_content_and_given_only_to_their_owner(c: &Console) {
    let (a, b, d) = (pdf(40_000, 1), jpeg(30_000), png(20_000));
    let (status, v) = submit_files(
        c,
        EXAMPLE,
        &[
            (
                "degree_certificate",
                "学位证书.pdf",
                "application/pdf",
                a.clone(),
            ),
            ("identity", "id.jpg", "image/jpeg", b.clone()),
            ("labour_contract", "合同.png", "image/png", d.clone()),
        ],
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let reference = v["reference"].as_str().unwrap().to_string();
    let link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());

    // The officer sees the three files and gets each back byte for byte, as an attachment
    // the browser neither sniffs nor runs.
    let officer = signed_in(c, "zhou", Role::Reviewer).await;
    let (_, page, _) = get(
        &officer,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    assert!(page.contains("学位证书.pdf") && page.contains("id.jpg") && page.contains("合同.png"));
    let mut links = file_links(&page);
    links.dedup();
    let officer_links: Vec<&String> = links
        .iter()
        .filter(|l| l.starts_with("/officer/"))
        .collect();
    let mut got = Vec::new();
    for l in &officer_links {
        let (status, bytes, h) = download(&officer, format!("{}{l}", c.base)).await;
        assert_eq!(status, 200);
        let disposition = h["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        let kind = h["content-type"].to_str().unwrap().to_string();
        got.push((kind, bytes));
    }
    for (kind, bytes) in [
        ("application/pdf", &a),
        ("image/jpeg", &b),
        ("image/png", &d),
    ] {
        assert!(
            got.iter().any(|(k, x)| k == kind && x == bytes),
            "{kind} not returned whole"
        );
    }
    // Someone not signed in gets none of them.
    let (status, _, _) = download(&browser(), format!("{}{}", c.base, officer_links[0])).await;
    assert_eq!(status, 303);

    // The applicant sees and downloads their own files through the status link.
    let applicant = browser();
    let (_, page, _) = get(&applicant, link.clone()).await;
    let own: Vec<String> = file_links(&page);
    assert_eq!(own.len(), 3, "{page}");
    let (status, bytes, _) = download(&applicant, format!("{}{}", c.base, own[0])).await;
    assert_eq!(status, 200);
    assert!([&a, &b, &d].contains(&&bytes));

    // Another applicant, with their own link, gets nothing of the first one's.
    let (_, other) = submit_json(c, &profile_named("李四"), None).await;
    let other_link = format!("{}{}", c.base, other["status_url"].as_str().unwrap());
    let file_id = own[0].rsplit('/').next().unwrap();
    let (status, _, _) = download(&browser(), format!("{other_link}/files/{file_id}")).await;
    assert_eq!(status, 404);
    let (status, _, _) = download(&browser(), format!("{link}/files/{}", "0".repeat(32))).await;
    assert_eq!(status, 404);
}

async fn only_pdf_jpeg_and_png_are_accepted_and_within_the_limits(c: &Console) {
    let before = count(c).await;
    // An executable renamed .pdf, an HTML page renamed .png, a script declared as a PDF.
    for (name, mime, bytes) in [
        (
            "degree.pdf",
            "application/pdf",
            file(b"\x7fELF\x02\x01\x01\0", 5000, 3),
        ),
        (
            "photo.png",
            "image/png",
            b"<!doctype html><script>alert(1)</script>".to_vec(),
        ),
        ("setup.pdf", "application/pdf", file(b"MZ\x90\0", 5000, 4)),
    ] {
        let (status, v) =
            submit_files(c, EXAMPLE, &[("degree_certificate", name, mime, bytes)]).await;
        assert_eq!(status, 422, "{name}: {v}");
        let message = v["errors"][0]["message_zh"].as_str().unwrap_or_default();
        assert!(message.contains("PDF、JPEG、PNG"), "{message}");
    }
    // A material the policy does not list.
    let (status, _) = submit_files(
        c,
        EXAMPLE,
        &[("passport_photo", "a.pdf", "application/pdf", pdf(100, 1))],
    )
    .await;
    assert_eq!(status, 422);
    // One file over the file limit; files together over the total.
    let (status, v) = submit_files(
        c,
        EXAMPLE,
        &[(
            "degree_certificate",
            "big.pdf",
            "application/pdf",
            pdf(FILE_LIMIT as usize + 1, 1),
        )],
    )
    .await;
    assert_eq!(status, 413, "{v}");
    let four: Vec<(&str, &str, &str, Vec<u8>)> = (0..4)
        .map(|i| {
            (
                "degree_certificate",
                "part.pdf",
                "application/pdf",
                pdf(50_000, i),
            )
        })
        .collect();
    let (status, _) = submit_files(c, EXAMPLE, &four).await;
    assert_eq!(status, 413);
    assert_eq!(count(c).await, before, "a refused submission saves nothing");
    // At the limit exactly, it is taken.
    let (status, _) = submit_files(
        c,
        EXAMPLE,
        &[(
            "degree_certificate",
            "edge.pdf",
            "application/pdf",
            pdf(FILE_LIMIT as usize, 2),
        )],
    )
    .await;
    assert_eq!(status, 201);
}

/// The condition checks a program's card on the application page offers.
fn check_fields(page: &str, program: &str) -> Vec<String> {
    let card = page
        .split(&format!("id=\"p-{program}\""))
        .nth(1)
        .and_then(|s| s.split("</form>").next())
        .unwrap_or_else(|| panic!("no card for {program}"));
    card.split("name=\"check:")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| format!("check:{s}"))
        .collect()
}

/// The store's own guard, with the rules bypassed: one officer cannot sign two review steps
/// of a round (the database's constraint), of two officers taking one step at once exactly
/// one does, and nothing moves from a step the case is not at.
async fn four_eyes_and_one_winner_hold_in_the_database(c: &Console) {
    use talent_subsidy::store::{CaseStep, DecideError, Move, Signed};
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let today = talent_subsidy::store::today();
    let version = |r: String| {
        let store = c.store.clone();
        async move {
            store
                .application(&r)
                .await
                .unwrap()
                .unwrap()
                .summary
                .version
        }
    };
    let mv = |from, to, actor, signs, seen| Move {
        reference: &reference,
        seen_version: seen,
        from,
        to,
        actor,
        action: "test",
        note: "",
        signs,
        back_to_first_review: false,
        reopen: false,
        status: None,
        day: today,
    };
    // Two reviewers accept at once: one does.
    let seen = version(reference.clone()).await;
    let a = mv(CaseStep::Accept, CaseStep::FirstReview, "sun", None, seen);
    let b = mv(CaseStep::Accept, CaseStep::FirstReview, "wu", None, seen);
    let (ra, rb) = futures_util::future::join(c.store.advance(&a), c.store.advance(&b)).await;
    assert_eq!(
        [ra.is_ok(), rb.is_ok()].iter().filter(|x| **x).count(),
        1,
        "{ra:?} {rb:?}"
    );
    // The first review: every program approved at once by sun.
    let officer = signed_in(c, "sun", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let (seen, _) = version_of(c, &officer, &reference).await;
    let (status, body, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen),
            ("decision", "approved"),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.step, CaseStep::SecondReview);
    let seen = app.summary.version;
    // sun signs 复审 too: the database refuses it, whatever the rules said.
    let same = mv(
        CaseStep::SecondReview,
        CaseStep::SignOff,
        "sun",
        Some(Signed::SecondReview),
        seen,
    );
    assert!(matches!(
        c.store.advance(&same).await,
        Err(DecideError::SameOfficer)
    ));
    // Two other reviewers agree at once: one does.
    let wu = mv(
        CaseStep::SecondReview,
        CaseStep::SignOff,
        "wu",
        Some(Signed::SecondReview),
        seen,
    );
    let zheng = mv(
        CaseStep::SecondReview,
        CaseStep::SignOff,
        "zheng",
        Some(Signed::SecondReview),
        seen,
    );
    let (rw, rz) = futures_util::future::join(c.store.advance(&wu), c.store.advance(&zheng)).await;
    assert_eq!(
        [rw.is_ok(), rz.is_ok()].iter().filter(|x| **x).count(),
        1,
        "{rw:?} {rz:?}"
    );
    let winner = if rw.is_ok() { "wu" } else { "zheng" };
    let seen = version(reference.clone()).await;
    // The one who agreed cannot sign off; paying before the decision is in force is refused.
    let sign = mv(
        CaseStep::SignOff,
        CaseStep::NoticeReady,
        winner,
        Some(Signed::SignOff),
        seen,
    );
    assert!(matches!(
        c.store.advance(&sign).await,
        Err(DecideError::SameOfficer)
    ));
    let stale = mv(
        CaseStep::SecondReview,
        CaseStep::SignOff,
        "li",
        Some(Signed::SecondReview),
        seen,
    );
    assert!(matches!(
        c.store.advance(&stale).await,
        Err(DecideError::Step(CaseStep::SignOff))
    ));
    let payments = c.store.payments(&Default::default()).await.unwrap();
    assert!(!payments.is_empty());
    for p in &payments {
        assert!(
            !c.store.mark_paid(p.id, "qian", today).await.unwrap(),
            "before 公示"
        );
    }
    let signers = c.store.signers(app.summary.id).await.unwrap();
    assert_eq!(
        signers
            .iter()
            .map(|s| (s.step, s.actor.as_str()))
            .collect::<Vec<_>>(),
        [(Signed::FirstReview, "sun"), (Signed::SecondReview, winner)]
    );
}

/// Two instances on one database sweep the same ended notice at once, twice each: every case
/// on it is ended exactly once (one timeline entry each), whichever instance gets there.
async fn a_notice_ends_once_across_two_instances(c: &Console) {
    let other = casework_console(&c.url).await;
    let officer = signed_in(c, "sun", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let mut references = Vec::new();
    for _ in 0..4 {
        let (_, v) = submit_json(c, EXAMPLE, None).await;
        let reference = v["reference"].as_str().unwrap().to_string();
        let (seen, _) = version_of(c, &officer, &reference).await;
        let (status, _, _) = post_form(
            &officer,
            format!("{}/officer/applications/{reference}/decision", c.base),
            &[
                ("csrf", &token),
                ("seen_version", &seen),
                ("decision", "approved"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        references.push(reference);
    }
    let today = talent_subsidy::store::today();
    let mut cases = Vec::new();
    for r in &references {
        let app = c.store.application(r).await.unwrap().unwrap();
        c.store
            .advance(&talent_subsidy::store::Move {
                reference: r,
                seen_version: app.summary.version,
                from: talent_subsidy::store::CaseStep::SecondReview,
                to: talent_subsidy::store::CaseStep::NoticeReady,
                actor: "wu",
                action: "agree",
                note: "",
                signs: Some(talent_subsidy::store::Signed::SecondReview),
                back_to_first_review: false,
                reopen: false,
                status: None,
                day: today,
            })
            .await
            .unwrap();
        let app = c.store.application(r).await.unwrap().unwrap();
        cases.push((
            talent_subsidy::procedure::notice_case(&app),
            app.summary.version,
        ));
    }
    c.store
        .publish_notice("li", today, today, &cases)
        .await
        .unwrap();
    // Not before its last day has passed.
    assert!(c.store.close_notices(today).await.unwrap().is_empty());
    let after = today.succ_opt().unwrap();
    let sweeps = futures_util::future::join_all([
        c.store.close_notices(after),
        other.store.close_notices(after),
        other.store.close_notices(after),
        c.store.close_notices(after),
    ])
    .await;
    let mut ended: Vec<String> = sweeps.into_iter().flat_map(Result::unwrap).collect();
    ended.sort();
    assert_eq!(ended, references, "each case once");
    for r in &references {
        let app = other.store.application(r).await.unwrap().unwrap();
        assert_eq!(app.summary.step, talent_subsidy::store::CaseStep::InForce);
        let events = other.store.case_events(app.summary.id).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.action == "cleared").count(), 1);
    }
    other.shut_down().await;
}

/// An objection on the public page: anonymous ones are refused; a real one holds the case on
/// its notice past the last day; upheld, the case comes off the notice and returns to 复审
/// (where the officer of 初审 still may not act), and a second notice passes.
async fn an_upheld_objection_returns_the_case_and_a_second_notice_passes(c: &Console) {
    use talent_subsidy::store::{CaseStep, Move, Signed};
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let status_link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    let officer = signed_in(c, "sun", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    // The list says when acceptance is due, in working days.
    let (_, list, _) = get(&officer, format!("{}/officer/applications", c.base)).await;
    assert!(
        list.contains("受理期限") && list.contains("还剩 5 个工作日"),
        "{list}"
    );
    let (seen, _) = version_of(c, &officer, &reference).await;
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen),
            ("decision", "approved"),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let today = talent_subsidy::store::today();
    let to_notice = |actor: &'static str, step: CaseStep, signs: Signed| {
        let (store, reference) = (c.store.clone(), reference.clone());
        async move {
            let app = store.application(&reference).await.unwrap().unwrap();
            store
                .advance(&Move {
                    reference: &reference,
                    seen_version: app.summary.version,
                    from: step,
                    to: CaseStep::NoticeReady,
                    actor,
                    action: "agree",
                    note: "",
                    signs: Some(signs),
                    back_to_first_review: false,
                    reopen: false,
                    status: None,
                    day: today,
                })
                .await
                .unwrap();
            let app = store.application(&reference).await.unwrap().unwrap();
            let shown = talent_subsidy::procedure::notice_case(&app);
            store
                .publish_notice("li", today, today, &[(shown, app.summary.version)])
                .await
                .unwrap()
        }
    };
    to_notice("wu", CaseStep::SecondReview, Signed::SecondReview).await;
    // The public page lists the case with the objection form.
    let public = browser();
    let (status, page, _) = get(&public, format!("{}/gongshi", c.base)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("某某科技有限公司") && !page.contains("张三"),
        "masked"
    );
    let entry = page
        .split("<option value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let form_token = hidden(&page, "form_token");
    let object = format!("{}/gongshi/objections", c.base);
    let (status, body, _) = post_form(
        &public,
        object.clone(),
        &[
            ("form_token", &form_token),
            ("entry", &entry),
            ("name", "匿名"),
            ("phone", ""),
            ("statement", "不实"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("匿名异议不予受理") && body.contains("联系电话"),
        "{body}"
    );
    // The refused form comes back as typed: the person chosen, the name and the statement.
    assert!(
        body.contains(&format!("value=\"{entry}\" selected"))
            && body.contains("value=\"匿名\"")
            && body.contains(">不实</textarea>"),
        "{body}"
    );
    // With files: one that is not a PDF, JPEG or PNG is refused, and nothing is taken.
    let objection_form = |file: Vec<u8>, name: &str| {
        reqwest::multipart::Form::new()
            .text("form_token", form_token.clone())
            .text("entry", entry.clone())
            .text("name", "李四")
            .text("phone", "138 0000 0000")
            .text("statement", "该公司注册地不在园区")
            .part(
                "material:objection",
                reqwest::multipart::Part::bytes(file)
                    .file_name(name.to_string())
                    .mime_str("application/octet-stream")
                    .unwrap(),
            )
    };
    let r = public
        .post(object.clone())
        .multipart(objection_form(
            b"MZ\x90\x00 not a document".to_vec(),
            "证据.exe",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let app_id = c
        .store
        .application(&reference)
        .await
        .unwrap()
        .unwrap()
        .summary
        .id;
    assert!(c.store.objections(app_id).await.unwrap().is_empty());
    let evidence = pdf(20_000, 9);
    let r = public
        .post(object)
        .multipart(objection_form(evidence.clone(), "工商登记截图.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/gongshi?received=1");
    // A pending objection holds the case past the notice's last day.
    let after = today.succ_opt().unwrap();
    assert!(c.store.close_notices(after).await.unwrap().is_empty());
    // Reviewers see who objected; the applicant never does.
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("李四 · 138 0000 0000") && page.contains("该公司注册地不在园区"));
    let (_, mine, _) = get(&browser(), status_link).await;
    assert!(!mine.contains("李四") && !mine.contains("138 0000 0000"));
    assert!(
        !mine.contains("工商登记截图"),
        "the objector's file is not the applicant's"
    );
    // The file is the reviewers' to read, as sent.
    let file_link = page
        .split("<a href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("/files/") && h.contains("/objections/"))
        .expect("the objection's file is linked")
        .to_string();
    assert!(page.contains("工商登记截图.pdf"));
    let (status, bytes, _) = download(&officer, format!("{}{file_link}", c.base)).await;
    assert_eq!((status, bytes), (200, evidence));
    let (status, _, _) = download(&browser(), format!("{}{file_link}", c.base)).await;
    assert_ne!(status, 200, "not to anyone else");
    let objection = page
        .split(&format!("/officer/applications/{reference}/objections/"))
        .nth(1)
        .and_then(|s| s.split(['"', '/']).next())
        .unwrap()
        .to_string();
    let finder = signed_in(c, "zheng", Role::Reviewer).await;
    let ftoken = csrf(c, &finder).await;
    let (seen, _) = version_of(c, &finder, &reference).await;
    let find = format!(
        "{}/officer/applications/{reference}/objections/{objection}",
        c.base
    );
    let (status, _, _) = post_form(
        &finder,
        find.clone(),
        &[
            ("csrf", &ftoken),
            ("seen_version", &seen),
            ("finding", "upheld"),
            ("finding_note", ""),
        ],
    )
    .await;
    assert_eq!(status, 422, "a finding needs its reason");
    let (status, _, _) = post_form(
        &finder,
        find.clone(),
        &[
            ("csrf", &ftoken),
            ("seen_version", &seen),
            ("finding", "upheld"),
            ("finding_note", "经核实，注册地在园区外"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(
        (app.summary.step, app.summary.review_round),
        (CaseStep::SecondReview, 2)
    );
    let (_, page, _) = get(&public, format!("{}/gongshi", c.base)).await;
    assert!(!page.contains(&entry), "off the notice");
    assert!(
        c.store.close_notices(after).await.unwrap().is_empty(),
        "nothing to end"
    );
    // Found once.
    let (seen, _) = version_of(c, &finder, &reference).await;
    let (status, _, _) = post_form(
        &finder,
        find,
        &[
            ("csrf", &ftoken),
            ("seen_version", &seen),
            ("finding", "dismissed"),
            ("finding_note", "x"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    // 复审 again: not by the officer of 初审, whose proposals stand in the new round.
    let (seen, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("id=\"four-eyes\""));
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/step", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen),
            ("action", "agree"),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(status, 409);
    to_notice("wu", CaseStep::SecondReview, Signed::SecondReview).await;
    assert_eq!(
        c.store.close_notices(after).await.unwrap(),
        vec![reference.clone()]
    );
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("异议成立，撤下公示") && page.contains("公示期满无异议"));
}

/// Assignment: two reviewers take the same case at once and one does; the handler hands it
/// over with a reason; "my queue" lists what is mine; a leader assigns cases in bulk, and a
/// case cannot be given to one who may not handle its step.
async fn one_of_two_takes_a_case_and_queues_follow_the_handler(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let (_, v2) = submit_json(c, EXAMPLE, None).await;
    let second = v2["reference"].as_str().unwrap().to_string();
    let sun = signed_in(c, "sun", Role::Reviewer).await;
    let wu = signed_in(c, "wu", Role::Reviewer).await;
    add(c, "qian", Role::Finance).await;
    let (ts, tw) = (csrf(c, &sun).await, csrf(c, &wu).await);
    let (_, unassigned, _) = get(
        &sun,
        format!("{}/officer/applications?handler=unassigned", c.base),
    )
    .await;
    assert!(unassigned.contains(&reference) && unassigned.contains(&second));
    let take = format!("{}/officer/applications/{reference}/take", c.base);
    let (a, b) = futures_util::future::join(
        post_form(&sun, take.clone(), &[("csrf", &ts)]),
        post_form(&wu, take.clone(), &[("csrf", &tw)]),
    )
    .await;
    let statuses = [a.0, b.0];
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.contains(&409), "{statuses:?}");
    let (holder, holder_token, other) = if a.0 == 303 {
        (&sun, &ts, "wu")
    } else {
        (&wu, &tw, "sun")
    };
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let me = app.summary.handler.clone().unwrap();
    let (_, mine, _) = get(
        holder,
        format!("{}/officer/applications?handler=mine", c.base),
    )
    .await;
    assert!(
        mine.contains(&reference) && !mine.contains(&second),
        "my queue"
    );
    // Handing over needs a reason and someone who may take the step.
    let over = format!("{}/officer/applications/{reference}/hand-over", c.base);
    let (status, _, _) = post_form(
        holder,
        over.clone(),
        &[
            ("csrf", holder_token),
            ("to", other),
            ("handover_reason", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let (status, body, _) = post_form(
        holder,
        over.clone(),
        &[
            ("csrf", holder_token),
            ("to", "qian"),
            ("handover_reason", "休假"),
        ],
    )
    .await;
    assert_eq!(status, 422, "finance does not accept cases: {body}");
    let (status, _, _) = post_form(
        holder,
        over,
        &[
            ("csrf", holder_token),
            ("to", other),
            ("handover_reason", "休假"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.handler.as_deref(), Some(other));
    assert_ne!(me, other);
    // A leader assigns the rest in bulk; a step change empties the handler.
    let leader = signed_in(c, "li", Role::Approver).await;
    let tl = csrf_on(c, &leader, "/officer/notices").await;
    let (status, body, _) = post_form(
        &leader,
        format!("{}/officer/applications/assign", c.base),
        &[
            ("csrf", &tl),
            ("to", "sun"),
            ("case", &second),
            ("case", &reference),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("已分配给 sun：1 件"), "{body}");
    let app = c.store.application(&second).await.unwrap().unwrap();
    assert_eq!(app.summary.handler.as_deref(), Some("sun"));
    let (seen, _) = version_of(c, &sun, &second).await;
    let (status, _, _) = post_form(
        &sun,
        format!("{}/officer/applications/{second}/step", c.base),
        &[
            ("csrf", &ts),
            ("seen_version", &seen),
            ("action", "accept"),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let app = c.store.application(&second).await.unwrap().unwrap();
    assert_eq!(
        app.summary.step,
        talent_subsidy::store::CaseStep::FirstReview
    );
    assert_eq!(app.summary.handler, None, "the next step waits to be taken");
}

async fn version_of(c: &Console, b: &reqwest::Client, reference: &str) -> (String, String) {
    let (_, page, _) = get(b, format!("{}/officer/applications/{reference}", c.base)).await;
    (hidden(&page, "seen_version"), page)
}

async fn review(
    c: &Console,
    b: &reqwest::Client,
    csrf: &str,
    reference: &str,
    program: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (seen, page) = version_of(c, b, reference).await;
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("seen_version".into(), seen),
        ("program".into(), program.into()),
    ];
    let checks = check_fields(&page, program);
    for f in fields {
        if f.0 == "all_checks" {
            for name in &checks {
                form.push((name.clone(), f.1.into()));
            }
        } else {
            form.push((f.0.into(), f.1.into()));
        }
    }
    let r = b
        .post(format!(
            "{}/officer/applications/{reference}/programs/{program}",
            c.base
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn supplement_round_trip(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    let officer = signed_in(c, "qian", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    // Nothing was sent, so the request offers every material, ticked.
    let (seen, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("name=\"missing\" value=\"social_insurance_record\" checked"));
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen),
            ("decision", "more_info"),
            ("note", "请上传社保缴纳证明"),
            ("missing", "social_insurance_record"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // The applicant sees what is missing and a place to upload it.
    let applicant = browser();
    let (_, page, _) = get(&applicant, link.clone()).await;
    assert!(page.contains("请上传社保缴纳证明") && page.contains("id=\"missing\""));
    assert!(page.contains("name=\"material:social_insurance_record\""));
    assert!(!page.contains("name=\"material:degree_certificate\""));
    let form_token = hidden(&page, "form_token");
    let proof = pdf(30_000, 5);
    let form = reqwest::multipart::Form::new()
        .text("form_token", form_token)
        .text("reply", "已上传社保缴纳证明")
        .part(
            "material:social_insurance_record",
            reqwest::multipart::Part::bytes(proof.clone())
                .file_name("社保.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = applicant
        .post(format!("{link}/reply"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    // The applicant is told it arrived.
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.ends_with("?replied=1"), "{back}");
    let (_, page, _) = get(&applicant, format!("{}{back}", c.base)).await;
    assert!(page.contains("id=\"replied\"") && page.contains("已收到您补充的材料"));
    assert!(
        page.contains("待审核") && page.contains("社保.pdf") && !page.contains("id=\"missing\"")
    );
    // The request is answered: its note is no longer the application's latest word.
    assert!(
        !page.contains("id=\"note\""),
        "a stale request shown as the note"
    );
    // The officer sees it as a supplement, with the reply in the audit log, and approves.
    let (seen, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("社保.pdf") && page.contains("补交"));
    assert!(page.contains("已上传社保缴纳证明"));
    let link_to = file_links(&page)
        .into_iter()
        .find(|l| l.starts_with("/officer/"))
        .unwrap();
    let (_, bytes, _) = download(&officer, format!("{}{link_to}", c.base)).await;
    assert_eq!(bytes, proof);
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen),
            ("decision", "approved"),
            ("note", "材料齐全"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page, _) = get(&applicant, link).await;
    assert!(page.contains("已批准") && page.contains("id=\"payments\""));
    // Approving the whole approved each program at its amount and scheduled its payments.
    let (_, list, _) = get(&officer, format!("{}/officer/payments", c.base)).await;
    assert!(list.contains(&reference));
    assert!(
        list.contains("¥1,500,000"),
        "half of the startup funding on signing"
    );
}

async fn program_by_program_with_a_partial_approval_and_payments(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    let officer = signed_in(c, "sun", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let startup = "jinying_startup";
    // A lower amount needs a reason; more than assessed is refused.
    let (status, page) = review(
        c,
        &officer,
        &token,
        &reference,
        startup,
        &[
            ("all_checks", "verified"),
            ("decision", "approve"),
            ("amount", "2500000"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    // Nothing the officer entered is lost: every check, the decision and the amount stay as
    // typed; the refusal stands at the reason, and a summary at the top links there.
    let card = page
        .split(&format!("id=\"p-{startup}\""))
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    assert!(
        !card.contains("value=\"\" selected"),
        "a check reset: {card}"
    );
    assert!(
        card.matches("value=\"verified\" selected").count() >= 3,
        "{card}"
    );
    assert!(card.contains("value=\"approve\" checked"), "{card}");
    assert!(card.contains("value=\"2500000\""), "{card}");
    assert!(
        card.contains(&format!("id=\"reason-{startup}-error\"")),
        "{card}"
    );
    assert!(card.contains("aria-invalid=\"true\""), "{card}");
    let summary = page
        .split("id=\"error-summary\"")
        .nth(1)
        .expect("a summary");
    assert!(
        summary.contains(&format!("href=\"#reason-{startup}\"")),
        "{summary}"
    );
    assert!(
        page.find("id=\"error-summary\"").unwrap() < page.find("id=\"h-programs\"").unwrap(),
        "the summary at the top"
    );
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        startup,
        &[
            ("decision", "approve"),
            ("amount", "3000001"),
            ("reason", "x"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    // A condition awaiting material blocks an approval.
    let (status, page) = review(
        c,
        &officer,
        &token,
        &reference,
        startup,
        &[
            ("all_checks", "pending"),
            ("decision", "approve"),
            ("amount", "3000000"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    // Checks alone are saved, and logged.
    let (status, body) = review(
        c,
        &officer,
        &token,
        &reference,
        startup,
        &[("all_checks", "pending")],
    )
    .await;
    assert_eq!(
        status,
        303,
        "{}",
        body.split("role=\"alert\"").nth(1).unwrap_or(&body)
    );
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        startup,
        &[
            ("all_checks", "verified"),
            ("decision", "approve"),
            ("amount", "2,500,000"),
            ("reason", "实缴资本核定为 200 万元"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("部分批准"), "some approved, others open");
    // Each condition shows what it asks and what the applicant declared, beside its check.
    let card = page
        .split(&format!("id=\"p-{startup}\""))
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    let declared: Vec<&str> = card.split("class=\"declared\"").skip(1).collect();
    assert!(declared.len() >= 5, "{card}");
    assert!(
        declared
            .iter()
            .any(|d| d.contains("51") && d.contains("30")),
        "the founder's 51% beside the 30% asked: {card}"
    );
    assert!(
        declared.iter().all(|d| !d.contains("startup.")),
        "no field paths"
    );
    assert!(
        declared.iter().any(|d| d.contains("不早于 ")),
        "a date is no earlier than, not no lower than: {card}"
    );
    assert!(declared.iter().all(|d| !d.contains("不低于 20")), "{card}");
    assert!(page.contains("核验通过") && page.contains("实缴资本核定为 200 万元"));
    // Refusing needs a reason.
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        "jinying_office",
        &[("decision", "refuse")],
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        "jinying_office",
        &[("decision", "refuse"), ("reason", "场地为自有房产，无租金")],
    )
    .await;
    assert_eq!(status, 303);
    // A decided program is final.
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        "jinying_office",
        &[("decision", "approve"), ("amount", "1")],
    )
    .await;
    assert_eq!(status, 409);
    for p in ["jinying_innovation", "rent_subsidy", "home_purchase"] {
        let (status, body) = review(
            c,
            &officer,
            &token,
            &reference,
            p,
            &[
                ("all_checks", "verified"),
                ("decision", "approve"),
                ("amount", "999999999"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{p}: more than assessed");
        assert!(
            body.contains("value=\"999999999\""),
            "the amount typed is kept"
        );
        let (_, body) = version_of(c, &officer, &reference).await;
        let assessed = body
            .split(&format!(
                "id=\"amount-{p}\" name=\"amount\" inputmode=\"numeric\" value=\""
            ))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        let (status, _) = review(
            c,
            &officer,
            &token,
            &reference,
            p,
            &[
                ("all_checks", "verified"),
                ("decision", "approve"),
                ("amount", &assessed),
            ],
        )
        .await;
        assert_eq!(status, 303, "{p}");
    }
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("已办结"), "every program decided");
    // The applicant sees each decision.
    let (_, status_page, _) = get(&browser(), link).await;
    assert!(status_page.contains("已办结") && status_page.contains("场地为自有房产，无租金"));
    // …as findings that take effect after 复审, sign-off and the notice.
    assert!(status_page.contains("id=\"step\">复审<") && status_page.contains("id=\"pending\""));
    assert!(status_page.contains("¥2,500,000"));

    // 初审 is done: the case waits for 复审 by another officer, and nothing is payable yet.
    assert!(page.contains("复审"), "at the second review");
    let step = |action: &str, reason: &str, version: &str, token: &str| {
        vec![
            ("csrf".to_string(), token.to_string()),
            ("seen_version".to_string(), version.to_string()),
            ("action".to_string(), action.to_string()),
            ("reason".to_string(), reason.to_string()),
        ]
    };
    let step_url = format!("{}/officer/applications/{reference}/step", c.base);
    let (version, _) = version_of(c, &officer, &reference).await;
    let (status, body, _) =
        post_pairs(&officer, &step_url, &step("agree", "", &version, &token)).await;
    assert_eq!(status, 409, "the officer of 初审 cannot take 复审");
    assert!(body.contains("四眼原则"), "{body}");
    let second = signed_in(c, "wu", Role::Reviewer).await;
    let token2 = csrf(c, &second).await;
    let (status, page, _) = get(
        &second,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"step-agree\"") && page.contains("id=\"step-send_back\""));
    let (status, _, _) =
        post_pairs(&second, &step_url, &step("agree", "", &version, &token2)).await;
    assert_eq!(status, 303);
    // ¥2,500,000 + the rest approved is above ¥1,000,000: a leader signs off.
    let (version, page) = version_of(c, &second, &reference).await;
    assert!(
        page.contains("审批") && page.contains("id=\"next-step\""),
        "waits for the approver"
    );
    let leader = signed_in(c, "li", Role::Approver).await;
    let token3 = csrf_on(c, &leader, "/officer/notices").await;
    let (status, _, _) =
        post_pairs(&leader, &step_url, &step("sign_off", "", &version, &token3)).await;
    assert_eq!(status, 303);
    let finance = signed_in(c, "qian", Role::Finance).await;
    let token4 = csrf_on(c, &finance, "/officer/payments").await;
    let (_, waiting, _) = get(&finance, format!("{}/officer/payments", c.base)).await;
    assert_eq!(
        waiting.matches("action=\"/officer/payments/").count(),
        0,
        "nothing payable before 公示"
    );
    assert!(waiting.contains("待决定生效"));
    // Finance cannot open the answers.
    let (status, _, _) = get(
        &finance,
        format!("{}/officer/applications/{reference}", c.base),
    )
    .await;
    assert_eq!(status, 403);

    // 公示: the leader opens a notice on the next working day; the public page shows the masked
    // name, the program and the amount once it starts.
    let first_day = next_working_day();
    let (status, body, _) = post_pairs(
        &leader,
        &format!("{}/officer/notices", c.base),
        &[
            ("csrf".into(), token3.clone()),
            ("first_day".into(), first_day.to_string()),
            (
                "case".into(),
                format!("{reference}:{}", version.parse::<i64>().unwrap() + 1),
            ),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(app.summary.step, talent_subsidy::store::CaseStep::Notice);
    let notice = c.store.notice_of(app.summary.id).await.unwrap().unwrap();
    assert_eq!(notice.first_day, first_day);
    assert_eq!(notice.entries[0].masked_name, "张*");
    // Nothing is payable while the notice runs: the store refuses whoever asks.
    let any = c.store.payments(&Default::default()).await.unwrap();
    assert!(
        !c.store
            .mark_paid(any[0].id, "qian", talent_subsidy::store::today())
            .await
            .unwrap()
    );
    // Its last day passes: the decision is in force, once, however often the sweep runs.
    let after = notice.last_day.succ_opt().unwrap();
    assert_eq!(
        c.store.close_notices(after).await.unwrap(),
        vec![reference.clone()]
    );
    assert!(c.store.close_notices(after).await.unwrap().is_empty());
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("决定生效") && page.contains("公示期满无异议"));

    // The schedule: the startup funding in three installments of the lowered amount, waiting
    // for their triggers; the rent subsidy yearly from the approval.
    let (status, list, _) = get(
        &officer,
        format!("{}/officer/payments?program={startup}", c.base),
    )
    .await;
    assert_eq!(status, 200);
    for amount in ["¥1,250,000", "¥750,000", "¥500,000"] {
        assert!(list.contains(amount), "{amount}");
    }
    assert_eq!(
        list.matches("action=\"/officer/payments/").count(),
        3,
        "a reviewer records each trigger's date"
    );
    let (_, for_finance, _) = get(
        &finance,
        format!("{}/officer/payments?program={startup}", c.base),
    )
    .await;
    assert_eq!(
        for_finance.matches("action=\"/officer/payments/").count(),
        0,
        "an undated trigger cannot be paid"
    );
    assert!(
        !for_finance.contains("href=\"/officer/applications/"),
        "finance is not led to the answers it may not open"
    );
    let trigger = list
        .split("action=\"/officer/payments/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let (status, body, _) = post_form(
        &finance,
        format!("{}/officer/payments/{trigger}/paid", c.base),
        &[
            ("csrf", &token4),
            ("paid_on", &today.to_string()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 409, "paying an undated trigger: {body}");
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/payments/{trigger}/trigger", c.base),
        &[("csrf", &token), ("on", &today.to_string())],
    )
    .await;
    assert_eq!(status, 303, "the agreement signed today");
    let (_, office, _) = get(
        &finance,
        format!("{}/officer/payments?program=jinying_office", c.base),
    )
    .await;
    assert_eq!(
        office.matches("action=\"/officer/payments/").count(),
        0,
        "refused: nothing to pay"
    );
    let in_a_year = today.checked_add_months(chrono::Months::new(12)).unwrap();
    let (_, rent, _) = get(
        &officer,
        format!("{}/officer/payments?program=rent_subsidy", c.base),
    )
    .await;
    assert!(rent.contains(&today.to_string()) && rent.contains(&in_a_year.to_string()));
    // Due by today: the first installments (the signing one now dated), not later ones.
    let (_, due, _) = get(
        &finance,
        format!("{}/officer/payments?due_before={today}", c.base),
    )
    .await;
    assert!(!due.contains(&in_a_year.to_string()));
    let payable = c
        .store
        .payments(&talent_subsidy::store::PaymentFilter {
            due_before: Some(today),
            paid: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        payable.iter().any(|p| p.id.to_string() == trigger),
        "the signing installment"
    );
    assert_eq!(
        due.matches("action=\"/officer/payments/").count(),
        payable.len(),
        "finance has a form for each payment due"
    );
    let first = due
        .split("action=\"/officer/payments/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let pay = format!("{}/officer/payments/{first}/paid", c.base);
    // A reviewer (who approved) cannot register it; finance confirms, then registers once.
    let (status, _, _) = post_form(
        &officer,
        pay.clone(),
        &[
            ("csrf", &token),
            ("paid_on", &today.to_string()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 409, "a reviewer does not pay");
    let (status, confirm, _) = post_form(
        &finance,
        pay.clone(),
        &[("csrf", &token4), ("paid_on", &today.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(confirm.contains("确认登记已拨付") && confirm.contains("张三"));
    let (status, _, h) = post_form(
        &finance,
        pay.clone(),
        &[
            ("csrf", &token4),
            ("paid_on", &today.to_string()),
            ("back", "/officer/payments?state=paid"),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location(&h), "/officer/payments?state=paid");
    let (status, _, _) = post_form(
        &finance,
        pay,
        &[
            ("csrf", &token4),
            ("paid_on", &today.to_string()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 409, "paid once");
    // A wrong registration is reversed with a reason by another finance officer, never by the
    // one who made it; the payment is then to pay again, and nothing is deleted.
    let reverse = format!("{}/officer/payments/{first}/reverse", c.base);
    let (status, _, _) = post_form(
        &finance,
        reverse.clone(),
        &[("csrf", &token4), ("reason", "金额有误")],
    )
    .await;
    assert_eq!(status, 409, "not by the one who registered it");
    let second_finance = signed_in(c, "zhao", Role::Finance).await;
    let token5 = csrf_on(c, &second_finance, "/officer/payments").await;
    let (status, _, _) = post_form(
        &second_finance,
        reverse.clone(),
        &[("csrf", &token5), ("reason", "")],
    )
    .await;
    assert_eq!(status, 422, "a reason is needed");
    let (status, _, _) = post_form(
        &second_finance,
        reverse.clone(),
        &[("csrf", &token5), ("reason", "拨付日期登记错误")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post_form(&officer, reverse, &[("csrf", &token), ("reason", "x")]).await;
    assert_eq!(status, 403, "only finance reverses");
    let again = c
        .store
        .payment(first.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!again.paid && again.paid_by.is_none());
    let (status, _, _) = post_form(
        &finance,
        format!("{}/officer/payments/{first}/paid", c.base),
        &[
            ("csrf", &token4),
            ("paid_on", &today.to_string()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 303, "paid again, rightly");
    // The startup funding is paid under its agreement: not before it is recorded, then to the
    // account recorded with it, masked in lists.
    let pay_startup = format!("{}/officer/payments/{trigger}/paid", c.base);
    let (status, body, _) = post_form(
        &finance,
        pay_startup.clone(),
        &[
            ("csrf", &token4),
            ("paid_on", &today.to_string()),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    assert!(body.contains("资助协议"), "{body}");
    let agreement = format!(
        "{}/officer/applications/{reference}/agreements/{startup}",
        c.base
    );
    let (status, _, _) = post_form(
        &officer,
        agreement.clone(),
        &[
            ("csrf", &token),
            ("signed_on", &today.to_string()),
            ("bank", "中国银行南通分行"),
            ("account", "12"),
        ],
    )
    .await;
    assert_eq!(status, 422, "an account number of 2 digits");
    let (status, _, _) = post_form(
        &officer,
        agreement.clone(),
        &[
            ("csrf", &token),
            ("signed_on", &today.to_string()),
            ("bank", "中国银行南通分行"),
            ("account", "6217 0000 1234 5678"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post_form(
        &officer,
        agreement,
        &[
            ("csrf", &token),
            ("signed_on", &today.to_string()),
            ("bank", "别的银行"),
            ("account", "62170000999999"),
        ],
    )
    .await;
    assert_eq!(status, 409, "recorded once");
    let (status, confirm, _) = post_form(
        &finance,
        pay_startup,
        &[("csrf", &token4), ("paid_on", &today.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        confirm.contains("中国银行南通分行 · 6217000012345678"),
        "{confirm}"
    );
    let (_, listed, _) = get(
        &finance,
        format!("{}/officer/payments?program={startup}", c.base),
    )
    .await;
    assert!(listed.contains("****5678") && !listed.contains("6217000012345678"));
    let (_, paid, _) = get(&finance, format!("{}/officer/payments?state=paid", c.base)).await;
    assert!(paid.contains("已拨付") && paid.contains(&reference));
    // The finance office's CSV: BOM, words, every payment.
    let r = finance
        .get(format!("{}/officer/payments.csv", c.base))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("申请编号") && csv.contains("已拨付") && csv.contains("待拨付"));
    assert_eq!(csv.lines().count(), 1 + 10);
    assert!(csv.contains(",1250000,") && !csv.contains("jinying_startup"));
    assert!(csv.contains("中国银行南通分行,****5678") && !csv.contains("6217000012345678"));
    // Every view and export of the schedule (it names payees) is in the access log.
    let (seen_by_finance, _) = c
        .store
        .access_log(
            &talent_subsidy::store::AccessFilter {
                officer: Some("qian".into()),
                ..Default::default()
            },
            100,
            false,
        )
        .await
        .unwrap();
    use talent_subsidy::store::Access;
    assert!(
        seen_by_finance
            .iter()
            .any(|e| e.action == Access::PaymentsExport && e.detail.items == Some(10))
    );
    assert!(
        seen_by_finance
            .iter()
            .filter(|e| e.action == Access::Payments && e.detail.items.is_some())
            .count()
            >= 4
    );
    // The audit log holds every check, decision and payment, with who; the timeline every step.
    let (_, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("已拨付 ¥"));
    for said in ["初审完成，提交复审", "复审同意", "审批同意", "列入公示"] {
        assert!(page.contains(said), "{said}");
    }
    // Scripts read the same through the officers' API.
    let v: Value = officer
        .get(format!("{}/api/v1/applications/{reference}", c.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["application"]["status"], "closed");
    assert_eq!(v["decisions"].as_array().unwrap().len(), 5);
    assert_eq!(v["payments"].as_array().unwrap().len(), 10);
    let startup = v["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["program"] == "jinying_startup")
        .unwrap();
    assert_eq!(startup["amount"], "2500000");
    assert_eq!(startup["assessed"], "3000000");
    // Checks alone and five decisions by the first reviewer; the payment by finance.
    assert_eq!(
        page.matches("<td>sun</td>").count(),
        6 + 2,
        "and the trigger, the agreement"
    );
    assert_eq!(
        page.matches("<td>qian</td>").count(),
        2,
        "paid, reversed, paid again"
    );
    assert_eq!(page.matches("<td>zhao</td>").count(), 1);
    assert!(page.contains("拨付登记冲正"));
    // A leader reopens it, with a reason: back to 复审 in a new round; what was paid stays,
    // and nothing more is paid until the decision is in force again.
    let (version, _) = version_of(c, &leader, &reference).await;
    let (status, _, _) =
        post_pairs(&leader, &step_url, &step("reopen", "", &version, &token3)).await;
    assert_eq!(status, 422, "a reason is needed");
    let (status, _, _) = post_pairs(
        &leader,
        &step_url,
        &step("reopen", "收到举报，重新核实", &version, &token3),
    )
    .await;
    assert_eq!(status, 303);
    let app = c.store.application(&reference).await.unwrap().unwrap();
    assert_eq!(
        app.summary.step,
        talent_subsidy::store::CaseStep::SecondReview
    );
    assert_eq!(app.summary.review_round, 2);
    let (_, paid, _) = get(&finance, format!("{}/officer/payments?state=paid", c.base)).await;
    assert!(paid.contains(&reference), "the payment made stands");
    let (_, open, _) = get(
        &finance,
        format!("{}/officer/payments?state=to_pay", c.base),
    )
    .await;
    assert_eq!(open.matches("action=\"/officer/payments/").count(), 0);
    // The month's report per step counts this case leaving 受理, 初审, 复审, 审批 and 公示.
    // (公示 ended the day after its last day, which may be next month.)
    let month = &today.to_string()[..7];
    for (step, on) in [
        ("待受理", today),
        ("初审", today),
        ("复审", today),
        ("审批", today),
        ("公示中", after),
    ] {
        let in_month = &on.to_string()[..7];
        let (status, report, _) = get(
            &leader,
            format!("{}/officer/reports?month={in_month}", c.base),
        )
        .await;
        assert_eq!(status, 200);
        let row = format!("<tr><td>{step}</td><td class=\"num\">");
        let at = report
            .find(&row)
            .unwrap_or_else(|| panic!("{step}: {report}"));
        let done: String = report[at + row.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(done.parse::<u32>().unwrap() >= 1, "{step} done");
    }
    let (status, _, _) = get(&leader, format!("{}/officer/reports?month=2026-13", c.base)).await;
    assert_eq!(status, 400);
    let (status, csv, _) = get(
        &leader,
        format!("{}/officer/reports.csv?month={month}", c.base),
    )
    .await;
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}') && csv.contains("用时中位数") && csv.lines().count() == 6);
}

async fn of_program_decisions_made_at_once_one_is_recorded(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let officer = signed_in(c, "li", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let (seen, _) = version_of(c, &officer, &reference).await;
    let tries = (0..12).map(|i| {
        let (officer, token, seen, reference) = (
            officer.clone(),
            token.clone(),
            seen.clone(),
            reference.clone(),
        );
        let url = format!(
            "{}/officer/applications/{reference}/programs/{}",
            c.base,
            if i % 2 == 0 {
                "jinying_startup"
            } else {
                "rent_subsidy"
            }
        );
        async move {
            let form = if i % 3 == 0 {
                vec![
                    ("csrf", token),
                    ("seen_version", seen),
                    ("decision", "refuse".into()),
                    ("reason", "重复申请".into()),
                ]
            } else {
                vec![
                    ("csrf", token),
                    ("seen_version", seen),
                    ("decision", "approve".into()),
                    ("amount", "1000".into()),
                    ("reason", "核减".into()),
                ]
            };
            officer
                .post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 409),
        "{statuses:?}"
    );
    let (_, page) = version_of(c, &officer, &reference).await;
    assert_eq!(page.matches("class=\"badge decided\"").count(), 1);
}

async fn deciding_everything_at_once_is_only_for_an_undecided_application(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let officer = signed_in(c, "wu", Role::Reviewer).await;
    let token = csrf(c, &officer).await;
    let (seen, page) = version_of(c, &officer, &reference).await;
    assert!(page.contains("name=\"decision\" value=\"approved\""));
    let (status, _) = review(
        c,
        &officer,
        &token,
        &reference,
        "rent_subsidy",
        &[("decision", "refuse"), ("reason", "已享受人才公寓")],
    )
    .await;
    assert_eq!(status, 303);
    let (seen_after, page) = version_of(c, &officer, &reference).await;
    assert_ne!(seen, seen_after);
    assert!(
        page.contains("待审核"),
        "a refusal alone leaves it awaiting review"
    );
    assert!(!page.contains("name=\"decision\" value=\"approved\""));
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen_after),
            ("decision", "approved"),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, _) = post_form(
        &officer,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", &token),
            ("seen_version", &seen_after),
            ("decision", "more_info"),
            ("note", "请补充房产证明"),
        ],
    )
    .await;
    assert_eq!(status, 303);
}

crate::on_both_databases!(casework_console => deciding_everything_at_once_is_only_for_an_undecided_application:
    deciding_everything_at_once_is_only_for_an_undecided_application_on_sqlite,
    deciding_everything_at_once_is_only_for_an_undecided_application_on_postgresql);
crate::on_both_databases!(casework_console => files_are_recognised_by_content_and_given_only_to_their_owner:
    files_are_recognised_by_content_and_given_only_to_their_owner_on_sqlite,
    files_are_recognised_by_content_and_given_only_to_their_owner_on_postgresql);
crate::on_both_databases!(casework_console => only_pdf_jpeg_and_png_are_accepted_and_within_the_limits:
    only_pdf_jpeg_and_png_are_accepted_and_within_the_limits_on_sqlite,
    only_pdf_jpeg_and_png_are_accepted_and_within_the_limits_on_postgresql);
crate::on_both_databases!(casework_console => supplement_round_trip: a_supplement_round_trip_on_sqlite, a_supplement_round_trip_on_postgresql);
crate::on_both_databases!(casework_console => program_by_program_with_a_partial_approval_and_payments:
    program_by_program_with_a_partial_approval_and_payments_on_sqlite,
    program_by_program_with_a_partial_approval_and_payments_on_postgresql);
crate::on_both_databases!(casework_console => four_eyes_and_one_winner_hold_in_the_database:
    four_eyes_and_one_winner_hold_in_the_database_on_sqlite, four_eyes_and_one_winner_hold_in_the_database_on_postgresql);
crate::on_both_databases!(casework_console => a_notice_ends_once_across_two_instances:
    a_notice_ends_once_across_two_instances_on_sqlite, a_notice_ends_once_across_two_instances_on_postgresql);
crate::on_both_databases!(casework_console => an_upheld_objection_returns_the_case_and_a_second_notice_passes:
    an_upheld_objection_returns_the_case_on_sqlite, an_upheld_objection_returns_the_case_on_postgresql);
crate::on_both_databases!(casework_console => one_of_two_takes_a_case_and_queues_follow_the_handler:
    one_of_two_takes_a_case_on_sqlite, one_of_two_takes_a_case_on_postgresql);
crate::on_both_databases!(casework_console => every_step_sends_one_message_per_channel:
    every_step_sends_one_message_per_channel_on_sqlite, every_step_sends_one_message_per_channel_on_postgresql);
crate::on_both_databases!(casework_console => a_failing_receiver_gets_the_message_once_after_retries:
    a_failing_receiver_gets_the_message_once_on_sqlite, a_failing_receiver_gets_the_message_once_on_postgresql);
crate::on_both_databases!(casework_console => two_instances_send_each_message_once:
    two_instances_send_each_message_once_on_sqlite, two_instances_send_each_message_once_on_postgresql);
crate::on_both_databases!(casework_console => letters_follow_the_steps:
    letters_follow_the_steps_on_sqlite, letters_follow_the_steps_on_postgresql);
crate::on_both_databases!(casework_console => letter_numbers_have_no_gaps_across_two_instances:
    letter_numbers_have_no_gaps_on_sqlite, letter_numbers_have_no_gaps_on_postgresql);
crate::on_both_databases!(casework_console => of_program_decisions_made_at_once_one_is_recorded:
    of_program_decisions_made_at_once_one_is_recorded_on_sqlite,
    of_program_decisions_made_at_once_one_is_recorded_on_postgresql);

/// A SQLite database made before casework (migrations 0001 and 0002 only), with an
/// application, its programs and its audit log, upgrades in place: the rows are all there,
/// foreign keys still hold, and the new statuses can be written.
#[actix_web::test]
async fn a_database_from_before_casework_upgrades_with_its_applications() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for f in ["0001_officer_console.sql", "0002_security.sql"] {
        std::fs::copy(format!("migrations/sqlite/{f}"), old.join(f)).unwrap();
    }
    let db = dir.path().join("old.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .unwrap()
            .run(&mut conn)
            .await
            .unwrap();
        let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
        let new = talent_subsidy::service::prepare_application(
            &policy,
            EXAMPLE.as_bytes(),
            None,
            "",
            &[],
        )
        .unwrap()
        .application;
        sqlx::query(
            "INSERT INTO applications (reference, status_token, submitted_at, submitted_on, \
             applicant_name, id_number, tier, total, policy_version, application_date, profile, \
             result, status, note, updated_at, version) VALUES ('SXT-2026-000001', $1, \
             '2026-03-01T10:00:00.000000+08:00', '2026-03-01', '张三', '32068219880315001X', 'C', \
             $2, '2026', '2026-03-01', $3, $4, 'more_info', '请补充', \
             '2026-03-02T10:00:00.000000+08:00', 1)",
        )
        .bind("a".repeat(64))
        .bind(new.total.to_string())
        .bind(&new.profile)
        .bind(&new.result)
        .execute(&mut conn)
        .await
        .unwrap();
        for p in &new.programs {
            sqlx::query(
                "INSERT INTO application_programs (application_id, program, status, amount) \
                 VALUES (1, $1, $2, $3)",
            )
            .bind(&p.program)
            .bind(&p.status)
            .bind(p.amount.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO audit_log (application_id, at, actor, from_status, to_status, note) \
             VALUES (1, '2026-03-01T10:00:00.000000+08:00', 'applicant', NULL, 'submitted', ''), \
             (1, '2026-03-02T10:00:00.000000+08:00', 'zhou', 'submitted', 'more_info', '请补充')",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let c = casework_console(db.to_str().unwrap()).await;
    let app = c
        .store
        .application("SXT-2026-000001")
        .await
        .unwrap()
        .expect("the application survived the upgrade");
    assert_eq!(app.summary.note, "请补充");
    assert_eq!(app.summary.version, 1);
    assert!(app.summary.missing_materials.is_empty());
    assert_eq!(c.store.audit_log(app.summary.id).await.unwrap().len(), 2);
    assert_eq!(
        c.store
            .programs_under_review(app.summary.id)
            .await
            .unwrap()
            .len(),
        5
    );
    // Foreign keys are on again: a row pointing at no application is refused.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(
        sqlx::query(
            "INSERT INTO audit_log (application_id, at, actor, to_status, note) \
             VALUES (99, 'x', 'x', 'submitted', '')"
        )
        .execute(&mut conn)
        .await
        .is_err()
    );
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE name = 'applications_new'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(tables.is_empty());
    let schema: String = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applications'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        schema.contains("'partial'")
            && schema.contains("'closed'")
            && schema.contains("'withdrawn'"),
        "{schema}"
    );
    // The rows written before encryption are sealed now: neither the name nor the ID number
    // is left in plain text, yet both read back and the ID number is found by its hash.
    let (name, number): (String, String) =
        sqlx::query_as("SELECT applicant_name, id_number FROM applications")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(name.starts_with("enc1:") && number.starts_with("enc1:"));
    drop(conn);
    assert_eq!(app.summary.applicant_name, "张三");
    assert_eq!(app.summary.id_number, "32068219880315001X");
    let filter = talent_subsidy::store::ListFilter {
        search: Some("32068219880315001x".into()),
        ..Default::default()
    };
    assert_eq!(c.store.list(&filter, 1, 10).await.unwrap().1, 1);
    assert!(dir.path().join("old.db.key").exists());
    // Program decisions work on the upgraded rows.
    let officer = signed_in(&c, "zhou", Role::Reviewer).await;
    let token = csrf(&c, &officer).await;
    let (status, _) = review(
        &c,
        &officer,
        &token,
        "SXT-2026-000001",
        "rent_subsidy",
        &[("decision", "approve"), ("amount", "72000")],
    )
    .await;
    assert_eq!(status, 303);
    let app = c
        .store
        .application("SXT-2026-000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.summary.status.id(),
        "more_info",
        "still waiting for what was asked"
    );
    // Opened again, nothing is rebuilt twice.
    c.shut_down().await;
    let again = casework_console(db.to_str().unwrap()).await;
    assert_eq!(again.store.count_applications().await.unwrap(), 1);
}
