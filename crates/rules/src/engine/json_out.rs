//! Writing JSON text into a byte buffer: strings escaped only when they need it, money and
//! the commonest shown values without going through `fmt`, keys, commas and booleans. The
//! pieces `report.rs` writes a result with.

use crate::policy::value::Shown;
use rust_decimal::Decimal;
use std::fmt::{self, Write as _};

/// Appends `s` as a JSON string.
pub(super) fn string(out: &mut Vec<u8>, s: &str) {
    let clean = s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if clean {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // serde_json's escaping for the rare text that needs it; writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Appends the commonest shown values — whole numbers and dates — as a JSON string without
/// going through `fmt`, after `prefix` and a space when there is one: the text `ShownText`
/// (and `RequirementText`) would give. `false` (nothing written) for any other value.
pub(super) fn plain_shown(out: &mut Vec<u8>, prefix: &str, shown: &Shown) -> bool {
    let start = |out: &mut Vec<u8>| {
        out.push(b'"');
        if !prefix.is_empty() {
            out.extend_from_slice(prefix.as_bytes());
            out.push(b' ');
        }
    };
    match shown {
        Shown::Num(n) => {
            let n = n.normalize();
            if n.scale() != 0 {
                return false;
            }
            start(out);
            // Normalized, −0 is 0: the mantissa's sign is the number's.
            out.extend_from_slice(itoa::Buffer::new().format(n.mantissa()).as_bytes());
        }
        Shown::Date(d) => {
            use chrono::Datelike;
            let year = d.year();
            if !(0..=9999).contains(&year) {
                return false;
            }
            start(out);
            let two = |out: &mut Vec<u8>, v: u32| {
                out.extend_from_slice(&[b'0' + (v / 10) as u8, b'0' + (v % 10) as u8])
            };
            two(out, year as u32 / 100);
            two(out, year as u32 % 100);
            out.push(b'-');
            two(out, d.month());
            out.push(b'-');
            two(out, d.day());
        }
        _ => return false,
    }
    out.push(b'"');
    true
}

/// Appends anything `Display` as a JSON string, formatted through `scratch`.
pub(super) fn display(out: &mut Vec<u8>, scratch: &mut String, v: impl fmt::Display) {
    scratch.clear();
    let _ = write!(scratch, "{v}");
    string(out, scratch);
}

pub(super) fn money(out: &mut Vec<u8>, scratch: &mut String, d: &Decimal) {
    // Whole yuan, the common case, without going through `fmt`.
    if d.scale() == 0
        && let Ok(n) = u64::try_from(d.mantissa())
    {
        out.push(b'"');
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        out.push(b'"');
        return;
    }
    display(out, scratch, d);
}

/// A JSON string's text, escaped, as a `String`.
pub(super) fn escaped(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    string(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

/// The separator before the `i`th item of a list.
pub(super) fn comma(out: &mut Vec<u8>, i: usize) {
    if i > 0 {
        out.push(b',');
    }
}

/// `"key":` — keys are fixed ASCII identifiers.
pub(super) fn key(out: &mut Vec<u8>, k: &str) {
    out.push(b'"');
    out.extend_from_slice(k.as_bytes());
    out.extend_from_slice(b"\":");
}

pub(super) fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

#[cfg(test)]
mod tests {
    use super::{Shown, display, plain_shown, string};
    use crate::policy::value::ShownText;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    /// Whole numbers and dates written without `fmt` read exactly as `fmt` writes them; the
    /// values it does not take are left to `fmt`.
    #[test]
    fn plain_values_read_as_formatted_ones() {
        let names = |_, _| "";
        let mut values: Vec<Shown> = [
            "0", "-0", "7", "-12", "30.00", "80000", "2.50", "-0.5", "1E+3",
        ]
        .iter()
        .map(|t| Shown::Num(Decimal::from_scientific(t).or_else(|_| t.parse()).unwrap()))
        .collect();
        values.push(Shown::Num(Decimal::MAX));
        values.push(Shown::Num(Decimal::MIN));
        for (y, m, d) in [
            (2026, 3, 1),
            (1, 1, 1),
            (9999, 12, 31),
            (-5, 6, 7),
            (10000, 1, 1),
        ] {
            values.push(Shown::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        }
        values.push(Shown::Months(18));
        let mut written_plain = 0;
        for shown in &values {
            for prefix in ["", "≥"] {
                let mut plain = Vec::new();
                let mut formatted = Vec::new();
                let text = ShownText {
                    shown,
                    names: &names,
                };
                if prefix.is_empty() {
                    display(&mut formatted, &mut String::new(), &text);
                } else {
                    display(
                        &mut formatted,
                        &mut String::new(),
                        format!("{prefix} {text}"),
                    );
                }
                if plain_shown(&mut plain, prefix, shown) {
                    written_plain += 1;
                    assert_eq!(
                        String::from_utf8(plain).unwrap(),
                        String::from_utf8(formatted).unwrap()
                    );
                } else {
                    assert!(plain.is_empty(), "{shown:?}");
                }
            }
        }
        // Seven whole numbers, the two largest decimals and three dates, with and without
        // the prefix; the fractions, the years beyond four digits and the months go to `fmt`.
        assert_eq!(written_plain, 2 * 12);
    }

    #[test]
    fn strings_are_escaped_only_when_needed() {
        let mut out = Vec::new();
        string(&mut out, "南通大学");
        string(&mut out, "say \"hi\"\\\n");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"南通大学\"\"say \\\"hi\\\"\\\\\\n\""
        );
    }
}
