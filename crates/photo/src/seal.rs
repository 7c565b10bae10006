//! The sealed student identifier in the JPEG comment segment, bound to the photo it is in.
//!
//! The official algorithm is "另行告知" (to be communicated separately), so sealing is a trait
//! with one real implementation, [`AesGcmSealer`]: AES-256-GCM under the seal key derived from
//! the station key.
//!
//! Envelope, version 2 (ASCII, so any JPEG tool shows it as text):
//!
//! ```text
//! CJSEAL2.<key id: 8 hex digits>.<base64url without padding: nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)>
//! ```
//!
//! The key id is the first 4 bytes of SHA-256 of the seal key: it tells "sealed under another
//! key" apart from "tampered" without revealing the key. The associated data is the ASCII prefix
//! `CJSEAL2.<key id>.` followed by the SHA-256 of the JPEG without its comment segments
//! ([`crate::jpeg::image_digest`]): the version, the key id and every byte of the picture are
//! authenticated, so a comment copied from one student's photo into another's does not open.
//!
//! Keys: the station key file holds 32 random bytes; the seal key and the key that encrypts the
//! queue at rest are derived from it with HKDF-SHA256 under different labels, so neither can be
//! turned into the other. Key material is zeroed when dropped.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use caiji_spec::Message;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The envelope's version tag.
pub const PREFIX: &str = "CJSEAL2";

/// HKDF labels: one key per purpose, all from the station key.
pub mod purpose {
    /// The key that seals identifiers into photos (and that a collector verifies with).
    pub const SEAL: &str = "caiji/seal/v2";
    /// The key that encrypts the queued photos at rest.
    pub const STORE: &str = "caiji/store/v2";
    /// The token of the collector on the station's own machine.
    pub const LOCAL_TOKEN: &str = "caiji/local-collector-token/v1";
}

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
    /// A queue exists but its key file does not: a new key could not decrypt the queued photos.
    #[error("{}", self.message())]
    KeyMissing {
        /// The key file that should be there.
        path: String,
    },
    /// The photo carries no comment segment that is a seal.
    #[error("{}", self.message())]
    NoSeal,
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
                "标识与照片不符：注释来自另一张照片，或照片已被修改",
                "the seal does not match this photo: the comment came from another photo, or the photo was altered",
            ),
            SealError::KeyMissing { path } => Message::new(
                format!(
                    "站点密钥 {path} 不存在，但队列中已有照片：新密钥无法解密它们。请从备份恢复该密钥文件"
                ),
                format!(
                    "the station key {path} is missing but the queue holds photos a new key cannot decrypt: restore the key file from its backup"
                ),
            ),
            SealError::NoSeal => Message::new(
                "照片中没有加密标识",
                "the photo carries no sealed identifier",
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

/// Seals and opens a student identifier, bound to the picture it travels in.
pub trait Sealer: Send + Sync {
    /// The comment bytes that carry `id` in the JPEG whose [`crate::jpeg::image_digest`] is
    /// `image`.
    fn seal(&self, id: &str, image: &[u8; 32]) -> Result<Vec<u8>, SealError>;
    /// The identifier inside a comment, if the comment was sealed for the picture `image`.
    fn open(&self, comment: &[u8], image: &[u8; 32]) -> Result<String, SealError>;
}

/// The identifier sealed in a JPEG file: its seal comment opened against its own pixels.
pub fn open_photo(sealer: &dyn Sealer, jpeg: &[u8]) -> Result<String, SealError> {
    let info = crate::jpeg::read_markers(jpeg).map_err(|_| SealError::NoSeal)?;
    let comment = info
        .comments
        .iter()
        .find(|c| looks_sealed(c).is_some())
        .ok_or(SealError::NoSeal)?;
    let image = crate::jpeg::image_digest(jpeg).map_err(|_| SealError::NoSeal)?;
    sealer.open(comment, &image)
}

/// A 32-byte station key: the master from which the seal and store keys are derived. Zeroed
/// when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
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

    /// Read a key file: 32 raw bytes, or 64 hex digits (surrounding white space ignored). A
    /// file other users can read is refused: anyone who can read it can seal photos.
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
        let os = |e: std::io::Error| err(Message::untranslated(e));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(os)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(err(Message::new(
                    format!(
                        "其他用户可读取该文件（权限 {:o}）：请执行 chmod 600",
                        mode & 0o777
                    ),
                    format!(
                        "other users can read it (mode {:o}): chmod 600 it",
                        mode & 0o777
                    ),
                )));
            }
        }
        let data = Zeroizing::new(std::fs::read(path).map_err(os)?);
        if data.len() == 32 {
            let mut k = [0u8; 32];
            k.copy_from_slice(&data);
            return Ok(StationKey(k));
        }
        let text = std::str::from_utf8(&data).map_err(|_| shape())?;
        let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| shape())?);
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| shape())?;
        Ok(StationKey(arr))
    }

    /// Write the key as 64 hex digits to a new file, created readable by the owner only (mode
    /// 600 from the first byte: there is no moment another user could read it). An existing
    /// file is never overwritten.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path)?;
        let text = Zeroizing::new(hex::encode(self.0) + "\n");
        f.write_all(text.as_bytes())?;
        f.sync_all()
    }

    /// The station key at `path`, made on first use only: when the queue `db` does not exist
    /// yet. A queue without its key is refused ([`SealError::KeyMissing`]): a new key could
    /// never decrypt the photos already queued.
    pub fn load_or_create(path: &Path, db: &Path) -> Result<StationKey, SealError> {
        if path.exists() {
            return StationKey::load(path);
        }
        if db.exists() {
            return Err(SealError::KeyMissing {
                path: path.display().to_string(),
            });
        }
        let key = StationKey::generate();
        key.save(path).map_err(|e| SealError::Key {
            path: path.display().to_string(),
            reason: Message::new(format!("无法写入：{e}"), format!("cannot write it: {e}")),
        })?;
        Ok(key)
    }

    /// The key for `purpose` (see [`purpose`]): HKDF-SHA256 of the station key.
    pub fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<Sha256>::new(None, &self.0)
            .expand(purpose.as_bytes(), out.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }

    /// Public key id: 8 hex digits of SHA-256 of the seal key (what a seal names).
    pub fn id(&self) -> String {
        key_id(&self.derive(purpose::SEAL))
    }
}

