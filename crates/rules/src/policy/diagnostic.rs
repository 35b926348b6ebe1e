//! Located problems in policy files. A diagnostic keeps the file, line and column all the way
//! to the user; it is never flattened into a bare string before it is printed.

pub use crate::text::Msg;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line and column (the column counts characters, not bytes).
    pub line: usize,
    pub column: usize,
    /// In English.
    pub message: String,
    /// In Chinese; empty where a message has no Chinese yet (a TOML syntax error's text
    /// comes from the parser, in English).
    pub zh: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "错误 error",
            Severity::Warning => "警告 warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}: ",
            self.file.display(),
            self.line,
            self.column,
        )?;
        if !self.zh.is_empty() {
            write!(f, "{} / ", self.zh)?;
        }
        f.write_str(&self.message)
    }
}

/// A policy file's text, kept to turn byte offsets into lines and columns.
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Where each line starts (made on first use): locating an offset is a binary search,
    /// so a file with thousands of problems is located in linear time, not quadratic.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Line and column (1-based, in characters) of a byte offset; offsets past the end or
    /// inside a character are moved back to the nearest character start.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let mut at = offset.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The last line start at or before `at`.
        let line = starts.partition_point(|&s| s <= at);
        let line_start = starts[line - 1];
        (line, self.text[line_start..at].chars().count() + 1)
    }

    /// Where the text of a string value begins in the file when the value is written without
    /// escapes, so that an offset inside an expression maps to its own line and column.
    /// Otherwise the start of the value.
    pub fn string_content_start(
        &self,
        span: &std::ops::Range<usize>,
        decoded: &str,
    ) -> Option<usize> {
        let raw = self.text.get(span.clone())?;
        for (quote, multi) in [("\"\"\"", true), ("'''", true), ("\"", false), ("'", false)] {
            if let Some(rest) = raw.strip_prefix(quote) {
                let mut start = span.start + quote.len();
                let mut rest = rest;
                if multi {
                    for nl in ["\r\n", "\n"] {
                        if let Some(r) = rest.strip_prefix(nl) {
                            start += nl.len();
                            rest = r;
                            break;
                        }
                    }
                }
                return rest.starts_with(decoded).then_some(start);
            }
        }
        None
    }
}

impl Diagnostic {
    /// The diagnostic as `check` prints it: the message in Chinese (when it has one) and in
    /// English, where it is, and the line of the file with a caret under the place. `source`
    /// is the file's text; without it, the one-line form.
    pub fn render(&self, source: Option<&str>) -> String {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        let Some(line) = source.and_then(|s| s.lines().nth(self.line.saturating_sub(1))) else {
            return self.to_string();
        };
        // The place: from the column to the end of its word (at least one character).
        let start: usize = line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        let word: usize = line[start..]
            .chars()
            .take_while(|c| {
                !c.is_whitespace()
                    && !matches!(
                        c,
                        ';' | '"' | ')' | '}' | ']' | '，' | '；' | '（' | '）' | '、'
                    )
            })
            .map(char::len_utf8)
            .sum();
        let first = line[start..].chars().next().map_or(0, char::len_utf8);
        let end = start + word.max(first);
        let level = match self.severity {
            Severity::Error => Level::ERROR.with_name("错误 error"),
            Severity::Warning => Level::WARNING.with_name("警告 warning"),
        };
        let path = self.file.display().to_string();
        let (title, note) = if self.zh.is_empty() {
            (self.message.as_str(), None)
        } else {
            (self.zh.as_str(), Some(self.message.as_str()))
        };
        let mut group = level.primary_title(title).element(
            Snippet::source(line)
                .line_start(self.line)
                .path(path)
                .annotation(AnnotationKind::Primary.span(start..end)),
        );
        if let Some(en) = note {
            group = group.element(Level::NOTE.message(en));
        }
        Renderer::plain().render(&[group])
    }
}
