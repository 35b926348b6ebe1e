//! The guided interview, the applicant's default way in: a few questions per page — those
//! that decide the most money, grouped by section — with the running range and which
//! programs are decided. Plain HTML without JavaScript; every answer so far travels in the
//! page's hidden inputs (no server-side session, nothing personal in a URL). "不清楚 / Not
//! sure" is always allowed and leaves the answer unknown. It ends when every program is
//! decided or the applicant asks for the result; undecided programs then read "信息不足 /
//! Need more information", never "not eligible".

use super::AppState;
use super::html::{language, page};
use super::http::today;
use super::interview_result::{range_text, result_page};
use super::view::{self, ErrorLink};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use app::service::screening::{NextQuestion, describe, describe_sections, screen_value};
use askama::Template;
use rules::applicant::FieldError;
use rules::engine::Status;
use rules::engine::screen::ProgramRange;
use rules::engine::screen::SECTIONS;
use rules::input::fields::FormSection;
use rules::input::{FormValues, Lang, to_partial_json, unsure_paths};

/// At most this many questions on one page.
const PER_PAGE: usize = 4;

#[derive(Clone)]
pub struct ChoiceView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct QuestionView {
    /// The input's name (a profile path, or a section's toggle).
    pub name: String,
    /// The profile path (what "not sure" names).
    pub path: String,
    pub id: String,
    pub label: String,
    pub help: String,
    /// `radio` (one of the choices, "not sure" among them), `checks` (several), `input`.
    pub kind: &'static str,
    pub inputmode: &'static str,
    pub placeholder: &'static str,
    pub unit: String,
    pub value: String,
    pub choices: Vec<ChoiceView>,
    pub unsure: bool,
    /// Whether "not sure" is offered (never for what a submission must have, such as the ID).
    pub may_be_unsure: bool,
    /// For a list question: "none of these" is ticked (nothing ticked is not an answer).
    pub none_of: bool,
    pub error: Option<String>,
}

impl QuestionView {
    pub fn describedby(&self) -> String {
        view::describedby(&self.id, !self.help.is_empty(), self.error.is_some())
    }
}

