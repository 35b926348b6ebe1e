//! Black-box tests of the pages: the form in both languages, a valid and an invalid submit,
//! hostile bodies, the policy browser, hints on a near miss, the assets.

use crate::common;

use common::TestApp;

fn spawn_app() -> TestApp {
    TestApp::with_policy()
}

/// A startup founder's answers, as the form sends them.
fn founder() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lang", "zh"),
        ("application_date", "2026-03-01"),
        ("person.full_name", "张三"),
        ("person.id_type", "resident_id"),
        ("person.id_number", "32068219880315001X"),
        ("person.birth_date", "1988-03-15"),
        ("person.highest_degree", "doctorate"),
        ("person.institution_tier", "double_first_class"),
        ("person.institution_name", "南京大学"),
        ("person.graduation_date", "2015-06-30"),
        ("person.professional_title", "none"),
        ("person.honors", "provincial_talent_program"),
        ("has_startup", "1"),
        ("startup.company_in_park", "true"),
        ("startup.industry", "new_materials"),
        ("startup.registration_date", "2024-05-20"),
        ("startup.paid_in_capital", "200万"),
        ("startup.founder_equity_pct", "51%"),
        ("startup.founder_cash_investment", "800,000"),
        ("startup.owns_core_ip", "true"),
        ("startup.office_area_sqm", "150"),
    ]
}

fn with(
    mut pairs: Vec<(&'static str, &'static str)>,
    key: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    pairs.retain(|(k, _)| *k != key);
    pairs.push((key, value));
    pairs
}

/// The text of the element with `data-program="id"`.
fn amount<'a>(html: &'a str, program: &str) -> &'a str {
    let marker = format!("data-program=\"{program}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no amount for {program}"))
        + marker.len();
    &html[start..start + html[start..].find('<').unwrap()]
}

#[actix_web::test]
async fn the_form_is_chinese_by_default_with_a_label_for_every_input() {
    let app = spawn_app();
    let (status, html, headers) = app.get("/form", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    for section in [
        "基本信息",
        "学历与职称",
        "就业",
        "创业",
        "住房",
        "已享受的政策",
    ] {
        assert!(html.contains(section), "section {section}");
    }
    assert!(
        html.contains("120万"),
        "the money help says 120万 is accepted"
    );
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "no inline script or style"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from another origin"
    );
    // Every text input and select has a <label for> naming its id.
    for chunk in html
        .split("<input id=\"")
        .skip(1)
        .chain(html.split("<select id=\"").skip(1))
    {
        let id = &chunk[..chunk.find('"').unwrap()];
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "no label for {id}"
        );
    }
    // The alliance's institutions, from the policy's own rule, are offered as one types.
    assert!(
        html.contains("list=\"f-person-institution_name-list\"")
            && html.contains("<option value=\"南通大学\">")
    );
    // The language switch posts what was typed (to the form again, in the other language).
    assert!(html.contains("form=\"form\"") && html.contains("formaction=\"/edit?lang=en\""));
    // Optional sections start closed, behind a <details>.
    assert!(html.contains("<details class=\"section optional\" id=\"s-startup\">"));
}

#[actix_web::test]
async fn english_on_request_and_remembered_in_a_cookie() {
    let app = spawn_app();
    let (_, html, headers) = app.get("/form?lang=en", None).await;
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("Basic information")
            && html.contains("Full name")
    );
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    let (_, html, _) = app.get("/form", Some("lang=en")).await;
    assert!(html.contains("Check your talent subsidies"));
    assert!(html.contains(">中文<"), "a visible switch back");
}

