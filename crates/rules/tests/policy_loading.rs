//! Loading and checking the policy files: the real files load cleanly; a changed copy with a
//! new program is assessed without any Rust change; every kind of mistake is reported with
//! file, line and column, all at once.

mod common;
use common::{Broken, check_broken, edit, errors, policy_copy as copy_policy};

use rules::applicant::Profile;
use rules::engine::{Status, assess};
use rules::policy::{self, Severity};
use std::fs;
use std::path::Path;

fn append(dir: &Path, file: &str, extra: &str) {
    let path = dir.join(file);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(extra);
    fs::write(&path, text).unwrap();
}

const ENGINEER: &str = r#"{
  "application_date": "2026-03-01",
  "person": {"full_name": "王五", "id_type": "passport", "id_number": "P98765432", "birth_date": "1996-05-01",
             "highest_degree": "master", "institution_tier": "double_first_class", "institution_name": "南通大学",
             "graduation_date": "2024-06-30", "honors": ["municipal_talent_program"]},
  "employment": {"employer_in_park": true, "industry": "digital_economy", "full_time": true, "start_date": "2024-03-01",
                 "contract_years": 3, "annual_salary": "300000", "social_insurance_months_in_park": 6}
}"#;

#[test]
fn the_real_policy_loads_without_errors_or_warnings() {
    let p = policy::load(&common::policy_dir()).unwrap();
    assert!(p.warnings.is_empty(), "{:#?}", p.warnings);
    let ids: Vec<&str> = p.versions[1]
        .rules
        .programs
        .iter()
        .map(|p| &*p.id)
        .collect();
    assert_eq!(
        ids,
        [
            "scitech_major_project",
            "jinying_startup",
            "jinying_office",
            "jinying_innovation",
            "housing_allowance",
            "rent_subsidy",
            "home_purchase",
            "alliance_graduate_bonus"
        ]
    );
}

