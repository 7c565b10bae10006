//! The TypeScript contract, generated from the Rust types the commands and events carry
//! (`ui/src/lib/backend/bindings.ts`; a test fails when the committed file is stale).

use caiji_spec::{Check, CheckId, Message, Verdict};
use caiji_station::supervise::{
    CheckRecord, HourCount, Naming, ReviewDay, ReviewShot, ReviewStatus, RoomPace, ShotDetail,
    TimetableImport,
};
use caiji_station::{
    AppError, CameraChoice, CameraPhase, CameraState, Event, Key, Language, Live, Phase, Point,
    QueueSummary, Rect, Settings, Snapshot, StationEvent,
};
use ts_rs::{Config, TS};

/// The whole file.
pub fn typescript() -> String {
    let cfg = Config::default();
    let decls = [
        Message::decl(&cfg),
        CheckId::decl(&cfg),
        Check::decl(&cfg),
        Verdict::decl(&cfg),
        Point::decl(&cfg),
        Rect::decl(&cfg),
        Live::decl(&cfg),
        QueueSummary::decl(&cfg),
        CameraPhase::decl(&cfg),
        CameraState::decl(&cfg),
        Language::decl(&cfg),
        Phase::decl(&cfg),
        Event::decl(&cfg),
        StationEvent::decl(&cfg),
        Snapshot::decl(&cfg),
        Settings::decl(&cfg),
        CameraChoice::decl(&cfg),
        AppError::decl(&cfg),
        Key::decl(&cfg),
        caiji_store::Fee::decl(&cfg),
        caiji_schedule::Slot::decl(&cfg),
        caiji_schedule::SlotPace::decl(&cfg),
        caiji_schedule::PaceState::decl(&cfg),
        caiji_sheet::RowError::decl(&cfg),
        ReviewStatus::decl(&cfg),
        ReviewShot::decl(&cfg),
        HourCount::decl(&cfg),
        ReviewDay::decl(&cfg),
        CheckRecord::decl(&cfg),
        ShotDetail::decl(&cfg),
        TimetableImport::decl(&cfg),
        Naming::decl(&cfg),
        RoomPace::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs: do not edit.\n\
         // Rewrite with `CAIJI_BLESS=1 cargo test -p caiji-app --test app bindings`.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out
}
