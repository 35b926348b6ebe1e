//! Excel workbooks: reading a sheet of people from an .xlsx (bounded, whatever the file
//! claims), the template HR officers fill in (Chinese headers, an example row, dropdowns,
//! number checks, text-formatted IDs and dates, a sheet explaining each column), and the
//! results as a workbook.
//!
//! Invariants: a workbook is refused before it is parsed when its parts would unpack to more
//! than [`UNPACKED_LIMIT`] (counted by unpacking, not by trusting the sizes the file states),
//! so a zip bomb costs at most that much work and no memory beyond a buffer; cells are read one
//! at a time, never as a rectangle, so a sheet with one cell at A1 and one at XFD1048576 costs
//! two cells; every text is written as a string (never a formula).

use super::{FileError, Table};
use crate::applicant::FieldError;
use crate::input::{FIELDS, FieldSpec, Kind};
use std::io::{Cursor, Read};

/// The most a workbook's parts may unpack to, together.
pub const UNPACKED_LIMIT: u64 = 96 * 1024 * 1024;
/// The most parts a workbook may have.
const PARTS_LIMIT: usize = 200;
/// Columns beyond this are not read (the template has 39).
const COLUMNS_READ: usize = 256;
/// The name of the template's example row starts with this: the row is never checked.
pub const EXAMPLE_MARK: &str = "（示例）";
/// The sheet people are read from, when there is one by this name.
pub const SHEET: &str = "填写";

/// Whether the bytes are a zip archive (an .xlsx), by its signature.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> FileError {
    FileError::new(zh, en)
}

fn unreadable() -> FileError {
    refuse(
        "无法作为 Excel 工作簿（.xlsx）读取：请用模板另存为 .xlsx 或 CSV",
        "This cannot be read as an Excel workbook (.xlsx): save it from the template as .xlsx or CSV",
    )
}

/// Unpacks every part into nothing, counting: refuses the archive when the parts together
/// unpack to more than [`UNPACKED_LIMIT`] or there are too many of them.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), FileError> {
    let too_big = || {
        refuse(
            format!(
                "工作簿解压后超过 {} MB，不予读取：请删去多余的工作表或内容，或分成几份",
                UNPACKED_LIMIT / 1024 / 1024
            ),
            format!(
                "The workbook unpacks to more than {} MB and is not read: remove extra sheets or content, or split it",
                UNPACKED_LIMIT / 1024 / 1024
            ),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if zip.len() > PARTS_LIMIT {
        return Err(unreadable());
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| unreadable())?;
        // The stated size first: a file honest about being huge is refused unopened.
        if total.saturating_add(part.size()) > UNPACKED_LIMIT {
            return Err(too_big());
        }
        loop {
            let n = part.read(&mut buf).map_err(|_| unreadable())?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > UNPACKED_LIMIT {
                return Err(too_big());
            }
        }
    }
    Ok(())
}

