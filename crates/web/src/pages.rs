//! The pages people use: the applicant form, the result, the policy browser, and the assets
//! they load (served by the app itself). Pages send a Content-Security-Policy that allows no
//! inline script or style and nothing from another origin.

use super::AppState;
use super::catalog::{self, Catalog, GroupInfo, ProgramInfo};
use super::html::{language, page};
use super::http::{PROFILE_LIMIT, as_of_date, today};
use super::result_view::{self, ProgramCard, TierView};
use super::view::{self, ErrorLink, SectionView};
use rules::applicant::FieldError;
use rules::engine::{Status, hints::hints};
use rules::input::FormValues;
use rules::input::Lang;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub lang: Lang,
    pub sections: Vec<SectionView>,
    pub errors: Vec<ErrorLink>,
}

#[derive(Template)]
#[template(path = "result.html")]
pub struct ResultPage {
    pub lang: Lang,
    pub version: String,
    pub application_date: String,
    pub tier: TierView,
    pub total_yuan: String,
    pub total_wan: String,
    /// What of the total is subject to committee review (一事一议).
    pub review_yuan: Option<String>,
    pub groups: ResultGroups,
    /// The total is 0: submitting asks for a confirmation first.
    pub nothing_payable: bool,
    /// The answers, in words (printed with the result).
    pub answers: Vec<(String, String)>,
    /// What to prepare for the programs granted or still open.
    pub materials: Vec<result_view::MaterialView>,
    /// The answers, to send back for "change my answers" and the language switch.
    pub hidden: Vec<(String, String)>,
    /// "Submit application": the form token and a key that makes a repeated send save once;
    /// `None` when the service has no database.
    pub submit: Option<(String, String)>,
    /// The programs the person may apply for, each ticked unless they chose to leave it out.
    pub choices: Vec<super::choice::ChoiceLine>,
    /// An estimate without name or ID (`Some`): applying goes on to a page that asks for
    /// them, sent these answers (a section the form left unticked said not to apply, as the
    /// result read it).
    pub apply_for_identity: Option<Vec<(String, String)>>,
    /// The upload limits, in MB.
    pub file_mb: u64,
    pub total_mb: u64,
    /// The privacy notice the applicant consents to before submitting, and its version.
    pub parts: Vec<app::privacy::NoticePart>,
    pub notice_version: &'static str,
}

/// One line of "what makes up the total".
pub struct SummaryLine {
    pub name: String,
    pub amount: String,
    /// The first installment and when it is paid.
    pub first: String,
}

/// The result's programs in the order a person reads them: what they get, what is still
/// open, what was nearly met, the rest (folded), and what does not apply (one line).
#[derive(Default)]
pub struct ResultGroups {
    pub summary: Vec<SummaryLine>,
    pub eligible: Vec<ProgramCard>,
    pub open: Vec<ProgramCard>,
    pub near: Vec<ProgramCard>,
    pub other: Vec<ProgramCard>,
    pub not_applicable: Vec<ProgramCard>,
}

/// Every program's id and name in the page's language, newest version's programs first.
pub(crate) fn program_names(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    app::batch::all_programs(&state.snapshot().policy)
        .into_iter()
        .map(|p| (p.id, lang.t(&p.zh, &p.en).to_string()))
        .collect()
}

pub(crate) fn form_page(
    state: &AppState,
    values: &FormValues,
    errors: &[FieldError],
    lang: Lang,
) -> FormPage {
    FormPage {
        lang,
        sections: view::form_sections(
            values,
            errors,
            lang,
            &program_names(state, lang),
            state
                .snapshot()
                .policy
                .version_on(today())
                .map(|v| &v.rules),
        ),
        errors: view::error_links(errors, lang),
    }
}

/// The full applicant form (一次填写全部), empty but for today's date.
#[utoipa::path(tag = "pages", params(("lang" = Option<String>, Query, description = "zh or en; remembered in a cookie")), responses((status = 200, description = "The applicant form", content_type = "text/html", body = String)))]
#[get("/form")]
pub async fn form_page_route(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lang = language(&req, None);
    let mut values = FormValues::default();
    values
        .0
        .insert("application_date".into(), vec![today().to_string()]);
    values
        .0
        .insert("person.id_type".into(), vec!["resident_id".into()]);
    page(
        &form_page(&state, &values, &[], lang.lang),
        StatusCode::OK,
        lang,
    )
}

