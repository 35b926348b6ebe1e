use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn park() -> rules::policy::Policy {
    rules::policy::load_embedded().unwrap()
}

fn signer(round: i64, step: Signed, actor: &str) -> Signer {
    Signer {
        round,
        step,
        actor: actor.into(),
        at: String::new(),
    }
}

fn facts(step: CaseStep, signers: &[Signer], total: i64) -> Facts<'_> {
    Facts {
        step,
        round: 1,
        status: AppStatus::Closed,
        signers,
        approved_total: Decimal::from(total),
    }
}

fn officer(name: &str, role: Role) -> Officer<'_> {
    Officer { name, role }
}

fn refused(r: Result<Plan, Refused>) -> String {
    r.unwrap_err().msg().en.clone()
}

#[test]
fn the_procedure_file_is_the_modelled_one() {
    let p = park().procedure;
    assert_eq!(p.sign_off_from, Decimal::from(1_000_000));
    assert_eq!((p.accept_days, p.decision_days, p.notice_days), (5, 20, 5));
    assert_eq!(p.step(StepId::SecondReview).zh, "复审");
    assert!(p.step(StepId::SecondReview).other_officer);
    assert_eq!(p.step(StepId::Payment).role, "finance");
}

#[test]
fn the_officer_of_the_first_review_cannot_take_the_second() {
    let p = park().procedure;
    let s = [signer(1, Signed::FirstReview, "zhou")];
    let f = facts(CaseStep::SecondReview, &s, 500_000);
    let same = plan(&p, &f, officer("zhou", Role::Reviewer), Asked::Agree, "");
    assert!(
        refused(same).contains("Four eyes"),
        "the same officer twice"
    );
    let other = plan(&p, &f, officer("wu", Role::Reviewer), Asked::Agree, "").unwrap();
    assert_eq!(other.to, CaseStep::NoticeReady);
    assert_eq!(other.signs, Some(Signed::SecondReview));
    // Of an earlier round, a signature does not count.
    let old = [
        signer(0, Signed::FirstReview, "wu"),
        signer(1, Signed::FirstReview, "zhou"),
    ];
    let f = facts(CaseStep::SecondReview, &old, 500_000);
    assert!(plan(&p, &f, officer("wu", Role::Reviewer), Asked::Agree, "").is_ok());
}

#[test]
fn at_or_above_the_threshold_a_leader_signs_off_and_not_one_of_the_reviewers() {
    let p = park().procedure;
    let s = [signer(1, Signed::FirstReview, "zhou")];
    for (total, to) in [
        (999_999, CaseStep::NoticeReady),
        (1_000_000, CaseStep::SignOff),
        (0, CaseStep::InForce),
    ] {
        let f = facts(CaseStep::SecondReview, &s, total);
        let got = plan(&p, &f, officer("wu", Role::Reviewer), Asked::Agree, "").unwrap();
        assert_eq!(got.to, to, "approved total {total}");
    }
    let s = [
        signer(1, Signed::FirstReview, "zhou"),
        signer(1, Signed::SecondReview, "wu"),
    ];
    let f = facts(CaseStep::SignOff, &s, 2_500_000);
    assert!(
        refused(plan(
            &p,
            &f,
            officer("wu", Role::Reviewer),
            Asked::SignOff,
            ""
        ))
        .contains("approver")
    );
    let ok = plan(&p, &f, officer("li", Role::Approver), Asked::SignOff, "").unwrap();
    assert_eq!(
        (ok.to, ok.signs),
        (CaseStep::NoticeReady, Some(Signed::SignOff))
    );
    let back = plan(
        &p,
        &f,
        officer("li", Role::Approver),
        Asked::ReturnToSecondReview,
        " ",
    );
    assert!(refused(back).contains("say why"));
}

