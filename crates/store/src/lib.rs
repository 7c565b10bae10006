//! The station's queue in one SQLite file (WAL, foreign keys, migrations from the top-level
//! `migrations/` folder): every shot with its photo encrypted at rest under the station key, its
//! upload state, and an append-only audit log of every state change.
//!
//! Personal data stays out of the clear: the capture code is stored only as its key (a hash
//! prefix) and its masked display form; the photo bytes are AES-256-GCM sealed.
//!
//! ```no_run
//! # async fn demo() -> Result<(), caiji_store::StoreError> {
//! use caiji_store::{Store, NewShot};
//! let store = Store::open("caiji.db".as_ref(), [7u8; 32]).await?;
//! for shot in store.today().await? {
//!     println!("{} {} {}", shot.display, shot.verdict, shot.upload_state);
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use caiji_spec::Message;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use supervise::{AuditEntry, Fee, RetakeMark};

/// The station queue's migrations, embedded at build time from `migrations/station/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/station");

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "CAIJI_DATA_DIR";

/// What went wrong with the queue. Every variant explains itself in Chinese and English.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory cannot be created or written.
    #[error("{}", self.message())]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// The database file is not a usable SQLite database.
    #[error("{}", self.message())]
    Corrupt {
        /// The file.
        path: String,
        /// SQLite's words.
        reason: String,
    },
    /// The disk is full.
    #[error("{}", self.message())]
    DiskFull,
    /// The database is read-only.
    #[error("{}", self.message())]
    ReadOnly,
    /// A stored photo does not decrypt under this station's key.
    #[error("{}", self.message())]
    WrongKey,
    /// No such shot.
    #[error("{}", self.message())]
    NoSuchShot(String),
    /// Any other database error.
    #[error("{}", self.message())]
    Db(String),
}

impl StoreError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            StoreError::DataDir { path, reason } => Message::new(
                format!("数据目录不可用 {path}：{reason}"),
                format!("data directory unusable {path}: {reason}"),
            ),
            StoreError::Corrupt { path, reason } => Message::new(
                format!(
                    "队列数据库已损坏或不是 SQLite 文件 {path}：{reason}（请保留该文件并联系技术支持）"
                ),
                format!(
                    "queue database corrupt or not SQLite {path}: {reason} (keep the file, call support)"
                ),
            ),
            StoreError::DiskFull => Message::new(
                "磁盘已满，照片未保存，队列中已有照片不受影响",
                "disk full: this photo was not saved, queued photos are intact",
            ),
            StoreError::ReadOnly => Message::new(
                "数据目录只读，无法保存",
                "data directory is read-only: cannot save",
            ),
            StoreError::WrongKey => Message::new(
                "照片无法解密（站点密钥不符）",
                "photo does not decrypt (wrong station key)",
            ),
            StoreError::NoSuchShot(id) => Message::new(
                format!("找不到该照片记录 {id}"),
                format!("no such shot {id}"),
            ),
            StoreError::Db(e) => {
                Message::new(format!("数据库错误：{e}"), format!("database error: {e}"))
            }
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        classify(&e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        classify(&e.to_string())
    }
}

/// A corrupt database named by its file.
fn at_path(e: StoreError, path: &str) -> StoreError {
    match e {
        StoreError::Corrupt { reason, .. } => StoreError::Corrupt {
            path: path.to_string(),
            reason,
        },
        other => other,
    }
}

fn classify(msg: &str) -> StoreError {
    let m = msg.to_lowercase();
    if m.contains("database or disk is full") || m.contains("no space left") {
        StoreError::DiskFull
    } else if m.contains("readonly") || m.contains("read-only") {
        StoreError::ReadOnly
    } else if m.contains("file is not a database") || m.contains("malformed") {
        StoreError::Corrupt {
            path: String::new(),
            reason: msg.to_string(),
        }
    } else {
        StoreError::Db(msg.to_string())
    }
}

/// Upload state of a shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    /// Waiting (or waiting to retry).
    Pending,
    /// A worker holds it.
    Uploading,
    /// The collector has it.
    Uploaded,
    /// Refused for good: the supervisor must look.
    Failed,
}

