//! The profile's validation rules. Single-field rules run through `validator` (derived on the
//! profile types, with the custom functions below); rules that relate two fields run in
//! [`check`]. Each rule's message exists in Chinese and English.

use super::checksum::{resident_id_is_valid, uscc_is_valid};
use super::{Degree, FieldError, IdType, Profile, ProfileContext, age_on};
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use std::borrow::Cow;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

const MONEY_MAX: i64 = 10_000_000_000;

fn err(code: &'static str) -> Result<(), ValidationError> {
    Err(ValidationError::new(code))
}

pub(super) fn full_name(name: &str) -> Result<(), ValidationError> {
    let n = name.trim().chars().count();
    if !(1..=50).contains(&n) {
        return err("full_name_length");
    }
    if name.chars().any(char::is_control) {
        return err("control_characters");
    }
    Ok(())
}

pub(super) fn uscc(code: &str) -> Result<(), ValidationError> {
    if uscc_is_valid(code) {
        Ok(())
    } else if code.chars().count() != 18 {
        err("uscc_length")
    } else {
        err("uscc_check")
    }
}

fn at_most_two_places(d: &Decimal) -> bool {
    d.normalize().scale() <= 2
}

pub(super) fn money(d: &Decimal) -> Result<(), ValidationError> {
    if d.is_sign_negative() && !d.is_zero() || *d > Decimal::from(MONEY_MAX) {
        err("money_range")
    } else if !at_most_two_places(d) {
        err("two_places")
    } else {
        Ok(())
    }
}

pub(super) fn price(d: &Decimal) -> Result<(), ValidationError> {
    money(d)?;
    if d.is_zero() {
        err("price_positive")
    } else {
        Ok(())
    }
}

pub(super) fn percent(d: &Decimal) -> Result<(), ValidationError> {
    if *d < Decimal::ZERO || *d > Decimal::ONE_HUNDRED {
        err("percent_range")
    } else if !at_most_two_places(d) {
        err("two_places")
    } else {
        Ok(())
    }
}

pub(super) fn area(d: &Decimal) -> Result<(), ValidationError> {
    if *d < Decimal::ZERO || *d > Decimal::from(100_000) {
        err("area_range")
    } else if !at_most_two_places(d) {
        err("two_places")
    } else {
        Ok(())
    }
}

/// Chinese and English messages for a validator error code.
fn message(e: &ValidationError) -> crate::Msg {
    let param = |k: &str| e.params.get(k).map(|v| v.to_string()).unwrap_or_default();
    let (zh, en): (Cow<str>, Cow<str>) = match &*e.code {
        "range" => (
            format!("应在 {} 到 {} 之间", param("min").replace("null", "0"), param("max")).into(),
            format!("must be from {} to {}", param("min").replace("null", "0"), param("max")).into(),
        ),
        "full_name_length" => ("姓名应为 1 到 50 个字".into(), "must be 1 to 50 characters".into()),
        "control_characters" => ("不能含有控制字符".into(), "must not contain control characters".into()),
        "uscc_length" => (
            "统一社会信用代码应为 18 位".into(),
            "a unified social credit code has 18 characters".into(),
        ),
        "uscc_check" => (
            "统一社会信用代码校验位不正确，或含有不允许的字母（I、O、S、V、Z）".into(),
            "the credit code's check character is wrong, or it has a letter the code never uses (I, O, S, V, Z)".into(),
        ),
        "money_range" => (
            "金额应在 0 到 10,000,000,000 元之间".into(),
            "must be from 0 to 10,000,000,000 yuan".into(),
        ),
        "price_positive" => ("房价应大于 0".into(), "must be above 0".into()),
        "two_places" => ("最多保留两位小数".into(), "must have at most 2 decimal places".into()),
        "percent_range" => ("比例应在 0 到 100 之间".into(), "must be from 0 to 100".into()),
        "area_range" => ("面积应在 0 到 100,000 平方米之间".into(), "must be from 0 to 100,000 m²".into()),
        other => (format!("不符合规则（{other}）").into(), format!("is invalid ({other})").into()),
    };
    crate::Msg::new(zh, en)
}

