//! Issue 12: the supervisor's review through the real IPC layer, on a real station: the PIN
//! (set on first use, wrong ones refused, waited for and audited), the review's listing, a
//! retake mark that the station shows when the student's code is scanned again, and the fee key.

use super::commands::shell;
use caiji_photo::seal::{StationKey, purpose};
use caiji_store::{NewShot, Store};
use serde_json::json;
use std::time::Duration;

/// The station's queue, opened beside the running app (SQLite in WAL mode allows it).
fn queue(dir: &std::path::Path) -> Store {
    let key = StationKey::load(&dir.join("station.key")).unwrap();
    tauri::async_runtime::block_on(Store::open(
        &dir.join("caiji.db"),
        *key.derive(purpose::STORE),
    ))
    .unwrap()
}

#[test]
fn issue_12_the_pin_guards_the_review_and_every_try_is_audited() {
    let s = shell();
    let err = s.invoke("review_day", json!({ "day": null })).unwrap_err();
    assert_eq!(err["code"], "locked", "nothing before the PIN: {err}");
    let st = s.invoke("review_status", json!({})).unwrap();
    assert_eq!(st["pin_set"], false, "first use");
    let err = s
        .invoke("set_pin", json!({ "who": "王老师", "pin": "12345" }))
        .unwrap_err();
    assert_eq!(err["code"], "pin_weak");
    assert!(err["message_zh"].as_str().unwrap().contains("6"), "{err}");
    let st = s
        .invoke("set_pin", json!({ "who": "王老师", "pin": "246810" }))
        .unwrap();
    assert_eq!(st["who"], "王老师", "open after setting the PIN");
    let hash = std::fs::read_to_string(s.dir().join("supervisor.pin")).unwrap();
    assert!(
        hash.starts_with("$argon2id$"),
        "argon2id, not the PIN: {hash}"
    );
    assert!(!hash.contains("246810"));
    let settings = std::fs::read_to_string(s.dir().join("settings.toml")).unwrap_or_default();
    assert!(
        !settings.contains("argon2"),
        "the hash is not in the settings the page writes"
    );
    s.invoke("lock_review", json!({})).unwrap();
    assert_eq!(
        s.invoke("review_day", json!({})).unwrap_err()["code"],
        "locked"
    );

    // Two typos are free; the third wrong PIN makes the next one wait.
    for _ in 0..3 {
        let e = s
            .invoke("unlock", json!({ "who": "张三", "pin": "000000" }))
            .unwrap_err();
        assert_eq!(e["code"], "pin_wrong");
    }
    let e = s
        .invoke("unlock", json!({ "who": "王老师", "pin": "246810" }))
        .unwrap_err();
    assert_eq!(e["code"], "pin_wait", "even the right PIN waits: {e}");
    assert!(
        s.invoke("review_status", json!({})).unwrap()["wait_seconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    std::thread::sleep(Duration::from_millis(2100));
    let st = s
        .invoke("unlock", json!({ "who": "王老师", "pin": "246810" }))
        .unwrap();
    assert_eq!(st["who"], "王老师");
    let day = s.invoke("review_day", json!({ "day": null })).unwrap();
    assert!(day["shots"].is_array(), "{day}");

    let log = tauri::async_runtime::block_on(queue(s.dir()).audit_log("review_", 20)).unwrap();
    let events: Vec<(&str, &str)> = log
        .iter()
        .rev()
        .map(|e| (e.event.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.0 == "review_pin_refused")
            .count(),
        3,
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.0 == "review_pin_refused" && e.1.starts_with("张三:")),
        "who tried: {events:?}"
    );
    assert_eq!(events.first().map(|e| e.0), Some("review_pin_set"));
    assert_eq!(events.last().map(|e| e.0), Some("review_unlocked"));
}

#[test]
fn issue_12_a_retake_mark_shows_when_the_code_is_scanned_and_f_marks_the_fee() {
    let s = shell();
    let code = caiji_code::demo_code("10001", "欧阳娜娜", "123X", "2023010101");
    let key = caiji_code::CaptureCode::parse(&code).unwrap().key();
    let store = queue(s.dir());
    let shot = tauri::async_runtime::block_on(store.insert(NewShot {
        code_key: key.clone(),
        display: "欧**娜 · ****123X".into(),
        station: "station-1".into(),
        verdict: "pass".into(),
        checks_json: "[]".into(),
        jpeg: vec![0xFF, 0xD8, 0xFF, 0xD9],
        ..Default::default()
    }))
    .unwrap();
    s.invoke("set_pin", json!({ "who": "王老师", "pin": "246810" }))
        .unwrap();
    let day = s.invoke("review_day", json!({})).unwrap();
    let row = &day["shots"][0];
    assert_eq!(
        (row["id"].as_str(), row["current"].as_bool()),
        (Some(shot.id.as_str()), Some(true))
    );
    let e = s
        .invoke("mark_retake", json!({ "id": shot.id, "why": " " }))
        .unwrap_err();
    assert_eq!(e["code"], "reason", "a reason is required");
    s.invoke("mark_retake", json!({ "id": shot.id, "why": "眼镜反光" }))
        .unwrap();
    let detail = s.invoke("review_shot", json!({ "id": shot.id })).unwrap();
    assert_eq!(detail["shot"]["retake_mark"], "眼镜反光（王老师）");
    assert!(
        detail["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a[1] == "retake_marked"),
        "{detail}"
    );

    // The student comes back: the station asks for the retake and says why.
    s.invoke("press", json!({ "key": "cancel" })).unwrap();
    s.invoke("scan", json!({ "text": code })).unwrap();
    let phase = wait_phase(&s, "confirm_retake");
    assert_eq!(phase["mark"], "眼镜反光（王老师）", "{phase}");
    // F: paid, then exempt; the snapshot and the review both show it.
    s.invoke("press", json!({ "key": "fee" })).unwrap();
    s.invoke("press", json!({ "key": "fee" })).unwrap();
    let fee = wait_for(&s, |snap| snap["fee"] == "exempt");
    assert_eq!(fee["fee"], "exempt");
    let day = s.invoke("review_day", json!({})).unwrap();
    assert_eq!(day["shots"][0]["fee"], "exempt");
    // Voided: no current photo any more, never uploaded after.
    s.invoke("void_shot", json!({ "id": shot.id, "why": "拍错人" }))
        .unwrap();
    let day = s.invoke("review_day", json!({})).unwrap();
    assert_eq!(day["shots"][0]["voided"], "拍错人");
    assert_eq!(day["shots"][0]["current"], false);
}

fn wait_for(
    s: &super::commands::Shell,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    for _ in 0..100 {
        let snap = s.invoke("snapshot", json!({})).unwrap();
        if ok(&snap) {
            return snap;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "the snapshot never got there: {}",
        s.invoke("snapshot", json!({})).unwrap()
    );
}

fn wait_phase(s: &super::commands::Shell, phase: &str) -> serde_json::Value {
    wait_for(s, |snap| snap["phase"]["phase"] == phase)["phase"].clone()
}