impl UploadState {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Pending => "pending",
            UploadState::Uploading => "uploading",
            UploadState::Uploaded => "uploaded",
            UploadState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> UploadState {
        match s {
            "uploading" => UploadState::Uploading,
            "uploaded" => UploadState::Uploaded,
            "failed" => UploadState::Failed,
            _ => UploadState::Pending,
        }
    }
}

impl std::fmt::Display for UploadState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A shot to queue.
#[derive(Debug, Clone, Default)]
pub struct NewShot {
    /// Capture-code key.
    pub code_key: String,
    /// Masked display form.
    pub display: String,
    /// Station name.
    pub station: String,
    /// Room.
    pub room: String,
    /// Operator.
    pub operator: String,
    /// `pass` or `fail` (only passing photos are ever accepted; kept for the record).
    pub verdict: String,
    /// The checks as JSON.
    pub checks_json: String,
    /// The sealed JPEG file bytes.
    pub jpeg: Vec<u8>,
    /// The masked name the code shows (`张*丰`), when it shows one.
    pub name_masked: Option<String>,
    /// The ID number's last four characters, when the code shows them.
    pub id_tail: Option<String>,
    /// The student number, when the code carries one.
    pub student_no: Option<String>,
}

/// A queued shot, without its photo.
#[derive(Debug, Clone, Serialize)]
pub struct Shot {
    /// Shot id (also the idempotency key).
    pub id: String,
    /// Capture-code key.
    pub code_key: String,
    /// Masked display form.
    pub display: String,
    /// Station.
    pub station: String,
    /// Room.
    pub room: String,
    /// Operator.
    pub operator: String,
    /// Unix milliseconds.
    pub taken_at: i64,
    /// Local day.
    pub day: String,
    /// The newest photo of this student today.
    pub active: bool,
    /// Verdict.
    pub verdict: String,
    /// SHA-256 of the JPEG.
    pub photo_sha256: String,
    /// JPEG size.
    pub photo_bytes: i64,
    /// Upload state.
    pub upload_state: UploadState,
    /// Attempts so far.
    pub upload_attempts: i64,
    /// Why the last attempt failed.
    pub upload_error: Option<String>,
    /// The shot this retake replaced, if it is one.
    pub supersedes: Option<String>,
    /// The masked name the code showed (`None` for shots from before it was recorded).
    pub name_masked: Option<String>,
    /// The ID tail the code showed.
    pub id_tail: Option<String>,
    /// The student number, when the code carried one.
    pub student_no: Option<String>,
    /// Voided by a supervisor: not a photo of the student any more, never uploaded after.
    pub voided: bool,
    /// Why it was voided.
    pub void_reason: Option<String>,
}

/// The queue.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    cipher: Aes256Gcm,
    path: PathBuf,
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The civil date of unix milliseconds in China Standard Time: the station's "today" (one
/// calendar for the queue and the timetable).
pub use caiji_schedule::day_of;

/// Unix milliseconds as China Standard Time, `2026-06-20 09:15:02`.
pub fn time_of(ms: i64) -> String {
    let secs = (ms + 8 * 3_600_000).div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}",
        day_of(ms),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The data directory: `$CAIJI_DATA_DIR`, else the OS convention (`~/.local/share/caiji` on Linux).
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV) {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("cn", "caiji", "caiji")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("caiji-data"))
}

fn shot_from_row(r: &sqlx::sqlite::SqliteRow) -> Shot {
    Shot {
        id: r.get("id"),
        code_key: r.get("code_key"),
        display: r.get("display"),
        station: r.get("station"),
        room: r.get("room"),
        operator: r.get("operator"),
        taken_at: r.get("taken_at"),
        day: r.get("day"),
        active: r.get::<i64, _>("active") == 1,
        verdict: r.get("verdict"),
        photo_sha256: r.get("photo_sha256"),
        photo_bytes: r.get("photo_bytes"),
        upload_state: UploadState::parse(r.get::<&str, _>("upload_state")),
        upload_attempts: r.get("upload_attempts"),
        upload_error: r.get("upload_error"),
        supersedes: r.get("supersedes"),
        name_masked: r.get("name_masked"),
        id_tail: r.get("id_tail"),
        student_no: r.get("student_no"),
        voided: r.get::<Option<i64>, _>("voided_at").is_some(),
        void_reason: r.get("void_reason"),
    }
}

