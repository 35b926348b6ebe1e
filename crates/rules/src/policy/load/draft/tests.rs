//! Drafts: slots, edits, descriptions, a new version, and the diff.

use super::*;

fn files() -> Vec<(String, String)> {
    super::super::source_files(&Source::Embedded)
}

#[test]
fn every_parameter_value_is_a_slot_with_its_line() {
    let f = files();
    let s = slots(&f);
    let c26 = s
        .iter()
        .find(|s| s.key == "jinying.toml:startup_amount[C][2026]")
        .expect("slot");
    assert_eq!(c26.value, "2500000");
    assert_eq!(c26.unit, Some(Unit::Yuan));
    let text = &f.iter().find(|(n, _)| n == "jinying.toml").unwrap().1;
    assert!(
        text.lines()
            .nth(c26.line - 1)
            .unwrap()
            .contains("2_500_000")
    );
    assert!(
        s.iter()
            .any(|s| s.key == "jinying.toml:core_industry_uplift")
    );
    assert!(
        s.iter()
            .any(|s| s.key == "doubling.toml:housing_allowance_master[2026]")
    );
}

#[test]
fn a_draft_changes_only_its_values_and_the_diff_shows_them() {
    let f = files();
    let edits = [
        Edit {
            slot: "doubling.toml:housing_allowance_master[2026]".into(),
            value: "90,000".into(),
        },
        Edit {
            slot: "jinying.toml:core_industry_uplift".into(),
            value: "1.1".into(),
        },
    ];
    let changed = apply(&f, &edits).unwrap();
    let d = diff(&f, &changed);
    let removed = d
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"));
    assert_eq!(removed.count(), 2, "{d}");
    assert!(
        d.contains("+value = { \"2021\" = \"60_000\", \"2026\" = \"90000\" }"),
        "{d}"
    );
    assert!(d.contains("+value = \"1.1\""), "{d}");
    let p = load_files(Path::new("draft"), &changed).unwrap();
    // The master's 80,000 in the description is now a warning to correct, not an error.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.zh.contains("8万") && w.file.ends_with("doubling.toml")),
        "{:?}",
        p.warnings
    );
    let v = p.versions.last().unwrap();
    let master = v
        .rules
        .parameters
        .iter()
        .find(|(n, _)| &**n == "housing_allowance_master")
        .unwrap();
    assert_eq!(v.rules.render(&master.1.into()), "90000");
    let bad = apply(
        &f,
        &[Edit {
            slot: "jinying.toml:core_industry_uplift".into(),
            value: "1.1元".into(),
        }],
    )
    .unwrap_err();
    assert!(bad[0].zh.contains("不是数字"));
}

/// A draft from 2027: a new version after 2026 (which now ends the day before), the changed
/// values written for it alone, the earlier values kept; the diff applies to the files.
#[test]
fn a_draft_from_a_day_adds_a_version_and_keeps_the_earlier_values() {
    let f = files();
    let change = Change {
        edits: vec![
            Edit {
                slot: "doubling.toml:housing_allowance_master[2026]".into(),
                value: "10万".into(),
            },
            Edit {
                slot: "jinying.toml:core_industry_uplift".into(),
                value: "1.3".into(),
            },
            Edit {
                slot: "jinying.toml:startup_amount[C][2026]".into(),
                value: "3,000,000".into(),
            },
        ],
        texts: vec![Edit {
            slot: "doubling.toml:housing_allowance.amount.zh".into(),
            value: "博士20万元（2026年起25万元），硕士6万元（2026年起8万元，2027年起10万元），“双一流”或QS前200本科3万元，其他本科2万元".into(),
        }],
        from: Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
    };
    let changed = apply_change(&f, &change).unwrap();
    let p = load_files(Path::new("draft"), &changed).expect("the draft loads");
    let ids: Vec<&str> = p.versions.iter().map(|v| &*v.id).collect();
    assert_eq!(ids, ["2021", "2026", "2027"]);
    assert_eq!(
        p.versions[1].until,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
    );
    let value = |vi: usize, name: &str| {
        let v = &p.versions[vi];
        let (_, param) = v
            .rules
            .parameters
            .iter()
            .find(|(n, _)| &**n == name)
            .unwrap();
        v.rules.render(&(*param).into())
    };
    assert_eq!(value(1, "housing_allowance_master"), "80000");
    assert_eq!(value(2, "housing_allowance_master"), "100000");
    assert_eq!(value(0, "core_industry_uplift"), "1.2");
    assert_eq!(value(1, "core_industry_uplift"), "1.2");
    assert_eq!(value(2, "core_industry_uplift"), "1.3");
    // The description was rewritten: its 10万 is a value now, so nothing to correct there.
    assert!(
        !p.warnings.iter().any(|w| w.file.ends_with("doubling.toml")),
        "{:?}",
        p.warnings
    );
    let d = diff(&f, &changed);
    assert!(d.contains("+until = 2026-12-31"), "{d}");
    assert!(
        d.contains("+[[version]]") && d.contains("+from = 2027-01-01"),
        "{d}"
    );
    assert!(
        d.contains("\"2026\" = \"80_000\", \"2027\" = \"100000\""),
        "{d}"
    );
    // A day not after the latest version is refused, saying why.
    let early = Change {
        from: chrono::NaiveDate::from_ymd_opt(2025, 6, 1),
        ..Change::default()
    };
    let e = apply_change(&f, &early).unwrap_err();
    assert!(e[0].zh.contains("2026-01-01"), "{:?}", e);
}

/// The stored form of a change: the object, or the list older drafts kept.
#[test]
fn a_change_reads_the_list_older_drafts_stored() {
    let old = r#"[{"slot":"jinying.toml:core_industry_uplift","value":"1.2"}]"#;
    assert_eq!(Change::read(old).edits.len(), 1);
    let new = r#"{"edits":[],"texts":[],"from":"2027-01-01"}"#;
    assert_eq!(
        Change::read(new).from,
        chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
    );
    assert!(Change::read("nonsense").is_empty());
    assert_eq!(
        normalise_for("10万", Some(Unit::Yuan)).as_deref(),
        Some("100000")
    );
    assert_eq!(normalise_for("10万", Some(Unit::Factor)), None);
}
