//! The loader's unit check: it refuses an expression that adds, subtracts, compares or takes
//! the least or greatest of two quantities in different units (months and yuan).

use super::compile::{Problem, Scope};
use super::expr::{BinOp, Node, NodeKind};
use super::fields::Var;
use crate::units::Unit;

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
                None => crate::input::fields::unit_of(name),
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