#[test]
fn sending_back_or_not_accepting_needs_a_reason_and_reopens_the_first_review() {
    let p = park().procedure;
    let s = [signer(1, Signed::FirstReview, "zhou")];
    let f = facts(CaseStep::SecondReview, &s, 500_000);
    assert!(
        refused(plan(
            &p,
            &f,
            officer("wu", Role::Reviewer),
            Asked::SendBack,
            ""
        ))
        .contains("say why")
    );
    let back = plan(
        &p,
        &f,
        officer("wu", Role::Reviewer),
        Asked::SendBack,
        "金额有误",
    )
    .unwrap();
    assert!(back.back_to_first_review);
    assert_eq!(
        (back.to, back.status),
        (CaseStep::FirstReview, Some(AppStatus::Submitted))
    );
    let f = facts(CaseStep::Accept, &[], 0);
    assert!(
        plan(
            &p,
            &f,
            officer("zhou", Role::Reviewer),
            Asked::NotAccept,
            ""
        )
        .is_err()
    );
    let no = plan(
        &p,
        &f,
        officer("zhou", Role::Reviewer),
        Asked::NotAccept,
        "不在园区",
    )
    .unwrap();
    assert_eq!(
        (no.to, no.status),
        (CaseStep::NotAccepted, Some(AppStatus::Rejected))
    );
    // A step the case is not at cannot be taken.
    assert!(
        refused(plan(
            &p,
            &f,
            officer("wu", Role::Reviewer),
            Asked::Agree,
            ""
        ))
        .contains("cannot be taken")
    );
    // Finance takes no review step.
    assert!(
        refused(plan(
            &p,
            &f,
            officer("qian", Role::Finance),
            Asked::Accept,
            ""
        ))
        .contains("reviewer")
    );
}

#[test]
fn nothing_is_paid_before_the_decision_is_in_force_nor_by_one_who_approved() {
    let p = park().procedure;
    let s = [
        signer(1, Signed::FirstReview, "zhou"),
        signer(1, Signed::SecondReview, "wu"),
        signer(1, Signed::SignOff, "li"),
    ];
    let pay =
        |step, who: &str, role, dated| may_pay(&p, &facts(step, &s, 1), officer(who, role), dated);
    assert!(pay(CaseStep::InForce, "qian", Role::Finance, true).is_ok());
    let notice = pay(CaseStep::Notice, "qian", Role::Finance, true).unwrap_err();
    assert!(notice.msg().en.contains("not in force"));
    assert!(
        pay(CaseStep::InForce, "zhou", Role::Reviewer, true)
            .unwrap_err()
            .msg()
            .en
            .contains("finance")
    );
    assert!(
        pay(CaseStep::InForce, "qian", Role::Finance, false)
            .unwrap_err()
            .msg()
            .en
            .contains("trigger")
    );
    // A finance officer who signed the round (were roles changed) still may not.
    let s2 = [signer(1, Signed::SignOff, "qian")];
    let f = facts(CaseStep::InForce, &s2, 1);
    assert!(may_pay(&p, &f, officer("qian", Role::Finance), true).is_err());
}

#[test]
fn a_notice_starts_on_a_working_day_and_lasts_five_across_a_holiday() {
    let policy = park();
    let (p, cal) = (&policy.procedure, &policy.calendar);
    let today = day("2026-09-28");
    // Tuesday 29 September: 29, 30 Sep, then the National Day holiday (1–7 Oct), then
    // Thursday 8, Friday 9 and Saturday 10 October (a make-up working day).
    assert_eq!(
        notice_period(p, cal, day("2026-09-29"), today),
        Ok((day("2026-09-29"), day("2026-10-10")))
    );
    assert!(
        notice_period(p, cal, day("2026-10-02"), today).is_err(),
        "a holiday"
    );
    assert!(
        notice_period(p, cal, day("2026-09-27"), today).is_err(),
        "before today"
    );
    // Late December runs into 2027, which the calendar does not hold yet.
    let err = notice_period(p, cal, day("2026-12-28"), day("2026-12-04")).unwrap_err();
    assert!(err.msg().en.contains("past the calendar"));
}

fn ev(action: &str, d: &str) -> CaseEvent {
    CaseEvent {
        id: 0,
        round: 1,
        action: action.into(),
        from: CaseStep::FirstReview,
        to: CaseStep::FirstReview,
        actor: "zhou".into(),
        at: String::new(),
        day: day(d),
        note: String::new(),
    }
}

