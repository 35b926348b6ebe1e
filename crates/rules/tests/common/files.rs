//! The policy folder and copies of it to edit: shared by the rules crate's tests and the
//! service's (`#[path]`-included by both `common` modules).

use std::path::{Path, PathBuf};

/// The shipped `policy/` folder, wherever the test runs from.
pub fn policy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(
        if Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policy")
            .is_dir()
        {
            "policy"
        } else {
            "../../policy"
        },
    )
}

/// The shipped policy, loaded once per test binary.
pub fn shipped_policy() -> &'static rules::policy::Policy {
    static P: std::sync::OnceLock<rules::policy::Policy> = std::sync::OnceLock::new();
    P.get_or_init(|| rules::policy::load(&policy_dir()).expect("policy loads"))
}

/// The policy files, without their tests.
pub const POLICY_FILES: [&str; 6] = [
    "policy.toml",
    "scitech.toml",
    "jinying.toml",
    "doubling.toml",
    "combining.toml",
    "calendar.toml",
];

/// A copy of `policy/` in a temporary folder, to edit.
pub fn policy_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in POLICY_FILES {
        std::fs::copy(policy_dir().join(f), dir.path().join(f)).unwrap();
    }
    dir
}

/// Replaces the first `from` with `to` in a copied policy file, writing a temporary file and
/// renaming it over the old one as editors do.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    let tmp = dir.join(format!(".{file}.swp"));
    std::fs::write(&tmp, text.replacen(from, to, 1)).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}
