//! The guided interview, as an applicant goes through it: the app on port 0, a real HTTP
//! client posting each page's answers (hidden and new) as a browser would.

use crate::common;

use std::collections::HashMap;

use common::TestApp as App;

fn app() -> App {
    App::with_policy()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The values of an attribute on every tag matching `prefix` (`<input type="hidden" name="`).
fn hidden(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|chunk| {
            let (name, rest) = chunk.split_once('"')?;
            let value = rest.strip_prefix(" value=\"")?.split('"').next()?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

/// The toggle a section's answer is sent under.
fn toggle_of(section: &str) -> &str {
    match section {
        "employment" => "has_employment",
        "startup" => "has_startup",
        "housing" => "has_housing",
        "housing.home_purchase" => "has_home_purchase",
        other => other,
    }
}

/// The questions a page shows, by the name its answer is sent under.
fn shown(html: &str) -> Vec<String> {
    hidden(html)
        .into_iter()
        .filter(|(k, _)| k == "shown")
        .map(|(_, v)| toggle_of(&v).to_string())
        .collect()
}

impl App {
    /// Answers every question asked from `answers` ("unsure" when not there) until the
    /// result. Returns the result page, the number of answers given and the pages seen.
    async fn walk(&self, answers: &HashMap<&str, Vec<&str>>) -> (String, usize, Vec<String>) {
        let (status, mut page) = self.page("/").await;
        assert_eq!(status, 200);
        let mut given = 0;
        let mut pages = Vec::new();
        while page.contains("id=\"iv\"") {
            pages.push(page.clone());
            assert!(pages.len() < 20, "the interview does not end");
            let offered: Vec<String> = hidden(&page)
                .into_iter()
                .filter(|(k, _)| k == "offered")
                .map(|(_, v)| v)
                .collect();
            let mut pairs: Vec<(String, String)> = hidden(&page)
                .into_iter()
                .filter(|(k, _)| k != "shown")
                .collect();
            for name in shown(&page) {
                given += 1;
                if name == "sections" {
                    // "Which of these describe you": tick the sections that apply.
                    let toggle = |s: &str| answers.get(toggle_of(s)).map(|v| v[0]);
                    if offered.iter().all(|s| toggle(s).is_none()) {
                        pairs.push(("unsure".into(), name.clone()));
                        continue;
                    }
                    let ticked: Vec<&String> =
                        offered.iter().filter(|s| toggle(s) == Some("1")).collect();
                    if ticked.is_empty() {
                        pairs.push(("none_of".into(), name.clone()));
                    }
                    pairs.extend(ticked.into_iter().map(|s| (name.clone(), s.clone())));
                    continue;
                }
                match answers.get(name.as_str()) {
                    Some(values) if name == "person.honors" || name == "prior_awards" => {
                        if values.is_empty() {
                            pairs.push(("none_of".into(), name.clone()));
                        }
                        pairs.extend(values.iter().map(|v| (name.clone(), v.to_string())));
                    }
                    Some(values) => pairs.push((name.clone(), values[0].to_string())),
                    None => pairs.push((name.clone(), "unsure".into())),
                }
            }
            let (status, next) = self.post_form("/interview", &pairs).await;
            assert_eq!(status, 200, "{next}");
            page = next;
        }
        (page, given, pages)
    }
}

/// A master's graduate of 南通大学 working in the park, renting (the first person).
fn graduate() -> HashMap<&'static str, Vec<&'static str>> {
    [
        ("person.birth_date", vec!["1998-05-01"]),
        ("person.highest_degree", vec!["master"]),
        ("person.professional_title", vec!["none"]),
        ("person.honors", vec![]),
        ("person.institution_name", vec!["南通大学"]),
        ("person.institution_tier", vec!["other"]),
        ("person.graduation_date", vec!["2024/6/30"]),
        ("person.overseas_work_years", vec!["0"]),
        ("has_employment", vec!["1"]),
        ("employment.employer_in_park", vec!["true"]),
        ("employment.full_time", vec!["true"]),
        ("employment.industry", vec!["new_materials"]),
        ("employment.start_date", vec!["2024年8月1日"]),
        ("employment.contract_years", vec!["3"]),
        ("employment.annual_salary", vec!["18万"]),
        ("employment.social_insurance_months_in_park", vec!["27"]),
        ("has_startup", vec!["0"]),
        ("has_housing", vec!["1"]),
        ("housing.owns_home_in_city", vec!["false"]),
        ("housing.lives_in_talent_apartment", vec!["false"]),
        ("has_home_purchase", vec!["0"]),
        ("prior_awards", vec![]),
    ]
    .into_iter()
    .collect()
}

#[actix_web::test]
async fn the_interview_starts_with_what_decides_the_most_and_never_asks_for_identity() {
    let app = app();
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("¥0 – ¥10,000,000"), "the running range");
    // First, one question settles which parts of the policy concern the person.
    assert_eq!(shown(&html), ["sections"]);
    assert!(html.contains("以下哪些符合您的情况"), "{html}");
    for (choice, words) in [
        ("employment", "在园区企业工作"),
        ("startup", "在园区创办了企业"),
        ("housing", "想了解住房补贴"),
        ("housing.home_purchase", "已在园区购买住房"),
    ] {
        assert!(
            html.contains(&format!("name=\"sections\" value=\"{choice}\"")),
            "{choice}"
        );
        assert!(html.contains(words), "{words}");
    }
    assert!(html.contains("name=\"none_of\" value=\"sections\""));
    // Then the person, what decides the most.
    let mut pairs = hidden(&html);
    pairs.push(("sections".into(), "employment".into()));
    pairs.push(("sections".into(), "startup".into()));
    let (_, html) = app.post_form("/interview", &pairs).await;
    assert!(html.contains("name=\"has_employment\" value=\"1\""));
    assert!(html.contains("name=\"has_startup\" value=\"1\""));
    assert!(html.contains("name=\"has_housing\" value=\"0\""));
    let asked = shown(&html);
    assert!(!asked.is_empty() && asked.len() <= 4, "{asked:?}");
    assert!(
        asked.contains(&"person.highest_degree".to_string()),
        "{asked:?}"
    );
    for never in ["person.full_name", "person.id_number", "person.id_type"] {
        assert!(
            !html.contains(&format!("name=\"{never}\"")),
            "{never} asked"
        );
    }
    assert!(html.contains("不清楚"), "not sure is always allowed");
    // The full form stays one click away.
    assert!(html.contains("formaction=\"/edit\""));
    let (status, form) = app.page("/form").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"person.full_name\""));
}

