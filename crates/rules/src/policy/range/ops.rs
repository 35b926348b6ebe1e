//! The operators on ranges: and/or over possible truth values, comparisons of intervals and
//! masks, arithmetic on intervals (dates by months included), and the least or greatest of
//! several.

use super::*;

pub(super) fn map_bool<'a>(a: Range<'a>, f: impl Fn(bool, bool) -> (bool, bool)) -> Range<'a> {
    match a.kind {
        Kind::Bool { no, yes } => {
            let (no, yes) = f(no, yes);
            Range {
                kind: Kind::Bool { no, yes },
                missing: a.missing,
            }
        }
        _ => Range::MISSING,
    }
}

/// `and` (`or` when `any`), as [`super::eval::eval`] decides them: a deciding value on
/// either side decides (`false and missing` is false); otherwise a missing value makes the
/// result missing.
pub(super) fn junction<'a>(a: Range<'a>, b: Range<'a>, any: bool) -> Range<'a> {
    // (decides, does not decide, missing) for each side.
    let parts = |r: Range<'a>| match r.kind {
        Kind::Bool { no, yes } => {
            if any {
                (yes, no, r.missing)
            } else {
                (no, yes, r.missing)
            }
        }
        _ => (false, false, true),
    };
    let (ad, an, am) = parts(a);
    let (bd, bn, bm) = parts(b);
    let decided = ad || bd;
    let neither = an && bn;
    let missing = (am && (bn || bm)) || (bm && (an || am));
    let (no, yes) = if any {
        (neither, decided)
    } else {
        (decided, neither)
    };
    Range {
        kind: Kind::Bool { no, yes },
        missing,
    }
}

/// The lowest and highest possible values, for ordered kinds.
pub(super) enum Span {
    Num(Bound, Bound),
    Date(NaiveDate, NaiveDate),
    Months(i64, i64),
    Index(u32, u32),
}

pub(super) fn span(k: Kind<'_>) -> Option<Span> {
    Some(match k {
        Kind::Num(a, b) => Span::Num(a, b),
        Kind::Date(a, b) => Span::Date(a, b),
        Kind::Months(a, b) => Span::Months(a, b),
        Kind::Enum(_, m) if m != 0 => Span::Index(m.trailing_zeros(), 63 - m.leading_zeros()),
        _ => return None,
    })
}

/// How `a` can order against `b`: (may be less, may be equal, may be greater).
pub(super) fn orders(a: Kind<'_>, b: Kind<'_>) -> Option<(bool, bool, bool)> {
    fn cmp3<T: Ord + Copy>(alo: T, ahi: T, blo: T, bhi: T) -> (bool, bool, bool) {
        (alo < bhi, alo <= bhi && blo <= ahi, ahi > blo)
    }
    let o = match (span(a)?, span(b)?) {
        (Span::Num(a, b), Span::Num(c, d)) => cmp3(a, b, c, d),
        (Span::Date(a, b), Span::Date(c, d)) => cmp3(a, b, c, d),
        (Span::Months(a, b), Span::Months(c, d)) => cmp3(a, b, c, d),
        (Span::Index(a, b), Span::Index(c, d)) => cmp3(a, b, c, d),
        _ => return None,
    };
    // Enumeration masks with gaps: equality needs a common value.
    if let (Kind::Enum(_, x), Kind::Enum(_, y)) = (a, b) {
        return Some((o.0, o.1 && x & y != 0, o.2));
    }
    Some(o)
}

pub(super) fn compare_ranges<'a>(op: BinOp, a: Range<'a>, b: Range<'a>) -> Range<'a> {
    let missing = a.missing || b.missing;
    if let (Some(x), Some(y)) = (a.single(), b.single()) {
        return match compare(op, x, y) {
            Some(v) => Range::exact(Some(Val::Bool(v))),
            None => Range::MISSING,
        };
    }
    let (lt, eq, gt) = match (a.kind, b.kind) {
        (Kind::Nothing, _) | (_, Kind::Nothing) => return Range::MISSING,
        (Kind::Bool { no: a0, yes: a1 }, Kind::Bool { no: b0, yes: b1 }) => {
            let same = (a0 && b0) || (a1 && b1);
            let differ = (a0 && b1) || (a1 && b0);
            (differ, same, differ)
        }
        (Kind::Text(x), Kind::Text(y)) => match (x, y) {
            (Some(x), Some(y)) => (x != y, x == y, x != y),
            _ => (true, true, true),
        },
        (
            Kind::Set {
                must: a0, may: a1, ..
            },
            Kind::Set {
                must: b0, may: b1, ..
            },
        ) => {
            let differ = a0 & !b1 != 0 || b0 & !a1 != 0 || a0 != a1 || b0 != b1;
            let same = a0 & !b1 == 0 && b0 & !a1 == 0;
            (differ, same, differ)
        }
        (x, y) => match orders(x, y) {
            Some(o) => o,
            None => return Range::MISSING,
        },
    };
    let (yes, no) = match op {
        BinOp::Eq => (eq, lt || gt),
        BinOp::Ne => (lt || gt, eq),
        BinOp::Lt => (lt, eq || gt),
        BinOp::Le => (lt || eq, gt),
        BinOp::Gt => (gt, lt || eq),
        BinOp::Ge => (gt || eq, lt),
        _ => return Range::MISSING,
    };
    Range {
        kind: Kind::Bool { no, yes },
        missing,
    }
}

