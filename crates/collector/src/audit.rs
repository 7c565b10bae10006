//! The supervisor's check of a collector folder without serving it (`caiji arrived`): every
//! indexed photo's file by size and SHA-256, and photo files the index does not know.

use crate::{CollectorError, Received};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::Path;

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
        .map_err(|e| CollectorError::storage(dir, e))?;
    let rows = crate::index(&db)
        .await
        .map_err(|e| CollectorError::storage(dir, e))?;
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
        .map_err(|e| CollectorError::storage(dir, e))?
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
