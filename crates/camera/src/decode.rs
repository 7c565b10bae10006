//! Turning what a camera or a video file delivers into RGB: MJPEG (with or without its Huffman
//! tables), YUYV 4:2:2, NV12, packed RGB/BGR and grey. Pure functions, so every format is tested
//! without hardware.

use crate::CameraError;
use caiji_spec::Message;
use image::RgbImage;
use std::borrow::Cow;

/// How a camera packs its pixels (the V4L2 fourccs a UVC camera offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PixelFormat {
    /// Motion JPEG: one JPEG per frame, the usual format above 720p on USB 2.
    Mjpeg,
    /// YUYV 4:2:2, uncompressed.
    Yuyv,
    /// NV12: a Y plane, then interleaved U/V at quarter resolution.
    Nv12,
    /// Packed RGB, 3 bytes a pixel.
    Rgb,
    /// Packed BGR, 3 bytes a pixel.
    Bgr,
    /// 8-bit grey.
    Gray,
}

impl PixelFormat {
    /// The V4L2 fourcc.
    pub fn fourcc(self) -> &'static str {
        match self {
            PixelFormat::Mjpeg => "MJPG",
            PixelFormat::Yuyv => "YUYV",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Rgb => "RGB3",
            PixelFormat::Bgr => "BGR3",
            PixelFormat::Gray => "GREY",
        }
    }

    /// Bytes a raw frame of `width × height` must hold (MJPEG: none, it is compressed).
    pub fn frame_len(self, width: u32, height: u32) -> Option<usize> {
        let px = width as usize * height as usize;
        match self {
            PixelFormat::Mjpeg => None,
            PixelFormat::Yuyv => Some(px * 2),
            PixelFormat::Nv12 => Some(px + px / 2),
            PixelFormat::Rgb | PixelFormat::Bgr => Some(px * 3),
            PixelFormat::Gray => Some(px),
        }
    }
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.fourcc())
    }
}

/// Decode one frame of `format` at `width × height` (the size the camera was set to; an MJPEG
/// frame carries its own and must agree).
pub fn decode_frame(
    format: PixelFormat,
    width: u32,
    height: u32,
    bytes: &[u8],
) -> Result<RgbImage, CameraError> {
    let short = |need: usize| {
        CameraError::Unreadable(Message::new(
            format!("{format} 帧数据不完整：{} / {need} 字节", bytes.len()),
            format!("{format} frame truncated: {} of {need} bytes", bytes.len()),
        ))
    };
    if let Some(need) = format.frame_len(width, height)
        && bytes.len() < need
    {
        return Err(short(need));
    }
    let (w, h) = (width as usize, height as usize);
    let img = match format {
        PixelFormat::Mjpeg => {
            let img = decode_mjpeg(bytes)?;
            if img.dimensions() != (width, height) {
                let (w, h) = img.dimensions();
                return Err(CameraError::Unreadable(Message::new(
                    format!("MJPEG 帧尺寸 {w}×{h} 与设定 {width}×{height} 不符"),
                    format!("MJPEG frame is {w}×{h}, the camera was set to {width}×{height}"),
                )));
            }
            img
        }
        PixelFormat::Yuyv => {
            let mut out = vec![0u8; w * h * 3];
            yuyv_to_rgb(&bytes[..w * h * 2], &mut out);
            RgbImage::from_raw(width, height, out).expect("sized")
        }
        PixelFormat::Nv12 => {
            let (luma, chroma) = bytes.split_at(w * h);
            let mut out = vec![0u8; w * h * 3];
            for y in 0..h {
                for x in 0..w {
                    let c = (y / 2) * w + (x / 2) * 2;
                    let rgb = yuv_to_rgb(luma[y * w + x], chroma[c], chroma[c + 1]);
                    out[(y * w + x) * 3..][..3].copy_from_slice(&rgb);
                }
            }
            RgbImage::from_raw(width, height, out).expect("sized")
        }
        PixelFormat::Rgb => {
            RgbImage::from_raw(width, height, bytes[..w * h * 3].to_vec()).expect("sized")
        }
        PixelFormat::Bgr => {
            let mut out = bytes[..w * h * 3].to_vec();
            out.chunks_exact_mut(3).for_each(|p| p.swap(0, 2));
            RgbImage::from_raw(width, height, out).expect("sized")
        }
        PixelFormat::Gray => RgbImage::from_raw(
            width,
            height,
            bytes[..w * h].iter().flat_map(|&g| [g, g, g]).collect(),
        )
        .expect("sized"),
    };
    Ok(img)
}

