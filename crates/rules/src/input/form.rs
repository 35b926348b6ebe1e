//! Reading what people type: a submitted form (or a spreadsheet row, as the same values) into
//! the profile JSON the applicant module reads — money as `1,200,000` or `120万`, percentages
//! and areas with their units, yes/no, the sections that apply.
//!
//! Invariant: **a form and a spreadsheet row with the same answers give the same JSON**: both
//! come through [`to_profile_json`].

use super::fields::{FIELDS, FormSection, Kind};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The submitted form: each name with its values, in order.
#[derive(Debug, Clone, Default)]
pub struct FormValues(pub BTreeMap<String, Vec<String>>);

impl FormValues {
    /// Reads `application/x-www-form-urlencoded` (a body or a query string). Anything that is
    /// not a name/value list reads as an empty form.
    pub fn parse(bytes: &[u8]) -> FormValues {
        let pairs: Vec<(String, String)> = serde_html_form::from_bytes(bytes).unwrap_or_default();
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        FormValues(map)
    }

    /// The first value of a name, trimmed.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", |s| s.trim())
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], |v| v.as_slice())
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.all(name).iter().any(|v| v == value)
    }

    /// Whether an optional section applies: its box is ticked, or a field in it was typed in.
    pub fn section_applies(&self, section: FormSection) -> bool {
        match section.toggle() {
            None => true,
            Some((name, _, _)) => {
                !matches!(self.get(name), "" | "0" | "unsure")
                    || FIELDS.iter().filter(|f| f.section == section).any(|f| {
                        matches!(
                            f.kind,
                            Kind::Text
                                | Kind::Date
                                | Kind::Years
                                | Kind::Months
                                | Kind::Money
                                | Kind::Percent
                                | Kind::Area
                        ) && !self.get(f.path).is_empty()
                    })
            }
        }
    }
}

/// Money as typed by a person → a plain decimal string (the profile's money reader); anything
/// else is passed on as typed, so the profile reader reports it against the field.
pub fn normalize_money(raw: &str) -> String {
    let plain: String = crate::applicant::half_width(raw)
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '_'))
        .collect();
    match crate::applicant::parse_money(&plain) {
        // `1.5万` is 15000, not 15000.0; `300,000.50` keeps the cents as typed.
        Some(d) if raw.contains('万') => d.normalize().to_string(),
        Some(d) => d.to_string(),
        None => raw.trim().to_string(),
    }
}

fn normalize_percent(raw: &str) -> String {
    crate::applicant::half_width(raw.trim())
        .trim_end_matches('%')
        .trim()
        .to_string()
}

fn normalize_area(raw: &str) -> String {
    let s = crate::applicant::half_width(raw.trim());
    let s = s.as_str();
    let s = ["平方米", "平米", "㎡", "m²", "m2"]
        .iter()
        .fold(s, |s, u| s.strip_suffix(u).unwrap_or(s));
    s.replace(',', "").trim().to_string()
}

fn object_at<'a>(
    root: &'a mut Map<String, Value>,
    path: &[&str],
) -> Option<&'a mut Map<String, Value>> {
    path.iter().try_fold(root, |at, p| match at.get_mut(*p) {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    })
}

/// One field's answer as profile JSON (`None`: left blank); a list is its ticked values.
fn answer(form: &FormValues, f: &super::fields::FieldSpec) -> Option<Value> {
    Some(match f.kind {
        Kind::Checks(_) | Kind::Programs => Value::Array(
            form.all(f.path)
                .iter()
                .map(|v| Value::String(v.trim().into()))
                .collect(),
        ),
        _ => match form.get(f.path) {
            "" => return None,
            raw => match f.kind {
                Kind::YesNo if raw == "true" => Value::Bool(true),
                Kind::YesNo if raw == "false" => Value::Bool(false),
                Kind::Money => Value::String(normalize_money(raw)),
                Kind::Percent => Value::String(normalize_percent(raw)),
                Kind::Area => Value::String(normalize_area(raw)),
                _ => Value::String(raw.into()),
            },
        },
    })
}

/// Where a field's answer goes: the objects above it (none for `application_date` and
/// `prior_awards`, which stand at the top) and its key.
fn place(f: &super::fields::FieldSpec) -> (&'static [&'static str], &'static str) {
    let key = f.path.rsplit('.').next().unwrap_or(f.path);
    if f.path.contains('.') {
        (f.section.json_path(), key)
    } else {
        (&[], key)
    }
}

