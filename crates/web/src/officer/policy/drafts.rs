//! Drafts of parameter changes: the list, a new draft, the form of one draft with its
//! problems, saving its edits (only the policy role), and the change as a diff to commit.

use super::*;

pub struct DraftLine {
    pub id: i64,
    pub name: String,
    pub changes: usize,
    pub updated_by: String,
    pub updated_at: String,
}

pub struct RunLine {
    pub id: i64,
    pub title: String,
    pub population: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "officer/policy_drafts.html")]
pub struct DraftsPage {
    pub lang: Lang,
    pub nav: Nav,
    pub drafts: Vec<DraftLine>,
    pub runs: Vec<RunLine>,
    pub can_edit: bool,
    pub error: Option<String>,
    pub as_of: String,
}

/// A draft's change as stored (older drafts stored a bare list of edits).
pub(super) fn change_of(d: &Draft) -> Change {
    Change::read(&d.edits)
}

pub(super) async fn drafts_page(
    s: &Signed,
    state: &AppState,
    lang: PageLang,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AuthError> {
    let store = s.store(state)?;
    let drafts = store.drafts().await.map_err(|e| s.db_error(e))?;
    let runs = store.simulations(50).await.map_err(|e| s.db_error(e))?;
    Ok(page(
        &DraftsPage {
            lang: lang.lang,
            nav: nav(s),
            drafts: drafts
                .iter()
                .map(|d| DraftLine {
                    id: d.id,
                    name: d.name.clone(),
                    changes: {
                        let c = change_of(d);
                        c.edits.len() + c.texts.len() + usize::from(c.from.is_some())
                    },
                    updated_by: d.updated_by.clone(),
                    updated_at: view::short_time(&d.updated_at),
                })
                .collect(),
            runs: runs
                .into_iter()
                .map(|r| RunLine {
                    id: r.id,
                    title: r.title,
                    population: in_language(&r.population, lang.lang),
                    by: r.created_by,
                    at: view::short_time(&r.created_at),
                })
                .collect(),
            can_edit: s.role() == Role::Policy,
            error,
            as_of: today().to_string(),
        },
        status,
        lang,
    ))
}

#[utoipa::path(tag = "pages", responses((status = 200, description = "The drafts and the simulations run", content_type = "text/html", body = String), (status = 403, description = "Neither a reviewer nor the policy office")))]
#[get("/officer/policy/drafts")]
pub async fn drafts_list(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    drafts_page(&s, &state, language(&req, None), None, StatusCode::OK).await
}

/// A draft's name as typed: trimmed, 1–100 characters, nothing that may not be shown.
fn draft_name(raw: &str, l: Lang) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(l
            .t(
                "草案名称：请填写 1 到 100 个字",
                "Draft name: 1 to 100 characters",
            )
            .into());
    }
    if let Some(p) = rules::applicant::unsafe_text(name, false) {
        return Err(format!(
            "{}{}",
            l.t("草案名称：", "Draft name: "),
            l.t(p.zh, p.en)
        ));
    }
    Ok(name.to_string())
}

