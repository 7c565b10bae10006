//! The intake server the stations upload to (`caiji collector`): the API of `docs/upload-api.md`.
//!
//! It checks the station token, verifies the photo's SHA-256, stores the file atomically
//! (`<dir>/<shot id>.jpg`), answers a repeated upload of the same shot as already stored, refuses a
//! different photo under the same shot id, and keeps its own SQLite index for export.

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use caiji_protocol::{Receipt, ReceiptStatus};
use caiji_spec::Message;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Largest photo the collector takes: the standard's ceiling with room for headers.
pub const MAX_PHOTO_BYTES: usize = 64 * 1024;

/// A fault the collector can be told to inject into its next requests (tests and drills).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer 500 without storing.
    ServerError,
    /// Answer 503 without storing.
    Unavailable,
    /// Wait this long before doing anything (longer than the client's timeout).
    Hang(Duration),
    /// Store the photo, then hold the response until the client gives up: the response is lost.
    LoseResponse(Duration),
}

/// Faults to inject, consumed one per request, in order.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    /// Queue faults for the next requests.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.0.lock().expect("fault list").extend(faults);
    }
    fn take(&self) -> Option<Fault> {
        let mut v = self.0.lock().expect("fault list");
        if v.is_empty() {
            None
        } else {
            Some(v.remove(0))
        }
    }
}

#[derive(Clone)]
struct App {
    dir: PathBuf,
    token: Arc<str>,
    db: SqlitePool,
    faults: Faults,
}

/// A running collector. Dropping the handle does not stop it; call [`CollectorHandle::stop`].
pub struct CollectorHandle {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Inject faults.
    pub faults: Faults,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl CollectorHandle {
    /// Stop accepting, finish open requests, and wait.
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Why the collector could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectorError {
    /// The address is taken or not ours.
    #[error("{}", self.message())]
    Listen(String, String),
    /// The storage folder or index is unusable.
    #[error("{}", self.message())]
    Storage(String, String),
    /// The folder has no collector index.
    #[error("{}", self.message())]
    NotACollector(String),
}

impl CollectorError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            CollectorError::Listen(addr, reason) => Message::new(
                format!("无法监听 {addr}：{reason}"),
                format!("cannot listen on {addr}: {reason}"),
            ),
            CollectorError::Storage(dir, reason) => Message::new(
                format!("接收目录不可用 {dir}：{reason}"),
                format!("intake folder unusable {dir}: {reason}"),
            ),
            CollectorError::NotACollector(dir) => Message::new(
                format!("{dir} 不是接收端目录（没有 index.db）"),
                format!("{dir} is not a collector folder (no index.db)"),
            ),
        }
    }
}

/// One received photo in the collector's index.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Received {
    /// Shot id.
    pub shot_id: String,
    /// SHA-256 of the JPEG.
    pub sha256: String,
    /// Size.
    pub bytes: i64,
    /// Station that sent it.
    pub station: String,
    /// Capture-code key.
    pub code_key: String,
    /// Unix milliseconds.
    pub received_at: i64,
}

/// Open the collector's index and start serving on `listen` (port 0 picks a free port).
pub async fn start(
    listen: &str,
    dir: &Path,
    token: &str,
) -> Result<CollectorHandle, CollectorError> {
    let storage = |e: &dyn std::fmt::Display| {
        CollectorError::Storage(dir.display().to_string(), e.to_string())
    };
    // Listen first: a collector that cannot bind leaves no folder behind.
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| CollectorError::Listen(listen.to_string(), e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| storage(&e))?;
    let opts = SqliteConnectOptions::new()
        .filename(dir.join("index.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let db = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .map_err(|e| storage(&e))?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS received (shot_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, \
         station TEXT NOT NULL, code_key TEXT NOT NULL, received_at INTEGER NOT NULL)",
    )
    .execute(&db)
    .await
    .map_err(|e| storage(&e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CollectorError::Listen(listen.to_string(), e.to_string()))?;
    let faults = Faults::default();
    let app = App {
        dir: dir.to_owned(),
        token: token.into(),
        db,
        faults: faults.clone(),
    };
    let router = Router::new()
        .route("/v1/photos/{shot_id}", put(put_photo))
        .route("/v1/photos", get(list_photos))
        .route("/health", get(|| async { "ok" }))
        .with_state(app);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
    });
    Ok(CollectorHandle {
        addr,
        faults,
        cancel,
        task,
    })
}

fn problem(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message_zh": zh, "message_en": en})),
    )
        .into_response()
}

fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