/// The form again with the answers sent back from a result page.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The form's fields, named by their profile paths (person.full_name, startup.paid_in_capital, …)"), responses((status = 200, description = "The form with the answers filled in", content_type = "text/html", body = String)))]
#[post("/edit")]
pub async fn edit(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let values = FormValues::parse(&body);
    let lang = language(&req, Some(&values));
    page(
        &form_page(&state, &values, &[], lang.lang),
        StatusCode::OK,
        lang,
    )
}

/// Assesses the submitted form: the result page, or the form with every error at its field.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The form's fields, named by their profile paths (person.full_name, startup.paid_in_capital, …)"), responses((status = 200, description = "The result page", content_type = "text/html", body = String), (status = 422, description = "The form again, each error at its field", content_type = "text/html", body = String), (status = 413, description = "The form is larger than 64 KiB")))]
#[post("/assess")]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    assess_values(&req, &state, FormValues::parse(&body))
}

/// The answers as hidden inputs carry them (not the language or the programs chosen, which
/// the page draws itself).
fn pairs(values: &FormValues) -> Vec<(String, String)> {
    values
        .0
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "lang" | "offered" | "apply_for"))
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
        .collect()
}

/// The result page for a whole set of answers (with the materials, the consent and the submit
/// button), or the full form with every error at its field. Shared by the full form and by
/// applying from the interview.
pub(crate) fn assess_values(
    req: &HttpRequest,
    state: &AppState,
    values: FormValues,
) -> HttpResponse {
    let lang = language(req, Some(&values));
    let loaded = state.snapshot();
    let policy = &loaded.policy;
    // An estimate goes without name and ID; applying asks for them.
    let (json, estimate) = rules::input::to_estimate_json(&values);
    let (profile, a) = match app::service::assess_value(policy, &json) {
        Ok(done) => (done.profile, done.assessment),
        Err(invalid) => {
            return page(
                &form_page(state, &values, &invalid.errors, lang.lang),
                StatusCode::UNPROCESSABLE_ENTITY,
                lang,
            );
        }
    };
    let rules = &a.version.rules;
    let hs = hints(&a, &profile, policy);
    // The same answers read as a screening: a blank optional field is unknown, so a program
    // it decides reads 信息不足 with what is missing, never 不符合. (A section left unticked
    // does not apply.)
    let mut partial = values.clone();
    for s in rules::input::FormSection::ALL {
        if let Some((name, _, _)) = s.toggle()
            && !values.section_applies(s)
        {
            partial.0.insert(name.into(), vec!["0".into()]);
        }
    }
    let screening = app::service::screening::screen_value(
        policy,
        &rules::input::to_partial_json(&partial),
        a.application_date,
    )
    .ok()
    .map(|(_, s)| s);
    let mut groups = ResultGroups::default();
    let mut wanted: Vec<usize> = Vec::new();
    let mut review = rust_decimal::Decimal::ZERO;
    for (i, o) in a.programs.iter().enumerate() {
        let hint = (o.status == Status::Ineligible)
            .then(|| {
                hs.iter()
                    .find(|h| h.program.id == o.program.id)
                    .map(|h| view::hint_sentence(h, rules, lang.lang))
            })
            .flatten();
        let mut card = result_view::program_card(policy, o, rules, lang.lang, hint);
        let open = screening.as_ref().and_then(|s| {
            let p = s.programs.get(i)?;
            (o.status == Status::Ineligible && !p.is_decided()).then_some((s, p))
        });
        if let Some((s, p)) = open {
            wanted.push(i);
            card.status = "open";
            card.status_label = lang.lang.t("信息不足", "Need more information");
            card.amount_yuan = format!(
                "{} {}",
                lang.lang.t("最高", "up to"),
                view::yuan(&p.amount.1)
            );
            card.amount_wan = String::new();
            card.needs = s
                .questions
                .iter()
                .filter(|q| q.decides.contains(&i))
                .map(|q| result_view::asked_about(q.path, rules, lang.lang))
                .collect::<Vec<_>>()
                .join(lang.lang.t("、", ", "));
            groups.open.push(card);
            continue;
        }
        match o.status {
            Status::Eligible => {
                wanted.push(i);
                if o.review_required {
                    review += o.amount;
                }
                groups.summary.push(SummaryLine {
                    name: card.name.clone(),
                    amount: card.amount_yuan.clone(),
                    first: card
                        .installments
                        .first()
                        .map(|i| format!("{}{}{}", i.label, lang.lang.colon(), i.amount))
                        .unwrap_or_default(),
                });
                groups.eligible.push(card);
            }
            Status::Ineligible if card.hint.is_some() => groups.near.push(card),
            Status::NotApplicable => groups.not_applicable.push(card),
            _ => groups.other.push(card),
        }
    }
    let choices = super::choice::choice_lines(&a, &values, lang.lang);
    let hidden = pairs(&values);
    let result = ResultPage {
        lang: lang.lang,
        version: format!(
            "{} · {}",
            a.version.id,
            lang.lang.t(&a.version.zh, &a.version.en)
        ),
        application_date: a.application_date.to_string(),
        tier: result_view::tier_view(policy, &a, lang.lang),
        total_yuan: view::yuan(&a.total),
        // 万元 helps a Chinese reader; an English one reads the yuan figure.
        total_wan: if lang.lang.en() {
            String::new()
        } else {
            view::wan(&a.total)
        },
        review_yuan: (review > rust_decimal::Decimal::ZERO).then(|| view::yuan(&review)),
        nothing_payable: a.total.is_zero(),
        answers: result_view::answers_in_words(&values, rules, lang.lang),
        materials: result_view::checklist(
            policy,
            rules,
            &wanted,
            Some((&profile, &|_: &str| false)),
            lang.lang,
        ),
        groups,
        hidden,
        submit: None,
        apply_for_identity: None,
        choices,
        file_mb: state.settings.upload_file_limit.div_ceil(1024 * 1024),
        total_mb: state.settings.upload_total_limit.div_ceil(1024 * 1024),
        parts: app::privacy::notice(state.settings.retention()),
        notice_version: app::privacy::NOTICE_VERSION,
    };
    let Some(_) = state.store else {
        return page(&result, StatusCode::OK, lang);
    };
    if estimate {
        let result = ResultPage {
            apply_for_identity: Some(pairs(&partial)),
            ..result
        };
        return page(&result, StatusCode::OK, lang);
    }
    let (token, set_cookie) = super::auth::form_token(req, state.secure_cookies);
    let result = ResultPage {
        submit: Some((token, store::random_token())),
        ..result
    };
    let mut resp = page(&result, StatusCode::OK, lang);
    if let Some(c) = set_cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

#[derive(Template)]
#[template(path = "policies.html")]
pub struct PoliciesPage {
    pub lang: Lang,
    pub as_of: String,
    pub catalog: Option<Catalog>,
    pub error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

fn catalog_on(
    state: &AppState,
    raw: Option<&str>,
    lang: Lang,
) -> (String, Result<Catalog, String>) {
    match as_of_date(raw) {
        Ok(d) => {
            let loaded = state.snapshot();
            let c = catalog::catalog(&loaded.policy, d).map(|mut c| {
                // People read citations as the document's name and the article.
                let words =
                    |cite: &mut String| *cite = result_view::citation(&loaded.policy, cite, lang);
                for p in &mut c.programs {
                    p.conditions.iter_mut().for_each(|r| words(&mut r.citation));
                    words(&mut p.amount.citation);
                    if let Some(r) = &mut p.review {
                        words(&mut r.citation);
                    }
                }
                c.tiers.iter_mut().for_each(|t| words(&mut t.row.citation));
                c.combining.iter_mut().for_each(|g| words(&mut g.citation));
                c
            });
            let c = c.ok_or_else(|| {
                lang.t(
                    &format!("{d} 没有有效的政策版本"),
                    &format!("No policy is in force on {d}"),
                )
                .to_string()
            });
            (d.to_string(), c)
        }
        Err(_) => (
            raw.unwrap_or_default().to_string(),
            Err(lang
                .t("日期应写作 YYYY-MM-DD", "Write the date as YYYY-MM-DD")
                .to_string()),
        ),
    }
}

/// The documents and programs in force on a date.
#[utoipa::path(tag = "pages", params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD; today by default")), responses((status = 200, description = "The programs in force", content_type = "text/html", body = String), (status = 404, description = "No policy in force on that date", content_type = "text/html", body = String)))]
#[get("/policies")]
pub async fn policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AsOf>,
) -> HttpResponse {
    let lang = language(&req, None);
    let (as_of, c) = catalog_on(&state, q.as_of.as_deref(), lang.lang);
    let status = if c.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let (catalog, error) = match c {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(e)),
    };
    page(
        &PoliciesPage {
            lang: lang.lang,
            as_of,
            catalog,
            error,
        },
        status,
        lang,
    )
}

