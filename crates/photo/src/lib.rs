//! The photo file: from a frame and its crop plan to a sealed 480×640 JPEG of 20–40 KB at 300 dpi,
//! written atomically and read back before it counts; and the validator that judges any photo
//! file against every rule of the standard.
//!
//! ```no_run
//! use caiji_photo::{shoot, seal::{AesGcmSealer, StationKey}};
//! use caiji_vision::Analyzer;
//! let analyzer = Analyzer::load_default()?;
//! let frame = image::open("frame.png")?.to_rgb8();
//! let key = StationKey::load("station.key".as_ref())?;
//! let sealer = AesGcmSealer::new(&key);
//! let shot = shoot(&analyzer, &frame, &sealer, "CJ1|10001|张*丰|1234|2023010101", "photo.jpg".as_ref())?;
//! println!("quality {} · {} bytes", shot.quality, shot.bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod jpeg;
pub mod output;
pub mod seal;
pub mod validate;

use caiji_spec::{Check, Message};
use caiji_vision::{Analysis, Analyzer};
use std::path::Path;

/// Why no photo was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The frame fails the standard: nothing was written.
    #[error("{}", self.message())]
    NotCompliant(Vec<Check>),
    /// The crop does not lie inside the frame.
    #[error("{}", self.message())]
    CropOutsideFrame,
    /// Resampling failed.
    #[error("{}", self.message())]
    Render(String),
    /// The encoder failed.
    #[error("{}", self.message())]
    Encode(String),
    /// Even quality 60 is over 40 KB.
    #[error("{}", self.message())]
    TooDetailed {
        /// Size at the lowest allowed quality.
        bytes: usize,
    },
    /// Even the highest quality is under 20 KB.
    #[error("{}", self.message())]
    TooFlat {
        /// Size at the highest quality tried.
        bytes: usize,
    },
    /// Writing the file failed (full disk, read-only folder…).
    #[error("{}", self.message())]
    Write {
        /// The file.
        path: String,
        /// The OS's reason.
        reason: String,
    },
    /// The written file did not read back as a compliant, sealed photo.
    #[error("{}", self.message())]
    ReadBack(String),
    /// The analysis could not run.
    #[error(transparent)]
    Vision(#[from] caiji_vision::VisionError),
    /// The identifier could not be sealed.
    #[error(transparent)]
    Seal(#[from] seal::SealError),
}

impl PhotoError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            PhotoError::NotCompliant(checks) => {
                let ids = checks
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                Message::new(
                    format!("画面不合格，未保存：{ids}"),
                    format!("the frame fails the standard, nothing written: {ids}"),
                )
            }
            PhotoError::CropOutsideFrame => {
                Message::new("裁剪区域超出画面", "crop outside the frame")
            }
            PhotoError::Render(e) => {
                Message::new(format!("缩放失败：{e}"), format!("resize failed: {e}"))
            }
            PhotoError::Encode(e) => Message::new(
                format!("JPEG 编码失败：{e}"),
                format!("JPEG encoding failed: {e}"),
            ),
            PhotoError::TooDetailed { bytes } => Message::new(
                format!(
                    "画面细节过多：质量 60 时仍有 {bytes} 字节，超过 40 KB（检查背景是否有纹理或噪点）"
                ),
                format!(
                    "too much detail: {bytes} bytes at quality 60, over 40 KB (check the backdrop for texture or noise)"
                ),
            ),
            PhotoError::TooFlat { bytes } => Message::new(
                format!(
                    "画面过于平淡：最高质量仍只有 {bytes} 字节，不足 20 KB（是否失焦或过曝？）"
                ),
                format!(
                    "too flat: only {bytes} bytes at the highest quality, under 20 KB (out of focus or overexposed?)"
                ),
            ),
            PhotoError::Write { path, reason } => Message::new(
                format!("无法写入照片 {path}：{reason}"),
                format!("cannot write the photo {path}: {reason}"),
            ),
            PhotoError::ReadBack(e) => Message::new(
                format!("照片回读校验失败：{e}"),
                format!("written photo failed read-back: {e}"),
            ),
            PhotoError::Vision(e) => e.message(),
            PhotoError::Seal(e) => e.message(),
        }
    }
}

/// One shot written to disk.
#[derive(Debug, Clone)]
pub struct Shot {
    /// The analysis of the frame.
    pub analysis: Analysis,
    /// JPEG quality used.
    pub quality: u8,
    /// File size.
    pub bytes: usize,
    /// Encodes the quality search took.
    pub encodes: u32,
}

/// In memory: render the compliant crop of an analysed frame and encode it, sealed, to spec.
pub fn make_photo(
    frame: &image::RgbImage,
    analysis: &Analysis,
    sealer: &dyn seal::Sealer,
    id: &str,
) -> Result<output::Encoded, PhotoError> {
    let Some(crop) = analysis
        .crop
        .filter(|_| analysis.verdict == caiji_spec::Verdict::Pass)
    else {
        return Err(PhotoError::NotCompliant(
            analysis.failures().cloned().collect(),
        ));
    };
    let img = output::render(frame, &crop)?;
    output::encode_to_spec(&img, sealer, id)
}

/// A JPEG without a seal, sealed: the identifier bound to its picture
/// ([`jpeg::image_digest`]) and inserted as its comment segment.
pub fn seal_jpeg(jpeg: &[u8], sealer: &dyn seal::Sealer, id: &str) -> Result<Vec<u8>, PhotoError> {
    let image = jpeg::image_digest(jpeg).map_err(|e| PhotoError::Encode(e.to_string()))?;
    let comment = sealer.seal(id, &image)?;
    jpeg::insert_comment(jpeg, &comment).map_err(|e| PhotoError::Encode(e.to_string()))
}

/// The whole shot: analyse the frame, and only if it meets the standard render, encode, seal,
/// write atomically to `out` and read it back. On any failure nothing is left at `out`.
pub fn shoot(
    analyzer: &Analyzer,
    frame: &image::RgbImage,
    sealer: &dyn seal::Sealer,
    id: &str,
    out: &Path,
) -> Result<Shot, PhotoError> {
    let analysis = analyzer.judge(frame, caiji_vision::Framing::Plan)?;
    shoot_judged(frame, &analysis, sealer, id, out)
}

/// [`shoot`] for a frame already judged by [`Analyzer::judge`]: a caller that shows the
/// analysis of a refused frame keeps it instead of judging the frame again.
pub fn shoot_judged(
    frame: &image::RgbImage,
    analysis: &Analysis,
    sealer: &dyn seal::Sealer,
    id: &str,
    out: &Path,
) -> Result<Shot, PhotoError> {
    let enc = make_photo(frame, analysis, sealer, id)?;
    output::write_atomic(out, &enc.bytes)?;
    if let Err(e) = output::read_back(out, sealer, id) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(Shot {
        analysis: analysis.clone(),
        quality: enc.quality,
        bytes: enc.bytes.len(),
        encodes: enc.encodes,
    })
}
