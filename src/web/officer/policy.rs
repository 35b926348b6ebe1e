//! The policy office's pages: the policy files as loaded (source, versions, parameters with
//! units, warnings, the history of loads), drafts of parameter changes saved in the database,
//! the change as a diff to commit, and simulations of a draft — from the form, or a draft
//! folder uploaded as a zip — on the saved applications and/or an uploaded population.
//!
//! Invariants: a draft never changes what applicants see (it is loaded apart, never
//! swapped in); only the policy role edits drafts; reviewers and the policy role read the
//! files and run simulations; a stored simulation holds figures and reference numbers only.

use super::*;
use crate::policy::load::draft::{self, Edit, Slot};
use crate::policy::{Diagnostic, Policy, Severity};
use crate::simulate::population::{EitherPolicy, Read, from_saved, read_file};
use crate::simulate::{Simulation, charts, default_as_of, simulate, tables::TABLES};
use crate::store::Draft;
use std::path::Path;

/// How long reading an uploaded draft may take before it is refused (the park's folder
/// loads in milliseconds).
const DRAFT_LOAD_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);
/// Largest uploaded draft folder (zip) and population file.
const DRAFT_ZIP_LIMIT: usize = 4 * 1024 * 1024;
/// Largest file inside a draft zip, unpacked; most files in one.
const DRAFT_FILE_LIMIT: u64 = 1024 * 1024;
const DRAFT_FILES: usize = 64;

/// A diagnostic as people read it: where, and what, in the page's language.
pub struct Problem {
    pub warning: bool,
    pub place: String,
    pub text: String,
    /// The line of the file with a caret under the place, and the message in both languages.
    pub snippet: String,
}

/// Diagnostics as people read them; `files` (name, text) give their source lines.
fn problems(diags: &[Diagnostic], l: Lang, files: &[(String, String)]) -> Vec<Problem> {
    diags
        .iter()
        .map(|d| {
            let name = d.file.file_name().map(|n| n.to_string_lossy().into_owned());
            let text = files
                .iter()
                .find(|(n, _)| Some(n) == name.as_ref())
                .map(|(_, t)| t.as_str());
            Problem {
                warning: d.severity == Severity::Warning,
                place: format!("{}:{}:{}", d.file.display(), d.line, d.column),
                text: if l == Lang::Zh && !d.zh.is_empty() {
                    d.zh.clone()
                } else {
                    d.message.clone()
                },
                snippet: d.render(text),
            }
        })
        .collect()
}

/// A parameter value as the pages show it.
pub struct ParamLine {
    pub key: String,
    pub name: String,
    pub which: String,
    pub unit: String,
    pub cite: String,
    pub file_line: String,
    pub value: String,
    pub current: String,
    pub changed: bool,
}

fn slot_words(slot: &Slot, l: Lang) -> (String, String) {
    let tier = slot.tier.as_deref().map(|t| {
        if t == "others" {
            l.t("其他层次", "other tiers").to_string()
        } else {
            format!("{}{}", l.t("", "tier "), t) + l.t("类", "")
        }
    });
    let version = slot
        .version
        .as_deref()
        .map(|v| format!("{}{v}{}", l.t("", "from the "), l.t(" 年版起", " edition")));
    let which = [tier, version].into_iter().flatten().collect::<Vec<_>>();
    (
        l.t(&slot.zh, &slot.en).to_string(),
        which.join(l.t("，", ", ")),
    )
}

fn param_lines(policy: &Policy, slots: &[Slot], edits: &[Edit], l: Lang) -> Vec<ParamLine> {
    slots
        .iter()
        .map(|s| {
            let edited = edits.iter().find(|e| e.slot == s.key);
            let (name, which) = slot_words(s, l);
            ParamLine {
                key: s.key.clone(),
                name,
                which,
                unit: s
                    .unit
                    .map_or(String::new(), |u| l.t(u.zh(), u.en()).to_string()),
                cite: view::citation(policy, &s.cite, l),
                file_line: format!("{}:{}", s.file, s.line),
                value: crate::words::grouped_text(edited.map_or(&s.value, |e| &e.value)),
                current: crate::words::grouped_text(&s.value),
                changed: edited.is_some(),
            }
        })
        .collect()
}

pub struct VersionLine {
    pub id: String,
    pub name: String,
    pub from: String,
    pub until: String,
    pub programs: usize,
}

pub struct ReloadLine {
    pub at: String,
    pub outcome: &'static str,
    pub refused: bool,
    pub summary: String,
    pub diagnostics: Vec<String>,
}