fn key_id(seal_key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(seal_key)[..4])
}

/// AES-256-GCM sealing in the version-2 envelope.
pub struct AesGcmSealer {
    cipher: Aes256Gcm,
    key_id: String,
}

impl AesGcmSealer {
    /// A sealer under the seal key of `key`.
    pub fn new(key: &StationKey) -> AesGcmSealer {
        AesGcmSealer::from_seal_key(&key.derive(purpose::SEAL))
    }

    /// A sealer under a seal key itself (a collector holds the stations' seal keys, not their
    /// station keys).
    pub fn from_seal_key(seal_key: &[u8; 32]) -> AesGcmSealer {
        AesGcmSealer {
            cipher: Aes256Gcm::new(seal_key.as_slice().into()),
            key_id: key_id(seal_key),
        }
    }
}

fn aad(key_id: &str, image: &[u8; 32]) -> String {
    format!("{PREFIX}.{key_id}.{}", hex::encode(image))
}

impl Sealer for AesGcmSealer {
    fn seal(&self, id: &str, image: &[u8; 32]) -> Result<Vec<u8>, SealError> {
        if id.is_empty() || id.len() > 4096 {
            return Err(SealError::BadIdentifier);
        }
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let prefix = format!("{PREFIX}.{}", self.key_id);
        let aad = aad(&self.key_id, image);
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
        Ok(format!("{prefix}.{}", URL_SAFE_NO_PAD.encode(blob)).into_bytes())
    }