#[test]
fn a_decision_is_due_twenty_working_days_after_acceptance_less_the_wait_for_a_reply() {
    let policy = park();
    let (p, cal) = (&policy.procedure, &policy.calendar);
    let submitted = day("2026-09-21");
    let accepted = day("2026-09-22");
    // 20 working days from Tuesday 22 September: 23, 24 Sep (25–27 are the Mid-Autumn
    // holiday), 28–30 Sep (5), then the National Day holiday, 8, 9 Oct and Saturday the 10th
    // (a make-up day: 8), 12–16 (13), 19–23 (18), 26 and 27 October (20).
    let d = due(
        p,
        cal,
        CaseStep::FirstReview,
        submitted,
        Some(accepted),
        &[],
        None,
        day("2026-09-24"),
    )
    .unwrap();
    assert_eq!(d.on, day("2026-10-27"));
    assert_eq!(d.left, 18);
    // A request for more on Friday 9 October answered on Wednesday 14: the working days after
    // the request up to the reply (Saturday 10, 12, 13, 14) do not count.
    let events = [ev("pause", "2026-10-09"), ev("resume", "2026-10-14")];
    let d = due(
        p,
        cal,
        CaseStep::SecondReview,
        submitted,
        Some(accepted),
        &events,
        None,
        day("2026-10-20"),
    )
    .unwrap();
    assert_eq!(d.on, day("2026-11-02"), "four working days later");
    assert!(!d.paused);
    // While a request is open, the due date moves with each working day.
    let open = [ev("pause", "2026-10-09")];
    let d = due(
        p,
        cal,
        CaseStep::FirstReview,
        submitted,
        Some(accepted),
        &open,
        None,
        day("2026-10-12"),
    )
    .unwrap();
    assert!(d.paused);
    assert_eq!(
        d.on,
        day("2026-10-29"),
        "two working days (10th, 12th) added"
    );
    // Acceptance: five working days from submission; overdue shows as negative days left.
    let d = due(
        p,
        cal,
        CaseStep::Accept,
        submitted,
        None,
        &[],
        None,
        day("2026-10-09"),
    )
    .unwrap();
    assert_eq!(d.on, day("2026-09-29"), "22, 23, 24, 28, 29 September");
    assert!(d.left < 0);
    assert_eq!(
        due(
            p,
            cal,
            CaseStep::InForce,
            submitted,
            Some(accepted),
            &[],
            None,
            submitted
        ),
        None
    );
}

#[test]
fn a_notice_masks_every_character_of_a_name_but_the_first_and_last() {
    assert_eq!(mask_name("王小明"), "王*明");
    assert_eq!(mask_name("欧阳晓华"), "欧**华");
    assert_eq!(mask_name("李明"), "李*");
    assert_eq!(mask_name("Li"), "L*");
    assert_eq!(mask_name("王"), "*");
    assert_eq!(mask_name(""), "*");
}

#[test]
fn an_objection_needs_a_real_name_a_phone_and_a_statement() {
    assert!(objection_problems("李四", "0513-8000 0000", "该企业并未在园区实际经营").is_empty());
    assert!(objection_problems("Anna Smith", "+86 138 0000 0000", "x").is_empty());
    let all = objection_problems("匿名", "", " ");
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[0].en.contains("anonymous objections are not accepted"));
    assert!(all[1].en.starts_with("Phone"));
    assert!(all[2].en.starts_with("Objection"));
    assert_eq!(
        objection_problems("李", "13800000000", "x").len(),
        1,
        "one letter"
    );
    assert_eq!(objection_problems("李四", "call me", "x").len(), 1);
    assert_eq!(objection_problems("李四", "123", "x").len(), 1, "too short");
    let long = "长".repeat(crate::casework::NOTE_LIMIT + 1);
    assert_eq!(objection_problems("李四", "13800000000", &long).len(), 1);
}

#[test]
fn only_a_leader_reopens_a_decided_case_and_only_with_a_reason() {
    let p = park().procedure;
    let s = [
        signer(1, Signed::FirstReview, "zhou"),
        signer(1, Signed::SecondReview, "wu"),
        signer(1, Signed::SignOff, "li"),
    ];
    let f = facts(CaseStep::InForce, &s, 2_500_000);
    assert!(
        refused(plan(
            &p,
            &f,
            officer("wu", Role::Reviewer),
            Asked::Reopen,
            "x"
        ))
        .contains("approver")
    );
    assert!(
        refused(plan(
            &p,
            &f,
            officer("li", Role::Approver),
            Asked::Reopen,
            " "
        ))
        .contains("say why")
    );
    let ok = plan(
        &p,
        &f,
        officer("li", Role::Approver),
        Asked::Reopen,
        "举报核实",
    )
    .unwrap();
    assert_eq!(
        (ok.to, ok.reopen, ok.signs),
        (CaseStep::SecondReview, true, None)
    );
    let not_yet = facts(CaseStep::Notice, &s, 2_500_000);
    assert!(
        plan(
            &p,
            &not_yet,
            officer("li", Role::Approver),
            Asked::Reopen,
            "x"
        )
        .is_err()
    );
}

