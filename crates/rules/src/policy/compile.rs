//! Type checking: turns a parsed expression into a compiled [`Expr`], resolving every name,
//! checking every operator's operand types, and folding what is constant. Problems are
//! collected (with the span of the offending part), not stopped at.

use super::diagnostic::Msg;
use super::expr::{BinOp, Node, NodeKind, Span};
use super::fields::{FIELDS, Section, Var, field_index};
use super::model::Expr;
use super::value::{Ty, Val, arith, equal, order};
use crate::applicant::Domain;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

mod calls;

/// A named set from the shared definitions.
#[derive(Debug, Clone)]
pub enum SetValue {
    Enum(Domain, u64),
    Texts(Arc<[Box<str>]>),
}

/// A parameter's values by tier: each entry's tier id (`None`: `others`) and value.
pub type TierTable = Vec<(Option<Arc<str>>, Val<'static>)>;

/// The parameters of one version: values, tables by tier, and units.
#[derive(Debug, Default)]
pub struct ParamSet {
    pub values: HashMap<String, (Val<'static>, Ty)>,
    /// Parameters by tier: each entry's tier id (`None`: `others`, every tier not listed)
    /// and value, in the file's order.
    pub tables: HashMap<String, TierTable>,
    pub units: HashMap<String, crate::units::Unit>,
}

impl ParamSet {
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.tables.contains_key(name)
    }
}

/// What names mean where an expression is checked.
pub struct Scope<'a> {
    pub params: &'a ParamSet,
    pub sets: &'a HashMap<String, SetValue>,
    /// Tier ids in order; `none` follows them.
    pub tiers: &'a [Arc<str>],
    /// Programs whose `conditions_met(…)` may be asked (those listed before this one).
    pub earlier_programs: &'a [Arc<str>],
    pub allow_first_time: bool,
    pub allow_amount: bool,
    /// Tier rows cannot read the tier they define.
    pub allow_tier: bool,
    /// The sections the program needs; a field outside them is an error. `None`: any field.
    pub sections: Option<&'a [Section]>,
}

impl<'a> Scope<'a> {
    /// A scope for values that read nothing of the profile (parameters and caps); other
    /// scopes start from it and allow more.
    pub fn fixed(
        params: &'a ParamSet,
        sets: &'a HashMap<String, SetValue>,
        tiers: &'a [Arc<str>],
    ) -> Self {
        Scope {
            params,
            sets,
            tiers,
            earlier_programs: &[],
            allow_first_time: false,
            allow_amount: false,
            allow_tier: false,
            sections: Some(&[]),
        }
    }
}

pub type Problem = (Span, Msg);

pub struct Checker<'a> {
    pub scope: &'a Scope<'a>,
    pub problems: Vec<Problem>,
}

fn num(n: Decimal) -> Expr {
    Expr::Const(Val::Num(n))
}

fn is_const(e: &Expr) -> Option<Val<'static>> {
    match e {
        Expr::Const(v) => Some(*v),
        _ => None,
    }
}

