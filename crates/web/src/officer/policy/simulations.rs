//! Running a simulation: of a saved draft, or of a draft folder uploaded as a zip (unpacked
//! and loaded off the workers, within a budget), on the saved applications and/or an
//! uploaded population.

use super::drafts::{build, change_of, draft_page, drafts_page, no_draft, own_draft};
use super::*;

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
        let saved = store.saved_profiles().await.map_err(|e| s.db_error(e))?;
        // Reading every saved application's answers is in the access log, with how many.
        store
            .log_access(
                s.officer(),
                store::Access::Simulation,
                None,
                store::AccessDetail::words(format!("草案：{title}"), format!("Draft: {title}"))
                    .items(saved.len()),
            )
            .await
            .map_err(|e| s.db_error(e))?;
        saved
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
            .filter(|c| !rules::applicant::is_unsafe_char(*c, false) && *c != '\n')
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
            } = read_file(bytes, &ctx, app::simulate::population::CONSOLE_MAX_PEOPLE)?;
            people.people.extend(more);
            people.skipped.extend(skipped);
        }
        let as_of = as_of.unwrap_or_else(|| default_as_of(&draft, today()));
        let mut sim =
            simulate(current, &draft, &people.people, as_of).map_err(|e| (e.zh(), e.en()))?;
        sim.add_unread(people.skipped);
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

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The draft")), request_body(content = String, content_type = "multipart/form-data", description = "csrf, as_of, saved, population (a file)"), responses((status = 303, description = "Run: to the simulation"), (status = 403, description = "The CSRF token is wrong"), (status = 404, description = "No such draft"), (status = 413, description = "The population file is too large", content_type = "text/html", body = String), (status = 422, description = "Nothing to simulate on, or the draft does not load", content_type = "text/html", body = String)))]
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
    let change = change_of(&d);
    let refuse =
        |status, said: String| draft_page(&s, &state, lang, &d, &change, vec![said], None, status);
    let asked = match asked {
        Ok(a) => a,
        Err((status, said)) => return Ok(refuse(status, said)),
    };
    let policy = match build(&state.source.files(), &change).map(|b| b.policy) {
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

#[utoipa::path(tag = "pages", request_body(content = String, content_type = "multipart/form-data", description = "csrf, draft (a zipped policy folder), as_of, saved, population (a file)"), responses((status = 303, description = "Run: to the simulation"), (status = 403, description = "The CSRF token is wrong"), (status = 413, description = "A file is too large", content_type = "text/html", body = String), (status = 422, description = "The folder does not load, or nothing to simulate on", content_type = "text/html", body = String)))]
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
