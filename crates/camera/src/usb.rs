//! The USB camera, through nokhwa (V4L2 on Linux, Media Foundation on Windows, AVFoundation on
//! macOS). nokhwa only opens the device and hands over raw frames: the mode is chosen here
//! ([`choose_mode`]), frames are decoded by [`crate::decode`] (MJPEG through the `image` crate,
//! so no C JPEG library is built), and a camera that is unplugged is found again by its name and
//! reopened while the station keeps running.

use crate::decode::{PixelFormat, decode_frame};
use crate::{CameraError, FrameSource};
use image::RgbImage;
use nokhwa::NokhwaError;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use std::time::{Duration, Instant};

/// A camera the system reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbCameraInfo {
    /// The index to open it by (`/dev/videoN` on Linux).
    pub index: u32,
    /// Its name ("HD Pro Webcam C920").
    pub name: String,
    /// Where it is (the device node on Linux).
    pub description: String,
}

/// One way a camera can stream: size, pixel format and frame rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mode {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixel format.
    pub format: PixelFormat,
    /// Frames per second.
    pub fps: u32,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}×{} {} {} fps",
            self.width, self.height, self.format, self.fps
        )
    }
}

/// What the station asks of a camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    /// The smallest frame wanted. The 480×640 photo is cut from the middle of the frame at no
    /// more than 1:1, so a taller frame leaves the student more room to stand.
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// Below this the live view stutters and the burst shutter has too few frames to pick from.
    pub min_fps: u32,
}

impl Default for Want {
    /// 1920×1080 at 15 fps or more.
    fn default() -> Want {
        Want {
            width: 1920,
            height: 1080,
            min_fps: 15,
        }
    }
}

/// The mode to stream in: among colour modes fast enough (any colour mode if none is), the
/// smallest that is at least as large as wanted, else the largest; then MJPEG before YUYV before
/// NV12 before packed RGB (MJPEG reaches 1080p at 30 fps on USB 2, YUYV rarely does); then the
/// higher frame rate. Grey modes are never chosen: the backdrop colour cannot be judged in grey.
pub fn choose_mode(modes: &[Mode], want: &Want) -> Option<Mode> {
    let colour: Vec<Mode> = modes
        .iter()
        .copied()
        .filter(|m| m.format != PixelFormat::Gray && m.width > 0 && m.height > 0)
        .collect();
    let fast: Vec<Mode> = colour
        .iter()
        .copied()
        .filter(|m| m.fps >= want.min_fps)
        .collect();
    let mut pool = if fast.is_empty() { colour } else { fast };
    let covers = |m: &Mode| m.width >= want.width && m.height >= want.height;
    let area = |m: &Mode| m.width as u64 * m.height as u64;
    let best_area = if pool.iter().any(covers) {
        pool.retain(covers);
        pool.iter().map(area).min()
    } else {
        pool.iter().map(area).max()
    }?;
    pool.into_iter()
        .filter(|m| area(m) == best_area)
        .min_by_key(|m| {
            (
                m.format,
                std::cmp::Reverse(m.fps),
                std::cmp::Reverse(m.height),
            )
        })
}

/// The cameras the system reports (empty when none is attached).
pub fn list_cameras() -> Result<Vec<UsbCameraInfo>, CameraError> {
    let backend = nokhwa::native_api_backend().unwrap_or(ApiBackend::Auto);
    let found = nokhwa::query(backend).map_err(|e| classify(&e, Stage::Open))?;
    Ok(found
        .into_iter()
        .filter_map(|c| match c.index() {
            CameraIndex::Index(index) if captures(*index) => Some(UsbCameraInfo {
                index: *index,
                name: c.human_name(),
                description: c.description().to_string(),
            }),
            _ => None,
        })
        .collect())
}

/// Whether device `index` captures video: a UVC camera also registers a metadata node, which
/// nokhwa lists too. A node that cannot be asked (no permission) is kept, so opening it explains.
#[cfg(target_os = "linux")]
fn captures(index: u32) -> bool {
    use v4l::capability::Flags;
    v4l::Device::new(index as usize)
        .and_then(|d| d.query_caps())
        .map_or(true, |c| c.capabilities.contains(Flags::VIDEO_CAPTURE))
}

