//! Camera sources behind one trait. Each runs on its own thread and feeds a bounded channel: a
//! slow consumer makes the source drop frames, never stall (the newest frame is what the
//! photographer needs). Dropping the [`Camera`] stops and joins the thread (or, when the source is
//! stuck in its driver, leaves it behind after two seconds).
//!
//! Sources:
//! - [`UsbCamera`]: a USB camera through nokhwa (V4L2 on Linux). [`list_cameras`] lists them,
//!   [`choose_mode`] picks the resolution and pixel format, frames are decoded in
//!   [`decode`] (MJPEG, YUYV, NV12, RGB), and an unplugged camera is reopened when it is back.
//! - [`DemoCamera`]: a queue of students made from real portraits on the standard backdrops,
//!   each first holding a phone with their capture code up to the camera.
//! - [`FolderCamera`]: the images of a folder; [`VideoFileCamera`]: an MJPEG video file (tests,
//!   replays).
//!
//! ```no_run
//! use caiji_camera::{Camera, DemoCamera};
//! let cam = Camera::start(Box::new(DemoCamera::new(3, 1280, 720)?), 2);
//! let frame = cam.recv()?;
//! println!("frame {} {}x{}", frame.seq, frame.image.width(), frame.image.height());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use image::{Rgb, RgbImage};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub mod decode;
mod usb;
mod video;

pub use decode::PixelFormat;
pub use usb::{Mode, Stage, UsbCamera, UsbCameraInfo, Want, choose_mode, classify, list_cameras};
pub use video::VideoFileCamera;

/// What a camera can go wrong with. Every variant explains itself in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CameraError {
    /// No camera at all.
    #[error("未找到相机，请检查 USB 连接 / no camera found: check the USB cable")]
    NotFound,
    /// Another program holds the camera.
    #[error(
        "相机被其他程序占用，请关闭其他使用相机的程序 / the camera is in use by another program: close it"
    )]
    Busy,
    /// The camera was unplugged while streaming; the source is looking for it again.
    #[error(
        "相机已断开，正在重新连接…请检查 USB 连接 / camera disconnected, reconnecting… check the USB cable"
    )]
    Disconnected,
    /// The operating system refuses access to the camera.
    #[error(
        "无权使用相机：请将当前用户加入 video 组 / no permission to use the camera: add this user to the video group"
    )]
    NoPermission,
    /// The camera offers no colour mode this station can decode.
    #[error(
        "相机不支持可用的彩色格式（MJPEG、YUYV、NV12、RGB） / the camera offers no usable colour format (MJPEG, YUYV, NV12, RGB)"
    )]
    NoUsableMode,
    /// The camera listed a mode and then refused to stream in it.
    #[error(
        "相机拒绝了所选的分辨率和格式，请换一个画面尺寸 / the camera refused the chosen size and format: choose another frame size"
    )]
    ModeRejected,
    /// A frame could not be read or decoded.
    #[error("相机画面无法读取：{0} / camera frame unreadable: {0}")]
    Unreadable(String),
    /// The source has no more frames.
    #[error("画面已播放完 / no more frames")]
    Ended,
    /// The camera thread stopped.
    #[error("相机已停止 / the camera stopped")]
    Stopped,
}

/// A source of frames. Implementations block in `next_frame` for at most about a frame interval.
/// A source need not be `Send`: [`Camera::open`] builds it on the camera thread, where it stays
/// (hardware handles such as nokhwa's are not `Send`).
pub trait FrameSource {
    /// A name for the photographer ("演示相机 / demo camera", a device name).
    fn name(&self) -> String;
    /// The next frame.
    fn next_frame(&mut self) -> Result<RgbImage, CameraError>;
    /// Frame interval to pace at (sources that block on hardware return zero).
    fn interval(&self) -> Duration {
        Duration::ZERO
    }
}

/// One frame from a camera.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Running number, counting dropped frames too.
    pub seq: u64,
    /// When it was read.
    pub at: Instant,
    /// The picture, shared: analysis, preview and shutter read the same buffer.
    pub image: Arc<RgbImage>,
}

/// A running source on its own thread.
pub struct Camera {
    rx: Receiver<Result<Frame, CameraError>>,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the camera thread has ended.
    finished: Receiver<()>,
    name: String,
}

/// How long dropping a [`Camera`] waits for its thread. A camera stalled inside its driver (no
/// frame, no error) is left behind rather than freezing the station.
const STOP_WAIT: Duration = Duration::from_secs(2);

