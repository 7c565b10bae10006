//! QR codes in camera frames (rxing), and demo QR images (qrcode).
//!
//! A phone held up to the camera fills a small part of the frame, and its code may be as fine as
//! 2 px per module in a 4K frame: too fine to survive downscaling the frame, too costly to decode
//! at full resolution everywhere. So the scanner first *finds* the code on a sparse sample of the
//! frame, where a code is a patch dense with strong light/dark transitions in both directions,
//! and then decodes only those patches, cut from the full-resolution frame.

use image::{GrayImage, Luma, RgbImage};
use rxing::{BarcodeFormat, DecodeHints};

/// Widest sparse sample the search looks at, in samples (a frame is sampled every
/// `ceil(width / 960)` pixels: 720p every 2nd, 4K every 4th).
const SAMPLE_WIDTH: u32 = 960;
/// Side of a search cell, in samples.
const CELL: u32 = 8;
/// A step between neighbouring samples is a transition when their luma differs by this much: a
/// code on a phone screen under glare or slight blur still has well over this contrast, skin,
/// a backdrop or clothes almost never do at neighbouring pixels.
const EDGE: u8 = 40;
/// A cell is code-like when at least this many transitions cross it in each direction.
const CELL_TRANSITIONS: u32 = 3;
/// Patches checked for finder patterns per frame at most (the check is cheap).
const MAX_PATCHES: usize = 16;
/// Patches with finders decoded per frame at most: the code is nearly always the first.
const MAX_DECODES: usize = 4;
/// A patch is decoded when this many of its rows cross a finder pattern.
const FINDER_ROWS: usize = 6;

/// Finds a QR code in camera frames. Load once per camera; reuses its buffers between frames.
#[derive(Default)]
pub struct QrScanner {
    sample: Vec<u8>,
    cells: Vec<bool>,
}

