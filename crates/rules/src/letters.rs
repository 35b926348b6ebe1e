//! The office's formal letters (文书) as the office wrote them: each kind's wording in
//! `policy/letters.toml` (Chinese and English), with the names of the case's data in braces
//! (`{申请人}`), and the numbering, issuing office and remedies in `policy/procedure.toml`.
//!
//! Invariants: **a loaded template names only data its kind of letter has** (checked at load
//! with file, line and column, so a letter never shows an unfilled brace); a paragraph that
//! is one brace on its own (`{补正清单}`) is a table the case fills, and only table names may
//! stand so.

use std::collections::HashMap;

/// A kind of letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LetterKind {
    /// 受理通知书.
    Accept,
    /// 补正材料通知书.
    Correction,
    /// 不予受理通知书.
    NotAccepted,
    /// 资助决定书.
    Grant,
    /// 不予资助决定书.
    Refusal,
    /// 拨付通知 (for finance).
    Payment,
}

impl LetterKind {
    pub const ALL: [LetterKind; 6] = [
        LetterKind::Accept,
        LetterKind::Correction,
        LetterKind::NotAccepted,
        LetterKind::Grant,
        LetterKind::Refusal,
        LetterKind::Payment,
    ];

    pub fn id(self) -> &'static str {
        match self {
            LetterKind::Accept => "accept",
            LetterKind::Correction => "correction",
            LetterKind::NotAccepted => "not_accepted",
            LetterKind::Grant => "grant",
            LetterKind::Refusal => "refusal",
            LetterKind::Payment => "payment",
        }
    }

    pub fn from_id(s: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            LetterKind::Accept => "受理通知书",
            LetterKind::Correction => "补正材料通知书",
            LetterKind::NotAccepted => "不予受理通知书",
            LetterKind::Grant => "资助决定书",
            LetterKind::Refusal => "不予资助决定书",
            LetterKind::Payment => "拨付通知",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            LetterKind::Accept => "Notice of acceptance",
            LetterKind::Correction => "Request for further materials",
            LetterKind::NotAccepted => "Notice of non-acceptance",
            LetterKind::Grant => "Funding decision",
            LetterKind::Refusal => "Decision not to fund",
            LetterKind::Payment => "Payment notice",
        }
    }

    /// Whether the applicant receives it (the payment notice is for finance).
    pub fn to_applicant(self) -> bool {
        self != LetterKind::Payment
    }

    /// The data a letter of this kind may name in running text.
    pub fn fields(self) -> Vec<&'static str> {
        let mut f = COMMON_FIELDS.to_vec();
        f.extend_from_slice(match self {
            LetterKind::Accept => &["受理日期", "决定期限"][..],
            LetterKind::Correction => &["补正说明", "补正期限"][..],
            LetterKind::NotAccepted => &["不予受理理由"][..],
            LetterKind::Grant => &["批准总额", "公示期间"][..],
            LetterKind::Refusal => &[][..],
            LetterKind::Payment => &["收款人", "开户银行", "收款账号", "本次拨付金额"][..],
        });
        if matches!(self, LetterKind::NotAccepted | LetterKind::Refusal) {
            f.extend_from_slice(&REMEDY_FIELDS);
        }
        f
    }

    /// The tables a letter of this kind may hold, each a paragraph of its own.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            LetterKind::Accept | LetterKind::NotAccepted => &[],
            LetterKind::Correction => &["补正清单"],
            LetterKind::Grant => &["资助项目"],
            LetterKind::Refusal => &["不予资助项目"],
            LetterKind::Payment => &["拨付明细", "审批记录"],
        }
    }
}

/// What every letter may name.
pub const COMMON_FIELDS: [&str; 7] = [
    "文号",
    "日期",
    "申请编号",
    "申请人",
    "提交日期",
    "发文机关",
    "联系方式",
];

/// What a letter refusing something may name: where and within what time to seek a remedy.
pub const REMEDY_FIELDS: [&str; 4] = ["复议机关", "复议期限", "诉讼法院", "诉讼期限"];

/// A piece of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A datum, by its name (one of the kind's [`LetterKind::fields`]).
    Field(String),
}

/// A paragraph of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Para(Vec<Piece>),
    /// A table the case fills (one of the kind's [`LetterKind::tables`]).
    Table(String),
}

/// One letter's wording in one language: its title (the first line) and its paragraphs
/// (separated by blank lines; lines of one paragraph are joined).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub title: String,
    pub parts: Vec<Part>,
}

/// A mistake in a template: what is wrong, and the byte offset in the template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub at: usize,
    pub zh: String,
    pub en: String,
}