/// YUYV 4:2:2 to packed RGB, BT.601 limited range. Wrapping arithmetic: the terms are bounded
/// (|x| < 2^18), and without overflow checks (on in the test build) the loop is a third faster.
fn yuyv_to_rgb(src: &[u8], out: &mut [u8]) {
    for (s, o) in src.chunks_exact(4).zip(out.chunks_exact_mut(6)) {
        let d = (s[1] as i32).wrapping_sub(128);
        let e = (s[3] as i32).wrapping_sub(128);
        let r = e.wrapping_mul(409).wrapping_add(128);
        let g = d
            .wrapping_mul(-100)
            .wrapping_sub(e.wrapping_mul(208))
            .wrapping_add(128);
        let b = d.wrapping_mul(516).wrapping_add(128);
        let c0 = (s[0] as i32).wrapping_sub(16).wrapping_mul(298);
        let c1 = (s[2] as i32).wrapping_sub(16).wrapping_mul(298);
        let px = |c: i32, t: i32| (c.wrapping_add(t) >> 8).clamp(0, 255) as u8;
        o[0] = px(c0, r);
        o[1] = px(c0, g);
        o[2] = px(c0, b);
        o[3] = px(c1, r);
        o[4] = px(c1, g);
        o[5] = px(c1, b);
    }
}

/// BT.601 limited range, as UVC cameras send it.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (y as i32 - 16);
    let (d, e) = (u as i32 - 128, v as i32 - 128);
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ]
}

/// Decode one MJPEG frame. Many UVC cameras leave out the Huffman tables and rely on the
/// standard ones (ITU-T T.81 Annex K.3); they are put back before decoding.
pub fn decode_mjpeg(bytes: &[u8]) -> Result<RgbImage, CameraError> {
    let jpeg = with_huffman_tables(bytes)?;
    image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
        .map(|i| i.into_rgb8())
        .map_err(|e| CameraError::unreadable(format!("MJPEG: {e}")))
}

/// `bytes` with the standard Huffman tables spliced in after SOI when no DHT segment precedes
/// the first scan; unchanged otherwise.
pub fn with_huffman_tables(bytes: &[u8]) -> Result<Cow<'_, [u8]>, CameraError> {
    let bad = |zh: &str, en: &str| {
        CameraError::Unreadable(Message::new(format!("MJPEG：{zh}"), format!("MJPEG: {en}")))
    };
    if bytes.len() < 4 || bytes[..2] != [0xFF, 0xD8] {
        return Err(bad("不是 JPEG 帧", "not a JPEG frame"));
    }
    let ends = || bad("帧在扫描数据前结束", "frame ends before its scan");
    let mut i = 2;
    loop {
        match next_segment(bytes, i) {
            Err(Walk::Misplaced) => return Err(bad("标记错位", "misplaced marker")),
            Err(Walk::Truncated) | Ok((0xD9, _)) => return Err(ends()),
            Ok((0xC4, _)) => return Ok(Cow::Borrowed(bytes)),
            Ok((0xDA, _)) => break,
            Ok((_, next)) => i = next,
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + STANDARD_DHT.len());
    out.extend_from_slice(&bytes[..2]);
    out.extend_from_slice(&STANDARD_DHT);
    out.extend_from_slice(&bytes[2..]);
    Ok(Cow::Owned(out))
}