#[test]
fn a_step_is_handled_by_its_role_and_never_by_the_officer_of_another_review_step() {
    let p = park().procedure;
    let s = [signer(1, Signed::FirstReview, "zhou")];
    let f = facts(CaseStep::SecondReview, &s, 1);
    assert!(may_handle(&p, &f, officer("wu", Role::Reviewer)).is_ok());
    let same = may_handle(&p, &f, officer("zhou", Role::Reviewer)).unwrap_err();
    assert!(same.msg().en.contains("Four eyes"));
    assert!(
        may_handle(&p, &f, officer("li", Role::Approver)).is_err(),
        "a reviewer's step"
    );
    let ready = facts(CaseStep::NoticeReady, &s, 1);
    assert!(may_handle(&p, &ready, officer("li", Role::Approver)).is_ok());
    let done = facts(CaseStep::InForce, &s, 1);
    assert!(may_handle(&p, &done, officer("wu", Role::Reviewer)).is_err());
}

#[test]
fn an_agreement_needs_a_past_date_a_bank_and_an_account_number() {
    let today = day("2026-12-04");
    assert_eq!(
        agreement_problems(
            "2026-12-01",
            "中国银行南通分行",
            "6217 0000 1234 5678",
            today
        ),
        Ok(day("2026-12-01"))
    );
    let all = agreement_problems("2026-12-05", "", "abc", today).unwrap_err();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(
        agreement_problems("2026-12-01", "中国银行", "1234567", today).is_err(),
        "7 digits"
    );
}

fn moved(from: CaseStep, to: CaseStep, d: &str) -> CaseEvent {
    CaseEvent {
        id: 0,
        from,
        to,
        action: "x".into(),
        ..ev("x", d)
    }
}

#[test]
fn the_month_report_counts_who_left_each_step_how_long_they_took_and_who_was_late() {
    let policy = park();
    let (p, cal) = (&policy.procedure, &policy.calendar);
    use CaseStep::*;
    // Submitted Monday 2 November, accepted on the 3rd (1 working day), proposed on the 10th
    // (5), agreed on the 11th (1).
    let quick = [
        moved(Accept, FirstReview, "2026-11-03"),
        moved(FirstReview, SecondReview, "2026-11-10"),
        moved(SecondReview, NoticeReady, "2026-11-11"),
    ];
    // Submitted Monday 2 November, accepted on the 16th (10 working days: late), more asked on
    // the 17th and answered on the 24th (5 working days not counted), proposed on the 26th
    // (8 - 5 = 3).
    let slow = [
        moved(Accept, FirstReview, "2026-11-16"),
        CaseEvent {
            id: 0,
            action: "pause".into(),
            ..ev("pause", "2026-11-17")
        },
        CaseEvent {
            id: 0,
            action: "resume".into(),
            ..ev("resume", "2026-11-24")
        },
        moved(FirstReview, SecondReview, "2026-11-26"),
    ];
    let cases = [
        report::CaseHistory {
            submitted_on: day("2026-11-02"),
            accepted_on: Some(day("2026-11-03")),
            events: &quick,
        },
        report::CaseHistory {
            submitted_on: day("2026-11-02"),
            accepted_on: Some(day("2026-11-16")),
            events: &slow,
        },
    ];
    let r = month_report(p, cal, &cases, day("2026-11-01"), day("2026-11-30"));
    let line = |s| r.lines.iter().find(|l| l.step == s).unwrap().clone();
    assert_eq!(line(Accept).completed, 2);
    assert_eq!(
        line(Accept).median_days,
        Some(Decimal::new(55, 1)),
        "(1 + 10) / 2"
    );
    assert_eq!(line(Accept).overdue, 1);
    assert_eq!(
        line(FirstReview).median_days,
        Some(Decimal::from(4)),
        "(5 + 3) / 2"
    );
    assert_eq!(line(FirstReview).overdue, 0);
    assert_eq!(
        (line(SecondReview).completed, line(SecondReview).median_days),
        (1, Some(Decimal::ONE))
    );
    assert_eq!(line(SignOff).completed, 0);
    // Another month counts none of it.
    let dec = month_report(p, cal, &cases, day("2026-12-01"), day("2026-12-31"));
    assert!(
        dec.lines
            .iter()
            .all(|l| l.completed == 0 && l.median_days.is_none())
    );
}

#[test]
fn only_a_program_with_a_trigger_installment_is_paid_under_an_agreement() {
    use crate::service::casework::paid_under_agreement;
    let policy = park();
    assert!(paid_under_agreement(&policy, "2026", "jinying_startup"));
    assert!(!paid_under_agreement(&policy, "2026", "rent_subsidy"));
    assert!(!paid_under_agreement(&policy, "2026", "no_such_program"));
}