impl Camera {
    /// Start `source` on its own thread with a channel of `capacity` frames.
    pub fn start(source: Box<dyn FrameSource + Send>, capacity: usize) -> Camera {
        Camera::open(move || Ok(source as Box<dyn FrameSource>), capacity)
            .expect("a built source starts")
    }

    /// Build a source with `make` on a new camera thread and run it there, with a channel of
    /// `capacity` frames. Returns once the source is built, with its error if it could not be
    /// (no camera, busy, no permission).
    pub fn open<F>(make: F, capacity: usize) -> Result<Camera, CameraError>
    where
        F: FnOnce() -> Result<Box<dyn FrameSource>, CameraError> + Send + 'static,
    {
        let (tx, rx): (Sender<Result<Frame, CameraError>>, _) = bounded(capacity.max(1));
        let (ready_tx, ready_rx) = bounded::<Result<String, CameraError>>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let (finished_tx, finished) = bounded::<()>(0);
        let thread = {
            let (stop, dropped) = (stop.clone(), dropped.clone());
            std::thread::Builder::new()
                .name("caiji-camera".into())
                .spawn(move || {
                    let _finished = finished_tx; // dropped when the thread ends
                    let mut source = match make() {
                        Ok(s) => {
                            let _ = ready_tx.send(Ok(s.name()));
                            s
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    run(source.as_mut(), &tx, &stop, &dropped);
                })
                .map_err(|e| CameraError::Unreadable(e.to_string()))?
        };
        let name = match ready_rx.recv() {
            Ok(Ok(name)) => name,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(CameraError::Stopped);
            }
        };
        Ok(Camera {
            rx,
            stop,
            dropped,
            thread: Some(thread),
            finished,
            name,
        })
    }

    /// The next frame, waiting for it.
    pub fn recv(&self) -> Result<Frame, CameraError> {
        self.rx.recv().map_err(|_| CameraError::Stopped)?
    }

    /// The next frame, waiting at most `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Frame>, CameraError> {
        match self.rx.recv_timeout(timeout) {
            Ok(r) => r.map(Some),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => Ok(None),
            Err(_) => Err(CameraError::Stopped),
        }
    }

    /// Frames the source made while the consumer was busy.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The camera thread: read, hand over or drop, pace.
fn run(
    source: &mut dyn FrameSource,
    tx: &Sender<Result<Frame, CameraError>>,
    stop: &AtomicBool,
    dropped: &AtomicU64,
) {
    let mut seq = 0u64;
    let interval = source.interval();
    let mut next_due = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let item = source.next_frame().map(|img| Frame {
            seq,
            at: Instant::now(),
            image: Arc::new(img),
        });
        seq += 1;
        let ended = matches!(item, Err(CameraError::Ended));
        match tx.try_send(item) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => break,
        }
        if ended {
            break;
        }
        next_due += interval;
        let now = Instant::now();
        if next_due > now {
            std::thread::sleep(next_due - now);
        } else {
            next_due = now;
        }
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        while self.rx.try_recv().is_ok() {}
        // The thread sees the stop flag after its current frame; a source stuck in its driver
        // is detached after STOP_WAIT instead of joined.
        if let Err(crossbeam_channel::RecvTimeoutError::Disconnected) =
            self.finished.recv_timeout(STOP_WAIT)
            && let Some(t) = self.thread.take()
        {
            let _ = t.join();
        }
    }
}

/// One student of the demo queue.
#[derive(Debug, Clone)]
pub struct DemoStudent {
    /// The capture code on their phone.
    pub code: String,
    /// The portrait subject.
    pub subject: &'static str,
    /// The backdrop.
    pub backdrop: &'static str,
}

/// Demo students: real portraits, demo capture codes with made-up names and numbers.
pub fn demo_students(n: usize) -> Vec<DemoStudent> {
    const NAMES: [&str; 8] = [
        "张三丰",
        "李明",
        "王小红",
        "赵子龙",
        "陈静",
        "欧阳娜娜",
        "刘洋",
        "周杰",
    ];
    (0..n)
        .map(|i| {
            let subject = caiji_scene::SUBJECTS[i % caiji_scene::SUBJECTS.len()].name;
            let backdrop = caiji_spec_backdrop(i / caiji_scene::SUBJECTS.len());
            let code = caiji_code::demo_code(
                "10001",
                NAMES[i % NAMES.len()],
                &format!("{:04}", 1000 + i * 37 % 9000),
                &format!("20230{:05}", 10001 + i),
            );
            DemoStudent {
                code,
                subject,
                backdrop,
            }
        })
        .collect()
}