#[test]
fn the_built_in_policy_is_the_policy_folder() {
    let folder = policy::load(&common::policy_dir()).unwrap();
    let built_in = policy::load_embedded().unwrap();
    let profile = Profile::from_json(rules::EXAMPLE_PROFILE.as_bytes(), &folder).unwrap();
    let a = serde_json::to_string(&assess(&folder, &profile).unwrap()).unwrap();
    let b = serde_json::to_string(&assess(&built_in, &profile).unwrap()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_new_program_and_a_changed_amount_need_no_rust_change() {
    let dir = copy_policy();
    // The policy office raises the 2026 master allowance and adds a program of existing kinds.
    edit(
        dir.path(),
        "doubling.toml",
        r#"value = { "2021" = "60_000", "2026" = "80_000" }"#,
        r#"value = { "2021" = "60_000", "2026" = "90_000" }"#,
    );
    // …and says so where people read it (a description that kept 8万 would be refused).
    edit(
        dir.path(),
        "doubling.toml",
        "2026年起8万元",
        "2026年起9万元",
    );
    edit(
        dir.path(),
        "doubling.toml",
        "(80,000 from 2026)",
        "(90,000 from 2026)",
    );
    append(
        dir.path(),
        "doubling.toml",
        r#"
[[program]]
id = "young_talent_commute"
zh = "人才倍增计划·青年人才通勤补贴"
en = "Talent Doubling Plan: young talent commuting subsidy"
cite = "doubling 第九条"
needs = ["employment"]

  [[program.condition]]
  id = "first_time"
  zh = "此前未获本项补贴"
  en = "Not subsidised before"
  when = "first_time"

  [[program.condition]]
  id = "young"
  zh = "不超过30周岁"
  en = "Aged 30 or under"
  when = "age <= 30"

  [[program.condition]]
  id = "in_3_plus_n"
  zh = "用人单位属于3+N产业"
  en = "Employer in 3+N"
  when = "employment.industry in THREE_PLUS_N and employment.employer_in_park"

  [program.amount]
  zh = "每月500元，24个月"
  en = "500 a month for 24 months"
  value = "500 * 24"

  [[program.installment]]
  share = "1/2"
  zh = "第一年"
  en = "Year 1"

  [[program.installment]]
  share = "1/2"
  zh = "第二年"
  en = "Year 2"
"#,
    );
    let p = policy::load(dir.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    let profile = Profile::from_json(ENGINEER.as_bytes(), &p).unwrap();
    let a = assess(&p, &profile).unwrap();
    let commute = a
        .program("young_talent_commute")
        .expect("the new program is assessed");
    assert_eq!(commute.status, Status::Eligible);
    assert_eq!(commute.amount.to_string(), "12000");
    assert_eq!(
        commute
            .installments
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        ["6000", "6000"]
    );
    assert_eq!(
        a.program("housing_allowance").unwrap().amount.to_string(),
        "90000"
    );
    assert_eq!(
        a.programs.last().unwrap().program.id.as_ref(),
        "young_talent_commute"
    );
    assert_eq!(a.total.to_string(), "562000");
    // A prior award of the new program is now a known id.
    let again = ENGINEER.replace(
        "\"application_date\"",
        "\"prior_awards\": [\"young_talent_commute\"], \"application_date\"",
    );
    let profile = Profile::from_json(again.as_bytes(), &p).unwrap();
    assert_eq!(
        assess(&p, &profile)
            .unwrap()
            .program("young_talent_commute")
            .unwrap()
            .status,
        Status::Ineligible
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = copy_policy();
    edit(
        dir.path(),
        "jinying.toml",
        "startup.founder_equity_pct >= 30",
        "startup.founder_equity_pct >= 'thirty'",
    );
    edit(
        dir.path(),
        "doubling.toml",
        "employment.contract_years >= 2",
        "employment.contract_year >= 2",
    );
    edit(
        dir.path(),
        "combining.toml",
        "max = \"10_000_000\"",
        "max = \"ten million\"",
    );
    edit(
        dir.path(),
        "scitech.toml",
        "[program.amount]",
        "[program.amount]\n  misspelt = 1",
    );
    let errs = errors(dir.path());
    let files: Vec<String> = errs
        .iter()
        .map(|d| d.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for f in [
        "jinying.toml",
        "doubling.toml",
        "combining.toml",
        "scitech.toml",
    ] {
        assert!(files.iter().any(|x| x == f), "no error in {f}: {errs:#?}");
    }
    for d in &errs {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
        assert!(
            d.to_string()
                .contains(&format!(":{}:{}: 错误 error: ", d.line, d.column)),
            "{d}"
        );
    }
}

#[test]
fn a_tier_row_that_an_earlier_row_always_matches_first_is_warned_about() {
    let dir = copy_policy();
    // A new row under E for "a master earning 600,000": row D4 (master, ≥ 500,000) always comes first.
    edit(
        dir.path(),
        "policy.toml",
        "  [[tier.row]]\n  id = \"E1\"",
        "  [[tier.row]]\n  id = \"E0\"\n  zh = \"硕士且年薪60万元以上\"\n  en = \"Master earning 600,000\"\n  cite = \"jinying 第三条\"\n  when = \"person.highest_degree == master and annual_salary >= 600_000\"\n\n  [[tier.row]]\n  id = \"E1\"",
    );
    // And a row that can never hold at all.
    edit(
        dir.path(),
        "policy.toml",
        "when = \"person.highest_degree == bachelor\"",
        "when = \"person.highest_degree == bachelor and person.highest_degree == master\"",
    );
    let p = policy::load(dir.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    let msgs: Vec<String> = p.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("tier row `E0` can never match")
                && m.contains("matched by an earlier row")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("tier row `F1` can never match") && m.contains("never holds")),
        "{msgs:#?}"
    );
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("`E1`") || m.contains("`D4`")),
        "{msgs:#?}"
    );
}

#[test]
fn a_missing_file_and_an_unlisted_file_are_reported() {
    let dir = copy_policy();
    fs::remove_file(dir.path().join("combining.toml")).unwrap();
    fs::write(dir.path().join("extra.toml"), "x = 1\n").unwrap();
    let all = policy::load(dir.path()).unwrap_err();
    assert!(
        all.iter().any(|d| d.severity == Severity::Error
            && d.file.ends_with("combining.toml")
            && d.message.contains("cannot read")),
        "{all:#?}"
    );
    assert!(
        all.iter()
            .any(|d| d.severity == Severity::Warning && d.file.ends_with("extra.toml")),
        "{all:#?}"
    );
}

#[test]
fn a_date_before_any_version_has_no_policy_in_force() {
    let p = policy::load(&common::policy_dir()).unwrap();
    let early = ENGINEER
        .replace("2026-03-01", "2021-06-30")
        .replace("2024-03-01", "2021-01-01")
        .replace("2024-06-30", "2020-06-30");
    let err = Profile::from_json(early.as_bytes(), &p).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err:?}");
    assert_eq!(err.errors[0].field, "application_date");
    assert!(
        err.errors[0].message_en.contains("no policy is in force"),
        "{err:?}"
    );
    assert!(
        err.errors[0].message_zh.contains("没有有效的政策版本"),
        "{err:?}"
    );
}

#[test]
fn materials_are_checked_and_a_program_without_proof_is_warned_about() {
    check_broken(&[
        Broken {
            file: "jinying.toml",
            from: "proof = [\"ip_certificate\"]",
            to: "proof = [\"patent_certificate\"]",
            at: ("proof = [", "\"patent_certificate\""),
            says: "`patent_certificate` is not a material of policy.toml",
        },
        Broken {
            file: "policy.toml",
            from: "files = [\"pdf\"]",
            to: "files = [\"docx\"]",
            at: ("files = [", "\"docx\""),
            says: "`docx` is not a file kind the service accepts",
        },
    ]);
    // The alliance bonus proved by nothing: it still loads, with a warning at the program.
    let dir = copy_policy();
    let text = fs::read_to_string(dir.path().join("doubling.toml")).unwrap();
    let start = text.find("id = \"alliance_graduate_bonus\"").unwrap();
    let (head, tail) = text.split_at(start);
    let tail = tail
        .lines()
        .filter(|l| !l.trim_start().starts_with("proof ="))
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(dir.path().join("doubling.toml"), format!("{head}{tail}")).unwrap();
    let p = policy::load(dir.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    let msgs: Vec<String> = p.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("doubling.toml")
            && m.contains("`alliance_graduate_bonus` names no material")),
        "{msgs:#?}"
    );
}

