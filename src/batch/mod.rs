//! Batch checks from a spreadsheet: a CSV of people (UTF-8 with or without BOM, or GBK as
//! Excel in China saves it) → one result row per person and a summary. Used by the officer
//! console and by `talent-subsidy batch IN.csv OUT.csv`.
//!
//! Columns are the profile's field paths (`person.full_name`); the form's Chinese and English
//! labels are accepted too (`姓名`, with or without a unit such as `（元）`). Cells are read as
//! people type them: `120万`, `2026/3/1`, `是`, Chinese names of choices, lists separated by
//! `、` or `;`. Each row goes through the same reading and validation as the web form.
//!
//! Invariant: **a bad row never stops the batch** — it gets its own errors in the results; only
//! a file that cannot be read as a table at all (encoding, unknown or repeated columns, too
//! many rows) is refused, and then with a message that says which.

use crate::applicant::FieldError;
use crate::engine::Status;
use crate::input::{self as form, FieldSpec, FormValues};
use crate::input::{Lang, status_label};
use crate::policy::Policy;
use crate::spreadsheet::Sheet;

mod cells;
pub mod xlsx;
use crate::store::mask_id;
use cells::{Lines, row_values};
pub use cells::{
    ProgramName, all_programs, column_field, csv_row, decode, program_headers, template_csv,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most people one upload may hold.
pub const MAX_ROWS: usize = 10_000;
/// Longest cell, in characters: far more than any answer needs (a name has at most 50), so a
/// longer one is a mistake or an attack, and is neither assessed nor kept.
pub const CELL_LIMIT: usize = 500;
/// Longest name shown back in the results.
const NAME_SHOWN: usize = 50;

/// A file refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub message_zh: String,
    pub message_en: String,
}

impl FileError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> FileError {
        FileError {
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        lang.t(&self.message_zh, &self.message_en)
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.message_zh, self.message_en)
    }
}

/// One person's outcome.
#[derive(Debug, Clone)]
pub struct RowResult {
    /// The line of the file the row was on (the header is line 1).
    pub line: u64,
    pub name: String,
    pub id_masked: String,
    pub outcome: RowOutcome,
}

#[derive(Debug, Clone)]
pub enum RowOutcome {
    Assessed {
        version: String,
        tier: String,
        /// Program id, status, amount granted.
        programs: Vec<(String, Status, Decimal)>,
        total: Decimal,
        /// Why: for each program missed, the conditions not met, in words (zh, en).
        missed: Vec<(String, String)>,
        /// What would change it: the best hints, as sentences (zh, en).
        hints: Vec<(String, String)>,
    },
    Invalid(Vec<FieldError>),
}

/// Hints kept per person.
const HINTS_KEPT: usize = 3;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProgramSummary {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub eligible: usize,
    pub amount: Decimal,
}

/// How the batch went, as the page and the command print it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub rows: usize,
    pub assessed: usize,
    pub invalid: usize,
    pub programs: Vec<ProgramSummary>,
    pub total: Decimal,
}

#[derive(Debug, Clone)]
pub struct Batch {
    pub summary: Summary,
    pub rows: Vec<RowResult>,
    programs: Vec<ProgramName>,
}

fn assess_row(policy: &Policy, values: &FormValues) -> RowOutcome {
    match crate::service::assess_value(policy, &form::to_profile_json(values)) {
        Ok(done) => {
            let a = &done.assessment;
            let rules = &a.version.rules;
            let missed = a
                .programs
                .iter()
                .filter(|p| p.status == Status::Ineligible)
                .map(|p| {
                    let unmet = |lang: Lang| {
                        p.conditions
                            .iter()
                            .zip(&p.program.conditions)
                            .filter(|(o, _)| !o.met)
                            .map(|(_, c)| format!("“{}”", lang.t(&c.zh, &c.en)))
                            .collect::<Vec<_>>()
                            .join(lang.t("、", ", "))
                    };
                    (
                        format!("{}：未满足{}", p.program.zh, unmet(Lang::Zh)),
                        format!("{}: not met: {}", p.program.en, unmet(Lang::En)),
                    )
                })
                .collect();
            let hints = crate::engine::hints::hints(a, &done.profile, policy)
                .iter()
                .take(HINTS_KEPT)
                .map(|h| {
                    (
                        crate::words::hint_sentence(h, rules, Lang::Zh),
                        crate::words::hint_sentence(h, rules, Lang::En),
                    )
                })
                .collect();
            RowOutcome::Assessed {
                version: a.version.id.to_string(),
                tier: a.tier_id().to_string(),
                programs: a
                    .programs
                    .iter()
                    .map(|p| (p.program.id.to_string(), p.status, p.amount))
                    .collect(),
                total: a.total,
                missed,
                hints,
            }
        }
        Err(invalid) => RowOutcome::Invalid(invalid.errors),
    }
}

