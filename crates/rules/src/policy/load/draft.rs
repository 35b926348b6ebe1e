//! Drafts of parameter changes: the values a policy officer may change without touching the
//! rules (each one a *slot*: a parameter's value, per tier and per version where it has
//! them), a draft's files with the changes written in, and the change as a diff of the
//! parameter lines to commit to `policy/`.
//!
//! Invariant: a draft changes only the text of the values it names, in place, so every other
//! line of every file stays as it was and the diff shows exactly the changed lines.

use super::{SHARED_FILE, Source};
use crate::policy::files::{DocumentFile, ParamDef, Scalar, SharedFile, Versioned};
use crate::policy::{Diagnostic, Policy};
use crate::units::Unit;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

/// One value a draft may change.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// `file:param[tier][version]`, stable across edits of other values.
    pub key: String,
    pub file: String,
    pub param: String,
    pub zh: String,
    pub en: String,
    pub cite: String,
    pub unit: Option<Unit>,
    /// The tier entry of a table by tier (`others` for the rest).
    pub tier: Option<String>,
    /// The version the value applies from (`None`: every version).
    pub version: Option<String>,
    /// The value as written, without quotes or separators (`2500000`, `1.2`).
    pub value: String,
    /// Line of the value in its file (1-based).
    pub line: usize,
    span: Range<usize>,
}

/// A changed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub slot: String,
    pub value: String,
}

fn plain(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => t.replace('_', ""),
        Scalar::Integer(i) => i.to_string(),
    }
}

fn slots_of(file: &str, text: &str, p: &ParamDef, out: &mut Vec<Slot>) {
    let base = |tier: Option<&str>, version: Option<&str>, value: &Scalar, span: Range<usize>| {
        let mut key = format!("{file}:{}", p.id.get_ref());
        for k in [tier, version].into_iter().flatten() {
            key.push_str(&format!("[{k}]"));
        }
        Slot {
            key,
            file: file.to_string(),
            param: p.id.get_ref().clone(),
            zh: p.zh.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            en: p.en.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            cite: p
                .cite
                .as_ref()
                .map(|c| c.get_ref().clone())
                .unwrap_or_default(),
            unit: p.unit.as_ref().and_then(|u| Unit::parse(u.get_ref())),
            tier: tier.map(str::to_string),
            version: version.map(str::to_string),
            value: plain(value),
            line: text[..span.start.min(text.len())].matches('\n').count() + 1,
            span,
        }
    };
    let versioned =
        |tier: Option<&str>, v: &toml::Spanned<Versioned>, out: &mut Vec<Slot>| match v.get_ref() {
            Versioned::Always(s) => out.push(base(tier, None, s, v.span())),
            Versioned::ByVersion(entries) => {
                for (k, s) in entries {
                    out.push(base(tier, Some(k.get_ref()), s.get_ref(), s.span()));
                }
            }
            Versioned::Table(_) => {}
        };
    if p.by.is_some() {
        for (k, v) in p.value.get_ref().keyed_entries().unwrap_or_default() {
            versioned(Some(k.get_ref()), &v, out);
        }
    } else {
        versioned(None, &p.value, out);
    }
}

/// Every value a draft may change, in the files' order.
pub fn slots(files: &[(String, String)]) -> Vec<Slot> {
    let mut out = Vec::new();
    for (name, text) in files {
        let params: Vec<ParamDef> = if name == SHARED_FILE {
            toml::from_str::<SharedFile>(text)
                .map(|f| f.params)
                .unwrap_or_default()
        } else {
            toml::from_str::<DocumentFile>(text)
                .map(|f| f.params)
                .unwrap_or_default()
        };
        for p in &params {
            slots_of(name, text, p, &mut out);
        }
    }
    out
}

/// Why an edit cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub slot: String,
    pub zh: String,
    pub en: String,
}

