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

/// An amount of money: `1200000`, `¥1200000元`, `120万`, `1.5万元`. The money reader of the
/// JSON profile, the forms and the spreadsheets (which also drop thousands separators first;
/// JSON keeps them an error, as `1,5` could mean 1.5).
pub fn parse_money(s: &str) -> Option<Decimal> {
    let cleaned: String = s
        .trim()
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
