//! Helpers the integration tests share.
#![allow(dead_code)]

use std::path::Path;

/// The policy files, without their tests.
pub const POLICY_FILES: [&str; 5] = [
    "policy.toml",
    "scitech.toml",
    "jinying.toml",
    "doubling.toml",
    "combining.toml",
];

/// A copy of `policy/` in a temporary folder, to edit.
pub fn policy_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in POLICY_FILES {
        std::fs::copy(Path::new("policy").join(f), dir.path().join(f)).unwrap();
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

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `ready` every 50 ms until it holds; fails the test after `limit`.
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
