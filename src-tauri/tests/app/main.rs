//! The shell's tests: the generated TypeScript contract is current, and every command answers
//! through Tauri's real IPC (mock runtime, no display) on a real station over the demo camera.

mod bindings;
mod commands;
mod review;

/// Without a display the station says so in both languages, and how to run headless.
#[test]
fn without_a_display_the_app_says_how_to_run_headless() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caiji-station"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run the app");
    assert_eq!(out.status.code(), Some(2), "a usage-type exit, not a crash");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("没有图形显示"), "Chinese: {err}");
    assert!(err.contains("no display"), "English: {err}");
    assert!(
        err.contains("scripts/run demo"),
        "the headless command: {err}"
    );
}
