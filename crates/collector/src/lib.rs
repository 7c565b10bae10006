//! The intake server stations upload to (`caiji collector`): the API of `docs/upload-api.md`,
//! fit for a school network.
//!
//! ```text
//!  request ─▶ connection limit ─▶ timeout ─▶ body limit (48 KiB) ─▶ token (one per station,
//!  hashed, compared in constant time) ─▶ checks (shot id, code key, time, hash, JPEG, seal)
//!  ─▶ one writer: file (0600, temp + fsync + rename + fsync dir) ─▶ index row and "current"
//!  in one transaction ─▶ receipt {shot id, sha256, current}
//! ```
//!
//! - **Who sent it** comes from the token: each station has its own, stored as a SHA-256, and the
//!   station's name is the configured one, never a header. A wrong token is refused before the
//!   body is read.
//! - **What counts**: every version a station sends is kept; the newest photo of a student (by
//!   the time it was taken) on a day is marked current, so a retake supersedes the first photo
//!   whichever arrives first. The receipt says whether the photo is current.
//! - **The seal**: with a station's seal key in the configuration, the photo's sealed identifier
//!   must open against its own pixels and name the student it was sent for (the code key);
//!   without it the photo is stored as "seal unverified".
//! - **Transport**: TLS with a certificate file, or plain HTTP on loopback only unless the
//!   operator says `insecure_http`.
//! - Photos and the index live in a folder of mode 700, files of mode 600. Database errors are
//!   logged, never sent to a client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), caiji_collector::CollectorError> {
//! use caiji_collector::{Config, StationAccess};
//! let station = StationAccess::new("体育馆-1", "a-long-random-station-token", None)?;
//! let cfg = Config::new("intake".into(), vec![station]);
//! let collector = caiji_collector::start("127.0.0.1:8640", cfg).await?;
//! println!("listening on {}", collector.url());
//! collector.stop().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod audit;
mod config;

pub use audit::{Audit, FileState, audit};
pub use config::{Config, MIN_TOKEN_LEN, StationAccess, Tls};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Extension, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use caiji_photo::seal::{SealError, open_photo};
use caiji_protocol::{MAX_PHOTO_BYTES, Receipt, ReceiptStatus};
use caiji_spec::Message;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The collector's migrations, embedded at build time from `migrations/collector/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/collector");

/// Why the collector could not start or read its folder.
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
    /// The configuration is unusable: where, and why.
    #[error("{}", self.message())]
    Config(String, Message),
    /// Plain HTTP asked for on an address other machines can reach.
    #[error("{}", self.message())]
    PlainHttp(String),
    /// The certificate or its key does not load.
    #[error("{}", self.message())]
    Tls(String),
}

impl CollectorError {
    /// The folder `dir` is unusable, and why.
    pub fn storage(dir: &Path, why: impl std::fmt::Display) -> CollectorError {
        CollectorError::Storage(dir.display().to_string(), why.to_string())
    }

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
            CollectorError::Config(what, why) => Message::new(
                format!("接收端配置无效 {what}：{}", why.zh),
                format!("collector configuration unusable {what}: {}", why.en),
            ),
            CollectorError::PlainHttp(addr) => Message::new(
                format!(
                    "{addr} 不是本机回环地址：请配置 TLS 证书（tls_cert、tls_key），或明确允许不加密的 HTTP（--insecure-http）"
                ),
                format!(
                    "{addr} is not a loopback address: configure a TLS certificate (tls_cert, tls_key), or allow unencrypted HTTP explicitly (--insecure-http)"
                ),
            ),
            CollectorError::Tls(reason) => Message::new(
                format!("TLS 证书或私钥无法加载：{reason}"),
                format!("the TLS certificate or key does not load: {reason}"),
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
    /// Station that sent it (from its token).
    pub station: String,
    /// Capture-code key.
    pub code_key: String,
    /// The day it was taken (China Standard Time).
    pub day: String,
    /// When it was taken at the station, unix milliseconds.
    pub taken_at: i64,
    /// The shot it replaces, for a retake.
    pub supersedes: Option<String>,
    /// When it arrived, unix milliseconds.
    pub received_at: i64,
    /// The student's current photo for the day.
    pub current: bool,
    /// `verified` (opened against its pixels with the station's seal key) or `unverified`.
    pub seal: String,
}

#[derive(Clone)]
struct App {
    dir: PathBuf,
    db: SqlitePool,
    stations: Arc<Vec<Arc<StationAccess>>>,
    /// One writer at a time: the check, the file and the index row of a shot never interleave
    /// with another request's (a client's retry racing its own timed-out first attempt).
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A running collector. Dropping the handle does not stop it; call [`CollectorHandle::stop`].
pub struct CollectorHandle {
    /// Where it listens.
    pub addr: SocketAddr,
    tls: bool,
    handle: axum_server::Handle,
    task: tokio::task::JoinHandle<()>,
    db: SqlitePool,
}

impl CollectorHandle {
    /// Stop accepting, let open requests finish (a few seconds at most), and wait.
    pub async fn stop(self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        let _ = self.task.await;
        self.db.close().await;
    }

