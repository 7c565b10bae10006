//! Getting photos off the station: the upload worker that drains the queue to the intake server
//! (`caiji-collector`, or a school's own server speaking `docs/upload-api.md`).
//!
//! The worker runs on tokio: it claims due shots from the queue (so nothing is taken twice),
//! sends each with its shot id as the idempotency key, and sorts every outcome:
//! the collector's receipt for this shot id and these bytes → `uploaded`; a network error, a
//! timeout, a redirect, a 200 without a receipt, 408, 429 or 5xx → retried with exponential
//! backoff and jitter; any other 4xx → `failed`, for the supervisor, never retried by itself.
//! A shot held by a worker that died is `pending` again when the queue is next opened.
//!
//! ```no_run
//! # async fn demo(store: caiji_store::Store) {
//! use caiji_upload::{Worker, WorkerConfig};
//! let cfg = WorkerConfig::new("http://127.0.0.1:8080", "token", "station-1");
//! let worker = Worker::spawn(store, cfg, |event| println!("{event:?}"));
//! // … take photos …
//! worker.stop().await; // finishes uploads in flight, then returns
//! # }
//! ```
#![deny(missing_docs)]

use caiji_protocol::{MAX_RESPONSE_BYTES, Receipt, ReceiptStatus};
use caiji_store::{Shot, Store, now_ms};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How the worker talks to the intake server.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Base URL of the intake server.
    pub url: String,
    /// Station token (sent as a bearer token).
    pub token: String,
    /// Station name (for the logs; the collector knows the station by its token).
    pub station: String,
    /// A PEM certificate to trust for an `https://` intake URL (a school's own CA or the
    /// collector's self-signed certificate), besides the system's roots.
    pub ca_cert: Option<Vec<u8>>,
    /// Uploads in flight at once.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// First retry delay.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// How often to look at the queue when nothing wakes the worker.
    pub poll: Duration,
    /// How often, while nothing is being uploaded, to ask the collector whether it is there
    /// (`GET /health`), so the station shows online or offline before its next photo.
    pub probe_every: Duration,
}

impl WorkerConfig {
    /// Defaults for a station on a hall's network.
    pub fn new(url: &str, token: &str, station: &str) -> WorkerConfig {
        WorkerConfig {
            url: url.trim_end_matches('/').to_string(),
            token: token.to_string(),
            station: station.to_string(),
            ca_cert: None,
            concurrency: 4,
            timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            probe_every: Duration::from_secs(20),
        }
    }
}

/// What happened to one upload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "upload", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UploadEvent {
    /// The collector has it (`already` when it had it before: a retry after a lost response).
    Uploaded {
        /// Shot id.
        id: String,
        /// Stored on an earlier attempt.
        already: bool,
    },
    /// A passing failure; the shot goes back in the queue.
    Retry {
        /// Shot id.
        id: String,
        /// Why.
        error: String,
        /// When the next attempt is due, milliseconds from now.
        in_ms: u64,
    },
    /// Refused for good.
    Failed {
        /// Shot id.
        id: String,
        /// The collector's reason.
        error: String,
    },
    /// The queue itself failed (disk, database): the worker keeps trying.
    QueueError {
        /// What failed.
        error: String,
    },
    /// With nothing being uploaded, the collector answered its health check (`ok`), or did
    /// not: no answer, an error, or a page that is not the collector's (a captive portal).
    Reachable {
        /// The collector answered.
        ok: bool,
    },
}

