//! Declarative policy test cases (`policy/tests/*.toml`): a profile, and what the assessment
//! must show. Run by `talent-subsidy test` and by `cargo test` through [`run_dir`].
//!
//! ```toml
//! [profiles.doctor]                  # named base profiles, shared by every file in the folder
//! application_date = 2026-03-01
//! person = { full_name = "李四", … }
//!
//! [[case]]
//! name = "In March 2026, a doctorate hired 10 months ago … gets a 250,000 yuan housing allowance"
//! profile = "doctor"
//! set = { "employment.start_date" = 2025-05-01 }   # dotted paths into the profile
//! unset = ["startup"]
//! expect.tier = "D"
//! expect.programs.housing_allowance = { status = "eligible", amount = "250000" }
//! ```

use rules::engine::{Assessment, ReducedBy, hints::hints};
use rules::policy::Policy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    profiles: BTreeMap<String, toml::Table>,
    #[serde(rename = "case", default)]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: Spanned<String>,
    profile: String,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
    #[serde(default)]
    unset: Vec<String>,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    version: Option<String>,
    tier: Option<String>,
    tier_row: Option<String>,
    total: Option<String>,
    /// The fields that must have errors (exactly these): the profile is invalid.
    errors: Option<Vec<String>>,
    #[serde(default)]
    programs: BTreeMap<String, ExpectProgram>,
    /// Hints that must be offered (others may be offered too).
    #[serde(default)]
    hints: Vec<ExpectHint>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectProgram {
    status: Option<String>,
    amount: Option<String>,
    computed_amount: Option<String>,
    /// The ids of the conditions that fail (exactly these).
    failed: Option<Vec<String>>,
    installments: Option<Vec<String>>,
    review_required: Option<bool>,
    /// The ids of the rules that reduced the amount, in order (exactly these).
    reduced_by: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectHint {
    program: String,
    field: String,
    to: String,
    amount: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    /// One line per failing case: where it is, its name, and every difference.
    pub failures: Vec<String>,
}

/// Converts a TOML value of a case into the profile's JSON (dates become `YYYY-MM-DD`).
fn to_json(v: &toml::Value) -> Result<serde_json::Value, String> {
    Ok(match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(_) => {
            return Err("write decimals as strings in test profiles, not TOML floats".into());
        }
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => {
            serde_json::Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn set_path(
    root: &mut serde_json::Value,
    path: &str,
    value: Option<serde_json::Value>,
) -> Result<(), String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().ok_or("empty path")?;
    let mut at = root;
    for p in parts {
        let obj = at
            .as_object_mut()
            .ok_or_else(|| format!("`{path}`: `{p}` is inside a value that is not a table"))?;
        at = obj
            .entry(p.to_string())
            .or_insert_with(|| serde_json::json!({}));
    }
    let obj = at
        .as_object_mut()
        .ok_or_else(|| format!("`{path}` is inside a value that is not a table"))?;
    match value {
        Some(v) => {
            obj.insert(last.to_string(), v);
        }
        None => {
            obj.remove(last);
        }
    }
    Ok(())
}

/// Runs every `*.toml` case file in `dir` (sorted by name).
pub fn run_dir(policy: &Policy, dir: &Path) -> Result<Report, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the test folder {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut parsed = Vec::new();
    let mut profiles = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let file: CaseFile = toml::from_str(&text).map_err(|e| {
            let (line, col) = line_col(&text, e.span().map_or(0, |s| s.start));
            format!("{}:{line}:{col}: {}", f.display(), e.message())
        })?;
        for (name, table) in &file.profiles {
            let json = to_json(&toml::Value::Table(table.clone()))
                .map_err(|e| format!("{}: profile {name}: {e}", f.display()))?;
            if profiles.insert(name.clone(), json).is_some() {
                return Err(format!(
                    "{}: profile `{name}` is defined twice",
                    f.display()
                ));
            }
        }
        parsed.push((f, text, file));
    }
    let mut report = Report::default();
    for (f, text, file) in &parsed {
        for case in &file.cases {
            let (line, _) = line_col(text, case.name.span().start);
            match run_case(policy, &profiles, case) {
                Ok(()) => report.passed += 1,
                Err(diff) => report.failures.push(format!(
                    "{}:{line}: {}\n{diff}",
                    f.display(),
                    case.name.get_ref()
                )),
            }
        }
    }
    Ok(report)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    (
        line,
        before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1,
    )
}

fn run_case(
    policy: &Policy,
    profiles: &BTreeMap<String, serde_json::Value>,
    case: &Case,
) -> Result<(), String> {
    let mut json = profiles
        .get(&case.profile)
        .cloned()
        .ok_or_else(|| format!("  no profile named `{}`", case.profile))?;
    for (path, v) in &case.set {
        set_path(&mut json, path, Some(to_json(v)?))?;
    }
    for path in &case.unset {
        set_path(&mut json, path, None)?;
    }
    let mut diff = String::new();
    let (profile, a) = match crate::service::assess_value(policy, &json) {
        Ok(done) => (done.profile, done.assessment),
        Err(invalid) => {
            let mut got: Vec<String> = invalid.errors.iter().map(|e| e.field.clone()).collect();
            got.dedup();
            return match &case.expect.errors {
                Some(want) if sorted(want) == sorted(&got) => Ok(()),
                Some(want) => Err(format!(
                    "  errors: expected fields {want:?}, got {:?}",
                    invalid.errors
                )),
                None => Err(format!("  the profile is invalid: {:?}", invalid.errors)),
            };
        }
    };
    if let Some(want) = &case.expect.errors {
        return Err(format!(
            "  expected errors on {want:?}, but the profile is valid"
        ));
    }
    compare(&case.expect, &a, &mut diff);
    if !case.expect.hints.is_empty() {
        let hs = hints(&a, &profile, policy);
        let rules = &a.version.rules;
        for want in &case.expect.hints {
            let found = hs.iter().find_map(|h| {
                (*h.program.id == want.program)
                    .then(|| h.changes.iter().find(|c| c.field == want.field))
                    .flatten()
                    .map(|c| (h, c))
            });
            match found {
                None => {
                    let got: Vec<String> = hs
                        .iter()
                        .flat_map(|h| {
                            h.changes.iter().map(move |c| {
                                format!("{} {} → {}", h.program.id, c.field, rules.render(&c.to))
                            })
                        })
                        .collect();
                    let _ = writeln!(
                        diff,
                        "  hint for {} on {}: none offered (offered: {got:?})",
                        want.program, want.field
                    );
                }
                Some((h, c)) => {
                    let to = rules.render(&c.to);
                    if to != want.to {
                        let _ = writeln!(
                            diff,
                            "  hint for {} on {}: expected to {}, got {to}",
                            want.program, want.field, want.to
                        );
                    }
                    if let Some(amount) = &want.amount
                        && h.amount.to_string() != *amount
                    {
                        let _ = writeln!(
                            diff,
                            "  hint for {} on {}: expected amount {amount}, got {}",
                            want.program, want.field, h.amount
                        );
                    }
                }
            }
        }
    }
    if diff.is_empty() { Ok(()) } else { Err(diff) }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

fn check<T: PartialEq + std::fmt::Debug>(diff: &mut String, what: &str, want: Option<T>, got: T) {
    if let Some(w) = want
        && w != got
    {
        let _ = writeln!(diff, "  {what}: expected {w:?}, got {got:?}");
    }
}

fn compare(e: &Expect, a: &Assessment<'_>, diff: &mut String) {
    check(diff, "policy version", e.version.as_deref(), &*a.version.id);
    check(diff, "tier", e.tier.as_deref(), a.tier_id());
    check(
        diff,
        "tier row",
        e.tier_row.as_deref(),
        a.tier.map_or("none", |(_, r)| &*r.id),
    );
    check(diff, "total", e.total.clone(), a.total.to_string());
    for (id, want) in &e.programs {
        let Some(p) = a.program(id) else {
            let _ = writeln!(diff, "  program {id}: not in the result");
            continue;
        };
        check(
            diff,
            &format!("{id} status"),
            want.status.as_deref(),
            p.status.id(),
        );
        check(
            diff,
            &format!("{id} amount"),
            want.amount.clone(),
            p.amount.to_string(),
        );
        check(
            diff,
            &format!("{id} computed amount"),
            want.computed_amount.clone(),
            p.computed_amount.to_string(),
        );
        check(
            diff,
            &format!("{id} review required"),
            want.review_required,
            p.review_required,
        );
        let failed: Vec<String> = p.failed_conditions().map(|c| c.to_string()).collect();
        check(
            diff,
            &format!("{id} failed conditions"),
            want.failed.as_ref().map(|f| sorted(f)),
            sorted(&failed),
        );
        let inst: Vec<String> = p.installments.iter().map(|d| d.to_string()).collect();
        check(
            diff,
            &format!("{id} installments"),
            want.installments.clone(),
            inst,
        );
        let reduced: Vec<String> = p
            .reductions
            .iter()
            .map(|r| match r.by {
                ReducedBy::Exclusive(g, _) => g.id.to_string(),
                ReducedBy::Cap(c) => c.id.to_string(),
            })
            .collect();
        check(
            diff,
            &format!("{id} reduced by"),
            want.reduced_by.clone(),
            reduced,
        );
    }
}