#[actix_web::test]
async fn a_founder_sees_amounts_conditions_installments_and_the_disclaimer() {
    let app = spawn_app();
    let (status, html) = app.post_form("/assess", &founder()).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(amount(&html, "jinying_startup"), "¥3,000,000");
    assert!(html.contains("300万元"));
    assert_eq!(amount(&html, "jinying_office"), "¥162,000");
    assert!(
        html.contains("¥3,162,000") && html.contains("316.2万元"),
        "total"
    );
    assert!(
        html.contains("C · 省级领军人才") && html.contains("省级人才计划入选者"),
        "tier and its row"
    );
    assert!(html.contains("估算结果，以园区正式审核为准"));
    assert!(
        html.contains("签订资助协议后拨付（50%）：¥1,500,000"),
        "installments with their triggers"
    );
    // What to prepare, from the conditions that decided it: each material once, with the
    // programs that need it.
    let checklist = &html[html.find("id=\"h-materials\"").expect("a checklist")..];
    let checklist = &checklist[..checklist.find("</section>").unwrap()];
    assert_eq!(checklist.matches("<strong>营业执照</strong>").count(), 1);
    assert!(
        checklist.contains("用于：金英计划·创业类项目资助、金英计划·创业场地租金补贴"),
        "{checklist}"
    );
    assert!(checklist.contains("租赁合同及付款凭证") && !checklist.contains("劳动合同"));
    // Each amount shows its arithmetic, from the evaluation itself.
    assert!(
        html.contains("¥2,500,000 × 1.2 = ¥3,000,000，不超过上限 ¥5,000,000"),
        "the startup funding's arithmetic"
    );
    assert!(
        html.contains("150 平方米 × 30 × 36 = ¥162,000"),
        "the office's"
    );
    assert!(
        html.contains("不低于 30") && html.contains("《“金英计划”实施办法》第五条"),
        "requirement and citation in words"
    );
    for code in ["≥", "∈", "tier in", "jinying 第", "conditions_met"] {
        assert!(!html.contains(code), "{code} shown to people");
    }
    assert!(html.contains(">不适用<") && html.contains(">不符合<") && html.contains(">符合<"));
    assert!(
        html.contains("action=\"/edit\""),
        "a way back to the filled form"
    );
    // The way back keeps every answer.
    let hidden: Vec<(String, String)> = html
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|c| {
            let name = &c[..c.find('"').unwrap()];
            let v = &c[c.find("value=\"").unwrap() + 7..];
            (name.to_string(), v[..v.find('"').unwrap()].to_string())
        })
        .filter(|(k, _)| k != "lang")
        .collect();
    let back: Vec<(&str, &str)> = hidden
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, form) = app.post_form("/edit", &back).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"200万\"") && form.contains("value=\"张三\""),
        "answers kept"
    );
    assert!(form.contains("<details class=\"section optional\" id=\"s-startup\" open>"));
}

#[actix_web::test]
async fn invalid_answers_come_back_with_errors_at_their_fields_in_the_page_language() {
    let app = spawn_app();
    let bad = with(
        with(founder(), "person.id_number", "320682198803150011"),
        "startup.founder_cash_investment",
        "900万",
    );
    let (status, html) = app.post_form("/assess", &bad).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("value=\"320682198803150011\"") && html.contains("value=\"900万\""),
        "values kept"
    );
    assert!(html.contains("id=\"f-person-id_number-error\""));
    assert!(html.contains("aria-describedby=\"f-person-id_number-help f-person-id_number-error\" aria-invalid=\"true\""));
    assert!(html.contains("身份证号校验位不正确"));
    assert!(
        html.contains("href=\"#f-person-id_number\"")
            && html.contains("href=\"#f-startup-founder_cash_investment\""),
        "summary links"
    );
    let en = with(bad, "lang", "en");
    let (_, html) = app.post_form("/assess", &en).await;
    assert!(
        html.contains("the ID number&#39;s check digit is wrong")
            || html.contains("the ID number's check digit is wrong"),
        "English message"
    );
}

#[actix_web::test]
async fn a_near_miss_shows_the_smallest_change_and_what_it_would_pay() {
    let app = spawn_app();
    let near = with(founder(), "startup.founder_equity_pct", "25");
    let (_, html) = app.post_form("/assess", &near).await;
    assert!(
        html.contains("本人持股比例由 25% 提高到 30%，合计增加 ¥3,162,000：金英计划·创业类项目资助 ¥3,000,000、金英计划·创业场地租金补贴 ¥162,000"),
        "{}",
        &html[html.find("hint").unwrap_or(0)..][..300.min(html.len())]
    );
    let (_, html) = app.post_form("/assess", &with(near, "lang", "en")).await;
    assert!(
        html.contains("Raise your equity share from 25% to 30%: your total rises by ¥3,162,000"),
        "{}",
        &html[html.find("hint").unwrap_or(0)..][..300.min(html.len())]
    );
}

