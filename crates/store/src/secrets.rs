//! Secrets: random tokens, SHA-256, comparison in constant time, and passwords (argon2id).
//!
//! Invariants: **a [`Secret`]'s `Debug` prints nothing of it**; **secrets are compared with
//! `subtle`**, in time that does not depend on where they differ; **password checks run on a
//! fixed number of buffers** ([`PasswordChecker`]): however many sign-ins arrive at once, at
//! most that many argon2 memory areas exist, allocated once and reused, so a burst of sign-in
//! attempts can neither exhaust memory nor leave it fragmented.

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// A secret (a password hash, a token): its `Debug` prints nothing of it, so no log line or
/// panic message can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator does not fail on the systems this runs on; if it
    // ever did, refusing to go on is the only safe answer.
    getrandom::fill(&mut bytes).expect("the system random generator failed");
    hex(&bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes.as_ref()))
}

/// Whether two secrets are equal, in time that does not depend on where they differ. An
/// empty secret equals nothing.
pub fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// An argon2id hash in PHC form, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Shortest password `officer add` accepts.
pub const MIN_PASSWORD: usize = 10;

/// Why `officer add` or `officer password` refuses a password, in Chinese and English; `None`
/// for one that is long and varied enough. Refused: shorter than [`MIN_PASSWORD`], fewer than
/// five different characters (`aaaaaaaaaa`, `ababababab`), a run along the keyboard or the
/// alphabet (`1234567890`, `qwertyuiop`), a well-known password, or one that holds the
/// account's name.
pub fn weak_password(password: &str, account: &str) -> Option<(String, String)> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD {
        return Some((
            format!("密码至少 {MIN_PASSWORD} 个字符"),
            format!("the password must have at least {MIN_PASSWORD} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let runs = [
        "01234567890",
        "09876543210",
        "abcdefghijklmnopqrstuvwxyz",
        "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiopasdfghjklzxcvbnm",
        "1qaz2wsx3edc4rfv5tgb",
    ];
    let common = [
        "password", "passw0rd", "p@ssw0rd", "iloveyou", "admin", "welcome", "letmein", "woaini",
        "aini1314", "5201314", "qwerty", "123456", "111111", "888888", "666666",
    ];
    let stripped: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let is_run = runs.iter().any(|r| r.contains(stripped.as_str()))
        || common.iter().any(|c| {
            stripped.starts_with(c) && stripped[c.len()..].chars().all(|x| x.is_ascii_digit())
        });
    let account = account.trim().to_lowercase();
    if distinct.len() < 5 || is_run {
        return Some((
            "密码太容易猜到：请用更长、更多样的字符，例如几个不相关的词".into(),
            "the password is too easy to guess: use a longer, more varied one, such as a few unrelated words".into(),
        ));
    }
    if account.chars().count() >= 3 && lower.contains(&account) {
        return Some((
            "密码不能包含账户名".into(),
            "the password must not contain the account's name".into(),
        ));
    }
    None
}

/// Whether `password` matches the PHC string `hash`, computed in `memory` (grown to the
/// hash's memory cost if it is smaller).
pub fn verify_password_in(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(h) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash.as_ref()) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(h.algorithm.as_str()) else {
        return false;
    };
    let version = match h.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&h) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut memory[..blocks])
        .is_ok()
        && bool::from(out.ct_eq(expected.as_bytes()))
}

/// Whether `password` matches the PHC string `hash` (memory allocated for this one check:
/// for commands, not for the service).
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_password_in(password, hash, &mut Vec::new())
}

/// Checks passwords on at most `permits` argon2 memory areas at once. A check that cannot
/// start within the wait it is given is refused rather than queued without end.
#[derive(Clone)]
pub struct PasswordChecker {
    permits: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

/// The service was too busy to check a password in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl PasswordChecker {
    pub fn new(permits: usize) -> PasswordChecker {
        PasswordChecker {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            memory: Arc::default(),
        }
    }

    /// Checks one password on a blocking thread, once a permit is free within `wait`.
    pub async fn check(
        &self,
        password: String,
        hash: Secret,
        wait: std::time::Duration,
    ) -> Result<bool, Busy> {
        let permit = tokio::time::timeout(wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let pool = self.memory.clone();
        let checked = tokio::task::spawn_blocking(move || {
            let mut memory = pool
                .lock()
                .ok()
                .and_then(|mut p| p.pop())
                .unwrap_or_default();
            let ok = verify_password_in(&password, hash.expose(), &mut memory);
            if let Ok(mut p) = pool.lock() {
                p.push(memory);
            }
            drop(permit);
            ok
        })
        .await;
        // A panic inside argon2 is not a match.
        Ok(checked.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse battery!", &h));
        assert!(!verify_password("x", "not a hash"));
        // The same buffer serves checks one after another.
        let mut memory = Vec::new();
        assert!(verify_password_in("correct horse battery", &h, &mut memory));
        let len = memory.len();
        assert!(!verify_password_in("wrong", &h, &mut memory));
        assert_eq!(memory.len(), len);
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for weak in [
            "aaaaaaaaaa",
            "ababababab",
            "1234567890",
            "qwertyuiop",
            "password123",
            "short",
            "wang.reviewer.2026",
        ] {
            assert!(weak_password(weak, "wang.reviewer").is_some(), "{weak}");
        }
        for fine in [
            "correct horse battery",
            "a long enough password",
            "湖边的三棵银杏树下的长椅",
        ] {
            assert_eq!(weak_password(fine, "wang"), None, "{fine}");
        }
    }

    #[test]
    fn a_secret_is_never_printed() {
        let s = Secret::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert!(format!("{:?}", Some(&s)).find("argon2").is_none());
        assert_eq!(s.expose(), "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(!same_secret("", ""));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd") && !same_secret("abc", "abcd"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checks_beyond_the_permits_wait_and_then_are_refused() {
        let h = Secret::new(hash_password("a long enough password").unwrap());
        let checker = PasswordChecker::new(1);
        let long = std::time::Duration::from_secs(30);
        let a = checker.check("a long enough password".into(), h.clone(), long);
        let b = checker.check("wrong".into(), h.clone(), std::time::Duration::ZERO);
        let (a, b) = tokio::join!(a, b);
        assert_eq!(a, Ok(true));
        assert_eq!(b, Err(Busy), "no permit free at once");
        assert_eq!(
            checker.memory.lock().unwrap().len(),
            1,
            "one buffer, reused"
        );
    }
}