fn caiji_spec_backdrop(i: usize) -> &'static str {
    ["light_blue", "white", "light_grey"][i % 3]
}

/// The demo camera: for each student, a few frames of a phone showing the capture code, then the
/// student framed on the backdrop. Frames are made once per student and replayed with fresh
/// sensor noise, at `fps` (20 by default, like a USB camera at 720p).
pub struct DemoCamera {
    lib: caiji_scene::Library,
    students: Vec<DemoStudent>,
    width: u32,
    height: u32,
    index: usize,
    phase: usize,
    current: Option<(RgbImage, RgbImage)>,
    /// Frames showing the phone, then frames of the student, per student.
    pub frames_per_phase: (usize, usize),
    /// Frames per second, as a USB camera delivers them.
    pub fps: u32,
    noise: u64,
    /// Held mode: each student stays in front of the camera until told to go ([`DemoNext`]),
    /// and the queue starts over after the last student.
    hold: Option<Arc<AtomicBool>>,
}

/// Sends the demo camera's current student away (held mode): the next one steps up with their
/// phone. A photographer's station calls it when a photo is accepted.
#[derive(Debug, Clone)]
pub struct DemoNext(Arc<AtomicBool>);

impl DemoNext {
    /// The next student, please.
    pub fn next(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl DemoCamera {
    /// A demo queue of `students` at `width × height`.
    pub fn new(students: usize, width: u32, height: u32) -> Result<DemoCamera, CameraError> {
        let lib = caiji_scene::Library::open_default()
            .map_err(|e| CameraError::Unreadable(e.to_string()))?;
        Ok(DemoCamera {
            lib,
            students: demo_students(students),
            width,
            height,
            index: 0,
            phase: 0,
            current: None,
            frames_per_phase: (10, 20),
            fps: 20,
            noise: 0x9E37_79B9,
            hold: None,
        })
    }

    /// Held mode, for a person at the station: each student shows the phone, then stays framed
    /// until [`DemoNext::next`]; after the last student the queue starts over.
    pub fn held(mut self) -> (DemoCamera, DemoNext) {
        let flag = Arc::new(AtomicBool::new(false));
        self.hold = Some(flag.clone());
        (self, DemoNext(flag))
    }

    /// The students, in order.
    pub fn students(&self) -> &[DemoStudent] {
        &self.students
    }

    fn prepare(&mut self) -> Result<(), CameraError> {
        let s = &self.students[self.index];
        let scene = caiji_scene::Scene::standard(s.subject, s.backdrop, self.width, self.height);
        let (portrait, _) = caiji_scene::render(&self.lib, &scene)
            .map_err(|e| CameraError::Unreadable(e.to_string()))?;
        // The phone: a dark handset with the code on a white screen, held in front of the face.
        let mut phone = portrait.clone();
        let module = (self.height / 150).max(3);
        let qr = caiji_code::render_qr(&s.code, module)
            .ok_or_else(|| CameraError::Unreadable("QR".into()))?;
        let (qw, qh) = qr.dimensions();
        let (pw, ph) = (qw + 2 * module * 3, qh * 2);
        let (px, py) = (
            (self.width.saturating_sub(pw)) / 2,
            (self.height.saturating_sub(ph)) / 2,
        );
        for y in py..(py + ph).min(self.height) {
            for x in px..(px + pw).min(self.width) {
                phone.put_pixel(x, y, Rgb([25, 25, 30]));
            }
        }
        let (qx, qy) = (px + module * 3, py + (ph - qh) / 2);
        for (x, y, p) in qr.enumerate_pixels() {
            if qx + x < self.width && qy + y < self.height {
                phone.put_pixel(qx + x, qy + y, Rgb([p.0[0]; 3]));
            }
        }
        self.current = Some((phone, portrait));
        Ok(())
    }
}

impl FrameSource for DemoCamera {
    fn name(&self) -> String {
        "演示相机 / demo camera".into()
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        if let Some(flag) = &self.hold {
            if flag.swap(false, Ordering::Relaxed) {
                self.next_student();
            }
            if self.index >= self.students.len() {
                self.index = 0;
            }
        }
        if self.index >= self.students.len() {
            return Err(CameraError::Ended);
        }
        if self.current.is_none() {
            self.prepare()?;
        }
        let (phone_n, student_n) = self.frames_per_phase;
        let (phone, portrait) = self.current.as_ref().expect("prepared");
        let mut frame = if self.phase < phone_n {
            phone.clone()
        } else {
            portrait.clone()
        };
        // Fresh noise on a sparse grid: cheap, and no two frames are identical.
        for (i, p) in frame.pixels_mut().enumerate().step_by(97) {
            self.noise ^= self.noise << 13;
            self.noise ^= self.noise >> 7;
            self.noise ^= self.noise << 17;
            let d = (self.noise % 5) as i16 - 2;
            p.0[i % 3] = (p.0[i % 3] as i16 + d).clamp(0, 255) as u8;
        }
        self.phase += 1;
        if self.hold.is_some() {
            self.phase = self.phase.min(phone_n); // stays framed until told to go
        } else if self.phase >= phone_n + student_n {
            self.phase = 0;
            self.index += 1;
            self.current = None;
        }
        Ok(frame)
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(1) / self.fps.max(1)
    }
}

impl DemoCamera {
    /// Skip the rest of the current student's frames (the station moved on to the next student).
    pub fn next_student(&mut self) {
        self.phase = 0;
        self.index += 1;
        self.current = None;
    }
}

/// The images of a folder (PNG/JPEG), in name order, looping if asked.
pub struct FolderCamera {
    files: Vec<PathBuf>,
    next: usize,
    looping: bool,
    interval: Duration,
}

impl FolderCamera {
    /// Every PNG/JPEG in `dir`.
    pub fn open(dir: &Path, looping: bool, fps: u32) -> Result<FolderCamera, CameraError> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| CameraError::Unreadable(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    matches!(
                        e.to_string_lossy().to_lowercase().as_str(),
                        "png" | "jpg" | "jpeg"
                    )
                })
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(CameraError::NotFound);
        }
        Ok(FolderCamera {
            files,
            next: 0,
            looping,
            interval: Duration::from_secs(1) / fps.max(1),
        })
    }
}