/// A patch of the frame that may hold a code, in full-resolution pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patch {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl QrScanner {
    /// A scanner.
    pub fn new() -> QrScanner {
        QrScanner::default()
    }

    /// The text of a QR code in the frame, if one is readable.
    pub fn scan(&mut self, frame: &RgbImage) -> Option<String> {
        let with_finders = self.patches(frame).into_iter().filter_map(|p| {
            let luma = patch_luma(frame, p);
            let finders = finder_rows(&luma);
            (finders.rows >= FINDER_ROWS).then_some((luma, finders))
        });
        with_finders.take(MAX_DECODES).find_map(|(luma, finders)| {
            // Modules under 2.5 px are upscaled, so that the decoder's own finder search, which
            // wants a few pixels a module, sees them.
            let luma = if finders.module < 2.5 {
                let (w, h) = luma.dimensions();
                image::imageops::resize(&luma, 2 * w, 2 * h, image::imageops::FilterType::Triangle)
            } else {
                luma
            };
            decode(&luma, false).or_else(|| decode(&luma, true))
        })
    }

    /// The patches of `frame` that look like a code: compact, square-ish ones first, then the
    /// rest (a code whose cells ran into a patterned shirt), largest first within each; at most
    /// sixteen, none over half the frame (a code held close at 720p fills a third).
    pub fn patches(&mut self, frame: &RgbImage) -> Vec<Patch> {
        let (w, h) = frame.dimensions();
        if w < 21 || h < 21 {
            return Vec::new();
        }
        let step = w.div_ceil(SAMPLE_WIDTH).max(1);
        let (sw, sh) = (w / step, h / step);
        self.sample_luma(frame, step, sw, sh);
        let (cw, ch) = (sw / CELL, sh / CELL);
        self.mark_cells(sw, cw, ch);
        let mut found = components(&self.cells, cw, ch);
        found.retain(|c| c.cells >= 2);
        found.sort_by_key(|c| (!c.plausible(), std::cmp::Reverse(c.cells)));
        found
            .into_iter()
            .map(|c| c.patch(step * CELL, w, h))
            .filter(|p| 2 * p.w as u64 * p.h as u64 <= w as u64 * h as u64)
            .take(MAX_PATCHES)
            .collect()
    }

    /// Luma of every `step`-th pixel of every `step`-th row: the transitions of a fine code
    /// survive (aliased, still dense), where averaging would grey them out.
    fn sample_luma(&mut self, frame: &RgbImage, step: u32, sw: u32, sh: u32) {
        let raw = frame.as_raw();
        let stride = frame.width() as usize * 3;
        let off = (step / 2) as usize;
        self.sample.clear();
        self.sample.reserve((sw * sh) as usize);
        for sy in 0..sh as usize {
            // From the row's first sampled pixel, one chunk a sample; each chunk's first pixel is
            // the sample's (the last chunk may be short, never shorter than that pixel).
            let row = &raw[(sy * step as usize + off) * stride + off * 3..];
            self.sample.extend(
                row.chunks(3 * step as usize)
                    .take(sw as usize)
                    .map(|px| luma(&px[..3])),
            );
        }
    }

    /// Marks the cells crossed by at least [`CELL_TRANSITIONS`] strong transitions along the
    /// rows and as many down the columns.
    fn mark_cells(&mut self, sw: u32, cw: u32, ch: u32) {
        let (sw, c, cw) = (sw as usize, CELL as usize, cw as usize);
        let s = &self.sample;
        let rows = s.len() / sw;
        // Per column, over a band of `CELL` rows: transitions to the right neighbour and to the
        // one below (at most `CELL` each, so a byte; the adds wrap, which they never need, so
        // that the compiler keeps them in whole-vector byte operations), summed a cell at a time
        // after the band.
        let strong = |p: u8, q: u8| (p.abs_diff(q) >= EDGE) as u8;
        let mut across = vec![0u8; sw];
        let mut down = vec![0u8; sw];
        self.cells.clear();
        self.cells.resize(cw * ch as usize, false);
        for cy in 0..ch as usize {
            across.fill(0);
            down.fill(0);
            for y in cy * c..(cy + 1) * c {
                let row = &s[y * sw..][..sw];
                let below = &s[(y + 1).min(rows - 1) * sw..][..sw];
                for ((a, &p), &q) in across.iter_mut().zip(row).zip(&row[1..]) {
                    *a = a.wrapping_add(strong(p, q));
                }
                for ((d, &p), &q) in down.iter_mut().zip(row).zip(below) {
                    *d = d.wrapping_add(strong(p, q));
                }
            }
            let sum = |v: &[u8]| v.iter().map(|&n| n as u32).sum::<u32>();
            let bands = across.chunks_exact(c).zip(down.chunks_exact(c));
            for (cx, (a, d)) in bands.take(cw).enumerate() {
                self.cells[cy * cw + cx] = sum(a) >= CELL_TRANSITIONS && sum(d) >= CELL_TRANSITIONS;
            }
        }
    }
}

/// A connected group of code-like cells.
#[derive(Debug, Clone, Copy)]
struct Component {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    cells: u32,
}

impl Component {
    /// A code (upright or tilted, in a little perspective) is a compact, roughly square patch.
    fn plausible(&self) -> bool {
        let (w, h) = (self.x1 - self.x0 + 1, self.y1 - self.y0 + 1);
        let fill = self.cells as f64 / (w * h) as f64;
        w.max(h) <= 3 * w.min(h) && fill >= 0.3
    }

    /// The component's box in frame pixels, with a margin for the quiet zone and the cells at
    /// its rim that missed the threshold.
    fn patch(&self, cell_px: u32, w: u32, h: u32) -> Patch {
        let side = (self.x1 - self.x0 + 1).max(self.y1 - self.y0 + 1);
        let margin = (side / 4).max(1) * cell_px;
        let x = (self.x0 * cell_px).saturating_sub(margin);
        let y = (self.y0 * cell_px).saturating_sub(margin);
        let right = ((self.x1 + 1) * cell_px + margin).min(w);
        let bottom = ((self.y1 + 1) * cell_px + margin).min(h);
        Patch {
            x,
            y,
            w: right - x,
            h: bottom - y,
        }
    }
}