    fn open(&self, comment: &[u8], image: &[u8; 32]) -> Result<String, SealError> {
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
        let aad = aad(key_id, image);
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

/// Whether a comment has the shape of a version-2 seal (checked without a key): its key id.
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

    const PIXELS: [u8; 32] = [7; 32];

    #[test]
    fn seal_round_trips_the_exact_identifier() {
        let key = StationKey::generate();
        let s = AesGcmSealer::new(&key);
        let id = "CJ1|10001|张*丰|1234|2023010101";
        let sealed = s.seal(id, &PIXELS).unwrap();
        assert!(sealed.starts_with(format!("{PREFIX}.{}.", key.id()).as_bytes()));
        assert_eq!(s.open(&sealed, &PIXELS).unwrap(), id);
        assert_eq!(looks_sealed(&sealed), Some(key.id()));
        // The collector's sealer, from the seal key alone, opens it too.
        let collector = AesGcmSealer::from_seal_key(&key.derive(purpose::SEAL));
        assert_eq!(collector.open(&sealed, &PIXELS).unwrap(), id);
    }

    #[test]
    fn a_seal_opens_only_on_the_picture_it_was_made_for() {
        let s = AesGcmSealer::new(&StationKey::generate());
        let sealed = s.seal("2023010101", &PIXELS).unwrap();
        let mut other = PIXELS;
        other[31] ^= 1;
        assert_eq!(s.open(&sealed, &other), Err(SealError::Tampered));
    }

    #[test]
    fn a_wrong_key_is_named_and_a_changed_byte_is_caught() {
        let a = AesGcmSealer::new(&StationKey::generate());
        let b = AesGcmSealer::new(&StationKey::generate());
        let sealed = a.seal("2023010101", &PIXELS).unwrap();
        assert!(matches!(
            b.open(&sealed, &PIXELS),
            Err(SealError::OtherKey { .. })
        ));
        for i in 18..sealed.len() {
            let mut t = sealed.clone();
            t[i] = if t[i] == b'A' { b'B' } else { b'A' };
            assert!(
                a.open(&t, &PIXELS).is_err(),
                "byte {i} changed must not open"
            );
        }
        assert_eq!(a.open(b"hello", &PIXELS), Err(SealError::NotASeal));
    }

    #[test]
    fn keys_for_each_purpose_differ_and_none_is_the_station_key() {
        let key = StationKey::generate();
        let (seal, store) = (key.derive(purpose::SEAL), key.derive(purpose::STORE));
        assert_ne!(*seal, *store);
        assert_ne!(*seal, key.0);
        assert_ne!(*store, key.0);
        assert_eq!(*key.derive(purpose::SEAL), *seal, "derivation is stable");
    }

    #[test]
    fn key_files_load_as_hex_or_raw_and_bad_ones_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let key = StationKey::generate();
        let p = dir.path().join("station.key");
        key.save(&p).unwrap();
        assert_eq!(StationKey::load(&p).unwrap().0, key.0);
        assert!(
            key.save(&p).is_err(),
            "an existing key file is never overwritten"
        );
        std::fs::write(&p, key.0).unwrap();
        assert_eq!(StationKey::load(&p).unwrap().0, key.0);
        std::fs::write(&p, "not a key").unwrap();
        let e = StationKey::load(&p).unwrap_err().to_string();
        assert!(e.contains("64 hex"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_made_private_and_readable_ones_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("station.key");
        StationKey::generate().save(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = StationKey::load(&p).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
    }

    #[test]
    fn a_queue_without_its_key_is_refused_and_no_new_key_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let (key, db) = (dir.path().join("station.key"), dir.path().join("caiji.db"));
        let first = StationKey::load_or_create(&key, &db).unwrap();
        assert_eq!(StationKey::load_or_create(&key, &db).unwrap().0, first.0);
        std::fs::write(&db, b"queue").unwrap();
        std::fs::remove_file(&key).unwrap();
        assert!(matches!(
            StationKey::load_or_create(&key, &db),
            Err(SealError::KeyMissing { .. })
        ));
        assert!(!key.exists(), "no new key for a queue that has photos");
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask("2023010101"), "20****0101");
        assert_eq!(mask("abc"), "***");
    }
}