/// Why a marker walk stopped short.
enum Walk {
    /// The data ends inside a marker or segment header.
    Truncated,
    /// No marker where one must be.
    Misplaced,
}

/// The marker at `f[i]` (after any fill bytes) and where the next one starts: right after a
/// standalone marker (SOI, EOI, RSTn, TEM), after the length of any other. For SOS that is the
/// start of its entropy-coded data.
fn next_segment(f: &[u8], mut i: usize) -> Result<(u8, usize), Walk> {
    loop {
        match (f.get(i), f.get(i + 1)) {
            (Some(0xFF), Some(0xFF)) => i += 1, // fill byte
            (Some(0xFF), Some(&m @ (0xD0..=0xD9 | 0x01))) => return Ok((m, i + 2)),
            (Some(0xFF), Some(&m)) => {
                let len = f.get(i + 2..i + 4).ok_or(Walk::Truncated)?;
                return Ok((m, i + 2 + u16::from_be_bytes([len[0], len[1]]) as usize));
            }
            (Some(_), Some(_)) => return Err(Walk::Misplaced),
            _ => return Err(Walk::Truncated),
        }
    }
}

/// Split a Motion-JPEG stream (frames back to back, as `ffmpeg -f mjpeg` writes and IP cameras
/// stream) into frames, by walking each frame's marker segments and its entropy-coded data to
/// the EOI, so a thumbnail inside APP1 never cuts a frame short. Returns the frames and the
/// length of an incomplete tail.
pub fn split_mjpeg(stream: &[u8]) -> (Vec<&[u8]>, usize) {
    let mut frames = Vec::new();
    let mut start = 0;
    while let Some((soi, len)) = first_frame(&stream[start..]) {
        frames.push(&stream[start + soi..start + soi + len]);
        start += soi + len;
    }
    let tail = find_soi(stream, start).map_or(0, |soi| stream.len() - soi);
    (frames, tail)
}

/// Where the first complete frame of `stream` starts, and its length.
pub(crate) fn first_frame(stream: &[u8]) -> Option<(usize, usize)> {
    let soi = find_soi(stream, 0)?;
    frame_end(&stream[soi..]).map(|len| (soi, len))
}

fn find_soi(s: &[u8], from: usize) -> Option<usize> {
    s.get(from..)?
        .windows(3)
        .position(|w| w == [0xFF, 0xD8, 0xFF])
        .map(|p| from + p)
}

/// Length of the JPEG starting at `f[0]` (SOI) up to and including its EOI.
fn frame_end(f: &[u8]) -> Option<usize> {
    let mut i = 2;
    loop {
        let (m, next) = next_segment(f, i).ok()?;
        i = next;
        match m {
            0xD9 => return Some(i),
            // Entropy-coded data: runs to the next marker that is neither a stuffed 0xFF00 nor a
            // restart marker.
            0xDA => loop {
                i += f.get(i..)?.iter().position(|&b| b == 0xFF)?;
                match *f.get(i + 1)? {
                    0x00 | 0xD0..=0xD7 => i += 2,
                    0xFF => i += 1,
                    _ => break,
                }
            },
            _ => {}
        }
    }
}

/// The standard Huffman tables of ITU-T T.81 Annex K.3 (luminance and chrominance, DC and AC)
/// as one DHT segment. Generated by taking the DHT segments of a JPEG written with the standard
/// tables; the test `a_frame_without_huffman_tables_decodes_like_the_full_one` checks them.
const STANDARD_DHT: [u8; 420] = [
    0xff, 0xc4, 0x01, 0xa2, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00,
    0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51,
    0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52,
    0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47,
    0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
    0xf7, 0xf8, 0xf9, 0xfa, 0x01, 0x00, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x11, 0x00, 0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01,
    0x02, 0x77, 0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07,
    0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33,
    0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19,
    0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46,
    0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66,
    0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85,
    0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
    0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
    0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8,
    0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
    0xf7, 0xf8, 0xf9, 0xfa,
];