/// A value as an officer may type it: digits with `_` or `,` as separators, a decimal point,
/// an optional minus sign; `12%` for a share. Returns it as the files write it.
pub fn normalise(value: &str) -> Option<String> {
    normalise_for(value, None)
}

/// A value for a slot of `unit`: as [`normalise`], and money as the forms take it (`10万`,
/// `¥100000元`) where the unit is yuan.
pub fn normalise_for(value: &str, unit: Option<Unit>) -> Option<String> {
    let money = matches!(
        unit,
        Some(Unit::Yuan | Unit::YuanPerMonth | Unit::YuanPerSqmPerMonth)
    );
    let v: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | '，' | ' '))
        .collect();
    let (body, percent) = match v.strip_suffix('%') {
        Some(b) => (b, true),
        None => (v.as_str(), false),
    };
    let d = crate::applicant::parse_decimal(body).or_else(|| {
        (money && !percent && body.chars().any(|c| matches!(c, '万' | '元' | '¥')))
            .then(|| crate::applicant::parse_money(body))
            .flatten()
    })?;
    let shown = d.normalize().to_string();
    Some(if percent { format!("{shown}%") } else { shown })
}

/// A draft's whole change: the values it edits, the descriptions it rewrites, and the day from
/// which it applies — a new version from that day, earlier versions kept — or none (the values
/// of the versions as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub edits: Vec<Edit>,
    /// A description's slot (`TextSlot::key`) and its new words.
    #[serde(default)]
    pub texts: Vec<Edit>,
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
}

impl Change {
    /// A change as stored: this object, or (drafts saved before descriptions and dates could
    /// be edited) a bare list of edits.
    pub fn read(json: &str) -> Change {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Full(Change),
            List(Vec<Edit>),
        }
        match serde_json::from_str::<Stored>(json) {
            Ok(Stored::Full(c)) => c,
            Ok(Stored::List(edits)) => Change {
                edits,
                ..Change::default()
            },
            Err(_) => Change::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.texts.is_empty() && self.from.is_none()
    }
}

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
    span: Range<usize>,
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

/// Text to put in place of spans of one file.
type Replacements = Vec<(Range<usize>, String)>;

/// The files with the edits written in. Each edit names a slot of `files`; values are
/// written as TOML strings (exact decimals).
pub fn apply(
    files: &[(String, String)],
    edits: &[Edit],
) -> Result<Vec<(String, String)>, Vec<EditError>> {
    apply_change(
        files,
        &Change {
            edits: edits.to_vec(),
            ..Change::default()
        },
    )
}

/// The version a draft adds from its day: its id, and where the shared file takes it.
struct NewVersion {
    id: String,
    /// The first version's id (a value written once for every version keeps it from there).
    first: String,
    /// (offset, text) insertions into the shared file.
    inserts: Vec<(usize, String)>,
}

fn to_naive(d: &toml::value::Datetime) -> Option<chrono::NaiveDate> {
    let d = d.date?;
    chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// The end of the line holding `at` (the offset of its `\n`, or the text's end).
fn line_end(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i)
}

/// The id a new version from `from` takes: its year, or its day when the year is taken.
pub fn new_version_id(ids: &[&str], from: chrono::NaiveDate) -> String {
    let year = from.format("%Y").to_string();
    if ids.contains(&year.as_str()) {
        from.format("%Y-%m-%d").to_string()
    } else {
        year
    }
}

