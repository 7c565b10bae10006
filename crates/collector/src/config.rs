//! Who may upload, and how the collector listens: in code for tests and the station's own
//! collector, or from a TOML file for a school's server (`caiji collector --config`).
//!
//! ```toml
//! listen = "0.0.0.0:8640"
//! dir = "/srv/caiji/intake"
//! tls_cert = "/etc/caiji/cert.pem"    # PEM; without TLS only a loopback address is allowed,
//! tls_key = "/etc/caiji/key.pem"      # unless insecure_http = true
//!
//! [[station]]
//! name = "体育馆-1"
//! token_sha256 = "…64 hex digits…"    # `caiji enroll` prints this block
//! seal_key = "…64 hex digits…"        # optional: verify the photos' seals
//! ```

use crate::CollectorError;
use caiji_photo::seal::AesGcmSealer;
use caiji_spec::Message;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A station allowed to upload: its name, the SHA-256 of its token, and optionally its seal key.
pub struct StationAccess {
    /// The name shown in the index and the exports (checked: no markup, no formulas).
    pub name: String,
    /// The read scope: may ask what arrived from every room (`GET /v1/arrived`).
    pub read: bool,
    token_sha256: [u8; 32],
    sealer: Option<AesGcmSealer>,
}

impl std::fmt::Debug for StationAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StationAccess({}, seal {}, read {})",
            self.name,
            self.sealer.is_some(),
            self.read
        )
    }
}

/// The shortest token accepted: 16 characters of a random token are 80+ bits.
pub const MIN_TOKEN_LEN: usize = 16;

fn bad(what: &str, zh: impl Into<String>, en: impl Into<String>) -> CollectorError {
    CollectorError::Config(what.into(), Message::new(zh, en))
}

fn check_name(name: &str) -> Result<(), CollectorError> {
    caiji_protocol::check_station_name(name).map_err(|m| CollectorError::Config(name.into(), m))
}

fn hex32(what: &str, hex_text: &str) -> Result<Zeroizing<[u8; 32]>, CollectorError> {
    let bytes = Zeroizing::new(hex::decode(hex_text.trim()).unwrap_or_default());
    let mut out = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(bad(what, "需要 64 位十六进制", "need 64 hex digits"));
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

impl StationAccess {
    /// A station with its token in the clear (kept only as its SHA-256) and optionally its seal
    /// key ([`caiji_photo::seal::StationKey::derive`] with `purpose::SEAL`).
    pub fn new(
        name: &str,
        token: &str,
        seal_key: Option<&[u8; 32]>,
    ) -> Result<StationAccess, CollectorError> {
        check_name(name)?;
        if token.chars().count() < MIN_TOKEN_LEN {
            return Err(bad(
                name,
                format!("令牌至少 {MIN_TOKEN_LEN} 个字符"),
                format!("the token must be at least {MIN_TOKEN_LEN} characters"),
            ));
        }
        Ok(StationAccess {
            name: name.to_string(),
            read: false,
            token_sha256: Sha256::digest(token.as_bytes()).into(),
            sealer: seal_key.map(AesGcmSealer::from_seal_key),
        })
    }

    /// A station from the configuration file's hex fields.
    pub fn from_hex(
        name: &str,
        token_sha256: &str,
        seal_key: Option<&str>,
    ) -> Result<StationAccess, CollectorError> {
        check_name(name)?;
        let token_sha256 = *hex32(&format!("{name}: token_sha256"), token_sha256)?;
        let sealer = match seal_key {
            Some(k) => Some(AesGcmSealer::from_seal_key(&*hex32(
                &format!("{name}: seal_key"),
                k,
            )?)),
            None => None,
        };
        Ok(StationAccess {
            name: name.to_string(),
            read: false,
            token_sha256,
            sealer,
        })
    }

    /// The same station with the read scope given (or taken away).
    pub fn with_read(mut self, read: bool) -> StationAccess {
        self.read = read;
        self
    }

    /// Whether `hash` is this station's token hash, in constant time.
    pub(crate) fn token_matches(&self, hash: &[u8; 32]) -> bool {
        self.token_sha256.ct_eq(hash).into()
    }

    /// The seal verifier, when the seal key is configured.
    pub(crate) fn sealer(&self) -> Option<&AesGcmSealer> {
        self.sealer.as_ref()
    }
}

/// A certificate chain and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct Tls {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// How the collector runs.
#[derive(Debug)]
pub struct Config {
    /// Where photos and the index live (mode 700).
    pub dir: PathBuf,
    /// Who may upload.
    pub stations: Vec<StationAccess>,
    /// TLS, or plain HTTP (loopback only unless `insecure_http`).
    pub tls: Option<Tls>,
    /// Allow plain HTTP on an address other machines can reach.
    pub insecure_http: bool,
    /// A request that takes longer is answered 408.
    pub request_timeout: Duration,
    /// Requests served at once; more wait.
    pub max_in_flight: usize,
}

impl Config {
    /// Defaults: plain HTTP (loopback), 30 s per request, 64 requests at once.
    pub fn new(dir: PathBuf, stations: Vec<StationAccess>) -> Config {
        Config {
            dir,
            stations,
            tls: None,
            insecure_http: false,
            request_timeout: Duration::from_secs(30),
            max_in_flight: 64,
        }
    }

    /// One station, plain HTTP on loopback: the station's own collector, the demo, tests. It
    /// has the read scope (it is the only room).
    pub fn single(
        dir: PathBuf,
        name: &str,
        token: &str,
        seal_key: Option<&[u8; 32]>,
    ) -> Result<Config, CollectorError> {
        Ok(Config::new(
            dir,
            vec![StationAccess::new(name, token, seal_key)?.with_read(true)],
        ))
    }

    /// A configuration file: where to listen, and the configuration.
    pub fn load(path: &Path) -> Result<(String, Config), CollectorError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            listen: Option<String>,
            dir: PathBuf,
            tls_cert: Option<PathBuf>,
            tls_key: Option<PathBuf>,
            #[serde(default)]
            insecure_http: bool,
            #[serde(default)]
            station: Vec<Station>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Station {
            name: String,
            token_sha256: String,
            seal_key: Option<String>,
            #[serde(default)]
            read: bool,
        }
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            bad(
                &shown,
                format!("无法读取：{e}"),
                format!("cannot read it: {e}"),
            )
        })?;
        let f: File = toml::from_str(&text)
            .map_err(|e| bad(&shown, format!("格式错误：{e}"), format!("malformed: {e}")))?;
        // A relative folder or certificate is relative to the file, not to wherever it is run.
        let base = path.parent().unwrap_or(Path::new("."));
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let tls = match (f.tls_cert, f.tls_key) {
            (Some(cert), Some(key)) => Some(Tls {
                cert: rel(cert),
                key: rel(key),
            }),
            (None, None) => None,
            _ => {
                return Err(bad(
                    &shown,
                    "tls_cert 与 tls_key 须同时给出",
                    "tls_cert and tls_key go together",
                ));
            }
        };
        let stations = f
            .station
            .iter()
            .map(|s| {
                StationAccess::from_hex(&s.name, &s.token_sha256, s.seal_key.as_deref())
                    .map(|a| a.with_read(s.read))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut cfg = Config::new(rel(f.dir), stations);
        cfg.tls = tls;
        cfg.insecure_http = f.insecure_http;
        Ok((f.listen.unwrap_or_else(|| "127.0.0.1:8640".into()), cfg))
    }
}
