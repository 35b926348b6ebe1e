//! A result as the pages show it: each program's card (status, conditions with what was
//! required and what was found, the arithmetic behind the amount, installments), the tier,
//! citations of the policy's articles, the answers in words and the materials checklist.
//! Nothing here decides eligibility; it words what the engine returned.

use rules::engine::{Assessment, Observed, ProgramOutcome, ReducedBy, Requirement};
use rules::input::Lang;
use rules::input::{self as form, FIELDS, FormSection, FormValues};
use rules::policy::model::{Condition, Rules};
use rules::policy::value::Shown;
use rules::words::status_label;
use rust_decimal::Decimal;

use super::view::{wan, yuan};
use rules::words::show;

/// A comparison in words, before the value it compares with; a date is "no earlier than",
/// never "no lower than".
fn op_words(op: rules::policy::expr::BinOp, date: bool, lang: Lang) -> &'static str {
    use rules::policy::expr::BinOp::*;
    match op {
        Ge if date => lang.t("不早于 ", "on or after "),
        Gt if date => lang.t("晚于 ", "after "),
        Le if date => lang.t("不晚于 ", "on or before "),
        Lt if date => lang.t("早于 ", "before "),
        Ge => lang.t("不低于 ", "at least "),
        Gt => lang.t("高于 ", "more than "),
        Le => lang.t("不超过 ", "at most "),
        Lt => lang.t("低于 ", "less than "),
        Eq => lang.t("为 ", ""),
        Ne => lang.t("不为 ", "not "),
        In => lang.t("属于：", "one of: "),
        NotIn => lang.t("不属于：", "none of: "),
        _ => "",
    }
}

pub struct ConditionView {
    pub label: String,
    pub met: bool,
    pub value: String,
    pub requirement: String,
    pub citation: String,
}

pub struct InstallmentView {
    pub label: String,
    pub share: String,
    pub amount: String,
}

pub struct ProgramCard {
    pub id: String,
    pub name: String,
    /// CSS class: eligible, ineligible, not_applicable, excluded.
    pub status: &'static str,
    pub status_label: &'static str,
    pub amount_yuan: String,
    pub amount_wan: String,
    pub amount_rule: String,
    pub amount_citation: String,
    pub conditions: Vec<ConditionView>,
    pub missing: String,
    pub reductions: Vec<String>,
    pub installments: Vec<InstallmentView>,
    pub review: Option<String>,
    pub hint: Option<String>,
    /// For a program that needs more information: what is missing, in words.
    pub needs: String,
    /// The arithmetic behind the amount ("¥2,500,000 × 1.2 = ¥3,000,000，不超过上限 ¥5,000,000").
    pub arithmetic: String,
}

fn calc_number(v: Decimal, unit: Option<rules::units::Unit>, lang: Lang) -> String {
    use rules::units::Unit;
    match unit {
        Some(Unit::Yuan) => yuan(&v),
        Some(Unit::Sqm) => format!("{} {}", v.normalize(), lang.t("平方米", "m²")),
        Some(Unit::Percent) => format!("{}%", v.normalize()),
        // Counts and factors: the number alone, grouped as money is.
        _ => yuan(&v).replacen('¥', "", 1),
    }
}

/// An amount's arithmetic in words.
pub fn calc_text(c: &rules::engine::Calc, lang: Lang) -> String {
    use rules::engine::Calc;
    let factor = |c: &Calc| match c {
        Calc::Capped {
            cap,
            unit,
            capped: true,
            computed,
        } => format!(
            "{}{}{}",
            calc_number(*cap, *unit, lang),
            lang.t("（按上限计，实为 ", " (the cap; actually "),
            calc_number(computed.value(), computed.unit(), lang) + lang.t("）", ")")
        ),
        Calc::Capped {
            capped: false,
            computed,
            ..
        } => calc_text(computed, lang),
        other => calc_text(other, lang),
    };
    match c {
        Calc::Value(v, u) => calc_number(*v, *u, lang),
        Calc::Product(fs, v) => format!(
            "{} = {}",
            fs.iter().map(factor).collect::<Vec<_>>().join(" × "),
            yuan(v)
        ),
        Calc::Capped {
            computed,
            cap,
            unit,
            capped,
        } => {
            let inner = calc_text(computed, lang);
            let cap = calc_number(*cap, *unit, lang);
            if *capped {
                format!(
                    "{inner}{}{cap}{}",
                    lang.t("，按上限 ", "; at most "),
                    lang.t(" 计", "")
                )
            } else {
                format!(
                    "{inner}{}{cap}",
                    lang.t("，不超过上限 ", ", within the cap of ")
                )
            }
        }
    }
}