/// A cell as text, as a person would have typed it in a CSV.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Numbers are stored in the file as decimal text and come back as the nearest double;
        // Rust's shortest round-trip printing gives the typed digits back (for up to 15
        // significant digits, which covers any amount in yuan).
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            // Days since 1899-12-30 (Excel's day 0, allowing for its 1900 leap-year bug).
            let days = dt.as_f64().floor() as i64;
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(days)))
                .map_or_else(String::new, |d| d.to_string())
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads the sheet of people (the one named [`SHEET`], else the first) as a table: its first
/// row the header, each later row with its spreadsheet row number. With `max_rows`, reading
/// stops a little past it (the caller then says the file is too long).
pub fn read(bytes: &[u8], max_rows: Option<usize>) -> Result<Table, FileError> {
    check_unpacked_size(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let names = calamine::Reader::sheet_names(&book);
    let Some(sheet) = names
        .iter()
        .find(|n| n.as_str() == SHEET)
        .or_else(|| names.first())
        .cloned()
    else {
        return Err(unreadable());
    };
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| unreadable())?;
    // Row number (0-based) → its cells, in order of rows as they come (sheets list them in
    // order; a row met again is merged).
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    loop {
        let next = cells.next_cell().map_err(|_| unreadable())?;
        let Some(c) = next else { break };
        let (r, col) = c.get_position();
        let col = col as usize;
        if col >= COLUMNS_READ {
            continue;
        }
        let text = cell_text(&calamine::Data::from(c.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if rows.last().is_none_or(|(last, _)| *last != r) {
            // The header, the example, the allowed rows and one more.
            if max_rows.is_some_and(|m| rows.len() > m + 2) {
                break;
            }
            rows.push((r, Vec::new()));
        }
        if let Some((_, cells)) = rows.last_mut() {
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
    }
    rows.sort_by_key(|(r, _)| *r);
    let mut rows = rows.into_iter();
    let Some((0, header)) = rows.next() else {
        return Err(refuse(
            "工作表第 1 行应为表头：请使用模板",
            "The sheet's first row should be the header: start from the template",
        ));
    };
    Ok(Table {
        header,
        rows: rows
            .map(|(r, cells)| (u64::from(r) + 1, Ok::<_, FieldError>(cells)))
            .collect(),
    })
}

/// A column's header in the template: the form's Chinese label, with its unit.
pub fn header(f: &FieldSpec) -> String {
    if f.zh.ends_with('）') || f.zh.ends_with(')') {
        return f.zh.to_string();
    }
    let unit = match f.kind {
        Kind::Money => "（元）",
        Kind::Percent => "（%）",
        Kind::Area => "（平方米）",
        Kind::Count if f.path.contains("months") => "（月）",
        Kind::Count => "（年）",
        _ => "",
    };
    format!("{}{unit}", f.zh)
}

/// What a column takes, in words (zh, en).
pub fn what_it_takes(f: &FieldSpec) -> (String, String) {
    let names = |d: crate::applicant::Domain, en: bool| {
        d.values()
            .iter()
            .map(|v| if en { v.en } else { v.zh })
            .collect::<Vec<_>>()
            .join(if en { "; " } else { "、" })
    };
    match f.kind {
        Kind::Text => ("文字".into(), "Text".into()),
        Kind::Date => (
            "日期，如 2026-03-01".into(),
            "A date such as 2026-03-01".into(),
        ),
        Kind::Select(d) => (
            format!("从下拉列表选择：{}", names(d, false)),
            format!("Choose from the list: {}", names(d, true)),
        ),
        Kind::YesNo => ("是 或 否".into(), "是 (yes) or 否 (no)".into()),
        Kind::Count => (
            "整数".into(),
            format!("A whole number of {}", f.count_unit().1),
        ),
        Kind::Money => (
            "金额（元），可写 1200000 或 120万".into(),
            "Money in yuan: 1200000 or 120万".into(),
        ),
        Kind::Percent => ("百分比，0 到 100".into(), "A percentage, 0 to 100".into()),
        Kind::Area => ("面积（平方米）".into(), "An area in square metres".into()),
        Kind::Checks(d) => (
            format!("可填多项，用“、”分隔：{}", names(d, false)),
            format!("Several allowed, separated by “、”: {}", names(d, true)),
        ),
        Kind::Programs => (
            "可填多项项目名称，用“、”分隔".into(),
            "Program names, several separated by “、”".into(),
        ),
    }
}

/// The example row: the example profile, its choices in Chinese, its name marked.
pub fn example_row() -> Vec<String> {
    let profile: serde_json::Value =
        serde_json::from_str(crate::EXAMPLE_PROFILE).unwrap_or_default();
    let row = super::csv_row(&profile);
    FIELDS
        .iter()
        .zip(row)
        .map(|(f, cell)| {
            let zh = |d: crate::applicant::Domain, id: &str| {
                d.values()
                    .iter()
                    .find(|v| v.id == id)
                    .map_or_else(|| id.to_string(), |v| v.zh.to_string())
            };
            match f.kind {
                _ if f.path == "person.full_name" => format!("{EXAMPLE_MARK}{cell}"),
                Kind::Select(d) => zh(d, &cell),
                Kind::Checks(d) => cell
                    .split('、')
                    .filter(|s| !s.is_empty())
                    .map(|id| zh(d, id))
                    .collect::<Vec<_>>()
                    .join("、"),
                _ => cell,
            }
        })
        .collect()
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> FileError {
    refuse(
        format!("无法生成工作簿：{e}"),
        format!("The workbook could not be written: {e}"),
    )
}

/// A sheet's header row: each title in the header format, and its column's width where one
/// is given.
fn header_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    columns: &[(&str, Option<f64>)],
    head: &rust_xlsxwriter::Format,
) -> Result<(), FileError> {
    for (c, (title, width)) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *title, head)
            .map_err(xlsx_error)?;
        if let Some(w) = width {
            sheet.set_column_width(c as u16, *w).map_err(xlsx_error)?;
        }
    }
    Ok(())
}

/// Rows the template's checks and dropdowns cover (header excluded).
const TEMPLATE_ROWS: u32 = super::MAX_ROWS as u32;

/// The template: sheet “填写” (headers, an example row, dropdowns, number checks, text
/// formats, frozen header), sheet “说明” (each column explained), and a hidden sheet of the
/// dropdowns' choices.
pub fn template() -> Result<Vec<u8>, FileError> {
    use rust_xlsxwriter::{
        DataValidation, DataValidationRule, Format, FormatAlign, Formula, Note, Workbook,
    };
    let mut book = Workbook::new();
    // Excel's built-in text format (number format 49, "@").
    let text = Format::new().set_num_format_index(49);
    let head = Format::new()
        .set_bold()
        .set_background_color("#DCE6F1")
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let example = Format::new()
        .set_num_format_index(49)
        .set_italic()
        .set_font_color("#5F6368");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    // The choices of the dropdowns, one column each, on a hidden sheet: a list in a formula is
    // limited to 255 characters, a range is not.
    let mut lists: Vec<(usize, String)> = Vec::new();
    {
        let choices = book.add_worksheet();
        choices.set_name("选项").map_err(xlsx_error)?;
        let mut col = 0u16;
        for (i, f) in FIELDS.iter().enumerate() {
            let Kind::Select(d) = f.kind else { continue };
            choices.write_string(0, col, f.zh).map_err(xlsx_error)?;
            for (r, v) in d.values().iter().enumerate() {
                choices
                    .write_string(r as u32 + 1, col, v.zh)
                    .map_err(xlsx_error)?;
            }
            let letter = rust_xlsxwriter::utility::column_number_to_name(col);
            lists.push((
                i,
                format!("=选项!${letter}$2:${letter}${}", d.values().len() + 1),
            ));
            col += 1;
        }
        choices.set_hidden(true);
    }

    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).map_err(xlsx_error)?;
    for (i, (f, cell)) in FIELDS.iter().zip(example_row()).enumerate() {
        let col = i as u16;
        let title = header(f);
        sheet
            .write_string_with_format(0, col, &title, &head)
            .map_err(xlsx_error)?;
        let (zh, en) = what_it_takes(f);
        sheet
            .insert_note(
                0,
                col,
                &Note::new(format!("{}\n{zh}\n{en}", f.en)).set_width(320),
            )
            .map_err(xlsx_error)?;
        let width = (title.chars().count() as f64 * 2.1 + 2.0).clamp(10.0, 40.0);
        sheet.set_column_width(col, width).map_err(xlsx_error)?;
        let numeric = matches!(
            f.kind,
            Kind::Money | Kind::Count | Kind::Percent | Kind::Area
        );
        if !numeric {
            // IDs, dates and every text stay as typed: no 3.20682E+17, no lost zeros.
            sheet.set_column_format(col, &text).map_err(xlsx_error)?;
        }
        if !cell.is_empty() {
            sheet
                .write_string_with_format(1, col, &cell, &example)
                .map_err(xlsx_error)?;
        }
        let rule = match f.kind {
            Kind::Select(_) => lists
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, range)| DataValidation::new().allow_list_formula(Formula::new(range))),
            Kind::YesNo => Some(
                DataValidation::new()
                    .allow_list_strings(&["是", "否"])
                    .map_err(xlsx_error)?,
            ),
            Kind::Money | Kind::Area => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            ),
            Kind::Percent => Some(
                DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0)),
            ),
            Kind::Count => {
                Some(DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 1200)))
            }
            _ => None,
        };
        if let Some(rule) = rule {
            let rule = rule
                .set_error_title("请检查 / Check")
                .map_err(xlsx_error)?
                .set_error_message(format!("{zh}\n{en}"))
                .map_err(xlsx_error)?;
            sheet
                .add_data_validation(1, col, TEMPLATE_ROWS, col, &rule)
                .map_err(xlsx_error)?;
        }
    }
    sheet.set_row_height(0, 36).map_err(xlsx_error)?;
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;

    let help = book.add_worksheet();
    help.set_name("说明").map_err(xlsx_error)?;
    header_row(
        help,
        &[
            ("列名", Some(24.0)),
            ("Column", Some(28.0)),
            ("填写说明", Some(60.0)),
            ("How to fill it in", Some(60.0)),
            ("必填 / Required", Some(14.0)),
        ],
        &head,
    )?;
    help.write_string_with_format(
        1,
        0,
        "第 2 行是示例（姓名以“（示例）”开头），不会被检查；从第 3 行起每行填写一人。",
        &wrap,
    )
    .map_err(xlsx_error)?;
    help.write_string_with_format(
        1,
        2,
        "Row 2 is an example (its name starts with “（示例）”) and is never checked; fill in one person per row from row 3.",
        &wrap,
    )
    .map_err(xlsx_error)?;
    for (i, f) in FIELDS.iter().enumerate() {
        let r = i as u32 + 2;
        let (zh, en) = what_it_takes(f);
        let help_zh = if f.help_zh.is_empty() {
            zh
        } else {
            format!("{zh}。{}", f.help_zh)
        };
        let help_en = if f.help_en.is_empty() {
            en
        } else {
            format!("{en}. {}", f.help_en)
        };
        for (c, v) in [
            header(f),
            f.en.to_string(),
            help_zh,
            help_en,
            if f.required { "是 / yes" } else { "" }.to_string(),
        ]
        .iter()
        .enumerate()
        {
            help.write_string_with_format(r, c as u16, v, &wrap)
                .map_err(xlsx_error)?;
        }
    }
    help.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    // Open on the sheet to fill in.
    book.worksheet_from_name(SHEET)
        .map_err(xlsx_error)?
        .set_active(true);
    book.save_to_buffer().map_err(xlsx_error)
}

