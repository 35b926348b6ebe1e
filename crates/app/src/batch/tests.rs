use super::cells::*;
use super::*;
use rules::applicant::Domain;

#[test]
fn headers_are_paths_or_labels_with_or_without_units() {
    assert_eq!(
        column_field("person.full_name").map(|f| f.path),
        Some("person.full_name")
    );
    assert_eq!(
        column_field("姓名").map(|f| f.path),
        Some("person.full_name")
    );
    assert_eq!(
        column_field(" *年薪 ").map(|f| f.path),
        Some("employment.annual_salary")
    );
    assert_eq!(
        column_field("年薪(元)").map(|f| f.path),
        Some("employment.annual_salary")
    );
    assert_eq!(
        column_field("Full name").map(|f| f.path),
        Some("person.full_name")
    );
    assert!(column_field("备注").is_none());
}

#[test]
fn cells_are_read_as_people_write_them() {
    assert_eq!(date("2026/3/1"), "2026-03-01");
    assert_eq!(date("2026年3月1日"), "2026-03-01");
    assert_eq!(date("2026-02-30"), "2026-02-30");
    assert_eq!(yes_no("是"), Some("true"));
    assert_eq!(yes_no("N"), Some("false"));
    assert_eq!(choice(Domain::Degree, "博士"), "doctorate");
    assert_eq!(choice(Domain::Degree, "Master"), "master");
}

#[test]
fn rows_are_numbered_by_their_line_in_the_file() {
    let policy = rules::policy::load_embedded().unwrap();
    let b = run(
        &policy,
        "姓名\r\n甲\r\n\r\n\"乙\n丙\"\r\n丁\r\n".as_bytes(),
        None,
    )
    .unwrap();
    let lines: Vec<(u64, &str)> = b.rows.iter().map(|r| (r.line, r.name.as_str())).collect();
    assert_eq!(lines, [(2, "甲"), (4, "乙\n丙"), (6, "丁")]);
}

/// A file over the row limit is refused as soon as its reading passes the limit: rows after
/// it are never read (here, a last row a CSV reader would refuse).
#[test]
fn a_csv_over_the_limit_is_refused_while_it_is_read() {
    let mut text = String::from("姓名\n");
    text.push_str(&"张\n".repeat(20));
    text.push_str("\"never closed\n");
    let Err(e) = csv_table(text.as_bytes(), Some(5)) else {
        panic!("a file over the limit was read");
    };
    assert!(e.0.en.contains("At most 5 people"), "{e:?}");
    // Rows of empty cells count too, at twice the limit.
    let blank = format!("姓名,备注\n{}", ",\n".repeat(200));
    assert!(csv_table(blank.as_bytes(), Some(5)).is_err());
    // Within the limit (one more for the template's example row), read whole.
    let fine = format!("姓名\n{}", "张\n".repeat(6));
    assert_eq!(csv_table(fine.as_bytes(), Some(5)).unwrap().rows.len(), 6);
}

#[test]
fn a_profile_written_as_a_row_is_assessed_as_its_json() {
    let policy = rules::policy::load_embedded().unwrap();
    let profile: serde_json::Value = serde_json::from_str(rules::EXAMPLE_PROFILE).unwrap();
    let mut text = template_csv();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(csv_row(&profile)).unwrap();
    text.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    let b = run(&policy, text.as_bytes(), Some(MAX_ROWS)).unwrap();
    let direct = rules::engine::assess(
        &policy,
        &rules::applicant::Profile::from_value(&profile, &policy).unwrap(),
    )
    .unwrap();
    let RowOutcome::Assessed {
        tier,
        programs,
        total,
        ..
    } = &b.rows[0].outcome
    else {
        panic!("{:?}", b.rows[0].outcome);
    };
    assert_eq!(tier, direct.tier_id());
    assert_eq!(*total, direct.total);
    let expected: Vec<_> = direct
        .programs
        .iter()
        .map(|p| (p.program.id.to_string(), p.status, p.amount))
        .collect();
    assert_eq!(programs, &expected);
    assert_eq!(b.summary.assessed, 1);
}

#[test]
fn no_cell_of_the_results_runs_as_a_formula_whatever_its_column() {
    let policy = rules::policy::load_embedded().unwrap();
    let b = run(
        &policy,
        "姓名,证件类型,证件号码\n=1+1,passport,=1+9X9+10\n".as_bytes(),
        None,
    )
    .unwrap();
    let out = b.results_csv(Lang::Zh);
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with("2,'=1+1,'=1+"), "{out}");
    assert!(
        !row.split(',').any(|c| c.starts_with(['=', '+', '-', '@'])),
        "{row}"
    );
}

#[test]
fn a_cell_longer_than_the_limit_is_an_error_and_is_not_kept() {
    let policy = rules::policy::load_embedded().unwrap();
    let long = "张".repeat(CELL_LIMIT + 1);
    let b = run(&policy, format!("姓名\n{long}\n").as_bytes(), None).unwrap();
    let RowOutcome::Invalid(errors) = &b.rows[0].outcome else {
        panic!("{:?}", b.rows[0].outcome);
    };
    assert!(
        errors[0].message_zh.contains("超过 500 个字符"),
        "{errors:?}"
    );
    assert_eq!(b.rows[0].name.chars().count(), 50);
    assert!(b.results_csv(Lang::Zh).len() < 2_000);
}

#[test]
fn gbk_text_is_decoded_and_other_bytes_are_refused() {
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名,证件号码");
    assert_eq!(decode(&gbk).unwrap(), "姓名,证件号码");
    assert_eq!(decode(b"\xEF\xBB\xBFa,b").unwrap(), "a,b");
    assert!(decode(&[0x81, 0x20, 0xFF]).is_err());
}
