//! Checking calls (the policy's functions: min, max, years_between, conditions_met, …) and
//! operators (arithmetic, comparison, and/or, membership), folding what is constant.

use super::*;

impl Checker<'_> {
    pub(super) fn call(&mut self, f: &str, args: &[Node], span: Span) -> Option<(Expr, Ty)> {
        match f {
            "min" | "max" => {
                if args.is_empty() {
                    self.problem(
                        span,
                        Msg::new(
                            format!("{f}(…) 至少需要一个值"),
                            format!("{f}(…) needs at least one value"),
                        ),
                    );
                    return None;
                }
                let mut out = Vec::new();
                let mut ty = None;
                for a in args {
                    let (e, t) = self.check(a, ty)?;
                    if !matches!(t, Ty::Num | Ty::Date) || ty.is_some_and(|x| x != t) {
                        self.problem(
                            a.span,
                            Msg::new(
                                format!("{f}(…) 只接受同一类的数字或日期；这是{}", t.zh()),
                                format!(
                                    "{f}(…) takes numbers or dates, all of one kind; this is {t}"
                                ),
                            ),
                        );
                        return None;
                    }
                    ty = Some(t);
                    out.push(e);
                }
                let ty = ty?;
                if out.len() == 1 {
                    return out.pop().map(|e| (e, ty));
                }
                let consts: Option<Vec<Val>> = out.iter().map(is_const).collect();
                if let Some(vs) = consts {
                    let pick = vs.into_iter().reduce(|a, b| {
                        let less = order(a, b) == Some(std::cmp::Ordering::Less);
                        if (f == "min") == less { a } else { b }
                    })?;
                    return Some((Expr::Const(pick), ty));
                }
                Some((
                    if f == "min" {
                        Expr::Min(out)
                    } else {
                        Expr::Max(out)
                    },
                    ty,
                ))
            }
            "date" => match args {
                [
                    Node {
                        kind: NodeKind::Text(t),
                        ..
                    },
                ] => match crate::applicant::parse_date(t) {
                    Some(d) => Some((Expr::Const(Val::Date(d)), Ty::Date)),
                    None => {
                        self.problem(
                            span,
                            Msg::new(
                                format!("`{t}` 不是 YYYY-MM-DD 格式的日期"),
                                format!("`{t}` is not a date written YYYY-MM-DD"),
                            ),
                        );
                        None
                    }
                },
                _ => {
                    self.problem(
                        span,
                        Msg::new(
                            "date(…) 只接受一个文本，如 '2026-01-01'",
                            "date(…) takes one text such as '2026-01-01'",
                        ),
                    );
                    None
                }
            },
            "conditions_met" => {
                match args {
                    [
                        Node {
                            kind: NodeKind::Name(p),
                            span: pspan,
                        },
                    ] => match self.scope.earlier_programs.iter().position(|e| &**e == p) {
                        Some(i) => Some((Expr::ConditionsMet(i), Ty::Bool)),
                        None => {
                            self.problem(*pspan, Msg::new(format!("`{p}` 不是本版本中列在此项目之前的项目"), format!("`{p}` is not a program listed before this one in this version")));
                            None
                        }
                    },
                    _ => {
                        self.problem(
                            span,
                            Msg::new(
                                "conditions_met(…) 只接受一个项目编号",
                                "conditions_met(…) takes one program id",
                            ),
                        );
                        None
                    }
                }
            }
            other => {
                self.problem(
                    span,
                    Msg::new(
                        format!("未知函数 `{other}`（可用：min、max、date、conditions_met）"),
                        format!(
                            "unknown function `{other}` (functions: min, max, date, conditions_met)"
                        ),
                    ),
                );
                None
            }
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        l: &Node,
        r: &Node,
        span: Span,
    ) -> Option<(Expr, Ty)> {
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.check(l, Some(Ty::Bool));
                let b = self.check(r, Some(Ty::Bool));
                let ((a, _), (b, _)) = (a?, b?);
                let e = match (op, is_const(&a), is_const(&b)) {
                    (BinOp::And, Some(Val::Bool(x)), Some(Val::Bool(y))) => {
                        Expr::Const(Val::Bool(x && y))
                    }
                    (BinOp::Or, Some(Val::Bool(x)), Some(Val::Bool(y))) => {
                        Expr::Const(Val::Bool(x || y))
                    }
                    (BinOp::And, ..) => Expr::And(Box::new(a), Box::new(b)),
                    _ => Expr::Or(Box::new(a), Box::new(b)),
                };
                Some((e, Ty::Bool))
            }
            BinOp::In | BinOp::NotIn => {
                let negated = op == BinOp::NotIn;
                // The element decides the set's type unless it is a bare value such as `academician`.
                let (elem, set) = if self.is_free_name(l) && !self.is_free_name(r) {
                    let (s, st) = self.check(r, None)?;
                    let et = match st {
                        Ty::Set(d) => Ty::Enum(d),
                        Ty::TextSet => Ty::Text,
                        other => {
                            self.problem(
                                r.span,
                                Msg::new(
                                    format!("`in` 的右边应为集合或列表，这是{}", other.zh()),
                                    format!(
                                        "the right of `in` must be a set or list, this is {other}"
                                    ),
                                ),
                            );
                            return None;
                        }
                    };
                    ((self.check(l, Some(et))?.0, et), (s, st))
                } else {
                    let (e, et) = self.check(l, None)?;
                    let st = match et {
                        Ty::Enum(d) => Ty::Set(d),
                        Ty::Text => Ty::TextSet,
                        other => {
                            self.problem(
                                l.span,
                                Msg::new(
                                    format!("`in` 检验的是枚举值或文本，这是{}", other.zh()),
                                    format!(
                                        "`in` tests an enumeration value or a text, this is {other}"
                                    ),
                                ),
                            );
                            return None;
                        }
                    };
                    ((e, et), (self.check(r, Some(st))?.0, st))
                };
                Some((
                    match (elem.0, set.0) {
                        (e, Expr::InTexts { list, .. }) => Expr::InTexts {
                            elem: Box::new(e),
                            list,
                            negated,
                        },
                        (Expr::Const(Val::Enum(_, i)), Expr::Const(Val::Set(_, m))) => {
                            Expr::Const(Val::Bool((m >> i & 1 == 1) != negated))
                        }
                        (e, s) => Expr::InSet {
                            elem: Box::new(e),
                            set: Box::new(s),
                            negated,
                        },
                    },
                    Ty::Bool,
                ))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                let ((a, at), (b, _)) = if self.is_free_name(l) && !self.is_free_name(r) {
                    let (b, bt) = self.check(r, None)?;
                    (self.check(l, Some(bt))?, (b, bt))
                } else {
                    let (a, at) = self.check(l, None)?;
                    ((a, at), self.check(r, Some(at))?)
                };
                let ordered = matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge);
                let orderable = match at {
                    Ty::Num | Ty::Date | Ty::Months => true,
                    Ty::Enum(d) => d.is_ordinal(),
                    _ => false,
                };
                if ordered && !orderable {
                    self.problem(span, Msg::new(
                        format!("`{}` 比较的是数字、日期、月数或有顺序的取值（学历、职称），不能比较{}", op.symbol(), at.zh()),
                        format!("`{}` compares numbers, dates, months or ordered values (degrees, titles), not {at}", op.symbol()),
                    ));
                    return None;
                }
                if matches!(at, Ty::Set(_) | Ty::TextSet) {
                    self.problem(
                        span,
                        Msg::new(
                            "集合不能用 `==` 比较，请用 `in`",
                            "sets cannot be compared with `==`; use `in`",
                        ),
                    );
                    return None;
                }
                if let (Some(x), Some(y)) = (is_const(&a), is_const(&b)) {
                    return Some((
                        Expr::Const(Val::Bool(compare(op, x, y).unwrap_or(false))),
                        Ty::Bool,
                    ));
                }
                Some((Expr::Compare(op, Box::new(a), Box::new(b)), Ty::Bool))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let a = self.check(l, None);
                let b = self.check(r, None);
                let ((a, at), (b, bt)) = (a?, b?);
                let ty = match (op, at, bt) {
                    (_, Ty::Num, Ty::Num) => Ty::Num,
                    (BinOp::Add | BinOp::Sub, Ty::Date, Ty::Months) => Ty::Date,
                    (BinOp::Add | BinOp::Sub, Ty::Months, Ty::Months) => Ty::Months,
                    _ => {
                        self.problem(
                            span,
                            Msg::new(
                                format!(
                                    "{}与{}不能{}",
                                    at.zh(),
                                    bt.zh(),
                                    match op {
                                        BinOp::Add => "相加",
                                        BinOp::Sub => "相减",
                                        BinOp::Mul => "相乘",
                                        _ => "相除",
                                    }
                                ),
                                format!(
                                    "cannot {} {at} and {bt}",
                                    match op {
                                        BinOp::Add => "add",
                                        BinOp::Sub => "subtract",
                                        BinOp::Mul => "multiply",
                                        _ => "divide",
                                    }
                                ),
                            ),
                        );
                        return None;
                    }
                };
                if let (Some(x), Some(y)) = (is_const(&a), is_const(&b)) {
                    return match arith(op, x, y) {
                        Some(v) => Some((Expr::Const(v), ty)),
                        None => {
                            self.problem(
                                span,
                                Msg::new(
                                    "此计算除以零或超出范围",
                                    "this arithmetic divides by zero or overflows",
                                ),
                            );
                            None
                        }
                    };
                }
                Some((Expr::Arith(op, Box::new(a), Box::new(b)), ty))
            }
        }
    }
}