pub fn condition_view(
    c: &Condition,
    o: &rules::engine::ConditionOutcome,
    rules: &Rules,
    lang: Lang,
) -> ConditionView {
    let not_given = lang.t("未填写", "not given");
    // A yes/no answer read against “not …” says which answer it was, never “否 / 要求：否”
    // under a condition already in the negative: “在本市已有自有住房：否”.
    let yes_no_label = match (&o.requirement, c.leaves.as_slice()) {
        (Requirement::Is(_), [(name, _)]) => {
            form::field(name).map(|f| format!("{}{}", lang.t(f.zh, f.en), lang.colon()))
        }
        _ => None,
    };
    let leaf_words = |name: &str| -> String {
        match name {
            "age" => lang.t("年龄", "age").to_string(),
            "tier" => lang.t("人才层次", "talent tier").to_string(),
            "annual_salary" => lang.t("年薪", "annual salary").to_string(),
            _ => form::field(name).map_or(name.to_string(), |f| lang.t(f.zh, f.en).to_string()),
        }
    };
    // A tier by its letter and name: “C类（省级领军人才）”.
    let leaf_value = |name: &str, s: &Shown| -> String {
        let shown = show(s, rules, lang);
        if name != "tier" {
            return shown;
        }
        rules
            .tiers
            .iter()
            .find(|t| *t.id == *shown)
            .map_or(shown.clone(), |t| {
                format!(
                    "{shown}{}{}{}{}",
                    lang.t("类", ""),
                    lang.open(),
                    lang.t(&t.zh, &t.en),
                    lang.close()
                )
            })
    };
    let value = match &o.value {
        Observed::One(Some(s)) if yes_no_label.is_some() => format!(
            "{}{}",
            yes_no_label.clone().unwrap_or_default(),
            show(s, rules, lang)
        ),
        Observed::One(Some(s)) => match c.leaves.as_slice() {
            [(name, _)] => leaf_value(name, s),
            _ => show(s, rules, lang),
        },
        Observed::One(None) => not_given.into(),
        Observed::Several(values) => c
            .leaves
            .iter()
            .zip(values)
            .map(|((name, _), v)| {
                let shown = v
                    .as_ref()
                    .map_or(not_given.to_string(), |s| leaf_value(name, s));
                format!("{}{}{shown}", leaf_words(name), lang.colon())
            })
            .collect::<Vec<_>>()
            .join(lang.t("；", "; ")),
    };
    let requirement = match &o.requirement {
        Requirement::Compare(op, Some(s)) => {
            let value = match s {
                Shown::Set(..) | Shown::TextList(_) => show(s, rules, lang)
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .replace(", ", lang.t("、", ", ")),
                _ => show(s, rules, lang),
            };
            format!(
                "{}{value}",
                op_words(*op, matches!(s, Shown::Date(_)), lang)
            )
        }
        Requirement::Compare(op, None) => format!(
            "{}{}",
            op_words(*op, false, lang),
            lang.t("（取决于未填写的信息）", "(depends on a value not given)")
        ),
        Requirement::Is(b) => format!(
            "{}{}",
            yes_no_label.clone().unwrap_or_default(),
            show(&Shown::Bool(*b), rules, lang)
        ),
        // A rule of several parts reads as the condition itself says it.
        Requirement::Rule => lang.t(&c.zh, &c.en).to_string(),
    };
    ConditionView {
        label: lang.t(&c.zh, &c.en).into(),
        met: o.met,
        value,
        requirement,
        citation: c.cite.to_string(),
    }
}

