//! Reading applicant profiles from JSON: every error names its field and says what is wrong in
//! Chinese and English; all errors come at once; numbers are read exactly; nothing panics.

mod common;

use proptest::prelude::*;
use rules::applicant::Profile;
use rules::policy::{self, Policy};
use std::sync::OnceLock;

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy::load(&common::policy_dir()).unwrap())
}

const EXAMPLE: &str = rules::EXAMPLE_PROFILE;

fn fields(json: &str) -> Vec<String> {
    match Profile::from_json(json.as_bytes(), policy()) {
        Ok(_) => Vec::new(),
        Err(e) => {
            for err in &e.errors {
                assert!(
                    !err.message_zh.is_empty() && !err.message_en.is_empty(),
                    "{err:?}"
                );
                assert!(
                    err.message_zh
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "no Chinese in {err:?}"
                );
                // People read words: no field id (`birth_date`) in either message — except
                // where an API client sent a key there is not, which names the keys there are.
                for m in [&err.message_en, &err.message_zh]
                    .into_iter()
                    .filter(|m| !m.starts_with("unknown field") && !m.starts_with("未知字段"))
                {
                    // What the client sent is echoed after "got": a value, not a field.
                    let said = m
                        .split("got ")
                        .next()
                        .and_then(|m| m.split("收到的是").next())
                        .unwrap_or_default();
                    let id = said
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .find(|w| {
                            w.contains('_')
                                && w.split('_').all(|p| {
                                    !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase())
                                })
                        });
                    assert!(id.is_none(), "a field id in {m:?}");
                }
            }
            e.errors.into_iter().map(|e| e.field).collect()
        }
    }
}

#[test]
fn the_example_profile_is_valid() {
    assert_eq!(fields(EXAMPLE), Vec::<String>::new());
}