#[cfg(not(target_os = "linux"))]
fn captures(_index: u32) -> bool {
    true
}

/// Where an error happened: a missing device while opening means "no camera", while
/// streaming it means "unplugged".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Opening the device or setting its mode.
    Open,
    /// Reading frames.
    Stream,
}

/// A nokhwa error as the photographer should read it. nokhwa carries the OS error as text
/// ("V4L2 Error: Device or resource busy (os error 16)"), so the errno is read from there.
pub fn classify(e: &NokhwaError, stage: Stage) -> CameraError {
    let text = e.to_string();
    let errno = text.rsplit_once("(os error ").and_then(|(_, n)| {
        n.trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse::<i32>()
            .ok()
    });
    match errno {
        Some(16) => CameraError::Busy,                   // EBUSY
        Some(13) | Some(1) => CameraError::NoPermission, // EACCES, EPERM
        Some(2) | Some(6) | Some(19) => match stage {
            // ENOENT, ENXIO, ENODEV
            Stage::Open => CameraError::NotFound,
            Stage::Stream => CameraError::Disconnected,
        },
        _ => match e {
            // The mode nokhwa was asked for is not among those it listed, or the driver
            // answered a different one.
            NokhwaError::GetPropertyError { error, .. } if error.contains("Fufill") => {
                CameraError::NoUsableMode
            }
            NokhwaError::SetPropertyError { .. } => CameraError::ModeRejected,
            _ => CameraError::unreadable(text),
        },
    }
}

/// nokhwa's frame formats and ours, one to one.
const FORMATS: [(FrameFormat, PixelFormat); 6] = [
    (FrameFormat::MJPEG, PixelFormat::Mjpeg),
    (FrameFormat::YUYV, PixelFormat::Yuyv),
    (FrameFormat::NV12, PixelFormat::Nv12),
    (FrameFormat::RAWRGB, PixelFormat::Rgb),
    (FrameFormat::RAWBGR, PixelFormat::Bgr),
    (FrameFormat::GRAY, PixelFormat::Gray),
];

fn pixel_format(f: FrameFormat) -> PixelFormat {
    FORMATS
        .iter()
        .find(|(n, _)| *n == f)
        .expect("every format")
        .1
}

fn frame_format(f: PixelFormat) -> FrameFormat {
    FORMATS
        .iter()
        .find(|(_, p)| *p == f)
        .expect("every format")
        .0
}

/// A USB camera as a [`FrameSource`]. When it is unplugged, [`FrameSource::next_frame`] answers
/// [`CameraError::Disconnected`] about twice a second while it looks for the camera again (by
/// name first, since a replugged camera may come back under another index) and streams again
/// as soon as it is back.
pub struct UsbCamera {
    index: u32,
    name: String,
    want: Want,
    device: Option<nokhwa::Camera>,
    mode: Option<Mode>,
    modes: Vec<Mode>,
    last_attempt: Instant,
}

/// How long to wait between attempts to reopen an unplugged camera.
const RETRY: Duration = Duration::from_millis(500);

impl UsbCamera {
    /// Open camera `index` in the mode [`choose_mode`] picks for `want`, and start streaming.
    pub fn open(index: u32, want: Want) -> Result<UsbCamera, CameraError> {
        let (cam, mode, modes) = open_device(index, &want)?;
        let name = cam.info().human_name();
        Ok(UsbCamera {
            index,
            name,
            want,
            device: Some(cam),
            mode: Some(mode),
            modes,
            last_attempt: Instant::now(),
        })
    }

    /// Camera `index`, not opened yet: the station starts without it and
    /// [`FrameSource::next_frame`] answers [`CameraError::NotFound`] (or why it cannot be
    /// opened) about twice a second until it is plugged in.
    pub fn waiting(index: u32, want: Want) -> UsbCamera {
        UsbCamera {
            index,
            name: String::new(),
            want,
            device: None,
            mode: None,
            modes: Vec::new(),
            last_attempt: Instant::now()
                .checked_sub(RETRY)
                .unwrap_or_else(Instant::now),
        }
    }