impl Template {
    /// Reads a template for `kind`; every mistake is reported with its offset.
    pub fn parse(kind: LetterKind, text: &str) -> Result<Template, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let fields = kind.fields();
        let tables = kind.tables();
        let mut title = None;
        let mut parts = Vec::new();
        let mut para: Vec<(usize, &str)> = Vec::new();
        let mut offset = 0;
        let mut lines: Vec<(usize, &str)> = Vec::new();
        for line in text.split_inclusive('\n') {
            lines.push((offset, line.trim_end_matches(['\n', '\r'])));
            offset += line.len();
        }
        lines.push((offset, ""));
        for (at, line) in lines {
            let trimmed = line.trim();
            if !trimmed.is_empty() {
                if title.is_none() {
                    if trimmed.contains(['{', '}']) {
                        errors.push(TemplateError {
                            at,
                            zh: "第一行是文书标题，不能含有花括号".into(),
                            en: "the first line is the letter's title: no braces in it".into(),
                        });
                    }
                    title = Some(trimmed.to_string());
                } else {
                    para.push((at + (line.len() - line.trim_start().len()), trimmed));
                }
                continue;
            }
            if para.is_empty() {
                continue;
            }
            let joined: Vec<(usize, &str)> = std::mem::take(&mut para);
            // A paragraph that is one brace naming a table.
            if let [(at, one)] = joined[..]
                && let Some(name) = one.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && tables.contains(&name)
            {
                let _ = at;
                parts.push(Part::Table(name.to_string()));
                continue;
            }
            let mut pieces = Vec::new();
            for (at, line) in joined {
                read_line(line, at, &fields, tables, &mut pieces, &mut errors);
            }
            parts.push(Part::Para(pieces));
        }
        if title.is_none() {
            errors.push(TemplateError {
                at: 0,
                zh: "文书模板为空：第一行应为标题".into(),
                en: "the template is empty: its first line is the title".into(),
            });
        }
        if errors.is_empty() {
            Ok(Template {
                title: title.unwrap_or_default(),
                parts,
            })
        } else {
            Err(errors)
        }
    }

    /// Every datum the template names.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| match p {
            Part::Para(pieces) => pieces
                .iter()
                .filter_map(|x| match x {
                    Piece::Field(f) => Some(f.as_str()),
                    Piece::Text(_) => None,
                })
                .collect::<Vec<_>>(),
            Part::Table(_) => Vec::new(),
        })
    }
}

/// Reads one line of a paragraph into pieces (lines of a paragraph are joined without a
/// space: Chinese text does not break at spaces; English lines end with one where needed).
fn read_line(
    line: &str,
    at: usize,
    fields: &[&str],
    tables: &[&str],
    pieces: &mut Vec<Piece>,
    errors: &mut Vec<TemplateError>,
) {
    let mut rest = line;
    let mut pos = at;
    let push_text = |pieces: &mut Vec<Piece>, t: &str| {
        if t.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(Piece::Text(s)) => s.push_str(t),
            _ => pieces.push(Piece::Text(t.to_string())),
        }
    };
    if !pieces.is_empty() {
        // Joining an English line to the previous one: a space, unless either side is CJK.
        let prev_cjk =
            matches!(pieces.last(), Some(Piece::Text(s)) if s.chars().last().is_some_and(is_cjk));
        let next_cjk = line.chars().next().is_some_and(is_cjk);
        if !prev_cjk && !next_cjk {
            push_text(pieces, " ");
        }
    }
    while let Some(open) = rest.find(['{', '}']) {
        push_text(pieces, &rest[..open]);
        if rest[open..].starts_with('}') {
            errors.push(TemplateError {
                at: pos + open,
                zh: "多余的“}”：引用数据请写成 {名称}".into(),
                en: "a stray `}`: name data as {name}".into(),
            });
            rest = &rest[open + 1..];
            pos += open + 1;
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            errors.push(TemplateError {
                at: pos + open,
                zh: "“{”没有对应的“}”".into(),
                en: "a `{` without its `}`".into(),
            });
            return;
        };
        let name = rest[open + 1..open + close].trim();
        if fields.contains(&name) {
            pieces.push(Piece::Field(name.to_string()));
        } else if tables.contains(&name) {
            errors.push(TemplateError {
                at: pos + open,
                zh: format!("“{{{name}}}”是表格，应单独成段（前后各空一行）"),
                en: format!("`{{{name}}}` is a table: put it in a paragraph of its own (a blank line before and after)"),
            });
        } else {
            let mut known: Vec<&str> = fields.to_vec();
            known.extend_from_slice(tables);
            errors.push(TemplateError {
                at: pos + open,
                zh: format!("这类文书没有“{name}”这项数据；可用：{}", known.join("、")),
                en: format!(
                    "this kind of letter has no datum `{name}`; it has: {}",
                    known.join(", ")
                ),
            });
        }
        rest = &rest[open + close + 1..];
        pos += open + close + 1;
    }
    push_text(pieces, rest);
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// How letters are numbered and who issues them (`procedure.toml`, `[letters]`), and each
/// kind's wording (`letters.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letters {
    /// The document number's pattern: `{年}` the year, `{类别}` the kind's code, `{序号}` the
    /// number within the year and kind (from 1, no gaps).
    pub number: String,
    /// Each kind's code in the number (受, 补, …).
    pub codes: HashMap<LetterKind, String>,
    pub office_zh: String,
    pub office_en: String,
    /// Working days the applicant has to reply to a request for materials.
    pub reply_days: u32,
    pub review_body_zh: String,
    pub review_body_en: String,
    /// Days from receiving a refusal to apply for administrative review (行政复议).
    pub review_days: u32,
    pub court_zh: String,
    pub court_en: String,
    /// Months from receiving a refusal to bring an administrative suit (行政诉讼).
    pub suit_months: u32,
    /// Each kind's wording: Chinese, English.
    pub templates: HashMap<LetterKind, [Template; 2]>,
}

