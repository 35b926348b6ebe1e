use super::*;

#[test]
fn decimals_are_read_exactly_or_refused() {
    assert_eq!(parse_decimal("600000"), Some(Decimal::from(600000)));
    assert_eq!(parse_decimal("0.1").unwrap().to_string(), "0.1");
    assert_eq!(parse_decimal("1e6"), Some(Decimal::from(1_000_000)));
    assert_eq!(parse_decimal("-3.50").unwrap().to_string(), "-3.50");
    for bad in [
        "",
        "1.",
        ".5",
        "1,000",
        "abc",
        "1e",
        "NaN",
        "99999999999999999999999999999999",
    ] {
        assert_eq!(parse_decimal(bad), None, "{bad}");
    }
}

#[test]
fn money_is_read_as_people_write_it_and_its_error_says_how() {
    let d = |s: &str| s.parse::<Decimal>().ok();
    assert_eq!(parse_money("60万"), d("600000"));
    assert_eq!(parse_money("1.5万元"), d("15000"));
    assert_eq!(parse_money("¥ 600000.50"), d("600000.50"));
    assert_eq!(
        parse_money("600,000"),
        None,
        "JSON keeps separators an error"
    );
    assert_eq!(parse_money("六十万"), None);
    let mut errors = Vec::new();
    let v = serde_json::json!({"annual_salary": "六十万"});
    let mut r = ObjectReader::open(&v, "employment", EMPLOYMENT, &mut errors).unwrap();
    assert_eq!(r.decimal("annual_salary"), None);
    drop(r);
    assert!(errors[0].message_zh.contains("60万"), "{errors:?}");
    assert!(errors[0].message_en.contains("60万"), "{errors:?}");
}

#[test]
fn dates_are_read_as_people_write_them_and_must_exist() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    for (written, day) in [
        ("2024-02-29", "2024-02-29"),
        ("2024-2-29", "2024-02-29"),
        ("2025/8/1", "2025-08-01"),
        ("2025.08.01", "2025-08-01"),
        ("20250801", "2025-08-01"),
        ("2025年8月1日", "2025-08-01"),
        ("２０２５年８月１日", "2025-08-01"),
        ("２０２５－０８－０１", "2025-08-01"),
        (" 2025/8/1 ", "2025-08-01"),
    ] {
        assert_eq!(parse_date(written), d(day), "{written}");
    }
    for bad in [
        "2023-02-29",
        "2024-02-29T00:00",
        "2024-13-01",
        "25/8/1",
        "2025/8",
        "2025-08-01-01",
        "202581",
        "一九九〇年五月一日",
        "",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}
