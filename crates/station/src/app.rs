//! The app: settings, the station key, the queue, a camera and a [`Station`] composed into one
//! façade for a window (the Tauri shell) — every command the window has is one call here, so all
//! of it is tested without a display.
//!
//! ```text
//!  settings.toml ─▶ App::start ─▶ camera (Source) + key + Store + intake (URL or local collector)
//!                                   └─▶ Station ──events──▶ relay ──▶ App::subscribe (survives restarts)
//!  window: snapshot / press / scan / preview / review_photo / save_settings (restarts the station)
//! ```

use crate::settings::CAMERA_ENV;
use crate::source::{Pace, open_camera};
use crate::{
    CameraChoice, Event, Input, Language, PreviewFrame, Settings, Snapshot, Source, Station,
    StationConfig, StationEvent, StationInfo,
};
use caiji_camera::{Camera, CameraError, FrameSource};
use caiji_photo::seal::{AesGcmSealer, StationKey, purpose};
use caiji_spec::Message;
use caiji_store::Store;
use caiji_upload::WorkerConfig;
use caiji_vision::Analyzer;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{RwLock, broadcast};

/// Why a command failed: a stable code for the page to branch on, and the words for a person.
/// Crosses to the UI as `{code, message_zh, message_en}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{code}: {message}")]
pub struct AppError {
    /// `settings`, `key`, `store`, `model`, `collector`, `camera`.
    pub code: &'static str,
    /// What failed and what to do.
    #[serde(flatten)]
    pub message: Message,
}

impl AppError {
    pub(crate) fn new(code: &'static str, message: Message) -> AppError {
        AppError { code, message }
    }
    /// A task that panicked or was cancelled (never expected; said plainly if it happens).
    pub(crate) fn internal(code: &'static str, e: tokio::task::JoinError) -> AppError {
        AppError::new(
            code,
            Message::new(format!("内部错误：{e}"), format!("internal error: {e}")),
        )
    }
}

/// The photographer's and the student's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Space.
    Shoot,
    /// Enter.
    Accept,
    /// R.
    Retake,
    /// Esc.
    Cancel,
    /// Y (or Enter on a question).
    Yes,
    /// N (or Esc on a question).
    No,
    /// F: the student's fee, paid → exempt → unpaid.
    Fee,
}

impl From<Key> for Input {
    fn from(k: Key) -> Input {
        match k {
            Key::Shoot => Input::Shoot,
            Key::Accept => Input::Accept,
            Key::Retake => Input::Retake,
            Key::Cancel => Input::Cancel,
            Key::Yes => Input::Yes,
            Key::No => Input::No,
            Key::Fee => Input::Fee,
        }
    }
}

/// A running station with what it was built from.
pub(crate) struct Running {
    station: Station,
    pub(crate) store: Store,
    /// Where uploads go: the URL, the token, the CA to trust.
    intake: (String, String, Option<Vec<u8>>),
    collector: Option<caiji_collector::CollectorHandle>,
    relay: tokio::task::JoinHandle<()>,
}

/// The app. Start it inside a tokio runtime; keep it for the life of the window.
pub struct App {
    data: PathBuf,
    pub(crate) analyzer: Arc<Analyzer>,
    settings: Mutex<Settings>,
    camera_override: Option<String>,
    pub(crate) running: RwLock<Option<Running>>,
    events: broadcast::Sender<StationEvent>,
    confirm_window: AtomicBool,
    pub(crate) review: Mutex<crate::supervise::Lock>,
    pub(crate) judged: Mutex<crate::supervise::Judged>,
}

/// How long a stop (a settings change, closing the window) waits for uploads in flight.
const STOP_DRAIN: Duration = Duration::from_secs(3);

impl App {
    /// Load the settings in `data` (defaults on first start), apply `CAIJI_CAMERA`, load the
    /// model and start the station. A camera that cannot be opened does not stop the app: the
    /// window opens and says what is wrong.
    pub async fn start(data: PathBuf) -> Result<App, AppError> {
        let camera = std::env::var(CAMERA_ENV).ok().filter(|s| !s.is_empty());
        App::start_with(data, camera).await
    }

