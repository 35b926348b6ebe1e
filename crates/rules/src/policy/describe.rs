//! Hand-written descriptions that must not lie: every number in an amount's (or a review's)
//! description, in either language, has to be a number the rule uses — a literal in its
//! expression, or the value of a parameter it reads, in some version.
//!
//! How a written number is read: `500万` is 5,000,000 and `1.5亿` 150,000,000; `1,500,000`
//! drops its separators; `20%` may stand for 20, for 0.2 or, as an uplift (上浮20%), for 1.2;
//! a year such as `2026` may name a version (its id, or the year it starts); a number inside
//! a name the rule uses counts (`qs_top200` is written “QS前200”).

use super::compile::ParamSet;
use super::expr::{Node, NodeKind};
use super::value::Val;
use rust_decimal::Decimal;

/// A number written in a description.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Byte offset of its first digit in the text.
    pub at: usize,
    /// As written (`250万`, `1,500,000`, `20%`).
    pub text: String,
    pub value: Decimal,
    pub percent: bool,
}

/// Every number in a description, in order.
pub fn numbers(text: &str) -> Vec<Written> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphabetic());
        if !starts {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        while i < bytes.len() {
            let b = bytes[i];
            let next_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if b.is_ascii_digit() {
                digits.push(b as char);
            } else if b == b',' && next_digit && !digits.contains('.') {
                // A thousands separator.
            } else if b == b'.' && next_digit && !digits.contains('.') {
                digits.push('.');
            } else {
                break;
            }
            i += 1;
        }
        let Ok(mut value) = digits.parse::<Decimal>() else {
            continue;
        };
        let rest = &text[i..];
        let mut percent = false;
        for (suffix, scale) in [("万", 10_000i64), ("亿", 100_000_000)] {
            if rest.starts_with(suffix) {
                value *= Decimal::from(scale);
                i += suffix.len();
            }
        }
        if text[i..].starts_with('%') {
            percent = true;
            i += 1;
        }
        out.push(Written {
            at: start,
            text: text[start..i].to_string(),
            value: value.normalize(),
            percent,
        });
    }
    out
}

/// The numbers an expression uses: its literals, and the values of the parameters it reads
/// (every entry of a table by tier).
pub fn used(node: &Node, params: &ParamSet, out: &mut Vec<Decimal>) {
    let mut push = |v: &Val| match v {
        Val::Num(n) => out.push(n.normalize()),
        Val::Months(m) => out.push(Decimal::from(*m)),
        _ => {}
    };
    match &node.kind {
        NodeKind::Number(n) => push(&Val::Num(*n)),
        NodeKind::Months(m) => push(&Val::Months(*m)),
        NodeKind::Name(name) => match params.values.get(name) {
            Some((v, _)) => push(v),
            // A number in a name the rule uses (`qs_top200` is “QS前200”).
            None => out.extend(
                name.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|d| d.parse::<Decimal>().ok()),
            ),
        },
        NodeKind::Index(name, key) => {
            for (_, v) in params.tables.get(name).into_iter().flatten() {
                push(v);
            }
            used(key, params, out);
        }
        NodeKind::Call(_, args) | NodeKind::List(args) => {
            for a in args {
                used(a, params, out);
            }
        }
        NodeKind::Not(x) | NodeKind::Neg(x) => used(x, params, out),
        NodeKind::Binary(_, l, r) => {
            used(l, params, out);
            used(r, params, out);
        }
        NodeKind::If(c, t, e) => {
            used(c, params, out);
            used(t, params, out);
            used(e, params, out);
        }
        NodeKind::Text(_) | NodeKind::Bool(_) => {}
    }
}

/// Whether a written number is one of `allowed` (or a year in `years`).
pub fn matches(w: &Written, allowed: &[Decimal], years: &[Decimal]) -> bool {
    let hundred = Decimal::from(100);
    let mut readings = vec![w.value];
    if w.percent {
        readings.push(w.value / hundred);
        readings.push(Decimal::ONE + w.value / hundred);
    } else if years.contains(&w.value) {
        return true;
    }
    readings
        .iter()
        .any(|r| allowed.iter().any(|a| a.normalize() == r.normalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_write_them() {
        let found: Vec<(String, Decimal, bool)> =
            numbers("A类500万元，C类200万元（2026年起250万元）；上浮20%；最高1.5亿元")
                .into_iter()
                .map(|w| (w.text, w.value, w.percent))
                .collect();
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(
            found,
            vec![
                ("500万".into(), d("5000000"), false),
                ("200万".into(), d("2000000"), false),
                ("2026".into(), d("2026"), false),
                ("250万".into(), d("2500000"), false),
                ("20%".into(), d("20"), true),
                ("1.5亿".into(), d("150000000"), false),
            ]
        );
        let en: Vec<Decimal> =
            numbers("D 1,000,000 (1,500,000 from 2026); × 1.2, 30 yuan per m², Year 1.")
                .into_iter()
                .map(|w| w.value)
                .collect();
        assert_eq!(
            en,
            ["1000000", "1500000", "2026", "1.2", "30", "1"]
                .map(d)
                .to_vec()
        );
    }

    #[test]
    fn a_percentage_may_be_a_share_or_an_uplift() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let w = &numbers("上浮20%")[0];
        assert!(matches(w, &[d("1.2")], &[]));
        assert!(matches(w, &[d("0.2")], &[]));
        assert!(matches(w, &[d("20")], &[]));
        assert!(!matches(w, &[d("1.1")], &[]));
        let year = &numbers("2026年起")[0];
        assert!(matches(year, &[], &[d("2026")]));
        assert!(!matches(
            &numbers("260万")[0],
            &[d("2500000")],
            &[d("2026")]
        ));
    }
}
