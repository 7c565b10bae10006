//! The capture session: one photographer's loop as an explicit state machine.
//!
//! ```text
//!  WaitingForCode ──code──▶ Framing ──Shoot (best of the last frames passes)──▶ Review
//!        ▲   │ code done today                 │ ▲   other code                   │ │
//!        │   ▼                                 │ └──▶ ConfirmSwitch ──yes/no──┘   │ │
//!        │  ConfirmRetake ──yes──▶ Framing      │                                  │ │
//!        │        └──no──▶ WaitingForCode       └──────────── Retake ◀────────────┘ │
//!        └───────────────────────── Accept (queued, upload woken) ◀──────────────────┘
//!  Cancel from anywhere returns to WaitingForCode.
//! ```
//!
//! The session owns no window, and no thread but the live hat probe's (one at a time, see
//! [`Session::with_live_hat_probe`]): it is fed [`Input`]s — camera frames, scanner codes,
//! keys — and answers through the [`Event`] callback it was given. [`Station`] runs it: camera,
//! session, queue and upload worker on tokio, with events on a broadcast channel for the UI. In
//! `WaitingForCode` every frame is scanned for a QR capture code; in `Framing` every frame gets the
//! full analysis and a live verdict; the shutter takes the best passing frame of the last few, so a
//! blink at the moment of the key press does not cost a retake.
#![deny(missing_docs)]

mod app;
mod preview;
mod runner;
mod settings;
mod shutter;
mod source;
pub mod supervise;
mod view;
pub use app::{App, AppError, Key, load_or_create_key};
pub use preview::PreviewFrame;
pub use runner::{Station, StationConfig, StationEvent};
pub use settings::Settings;
pub use source::{CameraChoice, FILE_FPS, Opened, Pace, Source, open_camera};
pub use view::{
    CameraPhase, CameraState, Language, Live, PLAN_PER_HOUR, Point, QueueSummary, Rect, Snapshot,
};

use caiji_camera::Frame;
use caiji_code::{CaptureCode, QrScanner};
use caiji_photo::seal::AesGcmSealer;
use caiji_spec::{Check, CheckId, Message, Verdict};
use caiji_store::{NewShot, Store};
use caiji_vision::{Analysis, Analyzer, HeadCover, Track, placement_margin};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a capture code (QR in view, or the scanner).
    WaitingForCode,
    /// The code was accepted today already: retake?
    ConfirmRetake {
        /// Masked display of the student.
        student: String,
        /// A supervisor's open request to photograph the student again: why, and who asked.
        mark: Option<String>,
    },
    /// Live framing of the student.
    Framing {
        /// Masked display of the student.
        student: String,
    },
    /// Another code arrived mid-session: switch?
    ConfirmSwitch {
        /// The current student.
        current: String,
        /// The new one.
        next: String,
    },
    /// The shot is on screen for the student to check.
    Review {
        /// Masked display of the student.
        student: String,
        /// JPEG quality.
        quality: u8,
        /// File size.
        bytes: usize,
        /// Which review this is (the page asks for the photo by it).
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        photo: u64,
        /// The rules the photo passed.
        checks: Vec<Check>,
        /// The exact file that is queued when the student accepts.
        #[serde(skip)]
        #[cfg_attr(feature = "ts", ts(skip))]
        jpeg: Arc<Vec<u8>>,
    },
}

/// What the photographer, the scanner or the camera did.
#[derive(Debug, Clone)]
pub enum Input {
    /// A camera frame.
    Frame(Frame),
    /// Text from the handheld scanner (keyboard wedge, Enter already stripped).
    Scanned(String),
    /// Space: take the photo.
    Shoot,
    /// Enter: the student accepts the photo.
    Accept,
    /// R: retake.
    Retake,
    /// Yes to a question (retake / switch).
    Yes,
    /// No to a question.
    No,
    /// Escape.
    Cancel,
    /// F: the current student's fee, paid → exempt → unpaid.
    Fee,
}

