//! From a frame and its crop plan to a sealed, to-spec JPEG on disk.

use crate::PhotoError;
use crate::jpeg::JpegInfo;
use crate::seal::Sealer;
use caiji_spec::STANDARD;
use caiji_vision::Crop;
use fast_image_resize as fr;
use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder, PixelDensity, PixelDensityUnit, SamplingFactor};
use std::io::Write;
use std::path::Path;

/// Cut `crop` out of `frame` and resample it to exactly 480×640 with Lanczos3. The picture is
/// never mirrored or rotated: a mirrored preview is the UI's business, not the photo's.
pub fn render(frame: &RgbImage, crop: &Crop) -> Result<RgbImage, PhotoError> {
    let (w, h) = (frame.width() as f64, frame.height() as f64);
    if crop.x < -0.5
        || crop.y < -0.5
        || crop.x + crop.width > w + 0.5
        || crop.y + crop.height > h + 0.5
    {
        return Err(PhotoError::CropOutsideFrame);
    }
    let src = fr::images::ImageRef::new(
        frame.width(),
        frame.height(),
        frame.as_raw(),
        fr::PixelType::U8x3,
    )
    .map_err(|e| PhotoError::Render(e.to_string()))?;
    let mut dst = fr::images::Image::new(STANDARD.width, STANDARD.height, fr::PixelType::U8x3);
    let opts = fr::ResizeOptions::new()
        .crop(
            crop.x.max(0.0),
            crop.y.max(0.0),
            crop.width.min(w),
            crop.height.min(h),
        )
        .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(|e| PhotoError::Render(e.to_string()))?;
    RgbImage::from_raw(STANDARD.width, STANDARD.height, dst.into_vec())
        .ok_or(PhotoError::Render("buffer".into()))
}

/// One JPEG encode at `quality`: baseline, 4:2:0, JFIF 300 dpi.
pub fn encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::with_capacity(48 * 1024);
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_density(PixelDensity {
        density: (STANDARD.dpi, STANDARD.dpi),
        unit: PixelDensityUnit::Inches,
    });
    enc.set_sampling_factor(SamplingFactor::F_2_2);
    // Standard Huffman tables: jpeg-encoder 0.7's optimised tables with 4:2:0 give files that
    // libjpeg reads but zune-jpeg (the `image` crate's decoder) decodes wrongly; a photo must
    // read the same in every reader.
    enc.set_optimized_huffman_tables(false);
    let (w, h) = (u16::try_from(img.width()), u16::try_from(img.height()));
    let (Ok(w), Ok(h)) = (w, h) else {
        return Err(PhotoError::Render("image too large for JPEG".into()));
    };
    enc.encode(img.as_raw(), w, h, ColorType::Rgb)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

/// The encode that met the size window.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The JPEG bytes, comment included.
    pub bytes: Vec<u8>,
    /// The quality it was encoded at.
    pub quality: u8,
    /// How many encodes the search took.
    pub encodes: u32,
}

