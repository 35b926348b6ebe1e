//! The policy as data for people and programs: documents, versions, tiers and the programs in
//! force on a date with every condition, amount rule, installment, group and cap, each with
//! its citation. `GET /api/v1/programs` returns it; the policy browser pages show it.

use chrono::NaiveDate;
use rules::policy::model::{Program, Rules, Version};
use rules::policy::{Policy, fields::Section};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    #[schema(example = "2026")]
    pub id: String,
    pub label_zh: String,
    pub label_en: String,
    #[schema(value_type = String, format = Date, example = "2026-01-01")]
    pub from: NaiveDate,
    /// Last day in force; absent when open-ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<NaiveDate>,
    pub programs: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rule {
    pub id: String,
    pub label_zh: String,
    pub label_en: String,
    #[schema(example = "jinying 第五条")]
    pub citation: String,
    /// The rule as written in the policy file.
    #[schema(example = "startup.founder_equity_pct >= 30")]
    pub rule: String,
    /// The applicant can act on it; hints are computed for it.
    pub actionable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentInfo {
    #[schema(example = "1/3")]
    pub share: String,
    pub label_zh: String,
    pub label_en: String,
    /// Falls due this many months after approval; absent: when its trigger happens (a signed
    /// agreement, a review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_after_months: Option<u32>,
}

impl InstallmentInfo {
    /// When it falls due, in words.
    pub fn due_words(&self, lang: rules::input::Lang) -> String {
        match self.due_after_months {
            Some(0) => lang.t("批准后即拨付", "on approval").to_string(),
            Some(m) if m % 12 == 0 => {
                format!(
                    "{}{}{}",
                    lang.t("批准后 ", "due "),
                    m / 12,
                    lang.t(" 年", " year(s) after approval")
                )
            }
            Some(m) => format!(
                "{}{m}{}",
                lang.t("批准后 ", "due "),
                lang.t(" 个月", " month(s) after approval")
            ),
            None => lang.t("条件达成时拨付", "paid when it happens").to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramInfo {
    #[schema(example = "jinying_startup")]
    pub id: String,
    #[schema(example = "jinying")]
    pub document: String,
    pub name_zh: String,
    pub name_en: String,
    /// Profile sections the program needs; without them it is not applicable.
    #[schema(example = json!(["startup"]))]
    pub needs: Vec<String>,
    pub conditions: Vec<Rule>,
    pub amount: Rule,
    pub review: Option<Rule>,
    pub installments: Vec<InstallmentInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupInfo {
    pub id: String,
    /// `no_double_funding` or `cap`.
    pub kind: String,
    pub label_zh: String,
    pub label_en: String,
    pub citation: String,
    pub programs: Vec<String>,
    /// The cap, for a cap.
    #[schema(value_type = Option<String>, example = "5000000")]
    pub max: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierRowInfo {
    pub tier: String,
    pub tier_name_zh: String,
    pub tier_name_en: String,
    pub row: Rule,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterInfo {
    #[schema(example = "startup_amount[C]")]
    pub id: String,
    #[schema(example = "创业类项目资助额度（C类）")]
    pub name_zh: String,
    #[schema(example = "Startup funding by tier (tier C)")]
    pub name_en: String,
    #[schema(example = "2500000")]
    pub value: String,
    /// What the value measures: yuan, yuan/month, yuan/m²/month, m², months, years, %, factor.
    #[schema(example = "yuan")]
    pub unit: Option<String>,
    #[schema(example = "元")]
    pub unit_zh: String,
    #[schema(example = "yuan")]
    pub unit_en: String,
}

impl ParameterInfo {
    /// The value as people read it: digits grouped, with its unit.
    pub fn shown(&self, lang: rules::input::Lang) -> String {
        let value = rules::words::grouped_text(&self.value);
        let unit = lang.t(&self.unit_zh, &self.unit_en);
        if unit.is_empty() {
            value
        } else {
            format!("{value} {unit}")
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentInfo {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Catalog {
    #[schema(example = "2026")]
    pub policy_version: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub documents: Vec<DocumentInfo>,
    /// The named values the rules use, as in force in this version.
    pub parameters: Vec<ParameterInfo>,
    /// Talent tier rows, in the order they are tried.
    pub tiers: Vec<TierRowInfo>,
    /// Programs in force, in the order results list them.
    pub programs: Vec<ProgramInfo>,
    /// No-double-funding groups, then caps, in the order they apply.
    pub combining: Vec<GroupInfo>,
    pub disclaimer_zh: String,
    pub disclaimer_en: String,
}

fn rule(id: &str, zh: &str, en: &str, cite: &str, source: &str, actionable: bool) -> Rule {
    Rule {
        id: id.into(),
        label_zh: zh.into(),
        label_en: en.into(),
        citation: cite.into(),
        rule: source.into(),
        actionable,
    }
}

pub fn program_info(p: &Program) -> ProgramInfo {
    ProgramInfo {
        id: p.id.to_string(),
        document: p.document.to_string(),
        name_zh: p.zh.clone(),
        name_en: p.en.clone(),
        needs: p
            .needs
            .iter()
            .map(|s: &Section| s.path().to_string())
            .collect(),
        conditions: p
            .conditions
            .iter()
            .map(|c| rule(&c.id, &c.zh, &c.en, &c.cite, &c.source, c.actionable))
            .collect(),
        amount: rule(
            "amount",
            &p.amount.zh,
            &p.amount.en,
            &p.amount.cite,
            &p.amount.source,
            false,
        ),
        review: p
            .review
            .as_ref()
            .map(|r| rule("review", &r.zh, &r.en, &r.cite, &r.source, false)),
        installments: p
            .installments
            .iter()
            .map(|i| InstallmentInfo {
                share: i.share.clone(),
                label_zh: i.zh.clone(),
                label_en: i.en.clone(),
                due_after_months: i.after_months,
            })
            .collect(),
    }
}

fn combining(rules: &Rules) -> Vec<GroupInfo> {
    let ids = |idx: &[usize]| {
        idx.iter()
            .map(|&i| rules.programs[i].id.to_string())
            .collect()
    };
    let groups = rules.exclusive_groups.iter().map(|g| GroupInfo {
        id: g.id.to_string(),
        kind: "no_double_funding".into(),
        label_zh: g.zh.clone(),
        label_en: g.en.clone(),
        citation: g.cite.to_string(),
        programs: ids(&g.programs),
        max: None,
    });
    let caps = rules.caps.iter().map(|c| GroupInfo {
        id: c.id.to_string(),
        kind: "cap".into(),
        label_zh: c.zh.clone(),
        label_en: c.en.clone(),
        citation: c.cite.to_string(),
        programs: ids(&c.programs),
        max: Some(c.max.to_string()),
    });
    groups.chain(caps).collect()
}

pub fn version_info(v: &Version) -> VersionInfo {
    VersionInfo {
        id: v.id.to_string(),
        label_zh: v.zh.clone(),
        label_en: v.en.clone(),
        from: v.from,
        until: v.until,
        programs: v.rules.programs.iter().map(|p| p.id.to_string()).collect(),
    }
}

/// The catalog of the version in force on `as_of`, if any.
pub fn catalog(policy: &Policy, as_of: NaiveDate) -> Option<Catalog> {
    let v = policy.version_on(as_of)?;
    let rules = &v.rules;
    Some(Catalog {
        policy_version: v.id.to_string(),
        as_of,
        documents: policy
            .documents
            .iter()
            .map(|d| DocumentInfo {
                id: d.id.to_string(),
                title_zh: d.zh.clone(),
                title_en: d.en.clone(),
            })
            .collect(),
        parameters: rules
            .parameters
            .iter()
            .map(|(id, v)| {
                let rules::Msg {
                    zh: name_zh,
                    en: name_en,
                } = policy.parameter_words(id);
                let unit = policy.parameter_unit(id);
                ParameterInfo {
                    id: id.to_string(),
                    name_zh,
                    name_en,
                    value: rules.render(&(*v).into()),
                    unit: unit.map(|u| u.id().to_string()),
                    unit_zh: unit.map_or("", |u| u.zh()).to_string(),
                    unit_en: unit.map_or("", |u| u.en()).to_string(),
                }
            })
            .collect(),
        tiers: rules
            .tiers
            .iter()
            .flat_map(|t| {
                t.rows.iter().map(move |r| TierRowInfo {
                    tier: t.id.to_string(),
                    tier_name_zh: t.zh.clone(),
                    tier_name_en: t.en.clone(),
                    row: rule(&r.id, &r.zh, &r.en, &r.cite, &r.source, false),
                })
            })
            .collect(),
        programs: rules.programs.iter().map(program_info).collect(),
        combining: combining(rules),
        disclaimer_zh: rules::engine::DISCLAIMER_ZH.into(),
        disclaimer_en: rules::engine::DISCLAIMER_EN.into(),
    })
}