#[derive(Template)]
#[template(path = "officer/policy.html")]
pub struct PolicyPage {
    pub lang: Lang,
    pub nav: Nav,
    pub source: String,
    pub loaded_at: String,
    pub versions: Vec<VersionLine>,
    pub params: Vec<ParamLine>,
    pub warnings: Vec<Problem>,
    pub refused: Option<(String, Vec<String>)>,
    pub reloads: Vec<ReloadLine>,
    pub files: Vec<(String, Vec<(usize, String)>)>,
    pub can_edit: bool,
}

#[get("/officer/policy")]
pub async fn policy_files(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let loaded = state.snapshot();
    let p = &loaded.policy;
    let reloads = s
        .store(&state)?
        .reloads(50)
        .await
        .map_err(|e| s.db_error(e))?;
    let files = state.source.files();
    let slots = draft::slots(&files);
    Ok(page(
        &PolicyPage {
            lang: l,
            nav: nav(&s),
            source: state.source.describe(),
            loaded_at: crate::store::stamp(loaded.loaded_at)[..16].replace('T', " "),
            versions: p
                .versions
                .iter()
                .map(|v| VersionLine {
                    id: v.id.to_string(),
                    name: l.t(&v.zh, &v.en).to_string(),
                    from: v.from.to_string(),
                    until: v
                        .until
                        .map_or(l.t("长期有效", "open-ended").into(), |u| u.to_string()),
                    programs: v.rules.programs.len(),
                })
                .collect(),
            params: param_lines(p, &slots, &[], l),
            warnings: problems(&p.warnings, l, &files),
            refused: state.last_failure().map(|f| {
                (
                    crate::store::stamp(f.at)[..16].replace('T', " "),
                    f.diagnostics,
                )
            }),
            reloads: reloads
                .into_iter()
                .map(|r| ReloadLine {
                    at: view::short_time(&r.at),
                    outcome: match r.outcome.as_str() {
                        "started" => l.t("启动时加载", "Loaded at start"),
                        "reloaded" => l.t("已重新加载", "Reloaded"),
                        _ => l.t(
                            "拒绝加载（仍用原政策）",
                            "Refused (the policy in use was kept)",
                        ),
                    },
                    refused: r.outcome == "refused",
                    summary: in_language(&r.summary, l),
                    diagnostics: r
                        .diagnostics
                        .lines()
                        .filter(|d| !d.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
                .collect(),
            files: files
                .into_iter()
                .map(|(n, t)| {
                    let lines = t
                        .lines()
                        .enumerate()
                        .map(|(i, line)| (i + 1, line.to_string()))
                        .collect();
                    (n, lines)
                })
                .collect(),
            can_edit: s.role() == Role::Policy,
        },
        StatusCode::OK,
        lang,
    ))
}

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

fn edits_of(d: &Draft) -> Vec<Edit> {
    serde_json::from_str(&d.edits).unwrap_or_default()
}

async fn drafts_page(
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
                    changes: edits_of(d).len(),
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

use crate::store::today;

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
    if let Some(p) = crate::applicant::unsafe_text(name, false) {
        return Err(format!(
            "{}{}",
            l.t("草案名称：", "Draft name: "),
            l.t(p.zh, p.en)
        ));
    }
    Ok(name.to_string())
}

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
    pub problems: Vec<Problem>,
    pub diff: String,
    pub can_edit: bool,
    pub can_simulate: bool,
    pub as_of: String,
    pub saved: Option<String>,
}

/// A draft's files (the files in force, `before`, with its edits) and the policy they make
/// (or its diagnostics).
struct Built {
    after: Vec<(String, String)>,
    policy: Result<Policy, Vec<Diagnostic>>,
}

fn build(before: &[(String, String)], edits: &[Edit]) -> Result<Built, Vec<draft::EditError>> {
    let after = draft::apply(before, edits)?;
    let policy = draft::load_files(Path::new("draft"), &after);
    Ok(Built { after, policy })
}

async fn own_draft(s: &Signed, state: &AppState, id: i64) -> Result<Option<Draft>, AuthError> {
    s.store(state)?.draft(id).await.map_err(|e| s.db_error(e))
}

fn no_draft() -> HttpResponse {
    super::super::html::message(StatusCode::NOT_FOUND, "没有这份草案", "No such draft")
}

#[allow(clippy::too_many_arguments)]
fn draft_page(
    s: &Signed,
    state: &AppState,
    lang: PageLang,
    d: &Draft,
    edits: &[Edit],
    errors: Vec<String>,
    saved: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let l = lang.lang;
    let files = state.source.files();
    let slots = draft::slots(&files);
    let built = build(&files, edits);
    let (diff, problems, can_simulate) = match &built {
        Ok(b) => match &b.policy {
            Ok(p) => (
                draft::diff(&files, &b.after),
                problems(&p.warnings, l, &b.after),
                true,
            ),
            Err(d) => (
                draft::diff(&files, &b.after),
                problems(d, l, &b.after),
                false,
            ),
        },
        Err(_) => (String::new(), Vec::new(), false),
    };
    let mut errors = errors;
    if let Err(stale) = &built {
        // The files changed since the draft was saved: say which values no longer apply.
        errors.extend(stale.iter().map(|e| {
            let name = slots.iter().find(|s| s.key == e.slot).map_or_else(
                || l.t("草案中的一项参数", "A value of the draft").to_string(),
                |s| slot_words(s, l).0,
            );
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
            params: param_lines(&state.snapshot().policy, &slots, edits, l),
            errors,
            problems,
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
        &edits_of(&d),
        Vec::new(),
        saved,
        StatusCode::OK,
    ))
}

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
    let slots = draft::slots(&state.source.files());
    let mut errors = Vec::new();
    let mut edits = Vec::new();
    for slot in &slots {
        let typed = form.get(&format!("v:{}", slot.key)).trim();
        if typed.is_empty() {
            continue;
        }
        match draft::normalise(typed) {
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
    let name = match draft_name(form.get("name"), l) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            d.name.clone()
        }
    };
    if !errors.is_empty() {
        let shown = Draft { name, ..d };
        return Ok(draft_page(
            &s,
            &state,
            lang,
            &shown,
            &edits,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let json = serde_json::to_string(&edits).unwrap_or_else(|_| "[]".into());
    s.store(&state)?
        .save_draft(d.id, &name, &json, s.name())
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(redirect(&format!(
        "/officer/policy/drafts/{}?saved=1",
        d.id
    )))
}

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
    let body = match build(&files, &edits_of(&d)) {
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

/// What a simulation form asked for.
struct Asked {
    as_of: Option<chrono::NaiveDate>,
    saved: bool,
    population: Option<(String, Vec<u8>)>,
    draft_zip: Option<Vec<u8>>,
}

/// Reads a simulation form (multipart: csrf, as_of, saved, population, and for an upload
/// draft): `Err` is the answer to give.
async fn read_asked(
    s: &Signed,
    form: &mut actix_multipart::Multipart,
    l: Lang,
) -> Result<Result<Asked, (StatusCode, String)>, AuthError> {
    let parts = match read_parts(s, form, |name| match name {
        "population" => UPLOAD_LIMIT,
        "draft" => DRAFT_ZIP_LIMIT,
        _ => 1024,
    })
    .await?
    {
        Ok(p) => p,
        Err(PartsProblem::TooLarge) => {
            return Ok(Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                l.t(
                    "文件过大：人群文件最多 16 MiB，草案 zip 最多 4 MiB",
                    "A file is too large: a population file takes up to 16 MiB, a draft zip up to 4 MiB",
                )
                .into(),
            )));
        }
        Err(PartsProblem::Broken) => {
            return Ok(Err((
                StatusCode::BAD_REQUEST,
                l.t(
                    "文件没有完整上传，请重新上传",
                    "The file did not arrive whole: upload it again",
                )
                .into(),
            )));
        }
    };
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(&p.data).trim().to_string())
            .unwrap_or_default()
    };
    let as_of = match text("as_of").as_str() {
        "" => None,
        t => match store::parse_day(t) {
            Some(d) => Some(d),
            None => {
                return Ok(Err((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    l.t(
                        "测算日期：请写作 YYYY-MM-DD",
                        "Date: write it as YYYY-MM-DD",
                    )
                    .into(),
                )));
            }
        },
    };
    let file = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && !p.data.is_empty())
            .map(|p| (p.file_name.clone().unwrap_or_default(), p.data.clone()))
    };
    Ok(Ok(Asked {
        as_of,
        saved: !text("saved").is_empty(),
        population: file("population"),
        draft_zip: file("draft").map(|(_, d)| d),
    }))
}

/// Runs a simulation of `draft` against the policy in use, stores it and answers with a
/// redirect to it.
async fn run_simulation(
    s: &Signed,
    state: &AppState,
    draft_id: Option<i64>,
    title: String,
    draft: Policy,
    asked: Asked,
    l: Lang,
) -> Result<Result<i64, (StatusCode, String)>, AuthError> {
    if !asked.saved && asked.population.is_none() {
        return Ok(Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(
                "测算人群：请勾选“已保存的申请”或上传人群文件",
                "People: tick “saved applications” or upload a file of people",
            )
            .into(),
        )));
    }
    let store = s.store(state)?;
    let saved = if asked.saved {
        store.saved_profiles().await.map_err(|e| s.db_error(e))?
    } else {
        Vec::new()
    };
    // Who was simulated, in both languages (a line each; the page shows its own).
    let mut described: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    if asked.saved {
        described[0].push(format!("已保存的申请 {} 份", saved.len()));
        described[1].push(format!("{} saved applications", saved.len()));
    }
    if let Some((name, _)) = &asked.population {
        let shown: String = name
            .chars()
            .filter(|c| !crate::applicant::is_unsafe_char(*c, false) && *c != '\n')
            .take(100)
            .collect();
        described[0].push(format!("文件 {shown}"));
        described[1].push(format!("file {shown}"));
    }
    let population_words = format!("{}\n{}", described[0].join("，"), described[1].join(", "));
    let loaded = state.snapshot();
    let population = asked.population;
    let as_of = asked.as_of;
    let ran = auth::blocking(false, move || {
        let current = &loaded.policy;
        let ctx = EitherPolicy(current, &draft);
        let mut people = from_saved(&saved, &ctx);
        if let Some((_, bytes)) = &population {
            let Read {
                people: more,
                skipped,
            } = read_file(bytes, &ctx, crate::simulate::population::CONSOLE_MAX_PEOPLE)?;
            people.people.extend(more);
            people.skipped.extend(skipped);
        }
        let as_of = as_of.unwrap_or_else(|| default_as_of(&draft, today()));
        let mut sim =
            simulate(current, &draft, &people.people, as_of).map_err(|e| (e.zh(), e.en()))?;
        sim.skipped_count = people.skipped.len() as u64;
        people.skipped.truncate(100);
        sim.skipped = people.skipped;
        Ok::<Simulation, (String, String)>(sim)
    })
    .await?;
    let sim = match ran {
        Ok(sim) => sim,
        Err((zh, en)) => {
            return Ok(Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                l.t(&zh, &en).to_string(),
            )));
        }
    };
    let json = serde_json::to_string(&sim).unwrap_or_default();
    let id = store
        .save_simulation(draft_id, &title, &population_words, s.name(), &json)
        .await
        .map_err(|e| s.db_error(e))?;
    Ok(Ok(id))
}