/// A sheet of people as read from a file, before anything is assessed: the header row, then
/// each row with the line (spreadsheet row number) it stood on, as its cells or as why it
/// could not be read.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Result<Vec<String>, FieldError>)>,
}

/// Reads and assesses a whole file: an .xlsx workbook or a CSV, told apart by their bytes
/// (never their names), read by the same rules. `max_rows` bounds the people in it (`None`:
/// no bound).
pub fn run(policy: &Policy, bytes: &[u8], max_rows: Option<usize>) -> Result<Batch, FileError> {
    let table = if xlsx::is_xlsx(bytes) {
        xlsx::read(bytes, max_rows)?
    } else {
        csv_table(bytes, max_rows)?
    };
    run_table(policy, table, max_rows)
}

/// A CSV (UTF-8, with or without BOM, or GBK) as a table.
/// The error for a file with more people than `max_rows`.
fn too_many_rows(max_rows: usize) -> FileError {
    FileError::new(
        format!("一次最多 {max_rows} 人：请把文件分成几份"),
        format!("At most {max_rows} people per file: split the file"),
    )
}

/// Reads a CSV's rows, stopping as soon as it holds more than `max_rows` rows that are not
/// blank (or more than twice as many rows in all): a file over the limit is refused without
/// being read whole.
fn csv_table(bytes: &[u8], max_rows: Option<usize>) -> Result<Table, FileError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| {
            FileError::new(
                format!("表头无法读取：{e}"),
                format!("The header row cannot be read: {e}"),
            )
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    let mut rows = Vec::new();
    let mut filled = 0usize;
    for record in reader.records() {
        let row = match record {
            Ok(r) => {
                if r.iter().any(|c| !c.trim().is_empty()) {
                    filled += 1;
                }
                (
                    lines.of(r.position()),
                    Ok(r.iter().map(str::to_string).collect()),
                )
            }
            Err(e) => {
                filled += 1;
                (
                    lines.of(e.position()),
                    Err(FieldError::new(
                        "",
                        format!("该行无法读取：{e}"),
                        format!("The row cannot be read: {e}"),
                    )),
                )
            }
        };
        rows.push(row);
        // One row more than the limit may be the template's example row.
        if let Some(max) = max_rows
            && (filled > max + 1 || rows.len() > 2 * max + 100)
        {
            return Err(too_many_rows(max));
        }
    }
    Ok(Table { header, rows })
}

/// The field each column of a header row holds (`None`: a blank header); a header that is
/// not a field of the template, or two columns for one field, refuse the file.
fn columns(headers: &[String]) -> Result<Vec<Option<&'static FieldSpec>>, FileError> {
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(FileError::new(
            "文件为空或没有表头：请使用模板",
            "The file is empty or has no header row: start from the template",
        ));
    }
    let mut columns = Vec::with_capacity(headers.len());
    let mut unknown = Vec::new();
    for h in headers {
        if h.trim().is_empty() {
            columns.push(None);
            continue;
        }
        match column_field(h) {
            Some(f)
                if columns
                    .iter()
                    .flatten()
                    .any(|c: &&FieldSpec| c.path == f.path) =>
            {
                return Err(FileError::new(
                    format!("“{h}”与另一列都是“{}”：请删去一列", f.zh),
                    format!("“{h}” and another column are both “{}”: remove one", f.en),
                ));
            }
            Some(f) => columns.push(Some(f)),
            None => unknown.push(h.trim().to_string()),
        }
    }
    if !unknown.is_empty() {
        let names = unknown.join("、");
        return Err(FileError::new(
            format!("无法识别的列：{names}。列名应为模板中的列名（表单上的中文名称）"),
            format!(
                "Columns not recognised: {names}. Use the template's column names (the form's labels)"
            ),
        ));
    }
    Ok(columns)
}