    /// [`App::start`] with the camera override given (`CAIJI_CAMERA`'s value), not read from
    /// the environment.
    pub async fn start_with(
        data: PathBuf,
        camera_override: Option<String>,
    ) -> Result<App, AppError> {
        let settings = Settings::load(&data).map_err(|m| AppError::new("settings", m))?;
        if let Some(c) = &camera_override {
            Source::parse(c).map_err(|m| AppError::new("settings", m))?;
        }
        let analyzer = tokio::task::spawn_blocking(Analyzer::load_default)
            .await
            .map_err(|e| AppError::internal("model", e))?
            .map_err(|e| AppError::new("model", e.message()))?;
        let (events, _) = broadcast::channel(1024);
        let app = App {
            data,
            analyzer: Arc::new(analyzer),
            settings: Mutex::new(settings),
            camera_override,
            running: RwLock::new(None),
            events,
            confirm_window: AtomicBool::new(false),
            review: Mutex::new(Default::default()),
            judged: Mutex::new(Default::default()),
        };
        app.launch().await?;
        Ok(app)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Events of whichever station is running, across restarts.
    pub fn subscribe(&self) -> broadcast::Receiver<StationEvent> {
        self.events.subscribe()
    }

    /// The settings as saved.
    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Everything a page needs when it (re)loads.
    pub async fn snapshot(&self) -> Result<Snapshot, AppError> {
        let running = self.running.read().await;
        let r = running.as_ref().ok_or_else(not_running)?;
        let mut snap = r.station.snapshot().await;
        snap.language = self.settings().language;
        snap.confirm_window = self.confirm_window.load(Ordering::Relaxed);
        Ok(snap)
    }

    /// A key.
    pub async fn press(&self, key: Key) -> Result<(), AppError> {
        self.send(key.into()).await
    }

    /// Text from the scanner (or typed).
    pub async fn scan(&self, text: String) -> Result<(), AppError> {
        self.send(Input::Scanned(text)).await
    }

    async fn send(&self, input: Input) -> Result<(), AppError> {
        let running = self.running.read().await;
        running
            .as_ref()
            .ok_or_else(not_running)?
            .station
            .send(input)
            .await;
        Ok(())
    }

    /// The newest preview frame after `after`, at most `max_width` wide, waiting up to a second.
    pub async fn preview(&self, after: Option<u64>, max_width: u32) -> Option<PreviewFrame> {
        let running = self.running.read().await;
        let station = &running.as_ref()?.station;
        station
            .preview(after, max_width, Duration::from_secs(1))
            .await
    }

    /// The photo under review, by its number.
    pub async fn review_photo(&self, photo: u64) -> Option<Arc<Vec<u8>>> {
        let running = self.running.read().await;
        running.as_ref()?.station.review_photo(photo)
    }

    /// The cameras the settings page offers (opens each USB camera briefly: call off the UI thread).
    pub fn cameras(&self) -> Vec<CameraChoice> {
        CameraChoice::list()
    }

    /// Switch the UI language in every window and remember it.
    pub async fn set_language(&self, language: Language) -> Result<(), AppError> {
        let mut s = self.settings();
        s.language = language;
        s.save(&self.data)
            .map_err(|m| AppError::new("settings", m))?;
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = s;
        let _ = self.events.send(StationEvent::Language { language });
        Ok(())
    }

    /// Whether the student's window is open (the page shows it in the snapshot).
    pub fn set_confirm_window(&self, open: bool) {
        if self.confirm_window.swap(open, Ordering::Relaxed) != open {
            let _ = self.events.send(StationEvent::ConfirmWindow { open });
        }
    }

    /// Check, save and apply new settings: the station restarts with them (the queue is kept;
    /// a student in the middle of a shot starts again). Returns what was saved.
    pub async fn save_settings(&self, new: Settings) -> Result<Settings, AppError> {
        new.validate().map_err(|m| AppError::new("settings", m))?;
        // The key must load before anything is replaced.
        load_or_create_key(&new.key_path(&self.data), &self.data.join("caiji.db"))?;
        new.save(&self.data)
            .map_err(|m| AppError::new("settings", m))?;
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = new.clone();
        self.shutdown().await;
        self.launch().await?;
        // A new session in a new station: every window starts again from a snapshot.
        let _ = self.events.send(StationEvent::Restarted);
        Ok(new)
    }

    /// Look at the upload queue now (a shot was put back in it).
    pub(crate) async fn wake_upload(&self) {
        if let Some(r) = self.running.read().await.as_ref() {
            r.station.wake_upload();
        }
    }

    /// Where uploads go: the URL, the token and the CA to trust.
    pub(crate) async fn intake(&self) -> Result<(String, String, Option<Vec<u8>>), AppError> {
        let running = self.running.read().await;
        running
            .as_ref()
            .map(|r| r.intake.clone())
            .ok_or_else(not_running)
    }

    /// Stop the station: uploads get a few seconds, what is left stays queued for the next start.
    pub async fn shutdown(&self) {
        let old = self.running.write().await.take();
        if let Some(r) = old {
            r.station.stop(STOP_DRAIN).await;
            r.relay.abort();
            if let Some(c) = r.collector {
                c.stop().await;
            }
            r.store.close().await;
        }
    }

    async fn launch(&self) -> Result<(), AppError> {
        let settings = self.settings();
        let db = self.data.join("caiji.db");
        let key = load_or_create_key(&settings.key_path(&self.data), &db)?;
        let store = Store::open(&db, *key.derive(purpose::STORE))
            .await
            .map_err(|e| AppError::new("store", e.message()))?;
        // No intake server set: a collector on this machine, so the whole flow works anywhere.
        let (collector, url, token) = if settings.intake_url.trim().is_empty() {
            let token = local_token(&key);
            // It knows this station's seal key, so it verifies every photo's seal as a
            // school's collector would.
            let cfg = caiji_collector::Config::single(
                self.data.join("collector"),
                &local_station_name(&settings.station),
                &token,
                Some(&key.derive(purpose::SEAL)),
            )
            .map_err(|e| AppError::new("collector", e.message()))?;
            let c = caiji_collector::start("127.0.0.1:0", cfg)
                .await
                .map_err(|e| AppError::new("collector", e.message()))?;
            let url = c.url();
            (Some(c), url, token)
        } else {
            (
                None,
                settings.intake_url.trim().to_string(),
                settings.token.clone(),
            )
        };
        let mut upload = WorkerConfig::new(&url, &token, &settings.station);
        let intake_for_review = (url.clone(), token.clone());
        let ca = settings.intake_ca.trim();
        if !ca.is_empty() {
            upload.ca_cert = Some(std::fs::read(ca).map_err(|e| {
                AppError::new(
                    "settings",
                    Message::new(
                        format!("无法读取上传证书 {ca}：{e}"),
                        format!("cannot read the intake certificate {ca}: {e}"),
                    ),
                )
            })?);
        }
        let cfg_ca = upload.ca_cert.clone();
        // At the station a returning network should drain the queue within seconds.
        upload.backoff_max = Duration::from_secs(5);
        let camera_setting = self
            .camera_override
            .clone()
            .unwrap_or_else(|| settings.camera.clone());
        let source = Source::parse(&camera_setting).map_err(|m| AppError::new("settings", m))?;
        let (size, fps) = (settings.frame_size(), settings.frame_rate());
        let (camera, next) =
            match tokio::task::spawn_blocking(move || open_camera(source, Pace::Held, size, fps))
                .await
            {
                Ok(Ok(o)) => (o.camera, o.next),
                Ok(Err(e)) => (Camera::start(Box::new(Unavailable(e)), 1), None),
                Err(e) => return Err(AppError::internal("camera", e)),
            };
        let cfg = StationConfig {
            analyzer: self.analyzer.clone(),
            sealer: AesGcmSealer::new(&key),
            store: store.clone(),
            info: StationInfo {
                station: settings.station.clone(),
                room: settings.room.clone(),
                operator: String::new(),
            },
            upload: Some(upload),
            live_hat_probe: true,
        };
        let (station, mut rx) = Station::start(cfg, camera);
        let out = self.events.clone();
        let relay = tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(e) => {
                        // The demo student leaves once the photo is accepted.
                        if let (StationEvent::Session(Event::Queued { .. }), Some(n)) = (&e, &next)
                        {
                            n.next();
                        }
                        let _ = out.send(e);
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let intake = (intake_for_review.0, intake_for_review.1, cfg_ca);
        *self.running.write().await = Some(Running {
            station,
            store,
            intake,
            collector,
            relay,
        });
        Ok(())
    }
}

pub(crate) fn not_running() -> AppError {
    AppError::new(
        "not_running",
        Message::new(
            "采集站未运行，请检查设置",
            "the station is not running: check the settings",
        ),
    )
}

/// The station key at `path`, created (mode 600 from the start) only for a new, empty queue:
/// a queue whose key is missing is refused, never given a key that cannot decrypt it.
pub fn load_or_create_key(path: &Path, db: &Path) -> Result<StationKey, AppError> {
    if let Some(dir) = path.parent().filter(|_| !path.exists()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::new(
                "key",
                Message::new(
                    format!("数据目录不可用 {}：{e}", dir.display()),
                    format!("data directory unusable {}: {e}", dir.display()),
                ),
            )
        })?;
    }
    StationKey::load_or_create(path, db).map_err(|e| AppError::new("key", e.message()))
}

/// The token of the collector on this machine: derived from the station key, so it is stable
/// across restarts and known to nobody else.
fn local_token(key: &StationKey) -> String {
    hex::encode(&key.derive(purpose::LOCAL_TOKEN)[..16])
}

/// The station's name as its own collector records it: the setting when it is a valid name,
/// else a plain one (the settings page checks names; an old settings file may not have).
fn local_station_name(station: &str) -> String {
    if caiji_protocol::valid_station_name(station) {
        station.to_string()
    } else {
        "station".to_string()
    }
}

/// A camera that could not be opened: it says why, twice a second, so the window shows the
/// problem instead of not opening.
struct Unavailable(CameraError);

impl FrameSource for Unavailable {
    fn name(&self) -> String {
        "相机不可用 / camera unavailable".into()
    }
    fn next_frame(&mut self) -> Result<image::RgbImage, CameraError> {
        std::thread::sleep(Duration::from_millis(500));
        Err(self.0.clone())
    }
}