#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, name"), responses((status = 303, description = "Made: to the draft"), (status = 403, description = "Not the policy office, or the CSRF token is wrong"), (status = 422, description = "The name is missing or not valid", content_type = "text/html", body = String)))]
#[post("/officer/policy/drafts")]
pub async fn new_draft(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = FormValues::parse(&body);
    s.check_csrf(form.get("csrf"))?;
    s.policy_office()?;
    let lang = language(&req, Some(&form));
    let name = match draft_name(form.get("name"), lang.lang) {
        Ok(n) => n,
        Err(e) => {
            return drafts_page(&s, &state, lang, Some(e), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let id = s
        .store(&state)?
        .create_draft(&name, "[]", s.name())
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(redirect(&format!("/officer/policy/drafts/{id}")))
}

#[derive(Template)]
#[template(path = "officer/policy_draft.html")]
pub struct DraftPage {
    pub lang: Lang,
    pub nav: Nav,
    pub id: i64,
    pub name: String,
    pub created: String,
    pub updated: String,
    pub params: Vec<ParamLine>,
    pub errors: Vec<String>,
    /// What the loader found that is not about a description on the form.
    pub problems: Vec<super::words::Finding>,
    /// Descriptions to rewrite beside the values.
    pub texts: Vec<super::words::TextLine>,
    /// What the draft changes, in words.
    pub changes: Vec<String>,
    /// The day it applies from (`YYYY-MM-DD`), empty for the versions as they are.
    pub from: String,
    pub diff: String,
    pub can_edit: bool,
    pub can_simulate: bool,
    pub as_of: String,
    pub saved: Option<String>,
}

/// A draft's files (the files in force, `before`, with its edits) and the policy they make
/// (or its diagnostics).
pub(super) struct Built {
    pub(super) after: Vec<(String, String)>,
    pub(super) policy: Result<Policy, Vec<Diagnostic>>,
}

pub(super) fn build(
    before: &[(String, String)],
    change: &Change,
) -> Result<Built, Vec<draft::EditError>> {
    let after = draft::apply_change(before, change)?;
    let policy = draft::load_files(Path::new("draft"), &after);
    Ok(Built { after, policy })
}

pub(super) async fn own_draft(
    s: &Signed,
    state: &AppState,
    id: i64,
) -> Result<Option<Draft>, AuthError> {
    s.store(state)?.draft(id).await.map_err(|e| s.db_error(e))
}

pub(super) fn no_draft() -> HttpResponse {
    crate::html::message(StatusCode::NOT_FOUND, "没有这份草案", "No such draft")
}

#[allow(clippy::too_many_arguments)]
pub(super) fn draft_page(
    s: &Signed,
    state: &AppState,
    lang: PageLang,
    d: &Draft,
    change: &Change,
    errors: Vec<String>,
    saved: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let l = lang.lang;
    let files = state.source.files();
    let slots = draft::slots(&files);
    let built = build(&files, change);
    let changes = super::words::change_words(change, &files, &slots, l);
    // The values' part of the change, named in a description's finding.
    let values: Vec<String> = changes
        .iter()
        .skip(usize::from(change.from.is_some()))
        .take(change.edits.len())
        .cloned()
        .collect();
    let (diff, found, can_simulate) = match &built {
        Ok(b) => match &b.policy {
            Ok(p) => (
                draft::diff(&files, &b.after),
                super::words::findings(&p.warnings, &b.after, &values, l),
                true,
            ),
            Err(d) => (
                draft::diff(&files, &b.after),
                super::words::findings(d, &b.after, &values, l),
                false,
            ),
        },
        Err(_) => (String::new(), Vec::new(), false),
    };
    let texts = super::words::text_lines(change, &files, &found, l);
    let problems = found.into_iter().filter(|f| f.text_key.is_none()).collect();
    let mut errors = errors;
    if let Err(stale) = &built {
        // The files changed since the draft was saved: say which values no longer apply.
        errors.extend(stale.iter().map(|e| {
            let name = if e.slot == "@from" {
                l.t("施行日期", "In force from").to_string()
            } else {
                slots.iter().find(|s| s.key == e.slot).map_or_else(
                    || {
                        l.t(
                            "草案中的一项参数或说明",
                            "A value or description of the draft",
                        )
                        .to_string()
                    },
                    |s| slot_words(s, l).0,
                )
            };
            format!("{name}{}{}", l.colon(), l.t(&e.zh, &e.en))
        }));
    }
    let as_of = built
        .ok()
        .and_then(|b| b.policy.ok())
        .map_or(today(), |p| default_as_of(&p, today()));
    page(
        &DraftPage {
            lang: l,
            nav: nav(s),
            id: d.id,
            name: d.name.clone(),
            created: format!("{} · {}", d.created_by, view::short_time(&d.created_at)),
            updated: format!("{} · {}", d.updated_by, view::short_time(&d.updated_at)),
            params: param_lines(&state.snapshot().policy, &slots, &change.edits, l),
            errors,
            problems,
            texts,
            changes,
            from: change.from.map(|d| d.to_string()).unwrap_or_default(),
            diff,
            can_edit: s.role() == Role::Policy,
            can_simulate,
            as_of: as_of.to_string(),
            saved,
        },
        status,
        lang,
    )
}

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The draft")), responses((status = 200, description = "The draft: every parameter with its value now and in the draft, and its problems", content_type = "text/html", body = String), (status = 404, description = "No such draft")))]
#[get("/officer/policy/drafts/{id}")]
pub async fn draft_form(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let lang = language(&req, None);
    let Some(d) = own_draft(&s, &state, path.into_inner()).await? else {
        return Ok(no_draft());
    };
    let q = FormValues::parse(req.query_string().as_bytes());
    let saved = (q.get("saved") == "1").then(|| lang.lang.t("已保存", "Saved").to_string());
    Ok(draft_page(
        &s,
        &state,
        lang,
        &d,
        &change_of(&d),
        Vec::new(),
        saved,
        StatusCode::OK,
    ))
}

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The draft")), request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "csrf, then each changed parameter value by its slot"), responses((status = 303, description = "Saved: back to the draft"), (status = 403, description = "Not the policy office, or the CSRF token is wrong"), (status = 404, description = "No such draft"), (status = 422, description = "A value is not valid, or the draft does not load", content_type = "text/html", body = String)))]
#[post("/officer/policy/drafts/{id}")]
pub async fn save_draft(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AuthError> {
    let form = FormValues::parse(&body);
    s.check_csrf(form.get("csrf"))?;
    s.policy_office()?;
    let lang = language(&req, Some(&form));
    let l = lang.lang;
    let Some(d) = own_draft(&s, &state, path.into_inner()).await? else {
        return Ok(no_draft());
    };
    let files = state.source.files();
    let slots = draft::slots(&files);
    let mut errors = Vec::new();
    let mut edits = Vec::new();
    for slot in &slots {
        let typed = form.get(&format!("v:{}", slot.key)).trim();
        if typed.is_empty() {
            continue;
        }
        match draft::normalise_for(typed, slot.unit) {
            Some(v) if Some(&v) == draft::normalise(&slot.value).as_ref() => {}
            Some(v) => edits.push(Edit {
                slot: slot.key.clone(),
                value: v,
            }),
            None => {
                let (name, which) = slot_words(slot, l);
                errors.push(format!(
                    "{name}{}{}{}",
                    if which.is_empty() {
                        String::new()
                    } else {
                        format!("（{which}）")
                    },
                    l.colon(),
                    l.t(
                        &format!("“{typed}”不是数字，请填写如 2500000 或 1.2"),
                        &format!("“{typed}” is not a number: write it like 2500000 or 1.2")
                    )
                ));
            }
        }
    }
    // Descriptions rewritten beside the values: kept where they differ from the files.
    let texts: Vec<Edit> = draft::text_slots(&files)
        .into_iter()
        .filter_map(|t| {
            let typed = form
                .0
                .get(&format!("t:{}", t.key))?
                .first()?
                .trim()
                .to_string();
            (typed.split_whitespace().collect::<Vec<_>>().join(" ") != t.text).then_some(Edit {
                slot: t.key,
                value: typed,
            })
        })
        .collect();
    let from_typed = form.get("from").trim();
    let from = if from_typed.is_empty() {
        None
    } else {
        match rules::applicant::parse_date(from_typed) {
            Some(d) => Some(d),
            None => {
                errors.push(format!(
                    "{}{}",
                    l.t("施行日期：", "In force from: "),
                    l.t(
                        &format!("“{from_typed}”不是日期，请写作 2027-01-01"),
                        &format!("“{from_typed}” is not a date: write it as 2027-01-01")
                    )
                ));
                None
            }
        }
    };
    let name = match draft_name(form.get("name"), l) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            d.name.clone()
        }
    };
    let change = Change { edits, texts, from };
    if errors.is_empty()
        && let Err(refused) = draft::apply_change(&files, &change)
    {
        errors.extend(refused.iter().map(|e| {
            let what = if e.slot == "@from" {
                l.t("施行日期", "In force from").to_string()
            } else {
                l.t("草案", "The draft").to_string()
            };
            format!("{what}{}{}", l.colon(), l.t(&e.zh, &e.en))
        }));
    }
    if !errors.is_empty() {
        let shown = Draft { name, ..d };
        return Ok(draft_page(
            &s,
            &state,
            lang,
            &shown,
            &change,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let json = serde_json::to_string(&change).unwrap_or_else(|_| "[]".into());
    s.store(&state)?
        .save_draft(d.id, &name, &json, s.name())
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(redirect(&format!(
        "/officer/policy/drafts/{}?saved=1",
        d.id
    )))
}

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The draft")), responses((status = 200, description = "The draft as a change to the policy files (unified diff)", content_type = "text/plain", body = String), (status = 404, description = "No such draft")))]
#[get("/officer/policy/drafts/{id}/change.diff")]
pub async fn draft_diff(
    s: Signed,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let Some(d) = own_draft(&s, &state, path.into_inner()).await? else {
        return Ok(no_draft());
    };
    let files = state.source.files();
    let body = match build(&files, &change_of(&d)) {
        Ok(b) => draft::diff(&files, &b.after),
        Err(_) => String::new(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/x-diff; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"draft-{}.diff\"", d.id),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}
