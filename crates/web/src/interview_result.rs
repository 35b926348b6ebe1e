//! The interview's result: what the answers decide, program by program, grouped as the full
//! result groups them (可以享受, 信息不足, 不能享受, 不能享受或不适用 where a section was not
//! asked, 不适用), each range with what decides it, and the checklist of what to prepare.

use super::result_view;
use super::view;
use askama::Template;
use rules::engine::Status;
use rules::engine::screen::Screening;
use rules::input::{FormValues, Lang};
use rules::policy::Policy;
use rust_decimal::Decimal;

/// A program in the result, with the reasons in words.
pub struct ResultProgram {
    pub name: String,
    pub amount: String,
    pub rule: String,
    pub citation: String,
    /// Conditions: (✓/✗/?, words).
    pub conditions: Vec<(&'static str, String)>,
    /// What is still missing to decide it (labels of the questions).
    pub missing: Vec<String>,
    pub installments: Vec<(String, String)>,
    pub review: bool,
    /// How the amount is computed, when it is decided.
    pub arithmetic: String,
    /// The amount is a range: `missing` says what decides where in it the person lands.
    pub ranged: bool,
}

#[derive(Template)]
#[template(path = "interview_result.html")]
pub struct InterviewResultPage {
    pub lang: Lang,
    pub total: String,
    pub decided: bool,
    pub review_total: Option<String>,
    pub tier: String,
    pub version: String,
    pub application_date: String,
    pub eligible: Vec<ResultProgram>,
    pub open: Vec<ResultProgram>,
    pub ineligible: Vec<ResultProgram>,
    pub not_applicable: Vec<String>,
    /// Not eligible, or not applicable: whether its section applies was not asked.
    pub ineligible_or_na: Vec<ResultProgram>,
    /// While the total is a range: the answers that decide most where in it the person lands.
    pub range_reason: Vec<String>,
    pub answers: Vec<(String, String)>,
    pub hidden: Vec<(String, String)>,
    pub can_continue: bool,
    /// What to prepare for the programs granted or still open.
    pub materials: Vec<result_view::MaterialView>,
}

pub(crate) fn range_text(lo: &Decimal, hi: &Decimal) -> String {
    if lo == hi {
        view::yuan(lo)
    } else {
        format!("{} – {}", view::yuan(lo), view::yuan(hi))
    }
}

pub(crate) fn result_page(
    policy: &Policy,
    s: &Screening<'_>,
    partial: Option<&rules::applicant::Partial>,
    values: &FormValues,
    lang: Lang,
    can_continue: bool,
) -> InterviewResultPage {
    let rules = &s.version.rules;
    // The arithmetic of a decided amount: the answers with the unknown ones at any valid
    // value (the placeholders) give the same amount, so its trace is the amount's; shown only
    // where that assessment agrees with the screening.
    let traced = partial.map(|p| rules::engine::assess_version(s.version, &p.profile));
    let mut eligible = Vec::new();
    let mut open = Vec::new();
    let mut ineligible = Vec::new();
    let mut not_applicable = Vec::new();
    let mut ineligible_or_na = Vec::new();
    let mut review = Decimal::ZERO;
    for (i, p) in s.programs.iter().enumerate() {
        let prog = p.program;
        let missing: Vec<String> = s
            .questions
            .iter()
            .filter(|q| q.decides.contains(&i))
            .map(|q| result_view::asked_about(q.path, rules, lang))
            .collect();
        let conditions = prog
            .conditions
            .iter()
            .zip(&p.conditions)
            .map(|(c, t)| {
                let mark = match (t.yes, t.no) {
                    (true, false) => "✓",
                    (false, _) => "✗",
                    _ => "?",
                };
                (mark, lang.t(&c.zh, &c.en).to_string())
            })
            .collect();
        let installments = if p.is_decided() && p.amount.0 > Decimal::ZERO {
            let amounts = rules::engine::split(p.amount.0, &prog.installments);
            prog.installments
                .iter()
                .zip(amounts)
                .map(|(inst, a)| (lang.t(&inst.zh, &inst.en).to_string(), view::yuan(&a)))
                .collect()
        } else {
            Vec::new()
        };
        if p.review.yes && p.statuses.has(Status::Eligible) {
            review += p.amount.1;
        }
        let arithmetic = traced
            .as_ref()
            .and_then(|a| a.programs.get(i))
            .filter(|o| p.is_decided() && o.amount == p.amount.0 && o.amount == o.computed_amount)
            .and_then(|o| o.calc.as_ref())
            .filter(|c| c.is_arithmetic())
            .map(|c| result_view::calc_text(c, lang))
            .unwrap_or_default();
        let card = ResultProgram {
            ranged: p.amount.0 != p.amount.1,
            arithmetic,
            name: lang.t(&prog.zh, &prog.en).to_string(),
            amount: range_text(&p.amount.0, &p.amount.1),
            rule: lang.t(&prog.amount.zh, &prog.amount.en).to_string(),
            citation: result_view::citation(
                policy,
                prog.conditions
                    .first()
                    .map_or(&prog.amount.cite, |c| &c.cite),
                lang,
            ),
            conditions,
            missing,
            installments,
            review: p.review.yes,
        };
        // Not eligible, but whether its section applies was not asked: the full form would
        // say 不适用 where a condition fails too, so say both rather than pick one.
        let either = p.is_decided()
            && !p.statuses.has(Status::Eligible)
            && p.statuses.has(Status::NotApplicable)
            && p.statuses.only().is_none();
        match p.status() {
            _ if either => ineligible_or_na.push(card),
            Some(Status::Eligible) => eligible.push(card),
            Some(Status::NotApplicable) => not_applicable.push(card.name),
            Some(_) => ineligible.push(card),
            None => open.push(card),
        }
    }
    let wanted = s.may_pay();
    let tiers = s.tier_ids();
    let tier_name = |id: &str| {
        rules.tiers.iter().find(|t| &*t.id == id).map_or_else(
            || {
                lang.t("未达到人才层次认定条件", "No talent tier")
                    .to_string()
            },
            |t| lang.t(&t.zh, &t.en).to_string(),
        )
    };
    let tier = match tiers.as_slice() {
        [one] => tier_name(one),
        many => format!(
            "{}{}",
            lang.t("可能为：", "One of: "),
            many.iter()
                .map(|t| tier_name(t))
                .collect::<Vec<_>>()
                .join(lang.t("、", ", "))
        ),
    };
    let answers = result_view::answers_in_words(values, rules, lang);
    InterviewResultPage {
        lang,
        total: range_text(&s.total.0, &s.total.1),
        decided: s.total.0 == s.total.1,
        review_total: (review > Decimal::ZERO).then(|| view::yuan(&review)),
        tier,
        version: format!(
            "{} · {}",
            s.version.id,
            lang.t(&s.version.zh, &s.version.en)
        ),
        application_date: s.application_date.to_string(),
        eligible,
        open,
        ineligible,
        not_applicable,
        ineligible_or_na,
        range_reason: if s.total.0 == s.total.1 {
            Vec::new()
        } else {
            s.questions
                .iter()
                .take(3)
                .map(|q| result_view::asked_about(q.path, rules, lang))
                .collect()
        },
        answers,
        hidden: values
            .0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "lang" | "stop" | "shown"))
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
            .collect(),
        can_continue,
        materials: {
            let unknown = |path: &str| partial.is_some_and(|p| p.is_unknown(path));
            result_view::checklist(
                policy,
                rules,
                &wanted,
                partial.map(|p| (&p.profile, &unknown as &dyn Fn(&str) -> bool)),
                lang,
            )
        },
    }
}