#[actix_web::test]
async fn no_body_however_malformed_gives_a_server_error() {
    let app = spawn_app();
    let long = "x".repeat(60_000);
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"%%%&&&===".to_vec(),
        vec![0xff, 0x00, 0xfe, 0x80],
        b"person.full_name=a&person.full_name=b&person.honors=nobody&prior_awards=x".to_vec(),
        format!("person.full_name={long}").into_bytes(),
        b"application_date=not-a-date&person.birth_date=2099-99-99&startup.paid_in_capital=%E4%B8%87".to_vec(),
        b"has_startup=1&has_housing=1&has_home_purchase=1&has_employment=1".to_vec(),
        vec![b'a'; 70 * 1024],
    ];
    for body in bodies {
        for path in ["/assess", "/edit"] {
            let (status, _) = app.post_raw(path, body.clone()).await;
            assert!(
                status < 500,
                "{path} with {:?}… gave {status}",
                &body[..body.len().min(40)]
            );
        }
    }
}

#[actix_web::test]
async fn the_policy_browser_lists_programs_and_explains_one() {
    let app = spawn_app();
    let (status, html, _) = app.get("/policies?as_of=2026-03-01", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/policies/jinying_startup?as_of=2026-03-01\""));
    assert!(html.contains("金英计划·创业类项目资助") && html.contains("顶尖人才"));
    // The parameters by name, with their units.
    let params = html.split("id=\"parameters\"").nth(1).unwrap();
    let params = params.split("</table>").next().unwrap();
    assert!(
        params.contains("<td>创业类项目资助额度（C类）</td><td class=\"num\">2,500,000 元</td>"),
        "{params}"
    );
    assert!(
        params.contains("<td>主导产业上浮</td><td class=\"num\">1.2 倍</td>"),
        "{params}"
    );
    assert!(!params.contains("startup_amount"), "{params}");
    let (_, en, _) = app.get("/policies?as_of=2025-06-01&lang=en", None).await;
    assert!(
        en.contains("Startup funding by tier (tier C)</td><td class=\"num\">2,000,000 yuan"),
        "{en}"
    );
    let (status, html, _) = app
        .get("/policies/jinying_startup?as_of=2025-06-01&lang=en", None)
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Golden Talent Plan: startup project funding"));
    // Words, not rule code: no expression, parameter id or document id.
    for code in [
        "founder_equity_pct",
        "&gt;=",
        "startup_amount[C]",
        "jinying 第",
    ] {
        assert!(!html.contains(code), "{code} shown to people");
    }
    assert!(html.contains("The talent holds at least 30% of the company"));
    assert!(
        html.contains("C 2,000,000 (2,500,000 from 2026)"),
        "the amounts in words"
    );
    assert!(
        html.contains("Golden Talent Plan: Implementing Measures, Article 6"),
        "the citation in words"
    );
    let (_, zh, _) = app
        .get("/policies/jinying_startup?as_of=2025-06-01", None)
        .await;
    assert!(zh.contains("《“金英计划”实施办法》第六条"), "{zh}");
    let (status, _, _) = app.get("/policies/nonexistent", None).await;
    assert_eq!(status, 404);
    let (status, html, _) = app.get("/policies?as_of=2020-01-01", None).await;
    assert_eq!(status, 404);
    assert!(html.contains("没有有效的政策版本"));
}

#[actix_web::test]
async fn assets_are_served_by_the_app() {
    let app = spawn_app();
    let (status, css, headers) = app.get("/static/app.css", None).await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.contains("@media print"));
    let (status, js, _) = app.get("/static/app.js", None).await;
    assert_eq!(status, 200);
    assert!(js.contains("error-summary"));
    let (status, _, _) = app.get("/static/../Cargo.toml", None).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn the_result_page_says_it_is_an_estimate_once() {
    let app = spawn_app();
    let (status, html) = app.post_form("/assess", &founder()).await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("估算结果，以园区正式审核为准").count(),
        1,
        "{html}"
    );
    // Other pages carry it in the footer.
    let (_, form, _) = app.get("/form", None).await;
    assert_eq!(form.matches("估算结果，以园区正式审核为准").count(), 1);
}

