//! The seam for partial answers: read a partial profile, screen it, and describe the result
//! and the next questions in words people read (labels, kinds, choices) — the JSON of
//! `POST /api/v1/screenings` and what the interview pages draw. The types here are that JSON
//! (they serialize it and document it), so the API document cannot drift from the answer.

use chrono::NaiveDate;
use rules::applicant::{InvalidProfile, Partial};
use rules::engine::screen::{ProgramRange, Question, SECTIONS, Screening, screen};
use rules::engine::{DISCLAIMER_EN, DISCLAIMER_ZH, Status};
use rules::input::fields::{FormSection, Kind, field};
use rules::policy::Policy;
use rules::policy::model::{Expr, Rules};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// Reads and screens a partial profile; `Err` holds every error of the given answers (a date
/// no policy version covers included).
pub fn screen_value<'p>(
    policy: &'p Policy,
    value: &serde_json::Value,
    today: NaiveDate,
) -> Result<(Partial, Screening<'p>), InvalidProfile> {
    let partial = Partial::from_value(value, today, policy)?;
    match screen(policy, &partial) {
        Ok(s) => Ok((partial, s)),
        Err(e) => Err(InvalidProfile {
            errors: vec![super::no_version(&partial.profile, &e)],
        }),
    }
}

/// The answer of `POST /api/v1/screenings` for a JSON body: the screening, or the errors
/// (with whether the body was JSON at all).
pub fn screen_json(
    policy: &Policy,
    input: &[u8],
    today: NaiveDate,
) -> Result<Vec<u8>, (super::Outcome, Vec<u8>)> {
    let refused = |e: &InvalidProfile| {
        let mut out = Vec::new();
        super::write_errors(&mut out, e);
        (super::refusal(input), out)
    };
    let value: serde_json::Value =
        serde_json::from_slice(input).map_err(|e| refused(&rules::applicant::not_json(&e)))?;
    let (partial, s) = screen_value(policy, &value, today).map_err(|e| refused(&e))?;
    Ok(serde_json::to_vec(&ScreeningJson::new(policy, &s, &partial)).unwrap_or_default())
}

/// A range of money in whole yuan; `min` equals `max` once decided.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MoneyRange {
    #[schema(example = "80000")]
    pub min: String,
    #[schema(example = "3296000")]
    pub max: String,
}

impl MoneyRange {
    fn new((lo, hi): (Decimal, Decimal)) -> MoneyRange {
        MoneyRange {
            min: lo.normalize().to_string(),
            max: hi.normalize().to_string(),
        }
    }
}

/// The talent tier: its id once decided, else the lowest and highest still possible.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TierRange {
    #[schema(example = "C")]
    Decided(String),
    Open {
        #[schema(example = "E")]
        min: String,
        #[schema(example = "B")]
        max: String,
    },
}

/// A program's status in a screening: `possible` until the answers decide it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScreenStatus {
    Eligible,
    Ineligible,
    Possible,
    NotApplicable,
    Excluded,
}

impl ScreenStatus {
    fn of(p: &ProgramRange<'_>) -> ScreenStatus {
        match p.status() {
            None => ScreenStatus::Possible,
            // A screening declines nothing: every program is still to be applied for.
            Some(Status::Eligible | Status::Declined) => ScreenStatus::Eligible,
            Some(Status::Ineligible) => ScreenStatus::Ineligible,
            Some(Status::NotApplicable) => ScreenStatus::NotApplicable,
            Some(Status::Excluded) => ScreenStatus::Excluded,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramScreening {
    #[schema(example = "jinying_innovation")]
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: ScreenStatus,
    /// What it may still turn out to be (`eligible`, `ineligible`, `not_applicable`,
    /// `excluded`); one once decided.
    pub may_be: Vec<String>,
    /// Whole yuan, after no double funding and caps.
    pub amount: MoneyRange,
    /// 一事一议: the amount may go to committee review.
    pub review_possible: bool,
    /// Conditions (by id) neither met nor failed yet.
    pub undecided_conditions: Vec<String>,
    /// Sections it needs that the answers have not said apply or not.
    pub undecided_sections: Vec<String>,
}

/// One choice of a question.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Choice {
    #[schema(example = "master")]
    pub value: String,
    pub label_zh: String,
    pub label_en: String,
}

/// A question worth asking, in the order worth asking it: the money an answer is expected
/// to settle (each answer weighed by how often it is seen), largest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextQuestion {
    /// The profile path to answer (`person.highest_degree`), a section (`startup`: answer
    /// with its object, or null when it does not apply), or `sections` (several sections at
    /// once, see `kind`).
    #[schema(example = "person.highest_degree")]
    pub field: String,
    pub label_zh: String,
    pub label_en: String,
    pub help_zh: String,
    pub help_en: String,
    /// `date`, `money`, `number`, `yes_no`, `choice`, `list` (several of the choices), `text`
    /// (the choices are the names the policy lists), `section` (answer with its object, or
    /// null when it does not apply), or `sections` (field `sections`: "which of these describe
    /// you"; the choices are section paths — `employment`, `startup`, `housing`,
    /// `housing.home_purchase` — each answered as a section is: `{}` for one that applies,
    /// `null` for one that does not).
    #[schema(example = "choice")]
    pub kind: String,
    /// For a number: its unit (`%`, `m²`, `年`…), else empty.
    pub unit_zh: String,
    pub unit_en: String,
    pub choices: Vec<Choice>,
    /// How far the total's range could move on this answer, whole yuan.
    #[schema(example = "3216000")]
    pub at_stake: String,
    /// The programs (ids) whose outcome it decides.
    pub decides: Vec<String>,
}

/// A screening: what the answers so far decide, and what is worth asking next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreeningJson {
    /// Every program decided; then `next_questions` is empty.
    pub complete: bool,
    #[schema(example = "2026")]
    pub policy_version: String,
    #[schema(format = Date)]
    pub application_date: String,
    pub talent_tier: TierRange,
    pub total: MoneyRange,
    /// All programs of the version, in the policy's order.
    pub programs: Vec<ProgramScreening>,
    pub next_questions: Vec<NextQuestion>,
    /// What to prepare for the programs that are or may be eligible (申报材料), each once.
    pub materials: Vec<MaterialJson>,
    pub disclaimer_zh: String,
    pub disclaimer_en: String,
}