/// One row of the append-only audit log, on the pool or inside a transaction.
async fn audit_row<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    at: i64,
    shot: Option<&str>,
    event: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit (at, shot_id, event, detail) VALUES (?, ?, ?, ?)")
        .bind(at)
        .bind(shot)
        .bind(event)
        .bind(detail)
        .execute(db)
        .await?;
    Ok(())
}

/// The columns of a [`Shot`]: a macro, so queries stay string literals (sqlx audits dynamic SQL).
macro_rules! shot_columns {
    () => {
        "id, code_key, display, station, room, operator, taken_at, day, active, verdict, \
         photo_sha256, photo_bytes, upload_state, upload_attempts, upload_error, supersedes, \
         name_masked, id_tail, student_no, voided_at, void_reason"
    };
}

// After the macro, which it uses.
mod supervise;

impl Store {
    /// Open (creating if needed) the queue at `path`, apply migrations, and put shots a crashed
    /// worker held back to `pending`. `key` is the station key that seals photos at rest.
    pub async fn open(path: &Path, key: [u8; 32]) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::DataDir {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|e| match classify(&e.to_string()) {
                StoreError::Corrupt { reason, .. } => StoreError::Corrupt {
                    path: shown.clone(),
                    reason,
                },
                StoreError::Db(reason) if reason.contains("unable to open") => {
                    // Say why, when the OS can: a read-only disk or folder is a different fix.
                    let probe = std::fs::OpenOptions::new().append(true).open(path);
                    match probe.map_err(|e| e.kind()) {
                        Err(
                            std::io::ErrorKind::ReadOnlyFilesystem
                            | std::io::ErrorKind::PermissionDenied,
                        ) => StoreError::ReadOnly,
                        _ => StoreError::DataDir {
                            path: shown.clone(),
                            reason,
                        },
                    }
                }
                other => other,
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| at_path(classify(&e.to_string()), &shown))?;
        let store = Store {
            pool,
            cipher: Aes256Gcm::new(key.as_slice().into()),
            path: path.to_owned(),
        };
        let now = now_ms();
        let resumed = sqlx::query("UPDATE shots SET upload_state = 'pending' WHERE upload_state = 'uploading' RETURNING id")
            .fetch_all(&store.pool)
            .await?;
        for r in resumed {
            store
                .audit(
                    Some(r.get("id")),
                    "upload_resumed",
                    "station restarted during upload",
                    now,
                )
                .await?;
        }
        Ok(store)
    }