/// One person of a file: their line, and the profile or its errors in words.
pub type ReadRow = (u64, Result<crate::applicant::Profile, String>);

/// The people of a file in the batch format (an .xlsx workbook or a CSV), read as the web
/// form reads them, each with its line: the profile, or its errors in words. For the policy
/// office's simulation, which assesses them itself.
pub fn profiles(
    bytes: &[u8],
    policy: &Policy,
    ctx: &dyn crate::applicant::ProfileContext,
    max_rows: usize,
) -> Result<Vec<ReadRow>, FileError> {
    let table = if xlsx::is_xlsx(bytes) {
        xlsx::read(bytes, Some(max_rows))?
    } else {
        csv_table(bytes, Some(max_rows))?
    };
    let columns = columns(&table.header)?;
    let programs = all_programs(policy);
    let mut out = Vec::new();
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push((line, Err(errors_in_words(&[e], Lang::Zh))));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) || is_example(&columns, &record) {
            continue;
        }
        if out.len() >= max_rows {
            return Err(too_many_rows(max_rows));
        }
        let values = row_values(&columns, &record, &programs);
        let profile = crate::applicant::Profile::from_value(&form::to_profile_json(&values), ctx)
            .map_err(|e| errors_in_words(&e.errors, Lang::Zh));
        out.push((line, profile));
    }
    Ok(out)
}

/// Assesses every row of a table, each as the web form reads it.
pub fn run_table(
    policy: &Policy,
    table: Table,
    max_rows: Option<usize>,
) -> Result<Batch, FileError> {
    let columns = columns(&table.header)?;
    let programs = all_programs(policy);
    let mut rows = Vec::new();
    let mut to_assess: Vec<(usize, FormValues)> = Vec::new();
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(RowResult {
                    line,
                    name: String::new(),
                    id_masked: String::new(),
                    outcome: RowOutcome::Invalid(vec![e]),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) || is_example(&columns, &record) {
            continue;
        }
        if max_rows.is_some_and(|m| rows.len() >= m) {
            let m = max_rows.unwrap_or_default();
            return Err(FileError::new(
                format!("一次最多检查 {m} 人：请把文件分成几份"),
                format!("At most {m} people per file: split the file"),
            ));
        }
        let cell = |path: &str| {
            let text = columns
                .iter()
                .position(|c| c.is_some_and(|f| f.path == path))
                .and_then(|i| record.get(i))
                .map_or("", |c| c.trim());
            // Shown back as words: what may not be shown is dropped, and a long cell cut.
            text.chars()
                .filter(|c| !crate::applicant::is_unsafe_char(*c, true))
                .take(NAME_SHOWN)
                .collect::<String>()
        };
        let (name, id_masked) = (cell("person.full_name"), mask_id(&cell("person.id_number")));
        let too_long: Vec<FieldError> = columns
            .iter()
            .zip(record.iter())
            .filter(|(_, text)| text.chars().count() > CELL_LIMIT)
            .map(|(field, _)| {
                let (zh, en) = field.map_or(("（无表头）", "(no header)"), |f| (f.zh, f.en));
                FieldError::new(
                    field.map_or("", |f| f.path),
                    format!("“{zh}”一格超过 {CELL_LIMIT} 个字符，未检查"),
                    format!("“{en}” is longer than {CELL_LIMIT} characters: not checked"),
                )
            })
            .collect();
        let outcome = if !too_long.is_empty() {
            RowOutcome::Invalid(too_long)
        } else if record.len() > columns.len() {
            RowOutcome::Invalid(vec![FieldError::new(
                "",
                format!(
                    "该行有 {} 格，多于表头的 {} 列",
                    record.len(),
                    columns.len()
                ),
                format!(
                    "The row has {} cells, more than the header's {} columns",
                    record.len(),
                    columns.len()
                ),
            )])
        } else {
            // Read now, assessed below with the others.
            to_assess.push((rows.len(), row_values(&columns, &record, &programs)));
            RowOutcome::Invalid(Vec::new())
        };
        rows.push(RowResult {
            line,
            name,
            id_masked,
            outcome,
        });
    }
    // The rows are independent: assessed on every core, each result to its own row.
    let outcomes = crate::parallel::runs(&to_assess, |_, run| {
        run.iter()
            .map(|(i, values)| (*i, assess_row(policy, values)))
            .collect::<Vec<_>>()
    });
    for (i, outcome) in outcomes.into_iter().flatten() {
        if let Some(r) = rows.get_mut(i) {
            r.outcome = outcome;
        }
    }
    let summary = summarize(&rows, &programs);
    Ok(Batch {
        summary,
        rows,
        programs,
    })
}