impl FrameSource for FolderCamera {
    fn name(&self) -> String {
        "文件夹 / folder".into()
    }
    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        if self.next >= self.files.len() {
            if !self.looping {
                return Err(CameraError::Ended);
            }
            self.next = 0;
        }
        let p = &self.files[self.next];
        self.next += 1;
        image::open(p)
            .map(|i| i.to_rgb8())
            .map_err(|e| CameraError::Unreadable(format!("{}: {e}", p.display())))
    }
    fn interval(&self) -> Duration {
        self.interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u32);
    impl FrameSource for Counter {
        fn name(&self) -> String {
            "counter".into()
        }
        fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
            self.0 += 1;
            if self.0 > 200 {
                Err(CameraError::Ended)
            } else {
                Ok(RgbImage::new(4, 4))
            }
        }
    }

    #[test]
    fn a_slow_consumer_drops_frames_and_never_stalls_the_camera() {
        let cam = Camera::start(Box::new(Counter(0)), 2);
        std::thread::sleep(Duration::from_millis(100));
        // The source ran to its end though nobody read: it dropped instead of blocking.
        let mut seqs = Vec::new();
        while let Ok(Some(f)) = cam.recv_timeout(Duration::from_millis(50)) {
            seqs.push(f.seq);
        }
        assert!(cam.dropped() >= 190, "dropped {}", cam.dropped());
        assert!(
            seqs.len() <= 2,
            "only the channel's capacity was kept: {seqs:?}"
        );
    }

    /// A driver that never returns a frame.
    struct Stuck;
    impl FrameSource for Stuck {
        fn name(&self) -> String {
            "stuck".into()
        }
        fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
            std::thread::sleep(Duration::from_secs(3600));
            Err(CameraError::Ended)
        }
    }

    #[test]
    fn a_camera_stuck_in_its_driver_does_not_freeze_the_station() {
        let cam = Camera::start(Box::new(Stuck), 1);
        assert_eq!(
            cam.recv_timeout(Duration::from_millis(50))
                .unwrap()
                .map(|f| f.seq),
            None
        );
        let t = Instant::now();
        drop(cam);
        let took = t.elapsed();
        assert!(
            took >= STOP_WAIT && took < Duration::from_secs(60),
            "{took:?}"
        );
    }

    #[test]
    fn dropping_the_camera_joins_its_thread() {
        let cam = Camera::start(Box::new(Counter(0)), 1);
        drop(cam); // must return: the thread sees the stop flag
    }

    #[test]
    fn a_missing_or_empty_folder_is_explained() {
        let dir = std::env::temp_dir().join(format!("caiji-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(
            FolderCamera::open(&dir, false, 30),
            Err(CameraError::NotFound)
        ));
        let e = FolderCamera::open(&dir.join("nope"), false, 30)
            .err()
            .unwrap();
        assert!(e.to_string().contains("unreadable"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