/// A new version from `from`, after the last one: refused when it would not come after it.
fn new_version(
    files: &[(String, String)],
    from: chrono::NaiveDate,
) -> Result<NewVersion, EditError> {
    let refuse = |zh: String, en: String| EditError {
        slot: "@from".into(),
        zh,
        en,
    };
    let text = files
        .iter()
        .find(|(n, _)| n == SHARED_FILE)
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    let shared: SharedFile = toml::from_str(text).map_err(|_| {
        refuse(
            "共用文件无法读取".into(),
            "the shared file cannot be read".into(),
        )
    })?;
    let (Some(first), Some(last)) = (shared.versions.first(), shared.versions.last()) else {
        return Err(refuse("没有版本".into(), "there is no version".into()));
    };
    let last_from = to_naive(last.from.get_ref()).unwrap_or(from);
    if from <= last_from {
        return Err(refuse(
            format!(
                "生效日期应晚于现行最新版本（{}）的开始日期 {last_from}",
                last.zh
            ),
            format!(
                "the day it applies from must come after {last_from}, when the latest version ({}) began",
                last.en
            ),
        ));
    }
    let mut inserts = Vec::new();
    let mut block_end = [last.id.span().end, last.from.span().end]
        .into_iter()
        .chain(last.until.as_ref().map(|u| u.span().end))
        .max()
        .unwrap_or(0);
    match last.until.as_ref().and_then(|u| to_naive(u.get_ref())) {
        Some(u) if u >= from => {
            return Err(refuse(
                format!("生效日期应晚于现行最新版本的结束日期 {u}"),
                format!(
                    "the day it applies from must come after {u}, when the latest version ends"
                ),
            ));
        }
        Some(_) => {}
        None => {
            let day_before = from.pred_opt().unwrap_or(from);
            inserts.push((
                line_end(text, last.from.span().end),
                format!("\nuntil = {day_before}"),
            ));
        }
    }
    // The version's block goes on while its lines are `key = value`.
    loop {
        let end = line_end(text, block_end);
        let next = text[(end + 1).min(text.len())..]
            .lines()
            .next()
            .unwrap_or("");
        let t = next.trim_start();
        if end >= text.len()
            || t.is_empty()
            || t.starts_with('[')
            || t.starts_with('#')
            || !t.contains('=')
        {
            block_end = end;
            break;
        }
        block_end = end + 1;
    }
    let ids: Vec<&str> = shared
        .versions
        .iter()
        .map(|v| v.id.get_ref().as_str())
        .collect();
    let id = new_version_id(&ids, from);
    let block = format!(
        "\n\n[[version]]\nid = \"{id}\"\nzh = \"{id}年版\"\nen = \"{id} edition\"\nfrom = {from}"
    );
    match inserts.first_mut() {
        Some((at, until)) if *at == block_end => until.push_str(&block),
        _ => inserts.push((block_end, block)),
    }
    Ok(NewVersion {
        id,
        first: first.id.get_ref().clone(),
        inserts,
    })
}

/// Whether a slot holds the value in force in the latest version (so a new version takes its
/// place from there).
pub fn in_force_last(slot: &Slot, all: &[Slot], order: &[String]) -> bool {
    let Some(v) = &slot.version else { return true };
    let rank = |v: &str| order.iter().position(|o| o == v);
    all.iter()
        .filter(|s| s.file == slot.file && s.param == slot.param && s.tier == slot.tier)
        .filter_map(|s| s.version.as_deref())
        .filter_map(rank)
        .max()
        == rank(v)
}

/// The version ids of the files, in order.
pub fn version_ids(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .find(|(n, _)| n == SHARED_FILE)
        .and_then(|(_, t)| toml::from_str::<SharedFile>(t).ok())
        .map(|s| s.versions.iter().map(|v| v.id.get_ref().clone()).collect())
        .unwrap_or_default()
}