fn flatten(path: &str, errs: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errs.errors() {
        let here = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let crate::Msg { zh, en } = message(e);
                    out.push(FieldError::new(here.clone(), zh, en));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(&here, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{here}[{i}]"), inner, out);
                }
            }
        }
    }
}

/// Each part's own field rules, under the part's path: every part that derives `Validate` is
/// called here (a part given field rules must be added). The parts are not declared
/// `#[validate(nested)]`: validator then looks each part up in a hash map even when all is
/// well, about 4 % of the time a valid profile takes to read.
fn field_rules(p: &Profile, found: &mut Vec<FieldError>) {
    let mut part = |path: &str, checked: Result<(), ValidationErrors>| {
        if let Err(e) = checked {
            flatten(path, &e, found);
        }
    };
    part("person", p.person.validate());
    if let Some(e) = &p.employment {
        part("employment", e.validate());
    }
    if let Some(s) = &p.startup {
        part("startup", s.validate());
    }
    if let Some(hp) = p.housing.as_ref().and_then(|h| h.home_purchase.as_ref()) {
        part("housing.home_purchase", hp.validate());
    }
}

/// Runs every rule on a profile whose reading may already have recorded errors; a rule that
/// involves a field with an error already is skipped, so placeholders never produce noise.
pub(super) fn check(p: &Profile, ctx: &dyn ProfileContext, out: &mut Vec<FieldError>) {
    let bad: Vec<String> = out.iter().map(|e| e.field.clone()).collect();
    let ok = |f: &str| {
        !bad.iter()
            .any(|b| b == f || b.starts_with(&format!("{f}.")))
    };
    let mut found = Vec::new();
    field_rules(p, &mut found);
    cross_field(p, ctx, &ok, &mut found);
    out.extend(found.into_iter().filter(|e| ok(&e.field)));
}

fn push(out: &mut Vec<FieldError>, field: &str, zh: String, en: String) {
    out.push(FieldError::new(field, zh, en));
}