/// What the session tells the UI.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The phase changed.
    Phase(Phase),
    /// A scanned code was refused.
    CodeRejected {
        /// Why.
        #[serde(flatten)]
        message: Message,
    },
    /// A framed frame's verdict.
    Live(Live),
    /// The shutter found no passing frame: what to fix.
    ShotRefused {
        /// The failing checks of the last frame.
        failing: Vec<Check>,
        /// Why, in one line.
        #[serde(flatten)]
        message: Message,
    },
    /// The current student's fee was marked (F).
    Fee {
        /// The new mark.
        fee: caiji_store::Fee,
    },
    /// Accepted and queued.
    Queued {
        /// Shot id.
        shot_id: String,
        /// Masked display.
        student: String,
    },
    /// Something failed; the session stays where it was and nothing queued is lost.
    Error {
        /// Stable code for the UI to branch on.
        code: &'static str,
        /// What failed.
        #[serde(flatten)]
        message: Message,
    },
}

/// Who and where: recorded on every shot.
#[derive(Debug, Clone)]
pub struct StationInfo {
    /// Station name.
    pub station: String,
    /// Room.
    pub room: String,
    /// Operator.
    pub operator: String,
}

struct Pending {
    jpeg: Arc<Vec<u8>>,
    analysis: Analysis,
}

/// Frames the shutter chooses from.
pub const BURST: usize = 5;

/// Live frames of one student whose eye openness is kept for judging a blink (three seconds at
/// 30 fps).
pub const OPEN_EYES_KEPT: usize = 90;

/// Live frames of the student needed before a blink is judged (half a second at 30 fps).
pub const OPEN_EYES_MIN: usize = 15;

