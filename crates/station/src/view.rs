//! What a page draws: the live overlay's geometry, the queue's summary, the camera's state and the
//! snapshot a (re)loaded page starts from. Plain data, serialised as the UI reads it; the
//! TypeScript twins are generated from these types (feature `ts`).

use caiji_spec::{Check, CheckId, Message, Verdict};
use caiji_vision::Analysis;
use serde::Serialize;

#[cfg(feature = "ts")]
use ts_rs::TS;

/// A point in source-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct Point {
    /// Column.
    pub x: f64,
    /// Row.
    pub y: f64,
}

/// A rectangle in source-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A framed frame's verdict with the geometry it was measured on, for the overlay. Everything is
/// in the pixels of frame `seq` (`width × height`), so the page draws it on that frame whatever
/// size it shows it at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct Live {
    /// The camera frame's sequence number (a JS number: exact below 2^53, a century of frames).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Pass or fail.
    pub verdict: Verdict,
    /// Every photo rule judged on this frame, passing or not.
    pub checks: Vec<Check>,
    /// The photo rules not judged on this frame: those judged once per photo
    /// ([`caiji_vision::ONCE_PER_PHOTO_RULES`]) until the live probe answers for this student
    /// (the head cover), or until the shutter (the border and text rule). The list of rules
    /// keeps its length while the probe's answer is awaited. Empty when no face was measured.
    pub pending: Vec<CheckId>,
    /// The face box, when a face was found.
    pub face: Option<Rect>,
    /// The eye on the image's left.
    pub eye_left: Option<Point>,
    /// The eye on the image's right.
    pub eye_right: Option<Point>,
    /// Top of the hair.
    pub head_top_y: Option<f64>,
    /// The face's horizontal centre.
    pub face_center_x: Option<f64>,
    /// The 3:4 crop this frame plans (the shutter plans the photo's again on the cheeks' width
    /// and its budget), or the nearest miss; `None` when none can be planned.
    pub crop: Option<Rect>,
    /// Whether `crop` is a compliant one (its geometry: the bands and width). Other rules can
    /// still fail: ready to shoot is `compliant` with a passing `verdict`.
    pub compliant: bool,
}

impl Live {
    /// The overlay of frame `seq` from its analysis.
    pub fn of(seq: u64, a: &Analysis) -> Live {
        let m = a.measurements.as_ref();
        let pt = |p: caiji_vision::Point| Point { x: p.x, y: p.y };
        let rect = |c: &caiji_vision::Crop| Rect {
            x: c.x,
            y: c.y,
            width: c.width,
            height: c.height,
        };
        Live {
            seq,
            width: a.width,
            height: a.height,
            verdict: a.verdict,
            checks: a.checks.clone(),
            // Nobody measured (no face, or one covered): one rule says so, and none waits.
            pending: caiji_vision::ONCE_PER_PHOTO_RULES
                .into_iter()
                .filter(|id| m.is_some() && a.checks.iter().all(|c| c.id != *id))
                .collect(),
            face: m.map(|m| {
                let d = &m.detection;
                Rect {
                    x: d.center.x - d.size / 2.0,
                    y: d.center.y - d.size / 2.0,
                    width: d.size,
                    height: d.size,
                }
            }),
            eye_left: m.map(|m| pt(m.eye_left)),
            eye_right: m.map(|m| pt(m.eye_right)),
            head_top_y: m.map(|m| m.head_top_y),
            face_center_x: m.map(|m| m.face_center_x),
            crop: a.crop.as_ref().or(a.planned.as_ref()).map(rect),
            compliant: a.crop.is_some(),
        }
    }

    /// The failing checks.
    pub fn failing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

/// Today's queue at a glance: the count, the pace and the upload state.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct QueueSummary {
    /// Students photographed and accepted today (a retake counts once).
    pub today: u32,
    /// Waiting to upload.
    pub pending: u32,
    /// Being uploaded.
    pub uploading: u32,
    /// At the collector.
    pub uploaded: u32,
    /// Refused for good by the collector.
    pub failed: u32,
    /// Whether the collector answered last time; `None` when there is none or nothing was sent.
    pub online: Option<bool>,
    /// Students per hour over the last half hour; `None` until its shots span five minutes
    /// (two students a few seconds apart are no pace to plan by).
    pub pace_per_hour: Option<f64>,
    /// The plan: 30 students per 12 minutes.
    pub plan_per_hour: f64,
    /// This room's slot of the timetable now (or its next one today), with its pace.
    pub slot: Option<caiji_schedule::SlotPace>,
}

/// Students per hour the plan expects (30 per 12 minutes).
pub const PLAN_PER_HOUR: f64 = 150.0;

/// The window the pace is measured over.
pub const PACE_WINDOW_MS: i64 = 30 * 60 * 1000;