#[actix_web::test]
async fn a_graduates_interview_narrows_to_the_assessment_with_far_fewer_answers_than_the_form() {
    let app = app();
    let (result, given, pages) = app.walk(&graduate()).await;
    // The range narrows page by page and never widens.
    let ranges: Vec<String> = pages
        .iter()
        .map(|p| {
            let at = p.find("<strong>").unwrap() + "<strong>".len();
            p[at..at + p[at..].find('<').unwrap()].to_string()
        })
        .collect();
    assert_eq!(ranges.first().map(String::as_str), Some("¥0 – ¥10,000,000"));
    let highest = |r: &str| -> i64 {
        r.rsplit('¥')
            .next()
            .unwrap()
            .replace(',', "")
            .trim()
            .parse()
            .unwrap()
    };
    assert!(
        ranges.windows(2).all(|w| highest(&w[1]) <= highest(&w[0])),
        "{ranges:?}"
    );
    // The answer first: the total and what makes it up, with the tier in words.
    assert!(
        result.contains("合计可获 <strong>¥133,200</strong>"),
        "{result}"
    );
    for program in [
        "人才倍增计划·安家补贴",
        "人才倍增计划·租房补贴",
        "政校企合作联盟·毕业生留园奖励",
    ] {
        assert!(result.contains(program), "{program}");
    }
    assert!(result.contains("骨干人才"));
    assert!(!result.contains("信息不足"), "everything decided");
    // The same money as the full form's assessment of the same person.
    let mut form: Vec<(String, String)> = vec![
        ("person.full_name".into(), "王五".into()),
        ("person.id_type".into(), "passport".into()),
        ("person.id_number".into(), "E12345678".into()),
    ];
    for (k, vs) in graduate() {
        if !vs.is_empty() && !["has_startup", "has_home_purchase"].contains(&k) {
            form.push((k.to_string(), vs[0].to_string()));
        }
    }
    let date = hidden(&pages[0])
        .into_iter()
        .find(|(k, _)| k == "application_date")
        .unwrap();
    form.push(date);
    let (status, full) = app.post_form("/assess", &form).await;
    assert_eq!(
        status,
        200,
        "{}",
        &full[full.find("error-summary").unwrap_or(0)..][..800.min(full.len())]
    );
    assert!(full.contains("¥133,200"), "the full form agrees");
    let form_fields = talent_subsidy::input::fields::FIELDS.len();
    assert!(
        given * 2 <= form_fields,
        "{given} answers for {form_fields} fields"
    );
}

