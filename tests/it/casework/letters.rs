//! The office's letters, black-box: each step that owes one issues it once with the next
//! number of its kind (受理, 补正, 不予受理, a decision in force: 资助 and 不予资助, a payment),
//! the applicant reads theirs through the status link and never finance's payment notice,
//! finance reads payment notices only, and numbers stay gapless when two instances issue at
//! once.

use super::*;

/// The letter pages linked from a page (`href`s ending in `/letters/N`), with their kinds.
fn letter_links(page: &str) -> Vec<(String, String)> {
    let Some(list) = page.split("id=\"letters\"").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap_or_default();
    list.split("<a href=\"")
        .skip(1)
        .filter_map(|s| {
            let (href, rest) = s.split_once("\">")?;
            let (kind, _) = rest.split_once("</a>")?;
            Some((href.to_string(), kind.to_string()))
        })
        .collect()
}

async fn letter(b: &reqwest::Client, base: &str, links: &[(String, String)], kind: &str) -> String {
    let href = &links
        .iter()
        .find(|(_, k)| k == kind)
        .unwrap_or_else(|| panic!("no {kind} in {links:?}"))
        .0;
    let (status, page, _) = get(b, format!("{base}{href}")).await;
    assert_eq!(status, 200, "{href}");
    let article = page.split("<article").nth(1).unwrap_or_default();
    assert!(
        !article.contains('{') && !article.contains('}'),
        "every datum filled: {article}"
    );
    page
}

pub async fn step(
    c: &Console,
    b: &reqwest::Client,
    token: &str,
    reference: &str,
    action: &str,
    reason: &str,
) -> u16 {
    let (seen, _) = version_of(c, b, reference).await;
    let (status, body, _) = post_form(
        b,
        format!("{}/officer/applications/{reference}/step", c.base),
        &[
            ("csrf", token),
            ("seen_version", &seen),
            ("action", action),
            ("reason", reason),
        ],
    )
    .await;
    assert!(status == 303, "{action}: {status} {body}");
    status
}