#[test]
fn the_checklist_follows_the_conditions_and_counts_each_material_once() {
    let p = policy::load(&common::policy_dir()).unwrap();
    let v = p.versions.last().unwrap();
    let index = |id: &str| v.rules.programs.iter().position(|x| &*x.id == id).unwrap();
    let list = p.checklist(
        &v.rules,
        &[index("jinying_startup"), index("jinying_office")],
    );
    let ids: Vec<&str> = list.iter().map(|(m, _)| &*m.id).collect();
    assert_eq!(ids.iter().filter(|i| **i == "business_licence").count(), 1);
    let (_, needing) = list
        .iter()
        .find(|(m, _)| &*m.id == "business_licence")
        .unwrap();
    let needing: Vec<&str> = needing.iter().map(|x| &*x.id).collect();
    // The office subsidy requires the startup funding's conditions, so their proof too.
    assert_eq!(needing, ["jinying_startup", "jinying_office"]);
    assert!(
        ids.contains(&"office_lease") && !ids.contains(&"labour_contract"),
        "{ids:?}"
    );
    // An edit to a condition's proof changes the checklist: no Rust involved.
    let dir = copy_policy();
    edit(
        dir.path(),
        "jinying.toml",
        "proof = [\"office_lease\"]",
        "proof = [\"office_lease\", \"rd_plan\"]",
    );
    let edited = policy::load(dir.path()).unwrap();
    let v = edited.versions.last().unwrap();
    let list = edited.checklist(&v.rules, &[index("jinying_office")]);
    assert!(list.iter().any(|(m, _)| &*m.id == "rd_plan"));
}

/// The working-day calendar is read with the policy: the 2026 notice's holidays and make-up
/// days, counted as the procedure's deadlines count them; a year not entered is not guessed.
#[test]
fn the_calendar_is_read_with_the_policy() {
    let p = policy::load(&common::policy_dir()).unwrap();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let c = &p.calendar;
    assert_eq!(c.covered_through(), Some(d("2026-12-31")));
    assert_eq!(
        c.is_working_day(d("2026-02-14")),
        Some(true),
        "a make-up Saturday"
    );
    assert_eq!(
        c.is_working_day(d("2026-10-05")),
        Some(false),
        "National Day"
    );
    assert_eq!(
        c.holiday(d("2026-02-17")).map(|h| h.1.as_str()),
        Some("Spring Festival")
    );
    // Accepted on Thursday 30 April: five working days skip Labour Day and count Saturday 9 May.
    assert_eq!(
        c.add_working_days(d("2026-04-30"), 5),
        Some(d("2026-05-11"))
    );
    assert_eq!(c.is_working_day(d("2027-01-04")), None);
    // A folder without the file has an empty calendar, and still loads.
    let dir = copy_policy();
    fs::remove_file(dir.path().join("calendar.toml")).unwrap();
    let without = policy::load(dir.path()).unwrap();
    assert_eq!(without.calendar.covered_through(), None);
    assert!(without.warnings.is_empty());
}
