//! Build script: Tauri's context (config, icons, the permission of each command the UI uses).
fn main() {
    // Only the commands the UI uses are granted (capabilities/default.json names each one).
    let commands = &[
        "snapshot",
        "press",
        "scan",
        "settings",
        "save_settings",
        "cameras",
        "open_confirm_window",
        "set_language",
        "review_status",
        "set_pin",
        "unlock",
        "lock_review",
        "review_day",
        "review_shot",
        "retry_upload",
        "mark_retake",
        "void_shot",
        "import_timetable",
        "export_days",
        "export_photos",
        "export_summary",
        "all_rooms",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
