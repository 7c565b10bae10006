//! The UI's types are generated from the Rust ones; a stale committed file fails here.
//! `CAIJI_BLESS=1 cargo test -p caiji-app --test app bindings` rewrites it.

use caiji_app::bindings;

#[test]
fn generated_typescript_matches_the_committed_file() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/backend/bindings.ts");
    let fresh = bindings::typescript();
    if std::env::var_os("CAIJI_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/backend/bindings.ts is stale: run `CAIJI_BLESS=1 cargo test -p caiji-app --test app bindings` and commit it"
    );
}

#[test]
fn the_contract_names_every_type_the_page_reads() {
    let ts = bindings::typescript();
    for name in [
        "Snapshot",
        "StationEvent",
        "Phase",
        "Live",
        "Check",
        "CheckId",
        "QueueSummary",
        "CameraState",
        "Settings",
        "CameraChoice",
        "AppError",
        "Key",
        "Language",
    ] {
        assert!(
            ts.contains(&format!("export type {name} =")),
            "{name} missing from the generated contract"
        );
    }
    // The photo under review travels as bytes through the protocol, never inside an event.
    assert!(
        !ts.contains("jpeg"),
        "the review photo leaked into the JSON contract"
    );
}
