//! Every command through Tauri's real IPC layer (mock runtime, no display), on a real station:
//! the demo camera, the real model, a real SQLite queue and a local collector in a temp folder.

use caiji_station::App;
use serde_json::{Value, json};
use std::sync::Arc;
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response};
use tauri::webview::InvokeRequest;

pub struct Shell {
    app: Arc<App>,
    _tauri: tauri::App<MockRuntime>,
    webview: tauri::WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

pub fn shell() -> Shell {
    let dir = tempfile::tempdir().unwrap();
    let app = tauri::async_runtime::block_on(App::start_with(
        dir.path().to_path_buf(),
        Some("demo".into()),
    ))
    .expect("the station starts on the demo camera");
    let app = Arc::new(app);
    let tauri_app = caiji_app::builder(tauri::test::mock_builder())
        .manage(app.clone())
        .build(caiji_app::context())
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(
        &tauri_app,
        "main",
        tauri::WebviewUrl::App("index.html".into()),
    )
    .build()
    .expect("mock window");
    Shell {
        app,
        _tauri: tauri_app,
        webview,
        _dir: dir,
    }
}

impl Shell {
    /// The data directory.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().expect("json response"))
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        tauri::async_runtime::block_on(self.app.shutdown());
    }
}

#[test]
fn snapshot_describes_a_running_station() {
    let s = shell();
    let snap = s.invoke("snapshot", json!({})).expect("snapshot answers");
    assert!(
        snap["phase"]["phase"].is_string(),
        "phase is tagged: {snap}"
    );
    assert_eq!(snap["language"], "zh-CN", "Chinese by default");
    assert_eq!(snap["station"], "station-1");
    assert_eq!(snap["queue"]["plan_per_hour"], 150.0);
    assert_eq!(snap["confirm_window"], false);
}

#[test]
fn keys_and_scans_are_accepted_and_a_bad_code_is_an_event_not_an_error() {
    let s = shell();
    let mut rx = s.app.subscribe();
    assert_eq!(s.invoke("press", json!({"key": "cancel"})), Ok(Value::Null));
    assert_eq!(s.invoke("scan", json!({"text": "abc"})), Ok(Value::Null));
    let rejected = tauri::async_runtime::block_on(async {
        loop {
            let e = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
                .await
                .expect("an event within 10 s")
                .expect("open channel");
            let v = serde_json::to_value(&e).unwrap();
            if v["event"] == "code_rejected" {
                return v;
            }
        }
    });
    assert_eq!(rejected["kind"], "session");
    assert!(
        rejected["message_zh"].as_str().unwrap().contains("太短"),
        "{rejected}"
    );
    assert!(
        rejected["message_en"]
            .as_str()
            .unwrap()
            .contains("too short"),
        "{rejected}"
    );
    // A key the contract does not know is refused by the command's argument parsing.
    assert!(s.invoke("press", json!({"key": "explode"})).is_err());
}

#[test]
fn bad_settings_are_refused_with_a_code_and_both_languages() {
    let s = shell();
    let mut settings = s.invoke("settings", json!({})).expect("settings answer");
    assert_eq!(settings["camera"], "auto");
    settings["intake_url"] = json!("ftp://example");
    let err = s
        .invoke("save_settings", json!({"settings": settings}))
        .expect_err("an ftp URL is refused");
    assert_eq!(err["code"], "settings", "{err}");
    assert!(
        err["message_zh"].as_str().unwrap().contains("http"),
        "{err}"
    );
    assert!(
        err["message_en"].as_str().unwrap().contains("http"),
        "{err}"
    );
}

#[test]
fn language_and_settings_changes_are_kept() {
    let s = shell();
    assert_eq!(
        s.invoke("set_language", json!({"language": "en"})),
        Ok(Value::Null)
    );
    assert_eq!(s.invoke("snapshot", json!({})).unwrap()["language"], "en");
    let mut settings = s.invoke("settings", json!({})).unwrap();
    settings["room"] = json!("体育馆 A");
    settings["camera"] = json!("demo");
    let saved = s
        .invoke("save_settings", json!({"settings": settings}))
        .expect("valid settings are saved");
    assert_eq!(saved["room"], "体育馆 A");
    // The restarted station reports the new room; the file on disk has it too.
    assert_eq!(s.invoke("snapshot", json!({})).unwrap()["room"], "体育馆 A");
    let toml = std::fs::read_to_string(s.app.data_dir().join("settings.toml")).unwrap();
    assert!(
        toml.contains("体育馆 A") && toml.contains("language = \"en\""),
        "{toml}"
    );
}

#[test]
fn the_preview_protocol_serves_jpeg_bytes_with_the_source_size() {
    let s = shell();
    let uri: tauri::http::Uri = "caiji://localhost/preview?w=640".parse().unwrap();
    let r = tauri::async_runtime::block_on(caiji_app::protocol::answer(&s.app, &uri));
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(
        r.headers()["x-width"],
        "1280",
        "the demo camera's frame width"
    );
    assert_eq!(r.headers()["x-height"], "720");
    assert_eq!(&r.body()[..2], &[0xFF, 0xD8], "a JPEG");
    let seq: u64 = r.headers()["x-seq"].to_str().unwrap().parse().unwrap();
    // The next request waits for a newer frame.
    let uri: tauri::http::Uri = format!("caiji://localhost/preview?after={seq}&w=640")
        .parse()
        .unwrap();
    let r2 = tauri::async_runtime::block_on(caiji_app::protocol::answer(&s.app, &uri));
    let seq2: u64 = r2.headers()["x-seq"].to_str().unwrap().parse().unwrap();
    assert!(seq2 > seq, "{seq2} after {seq}");
    // No review is open: the review photo is not found.
    let uri: tauri::http::Uri = "caiji://localhost/review/1".parse().unwrap();
    let r3 = tauri::async_runtime::block_on(caiji_app::protocol::answer(&s.app, &uri));
    assert_eq!(r3.status(), 404);
}
