//! The running station: a camera, a [`Session`], the queue and the upload worker wired together
//! on tokio, for a UI (or `caiji demo`) that only sends [`Input`]s and listens.
//!
//! ```text
//!  camera thread ──frames──▶ bridge thread ──▶ session task ──events──▶ broadcast ──▶ UI(s)
//!                                         └──▶ latest frame (watch) ──▶ preview
//!  UI keys / scanner ──inputs──▶ session task          upload worker ──events──▶ broadcast
//! ```
//!
//! Events go out on a broadcast channel ([`Station::subscribe`]); the preview takes the newest
//! frame from a watch channel ([`Station::frames`]), so a slow preview never holds up the
//! session and a busy session never delays the preview.
//!
//! ```no_run
//! # async fn ui(cfg: caiji_station::StationConfig) -> Result<(), caiji_camera::CameraError> {
//! use caiji_camera::{Camera, DemoCamera};
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

use crate::{Event, Input, Session, StationInfo};
use caiji_camera::{Camera, CameraError, Frame};
use caiji_photo::seal::AesGcmSealer;
use caiji_store::Store;
use caiji_upload::{UploadEvent, Worker, WorkerConfig};
use caiji_vision::Analyzer;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// Everything the running station tells its UI.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StationEvent {
    /// From the capture session: phase changes, live verdicts, refused shots, queued photos.
    Session(Event),
    /// From the upload worker.
    Upload(UploadEvent),
    /// The camera has a problem (unplugged, busy, unreadable frame), said once until it changes.
    CameraProblem {
        /// Chinese.
        message_zh: String,
        /// English.
        message_en: String,
    },
    /// Frames arrive again after a problem.
    CameraOk,
    /// The source has no more frames (a file, the demo queue). Keys still work.
    CameraEnded,
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
}

/// A running station. Dropping it without [`Station::stop`] stops the loop too, less tidily.
pub struct Station {
    inputs: mpsc::Sender<Input>,
    events: broadcast::Sender<StationEvent>,
    frames: watch::Receiver<Option<Frame>>,
    stop: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
    bridge: Option<std::thread::JoinHandle<()>>,
    worker: Option<Arc<Worker>>,
    store: Store,
}

/// Events kept for a subscriber that falls behind (a second of live verdicts at 30 fps, many
/// times over).
const EVENT_BUFFER: usize = 1024;

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
        let (cam_tx, mut cam_rx) = mpsc::channel::<Result<Frame, CameraError>>(1);
        let stop = Arc::new(AtomicBool::new(false));

        // The bridge: blocking camera reads on their own thread. While the session is busy the
        // bridge waits and the camera thread drops frames, so the session always gets a recent one.
        let bridge = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("caiji-frames".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let item = match camera.recv_timeout(Duration::from_millis(100)) {
                            Ok(Some(f)) => Ok(f),
                            Ok(None) => continue,
                            Err(e) => Err(e),
                        };
                        let end = matches!(item, Err(CameraError::Ended | CameraError::Stopped));
                        if cam_tx.blocking_send(item).is_err() || end {
                            break;
                        }
                    }
                    drop(camera); // joins (or, if stuck in its driver, detaches) the camera thread
                })
                .expect("spawn the frame bridge")
        };

        let worker = cfg.upload.map(|wc| {
            let tx = events.clone();
            Arc::new(Worker::spawn(cfg.store.clone(), wc, move |e| {
                let _ = tx.send(StationEvent::Upload(e));
            }))
        });
        let mut session = {
            let tx = events.clone();
            let w = worker.clone();
            Session::new(
                cfg.analyzer,
                cfg.sealer,
                cfg.store.clone(),
                cfg.info,
                move |e| {
                    let _ = tx.send(StationEvent::Session(e));
                },
                move || {
                    if let Some(w) = &w {
                        w.wake();
                    }
                },
            )
        };

        let tx = events.clone();
        let task = tokio::spawn(async move {
            let mut camera_live = true;
            let mut problem: Option<CameraError> = None;
            loop {
                tokio::select! {
                    // Keys first: a Space pressed while frames stream is handled at once.
                    biased;
                    input = input_rx.recv() => match input {
                        Some(input) => session.handle(input).await,
                        None => break, // the station was stopped
                    },
                    frame = cam_rx.recv(), if camera_live => match frame {
                        Some(Ok(f)) => {
                            if problem.take().is_some() {
                                let _ = tx.send(StationEvent::CameraOk);
                            }
                            frame_tx.send_replace(Some(f.clone()));
                            session.handle(Input::Frame(f)).await;
                        }
                        Some(Err(CameraError::Ended | CameraError::Stopped)) | None => {
                            camera_live = false;
                            let _ = tx.send(StationEvent::CameraEnded);
                        }
                        Some(Err(e)) => {
                            if problem.as_ref() != Some(&e) {
                                let (message_zh, message_en) = crate::bilingual(&e.to_string());
                                let _ = tx.send(StationEvent::CameraProblem {
                                    message_zh,
                                    message_en,
                                });
                                problem = Some(e);
                            }
                        }
                    },
                }
            }
            // The session (and its handle on the worker) ends with the task.
        });

        let station = Station {
            inputs,
            events,
            frames,
            stop,
            task: Some(task),
            bridge: Some(bridge),
            worker,
            store: cfg.store,
        };
        (station, first)
    }

    /// Events from now on. A subscriber that falls more than a thousand events behind gets
    /// `RecvError::Lagged` and continues with the newest.
    pub fn subscribe(&self) -> broadcast::Receiver<StationEvent> {
        self.events.subscribe()
    }

    /// The newest camera frame, for the preview.
    pub fn frames(&self) -> watch::Receiver<Option<Frame>> {
        self.frames.clone()
    }

    /// A key or a scanned code.
    pub async fn send(&self, input: Input) {
        let _ = self.inputs.send(input).await;
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
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}