    /// The base URL.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

/// A folder only its owner can enter, created if needed.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        b.mode(0o700);
        b.create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    b.create(dir)
}

/// Start serving `cfg` on `listen`.
pub async fn start(listen: &str, cfg: Config) -> Result<CollectorHandle, CollectorError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if cfg.stations.is_empty() {
        return Err(CollectorError::Config(
            "station".into(),
            Message::new("没有配置任何站点", "no station is configured"),
        ));
    }
    let listen_err =
        |e: &dyn std::fmt::Display| CollectorError::Listen(listen.into(), e.to_string());
    // Listen first: a collector that cannot bind leaves no folder behind.
    let listener = std::net::TcpListener::bind(listen).map_err(|e| listen_err(&e))?;
    let addr = listener.local_addr().map_err(|e| listen_err(&e))?;
    if cfg.tls.is_none() && !cfg.insecure_http && !addr.ip().is_loopback() {
        return Err(CollectorError::PlainHttp(addr.to_string()));
    }
    listener.set_nonblocking(true).map_err(|e| listen_err(&e))?;
    let dir = cfg.dir.clone();
    private_dir(&dir).map_err(|e| CollectorError::storage(&dir, e))?;
    let db = open_index(&dir).await?;
    let tls = match &cfg.tls {
        Some(t) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(&t.cert, &t.key)
                .await
                .map_err(|e| CollectorError::Tls(e.to_string()))?,
        ),
        None => None,
    };
    let app = App {
        dir: dir.clone(),
        db: db.clone(),
        stations: Arc::new(cfg.stations.into_iter().map(Arc::new).collect()),
        writer: Arc::new(tokio::sync::Mutex::new(())),
    };
    let protected = Router::new()
        .route("/v1/photos/{shot_id}", put(put_photo))
        .route("/v1/photos", get(list_photos))
        .route(caiji_protocol::ARRIVED_PATH, get(arrived))
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate));
    let router = Router::new()
        .merge(protected)
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            cfg.request_timeout,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(cfg.max_in_flight))
        .with_state(app);
    let handle = axum_server::Handle::new();
    let is_tls = tls.is_some();
    let task = {
        let handle = handle.clone();
        let service = router.into_make_service();
        match tls {
            Some(tls) => tokio::spawn(async move {
                let _ = axum_server::from_tcp_rustls(listener, tls)
                    .handle(handle)
                    .serve(service)
                    .await;
            }),
            None => tokio::spawn(async move {
                let _ = axum_server::from_tcp(listener)
                    .handle(handle)
                    .serve(service)
                    .await;
            }),
        }
    };
    tracing::info!(%addr, tls = is_tls, "collector listening");
    Ok(CollectorHandle {
        addr,
        tls: is_tls,
        handle,
        task,
        db,
    })
}

async fn open_index(dir: &Path) -> Result<SqlitePool, CollectorError> {
    let path = dir.join("index.db");
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let db = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .map_err(|e| CollectorError::storage(dir, e))?;
    adopt_legacy_index(&db)
        .await
        .map_err(|e| CollectorError::storage(dir, e))?;
    MIGRATOR
        .run(&db)
        .await
        .map_err(|e| CollectorError::storage(dir, e))?;
    restore_legacy_rows(&db)
        .await
        .map_err(|e| CollectorError::storage(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CollectorError::storage(dir, e))?;
    }
    Ok(db)
}

