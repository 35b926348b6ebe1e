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

mod diff;
mod texts;
mod version;
pub use diff::diff;
pub use texts::{TextSlot, offset_of, text_slots};
use version::new_version;
pub use version::{in_force_last, new_version_id, version_ids};

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

#[cfg(test)]
mod tests;
