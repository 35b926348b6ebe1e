//! What the form pages show, prepared for the templates: every field with its label, help,
//! choices and error in the page's language; money and times formatted. Results are worded
//! in `result_view`. Nothing here decides eligibility; it words what the
//! engine returned.

use rules::applicant::{Domain, FieldError};
use rules::input::Lang;
use rules::input::fields::Need;
use rules::input::{self as form, FIELDS, FieldSpec, FormSection, FormValues, Kind};
use rules::policy::model::Rules;
use rust_decimal::{Decimal, RoundingStrategy};

pub use rules::words::{hint_sentence, yuan};

/// A stored time (`2026-11-26T17:05:19.191848+08:00`) to the minute: `2026-11-26 17:05`.
pub fn short_time(stamp: &str) -> String {
    stamp_cut(stamp, 16)
}

/// A stored time to the second: `2026-11-26 17:05:19` (the access log's).
pub fn time_to_second(stamp: &str) -> String {
    stamp_cut(stamp, 19)
}

fn stamp_cut(stamp: &str, chars: usize) -> String {
    stamp
        .chars()
        .take(chars)
        .collect::<String>()
        .replace('T', " ")
}

/// `123.46万元` (rounded half up to two places).
pub fn wan(d: &Decimal) -> String {
    let w = (d / Decimal::from(10_000))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{}万元", w.normalize())
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FieldView {
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    pub help: String,
    /// Marked with * : always required, or required to apply or with a degree (the help
    /// says when).
    pub star: bool,
    /// Required for any answer at all (the input's `required`).
    pub required: bool,
    /// `text`, `date`, `number`, `money`, `select`, `yesno`, `checks`.
    pub kind: &'static str,
    pub inputmode: &'static str,
    pub value: String,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
    /// Names the policy lists for this text (the alliance's institutions), offered as the
    /// person types.
    pub suggestions: Vec<String>,
}

/// The ids an input is described by: its help (`ID-help`) and its error (`ID-error`).
pub fn describedby(id: &str, help: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if help {
        ids.push(format!("{id}-help"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

impl FieldView {
    pub fn describedby(&self) -> String {
        describedby(&self.id, !self.help.is_empty(), self.error.is_some())
    }
}

pub struct SectionView {
    pub id: &'static str,
    pub title: &'static str,
    /// For an optional section: the box that says it applies, and whether it is ticked.
    pub toggle: Option<(&'static str, &'static str, bool)>,
    pub open: bool,
    pub fields: Vec<FieldView>,
}

pub struct ErrorLink {
    pub id: String,
    pub label: String,
    pub message: String,
}

fn options(domain: Domain, lang: Lang, value: &str, blank: bool) -> Vec<OptionView> {
    let mut out = Vec::new();
    if blank {
        out.push(OptionView {
            value: String::new(),
            label: lang.t("请选择", "Choose").into(),
            selected: value.is_empty(),
        });
    }
    out.extend(domain.values().iter().map(|v| OptionView {
        value: v.id.into(),
        label: form::value_name(v, lang.en()).into(),
        selected: v.id == value,
    }));
    out
}

fn field_view(
    f: &FieldSpec,
    values: &FormValues,
    errors: &[FieldError],
    lang: Lang,
    programs: &[(String, String)],
) -> FieldView {
    let id = form::input_id(f.path);
    let value = values.get(f.path).to_string();
    let error = errors
        .iter()
        .filter(|e| form::error_field(&e.field).is_some_and(|ef| ef.path == f.path))
        .map(|e| e.message(lang).to_string())
        .collect::<Vec<_>>();
    let error = (!error.is_empty()).then(|| error.join("；"));
    let (kind, inputmode, opts) = match f.kind {
        Kind::Text => ("text", "text", Vec::new()),
        Kind::Date => ("date", "numeric", Vec::new()),
        Kind::Years | Kind::Months => ("number", "numeric", Vec::new()),
        Kind::Money | Kind::Percent | Kind::Area => ("money", "decimal", Vec::new()),
        Kind::Select(d) => (
            "select",
            "",
            options(d, lang, &value, f.need != Need::Always || value.is_empty()),
        ),
        Kind::YesNo => (
            "yesno",
            "",
            vec![
                OptionView {
                    value: String::new(),
                    label: lang.t("未填写", "Not answered").into(),
                    selected: value.is_empty(),
                },
                OptionView {
                    value: "true".into(),
                    label: lang.t("是", "Yes").into(),
                    selected: value == "true",
                },
                OptionView {
                    value: "false".into(),
                    label: lang.t("否", "No").into(),
                    selected: value == "false",
                },
            ],
        ),
        Kind::Checks(d) => (
            "checks",
            "",
            d.values()
                .iter()
                .map(|v| OptionView {
                    value: v.id.into(),
                    label: form::value_name(v, lang.en()).into(),
                    selected: values.has(f.path, v.id),
                })
                .collect(),
        ),
        Kind::Programs => (
            "checks",
            "",
            programs
                .iter()
                .map(|(id, name)| OptionView {
                    value: id.clone(),
                    label: name.clone(),
                    selected: values.has(f.path, id),
                })
                .collect(),
        ),
    };
    FieldView {
        id,
        name: f.path,
        label: lang.t(f.zh, f.en),
        help: {
            let when = match f.need {
                Need::ToApply => lang.t(
                    "提交申请时必填，只测算可以不填",
                    "Needed to apply; an estimate goes without it",
                ),
                _ => "",
            };
            let help = lang.t(f.help_zh, f.help_en);
            match (when.is_empty(), help.is_empty()) {
                (false, false) => format!("{when}{}{help}", lang.t("。", ". ")),
                (false, true) => when.to_string(),
                _ => help.to_string(),
            }
        },
        star: f.need != Need::Optional,
        required: f.need == Need::Always,
        kind,
        inputmode,
        value,
        options: opts,
        error,
        suggestions: Vec::new(),
    }
}

/// The form's sections with the given values and errors; `programs` are the program ids and
/// names for "already received".
pub fn form_sections(
    values: &FormValues,
    errors: &[FieldError],
    lang: Lang,
    programs: &[(String, String)],
    rules: Option<&Rules>,
) -> Vec<SectionView> {
    FormSection::ALL
        .iter()
        .map(|&s| {
            let fields: Vec<FieldView> = FIELDS
                .iter()
                .filter(|f| f.section == s)
                .map(|f| FieldView {
                    suggestions: match (f.kind, rules) {
                        (Kind::Text, Some(r)) => app::service::screening::listed_texts(f.path, r),
                        _ => Vec::new(),
                    },
                    ..field_view(f, values, errors, lang, programs)
                })
                .collect();
            let applies = s.toggle().is_some() && values.section_applies(s);
            let has_error = fields.iter().any(|f| f.error.is_some());
            let (zh, en) = s.title();
            SectionView {
                id: s.id(),
                title: lang.t(zh, en),
                toggle: s
                    .toggle()
                    .map(|(name, zh, en)| (name, lang.t(zh, en), applies)),
                open: s.toggle().is_none() || applies || has_error,
                fields,
            }
        })
        .collect()
}

/// The error summary at the top of the form, each linking to its field.
pub fn error_links(errors: &[FieldError], lang: Lang) -> Vec<ErrorLink> {
    errors
        .iter()
        .map(|e| match form::error_field(&e.field) {
            Some(f) => ErrorLink {
                id: form::input_id(f.path),
                label: lang.t(f.zh, f.en).into(),
                message: e.message(lang).into(),
            },
            None => ErrorLink {
                id: "form".into(),
                label: lang.t("表单", "Form").into(),
                message: e.message(lang).into(),
            },
        })
        .collect()
}
