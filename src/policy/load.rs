//! Loading: reads the policy folder, checks everything, and compiles one set of rules per
//! version. All problems are collected; the policy is returned only when there are none.

use super::compile::{Checker, Scope, SetValue, leaves};
use super::diagnostic::{Diagnostic, Severity, SourceFile};
use super::expr::{BinOp, parse};
use super::fields::{FIELDS, Section, Var};
use super::files::{
    CombiningFile, DocumentFile, ParamDef, ProgramDef, RuleDef, Scalar, SharedFile, Text, Versioned,
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

pub const SHARED_FILE: &str = "policy.toml";
pub const COMBINING_FILE: &str = "combining.toml";

/// Collects diagnostics against the files read so far.
struct Diags {
    files: Vec<SourceFile>,
    list: Vec<Diagnostic>,
}

impl Diags {
    fn at(&mut self, file: usize, offset: usize, severity: Severity, message: String) {
        let f = &self.files[file];
        let (line, column) = f.locate(offset);
        let d = Diagnostic {
            severity,
            file: f.path.clone(),
            line,
            column,
            message,
        };
        if !self.list.contains(&d) {
            self.list.push(d);
        }
    }
    fn error(&mut self, file: usize, offset: usize, message: impl Into<String>) {
        self.at(file, offset, Severity::Error, message.into());
    }
    fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Where policy files come from: a folder, or the copy built into the binary.
pub enum Source<'a> {
    Dir(&'a Path),
    Embedded,
}

/// The default policy, built into the binary so that it runs on a machine without the
/// `policy/` folder.
const EMBEDDED: [(&str, &str); 5] = [
    (SHARED_FILE, include_str!("../../policy/policy.toml")),
    ("scitech.toml", include_str!("../../policy/scitech.toml")),
    ("jinying.toml", include_str!("../../policy/jinying.toml")),
    ("doubling.toml", include_str!("../../policy/doubling.toml")),
    (COMBINING_FILE, include_str!("../../policy/combining.toml")),
];

impl Source<'_> {
    fn path(&self, name: &str) -> PathBuf {
        match self {
            Source::Dir(d) => d.join(name),
            Source::Embedded => Path::new("(built-in)/policy").join(name),
        }
    }
    fn read(&self, name: &str) -> std::io::Result<String> {
        match self {
            Source::Dir(d) => std::fs::read_to_string(d.join(name)),
            Source::Embedded => EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not built in")),
        }
    }
    /// The `.toml` files present, sorted.
    fn toml_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match self {
            Source::Dir(d) => std::fs::read_dir(d)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.ends_with(".toml"))
                        .collect()
                })
                .unwrap_or_default(),
            Source::Embedded => EMBEDDED.iter().map(|(n, _)| n.to_string()).collect(),
        };
        names.sort();
        names
    }
}

/// Reads and parses one file; on a syntax or shape error records it and returns `None`.
fn read_file<T: DeserializeOwned>(d: &mut Diags, src: &Source, name: &str) -> Option<(usize, T)> {
    let path = src.path(name);
    let text = match src.read(name) {
        Ok(t) => t,
        Err(e) => {
            d.files.push(SourceFile {
                path,
                text: String::new(),
            });
            let i = d.files.len() - 1;
            d.error(i, 0, format!("cannot read the file: {e}"));
            return None;
        }
    };
    d.files.push(SourceFile { path, text });
    let i = d.files.len() - 1;
    let text = d.files[i].text.clone();
    let (table, errors) = toml::de::DeTable::parse_recoverable(&text);
    if !errors.is_empty() {
        for e in errors {
            let at = e.span().map_or(0, |s| s.start);
            d.error(i, at, e.message().trim().to_string());
        }
        return None;
    }
    match T::deserialize(toml::de::Deserializer::from(table)) {
        Ok(v) => Some((i, v)),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            d.error(i, at, e.message().trim().to_string());
            None
        }
    }
}

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