#[actix_web::test]
async fn not_sure_gives_need_more_information_never_not_eligible() {
    let app = app();
    let mut answers = graduate();
    answers.remove("employment.social_insurance_months_in_park");
    let (result, _, _) = app.walk(&answers).await;
    assert!(result.contains("信息不足"), "{result}");
    let open = &result[result.find("card open").unwrap()..];
    assert!(open.contains("人才倍增计划·安家补贴"), "{open}");
    assert!(
        open.contains("在园区缴纳社保"),
        "says what is missing: {open}"
    );
    // The programs the unknown answer cannot change are still decided.
    assert!(result.contains("人才倍增计划·租房补贴"));
    assert!(
        result.contains("可能可获") || result.contains("¥53,200 – ¥133,200"),
        "{result}"
    );
}

#[actix_web::test]
async fn switching_language_mid_interview_keeps_every_answer_and_bad_answers_are_named() {
    let app = app();
    let (_, first) = app.page("/").await;
    let mut pairs: Vec<(String, String)> = hidden(&first)
        .into_iter()
        .filter(|(k, _)| k != "shown")
        .collect();
    pairs.push(("person.highest_degree".into(), "master".into()));
    pairs.push(("person.birth_date".into(), "1998/5/1".into()));
    let (status, en) = app.post_form("/interview?lang=en", &pairs).await;
    assert_eq!(status, 200, "{en}");
    assert!(en.contains("<html lang=\"en\">"));
    let kept = hidden(&en);
    assert!(
        kept.contains(&("person.highest_degree".into(), "master".into())),
        "{kept:?}"
    );
    assert!(
        kept.contains(&("person.birth_date".into(), "1998/5/1".into())),
        "{kept:?}"
    );
    assert!(en.contains("You could get"));
    // A date in the future is named as such, on the same page, with the other answers kept.
    let mut bad = pairs.clone();
    bad.retain(|(k, _)| k != "person.birth_date");
    bad.push(("person.birth_date".into(), "2099-01-01".into()));
    bad.retain(|(k, _)| k != "offered");
    bad.extend(
        ["person.birth_date", "person.highest_degree"]
            .map(|s| ("shown".to_string(), s.to_string())),
    );
    let (status, again) = app.post_form("/interview", &bad).await;
    assert_eq!(status, 422);
    assert!(again.contains("在申请日期"), "{again}");
    assert!(!again.contains("0 周岁"));
    assert!(
        again.contains("name=\"person.highest_degree\" value=\"master\" checked"),
        "the answer on the page is kept: {again}"
    );
}

/// A startup founder (the second person): a doctorate with a provincial honour whose
/// company in the park makes new materials.
fn founder() -> HashMap<&'static str, Vec<&'static str>> {
    [
        ("person.birth_date", vec!["1988-03-15"]),
        ("person.highest_degree", vec!["doctorate"]),
        ("person.professional_title", vec!["none"]),
        ("person.honors", vec!["provincial_talent_program"]),
        ("person.institution_name", vec!["南京大学"]),
        ("person.institution_tier", vec!["double_first_class"]),
        ("person.graduation_date", vec!["2015-06-30"]),
        ("person.overseas_work_years", vec!["0"]),
        ("has_employment", vec!["0"]),
        ("has_startup", vec!["1"]),
        ("startup.company_in_park", vec!["true"]),
        ("startup.industry", vec!["new_materials"]),
        ("startup.registration_date", vec!["2025/5/20"]),
        ("startup.paid_in_capital", vec!["200万"]),
        ("startup.founder_equity_pct", vec!["51"]),
        ("startup.founder_cash_investment", vec!["80万"]),
        ("startup.owns_core_ip", vec!["true"]),
        ("startup.planned_rd_investment", vec!["0"]),
        ("startup.office_area_sqm", vec!["150"]),
        ("has_housing", vec!["0"]),
        ("prior_awards", vec![]),
    ]
    .into_iter()
    .collect()
}