/// The groups of marked cells, neighbours including diagonals (a tilted code's rim).
fn components(cells: &[bool], cw: u32, ch: u32) -> Vec<Component> {
    let mut seen = vec![false; cells.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        let (sx, sy) = (start as u32 % cw, start as u32 / cw);
        let mut c = Component {
            x0: sx,
            y0: sy,
            x1: sx,
            y1: sy,
            cells: 0,
        };
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i as u32 % cw, i as u32 / cw);
            c.cells += 1;
            (c.x0, c.y0, c.x1, c.y1) = (c.x0.min(x), c.y0.min(y), c.x1.max(x), c.y1.max(y));
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i32 || ny >= ch as i32 {
                        continue;
                    }
                    let n = (ny as u32 * cw + nx as u32) as usize;
                    if cells[n] && !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        out.push(c);
    }
    out
}

/// Luma of an RGB pixel (BT.601 weights in 8-bit fixed point).
fn luma(p: &[u8]) -> u8 {
    ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8
}

/// The patch's luma at full resolution.
fn patch_luma(frame: &RgbImage, p: Patch) -> GrayImage {
    let raw = frame.as_raw();
    let stride = frame.width() as usize * 3;
    let mut out = Vec::with_capacity((p.w * p.h) as usize);
    for y in p.y..p.y + p.h {
        let row = &raw[y as usize * stride + p.x as usize * 3..][..p.w as usize * 3];
        out.extend(row.chunks_exact(3).map(luma));
    }
    GrayImage::from_raw(p.w, p.h, out).expect("size matches")
}

/// What the finder search saw in a patch.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Finders {
    /// Rows crossing a finder pattern, confirmed down its column.
    rows: usize,
    /// Module size, pixels, from those crossings (their median).
    module: f32,
}

/// Rows of a patch that cross a finder pattern (dark, light, dark ×3, light, dark in the ratios
/// 1:1:3:1:1), thresholded at the middle of the patch's luma range. A code has three finders,
/// each crossed by a few rows per module of its centre; hair, text and fabric rarely are.
fn finder_rows(luma: &GrayImage) -> Finders {
    let (w, h) = luma.dimensions();
    let raw = luma.as_raw();
    let (mut lo, mut hi) = (u8::MAX, u8::MIN);
    for &v in raw {
        (lo, hi) = (lo.min(v), hi.max(v));
    }
    if hi.saturating_sub(lo) < EDGE {
        return Finders {
            rows: 0,
            module: 0.0,
        };
    }
    let mid = ((lo as u16 + hi as u16) / 2) as u8;
    let mut modules = Vec::new();
    let mut runs = [0u32; 5];
    for y in 0..h as usize {
        let row = &raw[y * w as usize..][..w as usize];
        // runs[4] is the current run; a dark run closes each candidate (dark, light, dark, light, dark).
        let mut n = 0usize; // runs seen in this row (capped at 5)
        let mut dark = row[0] < mid;
        let mut len = 0u32;
        for (i, &v) in row.iter().enumerate() {
            let d = v < mid;
            if d == dark && i + 1 < row.len() {
                len += 1;
                continue;
            }
            if d == dark {
                len += 1;
            }
            runs.rotate_left(1);
            runs[4] = len;
            n = (n + 1).min(5);
            if dark && n == 5 && ratios_fit(&runs) {
                // Cross-check down the column through the middle of the centre run.
                let cx = i - (runs[4] + runs[3]) as usize - (runs[2] as usize).div_ceil(2);
                let cx = if d == dark { cx + 1 } else { cx };
                let span: u32 = runs.iter().sum();
                if column_fits(raw, w as usize, h as usize, cx, y, mid, span) {
                    modules.push(span as f32 / 7.0);
                    break;
                }
            }
            dark = d;
            len = 1;
        }
    }
    modules.sort_by(f32::total_cmp);
    Finders {
        rows: modules.len(),
        module: modules.get(modules.len() / 2).copied().unwrap_or(0.0),
    }
}