/// A row's errors as people read them: each after the name of its column (“证件号码：居民身份证
/// 号校验位不正确”), never a field path.
pub fn errors_in_words(errors: &[FieldError], lang: Lang) -> String {
    errors
        .iter()
        .map(|e| {
            let m = lang.t(&e.message_zh, &e.message_en);
            match crate::input::error_field(&e.field) {
                Some(f) => format!("{}{}{m}", lang.t(f.zh, f.en), lang.t("：", ": ")),
                None => m.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(lang.t("；", "; "))
}

/// The template's example row (its name starts with “（示例）”): shown to help, never
/// checked.
fn is_example(columns: &[Option<&'static FieldSpec>], record: &[String]) -> bool {
    columns
        .iter()
        .position(|c| c.is_some_and(|f| f.path == "person.full_name"))
        .and_then(|i| record.get(i))
        .is_some_and(|name| {
            let name = name.trim_start();
            name.starts_with(xlsx::EXAMPLE_MARK) || name.starts_with("(example)")
        })
}

fn summarize(rows: &[RowResult], programs: &[ProgramName]) -> Summary {
    let mut summary = Summary {
        rows: rows.len(),
        assessed: 0,
        invalid: 0,
        programs: programs
            .iter()
            .map(|ProgramName { id, zh, en }| ProgramSummary {
                id: id.clone(),
                name_zh: zh.clone(),
                name_en: en.clone(),
                eligible: 0,
                amount: Decimal::ZERO,
            })
            .collect(),
        total: Decimal::ZERO,
    };
    for r in rows {
        match &r.outcome {
            RowOutcome::Assessed {
                programs, total, ..
            } => {
                summary.assessed += 1;
                summary.total += total;
                for (id, status, amount) in programs {
                    if *status == Status::Eligible
                        && let Some(s) = summary.programs.iter_mut().find(|s| s.id == *id)
                    {
                        s.eligible += 1;
                        s.amount += amount;
                    }
                }
            }
            RowOutcome::Invalid(_) => summary.invalid += 1,
        }
    }
    summary
}

fn csv_of(header: &[String], rows: &[Vec<Cell>]) -> String {
    let mut sheet = Sheet::new();
    sheet.row(header);
    for r in rows {
        sheet.row(r.iter().map(Cell::text));
    }
    sheet.finish()
}

/// A cell of the results: text, or an amount (a number in a workbook).
pub enum Cell {
    Text(String),
    Amount(Decimal),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Amount(d) => d.to_string(),
        }
    }
}

impl Batch {
    /// The results as a table, one row per person: line, name, masked ID number, policy
    /// version, tier, each program's status and amount, the total, the conditions missed, the
    /// hints, the errors — all in words.
    pub fn results_table(&self, lang: Lang) -> (Vec<String>, Vec<Vec<Cell>>) {
        let mut header: Vec<String> = [
            lang.t("行号", "Line"),
            lang.t("姓名", "Name"),
            lang.t("证件号码", "ID number"),
            lang.t("政策版本", "Policy version"),
            lang.t("人才层次", "Talent tier"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(program_headers(&self.programs, lang));
        header.push(lang.t("合计（元）", "Total (yuan)").into());
        header.push(lang.t("未满足的条件", "Conditions not met").into());
        header.push(lang.t("怎样可以获得更多", "What would get more").into());
        header.push(lang.t("错误", "Errors").into());
        let words = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(zh, en)| lang.t(zh, en))
                .collect::<Vec<_>>()
                .join(lang.t("；", "; "))
        };
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let mut rec = vec![
                    Cell::Text(r.line.to_string()),
                    Cell::Text(r.name.clone()),
                    Cell::Text(r.id_masked.clone()),
                ];
                match &r.outcome {
                    RowOutcome::Assessed {
                        version,
                        tier,
                        programs,
                        total,
                        missed,
                        hints,
                    } => {
                        rec.push(Cell::Text(version.clone()));
                        rec.push(Cell::Text(tier.clone()));
                        for ProgramName { id, .. } in &self.programs {
                            match programs.iter().find(|(p, _, _)| p == id) {
                                Some((_, s, amount)) => {
                                    rec.push(Cell::Text(status_label(*s, lang).into()));
                                    rec.push(Cell::Amount(*amount));
                                }
                                None => rec
                                    .extend([Cell::Text(String::new()), Cell::Text(String::new())]),
                            }
                        }
                        rec.push(Cell::Amount(*total));
                        rec.push(Cell::Text(words(missed)));
                        rec.push(Cell::Text(words(hints)));
                        rec.push(Cell::Text(String::new()));
                    }
                    RowOutcome::Invalid(errors) => {
                        rec.extend(
                            std::iter::repeat_with(|| Cell::Text(String::new()))
                                .take(2 + 2 * self.programs.len() + 3),
                        );
                        rec.push(Cell::Text(format!(
                            "{}{}",
                            lang.t(&format!("第 {} 行 ", r.line), &format!("Line {}: ", r.line)),
                            errors_in_words(errors, lang)
                        )));
                    }
                }
                rec
            })
            .collect();
        (header, rows)
    }

    /// The results as CSV (UTF-8 with BOM, for Excel), every cell neutralised.
    pub fn results_csv(&self, lang: Lang) -> String {
        let (header, rows) = self.results_table(lang);
        csv_of(&header, &rows)
    }

    /// The results as a workbook: the same table, amounts as numbers; a summary per program
    /// with a chart of amounts; the rows that could not be checked with their errors.
    pub fn results_xlsx(&self, lang: Lang) -> Result<Vec<u8>, FileError> {
        let (header, rows) = self.results_table(lang);
        xlsx::results(self, &header, &rows, lang)
    }

    /// Both, from one results table (what the console keeps).
    pub fn results_csv_and_xlsx(&self, lang: Lang) -> Result<(String, Vec<u8>), FileError> {
        let (header, rows) = self.results_table(lang);
        Ok((
            csv_of(&header, &rows),
            xlsx::results(self, &header, &rows, lang)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::cells::*;
    use super::*;
    use crate::applicant::Domain;

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
        let policy = crate::policy::load_embedded().unwrap();
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
        assert!(e.message_en.contains("At most 5 people"), "{e:?}");
        // Rows of empty cells count too, at twice the limit.
        let blank = format!("姓名,备注\n{}", ",\n".repeat(200));
        assert!(csv_table(blank.as_bytes(), Some(5)).is_err());
        // Within the limit (one more for the template's example row), read whole.
        let fine = format!("姓名\n{}", "张\n".repeat(6));
        assert_eq!(csv_table(fine.as_bytes(), Some(5)).unwrap().rows.len(), 6);
    }

    #[test]
    fn a_profile_written_as_a_row_is_assessed_as_its_json() {
        let policy = crate::policy::load_embedded().unwrap();
        let profile: serde_json::Value = serde_json::from_str(crate::EXAMPLE_PROFILE).unwrap();
        let mut text = template_csv();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(csv_row(&profile)).unwrap();
        text.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        let b = run(&policy, text.as_bytes(), Some(MAX_ROWS)).unwrap();
        let direct = crate::engine::assess(
            &policy,
            &crate::applicant::Profile::from_value(&profile, &policy).unwrap(),
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
        let policy = crate::policy::load_embedded().unwrap();
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
        let policy = crate::policy::load_embedded().unwrap();
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
}
