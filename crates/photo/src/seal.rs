//! The sealed student identifier in the JPEG comment segment.
//!
//! The official algorithm is "另行告知" (to be communicated separately), so sealing is a trait
//! with one real implementation, [`AesGcmSealer`]: AES-256-GCM under a 32-byte station key.
//!
//! Envelope, version 1 (ASCII, so any JPEG tool shows it as text):
//!
//! ```text
//! CJSEAL1.<key id: 8 hex digits>.<base64url without padding: nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)>
//! ```
//!
//! The key id is the first 4 bytes of SHA-256 of the key: it tells "sealed under another key"
//! apart from "tampered" without revealing the key. The associated data is the ASCII prefix
//! `CJSEAL1.<key id>`, so the version and key id cannot be altered either.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use caiji_spec::Message;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The envelope's version tag.
pub const PREFIX: &str = "CJSEAL1";

/// Why a seal could not be made, opened or its key loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The comment is not a Caiji seal.
    #[error("{}", self.message())]
    NotASeal,
    /// Sealed under another key.
    #[error("{}", self.message())]
    OtherKey {
        /// Key id in the seal.
        found: String,
        /// Our key id.
        ours: String,
    },
    /// Authentication failed: a byte was changed.
    #[error("{}", self.message())]
    Tampered,
    /// The key file is unusable.
    #[error("{}", self.message())]
    Key {
        /// The file.
        path: String,
        /// Why, in both languages.
        reason: Message,
    },
    /// The identifier to seal is empty or too long for a comment segment.
    #[error("{}", self.message())]
    BadIdentifier,
}

impl SealError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            SealError::NotASeal => {
                Message::new("注释不是采集站加密标识", "the comment is not a Caiji seal")
            }
            SealError::OtherKey { found, ours } => Message::new(
                format!("标识由另一把站点密钥加密（密钥 {found}，本机 {ours}）"),
                format!("sealed under another station key ({found}, ours {ours})"),
            ),
            SealError::Tampered => Message::new(
                "标识校验失败，文件被篡改",
                "the seal does not verify: the file was altered",
            ),
            SealError::Key { path, reason } => Message::new(
                format!("站点密钥文件无效 {path}：{}", reason.zh),
                format!("station key file unusable {path}: {}", reason.en),
            ),
            SealError::BadIdentifier => {
                Message::new("标识为空或过长", "identifier empty or too long")
            }
        }
    }
}

/// Seals and opens a student identifier.
pub trait Sealer: Send + Sync {
    /// The comment bytes that carry `id`.
    fn seal(&self, id: &str) -> Result<Vec<u8>, SealError>;
    /// The identifier inside a comment.
    fn open(&self, comment: &[u8]) -> Result<String, SealError>;
}

/// A 32-byte station key.
#[derive(Clone)]
pub struct StationKey([u8; 32]);

impl std::fmt::Debug for StationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StationKey({})", self.id())
    }
}

impl StationKey {
    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> StationKey {
        StationKey(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> StationKey {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        StationKey(k)
    }

    /// Read a key file: 32 raw bytes, or 64 hex digits (surrounding white space ignored).
    pub fn load(path: &Path) -> Result<StationKey, SealError> {
        let err = |reason: Message| SealError::Key {
            path: path.display().to_string(),
            reason,
        };
        let shape = || {
            err(Message::new(
                "需要 32 字节或 64 位十六进制",
                "need 32 bytes or 64 hex digits",
            ))
        };
        let data =
            std::fs::read(path).map_err(|e| err(Message::new(e.to_string(), e.to_string())))?;
        if data.len() == 32 {
            return Ok(StationKey(data.try_into().expect("length checked")));
        }
        let text = std::str::from_utf8(&data).map_err(|_| shape())?;
        let bytes = hex::decode(text.trim()).map_err(|_| shape())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| shape())?;
        Ok(StationKey(arr))
    }

    /// Write the key as 64 hex digits, readable only by the owner where the OS allows.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, hex::encode(self.0) + "\n")?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }

    /// Public key id: 8 hex digits of SHA-256(key).
    pub fn id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..4])
    }

    /// The raw key, for other at-rest encryption under the same station key.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// AES-256-GCM sealing in the version-1 envelope.