/// The student's usual eye openness: the median of their last live frames' (a blink or two
/// among them does not move it), once there are [`OPEN_EYES_MIN`].
fn usual_openness(open: &VecDeque<f64>) -> Option<f64> {
    if open.len() < OPEN_EYES_MIN {
        return None;
    }
    let mut v: Vec<f64> = open.iter().copied().collect();
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Frames of a burst the shutter judges with the face-parsing network at most (a third of a
/// second each): the first that passes is the photo.
pub const JUDGED_PER_SHOT: usize = 3;

/// How often the live overlay asks the face-parsing network about the student, at most: one
/// run takes about half a second on one core, so the probe keeps to a quarter of one core.
pub const HAT_PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// The live overlay's rules of what covers the head (a hat, hair over the ears or the
/// eyebrows, a mask, tinted glasses): the face-parsing network run in the background on one
/// frame every [`HAT_PROBE_EVERY`], its last answer merged into every live verdict of the same student
/// until the next. The shutter still
/// runs it on the photo's own frame, which alone decides.
#[derive(Default)]
struct HatProbe {
    /// The last answer for this student.
    share: Option<HeadCover>,
    /// A run in flight (one at a time), and whether it was started for an earlier student.
    running: Option<(tokio::sync::oneshot::Receiver<Option<HeadCover>>, bool)>,
    /// When the last run started.
    started: Option<Instant>,
}

impl HatProbe {
    /// Take a finished run's answer; start a run on this frame when none is in flight and the
    /// last one is old enough.
    fn step(&mut self, analyzer: &Arc<Analyzer>, img: &Arc<image::RgbImage>, a: &Analysis) {
        if let Some((rx, stale)) = self.running.as_mut() {
            match rx.try_recv() {
                Ok(share) => {
                    // A run that failed leaves the rule unjudged live (the shutter judges it);
                    // one about an earlier student is dropped, and this one's starts now.
                    if !*stale {
                        self.share = share;
                    }
                    self.running = None;
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => return,
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => self.running = None,
            }
        }
        if self.started.is_some_and(|t| t.elapsed() < HAT_PROBE_EVERY) {
            return;
        }
        // Measurements are copied into the run only when one starts, not on every frame.
        let Some(m) = a.measurements.as_ref().filter(|m| m.faces == 1).cloned() else {
            return;
        };
        // A turned head hides its far ear: the ears answer of such a frame would hold a hidden
        // ear against the student for seconds after they face the camera, so it is not kept.
        let facing = a.checks.iter().any(|c| c.id == CheckId::Pose && c.pass);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (analyzer, img) = (analyzer.clone(), img.clone());
        self.started = Some(Instant::now());
        self.running = Some((rx, false));
        // A plain thread, not the blocking pool: the run is long and must not hold up the
        // shutter's or the camera's work.
        let spawned = std::thread::Builder::new()
            .name("caiji-hat-probe".into())
            .spawn(move || {
                let share = analyzer.head_cover_on_this_thread(&img, &m).ok();
                // A turned head hides its far ear, not its hat, brows, mask or lenses' tint
                // (team-2, turned 34°, reads his sunglasses as dark as facing would): only the
                // ears wait.
                let _ = tx.send(share.map(|c| HeadCover {
                    ears: c.ears.filter(|_| facing),
                    ..c
                }));
            });
        if spawned.is_err() {
            self.running = None;
        }
    }

    /// A new student: the answer is not theirs; a run in flight is left to finish (so never
    /// two at once) and its answer dropped.
    fn forget(&mut self) {
        self.share = None;
        self.started = None;
        if let Some((_, stale)) = self.running.as_mut() {
            *stale = true;
        }
    }

    /// What the shutter's own run on the photo's frame found: the newest answer.
    fn answered(&mut self, share: HeadCover) {
        self.share = Some(share);
        self.started = Some(Instant::now());
    }

    /// Merge the last answer into a live analysis.
    fn merge(&self, a: &mut Analysis) {
        if let Some(share) = self.share {
            caiji_vision::with_head_cover(a, share);
        }
    }
}

/// One photographer's session.
pub struct Session {
    analyzer: Arc<Analyzer>,
    sealer: Arc<AesGcmSealer>,
    store: Store,
    info: StationInfo,
    on_event: Box<dyn Fn(Event) + Send + Sync>,
    on_queued: Box<dyn Fn() + Send + Sync>,
    scanner: Arc<std::sync::Mutex<QrScanner>>,
    phase: Phase,
    code: Option<CaptureCode>,
    switch_to: Option<CaptureCode>,
    recent: VecDeque<(Arc<image::RgbImage>, Analysis)>,
    /// Where the live analysis found the student's face in the last frame.
    track: Option<Track>,
    /// How open this student's eyes were in their last live frames: the yardstick a blink is
    /// judged against ([`usual_openness`]).
    open_eyes: VecDeque<f64>,
    /// The live overlay's headwear rule, and whether it runs.
    hat: HatProbe,
    hat_probe: bool,
    pending: Option<Pending>,
    reviews: u64,
}

impl Session {
    /// A session over an analyzer, the station key's sealer, the queue, and an event callback.
    /// `on_queued` runs after every accepted photo (wake the upload worker).
    pub fn new(
        analyzer: Arc<Analyzer>,
        sealer: AesGcmSealer,
        store: Store,
        info: StationInfo,
        on_event: impl Fn(Event) + Send + Sync + 'static,
        on_queued: impl Fn() + Send + Sync + 'static,
    ) -> Session {
        Session {
            analyzer,
            sealer: Arc::new(sealer),
            store,
            info,
            on_event: Box::new(on_event),
            on_queued: Box::new(on_queued),
            scanner: Arc::new(std::sync::Mutex::new(QrScanner::default())),
            phase: Phase::WaitingForCode,
            code: None,
            switch_to: None,
            recent: VecDeque::with_capacity(BURST),
            track: None,
            open_eyes: VecDeque::with_capacity(OPEN_EYES_KEPT),
            hat: HatProbe::default(),
            hat_probe: false,
            pending: None,
            reviews: 0,
        }
    }

    /// Whether the live overlay shows the headwear, ears, eyebrows, mask and tinted-glasses
    /// rules (off unless asked): a background run of the face-parsing network on one core at
    /// most every [`HAT_PROBE_EVERY`]. Off, live verdicts leave the rules out; the shutter
    /// judges them either way.
    pub fn with_live_hat_probe(mut self, on: bool) -> Session {
        self.hat_probe = on;
        self
    }

    /// The current phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    fn set(&mut self, phase: Phase) {
        if phase != self.phase {
            self.phase = phase.clone();
            (self.on_event)(Event::Phase(phase));
        }
    }

    fn student(&self) -> String {
        self.code.as_ref().map(|c| c.display()).unwrap_or_default()
    }

    fn error(&self, code: &'static str, message: Message) {
        (self.on_event)(Event::Error { code, message });
    }

    /// Handle one input. The heavy work (QR scan, analysis, the photo) runs on tokio's blocking
    /// pool, so a UI sharing the runtime stays responsive.
    pub async fn handle(&mut self, input: Input) {
        match input {
            Input::Cancel => {
                self.code = None;
                self.switch_to = None;
                self.pending = None;
                self.forget_student();
                self.set(Phase::WaitingForCode);
            }
            Input::Frame(frame) => self.frame(frame).await,
            Input::Scanned(text) => self.scanned(&text).await,
            Input::Shoot => self.shoot().await,
            Input::Accept => self.accept().await,
            Input::Retake => {
                if matches!(self.phase, Phase::Review { .. }) {
                    self.pending = None;
                    self.forget_frames();
                    let student = self.student();
                    self.set(Phase::Framing { student });
                }
            }
            Input::Yes | Input::No => self.answer(matches!(input, Input::Yes)).await,
            Input::Fee => self.fee().await,
        }
    }

    async fn frame(&mut self, frame: Frame) {
        match self.phase {
            Phase::WaitingForCode => {
                let (scanner, img) = (self.scanner.clone(), frame.image.clone());
                let found = off_runtime(move || {
                    scanner.lock().unwrap_or_else(|e| e.into_inner()).scan(&img)
                })
                .await;
                if let Ok(Some(text)) = found {
                    self.scanned(&text).await;
                }
            }
            Phase::Framing { .. } => {
                // The live overlay follows the face from frame to frame (a third cheaper than
                // a full analysis of each); the shutter judges its frame afresh.
                let (analyzer, img) = (self.analyzer.clone(), frame.image.clone());
                let mut track = self.track.take();
                let analysis = off_runtime(move || {
                    let a = analyzer.analyze_tracked(&img, &mut track);
                    (a.map_err(|e| e.message()), track)
                });
                let analysis = analysis.await.and_then(|(a, track)| {
                    self.track = track;
                    a
                });
                match analysis {
                    Ok(mut a) => {
                        if self.hat_probe {
                            self.hat.step(&self.analyzer, &frame.image, &a);
                            self.hat.merge(&mut a);
                        }
                        // A blink is judged against this student's own eyes in the frames
                        // before: the overlay shows it, and the shutter never takes that frame.
                        let usual = usual_openness(&self.open_eyes);
                        if let Some(open) = a
                            .measurements
                            .as_ref()
                            .filter(|m| m.face_seen())
                            .map(|m| m.pose.eye_open)
                            .filter(|o| o.is_finite())
                        {
                            if self.open_eyes.len() == OPEN_EYES_KEPT {
                                self.open_eyes.pop_front();
                            }
                            self.open_eyes.push_back(open);
                        }
                        if let Some(usual) = usual {
                            caiji_vision::with_blink(&mut a, usual);
                        }
                        let live = Live::of(frame.seq, &a);
                        if self.recent.len() == BURST {
                            self.recent.pop_front();
                        }
                        self.recent.push_back((frame.image.clone(), a));
                        (self.on_event)(Event::Live(live));
                    }
                    Err(e) => self.error("analysis", e),
                }
            }
            // While a question or the review is on screen the camera keeps running, unused.
            _ => {}
        }
    }

    async fn scanned(&mut self, text: &str) {
        let code = match CaptureCode::parse(text) {
            Ok(c) => c,
            Err(e) => {
                (self.on_event)(Event::CodeRejected {
                    message: e.message(),
                });
                return;
            }
        };
        match &self.phase {
            Phase::WaitingForCode => self.begin(code).await,
            Phase::Framing { student } => {
                if self.code.as_ref().is_some_and(|c| c.key() == code.key()) {
                    return; // the same code seen again
                }
                let (current, next) = (student.clone(), code.display());
                self.switch_to = Some(code);
                self.set(Phase::ConfirmSwitch { current, next });
            }
            // A scan during review or a question is ignored: answer first.
            _ => {}
        }
    }

    async fn begin(&mut self, code: CaptureCode) {
        self.forget_student();
        self.pending = None;
        let key = code.key();
        let (done, mark, fee) = match (
            self.store.has_active_today(&key).await,
            self.store.retake_mark(&key).await,
            self.store.fee(&key).await,
        ) {
            (Ok(d), Ok(m), Ok(f)) => (d, m, f),
            (d, m, f) => {
                let e = [d.err(), m.err(), f.err()].into_iter().flatten().next();
                if let Some(e) = e {
                    self.error("store", e.message());
                }
                (false, None, None)
            }
        };
        let student = code.display();
        self.code = Some(code);
        if let Some(fee) = fee {
            (self.on_event)(Event::Fee { fee });
        }
        let mark = mark.map(|m| format!("{}（{}）", m.reason, m.who));
        self.set(if done || mark.is_some() {
            Phase::ConfirmRetake { student, mark }
        } else {
            Phase::Framing { student }
        });
    }

    /// F: the next fee mark for the student in front of the camera.
    async fn fee(&mut self) {
        let Some(code) = self.code.as_ref() else {
            return;
        };
        let key = code.key();
        let result = async {
            let next = caiji_store::Fee::next(self.store.fee(&key).await?);
            self.store
                .set_fee(&key, next, &self.info.station)
                .await
                .map(|_| next)
        };
        match result.await {
            Ok(fee) => (self.on_event)(Event::Fee { fee }),
            Err(e) => self.error("store", e.message()),
        }
    }

    async fn answer(&mut self, yes: bool) {
        match self.phase.clone() {
            Phase::ConfirmRetake { student, .. } => {
                if yes {
                    self.set(Phase::Framing { student });
                } else {
                    self.code = None;
                    self.set(Phase::WaitingForCode);
                }
            }
            Phase::ConfirmSwitch { current, .. } => {
                let next = self.switch_to.take();
                match (yes, next) {
                    (true, Some(code)) => self.begin(code).await,
                    _ => self.set(Phase::Framing { student: current }),
                }
            }
            _ => {}
        }
    }

    /// The camera lost its picture (unplugged, unreadable): the frames from before it must not
    /// be shot, so the shutter waits for new ones.
    pub fn camera_lost(&mut self) {
        self.forget_frames();
    }

    /// Drop the analysed frames and where the face was: a new student, or a new picture.
    fn forget_frames(&mut self) {
        self.recent.clear();
        self.track = None;
    }

    /// A new student: the last one's hat answer is not theirs.
    fn forget_student(&mut self) {
        self.forget_frames();
        self.open_eyes.clear();
        self.hat.forget();
    }

    /// The shutter: refused while the newest verdict is red (what the photographer sees); else,
    /// of the last few analysed frames that passed live, the one with the most margin that the
    /// full analysis passes too.
    async fn shoot(&mut self) {
        if !matches!(self.phase, Phase::Framing { .. }) {
            return;
        }
        let newest_passes = self.recent.back().is_some_and(|(_, a)| shootable(a));
        let mut passing: Vec<_> = self
            .recent
            .iter()
            .filter(|_| newest_passes)
            .filter(|(_, a)| shootable(a))
            .collect();
        passing.sort_by(|(_, a), (_, b)| score(b).total_cmp(&score(a)));
        let candidates: Vec<Arc<image::RgbImage>> =
            passing.iter().map(|(img, _)| img.clone()).collect();
        if candidates.is_empty() {
            let failing = self
                .recent
                .back()
                .map(|(_, a)| a.failures().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            let message = if self.recent.is_empty() {
                Message::new(
                    "拒绝拍摄：还没有检测到学生，请等画面稳定",
                    "refused: no frame of the student yet, wait for the picture",
                )
            } else {
                Message::new(
                    "拒绝拍摄：照片不符合标准，请先按提示调整",
                    "refused: the photo would not meet the standard; fix what is listed first",
                )
            };
            self.refuse(failing, message).await;
            return;
        }
        // The frame that becomes the photo is judged afresh, a blink against this student's
        // eyes included (`shutter::judge_burst`). A refusal empties the burst (what is left in
        // it failed live), so the next press judges only frames taken since: a student who
        // took the hat off is not refused again for a frame of them wearing it. The network's
        // answer also becomes the overlay's newest.
        let (analyzer, usual) = (self.analyzer.clone(), usual_openness(&self.open_eyes));
        let judged = off_runtime(move || shutter::judge_burst(&analyzer, candidates, usual));
        let judged = judged.await.and_then(|r| r);
        let hat = judged
            .as_ref()
            .ok()
            .and_then(|j| j.analysis())
            .and_then(|a| a.measurements.as_ref())
            .and_then(|m| m.head_cover());
        if let Some(share) = hat {
            self.hat.answered(share);
        }
        let (img, analysis) = match judged {
            Ok(shutter::Judgement::Taken(img, a)) => (img, a),
            Ok(shutter::Judgement::Refused(refused)) => {
                self.recent.clear();
                let failing = refused
                    .map(|a| a.failures().cloned().collect())
                    .unwrap_or_default();
                let message = Message::new(
                    "拒绝拍摄：复核未通过，请按提示调整后再拍",
                    "refused: the full check did not pass; adjust as listed and shoot again",
                );
                self.refuse(failing, message).await;
                return;
            }
            Err(e) => return self.error("analysis", e),
        };
        let id = self
            .code
            .as_ref()
            .map(|c| c.text().to_string())
            .unwrap_or_default();
        let sealer = self.sealer.clone();
        let made = off_runtime(move || {
            caiji_photo::make_photo(&img, &analysis, sealer.as_ref(), &id)
                .map(|enc| (enc, analysis))
                .map_err(|e| e.message())
        });
        match made.await.and_then(|r| r) {
            Ok((enc, analysis)) => {
                let (quality, bytes) = (enc.quality, enc.bytes.len());
                let jpeg = Arc::new(enc.bytes);
                let checks = analysis.checks.clone();
                self.pending = Some(Pending {
                    jpeg: jpeg.clone(),
                    analysis,
                });
                self.reviews += 1;
                let student = self.student();
                self.set(Phase::Review {
                    student,
                    quality,
                    bytes,
                    photo: self.reviews,
                    checks,
                    jpeg,
                });
            }
            Err(e) => self.error("photo", e),
        }
    }

    /// Refuse the shot: counted for the day, and the rules that failed shown.
    async fn refuse(&mut self, failing: Vec<Check>, message: Message) {
        if let Err(e) = self.store.note_refused(&self.info.room).await {
            self.error("store", e.message());
        }
        (self.on_event)(Event::ShotRefused { failing, message });
    }

    /// The student accepts: seal check, queue in one transaction, wake the uploader.
    async fn accept(&mut self) {
        if !matches!(self.phase, Phase::Review { .. }) {
            return;
        }
        let (Some(p), Some(code)) = (self.pending.as_ref(), self.code.as_ref()) else {
            return;
        };
        // The sealed comment must open to this student's code before it is queued.
        let sealed_ok = caiji_photo::seal::open_photo(self.sealer.as_ref(), &p.jpeg)
            .is_ok_and(|id| id == code.text());
        if !sealed_ok {
            self.error(
                "seal",
                Message::new(
                    "照片加密标识校验失败，请重拍",
                    "the photo's seal does not verify: retake",
                ),
            );
            return;
        }
        let shot = NewShot {
            code_key: code.key(),
            display: code.display(),
            station: self.info.station.clone(),
            room: self.info.room.clone(),
            operator: self.info.operator.clone(),
            verdict: p.analysis.verdict.as_str().to_string(),
            checks_json: serde_json::to_string(&p.analysis.checks).unwrap_or_default(),
            jpeg: p.jpeg.as_ref().clone(),
            name_masked: code.demo().map(|d| d.name_masked.clone()),
            id_tail: code.demo().map(|d| d.id_last4.clone()),
            student_no: code
                .demo()
                .map(|d| d.student_no.clone())
                .filter(|n| !n.is_empty()),
        };
        match self.store.insert(shot).await {
            Ok(s) => {
                let student = self.student();
                self.pending = None;
                self.code = None;
                self.forget_student();
                (self.on_queued)();
                (self.on_event)(Event::Queued {
                    shot_id: s.id,
                    student,
                });
                self.set(Phase::WaitingForCode);
            }
            // The photo stays on screen: the photographer can try again after fixing the disk.
            Err(e) => self.error("store", e.message()),
        }
    }
}

/// Run CPU-bound work off the async runtime; a panic in it becomes an error message.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Message> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Message::new(format!("内部错误：{e}"), format!("internal error: {e}")))
}

/// Whether an analysis lets the shutter take its frame: every rule passes and a crop fits.
fn shootable(a: &Analysis) -> bool {
    a.verdict == Verdict::Pass && a.crop.is_some()
}

fn score(a: &Analysis) -> f64 {
    let margin = a
        .output
        .as_ref()
        .map(placement_margin)
        .unwrap_or(f64::NEG_INFINITY);
    let sharp = a.measurements.as_ref().map(|m| m.sharpness).unwrap_or(0.0);
    margin + 0.05 * sharp
}
