//! The one writer of tables people open in a spreadsheet (CSV for Excel: UTF-8 with a byte
//! order mark, CRLF line ends). Every file the service or the command line writes for people
//! — batch results, application exports, templates — goes through [`Sheet`].
//!
//! Invariant: **no cell can run as a formula**. Every cell passes through [`cell`]: text that
//! Excel would read as a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return) is
//! kept as text by a leading apostrophe, whatever column it is in — an ID number, a name, a
//! note, an error message quoting a cell — and characters that may not stand in text we show
//! (NUL, direction overrides) are dropped. Plain numbers (`-12.50`) stay numbers.

use std::borrow::Cow;

/// A cell as written: formula-looking text neutralised, unsafe characters dropped.
pub fn cell(text: &str) -> Cow<'_, str> {
    let clean: Cow<'_, str> = if text
        .chars()
        .any(|c| rules::applicant::is_unsafe_char(c, true))
    {
        Cow::Owned(
            text.chars()
                .filter(|c| !rules::applicant::is_unsafe_char(*c, true))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    let plain_number = clean.parse::<rust_decimal::Decimal>().is_ok()
        && clean
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

/// A table being written.
pub struct Sheet {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Sheet {
    fn default() -> Self {
        Sheet::new()
    }
}

impl Sheet {
    pub fn new() -> Sheet {
        Sheet {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        }
    }

    /// Writes one row; every cell through [`cell`].
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| cell(c.as_ref()).into_owned())
            .collect();
        // Writing into a Vec cannot fail.
        let _ = self.w.write_record(&cells);
    }

    /// The file's text, with the byte order mark Excel needs to read UTF-8.
    pub fn finish(self) -> String {
        let body = self.w.into_inner().unwrap_or_default();
        let mut out = String::with_capacity(body.len() + 3);
        out.push('\u{feff}');
        out.push_str(&String::from_utf8_lossy(&body));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_excel_would_run_as_a_formula_is_kept_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("=1+9X9+10"), "'=1+9X9+10");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("+86 138"), "'+86 138");
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("张三"), "张三");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("3000000"), "3000000");
        assert_eq!(cell("a\u{0}b\u{202E}c"), "abc");
        assert_eq!(cell("line one\r\nline two"), "line one\r\nline two");
    }

    #[test]
    fn every_cell_of_every_row_is_neutralised() {
        let mut s = Sheet::new();
        s.row(["行号", "证件号码"]);
        s.row(["2", "=1+9X9+10"]);
        let text = s.finish();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "行号,证件号码\r\n2,'=1+9X9+10\r\n"
        );
    }
}