/// One program in the running overview.
pub struct ProgramLine {
    pub name: String,
    /// `yes` (decided, pays), `no` (decided, pays nothing), `open`.
    pub state: &'static str,
    pub state_label: &'static str,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "interview.html")]
pub struct InterviewPage {
    pub lang: Lang,
    pub total: String,
    pub decided: bool,
    pub programs: Vec<ProgramLine>,
    /// Programs decided to pay, still open, decided not to.
    pub counts: (usize, usize, usize),
    pub questions: Vec<QuestionView>,
    pub hidden: Vec<(String, String)>,
    pub errors: Vec<ErrorLink>,
}

/// The interview's first page: today's date, nothing known yet.
#[utoipa::path(tag = "pages", params(("lang" = Option<String>, Query, description = "zh or en; remembered in a cookie")), responses((status = 200, description = "The interview's first questions", content_type = "text/html", body = String)))]
#[get("/")]
pub async fn start(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut values = FormValues::default();
    values
        .0
        .insert("application_date".into(), vec![today().to_string()]);
    step(&req, &state, values)
}

/// The next step: the answers so far (hidden) and this page's, screened; the next questions,
/// or the result.
#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The answers so far, named by their profile paths; `unsure` names what the applicant is not sure of; `stop` asks for the result now"), responses((status = 200, description = "The next questions, or the result", content_type = "text/html", body = String), (status = 422, description = "The same questions, each error at its answer", content_type = "text/html", body = String)))]
#[post("/interview")]
pub async fn next(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    step(&req, &state, FormValues::parse(&body))
}

fn step(req: &HttpRequest, state: &AppState, mut values: FormValues) -> HttpResponse {
    let lang = language(req, Some(&values));
    settle_sections(&mut values);
    if values.get("application_date").is_empty() {
        values
            .0
            .insert("application_date".into(), vec![today().to_string()]);
    }
    let loaded = state.snapshot();
    let policy = &loaded.policy;
    let json = to_partial_json(&values);
    let stop = !values.get("stop").is_empty();
    // The language switch shows this page again in the other language, answers kept, without
    // moving on (and without judging answers half typed).
    let switching = !values.get("switch").is_empty() && !values.all("shown").is_empty();
    let (partial, s, errors) = match screen_value(policy, &json, today()) {
        Ok((p, s)) => (Some(p), s, Vec::new()),
        Err(invalid) => {
            // Show this page's questions again with their errors; the overview comes from the
            // answers that are valid.
            let mut valid = values.clone();
            for e in &invalid.errors {
                let base = e.field.split('[').next().unwrap_or(&e.field);
                valid.0.remove(base);
            }
            match screen_value(policy, &to_partial_json(&valid), today()) {
                Ok((_, s)) => (None, s, invalid.errors),
                Err(again) => {
                    let text: Vec<String> = again
                        .errors
                        .iter()
                        .map(|e| e.message(lang.lang).to_string())
                        .collect();
                    return super::html::message(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &text.join("；"),
                        &text.join("; "),
                    );
                }
            }
        }
    };
    let unsure = unsure_paths(&values);
    let asks = s.asks();
    let remaining: Vec<&rules::engine::screen::Question> = asks
        .iter()
        .filter(|q| !unsure.iter().any(|u| u == q.path))
        .collect();
    let errors = if switching { Vec::new() } else { errors };
    if errors.is_empty() && !switching && (stop || remaining.is_empty()) {
        let result = result_page(
            policy,
            &s,
            partial.as_ref(),
            &values,
            lang.lang,
            !remaining.is_empty(),
        );
        return page(&result, StatusCode::OK, lang);
    }
    // This page's questions: again those that had errors, else the largest stake's group.
    let shown: Vec<String> = if switching {
        values.all("shown").to_vec()
    } else if errors.is_empty() {
        let first = remaining.first().map(|q| section_of(q.path));
        remaining
            .iter()
            .filter(|q| Some(section_of(q.path)) == first)
            .take(PER_PAGE)
            .map(|q| q.path.to_string())
            .collect()
    } else {
        values.all("shown").to_vec()
    };
    let rules = &s.version.rules;
    // The sections "which of these describe you" offers: this step's, or those offered before
    // (shown again after a language switch).
    let offered: Vec<String> = match remaining.iter().find(|q| q.path == SECTIONS) {
        Some(q) if !switching => q.settles.iter().map(|s| s.to_string()).collect(),
        _ => values.all("offered").to_vec(),
    };
    let questions: Vec<QuestionView> = shown
        .iter()
        .map(|path| {
            let q = if path == SECTIONS {
                let settles: Vec<&str> = offered.iter().map(String::as_str).collect();
                describe_sections(&settles, rules)
            } else {
                describe(path, rules)
            };
            question_view(&q, &values, &errors, lang.lang)
        })
        .collect();
    let visible: Vec<&str> = questions
        .iter()
        .flat_map(|q| [q.name.as_str(), q.path.as_str()])
        .collect();
    let hidden = values
        .0
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "lang" | "stop" | "switch" | "shown" | "none_of" | "unsure" | "offered" | SECTIONS
            )
        })
        .filter(|(k, _)| !visible.contains(&k.as_str()))
        .flat_map(|(k, vs)| {
            vs.iter()
                .filter(|v| !v.is_empty())
                .map(move |v| (k.clone(), v.clone()))
        })
        .chain(
            ["none_of", "unsure"]
                .into_iter()
                .flat_map(|k| {
                    values
                        .all(k)
                        .iter()
                        .map(move |v| (k.to_string(), v.clone()))
                })
                // "None of these" for the sections travels as their toggles.
                .filter(|(k, v)| {
                    !(visible.contains(&v.as_str()) || (k == "none_of" && v == SECTIONS))
                }),
        )
        .chain(shown.iter().map(|p| ("shown".to_string(), p.clone())))
        .chain(
            shown
                .iter()
                .any(|p| p == SECTIONS)
                .then(|| offered.iter().map(|o| ("offered".to_string(), o.clone())))
                .into_iter()
                .flatten(),
        )
        .collect();
    let programs: Vec<ProgramLine> = s
        .programs
        .iter()
        .map(|p| program_line(p, lang.lang))
        .collect();
    let count = |state: &str| programs.iter().filter(|p| p.state == state).count();
    let counts = (count("yes"), count("open"), count("no"));
    let interview = InterviewPage {
        lang: lang.lang,
        total: range_text(&s.total.0, &s.total.1),
        decided: s.total.0 == s.total.1,
        programs,
        counts,
        questions,
        hidden,
        errors: view::error_links(&errors, lang.lang),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(&interview, status, lang)
}

