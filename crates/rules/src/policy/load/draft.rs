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
    let v: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | '，' | ' '))
        .collect();
    let (body, percent) = match v.strip_suffix('%') {
        Some(b) => (b, true),
        None => (v.as_str(), false),
    };
    let d = crate::applicant::parse_decimal(body)?;
    let shown = d.normalize().to_string();
    Some(if percent { format!("{shown}%") } else { shown })
}

/// Text to put in place of spans of one file.
type Replacements = Vec<(Range<usize>, String)>;

/// The files with the edits written in. Each edit names a slot of `files`; values are
/// written as TOML strings (exact decimals).
pub fn apply(
    files: &[(String, String)],
    edits: &[Edit],
) -> Result<Vec<(String, String)>, Vec<EditError>> {
    let all = slots(files);
    let mut errors = Vec::new();
    let mut by_file: Vec<(String, String, Replacements)> = files
        .iter()
        .map(|(n, t)| (n.clone(), t.clone(), Vec::new()))
        .collect();
    for e in edits {
        let Some(slot) = all.iter().find(|s| s.key == e.slot) else {
            errors.push(EditError {
                slot: e.slot.clone(),
                zh: "这个参数已不在政策文件中（文件已修改）".into(),
                en: "this parameter is no longer in the policy files (they changed)".into(),
            });
            continue;
        };
        let Some(value) = normalise(&e.value) else {
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
        if let Some(f) = by_file.iter_mut().find(|f| f.0 == slot.file) {
            f.2.push((slot.span.clone(), format!("\"{value}\"")));
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
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            if x != y {
                out.push_str(&format!("@@ -{n} +{n} @@\n-{x}\n+{y}\n", n = i + 1));
            }
        }
    }
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
}
