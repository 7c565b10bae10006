//! The desktop station: a thin Tauri shell over [`caiji_station::App`].
//!
//! ```text
//!  window ──invoke──▶ commands (one line each) ──▶ App
//!  window ──fetch caiji://localhost/preview──▶ protocol ──▶ App::preview (newest frame, JPEG bytes)
//!  App::subscribe ──▶ emit("station", event) ──▶ every window
//! ```
//!
//! Everything the station does lives in `caiji-station` and is tested there without a display;
//! this crate only names commands, serves bytes and opens windows.

pub mod bindings;
pub mod commands;
pub mod protocol;

use caiji_station::App;
use std::process::ExitCode;
use std::sync::Arc;
use tauri::{Emitter, Manager};

/// The event every window listens to.
pub const EVENT: &str = "station";

/// Whether a display server is there to open a window on.
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// `base` with every command and the protocol; `run` and the tests (on Tauri's mock builder)
/// share it.
pub fn builder<R: tauri::Runtime>(base: tauri::Builder<R>) -> tauri::Builder<R> {
    base.invoke_handler(tauri::generate_handler![
        commands::snapshot,
        commands::press,
        commands::scan,
        commands::settings,
        commands::save_settings,
        commands::cameras,
        commands::open_confirm_window,
        commands::set_language,
        commands::review_status,
        commands::set_pin,
        commands::unlock,
        commands::lock_review,
        commands::review_day,
        commands::review_shot,
        commands::retry_upload,
        commands::mark_retake,
        commands::void_shot,
        commands::import_timetable,
        commands::export_days,
        commands::export_photos,
        commands::export_summary,
        commands::all_rooms,
    ])
    .register_asynchronous_uri_scheme_protocol("caiji", protocol::handle)
}

/// The app's context: its config, the UI it embeds, its icons and the capabilities that grant
/// each command (the tests build on the same one, so they call through the real permissions).
pub fn context<R: tauri::Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Forward the app's events to every window, for as long as the app runs.
pub fn forward_events<R: tauri::Runtime>(handle: tauri::AppHandle<R>, app: &App) {
    let mut rx = app.subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match rx.recv().await {
                Ok(e) => {
                    let _ = handle.emit(EVENT, &e);
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Open the station window.
pub fn run() -> ExitCode {
    if !has_display() {
        eprintln!(
            "没有图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开采集站窗口。无界面运行请用：scripts/run demo\n\
             no display (neither DISPLAY nor WAYLAND_DISPLAY is set): the station window cannot open. \
             To run the headless loop: scripts/run demo"
        );
        return ExitCode::from(2);
    }
    let data = caiji_store::default_data_dir();
    let app = match tauri::async_runtime::block_on(App::start(data.clone())) {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("采集站无法启动 / the station cannot start: {}", e.message);
            return ExitCode::from(1);
        }
    };
    eprintln!("数据目录 / data: {}", data.display());
    let managed = app.clone();
    let result = builder(tauri::Builder::default())
        .manage(managed)
        .setup(|tauri_app| {
            let app = tauri_app.state::<Arc<App>>();
            forward_events(tauri_app.handle().clone(), &app);
            Ok(())
        })
        .build(context());
    let tauri_app = match result {
        Ok(a) => a,
        Err(e) => {
            eprintln!("窗口无法打开 / the window cannot open: {e}");
            return ExitCode::from(1);
        }
    };
    tauri_app.run(move |handle, event| match event {
        tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } => {
            if label == commands::CONFIRM_WINDOW {
                app.set_confirm_window(false);
            } else if label == "main" {
                // Closing the station closes the student's window too.
                if let Some(w) = handle.get_webview_window(commands::CONFIRM_WINDOW) {
                    let _ = w.destroy();
                }
            }
        }
        tauri::RunEvent::Exit => {
            // Uploads get a few seconds; what is left stays queued for the next start.
            tauri::async_runtime::block_on(app.shutdown());
        }
        _ => {}
    });
    ExitCode::SUCCESS
}
