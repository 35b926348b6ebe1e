//! A partial profile (brief §8): the answers given so far. A field left out (or `null`) is
//! *unknown*; a section given as `null` does not apply ("I have no company"); a section left
//! out is unknown as a whole. Given values are read and validated exactly as a full profile's
//! are; unknown ones hold a valid placeholder that nothing may read (the screening asks
//! [`Partial::is_unknown`] first).
//!
//! Identity fields (name, ID number) are never needed: a resident ID number, when given,
//! supplies the birth date (characters 7–14); a mismatch is an error only when both are given.

use super::read::field_order;
use super::{InvalidProfile, Profile, ProfileContext};
use chrono::{Months, NaiveDate};
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Every answerable path of a profile, sections included (`employment`,
/// `housing.home_purchase`), in the profile's order; a [`Partial`]'s unknowns are a bit mask
/// over this list.
pub static PATHS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut out: Vec<&'static str> = Vec::new();
    for p in field_order() {
        for section in ["employment", "startup", "housing"] {
            if p.starts_with(section) && !out.contains(&section) {
                out.push(section);
            }
        }
        if !out.iter().any(|o| **o == *p) {
            out.push(Box::leak(p.into_boxed_str()));
        }
    }
    out
});

/// The bit of a path in [`PATHS`] (0 for a path that is not there).
pub fn path_bit(path: &str) -> u64 {
    PATHS
        .iter()
        .position(|p| *p == path)
        .map_or(0, |i| 1u64 << i)
}

/// A profile with some answers unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// The answers; an unknown path holds a placeholder.
    pub profile: Profile,
    /// Unknown paths, as bits over [`PATHS`].
    pub unknown: u64,
}

impl Partial {
    pub fn is_unknown(&self, path: &str) -> bool {
        self.unknown & path_bit(path) != 0
    }

    /// The unknown paths, in the profile's order.
    pub fn unknown_paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        PATHS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.unknown >> i & 1 == 1)
            .map(|(_, p)| *p)
    }

    /// Reads a partial profile from JSON. `application_date` defaults to `today`. Errors are
    /// those of the given values, located and bilingual as for a full profile.
    pub fn from_value(
        value: &Value,
        today: NaiveDate,
        ctx: &dyn ProfileContext,
    ) -> Result<Partial, InvalidProfile> {
        let Value::Object(root) = value else {
            return Err(InvalidProfile {
                errors: vec![super::FieldError::new(
                    "",
                    "应为一个 JSON 对象",
                    "must be a JSON object",
                )],
            });
        };
        let mut root = root.clone();
        let mut fill = Filler { unknown: 0 };
        if matches!(root.get("application_date"), None | Some(Value::Null)) {
            root.insert("application_date".into(), Value::String(today.to_string()));
        }
        let app = root
            .get("application_date")
            .and_then(Value::as_str)
            .and_then(super::parse_date)
            .unwrap_or(today);
        let app_text = app.to_string();

        let person = section(&mut root, "person", true, &mut fill);
        if let Some(p) = person {
            person_placeholders(p, app, &app_text, &mut fill);
        }
        if let Some(e) = section(&mut root, "employment", false, &mut fill) {
            for (k, v) in [
                ("employer_name", Value::from("—")),
                ("employer_uscc", Value::Null),
                ("employer_in_park", false.into()),
                ("industry", "other".into()),
                ("full_time", false.into()),
                ("start_date", app_text.clone().into()),
                ("contract_years", 0.into()),
                ("annual_salary", "0".into()),
                ("social_insurance_months_in_park", 0.into()),
            ] {
                fill.field(e, "employment", k, v);
            }
        }
        if let Some(s) = section(&mut root, "startup", false, &mut fill) {
            let cash_given = !matches!(s.get("founder_cash_investment"), None | Some(Value::Null));
            // A placeholder capital never makes a given cash investment "above the capital".
            let capital = if cash_given { "10000000000" } else { "0" };
            for (k, v) in [
                ("company_name", Value::from("—")),
                ("company_uscc", Value::Null),
                ("company_in_park", false.into()),
                ("industry", "other".into()),
                ("registration_date", app_text.clone().into()),
                ("paid_in_capital", capital.into()),
                ("founder_equity_pct", "0".into()),
                ("founder_cash_investment", "0".into()),
                ("owns_core_ip", false.into()),
                ("planned_rd_investment", "0".into()),
                ("office_area_sqm", "0".into()),
            ] {
                fill.field(s, "startup", k, v);
            }
        }
        if let Some(h) = section(&mut root, "housing", false, &mut fill) {
            for k in ["owns_home_in_city", "lives_in_talent_apartment"] {
                fill.field(h, "housing", k, false.into());
            }
            if let Some(hp) = section(h, "housing.home_purchase", false, &mut fill) {
                for (k, v) in [
                    ("date", Value::from(app_text.clone())),
                    ("price", "1".into()),
                    ("in_park", false.into()),
                    ("first_home", false.into()),
                ] {
                    fill.field(hp, "housing.home_purchase", k, v);
                }
            }
        }
        if matches!(root.get("prior_awards"), None | Some(Value::Null)) {
            fill.unknown |= path_bit("prior_awards");
            root.insert("prior_awards".into(), Value::Array(Vec::new()));
        }

        let unknown = fill.unknown;
        let is_unknown = |field: &str| {
            let base = field.split('[').next().unwrap_or(field);
            unknown & path_bit(base) != 0
        };
        match Profile::from_value(&Value::Object(root), ctx) {
            Ok(profile) => Ok(Partial { profile, unknown }),
            Err(e) => {
                let given: Vec<_> = e
                    .errors
                    .iter()
                    .filter(|f| !is_unknown(&f.field))
                    .cloned()
                    .collect();
                Err(if given.is_empty() {
                    e
                } else {
                    InvalidProfile { errors: given }
                })
            }
        }
    }
}

