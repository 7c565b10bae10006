//! The running station: a camera, a [`Session`], the queue and the upload worker wired together
//! on tokio, for a UI (or `caiji demo`) that only sends [`Input`]s and listens.
//!
//! ```text
//!  camera thread ──frames──▶ bridge thread ──▶ latest frame (watch) ──▶ preview (camera rate)
//!                                 └──▶ feed (newest frame, problems in order) ──▶ session task
//!  UI keys / scanner ──inputs──▶ session task ──events──▶ tracker ──▶ broadcast ──▶ UI(s)
//!  upload worker ──events──▶ tracker ──▶ broadcast;  queue summary task ──▶ broadcast
//! ```
//!
//! Events go out on a broadcast channel ([`Station::subscribe`]); the preview takes the newest
//! frame from a watch channel ([`Station::frames`], [`Station::preview`]) that the bridge feeds
//! directly, so the preview runs at the camera's rate while the analysis runs at its own, a slow
//! preview never holds up the session and a busy session never delays the preview. Every event
//! passes a tracker on its way out, which keeps what a page needs to draw itself from nothing
//! ([`Station::snapshot`]): a reloaded page loses nothing.
//!
//! ```no_run
//! # async fn ui(cfg: caiji_station::StationConfig) -> Result<(), caiji_camera::CameraError> {
//! use caiji_camera::Camera;
//! use caiji_scene::DemoCamera;
//! use caiji_station::{Event, Input, Phase, Station, StationEvent};
//! let camera = Camera::start(Box::new(DemoCamera::new(3, 1280, 720)?), 2);
//! let (station, mut events) = Station::start(cfg, camera);
//! while let Ok(event) = events.recv().await {
//!     match event {
//!         StationEvent::Session(Event::Phase(Phase::Review { .. })) => {
//!             station.send(Input::Accept).await // the student's Enter
//!         }
//!         StationEvent::CameraEnded => break,
//!         _ => {} // draw the overlay, the queue, the camera's state…
//!     }
//! }
//! station.stop(std::time::Duration::from_secs(10)).await;
//! # Ok(()) }
//! ```

use crate::view::{CameraPhase, CameraState, Live, QueueSummary, Snapshot};
use crate::{Event, Input, Phase, Session, StationInfo};
use caiji_camera::{Camera, CameraError, Frame};
use caiji_photo::seal::AesGcmSealer;
use caiji_spec::Message;
use caiji_store::Store;
use caiji_upload::{UploadEvent, Worker, WorkerConfig};
use caiji_vision::Analyzer;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// Everything the running station tells its UI.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StationEvent {
    /// From the capture session: phase changes, live verdicts, refused shots, queued photos.
    Session(Event),
    /// From the upload worker.
    #[cfg_attr(feature = "ts", ts(skip))]
    Upload(UploadEvent),
    /// Today's queue changed (a photo queued, an upload done or failed), or the pace moved.
    Queue {
        /// The new summary.
        queue: QueueSummary,
    },
    /// The camera has a problem (unplugged, busy, unreadable frame), said once until it changes.
    CameraProblem {
        /// What is wrong.
        #[serde(flatten)]
        message: Message,
    },
    /// Frames arrive again after a problem.
    CameraOk,
    /// The source has no more frames (a file, the demo queue). Keys still work.
    CameraEnded,
    /// The UI language changed (every window follows).
    Language {
        /// The new language.
        language: crate::Language,
    },
    /// The station restarted with new settings: every page takes a new snapshot.
    Restarted,
    /// The student's window opened or closed.
    ConfirmWindow {
        /// Whether it is open now.
        open: bool,
    },
}

/// What the station needs besides its camera.
pub struct StationConfig {
    /// The face and photo analysis.
    pub analyzer: Arc<Analyzer>,
    /// Seals the student's identifier into each photo.
    pub sealer: AesGcmSealer,
    /// The queue.
    pub store: Store,
    /// Recorded on every shot.
    pub info: StationInfo,
    /// Where to upload; `None` keeps photos queued (offline station).
    pub upload: Option<WorkerConfig>,
    /// Show the face-parsing network's headwear, ears, eyebrows, mask and tinted-glasses rules
    /// on the live overlay (a background run of the network on one core every two seconds): on
    /// where a photographer watches the overlay; the headless loop, which prints only each student's result, leaves
    /// it off and keeps both cores for shots. The shutter judges them either way.
    pub live_hat_probe: bool,
}

