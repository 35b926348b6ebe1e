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
use rules::applicant::FieldError;
use rules::input::{FIELDS, FieldSpec, Kind};
use std::io::{Cursor, Read};

mod write;
pub use write::{people, results, template};

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

/// Whether a zip archive holds a workbook (`xl/workbook.xml`) rather than a Word document or
/// any other archive; an archive that cannot be opened is left for `read` to refuse.
pub fn is_workbook(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(mut zip) => zip.by_name("xl/workbook.xml").is_ok(),
        Err(_) => true,
    }
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
    if !is_workbook(bytes) {
        return Err(refuse(
            "这不是表格文件：它看起来是 Word 文档或其他压缩包，不是 Excel 工作簿。请上传 Excel 工作簿（.xlsx）或 CSV 文件，可先下载模板填写",
            "This is not a spreadsheet: it looks like a Word document or another zip archive, not an Excel workbook. Upload an Excel workbook (.xlsx) or a CSV file; the template is a good start",
        ));
    }
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
        Kind::Months => "（月）",
        Kind::Years => "（年）",
        _ => "",
    };
    format!("{}{unit}", f.zh)
}

/// What a column takes, in words.
pub fn what_it_takes(f: &FieldSpec) -> rules::Msg {
    let names = |d: rules::applicant::Domain, en: bool| {
        d.values()
            .iter()
            .map(|v| if en { v.en } else { v.zh })
            .collect::<Vec<_>>()
            .join(if en { "; " } else { "、" })
    };
    let (zh, en): (String, String) = match f.kind {
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
        Kind::Years | Kind::Months => (
            "整数".into(),
            format!("A whole number of {}", f.kind.unit().map_or("", |u| u.en())),
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
    };
    rules::Msg::new(zh, en)
}

/// The example row: the example profile, its choices in Chinese, its name marked.
pub fn example_row() -> Vec<String> {
    let profile: serde_json::Value =
        serde_json::from_str(rules::EXAMPLE_PROFILE).unwrap_or_default();
    let row = super::csv_row(&profile);
    FIELDS
        .iter()
        .zip(row)
        .map(|(f, cell)| {
            let zh = |d: rules::applicant::Domain, id: &str| {
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