#[test]
fn table_of_bad_inputs_and_the_fields_they_name() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("not JSON", "{", &[""]),
        ("a list instead of an object", "[1, 2]", &[""]),
        ("an empty object", "{}", &["application_date", "person"]),
        (
            "person is a string",
            r#"{"application_date": "2026-03-01", "person": "张三"}"#,
            &["person"],
        ),
        (
            "a missing required person field",
            &EXAMPLE.replace(r#""id_type": "resident_id","#, ""),
            &["person.id_type"],
        ),
        (
            "null counts as missing",
            &EXAMPLE.replace(r#""birth_date": "1988-03-15""#, r#""birth_date": null"#),
            &["person.birth_date"],
        ),
        (
            "an unknown top-level field",
            &EXAMPLE.replace(
                r#""prior_awards": []"#,
                r#""prior_awards": [], "comment": "hi""#,
            ),
            &["comment"],
        ),
        (
            "a money field as a JSON object",
            &EXAMPLE.replace(
                r#""annual_salary": "600000""#,
                r#""annual_salary": {"yuan": 600000}"#,
            ),
            &["employment.annual_salary"],
        ),
        (
            "a number with thousands separators",
            &EXAMPLE.replace(
                r#""paid_in_capital": "2000000""#,
                r#""paid_in_capital": "2,000,000""#,
            ),
            &["startup.paid_in_capital"],
        ),
        (
            "a fractional count",
            &EXAMPLE.replace(r#""contract_years": 5"#, r#""contract_years": 2.5"#),
            &["employment.contract_years"],
        ),
        (
            "a negative count",
            &EXAMPLE.replace(r#""contract_years": 5"#, r#""contract_years": -1"#),
            &["employment.contract_years"],
        ),
        (
            "honors not a list",
            &EXAMPLE.replace(
                r#"["provincial_talent_program"]"#,
                r#""provincial_talent_program""#,
            ),
            &["person.honors"],
        ),
        (
            "a date with a time",
            &EXAMPLE.replace(
                r#""start_date": "2025-09-01""#,
                r#""start_date": "2025-09-01T08:00:00""#,
            ),
            &["employment.start_date"],
        ),
        (
            "an enumeration in Chinese",
            &EXAMPLE.replace(
                r#""highest_degree": "doctorate""#,
                r#""highest_degree": "博士""#,
            ),
            &["person.highest_degree"],
        ),
        (
            "a control character in the name",
            &EXAMPLE.replace(r#""full_name": "张三""#, r#""full_name": "张\u0007三""#),
            &["person.full_name"],
        ),
    ];
    for (what, json, want) in cases {
        let mut got = fields(json);
        got.dedup();
        assert_eq!(got, *want, "{what}");
    }
}

#[test]
fn many_errors_come_back_together_in_field_order() {
    let json = EXAMPLE
        .replace(
            r#""id_number": "32068219880315001X""#,
            r#""id_number": "320682198803150011""#,
        )
        .replace(
            r#""founder_equity_pct": "51""#,
            r#""founder_equity_pct": "151""#,
        )
        .replace(r#""contract_years": 5"#, r#""contract_years": "five""#)
        .replace(r#""price": "1800000""#, r#""price": "-5""#)
        .replace(r#""prior_awards": []"#, r#""prior_awards": ["nothing"]"#);
    assert_eq!(
        fields(&json),
        [
            "person.id_number",
            "employment.contract_years",
            "startup.founder_equity_pct",
            "housing.home_purchase.price",
            "prior_awards[0]"
        ]
    );
}

#[test]
fn json_numbers_for_money_are_read_exactly() {
    let json = EXAMPLE.replace(
        r#""annual_salary": "600000""#,
        r#""annual_salary": 300000.10"#,
    );
    let p = Profile::from_json(json.as_bytes(), policy()).unwrap();
    assert_eq!(
        p.employment().unwrap().annual_salary.unwrap().to_string(),
        "300000.10"
    );
    // 0.1 + 0.2 style values survive exactly, and scientific notation is read exactly too.
    let json = EXAMPLE
        .replace(r#""office_area_sqm": "150""#, r#""office_area_sqm": 0.3"#)
        .replace(
            r#""paid_in_capital": "2000000""#,
            r#""paid_in_capital": 2e6"#,
        );
    let p = Profile::from_json(json.as_bytes(), policy()).unwrap();
    assert_eq!(
        p.startup().unwrap().office_area_sqm.unwrap().to_string(),
        "0.3"
    );
    assert_eq!(
        p.startup().unwrap().paid_in_capital.unwrap(),
        rust_decimal::Decimal::from(2_000_000)
    );
}

#[test]
fn optional_sections_may_be_null_or_absent() {
    let json = EXAMPLE.replace(r#""startup": {"#, r#""startup_unused": {"#);
    assert_eq!(fields(&json), ["startup_unused"]);
    let v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let mut v = v;
    v["startup"] = serde_json::Value::Null;
    v.as_object_mut().unwrap().remove("housing");
    let p = Profile::from_value(&v, policy()).unwrap();
    assert!(p.startup().is_none() && p.housing().is_none());
}

#[test]
fn hostile_inputs_give_errors_not_panics() {
    let deep = "[".repeat(100_000);
    assert_eq!(fields(&deep), [""]);
    let huge_name = EXAMPLE.replace("张三", &"名".repeat(1_000_000));
    assert_eq!(fields(&huge_name), ["person.full_name"]);
    let huge_number = EXAMPLE.replace(
        r#""annual_salary": "600000""#,
        &format!(r#""annual_salary": {}"#, "9".repeat(5000)),
    );
    assert_eq!(fields(&huge_number), ["employment.annual_salary"]);
    let many_honors = EXAMPLE.replace(
        r#"["provincial_talent_program"]"#,
        &format!("[{}]", vec!["\"academician\""; 10_000].join(",")),
    );
    assert_eq!(fields(&many_honors), Vec::<String>::new());
    assert_eq!(fields("\u{feff}{}"), [""]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Any bytes at all: an error list or a profile, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Profile::from_json(&bytes, policy());
    }

    /// The example with one field replaced by an arbitrary JSON value: never a panic, and an
    /// error always names a field.
    #[test]
    fn any_value_in_any_field_never_panics(
        section in prop::sample::select(vec!["person", "employment", "startup", "housing"]),
        index in 0usize..12,
        value in prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            "[ -~]{0,30}".prop_map(serde_json::Value::String),
            "\\PC{0,24}".prop_map(serde_json::Value::String),
            "[0-9０-９Xx]{16,19}".prop_map(serde_json::Value::String),
            "[0-9]{1,30}(\\.[0-9]{1,30})?".prop_map(serde_json::Value::String),
            Just(serde_json::json!([1, "a", null])),
            Just(serde_json::json!({"a": 1})),
        ],
    ) {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        let obj = v[section].as_object_mut().unwrap();
        let key = obj.keys().nth(index % obj.len()).unwrap().clone();
        obj.insert(key, value);
        if let Err(e) = Profile::from_value(&v, policy()) {
            prop_assert!(!e.errors.is_empty());
            for err in e.errors {
                prop_assert!(err.field.starts_with(section), "{err:?}");
            }
        }
    }
}

#[test]
fn a_resident_id_of_eighteen_bytes_in_wide_characters_is_an_error_not_a_panic() {
    // Six full-width digits are 18 bytes: byte slicing would cut a character in half.
    let json = EXAMPLE.replace("32068219880315001X", "１２３４５６");
    assert_eq!(fields(&json), ["person.id_number"]);
    let json = EXAMPLE.replace("32068219880315001X", "1234567890123456é");
    assert_eq!(fields(&json), ["person.id_number"]);
}

/// The English words of the two messages that named fields by their ids.
#[test]
fn english_errors_name_fields_in_words() {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["person"]["birth_date"] = "1988-03-16".into();
    let e = Profile::from_json(v.to_string().as_bytes(), policy()).unwrap_err();
    let m = &e
        .errors
        .iter()
        .find(|e| e.field == "person.id_number")
        .unwrap()
        .message_en;
    assert!(m.contains("differs from the date of birth given"), "{m}");
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["person"]
        .as_object_mut()
        .unwrap()
        .remove("graduation_date");
    let e = Profile::from_json(v.to_string().as_bytes(), policy()).unwrap_err();
    let m = &e
        .errors
        .iter()
        .find(|e| e.field == "person.graduation_date")
        .unwrap()
        .message_en;
    assert_eq!(m, "is required when a highest degree is given");
}

/// Years and months as their labels invite: `36个月` where the field counts years is 3, `3年`
/// where it counts months is 36, full-width digits too; `15个月` in years says what was read.
#[test]
fn years_and_months_are_read_as_people_write_them() {
    let json = EXAMPLE
        .replace(r#""contract_years": 5"#, r#""contract_years": "36个月""#)
        .replace(
            r#""social_insurance_months_in_park": 6"#,
            r#""social_insurance_months_in_park": "１年""#,
        );
    let p = Profile::from_json(json.as_bytes(), policy()).unwrap();
    let e = p.employment().unwrap();
    assert_eq!(e.contract_years, Some(3));
    assert_eq!(e.social_insurance_months_in_park, Some(12));
    let json = EXAMPLE.replace(r#""contract_years": 5"#, r#""contract_years": "15个月""#);
    let err = Profile::from_json(json.as_bytes(), policy()).unwrap_err();
    let e = err
        .errors
        .iter()
        .find(|e| e.field == "employment.contract_years")
        .unwrap();
    assert!(
        e.message_zh.contains("按 15 个月理解，即 1 年 3 个月"),
        "{e:?}"
    );
    assert!(
        e.message_en
            .contains("read as 15 months, that is 1 year and 3 months;"),
        "{e:?}"
    );
}
