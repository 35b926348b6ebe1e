//! Reading a spreadsheet of people: its encoding, its header (field paths, or the form's
//! labels with or without units), each row's cells as people type them, and the line a row
//! stood on; and the template's columns.

use super::FileError;
use crate::spreadsheet::Sheet;
use rules::applicant::Domain;
use rules::input::{FIELDS, FieldSpec, FormSection, FormValues, Kind, Lang};
use rules::policy::Policy;

/// The file's text: a UTF-8 byte order mark is dropped; text that is not UTF-8 is read as GBK
/// (GB 18030, which Excel in China writes).
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(FileError::new(
            "文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV",
            "The file's encoding is not recognised: save it as CSV in UTF-8 or GBK",
        ));
    }
    Ok(text.into_owned())
}

/// A header as compared: no spaces, no `*` marking required fields, no trailing unit in
/// brackets, lower case.
pub(super) fn header_key(h: &str) -> String {
    let mut s: String = h
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect::<String>()
        .to_lowercase();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if s.ends_with(close)
            && let Some(i) = s.rfind(open)
        {
            s.truncate(i);
        }
    }
    s
}

/// The template's column of the officer's own: a staff number or a note, never read as an
/// answer, given back unchanged beside the person's results so they can be matched to staff
/// (the results show ID numbers masked).
pub const PASS_THROUGH: (&str, &str) = (
    "工号/备注（选填，原样带回）",
    "Staff no./note (optional, returned as written)",
);

/// Whether a column is the officer's own (工号, 备注, a staff number, a note): given back, not read.
pub fn is_pass_through(header: &str) -> bool {
    const NAMES: [&str; 14] = [
        "工号",
        "员工编号",
        "员工号",
        "编号",
        "备注",
        "工号/备注",
        "staffno.",
        "staffno",
        "staffno./note",
        "staffnumber",
        "staffid",
        "employeeid",
        "note",
        "remark",
    ];
    let key = header_key(header);
    NAMES.contains(&key.as_str()) || key == "notes" || key == "remarks"
}

/// The field a column header names: its path, its Chinese label or its English label.
pub fn column_field(header: &str) -> Option<&'static FieldSpec> {
    let key = header_key(header);
    FIELDS.iter().find(|f| {
        f.path.eq_ignore_ascii_case(header.trim())
            || header_key(f.zh) == key
            || header_key(f.en) == key
    })
}

/// The CSV template: the form's labels (with units) as headers, in the form's order, and the
/// example row (never checked). The .xlsx template (`xlsx::template`) has the same columns.
pub fn template_csv() -> String {
    let mut sheet = Sheet::new();
    sheet.row(
        FIELDS
            .iter()
            .map(super::xlsx::header)
            .chain([PASS_THROUGH.0.to_string()]),
    );
    sheet.row(
        super::xlsx::example_row()
            .into_iter()
            .chain(["E0001".to_string()]),
    );
    sheet.finish()
}

/// A profile (JSON) as a row under the template's header: what a spreadsheet of people holds.
pub fn csv_row(profile: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    FIELDS
        .iter()
        .map(
            |f| match f.path.split('.').try_fold(profile, |at, k| at.get(k)) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("、"),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            },
        )
        .collect()
}

/// A program's id and its names, as spreadsheets and lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramName {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// Two columns a program, its status and its amount, in spreadsheets written for people.
pub fn program_headers(programs: &[ProgramName], lang: Lang) -> Vec<String> {
    programs
        .iter()
        .flat_map(|p| {
            let name = lang.t(&p.zh, &p.en);
            [
                format!("{name}·{}", lang.t("结果", "status")),
                format!("{name}·{}", lang.t("金额（元）", "amount (yuan)")),
            ]
        })
        .collect()
}

/// Programs of every version, newest version first, each once: the results' columns.
pub fn all_programs(policy: &Policy) -> Vec<ProgramName> {
    let mut out: Vec<ProgramName> = Vec::new();
    for v in policy.versions.iter().rev() {
        for p in &v.rules.programs {
            if !out.iter().any(|n| *n.id == *p.id) {
                out.push(ProgramName {
                    id: p.id.to_string(),
                    zh: p.zh.to_string(),
                    en: p.en.to_string(),
                });
            }
        }
    }
    out
}

pub(super) fn yes_no(cell: &str) -> Option<&'static str> {
    match cell.to_lowercase().as_str() {
        "是" | "有" | "y" | "yes" | "true" | "1" | "√" | "✓" => Some("true"),
        "否" | "无" | "没有" | "n" | "no" | "false" | "0" | "×" | "✗" => Some("false"),
        _ => None,
    }
}

/// A choice by id, Chinese name or English name.
pub(super) fn choice(domain: Domain, cell: &str) -> String {
    domain
        .values()
        .iter()
        .find(|v| v.id == cell || v.zh == cell || v.en.eq_ignore_ascii_case(cell))
        .map_or_else(|| cell.to_string(), |v| v.id.to_string())
}

/// A date as people write it (the profile's one date reader) → `2026-03-01`; anything else
/// as typed, for the reader to report.
pub(super) fn date(cell: &str) -> String {
    rules::applicant::parse_date(cell).map_or_else(|| cell.to_string(), |d| d.to_string())
}

pub(super) fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '；', ',', '，', '、', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// One row's cells → the form's values, so that a row is read exactly as the web form is.
pub(super) fn row_values(
    columns: &[Option<&'static FieldSpec>],
    record: &[String],
    programs: &[ProgramName],
) -> FormValues {
    let mut values = FormValues::default();
    for (field, cell) in columns.iter().zip(record.iter()) {
        let (Some(f), cell) = (field, cell.trim()) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        let mut put = |v: String| values.0.entry(f.path.to_string()).or_default().push(v);
        match f.kind {
            Kind::Select(d) => put(choice(d, cell)),
            Kind::YesNo => put(yes_no(cell).map_or_else(|| cell.to_string(), str::to_string)),
            Kind::Date => put(date(cell)),
            Kind::Checks(d) => list(cell).for_each(|v| put(choice(d, v))),
            Kind::Programs => list(cell).for_each(|v| {
                let id = programs
                    .iter()
                    .find(|p| p.id == v || p.zh == v || p.en.eq_ignore_ascii_case(v))
                    .map_or(v, |p| p.id.as_str());
                put(id.to_string());
            }),
            _ => put(cell.to_string()),
        }
        if let Some((toggle, _, _)) = f.section.toggle() {
            values.0.insert(toggle.to_string(), vec!["1".into()]);
            // A purchase is part of housing.
            if f.section == FormSection::HomePurchase {
                values.0.insert("has_housing".into(), vec!["1".into()]);
            }
        }
    }
    values
}

/// Line numbers of records (the header is line 1), from their byte offsets: the csv crate's
/// own line count does not skip the line ends before a record. Offsets only grow, so each
/// part of the text is counted once.
pub(super) struct Lines<'a> {
    pub(super) text: &'a [u8],
    pub(super) at: usize,
    pub(super) line: u64,
}

impl Lines<'_> {
    pub(super) fn of(&mut self, pos: Option<&csv::Position>) -> u64 {
        let Some(pos) = pos else { return 0 };
        let start = usize::try_from(pos.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let skip = self.text[start..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let to = start + skip;
        if to >= self.at {
            self.line += self.text[self.at..to]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.at = to;
        }
        self.line
    }
}