    /// The mode it streams in (the last one while unplugged; none before it was ever opened).
    pub fn mode(&self) -> Option<Mode> {
        self.mode
    }

    /// Every mode the camera offers that can be decoded.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// Whether it ever streamed: then a missing camera was unplugged, not absent.
    fn was_connected(&self) -> bool {
        self.mode.is_some()
    }

    fn reconnect(&mut self) -> Result<(), CameraError> {
        let wait = RETRY.saturating_sub(self.last_attempt.elapsed());
        std::thread::sleep(wait);
        self.last_attempt = Instant::now();
        // The same camera, wherever it came back; else the same index.
        let index = list_cameras()
            .ok()
            .and_then(|cams| {
                cams.into_iter()
                    .find(|c| self.was_connected() && c.name == self.name)
            })
            .map_or(self.index, |c| c.index);
        match open_device(index, &self.want) {
            Ok((cam, mode, modes)) => {
                self.index = index;
                self.name = cam.info().human_name();
                self.device = Some(cam);
                self.mode = Some(mode);
                self.modes = modes;
                Ok(())
            }
            Err(CameraError::NotFound) if self.was_connected() => Err(CameraError::Disconnected),
            Err(e) => Err(e),
        }
    }
}

fn open_device(index: u32, want: &Want) -> Result<(nokhwa::Camera, Mode, Vec<Mode>), CameraError> {
    // Open in any format, grey too, so that every mode is listed and choose_mode decides.
    let all = FORMATS.map(|(f, _)| f);
    let any = RequestedFormat::with_formats(RequestedFormatType::None, &all);
    let mut cam = nokhwa::Camera::new(CameraIndex::Index(index), any)
        .map_err(|e| classify(&e, Stage::Open))?;
    let mut modes: Vec<Mode> = cam
        .compatible_camera_formats()
        .map_err(|e| classify(&e, Stage::Open))?
        .into_iter()
        .map(|f| Mode {
            width: f.width(),
            height: f.height(),
            format: pixel_format(f.format()),
            fps: f.frame_rate(),
        })
        .collect();
    modes.sort_by_key(|m| {
        (
            m.format,
            std::cmp::Reverse(m.height),
            std::cmp::Reverse(m.fps),
        )
    });
    modes.dedup();
    let mode = choose_mode(&modes, want).ok_or(CameraError::NoUsableMode)?;
    let format = [frame_format(mode.format)];
    let exact = RequestedFormat::with_formats(
        RequestedFormatType::Exact(CameraFormat::new(
            Resolution::new(mode.width, mode.height),
            format[0],
            mode.fps,
        )),
        &format,
    );
    cam.set_camera_requset(exact)
        .map_err(|e| classify(&e, Stage::Open))?;
    cam.open_stream().map_err(|e| classify(&e, Stage::Open))?;
    Ok((cam, mode, modes))
}

