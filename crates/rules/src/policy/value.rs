//! Values and types of the expression language, and the operations on them. Both the type
//! checker (for constant folding) and the engine (for evaluation) use these functions, so a
//! folded constant always equals what evaluation would have computed.

use crate::applicant::Domain;
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// The type of an expression, fixed when the policy is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Num,
    Date,
    Months,
    Text,
    Enum(Domain),
    Set(Domain),
    TextSet,
}

impl Ty {
    /// The type in words, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Ty::Bool => "是/否值".into(),
            Ty::Num => "数字".into(),
            Ty::Date => "日期".into(),
            Ty::Months => "月数".into(),
            Ty::Text => "文本".into(),
            Ty::Enum(d) => format!("{} 的取值", d.name()),
            Ty::Set(d) => format!("{} 取值的集合", d.name()),
            Ty::TextSet => "文本名单".into(),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("a yes/no value"),
            Ty::Num => f.write_str("a number"),
            Ty::Date => f.write_str("a date"),
            Ty::Months => f.write_str("a number of months"),
            Ty::Text => f.write_str("text"),
            Ty::Enum(d) => write!(f, "a value of {}", d.name()),
            Ty::Set(d) => write!(f, "a set of {} values", d.name()),
            Ty::TextSet => f.write_str("a list of texts"),
        }
    }
}

/// A runtime value. `Text` borrows from the profile or the policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Bool(bool),
    Num(Decimal),
    Date(NaiveDate),
    Months(i64),
    Text(&'a str),
    Enum(Domain, u8),
    /// A set of values of one domain, as a bit mask over the domain's value list.
    Set(Domain, u64),
}

/// A value the engine keeps for an explanation: like [`Val`], owning its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Bool(bool),
    Num(Decimal),
    Date(NaiveDate),
    Months(i64),
    Text(String),
    Enum(Domain, u8),
    Set(Domain, u64),
    TextList(std::sync::Arc<[Box<str>]>),
}

impl From<Val<'_>> for Shown {
    fn from(v: Val<'_>) -> Shown {
        match v {
            Val::Bool(b) => Shown::Bool(b),
            Val::Num(n) => Shown::Num(n),
            Val::Date(d) => Shown::Date(d),
            Val::Months(m) => Shown::Months(m),
            Val::Text(t) => Shown::Text(t.to_string()),
            Val::Enum(d, i) => Shown::Enum(d, i),
            Val::Set(d, s) => Shown::Set(d, s),
        }
    }
}

/// Writes a [`Shown`] value as plain text; enumeration values by their ids, which `names`
/// gives (talent tiers come from the policy).
pub struct ShownText<'a> {
    pub shown: &'a Shown,
    pub names: &'a dyn Fn(Domain, u8) -> &'a str,
}

impl fmt::Display for ShownText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shown {
            Shown::Bool(b) => write!(f, "{b}"),
            Shown::Num(n) => write!(f, "{}", n.normalize()),
            Shown::Date(d) => {
                use chrono::Datelike;
                write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
            }
            Shown::Months(m) => write!(f, "{m} months"),
            Shown::Text(t) => f.write_str(t),
            Shown::Enum(d, i) => f.write_str((self.names)(*d, *i)),
            Shown::Set(d, mask) => {
                f.write_str("[")?;
                let mut first = true;
                for i in (0..64u8).filter(|i| mask & (1u64 << i) != 0) {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    f.write_str((self.names)(*d, i))?;
                }
                f.write_str("]")
            }
            Shown::TextList(items) => {
                let items: Vec<&str> = items.iter().map(|s| &**s).collect();
                write!(f, "[{}]", items.join(", "))
            }
        }
    }
}

/// Arithmetic; `None` on a type mix the checker rules out, division by zero or overflow.
pub fn arith(op: crate::policy::expr::BinOp, a: Val<'_>, b: Val<'_>) -> Option<Val<'static>> {
    use crate::policy::expr::BinOp::*;
    Some(match (op, a, b) {
        (Add, Val::Num(x), Val::Num(y)) => Val::Num(x.checked_add(y)?),
        (Sub, Val::Num(x), Val::Num(y)) => Val::Num(x.checked_sub(y)?),
        (Mul, Val::Num(x), Val::Num(y)) => Val::Num(x.checked_mul(y)?),
        (Div, Val::Num(x), Val::Num(y)) => Val::Num(x.checked_div(y)?),
        (Add, Val::Date(d), Val::Months(m)) => Val::Date(add_months(d, m)?),
        (Sub, Val::Date(d), Val::Months(m)) => Val::Date(add_months(d, m.checked_neg()?)?),
        (Add, Val::Months(x), Val::Months(y)) => Val::Months(x.checked_add(y)?),
        (Sub, Val::Months(x), Val::Months(y)) => Val::Months(x.checked_sub(y)?),
        _ => return None,
    })
}

/// Adds months keeping the day of month, clamped to the month's last day
/// (2026-05-31 − 3 months = 2026-02-28).
pub fn add_months(d: NaiveDate, m: i64) -> Option<NaiveDate> {
    let n = u32::try_from(m.unsigned_abs()).ok()?;
    if m >= 0 {
        d.checked_add_months(Months::new(n))
    } else {
        d.checked_sub_months(Months::new(n))
    }
}

/// Orders two values of the same type; `None` for values that have no order.
pub fn order(a: Val<'_>, b: Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => Some(x.cmp(&y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(&y)),
        (Val::Months(x), Val::Months(y)) => Some(x.cmp(&y)),
        (Val::Enum(d, x), Val::Enum(e, y)) if d == e => Some(x.cmp(&y)),
        _ => None,
    }
}

/// Equality of two values of the same type.
pub fn equal(a: Val<'_>, b: Val<'_>) -> Option<bool> {
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (Val::Text(x), Val::Text(y)) => Some(x == y),
        (Val::Set(d, x), Val::Set(e, y)) if d == e => Some(x == y),
        _ => order(a, b).map(|o| o == Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic_clamps_to_the_end_of_the_month() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(add_months(d("2026-05-31"), -3), Some(d("2026-02-28")));
        assert_eq!(add_months(d("2024-05-31"), -3), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2023-03-01"), 36), Some(d("2026-03-01")));
        assert_eq!(add_months(d("2026-01-31"), 1), Some(d("2026-02-28")));
        assert_eq!(add_months(d("2026-01-31"), i64::MAX), None);
    }
}
