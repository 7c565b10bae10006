//! `caiji demo`, `caiji collector` and `caiji queue`: the station loop headless.

use caiji_camera::{CameraError, UsbCamera, Want, list_cameras};
use caiji_photo::seal::{AesGcmSealer, StationKey, purpose};
use caiji_station::{
    Event, Input, Opened, Pace, Phase, Source, Station, StationConfig, StationEvent, StationInfo,
    open_camera,
};
use caiji_store::{Store, default_data_dir};
use caiji_upload::{UploadEvent, WorkerConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}

/// The station key in the data directory, created only for a new, empty queue (a queue whose
/// key is missing is refused: a new key could not decrypt it).
pub fn station_key(data: &Path) -> Result<StationKey, String> {
    std::fs::create_dir_all(data).map_err(|e| {
        format!(
            "数据目录不可用 / data directory unusable {}: {e}",
            data.display()
        )
    })?;
    StationKey::load_or_create(&data.join("station.key"), &data.join("caiji.db"))
        .map_err(|e| e.to_string())
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// How `caiji collector` was asked to run.
pub struct CollectorArgs {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub dir: Option<PathBuf>,
    pub token: Option<String>,
    pub station: String,
    pub seal_key_of: Option<PathBuf>,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub insecure_http: bool,
}

fn collector_config(a: CollectorArgs) -> Result<(String, caiji_collector::Config), String> {
    let (listen, mut cfg) = match (a.config, a.dir, a.token) {
        (Some(file), None, None) => {
            caiji_collector::Config::load(&file).map_err(|e| e.to_string())?
        }
        (None, Some(dir), Some(token)) => {
            let seal = match &a.seal_key_of {
                Some(k) => Some(
                    StationKey::load(k)
                        .map_err(|e| e.to_string())?
                        .derive(purpose::SEAL),
                ),
                None => None,
            };
            let cfg = caiji_collector::Config::single(dir, &a.station, &token, seal.as_deref())
                .map_err(|e| e.to_string())?;
            ("127.0.0.1:8640".to_string(), cfg)
        }
        _ => {
            return Err("请给出 --config 文件，或 --dir 与 --token / give --config FILE, or --dir and --token".into());
        }
    };
    if let Some((cert, key)) = a.tls {
        cfg.tls = Some(caiji_collector::Tls { cert, key });
    }
    cfg.insecure_http |= a.insecure_http;
    Ok((a.listen.unwrap_or(listen), cfg))
}

pub fn collector_cmd(args: CollectorArgs) -> ExitCode {
    let (listen, cfg) = match collector_config(args) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let dir = cfg.dir.clone();
    runtime().block_on(async {
        match caiji_collector::start(&listen, cfg).await {
            Ok(h) => {
                println!(
                    "接收端已启动 / collector listening on {} → {}",
                    h.url(),
                    dir.display()
                );
                let _ = tokio::signal::ctrl_c().await;
                h.stop().await;
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        }
    })
}

/// Where `caiji demo` keeps its queue unless told: `demo` inside the data directory. Never the
/// station's own queue: the demo's upload worker would send a real station's waiting photos to
/// the demo's collector on loopback and mark them uploaded.
fn demo_data_dir(data_dir: Option<PathBuf>) -> PathBuf {
    data_dir.unwrap_or_else(|| default_data_dir().join("demo"))
}

/// Which shots `caiji queue` lists.
pub enum Which {
    Today,
    Day(String),
    All,
}

pub fn queue_cmd(data_dir: Option<PathBuf>, demo: bool, which: Which, json: bool) -> ExitCode {
    let data = if demo {
        demo_data_dir(data_dir)
    } else {
        data_dir.unwrap_or_else(default_data_dir)
    };
    if !data.join("caiji.db").exists() {
        // Nothing was ever queued here: say so, and do not make a key or a database for it.
        if !json {
            println!("今日 0 张 / today 0 shots (no queue in {})", data.display());
            demo_hint(demo, &data);
        }
        return ExitCode::SUCCESS;
    }
    let key = match station_key(&data) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    runtime().block_on(async {
        // Read-only: a listing never resumes a held upload or writes the audit log.
        let store = match Store::open_read_only(&data.join("caiji.db"), *key.derive(purpose::STORE)).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let (listed, label_zh, label_en) = match &which {
            Which::Today => (store.today().await, "今日".to_string(), "today".to_string()),
            Which::Day(d) => (store.day(d).await, d.clone(), d.clone()),
            Which::All => (store.all().await, "全部".to_string(), "in all".to_string()),
        };
        let shots = match listed {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        for s in &shots {
            if json {
                println!("{}", serde_json::to_string(s).expect("shot serialises"));
            } else {
                let why = s.upload_error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default();
                let active = if s.active { "" } else { " [已被重拍替代 / superseded]" };
                println!("{}  {}  {:<9} {}{active}{why}", &s.id[..8], s.display, s.upload_state, s.verdict);
            }
        }
        if !json {
            let count = |st: caiji_store::UploadState| shots.iter().filter(|s| s.upload_state == st).count();
            use caiji_store::UploadState::*;
            println!(
                "{label_zh} {} 张：已上传 {}，待上传 {}，上传中 {}，失败 {} / {label_en} {} shots: {} uploaded, {} pending, {} uploading, {} failed",
                shots.len(), count(Uploaded), count(Pending), count(Uploading), count(Failed),
                shots.len(), count(Uploaded), count(Pending), count(Uploading), count(Failed)
            );
            demo_hint(demo, &data);
        }
        store.close().await;
        ExitCode::SUCCESS
    })
}

/// `caiji requeue`: failed shots back in the queue, each audited with why.
pub fn requeue_cmd(
    data_dir: Option<PathBuf>,
    shots: &[String],
    failed: bool,
    why: &str,
) -> ExitCode {
    let data = data_dir.unwrap_or_else(default_data_dir);
    let key = match station_key(&data) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    runtime().block_on(async {
        let store = match Store::open(&data.join("caiji.db"), *key.derive(purpose::STORE)).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let mut ids: Vec<String> = Vec::new();
        if failed {
            match store.failed().await {
                Ok(list) => ids.extend(list.into_iter().map(|s| s.id)),
                Err(e) => return fail(e),
            }
        }
        // A shot is named by its id or the first characters `caiji queue` shows.
        let all = if shots.is_empty() {
            Vec::new()
        } else {
            match store.all().await {
                Ok(a) => a,
                Err(e) => return fail(e),
            }
        };
        for prefix in shots {
            let matching: Vec<&caiji_store::Shot> = all.iter().filter(|s| s.id.starts_with(prefix.as_str())).collect();
            match matching.as_slice() {
                [one] => ids.push(one.id.clone()),
                [] => return fail(format!("没有照片 {prefix} / no shot {prefix}")),
                _ => return fail(format!("{prefix} 对应多张照片，请写长一些 / {prefix} matches several shots: give more of it")),
            }
        }
        let mut n = 0;
        for id in &ids {
            match store.requeue(id, why).await {
                Ok(true) => {
                    n += 1;
                    println!("{}  重新排队 / requeued", &id[..8]);
                }
                Ok(false) => println!("{}  不是失败状态，未改变 / not failed, unchanged", &id[..8]),
                Err(e) => return fail(e),
            }
        }
        println!("重新排队 {n} 张 / {n} shots requeued");
        store.close().await;
        ExitCode::SUCCESS
    })
}

/// `caiji enroll`: the `[[station]]` block a collector's configuration needs for a station,
/// with a fresh token (shown once: the collector keeps only its hash).
pub fn enroll_cmd(name: &str, key: Option<&Path>, token: Option<String>, read: bool) -> ExitCode {
    let token = token.unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
    // The collector's own checks of a name and a token, so an entry printed here loads there.
    if let Err(e) = caiji_collector::StationAccess::new(name, &token, None) {
        return fail(e);
    }
    let seal = match key.map(StationKey::load).transpose() {
        Ok(k) => k.map(|k| hex::encode(*k.derive(purpose::SEAL))),
        Err(e) => return fail(e),
    };
    use sha2::Digest;
    println!(
        "# 站点 {name} 的令牌（填入站点设置，仅显示这一次）/ the station's token (for its settings; shown only now): {token}"
    );
    println!("[[station]]");
    println!("name = {}", toml_string(name));
    println!(
        "token_sha256 = \"{}\"",
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    );
    if let Some(seal) = seal {
        println!("seal_key = \"{seal}\"");
    }
    if read {
        println!("read = true");
    }
    ExitCode::SUCCESS
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Under the station's queue, where the demo's runs are, when there are any.
fn demo_hint(demo: bool, data: &Path) {
    let demo_dir = data.join("demo");
    if !demo && demo_dir.join("caiji.db").exists() {
        println!(
            "（演示运行的队列另存于 {} / the demo's runs are queued apart in {}: caiji queue --demo）",
            demo_dir.display(),
            demo_dir.display()
        );
    }
}

pub struct DemoArgs {
    /// An intake server and its token instead of a collector of the demo's own.
    pub intake: Option<(String, String)>,
    pub students: usize,
    pub data_dir: Option<PathBuf>,
    pub camera: Source,
    pub size: Option<(u32, u32)>,
}

/// `auto`, `demo`, `usb`, `usb:N`, `video:FILE`, `folder:DIR` (for clap).
pub fn parse_source(s: &str) -> Result<Source, String> {
    Source::parse(s).map_err(|m| m.to_string())
}

/// How many students to photograph before stopping (`None`: until the source ends), and
/// whether the source is a real camera, which never ends by itself.
fn run_length(source: &Source, students: usize) -> (Option<usize>, bool) {
    match source {
        Source::Video(_) | Source::Folder(_) => (None, false),
        Source::Usb(_) => (Some(students), true),
        _ => (Some(students), false),
    }
}

/// `caiji record`: what a camera shows, as an MJPEG file for `--camera video:FILE` (a session
/// at a school replayed at the desk, a test fixture).
pub fn record_cmd(
    source: Source,
    students: usize,
    size: Option<(u32, u32)>,
    out: &Path,
    frames: Option<usize>,
) -> ExitCode {
    use std::io::Write;
    let Opened { camera, source, .. } =
        match open_camera(source, Pace::Scripted { students }, size, None) {
            Ok(o) => o,
            Err(e) => return fail(e),
        };
    let (_, live) = run_length(&source, students);
    // A real camera never ends by itself: record 10 s unless told.
    let limit = frames.unwrap_or(if live { 200 } else { usize::MAX });
    let cannot_write =
        |why: &str| fail(format!("无法写入 / cannot write {}: {why}", out.display()));
    let file = match std::fs::File::create(out) {
        Ok(f) => f,
        Err(e) => return cannot_write(&e.to_string()),
    };
    // Frames are encoded on a thread of their own, so that the camera, which drops what its
    // reader is too slow for, is read at its own pace; drops that happen anyway are reported.
    // The queue holds at most ~256 MB of frames (32 at 1080p, 2 at 8K).
    let frame_bytes = size.map_or(1920 * 1080 * 3, |(w, h)| w as usize * h as usize * 3);
    let depth = (256 << 20) / frame_bytes.max(1);
    let (tx, rx) = crossbeam_channel::bounded::<caiji_camera::Frame>(depth.clamp(2, 32));
    let writer = std::thread::spawn(move || -> Result<usize, String> {
        let mut w = std::io::BufWriter::new(file);
        let mut n = 0usize;
        for frame in rx {
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
                .encode_image(frame.image.as_ref())
                .map_err(|e| e.to_string())?;
            w.write_all(&jpeg).map_err(|e| e.to_string())?;
            n += 1;
        }
        w.into_inner()
            .map_err(|e| e.to_string())
            .and_then(|f| f.sync_all().map_err(|e| e.to_string()))?;
        Ok(n)
    });
    let mut read = 0usize;
    while read < limit {
        let frame = match camera.recv() {
            Ok(f) => f,
            Err(CameraError::Ended | CameraError::Stopped) => break,
            Err(e) => {
                eprintln!("  ! {e}");
                continue;
            }
        };
        if tx.send(frame).is_err() {
            break; // the writer stopped on an error, reported below
        }
        read += 1;
    }
    drop(tx);
    let n = match writer.join() {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return cannot_write(&e),
        Err(_) => return cannot_write("编码线程中止 / the encoder thread stopped"),
    };
    let dropped = camera.dropped();
    println!(
        "已录制 {n} 帧（{dropped} 帧因忙丢弃）/ recorded {n} frames ({dropped} dropped while busy) from {} → {}",
        camera.name(),
        out.display()
    );
    ExitCode::SUCCESS
}

/// `caiji cameras`: every camera the system reports, the modes it offers and the one the station
/// would stream in.
pub fn cameras_cmd(json: bool) -> ExitCode {
    let cams = match list_cameras() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if cams.is_empty() {
        if json {
            println!("[]");
            return ExitCode::SUCCESS;
        }
        println!("{}", CameraError::NotFound);
        println!("（caiji demo 将使用演示相机 / caiji demo will use the demo camera）");
        return ExitCode::SUCCESS;
    }
    let mut listed = Vec::new();
    for c in cams {
        let opened = UsbCamera::open(c.index, Want::default());
        if json {
            let mut o =
                serde_json::json!({"index": c.index, "name": c.name, "description": c.description});
            match &opened {
                Ok(cam) => {
                    o["modes"] = cam
                        .modes()
                        .iter()
                        .map(|m| serde_json::json!(m.to_string()))
                        .collect();
                    o["chosen"] = serde_json::json!(cam.mode().map(|m| m.to_string()));
                }
                Err(e) => o["error"] = serde_json::json!(e.message()),
            }
            listed.push(o);
            continue;
        }
        println!("usb:{}  {}  ({})", c.index, c.name, c.description);
        match opened {
            Ok(cam) => {
                let chosen = cam.mode();
                for m in cam.modes() {
                    let mark = if Some(*m) == chosen {
                        "  ← 使用 / used"
                    } else {
                        ""
                    };
                    println!("    {m}{mark}");
                }
            }
            Err(e) => println!("    {e}"),
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(listed));
    }
    ExitCode::SUCCESS
}

/// The whole loop on the demo camera: scan, frame, shoot, confirm, queue, upload to a collector
/// on loopback.
pub fn demo(args: DemoArgs) -> ExitCode {
    let explicit = args.data_dir.is_some();
    let data = demo_data_dir(args.data_dir);
    let key = match station_key(&data) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let analyzer = match crate::analyze::analyzer() {
        Ok(a) => Arc::new(a),
        Err(c) => return c,
    };
    let Opened {
        camera,
        roster,
        source,
        ..
    } = match open_camera(
        args.camera,
        Pace::Scripted {
            students: args.students,
        },
        args.size,
        None,
    ) {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let (target, _) = run_length(&source, args.students);
    runtime().block_on(async move {
        let store = match Store::open(&data.join("caiji.db"), *key.derive(purpose::STORE)).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let intake = data.join("collector");
        // A collector of its own on loopback that verifies every seal, or the intake server given.
        let (coll, url, token) = match &args.intake {
            Some((url, token)) => (None, url.clone(), token.clone()),
            None => {
                let token = "demo-station-token".to_string();
                let seal = key.derive(purpose::SEAL);
                let cfg = match caiji_collector::Config::single(intake.clone(), "demo-1", &token, Some(&seal)) {
                    Ok(c) => c,
                    Err(e) => return fail(e),
                };
                match caiji_collector::start("127.0.0.1:0", cfg).await {
                    Ok(c) => { let url = c.url(); (Some(c), url, token) }
                    Err(e) => return fail(e),
                }
            }
        };
        let plan = target.map_or_else(|| "文件播完为止 / until the file ends".to_string(), |n| format!("{n} 名学生 / students"));
        println!("采集 / capture: {plan} · {} · 接收端 / collector {url}", camera.name());
        let info = StationInfo { station: "demo-1".into(), room: "演示 / demo".into(), operator: "demo".into() };
        let cfg = StationConfig {
            analyzer,
            sealer: AesGcmSealer::new(&key),
            store: store.clone(),
            info,
            upload: Some(WorkerConfig::new(&url, &token, "demo-1")),
            // Nobody watches a live overlay here: both cores go to the shots.
            live_hat_probe: false,
        };
        let (station, mut events) = Station::start(cfg, camera);
        // Ctrl-C ends the session cleanly: what is queued is still uploaded and summed up.
        let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        {
            let flag = interrupted.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        let stopped = || interrupted.load(std::sync::atomic::Ordering::Relaxed);
        // The robot photographer: it only listens to the station's events and presses keys, as
        // the photographer does at the app.
        let started = Instant::now();
        let mut student_started = Instant::now();
        let mut done = 0usize;
        let mut uploaded = 0usize;
        let mut passes_in_row = 0;
        let mut shutter_pressed = false;
        let mut reviewed = (0u8, 0usize);
        let mut per_student = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut photographed: Vec<String> = Vec::new();
        // Why the newest frames could not be shot (the first failing rule), and the camera's
        // newest problem: the reason given for each student who was not photographed.
        let mut last_refusal: Option<(String, caiji_spec::Message)> = None;
        let mut camera_problem: Option<String> = None;
        // When the recording ended while a shot was being judged (about a third of a second
        // with the headwear network): the frame is already taken, so its photo is waited for.
        let mut ended_at: Option<Instant> = None;
        loop {
            if target.is_some_and(|n| done >= n) {
                break;
            }
            if ended_at.is_some_and(|t| !shutter_pressed || t.elapsed() > Duration::from_secs(10)) {
                break;
            }
            if stopped() {
                println!("已中断，正在上传已入队的照片 / interrupted: uploading what is queued");
                break;
            }
            let event = match tokio::time::timeout(Duration::from_millis(200), events.recv()).await {
                Err(_) => continue, // nothing for a while: look at Ctrl-C again
                Ok(Ok(e)) => e,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => break,
            };
            match event {
                StationEvent::CameraEnded if shutter_pressed => ended_at = Some(Instant::now()),
                StationEvent::CameraEnded => break,
                StationEvent::CameraProblem { message, .. } => {
                    eprintln!("  ! {message}");
                    camera_problem = Some(message.to_string());
                }
                StationEvent::CameraOk => eprintln!("  相机恢复 / camera back"),
                StationEvent::Upload(UploadEvent::Uploaded { .. }) => uploaded += 1,
                StationEvent::Upload(UploadEvent::Failed { id, error }) => eprintln!("上传失败 / upload failed {}: {error}", &id[..8]),
                StationEvent::Session(e) => match e {
                    Event::Phase(Phase::Framing { student }) => {
                        if !seen.contains(&student) {
                            seen.push(student);
                            student_started = Instant::now();
                        }
                        passes_in_row = 0;
                        shutter_pressed = false;
                    }
                    Event::Live(l) if !shutter_pressed => {
                        if let (Some(c), Some(student)) = (l.checks.iter().find(|c| !c.pass), seen.last()) {
                            last_refusal = Some((student.clone(), caiji_spec::Message::new(c.message_zh.clone(), c.message_en.clone())));
                        }
                        // Shoot once the overlay has been green for three frames.
                        passes_in_row = if l.verdict == caiji_spec::Verdict::Pass { passes_in_row + 1 } else { 0 };
                        if passes_in_row >= 3 {
                            shutter_pressed = true;
                            station.send(Input::Shoot).await;
                        }
                    }
                    Event::ShotRefused { .. } => {
                        shutter_pressed = false;
                        passes_in_row = 0;
                    }
                    Event::Phase(Phase::Review { quality, bytes, .. }) => {
                        // The student looks at the photo and accepts.
                        reviewed = (quality, bytes);
                        station.send(Input::Accept).await;
                    }
                    Event::Queued { student, .. } => {
                        shutter_pressed = false;
                        let took = student_started.elapsed();
                        per_student.push(took);
                        done += 1;
                        photographed.push(student.clone());
                        let (quality, bytes) = reviewed;
                        println!("  ✓ {done:>3}  {student}  质量/quality {quality}  {:.1} KB  {:.2} s", bytes as f64 / 1000.0, took.as_secs_f64());
                    }
                    Event::Phase(Phase::ConfirmSwitch { current, next }) => {
                        // The previous student never gave a passing frame: they must come back.
                        let why = last_refusal.as_ref().filter(|(s, _)| s == &current).map(|(_, m)| format!(" — {m}")).unwrap_or_default();
                        println!("  ✗ {current}: 未拍到合格照片，需补拍 / no compliant photo, must come back (next: {next}){why}");
                        station.send(Input::Yes).await;
                    }
                    Event::Phase(Phase::ConfirmRetake { student, .. }) => {
                        // Already photographed today (a rerun of the demo): retake, keeping both.
                        println!("  ↻ {student}: 今日已拍，重拍 / already taken today, retaking");
                        seen.retain(|s| s != &student);
                        station.send(Input::Yes).await;
                    }
                    Event::CodeRejected { message } => println!("  ! {message}"),
                    Event::Error { message, .. } => {
                        // A shot that failed (analysis, photo) leaves the shutter free again.
                        println!("  ! {message}");
                        shutter_pressed = false;
                        passes_in_row = 0;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        let shooting = started.elapsed();
        // Let the uploads finish (bounded), then stop cleanly.
        station.stop(Duration::from_secs(30)).await;
        while let Ok(e) = events.try_recv() {
            if let StationEvent::Upload(UploadEvent::Uploaded { .. }) = e {
                uploaded += 1;
            }
        }
        // What the collector holds, by its own index (its files checked), when it is ours.
        let arrived = match coll {
            Some(c) => {
                c.stop().await;
                caiji_collector::audit(&intake).await.map(|a| a.received.iter().filter(|(_, s)| *s == caiji_collector::FileState::Intact).count()).unwrap_or(0)
            }
            None => uploaded,
        };
        let students = if roster.is_empty() { seen.clone() } else { roster };
        let missing: Vec<&String> = students.iter().filter(|s| !photographed.contains(s)).collect();
        // Each student who was not photographed, and why.
        for student in &missing {
            let why = match &last_refusal {
                Some((s, m)) if s == *student => m.clone(),
                _ if seen.contains(student) => caiji_spec::Message::new("画面一直不合格", "no frame passed"),
                _ => match &camera_problem {
                    Some(p) => caiji_spec::Message::new(format!("采集码未读到（{p}）"), format!("capture code never read ({p})")),
                    None => caiji_spec::Message::new("采集码未读到", "capture code never read"),
                },
            };
            println!("  ✗ {student}: 需补拍 / must come back — {why}");
        }
        // Per student photographed; "—" when nobody was.
        let per = |total: f64| if done == 0 { "—".to_string() } else { format!("{:.2} s", total / done as f64) };
        let mean = per(per_student.iter().map(|d| d.as_secs_f64()).sum::<f64>());
        let cycle = per(shooting.as_secs_f64());
        let missing = missing.len();
        println!(
            "完成 {done}/{} 名，缺 {missing} 名需补拍；已上传 {uploaded}，接收端收到 {arrived}；扫码到入队平均 {mean}/人，含相机节奏 {cycle}/人，共 {:.1} s",
            students.len(), shooting.as_secs_f64()
        );
        println!(
            "done {done}/{} students, {missing} missing (come back for 补拍); {uploaded} uploaded, {arrived} at the collector; code to queued {mean} per student, {cycle} per student at the camera's pace, {:.1} s in all",
            students.len(), shooting.as_secs_f64()
        );
        if done == 0 {
            let why = camera_problem.as_deref().map(|p| format!(": {p}")).unwrap_or_default();
            println!("未拍到任何学生 / no student was photographed{why}");
        }
        let look = if explicit { format!("caiji queue --data-dir {}", data.display()) } else { "caiji queue --demo".to_string() };
        println!("数据目录 / data: {} · 查看队列 / see the queue: {look}", data.display());
        let outstanding = store.outstanding().await.unwrap_or(i64::MAX);
        // A refused upload waits for the supervisor: the run did not deliver everything.
        let failed = store.failed().await.map(|f| f.len()).unwrap_or(usize::MAX);
        if failed > 0 {
            println!("上传失败 {failed} 张，需处理后重新排队 / {failed} uploads failed: fix the cause, then caiji requeue --failed --why …");
        }
        store.close().await;
        // Success: every student photographed and the whole queue (earlier runs too) delivered.
        if stopped() {
            ExitCode::from(130)
        } else if done > 0 && done == students.len() && outstanding == 0 && failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    })
}

/// Scan images for capture codes; one JSON line per image with the code's masked form (never the
/// full code) and, with `--timing`, the median scan time.
pub fn code_cmd(images: &[PathBuf], timing: Option<u32>) -> ExitCode {
    let mut scanner = caiji_code::QrScanner::default();
    let mut missing = 0;
    for path in images {
        let img = match crate::report::load_rgb(path) {
            Ok(i) => i,
            Err(e) => {
                println!(
                    "{}",
                    crate::report::error_json(&path.display().to_string(), &e)
                );
                missing += 1;
                continue;
            }
        };
        let mut times = Vec::new();
        let mut found = None;
        for _ in 0..timing.unwrap_or(1).max(1) {
            let t = Instant::now();
            found = scanner.scan(&img);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let mut o = serde_json::json!({"file": path.display().to_string()});
        // Errors take the shape a file error has: {code, message_zh, message_en}.
        let error = match found.as_deref().map(caiji_code::CaptureCode::parse) {
            Some(Ok(c)) => {
                o["code"] = serde_json::json!(c.display());
                o["key"] = serde_json::json!(c.key());
                None
            }
            Some(Err(e)) => Some(crate::report::FileError::from_message(
                "bad_code",
                e.message(),
            )),
            None => Some(crate::report::FileError::from_message(
                "no_code",
                caiji_spec::Message::new("未找到二维码", "no QR code found"),
            )),
        };
        if let Some(e) = error {
            o["error"] = serde_json::json!(e);
            missing += 1;
        }
        if timing.is_some() {
            o["scan_ms"] = serde_json::json!((times[times.len() / 2] * 100.0).round() / 100.0);
        }
        println!("{o}");
    }
    if missing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `caiji arrived`: what reached a collector folder, each file checked against the index.
pub fn arrived_cmd(dir: &Path, json: bool, all: bool, report: Option<&Path>) -> ExitCode {
    use caiji_collector::FileState;
    let mut audit = match runtime().block_on(caiji_collector::audit(dir)) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    // The photos that count: each student's current one per day (every version with --all).
    // A file problem shows either way.
    let superseded = audit.received.iter().filter(|(r, _)| !r.current).count();
    if !all {
        audit
            .received
            .retain(|(r, s)| r.current || *s != FileState::Intact);
    }
    for (r, state) in &audit.received {
        if json {
            let mut o = serde_json::to_value(r).expect("serialises");
            o["file"] = serde_json::json!(state);
            println!("{o}");
        } else {
            let mark = match state {
                FileState::Intact => "完好 intact",
                FileState::Missing => "✗ 缺失 missing",
                FileState::Changed => "✗ 已改变 changed",
            };
            let version = if r.current {
                ""
            } else {
                "  [已被重拍替代 / superseded]"
            };
            let seal = if r.seal == "verified" {
                ""
            } else {
                "  (标识未验证 / seal unverified)"
            };
            println!(
                "{}  {}  {}  {:>6} B  {mark}{version}{seal}",
                caiji_store::time_of(r.received_at),
                r.station,
                &r.shot_id[..8.min(r.shot_id.len())],
                r.bytes
            );
        }
    }
    for name in &audit.unindexed {
        if json {
            println!(
                "{}",
                serde_json::json!({"file_name": name, "file": "not_in_index"})
            );
        } else {
            println!("{name}  ✗ 未登记 / not in the index");
        }
    }
    let bad = audit
        .received
        .iter()
        .filter(|(_, s)| *s != FileState::Intact)
        .count();
    if !json {
        let (n, u) = (audit.received.len(), audit.unindexed.len());
        let files = if u == 1 { "file" } else { "files" };
        println!(
            "已接收 {n} 张，完好 {}，有问题 {bad}，未登记文件 {u} / {n} received, {} intact, {bad} with problems, {u} {files} not in the index",
            n - bad,
            n - bad
        );
        if !all && superseded > 0 {
            println!(
                "（另有 {superseded} 张被重拍替代，--all 显示 / {superseded} more superseded by retakes: --all shows them）"
            );
        }
    }
    if let Some(path) = report
        && let Err(e) = crate::xlsx::write_arrived(path, &audit)
    {
        return fail(format!(
            "无法写入报表 / cannot write the report {}: {e}",
            path.display()
        ));
    }
    if bad == 0 && audit.unindexed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