#[post("/officer/policy/drafts/{id}/simulate")]
pub async fn simulate_draft(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, AuthError> {
    let lang = language(&req, None);
    let l = lang.lang;
    let asked = read_asked(&s, &mut form, l).await?;
    s.policy_reader()?;
    let Some(d) = own_draft(&s, &state, path.into_inner()).await? else {
        return Ok(no_draft());
    };
    let edits = edits_of(&d);
    let refuse =
        |status, said: String| draft_page(&s, &state, lang, &d, &edits, vec![said], None, status);
    let asked = match asked {
        Ok(a) => a,
        Err((status, said)) => return Ok(refuse(status, said)),
    };
    let policy = match build(&state.source.files(), &edits).map(|b| b.policy) {
        Ok(Ok(p)) => p,
        _ => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                l.t(
                    "草案有错误，请先改正（见下方问题）",
                    "The draft has errors: correct them first (see the problems below)",
                )
                .into(),
            ));
        }
    };
    match run_simulation(&s, &state, Some(d.id), d.name.clone(), policy, asked, l).await? {
        Ok(id) => Ok(redirect(&format!("/officer/policy/simulations/{id}"))),
        Err((status, said)) => Ok(refuse(status, said)),
    }
}

/// The `.toml` files of a zipped draft folder (their names without any folder), or why not.
fn unzip_draft(bytes: &[u8], l: Lang) -> Result<Vec<(String, String)>, String> {
    use std::io::Read as _;
    let bad = |zh: &str, en: &str| l.t(zh, en).to_string();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| bad("草案不是 zip 文件", "The draft is not a zip file"))?;
    if archive.len() > DRAFT_FILES * 4 {
        return Err(bad("zip 中文件过多", "Too many files in the zip"));
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            return Err(bad("zip 文件已损坏", "The zip file is damaged"));
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .ok()
            .and_then(|n| n.rsplit('/').next().map(str::to_string))
            .unwrap_or_default();
        if !name.ends_with(".toml") || name.starts_with('.') {
            continue;
        }
        let mut text = String::new();
        let read = entry.take(DRAFT_FILE_LIMIT + 1).read_to_string(&mut text);
        if read.is_err() || text.len() as u64 > DRAFT_FILE_LIMIT {
            return Err(bad(
                "zip 中的政策文件须为 UTF-8 文本，每个不超过 1 MiB",
                "Policy files in the zip are UTF-8 text of at most 1 MiB each",
            ));
        }
        if files.iter().any(|(n, _)| *n == name) {
            return Err(format!(
                "{}{name}",
                l.t(
                    "zip 中有两个同名文件：",
                    "Two files in the zip have the name "
                )
            ));
        }
        files.push((name, text));
        if files.len() > DRAFT_FILES {
            return Err(bad(
                "zip 中的政策文件过多",
                "Too many policy files in the zip",
            ));
        }
    }
    if files.is_empty() {
        return Err(bad(
            "zip 中没有 .toml 政策文件",
            "The zip holds no .toml policy file",
        ));
    }
    Ok(files)
}

