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

use crate::seen::Tally;
use crate::spreadsheet::Sheet;
use rayon::prelude::*;
use rules::Msg;
use rules::applicant::FieldError;
use rules::engine::Status;
use rules::input::Lang;
use rules::input::{self as form, FieldSpec, FormValues};
use rules::policy::Policy;
use rules::words::status_label;

mod cells;
mod output;
mod read;
pub mod xlsx;
use cells::{Lines, row_values};
pub use cells::{
    PASS_THROUGH, ProgramName, all_programs, column_field, csv_row, decode, is_pass_through,
    program_headers, template_csv,
};
pub use output::Cell;
use read::{columns, read_table, too_many_rows};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use store::mask_id;

/// Most people one upload may hold.
pub const MAX_ROWS: usize = 10_000;
/// Longest cell, in characters: far more than any answer needs (a name has at most 50), so a
/// longer one is a mistake or an attack, and is neither assessed nor kept.
pub const CELL_LIMIT: usize = 500;
/// Longest name shown back in the results.
const NAME_SHOWN: usize = 50;

/// A file refused as a whole, with why in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub Msg);

impl FileError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> FileError {
        FileError(Msg::new(zh, en))
    }

    pub fn message(&self, lang: Lang) -> &str {
        self.0.t(lang)
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One person's outcome.
#[derive(Debug, Clone)]
pub struct RowResult {
    /// The line of the file the row was on (the header is line 1).
    pub line: u64,
    pub name: String,
    pub id_masked: String,
    /// The officer's own columns (工号, 备注), as written.
    pub tags: Vec<String>,
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
    /// The headers of the officer's own columns, as written.
    tag_headers: Vec<String>,
    /// The answers of the rows assessed, as the prior's buckets (for the interview's weights).
    pub seen: Tally,
}

fn assess_row(policy: &Policy, values: &FormValues, tally: &mut Tally) -> RowOutcome {
    match crate::service::assess_value(policy, &form::to_profile_json(values)) {
        Ok(done) => {
            tally.add(&policy.prior(), &done.profile);
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
            let hints = rules::engine::hints::hints(a, &done.profile, policy)
                .iter()
                .take(HINTS_KEPT)
                .map(|h| {
                    (
                        rules::words::hint_sentence(h, rules, Lang::Zh),
                        rules::words::hint_sentence(h, rules, Lang::En),
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
    run_table(policy, read_table(bytes, max_rows)?, max_rows)
}

/// One person of a file: their line, and the profile or its errors in words.
pub type ReadRow = (u64, Result<rules::applicant::Profile, String>);

/// The people of a file in the batch format (an .xlsx workbook or a CSV), read as the web
/// form reads them, each with its line: the profile, or its errors in words. For the policy
/// office's simulation, which assesses them itself.
pub fn profiles(
    bytes: &[u8],
    policy: &Policy,
    ctx: &dyn rules::applicant::ProfileContext,
    max_rows: usize,
) -> Result<Vec<ReadRow>, FileError> {
    let table = read_table(bytes, Some(max_rows))?;
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
        let profile = rules::applicant::Profile::from_value(&form::to_profile_json(&values), ctx)
            .map_err(|e| errors_in_words(&e.errors, Lang::Zh));
        out.push((line, profile));
    }
    Ok(out)
}

/// A cell shown back as words: what may not be shown is dropped, and a long cell cut.
fn shown(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !rules::applicant::is_unsafe_char(*c, true))
        .take(NAME_SHOWN)
        .collect()
}

/// Whether an ID number reads as Excel writes a long number it took for one: `3.20682E+17`, or
/// 16 to 18 digits whose last ones became zeros (Excel keeps 15 significant digits).
fn excel_changed_id(raw: &str) -> bool {
    let raw = raw.trim();
    let scientific = raw.contains(['E', 'e'])
        && raw.contains('+')
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | 'e' | '+'));
    let digits = raw.len() >= 16 && raw.len() <= 18 && raw.chars().all(|c| c.is_ascii_digit());
    scientific || (digits && raw.ends_with("00"))
}

/// Assesses every row of a table, each as the web form reads it.
pub fn run_table(
    policy: &Policy,
    table: Table,
    max_rows: Option<usize>,
) -> Result<Batch, FileError> {
    let columns = columns(&table.header)?;
    let pass: Vec<usize> = table
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| is_pass_through(h))
        .map(|(i, _)| i)
        .collect();
    let tag_headers: Vec<String> = pass.iter().map(|i| shown(&table.header[*i])).collect();
    let programs = all_programs(policy);
    let mut rows = Vec::new();
    let mut to_assess: Vec<(usize, FormValues)> = Vec::new();
    // Rows whose ID number Excel seems to have turned into a number.
    let mut excel_ids: Vec<usize> = Vec::new();
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(RowResult {
                    line,
                    name: String::new(),
                    id_masked: String::new(),
                    tags: vec![String::new(); pass.len()],
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
            shown(
                columns
                    .iter()
                    .position(|c| c.is_some_and(|f| f.path == path))
                    .and_then(|i| record.get(i))
                    .map_or("", |c| c.as_str()),
            )
        };
        let (name, id_masked) = (cell("person.full_name"), mask_id(&cell("person.id_number")));
        let tags: Vec<String> = pass
            .iter()
            .map(|i| record.get(*i).map_or_else(String::new, |t| shown(t)))
            .collect();
        if excel_changed_id(&cell("person.id_number")) {
            excel_ids.push(rows.len());
        }
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
            tags,
            outcome,
        });
    }
    if rows.is_empty() {
        return Err(FileError::new(
            "文件中没有要检查的人：表头下面没有填写任何人（模板第 2 行的示例不检查）。请从第 3 行起每行填写一人后再上传",
            "The file has nobody to check: no one is filled in under the header (the template's example in row 2 is never checked). Fill in one person per row from row 3, then upload it again",
        ));
    }
    // The rows are independent: assessed on every core, each result to its own row.
    let outcomes: Vec<(Vec<_>, Tally)> = crate::parallel::runs(&to_assess)
        .map(|(_, run)| {
            let mut tally = Tally::default();
            let outcomes = run
                .iter()
                .map(|(i, values)| (*i, assess_row(policy, values, &mut tally)))
                .collect();
            (outcomes, tally)
        })
        .collect();
    let mut seen = Tally::default();
    let outcomes = outcomes.into_iter().flat_map(|(o, t)| {
        seen.merge(t);
        o
    });
    for (i, outcome) in outcomes {
        if let Some(r) = rows.get_mut(i) {
            r.outcome = outcome;
        }
    }
    // An ID number refused after Excel changed it: say what happened, not only “check digit”.
    for i in excel_ids {
        if let Some(RowOutcome::Invalid(errors)) = rows.get_mut(i).map(|r| &mut r.outcome) {
            for e in errors.iter_mut().filter(|e| e.field == "person.id_number") {
                *e = FieldError::new(
                    "person.id_number",
                    "号码像是被 Excel 当作数字改写了（变成科学计数法，或末几位变成 0）：请把这一列设为“文本”格式后重新输入号码，或使用模板（该列已设为文本）",
                    "the number looks changed by Excel, which took it for a number (scientific notation, or its last digits turned to 0): format the column as Text and type the numbers again, or use the template (its column is already Text)",
                );
            }
        }
    }
    let summary = summarize(&rows, &programs);
    Ok(Batch {
        summary,
        rows,
        programs,
        tag_headers,
        seen,
    })
}

/// A row's errors as people read them: each after the name of its column (“证件号码：居民身份证
/// 号校验位不正确”), never a field path.
pub fn errors_in_words(errors: &[FieldError], lang: Lang) -> String {
    errors
        .iter()
        .map(|e| {
            let m = e.message(lang);
            match rules::input::error_field(&e.field) {
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

#[cfg(test)]
mod tests;
