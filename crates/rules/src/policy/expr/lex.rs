//! The lexer: numbers (a trailing `%` marks a percentage), strings, names, symbols and
//! keywords, each with its span; a character that may not appear is a located error.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Number(Decimal, bool),
    Text(String),
    Name(String),
    Sym(&'static str),
    End,
}

pub(super) struct Lexer<'s> {
    pub(super) src: &'s str,
    pub(super) pos: usize,
}

pub(super) const SYMBOLS: [&str; 15] = [
    "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",",
];

impl Lexer<'_> {
    pub(super) fn next(&mut self) -> Result<(Tok, Span), SyntaxError> {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && (bytes[self.pos] as char).is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&b) = bytes.get(start) else {
            return Ok((Tok::End, (start, start)));
        };
        let c = b as char;
        if c.is_ascii_digit() {
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit() || bytes[end] == b'_' || bytes[end] == b'.')
            {
                end += 1;
            }
            let text: String = self.src[start..end].chars().filter(|&c| c != '_').collect();
            if text.len() > 1 && text.starts_with('0') && text.as_bytes()[1].is_ascii_digit() {
                return Err(SyntaxError {
                    span: (start, end),
                    message: format!(
                        "`{}`: a number does not start with 0; a date is written date('2026-01-01')",
                        &self.src[start..end]
                    ),
                    zh: format!(
                        "`{}`：数字不以 0 开头；日期写作 date('2026-01-01')",
                        &self.src[start..end]
                    ),
                });
            }
            let number = Decimal::from_str_exact(&text).map_err(|_| SyntaxError {
                span: (start, end),
                message: format!("`{}` is not a number", &self.src[start..end]),
                zh: format!("`{}` 不是数字", &self.src[start..end]),
            })?;
            let percent = bytes.get(end) == Some(&b'%');
            self.pos = end + usize::from(percent);
            return Ok((Tok::Number(number, percent), (start, self.pos)));
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b'.')
            {
                end += 1;
            }
            self.pos = end;
            return Ok((Tok::Name(self.src[start..end].to_string()), (start, end)));
        }
        if c == '\'' || c == '"' {
            let rest = &self.src[start + 1..];
            let Some(len) = rest.find(c) else {
                return Err(SyntaxError {
                    span: (start, self.src.len()),
                    message: "text is not closed: add the closing quote".into(),
                    zh: "文本没有结束：请补上结尾的引号".into(),
                });
            };
            self.pos = start + 1 + len + 1;
            return Ok((Tok::Text(rest[..len].to_string()), (start, self.pos)));
        }
        for sym in SYMBOLS {
            if self.src[start..].starts_with(sym) {
                self.pos = start + sym.len();
                return Ok((Tok::Sym(sym), (start, self.pos)));
            }
        }
        let ch = self.src[start..].chars().next().unwrap_or('?');
        Err(SyntaxError {
            span: (start, start + ch.len_utf8()),
            message: format!("unexpected character `{ch}`"),
            zh: format!("不应出现的字符 `{ch}`"),
        })
    }
}
