//! A batch's results written out: the result CSV (one row per person, in the file's order,
//! every cell through the one CSV writer) and the errors file.

use super::*;

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
        let mut header: Vec<String> = vec![
            lang.t("行号", "Line").to_string(),
            lang.t("姓名", "Name").to_string(),
        ];
        header.extend(self.tag_headers.iter().cloned());
        header.extend(
            [
                lang.t("证件号码", "ID number"),
                lang.t("政策版本", "Policy version"),
                lang.t("人才层次", "Talent tier"),
            ]
            .iter()
            .map(|s| s.to_string()),
        );
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
                let mut rec = vec![Cell::Text(r.line.to_string()), Cell::Text(r.name.clone())];
                rec.extend(r.tags.iter().map(|t| Cell::Text(t.clone())));
                rec.push(Cell::Text(r.id_masked.clone()));
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