/// What the tracker keeps of the events that went out: the state a page starts from.
struct Tracked {
    phase: Phase,
    live: Option<Live>,
    camera: CameraState,
    online: Option<bool>,
    fee: Option<caiji_store::Fee>,
}

/// Publishes events: updates the tracked state, then broadcasts.
#[derive(Clone)]
struct Publisher {
    tx: broadcast::Sender<StationEvent>,
    tracked: Arc<Mutex<Tracked>>,
}

impl Publisher {
    fn send(&self, e: StationEvent) {
        {
            let mut t = self.tracked.lock().unwrap_or_else(|p| p.into_inner());
            match &e {
                StationEvent::Session(Event::Phase(p)) => {
                    if !matches!(p, Phase::Framing { .. }) {
                        t.live = None;
                    }
                    if matches!(p, Phase::WaitingForCode) {
                        t.fee = None;
                    }
                    t.phase = p.clone();
                }
                StationEvent::Session(Event::Live(l)) => t.live = Some(l.clone()),
                StationEvent::Session(Event::Fee { fee }) => t.fee = Some(*fee),
                StationEvent::CameraProblem { message } => {
                    t.camera.state = CameraPhase::Problem;
                    t.camera.problem = Some(message.clone());
                }
                StationEvent::CameraOk => {
                    t.camera.state = CameraPhase::Ok;
                    t.camera.problem = None;
                }
                StationEvent::CameraEnded => t.camera.state = CameraPhase::Ended,
                StationEvent::Upload(u) => {
                    t.online = match u {
                        UploadEvent::Uploaded { .. } | UploadEvent::Failed { .. } => Some(true),
                        UploadEvent::Retry { .. } => Some(false),
                        UploadEvent::Reachable { ok } => Some(*ok),
                        _ => t.online,
                    }
                }
                _ => {}
            }
        }
        let _ = self.tx.send(e);
    }
}

/// A running station. Dropping it without [`Station::stop`] stops the loop too, less tidily.
pub struct Station {
    inputs: mpsc::Sender<Input>,
    publisher: Publisher,
    frames: watch::Receiver<Option<Frame>>,
    stop: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
    summary: Option<tokio::task::JoinHandle<()>>,
    bridge: Option<std::thread::JoinHandle<()>>,
    worker: Option<Arc<Worker>>,
    store: Store,
    info: StationInfo,
}

/// Events kept for a subscriber that falls behind (a second of live verdicts at 30 fps, many
/// times over).
const EVENT_BUFFER: usize = 1024;

/// How often the queue summary is sent even when nothing happened (the pace moves with time).
const SUMMARY_EVERY: Duration = Duration::from_secs(15);

