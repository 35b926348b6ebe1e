//! Excel workbooks for HR officers: the template (its sheets, headers, example row, dropdowns,
//! number checks and text formats, read back from the file itself), a filled template read
//! exactly as the same people sent as JSON, a bad row's errors in words, and a zip bomb
//! refused — honest about its size or lying about it.

use crate::common;
use common::console::*;

use std::io::{Read, Write};
use talent_subsidy::batch::{self, RowOutcome, xlsx};
use talent_subsidy::input::Lang;
use talent_subsidy::input::{FIELDS, Kind};

/// The parts of a workbook by name.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

/// The XML of the sheet named `name`, found through the workbook's relationships.
fn sheet_xml(bytes: &[u8], name: &str) -> String {
    let workbook = part(bytes, "xl/workbook.xml");
    let rid = workbook
        .split("<sheet ")
        .skip(1)
        .find(|s| s.contains(&format!("name=\"{name}\"")))
        .and_then(|s| s.split("r:id=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .to_string();
    let rels = part(bytes, "xl/_rels/workbook.xml.rels");
    let target = rels
        .split("<Relationship ")
        .find(|r| r.contains(&format!("Id=\"{rid}\"")))
        .and_then(|r| r.split("Target=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    part(bytes, &format!("xl/{target}"))
}

#[test]
fn the_template_has_chinese_headers_dropdowns_number_checks_and_text_columns() {
    let bytes = xlsx::template().unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let names = book.sheet_names();
    assert!(names.contains(&"填写".to_string()) && names.contains(&"说明".to_string()));
    let fill = book.worksheet_range("填写").unwrap();
    let header: Vec<String> = fill
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    // Every field, then the officer's own column (given back with the results).
    assert_eq!(header.len(), FIELDS.len() + 1);
    assert_eq!(
        header.last().unwrap(),
        talent_subsidy::batch::PASS_THROUGH.0
    );
    assert_eq!(header[1], "姓名");
    assert!(header.iter().any(|h| h == "年薪（元）"), "{header:?}");
    assert!(
        header.iter().all(|h| !h.contains('.')),
        "no field paths: {header:?}"
    );
    // The example row: marked, with choices in Chinese.
    let example: Vec<String> = fill
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(example[1].starts_with("（示例）"), "{example:?}");
    assert!(example.iter().any(|c| c == "居民身份证"), "{example:?}");
    // 说明 explains every column.
    let help = book.worksheet_range("说明").unwrap();
    assert_eq!(
        help.rows().count(),
        FIELDS.len() + 3,
        "a header, a note, a row a column, the officer's own column"
    );

    // Dropdowns and number checks, as the file holds them.
    let xml = sheet_xml(&bytes, "填写");
    let validations: Vec<&str> = xml.split("<dataValidation ").skip(1).collect();
    let wanted = |k: Kind| FIELDS.iter().filter(|f| matches_kind(f.kind, k)).count();
    let count = |t: &str| {
        validations
            .iter()
            .filter(|v| v.contains(&format!("type=\"{t}\"")))
            .count()
    };
    assert_eq!(
        count("list"),
        wanted(Kind::YesNo)
            + FIELDS
                .iter()
                .filter(|f| matches!(f.kind, Kind::Select(_)))
                .count()
    );
    assert_eq!(
        count("decimal"),
        wanted(Kind::Money) + wanted(Kind::Percent) + wanted(Kind::Area)
    );
    assert_eq!(count("whole"), wanted(Kind::Years) + wanted(Kind::Months));
    assert!(
        validations.iter().any(|v| v.contains("选项!$")),
        "choices from the hidden sheet"
    );
    assert!(
        validations.iter().any(|v| v.contains("\"是,否\"")),
        "yes/no in Chinese"
    );
    assert!(
        xml.contains("sqref=\"") && xml.contains("10001"),
        "checks cover 10,000 rows"
    );
    // Text format (@, built-in 49) on the ID number and date columns.
    let styles = part(&bytes, "xl/styles.xml");
    let xfs: Vec<&str> = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("<xf ")
        .skip(1)
        .collect();
    let text_styles: Vec<usize> = xfs
        .iter()
        .enumerate()
        .filter(|(_, x)| x.contains("numFmtId=\"49\""))
        .map(|(i, _)| i)
        .collect();
    assert!(!text_styles.is_empty());
    for path in ["person.id_number", "person.birth_date", "application_date"] {
        let col = FIELDS.iter().position(|f| f.path == path).unwrap() + 1;
        let attr = |c: &str, name: &str| {
            c.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let style = xml
            .split("<col ")
            .skip(1)
            .find(|c| attr(c, "min") <= col && col <= attr(c, "max"))
            .and_then(|c| c.split("style=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no column style for {path}"));
        assert!(text_styles.contains(&style), "{path} is text-formatted");
    }
    assert!(
        xml.contains("<pane ") && xml.contains("ySplit=\"1\""),
        "frozen header"
    );
}

fn matches_kind(a: Kind, b: Kind) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// A workbook as an HR officer fills the template: the template's header, its example row
/// left in, then the people — numbers as numbers, everything else as text.
fn filled(people: &[serde_json::Value], extra: &[Vec<String>]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(batch::csv_row)
        .chain(extra.iter().cloned())
        .collect();
    xlsx::people(&rows).unwrap()
}

#[test]
fn a_filled_template_is_read_as_the_same_people_sent_as_json() {
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let people: Vec<serde_json::Value> = (1..=300).map(common::generator::profile_json).collect();
    let bytes = filled(&people, &[]);
    let b = batch::run(&policy, &bytes, Some(batch::MAX_ROWS)).unwrap();
    assert_eq!(b.rows.len(), people.len(), "the example row is not checked");
    let mut compared = 0;
    for (row, person) in b.rows.iter().zip(&people) {
        let direct = talent_subsidy::service::assess_value(&policy, person);
        match (&row.outcome, direct) {
            (
                RowOutcome::Assessed {
                    tier,
                    programs,
                    total,
                    ..
                },
                Ok(done),
            ) => {
                let a = &done.assessment;
                assert_eq!(tier, a.tier_id(), "line {}", row.line);
                assert_eq!(*total, a.total, "line {}", row.line);
                let expected: Vec<_> = a
                    .programs
                    .iter()
                    .map(|p| (p.program.id.to_string(), p.status, p.amount))
                    .collect();
                assert_eq!(programs, &expected, "line {}", row.line);
                compared += 1;
            }
            (RowOutcome::Invalid(_), Err(_)) => {}
            (got, want) => panic!(
                "line {}: {got:?} but as JSON {:?}",
                row.line,
                want.map(|d| d.assessment.total)
            ),
        }
    }
    assert!(compared > 200, "{compared} people assessed");
    // Lines are the spreadsheet's row numbers: the first person is on row 3.
    assert_eq!(b.rows[0].line, 3);
}

#[test]
fn a_bad_row_gives_its_errors_in_words_and_the_others_their_results() {
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let good: serde_json::Value = serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    let mut bad = batch::csv_row(&good);
    let id = FIELDS
        .iter()
        .position(|f| f.path == "person.id_number")
        .unwrap();
    bad[id] = "320682198803150011".into();
    let b = batch::run(
        &policy,
        &filled(&[good.clone(), good], &[bad]),
        Some(batch::MAX_ROWS),
    )
    .unwrap();
    assert_eq!(b.summary.assessed, 2);
    assert_eq!(b.summary.invalid, 1);
    let row = &b.rows[2];
    assert_eq!(row.line, 5);
    let RowOutcome::Invalid(errors) = &row.outcome else {
        panic!("{:?}", row.outcome)
    };
    let words = batch::errors_in_words(errors, Lang::Zh);
    assert!(
        words.starts_with("证件号码：") && words.contains("校验"),
        "{words}"
    );
    assert!(!words.contains("person."), "{words}");
    let csv = b.results_csv(Lang::Zh);
    assert!(csv.contains("证件号码：") && !csv.contains("person.id_number"));
}

/// A zip holding one sheet part of `size` zero bytes (deflated to almost nothing); with
/// `lie`, the sizes the archive states for it are overwritten with 1,000.
fn bomb(size: usize, lie: bool) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..size / zeros.len() {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    let mut bytes = out.into_inner();
    if lie {
        let stated = 1000u32.to_le_bytes();
        for (sig, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let mut from = 0;
            while let Some(i) = bytes[from..].windows(4).position(|w| w == sig) {
                let i = from + i;
                bytes[i + at..i + at + 4].copy_from_slice(&stated);
                from = i + 4;
            }
        }
    }
    bytes
}

#[test]
fn a_zip_bomb_is_refused_whether_it_states_its_size_or_lies() {
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let size = (xlsx::UNPACKED_LIMIT + 8 * 1024 * 1024) as usize;
    for lie in [false, true] {
        let bytes = bomb(size, lie);
        assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
        let err = match batch::run(&policy, &bytes, Some(batch::MAX_ROWS)) {
            Err(e) => e,
            Ok(_) => panic!("a bomb was read (lying: {lie})"),
        };
        // Stating its size, it is refused unopened; lying, it is refused as soon as it unpacks
        // past what it stated or past the limit, whichever the unpacking meets first.
        assert!(
            err.0.zh.contains("解压后超过") || (lie && err.0.zh.contains("无法作为")),
            "lying: {lie}: {}",
            err.0.zh
        );
    }
    // Something that is not a workbook at all, though it starts like one.
    let err = batch::run(&policy, b"PK\x03\x04 not really a zip", None)
        .err()
        .unwrap();
    assert!(err.0.zh.contains("Excel"), "{}", err.0.zh);
}

#[test]
fn the_results_workbook_says_why_and_what_would_change_it() {
    use calamine::{Data, Reader};
    let policy = talent_subsidy::policy::load("policy".as_ref()).unwrap();
    let mut near: serde_json::Value =
        serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    near["startup"]["founder_equity_pct"] = "25".into();
    let good: serde_json::Value = serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    let mut bad = batch::csv_row(&good);
    let birth = FIELDS
        .iter()
        .position(|f| f.path == "person.birth_date")
        .unwrap();
    bad[birth] = "1988-02-30".into();
    let b = batch::run(&policy, &filled(&[good, near], &[bad]), None).unwrap();
    let bytes = b.results_xlsx(Lang::Zh).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["结果", "汇总", "问题行"]);
    let results = book.worksheet_range("结果").unwrap();
    let rows: Vec<Vec<Data>> = results.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // The near miss: the condition it missed, and the change that would pay.
    let near_row = &rows[2];
    let missed = near_row[col("未满足的条件")].to_string();
    assert!(missed.contains("人才本人持股不低于30%"), "{missed}");
    let hint = near_row[col("怎样可以获得更多")].to_string();
    assert!(
        hint.contains("本人持股比例由 25% 提高到 30%，合计增加 ¥3,162,000"),
        "{hint}"
    );
    // Amounts are numbers that add up in Excel.
    assert_eq!(rows[1][col("合计（元）")], Data::Float(4_434_000.0));
    // The bad row: its errors in words, with its line.
    let errors = rows[3][col("错误")].to_string();
    assert!(errors.starts_with("第 5 行 出生日期："), "{errors}");
    let problems = book.worksheet_range("问题行").unwrap();
    assert_eq!(problems.rows().count(), 2);
    // The summary per program, and its chart.
    let summary = book.worksheet_range("汇总").unwrap();
    let startup = summary
        .rows()
        .find(|r| r[0] == "金英计划·创业类项目资助")
        .unwrap()
        .to_vec();
    assert_eq!(startup[1], Data::Float(1.0));
    assert_eq!(startup[2], Data::Float(3_000_000.0));
    let chart = part(&bytes, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>") && chart.contains("汇总"));
    // A name that looks like a formula stays text.
    let mut evil: serde_json::Value =
        serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    evil["person"]["full_name"] = "=HYPERLINK(\"http://x\")".into();
    let b = batch::run(&policy, &filled(&[evil], &[]), None).unwrap();
    let bytes = b.results_xlsx(Lang::Zh).unwrap();
    let sheet = sheet_xml(&bytes, "结果");
    assert!(!sheet.contains("<f>"), "no formula cells");
}

/// An HR officer in the console: the template as a workbook, a filled one uploaded (named
/// .csv, to show the name does not matter), the results as a workbook; the API the same.
async fn hr_works_in_excel(c: &Console) {
    let hr = signed_in(c, "hr-acme", talent_subsidy::store::Role::Hr).await;
    let r = hr
        .get(format!("{}/officer/batch/template.xlsx", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let template = r.bytes().await.unwrap();
    assert!(xlsx::is_xlsx(&template));
    let people: Vec<serde_json::Value> = (1..=20).map(common::generator::profile_json).collect();
    let r = upload_batch(c, &hr, filled(&people, &[]), "员工.csv").await;
    assert_eq!(r.status().as_u16(), 303);
    let summary_url = location(r.headers());
    let (_, page, _) = get(&hr, format!("{}{summary_url}", c.base)).await;
    assert!(page.contains("id=\"rows\">20<"), "{page}");
    let r = hr
        .get(format!("{}{summary_url}/results.xlsx", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let book = r.bytes().await.unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.to_vec())).unwrap();
    assert_eq!(book.worksheet_range("结果").unwrap().rows().count(), 21);
    // Another officer's results are not to be had.
    let other = signed_in(c, "hr-other", talent_subsidy::store::Role::Hr).await;
    let r = other
        .get(format!("{}{summary_url}/results.xlsx", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // The API: a workbook in, a workbook out.
    let token = csrf(c, &hr).await;
    let r = hr
        .post(format!("{}/api/v1/batch-checks?format=xlsx", c.base))
        .header("X-CSRF-Token", token)
        .header(
            "Content-Type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(filled(&people[..3], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let book = r.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.to_vec())).unwrap();
    assert_eq!(book.worksheet_range("结果").unwrap().rows().count(), 4);
}

#[actix_web::test]
async fn hr_works_in_excel_on_sqlite() {
    let (c, _dir) = sqlite_console().await;
    hr_works_in_excel(&c).await;
}

#[actix_web::test]
async fn hr_works_in_excel_on_postgresql() {
    let Some((c, _db)) = pg_console("hr_works_in_excel").await else {
        return;
    };
    hr_works_in_excel(&c).await;
    c.shut_down().await;
}