/// An index made before the collector had migrations (a `received` table of the old shape) is
/// set aside, so the migrations can make the table anew, and its rows come back
/// after them ([`restore_legacy_rows`]): nothing an older collector received is lost.
async fn adopt_legacy_index(db: &SqlitePool) -> Result<(), sqlx::Error> {
    let has = |table: &'static str| async move {
        sqlx::query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(table)
            .fetch_one(db)
            .await
            .map(|r| r.get::<i64, _>("n") > 0)
    };
    // The old table has no `current` column (a first migration attempt may already have made
    // an empty migration record, so that alone does not tell).
    let old_shape = has("received").await?
        && sqlx::query(
            "SELECT COUNT(*) AS n FROM pragma_table_info('received') WHERE name = 'current'",
        )
        .fetch_one(db)
        .await?
        .get::<i64, _>("n")
            == 0;
    if old_shape {
        tracing::warn!("adopting an index made before migrations");
        sqlx::query("ALTER TABLE received RENAME TO received_before_migrations")
            .execute(db)
            .await?;
    }
    Ok(())
}

/// The rows of a set-aside older index, in the new table: the day from when they arrived, the
/// time taken unknown (the arrival time stands in), the seal unverified, and the newest of each
/// student's day current.
async fn restore_legacy_rows(db: &SqlitePool) -> Result<(), sqlx::Error> {
    let legacy: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'received_before_migrations'",
    )
    .fetch_one(db)
    .await?
    .get("n");
    if legacy == 0 {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT shot_id, sha256, bytes, station, code_key, received_at FROM received_before_migrations ORDER BY received_at",
    )
    .fetch_all(db)
    .await?;
    for r in &rows {
        let at: i64 = r.get("received_at");
        index_photo(
            db,
            r.get("shot_id"),
            r.get("sha256"),
            r.get::<i64, _>("bytes") as usize,
            r.get("station"),
            r.get("code_key"),
            &caiji_store::day_of(at),
            at,
            None,
            "unverified",
            "",
        )
        .await?;
    }
    sqlx::query("DROP TABLE received_before_migrations")
        .execute(db)
        .await?;
    Ok(())
}

fn problem(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"code": code, "message_zh": zh, "message_en": en})),
    )
        .into_response()
}

fn internal(what: &str, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{what}");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "接收端内部错误，请稍后重试",
        "collector internal error: try again later",
    )
}

/// The station a bearer token belongs to: the token's SHA-256 compared with every station's in
/// constant time (no early exit, so timing tells nothing about which bytes matched).
fn station_of(stations: &[Arc<StationAccess>], headers: &HeaderMap) -> Option<Arc<StationAccess>> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let mut found = None;
    for s in stations {
        if s.token_matches(&hash) {
            found = Some(s.clone());
        }
    }
    found
}