impl FrameSource for UsbCamera {
    fn name(&self) -> String {
        if self.name.is_empty() {
            format!("USB 相机 / USB camera {}", self.index)
        } else {
            format!("{} (USB {})", self.name, self.index)
        }
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        if self.device.is_none() {
            self.reconnect()?;
        }
        let (Some(cam), Some(mode)) = (self.device.as_mut(), self.mode) else {
            return Err(CameraError::Stopped);
        };
        match cam.frame_raw() {
            Ok(raw) => decode_frame(mode.format, mode.width, mode.height, &raw),
            Err(e) => match classify(&e, Stage::Stream) {
                err @ (CameraError::Disconnected | CameraError::Busy) => {
                    self.device = None;
                    self.last_attempt = Instant::now();
                    Err(err)
                }
                other => Err(other),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(width: u32, height: u32, format: PixelFormat, fps: u32) -> Mode {
        Mode {
            width,
            height,
            format,
            fps,
        }
    }

    /// The modes of a common 1080p webcam: MJPEG up to 1080p30, YUYV 1080p only at 5 fps.
    fn webcam() -> Vec<Mode> {
        use PixelFormat::*;
        vec![
            m(640, 480, Yuyv, 30),
            m(1280, 720, Yuyv, 10),
            m(1920, 1080, Yuyv, 5),
            m(640, 480, Mjpeg, 30),
            m(1280, 720, Mjpeg, 30),
            m(1920, 1080, Mjpeg, 30),
            m(1920, 1080, Mjpeg, 15),
            m(2592, 1944, Gray, 30),
        ]
    }

    #[test]
    fn the_default_want_picks_1080p_mjpeg_at_full_rate() {
        let got = choose_mode(&webcam(), &Want::default()).unwrap();
        assert_eq!(got, m(1920, 1080, PixelFormat::Mjpeg, 30));
    }

    #[test]
    fn a_smaller_want_picks_the_smallest_mode_that_covers_it() {
        let want = Want {
            width: 1280,
            height: 720,
            min_fps: 15,
        };
        assert_eq!(
            choose_mode(&webcam(), &want).unwrap(),
            m(1280, 720, PixelFormat::Mjpeg, 30)
        );
    }

    #[test]
    fn a_camera_below_the_want_gives_its_largest_colour_mode() {
        let modes = vec![
            m(640, 480, PixelFormat::Yuyv, 30),
            m(1280, 720, PixelFormat::Yuyv, 30),
            m(4000, 3000, PixelFormat::Gray, 30),
        ];
        assert_eq!(
            choose_mode(&modes, &Want::default()).unwrap(),
            m(1280, 720, PixelFormat::Yuyv, 30)
        );
    }

    #[test]
    fn slow_modes_are_taken_only_when_nothing_is_fast_enough() {
        let modes = vec![
            m(1920, 1080, PixelFormat::Yuyv, 5),
            m(640, 480, PixelFormat::Yuyv, 30),
        ];
        assert_eq!(
            choose_mode(&modes, &Want::default()).unwrap(),
            m(640, 480, PixelFormat::Yuyv, 30)
        );
        let slow = vec![m(1920, 1080, PixelFormat::Yuyv, 5)];
        assert_eq!(choose_mode(&slow, &Want::default()).unwrap(), slow[0]);
    }

    #[test]
    fn a_grey_only_camera_has_no_usable_mode() {
        assert_eq!(
            choose_mode(&[m(1920, 1080, PixelFormat::Gray, 30)], &Want::default()),
            None
        );
        assert_eq!(choose_mode(&[], &Want::default()), None);
    }

    /// The errors nokhwa really returns carry the OS error text; each becomes the right message.
    #[test]
    fn os_errors_become_the_photographers_messages() {
        let os = |n: i32| std::io::Error::from_raw_os_error(n).to_string();
        let open = |n| NokhwaError::OpenDeviceError("0".into(), format!("V4L2 Error: {}", os(n)));
        let read = |n| NokhwaError::ReadFrameError(os(n));
        assert_eq!(classify(&open(2), Stage::Open), CameraError::NotFound);
        assert_eq!(classify(&open(16), Stage::Open), CameraError::Busy);
        assert_eq!(classify(&open(13), Stage::Open), CameraError::NoPermission);
        assert_eq!(
            classify(&read(19), Stage::Stream),
            CameraError::Disconnected
        );
        assert_eq!(classify(&read(16), Stage::Stream), CameraError::Busy);
        // nokhwa's own refusals, as its V4L2 backend words them.
        let unfulfilled = NokhwaError::GetPropertyError {
            property: "CameraFormat".into(),
            error: "Failed to Fufill".into(),
        };
        assert_eq!(
            classify(&unfulfilled, Stage::Open),
            CameraError::NoUsableMode
        );
        let rejected = NokhwaError::SetPropertyError {
            property: "CameraFormat".into(),
            value: String::new(),
            error: "Not same/Rejected".into(),
        };
        assert_eq!(classify(&rejected, Stage::Open), CameraError::ModeRejected);
        let other = classify(&read(5), Stage::Stream);
        assert!(
            matches!(other, CameraError::Unreadable(ref t) if t.en.contains("os error 5")),
            "{other:?}"
        );
        for e in [
            CameraError::NotFound,
            CameraError::Busy,
            CameraError::NoPermission,
            CameraError::Disconnected,
            CameraError::NoUsableMode,
            CameraError::ModeRejected,
        ] {
            let s = e.to_string();
            assert!(
                s.contains(" / ") && s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{s}"
            );
        }
    }
}
