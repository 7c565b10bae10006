//! A JPEG marker reader: just enough of ITU T.81 / JFIF to judge a file against the standard
//! (frame type, size, components, density, quantisation tables, comments, EXIF orientation) without
//! decoding the picture. Every length is checked against what is left; malformed input gives an
//! error, never a panic (fuzzed: `fuzz/fuzz_targets/markers.rs`).

use caiji_spec::Message;

/// What the markers say about a JPEG file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JpegInfo {
    /// SOF marker number (0 baseline, 1 extended, 2 progressive, …).
    pub sof: Option<u8>,
    /// Sample precision, bits.
    pub precision: u8,
    /// Width from the frame header.
    pub width: u16,
    /// Height from the frame header.
    pub height: u16,
    /// Number of colour components (1 grey, 3 YCbCr, 4 CMYK).
    pub components: u8,
    /// JFIF density: unit (0 none, 1 dpi, 2 dpcm), x, y.
    pub jfif_density: Option<(u8, u16, u16)>,
    /// Adobe APP14 transform flag present (CMYK/YCCK marker).
    pub adobe: bool,
    /// Quantisation tables by id (natural order irrelevant: estimates use sums).
    pub quant_tables: Vec<(u8, [u16; 64])>,
    /// Comment segments, raw.
    pub comments: Vec<Vec<u8>>,
    /// EXIF orientation tag, when an EXIF APP1 carries one.
    pub exif_orientation: Option<u16>,
    /// Whether an EOI marker closes the file.
    pub has_eoi: bool,
}

/// Why the markers could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MarkerError {
    /// The file does not start with SOI.
    #[error("{}", self.message())]
    NotJpeg,
    /// A segment runs past the end of the file.
    #[error("{}", self.message())]
    Truncated(usize),
    /// A marker or length is malformed.
    #[error("{}", self.message())]
    Malformed(usize),
}

impl MarkerError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            MarkerError::NotJpeg => Message::new(
                "不是 JPEG 文件（缺少 SOI 标记）",
                "not a JPEG file (no SOI marker)",
            ),
            MarkerError::Truncated(at) => Message::new(
                format!("JPEG 文件被截断（偏移 {at}）"),
                format!("JPEG truncated (at byte {at})"),
            ),
            MarkerError::Malformed(at) => Message::new(
                format!("JPEG 结构错误（偏移 {at}）"),
                format!("malformed JPEG (at byte {at})"),
            ),
        }
    }
}

/// IJG's luminance table (ITU T.81 Annex K), the reference quality scales against.
const STD_LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

impl JpegInfo {
    /// Estimated IJG quality (1–100) from the luminance table: the scale factor that maps the
    /// reference table onto it, inverted through IJG's quality formula. `None` without a table 0.
    pub fn estimated_quality(&self) -> Option<f64> {
        let (_, t) = self.quant_tables.iter().find(|(id, _)| *id == 0)?;
        let sum: f64 = t.iter().map(|&v| v as f64).sum();
        let std: f64 = STD_LUMA.iter().map(|&v| v as f64).sum();
        // An all-ones table is quality 100; IJG clamps entries to ≥ 1 so very high qualities
        // saturate, and the estimate says so.
        if t.iter().all(|&v| v <= 1) {
            return Some(100.0);
        }
        let scale = 100.0 * sum / std;
        let q = if scale <= 100.0 {
            (200.0 - scale) / 2.0
        } else {
            5000.0 / scale
        };
        Some(q.clamp(1.0, 100.0))
    }

    /// Dots per inch from the JFIF header (dpcm converted), when it states a unit.
    pub fn dpi(&self) -> Option<(f64, f64)> {
        match self.jfif_density? {
            (1, x, y) => Some((x as f64, y as f64)),
            (2, x, y) => Some((x as f64 * 2.54, y as f64 * 2.54)),
            _ => None,
        }
    }

    /// Whether the frame is progressive (SOF2, SOF6, SOF10, SOF14).
    pub fn progressive(&self) -> bool {
        matches!(self.sof, Some(2 | 6 | 10 | 14))
    }
}

/// One step of the walk over a JPEG's markers, up to the picture data.
enum Step<'a> {
    /// A marker segment: its marker, its body, and where the next step starts.
    Segment {
        marker: u8,
        body: &'a [u8],
        end: usize,
    },
    /// A marker without a body (SOI, TEM, RSTn); the next step starts at `end`.
    Standalone { end: usize },
    /// End of image (0xD9), or start of scan (0xDA): the rest of the file is the picture data.
    Stop { marker: u8 },
}