pub(super) fn months_add(d: NaiveDate, m: i64, low_end: bool) -> NaiveDate {
    add_months(d, m).unwrap_or(if low_end {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

pub(super) fn arith<'a>(op: BinOp, a: Range<'a>, b: Range<'a>) -> Range<'a> {
    let missing = a.missing || b.missing;
    let kind = match (op, a.kind, b.kind) {
        (_, Kind::Nothing, _) | (_, _, Kind::Nothing) => return Range::MISSING,
        (BinOp::Add, Kind::Num(a, b), Kind::Num(c, d)) => Kind::Num(a.add(c), b.add(d)),
        (BinOp::Sub, Kind::Num(a, b), Kind::Num(c, d)) => Kind::Num(a.add(d.neg()), b.add(c.neg())),
        (BinOp::Mul, Kind::Num(a, b), Kind::Num(c, d)) => {
            let p = [a.mul(c), a.mul(d), b.mul(c), b.mul(d)];
            Kind::Num(
                p.iter().copied().min().unwrap_or(Bound::NegInf),
                p.iter().copied().max().unwrap_or(Bound::PosInf),
            )
        }
        (BinOp::Div, Kind::Num(a, b), Kind::Num(c, d)) => {
            let (c, d) = (c.finite(), d.finite());
            match (c, d) {
                // A divisor that cannot be 0: the quotient's ends are among the corners.
                (Some(c), Some(d))
                    if (c > Decimal::ZERO || d < Decimal::ZERO)
                        && a.finite().is_some()
                        && b.finite().is_some() =>
                {
                    let q = |x: Bound, y: Decimal| match x {
                        Bound::Fin(x) => x.checked_div(y).map_or(Bound::PosInf, Bound::Fin),
                        other => other,
                    };
                    let p = [q(a, c), q(a, d), q(b, c), q(b, d)];
                    Kind::Num(
                        p.iter().copied().min().unwrap_or(Bound::NegInf),
                        p.iter().copied().max().unwrap_or(Bound::PosInf),
                    )
                }
                // Division by zero gives no value; anything else is possible.
                _ => {
                    return Range {
                        kind: Kind::Num(Bound::NegInf, Bound::PosInf),
                        missing: true,
                    };
                }
            }
        }
        (BinOp::Add, Kind::Date(lo, hi), Kind::Months(m, n)) => {
            Kind::Date(months_add(lo, m, true), months_add(hi, n, false))
        }
        (BinOp::Sub, Kind::Date(lo, hi), Kind::Months(m, n)) => Kind::Date(
            months_add(lo, n.saturating_neg(), true),
            months_add(hi, m.saturating_neg(), false),
        ),
        (BinOp::Add, Kind::Months(a, b), Kind::Months(c, d)) => {
            Kind::Months(a.saturating_add(c), b.saturating_add(d))
        }
        (BinOp::Sub, Kind::Months(a, b), Kind::Months(c, d)) => {
            Kind::Months(a.saturating_sub(d), b.saturating_sub(c))
        }
        _ => return Range::MISSING,
    };
    Range { kind, missing }
}

/// `min`/`max` of the items: the exact evaluation gives no value when any item has none.
pub(super) fn pick<'a>(items: &'a [Expr], env: &impl Inputs<'a>, keep: Ordering) -> Range<'a> {
    let mut out: Option<Range<'a>> = None;
    for item in items {
        let v = eval(item, env);
        out = Some(match out {
            None => v,
            Some(o) => {
                let missing = o.missing || v.missing;
                let take = |x: Bound, y: Bound| {
                    if keep == Ordering::Less {
                        x.min(y)
                    } else {
                        x.max(y)
                    }
                };
                let kind = match (o.kind, v.kind) {
                    (Kind::Nothing, _) | (_, Kind::Nothing) => Kind::Nothing,
                    (Kind::Num(a, b), Kind::Num(c, d)) => Kind::Num(take(a, c), take(b, d)),
                    (Kind::Date(a, b), Kind::Date(c, d)) => {
                        if keep == Ordering::Less {
                            Kind::Date(a.min(c), b.min(d))
                        } else {
                            Kind::Date(a.max(c), b.max(d))
                        }
                    }
                    (Kind::Months(a, b), Kind::Months(c, d)) => {
                        if keep == Ordering::Less {
                            Kind::Months(a.min(c), b.min(d))
                        } else {
                            Kind::Months(a.max(c), b.max(d))
                        }
                    }
                    // Either item may be the one kept.
                    (x, _) => Range::of(x).hull(v).kind,
                };
                Range { kind, missing }
            }
        });
    }
    out.unwrap_or(Range::MISSING)
}