/// Rules relating two fields; `ok(field)` says whether a field read without error (a rule
/// that needs a field that did not is skipped).
fn cross_field(
    p: &Profile,
    ctx: &dyn ProfileContext,
    ok: &dyn Fn(&str) -> bool,
    out: &mut Vec<FieldError>,
) {
    let app = p.application_date;
    let last_day = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or(NaiveDate::MAX);
    // Rules measured against a date that is itself missing or out of range say nothing useful.
    let app_ok = app <= last_day && ok("application_date");
    let birth_ok = ok("person.birth_date");
    if app > last_day {
        push(
            out,
            "application_date",
            "申请日期不能晚于 2100-12-31".into(),
            "must be no later than 2100-12-31".into(),
        );
    } else if !ctx.has_version_on(app) {
        let (zh, en) = match ctx.first_day() {
            Some(first) if app < first => (
                format!("{app} 没有有效的政策版本（政策自 {first} 起施行）"),
                format!("no policy is in force on {app} (the policies apply from {first})"),
            ),
            _ => (
                format!("{app} 没有有效的政策版本"),
                format!("no policy is in force on {app}"),
            ),
        };
        push(out, "application_date", zh, en);
    }

    let person = &p.person;
    let id = person.id_number.as_str();
    let alnum = |min: usize, max: usize| {
        (min..=max).contains(&id.chars().count()) && id.chars().all(|c| c.is_ascii_alphanumeric())
    };
    match person.id_type {
        IdType::ResidentId => {
            // ASCII first, so that slicing by byte below stays on character boundaries.
            let shaped = id.len() == 18
                && id.is_ascii()
                && id[..17].bytes().all(|c| c.is_ascii_digit())
                && (id.as_bytes()[17].is_ascii_digit() || id.as_bytes()[17] == b'X');
            if !shaped {
                push(
                    out,
                    "person.id_number",
                    "居民身份证号应为 18 位：17 位数字加 1 位数字或 X".into(),
                    "a resident ID has 18 characters: 17 digits, then a digit or X".into(),
                );
            } else if !resident_id_is_valid(id) {
                push(
                    out,
                    "person.id_number",
                    "身份证号校验位不正确，请核对".into(),
                    "the ID number's check digit is wrong: please check the number".into(),
                );
            } else if birth_ok
                && NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok() != Some(person.birth_date)
            {
                push(
                    out,
                    "person.id_number",
                    format!(
                        "身份证号中的出生日期（{}）与填写的出生日期不一致",
                        &id[6..14]
                    ),
                    format!(
                        "the birth date in the ID number ({}) differs from the date of birth given",
                        &id[6..14]
                    ),
                );
            }
        }
        IdType::Passport if !alnum(5, 20) => {
            push(
                out,
                "person.id_number",
                "护照号应为 5 到 20 位字母或数字".into(),
                "a passport number has 5 to 20 letters or digits".into(),
            );
        }
        IdType::HmtPermit if !alnum(8, 20) => {
            push(
                out,
                "person.id_number",
                "港澳台证件号应为 8 到 20 位字母或数字".into(),
                "a HK/Macao/Taiwan permit number has 8 to 20 letters or digits".into(),
            );
        }
        _ => {}
    }

    let age = age_on(person.birth_date, app);
    if app_ok && person.birth_date > app {
        push(
            out,
            "person.birth_date",
            format!(
                "出生日期 {} 在申请日期 {app} 之后，请核对",
                person.birth_date
            ),
            format!(
                "{} is after the application date {app}: please check it",
                person.birth_date
            ),
        );
    } else if app_ok && !(16..=100).contains(&age) {
        push(
            out,
            "person.birth_date",
            format!("申请日年龄应在 16 到 100 周岁之间（按此出生日期为 {age} 周岁）"),
            format!("age on the application date must be 16 to 100 (this birth date gives {age})"),
        );
    }

    if person.highest_degree != Degree::None {
        let needs = [
            ("person.institution_tier", person.institution_tier.is_none()),
            ("person.institution_name", person.institution_name.is_none()),
            ("person.graduation_date", person.graduation_date.is_none()),
        ];
        for (field, missing) in needs {
            if missing {
                push(
                    out,
                    field,
                    "填写了学历时为必填项".into(),
                    "is required when a highest degree is given".into(),
                );
            }
        }
    }
    if let Some(grad) = person.graduation_date {
        let earliest = person.birth_date.checked_add_months(Months::new(15 * 12));
        if birth_ok && earliest.is_none_or(|e| grad < e) || app_ok && grad > app {
            push(
                out,
                "person.graduation_date",
                "毕业日期应在年满 15 周岁之后、申请日期之前".into(),
                "must be on or after the 15th birthday and not after the application date".into(),
            );
        }
    }

    let not_after = |out: &mut Vec<FieldError>, field: &str, date: Option<NaiveDate>| {
        if app_ok && date.is_some_and(|d| d > app) {
            push(
                out,
                field,
                format!("不能晚于申请日期 {app}"),
                format!("must not be after the application date {app}"),
            );
        }
    };
    if let Some(e) = &p.employment {
        not_after(out, "employment.start_date", e.start_date);
    }
    if let Some(s) = &p.startup {
        not_after(out, "startup.registration_date", s.registration_date);
        if let (Some(cash), Some(capital)) = (s.founder_cash_investment, s.paid_in_capital)
            && cash > capital
        {
            push(
                out,
                "startup.founder_cash_investment",
                format!("创始人现金出资不能超过实缴资本（{capital} 元）"),
                format!("must not be above paid_in_capital ({capital} yuan)"),
            );
        }
    }
    if let Some(hp) = p.housing.as_ref().and_then(|h| h.home_purchase.as_ref()) {
        not_after(out, "housing.home_purchase.date", hp.date);
    }
}

/// Orders errors in the profile's field order, so the first error is the first field.
pub(super) fn sort_errors(errors: &mut [FieldError]) {
    let order: Vec<String> = super::read::field_order().collect();
    let rank = |f: &str| {
        let base = f.split('[').next().unwrap_or(f);
        order.iter().position(|o| o == base).unwrap_or(order.len())
    };
    errors.sort_by_key(|e| rank(&e.field));
}
