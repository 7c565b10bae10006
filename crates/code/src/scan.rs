//! QR codes in camera frames (rxing), and demo QR images (qrcode).

use fast_image_resize as fr;
use image::{GrayImage, Luma, RgbImage};
use rxing::{BarcodeFormat, DecodeHints};

/// Finds a QR code in camera frames. Frames wider than `work_width` are downscaled first: the
/// decoder's cost grows with the pixel count, and a phone screen held up to the camera stays
/// readable at 960 px wide.
pub struct QrScanner {
    work_width: u32,
    resizer: fr::Resizer,
}

impl Default for QrScanner {
    fn default() -> Self {
        QrScanner::new(960)
    }
}

impl QrScanner {
    /// A scanner that works at most `work_width` pixels wide.
    pub fn new(work_width: u32) -> QrScanner {
        QrScanner {
            work_width: work_width.max(160),
            resizer: fr::Resizer::new(),
        }
    }

    /// The text of a QR code in the frame, if one is readable.
    pub fn scan(&mut self, frame: &RgbImage) -> Option<String> {
        let (w, h) = frame.dimensions();
        if w == 0 || h == 0 {
            return None;
        }
        let luma = if w > self.work_width {
            let nh = ((h as u64 * self.work_width as u64) / w as u64).max(1) as u32;
            let src = fr::images::ImageRef::new(w, h, frame.as_raw(), fr::PixelType::U8x3).ok()?;
            let mut dst = fr::images::Image::new(self.work_width, nh, fr::PixelType::U8x3);
            let opts = fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
            self.resizer.resize(&src, &mut dst, &opts).ok()?;
            to_luma(dst.buffer(), self.work_width, nh)
        } else {
            to_luma(frame.as_raw(), w, h)
        };
        decode(luma)
    }
}

fn to_luma(rgb: &[u8], w: u32, h: u32) -> GrayImage {
    let data: Vec<u8> = rgb
        .chunks_exact(3)
        .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8)
        .collect();
    GrayImage::from_raw(w, h, data).expect("size matches")
}

fn decode(luma: GrayImage) -> Option<String> {
    let (w, h) = luma.dimensions();
    // Not TryHarder: it scans every row and rotations and costs ~20x; a phone held up to the
    // camera is upright and large.
    let mut hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(false));
    rxing::helpers::detect_in_luma_with_hints(
        luma.into_raw(),
        w,
        h,
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .ok()
    .map(|r| r.getText().to_string())
}

/// A QR code image for `text`: `module` pixels per module, with the 4-module quiet zone.
pub fn render_qr(text: &str, module: u32) -> Option<GrayImage> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * module;
    Some(GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / module, y / module);
        let dark = mx >= 4
            && my >= 4
            && mx < n + 4
            && my < n + 4
            && colors[((my - 4) * n + mx - 4) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_scans_back_from_a_large_frame() {
        let text = "CJ1|10001|张*丰|1234|2023010101";
        let qr = render_qr(text, 6).unwrap();
        let mut frame = RgbImage::from_pixel(1920, 1080, image::Rgb([100, 197, 255]));
        for (x, y, p) in qr.enumerate_pixels() {
            frame.put_pixel(700 + x, 300 + y, image::Rgb([p.0[0]; 3]));
        }
        assert_eq!(
            QrScanner::new(4000).scan(&frame).as_deref(),
            Some(text),
            "full size"
        );
        assert_eq!(QrScanner::default().scan(&frame).as_deref(), Some(text));
    }

    #[test]
    fn a_frame_without_a_code_gives_nothing() {
        let frame = RgbImage::from_pixel(1280, 720, image::Rgb([240, 240, 240]));
        assert_eq!(QrScanner::default().scan(&frame), None);
    }
}
