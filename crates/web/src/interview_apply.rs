//! From the interview's result to a submitted application without the full form: one page that
//! asks, the interview's way, only what a submission still needs — who the applicant is, the
//! answers an application must carry that the interview never needed, and, for each program
//! still undecided that the person also wants to apply for, the answers it lacks — then the
//! result page with its materials, consent and submit button (the same as after the full form).
//!
//! Invariant: what is submitted is read and assessed exactly as the full form's answers are
//! (`pages::assess_values`); this page only decides which questions to ask.

use super::AppState;
use super::html::{language, page};
use super::http::today;
use super::interview::{QuestionView, question_view};
use super::view::{self, ErrorLink};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use app::service::screening::{describe, screen_value};
use askama::Template;
use rules::applicant::FieldError;
use rules::engine::Status;
use rules::input::{FormValues, Lang, to_partial_json, to_profile_json, unsure_paths};

/// A program still undecided that the person may also apply for.
pub struct OpenProgram {
    pub id: String,
    pub name: String,
    pub checked: bool,
    /// What it still needs, in words.
    pub needs: String,
}

#[derive(Template)]
#[template(path = "interview_apply.html")]
pub struct ApplyPage {
    pub lang: Lang,
    /// The programs the answers qualify for: applied for unless unticked.
    pub eligible: Vec<OpenProgram>,
    pub open: Vec<OpenProgram>,
    pub questions: Vec<QuestionView>,
    pub hidden: Vec<(String, String)>,
    pub errors: Vec<ErrorLink>,
}

/// Names this page sends itself, never answers.
const CONTROLS: [&str; 7] = ["lang", "go", "also", "shown", "stop", "switch", "asked"];

/// The answers as a whole application reads them: what the person was not sure of is left out.
fn answers_only(values: &FormValues) -> FormValues {
    let unsure = unsure_paths(values);
    let mut out = values.clone();
    out.0.retain(|k, vs| {
        !CONTROLS.contains(&k.as_str())
            && !matches!(k.as_str(), "unsure" | "none_of")
            && !unsure.iter().any(|u| u == k)
            && !vs.iter().all(|v| v == "unsure")
    });
    out
}

#[utoipa::path(tag = "pages", request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The interview's answers; `also` names undecided programs to apply for too; `go` when the person pressed Continue"), responses((status = 200, description = "What the application still needs, or (nothing missing) the result page with the materials and the submit button", content_type = "text/html", body = String), (status = 422, description = "The same questions, each error at its answer", content_type = "text/html", body = String)))]
#[post("/interview/apply")]
pub async fn apply_from_interview(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let mut values = FormValues::parse(&body);
    let lang = language(&req, Some(&values));
    let l = lang.lang;
    if values.get("application_date").is_empty() {
        values
            .0
            .insert("application_date".into(), vec![today().to_string()]);
    }
    let loaded = state.snapshot();
    let policy = &loaded.policy;
    let s = match screen_value(policy, &to_partial_json(&values), today()) {
        Ok((_, s)) => s,
        Err(invalid) => {
            let zh: Vec<String> = invalid
                .errors
                .iter()
                .map(|e| e.message(Lang::Zh).to_string())
                .collect();
            let en: Vec<String> = invalid
                .errors
                .iter()
                .map(|e| e.message(Lang::En).to_string())
                .collect();
            return super::html::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &zh.join("；"),
                &en.join("; "),
            );
        }
    };
    let rules = &s.version.rules;
    let also = values.all("also").to_vec();
    // The undecided programs' own questions, for those the person also applies for (asked
    // again even if the interview's answer was "not sure": now it matters to them).
    let mut asked: Vec<String> = s
        .questions
        .iter()
        .filter(|q| {
            q.decides
                .iter()
                .any(|&i| also.iter().any(|a| *a == *s.programs[i].program.id))
        })
        .map(|q| q.path.to_string())
        .collect();
    let whole = answers_only(&values);
    let errors: Vec<FieldError> = match app::service::assess_value(policy, &to_profile_json(&whole))
    {
        Ok(_) => Vec::new(),
        Err(invalid) => invalid.errors,
    };
    // What a submission cannot go without (name, ID, a field the interview did not need).
    let required: Vec<String> = errors
        .iter()
        .map(|e| e.field.split('[').next().unwrap_or(&e.field).to_string())
        .filter(|f| rules::input::fields::field(f).is_some())
        .collect();
    for f in &required {
        if !asked.contains(f) {
            asked.push(f.clone());
        }
    }
    // Continue goes on once nothing required is missing or wrong; an open program's answer
    // may stay "not sure" (the program is then assessed without it).
    let go = !values.get("go").is_empty();
    if errors.is_empty() && (go || asked.is_empty()) {
        return super::pages::assess_values(&req, &state, whole);
    }
    // Errors only once the person has pressed Continue on this page.
    let shown_errors: &[FieldError] = if go { &errors } else { &[] };
    let questions: Vec<QuestionView> = asked
        .iter()
        .map(|path| {
            let mut q = question_view(&describe(path, rules), &values, shown_errors, l);
            if required.contains(path) {
                q.may_be_unsure = false;
                q.choices.retain(|c| c.value != "unsure");
            }
            q
        })
        .collect();
    let visible: Vec<&str> = questions.iter().map(|q| q.name.as_str()).collect();
    let hidden: Vec<(String, String)> = values
        .0
        .iter()
        .filter(|(k, _)| {
            !CONTROLS.contains(&k.as_str())
                && !visible.contains(&k.as_str())
                && !matches!(k.as_str(), "offered" | "apply_for")
        })
        .flat_map(|(k, vs)| {
            let unsure_list = k == "unsure";
            let visible = &visible;
            vs.iter()
                .filter(|v| !v.is_empty())
                .filter(move |v| !(unsure_list && visible.contains(&v.as_str())))
                .map(move |v| (k.clone(), v.clone()))
        })
        .collect();
    let choice = super::choice::Choice::of(&values);
    let eligible = s
        .programs
        .iter()
        .filter(|p| p.is_decided() && p.status() == Some(Status::Eligible))
        .map(|p| OpenProgram {
            id: p.program.id.to_string(),
            name: format!(
                "{} {}",
                l.t(&p.program.zh, &p.program.en),
                view::yuan(&p.amount.1)
            ),
            checked: choice.applies_for(&p.program.id),
            needs: String::new(),
        })
        .collect();
    let open = s
        .programs
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_decided())
        .map(|(i, p)| OpenProgram {
            id: p.program.id.to_string(),
            name: format!(
                "{} {} {}",
                l.t(&p.program.zh, &p.program.en),
                l.t("最高", "up to"),
                view::yuan(&p.amount.1)
            ),
            checked: also.iter().any(|a| *a == *p.program.id),
            needs: s
                .questions
                .iter()
                .filter(|q| q.decides.contains(&i))
                .map(|q| super::result_view::asked_about(q.path, rules, l))
                .collect::<Vec<_>>()
                .join(l.t("、", ", ")),
        })
        .collect();
    let status = if shown_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        &ApplyPage {
            lang: l,
            eligible,
            open,
            questions,
            hidden,
            errors: view::error_links(shown_errors, l),
        },
        status,
        lang,
    )
}
