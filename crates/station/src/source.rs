//! Where the frames come from: the camera setting (`auto`, `demo`, `usb:N`, `video:FILE`,
//! `folder:DIR`) parsed and opened, for the app and for `caiji demo` alike.

use caiji_camera::{
    Camera, CameraError, FolderCamera, FrameSource, UsbCamera, VideoFileCamera, Want, list_cameras,
};
use caiji_scene::{DemoCamera, DemoNext};
use caiji_spec::Message;
use serde::Serialize;
use std::path::PathBuf;

/// Where the frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The first USB camera if one is attached, else the demo camera.
    Auto,
    /// The demo camera.
    Demo,
    /// USB camera N.
    Usb(u32),
    /// An MJPEG video file.
    Video(PathBuf),
    /// A folder of images.
    Folder(PathBuf),
}

impl Source {
    /// `auto`, `demo`, `usb`, `usb:N`, `video:FILE`, `folder:DIR`.
    pub fn parse(s: &str) -> Result<Source, Message> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        match (kind, arg) {
            ("auto", "") => Ok(Source::Auto),
            ("demo", "") => Ok(Source::Demo),
            ("usb", "") => Ok(Source::Usb(0)),
            ("usb", n) => n.parse().map(Source::Usb).map_err(|_| {
                Message::new(
                    format!("相机编号应为数字，如 usb:0（收到 {n}）"),
                    format!("the camera number must be a number, e.g. usb:0 (got {n})"),
                )
            }),
            ("video", p) if !p.is_empty() => Ok(Source::Video(p.into())),
            ("folder", p) if !p.is_empty() => Ok(Source::Folder(p.into())),
            _ => Err(Message::new(
                format!("未知相机 {s}：可用 auto、demo、usb[:N]、video:文件、folder:目录"),
                format!("unknown camera {s}: use auto, demo, usb[:N], video:FILE or folder:DIR"),
            )),
        }
    }

    /// `Auto` made concrete: the first USB camera if one is attached, else the demo camera.
    pub fn resolve(self) -> Source {
        match self {
            Source::Auto => match list_cameras().ok().and_then(|c| c.first().map(|c| c.index)) {
                Some(index) => Source::Usb(index),
                None => Source::Demo,
            },
            other => other,
        }
    }
}

/// How a source is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// A script or test: the demo queue walks through `students` once, files play once.
    Scripted {
        /// Demo students.
        students: usize,
    },
    /// A person at the station: each demo student waits to be photographed, files loop.
    Held,
}

/// A running camera, and who it is expected to show.
pub struct Opened {
    /// The camera.
    pub camera: Camera,
    /// The source it was opened from (`Auto` resolved).
    pub source: Source,
    /// The demo queue's students (masked), in order; empty for other sources.
    pub roster: Vec<String>,
    /// The demo camera's "next student" handle, in held mode.
    pub next: Option<DemoNext>,
}

/// Frames per second the file sources play at, like a USB camera at 1080p.
pub const FILE_FPS: u32 = 20;

/// Demo students in held mode: every subject on every backdrop, then round again.
const HELD_STUDENTS: usize = 24;

fn boxed<S: FrameSource + 'static>(
    s: Result<S, CameraError>,
) -> Result<Box<dyn FrameSource>, CameraError> {
    s.map(|s| Box::new(s) as Box<dyn FrameSource>)
}

/// Open `source` at `size` (default 1920×1080 for a USB camera, 1280×720 for the demo) and
/// `fps` (a USB camera's lowest acceptable rate; the demo camera's rate; default 15 and 20).
pub fn open_camera(
    source: Source,
    pace: Pace,
    size: Option<(u32, u32)>,
    fps: Option<u32>,
) -> Result<Opened, CameraError> {
    let source = source.resolve();
    let (width, height) = size.unwrap_or(match source {
        Source::Usb(_) => (1920, 1080),
        _ => (1280, 720),
    });
    let looping = pace == Pace::Held;
    let mut roster = Vec::new();
    let mut next = None;
    let camera = match &source {
        Source::Demo | Source::Auto => {
            let students = match pace {
                Pace::Scripted { students } => students,
                Pace::Held => HELD_STUDENTS,
            };
            let mut s = DemoCamera::new(students, width, height)?;
            if let Some(fps) = fps {
                s.fps = fps.clamp(1, 60);
            }
            roster = s
                .students()
                .map(|s| {
                    caiji_code::CaptureCode::parse(&s.code)
                        .map(|c| c.display())
                        .unwrap_or_default()
                })
                .collect();
            if pace == Pace::Held {
                // Two seconds of phone: long enough to see, short enough for the queue.
                s.frames_per_phase.0 = 2 * s.fps as usize;
                let (held, n) = s.held();
                s = held;
                next = Some(n);
            }
            Camera::start(Box::new(s), 2)
        }
        Source::Usb(index) => {
            let (index, want) = (
                *index,
                Want {
                    width,
                    height,
                    min_fps: fps.unwrap_or(Want::default().min_fps),
                },
            );
            match Camera::open(move || boxed(UsbCamera::open(index, want)), 2) {
                Ok(c) => c,
                // At the station a camera not plugged in yet (or held by another program) is
                // waited for: the window says why and the stream starts when it is there.
                Err(CameraError::NotFound | CameraError::Disconnected | CameraError::Busy)
                    if pace == Pace::Held =>
                {
                    Camera::open(move || boxed(Ok(UsbCamera::waiting(index, want))), 2)?
                }
                Err(e) => return Err(e),
            }
        }
        Source::Video(path) => {
            let path = path.clone();
            Camera::open(
                move || boxed(VideoFileCamera::open(&path, looping, FILE_FPS)),
                2,
            )?
        }
        Source::Folder(path) => {
            let path = path.clone();
            Camera::open(
                move || boxed(FolderCamera::open(&path, looping, FILE_FPS)),
                2,
            )?
        }
    };
    Ok(Opened {
        camera,
        source,
        roster,
        next,
    })
}

/// A camera the settings page offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CameraChoice {
    /// The setting's value: `demo`, `usb:0`, …
    pub id: String,
    /// What a person reads.
    pub label: String,
    /// The modes it offers ("1920×1080 MJPEG 30 fps"); empty for the demo.
    pub modes: Vec<String>,
    /// Why it cannot be used now (busy, no permission).
    pub problem: Option<Message>,
}

impl CameraChoice {
    /// Every USB camera with its modes, then the demo camera.
    pub fn list() -> Vec<CameraChoice> {
        let mut out: Vec<CameraChoice> = list_cameras()
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                let opened = UsbCamera::open(c.index, Want::default());
                let (modes, problem) = match &opened {
                    Ok(cam) => (cam.modes().iter().map(|m| m.to_string()).collect(), None),
                    Err(e) => (Vec::new(), Some(e.message())),
                };
                CameraChoice {
                    id: format!("usb:{}", c.index),
                    label: format!("{} (usb:{})", c.name, c.index),
                    modes,
                    problem,
                }
            })
            .collect();
        out.push(CameraChoice {
            id: "demo".into(),
            label: "演示相机 / demo camera".into(),
            modes: Vec::new(),
            problem: None,
        });
        out
    }
}
