//! Loading: reads the policy folder, checks everything, and compiles one set of rules per
//! version. All problems are collected; the policy is returned only when there are none.
//!
//! In order: the shared file and the documents it lists, the versions and their dates
//! (`versions.rs`), sets and parameters (`params.rs`), the programs (`programs.rs`), then for
//! each version its tiers, programs and combining rules (`rules.rs`). This file holds what
//! they share: the sources read, located diagnostics, versioned values, expressions and
//! citations.

use super::compile::{Checker, Scope, SetValue, leaves};
use super::diagnostic::{Diagnostic, Msg, Severity, SourceFile};
use super::expr::{BinOp, parse};
use super::fields::{FIELDS, Section, Var};
use super::files::{
    CombiningFile, DocumentFile, ProgramDef, RuleDef, Scalar, SharedFile, Text, Versioned,
};
use super::model::{
    Amount, Cap, Citation, Condition, Document, ExclusiveGroup, Expr, Installment, Policy, Program,
    Review, Rules, Tier, TierRow, Version,
};
use super::value::{Ty, Val};
use crate::applicant::Domain;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

mod calendar;
mod checks;
pub mod draft;
mod letters;
mod materials;
mod params;
mod prior;
mod procedure;
mod programs;
mod rules;
mod source;
mod versions;
pub use calendar::{CALENDAR_AHEAD, CALENDAR_FILE, calendar_shortfall};
pub use letters::LETTERS_FILE;
pub use prior::PRIOR_FILE;
pub use procedure::PROCEDURE_FILE;
use source::{Diags, read_file};
pub use source::{MAX_DIAGNOSTICS, Source, source_files};

pub const SHARED_FILE: &str = "policy.toml";
pub const COMBINING_FILE: &str = "combining.toml";

/// A value's text with where it stands, for expressions.
struct Located<'a> {
    file: usize,
    span: Range<usize>,
    text: &'a str,
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => t.clone(),
        Scalar::Integer(i) => i.to_string(),
    }
}

/// A hand-written description and the numbers its rule uses in any version.
struct Described {
    file: usize,
    texts: [Text; 2],
    allowed: Vec<rust_decimal::Decimal>,
    /// The rule does not parse in some version: its own error says so; the description is
    /// not checked against numbers that could not be read.
    unread: bool,
}

struct Loader {
    /// Loading a draft: a description that lies is a warning.
    draft: bool,
    d: Diags,
    described: Vec<Described>,
    version_ids: Vec<Arc<str>>,
    documents: Vec<Document>,
    materials: Vec<super::model::Material>,
}