/// The step at `pos` (a marker, after any number of 0xFF fill bytes).
fn step(data: &[u8], mut pos: usize) -> Result<Step<'_>, MarkerError> {
    if pos >= data.len() {
        return Err(MarkerError::Truncated(pos));
    }
    if data[pos] != 0xFF {
        return Err(MarkerError::Malformed(pos));
    }
    while pos < data.len() && data[pos] == 0xFF {
        pos += 1;
    }
    let Some(&marker) = data.get(pos) else {
        return Err(MarkerError::Truncated(pos));
    };
    pos += 1;
    match marker {
        0xD8 | 0x01 | 0xD0..=0xD7 => return Ok(Step::Standalone { end: pos }),
        0xD9 => {
            return Ok(Step::Stop { marker });
        }
        0x00 => return Err(MarkerError::Malformed(pos - 1)),
        _ => {}
    }
    let len = match data.get(pos..pos + 2) {
        Some(b) => u16::from_be_bytes([b[0], b[1]]) as usize,
        None => return Err(MarkerError::Truncated(pos)),
    };
    if len < 2 {
        return Err(MarkerError::Malformed(pos));
    }
    let Some(body) = data.get(pos + 2..pos + len) else {
        return Err(MarkerError::Truncated(pos));
    };
    if marker == 0xDA {
        return Ok(Step::Stop { marker });
    }
    Ok(Step::Segment {
        marker,
        body,
        end: pos + len,
    })
}

/// Read the markers of a JPEG file, stopping at the first scan (the picture data).
pub fn read_markers(data: &[u8]) -> Result<JpegInfo, MarkerError> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(MarkerError::NotJpeg);
    }
    let mut info = JpegInfo::default();
    let mut pos = 2;
    loop {
        let (marker, body, end) = match step(data, pos)? {
            Step::Standalone { end } => {
                pos = end;
                continue;
            }
            Step::Stop { marker: 0xD9, .. } => {
                info.has_eoi = true;
                return Ok(info);
            }
            Step::Stop { .. } => {
                // Start of scan: the picture data follows. Look for EOI at the very end.
                let end = data.iter().rposition(|&b| b != 0).unwrap_or(0);
                info.has_eoi = end >= 1 && data[end - 1] == 0xFF && data[end] == 0xD9;
                return Ok(info);
            }
            Step::Segment { marker, body, end } => (marker, body, end),
        };
        let at = end - body.len() - 2; // the segment's length field, for error positions
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if body.len() < 6 {
                    return Err(MarkerError::Malformed(at));
                }
                info.sof = Some(marker - 0xC0);
                info.precision = body[0];
                info.height = u16::from_be_bytes([body[1], body[2]]);
                info.width = u16::from_be_bytes([body[3], body[4]]);
                info.components = body[5];
            }
            0xDB => read_dqt(body, &mut info).ok_or(MarkerError::Malformed(at))?,
            0xE0 if body.len() >= 12 && &body[..5] == b"JFIF\0" => {
                info.jfif_density = Some((
                    body[7],
                    u16::from_be_bytes([body[8], body[9]]),
                    u16::from_be_bytes([body[10], body[11]]),
                ));
            }
            0xE1 if body.len() >= 6 && &body[..6] == b"Exif\0\0" => {
                info.exif_orientation = exif_orientation(&body[6..]);
            }
            0xEE if body.len() >= 5 && &body[..5] == b"Adobe" => info.adobe = true,
            0xFE => info.comments.push(body.to_vec()),
            _ => {}
        }
        pos = end;
    }
}

fn read_dqt(mut body: &[u8], info: &mut JpegInfo) -> Option<()> {
    while !body.is_empty() {
        let pq = body[0] >> 4;
        let id = body[0] & 0x0F;
        let size = if pq == 0 { 64 } else { 128 };
        let vals = body.get(1..1 + size)?;
        let mut t = [0u16; 64];
        for (i, v) in t.iter_mut().enumerate() {
            *v = if pq == 0 {
                vals[i] as u16
            } else {
                u16::from_be_bytes([vals[2 * i], vals[2 * i + 1]])
            };
        }
        info.quant_tables.retain(|(i, _)| *i != id);
        info.quant_tables.push((id, t));
        body = &body[1 + size..];
    }
    Some(())
}