#[actix_web::test]
async fn a_founders_interview_ends_with_the_startup_programs_and_the_full_forms_total() {
    let app = app();
    let (result, given, pages) = app.walk(&founder()).await;
    assert!(
        result.contains("合计可获 <strong>¥3,162,000</strong>"),
        "{result}"
    );
    assert!(
        result.contains("金英计划·创业类项目资助") && result.contains("金英计划·创业场地租金补贴")
    );
    assert!(!result.contains("信息不足"));
    let form_fields = talent_subsidy::input::fields::FIELDS.len();
    assert!(
        given * 2 <= form_fields,
        "{given} answers for {form_fields} fields"
    );
    // The full form, with the same answers and a name and ID, gives the same total.
    let date = hidden(&pages[0])
        .into_iter()
        .find(|(k, _)| k == "application_date")
        .unwrap();
    let mut form: Vec<(String, String)> = vec![
        date,
        ("person.full_name".into(), "张三".into()),
        ("person.id_type".into(), "passport".into()),
        ("person.id_number".into(), "E12345678".into()),
    ];
    for (k, vs) in founder() {
        if !["has_employment", "has_housing"].contains(&k) {
            form.extend(vs.iter().map(|v| (k.to_string(), v.to_string())));
        }
    }
    let (status, full) = app.post_form("/assess", &form).await;
    assert_eq!(status, 200);
    assert!(full.contains("¥3,162,000"), "the full form agrees");
}

/// Pressing "现在查看结果" (or switching language) on the first page with nothing answered
/// read the unticked honours as "none of these": the range fell from ¥10,000,000 and 科技新政
/// was marked not available. Whatever the page sends for a group nobody ticked, it is unknown;
/// only "以上都没有" says none.
#[actix_web::test]
async fn an_unticked_group_is_unknown_and_none_of_these_is_said_explicitly() {
    let app = app();
    // "Which of these describe you" with nothing ticked is not "none of these" either.
    let (_, sections) = app.page("/").await;
    let mut stop = hidden(&sections);
    stop.push(("stop".into(), "1".into()));
    let (_, result) = app.post_form("/interview", &stop).await;
    assert!(result.contains("¥10,000,000"), "{result}");
    assert!(!result.contains("不适用"), "{result}");
    let mut pairs = hidden(&sections);
    pairs.push(("sections".into(), "startup".into()));
    let (_, first) = app.post_form("/interview", &pairs).await;
    assert!(
        first.contains("name=\"person.honors\""),
        "the first page asks about honours"
    );
    assert!(first.contains("name=\"none_of\" value=\"person.honors\""));
    assert!(first.contains("以上都没有"));
    // Everything the page itself sends, with nothing ticked: hidden fields only.
    let page_pairs = |page: &str| -> Vec<(String, String)> { hidden(page) };
    let mut stop = page_pairs(&first);
    stop.push(("stop".into(), "1".into()));
    let (status, result) = app.post_form("/interview", &stop).await;
    assert_eq!(status, 200);
    assert!(result.contains("¥10,000,000"), "{result}");
    assert!(!result.contains("✗ 顶尖人才"), "{result}");
    // Switching language keeps the question open.
    let (status, en) = app
        .post_form("/interview?lang=en", &page_pairs(&first))
        .await;
    assert_eq!(status, 200);
    assert!(en.contains("name=\"person.honors\""), "still asked: {en}");
    // "None of these" ticked is an answer: the range narrows, and the page does not ask again.
    let mut none = page_pairs(&first);
    none.push(("none_of".into(), "person.honors".into()));
    none.push(("stop".into(), "1".into()));
    let (_, answered) = app.post_form("/interview", &none).await;
    assert!(!answered.contains("¥10,000,000"), "{answered}");
}