impl Loader {
    /// The value of a versioned setting in version `vi`: the entry of the latest version at
    /// or before it. Reports unknown version ids, and a missing value when `required`.
    fn pick<'a>(
        &mut self,
        file: usize,
        v: &'a Spanned<Versioned>,
        vi: usize,
    ) -> Option<(String, Range<usize>)> {
        match v.get_ref() {
            Versioned::Always(s) => Some((scalar_text(s), v.span())),
            Versioned::Table(_) => {
                self.d.error(
                    file,
                    v.span().start,
                    Msg::new("只有按层次取值的参数（`by = \"tier\"`）才能表中套表", "a table of tables is allowed only for a parameter by tier (`by = \"tier\"`)"),
                );
                None
            }
            Versioned::ByVersion(entries) => {
                let mut best: Option<(usize, &'a Spanned<Scalar>)> = None;
                for (k, val) in entries {
                    match self.version_ids.iter().position(|id| **id == **k.get_ref()) {
                        Some(kv) if kv <= vi && best.is_none_or(|(b, _)| kv > b) => {
                            best = Some((kv, val))
                        }
                        Some(_) => {}
                        None => self.d.error(
                            file,
                            k.span().start,
                            Msg::new(
                                format!(
                                    "`{}` 不是版本编号（版本：{}）",
                                    k.get_ref(),
                                    self.version_list()
                                ),
                                format!(
                                    "`{}` is not a version id (versions: {})",
                                    k.get_ref(),
                                    self.version_list()
                                ),
                            ),
                        ),
                    }
                }
                match best {
                    Some((_, val)) => Some((scalar_text(val.get_ref()), val.span())),
                    None => {
                        self.d.error(
                            file,
                            v.span().start,
                            Msg::new(format!(
                                "版本 {} 没有取值：请为它或更早的版本给出取值",
                                self.version_ids[vi]
                            ), format!(
                                "no value for version {}: give one for it or an earlier version",
                                self.version_ids[vi]
                            )),
                        );
                        None
                    }
                }
            }
        }
    }

    fn version_list(&self) -> String {
        self.version_ids
            .iter()
            .map(|v| &**v)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Parses and checks an expression; problems are located inside the expression text.
    fn expression(&mut self, at: Located, scope: &Scope, expect: Ty) -> Option<Expr> {
        let origin = self.d.files[at.file]
            .string_content_start(&at.span, at.text)
            .map(|s| (s, true))
            .unwrap_or((at.span.start, false));
        let place = |off: usize| if origin.1 { origin.0 + off } else { origin.0 };
        let node = match parse(at.text) {
            Ok(n) => n,
            Err(e) => {
                self.d.error(
                    at.file,
                    place(e.span.0),
                    Msg::new(
                        format!("`{}` 中：{}", at.text.trim(), e.zh),
                        format!("in `{}`: {}", at.text.trim(), e.message),
                    ),
                );
                return None;
            }
        };
        let mut checker = Checker {
            scope,
            problems: Vec::new(),
        };
        let out = checker.check(&node, Some(expect));
        let mut problems = std::mem::take(&mut checker.problems);
        problems.extend(super::unit_check::check_units(&node, scope));
        let failed = !problems.is_empty();
        for (span, msg) in problems {
            self.d.error(at.file, place(span.0), msg);
        }
        if failed { None } else { out.map(|(e, _)| e) }
    }

    /// A citation `DOCUMENT ARTICLE`, the given one or the inherited default.
    fn cite(
        &mut self,
        file: usize,
        own: Option<&Text>,
        default: Option<&Citation>,
        at: usize,
    ) -> Citation {
        match own {
            Some(c) => {
                let text = c.get_ref().trim();
                let mut parts = text.splitn(2, char::is_whitespace);
                let doc = parts.next().unwrap_or("");
                let article = parts.next().unwrap_or("").trim();
                if !self.documents.iter().any(|d| &*d.id == doc) || article.is_empty() {
                    let docs: Vec<&str> = self.documents.iter().map(|d| &*d.id).collect();
                    self.d.error(
                        file,
                        c.span().start,
                        Msg::new(format!("依据应写作“政策文件编号 条款”，如 `jinying 第五条`（政策文件：{}）", docs.join(", ")), format!("a citation is a document id and an article, such as `jinying 第五条` (documents: {})", docs.join(", "))),
                    );
                }
                Arc::from(text)
            }
            None => match default {
                Some(c) => c.clone(),
                None => {
                    self.d.error(file, at, Msg::new("此规则没有依据：请在此处或其项目上加上 `cite = \"政策文件 条款\"`", "this rule has no citation: add `cite = \"document article\"` here or on its program"));
                    Arc::from("")
                }
            },
        }
    }
}

fn to_date(d: &Spanned<toml::value::Datetime>) -> Option<NaiveDate> {
    let dt = d.get_ref();
    match (dt.date, dt.time, dt.offset) {
        (Some(date), None, None) => NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        ),
        _ => None,
    }
}

fn domain_by_name(name: &str) -> Option<Domain> {
    [
        Domain::IdType,
        Domain::Degree,
        Domain::InstitutionTier,
        Domain::Title,
        Domain::Honor,
        Domain::Industry,
    ]
    .into_iter()
    .find(|d| d.name() == name)
}

/// Parses an installment share: `"1/3"`, `"40%"`, `"0.5"` or an integer, as a fraction.
fn share(s: &Scalar) -> Option<(i64, i64)> {
    let text = scalar_text(s);
    let text = text.trim();
    let (n, d) = if let Some((a, b)) = text.split_once('/') {
        (a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?)
    } else {
        let (body, scale) = match text.strip_suffix('%') {
            Some(b) => (b, 100),
            None => (text, 1),
        };
        let dec = crate::applicant::parse_decimal(body.trim())?;
        let den = 10i64.checked_pow(dec.scale())?.checked_mul(scale)?;
        (i64::try_from(dec.mantissa()).ok()?, den)
    };
    (n > 0 && d > 0 && n <= d).then_some((n, d))
}

/// Reads, checks and compiles the policy in `dir`. On any error, returns every diagnostic
/// (errors and warnings); on success the policy carries the warnings.
pub fn load(dir: &Path) -> Result<Policy, Vec<Diagnostic>> {
    load_from(&Source::Dir(dir))
}

/// Reads, checks and compiles the policy built into the binary.
pub fn load_embedded() -> Result<Policy, Vec<Diagnostic>> {
    load_from(&Source::Embedded)
}

pub fn load_from(src: &Source) -> Result<Policy, Vec<Diagnostic>> {
    load_with(src, false)
}

/// [`load_from`]; with `draft`, descriptions that do not match their rule's numbers are
/// warnings rather than errors.
fn load_with(src: &Source, draft: bool) -> Result<Policy, Vec<Diagnostic>> {
    let mut l = Loader {
        draft,
        d: Diags::default(),
        version_ids: Vec::new(),
        documents: Vec::new(),
        materials: Vec::new(),
        described: Vec::new(),
    };
    let result = l.load(src);
    let failed = l.d.has_errors();
    let mut diags = std::mem::take(&mut l.d).finish();
    diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    match result {
        Some(mut policy) if !failed => {
            policy.warnings = diags;
            Ok(policy)
        }
        _ => Err(diags),
    }
}