impl Station {
    /// Start the station on `camera`, with a first subscriber that sees every event from the
    /// start (later ones come from [`Station::subscribe`]). Must be called inside a tokio runtime.
    pub fn start(
        cfg: StationConfig,
        camera: Camera,
    ) -> (Station, broadcast::Receiver<StationEvent>) {
        let (events, first) = broadcast::channel(EVENT_BUFFER);
        let (inputs, mut input_rx) = mpsc::channel::<Input>(64);
        let (frame_tx, frames) = watch::channel(None);
        let feed = Arc::new(Feed::default());
        let stop = Arc::new(AtomicBool::new(false));
        let publisher = Publisher {
            tx: events,
            tracked: Arc::new(Mutex::new(Tracked {
                phase: Phase::WaitingForCode,
                live: None,
                camera: CameraState {
                    state: CameraPhase::Starting,
                    name: camera.name().to_string(),
                    problem: None,
                },
                online: None,
                fee: None,
            })),
        };

        // The bridge: blocking camera reads on their own thread. Every frame goes straight to the
        // preview's watch channel (camera rate) and into the session's feed, where it replaces a
        // frame the session has not taken yet: the session, whenever it is free, takes the newest
        // frame, and camera problems reach it in the order they happened.
        let bridge = {
            let (stop, feed) = (stop.clone(), feed.clone());
            std::thread::Builder::new()
                .name("caiji-frames".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let item = match camera.recv_timeout(Duration::from_millis(100)) {
                            Ok(Some(f)) => {
                                frame_tx.send_replace(Some(f.clone()));
                                Ok(f)
                            }
                            Ok(None) => continue,
                            Err(e) => Err(e),
                        };
                        let end = matches!(item, Err(CameraError::Ended | CameraError::Stopped));
                        feed.push(item);
                        if end {
                            break;
                        }
                    }
                    feed.close();
                    drop(camera); // joins (or, if stuck in its driver, detaches) the camera thread
                })
                .expect("spawn the frame bridge")
        };

        let worker = cfg.upload.map(|wc| {
            let p = publisher.clone();
            Arc::new(Worker::spawn(cfg.store.clone(), wc, move |e| {
                p.send(StationEvent::Upload(e));
            }))
        });
        let mut session = {
            let p = publisher.clone();
            let w = worker.clone();
            Session::new(
                cfg.analyzer,
                cfg.sealer,
                cfg.store.clone(),
                cfg.info.clone(),
                move |e| p.send(StationEvent::Session(e)),
                move || {
                    if let Some(w) = &w {
                        w.wake();
                    }
                },
            )
            .with_live_hat_probe(cfg.live_hat_probe)
        };

        let p = publisher.clone();
        let task = tokio::spawn(async move {
            let mut camera_live = true;
            let mut problem: Option<CameraError> = None;
            let mut seen_frame = false;
            loop {
                tokio::select! {
                    // Keys first: a Space pressed while frames stream is handled at once.
                    biased;
                    input = input_rx.recv() => match input {
                        Some(input) => session.handle(input).await,
                        None => break, // the station was stopped
                    },
                    item = feed.pop(), if camera_live => match item {
                        Some(Ok(f)) => {
                            // The first frame, or the first after a problem: the camera works.
                            if problem.take().is_some() || !seen_frame {
                                seen_frame = true;
                                p.send(StationEvent::CameraOk);
                            }
                            session.handle(Input::Frame(f)).await;
                        }
                        Some(Err(CameraError::Ended | CameraError::Stopped)) | None => {
                            camera_live = false;
                            p.send(StationEvent::CameraEnded);
                        }
                        Some(Err(e)) => {
                            session.camera_lost();
                            if problem.as_ref() != Some(&e) {
                                p.send(StationEvent::CameraProblem {
                                    message: e.message(),
                                });
                                problem = Some(e);
                            }
                        }
                    },
                }
            }
            // The session (and its handle on the worker) ends with the task.
        });

        // The queue summary: after every queued photo and upload, and every few seconds.
        let summary = {
            let p = publisher.clone();
            let store = cfg.store.clone();
            let room = cfg.info.room.clone();
            let mut rx = p.tx.subscribe();
            tokio::spawn(async move {
                loop {
                    let changed = tokio::select! {
                        e = rx.recv() => match e {
                            Ok(StationEvent::Session(Event::Queued { .. }) | StationEvent::Upload(_)) => true,
                            Ok(_) => false,
                            Err(broadcast::error::RecvError::Lagged(_)) => true,
                            Err(broadcast::error::RecvError::Closed) => break,
                        },
                        _ = tokio::time::sleep(SUMMARY_EVERY) => true,
                    };
                    if changed && let Some(queue) = summarise(&store, &p, &room).await {
                        p.send(StationEvent::Queue { queue });
                    }
                }
            })
        };

        let station = Station {
            inputs,
            publisher,
            frames,
            stop,
            task: Some(task),
            summary: Some(summary),
            bridge: Some(bridge),
            worker,
            store: cfg.store,
            info: cfg.info,
        };
        (station, first)
    }

    /// Events from now on. A subscriber that falls more than a thousand events behind gets
    /// `RecvError::Lagged` and continues with the newest.
    pub fn subscribe(&self) -> broadcast::Receiver<StationEvent> {
        self.publisher.tx.subscribe()
    }

    /// The newest camera frame, for the preview.
    pub fn frames(&self) -> watch::Receiver<Option<Frame>> {
        self.frames.clone()
    }

    /// A key or a scanned code.
    pub async fn send(&self, input: Input) {
        let _ = self.inputs.send(input).await;
    }

    /// Everything a page needs to draw itself from nothing: the phase, the student, the last
    /// live verdict, the camera and today's queue. (`language` and `confirm_window` belong to
    /// the app and are left at their defaults here.)
    pub async fn snapshot(&self) -> Snapshot {
        let queue = summarise(&self.store, &self.publisher, &self.info.room)
            .await
            .unwrap_or_default();
        let t = self
            .publisher
            .tracked
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        Snapshot {
            phase: t.phase.clone(),
            camera: t.camera.clone(),
            queue,
            station: self.info.station.clone(),
            room: self.info.room.clone(),
            language: crate::Language::default(),
            last_live: t.live.clone(),
            confirm_window: false,
            fee: t.fee,
        }
    }

    /// The photo the student is asked to confirm, by the review number in [`Phase::Review`]:
    /// the exact bytes that will be queued. `None` once that review is over.
    pub fn review_photo(&self, photo: u64) -> Option<Arc<Vec<u8>>> {
        let t = self
            .publisher
            .tracked
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match &t.phase {
            Phase::Review { photo: p, jpeg, .. } if *p == photo => Some(jpeg.clone()),
            _ => None,
        }
    }

    /// Wake the upload worker (a shot was put back in the queue).
    pub fn wake_upload(&self) {
        if let Some(w) = &self.worker {
            w.wake();
        }
    }

    /// Send an event of the app's own to every subscriber (a language switch).
    pub fn announce(&self, e: StationEvent) {
        self.publisher.send(e);
    }

    /// Stop the camera and the session; give the uploads up to `drain` to finish what is
    /// queued, then stop the worker. Whatever is still queued stays queued for the next start.
    pub async fn stop(mut self, drain: Duration) {
        self.stop.store(true, Ordering::Relaxed);
        let (closed, _) = mpsc::channel(1);
        self.inputs = closed; // the last sender: the session task ends
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        if let Some(b) = self.bridge.take() {
            let _ = tokio::task::spawn_blocking(move || b.join()).await;
        }
        let deadline = tokio::time::Instant::now() + drain;
        if self.worker.is_some() {
            while self.store.outstanding().await.unwrap_or(0) > 0
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        if let Some(w) = self.worker.take().and_then(|w| Arc::try_unwrap(w).ok()) {
            w.stop().await;
        }
        if let Some(s) = self.summary.take() {
            s.abort();
        }
    }
}

