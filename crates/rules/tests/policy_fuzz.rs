//! The loader on mangled copies of the real policy files: it never panics, and whatever it
//! refuses comes with at least one error located at a real file, line and column.

use proptest::prelude::*;
use rules::policy::{self, Severity};
use std::fs;

mod common;
use common::{POLICY_FILES as FILES, policy_copy};

const TOKENS: [&str; 24] = [
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "\"",
    "'",
    "\"\"\"",
    "\n",
    "{",
    "}",
    ",",
    ".",
    "0",
    "1.5",
    "-1",
    "2026-01-01",
    "x",
    " and ",
    " or ",
    " in ",
    "(",
    ")",
    "program",
];

#[derive(Debug, Clone)]
enum Mangle {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Truncate { at: usize },
    ReplaceWord { at: usize, token: usize },
}

fn mangle_strategy() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mangle::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mangle::Insert { at, token }),
        any::<usize>().prop_map(|line| Mangle::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mangle::SwapLines { a, b }),
        any::<usize>().prop_map(|at| Mangle::Truncate { at }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mangle::ReplaceWord { at, token }),
    ]
}

/// The nearest character boundary at or before `at` (modulo the length).
fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mangle) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    match *m {
        Mangle::Delete { at, len } => {
            let a = boundary(text, at);
            let b = boundary(text, a + len.min(text.len() - a));
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Mangle::Insert { at, token } => {
            let a = boundary(text, at);
            format!("{}{}{}", &text[..a], TOKENS[token], &text[a..])
        }
        Mangle::DuplicateLine { line } => {
            let i = line % lines.len();
            lines.insert(i, lines[i]);
            lines.join("\n")
        }
        Mangle::SwapLines { a, b } => {
            let n = lines.len();
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
        Mangle::Truncate { at } => text[..boundary(text, at)].to_string(),
        Mangle::ReplaceWord { at, token } => {
            let a = boundary(text, at);
            let end = text[a..]
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .map_or(text.len(), |e| a + e);
            format!("{}{}{}", &text[..a], TOKENS[token], &text[end..])
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(250))]

    #[test]
    fn mangled_policies_never_panic_and_errors_are_located(file in 0..FILES.len(), mangles in proptest::collection::vec(mangle_strategy(), 1..4)) {
        let dir = policy_copy();
        let path = dir.path().join(FILES[file]);
        let mut text = fs::read_to_string(&path).unwrap();
        for m in &mangles {
            text = apply(&text, m);
        }
        fs::write(&path, &text).unwrap();
        if let Err(diags) = policy::load(dir.path()) {
            prop_assert!(diags.iter().any(|d| d.severity == Severity::Error), "refused without an error: {diags:?}");
            for d in &diags {
                prop_assert!(d.file.starts_with(dir.path()), "{d}");
                let lines = fs::read_to_string(&d.file).map(|t| t.lines().count().max(1)).unwrap_or(1);
                prop_assert!(d.line >= 1 && d.line <= lines + 1, "line out of the file: {d}");
                prop_assert!(d.column >= 1, "{d}");
            }
        }
    }
}