/// Whether the column through `(x, y)`, a dark pixel, crosses a finder centred near `y`.
fn column_fits(raw: &[u8], w: usize, h: usize, x: usize, y: usize, mid: u8, span: u32) -> bool {
    let dark = |yy: usize| raw[yy * w + x] < mid;
    if !dark(y) {
        return false;
    }
    let limit = 2 * span as usize;
    // From the centre outwards: the centre's dark, then light, then the ring's dark.
    let walk = |up: bool| -> Option<[u32; 3]> {
        let mut r = [0u32; 3];
        let mut k = 0usize;
        let mut yy = y;
        let mut want = true;
        for _ in 0..limit {
            if dark(yy) == want {
                r[k] += 1;
            } else {
                k += 1;
                if k == 3 {
                    return Some(r);
                }
                want = !want;
                r[k] = 1;
            }
            yy = if up { yy.checked_sub(1)? } else { yy + 1 };
            if yy >= h {
                return None;
            }
        }
        None
    };
    match (walk(true), walk(false)) {
        (Some(u), Some(d)) => ratios_fit(&[u[2], u[1], u[0] + d[0] - 1, d[1], d[2]]),
        _ => false,
    }
}

/// Whether five runs, the first dark, are 1:1:3:1:1: each ring within 0.7 module (tilt and
/// perspective stretch them unevenly), the centre within 1.5 modules and clearly wider than the
/// light rings beside it (which a checkerboard's equal runs are not).
fn ratios_fit(r: &[u32; 5]) -> bool {
    let total: u32 = r.iter().sum();
    if total < 7 {
        return false;
    }
    let m = total as f32 / 7.0;
    let one = |x: u32| (x as f32 - m).abs() < 0.7 * m;
    let centre =
        (r[2] as f32 - 3.0 * m).abs() < 1.5 * m && r[2] as f32 >= 1.8 * r[1].max(r[3]) as f32;
    one(r[0]) && one(r[1]) && centre && one(r[3]) && one(r[4])
}