/// The files with a whole change written in: values (from the new version's day where the
/// change has one), descriptions, and the new version itself.
pub fn apply_change(
    files: &[(String, String)],
    change: &Change,
) -> Result<Vec<(String, String)>, Vec<EditError>> {
    let all = slots(files);
    let texts = text_slots(files);
    let mut errors = Vec::new();
    let mut by_file: Vec<(String, String, Replacements)> = files
        .iter()
        .map(|(n, t)| (n.clone(), t.clone(), Vec::new()))
        .collect();
    let version = match change.from.map(|d| new_version(files, d)).transpose() {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let order = version_ids(files);
    if let Some(v) = &version
        && let Some(f) = by_file.iter_mut().find(|f| f.0 == SHARED_FILE)
    {
        for (at, text) in &v.inserts {
            f.2.push((*at..*at, text.clone()));
        }
    }
    for t in &change.texts {
        let Some(slot) = texts.iter().find(|s| s.key == t.slot) else {
            errors.push(EditError {
                slot: t.slot.clone(),
                zh: "这段说明已不在政策文件中（文件已修改）".into(),
                en: "this description is no longer in the policy files (they changed)".into(),
            });
            continue;
        };
        let words: String = t.value.split_whitespace().collect::<Vec<_>>().join(" ");
        if words.is_empty() || words.chars().count() > 1000 {
            errors.push(EditError {
                slot: t.slot.clone(),
                zh: "说明应为 1 到 1000 个字".into(),
                en: "a description must be 1 to 1000 characters".into(),
            });
            continue;
        }
        if let Some(f) = by_file.iter_mut().find(|f| f.0 == slot.file) {
            f.2.push((slot.span.clone(), toml::Value::String(words).to_string()));
        }
    }
    for e in &change.edits {
        let Some(slot) = all.iter().find(|s| s.key == e.slot) else {
            errors.push(EditError {
                slot: e.slot.clone(),
                zh: "这个参数已不在政策文件中（文件已修改）".into(),
                en: "this parameter is no longer in the policy files (they changed)".into(),
            });
            continue;
        };
        let Some(value) = normalise_for(&e.value, slot.unit) else {
            errors.push(EditError {
                slot: e.slot.clone(),
                zh: format!("“{}”不是数字：请填写如 2500000 或 1.2", e.value.trim()),
                en: format!(
                    "“{}” is not a number: write it like 2500000 or 1.2",
                    e.value.trim()
                ),
            });
            continue;
        };
        let written = match &version {
            Some(v) if in_force_last(slot, &all, &order) => {
                let text = files
                    .iter()
                    .find(|(n, _)| *n == slot.file)
                    .map_or("", |(_, t)| t.as_str());
                let orig = text.get(slot.span.clone()).unwrap_or("\"\"");
                match &slot.version {
                    // One value for every version: the first keeps it, the new one changes it.
                    None => format!("{{ \"{}\" = {orig}, \"{}\" = \"{value}\" }}", v.first, v.id),
                    // A value by version: the new version's entry after the one it follows.
                    Some(_) => {
                        let line_start = text[..slot.span.start].rfind('\n').map_or(0, |i| i + 1);
                        let sep = if text[line_start..slot.span.start].contains('{') {
                            ", "
                        } else {
                            "\n"
                        };
                        format!("{orig}{sep}\"{}\" = \"{value}\"", v.id)
                    }
                }
            }
            _ => format!("\"{value}\""),
        };
        if let Some(f) = by_file.iter_mut().find(|f| f.0 == slot.file) {
            f.2.push((slot.span.clone(), written));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(by_file
        .into_iter()
        .map(|(name, mut text, mut replacements)| {
            // From the end, so earlier spans stay valid.
            replacements.sort_by_key(|r| std::cmp::Reverse(r.0.start));
            for (span, value) in replacements {
                if text.get(span.clone()).is_some() {
                    text.replace_range(span, &value);
                }
            }
            (name, text)
        })
        .collect())
}

/// Loads a draft's files (shown under `label`). A description whose numbers no longer match
/// is a warning here (the officer corrects it before committing), not an error.
pub fn load_files(label: &Path, files: &[(String, String)]) -> Result<Policy, Vec<Diagnostic>> {
    super::load_with(&Source::Memory(label, files), true)
}

/// Loads a draft folder (for `simulate --draft`), descriptions checked as in [`load_files`].
pub fn load_dir(dir: &Path) -> Result<Policy, Vec<Diagnostic>> {
    super::load_with(&Source::Dir(dir), true)
}

/// The change between two sets of the same files, as a unified diff of the changed lines
/// (no context: `git apply --unidiff-zero` takes it), under `policy/`.
pub fn diff(before: &[(String, String)], after: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, old) in before {
        let Some((_, new)) = after.iter().find(|(n, _)| n == name) else {
            continue;
        };
        if old == new {
            continue;
        }
        out.push_str(&format!("--- a/policy/{name}\n+++ b/policy/{name}\n"));
        let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
        for h in hunks(&a, &b) {
            // Zero lines on a side: its start is the line before (as `diff -U0` writes it).
            let side = |start: usize, n: usize| {
                if n == 1 {
                    format!("{}", start + 1)
                } else if n == 0 {
                    format!("{start},0")
                } else {
                    format!("{},{n}", start + 1)
                }
            };
            out.push_str(&format!(
                "@@ -{} +{} @@\n",
                side(h.0, h.1.len()),
                side(h.2, h.3.len())
            ));
            for x in &h.1 {
                out.push_str(&format!("-{x}\n"));
            }
            for y in &h.3 {
                out.push_str(&format!("+{y}\n"));
            }
        }
    }
    out
}

/// A run of changed lines: where it starts in each file (0-based) and the lines removed and added.
type Hunk<'a> = (usize, Vec<&'a str>, usize, Vec<&'a str>);

/// The changed runs between two files' lines, by their longest common subsequence (policy
/// files are a few hundred lines: the table is small).
fn hunks<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Hunk<'a>> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<Hunk<'a>> = Vec::new();
    let mut open: Option<Hunk<'a>> = None;
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.extend(open.take());
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            open.get_or_insert((i, Vec::new(), j, Vec::new()))
                .3
                .push(b[j]);
            j += 1;
        } else {
            open.get_or_insert((i, Vec::new(), j, Vec::new()))
                .1
                .push(a[i]);
            i += 1;
        }
    }
    out.extend(open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, String)> {
        super::super::source_files(&Source::Embedded)
    }

    #[test]
    fn every_parameter_value_is_a_slot_with_its_line() {
        let f = files();
        let s = slots(&f);
        let c26 = s
            .iter()
            .find(|s| s.key == "jinying.toml:startup_amount[C][2026]")
            .expect("slot");
        assert_eq!(c26.value, "2500000");
        assert_eq!(c26.unit, Some(Unit::Yuan));
        let text = &f.iter().find(|(n, _)| n == "jinying.toml").unwrap().1;
        assert!(
            text.lines()
                .nth(c26.line - 1)
                .unwrap()
                .contains("2_500_000")
        );
        assert!(
            s.iter()
                .any(|s| s.key == "jinying.toml:core_industry_uplift")
        );
        assert!(
            s.iter()
                .any(|s| s.key == "doubling.toml:housing_allowance_master[2026]")
        );
    }

    #[test]
    fn a_draft_changes_only_its_values_and_the_diff_shows_them() {
        let f = files();
        let edits = [
            Edit {
                slot: "doubling.toml:housing_allowance_master[2026]".into(),
                value: "90,000".into(),
            },
            Edit {
                slot: "jinying.toml:core_industry_uplift".into(),
                value: "1.1".into(),
            },
        ];
        let changed = apply(&f, &edits).unwrap();
        let d = diff(&f, &changed);
        let removed = d
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"));
        assert_eq!(removed.count(), 2, "{d}");
        assert!(
            d.contains("+value = { \"2021\" = \"60_000\", \"2026\" = \"90000\" }"),
            "{d}"
        );
        assert!(d.contains("+value = \"1.1\""), "{d}");
        let p = load_files(Path::new("draft"), &changed).unwrap();
        // The master's 80,000 in the description is now a warning to correct, not an error.
        assert!(
            p.warnings
                .iter()
                .any(|w| w.zh.contains("8万") && w.file.ends_with("doubling.toml")),
            "{:?}",
            p.warnings
        );
        let v = p.versions.last().unwrap();
        let master = v
            .rules
            .parameters
            .iter()
            .find(|(n, _)| &**n == "housing_allowance_master")
            .unwrap();
        assert_eq!(v.rules.render(&master.1.into()), "90000");
        let bad = apply(
            &f,
            &[Edit {
                slot: "jinying.toml:core_industry_uplift".into(),
                value: "1.1元".into(),
            }],
        )
        .unwrap_err();
        assert!(bad[0].zh.contains("不是数字"));
    }

    /// A draft from 2027: a new version after 2026 (which now ends the day before), the changed
    /// values written for it alone, the earlier values kept; the diff applies to the files.
    #[test]
    fn a_draft_from_a_day_adds_a_version_and_keeps_the_earlier_values() {
        let f = files();
        let change = Change {
            edits: vec![
                Edit {
                    slot: "doubling.toml:housing_allowance_master[2026]".into(),
                    value: "10万".into(),
                },
                Edit {
                    slot: "jinying.toml:core_industry_uplift".into(),
                    value: "1.3".into(),
                },
                Edit {
                    slot: "jinying.toml:startup_amount[C][2026]".into(),
                    value: "3,000,000".into(),
                },
            ],
            texts: vec![Edit {
                slot: "doubling.toml:housing_allowance.amount.zh".into(),
                value: "博士20万元（2026年起25万元），硕士6万元（2026年起8万元，2027年起10万元），“双一流”或QS前200本科3万元，其他本科2万元".into(),
            }],
            from: Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
        };
        let changed = apply_change(&f, &change).unwrap();
        let p = load_files(Path::new("draft"), &changed).expect("the draft loads");
        let ids: Vec<&str> = p.versions.iter().map(|v| &*v.id).collect();
        assert_eq!(ids, ["2021", "2026", "2027"]);
        assert_eq!(
            p.versions[1].until,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        let value = |vi: usize, name: &str| {
            let v = &p.versions[vi];
            let (_, param) = v
                .rules
                .parameters
                .iter()
                .find(|(n, _)| &**n == name)
                .unwrap();
            v.rules.render(&(*param).into())
        };
        assert_eq!(value(1, "housing_allowance_master"), "80000");
        assert_eq!(value(2, "housing_allowance_master"), "100000");
        assert_eq!(value(0, "core_industry_uplift"), "1.2");
        assert_eq!(value(1, "core_industry_uplift"), "1.2");
        assert_eq!(value(2, "core_industry_uplift"), "1.3");
        // The description was rewritten: its 10万 is a value now, so nothing to correct there.
        assert!(
            !p.warnings.iter().any(|w| w.file.ends_with("doubling.toml")),
            "{:?}",
            p.warnings
        );
        let d = diff(&f, &changed);
        assert!(d.contains("+until = 2026-12-31"), "{d}");
        assert!(
            d.contains("+[[version]]") && d.contains("+from = 2027-01-01"),
            "{d}"
        );
        assert!(
            d.contains("\"2026\" = \"80_000\", \"2027\" = \"100000\""),
            "{d}"
        );
        // A day not after the latest version is refused, saying why.
        let early = Change {
            from: chrono::NaiveDate::from_ymd_opt(2025, 6, 1),
            ..Change::default()
        };
        let e = apply_change(&f, &early).unwrap_err();
        assert!(e[0].zh.contains("2026-01-01"), "{:?}", e);
    }

    /// The stored form of a change: the object, or the list older drafts kept.
    #[test]
    fn a_change_reads_the_list_older_drafts_stored() {
        let old = r#"[{"slot":"jinying.toml:core_industry_uplift","value":"1.2"}]"#;
        assert_eq!(Change::read(old).edits.len(), 1);
        let new = r#"{"edits":[],"texts":[],"from":"2027-01-01"}"#;
        assert_eq!(
            Change::read(new).from,
            chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
        );
        assert!(Change::read("nonsense").is_empty());
        assert_eq!(
            normalise_for("10万", Some(Unit::Yuan)).as_deref(),
            Some("100000")
        );
        assert_eq!(normalise_for("10万", Some(Unit::Factor)), None);
    }
}