/// A material to prepare, and the programs that need it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialJson {
    #[schema(example = "labour_contract")]
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub what_zh: String,
    pub what_en: String,
    /// Accepted file kinds: `pdf`, `jpeg`, `png`.
    pub files: Vec<String>,
    /// The programs (ids) that need it.
    pub programs: Vec<String>,
}

impl ScreeningJson {
    pub fn new(policy: &Policy, s: &Screening<'_>, partial: &Partial) -> ScreeningJson {
        let tiers = s.tier_ids();
        let talent_tier = match tiers.as_slice() {
            [one] => TierRange::Decided(one.to_string()),
            _ => TierRange::Open {
                min: tiers.last().copied().unwrap_or("none").to_string(),
                max: tiers.first().copied().unwrap_or("none").to_string(),
            },
        };
        let rules = &s.version.rules;
        ScreeningJson {
            complete: s.is_complete(),
            policy_version: s.version.id.to_string(),
            application_date: s.application_date.to_string(),
            talent_tier,
            total: MoneyRange::new(s.total),
            programs: s
                .programs
                .iter()
                .map(|p| ProgramScreening {
                    id: p.program.id.to_string(),
                    name_zh: p.program.zh.clone(),
                    name_en: p.program.en.clone(),
                    status: ScreenStatus::of(p),
                    may_be: p.statuses.iter().map(|st| st.id().to_string()).collect(),
                    amount: MoneyRange::new(p.amount),
                    review_possible: p.review.yes,
                    undecided_conditions: if p.is_decided() {
                        Vec::new()
                    } else {
                        p.undecided_conditions().map(str::to_string).collect()
                    },
                    undecided_sections: if p.is_decided() {
                        Vec::new()
                    } else {
                        p.open_sections
                            .iter()
                            .map(|x| x.path().to_string())
                            .collect()
                    },
                })
                .collect(),
            next_questions: s
                .asks()
                .iter()
                .map(|q| {
                    let mut n = describe_question(q, rules);
                    n.at_stake = q.at_stake.normalize().to_string();
                    n.decides = q
                        .decides
                        .iter()
                        .map(|&i| s.programs[i].program.id.to_string())
                        .collect();
                    n
                })
                .collect(),
            materials: {
                let wanted = s.may_pay();
                policy
                    .checklist_for(rules, &wanted, |m| {
                        m.may_be_held(&partial.profile, |path| partial.is_unknown(path))
                    })
                    .into_iter()
                    .map(|(m, needing)| MaterialJson {
                        id: m.id.to_string(),
                        name_zh: m.zh.clone(),
                        name_en: m.en.clone(),
                        what_zh: m.what_zh.clone(),
                        what_en: m.what_en.clone(),
                        files: m.files.clone(),
                        programs: needing.iter().map(|p| p.id.to_string()).collect(),
                    })
                    .collect()
            },
            disclaimer_zh: DISCLAIMER_ZH.to_string(),
            disclaimer_en: DISCLAIMER_EN.to_string(),
        }
    }
}

fn section_of(path: &str) -> Option<FormSection> {
    Some(match path {
        "employment" => FormSection::Employment,
        "startup" => FormSection::Startup,
        "housing" => FormSection::Housing,
        "housing.home_purchase" => FormSection::HomePurchase,
        _ => return None,
    })
}