/// "还需要" on each card names only the answers that can still change that program: a
/// graduate who answered the first page (no honours) sees the rent subsidy need the
/// employment and housing answers it reads, not the salary or the university's category that
/// other programs read (before, every open card listed the same sixteen unknowns).
#[actix_web::test]
async fn each_card_names_only_what_can_still_change_it() {
    let app = app();
    let (_, first) = app.page("/").await;
    let mut pairs = hidden(&first);
    for (k, v) in [
        ("person.birth_date", "1998-05-01"),
        ("person.highest_degree", "master"),
        ("person.professional_title", "none"),
        ("none_of", "person.honors"),
        ("stop", "1"),
    ] {
        pairs.push((k.into(), v.into()));
    }
    let (status, result) = app.post_form("/interview", &pairs).await;
    assert_eq!(status, 200, "{result}");
    let needs: Vec<(String, String)> = result
        .split("<article class=\"card open\">")
        .skip(1)
        .filter_map(|card| {
            let name = card.split("<h2>").nth(1)?.split('<').next()?.to_string();
            let needed = card
                .split("还需要（决定能否享受及金额）：")
                .nth(1)?
                .split("</p>")
                .next()?
                .to_string();
            Some((name, needed))
        })
        .collect();
    let rent = needs
        .iter()
        .find(|(n, _)| n.contains("租房补贴"))
        .unwrap_or_else(|| panic!("the rent subsidy is open: {needs:?}"));
    assert!(!rent.1.contains("年薪"), "{rent:?}");
    assert!(!rent.1.contains("毕业院校"), "{rent:?}");
    let distinct: std::collections::HashSet<&String> = needs.iter().map(|(_, n)| n).collect();
    assert!(distinct.len() > 1, "every card the same: {needs:?}");
}

/// One person, one grouping: a program that fails a condition while nobody asked whether its
/// section applies is "不能享受或不适用", not "不能享受" (the full form, with that section left
/// out, says 不适用); once the section is said not to apply, both say 不适用.
#[actix_web::test]
async fn a_program_whose_section_was_not_asked_is_not_called_ineligible() {
    let app = app();
    let (_, first) = app.page("/").await;
    let mut pairs = hidden(&first);
    for (k, v) in [
        ("person.birth_date", "2000-05-01"),
        ("person.highest_degree", "bachelor"),
        ("person.professional_title", "none"),
        ("none_of", "person.honors"),
        ("person.overseas_work_years", "0"),
        ("stop", "1"),
    ] {
        pairs.push((k.into(), v.into()));
    }
    let (status, result) = app.post_form("/interview", &pairs).await;
    assert_eq!(status, 200, "{result}");
    let either = result
        .split("id=\"ineligible-or-na\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no 不能享受或不适用 group: {result}"));
    let either = either.split("</details>").next().unwrap();
    assert!(either.contains("创业类项目资助"), "{either}");
    let plain = result
        .split("不能享受的项目")
        .nth(1)
        .map(|s| s.split("</details>").next().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(
        !plain.contains("创业类项目资助"),
        "called ineligible: {plain}"
    );
    // Said not to apply: 不适用, as the full form says.
    pairs.push(("has_startup".into(), "0".into()));
    let (_, result) = app.post_form("/interview", &pairs).await;
    let na = result.split("不适用：").nth(1).unwrap_or_default();
    assert!(
        na.split("</p>").next().unwrap().contains("创业类项目资助"),
        "{result}"
    );
}

/// A range never stands without a reason: the total's range names the answers that decide it,
/// and a program granted for an amount not yet fixed names what fixes it.
#[actix_web::test]
async fn every_range_says_what_decides_where_in_it_the_person_lands() {
    let app = app();
    let (_, first) = app.page("/").await;
    let mut pairs = hidden(&first);
    pairs.push(("stop".into(), "1".into()));
    let (_, result) = app.post_form("/interview", &pairs).await;
    assert!(result.contains("¥10,000,000"), "{result}");
    let reason = result
        .split("id=\"range-reason\"")
        .nth(1)
        .unwrap_or_else(|| panic!("the total's range has no reason: {result}"));
    let reason = reason.split("</p>").next().unwrap();
    assert!(reason.contains("主要取决于"), "{reason}");
    assert!(reason.matches('、').count() >= 1, "names answers: {reason}");
    let mut ranged = 0;
    for card in result.split("<article class=\"card ").skip(1) {
        let card = card.split("</article>").next().unwrap();
        let amount = card
            .split("<p class=\"amount\">")
            .nth(1)
            .map(|a| a.split("</p>").next().unwrap())
            .unwrap_or_default();
        if amount.contains('–') {
            ranged += 1;
            assert!(
                card.contains("range-reason") || card.contains("还需要（决定能否享受及金额）"),
                "a range without a reason: {card}"
            );
        }
    }
    assert!(ranged > 0, "no card with a range: {result}");
}

