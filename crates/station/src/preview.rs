//! The live preview as JPEG: the newest camera frame, scaled down to what a screen shows and
//! encoded fast. A page asks for "a frame newer than the one I have" and gets the newest one, so
//! a slow page skips frames instead of queueing them.

use crate::Station;
use caiji_camera::Frame;
use fast_image_resize as fr;
use jpeg_encoder::{ColorType, Encoder};
use std::time::Duration;

/// One preview frame.
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    /// The camera frame's sequence number (the live verdicts name it).
    pub seq: u64,
    /// The source frame's width (the overlay's coordinates are in these pixels).
    pub width: u32,
    /// The source frame's height.
    pub height: u32,
    /// The picture, at most `max_width` wide.
    pub jpeg: Vec<u8>,
}

/// Preview JPEG quality: enough to judge framing from a metre away, small enough for 30 fps.
const PREVIEW_QUALITY: u8 = 80;

impl Station {
    /// The newest frame after `after` (a sequence number; `None` for any), waiting up to `wait`
    /// for one, scaled to at most `max_width` pixels wide. `None` when none came in time.
    pub async fn preview(
        &self,
        after: Option<u64>,
        max_width: u32,
        wait: Duration,
    ) -> Option<PreviewFrame> {
        let mut rx = self.frames();
        let newer = |f: &Option<Frame>| f.as_ref().is_some_and(|f| after.is_none_or(|a| f.seq > a));
        let frame = tokio::time::timeout(wait, rx.wait_for(newer))
            .await
            .ok()?
            .ok()?
            .clone()?;
        tokio::task::spawn_blocking(move || encode_preview(&frame, max_width))
            .await
            .ok()?
    }
}

/// Scale (when wider than `max_width`) and encode one frame.
pub fn encode_preview(frame: &Frame, max_width: u32) -> Option<PreviewFrame> {
    let (w, h) = frame.image.dimensions();
    Some(PreviewFrame {
        seq: frame.seq,
        width: w,
        height: h,
        jpeg: scale_jpeg(frame.image.as_ref(), max_width, PREVIEW_QUALITY)?,
    })
}

/// An image scaled down to `max_width` (when wider; 0 keeps it) and encoded as JPEG, in memory.
pub fn scale_jpeg(img: &image::RgbImage, max_width: u32, quality: u8) -> Option<Vec<u8>> {
    let (w, h) = img.dimensions();
    let scaled;
    let (pixels, ow, oh) = if w > max_width && max_width > 0 {
        let oh = ((h as u64 * max_width as u64) / w as u64).max(1) as u32;
        let src = fr::images::ImageRef::new(w, h, img.as_raw(), fr::PixelType::U8x3).ok()?;
        let mut dst = fr::images::Image::new(max_width, oh, fr::PixelType::U8x3);
        let opts = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
        fr::Resizer::new().resize(&src, &mut dst, &opts).ok()?;
        scaled = dst.into_vec();
        (scaled.as_slice(), max_width, oh)
    } else {
        (img.as_raw().as_slice(), w, h)
    };
    let mut jpeg = Vec::with_capacity(64 * 1024);
    Encoder::new(&mut jpeg, quality)
        .encode(
            pixels,
            u16::try_from(ow).ok()?,
            u16::try_from(oh).ok()?,
            ColorType::Rgb,
        )
        .ok()?;
    Some(jpeg)
}