struct Filler {
    unknown: u64,
}

impl Filler {
    /// Puts `placeholder` at `key` of the section at `path` when the answer is left out (or
    /// `null`), and marks it unknown. A `null` placeholder leaves the key out.
    fn field(&mut self, obj: &mut Map<String, Value>, path: &str, key: &str, placeholder: Value) {
        if matches!(obj.get(key), None | Some(Value::Null)) {
            self.unknown |= path_bit(&format!("{path}.{key}"));
            obj.remove(key);
            if !placeholder.is_null() {
                obj.insert(key.into(), placeholder);
            }
        }
    }
}

/// The object of a section: a left-out section becomes an empty one, marked unknown with
/// every field in it; `null` stays `null` (the section does not apply; `person` cannot be
/// `null`); anything else is returned for the reader to judge.
fn section<'m>(
    parent: &'m mut Map<String, Value>,
    path: &str,
    always: bool,
    fill: &mut Filler,
) -> Option<&'m mut Map<String, Value>> {
    let key = path.rsplit('.').next().unwrap_or(path);
    match parent.get(key) {
        None => {
            if !always {
                fill.unknown |= path_bit(path);
            }
            parent.insert(key.into(), Value::Object(Map::new()));
        }
        Some(Value::Null) if always => {
            parent.insert(key.into(), Value::Object(Map::new()));
        }
        Some(Value::Null) => return None,
        _ => {}
    }
    match parent.get_mut(key) {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    }
}