#[actix_web::test]
async fn a_blank_answer_on_the_full_form_reads_need_more_information_not_not_eligible() {
    let app = spawn_app();
    let graduate: Vec<(&str, &str)> = vec![
        ("application_date", "2026-03-01"),
        ("person.full_name", "王五"),
        ("person.id_type", "passport"),
        ("person.id_number", "E12345678"),
        ("person.birth_date", "1998-05-01"),
        ("person.highest_degree", "master"),
        ("person.institution_tier", "other"),
        ("person.institution_name", "南通大学"),
        ("person.graduation_date", "2024-06-30"),
        ("has_employment", "1"),
        ("employment.employer_in_park", "true"),
        ("employment.full_time", "true"),
        ("employment.industry", "new_materials"),
        ("employment.start_date", "2024-08-01"),
        ("employment.contract_years", "3"),
        ("employment.annual_salary", "180000"),
        // social_insurance_months_in_park left blank
    ];
    let (status, html) = app.post_form("/assess", &graduate).await;
    assert_eq!(status, 200, "{html}");
    let card = &html[html.find("id=\"p-housing_allowance\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("信息不足"), "{card}");
    assert!(!card.contains(">不符合<"), "{card}");
    assert!(
        card.contains("在园区缴纳社保"),
        "says what is missing: {card}"
    );
    // The answer first: the total and what makes it up, before any program card.
    let total = html.find("id=\"total\"").unwrap();
    assert!(total < html.find("class=\"card").unwrap());
    assert!(html.contains("政校企合作联盟·毕业生留园奖励"));
}

#[actix_web::test]
async fn a_message_page_speaks_one_language_with_the_switch() {
    let app = spawn_app();
    let (status, zh, _) = app.get("/no/such/page", None).await;
    assert_eq!(status, 404);
    assert!(
        zh.contains("没有这个页面") && !zh.contains("There is no such page"),
        "{zh}"
    );
    assert!(zh.contains("href=\"?lang=en\""), "a switch to English");
    let (status, en, _) = app.get("/no/such/page", Some("lang=en")).await;
    assert_eq!(status, 404);
    assert!(
        en.contains("There is no such page") && !en.contains("没有这个页面"),
        "{en}"
    );
    assert!(en.contains("<html lang=\"en\">"));
    // A refused method keeps its Allow header through the rewrite.
    let r = app
        .client
        .delete(format!("{}/policies", app.base))
        .header("Cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers().get("allow").unwrap(), "GET");
    let body = r.text().await.unwrap();
    assert!(
        body.contains("is not allowed here") && !body.contains("此地址"),
        "{body}"
    );
}

#[actix_web::test]
async fn an_english_result_has_no_chinese_punctuation_or_wan() {
    let app = spawn_app();
    let (status, html) = app
        .post_form("/assess", &with(founder(), "lang", "en"))
        .await;
    assert_eq!(status, 200);
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    // The names the policy gives programs and documents are Chinese in both languages where
    // they are proper names (《…》 does not occur in English); the page's own words are not.
    for mark in ["：", "（", "）", "，", "万元"] {
        assert!(!main.contains(mark), "{mark} in the English result");
    }
}

/// Every page names its icon and says what the site is for (no 404 for /favicon.ico, a
/// description for search results and shared links).
#[actix_web::test]
async fn every_page_has_an_icon_and_a_description() {
    let app = spawn_app();
    let (status, html, _) = app.get("/", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""));
    assert!(html.contains("<meta name=\"description\" content=\"苏锡通科技产业园区人才政策资金"));
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let (status, body, headers) = app.get(path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers["content-type"], "image/svg+xml", "{path}");
        assert!(body.starts_with("<svg"), "{path}");
    }
}