/// The profile JSON for a submitted form. Empty answers are left out; optional sections are
/// included only when they apply.
/// The answers read for an estimate, which needs no identity: a name or ID number left blank
/// is filled with a stand-in (a resident ID is made from the date of birth, so that it agrees
/// with it; another ID type gets a placeholder number), and the flag says whether it was. The
/// stand-in is never shown or saved — applying asks for the real ones.
pub fn to_estimate_json(form: &FormValues) -> (Value, bool) {
    let mut json = to_profile_json(form);
    let Some(person) = json.get_mut("person").and_then(Value::as_object_mut) else {
        return (json, false);
    };
    let blank = |k: &str| {
        person
            .get(k)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
    };
    let (no_name, no_number) = (blank("full_name"), blank("id_number"));
    if no_name {
        person.insert("full_name".into(), "测算".into());
    }
    if no_number {
        let resident = person
            .get("id_type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "resident_id");
        let born = person
            .get("birth_date")
            .and_then(Value::as_str)
            .and_then(crate::applicant::written::parse_date);
        match born.filter(|_| resident) {
            Some(d) => {
                let first17 = format!("320682{}000", d.format("%Y%m%d"));
                let check =
                    crate::applicant::checksum::resident_id_check_char(&first17).unwrap_or('0');
                person.insert("id_type".into(), "resident_id".into());
                person.insert("id_number".into(), format!("{first17}{check}").into());
            }
            None => {
                if resident {
                    person.insert("id_type".into(), "passport".into());
                }
                person.insert("id_number".into(), "ESTIMATE00".into());
            }
        }
    }
    (json, no_name || no_number)
}

pub fn to_profile_json(form: &FormValues) -> Value {
    let mut root = Map::new();
    root.insert("person".into(), Value::Object(Map::new()));
    let applies = |s: FormSection| s.toggle().is_none() || form.section_applies(s);
    for (section, key) in [
        (FormSection::Employment, "employment"),
        (FormSection::Startup, "startup"),
    ] {
        if applies(section) {
            root.insert(key.into(), Value::Object(Map::new()));
        }
    }
    if applies(FormSection::Housing) || applies(FormSection::HomePurchase) {
        let mut housing = Map::new();
        if applies(FormSection::HomePurchase) {
            housing.insert("home_purchase".into(), Value::Object(Map::new()));
        }
        root.insert("housing".into(), Value::Object(housing));
    }
    for f in FIELDS.iter().filter(|f| applies(f.section)) {
        let Some(value) = answer(form, f) else {
            continue;
        };
        let (at, key) = place(f);
        if let Some(obj) = object_at(&mut root, at) {
            obj.insert(key.to_string(), value);
        }
    }
    Value::Object(root)
}

/// What an interview's answers say "not sure" to: the `unsure` values, and any path (or a
/// section's toggle, as its section path) answered `unsure`.
pub fn unsure_paths(form: &FormValues) -> Vec<String> {
    let mut out: Vec<String> = form
        .all("unsure")
        .iter()
        .map(|v| v.trim().to_string())
        .collect();
    for (name, values) in &form.0 {
        if values.iter().any(|v| v == "unsure") {
            let path = FormSection::ALL
                .iter()
                .find(|s| s.toggle().is_some_and(|(t, _, _)| t == name))
                .map_or(name.as_str(), |s| s.profile_path());
            if !out.iter().any(|o| o == path) {
                out.push(path.to_string());
            }
        }
    }
    out
}

/// The partial profile JSON for an interview's answers (brief §8): an answer left out, blank
/// or "not sure" is unknown; a section's toggle says `1` (it applies), `0` (it does not:
/// `null`) or nothing (unknown; a field answered in it makes it apply). A list (honors,
/// programs received) is unknown while nothing is ticked; it is empty when "none of these"
/// (`none_of`) names it.
pub fn to_partial_json(form: &FormValues) -> Value {
    let unsure = unsure_paths(form);
    let mut root = Map::new();
    root.insert("person".into(), Value::Object(Map::new()));
    let date = form.get("application_date");
    if !date.is_empty() {
        root.insert("application_date".into(), Value::String(date.into()));
    }
    // None: unknown; Some(false): does not apply.
    let state = |s: FormSection| -> Option<bool> {
        let (name, _, _) = s.toggle()?;
        match form.get(name) {
            "0" => Some(false),
            "1" => Some(true),
            _ => form.section_applies(s).then_some(true),
        }
    };
    for (section, key) in [
        (FormSection::Employment, "employment"),
        (FormSection::Startup, "startup"),
    ] {
        match state(section) {
            Some(true) => root.insert(key.into(), Value::Object(Map::new())),
            Some(false) => root.insert(key.into(), Value::Null),
            None => None,
        };
    }
    let purchase = state(FormSection::HomePurchase);
    match (state(FormSection::Housing), purchase) {
        (Some(false), _) => {
            root.insert("housing".into(), Value::Null);
        }
        (h, p) if h.is_some() || p == Some(true) => {
            let mut housing = Map::new();
            match p {
                Some(true) => housing.insert("home_purchase".into(), Value::Object(Map::new())),
                Some(false) => housing.insert("home_purchase".into(), Value::Null),
                None => None,
            };
            root.insert("housing".into(), Value::Object(housing));
        }
        _ => {}
    }
    for f in FIELDS.iter() {
        if unsure.iter().any(|u| u == f.path) || f.path == "application_date" {
            continue;
        }
        let listed = matches!(f.kind, Kind::Checks(_) | Kind::Programs);
        // A list with nothing ticked is unknown; only "none of these" says it is empty.
        if listed && form.all(f.path).is_empty() && !form.has("none_of", f.path) {
            continue;
        }
        if form.get(f.path) == "unsure" {
            continue;
        }
        let Some(value) = answer(form, f) else {
            continue;
        };
        let (at, key) = place(f);
        // An answer inside a section nobody said applies makes it apply.
        for depth in 1..=at.len() {
            if let Some(parent) = object_at(&mut root, &at[..depth - 1]) {
                parent
                    .entry(at[depth - 1].to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
        // A section said not to apply (`null`) keeps no answers.
        if let Some(obj) = object_at(&mut root, at) {
            obj.insert(key.to_string(), value);
        }
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An estimate fills a blank name and ID with a stand-in that passes validation (a
    /// resident ID agreeing with the date of birth), and says so; given ones are kept.
    #[test]
    fn an_estimate_stands_in_for_a_blank_identity() {
        let form = |q: &str| FormValues::parse(q.as_bytes());
        let (v, estimate) = to_estimate_json(&form(
            "person.id_type=resident_id&person.birth_date=1999%E5%B9%B43%E6%9C%8815%E6%97%A5",
        ));
        assert!(estimate);
        let id = v["person"]["id_number"].as_str().unwrap();
        assert!(crate::applicant::checksum::resident_id_is_valid(id), "{id}");
        assert_eq!(&id[6..14], "19990315");
        let (v, _) = to_estimate_json(&form("person.id_type=passport"));
        assert_eq!(v["person"]["id_type"], "passport");
        assert_eq!(v["person"]["id_number"], "ESTIMATE00");
        let (v, estimate) = to_estimate_json(&form(
            "person.full_name=%E7%8E%8B%E4%BA%94&person.id_type=passport&person.id_number=E12345678",
        ));
        assert!(!estimate);
        assert_eq!(v["person"]["full_name"], "王五");
        assert_eq!(v["person"]["id_number"], "E12345678");
    }

    #[test]
    fn an_interviews_answers_become_a_partial_profile() {
        let form = FormValues::parse(
            "has_employment=1&has_startup=0&employment.annual_salary=30%E4%B8%87&person.highest_degree=master\
             &employment.full_time=unsure&unsure=employment.contract_years&employment.contract_years=3\
             &none_of=prior_awards&housing.home_purchase.price=100%E4%B8%87"
                .as_bytes(),
        );
        let v = to_partial_json(&form);
        assert_eq!(v["employment"]["annual_salary"], "300000");
        assert!(
            v["employment"].get("full_time").is_none(),
            "not sure stays unknown"
        );
        assert!(
            v["employment"].get("contract_years").is_none(),
            "not sure wins over a value"
        );
        assert_eq!(v["startup"], Value::Null);
        assert_eq!(v["prior_awards"], serde_json::json!([]));
        assert!(v["person"].get("honors").is_none());
        assert_eq!(v["housing"]["home_purchase"]["price"], "1000000");
        assert!(v.get("application_date").is_none());
        assert_eq!(
            unsure_paths(&form),
            ["employment.contract_years", "employment.full_time"]
        );
    }

    #[test]
    fn money_is_read_as_people_write_it() {
        assert_eq!(normalize_money("1,200,000"), "1200000");
        assert_eq!(normalize_money("120万"), "1200000");
        assert_eq!(normalize_money("1.5万元"), "15000");
        assert_eq!(normalize_money("¥ 300,000.50"), "300000.50");
        assert_eq!(normalize_money("１５万"), "150000");
        assert_eq!(normalize_money("１２０，０００"), "120000");
        assert_eq!(normalize_percent("３０％"), "30");
        assert_eq!(normalize_area("１５０平方米"), "150");
        assert_eq!(normalize_money("abc"), "abc");
        assert_eq!(normalize_percent("30%"), "30");
        assert_eq!(normalize_area("150平方米"), "150");
    }

    #[test]
    fn a_form_becomes_profile_json_with_only_the_sections_that_apply() {
        let form = FormValues::parse(
            "application_date=2026-03-01&person.full_name=%E5%BC%A0%E4%B8%89&person.honors=academician&person.honors=municipal_talent_program\
             &has_startup=1&startup.paid_in_capital=120%E4%B8%87&startup.company_in_park=true&employment.industry=other"
                .as_bytes(),
        );
        let v = to_profile_json(&form);
        assert_eq!(v["person"]["full_name"], "张三");
        assert_eq!(
            v["person"]["honors"],
            serde_json::json!(["academician", "municipal_talent_program"])
        );
        assert_eq!(v["startup"]["paid_in_capital"], "1200000");
        assert_eq!(v["startup"]["company_in_park"], true);
        assert!(
            v.get("employment").is_none(),
            "a select alone does not make a section apply"
        );
        assert_eq!(
            super::super::error_field("person.honors[1]").map(|f| f.path),
            Some("person.honors")
        );
    }
}
