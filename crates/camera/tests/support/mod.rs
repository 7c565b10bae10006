//! Frames as cameras deliver them, made from the real portraits: shared by the camera tests and
//! the decode bench (`#[path]`-included there).
#![allow(dead_code)] // each user takes what it needs

use image::RgbImage;

/// A real portrait on the light blue backdrop.
pub fn portrait(subject: &str, width: u32, height: u32) -> RgbImage {
    let lib = caiji_scene::Library::open_default().expect("photos: run scripts/fetch-assets.sh");
    let scene = caiji_scene::Scene::standard(subject, "light_blue", width, height);
    caiji_scene::render(&lib, &scene).unwrap().0
}

/// A baseline JPEG with the standard Huffman tables.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out
}

/// The JPEG with every DHT segment cut out, as many UVC cameras send their MJPEG frames.
pub fn without_dht(j: &[u8]) -> Vec<u8> {
    let mut out = j[..2].to_vec();
    let mut i = 2;
    while j[i + 1] != 0xDA {
        let len = 2 + u16::from_be_bytes([j[i + 2], j[i + 3]]) as usize;
        if j[i + 1] != 0xC4 {
            out.extend_from_slice(&j[i..i + len]);
        }
        i += len;
    }
    out.extend_from_slice(&j[i..]);
    out
}

/// BT.601 limited range, the forward direction a UVC camera applies.
pub fn to_ycbcr(p: [u8; 3]) -> (u8, u8, u8) {
    let [r, g, b] = p.map(|c| c as f64);
    let y = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
    let u = 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
    let v = 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
    let q = |x: f64| x.round().clamp(0.0, 255.0) as u8;
    (q(y), q(u), q(v))
}

/// The picture as a YUYV 4:2:2 frame (chroma averaged over each pixel pair).
pub fn to_yuyv(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.len() / 3 * 2);
    for y in 0..img.height() {
        for x in (0..img.width()).step_by(2) {
            let (y0, u0, v0) = to_ycbcr(img.get_pixel(x, y).0);
            let (y1, u1, v1) = to_ycbcr(img.get_pixel(x + 1, y).0);
            let avg = |a: u8, b: u8| ((a as u16 + b as u16) / 2) as u8;
            out.extend_from_slice(&[y0, avg(u0, u1), y1, avg(v0, v1)]);
        }
    }
    out
}