pub fn program_card(
    policy: &rules::policy::Policy,
    o: &ProgramOutcome<'_>,
    rules: &Rules,
    lang: Lang,
    hint: Option<String>,
) -> ProgramCard {
    let p = o.program;
    let cite = |c: &str| citation(policy, c, lang);
    let reductions = o
        .reductions
        .iter()
        .map(|r| match r.by {
            ReducedBy::Exclusive(g, winner) => match lang {
                Lang::Zh => format!(
                    "与“{}”不重复享受，按就高原则不予发放（{}，{}）",
                    winner.zh,
                    g.zh,
                    cite(&g.cite)
                ),
                Lang::En => format!(
                    "Not combined with “{}”, which pays more ({}; {})",
                    winner.en,
                    g.en,
                    cite(&g.cite)
                ),
            },
            ReducedBy::Cap(c) => match lang {
                Lang::Zh => format!(
                    "由 {} 减至 {}：{}（{}）",
                    yuan(&r.from),
                    yuan(&r.to),
                    c.zh,
                    cite(&c.cite)
                ),
                Lang::En => format!(
                    "Reduced from {} to {}: {} ({})",
                    yuan(&r.from),
                    yuan(&r.to),
                    c.en,
                    cite(&c.cite)
                ),
            },
        })
        .collect();
    let missing = o
        .missing_sections
        .iter()
        .map(|s| match s.path() {
            "employment" => lang.t("就业", "employment"),
            "startup" => lang.t("创业", "startup"),
            "housing" => lang.t("住房", "housing"),
            _ => lang.t("购房", "home purchase"),
        })
        .collect::<Vec<_>>()
        .join(lang.t("、", ", "));
    ProgramCard {
        id: p.id.to_string(),
        name: lang.t(&p.zh, &p.en).into(),
        status: o.status.id(),
        status_label: status_label(o.status, lang),
        amount_yuan: yuan(&o.amount),
        amount_wan: if lang.en() {
            String::new()
        } else {
            wan(&o.amount)
        },
        amount_rule: lang.t(&p.amount.zh, &p.amount.en).into(),
        amount_citation: cite(&p.amount.cite),
        conditions: p
            .conditions
            .iter()
            .zip(&o.conditions)
            .map(|(c, co)| ConditionView {
                citation: cite(&c.cite),
                ..condition_view(c, co, rules, lang)
            })
            .collect(),
        missing,
        reductions,
        installments: p
            .installments
            .iter()
            .zip(&o.installments)
            .map(|(i, a)| InstallmentView {
                label: lang.t(&i.zh, &i.en).into(),
                share: i.share.clone(),
                amount: yuan(a),
            })
            .collect(),
        review: p
            .review
            .as_ref()
            .filter(|_| o.review_required)
            .map(|r| lang.t(&r.zh, &r.en).to_string()),
        hint,
        needs: String::new(),
        arithmetic: o
            .calc
            .as_ref()
            .filter(|c| c.is_arithmetic())
            .map(|c| calc_text(c, lang))
            .unwrap_or_default(),
    }
}

pub struct TierView {
    pub id: String,
    pub name: String,
    pub row: String,
    pub citation: String,
}

pub fn tier_view(policy: &rules::policy::Policy, a: &Assessment<'_>, lang: Lang) -> TierView {
    match a.tier {
        Some((t, row)) => TierView {
            id: t.id.to_string(),
            name: lang.t(&t.zh, &t.en).into(),
            row: lang.t(&row.zh, &row.en).into(),
            citation: citation(policy, &row.cite, lang),
        },
        None => TierView {
            id: "—".into(),
            name: lang.t("未达到人才层次", "No talent tier").into(),
            row: lang
                .t("不符合任一人才层次的条件", "No tier row holds")
                .into(),
            citation: String::new(),
        },
    }
}

pub use rules::words::citation;

/// What a question asks about, as an item of a list ("还需要：年薪、毕业日期"): its label
/// without the question mark.
pub fn asked_about(path: &str, rules: &Rules, lang: Lang) -> String {
    let d = app::service::screening::describe(path, rules);
    lang.t(&d.label_zh, &d.label_en)
        .trim_end_matches(['？', '?'])
        .to_string()
}

/// The answers given, as label and value in words, in the form's order.
pub fn answers_in_words(
    values: &FormValues,
    rules: &rules::policy::Rules,
    lang: Lang,
) -> Vec<(String, String)> {
    use rules::input::fields::Kind;
    let words = |f: &rules::input::fields::FieldSpec, v: &str| -> String {
        match f.kind {
            Kind::YesNo => match v {
                "true" => lang.t("是", "Yes").into(),
                "false" => lang.t("否", "No").into(),
                other => other.into(),
            },
            Kind::Select(d) | Kind::Checks(d) => d
                .values()
                .iter()
                .find(|x| x.id == v)
                .map_or(v.to_string(), |x| lang.t(x.zh, x.en).to_string()),
            Kind::Programs => rules
                .programs
                .iter()
                .find(|p| &*p.id == v)
                .map_or(v.to_string(), |p| lang.t(&p.zh, &p.en).to_string()),
            Kind::Money => rules::applicant::parse_decimal(&rules::input::normalize_money(v))
                .map_or_else(|| v.to_string(), |d| yuan(&d)),
            // However it was typed (1999年3月15日, 1999/3/15), in the page's language.
            Kind::Date => rules::applicant::parse_date(v)
                .map_or_else(|| v.to_string(), |d| app::letters::day_words(d, lang)),
            _ => v.to_string(),
        }
    };
    let mut out = Vec::new();
    // Which parts concern the person, in one line (as "which of these describe you" asks).
    let said = |on: &str| -> Vec<String> {
        FormSection::ALL
            .iter()
            .filter(|s| {
                s.toggle()
                    .is_some_and(|(name, _, _)| values.get(name) == on)
            })
            .map(|s| {
                let (zh, en) = s.choice();
                lang.t(zh, en).to_string()
            })
            .collect()
    };
    let (applies, not) = (said("1"), said("0"));
    if !applies.is_empty() || !not.is_empty() {
        let sep = lang.t("、", "; ");
        let mut parts = Vec::new();
        if !applies.is_empty() {
            parts.push(format!("{}{}", lang.t("是：", "yes: "), applies.join(sep)));
        }
        if !not.is_empty() {
            parts.push(format!("{}{}", lang.t("否：", "no: "), not.join(sep)));
        }
        out.push((
            lang.t("您的情况", "Your situation").to_string(),
            parts.join(lang.t("；", ". ")),
        ));
    }
    for s in FormSection::ALL {
        for f in FIELDS.iter().filter(|f| f.section == s) {
            let given: Vec<String> = values
                .all(f.path)
                .iter()
                .filter(|v| !v.is_empty() && *v != "unsure")
                .map(|v| words(f, v))
                .collect();
            if !given.is_empty() {
                out.push((
                    lang.t(f.zh, f.en).to_string(),
                    given.join(lang.t("、", ", ")),
                ));
            }
        }
    }
    out
}

