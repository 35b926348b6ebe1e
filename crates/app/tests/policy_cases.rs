//! Runs every declarative case in `policy/tests/*.toml` against the policy in `policy/`,
//! through the same function as `talent-subsidy test`.

use std::path::Path;

/// The shipped `policy/` folder.
fn policy_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy")
}

#[test]
fn every_policy_test_case_passes() {
    let policy = rules::policy::load(&policy_dir()).unwrap_or_else(|d| {
        panic!("the policy does not load: {d:#?}");
    });
    let report =
        app::cases::run_dir(&policy, &policy_dir().join("tests")).expect("the cases are readable");
    assert!(report.passed >= 100, "only {} cases ran", report.passed);
    assert!(
        report.failures.is_empty(),
        "{} failed:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
}
