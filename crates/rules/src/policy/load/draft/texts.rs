//! The descriptions a draft may rewrite, and where a diagnostic's line and column fall.

use super::*;

/// A description a draft may rewrite: a program's words on its amount or its committee review
/// (the texts whose numbers are checked against the rule).
#[derive(Debug, Clone, PartialEq)]
pub struct TextSlot {
    /// `file:program.amount.zh`
    pub key: String,
    pub file: String,
    pub program: String,
    pub program_zh: String,
    pub program_en: String,
    /// `amount` or `review`.
    pub part: &'static str,
    /// `zh` or `en`.
    pub lang: &'static str,
    pub text: String,
    pub(super) span: Range<usize>,
}

impl TextSlot {
    /// Whether a byte offset of its file falls in this description.
    pub fn holds(&self, file: &str, at: usize) -> bool {
        self.file == file && self.span.contains(&at)
    }
}

/// Every description a draft may rewrite, in the files' order.
pub fn text_slots(files: &[(String, String)]) -> Vec<TextSlot> {
    let mut out = Vec::new();
    for (name, text) in files {
        if name == SHARED_FILE {
            continue;
        }
        let Ok(doc) = toml::from_str::<DocumentFile>(text) else {
            continue;
        };
        for p in &doc.programs {
            let mut parts = vec![("amount", [&p.amount.zh, &p.amount.en])];
            if let Some(r) = &p.review {
                parts.push(("review", [&r.zh, &r.en]));
            }
            for (part, texts) in parts {
                for (lang, t) in ["zh", "en"].into_iter().zip(texts) {
                    out.push(TextSlot {
                        key: format!("{name}:{}.{part}.{lang}", p.id.get_ref()),
                        file: name.clone(),
                        program: p.id.get_ref().clone(),
                        program_zh: p.zh.clone(),
                        program_en: p.en.clone(),
                        part,
                        lang,
                        text: t.get_ref().clone(),
                        span: t.span(),
                    });
                }
            }
        }
    }
    out
}

/// The byte offset of a 1-based line and character column in `text`.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    text[start.min(text.len())..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
}