/// "Which of these describe you", answered: each section offered applies when ticked (the
/// home purchase makes housing apply too) and does not when not; nothing ticked, without
/// "none of these", says nothing, and "not sure" leaves them all unknown. The answer then
/// travels as the sections' own toggles.
fn settle_sections(values: &mut FormValues) {
    let offered = values.all("offered").to_vec();
    let ticked = values.all(SECTIONS).to_vec();
    if offered.is_empty()
        || values.has("unsure", SECTIONS)
        || (ticked.is_empty() && !values.has("none_of", SECTIONS))
    {
        return;
    }
    for path in &offered {
        let Some((toggle, _, _)) = FormSection::from_profile_path(path).and_then(|s| s.toggle())
        else {
            continue;
        };
        let applies = ticked
            .iter()
            .any(|t| t == path || t.starts_with(&format!("{path}.")));
        values.0.insert(
            toggle.to_string(),
            vec![if applies { "1" } else { "0" }.to_string()],
        );
    }
}

/// The part of the profile a question belongs to: questions about the person share a page,
/// and so do those of one section (a section's own question is asked alone, before its
/// fields).
fn section_of(path: &str) -> &str {
    if FormSection::from_profile_path(path).is_some() {
        return path;
    }
    match path.rsplit_once('.') {
        Some((section, _)) => section,
        None => path,
    }
}

fn program_line(p: &ProgramRange<'_>, lang: Lang) -> ProgramLine {
    let (state, state_label) = match p.status() {
        Some(Status::Eligible) => ("yes", lang.t("可享受", "Eligible")),
        Some(_) => ("no", lang.t("不能享受", "Not available")),
        None => ("open", lang.t("待定", "Open")),
    };
    ProgramLine {
        name: lang.t(&p.program.zh, &p.program.en).to_string(),
        state,
        state_label,
        amount: match state {
            "open" => format!("{} {}", lang.t("最高", "up to"), view::yuan(&p.amount.1)),
            "yes" => view::yuan(&p.amount.0),
            _ => String::new(),
        },
    }
}