/// The token check, before any handler reads the body.
async fn authenticate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    match station_of(&app.stations, req.headers()) {
        Some(station) => {
            req.extensions_mut().insert(station);
            next.run(req).await
        }
        None => problem(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "站点令牌无效",
            "invalid station token",
        ),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Taken at: unix milliseconds from 2020 to a day from now (a station clock far off is a
/// problem to report, not a time to file a photo under).
fn valid_taken_at(ms: i64) -> bool {
    (1_577_836_800_000..=caiji_store::now_ms() + 86_400_000).contains(&ms)
}

async fn put_photo(
    State(app): State<App>,
    Extension(station): Extension<Arc<StationAccess>>,
    UrlPath(shot_id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bad = |code: &str, zh: &str, en: &str| problem(StatusCode::BAD_REQUEST, code, zh, en);
    if !caiji_protocol::valid_shot_id(&shot_id) {
        return bad("bad_shot_id", "照片编号无效", "invalid shot id");
    }
    let Some(code_key) =
        header(&headers, caiji_protocol::CODE_KEY).filter(|k| caiji_protocol::valid_code_key(k))
    else {
        return bad("bad_code_key", "采集码标识无效", "invalid capture code key");
    };
    let Some(taken_at) = header(&headers, caiji_protocol::TAKEN_AT)
        .and_then(|t| t.parse::<i64>().ok())
        .filter(|t| valid_taken_at(*t))
    else {
        return bad("bad_taken_at", "拍摄时间无效", "invalid time taken");
    };
    let supersedes = match header(&headers, caiji_protocol::SUPERSEDES) {
        None => None,
        Some(s) if caiji_protocol::valid_shot_id(s) && s != shot_id => Some(s.to_string()),
        Some(_) => {
            return bad(
                "bad_supersedes",
                "被替代的照片编号无效",
                "invalid superseded shot id",
            );
        }
    };
    // The room, shown to supervisors and written into their spreadsheets.
    let room = match header(&headers, caiji_protocol::ROOM) {
        None => String::new(),
        Some(r) => match caiji_protocol::decode_header_text(r)
            .filter(|r| caiji_protocol::valid_room_name(r))
        {
            Some(r) => r,
            None => return bad("bad_room", "采集地点名称无效", "invalid room name"),
        },
    };
    if body.len() < 4 || body[..2] != [0xFF, 0xD8] {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_jpeg",
            "不是 JPEG 照片",
            "not a JPEG photo",
        );
    }
    let sha = hex::encode(Sha256::digest(&body));
    if header(&headers, caiji_protocol::SHA256)
        .map(str::to_lowercase)
        .as_deref()
        != Some(&sha)
    {
        return bad(
            "hash_mismatch",
            "照片校验值不符（传输损坏）",
            "photo hash mismatch (damaged in transit)",
        );
    }
    // The seal, when this station's seal key is known: it must open against these pixels and
    // name the student the photo was sent for.
    let seal = match station.sealer() {
        None => "unverified",
        Some(sealer) => {
            let opened = open_photo(sealer, &body);
            let matches = opened
                .as_deref()
                .ok()
                .and_then(|id| caiji_code::CaptureCode::parse(id).ok())
                .is_some_and(|c| c.key() == code_key);
            if !matches {
                let why = match opened {
                    Err(
                        e @ (SealError::NoSeal
                        | SealError::Tampered
                        | SealError::OtherKey { .. }
                        | SealError::NotASeal),
                    ) => e.message(),
                    _ => Message::new("加密标识属于另一名学生", "the seal names another student"),
                };
                tracing::warn!(shot = %shot_id, station = %station.name, "seal refused");
                return problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "seal_mismatch",
                    &format!("照片的加密标识与所报学生不符：{}", why.zh),
                    &format!(
                        "the photo's seal does not match the student it was sent for: {}",
                        why.en
                    ),
                );
            }
            "verified"
        }
    };
    let _one_writer = app.writer.lock().await;
    let existing = sqlx::query("SELECT sha256, current FROM received WHERE shot_id = ?")
        .bind(&shot_id)
        .fetch_optional(&app.db)
        .await;
    match existing {
        Ok(Some(row)) => {
            let stored: String = row.get("sha256");
            return if stored == sha {
                let current = row.get::<i64, _>("current") == 1;
                tracing::info!(shot = %shot_id, station = %station.name, "already stored");
                (
                    StatusCode::OK,
                    Json(Receipt::new(
                        shot_id,
                        sha,
                        ReceiptStatus::AlreadyStored,
                        current,
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
        Err(e) => return internal("index lookup", &e),
    }
    let written = tokio::task::spawn_blocking({
        let (dir, id, body) = (app.dir.clone(), shot_id.clone(), body.clone());
        move || write_photo(&dir, &id, &body)
    })
    .await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(shot = %shot_id, error = %e, "photo not stored");
            return problem(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage",
                "接收端存储失败",
                "collector could not store the photo",
            );
        }
        Err(e) => return internal("photo writer", &e),
    }
    let day = caiji_store::day_of(taken_at);
    let current = match index_photo(
        &app.db,
        &shot_id,
        &sha,
        body.len(),
        &station.name,
        code_key,
        &day,
        taken_at,
        supersedes.as_deref(),
        seal,
        &room,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return internal("index insert", &e),
    };
    tracing::info!(shot = %shot_id, station = %station.name, current, seal, "photo stored");
    (
        StatusCode::CREATED,
        Json(Receipt::new(shot_id, sha, ReceiptStatus::Stored, current)),
    )
        .into_response()
}

/// `<dir>/<id>.jpg`, mode 600, written to a temp name of its own, fsynced, renamed, and the
/// folder fsynced so the rename survives a power cut.
fn write_photo(dir: &Path, id: &str, body: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{id}.{:016x}.part", rand::random::<u64>()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let done = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(format!("{id}.jpg")))?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// The index row and the day's current photo, in one transaction. The newest photo of the
/// student by the time it was taken is current, whichever arrived first. Returns whether this
/// one is.
#[allow(clippy::too_many_arguments)]
async fn index_photo(
    db: &SqlitePool,
    shot_id: &str,
    sha: &str,
    bytes: usize,
    station: &str,
    code_key: &str,
    day: &str,
    taken_at: i64,
    supersedes: Option<&str>,
    seal: &str,
    room: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let newest: Option<i64> = sqlx::query(
        "SELECT MAX(taken_at) AS t FROM received WHERE code_key = ? AND day = ? AND current = 1",
    )
    .bind(code_key)
    .bind(day)
    .fetch_one(&mut *tx)
    .await?
    .get("t");
    let current = newest.is_none_or(|t| taken_at >= t);
    if current {
        sqlx::query(
            "UPDATE received SET current = 0 WHERE code_key = ? AND day = ? AND current = 1",
        )
        .bind(code_key)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO received (shot_id, sha256, bytes, station, code_key, day, taken_at, supersedes, received_at, current, seal, room) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(shot_id)
    .bind(sha)
    .bind(bytes as i64)
    .bind(station)
    .bind(code_key)
    .bind(day)
    .bind(taken_at)
    .bind(supersedes)
    .bind(caiji_store::now_ms())
    .bind(current as i64)
    .bind(seal)
    .bind(room)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(current)
}

/// The read API: every photo of a day from every station, for a station with the read scope.
async fn arrived(
    State(app): State<App>,
    Extension(station): Extension<Arc<StationAccess>>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(refused) = without_read_scope(&station) {
        return refused;
    }
    let day = q.get("day").map(String::as_str).unwrap_or("");
    if day.len() != 10 || !day.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad_day",
            "日期应为 YYYY-MM-DD",
            "the day must be YYYY-MM-DD",
        );
    }
    let rows = sqlx::query(
        "SELECT shot_id, station, room, code_key, taken_at, current FROM received \
         WHERE day = ? ORDER BY taken_at, shot_id",
    )
    .bind(day)
    .fetch_all(&app.db)
    .await;
    match rows {
        Ok(rows) => Json(caiji_protocol::Arrivals {
            day: day.to_string(),
            arrivals: rows
                .iter()
                .map(|r| caiji_protocol::Arrival {
                    shot_id: r.get("shot_id"),
                    station: r.get("station"),
                    room: r.get("room"),
                    code_key: r.get("code_key"),
                    taken_at: r.get("taken_at"),
                    current: r.get::<i64, _>("current") == 1,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => internal("arrivals", &e),
    }
}

/// What arrived from every room is for a token with the read scope only.
fn without_read_scope(station: &StationAccess) -> Option<Response> {
    (!station.read).then(|| {
        problem(
            StatusCode::FORBIDDEN,
            "no_read_scope",
            "该站点令牌没有查看权限（在接收端配置中设置 read = true）",
            "this station's token has no read scope (set read = true in the collector's configuration)",
        )
    })
}

/// The whole index (every station's photos): the read scope, as for the read API.
async fn list_photos(
    State(app): State<App>,
    Extension(station): Extension<Arc<StationAccess>>,
) -> Response {
    if let Some(refused) = without_read_scope(&station) {
        return refused;
    }
    match index(&app.db).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => internal("index listing", &e),
    }
}

pub(crate) async fn index(db: &SqlitePool) -> Result<Vec<Received>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT shot_id, sha256, bytes, station, code_key, day, taken_at, supersedes, received_at, current, seal \
         FROM received ORDER BY received_at, shot_id",
    )
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
            day: r.get("day"),
            taken_at: r.get("taken_at"),
            supersedes: r.get("supersedes"),
            received_at: r.get("received_at"),
            current: r.get::<i64, _>("current") == 1,
            seal: r.get("seal"),
        })
        .collect())
}
