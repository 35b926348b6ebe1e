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
pub const POLICY_FILES: [&str; 9] = [
    "policy.toml",
    "scitech.toml",
    "jinying.toml",
    "doubling.toml",
    "combining.toml",
    "calendar.toml",
    "procedure.toml",
    "letters.toml",
    "prior.toml",
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

/// The errors loading the folder gives (it must not load).
pub fn errors(dir: &Path) -> Vec<rules::policy::Diagnostic> {
    match rules::policy::load(dir) {
        Ok(_) => panic!("the policy loaded, but errors were expected"),
        Err(d) => d
            .into_iter()
            .filter(|d| d.severity == rules::policy::Severity::Error)
            .collect(),
    }
}

/// One broken edit, and what the loader must say about it.
pub struct Broken {
    pub file: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    /// Where the error must point, in the edited file: at `target`, where it follows `prefix`.
    pub at: (&'static str, &'static str),
    pub says: &'static str,
}

pub fn line_col(text: &str, prefix: &str, target: &str) -> (usize, usize) {
    let at = text
        .find(&format!("{prefix}{target}"))
        .unwrap_or_else(|| panic!("{prefix}{target} is not in the edited file"))
        + prefix.len();
    let before = &text[..at];
    (
        before.matches('\n').count() + 1,
        before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1,
    )
}

pub fn check_broken(cases: &[Broken]) {
    for case in cases {
        let dir = policy_copy();
        edit(dir.path(), case.file, case.from, case.to);
        if rules::policy::load(dir.path()).is_ok() {
            panic!(
                "editing {} to {:?} loaded: errors were expected",
                case.file, case.to
            );
        }
        let errs = errors(dir.path());
        let hit = errs.iter().find(|d| d.message.contains(case.says));
        let Some(d) = hit else {
            panic!(
                "editing {} to {:?}: no error says {:?}; got {errs:#?}",
                case.file, case.to, case.says
            );
        };
        assert_eq!(d.file, dir.path().join(case.file), "{}", case.says);
        let text = std::fs::read_to_string(dir.path().join(case.file)).unwrap();
        assert_eq!(
            (d.line, d.column),
            line_col(&text, case.at.0, case.at.1),
            "{}: {d}",
            case.says
        );
    }
}
