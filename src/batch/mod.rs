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
    },
    Invalid(Vec<FieldError>),
}

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
            let a = done.assessment;
            RowOutcome::Assessed {
                version: a.version.id.to_string(),
                tier: a.tier_id().to_string(),
                programs: a
                    .programs
                    .iter()
                    .map(|p| (p.program.id.to_string(), p.status, p.amount))
                    .collect(),
                total: a.total,
            }
        }
        Err(invalid) => RowOutcome::Invalid(invalid.errors),
    }
}

/// Reads and assesses a whole file. `max_rows` bounds the people in it (`None`: no bound).
pub fn run(policy: &Policy, bytes: &[u8], max_rows: Option<usize>) -> Result<Batch, FileError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            FileError::new(
                format!("表头无法读取：{e}"),
                format!("The header row cannot be read: {e}"),
            )
        })?
        .clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(FileError::new(
            "文件为空或没有表头：请使用模板",
            "The file is empty or has no header row: start from the template",
        ));
    }
    let mut columns = Vec::with_capacity(headers.len());
    let mut unknown = Vec::new();
    for h in headers.iter() {
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
                    format!("“{h}”与另一列都是 {}：请删去一列", f.path),
                    format!("“{h}” and another column are both {}: remove one", f.path),
                ));
            }
            Some(f) => columns.push(Some(f)),
            None => unknown.push(h.trim().to_string()),
        }
    }
    if !unknown.is_empty() {
        let names = unknown.join("、");
        return Err(FileError::new(
            format!("无法识别的列：{names}。列名应为模板中的字段路径或表单上的中文名称"),
            format!(
                "Columns not recognised: {names}. Use the template's field paths or the form's labels"
            ),
        ));
    }
    let programs = all_programs(policy);
    let mut rows = Vec::new();
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    for record in reader.records() {
        let (record, line) = match record {
            Ok(r) => {
                let line = lines.of(r.position());
                (r, line)
            }
            Err(e) => {
                let line = lines.of(e.position());
                rows.push(RowResult {
                    line,
                    name: String::new(),
                    id_masked: String::new(),
                    outcome: RowOutcome::Invalid(vec![FieldError::new(
                        "",
                        format!("该行无法读取：{e}"),
                        format!("The row cannot be read: {e}"),
                    )]),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
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
                .unwrap_or("")
                .trim();
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
            assess_row(policy, &row_values(&columns, &record, &programs))
        };
        rows.push(RowResult {
            line,
            name,
            id_masked,
            outcome,
        });
    }
    let summary = summarize(&rows, &programs);
    Ok(Batch {
        summary,
        rows,
        programs,
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

impl Batch {
    /// The results as CSV (UTF-8 with BOM, for Excel): per person the tier, each program's
    /// status and amount, the total — or the row's errors.
    pub fn results_csv(&self, lang: Lang) -> String {
        let mut sheet = Sheet::new();
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
        header.push(lang.t("错误", "Errors").into());
        sheet.row(&header);
        for r in &self.rows {
            let mut rec = vec![r.line.to_string(), r.name.clone(), r.id_masked.clone()];
            match &r.outcome {
                RowOutcome::Assessed {
                    version,
                    tier,
                    programs,
                    total,
                } => {
                    rec.push(version.clone());
                    rec.push(tier.clone());
                    for ProgramName { id, .. } in &self.programs {
                        match programs.iter().find(|(p, _, _)| p == id) {
                            Some((_, s, amount)) => {
                                rec.push(status_label(*s, lang).into());
                                rec.push(amount.to_string());
                            }
                            None => rec.extend([String::new(), String::new()]),
                        }
                    }
                    rec.push(total.to_string());
                    rec.push(String::new());
                }
                RowOutcome::Invalid(errors) => {
                    rec.extend(std::iter::repeat_n(
                        String::new(),
                        2 + 2 * self.programs.len() + 1,
                    ));
                    rec.push(
                        errors
                            .iter()
                            .map(|e| {
                                let m = lang.t(&e.message_zh, &e.message_en);
                                if e.field.is_empty() {
                                    m.to_string()
                                } else {
                                    format!("{}: {m}", e.field)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(lang.t("；", "; ")),
                    );
                }
            }
            sheet.row(&rec);
        }
        sheet.finish()
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