/// The drafts page again, saying why an uploaded draft was not simulated.
async fn refused_upload(
    s: &Signed,
    state: &AppState,
    lang: PageLang,
    status: StatusCode,
    said: String,
) -> Result<HttpResponse, AuthError> {
    drafts_page(s, state, lang, Some(said), status).await
}

#[post("/officer/policy/simulate")]
pub async fn simulate_upload(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, AuthError> {
    let lang = language(&req, None);
    let l = lang.lang;
    let asked = read_asked(&s, &mut form, l).await?;
    s.policy_reader()?;
    let asked = match asked {
        Ok(a) => a,
        Err((status, said)) => return refused_upload(&s, &state, lang, status, said).await,
    };
    let Some(zip) = asked.draft_zip.as_deref() else {
        return refused_upload(
            &s,
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t(
                "草案：请上传政策文件夹的 zip",
                "Draft: upload the policy folder as a zip",
            )
            .into(),
        )
        .await;
    };
    // Unpacked and loaded on a blocking thread, within a time budget: the async workers go
    // on answering whatever the draft holds.
    let zip = zip.to_vec();
    let work = auth::blocking(false, move || {
        let files = unzip_draft(&zip, l)?;
        let loaded = draft::load_files(Path::new("draft.zip"), &files);
        Ok::<_, String>((files, loaded))
    });
    let (files, loaded) = match tokio::time::timeout(DRAFT_LOAD_BUDGET, work).await {
        Ok(done) => match done? {
            Ok(got) => got,
            Err(e) => {
                return refused_upload(&s, &state, lang, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            }
        },
        Err(_) => {
            tracing::warn!(officer = %s.name(), "an uploaded draft took too long to read");
            let said = l.t(
                "草案过大或过于复杂，未能在限定时间内读完",
                "The draft is too large or too complex to read in the time allowed",
            );
            return refused_upload(
                &s,
                &state,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                said.into(),
            )
            .await;
        }
    };
    let policy = match loaded {
        Ok(p) => p,
        Err(diags) => {
            let lines: Vec<String> = problems(&diags, l, &files)
                .into_iter()
                .filter(|p| !p.warning)
                .map(|p| format!("{} {}", p.place, p.text))
                .collect();
            return refused_upload(
                &s,
                &state,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "{}{}",
                    l.t("草案有错误：", "The draft has errors: "),
                    lines.join(l.t("；", "; "))
                ),
            )
            .await;
        }
    };
    let title = l.t("上传的草案", "Uploaded draft").to_string();
    match run_simulation(&s, &state, None, title, policy, asked, l).await? {
        Ok(id) => Ok(redirect(&format!("/officer/policy/simulations/{id}"))),
        Err((status, said)) => refused_upload(&s, &state, lang, status, said).await,
    }
}

pub struct ProgramLine {
    pub name: String,
    pub current_count: u64,
    pub current: String,
    pub draft_count: u64,
    pub draft: String,
    pub change: String,
}

pub struct CashLine {
    pub year: i32,
    pub current: String,
    pub draft: String,
    pub change: String,
}

pub struct TopLine {
    pub label: String,
    pub current: String,
    pub draft: String,
    pub change: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "officer/policy_simulation.html")]
