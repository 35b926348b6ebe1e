//! The shape of the policy files, as serde reads them. Every table denies unknown keys, and
//! every value a later check may complain about keeps its span, so the complaint can name
//! file, line and column.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;
use toml::Spanned;

pub type Text = Spanned<String>;

/// A value that may change between versions: either one value for every version, or a
/// table from version id to the value in force from that version on.
#[derive(Debug, Clone)]
pub enum Versioned {
    Always(Scalar),
    ByVersion(Vec<(Text, Spanned<Scalar>)>),
    /// A table whose entries are themselves values or tables by version: a parameter by
    /// tier (`by = "tier"`), such as `{ A = "5_000_000", C = { "2021" = …, "2026" = … } }`.
    Table(Vec<(Text, Spanned<Versioned>)>),
}

impl Versioned {
    /// The entries of a table keyed by something other than the version (a parameter with
    /// `by`): each a value, or a table by version.
    pub fn keyed_entries(&self) -> Option<Vec<(Text, Spanned<Versioned>)>> {
        match self {
            Versioned::Always(_) => None,
            Versioned::ByVersion(e) => Some(
                e.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Spanned::new(v.span(), Versioned::Always(v.get_ref().clone())),
                        )
                    })
                    .collect(),
            ),
            Versioned::Table(e) => Some(e.clone()),
        }
    }
}

/// What a policy value may be written as: a string (an expression, a decimal, a fraction) or
/// an integer. TOML floats are refused, because they pass through binary floating point.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
}