/// Whether a node is a bare name that the scope cannot resolve on its own (an enumeration
/// value such as `doctorate`, whose domain comes from the other operand).
impl Checker<'_> {
    fn is_free_name(&self, n: &Node) -> bool {
        match &n.kind {
            NodeKind::Name(name) => {
                !name.contains('.')
                    && field_index(name).is_none()
                    && Var::from_name(name).is_none()
                    && !self.scope.params.contains(name)
                    && !self.scope.sets.contains_key(name)
            }
            NodeKind::List(_) => true,
            _ => false,
        }
    }

    fn problem(&mut self, span: Span, msg: impl Into<Msg>) {
        self.problems.push((span, msg.into()));
    }

    fn enum_value(&self, d: Domain, name: &str) -> Option<u8> {
        if d == Domain::Tier {
            if name == "none" {
                return Some(self.scope.tiers.len() as u8);
            }
            return self
                .scope
                .tiers
                .iter()
                .position(|t| &**t == name)
                .map(|i| i as u8);
        }
        d.index_of(name)
    }

    fn domain_ids(&self, d: Domain) -> String {
        if d == Domain::Tier {
            let mut ids: Vec<&str> = self.scope.tiers.iter().map(|t| &**t).collect();
            ids.push("none");
            return ids.join(", ");
        }
        d.values()
            .iter()
            .map(|v| v.id)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks `node`, expecting type `expect` when the context knows it.
    pub fn check(&mut self, node: &Node, expect: Option<Ty>) -> Option<(Expr, Ty)> {
        let (expr, ty) = self.infer(node, expect)?;
        if let Some(want) = expect
            && want != ty
        {
            self.problem(
                node.span,
                Msg::new(
                    format!("此处应为{}，但这是{}", want.zh(), ty.zh()),
                    format!("expected {want}, but this is {ty}"),
                ),
            );
            return None;
        }
        Some((expr, ty))
    }

    fn infer(&mut self, node: &Node, expect: Option<Ty>) -> Option<(Expr, Ty)> {
        let span = node.span;
        match &node.kind {
            NodeKind::Number(n) => Some((num(*n), Ty::Num)),
            NodeKind::Months(m) => Some((Expr::Const(Val::Months(*m)), Ty::Months)),
            NodeKind::Bool(b) => Some((Expr::Const(Val::Bool(*b)), Ty::Bool)),
            NodeKind::Text(t) => Some((Expr::Text(t.trim().into()), Ty::Text)),
            NodeKind::Name(name) => self.name(name, span, expect),
            NodeKind::List(items) => self.list(items, span, expect),
            NodeKind::Call(f, args) => self.call(f, args, span),
            NodeKind::Index(name, key) => self.index(name, key, span, expect),
            NodeKind::Not(inner) => {
                let (e, _) = self.check(inner, Some(Ty::Bool))?;
                Some((
                    match e {
                        Expr::Const(Val::Bool(b)) => Expr::Const(Val::Bool(!b)),
                        e => Expr::Not(Box::new(e)),
                    },
                    Ty::Bool,
                ))
            }
            NodeKind::Neg(inner) => {
                let (e, _) = self.check(inner, Some(Ty::Num))?;
                Some((
                    match e {
                        Expr::Const(Val::Num(n)) => num(-n),
                        e => Expr::Neg(Box::new(e)),
                    },
                    Ty::Num,
                ))
            }
            NodeKind::If(c, t, e) => {
                let c = self.check(c, Some(Ty::Bool));
                let t = self.check(t, expect);
                let e = match &t {
                    Some((_, ty)) => self.check(e, Some(*ty)),
                    None => self.check(e, expect),
                };
                let ((c, _), (t, ty), (e, _)) = (c?, t?, e?);
                Some((
                    match c {
                        Expr::Const(Val::Bool(true)) => t,
                        Expr::Const(Val::Bool(false)) => e,
                        c => Expr::If(Box::new(c), Box::new(t), Box::new(e)),
                    },
                    ty,
                ))
            }
            NodeKind::Binary(op, l, r) => self.binary(*op, l, r, span),
        }
    }

    /// `table[key]`: the entry for the key's value, as the chain `if key == A then … else …`
    /// that the rest of the engine already evaluates, explains and screens.
    fn index(
        &mut self,
        name: &str,
        key: &Node,
        span: Span,
        expect: Option<Ty>,
    ) -> Option<(Expr, Ty)> {
        let Some(entries) = self.scope.params.tables.get(name) else {
            self.problem(
                span,
                Msg::new(
                    format!("`{name}` 不是按层次取值的参数（`by = \"tier\"`）"),
                    format!("`{name}` is not a parameter with a value per tier (`by = \"tier\"`)"),
                ),
            );
            return None;
        };
        if !matches!(&key.kind, NodeKind::Name(k) if k == "tier") {
            self.problem(
                key.span,
                Msg::new(
                    format!("`{name}[…]` 按人才层次取值：应写 `{name}[tier]`"),
                    format!("`{name}[…]` is read with the tier: `{name}[tier]`"),
                ),
            );
            return None;
        }
        let leaf = |v: &Val<'static>| -> Option<Node> {
            let kind = match v {
                Val::Num(n) => NodeKind::Number(*n),
                Val::Months(m) => NodeKind::Months(*m),
                _ => return None,
            };
            Some(Node { kind, span })
        };
        let (others, listed): (Vec<_>, Vec<_>) = entries.iter().partition(|(k, _)| k.is_none());
        let mut chain = match others.first().or(listed.last()) {
            Some((_, v)) => leaf(v)?,
            None => return None,
        };
        let skip_last = usize::from(others.is_empty());
        for (k, v) in listed.iter().rev().skip(skip_last) {
            let k = k.as_deref().unwrap_or_default();
            let test = Node {
                kind: NodeKind::Binary(
                    BinOp::Eq,
                    Box::new(key.clone()),
                    Box::new(Node {
                        kind: NodeKind::Name(k.to_string()),
                        span,
                    }),
                ),
                span,
            };
            chain = Node {
                kind: NodeKind::If(Box::new(test), Box::new(leaf(v)?), Box::new(chain)),
                span,
            };
        }
        self.check(&chain, expect)
    }

    fn name(&mut self, name: &str, span: Span, expect: Option<Ty>) -> Option<(Expr, Ty)> {
        if name.contains('.') || field_index(name).is_some() {
            let Some(i) = field_index(name) else {
                let known: Vec<&str> = FIELDS.iter().map(|f| f.path).collect();
                self.problem(
                    span,
                    Msg::new(
                        format!("未知字段 `{name}`；字段有：{}", known.join(", ")),
                        format!("unknown field `{name}`; fields: {}", known.join(", ")),
                    ),
                );
                return None;
            };
            let f = &FIELDS[i];
            if let (Some(sections), Some(section)) = (self.scope.sections, f.section)
                && !sections.contains(&section)
                && !sections.iter().any(|s| s.parent() == Some(section))
            {
                self.problem(
                    span,
                    Msg::new(
                        format!(
                            "`{name}` 属于 `{}`，而本项目的 `needs` 没有列出它",
                            section.path()
                        ),
                        format!(
                            "`{name}` lies in `{}`, which this program does not list in `needs`",
                            section.path()
                        ),
                    ),
                );
                return None;
            }
            return Some((Expr::Field(i), f.ty));
        }
        if let Some(var) = Var::from_name(name) {
            let allowed = match var {
                Var::FirstTime => self.scope.allow_first_time,
                Var::Amount => self.scope.allow_amount,
                Var::Tier => self.scope.allow_tier,
                _ => true,
            };
            if !allowed {
                let place = match var {
                    Var::Amount => "a program's review rule",
                    Var::Tier => "programs, not in tier rows or caps",
                    _ => "a program's conditions",
                };
                self.problem(
                    span,
                    Msg::new(
                        format!("`{name}` 不能用在这里（只能用于{place}）"),
                        format!("`{name}` can only be used in {place}"),
                    ),
                );
                return None;
            }
            return Some((Expr::Var(var), var.ty()));
        }
        if self.scope.params.tables.contains_key(name) {
            self.problem(
                span,
                Msg::new(
                    format!("`{name}` 按人才层次取值：应写 `{name}[tier]`"),
                    format!("`{name}` has a value per tier: write `{name}[tier]`"),
                ),
            );
            return None;
        }
        if let Some((v, ty)) = self.scope.params.values.get(name) {
            return Some((Expr::Const(*v), *ty));
        }
        if let Some(set) = self.scope.sets.get(name) {
            return Some(match set {
                SetValue::Enum(d, mask) => (Expr::Const(Val::Set(*d, *mask)), Ty::Set(*d)),
                SetValue::Texts(list) => (
                    Expr::InTexts {
                        elem: Box::new(Expr::Const(Val::Bool(false))),
                        list: list.clone(),
                        negated: false,
                    },
                    Ty::TextSet,
                ),
            });
        }
        match expect {
            Some(Ty::Enum(d)) => match self.enum_value(d, name) {
                Some(i) => Some((Expr::Const(Val::Enum(d, i)), Ty::Enum(d))),
                None => {
                    self.problem(
                        span,
                        Msg::new(
                            format!(
                                "`{name}` 不是 {} 的取值（可选：{}）",
                                d.name(),
                                self.domain_ids(d)
                            ),
                            format!(
                                "`{name}` is not a value of {} (values: {})",
                                d.name(),
                                self.domain_ids(d)
                            ),
                        ),
                    );
                    None
                }
            },
            _ => {
                self.problem(span, Msg::new(format!("未知名称 `{name}`：不是此处可用的字段、变量、参数、集合或取值"), format!("unknown name `{name}`: not a field, variable, parameter, set or value that fits here")));
                None
            }
        }
    }

    fn list(&mut self, items: &[Node], span: Span, expect: Option<Ty>) -> Option<(Expr, Ty)> {
        match expect {
            Some(Ty::Set(d)) => {
                let mut mask = 0u64;
                for item in items {
                    match self.check(item, Some(Ty::Enum(d)))? {
                        (Expr::Const(Val::Enum(_, i)), _) => mask |= 1 << i,
                        _ => {
                            self.problem(
                                item.span,
                                Msg::new("列表中只能是固定的值", "a list holds fixed values only"),
                            );
                            return None;
                        }
                    }
                }
                Some((Expr::Const(Val::Set(d, mask)), Ty::Set(d)))
            }
            Some(Ty::TextSet) => {
                let mut texts: Vec<Box<str>> = Vec::new();
                for item in items {
                    match self.check(item, Some(Ty::Text))? {
                        (Expr::Text(t), _) => texts.push(t),
                        _ => {
                            self.problem(
                                item.span,
                                Msg::new("列表中只能是固定的文本", "a list holds fixed texts only"),
                            );
                            return None;
                        }
                    }
                }
                Some((
                    Expr::InTexts {
                        elem: Box::new(Expr::Const(Val::Bool(false))),
                        list: texts.into(),
                        negated: false,
                    },
                    Ty::TextSet,
                ))
            }
            _ => {
                self.problem(
                    span,
                    Msg::new(
                        "列表 [ … ] 只能写在 `in` 的右边",
                        "a list [ … ] can only stand on the right of `in`",
                    ),
                );
                None
            }
        }
    }
}