pub struct SimulationPage {
    pub lang: Lang,
    pub nav: Nav,
    pub id: i64,
    pub title: String,
    pub draft_id: Option<i64>,
    pub by: String,
    pub population: String,
    pub sim: Simulation,
    pub params: Vec<(String, String, String)>,
    pub programs: Vec<ProgramLine>,
    pub total: (String, String, String),
    pub cash: Vec<CashLine>,
    pub bands: Vec<(String, u64)>,
    pub top: Vec<TopLine>,
    pub skipped: Vec<(String, String)>,
    pub chart_programs: String,
    pub chart_cash: String,
    pub chart_bands: String,
    pub tables: Vec<(&'static str, &'static str)>,
}

#[get("/officer/policy/simulations/{id}")]
pub async fn simulation(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let Some(run) = s
        .store(&state)?
        .simulation(path.into_inner())
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_simulation());
    };
    let Ok(sim) = serde_json::from_str::<Simulation>(&run.result) else {
        return Ok(no_simulation());
    };
    let loaded = state.snapshot();
    let y = |d: &rust_decimal::Decimal| crate::words::yuan(d);
    Ok(page(
        &SimulationPage {
            lang: l,
            nav: nav(&s),
            id: run.id,
            title: run.title,
            draft_id: run.draft_id,
            by: format!("{} · {}", run.created_by, view::short_time(&run.created_at)),
            population: in_language(&run.population, l),
            params: sim
                .parameters
                .iter()
                .map(|p| {
                    let unit = loaded
                        .policy
                        .parameter_unit(&p.name)
                        .map_or(String::new(), |u| format!(" {}", l.t(u.zh(), u.en())));
                    (
                        l.t(&p.zh, &p.en).to_string(),
                        format!("{}{unit}", crate::words::grouped_text(&p.current)),
                        format!("{}{unit}", crate::words::grouped_text(&p.draft)),
                    )
                })
                .collect(),
            programs: sim
                .programs
                .iter()
                .map(|p| ProgramLine {
                    name: l.t(&p.zh, &p.en).to_string(),
                    current_count: p.current_count,
                    current: y(&p.current_amount),
                    draft_count: p.draft_count,
                    draft: y(&p.draft_amount),
                    change: crate::words::signed_yuan(p.change()),
                })
                .collect(),
            total: (
                y(&sim.current_total),
                y(&sim.draft_total),
                crate::words::signed_yuan(sim.draft_total - sim.current_total),
            ),
            cash: sim
                .cash
                .iter()
                .map(|c| CashLine {
                    year: c.year,
                    current: y(&c.current_total()),
                    draft: y(&c.draft_total()),
                    change: crate::words::signed_yuan(c.draft_total() - c.current_total()),
                })
                .collect(),
            bands: sim
                .bands
                .iter()
                .map(|b| (l.t(&b.zh, &b.en).to_string(), b.count))
                .collect(),
            top: sim
                .top
                .iter()
                .map(|c| TopLine {
                    label: c.label.clone(),
                    current: y(&c.current_total),
                    draft: y(&c.draft_total),
                    change: crate::words::signed_yuan(c.change()),
                    reasons: c
                        .reasons
                        .iter()
                        .map(|r| l.t(&r.0, &r.1).to_string())
                        .collect(),
                })
                .collect(),
            skipped: sim.skipped.iter().take(20).cloned().collect(),
            chart_programs: charts::programs(&sim, l),
            chart_cash: charts::cash(&sim, l),
            chart_bands: charts::bands(&sim, l),
            tables: TABLES.iter().map(|(n, zh, en)| (*n, l.t(zh, en))).collect(),
            sim,
        },
        StatusCode::OK,
        lang,
    ))
}

/// One line of a text stored in both languages (Chinese, then English).
fn in_language(text: &str, l: Lang) -> String {
    match text.split_once('\n') {
        Some((zh, en)) => l.t(zh, en).to_string(),
        None => text.to_string(),
    }
}

fn no_simulation() -> HttpResponse {
    super::super::html::message(StatusCode::NOT_FOUND, "没有这次测算", "No such simulation")
}

#[get("/officer/policy/simulations/{id}/{table}.csv")]
pub async fn simulation_csv(
    s: Signed,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let (id, table) = path.into_inner();
    let Some(run) = s
        .store(&state)?
        .simulation(id)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_simulation());
    };
    let csv = serde_json::from_str::<Simulation>(&run.result)
        .ok()
        .and_then(|sim| sim.table_csv(&table));
    Ok(match csv {
        Some(text) => csv_response(text.into_bytes(), &format!("simulation-{id}-{table}.csv")),
        None => no_simulation(),
    })
}