/// The orientation tag (0x0112) of IFD0 in a TIFF-structured EXIF block.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let le = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| {
        tiff.get(o..o + 2).map(|b| {
            if le {
                u16::from_le_bytes([b[0], b[1]])
            } else {
                u16::from_be_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |o: usize| {
        tiff.get(o..o + 4).map(|b| {
            let a = [b[0], b[1], b[2], b[3]];
            if le {
                u32::from_le_bytes(a)
            } else {
                u32::from_be_bytes(a)
            }
        })
    };
    let ifd = u32_at(4)? as usize;
    let n = u16_at(ifd)? as usize;
    for i in 0..n.min(256) {
        let e = ifd + 2 + 12 * i;
        if u16_at(e)? == 0x0112 {
            return u16_at(e + 8);
        }
    }
    None
}

/// SHA-256 of a JPEG file without its comment (COM) segments: what a seal is bound to. Every
/// other byte counts — the markers, the tables, the scan data — so a comment moved into another
/// photo, or a picture changed under its comment, no longer matches.
pub fn image_digest(jpeg: &[u8]) -> Result<[u8; 32], MarkerError> {
    use sha2::{Digest, Sha256};
    if jpeg.len() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
        return Err(MarkerError::NotJpeg);
    }
    let mut h = Sha256::new();
    // The same walk as `read_markers`, so whatever it reads as a comment is what is left out.
    let mut pos = 2;
    h.update(&jpeg[..pos]);
    loop {
        match step(jpeg, pos)? {
            Step::Segment {
                marker: 0xFE, end, ..
            } => pos = end,
            Step::Segment { end, .. } | Step::Standalone { end } => {
                h.update(&jpeg[pos..end]);
                pos = end;
            }
            Step::Stop { .. } => {
                h.update(&jpeg[pos..]);
                return Ok(h.finalize().into());
            }
        }
    }
}

/// Insert a COM segment right after the JFIF/EXIF application segments of an encoded JPEG.
pub fn insert_comment(jpeg: &[u8], comment: &[u8]) -> Result<Vec<u8>, MarkerError> {
    if comment.len() > 65_533 {
        return Err(MarkerError::Malformed(0));
    }
    if jpeg.len() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
        return Err(MarkerError::NotJpeg);
    }
    let mut pos = 2;
    // Skip APPn segments so the comment follows JFIF, as readers expect.
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF && (0xE0..=0xEF).contains(&jpeg[pos + 1]) {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        if len < 2 || pos + 2 + len > jpeg.len() {
            return Err(MarkerError::Malformed(pos));
        }
        pos += 2 + len;
    }
    let mut out = Vec::with_capacity(jpeg.len() + comment.len() + 4);
    out.extend_from_slice(&jpeg[..pos]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&jpeg[pos..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        assert_eq!(read_markers(b""), Err(MarkerError::NotJpeg));
        assert_eq!(
            read_markers(b"\x89PNG\r\n\x1a\n"),
            Err(MarkerError::NotJpeg)
        );
        assert!(matches!(
            read_markers(b"\xFF\xD8\xFF\xDB\x00\x43\x00"),
            Err(MarkerError::Truncated(_))
        ));
        assert!(matches!(
            read_markers(b"\xFF\xD8\xFF\xE0\x00\x01"),
            Err(MarkerError::Malformed(_))
        ));
        assert!(matches!(
            read_markers(b"\xFF\xD8\x12\x34"),
            Err(MarkerError::Malformed(_))
        ));
    }

    #[test]
    fn quality_estimate_inverts_ijg_scaling() {
        for q in [50u32, 60, 75, 90] {
            let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
            let mut t = [0u16; 64];
            for i in 0..64 {
                t[i] = ((STD_LUMA[i] as u32 * scale + 50) / 100).clamp(1, 255) as u16;
            }
            let info = JpegInfo {
                quant_tables: vec![(0, t)],
                ..Default::default()
            };
            let est = info.estimated_quality().unwrap();
            assert!((est - q as f64).abs() < 1.0, "q {q} estimated {est}");
        }
    }

    #[test]
    fn a_comment_is_inserted_after_the_app_segments() {
        let jfif = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x01\x01\x2C\x01\x2C\x00\x00\xFF\xD9";
        let out = insert_comment(jfif, b"hello").unwrap();
        let info = read_markers(&out).unwrap();
        assert_eq!(info.comments, vec![b"hello".to_vec()]);
        assert_eq!(info.jfif_density, Some((1, 300, 300)));
        assert_eq!(&out[20..24], b"\xFF\xFE\x00\x07", "COM right after JFIF");
    }
}