const FLOAT_REFUSED: &str = "TOML floats are not allowed here (they are binary, not exact): write the number as a string, such as \"1.2\"";

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or an integer")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        i64::try_from(v)
            .map(Scalar::Integer)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar, E> {
        Err(E::custom(FLOAT_REFUSED))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

impl<'de> Deserialize<'de> for Versioned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Versioned;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, an integer, or a table from version id to value such as { \"2021\" = \"…\", \"2026\" = \"…\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Versioned, E> {
                Ok(Versioned::Always(Scalar::Text(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Versioned, E> {
                Ok(Versioned::Always(Scalar::Integer(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Versioned, E> {
                ScalarVisitor.visit_u64(v).map(Versioned::Always)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Versioned, E> {
                Err(E::custom(FLOAT_REFUSED))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Versioned, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Text>()? {
                    let v = map.next_value::<Spanned<Versioned>>()?;
                    out.push((k, v));
                }
                let scalars: Vec<(Text, Spanned<Scalar>)> = out
                    .iter()
                    .filter_map(|(k, v)| match v.get_ref() {
                        Versioned::Always(s) => {
                            Some((k.clone(), Spanned::new(v.span(), s.clone())))
                        }
                        _ => None,
                    })
                    .collect();
                if scalars.len() == out.len() {
                    return Ok(Versioned::ByVersion(scalars));
                }
                Ok(Versioned::Table(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `policy/policy.toml`: shared definitions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    /// The document files, in the order their programs are listed and combined.
    pub documents: Vec<Text>,
    #[serde(rename = "version")]
    pub versions: Vec<VersionDef>,
    #[serde(rename = "set", default)]
    pub sets: Vec<SetDef>,
    #[serde(rename = "tier")]
    pub tiers: Vec<TierDef>,
    #[serde(default)]
    pub params: Vec<ParamDef>,
    /// The documents that prove conditions (申报材料).
    #[serde(rename = "material", default)]
    pub materials: Vec<MaterialDef>,
}

/// A document an applicant supplies to prove conditions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    /// What counts as this material.
    pub what_zh: String,
    pub what_en: String,
    /// Accepted file kinds: `pdf`, `jpeg`, `png`.
    pub files: Vec<Text>,
    pub cite: Option<Text>,
    /// The answers it proves (field paths).
    #[serde(default)]
    pub shows: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    pub from: Spanned<toml::value::Datetime>,
    pub until: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    pub cite: Option<Text>,
    /// `industry` (or another enumeration) for a set of values; `text` for a list of names.
    pub of: Text,
    #[serde(default)]
    pub include: Vec<Text>,
    #[serde(default)]
    pub values: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    #[serde(rename = "row")]
    pub rows: Vec<RuleDef>,
}

/// A named expression with labels and a citation: a tier row, a condition, a review rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    pub cite: Option<Text>,
    pub when: Spanned<Versioned>,
    #[serde(default)]
    pub actionable: bool,
    /// The materials (ids) that prove it; none for a condition proved by nothing the
    /// applicant supplies beyond the others (age comes from the identity document).
    #[serde(default)]
    pub proof: Vec<Text>,
}

/// A named constant, possibly changing between versions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    pub id: Text,
    pub zh: Option<String>,
    pub en: Option<String>,
    pub cite: Option<Text>,
    /// What the value measures: `yuan`, `yuan/month`, `yuan/m²/month`, `m²`, `months`,
    /// `years`, `%`, `factor`.
    pub unit: Option<Text>,
    /// A value per talent tier: `by = "tier"` and `value = { A = …, B = …, others = … }`.
    pub by: Option<Text>,
    pub value: Spanned<Versioned>,
}

/// `policy/<document>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentFile {
    pub id: Text,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub params: Vec<ParamDef>,
    #[serde(rename = "program", default)]
    pub programs: Vec<ProgramDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    /// The default citation of the program's rules.
    pub cite: Option<Text>,
    #[serde(default)]
    pub needs: Vec<Text>,
    /// First version the program is in force in (default: the first version).
    pub since: Option<Text>,
    /// Last version the program is in force in (default: open-ended).
    pub until: Option<Text>,
    #[serde(rename = "condition")]
    pub conditions: Vec<RuleDef>,
    pub amount: AmountDef,
    pub review: Option<ReviewDef>,
    #[serde(rename = "installment")]
    pub installments: Vec<InstallmentDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountDef {
    pub zh: Text,
    pub en: Text,
    pub cite: Option<Text>,
    pub value: Spanned<Versioned>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    pub zh: Text,
    pub en: Text,
    pub cite: Option<Text>,
    pub when: Spanned<Versioned>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallmentDef {
    /// `"1/3"`, `"40%"` or `"0.5"`.
    pub share: Spanned<Scalar>,
    pub zh: String,
    pub en: String,
    /// When it falls due after the program is approved: `"12 months"`, `"2 years"`,
    /// `"0 months"`. Without it the installment waits for its trigger (an event such as a
    /// signed agreement or a review), and the payment schedule shows it undated.
    pub after: Option<Text>,
}

/// `policy/combining.toml`: no double funding, then caps, in the order written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombiningFile {
    #[serde(rename = "exclusive", default)]
    pub exclusive_groups: Vec<GroupDef>,
    #[serde(rename = "cap", default)]
    pub caps: Vec<CapDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    pub cite: Option<Text>,
    pub programs: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapDef {
    pub id: Text,
    pub zh: String,
    pub en: String,
    pub cite: Option<Text>,
    /// The programs the cap covers, served in this order.
    #[serde(default)]
    pub programs: Vec<Text>,
    /// The cap covers every program, in the order they are listed.
    #[serde(default)]
    pub all_programs: bool,
    pub max: Spanned<Versioned>,
}

/// `policy/calendar.toml`: each year's public holidays and make-up working days, as the State
/// Council's notice gives them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    #[serde(default)]
    pub year: Vec<CalendarYearDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearDef {
    pub year: Spanned<i64>,
    /// The notice the dates come from.
    pub source: String,
    #[serde(default)]
    pub holiday: Vec<HolidayDef>,
    /// Weekend days worked instead (调休上班).
    #[serde(default)]
    pub makeup: Vec<Spanned<toml::value::Datetime>>,
}

/// Days off in a row: `from` to `to` (both included; `to` absent for one day).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayDef {
    pub zh: String,
    pub en: String,
    pub from: Spanned<toml::value::Datetime>,
    pub to: Option<Spanned<toml::value::Datetime>>,
}

/// `procedure.toml`: the steps of the park's procedure, in order, and its limits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureFile {
    /// Yuan: a case approved at or above it needs a leader's sign-off.
    pub sign_off_from: Spanned<i64>,
    /// Working days.
    pub accept_days: Spanned<i64>,
    pub decision_days: Spanned<i64>,
    pub notice_days: Spanned<i64>,
    pub contact: ContactDef,
    #[serde(default)]
    pub step: Vec<StepDef>,
    /// How letters are numbered, who issues them, where a refusal can be challenged.
    pub letters: Option<LetterSettingsDef>,
}

/// `[letters]` of `procedure.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterSettingsDef {
    /// With `{年}`, `{类别}` and `{序号}`.
    pub number: Spanned<String>,
    /// Each kind's code in the number, by kind id.
    pub codes: Spanned<std::collections::BTreeMap<String, String>>,
    pub office: ContactDef,
    pub reply_days: Spanned<i64>,
    pub review_body: ContactDef,
    pub review_days: Spanned<i64>,
    pub court: ContactDef,
    pub suit_months: Spanned<i64>,
}

/// `letters.toml`: each kind of letter's wording, Chinese and English.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LettersFile {
    pub accept: Option<TemplateDef>,
    pub correction: Option<TemplateDef>,
    pub not_accepted: Option<TemplateDef>,
    pub grant: Option<TemplateDef>,
    pub refusal: Option<TemplateDef>,
    pub payment: Option<TemplateDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDef {
    pub zh: Spanned<String>,
    pub en: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactDef {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub id: Spanned<String>,
    pub zh: String,
    pub en: String,
    pub role: Spanned<String>,
    #[serde(default)]
    pub other_officer: bool,
}

/// `prior.toml`: how often each answer is seen, per profile path (`[answers."person.highest_degree"]
/// master = 35`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorFile {
    pub answers: std::collections::BTreeMap<
        Spanned<String>,
        std::collections::BTreeMap<Spanned<String>, i64>,
    >,
}
