use super::*;

fn n(x: i64) -> Bound {
    Bound::Fin(Decimal::from(x))
}

#[test]
fn and_or_follow_kleene_with_missing_values_as_the_exact_evaluation_treats_them() {
    let t = Range::bool(false, true);
    let f = Range::bool(true, false);
    let u = Range::bool(true, true);
    assert_eq!(junction(f, u, false).truth(), Truth::NO);
    assert_eq!(junction(t, u, false).truth(), Truth::UNKNOWN);
    assert_eq!(junction(t, u, true).truth(), Truth::YES);
    assert_eq!(junction(f, u, true).truth(), Truth::UNKNOWN);
    // `true and missing` is missing; `false or missing` too; `false and missing` false.
    assert!(junction(t, Range::MISSING, false).missing);
    assert!(junction(f, Range::MISSING, true).missing);
    assert_eq!(junction(f, Range::MISSING, false), f);
}

#[test]
fn intervals_decide_comparisons_when_they_can() {
    let x = Range::of(Kind::Num(n(10), n(20)));
    let c = |op, t: i64| compare_ranges(op, x, Range::exact(Some(Val::Num(t.into())))).truth();
    assert_eq!(c(BinOp::Ge, 10), Truth::YES);
    assert_eq!(c(BinOp::Ge, 21), Truth::NO);
    assert_eq!(c(BinOp::Ge, 15), Truth::UNKNOWN);
    assert_eq!(c(BinOp::Lt, 10), Truth::NO);
    assert_eq!(c(BinOp::Eq, 5), Truth::NO);
    let m = arith(BinOp::Mul, x, Range::of(Kind::Num(n(0), Bound::PosInf)));
    assert_eq!(m.kind, Kind::Num(n(0), Bound::PosInf));
    let s = arith(BinOp::Sub, x, x);
    assert_eq!(s.kind, Kind::Num(n(-10), n(10)));
}

#[test]
fn enumeration_masks_compare_by_their_lowest_and_highest_values() {
    let degree = |m| Range::of(Kind::Enum(Domain::Degree, m));
    // {bachelor, doctorate} >= bachelor: yes; == master: no (no common value).
    assert_eq!(
        compare_ranges(BinOp::Ge, degree(0b10100), degree(0b00100)).truth(),
        Truth::YES
    );
    assert_eq!(
        compare_ranges(BinOp::Eq, degree(0b10100), degree(0b01000)).truth(),
        Truth::NO
    );
    assert_eq!(
        compare_ranges(BinOp::Eq, degree(0b10100), degree(0b00100)).truth(),
        Truth::UNKNOWN
    );
}
