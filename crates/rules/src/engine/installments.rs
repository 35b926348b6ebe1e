//! Installments (a program's `[[installment]]` shares in its policy file): each is the amount times its share, rounded down to whole
//! yuan; the last takes what is left, so they always add up to the amount exactly.

use crate::policy::model::Installment;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

pub fn split(amount: Decimal, shares: &[Installment]) -> Vec<Decimal> {
    let Some(whole) = amount.trunc().to_i128() else {
        return vec![Decimal::ZERO; shares.len()];
    };
    let mut out = Vec::with_capacity(shares.len());
    let mut given = 0i128;
    for (i, s) in shares.iter().enumerate() {
        let part = if i + 1 == shares.len() {
            whole - given
        } else {
            whole * i128::from(s.numerator) / i128::from(s.denominator)
        };
        given += part;
        out.push(Decimal::from_i128_with_scale(part, 0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(list: &[(i64, i64)]) -> Vec<Installment> {
        list.iter()
            .map(|&(numerator, denominator)| Installment {
                share: format!("{numerator}/{denominator}"),
                numerator,
                denominator,
                zh: String::new(),
                en: String::new(),
                after_months: None,
            })
            .collect()
    }

    #[test]
    fn thirds_round_down_and_the_last_takes_the_rest() {
        let thirds = shares(&[(1, 3), (1, 3), (1, 3)]);
        let d = |n: i64| Decimal::from(n);
        assert_eq!(
            split(d(72_000), &thirds),
            vec![d(24_000), d(24_000), d(24_000)]
        );
        assert_eq!(
            split(d(100_000), &thirds),
            vec![d(33_333), d(33_333), d(33_334)]
        );
        assert_eq!(split(d(2), &thirds), vec![d(0), d(0), d(2)]);
        let startup = shares(&[(50, 100), (30, 100), (20, 100)]);
        assert_eq!(
            split(d(2_400_001), &startup),
            vec![d(1_200_000), d(720_000), d(480_001)]
        );
        assert_eq!(split(d(0), &startup), vec![d(0), d(0), d(0)]);
    }
}
