//! Reading the letters: the numbering and issuing office from `[letters]` of
//! `procedure.toml`, each kind's wording from `letters.toml`. A template naming data its kind
//! does not have is refused with the file, line and column of the brace.

use super::*;
use crate::letters::{LetterKind, Letters, Template};
use crate::policy::files::{LetterSettingsDef, LettersFile, TemplateDef};

/// The letters' wording in the policy folder.
pub const LETTERS_FILE: &str = "letters.toml";

impl Loader {
    /// The `[letters]` settings of `procedure.toml` (read there), checked.
    pub(super) fn letter_settings(&mut self, file: usize, def: &LetterSettingsDef) -> Letters {
        let mut l = Letters::modelled();
        let number = def.number.get_ref();
        if !number.contains("{序号}") || !number.contains("{年}") {
            self.d.error(
                file,
                def.number.span().start,
                Msg::new(
                    "文号格式应含有 {年} 和 {序号}（可含 {类别}）",
                    "the number's pattern needs {年} (year) and {序号} (sequence); {类别} (kind) is optional",
                ),
            );
        }
        l.number = number.clone();
        for (kind, code) in def.codes.get_ref() {
            match LetterKind::from_id(kind) {
                Some(k) => {
                    l.codes.insert(k, code.clone());
                }
                None => {
                    let known: Vec<&str> = LetterKind::ALL.iter().map(|k| k.id()).collect();
                    self.d.error(
                        file,
                        def.codes.span().start,
                        Msg::new(
                            format!("没有“{kind}”这类文书；文书为：{}", known.join("、")),
                            format!(
                                "no kind of letter `{kind}`; the kinds are {}",
                                known.join(", ")
                            ),
                        ),
                    );
                }
            }
        }
        let bounded = |this: &mut Loader, v: &Spanned<i64>, most: i64, unit: (&str, &str)| {
            match u32::try_from(*v.get_ref()) {
                Ok(n) if n >= 1 && i64::from(n) <= most => n,
                _ => {
                    this.d.error(
                        file,
                        v.span().start,
                        Msg::new(
                            format!("应为 1 到 {most} 之间的整数（{}）", unit.0),
                            format!("a whole number of {} from 1 to {most}", unit.1),
                        ),
                    );
                    1
                }
            }
        };
        l.reply_days = bounded(self, &def.reply_days, 60, ("工作日", "working days"));
        l.review_days = bounded(self, &def.review_days, 365, ("日", "days"));
        l.suit_months = bounded(self, &def.suit_months, 24, ("个月", "months"));
        l.office_zh = def.office.zh.clone();
        l.office_en = def.office.en.clone();
        l.review_body_zh = def.review_body.zh.clone();
        l.review_body_en = def.review_body.en.clone();
        l.court_zh = def.court.zh.clone();
        l.court_en = def.court.en.clone();
        l
    }

    /// Each kind's wording from `letters.toml`, into `letters`.
    pub(super) fn letters(&mut self, src: &Source, names: &[String], letters: &mut Letters) {
        if !names.iter().any(|n| n == LETTERS_FILE) {
            return;
        }
        let Some((file, read)) = read_file::<LettersFile>(&mut self.d, src, LETTERS_FILE) else {
            return;
        };
        let LettersFile {
            accept,
            correction,
            not_accepted,
            grant,
            refusal,
            payment,
        } = &read;
        for (kind, def) in [
            (LetterKind::Accept, accept),
            (LetterKind::Correction, correction),
            (LetterKind::NotAccepted, not_accepted),
            (LetterKind::Grant, grant),
            (LetterKind::Refusal, refusal),
            (LetterKind::Payment, payment),
        ] {
            let Some(TemplateDef { zh, en }) = def else {
                self.d.error(
                    file,
                    0,
                    Msg::new(
                        format!("缺少“{}”的措辞（[{}]）", kind.zh(), kind.id()),
                        format!(
                            "the wording of \"{}\" is missing ([{}])",
                            kind.en(),
                            kind.id()
                        ),
                    ),
                );
                continue;
            };
            let zh = self.template(file, kind, zh);
            let en = self.template(file, kind, en);
            if let (Some(zh), Some(en)) = (zh, en) {
                letters.templates.insert(kind, [zh, en]);
            }
        }
    }

    fn template(
        &mut self,
        file: usize,
        kind: LetterKind,
        text: &Spanned<String>,
    ) -> Option<Template> {
        match Template::parse(kind, text.get_ref()) {
            Ok(t) => Some(t),
            Err(errors) => {
                let base = content_start(&self.d.files[file].text, text);
                for e in errors {
                    self.d.error(
                        file,
                        base.map_or(text.span().start, |b| b + e.at),
                        Msg::new(e.zh, e.en),
                    );
                }
                None
            }
        }
    }
}

/// Where a string's text begins in the file, when the file holds it verbatim (a literal
/// string, or a basic one without escapes); `None` otherwise (errors then point at the
/// string's start).
fn content_start(file: &str, s: &Spanned<String>) -> Option<usize> {
    let span = s.span();
    let raw = file.get(span.clone())?;
    let text = s.get_ref();
    for quote in ["'''", "\"\"\"", "'", "\""] {
        if let Some(inner) = raw.strip_prefix(quote) {
            let skip = if quote.len() == 3 {
                if inner.starts_with("\r\n") {
                    2
                } else {
                    usize::from(inner.starts_with('\n'))
                }
            } else {
                0
            };
            let start = span.start + quote.len() + skip;
            return (file.get(start..start + text.len()) == Some(text.as_str())).then_some(start);
        }
    }
    None
}