    /// Open an existing queue to read it: no migration, no resumed uploads, no audit row, and
    /// SQLite itself refuses any write. For listings (`caiji queue`), which must never change
    /// what they show.
    pub async fn open_read_only(path: &Path, key: [u8; 32]) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(StoreError::DataDir {
                path: shown,
                reason: "no queue here".into(),
            });
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .map_err(|e| at_path(classify(&e.to_string()), &shown))?;
        Ok(Store {
            pool,
            cipher: Aes256Gcm::new(key.as_slice().into()),
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn audit(
        &self,
        shot: Option<String>,
        event: &str,
        detail: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        audit_row(&self.pool, at, shot.as_deref(), event, detail).await
    }

    /// The shots a query returns (it selects or returns `shot_columns!()`).
    async fn shots(
        &self,
        query: sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    ) -> Result<Vec<Shot>, StoreError> {
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(shot_from_row).collect())
    }

    fn seal(&self, id: &str, jpeg: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: jpeg,
                    aad: id.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    /// Queue a shot. In one transaction: the older active photo of the same student today (a
    /// retake) is deactivated, the new one inserted, and both changes audited.
    pub async fn insert(&self, shot: NewShot) -> Result<Shot, StoreError> {
        let mut idb = [0u8; 16];
        rand::rng().fill_bytes(&mut idb);
        let id = hex::encode(idb);
        let now = now_ms();
        let day = day_of(now);
        let sha = hex::encode(Sha256::digest(&shot.jpeg));
        let sealed = self.seal(&id, &shot.jpeg);
        let mut tx = self.pool.begin().await?;
        let replaced = sqlx::query("UPDATE shots SET active = 0 WHERE code_key = ? AND day = ? AND active = 1 RETURNING id")
            .bind(&shot.code_key)
            .bind(&day)
            .fetch_all(&mut *tx)
            .await?;
        let supersedes: Option<String> = replaced.first().map(|r| r.get("id"));
        sqlx::query(
            "INSERT INTO shots (id, code_key, display, station, room, operator, taken_at, day, verdict, checks_json, \
             photo_sealed, photo_sha256, photo_bytes, supersedes, name_masked, id_tail, student_no) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&shot.code_key)
        .bind(&shot.display)
        .bind(&shot.station)
        .bind(&shot.room)
        .bind(&shot.operator)
        .bind(now)
        .bind(&day)
        .bind(&shot.verdict)
        .bind(&shot.checks_json)
        .bind(&sealed)
        .bind(&sha)
        .bind(shot.jpeg.len() as i64)
        .bind(&supersedes)
        .bind(&shot.name_masked)
        .bind(&shot.id_tail)
        .bind(&shot.student_no)
        .execute(&mut *tx)
        .await?;
        // The photo the supervisor asked for is here: the mark is done.
        let cleared = sqlx::query(
            "UPDATE retake_marks SET cleared_at = ? WHERE code_key = ? AND cleared_at IS NULL",
        )
        .bind(now)
        .bind(&shot.code_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if cleared > 0 {
            audit_row(&mut *tx, now, Some(&id), "retake_mark_cleared", "").await?;
        }
        for r in &replaced {
            let old: String = r.get("id");
            audit_row(
                &mut *tx,
                now,
                Some(&old),
                "superseded",
                &format!("retake {id}"),
            )
            .await?;
        }
        let size = format!("{} bytes", shot.jpeg.len());
        audit_row(&mut *tx, now, Some(&id), "queued", &size).await?;
        tx.commit().await?;
        self.shot(&id).await
    }

    /// One shot.
    pub async fn shot(&self, id: &str) -> Result<Shot, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            shot_columns!(),
            " FROM shots WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchShot(id.to_string()))?;
        Ok(shot_from_row(&row))
    }

    /// The JPEG of a shot, decrypted.
    pub async fn photo(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT photo_sealed FROM shots WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchShot(id.to_string()))?;
        let blob: Vec<u8> = row.get("photo_sealed");
        if blob.len() < 28 {
            return Err(StoreError::WrongKey);
        }
        self.cipher
            .decrypt(
                Nonce::from_slice(&blob[..12]),
                Payload {
                    msg: &blob[12..],
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::WrongKey)
    }

    /// Shots of a day, oldest first.
    pub async fn day(&self, day: &str) -> Result<Vec<Shot>, StoreError> {
        self.shots(
            sqlx::query(concat!(
                "SELECT ",
                shot_columns!(),
                " FROM shots WHERE day = ? ORDER BY taken_at, id"
            ))
            .bind(day),
        )
        .await
    }

    /// Today's shots.
    pub async fn today(&self) -> Result<Vec<Shot>, StoreError> {
        self.day(&day_of(now_ms())).await
    }

    /// Whether this student already has an accepted photo today.
    pub async fn has_active_today(&self, code_key: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM shots WHERE code_key = ? AND day = ? AND active = 1",
        )
        .bind(code_key)
        .bind(day_of(now_ms()))
        .fetch_one(&self.pool)
        .await?
        .get("n");
        Ok(n > 0)
    }

    /// Take up to `limit` shots due for upload (pending, due now) and mark them `uploading`,
    /// atomically, so two workers never take the same shot.
    pub async fn claim(&self, limit: u32, now: i64) -> Result<Vec<Shot>, StoreError> {
        self.shots(
            sqlx::query(concat!(
                "UPDATE shots SET upload_state = 'uploading', upload_attempts = upload_attempts + 1 \
                 WHERE id IN (SELECT id FROM shots WHERE upload_state = 'pending' AND voided_at IS NULL AND next_attempt_at <= ? \
                 ORDER BY taken_at LIMIT ?) RETURNING ",
                shot_columns!()
            ))
            .bind(now)
            .bind(limit as i64),
        )
        .await
    }

    /// Change a shot's upload state and write its audit row in one transaction: the log never
    /// says what did not happen, and nothing happens that the log does not say. Returns whether
    /// a row changed.
    async fn transition(
        &self,
        id: &str,
        update: sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
        event: &str,
        detail: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let changed = update.execute(&mut *tx).await?.rows_affected() > 0;
        if changed {
            audit_row(&mut *tx, now_ms(), Some(id), event, detail).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The collector has the shot.
    pub async fn mark_uploaded(&self, id: &str, detail: &str) -> Result<(), StoreError> {
        let q = sqlx::query("UPDATE shots SET upload_state = 'uploaded', uploaded_at = ?, upload_error = NULL WHERE id = ?")
            .bind(now_ms())
            .bind(id);
        self.transition(id, q, "uploaded", detail).await.map(|_| ())
    }

    /// A passing failure: try again at `next_at`.
    pub async fn mark_retry(&self, id: &str, error: &str, next_at: i64) -> Result<(), StoreError> {
        let q = sqlx::query("UPDATE shots SET upload_state = 'pending', upload_error = ?, next_attempt_at = ? WHERE id = ?")
            .bind(error)
            .bind(next_at)
            .bind(id);
        self.transition(id, q, "upload_retry", error)
            .await
            .map(|_| ())
    }

    /// Refused for good: the supervisor must look.
    pub async fn mark_failed(&self, id: &str, error: &str) -> Result<(), StoreError> {
        let q =
            sqlx::query("UPDATE shots SET upload_state = 'failed', upload_error = ? WHERE id = ?")
                .bind(error)
                .bind(id);
        self.transition(id, q, "upload_failed", error)
            .await
            .map(|_| ())
    }

    /// Put a failed shot back in the queue (the supervisor fixed the cause), audited with who
    /// asked and why. Returns whether it was failed (and is now pending).
    pub async fn requeue(&self, id: &str, why: &str) -> Result<bool, StoreError> {
        let q = sqlx::query("UPDATE shots SET upload_state = 'pending', next_attempt_at = 0, upload_attempts = 0 WHERE id = ? AND upload_state = 'failed'")
            .bind(id);
        self.transition(id, q, "requeued", why).await
    }

    /// Every failed shot, oldest first.
    pub async fn failed(&self) -> Result<Vec<Shot>, StoreError> {
        self.shots(sqlx::query(concat!(
            "SELECT ",
            shot_columns!(),
            " FROM shots WHERE upload_state = 'failed' ORDER BY taken_at, id"
        )))
        .await
    }

    /// Every shot of every day, oldest first.
    pub async fn all(&self) -> Result<Vec<Shot>, StoreError> {
        self.shots(sqlx::query(concat!(
            "SELECT ",
            shot_columns!(),
            " FROM shots ORDER BY taken_at, id"
        )))
        .await
    }

    /// Shots not yet uploaded (pending or uploading).
    pub async fn outstanding(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM shots WHERE upload_state IN ('pending', 'uploading') AND voided_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?
        .get("n"))
    }

    /// The audit log of a shot: (event, detail), oldest first.
    pub async fn audit_of(&self, id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT event, detail FROM audit WHERE shot_id = ? ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("event"), r.get("detail")))
            .collect())
    }

    /// Record a station event that belongs to no shot (session start, a rejected code).
    pub async fn note(&self, event: &str, detail: &str) -> Result<(), StoreError> {
        self.audit(None, event, detail, now_ms()).await
    }

    /// Close the pool, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_standard_time() {
        // 2026-11-21T16:00:00Z is midnight in Beijing on the 22nd.
        assert_eq!(day_of(1_795_276_800_000), "2026-11-22");
        assert_eq!(day_of(1_795_276_799_999), "2026-11-21");
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(time_of(1_795_276_799_999), "2026-11-21 23:59:59");
        assert_eq!(
            time_of(1_795_276_800_000 + 9 * 3_600_000 + 15 * 60_000 + 2_500),
            "2026-11-22 09:15:02"
        );
        assert_eq!(time_of(0), "1970-01-01 08:00:00");
    }
}