/// Encode with the highest quality (≤ 95) whose file, with `comment` added, fits the size window
/// — aiming at the upper part of the window. File size grows roughly exponentially with quality
/// in this range, so each guess after the first is a secant step in log(size): two or three
/// encodes, not a blind bisection.
pub fn encode_to_spec(
    img: &RgbImage,
    sealer: &dyn crate::seal::Sealer,
    id: &str,
) -> Result<Encoded, PhotoError> {
    // The seal is made for the encoded picture, so only once its bytes are chosen; its length
    // does not depend on the picture, so a seal for no picture sizes the search.
    let comment_len = sealer.seal(id, &[0; 32])?.len();
    let lo = STANDARD.file_size.min;
    let hi = STANDARD.file_size.max;
    let target = lo + 0.8 * (hi - lo); // 36 000 bytes: room below the ceiling
    let q_min = STANDARD.quality_min;
    let q_max = 95u8;
    let extra = comment_len + 4;
    let mut tried: Vec<(u8, usize)> = Vec::new();
    let size_at = |q: u8, tried: &mut Vec<(u8, usize)>| -> Result<(Vec<u8>, usize), PhotoError> {
        let b = encode(img, q)?;
        let n = b.len() + extra;
        tried.push((q, n));
        Ok((b, n))
    };
    let fits = |n: usize| (lo..=hi).contains(&(n as f64));
    let mut best: Option<(u8, Vec<u8>)> = None;
    let mut q = 85u8;
    for _ in 0..6 {
        let (bytes, n) = size_at(q, &mut tried)?;
        if fits(n) && best.as_ref().is_none_or(|(bq, _)| q > *bq) {
            best = Some((q, bytes));
        }
        // Next guess: secant through the two nearest tries in log-size, else a typical slope.
        let mut pts = tried.clone();
        pts.sort_by_key(|&(tq, _)| (tq as i32 - q as i32).abs());
        let slope = if pts.len() >= 2 && pts[0].0 != pts[1].0 {
            ((pts[0].1 as f64).ln() - (pts[1].1 as f64).ln()) / (pts[0].0 as f64 - pts[1].0 as f64)
        } else {
            0.03
        }
        .max(0.005);
        let next = (q as f64 + ((target).ln() - (n as f64).ln()) / slope)
            .round()
            .clamp(q_min as f64, q_max as f64) as u8;
        if tried.iter().any(|&(tq, _)| tq == next) {
            break;
        }
        // Stop once we hold a fit and the next step would only move within a couple of points.
        if best.is_some() && (next as i32 - q as i32).abs() <= 1 {
            break;
        }
        q = next;
    }
    if let Some((quality, bytes)) = best {
        let bytes = crate::seal_jpeg(&bytes, sealer, id)?;
        return Ok(Encoded {
            bytes,
            quality,
            encodes: tried.len() as u32,
        });
    }
    // No fit: say which way it failed, checking the extremes.
    let at_min = tried
        .iter()
        .find(|t| t.0 == q_min)
        .map(|t| t.1)
        .map_or_else(|| size_at(q_min, &mut tried).map(|r| r.1), Ok)?;
    if at_min as f64 > hi {
        return Err(PhotoError::TooDetailed { bytes: at_min });
    }
    let at_max = tried
        .iter()
        .find(|t| t.0 == q_max)
        .map(|t| t.1)
        .map_or_else(|| size_at(q_max, &mut tried).map(|r| r.1), Ok)?;
    if (at_max as f64) < lo {
        return Err(PhotoError::TooFlat { bytes: at_max });
    }
    // The window lies between two tried qualities: walk them one by one (rare).
    for q in (q_min..=q_max).rev() {
        let (bytes, n) = size_at(q, &mut tried)?;
        if fits(n) {
            let bytes = crate::seal_jpeg(&bytes, sealer, id)?;
            return Ok(Encoded {
                bytes,
                quality: q,
                encodes: tried.len() as u32,
            });
        }
    }
    Err(PhotoError::TooDetailed { bytes: at_min })
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// renamed over the target, and the folder synced. A crash leaves the old file or the new one,
/// never half a photo.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PhotoError> {
    let io = |e: std::io::Error| PhotoError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("no file name")))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// What a written file was read back as.
#[derive(Debug, Clone)]
pub struct ReadBack {
    /// Its markers.
    pub info: JpegInfo,
    /// The identifier the seal opened to.
    pub id: String,
}

/// Read a written photo back from disk and hold it to the file rules and the seal, before it
/// counts as a photo.
pub fn read_back(
    path: &Path,
    sealer: &dyn Sealer,
    expected_id: &str,
) -> Result<ReadBack, PhotoError> {
    let bytes = std::fs::read(path).map_err(|e| PhotoError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let checks = crate::validate::file_checks(
        path,
        &bytes,
        Some(sealer),
        crate::validate::SealPolicy::Require,
    );
    if let Some(bad) = checks.checks.iter().find(|c| !c.pass) {
        return Err(PhotoError::ReadBack(format!(
            "{}: {}",
            bad.id, bad.message_en
        )));
    }
    if let Some(id) = checks.not_checked.first() {
        return Err(PhotoError::ReadBack(format!("{id}: not checked")));
    }
    let id = checks
        .opened
        .ok_or_else(|| PhotoError::ReadBack("seal did not open".into()))?;
    if id != expected_id {
        return Err(PhotoError::ReadBack("seal holds another identifier".into()));
    }
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .map_err(|e| PhotoError::ReadBack(format!("decode: {e}")))?;
    if (decoded.width(), decoded.height()) != (STANDARD.width, STANDARD.height) {
        return Err(PhotoError::ReadBack("decoded size".into()));
    }
    Ok(ReadBack {
        info: checks.info.expect("a passing file has markers"),
        id,
    })
}
