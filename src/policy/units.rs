//! What a number measures. Parameters name their unit (`unit = "yuan"`); profile fields and
//! variables have theirs. The loader refuses an expression that adds, subtracts, compares or
//! takes the least or greatest of two quantities in different units (months and yuan), and
//! the policy browser and the draft form show each parameter's unit.

use super::compile::{Problem, Scope};
use super::expr::{BinOp, Node, NodeKind};
use super::fields::Var;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Yuan,
    YuanPerMonth,
    YuanPerSqmPerMonth,
    Sqm,
    Months,
    Years,
    Percent,
    /// A multiplier such as an uplift of 1.2.
    Factor,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Yuan,
        Unit::YuanPerMonth,
        Unit::YuanPerSqmPerMonth,
        Unit::Sqm,
        Unit::Months,
        Unit::Years,
        Unit::Percent,
        Unit::Factor,
    ];

    /// As written in a policy file; `m2` is accepted for `m²`.
    pub fn id(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::YuanPerMonth => "yuan/month",
            Unit::YuanPerSqmPerMonth => "yuan/m²/month",
            Unit::Sqm => "m²",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::Percent => "%",
            Unit::Factor => "factor",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        let t = text.trim().replace("m2", "m²");
        Self::ALL.into_iter().find(|u| u.id() == t)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::YuanPerMonth => "元/月",
            Unit::YuanPerSqmPerMonth => "元/平方米/月",
            Unit::Sqm => "平方米",
            Unit::Months => "个月",
            Unit::Years => "年",
            Unit::Percent => "%",
            Unit::Factor => "倍",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::YuanPerMonth => "yuan a month",
            Unit::YuanPerSqmPerMonth => "yuan per m² a month",
            Unit::Sqm => "m²",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::Percent => "%",
            Unit::Factor => "times",
        }
    }

    /// Every unit, for the message that refuses an unknown one.
    pub fn list() -> String {
        Self::ALL.map(Unit::id).join(", ")
    }
}

/// The unit of a profile field, from the form's description of it.
fn field_unit(path: &str) -> Option<Unit> {
    use crate::input::fields::{Kind, field};
    let spec = field(path)?;
    match spec.kind {
        Kind::Money => Some(Unit::Yuan),
        Kind::Area => Some(Unit::Sqm),
        Kind::Percent => Some(Unit::Percent),
        Kind::Count if path.contains("months") => Some(Unit::Months),
        Kind::Count => Some(Unit::Years),
        _ => None,
    }
}

/// The unit of an expression where it is plain: a name with a unit, a table entry, the sum or
/// the least of quantities in one unit. `None` where it is not known (a bare number, a
/// product).
fn unit_of(n: &Node, scope: &Scope, problems: &mut Vec<Problem>) -> Option<Unit> {
    match &n.kind {
        NodeKind::Name(name) | NodeKind::Index(name, _) => {
            if let NodeKind::Index(_, key) = &n.kind {
                unit_of(key, scope, problems);
            }
            if let Some(u) = scope.params.units.get(name) {
                return Some(*u);
            }
            match Var::from_name(name) {
                Some(Var::Age) => Some(Unit::Years),
                Some(Var::AnnualSalary) => Some(Unit::Yuan),
                Some(_) => None,
                None => field_unit(name),
            }
        }
        NodeKind::Binary(op, l, r) => {
            let (lu, ru) = (unit_of(l, scope, problems), unit_of(r, scope, problems));
            match op {
                BinOp::Add | BinOp::Sub | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    same(n, lu, ru, problems)
                }
                _ => None,
            }
            .filter(|_| matches!(op, BinOp::Add | BinOp::Sub))
        }
        NodeKind::Call(f, args) if f == "min" || f == "max" => {
            let mut out = None;
            for a in args {
                let u = unit_of(a, scope, problems);
                out = same(n, out, u, problems).or(out).or(u);
            }
            out
        }
        NodeKind::If(c, t, e) => {
            unit_of(c, scope, problems);
            let (tu, eu) = (unit_of(t, scope, problems), unit_of(e, scope, problems));
            same(n, tu, eu, problems)
        }
        NodeKind::Call(_, args) | NodeKind::List(args) => {
            for a in args {
                unit_of(a, scope, problems);
            }
            None
        }
        NodeKind::Not(x) | NodeKind::Neg(x) => unit_of(x, scope, problems),
        _ => None,
    }
}

/// Two units that must agree: the common one, or a problem at `at`.
fn same(at: &Node, a: Option<Unit>, b: Option<Unit>, problems: &mut Vec<Problem>) -> Option<Unit> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => {
            problems.push((
                at.span,
                super::Msg::new(
                    format!("单位不一致：{}与{}不能相加、相减或比较", x.zh(), y.zh()),
                    format!(
                        "units differ: {} and {} cannot be added, subtracted or compared",
                        x.en(),
                        y.en()
                    ),
                ),
            ));
            None
        }
        (x, y) => x.or(y),
    }
}

/// The problems of units in an expression.
pub fn check_units(n: &Node, scope: &Scope) -> Vec<Problem> {
    let mut problems = Vec::new();
    unit_of(n, scope, &mut problems);
    problems
}