/// A version's dates and labels, checked, before its rules are compiled.
struct Dated<'a> {
    id: Arc<str>,
    from: NaiveDate,
    until: Option<NaiveDate>,
    zh: &'a str,
    en: &'a str,
}

/// A program definition with the file it came from.
struct ProgramSource<'a> {
    file: usize,
    document: Arc<str>,
    def: &'a ProgramDef,
    first: usize,
    last: usize,
}

/// Parameters of one version, each resolved to a constant with its type.
type Params = super::compile::ParamSet;

/// What the files say, read and checked once; every version's rules are compiled from it.
struct Read<'a> {
    shared_file: usize,
    shared: &'a SharedFile,
    docs: &'a [(usize, DocumentFile)],
    programs: Vec<ProgramSource<'a>>,
    sets: HashMap<String, SetValue>,
    tier_ids: Vec<Arc<str>>,
    combining: Option<&'a (usize, CombiningFile)>,
}

impl Loader {
    fn load(&mut self, src: &Source) -> Option<Policy> {
        let (sf, shared) = read_file::<SharedFile>(&mut self.d, src, SHARED_FILE)?;
        let docs = self.documents(src, sf, &shared);
        self.materials(sf, &shared);
        let combining = read_file::<CombiningFile>(&mut self.d, src, COMBINING_FILE);
        // The folder is listed once, for the optional calendar and the unlisted files.
        let names = src.toml_files();
        let calendar = self.calendar(src, &names);
        let (procedure, mut letters) = self.procedure(src, &names);
        self.letters(src, &names, &mut letters);
        self.warn_unlisted_files(src, &names, &shared);
        let versions = self.versions(sf, &shared)?;
        let read = Read {
            shared_file: sf,
            shared: &shared,
            docs: &docs,
            programs: self.program_sources(&docs, versions.len()),
            sets: self.sets(sf, &shared),
            tier_ids: self.tier_ids(sf, &shared),
            combining: combining.as_ref(),
        };
        let program_ids: Vec<Arc<str>> = read
            .programs
            .iter()
            .map(|p| Arc::from(p.def.id.get_ref().as_str()))
            .collect();
        self.check_combining_programs(read.combining, &program_ids);
        let prior = self.prior(src, &names, &program_ids);
        let compiled: Vec<Version> = versions
            .iter()
            .enumerate()
            .map(|(vi, v)| {
                let params = self.params(vi, &read);
                Version {
                    id: v.id.clone(),
                    zh: v.zh.to_string(),
                    en: v.en.to_string(),
                    from: v.from,
                    until: v.until,
                    rules: self.rules(vi, &read, &params),
                }
            })
            .collect();
        let years: Vec<rust_decimal::Decimal> = versions
            .iter()
            .flat_map(|v| {
                [
                    v.id.parse().ok(),
                    Some(rust_decimal::Decimal::from(chrono::Datelike::year(&v.from))),
                ]
            })
            .flatten()
            .collect();
        self.check_descriptions(&years);
        if self.d.has_errors() {
            return None;
        }
        self.warn_unreachable_rows(sf, &shared, &compiled);
        Some(Policy {
            source: src.path(""),
            calendar,
            procedure,
            letters,
            prior: std::sync::RwLock::new(Arc::new(prior)),
            documents: self.documents.clone(),
            versions: compiled,
            program_ids,
            warnings: Vec::new(),
            materials: std::mem::take(&mut self.materials),
            parameters: shared
                .params
                .iter()
                .chain(docs.iter().flat_map(|(_, d)| &d.params))
                .map(|p| super::model::ParamLabel {
                    id: Arc::from(p.id.get_ref().as_str()),
                    zh: p.zh.clone().unwrap_or_default(),
                    en: p.en.clone().unwrap_or_default(),
                    unit: p
                        .unit
                        .as_ref()
                        .and_then(|u| crate::units::Unit::parse(u.get_ref())),
                    cite: p
                        .cite
                        .as_ref()
                        .map(|c| c.get_ref().clone())
                        .unwrap_or_default(),
                    by_tier: p.by.is_some(),
                })
                .collect(),
        })
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `field OP threshold` on a numeric field with a step, or a yes/no field.
fn is_actionable_shape(e: &Expr) -> bool {
    match e {
        Expr::Field(i) => FIELDS[*i].ty == Ty::Bool,
        Expr::Compare(op, l, r) => {
            let field = l.as_field().filter(|i| FIELDS[*i].step.is_some());
            let mut rl = Vec::new();
            leaves(r, &mut rl);
            !matches!(op, BinOp::Ne)
                && field.is_some_and(|i| !rl.iter().any(|(_, x)| x.as_field() == Some(i)))
        }
        _ => false,
    }
}
