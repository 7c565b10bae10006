//! A Motion-JPEG video file as a camera: frames back to back, as `ffmpeg -f mjpeg` writes them
//! and as many cameras stream them. Frames are read as they are needed, so a long recording
//! never sits in memory whole, and decoded by the same code as the USB camera's MJPEG frames.

use crate::decode::{decode_mjpeg, first_frame};
use crate::{CameraError, FrameSource};
use caiji_spec::Message;
use image::RgbImage;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest frame accepted: a frame that has not ended after this many bytes is garbage.
const MAX_FRAME: usize = 32 << 20;

/// Plays an MJPEG file at a set frame rate, looping if asked.
pub struct VideoFileCamera {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    eof: bool,
    looping: bool,
    played: u64,
    interval: Duration,
}

impl VideoFileCamera {
    /// Open `path` (`.mjpeg` / `.mjpg`) to play at `fps`. A file without one complete frame
    /// (empty, cut short, not a video) is refused here: it could never give a picture.
    pub fn open(path: &Path, looping: bool, fps: u32) -> Result<VideoFileCamera, CameraError> {
        let file = File::open(path).map_err(|e| CameraError::file(path, &e))?;
        let mut cam = VideoFileCamera {
            path: path.to_path_buf(),
            file,
            buf: Vec::new(),
            eof: false,
            looping,
            played: 0,
            interval: Duration::from_secs(1) / fps.max(1),
        };
        // Read up to the first frame; it stays in the buffer for the first `next_frame`.
        while first_frame(&cam.buf).is_none() {
            if cam.eof || cam.buf.len() > MAX_FRAME {
                return Err(CameraError::NoFrames(path.display().to_string()));
            }
            cam.fill()?;
        }
        Ok(cam)
    }

    /// One more chunk of the file into the buffer.
    fn fill(&mut self) -> Result<(), CameraError> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.file.read(&mut chunk).map_err(|e| self.unreadable(e))?;
        if n == 0 {
            self.eof = true;
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    fn unreadable(&self, why: std::io::Error) -> CameraError {
        CameraError::file(&self.path, &why)
    }
}

impl FrameSource for VideoFileCamera {
    fn name(&self) -> String {
        let file = self.path.file_name().unwrap_or_default().to_string_lossy();
        format!("视频文件 / video file {file}")
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        loop {
            if let Some((start, len)) = first_frame(&self.buf) {
                let frame = decode_mjpeg(&self.buf[start..start + len]);
                self.buf.drain(..start + len);
                self.played += 1;
                return frame;
            }
            if self.eof {
                if self.played == 0 {
                    return Err(CameraError::NoFrames(self.path.display().to_string()));
                }
                if !self.looping {
                    return Err(CameraError::Ended);
                }
                self.file
                    .seek(SeekFrom::Start(0))
                    .map_err(|e| self.unreadable(e))?;
                self.buf.clear();
                self.eof = false;
                continue;
            }
            if self.buf.len() > MAX_FRAME {
                self.buf.clear();
                return Err(CameraError::Unreadable(Message::new(
                    format!("{}：帧过大或文件损坏", self.path.display()),
                    format!("{}: frame too large or file corrupt", self.path.display()),
                )));
            }
            self.fill()?;
        }
    }

    fn interval(&self) -> Duration {
        self.interval
    }
}