/// A label that names its unit does not get it twice ("年薪（元）（元）"), in either language;
/// the result has a print button.
#[actix_web::test]
async fn units_are_said_once_and_the_result_can_be_printed() {
    let app = app();
    let (result, _, pages) = app.walk(&graduate()).await;
    assert!(
        pages.iter().any(|p| p.contains("劳动合同期限（年）")),
        "the contract is asked"
    );
    for page in &pages {
        for twice in ["（年）（年）", "（元）（元）", "（%）（%）", "（月）（月）"]
        {
            assert!(!page.contains(twice), "{twice}");
        }
    }
    assert!(result.contains("id=\"print\""), "a print button");
    let (_, first) = app.page("/?lang=en").await;
    let mut pairs = hidden(&first);
    pairs.push(("has_employment".into(), "1".into()));
    let (_, en) = app.post_form("/interview?lang=en", &pairs).await;
    for twice in ["(years) (years)", "(yuan) (yuan)", "(%) (%)"] {
        assert!(!en.contains(twice), "{twice}");
    }
}

/// The language switch shows the same page in the other language, with what was typed on it,
/// and does not move on — not even when an answer on it is half typed.
#[actix_web::test]
async fn the_language_switch_stays_on_the_same_page() {
    let app = app();
    let (_, first) = app.page("/").await;
    let questions = shown(&first);
    assert!(!questions.is_empty());
    let mut pairs: Vec<(String, String)> = hidden(&first);
    let typed = questions.first().unwrap().clone();
    pairs.push(("switch".into(), "1".into()));
    // A half-typed answer to one of this page's questions.
    pairs.push(("person.birth_date".into(), "1998/5".into()));
    let (status, en) = app.post_form("/interview?lang=en", &pairs).await;
    assert_eq!(status, 200, "{en}");
    assert!(en.contains("<html lang=\"en\">"));
    assert_eq!(
        shown(&en),
        questions,
        "the same questions, not the next page"
    );
    assert!(
        !en.contains("class=\"error"),
        "nothing judged on a switch: {en}"
    );
    assert!(
        en.contains("value=\"1998/5\"")
            || hidden(&en).contains(&("person.birth_date".into(), "1998/5".into())),
        "what was typed is kept ({typed})"
    );
    // Back again: still the same page.
    let mut back = hidden(&en);
    back.push(("switch".into(), "1".into()));
    let (_, zh) = app.post_form("/interview?lang=zh", &back).await;
    assert_eq!(shown(&zh), questions);
}