pub struct AesGcmSealer {
    cipher: Aes256Gcm,
    key_id: String,
}

impl AesGcmSealer {
    /// A sealer under `key`.
    pub fn new(key: &StationKey) -> AesGcmSealer {
        AesGcmSealer {
            cipher: Aes256Gcm::new(key.0.as_slice().into()),
            key_id: key.id(),
        }
    }
}

impl Sealer for AesGcmSealer {
    fn seal(&self, id: &str) -> Result<Vec<u8>, SealError> {
        if id.is_empty() || id.len() > 4096 {
            return Err(SealError::BadIdentifier);
        }
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let aad = format!("{PREFIX}.{}", self.key_id);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: id.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::BadIdentifier)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{aad}.{}", URL_SAFE_NO_PAD.encode(blob)).into_bytes())
    }

    fn open(&self, comment: &[u8]) -> Result<String, SealError> {
        let text = std::str::from_utf8(comment).map_err(|_| SealError::NotASeal)?;
        let mut parts = text.splitn(3, '.');
        let (Some(PREFIX), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::NotASeal);
        };
        if key_id.len() != 8 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SealError::NotASeal);
        }
        if key_id != self.key_id {
            return Err(SealError::OtherKey {
                found: key_id.to_string(),
                ours: self.key_id.clone(),
            });
        }
        let blob = URL_SAFE_NO_PAD
            .decode(body.trim_end())
            .map_err(|_| SealError::Tampered)?;
        if blob.len() < 12 + 16 {
            return Err(SealError::Tampered);
        }
        let aad = format!("{PREFIX}.{key_id}");
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(&blob[..12]),
                Payload {
                    msg: &blob[12..],
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plain).map_err(|_| SealError::Tampered)
    }
}

/// Whether a comment has the shape of a version-1 seal (checked without a key).
pub fn looks_sealed(comment: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(comment).ok()?;
    let mut parts = text.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(PREFIX), Some(id), Some(body))
            if id.len() == 8
                && URL_SAFE_NO_PAD
                    .decode(body.trim_end())
                    .is_ok_and(|b| b.len() >= 28) =>
        {
            Some(id.to_string())
        }
        _ => None,
    }
}

/// Mask an identifier for display: keep the first 2 and last 4 characters.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_the_exact_identifier() {
        let key = StationKey::generate();
        let s = AesGcmSealer::new(&key);
        let id = "CJ1|10001|张*丰|1234|2023010101";
        let sealed = s.seal(id).unwrap();
        assert!(sealed.starts_with(format!("{PREFIX}.{}.", key.id()).as_bytes()));
        assert_eq!(s.open(&sealed).unwrap(), id);
        assert_eq!(looks_sealed(&sealed), Some(key.id()));
    }

    #[test]
    fn a_wrong_key_is_named_and_a_changed_byte_is_caught() {
        let a = AesGcmSealer::new(&StationKey::generate());
        let b = AesGcmSealer::new(&StationKey::generate());
        let sealed = a.seal("2023010101").unwrap();
        assert!(matches!(b.open(&sealed), Err(SealError::OtherKey { .. })));
        for i in 18..sealed.len() {
            let mut t = sealed.clone();
            t[i] = if t[i] == b'A' { b'B' } else { b'A' };
            assert!(a.open(&t).is_err(), "byte {i} changed must not open");
        }
        assert_eq!(a.open(b"hello"), Err(SealError::NotASeal));
    }

    #[test]
    fn key_files_load_as_hex_or_raw_and_bad_ones_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let key = StationKey::generate();
        let p = dir.path().join("station.key");
        key.save(&p).unwrap();
        assert_eq!(StationKey::load(&p).unwrap().bytes(), key.bytes());
        std::fs::write(&p, key.bytes()).unwrap();
        assert_eq!(StationKey::load(&p).unwrap().bytes(), key.bytes());
        std::fs::write(&p, "not a key").unwrap();
        let e = StationKey::load(&p).unwrap_err().to_string();
        assert!(e.contains("64 hex"), "{e}");
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask("2023010101"), "20****0101");
        assert_eq!(mask("abc"), "***");
    }
}
