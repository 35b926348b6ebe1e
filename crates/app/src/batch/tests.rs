use super::cells::*;
use super::read::csv_table;
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
    assert!(column_field("备注").is_none() && is_pass_through("备注"));
    assert!(is_pass_through("工号") && is_pass_through(" Staff no. ") && !is_pass_through("姓名"));
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

/// A file that is no table is refused by what it is, never by "columns not recognised" with
/// its bytes; a table with nobody in it says so.
#[test]
fn a_pdf_a_picture_or_an_empty_table_is_refused_in_words() {
    let policy = rules::policy::load_embedded().unwrap();
    let pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let e = run(&policy, pdf, None).unwrap_err();
    assert!(e.message(Lang::Zh).contains("PDF"), "{e}");
    assert!(e.message(Lang::En).contains("not a spreadsheet"), "{e}");
    assert!(!e.message(Lang::Zh).contains("无法识别的列"));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert!(
        run(&policy, png, None)
            .unwrap_err()
            .message(Lang::Zh)
            .contains("PNG")
    );
    let docx = {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<w:document/>").unwrap();
        zip.finish().unwrap().into_inner()
    };
    assert!(
        run(&policy, &docx, None)
            .unwrap_err()
            .message(Lang::Zh)
            .contains("Word")
    );
    let template = template_csv();
    let e = run(&policy, template.as_bytes(), None).unwrap_err();
    assert!(e.message(Lang::Zh).contains("没有要检查的人"), "{e}");
    assert!(e.message(Lang::En).contains("nobody to check"), "{e}");
}

/// The officer's own column comes back unchanged beside the name; it is not an answer.
#[test]
fn a_staff_number_column_is_given_back_unchanged() {
    let policy = rules::policy::load_embedded().unwrap();
    let csv = "工号,姓名,证件号码,备注\r\n007,张三,32068219880315001X,财务部 A\r\n008,李四,,\r\n";
    let b = run(&policy, csv.as_bytes(), None).unwrap();
    let out = b.results_csv(Lang::Zh);
    let mut lines = out.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert!(
        header.starts_with("行号,姓名,工号,备注,证件号码,"),
        "{header}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("2,张三,007,财务部 A,3206")
    );
    assert!(lines.next().unwrap().starts_with("3,李四,008,,"));
}

/// An ID number Excel turned into a number gets a message that says so.
#[test]
fn an_id_number_changed_by_excel_is_named_as_such() {
    let policy = rules::policy::load_embedded().unwrap();
    let csv = "申请日期,姓名,证件类型,证件号码,出生日期,最高学历,毕业院校类别\r\n\
               2026-03-01,张三,居民身份证,3.20682E+17,1988-03-15,硕士,双一流\r\n\
               2026-03-01,李四,居民身份证,320682198803150000,1988-03-15,硕士,双一流\r\n\
               2026-03-01,王五,居民身份证,32068219880315001Y,1988-03-15,硕士,双一流\r\n";
    let b = run(&policy, csv.as_bytes(), None).unwrap();
    let id_errors = |i: usize| match &b.rows[i].outcome {
        RowOutcome::Invalid(e) => errors_in_words(e, Lang::Zh),
        RowOutcome::Assessed { .. } => String::new(),
    };
    assert!(id_errors(0).contains("Excel"), "{}", id_errors(0));
    assert!(id_errors(1).contains("Excel"), "{}", id_errors(1));
    assert!(
        id_errors(2).contains("证件号码") && !id_errors(2).contains("Excel"),
        "{}",
        id_errors(2)
    );
}

/// English errors name fields in words: no field path or id (`birth_date`, `highest_degree`).
#[test]
fn english_errors_in_a_batch_name_no_field_ids() {
    let policy = rules::policy::load_embedded().unwrap();
    let csv = "申请日期,姓名,证件类型,证件号码,出生日期,最高学历,毕业院校类别\r\n\
               2026-03-01,张三,居民身份证,32068219880315001X,1990-01-01,硕士,\r\n\
               2026-03-01,李四,居民身份证,32068219880315001X,,,双一流\r\n";
    let b = run(&policy, csv.as_bytes(), None).unwrap();
    for r in &b.rows {
        if let RowOutcome::Invalid(e) = &r.outcome {
            let words = errors_in_words(e, Lang::En);
            assert!(!words.is_empty());
            let ids: Vec<&str> = words
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .filter(|w| {
                    w.contains('_')
                        || (w.contains('.')
                            && w.chars().any(char::is_alphabetic)
                            && !w.ends_with('.'))
                })
                .collect();
            assert!(ids.is_empty(), "{words}: {ids:?}");
        }
    }
}

/// The template explains each column once (no “可写 … 可写”, no “整数。整数年”), its notes
/// carry no “Author:” line, and money columns warn rather than refuse “15万”.
#[test]
fn the_template_says_each_thing_once_and_lets_money_be_written_in_words() {
    use std::io::Read;
    let book = xlsx::template().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let strings = part("xl/sharedStrings.xml");
    for doubled in [
        "可写 1200000 或 120万。单位：元",
        "整数。整数年",
        "。可写 1200000、1,200,000 或 120万。",
    ] {
        assert!(!strings.contains(doubled), "{doubled}");
    }
    assert!(strings.contains("工号/备注"));
    let comments = part("xl/comments1.xml");
    assert!(
        !comments.contains("<b/>") && !comments.contains("<author>Author</author>"),
        "{comments}"
    );
    let sheet = part("xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains("errorStyle=\"warning\""),
        "money columns warn"
    );
}

/// A workbook (a zip, so full of NUL bytes) is never taken for a binary file.
#[test]
fn a_workbook_of_people_is_read_as_a_table() {
    let policy = rules::policy::load_embedded().unwrap();
    let good: serde_json::Value = serde_json::from_str(rules::EXAMPLE_PROFILE).unwrap();
    let rows: Vec<Vec<String>> = [good.clone(), good].iter().map(csv_row).collect();
    let book = xlsx::people(&rows).unwrap();
    let b = run(&policy, &book, None);
    assert!(b.is_ok(), "{:?}", b.err());
}
