//! The policy office's pages: the policy files as loaded (source, versions, parameters with
//! units, warnings, the history of loads), drafts of parameter changes saved in the database,
//! the change as a diff to commit, and simulations of a draft — from the form, or a draft
//! folder uploaded as a zip — on the saved applications and/or an uploaded population.
//!
//! Invariants: a draft never changes what applicants see (it is loaded apart, never
//! swapped in); only the policy role edits drafts; reviewers and the policy role read the
//! files and run simulations; a stored simulation holds figures and reference numbers only.

use super::*;
use crate::result_view;
use app::simulate::population::{EitherPolicy, Read, from_saved, read_file};
use app::simulate::{Simulation, charts, default_as_of, simulate, tables::TABLES};
use rules::policy::load::draft::{self, Change, Edit, Slot};
use rules::policy::{Diagnostic, Policy, Severity};
use std::path::Path;
use store::Draft;
use store::today;

mod drafts;
mod results;
mod simulations;
mod words;
pub use drafts::{draft_diff, draft_form, drafts_list, new_draft, save_draft};
pub use results::{charts_file, simulation, simulation_csv};
pub use simulations::{simulate_draft, simulate_upload};

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

/// The tier a slot's value is for, in words (`C类`, `other tiers`).
fn tier_words(slot: &Slot, l: Lang) -> Option<String> {
    slot.tier.as_deref().map(|t| {
        if t == "others" {
            l.t("其他层次", "other tiers").to_string()
        } else {
            format!("{}{}", l.t("", "tier "), t) + l.t("类", "")
        }
    })
}

fn slot_words(slot: &Slot, l: Lang) -> (String, String) {
    let tier = tier_words(slot, l);
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
                cite: result_view::citation(policy, &s.cite, l),
                file_line: format!("{}:{}", s.file, s.line),
                value: rules::words::grouped_text(edited.map_or(&s.value, |e| &e.value)),
                current: rules::words::grouped_text(&s.value),
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
    /// The last day of the working-day calendar, in words.
    pub calendar: String,
    /// Said when the calendar does not reach far enough ahead.
    pub calendar_short: Option<String>,
    pub refused: Option<(String, Vec<String>)>,
    pub reloads: Vec<ReloadLine>,
    pub files: Vec<(String, Vec<(usize, String)>)>,
    pub can_edit: bool,
}

#[utoipa::path(tag = "pages", responses((status = 200, description = "The policy files as loaded: versions, parameters with units, warnings, the history of loads", content_type = "text/html", body = String), (status = 403, description = "Neither a reviewer nor the policy office")))]
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
            source: match &state.source {
                rules::policy::PolicySource::Dir(d) => format!(
                    "{}{}{}",
                    l.t("服务器上的政策文件夹 ", "The policy folder "),
                    d.display(),
                    l.t(
                        "（文件修改后自动重新加载）",
                        " on the server (reloaded when a file changes)"
                    )
                ),
                rules::policy::PolicySource::BuiltIn => l
                    .t(
                        "程序内置的默认政策文件",
                        "The default policy files built into the program",
                    )
                    .to_string(),
            },
            loaded_at: store::stamp(loaded.loaded_at)[..16].replace('T', " "),
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
            calendar: p.calendar.covered_through().map_or_else(
                || l.t("没有工作日历", "No working-day calendar").to_string(),
                |last| format!("{}{last}", l.t("至 ", "until ")),
            ),
            calendar_short: rules::policy::load::calendar_shortfall(&p.calendar, today())
                .map(|m| l.t(&m.zh, &m.en).to_string()),
            refused: state
                .last_failure()
                .map(|f| (store::stamp(f.at)[..16].replace('T', " "), f.diagnostics)),
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

/// One line of a text stored in both languages (Chinese, then English).
fn in_language(text: &str, l: Lang) -> String {
    match text.split_once('\n') {
        Some((zh, en)) => l.t(zh, en).to_string(),
        None => text.to_string(),
    }
}