/// The session's side of the bridge: the newest frame not yet taken, and camera problems in the
/// order they came. A frame pushed behind a frame replaces it (the session wants the newest);
/// problems are never replaced.
#[derive(Default)]
struct Feed {
    items: Mutex<std::collections::VecDeque<Result<Frame, CameraError>>>,
    ready: tokio::sync::Notify,
    closed: AtomicBool,
}

/// Problems kept for a session that is busy: a flood of broken frames keeps the newest ones.
const FEED_PROBLEMS: usize = 16;

impl Feed {
    fn push(&self, item: Result<Frame, CameraError>) {
        {
            let mut q = self.items.lock().unwrap_or_else(|p| p.into_inner());
            match (q.back_mut(), item) {
                (Some(Ok(last)), Ok(f)) => *last = f,
                (_, item) => {
                    if q.len() >= FEED_PROBLEMS {
                        q.pop_front();
                    }
                    q.push_back(item);
                }
            }
        }
        self.ready.notify_one();
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.ready.notify_one();
    }

    /// The next item; `None` once the bridge has stopped and everything was taken.
    async fn pop(&self) -> Option<Result<Frame, CameraError>> {
        loop {
            if let Some(item) = self
                .items
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front()
            {
                return Some(item);
            }
            if self.closed.load(Ordering::Acquire) {
                return None;
            }
            self.ready.notified().await;
        }
    }
}

async fn summarise(store: &Store, p: &Publisher, room: &str) -> Option<QueueSummary> {
    let shots = store.today().await.ok()?;
    let online = p.tracked.lock().unwrap_or_else(|e| e.into_inner()).online;
    let now = caiji_store::now_ms();
    let mut q = QueueSummary::of(&shots, online, now);
    // This room's slot now, else its next one today: the station's one line against the plan.
    let today = caiji_store::day_of(now);
    let slots = store.slots(Some(&today)).await.ok()?;
    let refused = store.refused(&today).await.ok()?;
    let (_, minute) = caiji_schedule::minute_of_day(now);
    let mine: Vec<_> = slots
        .into_iter()
        .filter(|s| caiji_schedule::same_room(&s.room, room) && s.end > minute)
        .take(1)
        .collect();
    q.slot = caiji_schedule::pace(&mine, &crate::supervise::facts(&shots), &refused, now).pop();
    Some(q)
}

impl Drop for Station {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(s) = self.summary.take() {
            s.abort();
        }
    }
}
