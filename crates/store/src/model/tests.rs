use super::*;

#[test]
fn id_numbers_are_masked_but_for_both_ends() {
    assert_eq!(mask_id("32068219880315001X"), "3206**********001X");
    assert_eq!(mask_id("E12345678"), "E123*5678");
    assert_eq!(mask_id("1234567"), "*******");
}

#[test]
fn an_attempt_beyond_the_limit_is_locked_until_its_window_ends() {
    let t =
        |m: u32| DateTime::parse_from_rfc3339(&format!("2026-11-26T10:{m:02}:00+08:00")).unwrap();
    let a = LoginAttempt {
        account: (6, t(0)),
        address: (2, t(5)),
    };
    assert_eq!(a.locked_beyond(5, Duration::minutes(15)), Some(t(15)));
    assert_eq!(a.locked_beyond(6, Duration::minutes(15)), None);
    let both = LoginAttempt {
        account: (6, t(0)),
        address: (9, t(5)),
    };
    assert_eq!(both.locked_beyond(5, Duration::minutes(15)), Some(t(20)));
}

#[test]
fn decisions_are_final_and_only_officers_make_them() {
    use AppStatus::*;
    assert!(Submitted.can_become(Approved));
    assert!(MoreInfo.can_become(MoreInfo));
    assert!(!Approved.can_become(Rejected));
    assert!(!Rejected.can_become(MoreInfo));
    assert!(!Submitted.can_become(Submitted));
}
