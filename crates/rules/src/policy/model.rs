//! The compiled policy: what the loader builds once and the engine evaluates many times.
//! Every expression here has been type-checked; parameters and version-dependent values are
//! already resolved for the version the rules belong to.

use super::expr::BinOp;
use super::fields::{Section, Var};
use super::value::{Shown, ShownText, Val};
use crate::applicant::Domain;
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::Arc;

/// A typed, compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Val<'static>),
    Text(Box<str>),
    /// An index into [`super::fields::FIELDS`].
    Field(usize),
    Var(Var),
    /// Whether every condition of an earlier program (an index into the version's programs)
    /// held, before any combination rule.
    ConditionsMet(usize),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`.
    Compare(BinOp, Box<Expr>, Box<Expr>),
    /// An enumeration value in a set; `negated` for `not in`.
    InSet {
        elem: Box<Expr>,
        set: Box<Expr>,
        negated: bool,
    },
    /// A text in a list of texts (compared exactly after trimming).
    InTexts {
        elem: Box<Expr>,
        list: Arc<[Box<str>]>,
        negated: bool,
    },
    Arith(BinOp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Min(Vec<Expr>),
    Max(Vec<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The profile field this expression reads directly, if it is one.
    pub fn as_field(&self) -> Option<usize> {
        match self {
            Expr::Field(i) => Some(*i),
            _ => None,
        }
    }
}

/// A located reference to a policy document and article, as `jinying 第五条`.
pub type Citation = Arc<str>;

#[derive(Debug, Clone)]
pub struct Document {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
}

#[derive(Debug)]
pub struct Policy {
    /// The folder the policy was read from.
    pub source: PathBuf,
    pub documents: Vec<Document>,
    /// In date order, not overlapping.
    pub versions: Vec<Version>,
    /// Every program id in any version, in first-seen order.
    pub program_ids: Vec<Arc<str>>,
    /// Problems that do not stop loading (an unreachable tier row, …).
    pub warnings: Vec<super::Diagnostic>,
    /// The materials that prove conditions, in the policy's order.
    pub materials: Vec<Material>,
    /// Every parameter's names and unit, in the files' order.
    pub parameters: Vec<ParamLabel>,
    /// Working days: the public holidays and make-up days of the years entered.
    pub calendar: crate::calendar::Calendar,
    /// The park's procedure: steps, roles, sign-off threshold, time limits.
    pub procedure: crate::procedure::Procedure,
    /// The office's letters: numbering, issuing office, each kind's wording.
    pub letters: crate::letters::Letters,
    /// How often each answer is seen (`prior.toml`, plus what the service has counted since:
    /// [`Policy::set_seen`]).
    pub prior: std::sync::RwLock<Arc<super::prior::Prior>>,
}

/// What people read about a parameter.
#[derive(Debug, Clone)]
pub struct ParamLabel {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub unit: Option<crate::units::Unit>,
    pub cite: String,
    /// A value per tier.
    pub by_tier: bool,
}

impl Policy {
    /// The unit of a parameter value (`startup_amount[C]` has `startup_amount`'s).
    pub fn parameter_unit(&self, name: &str) -> Option<crate::units::Unit> {
        let base = name.split('[').next().unwrap_or(name);
        self.parameters.iter().find(|p| &*p.id == base)?.unit
    }

    /// A parameter value's name in both languages: `startup_amount[C]` is
    /// “创业类项目资助额度（C类）”.
    pub fn parameter_words(&self, name: &str) -> crate::Msg {
        let (base, key) = match name.split_once('[') {
            Some((b, k)) => (b, Some(k.trim_end_matches(']'))),
            None => (name, None),
        };
        let label = self.parameters.iter().find(|p| &*p.id == base);
        let (zh, en) = label.map_or((base.to_string(), base.to_string()), |l| {
            (l.zh.clone(), l.en.clone())
        });
        match key {
            Some("others") => {
                crate::Msg::new(format!("{zh}（其他层次）"), format!("{en} (other tiers)"))
            }
            Some(k) => crate::Msg::new(format!("{zh}（{k}类）"), format!("{en} (tier {k})")),
            None => crate::Msg::new(zh, en),
        }
    }
}

/// A document an applicant supplies (申报材料).
#[derive(Debug, Clone)]
pub struct Material {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub what_zh: String,
    pub what_en: String,
    /// `pdf`, `jpeg`, `png`.
    pub files: Vec<String>,
    pub cite: Citation,
    /// The answers it is proof of (indexes into [`super::fields::FIELDS`]); empty: it proves
    /// the condition as a whole. A material whose every answer is "none" (no title, nothing
    /// ticked, no) is not asked for.
    pub shows: Vec<usize>,
}

impl Material {
    /// Whether the material may still be wanted of a person with `profile`, whose answers at
    /// the paths `unknown` names are not known: it shows no particular answer, or one of its
    /// answers is unknown or is something (not "none", not no, not zero, not nothing ticked).
    pub fn may_be_held(
        &self,
        profile: &crate::applicant::Profile,
        unknown: impl Fn(&str) -> bool,
    ) -> bool {
        use super::value::Val;
        self.shows.is_empty()
            || self.shows.iter().any(|&i| {
                let f = &super::fields::FIELDS[i];
                if unknown(f.path) {
                    return true;
                }
                match (f.get)(profile) {
                    None | Some(Val::Bool(false)) | Some(Val::Set(_, 0)) => false,
                    Some(Val::Num(n)) => !n.is_zero(),
                    Some(Val::Enum(d, v)) => d
                        .values()
                        .get(usize::from(v))
                        .is_some_and(|x| x.id != "none"),
                    Some(_) => true,
                }
            })
    }
}

impl Policy {
    /// The materials the given programs of `rules` (indexes) need, each once, in the
    /// policy's order of materials, with the programs that need it. A program needs what
    /// proves its conditions, and what proves the conditions of a program whose conditions
    /// it requires (`conditions_met(…)`).
    pub fn checklist<'p>(
        &'p self,
        rules: &'p Rules,
        programs: &[usize],
    ) -> Vec<(&'p Material, Vec<&'p Program>)> {
        self.checklist_for(rules, programs, |_| true)
    }

    /// The checklist of the materials `held` admits (see [`Material::may_be_held`]).
    pub fn checklist_for<'p>(
        &'p self,
        rules: &'p Rules,
        programs: &[usize],
        held: impl Fn(&Material) -> bool,
    ) -> Vec<(&'p Material, Vec<&'p Program>)> {
        fn needs(rules: &Rules, p: usize, out: &mut Vec<usize>, depth: usize) {
            let Some(program) = rules.programs.get(p) else {
                return;
            };
            for c in &program.conditions {
                out.extend(c.proof.iter().copied());
                if let (Expr::ConditionsMet(q), true) = (&c.expr, depth < 8) {
                    needs(rules, *q, out, depth + 1);
                }
            }
        }
        let wanted: Vec<(usize, Vec<usize>)> = programs
            .iter()
            .map(|&p| {
                let mut m = Vec::new();
                needs(rules, p, &mut m, 0);
                (p, m)
            })
            .collect();
        self.materials
            .iter()
            .enumerate()
            .filter(|(_, m)| held(m))
            .filter_map(|(mi, m)| {
                let needing: Vec<&Program> = wanted
                    .iter()
                    .filter(|(_, ms)| ms.contains(&mi))
                    .filter_map(|(p, _)| rules.programs.get(*p))
                    .collect();
                (!needing.is_empty()).then_some((m, needing))
            })
            .collect()
    }
}

#[derive(Debug)]
pub struct Version {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub from: NaiveDate,
    /// Last day in force; `None` when open-ended.
    pub until: Option<NaiveDate>,
    pub rules: Rules,
}

impl Version {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|u| date <= u)
    }
}

/// Everything the engine needs for one version.
#[derive(Debug)]
pub struct Rules {
    /// The parameters' values in this version, by name.
    pub parameters: Vec<(Arc<str>, Val<'static>)>,
    pub tiers: Vec<Tier>,
    pub programs: Vec<Program>,
    pub exclusive_groups: Vec<ExclusiveGroup>,
    pub caps: Vec<Cap>,
}

impl Rules {
    /// The id of value `i` of a domain (talent tiers: the policy's ids, then `none`).
    pub fn value_name(&self, d: Domain, i: u8) -> &str {
        if d == Domain::Tier {
            return self.tiers.get(i as usize).map_or("none", |t| &t.id);
        }
        d.values().get(i as usize).map_or("?", |v| v.id)
    }

    /// A shown value as plain text, for explanations.
    pub fn render(&self, shown: &Shown) -> String {
        let names = |d, i| self.value_name(d, i);
        ShownText {
            shown,
            names: &names,
        }
        .to_string()
    }
}

#[derive(Debug)]
pub struct Tier {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub rows: Vec<TierRow>,
}

#[derive(Debug)]
pub struct TierRow {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    pub source: String,
    pub when: Expr,
}

#[derive(Debug)]
pub struct Program {
    pub id: Arc<str>,
    pub document: Arc<str>,
    pub zh: String,
    pub en: String,
    pub needs: Vec<Section>,
    pub conditions: Vec<Condition>,
    pub amount: Amount,
    pub review: Option<Review>,
    pub installments: Vec<Installment>,
    /// A slot where the report writer keeps the parts of a result's JSON that depend only on
    /// this program (ids, names, citations, already escaped), filled on first use.
    pub json_parts: std::sync::OnceLock<JsonParts>,
}

/// Pre-escaped pieces of JSON text for one condition.
#[derive(Debug, Default)]
pub struct ConditionParts {
    pub head: String,
    pub tail: String,
    /// For a requirement that is the same for every profile: its JSON, once written.
    pub fixed_requirement: Option<std::sync::OnceLock<String>>,
}

/// Pre-escaped pieces of JSON text for one program; the report module decides what they hold.
#[derive(Debug, Default)]
pub struct JsonParts {
    pub head: String,
    pub conditions: Vec<ConditionParts>,
    pub installments: Vec<String>,
    pub tail: String,
}

#[derive(Debug)]
pub struct Condition {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    /// The expression as written in the policy file.
    pub source: String,
    pub expr: Expr,
    /// The policy marks the condition as one the applicant can act on; then `expr` is
    /// `field OP threshold` on a numeric or yes/no field (checked at load).
    pub actionable: bool,
    /// The fields and variables the expression reads, for the explanation of a condition
    /// that is not a single comparison.
    pub leaves: Vec<(String, Expr)>,
    /// The materials (indexes into [`Policy::materials`]) that prove it.
    pub proof: Vec<usize>,
}

#[derive(Debug)]
pub struct Amount {
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    pub source: String,
    pub expr: Expr,
}

#[derive(Debug)]
pub struct Review {
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    pub source: String,
    pub when: Expr,
}

/// One installment: an exact fraction of the amount.
#[derive(Debug, Clone)]
pub struct Installment {
    /// The share as written in the policy (`"1/3"`, `"40%"`).
    pub share: String,
    pub numerator: i64,
    pub denominator: i64,
    pub zh: String,
    pub en: String,
    /// Falls due this many months after approval; `None`: when its trigger happens.
    pub after_months: Option<u32>,
}

/// No double funding: of the eligible programs, only the one with the largest amount is
/// granted; on a tie, the one listed first.
#[derive(Debug)]
pub struct ExclusiveGroup {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    /// Indexes into the version's programs, in the group's order.
    pub programs: Vec<usize>,
}

/// The programs together get at most `max`, served in the order listed.
#[derive(Debug)]
pub struct Cap {
    pub id: Arc<str>,
    pub zh: String,
    pub en: String,
    pub cite: Citation,
    pub programs: Vec<usize>,
    pub max: rust_decimal::Decimal,
}