#[derive(Template)]
#[template(path = "program.html")]
pub struct ProgramPage {
    pub lang: Lang,
    pub as_of: String,
    pub version: String,
    pub p: ProgramInfo,
    pub needs: String,
    pub rules: Vec<GroupInfo>,
    /// The program's 材料清单.
    pub materials: Vec<result_view::MaterialView>,
}

/// One program in plain language: conditions, amount, installments, combining rules, citations.
#[utoipa::path(tag = "pages", params(("id" = String, Path, description = "A program id"), ("as_of" = Option<String>, Query, description = "YYYY-MM-DD; today by default")), responses((status = 200, description = "One program in plain language", content_type = "text/html", body = String), (status = 404, description = "No such program on that date", content_type = "text/html", body = String)))]
#[get("/policies/{id}")]
pub async fn program(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<AsOf>,
) -> HttpResponse {
    let lang = language(&req, None);
    let (as_of, c) = catalog_on(&state, q.as_of.as_deref(), lang.lang);
    let not_found = |msg: String| {
        page(
            &PoliciesPage {
                lang: lang.lang,
                as_of: as_of.clone(),
                catalog: None,
                error: Some(msg),
            },
            StatusCode::NOT_FOUND,
            lang,
        )
    };
    let c = match c {
        Ok(c) => c,
        Err(e) => return not_found(e),
    };
    let Some(p) = c.programs.into_iter().find(|p| p.id == *id) else {
        return not_found(
            lang.lang
                .t("该日期没有这个项目", "No such program on that date")
                .to_string(),
        );
    };
    let rules = c
        .combining
        .into_iter()
        .filter(|g| g.programs.contains(&p.id))
        .collect();
    let needs = p
        .needs
        .iter()
        .map(|n| match n.as_str() {
            "employment" => lang.lang.t("就业", "employment"),
            "startup" => lang.lang.t("创业", "startup"),
            "housing" => lang.lang.t("住房", "housing"),
            _ => lang.lang.t("购房", "home purchase"),
        })
        .collect::<Vec<_>>()
        .join(lang.lang.t("、", ", "));
    let loaded = state.snapshot();
    let materials = loaded
        .policy
        .versions
        .iter()
        .find(|v| *v.id == *c.policy_version)
        .and_then(|v| {
            let i = v.rules.programs.iter().position(|x| *x.id == *p.id)?;
            Some(result_view::checklist(
                &loaded.policy,
                &v.rules,
                &[i],
                None,
                lang.lang,
            ))
        })
        .unwrap_or_default();
    let version = c.policy_version;
    page(
        &ProgramPage {
            lang: lang.lang,
            as_of,
            version,
            p,
            needs,
            rules,
            materials,
        },
        StatusCode::OK,
        lang,
    )
}

/// The stylesheet and script, built into the binary.
#[utoipa::path(tag = "pages", params(("file" = String, Path, description = "app.css, app.js or favicon.svg")), responses((status = 200, description = "The page assets, served by the app", body = String), (status = 404, description = "No such asset")))]
#[get("/static/{file}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (body, ctype) = match file.as_str() {
        "app.css" => (
            include_str!("../../../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_str!("../../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "favicon.svg" => (include_str!("../../../static/favicon.svg"), "image/svg+xml"),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, ctype))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// The icon browsers ask for at the site's root, when a page's own link was not read.
#[utoipa::path(tag = "pages", responses((status = 200, description = "The site's icon (SVG)", content_type = "image/svg+xml", body = String)))]
#[get("/favicon.ico")]
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("../../../static/favicon.svg"))
}

/// Pages read at most this much of a form.
pub const FORM_LIMIT: usize = PROFILE_LIMIT;