fn person_placeholders(
    p: &mut Map<String, Value>,
    app: NaiveDate,
    app_text: &str,
    fill: &mut Filler,
) {
    let given = |p: &Map<String, Value>, k: &str| !matches!(p.get(k), None | Some(Value::Null));
    if given(p, "id_number") && !given(p, "id_type") {
        // A number without its type: one shaped like a resident ID is read as one (for the
        // birth date); any other waits for the submission.
        let resident = p
            .get("id_number")
            .and_then(Value::as_str)
            .is_some_and(|id| id.len() == 18 && id[..17].bytes().all(|c| c.is_ascii_digit()));
        if resident {
            p.insert("id_type".into(), "resident_id".into());
        } else {
            p.remove("id_number");
        }
    }
    if !given(p, "id_number") {
        // The ID type alone says nothing; both wait for the submission.
        p.insert("id_type".into(), "passport".into());
        p.insert("id_number".into(), "X0000000".into());
        fill.unknown |= path_bit("person.id_type") | path_bit("person.id_number");
    }
    if !given(p, "birth_date") {
        let from_id = (p.get("id_type").and_then(Value::as_str) == Some("resident_id"))
            .then(|| p.get("id_number").and_then(Value::as_str))
            .flatten()
            .filter(|id| id.len() == 18 && id.is_ascii())
            .and_then(|id| NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok());
        match from_id {
            Some(birth) => {
                p.insert("birth_date".into(), birth.to_string().into());
            }
            None => {
                // The earliest valid birth date (aged 100), so that a given graduation date is
                // never "before the 15th birthday" of a placeholder.
                let birth = app.checked_sub_months(Months::new(1200)).unwrap_or(app);
                fill.field(p, "person", "birth_date", birth.to_string().into());
            }
        }
    }
    fill.field(p, "person", "full_name", "—".into());
    fill.field(p, "person", "highest_degree", "none".into());
    // Without a degree there is no institution or graduation date to ask about.
    let no_degree = p.get("highest_degree").and_then(Value::as_str) == Some("none")
        && fill.unknown & path_bit("person.highest_degree") == 0;
    if !no_degree {
        fill.field(p, "person", "institution_tier", "other".into());
        fill.field(p, "person", "institution_name", "—".into());
        fill.field(p, "person", "graduation_date", app_text.into());
    }
    fill.field(p, "person", "professional_title", "none".into());
    fill.field(p, "person", "honors", Value::Array(Vec::new()));
    fill.field(p, "person", "overseas_work_years", Value::Null);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Any;
    impl ProfileContext for Any {
        fn is_known_program(&self, _: &str) -> bool {
            true
        }
        fn has_version_on(&self, _: NaiveDate) -> bool {
            true
        }
        fn first_day(&self) -> Option<NaiveDate> {
            None
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn an_empty_profile_is_unknown_everywhere_but_the_application_date() {
        let p = Partial::from_value(&serde_json::json!({}), today(), &Any).unwrap();
        assert_eq!(p.profile.application_date, today());
        assert!(p.is_unknown("employment") && p.is_unknown("employment.annual_salary"));
        assert!(p.is_unknown("housing.home_purchase.price"));
        assert!(p.is_unknown("person.birth_date") && p.is_unknown("prior_awards"));
        assert!(!p.is_unknown("application_date"));
    }

    #[test]
    fn null_sections_do_not_apply_and_a_resident_id_gives_the_birth_date() {
        let v = serde_json::json!({
            "person": {"id_type": "resident_id", "id_number": "11010519491231002X", "highest_degree": "none"},
            "startup": null, "housing": {"home_purchase": null}
        });
        let p = Partial::from_value(&v, today(), &Any).unwrap();
        assert!(p.profile.startup.is_none() && !p.is_unknown("startup"));
        assert!(!p.is_unknown("startup.industry"));
        assert_eq!(p.profile.person.birth_date.to_string(), "1949-12-31");
        assert!(!p.is_unknown("person.birth_date"));
        assert!(
            !p.is_unknown("person.graduation_date"),
            "no degree, no graduation"
        );
        assert!(p.is_unknown("housing.owns_home_in_city"));
        assert!(!p.is_unknown("housing.home_purchase"));
    }

    #[test]
    fn given_values_are_validated_and_left_out_ones_are_not() {
        let v = serde_json::json!({
            "person": {"highest_degree": "master"},
            "employment": {"contract_years": 99, "annual_salary": "abc"}
        });
        let e = Partial::from_value(&v, today(), &Any).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["employment.contract_years", "employment.annual_salary"]
        );
    }
}
