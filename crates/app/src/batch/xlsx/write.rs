//! Writing workbooks: the template HR officers fill in (Chinese headers, an example row,
//! dropdowns, number checks, text-formatted IDs and dates, a sheet explaining each column),
//! the results of a batch, and a workbook of people. Every text is written as a string.

use super::*;
use rules::Msg;
use rules::input::fields::Need;

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

/// A column explained once: what it takes, then the field's own help — left out where the
/// help already says it (money's unit and the ways to write it, whole years).
fn explained(f: &FieldSpec) -> Msg {
    let Msg { zh, en } = what_it_takes(f);
    if f.help_zh.is_empty() {
        return Msg::new(zh, en);
    }
    let says_kind = (matches!(f.kind, Kind::Money) && f.help_zh.contains("元"))
        || (matches!(f.kind, Kind::Years | Kind::Months) && f.help_zh.contains("整数"));
    if says_kind {
        Msg::new(f.help_zh, f.help_en)
    } else {
        Msg::new(
            format!("{zh}。{}", f.help_zh),
            format!("{en}. {}", f.help_en),
        )
    }
}

/// Rows the template's checks and dropdowns cover (header excluded).
const TEMPLATE_ROWS: u32 = crate::batch::MAX_ROWS as u32;

/// The template: sheet “填写” (headers, an example row, dropdowns, number checks, text
/// formats, frozen header), sheet “说明” (each column explained), and a hidden sheet of the
/// dropdowns' choices.
pub fn template() -> Result<Vec<u8>, FileError> {
    use rust_xlsxwriter::{
        DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, Formula,
        Note, Workbook,
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
    sheet.set_default_note_author("苏锡通科技产业园区");
    for (i, (f, cell)) in FIELDS.iter().zip(example_row()).enumerate() {
        let col = i as u16;
        let title = header(f);
        sheet
            .write_string_with_format(0, col, &title, &head)
            .map_err(xlsx_error)?;
        let Msg { zh, en } = what_it_takes(f);
        sheet
            .insert_note(
                0,
                col,
                &Note::new(format!("{}\n{zh}\n{en}", f.en))
                    .add_author_prefix(false)
                    .set_width(320),
            )
            .map_err(xlsx_error)?;
        let width = (title.chars().count() as f64 * 2.1 + 2.0).clamp(10.0, 40.0);
        sheet.set_column_width(col, width).map_err(xlsx_error)?;
        let numeric = matches!(
            f.kind,
            Kind::Money | Kind::Years | Kind::Months | Kind::Percent | Kind::Area
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
            Kind::Years | Kind::Months => {
                Some(DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 1200)))
            }
            _ => None,
        };
        if let Some(rule) = rule {
            // A number column warns rather than stops: the service reads “15万” and “3年”
            // as people write them, so Excel may keep them when the officer says so.
            let (style, message) = if numeric {
                (
                    DataValidationErrorStyle::Warning,
                    format!(
                        "{zh}。也可写 15万、3年 这样的文字：点“是”保留。\n{en}. Words such as 15万 or 3年 are read too: choose Yes to keep them."
                    ),
                )
            } else {
                (DataValidationErrorStyle::Stop, format!("{zh}\n{en}"))
            };
            let rule = rule
                .set_error_style(style)
                .set_error_title("请检查 / Check")
                .map_err(xlsx_error)?
                .set_error_message(message)
                .map_err(xlsx_error)?;
            sheet
                .add_data_validation(1, col, TEMPLATE_ROWS, col, &rule)
                .map_err(xlsx_error)?;
        }
    }
    // The officer's own column last: a staff number or a note, given back with the results.
    let own = FIELDS.len() as u16;
    sheet
        .write_string_with_format(0, own, super::super::PASS_THROUGH.0, &head)
        .map_err(xlsx_error)?;
    sheet.set_column_width(own, 22.0).map_err(xlsx_error)?;
    sheet.set_column_format(own, &text).map_err(xlsx_error)?;
    sheet
        .write_string_with_format(1, own, "E0001", &example)
        .map_err(xlsx_error)?;
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
        let Msg {
            zh: help_zh,
            en: help_en,
        } = explained(f);
        for (c, v) in [
            header(f),
            f.en.to_string(),
            help_zh,
            help_en,
            match f.need {
                Need::Always | Need::ToApply => "是 / yes",
                Need::WithDegree => "有学历时 / with a degree",
                Need::Optional => "",
            }
            .to_string(),
        ]
        .iter()
        .enumerate()
        {
            help.write_string_with_format(r, c as u16, v, &wrap)
                .map_err(xlsx_error)?;
        }
    }
    let r = FIELDS.len() as u32 + 2;
    for (c, v) in [
        super::super::PASS_THROUGH.0,
        super::super::PASS_THROUGH.1,
        "选填。贵单位自己的工号或备注，不作为申请信息读取，在结果中原样列在姓名旁，便于与员工名单对应（结果中的证件号码是遮盖的）",
        "Optional. Your own staff number or note: not read as an answer, given back unchanged beside the name in the results, so you can match them to your staff list (the results mask ID numbers)",
        "",
    ]
    .iter()
    .enumerate()
    {
        help.write_string_with_format(r, c as u16, *v, &wrap)
            .map_err(xlsx_error)?;
    }
    help.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    // Open on the sheet to fill in.
    book.worksheet_from_name(SHEET)
        .map_err(xlsx_error)?
        .set_active(true);
    book.save_to_buffer().map_err(xlsx_error)
}

/// The results workbook of `batch`, its results table (`header`, `rows`) given (see
/// [`crate::batch::Batch::results_xlsx`]). Amounts are whole yuan, written as numbers so that they
/// add up in Excel (exact: a double holds every whole number below 2^53); every text is a
/// string cell, never a formula.
pub fn results(
    batch: &crate::batch::Batch,
    header: &[String],
    rows: &[Vec<crate::batch::Cell>],
    lang: rules::input::Lang,
) -> Result<Vec<u8>, FileError> {
    use crate::batch::{Cell, RowOutcome};
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
                .write_string(r, 2, crate::batch::errors_in_words(errors, lang))
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
                Kind::Money | Kind::Years | Kind::Months | Kind::Percent | Kind::Area
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