async fn put_photo(
    State(app): State<App>,
    UrlPath(shot_id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = app.faults.take();
    match fault {
        Some(Fault::ServerError) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "injected",
                "注入的故障",
                "injected fault",
            );
        }
        Some(Fault::Unavailable) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "injected",
                "注入的故障",
                "injected fault",
            );
        }
        Some(Fault::Hang(d)) => tokio::time::sleep(d).await,
        _ => {}
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    if header("authorization") != format!("Bearer {}", app.token) {
        return problem(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "站点令牌无效",
            "invalid station token",
        );
    }
    if !valid_id(&shot_id) {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad_shot_id",
            "照片编号无效",
            "invalid shot id",
        );
    }
    if body.len() > MAX_PHOTO_BYTES {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "照片过大",
            "photo too large",
        );
    }
    if body.len() < 4 || body[..2] != [0xFF, 0xD8] {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_jpeg",
            "不是 JPEG 照片",
            "not a JPEG photo",
        );
    }
    let sha = hex::encode(Sha256::digest(&body));
    if header("x-caiji-sha256").to_lowercase() != sha {
        return problem(
            StatusCode::BAD_REQUEST,
            "hash_mismatch",
            "照片校验值不符（传输损坏）",
            "photo hash mismatch (damaged in transit)",
        );
    }
    let existing = sqlx::query("SELECT sha256 FROM received WHERE shot_id = ?")
        .bind(&shot_id)
        .fetch_optional(&app.db)
        .await;
    match existing {
        Ok(Some(row)) => {
            let stored: String = row.get("sha256");
            return if stored == sha {
                (
                    StatusCode::OK,
                    Json(Receipt::new(
                        shot_id,
                        sha,
                        ReceiptStatus::AlreadyStored,
                        true,
                    )),
                )
                    .into_response()
            } else {
                problem(
                    StatusCode::CONFLICT,
                    "different_photo",
                    "该编号已存有另一张照片",
                    "a different photo is stored under this shot id",
                )
            };
        }
        Ok(None) => {}
        Err(e) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "index",
                "索引错误",
                &e.to_string(),
            );
        }
    }
    // The file first (atomic), then the index row: a crash between them leaves a file the next
    // upload of the same shot overwrites with identical bytes.
    let path = app.dir.join(format!("{shot_id}.jpg"));
    let tmp = app.dir.join(format!(".{shot_id}.part"));
    let written = tokio::task::spawn_blocking({
        let body = body.clone();
        move || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        }
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        return problem(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage",
            "接收端存储失败",
            "collector could not store the photo",
        );
    }
    let inserted = sqlx::query(
        "INSERT INTO received (shot_id, sha256, bytes, station, code_key, received_at) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (shot_id) DO NOTHING",
    )
    .bind(&shot_id)
    .bind(&sha)
    .bind(body.len() as i64)
    .bind(header("x-caiji-station"))
    .bind(header("x-caiji-code-key"))
    .bind(caiji_store::now_ms())
    .execute(&app.db)
    .await;
    if let Err(e) = inserted {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "index",
            "索引错误",
            &e.to_string(),
        );
    }
    if let Some(Fault::LoseResponse(d)) = fault {
        tokio::time::sleep(d).await;
    }
    (
        StatusCode::CREATED,
        Json(Receipt::new(shot_id, sha, ReceiptStatus::Stored, true)),
    )
        .into_response()
}

async fn list_photos(State(app): State<App>, headers: HeaderMap) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {}", app.token))
    {
        return problem(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "站点令牌无效",
            "invalid station token",
        );
    }
    match index(&app.db).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "index",
            "索引错误",
            &e.to_string(),
        ),
    }
}

async fn index(db: &SqlitePool) -> Result<Vec<Received>, sqlx::Error> {
    let rows = sqlx::query("SELECT shot_id, sha256, bytes, station, code_key, received_at FROM received ORDER BY received_at, shot_id")
        .fetch_all(db)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Received {
            shot_id: r.get("shot_id"),
            sha256: r.get("sha256"),
            bytes: r.get("bytes"),
            station: r.get("station"),
            code_key: r.get("code_key"),
            received_at: r.get("received_at"),
        })
        .collect())
}

/// The state of one received photo's file, as the supervisor's audit finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// On disk, with the size and hash the index recorded.
    Intact,
    /// In the index, not on disk.
    Missing,
    /// On disk, but not the photo that was received.
    Changed,
}

/// What an audit of a collector folder found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Audit {
    /// Every indexed photo, oldest first, with the state of its file.
    pub received: Vec<(Received, FileState)>,
    /// Photo files in the folder the index does not know (a file written just before a crash,
    /// whose upload is retried and indexed then; or a stray file).
    pub unindexed: Vec<String>,
}

/// Check a collector folder without serving it: every indexed photo's file by size and SHA-256,
/// and any photo file the index does not list. The index is opened read-only.
pub async fn audit(dir: &Path) -> Result<Audit, CollectorError> {
    let storage = |e: &dyn std::fmt::Display| {
        CollectorError::Storage(dir.display().to_string(), e.to_string())
    };
    let index_path = dir.join("index.db");
    if !index_path.is_file() {
        return Err(CollectorError::NotACollector(dir.display().to_string()));
    }
    let opts = SqliteConnectOptions::new()
        .filename(&index_path)
        .read_only(true);
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| storage(&e))?;
    let rows = index(&db).await.map_err(|e| storage(&e))?;
    db.close().await;
    let mut received = Vec::with_capacity(rows.len());
    for r in rows {
        let state = match std::fs::read(dir.join(format!("{}.jpg", r.shot_id))) {
            Err(_) => FileState::Missing,
            Ok(b) if b.len() as i64 == r.bytes && hex::encode(Sha256::digest(&b)) == r.sha256 => {
                FileState::Intact
            }
            Ok(_) => FileState::Changed,
        };
        received.push((r, state));
    }
    let known: std::collections::HashSet<String> = received
        .iter()
        .map(|(r, _)| format!("{}.jpg", r.shot_id))
        .collect();
    let mut unindexed: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| storage(&e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".jpg") && !known.contains(n))
        .collect();
    unindexed.sort();
    Ok(Audit {
        received,
        unindexed,
    })
}