impl Letters {
    /// A letter's number: the pattern with its year, kind code and sequence filled in.
    pub fn number_of(&self, kind: LetterKind, year: i32, seq: i64) -> String {
        self.number
            .replace("{年}", &year.to_string())
            .replace("{类别}", self.codes.get(&kind).map_or("", String::as_str))
            .replace("{序号}", &seq.to_string())
    }

    /// A kind's template in a language (`en`: English).
    pub fn template(&self, kind: LetterKind, en: bool) -> Option<&Template> {
        self.templates.get(&kind).map(|t| &t[usize::from(en)])
    }

    /// The settings as modelled (the brief's remedies; bodies to be confirmed by the office)
    /// and no wording: a policy folder without `letters.toml` issues no letters.
    pub fn modelled() -> Letters {
        let codes = [
            (LetterKind::Accept, "受"),
            (LetterKind::Correction, "补"),
            (LetterKind::NotAccepted, "不受"),
            (LetterKind::Grant, "资"),
            (LetterKind::Refusal, "不资"),
            (LetterKind::Payment, "拨"),
        ]
        .into_iter()
        .map(|(k, c)| (k, c.to_string()))
        .collect();
        Letters {
            number: "苏锡通人才{类别}〔{年}〕{序号}号".into(),
            codes,
            office_zh: "苏锡通科技产业园区人才工作办公室".into(),
            office_en: "Talent Office, Su-Xi-Tong Science and Technology Industrial Park".into(),
            reply_days: 10,
            review_body_zh: "南通市人民政府".into(),
            review_body_en: "the Nantong Municipal People's Government".into(),
            review_days: 60,
            court_zh: "有管辖权的人民法院".into(),
            court_en: "the people's court with jurisdiction".into(),
            suit_months: 6,
            templates: HashMap::new(),
        }
    }
}

impl Default for Letters {
    fn default() -> Self {
        Letters::modelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_reads_its_title_paragraphs_fields_and_tables() {
        let t = Template::parse(
            LetterKind::Correction,
            "补正材料通知书\n\n{申请人}：\n\n你的申请（{申请编号}）\n尚缺以下材料：\n\n{补正清单}\n\n请于{补正期限}前补正。\n",
        )
        .expect("reads");
        assert_eq!(t.title, "补正材料通知书");
        assert_eq!(t.parts.len(), 4);
        assert_eq!(
            t.parts[1],
            Part::Para(vec![
                Piece::Text("你的申请（".into()),
                Piece::Field("申请编号".into()),
                Piece::Text("）尚缺以下材料：".into()),
            ])
        );
        assert_eq!(t.parts[2], Part::Table("补正清单".into()));
        assert_eq!(
            t.fields().collect::<Vec<_>>(),
            ["申请人", "申请编号", "补正期限"]
        );
    }

    #[test]
    fn english_lines_of_a_paragraph_join_with_a_space() {
        let t = Template::parse(
            LetterKind::Accept,
            "Notice\n\nDear {申请人},\nyour application\n",
        )
        .expect("reads");
        assert_eq!(
            t.parts[0],
            Part::Para(vec![
                Piece::Text("Dear ".into()),
                Piece::Field("申请人".into()),
                Piece::Text(", your application".into()),
            ])
        );
    }

    #[test]
    fn an_unknown_datum_a_table_in_running_text_and_a_lone_brace_are_located() {
        let text = "受理通知书\n\n你的{姓名}申请\n\n材料{补正清单}\n\n期限{决定期限\n";
        let errors = Template::parse(LetterKind::Accept, text).expect_err("refused");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(text[errors[0].at..].starts_with("{姓名}"), "{errors:?}");
        assert!(errors[0].zh.contains("没有“姓名”"), "{}", errors[0].zh);
        // 补正清单 is no table of an acceptance notice: unknown there.
        assert!(
            errors[1].en.contains("no datum `补正清单`"),
            "{}",
            errors[1].en
        );
        assert!(errors[2].en.contains("without its `}`"));
        let errors = Template::parse(LetterKind::Correction, "补正\n\n材料{补正清单}\n")
            .expect_err("refused");
        assert!(errors[0].zh.contains("应单独成段"), "{}", errors[0].zh);
    }

    #[test]
    fn a_number_fills_year_code_and_sequence() {
        let l = Letters::modelled();
        assert_eq!(
            l.number_of(LetterKind::Refusal, 2026, 7),
            "苏锡通人才不资〔2026〕7号"
        );
    }
}
