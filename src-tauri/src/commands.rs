//! The window's commands: each one call into [`App`], run off the main thread (`async`), errors
//! crossing as `{code, message_zh, message_en}`.

use caiji_station::supervise::{
    Naming, ReviewDay, ReviewStatus, RoomPace, ShotDetail, TimetableImport,
};
use caiji_station::{App, AppError, CameraChoice, Key, Language, Settings, Snapshot};
use std::sync::Arc;
use tauri::{AppHandle, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

type Station<'a> = State<'a, Arc<App>>;

/// The student's window's label.
pub const CONFIRM_WINDOW: &str = "confirm";

/// Everything a page needs when it (re)loads.
#[tauri::command(async)]
pub async fn snapshot(app: Station<'_>) -> Result<Snapshot, AppError> {
    app.snapshot().await
}

/// A key: shoot, accept, retake, cancel, yes, no.
#[tauri::command(async)]
pub async fn press(app: Station<'_>, key: Key) -> Result<(), AppError> {
    app.press(key).await
}

/// The scanner's text (a bad code comes back as a `code_rejected` event).
#[tauri::command(async)]
pub async fn scan(app: Station<'_>, text: String) -> Result<(), AppError> {
    app.scan(text).await
}

/// The settings as saved.
#[tauri::command(async)]
pub async fn settings(app: Station<'_>) -> Result<Settings, AppError> {
    Ok(app.settings())
}

/// Check, save and apply settings (the station restarts with them).
#[tauri::command(async)]
pub async fn save_settings(app: Station<'_>, settings: Settings) -> Result<Settings, AppError> {
    app.save_settings(settings).await
}

/// The cameras to choose from.
#[tauri::command(async)]
pub async fn cameras(app: Station<'_>) -> Result<Vec<CameraChoice>, AppError> {
    Ok(app.cameras())
}

/// Switch every window's language.
#[tauri::command(async)]
pub async fn set_language(app: Station<'_>, language: Language) -> Result<(), AppError> {
    app.set_language(language).await
}

/// Open (or bring forward) the student's window, to move to the monitor facing the student.
#[tauri::command(async)]
pub async fn open_confirm_window<R: Runtime>(
    handle: AppHandle<R>,
    app: Station<'_>,
) -> Result<(), AppError> {
    if let Some(w) = handle.get_webview_window(CONFIRM_WINDOW) {
        let _ = w.set_focus();
        return Ok(());
    }
    WebviewWindowBuilder::new(
        &handle,
        CONFIRM_WINDOW,
        WebviewUrl::App("index.html#confirm".into()),
    )
    .title("请确认照片 / please check your photo")
    .inner_size(720.0, 900.0)
    .build()
    .map_err(|e| AppError {
        code: "window",
        message: caiji_spec::Message::new(
            format!("无法打开学生确认屏：{e}"),
            format!("cannot open the student's window: {e}"),
        ),
    })?;
    app.set_confirm_window(true);
    Ok(())
}

// The supervisor's review: every command below answers `locked` until the PIN opened it. Only
// the photographer's window may call them (capabilities/review.json), never the student's.

/// Whether the review is open, and to whom.
#[tauri::command(async)]
pub async fn review_status(app: Station<'_>) -> Result<ReviewStatus, AppError> {
    Ok(app.review_status())
}

/// The first use: set the supervisor PIN.
#[tauri::command(async)]
pub async fn set_pin(app: Station<'_>, who: String, pin: String) -> Result<ReviewStatus, AppError> {
    app.set_pin(&who, &pin).await
}

/// Open the review with the PIN.
#[tauri::command(async)]
pub async fn unlock(app: Station<'_>, who: String, pin: String) -> Result<ReviewStatus, AppError> {
    app.unlock(&who, &pin).await
}

/// Close the review.
#[tauri::command(async)]
pub async fn lock_review(app: Station<'_>) -> Result<ReviewStatus, AppError> {
    Ok(app.lock_review().await)
}

/// A day's shots, pace and chart (empty day: today).
#[tauri::command(async)]
pub async fn review_day(app: Station<'_>, day: Option<String>) -> Result<ReviewDay, AppError> {
    app.review_day(day).await
}

/// One shot in full.
#[tauri::command(async)]
pub async fn review_shot(app: Station<'_>, id: String) -> Result<ShotDetail, AppError> {
    app.review_shot(&id).await
}

/// Put a failed upload back in the queue.
#[tauri::command(async)]
pub async fn retry_upload(app: Station<'_>, id: String, why: String) -> Result<bool, AppError> {
    app.retry_upload(&id, &why).await
}

/// Ask for a student to be photographed again.
#[tauri::command(async)]
pub async fn mark_retake(app: Station<'_>, id: String, why: String) -> Result<(), AppError> {
    app.mark_retake(&id, &why).await
}

/// Void a shot.
#[tauri::command(async)]
pub async fn void_shot(app: Station<'_>, id: String, why: String) -> Result<bool, AppError> {
    app.void_shot(&id, &why).await
}

/// Import a timetable file.
#[tauri::command(async)]
pub async fn import_timetable(app: Station<'_>, path: String) -> Result<TimetableImport, AppError> {
    app.import_timetable(&path).await
}

/// Export days as xlsx or csv.
#[tauri::command(async)]
pub async fn export_days(
    app: Station<'_>,
    from: String,
    to: String,
    out: String,
) -> Result<Vec<String>, AppError> {
    app.export_days(&from, &to, &out).await
}

/// Copy photos to a folder with a manifest.
#[tauri::command(async)]
pub async fn export_photos(
    app: Station<'_>,
    day: String,
    ids: Vec<String>,
    dir: String,
    naming: Naming,
) -> Result<u32, AppError> {
    app.export_photos(&day, ids, &dir, naming).await
}

/// The printable summary per slot.
#[tauri::command(async)]
pub async fn export_summary(app: Station<'_>, day: String, out: String) -> Result<(), AppError> {
    app.export_summary(&day, &out).await
}

/// Every room's pace from the collector.
#[tauri::command(async)]
pub async fn all_rooms(app: Station<'_>, day: Option<String>) -> Result<Vec<RoomPace>, AppError> {
    app.all_rooms(day).await
}