/// rxing on a patch; `harder`: its every-row search, the second try on a patch that has finders.
fn decode(luma: &GrayImage, harder: bool) -> Option<String> {
    let (w, h) = luma.dimensions();
    let mut hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(harder));
    rxing::helpers::detect_in_luma_with_hints(
        luma.as_raw().clone(),
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

    fn frame_with(text: &str, module: u32, w: u32, h: u32, at: (u32, u32)) -> RgbImage {
        let qr = render_qr(text, module).unwrap();
        let mut frame = RgbImage::from_pixel(w, h, image::Rgb([100, 197, 255]));
        for (x, y, p) in qr.enumerate_pixels() {
            frame.put_pixel(at.0 + x, at.1 + y, image::Rgb([p.0[0]; 3]));
        }
        frame
    }

    #[test]
    fn the_sample_and_its_cells_are_those_of_the_frames_pixels_counted_one_by_one() {
        // A frame with noise, edges and a code, 1000×603 (step 2, a ragged last column and
        // band), against the definitions written out plainly.
        let mut frame = frame_with("CJ1|10001|张*丰|1234|2023010101", 3, 1000, 603, (420, 200));
        let mut seed = 7u32;
        for p in frame.pixels_mut().step_by(97) {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            p.0 = [(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8];
        }
        let mut scanner = QrScanner::new();
        scanner.patches(&frame);
        // Cells of both kinds: the code's, and the noise's and the backdrop's.
        assert!(scanner.cells.contains(&true) && scanner.cells.contains(&false));
        let (step, sw, sh) = (2usize, 500usize, 301usize);
        let at = |x: usize, y: usize| {
            luma(
                &frame
                    .get_pixel((x * step + 1) as u32, (y * step + 1) as u32)
                    .0,
            )
        };
        for y in 0..sh {
            for x in 0..sw {
                assert_eq!(scanner.sample[y * sw + x], at(x, y), "sample ({x}, {y})");
            }
        }
        let (cw, ch) = (sw / CELL as usize, sh / CELL as usize);
        let strong = |a: u8, b: u8| (a.abs_diff(b) >= EDGE) as u32;
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut across, mut down) = (0, 0);
                for y in cy * 8..cy * 8 + 8 {
                    for x in cx * 8..cx * 8 + 8 {
                        if x + 1 < sw {
                            across += strong(at(x, y), at(x + 1, y));
                        }
                        down += strong(at(x, y), at(x, (y + 1).min(sh - 1)));
                    }
                }
                let want = across >= CELL_TRANSITIONS && down >= CELL_TRANSITIONS;
                assert_eq!(scanner.cells[cy * cw + cx], want, "cell ({cx}, {cy})");
            }
        }
    }

    #[test]
    fn a_generated_code_scans_back_from_a_large_frame() {
        let text = "CJ1|10001|张*丰|1234|2023010101";
        let frame = frame_with(text, 6, 1920, 1080, (700, 300));
        assert_eq!(QrScanner::new().scan(&frame).as_deref(), Some(text));
    }

    #[test]
    fn a_code_of_two_pixels_a_module_in_a_4k_frame_is_found_and_read() {
        // 29 modules × 2 px: 58 px of a 3840 px frame, 0.5 samples a module in the search.
        let text = "CJ1|10001|张*丰|1234|2023010101";
        let frame = frame_with(text, 2, 3840, 2160, (2500, 1400));
        let mut scanner = QrScanner::new();
        let patches = scanner.patches(&frame);
        let first = patches.first().expect("a patch");
        assert!(
            first.x <= 2500 + 8 && first.x + first.w >= 2500 + 66 && first.w < 400,
            "the patch frames the code: {first:?}"
        );
        assert_eq!(scanner.scan(&frame).as_deref(), Some(text));
    }

    #[test]
    fn a_code_without_its_finders_is_not_decoded() {
        // A real code's modules with its three finders painted over: dense both ways, so the
        // search offers it, and nothing is read from it.
        let text = "CJ1|10001|张*丰|1234|2023010101";
        let mut frame = frame_with(text, 6, 1920, 1080, (700, 300));
        let qr = render_qr(text, 6).unwrap();
        let (side, quiet, finder) = (qr.width(), 4 * 6, 8 * 6);
        for (fx, fy) in [
            (0, 0),
            (side - 2 * quiet - finder, 0),
            (0, side - 2 * quiet - finder),
        ] {
            for y in 0..finder {
                for x in 0..finder {
                    let (px, py) = (700 + quiet + fx + x, 300 + quiet + fy + y);
                    frame.put_pixel(px, py, image::Rgb([255; 3]));
                }
            }
        }
        let mut scanner = QrScanner::new();
        assert!(
            !scanner.patches(&frame).is_empty(),
            "the modules look like a code"
        );
        assert_eq!(scanner.scan(&frame), None);
    }

    #[test]
    fn a_dense_pattern_without_finders_is_turned_down_before_decoding() {
        // A checkerboard (a shirt, a tiled wall) is dense both ways like a code, but no row of
        // it runs 1:1:3:1:1; a real code's patch has finder rows to spare.
        let mut frame = RgbImage::from_pixel(1920, 1080, image::Rgb([240, 240, 240]));
        for y in 300..560 {
            for x in 800..1060 {
                let dark = ((x / 6) + (y / 6)) % 2 == 0;
                frame.put_pixel(x, y, image::Rgb([if dark { 20 } else { 230 }; 3]));
            }
        }
        let mut scanner = QrScanner::new();
        let patches = scanner.patches(&frame);
        assert!(!patches.is_empty(), "the pattern is offered");
        for p in &patches {
            let f = finder_rows(&patch_luma(&frame, *p));
            assert!(f.rows < FINDER_ROWS, "{p:?}: {f:?}");
        }
        let code = frame_with("CJ1|10001|张*丰|1234|2023010101", 6, 1920, 1080, (700, 300));
        let p = scanner.patches(&code)[0];
        let f = finder_rows(&patch_luma(&code, p));
        assert!(f.rows >= 3 * FINDER_ROWS, "a code's patch: {f:?}");
        assert_eq!(scanner.scan(&frame), None);
    }

    #[test]
    fn a_frame_without_a_code_gives_nothing() {
        let frame = RgbImage::from_pixel(1280, 720, image::Rgb([240, 240, 240]));
        let mut scanner = QrScanner::new();
        assert!(scanner.patches(&frame).is_empty());
        assert_eq!(scanner.scan(&frame), None);
    }
}
