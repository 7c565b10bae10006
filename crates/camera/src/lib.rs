//! Camera sources behind one trait. Each runs on its own thread and feeds a bounded channel: a
//! slow consumer makes the source drop frames, never stall (the newest frame is what the
//! photographer needs). Dropping the [`Camera`] stops and joins the thread (or, when the source is
//! stuck in its driver, leaves it behind after two seconds).
//!
//! Sources:
//! - [`UsbCamera`]: a USB camera through nokhwa (V4L2 on Linux). [`list_cameras`] lists them,
//!   [`choose_mode`] picks the resolution and pixel format, frames are decoded in
//!   [`decode`] (MJPEG, YUYV, NV12, RGB), and an unplugged camera is reopened when it is back.
//! - The demo camera (a queue of students made from real portraits, each first holding up a phone
//!   with their capture code) lives beside the scenes it renders, in `caiji-scene`.
//! - [`FolderCamera`]: the images of a folder; [`VideoFileCamera`]: an MJPEG video file (tests,
//!   replays).
//!
//! ```no_run
//! use caiji_camera::{Camera, FolderCamera};
//! let cam = Camera::start(Box::new(FolderCamera::open("frames".as_ref(), true, 20)?), 2);
//! let frame = cam.recv()?;
//! println!("frame {} {}x{}", frame.seq, frame.image.width(), frame.image.height());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

use caiji_spec::Message;
use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError, bounded};
use image::RgbImage;
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
    #[error("{}", self.message())]
    NotFound,
    /// Another program holds the camera.
    #[error("{}", self.message())]
    Busy,
    /// The camera was unplugged while streaming; the source is looking for it again.
    #[error("{}", self.message())]
    Disconnected,
    /// The operating system refuses access to the camera.
    #[error("{}", self.message())]
    NoPermission,
    /// The camera offers no colour mode this station can decode.
    #[error("{}", self.message())]
    NoUsableMode,
    /// The camera listed a mode and then refused to stream in it.
    #[error("{}", self.message())]
    ModeRejected,
    /// A frame could not be read or decoded: why, in both languages (a path or an OS error reads
    /// the same in both; see [`CameraError::unreadable`]).
    #[error("{}", self.message())]
    Unreadable(Message),
    /// A video file holds no complete MJPEG frame (empty, cut, or not a video): the path.
    #[error("{}", self.message())]
    NoFrames(String),
    /// A folder holds no PNG or JPEG image: the path.
    #[error("{}", self.message())]
    EmptyFolder(String),
    /// The source has no more frames.
    #[error("{}", self.message())]
    Ended,
    /// The camera thread stopped.
    #[error("{}", self.message())]
    Stopped,
}

impl CameraError {
    /// A frame unreadable for a reason that reads the same in both languages (a path, an OS
    /// error, a decoder's words).
    pub fn unreadable(detail: impl std::fmt::Display) -> CameraError {
        CameraError::Unreadable(Message::untranslated(detail))
    }

    /// A file or folder source (`video:`, `folder:`) that cannot be read: the path and the
    /// reason in words of each language for the common ones (no such file, no permission, a
    /// folder where a file should be), the OS's own words otherwise, and where to fix it.
    pub fn file(path: &std::path::Path, e: &std::io::Error) -> CameraError {
        use std::io::ErrorKind as K;
        let (zh, en) = match e.kind() {
            K::NotFound => ("文件不存在".to_string(), "no such file".to_string()),
            K::PermissionDenied => (
                "没有读取权限".to_string(),
                "no permission to read it".to_string(),
            ),
            K::IsADirectory => (
                "这是文件夹，不是视频文件".to_string(),
                "a folder, not a video file".to_string(),
            ),
            K::NotADirectory => ("这不是文件夹".to_string(), "not a folder".to_string()),
            _ => (e.to_string(), e.to_string()),
        };
        let at = path.display();
        CameraError::Unreadable(Message::new(
            format!("{at}：{zh}（请在设置 F2 中选择相机）"),
            format!("{at}: {en} (choose the camera in Settings, F2)"),
        ))
    }

    /// What is wrong and what to do, in Chinese and English (the station's banner).
    pub fn message(&self) -> Message {
        match self {
            CameraError::NotFound => Message::new(
                "未找到相机，请检查 USB 连接",
                "no camera found: check the USB cable",
            ),
            CameraError::Busy => Message::new(
                "相机被其他程序占用，请关闭其他使用相机的程序",
                "the camera is in use by another program: close it",
            ),
            CameraError::Disconnected => Message::new(
                "相机已断开，正在重新连接…请检查 USB 连接",
                "camera disconnected, reconnecting… check the USB cable",
            ),
            CameraError::NoPermission => Message::new(
                "无权使用相机：请将当前用户加入 video 组",
                "no permission to use the camera: add this user to the video group",
            ),
            CameraError::NoUsableMode => Message::new(
                "相机不支持可用的彩色格式（MJPEG、YUYV、NV12、RGB）",
                "the camera offers no usable colour format (MJPEG, YUYV, NV12, RGB)",
            ),
            CameraError::ModeRejected => Message::new(
                "相机拒绝了所选的分辨率和格式，请换一个画面尺寸",
                "the camera refused the chosen size and format: choose another frame size",
            ),
            CameraError::Unreadable(why) => Message::new(
                format!("相机画面无法读取：{}", why.zh),
                format!("camera frame unreadable: {}", why.en),
            ),
            CameraError::NoFrames(path) => Message::new(
                format!("视频文件 {path} 中没有完整的 MJPEG 帧（空文件、被截断或不是 MJPEG 视频）"),
                format!(
                    "no complete MJPEG frame in the video file {path} (empty, cut short, or not an MJPEG video)"
                ),
            ),
            CameraError::EmptyFolder(path) => Message::new(
                format!("文件夹 {path} 中没有 PNG 或 JPEG 图片"),
                format!("no PNG or JPEG images in the folder {path}"),
            ),
            CameraError::Ended => Message::new("画面已播放完", "no more frames"),
            CameraError::Stopped => Message::new("相机已停止", "the camera stopped"),
        }
    }
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
                .map_err(CameraError::unreadable)?
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
        if item.is_ok() {
            // A frame the reader is too slow for is dropped and counted.
            match tx.try_send(item) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        } else if let Err(SendTimeoutError::Disconnected(_)) = tx.send_timeout(item, STOP_WAIT) {
            // An error or the end of the stream is not a frame: it waits for room, so the reader
            // always learns why the stream stopped (and a dropped end is not counted as a frame).
            break;
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
            .map_err(|e| CameraError::file(dir, &e))?
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
            return Err(CameraError::EmptyFolder(dir.display().to_string()));
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
            .map_err(|e| CameraError::unreadable(format!("{}: {e}", p.display())))
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
        let e = FolderCamera::open(&dir, false, 30).err().unwrap();
        assert_eq!(e, CameraError::EmptyFolder(dir.display().to_string()));
        assert!(
            e.to_string().contains("no PNG or JPEG images") && !e.to_string().contains("USB"),
            "{e}"
        );
        let e = FolderCamera::open(&dir.join("nope"), false, 30)
            .err()
            .unwrap();
        assert!(e.to_string().contains("unreadable"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
