//! Dates and amounts as people write them: `2025/8/1`, `2025年8月1日`, `120万`, `1,500,000`,
//! full-width digits. The one reader of such text for the JSON profile, the forms and the
//! spreadsheets.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A date that exists, as people write it: `2025-08-01`, `2025-8-1`, `2025/8/1`, `2025.8.1`,
/// `20250801`, `2025年8月1日`, in ASCII or full-width digits. The one date reader of the
/// JSON profile, the forms and the spreadsheets.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    // The usual case first: `YYYY-MM-DD`.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    if s.len() > 40 {
        return None;
    }
    // Full-width digits and separators as ASCII; 年 and 月 separate, 日 ends.
    let mut plain = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            '０'..='９' => plain.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '0'..='9' => plain.push(c),
            '-' | '/' | '.' | '－' | '／' | '．' | '年' | '月' => plain.push('-'),
            '日' | '号' => {}
            _ => return None,
        }
    }
    let parts: Vec<&str> = plain.split('-').collect();
    let (y, m, d) = match parts.as_slice() {
        [ymd] if ymd.len() == 8 => (&ymd[..4], &ymd[4..6], &ymd[6..]),
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            (*y, *m, *d)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Full-width digits, point and minus as ASCII (`１５．５` → `15.5`), the rest as it is.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            '，' => ',',
            '％' => '%',
            c => c,
        })
        .collect()
}

/// What a count of years or months measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Years,
    Months,
}

/// Why a count was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountProblem {
    /// Not a count of years or months at all.
    NotCount,
    /// Understood as this many months, which is not a whole number of years.
    NotWholeYears(u32),
}

/// A number of years or months as people write it: `3`, `3年`, `36个月`, `1年6个月`, `1.5年`,
/// `３`, `3 years`, `18 months` — in the field's own unit, exactly: `36个月` is 3 where the field
/// counts years, `3年` is 36 where it counts months; `15个月` where it counts years is refused
/// with what was understood.
pub fn parse_count(s: &str, unit: Span) -> Result<u32, CountProblem> {
    let mut plain = String::with_capacity(s.len());
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let mut last = ' ';
    let mut gap = false;
    for c in half_width(t).chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        // `3 0` is not 30: a space may stand only beside a word.
        if gap && last.is_ascii_digit() && c.is_ascii_digit() {
            return Err(CountProblem::NotCount);
        }
        gap = false;
        last = c;
        plain.extend(c.to_lowercase());
    }
    if plain.len() > 40 {
        return Err(CountProblem::NotCount);
    }
    // Months in all, exactly (a decimal of years may be a whole number of months).
    let mut months = Decimal::ZERO;
    let mut rest = plain.as_str();
    let mut any_unit = false;
    let number = |t: &str| -> Option<(Decimal, usize)> {
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        Some((
            parse_decimal(&t[..end]).filter(|d| !d.is_sign_negative())?,
            end,
        ))
    };
    while !rest.is_empty() {
        let (n, end) = number(rest).ok_or(CountProblem::NotCount)?;
        rest = &rest[end..];
        let year_words = ["年", "years", "year", "yrs", "yr"];
        let month_words = ["个月", "個月", "月", "months", "month", "mos", "mo"];
        let per = if let Some(w) = year_words.iter().find(|w| rest.starts_with(**w)) {
            rest = &rest[w.len()..];
            any_unit = true;
            12
        } else if let Some(w) = month_words.iter().find(|w| rest.starts_with(**w)) {
            rest = &rest[w.len()..];
            any_unit = true;
            1
        } else if rest.is_empty() && !any_unit {
            // A bare number is in the field's own unit.
            match unit {
                Span::Years => 12,
                Span::Months => 1,
            }
        } else {
            return Err(CountProblem::NotCount);
        };
        // Forty digits can exceed what a decimal holds: too large is not a count.
        months = n
            .checked_mul(Decimal::from(per))
            .and_then(|m| months.checked_add(m))
            .ok_or(CountProblem::NotCount)?;
    }
    if plain.is_empty() || !months.fract().is_zero() {
        return Err(CountProblem::NotCount);
    }
    let months = u32::try_from(months.trunc().mantissa()).map_err(|_| CountProblem::NotCount)?;
    match unit {
        Span::Months => Ok(months),
        Span::Years if months % 12 == 0 => Ok(months / 12),
        Span::Years => Err(CountProblem::NotWholeYears(months)),
    }
}

/// An amount of money: `1200000`, `¥1200000元`, `120万`, `1.5万元`. The money reader of the
/// JSON profile, the forms and the spreadsheets (which also drop thousands separators first;
/// JSON keeps them an error, as `1,5` could mean 1.5).
pub fn parse_money(s: &str) -> Option<Decimal> {
    let cleaned: String = half_width(s.trim())
        .chars()
        .filter(|c| !matches!(c, ' ' | '¥' | '￥'))
        .collect();
    let cleaned = cleaned.trim_end_matches('元');
    match cleaned.strip_suffix('万') {
        Some(wan) => parse_decimal(wan)?.checked_mul(Decimal::from(10_000)),
        None => parse_decimal(cleaned),
    }
}

/// A plain decimal (`-12.50`), or scientific notation as JSON numbers may use; never
/// through binary floating point. `None` when it is not a number or out of range.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let plain = {
        let digits = s.strip_prefix('-').unwrap_or(s);
        let mut parts = digits.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        !int.is_empty()
            && int.bytes().all(|c| c.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()))
    };
    if plain {
        Decimal::from_str_exact(s).ok()
    } else if s.contains(['e', 'E']) && s.len() <= 40 {
        Decimal::from_scientific(s).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn counts_are_read_in_the_fields_own_unit_exactly() {
        use Span::{Months, Years};
        assert_eq!(parse_count("3", Years), Ok(3));
        assert_eq!(parse_count("3年", Years), Ok(3));
        assert_eq!(parse_count("36个月", Years), Ok(3));
        assert_eq!(parse_count("３年", Years), Ok(3));
        assert_eq!(parse_count("1.5年", Months), Ok(18));
        assert_eq!(parse_count("1年6个月", Months), Ok(18));
        assert_eq!(parse_count("3年", Months), Ok(36));
        assert_eq!(parse_count("15 months", Months), Ok(15));
        assert_eq!(parse_count("2 years", Years), Ok(2));
        assert_eq!(parse_count("１５", Months), Ok(15));
        assert_eq!(parse_money("１５万"), Some(Decimal::from(150_000)));
        assert!(
            parse_money("１２０，０００").is_none(),
            "separators are the form's to drop"
        );
        assert_eq!(
            parse_count(" +3 ", Years),
            Ok(3),
            "as a whole number always read"
        );
        assert_eq!(parse_count("1 年 6 个月", Months), Ok(18));
        // Found by the never-panics property: a number too large for a decimal once in
        // months is refused, not an overflow.
        let huge = "9".repeat(28);
        assert_eq!(parse_count(&huge, Years), Err(CountProblem::NotCount));
        let half = format!("4{}", "0".repeat(28));
        assert_eq!(
            parse_count(&format!("{half}月{half}月"), Months),
            Err(CountProblem::NotCount)
        );
        assert_eq!(
            parse_count("15个月", Years),
            Err(CountProblem::NotWholeYears(15))
        );
        assert_eq!(
            parse_count("1.5", Years),
            Err(CountProblem::NotWholeYears(18))
        );
        for bad in ["", "三年", "3年3年x", "-3", "1.25个月", "年", "3天", "3 0"] {
            assert_eq!(
                parse_count(bad, Months),
                Err(CountProblem::NotCount),
                "{bad}"
            );
        }
    }
}