/// From the interview's result to the submission page without the full form: only what an
/// application still lacks is asked (name and ID, never the answers already given), with no
/// "not sure" for them; a missing one is named at its field; then the result page with the
/// materials, the consent and the submit button. An open program can be applied for too,
/// which asks its own missing answers.
#[actix_web::test]
async fn applying_from_the_interview_asks_only_what_the_application_lacks() {
    let app = app();
    let (result, _, _) = app.walk(&graduate()).await;
    assert!(
        result.contains("formaction=\"/interview/apply\""),
        "{result}"
    );
    let answers: Vec<(String, String)> = hidden(&result);
    let (status, page) = app.post_form("/interview/apply", &answers).await;
    assert_eq!(status, 200, "{page}");
    let asked = shown_names(&page);
    for needed in ["person.full_name", "person.id_type", "person.id_number"] {
        assert!(
            asked.contains(&needed.to_string()),
            "{needed} not asked: {asked:?}"
        );
    }
    for given in [
        "person.highest_degree",
        "employment.annual_salary",
        "person.birth_date",
    ] {
        assert!(
            !asked.contains(&given.to_string()),
            "{given} asked again: {asked:?}"
        );
    }
    assert!(!page.contains("name=\"unsure\" value=\"person.full_name\""));
    assert!(
        !page.contains("id=\"f-person-institution_name\"")
            || asked.contains(&"person.institution_name".to_string())
    );
    assert!(!page.contains("class=\"error"), "no error before Continue");
    // Every program the answers qualify for is offered, ticked: the person may leave one out.
    let offered: Vec<String> = hidden(&page)
        .into_iter()
        .filter(|(k, _)| k == "offered")
        .map(|(_, v)| v)
        .collect();
    assert!(offered.len() >= 2, "{page}");
    for id in &offered {
        assert!(
            page.contains(&format!("name=\"apply_for\" value=\"{id}\" checked")),
            "{id} ticked"
        );
    }
    // Continue without the ID number: named at its field.
    let mut some = hidden(&page);
    // A browser sends the boxes left ticked.
    some.extend(
        shown_values(&page)
            .into_iter()
            .filter(|(k, _)| k == "apply_for"),
    );
    some.push(("person.full_name".into(), "王五".into()));
    some.push(("person.id_type".into(), "passport".into()));
    some.push(("go".into(), "1".into()));
    let (status, again) = app.post_form("/interview/apply", &some).await;
    assert_eq!(status, 422, "{again}");
    assert!(
        again.contains("id=\"error-summary\"") && again.contains("证件号码"),
        "{again}"
    );
    assert!(again.contains("value=\"王五\""), "what was typed is kept");
    // Complete: the submission page (materials, consent, submit), never the full form.
    let mut all = hidden(&again);
    all.push(("person.full_name".into(), "王五".into()));
    all.push(("person.id_type".into(), "passport".into()));
    all.push(("person.id_number".into(), "E12345678".into()));
    // The interview never needed the university's category; an application does, so it is
    // asked here (and only if the interview left it out).
    if asked.contains(&"person.institution_tier".to_string()) {
        all.push(("person.institution_tier".into(), "other".into()));
    }
    for (k, v) in shown_values(&again) {
        if k == "apply_for" || !all.iter().any(|(a, _)| *a == k) {
            all.push((k, v));
        }
    }
    all.push(("go".into(), "1".into()));
    let (status, submission) = app.post_form("/interview/apply", &all).await;
    assert_eq!(status, 200, "{submission}");
    assert!(
        submission.contains("id=\"total\""),
        "the result page: {submission}"
    );
    assert!(
        submission.contains("133,200"),
        "the same money as the interview"
    );
    assert!(
        !submission.contains("id=\"f-person-full_name\""),
        "not the full form"
    );
}

/// The inputs of the questions on a page (not hidden ones): their names.
fn shown_names(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("<div class=\"question field").skip(1) {
        if let Some(at) = part.find("name=\"") {
            let rest = &part[at + 6..];
            out.push(unescape(&rest[..rest.find('"').unwrap()]));
        }
    }
    out
}

/// Radio answers already checked on a page (kept as the person left them).
fn shown_values(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let radios = html.split("<input type=\"radio\" name=\"").skip(1);
    let boxes = html.split("<input type=\"checkbox\" name=\"").skip(1);
    for part in radios.chain(boxes) {
        let name = &part[..part.find('"').unwrap()];
        let Some(v) = part.find("value=\"") else {
            continue;
        };
        let rest = &part[v + 7..];
        let value = &rest[..rest.find('"').unwrap()];
        if part[..part.find('>').unwrap()].contains("checked") {
            out.push((unescape(name), unescape(value)));
        }
    }
    out
}

/// A program left open by a "not sure" can be applied for too: ticking it asks what it lacks.
#[actix_web::test]
async fn an_open_program_can_be_applied_for_with_what_it_lacks() {
    let app = app();
    let mut unsure = graduate();
    unsure.remove("employment.social_insurance_months_in_park");
    let (result, _, _) = app.walk(&unsure).await;
    let answers = hidden(&result);
    let (_, page) = app.post_form("/interview/apply", &answers).await;
    assert!(
        page.contains("name=\"also\" value=\"housing_allowance\""),
        "{page}"
    );
    assert!(
        !shown_names(&page).contains(&"employment.social_insurance_months_in_park".to_string()),
        "not asked until the program is ticked"
    );
    let mut also = hidden(&page);
    also.push(("also".into(), "housing_allowance".into()));
    let (status, page) = app.post_form("/interview/apply", &also).await;
    assert_eq!(status, 200);
    assert!(
        shown_names(&page).contains(&"employment.social_insurance_months_in_park".to_string()),
        "{page}"
    );
    assert!(page.contains("name=\"also\" value=\"housing_allowance\" checked"));
}