/// One material of a checklist, in words.
pub struct MaterialView {
    /// For the upload field's name (`material:ID`), never shown.
    pub id: String,
    pub name: String,
    pub what: String,
    /// The file kinds accepted: "PDF、JPEG、PNG".
    pub files: String,
    /// The programs that need it.
    pub programs: String,
}

/// A person's answers, and which of them are not known (a path in, whether it is unknown).
pub type Answers<'a> = (&'a rules::applicant::Profile, &'a dyn Fn(&str) -> bool);

/// The materials the given programs (indexes into the version's programs) need, each once;
/// with `profile`, only those its answers may hold (no title certificate for "no title";
/// `unknown` names the answers not given).
pub fn checklist(
    policy: &rules::policy::Policy,
    rules: &Rules,
    programs: &[usize],
    profile: Option<Answers<'_>>,
    lang: Lang,
) -> Vec<MaterialView> {
    policy
        .checklist_for(rules, programs, |m| {
            profile.is_none_or(|(p, unknown)| m.may_be_held(p, unknown))
        })
        .into_iter()
        .map(|(m, needing)| MaterialView {
            id: m.id.to_string(),
            name: lang.t(&m.zh, &m.en).to_string(),
            what: lang.t(&m.what_zh, &m.what_en).to_string(),
            files: m
                .files
                .iter()
                .map(|f| f.to_uppercase())
                .collect::<Vec<_>>()
                .join(lang.t("、", ", ")),
            programs: needing
                .iter()
                .map(|p| lang.t(&p.zh, &p.en))
                .collect::<Vec<_>>()
                .join(lang.t("、", "; ")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date is shown in the page's language however it was typed.
    #[test]
    fn answers_give_dates_in_the_pages_language() {
        let policy = rules::policy::load_embedded().unwrap();
        let rules = &policy.versions.last().unwrap().rules;
        let values = FormValues::parse(
            "person.birth_date=1999%E5%B9%B43%E6%9C%8815%E6%97%A5&person.full_name=x".as_bytes(),
        );
        let en = answers_in_words(&values, rules, Lang::En);
        let birth = en.iter().find(|(l, _)| l == "Date of birth").unwrap();
        assert_eq!(birth.1, "15 March 1999");
        let zh = answers_in_words(&values, rules, Lang::Zh);
        let birth = zh.iter().find(|(l, _)| l == "出生日期").unwrap();
        assert_eq!(birth.1, "1999年3月15日");
    }

    /// A condition in the negative reads without a double negative; a tier by its name; the
    /// parts of a value in the page's punctuation.
    #[test]
    fn conditions_read_as_a_person_says_them() {
        let policy = rules::policy::load_embedded().unwrap();
        let profile =
            rules::applicant::Profile::from_json(rules::EXAMPLE_PROFILE.as_bytes(), &policy)
                .unwrap();
        let a = rules::engine::assess(&policy, &profile).unwrap();
        let rules = &a.version.rules;
        let view = |program: &str, condition: &str, lang: Lang| {
            let p = a
                .programs
                .iter()
                .find(|p| &*p.program.id == program)
                .unwrap();
            let (c, o) = p
                .program
                .conditions
                .iter()
                .zip(&p.conditions)
                .find(|(c, _)| &*c.id == condition)
                .unwrap();
            condition_view(c, o, rules, lang)
        };
        let home = view("rent_subsidy", "no_home_in_city", Lang::Zh);
        assert_eq!(home.value, "在本市已有自有住房：否");
        assert_eq!(home.requirement, "在本市已有自有住房：否");
        let home = view("rent_subsidy", "no_home_in_city", Lang::En);
        assert_eq!(home.value, "Owns a home in the city: no");
        let tier = view("scitech_major_project", "tier_a_or_b", Lang::Zh);
        assert!(tier.value.contains("C类（省级领军人才）"), "{}", tier.value);
        assert!(
            !tier.value.contains(": ") && !tier.value.contains("; "),
            "{}",
            tier.value
        );
    }
}