pub(crate) fn question_view(
    q: &NextQuestion,
    values: &FormValues,
    errors: &[FieldError],
    lang: Lang,
) -> QuestionView {
    let section = FormSection::from_profile_path(&q.field);
    let name = section
        .and_then(|s| s.toggle())
        .map_or(q.field.clone(), |(t, _, _)| t.to_string());
    let value = values.get(&name).to_string();
    let unsure = values.has("unsure", &q.field) || value == "unsure";
    let error = errors
        .iter()
        .filter(|e| e.field.split('[').next() == Some(q.field.as_str()))
        .map(|e| e.message(lang).to_string())
        .collect::<Vec<_>>();
    let error = (!error.is_empty()).then(|| error.join(lang.t("；", "; ")));
    let not_sure = ChoiceView {
        value: "unsure".into(),
        label: lang.t("不清楚", "Not sure").into(),
        checked: unsure,
    };
    let yes_no = |yes: &str, no: &str| {
        vec![
            ChoiceView {
                value: yes.into(),
                label: lang.t("是", "Yes").into(),
                checked: value == yes,
            },
            ChoiceView {
                value: no.into(),
                label: lang.t("否", "No").into(),
                checked: value == no,
            },
        ]
    };
    // A section offered in "which of these describe you" is ticked once its toggle says so.
    let toggled = |path: &str, on: &str| {
        FormSection::from_profile_path(path)
            .and_then(|s| s.toggle())
            .is_some_and(|(t, _, _)| values.get(t) == on)
    };
    let choices: Vec<ChoiceView> = q
        .choices
        .iter()
        .map(|c| ChoiceView {
            value: c.value.clone(),
            label: lang.t(&c.label_zh, &c.label_en).to_string(),
            checked: values.has(&name, &c.value)
                || (q.kind == "sections" && toggled(&c.value, "1")),
        })
        .collect();
    let (kind, choices) = match q.kind.as_str() {
        "section" => ("radio", [yes_no("1", "0"), vec![not_sure]].concat()),
        "yes_no" => ("radio", [yes_no("true", "false"), vec![not_sure]].concat()),
        "choice" => ("radio", [choices, vec![not_sure]].concat()),
        "text" if !choices.is_empty() => {
            let other = ChoiceView {
                value: lang.t("其他院校", "Another institution").into(),
                label: lang
                    .t(
                        "其他院校（不在上述名单中）",
                        "Another institution (not listed above)",
                    )
                    .into(),
                checked: !value.is_empty()
                    && value != "unsure"
                    && !q.choices.iter().any(|c| c.value == value),
            };
            ("radio", [choices, vec![other, not_sure]].concat())
        }
        "list" | "sections" => ("checks", choices),
        _ => ("input", Vec::new()),
    };
    let (inputmode, placeholder) = match q.kind.as_str() {
        "date" if q.field == "person.birth_date" => ("numeric", "1990-05-01"),
        "date" => ("numeric", "2025-08-01"),
        "money" => (
            "decimal",
            lang.t("如 30万 或 300000", "e.g. 300000 or 30万"),
        ),
        "number" => ("decimal", ""),
        _ => ("text", ""),
    };
    // "Required with a degree" is the full form's word; here the degree is already known.
    let form_only =
        q.field.starts_with("person.institution") || q.field == "person.graduation_date";
    let help = if form_only && q.kind != "date" {
        String::new()
    } else if q.kind == "date" {
        lang.t(
            "如 2025-08-01、2025/8/1 或 2025年8月1日",
            "e.g. 2025-08-01, 2025/8/1 or 20250801",
        )
        .to_string()
    } else {
        lang.t(&q.help_zh, &q.help_en).to_string()
    };
    QuestionView {
        id: rules::input::fields::input_id(&q.field),
        path: q.field.clone(),
        name,
        label: lang.t(&q.label_zh, &q.label_en).to_string(),
        help,
        kind,
        inputmode,
        placeholder,
        // A label that already names its unit ("年薪（元）") does not get it twice.
        unit: {
            let (label, unit) = (
                lang.t(&q.label_zh, &q.label_en),
                lang.t(&q.unit_zh, &q.unit_en),
            );
            if label.contains(&format!("（{unit}）")) || label.contains(&format!("({unit})")) {
                String::new()
            } else {
                unit.to_string()
            }
        },
        value: if value == "unsure" {
            String::new()
        } else {
            value
        },
        choices,
        unsure,
        may_be_unsure: true,
        none_of: values.has("none_of", &q.field)
            || (q.kind == "sections"
                && !q.choices.is_empty()
                && q.choices.iter().all(|c| toggled(&c.value, "0"))),
        error,
    }
}
