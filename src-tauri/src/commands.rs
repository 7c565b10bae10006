//! The window's commands: each one call into [`App`], run off the main thread (`async`), errors
//! crossing as `{code, message_zh, message_en}`.

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