/// The shortest span of shots a pace is computed from.
pub const PACE_MIN_SPAN_MS: i64 = 5 * 60 * 1000;

impl QueueSummary {
    /// The summary of today's shots at `now_ms`.
    pub fn of(shots: &[caiji_store::Shot], online: Option<bool>, now_ms: i64) -> QueueSummary {
        use caiji_store::UploadState as U;
        let count = |st: U| shots.iter().filter(|s| s.upload_state == st).count() as u32;
        let mut recent: Vec<i64> = shots
            .iter()
            .filter(|s| s.active && now_ms - s.taken_at <= PACE_WINDOW_MS)
            .map(|s| s.taken_at)
            .collect();
        recent.sort_unstable();
        // n shots span n-1 intervals; the pace is their rate, so one shot alone gives none.
        let pace_per_hour = match (recent.first(), recent.last()) {
            (Some(first), Some(last)) if recent.len() >= 2 && last - first >= PACE_MIN_SPAN_MS => {
                Some((recent.len() - 1) as f64 * 3_600_000.0 / (last - first) as f64)
            }
            _ => None,
        };
        QueueSummary {
            today: shots.iter().filter(|s| s.active).count() as u32,
            pending: count(U::Pending),
            uploading: count(U::Uploading),
            uploaded: count(U::Uploaded),
            failed: count(U::Failed),
            online,
            pace_per_hour,
            plan_per_hour: PLAN_PER_HOUR,
            slot: None,
        }
    }
}

/// The camera as the photographer should see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CameraState {
    /// Where it is.
    pub state: CameraPhase,
    /// The source's name.
    pub name: String,
    /// What is wrong, in `Problem`.
    pub problem: Option<Message>,
}

/// The camera's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum CameraPhase {
    /// No frame yet.
    Starting,
    /// Frames arrive.
    Ok,
    /// Unplugged, busy or unreadable; reconnecting.
    Problem,
    /// The source has no more frames.
    Ended,
}

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(TS))]
pub enum Language {
    /// 简体中文, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

/// Everything a page needs when it loads or reloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct Snapshot {
    /// The session's phase.
    pub phase: crate::Phase,
    /// The camera.
    pub camera: CameraState,
    /// Today's queue.
    pub queue: QueueSummary,
    /// This station's name.
    pub station: String,
    /// Its room.
    pub room: String,
    /// The UI language.
    pub language: Language,
    /// The last live verdict while framing.
    pub last_live: Option<Live>,
    /// Whether the student's window is open.
    pub confirm_window: bool,
    /// The current student's fee mark, once known.
    pub fee: Option<caiji_store::Fee>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use caiji_store::{Shot, UploadState};

    fn shot(taken_at: i64, upload_state: UploadState) -> Shot {
        Shot {
            id: format!("s{taken_at}"),
            code_key: format!("k{taken_at}"),
            display: "张*丰".into(),
            station: "A1".into(),
            room: String::new(),
            operator: String::new(),
            taken_at,
            day: "2026-12-01".into(),
            active: true,
            verdict: "pass".into(),
            photo_sha256: String::new(),
            photo_bytes: 30_000,
            upload_state,
            upload_attempts: 0,
            upload_error: None,
            supersedes: None,
            name_masked: None,
            id_tail: None,
            student_no: None,
            voided: false,
            void_reason: None,
        }
    }

    #[test]
    fn the_pace_waits_for_five_minutes_of_shots_then_counts_students_per_hour() {
        let now = 10 * 3_600_000;
        // Two students 20 s apart: no pace yet (it would say 180/h).
        let early = [
            shot(now - 20_000, UploadState::Uploaded),
            shot(now, UploadState::Pending),
        ];
        assert_eq!(
            QueueSummary::of(&early, Some(true), now).pace_per_hour,
            None
        );
        // 26 students over exactly 10 minutes (25 intervals of 24 s): the plan's 150 per hour.
        let steady: Vec<Shot> = (0..26)
            .map(|i| shot(now - 600_000 + i * 24_000, UploadState::Uploaded))
            .collect();
        let q = QueueSummary::of(&steady, Some(true), now);
        assert_eq!(q.pace_per_hour, Some(150.0));
        assert_eq!((q.today, q.uploaded, q.pending), (26, 26, 0));
        // Just under five minutes: still none; shots older than the half hour do not count.
        let short = [
            shot(now - PACE_MIN_SPAN_MS + 1, UploadState::Uploaded),
            shot(now, UploadState::Uploaded),
        ];
        assert_eq!(QueueSummary::of(&short, None, now).pace_per_hour, None);
        let old = [
            shot(now - PACE_WINDOW_MS - 1, UploadState::Uploaded),
            shot(now, UploadState::Uploaded),
        ];
        assert_eq!(QueueSummary::of(&old, None, now).pace_per_hour, None);
    }
}