/// The running worker. Dropping it cancels; [`Worker::stop`] also waits for uploads in flight.
pub struct Worker {
    cancel: CancellationToken,
    wake: Arc<Notify>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

enum Outcome {
    Stored { already: bool },
    Retry(String),
    Permanent(String),
}

/// Delay before attempt `attempt + 1`: exponential from `base`, capped, with jitter in [½, 1].
pub fn backoff(cfg: &WorkerConfig, attempt: i64) -> Duration {
    let exp = cfg
        .backoff_base
        .saturating_mul(1u32 << attempt.clamp(0, 16) as u32);
    let capped = exp.min(cfg.backoff_max);
    capped.mul_f64(rand::rng().random_range(0.5..=1.0))
}

/// The client a station talks to its collector with: no redirects (a captive portal or a wrong
/// URL answers with one, and whatever it leads to is not the collector), `ca` trusted besides
/// the system's roots.
pub fn http_client(ca: Option<&[u8]>) -> Result<reqwest::Client, reqwest::Error> {
    http_client_with(ca, Duration::from_secs(10))
}

fn http_client_with(
    ca: Option<&[u8]>,
    timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    // reqwest is built without a bundled TLS backend choice; ring serves HTTPS intake URLs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)));
    if let Some(pem) = ca {
        client = client.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
    }
    client.build()
}

impl Worker {
    /// Start draining `store` to `cfg.url`. `on_event` is called from the worker's tasks.
    pub fn spawn(
        store: Store,
        cfg: WorkerConfig,
        on_event: impl Fn(UploadEvent) + Send + Sync + 'static,
    ) -> Worker {
        let cancel = CancellationToken::new();
        let wake = Arc::new(Notify::new());
        let on_event: Arc<dyn Fn(UploadEvent) + Send + Sync> = Arc::new(on_event);
        let client = match http_client_with(cfg.ca_cert.as_deref(), cfg.timeout) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the configured CA certificate does not load");
                http_client_with(None, cfg.timeout).expect("HTTP client with default settings")
            }
        };
        let task = tokio::spawn(run(
            store,
            cfg,
            client,
            on_event,
            cancel.clone(),
            wake.clone(),
        ));
        Worker {
            cancel,
            wake,
            task: Some(task),
        }
    }

    /// Look at the queue now (a photo was just queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stop taking new shots, let uploads in flight finish (each bounded by the timeout), return.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