/// The question as asked, in words: [`describe`], or for the question that settles several
/// sections, "which of these describe you" with each section a choice.
pub fn describe_question(q: &Question, rules: &Rules) -> NextQuestion {
    if q.path != SECTIONS {
        return describe(q.path, rules);
    }
    describe_sections(&q.settles, rules)
}

/// "Which of these describe you": one question of kind `sections` whose choices are the
/// section paths it settles; each is answered as a section is (`{}` applies, `null` does
/// not), none ticked being "none of these".
pub fn describe_sections(settles: &[&str], rules: &Rules) -> NextQuestion {
    let mut q = describe("", rules);
    q.field = SECTIONS.to_string();
    q.label_zh = "以下哪些符合您的情况？（可多选）".into();
    q.label_en = "Which of these describe you? (tick all that apply)".into();
    q.help_zh = "都不符合请选“以上都没有”；不确定的可以选“不清楚”。".into();
    q.help_en =
        "If none does, choose \"None of these\"; if you are not sure, choose \"Not sure\".".into();
    q.kind = "sections".into();
    q.choices = settles
        .iter()
        .filter_map(|p| section_of(p).map(|s| (p, s.choice())))
        .map(|(p, (zh, en))| Choice {
            value: p.to_string(),
            label_zh: zh.to_string(),
            label_en: en.to_string(),
        })
        .collect();
    q
}

/// The question for a path, in words: label, help, kind and choices (stake and programs
/// left empty).
pub fn describe(path: &str, rules: &Rules) -> NextQuestion {
    let mut q = NextQuestion {
        field: path.to_string(),
        label_zh: String::new(),
        label_en: String::new(),
        help_zh: String::new(),
        help_en: String::new(),
        kind: String::new(),
        unit_zh: String::new(),
        unit_en: String::new(),
        choices: Vec::new(),
        at_stake: String::new(),
        decides: Vec::new(),
    };
    if let Some(section) = section_of(path) {
        let (zh, en) = section.question();
        q.label_zh = zh.to_string();
        q.label_en = en.to_string();
        q.kind = "section".into();
        return q;
    }
    let Some(f) = field(path) else {
        q.label_zh = path.to_string();
        q.label_en = path.to_string();
        q.kind = "text".into();
        return q;
    };
    q.label_zh = f.zh.to_string();
    q.label_en = f.en.to_string();
    q.help_zh = f.help_zh.to_string();
    q.help_en = f.help_en.to_string();
    let unit = f.kind.unit().map_or(("", ""), |u| (u.zh(), u.en()));
    let kind = match f.kind {
        Kind::Date => "date",
        Kind::Select(_) => "choice",
        Kind::YesNo => "yes_no",
        Kind::Years | Kind::Months | Kind::Percent | Kind::Area => "number",
        Kind::Money => "money",
        Kind::Checks(_) | Kind::Programs => "list",
        Kind::Text => "text",
    };
    q.kind = kind.into();
    q.unit_zh = unit.0.into();
    q.unit_en = unit.1.into();
    q.choices = match f.kind {
        Kind::Select(d) | Kind::Checks(d) => d
            .values()
            .iter()
            .map(|v| Choice {
                value: v.id.to_string(),
                label_zh: v.zh.to_string(),
                label_en: v.en.to_string(),
            })
            .collect(),
        Kind::Programs => rules
            .programs
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label_zh: p.zh.clone(),
                label_en: p.en.clone(),
            })
            .collect(),
        Kind::Text => listed_texts(path, rules)
            .into_iter()
            .map(|t| Choice {
                value: t.clone(),
                label_zh: t.clone(),
                label_en: t,
            })
            .collect(),
        _ => Vec::new(),
    };
    q
}

/// The texts the policy compares a text field with (the alliance's institutions), in the
/// policy's order: what a person should choose from rather than type.
pub fn listed_texts(path: &str, rules: &Rules) -> Vec<String> {
    fn walk(e: &Expr, index: usize, out: &mut Vec<String>) {
        match e {
            Expr::InTexts { elem, list, .. } => {
                if elem.as_field() == Some(index) {
                    for t in list.iter() {
                        if !out.iter().any(|o| **o == **t) {
                            out.push(t.to_string());
                        }
                    }
                }
                walk(elem, index, out);
            }
            Expr::Not(a) | Expr::Neg(a) => walk(a, index, out),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
                walk(a, index, out);
                walk(b, index, out);
            }
            Expr::InSet { elem, set, .. } => {
                walk(elem, index, out);
                walk(set, index, out);
            }
            Expr::Min(v) | Expr::Max(v) => v.iter().for_each(|x| walk(x, index, out)),
            Expr::If(c, t, f) => {
                walk(c, index, out);
                walk(t, index, out);
                walk(f, index, out);
            }
            _ => {}
        }
    }
    let Some(index) = rules::policy::fields::field_index(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in &rules.programs {
        for c in &p.conditions {
            walk(&c.expr, index, &mut out);
        }
        walk(&p.amount.expr, index, &mut out);
    }
    out
}
