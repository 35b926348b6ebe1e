//! Runs every declarative case in `policy/tests/*.toml` against the policy in `policy/`,
//! through the same function as `talent-subsidy test`.

use std::path::Path;

#[test]
fn every_policy_test_case_passes() {
    let policy = talent_subsidy::policy::load(Path::new("policy")).unwrap_or_else(|d| {
        panic!("the policy does not load: {d:#?}");
    });
    let report = talent_subsidy::cases::run_dir(&policy, Path::new("policy/tests"))
        .expect("the cases are readable");
    assert!(report.passed >= 100, "only {} cases ran", report.passed);
    assert!(
        report.failures.is_empty(),
        "{} failed:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
}