struct Loader {
    d: Diags,
    version_ids: Vec<Arc<str>>,
    documents: Vec<Document>,
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
                            format!(
                                "`{}` is not a version id (versions: {})",
                                k.get_ref(),
                                self.version_list()
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
                            format!(
                                "no value for version {}: give one for it or an earlier version",
                                self.version_ids[vi]
                            ),
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
                    format!("in `{}`: {}", at.text.trim(), e.message),
                );
                return None;
            }
        };
        let mut checker = Checker {
            scope,
            problems: Vec::new(),
        };
        let out = checker.check(&node, Some(expect));
        let problems = std::mem::take(&mut checker.problems);
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
                        format!("a citation is a document id and an article, such as `jinying 第五条` (documents: {})", docs.join(", ")),
                    );
                }
                Arc::from(text)
            }
            None => match default {
                Some(c) => c.clone(),
                None => {
                    self.d.error(file, at, "this rule has no citation: add `cite = \"document article\"` here or on its program");
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
    let mut l = Loader {
        d: Diags {
            files: Vec::new(),
            list: Vec::new(),
        },
        version_ids: Vec::new(),
        documents: Vec::new(),
    };
    let result = l.load(src);
    let mut diags = std::mem::take(&mut l.d.list);
    diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    match result {
        Some(mut policy) if !diags.iter().any(|d| d.severity == Severity::Error) => {
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

impl Loader {
    fn load(&mut self, src: &Source) -> Option<Policy> {
        let (sf, shared) = read_file::<SharedFile>(&mut self.d, src, SHARED_FILE)?;

        // Documents: each listed id is a file of that name.
        let mut docs: Vec<(usize, DocumentFile)> = Vec::new();
        for id in &shared.documents {
            let name = id.get_ref();
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid || docs.iter().any(|(_, d)| d.id.get_ref() == name) {
                self.d.error(
                    sf,
                    id.span().start,
                    format!("`{name}` is not a valid, distinct document id"),
                );
                continue;
            }
            if let Some((f, doc)) =
                read_file::<DocumentFile>(&mut self.d, src, &format!("{name}.toml"))
            {
                if doc.id.get_ref() != name {
                    self.d.error(
                        f,
                        doc.id.span().start,
                        format!(
                            "this file is listed as `{name}` but says id = \"{}\"",
                            doc.id.get_ref()
                        ),
                    );
                }
                self.documents.push(Document {
                    id: Arc::from(name.as_str()),
                    zh: doc.zh.clone(),
                    en: doc.en.clone(),
                });
                docs.push((f, doc));
            }
        }
        let combining = read_file::<CombiningFile>(&mut self.d, src, COMBINING_FILE);
        self.warn_unlisted_files(src, &shared);

        // Versions: dated, in order, not overlapping.
        let mut versions: Vec<Dated> = Vec::new();
        for v in &shared.versions {
            let from = to_date(&v.from);
            let until = v.until.as_ref().map(|u| (to_date(u), u.span().start));
            if from.is_none() {
                self.d.error(
                    sf,
                    v.from.span().start,
                    "`from` must be a date such as 2021-07-01",
                );
            }
            if let Some((None, at)) = until {
                self.d
                    .error(sf, at, "`until` must be a date such as 2025-12-31");
            }
            if self.version_ids.iter().any(|x| **x == **v.id.get_ref()) {
                self.d.error(
                    sf,
                    v.id.span().start,
                    format!("version `{}` is defined twice", v.id.get_ref()),
                );
            }
            self.version_ids.push(Arc::from(v.id.get_ref().as_str()));
            if let (Some(f), Some((Some(u), at))) = (from, until)
                && u < f
            {
                self.d.error(
                    sf,
                    at,
                    format!("version `{}` ends before it starts", v.id.get_ref()),
                );
            }
            if let Some(f) = from {
                versions.push(Dated {
                    id: self.version_ids.last()?.clone(),
                    from: f,
                    until: until.and_then(|u| u.0),
                    zh: &v.zh,
                    en: &v.en,
                });
            }
        }
        if versions.len() != shared.versions.len() {
            return None;
        }
        if versions.is_empty() {
            self.d.error(sf, 0, "no [[version]] is defined");
            return None;
        }
        // Version ids are in file order; dates must follow the same order without overlap.
        for (i, w) in versions.windows(2).enumerate() {
            let (prev, next) = (&w[0], &w[1]);
            if prev.until.is_none_or(|u| u >= next.from) {
                let at = shared.versions[i + 1].from.span().start;
                self.d.error(sf, at, format!("version `{}` overlaps version `{}` (or is listed before it): versions are listed in date order, each starting after the previous one ends", next.id, prev.id));
            }
        }

        let sets = self.sets(sf, &shared);
        let tier_ids: Vec<Arc<str>> = shared
            .tiers
            .iter()
            .map(|t| Arc::from(t.id.get_ref().as_str()))
            .collect();
        for (i, t) in shared.tiers.iter().enumerate() {
            if tier_ids[..i].contains(&tier_ids[i]) || &*tier_ids[i] == "none" {
                self.d.error(
                    sf,
                    t.id.span().start,
                    format!("tier id `{}` is used twice or reserved", t.id.get_ref()),
                );
            }
        }

        // Programs, with their version range, in document order.
        let mut programs: Vec<ProgramSource> = Vec::new();
        for (f, doc) in &docs {
            for p in &doc.programs {
                let first = self.version_ref(*f, p.since.as_ref()).unwrap_or(0);
                let last = self
                    .version_ref(*f, p.until.as_ref())
                    .unwrap_or(versions.len() - 1);
                if programs
                    .iter()
                    .any(|q| q.def.id.get_ref() == p.id.get_ref())
                {
                    self.d.error(
                        *f,
                        p.id.span().start,
                        format!("program `{}` is defined twice", p.id.get_ref()),
                    );
                }
                if !is_id(p.id.get_ref()) {
                    self.d.error(
                        *f,
                        p.id.span().start,
                        "a program id is lower-case letters, digits and `_`",
                    );
                }
                programs.push(ProgramSource {
                    file: *f,
                    document: Arc::from(doc.id.get_ref().as_str()),
                    def: p,
                    first,
                    last,
                });
            }
        }
        let program_ids: Vec<Arc<str>> = programs
            .iter()
            .map(|p| Arc::from(p.def.id.get_ref().as_str()))
            .collect();
        if let Some((cf, c)) = &combining {
            for r in c
                .exclusive_groups
                .iter()
                .flat_map(|g| &g.programs)
                .chain(c.caps.iter().flat_map(|c| &c.programs))
            {
                if !program_ids.iter().any(|p| **p == **r.get_ref()) {
                    self.d.error(
                        *cf,
                        r.span().start,
                        format!("unknown program `{}`", r.get_ref()),
                    );
                }
            }
        }

        let mut compiled = Vec::new();
        for (
            vi,
            Dated {
                id,
                from,
                until,
                zh,
                en,
            },
        ) in versions.iter().enumerate()
        {
            let params = self.params(vi, &shared.params, &docs, &sets, &tier_ids, sf);
            let rules = self.rules(
                vi,
                sf,
                &shared,
                &programs,
                &params,
                &sets,
                &tier_ids,
                combining.as_ref(),
            );
            compiled.push(Version {
                id: id.clone(),
                zh: zh.to_string(),
                en: en.to_string(),
                from: *from,
                until: *until,
                rules,
            });
        }
        if self.d.has_errors() {
            return None;
        }
        for (vi, v) in compiled.iter().enumerate() {
            for w in super::analysis::unreachable_tier_rows(&v.rules) {
                let row = shared
                    .tiers
                    .iter()
                    .flat_map(|t| &t.rows)
                    .find(|r| **r.id.get_ref() == *w.row);
                let at = row.map_or(0, |r| r.id.span().start);
                self.d.at(
                    sf,
                    at,
                    Severity::Warning,
                    format!(
                        "tier row `{}` can never match in version {}: {}",
                        w.row, self.version_ids[vi], w.reason
                    ),
                );
            }
        }
        Some(Policy {
            source: src.path(""),
            documents: self.documents.clone(),
            versions: compiled,
            program_ids,
            warnings: Vec::new(),
        })
    }

    fn warn_unlisted_files(&mut self, src: &Source, shared: &SharedFile) {
        for n in src.toml_files() {
            let listed = n == SHARED_FILE
                || n == COMBINING_FILE
                || shared
                    .documents
                    .iter()
                    .any(|d| format!("{}.toml", d.get_ref()) == n);
            if !listed {
                self.d.files.push(SourceFile {
                    path: src.path(&n),
                    text: String::new(),
                });
                let i = self.d.files.len() - 1;
                self.d.at(
                    i,
                    0,
                    Severity::Warning,
                    format!("`{n}` is not read: list its id in `documents` of {SHARED_FILE}"),
                );
            }
        }
    }

    fn version_ref(&mut self, file: usize, v: Option<&Text>) -> Option<usize> {
        let v = v?;
        let i = self.version_ids.iter().position(|x| **x == **v.get_ref());
        if i.is_none() {
            self.d.error(
                file,
                v.span().start,
                format!(
                    "`{}` is not a version id (versions: {})",
                    v.get_ref(),
                    self.version_list()
                ),
            );
        }
        i
    }

    fn sets(&mut self, sf: usize, shared: &SharedFile) -> HashMap<String, SetValue> {
        let mut sets: HashMap<String, SetValue> = HashMap::new();
        for s in &shared.sets {
            let name = s.id.get_ref().clone();
            if sets.contains_key(&name) || Var::from_name(&name).is_some() {
                self.d.error(
                    sf,
                    s.id.span().start,
                    format!("set `{name}` is defined twice or clashes with a variable"),
                );
                continue;
            }
            if s.cite.is_some() {
                self.cite(sf, s.cite.as_ref(), None, 0);
            }
            let of = s.of.get_ref().as_str();
            let value = if of == "text" {
                let mut texts: Vec<Box<str>> = Vec::new();
                for inc in &s.include {
                    match sets.get(inc.get_ref()) {
                        Some(SetValue::Texts(t)) => texts.extend(t.iter().cloned()),
                        _ => self.d.error(
                            sf,
                            inc.span().start,
                            format!("`{}` is not a text list defined above", inc.get_ref()),
                        ),
                    }
                }
                texts.extend(s.values.iter().map(|v| Box::from(v.get_ref().trim())));
                SetValue::Texts(texts.into())
            } else if let Some(d) = domain_by_name(of) {
                let mut mask = 0u64;
                for inc in &s.include {
                    match sets.get(inc.get_ref()) {
                        Some(SetValue::Enum(d2, m)) if *d2 == d => mask |= m,
                        _ => self.d.error(
                            sf,
                            inc.span().start,
                            format!("`{}` is not a set of {of} defined above", inc.get_ref()),
                        ),
                    }
                }
                for v in &s.values {
                    match d.index_of(v.get_ref()) {
                        Some(i) => mask |= 1 << i,
                        None => {
                            let ids: Vec<&str> = d.values().iter().map(|x| x.id).collect();
                            self.d.error(
                                sf,
                                v.span().start,
                                format!(
                                    "`{}` is not a value of {of} (values: {})",
                                    v.get_ref(),
                                    ids.join(", ")
                                ),
                            );
                        }
                    }
                }
                SetValue::Enum(d, mask)
            } else {
                self.d.error(sf, s.of.span().start, format!("`of` is `text` or an enumeration: id_type, highest_degree, institution_tier, professional_title, honors, industry; not `{of}`"));
                continue;
            };
            sets.insert(name, value);
        }
        sets
    }

    /// Resolves every parameter for version `vi` to a constant.
    fn params(
        &mut self,
        vi: usize,
        shared: &[ParamDef],
        docs: &[(usize, DocumentFile)],
        sets: &HashMap<String, SetValue>,
        tiers: &[Arc<str>],
        sf: usize,
    ) -> HashMap<String, (Val<'static>, Ty)> {
        let mut out: HashMap<String, (Val<'static>, Ty)> = HashMap::new();
        let all = shared.iter().map(|p| (sf, p)).chain(
            docs.iter()
                .flat_map(|(f, d)| d.params.iter().map(move |p| (*f, p))),
        );
        for (file, p) in all {
            let name = p.id.get_ref();
            if out.contains_key(name)
                || sets.contains_key(name)
                || Var::from_name(name).is_some()
                || !is_id(name)
            {
                self.d.error(file, p.id.span().start, format!("parameter `{name}` is defined twice, clashes with a set or variable, or is not a lower-case id"));
                continue;
            }
            if p.cite.is_some() {
                self.cite(file, p.cite.as_ref(), None, 0);
            }
            let Some((text, span)) = self.pick(file, &p.value, vi) else {
                continue;
            };
            let empty = HashMap::new();
            let scope = Scope::fixed(&empty, sets, tiers);
            let node = parse(&text);
            let ty = match &node {
                Ok(n) => {
                    let mut c = Checker {
                        scope: &scope,
                        problems: Vec::new(),
                    };
                    c.check(n, None)
                        .map(|(_, t)| t)
                        .filter(|_| c.problems.is_empty())
                }
                Err(_) => None,
            };
            let Some(ty) = ty else {
                self.expression(
                    Located {
                        file,
                        span: span.clone(),
                        text: &text,
                    },
                    &scope,
                    Ty::Num,
                );
                continue;
            };
            match self.expression(Located { file, span, text: &text }, &scope, ty) {
                Some(Expr::Const(v)) => {
                    out.insert(name.clone(), (v, ty));
                }
                Some(_) => self.d.error(file, p.value.span().start, "a parameter is a fixed value (a number, percentage, date or months), not a rule on the profile"),
                None => {}
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn rules(
        &mut self,
        vi: usize,
        sf: usize,
        shared: &SharedFile,
        programs: &[ProgramSource],
        params: &HashMap<String, (Val<'static>, Ty)>,
        sets: &HashMap<String, SetValue>,
        tier_ids: &[Arc<str>],
        combining: Option<&(usize, CombiningFile)>,
    ) -> Rules {
        // Talent tiers: rows may not use the tier itself.
        let tier_scope = Scope {
            sections: None,
            ..Scope::fixed(params, sets, tier_ids)
        };
        let mut tiers = Vec::new();
        for t in &shared.tiers {
            let mut rows = Vec::new();
            for r in &t.rows {
                let cite = self.cite(sf, r.cite.as_ref(), None, r.id.span().start);
                if let Some((source, when)) = self.rule_expr(sf, r, vi, &tier_scope) {
                    rows.push(TierRow {
                        id: Arc::from(r.id.get_ref().as_str()),
                        zh: r.zh.clone(),
                        en: r.en.clone(),
                        cite,
                        source,
                        when,
                    });
                }
            }
            tiers.push(Tier {
                id: Arc::from(t.id.get_ref().as_str()),
                zh: t.zh.clone(),
                en: t.en.clone(),
                rows,
            });
        }

        let mut compiled: Vec<Program> = Vec::new();
        let mut in_force: Vec<Arc<str>> = Vec::new();
        for ps in programs.iter().filter(|p| (p.first..=p.last).contains(&vi)) {
            if let Some(p) = self.program(vi, ps, params, sets, tier_ids, &in_force) {
                in_force.push(p.id.clone());
                compiled.push(p);
            }
        }

        let mut exclusive_groups = Vec::new();
        let mut caps = Vec::new();
        if let Some((cf, c)) = combining {
            let index = |ids: &[Text]| -> Vec<usize> {
                ids.iter()
                    .filter_map(|r| compiled.iter().position(|p| *p.id == **r.get_ref()))
                    .collect()
            };
            for g in &c.exclusive_groups {
                let cite = self.cite(*cf, g.cite.as_ref(), None, g.id.span().start);
                if g.programs.len() < 2 {
                    self.d.error(
                        *cf,
                        g.id.span().start,
                        "a no-double-funding group names at least two programs",
                    );
                }
                exclusive_groups.push(ExclusiveGroup {
                    id: Arc::from(g.id.get_ref().as_str()),
                    zh: g.zh.clone(),
                    en: g.en.clone(),
                    cite,
                    programs: index(&g.programs),
                });
            }
            for cap in &c.caps {
                let cite = self.cite(*cf, cap.cite.as_ref(), None, cap.id.span().start);
                let programs = match (cap.all_programs, cap.programs.is_empty()) {
                    (true, true) => (0..compiled.len()).collect(),
                    (false, false) => index(&cap.programs),
                    _ => {
                        self.d.error(
                            *cf,
                            cap.id.span().start,
                            "a cap lists its `programs` or sets `all_programs = true`, not both",
                        );
                        Vec::new()
                    }
                };
                let scope = Scope::fixed(params, sets, tier_ids);
                let Some((text, span)) = self.pick(*cf, &cap.max, vi) else {
                    continue;
                };
                let max = match self.expression(
                    Located {
                        file: *cf,
                        span,
                        text: &text,
                    },
                    &scope,
                    Ty::Num,
                ) {
                    Some(Expr::Const(Val::Num(n))) if n >= rust_decimal::Decimal::ZERO => n,
                    Some(_) => {
                        self.d.error(
                            *cf,
                            cap.max.span().start,
                            "a cap is a fixed amount of 0 or more",
                        );
                        continue;
                    }
                    None => continue,
                };
                caps.push(Cap {
                    id: Arc::from(cap.id.get_ref().as_str()),
                    zh: cap.zh.clone(),
                    en: cap.en.clone(),
                    cite,
                    programs,
                    max,
                });
            }
        }
        let mut parameters: Vec<(Arc<str>, Val<'static>)> = params
            .iter()
            .map(|(k, (v, _))| (Arc::from(k.as_str()), *v))
            .collect();
        parameters.sort_by(|a, b| a.0.cmp(&b.0));
        Rules {
            parameters,
            tiers,
            programs: compiled,
            exclusive_groups,
            caps,
        }
    }

    fn rule_expr(
        &mut self,
        file: usize,
        r: &RuleDef,
        vi: usize,
        scope: &Scope,
    ) -> Option<(String, Expr)> {
        let (text, span) = self.pick(file, &r.when, vi)?;
        let e = self.expression(
            Located {
                file,
                span,
                text: &text,
            },
            scope,
            Ty::Bool,
        )?;
        Some((text.trim().to_string(), e))
    }

    fn program(
        &mut self,
        vi: usize,
        ps: &ProgramSource,
        params: &HashMap<String, (Val<'static>, Ty)>,
        sets: &HashMap<String, SetValue>,
        tier_ids: &[Arc<str>],
        earlier: &[Arc<str>],
    ) -> Option<Program> {
        let (f, p) = (ps.file, ps.def);
        let mut needs = Vec::new();
        for n in &p.needs {
            match Section::from_path(n.get_ref()) {
                Some(s) if !needs.contains(&s) => needs.push(s),
                _ => {
                    let all: Vec<&str> = Section::ALL.iter().map(|s| s.path()).collect();
                    self.d.error(f, n.span().start, format!("`{}` is not a section a program can need, or is listed twice (sections: {})", n.get_ref(), all.join(", ")));
                }
            }
        }
        let own_cite = p
            .cite
            .as_ref()
            .map(|c| self.cite(f, Some(c), None, c.span().start));
        let scope = Scope {
            earlier_programs: earlier,
            allow_first_time: true,
            allow_tier: true,
            sections: Some(&needs),
            ..Scope::fixed(params, sets, tier_ids)
        };
        let mut conditions = Vec::new();
        let mut ok = true;
        for c in &p.conditions {
            if conditions
                .iter()
                .any(|x: &Condition| *x.id == **c.id.get_ref())
                || !is_id(c.id.get_ref())
            {
                self.d.error(
                    f,
                    c.id.span().start,
                    format!(
                        "condition id `{}` is used twice in this program or is not a lower-case id",
                        c.id.get_ref()
                    ),
                );
            }
            let cite = self.cite(f, c.cite.as_ref(), own_cite.as_ref(), c.id.span().start);
            let Some((source, expr)) = self.rule_expr(f, c, vi, &scope) else {
                ok = false;
                continue;
            };
            if c.actionable && !is_actionable_shape(&expr) {
                self.d.error(f, c.when.span().start, "an actionable condition compares one number field of the profile with a threshold (`startup.founder_equity_pct >= 30`) or is one yes/no field");
            }
            let mut lv = Vec::new();
            leaves(&expr, &mut lv);
            conditions.push(Condition {
                id: Arc::from(c.id.get_ref().as_str()),
                zh: c.zh.clone(),
                en: c.en.clone(),
                cite,
                source,
                expr,
                actionable: c.actionable,
                leaves: lv,
            });
        }
        if p.conditions.is_empty() {
            self.d
                .error(f, p.id.span().start, "a program has at least one condition");
        }

        let a = &p.amount;
        let amount_cite = self.cite(f, a.cite.as_ref(), own_cite.as_ref(), p.id.span().start);
        let amount = self.pick(f, &a.value, vi).and_then(|(text, span)| {
            let e = self.expression(
                Located {
                    file: f,
                    span,
                    text: &text,
                },
                &scope,
                Ty::Num,
            )?;
            Some(Amount {
                zh: a.zh.clone(),
                en: a.en.clone(),
                cite: amount_cite,
                source: text.trim().to_string(),
                expr: e,
            })
        });

        let review = match &p.review {
            None => Some(None),
            Some(r) => {
                let cite = self.cite(f, r.cite.as_ref(), own_cite.as_ref(), p.id.span().start);
                let review_scope = Scope {
                    allow_amount: true,
                    allow_first_time: false,
                    ..scope
                };
                self.pick(f, &r.when, vi).and_then(|(text, span)| {
                    let e = self.expression(
                        Located {
                            file: f,
                            span,
                            text: &text,
                        },
                        &review_scope,
                        Ty::Bool,
                    )?;
                    Some(Some(Review {
                        zh: r.zh.clone(),
                        en: r.en.clone(),
                        cite,
                        source: text.trim().to_string(),
                        when: e,
                    }))
                })
            }
        };

        let mut installments = Vec::new();
        let (mut num, mut den) = (0i128, 1i128);
        for i in &p.installments {
            match share(i.share.get_ref()) {
                Some((n, d)) => {
                    num = num * i128::from(d) + i128::from(n) * den;
                    den *= i128::from(d);
                    installments.push(Installment { share: scalar_text(i.share.get_ref()).trim().to_string(), numerator: n, denominator: d, zh: i.zh.clone(), en: i.en.clone() });
                }
                None => self.d.error(f, i.share.span().start, "a share is a fraction such as \"1/3\", a percentage such as \"40%\", or a decimal such as \"0.5\", above 0 and at most 1"),
            }
        }
        if installments.len() == p.installments.len() && num != den {
            let at = p
                .installments
                .first()
                .map_or(p.id.span().start, |i| i.share.span().start);
            self.d.error(
                f,
                at,
                format!(
                    "the installment shares of `{}` add up to {num}/{den}, not exactly 1",
                    p.id.get_ref()
                ),
            );
        }
        if p.installments.is_empty() {
            self.d.error(
                f,
                p.id.span().start,
                "a program has at least one [[program.installment]]",
            );
        }

        if !ok {
            return None;
        }
        Some(Program {
            id: Arc::from(p.id.get_ref().as_str()),
            document: ps.document.clone(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            needs,
            conditions,
            amount: amount?,
            review: review?,
            installments,
            json_parts: Default::default(),
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
