//! Encryption at rest for personal information: one 32-byte data key, from which an
//! AES-256-GCM key (what is stored encrypted) and an HMAC-SHA256 key (what is searched by its
//! keyed hash) are derived.
//!
//! Invariants:
//! - **Every sealed value is bound to where it is stored**: the caller gives the place (table,
//!   column, row) as associated data, so a ciphertext copied into another row or column does
//!   not open.
//! - **A fresh random nonce per sealing** (96 bits, from the operating system).
//! - **The key never appears in `Debug` output**, in a log or in the database: the database
//!   keeps only its fingerprint (`DataKey::fingerprint`, an HMAC of a fixed text), which tells
//!   whether the key in hand is the one the data was sealed with and reveals nothing of it.
//! - A key file is created only with `create_new` and mode 0600: an existing file is never
//!   overwritten.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use std::path::Path;

type HmacSha256 = Hmac<sha2::Sha256>;

/// Text columns hold sealed values as this prefix and base64.
const TEXT_PREFIX: &str = "enc1:";
const NONCE: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the data key file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("cannot create the data key file {0}: {1}")]
    Create(String, std::io::Error),
    #[error(
        "the data key file {0} does not hold a key (64 hexadecimal digits) / 数据密钥文件 {0} 的内容不是密钥（64 位十六进制数）"
    )]
    Malformed(String),
    #[error(
        "the data key file {0} can be read by other users (mode {1:o}): make it readable by its owner only (chmod 600 {0}) / 数据密钥文件 {0} 可被其他用户读取（权限 {1:o}）：请设为仅所有者可读（chmod 600 {0}）"
    )]
    Exposed(String, u32),
    #[error("a sealed value could not be opened (wrong key, or changed data)")]
    Open,
}

/// The data key. Cheap to clone; `Debug` prints its fingerprint only.
#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    mac: HmacSha256,
    fingerprint: String,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.fingerprint)
    }
}

fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    // HMAC with the master key over a fixed label: a key per purpose, none revealing another.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl DataKey {
    pub fn from_bytes(master: &[u8; 32]) -> DataKey {
        let enc = derive(master, "talent-subsidy/encrypt/v1");
        let mac = derive(master, "talent-subsidy/search/v1");
        let check = derive(master, "talent-subsidy/fingerprint/v1");
        DataKey {
            cipher: Aes256Gcm::new(&enc.into()),
            mac: <HmacSha256 as Mac>::new_from_slice(&mac).expect("HMAC takes any key length"),
            fingerprint: crate::secrets::hex(&check[..16]),
        }
    }

    /// A new random key, and its file text (64 hex digits and a newline).
    pub fn generate() -> (DataKey, String) {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the system random generator failed");
        (
            DataKey::from_bytes(&bytes),
            crate::secrets::hex(&bytes) + "\n",
        )
    }

    /// A key written as 64 hex digits (surrounding white space ignored).
    pub fn parse(text: &str) -> Option<DataKey> {
        let t = text.trim();
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(DataKey::from_bytes(&bytes))
    }

    /// Reads a key file; `Ok(None)` when there is no such file.
    /// A key file that anyone but its owner may read is refused: whoever reads it opens
    /// every sealed value.
    pub fn read(path: &Path) -> Result<Option<DataKey>, KeyError> {
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(path) {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Exposed(path.display().to_string(), mode));
            }
        }
        match std::fs::read_to_string(path) {
            Ok(text) => DataKey::parse(&text)
                .map(Some)
                .ok_or_else(|| KeyError::Malformed(path.display().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeyError::Read(path.display().to_string(), e)),
        }
    }

    /// Creates a key file with a new key, readable by its owner only; never over an existing
    /// file.
    pub fn create(path: &Path) -> Result<DataKey, KeyError> {
        let (key, text) = DataKey::generate();
        let fail = |e| KeyError::Create(path.display().to_string(), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(fail)?;
        use std::io::Write;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        Ok(key)
    }

    /// What the database keeps to recognise this key.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// `plain` encrypted and authenticated, bound to `place`: the nonce, then the ciphertext
    /// with its tag.
    pub fn seal(&self, plain: &[u8], place: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).expect("the system random generator failed");
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: place.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any message shorter than 64 GiB");
        let mut out = Vec::with_capacity(NONCE + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], place: &str) -> Result<Vec<u8>, KeyError> {
        if sealed.len() < NONCE + 16 {
            return Err(KeyError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: place.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Open)
    }

    /// Text sealed for a text column: `enc1:` and base64.
    pub fn seal_text(&self, plain: &str, place: &str) -> String {
        let sealed = self.seal(plain.as_bytes(), place);
        let mut out = String::from(TEXT_PREFIX);
        base64::engine::general_purpose::STANDARD_NO_PAD.encode_string(sealed, &mut out);
        out
    }

    pub fn open_text(&self, stored: &str, place: &str) -> Result<String, KeyError> {
        let b64 = stored.strip_prefix(TEXT_PREFIX).ok_or(KeyError::Open)?;
        let sealed = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| KeyError::Open)?;
        String::from_utf8(self.open(&sealed, place)?).map_err(|_| KeyError::Open)
    }

    /// The keyed hash a column is searched by (64 hex digits): equal texts, equal hashes;
    /// without the key, no way to test a guess.
    pub fn search_hash(&self, text: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(text.as_bytes());
        crate::secrets::hex(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_in_its_place_and_with_its_key() {
        let (key, text) = DataKey::generate();
        let again = DataKey::parse(&text).unwrap();
        assert_eq!(key.fingerprint(), again.fingerprint());
        let sealed = key.seal_text("张三", "applications.applicant_name/SXT-2026-000001");
        assert!(sealed.starts_with(TEXT_PREFIX));
        assert!(!sealed.contains("张三"));
        assert_eq!(
            again
                .open_text(&sealed, "applications.applicant_name/SXT-2026-000001")
                .unwrap(),
            "张三"
        );
        assert!(
            key.open_text(&sealed, "applications.applicant_name/SXT-2026-000002")
                .is_err()
        );
        let (other, _) = DataKey::generate();
        assert_ne!(other.fingerprint(), key.fingerprint());
        assert!(
            other
                .open_text(&sealed, "applications.applicant_name/SXT-2026-000001")
                .is_err()
        );
        // Two sealings of the same text differ (fresh nonces); their search hashes do not.
        assert_ne!(sealed, key.seal_text("张三", "x"));
        assert_eq!(key.search_hash("张三"), again.search_hash("张三"));
        assert_ne!(key.search_hash("张三"), other.search_hash("张三"));
        assert!(DataKey::parse("00").is_none());
        assert!(format!("{key:?}").len() < 50);
    }

    #[test]
    fn a_key_file_is_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k/data.key");
        let key = DataKey::create(&path).unwrap();
        assert_eq!(
            DataKey::read(&path).unwrap().unwrap().fingerprint(),
            key.fingerprint()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(DataKey::create(&path).is_err());
        assert_eq!(
            DataKey::read(&path).unwrap().unwrap().fingerprint(),
            key.fingerprint()
        );
        assert!(DataKey::read(&dir.path().join("none")).unwrap().is_none());
    }
}
