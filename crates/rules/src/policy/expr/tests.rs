use super::*;

fn shape(src: &str) -> String {
    fn show(n: &Node) -> String {
        match &n.kind {
            NodeKind::Number(d) => d.to_string(),
            NodeKind::Months(m) => format!("{m}mo"),
            NodeKind::Text(t) => format!("'{t}'"),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Name(n) => n.clone(),
            NodeKind::Call(f, a) => {
                format!("{f}({})", a.iter().map(show).collect::<Vec<_>>().join(","))
            }
            NodeKind::Index(n, k) => format!("{n}[{}]", show(k)),
            NodeKind::List(a) => {
                format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(","))
            }
            NodeKind::Not(x) => format!("(not {})", show(x)),
            NodeKind::Neg(x) => format!("(-{})", show(x)),
            NodeKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            NodeKind::If(c, t, e) => {
                format!("(if {} then {} else {})", show(c), show(t), show(e))
            }
        }
    }
    show(&parse(src).unwrap())
}

#[test]
fn precedence_and_literals() {
    assert_eq!(shape("a or b and not c"), "(a or (b and (not c)))");
    assert_eq!(shape("1 + 2 * 3 >= 30% * x"), "((1 + (2 × 3)) ≥ (0.3 × x))");
    assert_eq!(
        shape("d >= application_date - 36 months"),
        "(d ≥ (application_date - 36mo))"
    );
    assert_eq!(shape("tier not in [A, B,]"), "(tier ∉ [A,B])");
    assert_eq!(
        shape("min(10_000_000, 0.3 * s.x)"),
        "min(10000000,(0.3 × s.x))"
    );
    assert_eq!(
        shape("if t == A then 1 else if t == B then 2 else 3"),
        "(if (t = A) then 1 else (if (t = B) then 2 else 3))"
    );
    assert_eq!(shape("'南通大学' in ALLIANCE"), "('南通大学' ∈ ALLIANCE)");
    assert_eq!(shape("2 years"), "24mo");
    assert_eq!(shape("amount_by[tier] * 1.2"), "(amount_by[tier] × 1.2)");
    assert_eq!(shape("tier in [A]"), "(tier ∈ [A])");
}

#[test]
fn spans_point_into_the_source() {
    let n = parse("age <= 35").unwrap();
    assert_eq!(n.span, (0, 9));
    let NodeKind::Binary(_, l, r) = n.kind else {
        panic!()
    };
    assert_eq!((l.span, r.span), ((0, 3), (7, 9)));
}

#[test]
fn syntax_errors_are_located() {
    let cases = [
        ("age <=", 6, "expected a value"),
        ("age >= 3 3", 9, "expected the end"),
        ("(age", 4, "expected `)`"),
        ("x == 'abc", 5, "not closed"),
        ("x # 1", 2, "unexpected character `#`"),
        ("1.2.3", 0, "not a number"),
        ("x >= 2026-01-01", 10, "does not start with 0"),
        ("a..b", 0, "not a valid name"),
        ("if a then b", 11, "expected `else`"),
        ("a not b", 6, "expected `in` after `not`"),
    ];
    for (src, at, msg) in cases {
        let e = parse(src).unwrap_err();
        assert_eq!(e.span.0, at, "{src}: {e:?}");
        assert!(e.message.contains(msg), "{src}: {e:?}");
    }
    let deep = "(".repeat(200) + "1" + &")".repeat(200);
    assert!(parse(&deep).unwrap_err().message.contains("nested"));
}

/// Flat chains are as deep as they are long: each is refused, located, without
/// recursing (a 2,000-term chain overflowed the compiler's stack before).
#[test]
fn flat_chains_are_bounded() {
    for (sep, last) in [(" and ", ""), (" or ", ""), ("+", " > 0"), ("*", " > 0")] {
        let long = vec!["1"; 2_000].join(sep) + last;
        let e = parse(&long).unwrap_err();
        assert!(e.message.contains("nested"), "{sep}: {e:?}");
        assert!(e.zh.contains("嵌套超过"), "{sep}: {e:?}");
    }
    let fine = vec!["x"; MAX_DEPTH - 2].join(" and ");
    assert!(parse(&fine).is_ok());
    let many = format!("x in [{}]", vec!["1"; MAX_TOKENS].join(","));
    assert!(parse(&many).unwrap_err().message.contains("more than"));
}