async fn run(
    store: Store,
    cfg: WorkerConfig,
    client: reqwest::Client,
    on_event: Arc<dyn Fn(UploadEvent) + Send + Sync>,
    cancel: CancellationToken,
    wake: Arc<Notify>,
) {
    let cfg = Arc::new(cfg);
    let mut inflight: JoinSet<()> = JoinSet::new();
    let mut last_probe: Option<std::time::Instant> = None;
    while !cancel.is_cancelled() {
        let free = cfg.concurrency.saturating_sub(inflight.len());
        let claimed = if free > 0 {
            match store.claim(free as u32, now_ms()).await {
                Ok(c) => c,
                Err(e) => {
                    on_event(UploadEvent::QueueError {
                        error: e.to_string(),
                    });
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let idle = claimed.is_empty();
        for shot in claimed {
            let (store, cfg, client, on_event) =
                (store.clone(), cfg.clone(), client.clone(), on_event.clone());
            inflight
                .spawn(async move { upload_one(&store, &cfg, &client, &*on_event, shot).await });
        }
        // Nothing to send: ask whether the collector is there, now and then, so the station
        // knows it is online (or not) before the next photo. Never while uploads run: their
        // outcomes say it already.
        if idle && inflight.is_empty() && last_probe.is_none_or(|t| t.elapsed() >= cfg.probe_every)
        {
            last_probe = Some(std::time::Instant::now());
            tokio::select! {
                _ = cancel.cancelled() => break,
                ok = probe(&cfg, &client) => on_event(UploadEvent::Reachable { ok }),
            }
        }
        if idle || inflight.len() >= cfg.concurrency {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = wake.notified() => {}
                Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
                _ = tokio::time::sleep(cfg.poll) => {}
            }
        }
    }
    while inflight.join_next().await.is_some() {}
}

async fn upload_one(
    store: &Store,
    cfg: &WorkerConfig,
    client: &reqwest::Client,
    on_event: &(dyn Fn(UploadEvent) + Send + Sync),
    shot: Shot,
) {
    let outcome = match store.photo(&shot.id).await {
        Ok(bytes) => send(cfg, client, &shot, bytes).await,
        // A photo that does not decrypt or is gone needs the supervisor; a busy database or an
        // I/O error passes, and the shot is tried again.
        Err(e @ (caiji_store::StoreError::WrongKey | caiji_store::StoreError::NoSuchShot(_))) => {
            Outcome::Permanent(e.to_string())
        }
        Err(e) => Outcome::Retry(e.to_string()),
    };
    let id = shot.id.clone();
    let recorded = match outcome {
        Outcome::Stored { already } => {
            tracing::info!(shot = %id, station = %cfg.station, already, "uploaded");
            let r = store
                .mark_uploaded(&id, if already { "already stored" } else { "stored" })
                .await;
            on_event(UploadEvent::Uploaded { id, already });
            r
        }
        Outcome::Retry(error) => {
            let delay = backoff(cfg, shot.upload_attempts - 1);
            tracing::warn!(shot = %id, error = %error, in_ms = delay.as_millis() as u64, "upload retry");
            let r = store
                .mark_retry(&id, &error, now_ms() + delay.as_millis() as i64)
                .await;
            on_event(UploadEvent::Retry {
                id,
                error,
                in_ms: delay.as_millis() as u64,
            });
            r
        }
        Outcome::Permanent(error) => {
            tracing::error!(shot = %id, error = %error, "upload failed");
            let r = store.mark_failed(&id, &error).await;
            on_event(UploadEvent::Failed { id, error });
            r
        }
    };
    if let Err(e) = recorded {
        // The shot stays 'uploading' and is resumed when the queue is next opened.
        on_event(UploadEvent::QueueError {
            error: e.to_string(),
        });
    }
}

async fn send(
    cfg: &WorkerConfig,
    client: &reqwest::Client,
    shot: &Shot,
    bytes: Vec<u8>,
) -> Outcome {
    let url = format!("{}/v1/photos/{}", cfg.url, shot.id);
    let mut req = client
        .put(&url)
        .bearer_auth(&cfg.token)
        .header(caiji_protocol::SHA256, &shot.photo_sha256)
        .header(caiji_protocol::CODE_KEY, &shot.code_key)
        .header(caiji_protocol::TAKEN_AT, shot.taken_at.to_string())
        .header("content-type", "image/jpeg");
    // A room the collector would refuse (from settings older than the rule) is not sent: the
    // photo matters more than its room.
    if !shot.room.is_empty() && caiji_protocol::valid_room_name(&shot.room) {
        req = req.header(
            caiji_protocol::ROOM,
            caiji_protocol::encode_header_text(&shot.room),
        );
    }
    if let Some(old) = &shot.supersedes {
        req = req.header(caiji_protocol::SUPERSEDES, old);
    }
    let resp = req.body(bytes).send().await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Outcome::Retry("网络超时 / timed out".into()),
        Err(e) if e.is_connect() => {
            return Outcome::Retry(format!("无法连接接收端 / cannot connect: {e}"));
        }
        Err(e) => return Outcome::Retry(format!("网络错误 / network error: {e}")),
    };
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(|l| l.chars().take(200).collect::<String>());
    let body = read_bounded(resp).await;
    match status {
        200 | 201 => match Receipt::parse(&body) {
            Some(r) if r.proves(&shot.id, &shot.photo_sha256) => Outcome::Stored {
                already: r.status == ReceiptStatus::AlreadyStored,
            },
            Some(_) => Outcome::Retry(
                "接收端的回执与所发照片不符 / the collector's receipt is for another photo".into(),
            ),
            None => Outcome::Retry(format!(
                "接收地址不是采集接收端（HTTP {status}，无回执）/ the intake URL is not a Caiji collector (HTTP {status}, no receipt)"
            )),
        },
        300..=399 => Outcome::Retry(format!(
            "接收地址重定向到 {}（可能是网络登录页）/ the intake URL redirects to {} (a network login page?)",
            location.as_deref().unwrap_or("?"),
            location.as_deref().unwrap_or("?")
        )),
        408 | 429 | 500..=599 => Outcome::Retry(format!("HTTP {status}")),
        _ => {
            let problem = serde_json::from_slice::<serde_json::Value>(&body).ok();
            let field = |k: &str| {
                problem
                    .as_ref()
                    .and_then(|v| v.get(k)?.as_str().map(str::to_string))
            };
            let msg = match (field("message_zh"), field("message_en")) {
                (Some(zh), Some(en)) => format!("{zh} / {en}"),
                _ => String::from_utf8_lossy(&body).chars().take(200).collect(),
            };
            // Damaged in transit: worth a few more tries, not an endless loop.
            if field("code").as_deref() == Some("hash_mismatch")
                && shot.upload_attempts < HASH_MISMATCH_TRIES
            {
                return Outcome::Retry(format!("HTTP {status}: {msg}"));
            }
            Outcome::Permanent(format!("HTTP {status}: {msg}"))
        }
    }
}

/// Whether the collector answers `GET /health` with its `ok` (a portal's page or any other
/// answer is not the collector).
async fn probe(cfg: &WorkerConfig, client: &reqwest::Client) -> bool {
    match client.get(format!("{}/health", cfg.url)).send().await {
        Ok(resp) if resp.status().is_success() => read_bounded(resp).await.trim_ascii() == b"ok",
        _ => false,
    }
}

/// Attempts a photo the collector found damaged in transit gets before it is `failed`.
pub const HASH_MISMATCH_TRIES: i64 = 3;

/// At most [`MAX_RESPONSE_BYTES`] of a response body: a receipt is small, and a portal's page
/// or a hostile server's endless body is not read further.
async fn read_bounded(mut resp: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = MAX_RESPONSE_BYTES.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    body
}