/// The results workbook of `batch`, its results table (`header`, `rows`) given (see
/// [`super::Batch::results_xlsx`]). Amounts are whole yuan, written as numbers so that they
/// add up in Excel (exact: a double holds every whole number below 2^53); every text is a
/// string cell, never a formula.
pub fn results(
    batch: &super::Batch,
    header: &[String],
    rows: &[Vec<super::Cell>],
    lang: crate::input::Lang,
) -> Result<Vec<u8>, FileError> {
    use super::{Cell, RowOutcome};
    use rust_decimal::prelude::ToPrimitive;
    use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#DCE6F1")
        .set_text_wrap();
    let money = Format::new().set_num_format("#,##0");
    let n = |d: &rust_decimal::Decimal| d.to_f64().unwrap_or_default();

    let sheet = book.add_worksheet();
    sheet
        .set_name(lang.t("结果", "Results"))
        .map_err(xlsx_error)?;
    // The last three columns (conditions missed, hints, errors) hold sentences.
    let columns: Vec<(&str, Option<f64>)> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            (
                h.as_str(),
                Some(if c + 3 >= header.len() { 48.0 } else { 14.0 }),
            )
        })
        .collect();
    header_row(sheet, &columns, &head)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.write_string(r, c as u16, t).map_err(xlsx_error)?;
                }
                Cell::Amount(d) => {
                    sheet
                        .write_number_with_format(r, c as u16, n(d), &money)
                        .map_err(xlsx_error)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 2).map_err(xlsx_error)?;

    let name = lang.t("汇总", "Summary");
    let summary = book.add_worksheet();
    summary.set_name(name).map_err(xlsx_error)?;
    header_row(
        summary,
        &[
            (lang.t("项目", "Program"), Some(36.0)),
            (lang.t("符合人数", "Eligible"), None),
            (lang.t("金额合计（元）", "Amount (yuan)"), Some(18.0)),
        ],
        &head,
    )?;
    let s = &batch.summary;
    for (i, p) in s.programs.iter().enumerate() {
        let r = i as u32 + 1;
        summary
            .write_string(r, 0, lang.t(&p.name_zh, &p.name_en))
            .map_err(xlsx_error)?;
        summary
            .write_number(r, 1, p.eligible as f64)
            .map_err(xlsx_error)?;
        summary
            .write_number_with_format(r, 2, n(&p.amount), &money)
            .map_err(xlsx_error)?;
    }
    let last = s.programs.len() as u32;
    for (r, (label, value)) in [
        (lang.t("人数", "People"), s.rows as f64),
        (lang.t("已测算", "Assessed"), s.assessed as f64),
        (lang.t("有错误的行", "Rows with errors"), s.invalid as f64),
    ]
    .iter()
    .enumerate()
    {
        let r = last + 2 + r as u32;
        summary.write_string(r, 0, *label).map_err(xlsx_error)?;
        summary.write_number(r, 1, *value).map_err(xlsx_error)?;
    }
    summary
        .write_string_with_format(last + 5, 0, lang.t("合计（元）", "Total (yuan)"), &head)
        .map_err(xlsx_error)?;
    summary
        .write_number_with_format(last + 5, 2, n(&s.total), &money)
        .map_err(xlsx_error)?;
    if last > 0 {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((name, 1, 0, last, 0))
            .set_values((name, 1, 2, last, 2))
            .set_name(lang.t("金额合计（元）", "Amount (yuan)"));
        chart
            .title()
            .set_name(lang.t("各项目金额合计", "Amount per program"));
        chart.legend().set_hidden();
        summary.insert_chart(1, 4, &chart).map_err(xlsx_error)?;
    }

    let problems = book.add_worksheet();
    problems
        .set_name(lang.t("问题行", "Problem rows"))
        .map_err(xlsx_error)?;
    header_row(
        problems,
        &[
            (lang.t("行号", "Line"), None),
            (lang.t("姓名", "Name"), Some(16.0)),
            (lang.t("错误", "Errors"), Some(80.0)),
        ],
        &head,
    )?;
    let mut r = 1u32;
    for row in &batch.rows {
        if let RowOutcome::Invalid(errors) = &row.outcome {
            problems
                .write_number(r, 0, row.line as f64)
                .map_err(xlsx_error)?;
            if !row.name.is_empty() {
                problems.write_string(r, 1, &row.name).map_err(xlsx_error)?;
            }
            problems
                .write_string(r, 2, super::errors_in_words(errors, lang))
                .map_err(xlsx_error)?;
            r += 1;
        }
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// A workbook of people as an HR officer fills the template (sheet “填写”: the header, the
/// example row, then each row of cells under the template's columns, numbers as numbers): for
/// benchmarks, tests and scripts that make one.
pub fn people(rows: &[Vec<String>]) -> Result<Vec<u8>, FileError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).map_err(xlsx_error)?;
    for (c, f) in FIELDS.iter().enumerate() {
        sheet
            .write_string(0, c as u16, header(f))
            .map_err(xlsx_error)?;
    }
    let example = example_row();
    for (r, row) in std::iter::once(&example).chain(rows).enumerate() {
        for (c, (f, cell)) in FIELDS.iter().zip(row).enumerate() {
            if cell.is_empty() {
                continue;
            }
            let numeric = matches!(
                f.kind,
                Kind::Money | Kind::Count | Kind::Percent | Kind::Area
            );
            match cell.parse::<f64>() {
                Ok(n) if numeric && r > 0 && n.abs() < 1e15 => {
                    sheet
                        .write_number(r as u32 + 1, c as u16, n)
                        .map_err(xlsx_error)?;
                }
                _ => {
                    sheet
                        .write_string(r as u32 + 1, c as u16, cell)
                        .map_err(xlsx_error)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(xlsx_error)
}