/// An officer asks for one material with a note (补正) on the version they see.
pub async fn ask_for_more(
    c: &Console,
    b: &reqwest::Client,
    token: &str,
    reference: &str,
    note: &str,
    material: &str,
) {
    let (seen, _) = version_of(c, b, reference).await;
    let (status, body, _) = post_form(
        b,
        format!("{}/officer/applications/{reference}/decision", c.base),
        &[
            ("csrf", token),
            ("seen_version", &seen),
            ("decision", "more_info"),
            ("note", note),
            ("missing", material),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
}

pub async fn letters_follow_the_steps(c: &Console) {
    let year = talent_subsidy::store::today().format("%Y").to_string();
    let sun = signed_in(c, "sun", Role::Reviewer).await;
    let ts = csrf(c, &sun).await;

    // 补正: a request for materials before acceptance names each item and how to send it.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let asked = v["reference"].as_str().unwrap().to_string();
    let asked_link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    ask_for_more(
        c,
        &sun,
        &ts,
        &asked,
        "社保证明须加盖社保机构印章",
        "social_insurance_record",
    )
    .await;
    let applicant = browser();
    let (_, page, _) = get(&applicant, asked_link.clone()).await;
    let links = letter_links(&page);
    assert_eq!(links.len(), 1, "{links:?}");
    let text = letter(&applicant, &c.base, &links, "补正材料通知书").await;
    assert!(
        text.contains(&format!("苏锡通人才补〔{year}〕1号")),
        "{text}"
    );
    for part in [
        "张三",
        &asked,
        "社保缴纳证明",
        "园区社保参保缴费记录",
        "社保证明须加盖社保机构印章",
        "申请状态页面",
        "（印章）",
        "苏锡通科技产业园区人才工作办公室",
    ] {
        assert!(text.contains(part), "补正 letter lacks {part}");
    }
    assert!(
        !text.contains('{') && !text.contains("social_insurance"),
        "no code: {text}"
    );
    // In English on request, the same letter.
    let (_, en, _) = get(&browser(), format!("{}{}?lang=en", c.base, links[0].0)).await;
    assert!(en.contains("Request for further materials") && en.contains("Social insurance record"));
    assert!(
        en.contains(&format!("苏锡通人才补〔{year}〕1号")),
        "the number is the number"
    );

    // 不予受理: the reason and the remedies, where and within what time.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let refused = v["reference"].as_str().unwrap().to_string();
    let refused_link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    step(
        c,
        &sun,
        &ts,
        &refused,
        "not_accept",
        "申请人已于 2025 年获得同一项目资助",
    )
    .await;
    let (_, page, _) = get(&applicant, refused_link).await;
    let text = letter(&applicant, &c.base, &letter_links(&page), "不予受理通知书").await;
    for part in [
        &format!("苏锡通人才不受〔{year}〕1号"),
        "申请人已于 2025 年获得同一项目资助",
        "60日",
        "南通市人民政府",
        "行政复议",
        "6个月",
        "行政诉讼",
    ] {
        assert!(text.contains(part), "不予受理 letter lacks {part}: {text}");
    }

    // 受理, then the whole procedure to a decision in force.
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let link = format!("{}{}", c.base, v["status_url"].as_str().unwrap());
    step(c, &sun, &ts, &reference, "accept", "").await;
    let (_, page, _) = get(&applicant, link.clone()).await;
    let text = letter(&applicant, &c.base, &letter_links(&page), "受理通知书").await;
    assert!(text.contains(&format!("苏锡通人才受〔{year}〕1号")) && text.contains("予以受理"));
    assert!(
        text.contains("20个工作日") || text.contains("年"),
        "a deadline: {text}"
    );
    let startup = "jinying_startup";
    let (status, _) = review(
        c,
        &sun,
        &ts,
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
    let (status, _) = review(
        c,
        &sun,
        &ts,
        &reference,
        "jinying_office",
        &[("decision", "refuse"), ("reason", "场地为自有房产，无租金")],
    )
    .await;
    assert_eq!(status, 303);
    for p in ["jinying_innovation", "rent_subsidy", "home_purchase"] {
        let (status, _) = review(
            c,
            &sun,
            &ts,
            &reference,
            p,
            &[
                ("all_checks", "failed"),
                ("decision", "refuse"),
                ("reason", "材料核验不符"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{p}");
    }
    let wu = signed_in(c, "wu", Role::Reviewer).await;
    let tw = csrf(c, &wu).await;
    step(c, &wu, &tw, &reference, "agree", "").await;
    let li = signed_in(c, "li", Role::Approver).await;
    let tl = csrf_on(c, &li, "/officer/notices").await;
    step(c, &li, &tl, &reference, "sign_off", "").await;
    let (version, _) = version_of(c, &li, &reference).await;
    let (status, body, _) = post_pairs(
        &li,
        &format!("{}/officer/notices", c.base),
        &[
            ("csrf".into(), tl.clone()),
            ("first_day".into(), next_working_day().to_string()),
            ("case".into(), format!("{reference}:{version}")),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let notice = c.store.notice_of(app.summary.id).await.unwrap().unwrap();
    let after = notice.last_day.succ_opt().unwrap();
    assert_eq!(
        c.store.close_notices(after).await.unwrap(),
        vec![reference.clone()]
    );
    // The notice ended in the sweep: the sweep issues the decision letters, once.
    let loaded = c.state.snapshot();
    let policy = &loaded.policy;
    assert_eq!(
        talent_subsidy::letters::sweep(&c.store, policy, 100)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        talent_subsidy::letters::sweep(&c.store, policy, 100)
            .await
            .unwrap(),
        0
    );
    let (_, page, _) = get(&applicant, link.clone()).await;
    let links = letter_links(&page);
    let kinds: Vec<&str> = links.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(kinds, ["受理通知书", "资助决定书", "不予资助决定书"]);
    let grant = letter(&applicant, &c.base, &links, "资助决定书").await;
    for part in [
        &format!("苏锡通人才资〔{year}〕1号"),
        "金英计划·创业类项目资助",
        "2,500,000元",
        "签订资助协议",
        "公示期满无异议",
    ] {
        assert!(grant.contains(part), "资助决定书 lacks {part}: {grant}");
    }
    let refusal = letter(&applicant, &c.base, &links, "不予资助决定书").await;
    for part in [
        &format!("苏锡通人才不资〔{year}〕1号"),
        "金英计划·创业场地租金补贴",
        "场地为自有房产，无租金",
        "第七条",
        "材料核验不符",
        "不符合：",
        "60日",
        "行政诉讼",
    ] {
        assert!(
            refusal.contains(part),
            "不予资助决定书 lacks {part}: {refusal}"
        );
    }
    assert!(
        !refusal.contains("jinying "),
        "articles in words, not codes"
    );

    // 拨付: after the agreement, finance registers the signing installment; its notice names
    // the company paid, the masked account and who decided what.
    let today = talent_subsidy::store::today().to_string();
    let (status, _, _) = post_form(
        &sun,
        format!(
            "{}/officer/applications/{reference}/agreements/{startup}",
            c.base
        ),
        &[
            ("csrf", &ts),
            ("signed_on", &today),
            ("bank", "中国银行南通分行"),
            ("account", "6217 0000 1234 5678"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let qian = signed_in(c, "qian", Role::Finance).await;
    let tq = csrf_on(c, &qian, "/officer/payments").await;
    let first = c
        .store
        .payments(&talent_subsidy::store::PaymentFilter {
            application_id: Some(app.summary.id),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.program == startup && p.seq == 1)
        .unwrap();
    let (status, _, _) = post_form(
        &qian,
        format!("{}/officer/payments/{}/paid", c.base, first.id),
        &[("csrf", &tq), ("paid_on", &today), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = version_of(c, &sun, &reference).await;
    let links = letter_links(&page);
    assert_eq!(links.len(), 4, "{links:?}");
    let paid = letter(&qian, &c.base, &links, "拨付通知").await;
    for part in [
        &format!("苏锡通人才拨〔{year}〕1号"),
        "****5678",
        "中国银行南通分行",
        "1,250,000元",
        "sun",
        "wu",
        "li",
        "qian",
    ] {
        assert!(paid.contains(part), "拨付通知 lacks {part}: {paid}");
    }
    assert!(!paid.contains("6217000012345678"), "the account masked");
    // Finance finds it from the schedule.
    let (_, schedule, _) = get(&qian, format!("{}/officer/payments?state=paid", c.base)).await;
    assert!(schedule.contains(&format!("/officer/payments/{}/notice", first.id)));
    let r = qian
        .get(format!("{}/officer/payments/{}/notice", c.base, first.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, links.iter().find(|(_, k)| k == "拨付通知").unwrap().0);
    // Finance reads payment notices, not the applicant's decisions; the applicant never sees
    // finance's notice, not even by its number.
    let grant_href = &links.iter().find(|(_, k)| k == "资助决定书").unwrap().0;
    let (status, _, _) = get(&qian, format!("{}{grant_href}", c.base)).await;
    assert_eq!(status, 403);
    let (_, page, _) = get(&applicant, link.clone()).await;
    assert_eq!(letter_links(&page).len(), 3);
    let paid_id = links
        .iter()
        .find(|(_, k)| k == "拨付通知")
        .unwrap()
        .0
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (status, _, _) = get(&applicant, format!("{link}/letters/{paid_id}")).await;
    assert_eq!(status, 404);
    // Another application's letter through this link: nothing.
    let (_, other, _) = get(&applicant, asked_link).await;
    let other_id = letter_links(&other)[0]
        .0
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (status, _, _) = get(&applicant, format!("{link}/letters/{other_id}")).await;
    assert_eq!(status, 404);
}

/// Two instances issue letters at once, some for the same step twice: each step gets one
/// letter, and the numbers of the kind run 1, 2, 3… with no gap.
pub async fn letter_numbers_have_no_gaps_across_two_instances(c: &Console) {
    let (_, v) = submit_json(c, EXAMPLE, None).await;
    let reference = v["reference"].as_str().unwrap().to_string();
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let other = casework_console(&c.url).await;
    let day = talent_subsidy::store::today();
    let sources: Vec<String> = (0..12).map(|i| format!("e{}", 9000 + i)).collect();
    let mut tasks = Vec::new();
    for (i, source) in sources.iter().chain(sources.iter().take(6)).enumerate() {
        let store = if i % 2 == 0 {
            c.store.clone()
        } else {
            other.store.clone()
        };
        let source = source.clone();
        let id = app.summary.id;
        tasks.push(tokio::spawn(async move {
            store
                .issue_letter(
                    &talent_subsidy::store::NewLetter {
                        application_id: id,
                        kind: "accept",
                        source: &source,
                        day,
                        actor: "test",
                    },
                    |seq| format!("受〔{seq}〕"),
                    |n| format!("{{\"number\":\"{n}\"}}"),
                )
                .await
                .unwrap()
                .is_some()
        }));
    }
    let mut issued = 0;
    for t in tasks {
        issued += usize::from(t.await.unwrap());
    }
    assert_eq!(issued, 12, "each step once");
    let register = c
        .store
        .letter_register("accept", i64::from(chrono::Datelike::year(&day)))
        .await
        .unwrap();
    let seqs: Vec<i64> = register.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<i64>>(), "no gaps");
    other.shut_down().await;
}