/// Applies a comparison operator; `None` for values that cannot be compared.
pub fn compare(op: BinOp, a: Val<'_>, b: Val<'_>) -> Option<bool> {
    use std::cmp::Ordering::*;
    Some(match op {
        BinOp::Eq => equal(a, b)?,
        BinOp::Ne => !equal(a, b)?,
        BinOp::Lt => order(a, b)? == Less,
        BinOp::Le => order(a, b)? != Greater,
        BinOp::Gt => order(a, b)? == Greater,
        BinOp::Ge => order(a, b)? != Less,
        _ => return None,
    })
}

/// The fields and variables an expression reads, each once, in reading order.
pub fn leaves(e: &Expr, out: &mut Vec<(String, Expr)>) {
    let mut add = |name: String, e: Expr| {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, e));
        }
    };
    match e {
        Expr::Field(i) => add(FIELDS[*i].path.to_string(), e.clone()),
        Expr::Var(v) => add(v.name().to_string(), e.clone()),
        Expr::Const(_) | Expr::Text(_) | Expr::ConditionsMet(_) => {}
        Expr::Not(a) | Expr::Neg(a) => leaves(a, out),
        Expr::InTexts { elem, .. } => leaves(elem, out),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
            leaves(a, out);
            leaves(b, out);
        }
        Expr::InSet { elem, set, .. } => {
            leaves(elem, out);
            leaves(set, out);
        }
        Expr::Min(v) | Expr::Max(v) => v.iter().for_each(|x| leaves(x, out)),
        Expr::If(c, t, f) => {
            leaves(c, out);
            leaves(t, out);
            leaves(f, out);
        }
    }
}
