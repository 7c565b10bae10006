//! Pixel measurements around a detected face: eye centres, backdrop, head top, face width, light.
//!
//! Every function here works in source pixels and reads only a few regions near the face, so the
//! cost depends on the face size, not on the frame size.

use crate::Point;
use image::RgbImage;

/// Rec. 601 luma of a pixel.
#[inline]
pub(crate) fn luma(p: [u8; 3]) -> f64 {
    0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
}

#[inline]
fn dist(a: [u8; 3], b: [f64; 3]) -> f64 {
    ((a[0] as f64 - b[0]).powi(2) + (a[1] as f64 - b[1]).powi(2) + (a[2] as f64 - b[2]).powi(2))
        .sqrt()
}

/// Integer pixel rectangle clipped to an image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Rect {
    /// The rectangle centred at `c` with half sizes `hw`, `hh`, clipped to `img`; `None` when empty.
    pub fn around(img: &RgbImage, c: Point, hw: f64, hh: f64) -> Option<Rect> {
        let x0 = (c.x - hw).floor().max(0.0) as u32;
        let y0 = (c.y - hh).floor().max(0.0) as u32;
        let x1 = ((c.x + hw).ceil().max(0.0) as u32).min(img.width());
        let y1 = ((c.y + hh).ceil().max(0.0) as u32).min(img.height());
        (x1 > x0 && y1 > y0).then_some(Rect { x0, y0, x1, y1 })
    }
    fn area(&self) -> f64 {
        ((self.x1 - self.x0) * (self.y1 - self.y0)) as f64
    }
}

/// Mean colour and per-pixel RGB standard deviation of a region.
pub(crate) fn patch_stats(img: &RgbImage, r: Rect) -> ([f64; 3], f64) {
    let mut sum = [0.0; 3];
    let mut sq = 0.0;
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            let p = img.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += p[c] as f64;
                sq += (p[c] as f64).powi(2);
            }
        }
    }
    let n = r.area();
    let mean = [sum[0] / n, sum[1] / n, sum[2] / n];
    let var = (sq / n - mean.iter().map(|m| m * m).sum::<f64>()).max(0.0) / 3.0;
    (mean, var.sqrt())
}

/// The backdrop as sampled beside and above the head.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BackdropSample {
    /// Median of the patch means.
    pub rgb: [f64; 3],
    /// Largest RGB distance between two patch means: a gradient or a shadow.
    pub spread: f64,
    /// Typical pixel noise inside a patch.
    pub noise: f64,
    /// Patches that fell inside the frame.
    pub patches: usize,
    /// Of those, the patches beside the shoulders (below the chin).
    pub beside_shoulders: usize,
}

/// Sample the backdrop in patches left and right of the head, from above the head to the neck.
pub(crate) fn sample_backdrop(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
) -> Option<BackdropSample> {
    let half = 0.2 * ipd;
    let mut means = Vec::new();
    let mut noises = Vec::new();
    // Beside the head (2.1 eye distances from the middle clears even full hair) from above the
    // head top down to the mouth, where shoulders have not begun.
    for side in [-1.0, 1.0] {
        for dy in [-2.2, -1.1, 0.0, 0.6] {
            // Where the frame is narrow (a finished 480×640 photo), slide the patch inward, but
            // never closer than 1.7 eye distances: inside that is hair.
            let x = cx + side * 2.1 * ipd;
            let x = x.clamp(half, img.width() as f64 - half);
            if (x - cx).abs() < 1.7 * ipd {
                continue;
            }
            let c = Point {
                x,
                y: eye_y + dy * ipd,
            };
            if let Some(r) = Rect::around(img, c, half, half)
                && r.area() >= 0.5 * (2.0 * half).powi(2)
            {
                let (m, s) = patch_stats(img, r);
                means.push(m);
                noises.push(s);
            }
        }
    }
    if means.is_empty() {
        return None;
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let rgb = [0, 1, 2].map(|c| median(means.iter().map(|m| m[c]).collect()));
    let head_patches = means.len();
    let noise = median(noises.clone());
    means.extend(beside_shoulders(img, cx, eye_y, ipd, half, rgb, noise));
    let mut spread: f64 = 0.0;
    for a in &means {
        for b in &means {
            let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
            spread = spread.max(d);
        }
    }
    Some(BackdropSample {
        rgb,
        spread,
        noise,
        patches: means.len(),
        beside_shoulders: means.len() - head_patches,
    })
}

/// Patch means of the backdrop beside the shoulders, where a person's own shadow falls. In rows
/// from the chin down, walk in from the photo's side edge toward the body, patch by patch, for
/// as long as the patches look like backdrop: as smooth as the backdrop beside the head, of its
/// hue (a shadow darkens a colour without changing it), and no darker than `SHADOW_FLOOR` of it.
/// Clothes, hair and skin stop the walk: they are textured or of another hue.
fn beside_shoulders(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
    half: f64,
    reference: [f64; 3],
    noise: f64,
) -> Vec<[f64; 3]> {
    /// The darkest a shadowed patch may be and still count as backdrop, as a share of it.
    const SHADOW_FLOOR: f64 = 0.5;
    let (w, h) = (img.width() as f64, img.height() as f64);
    let chroma = |m: [f64; 3]| {
        let sum = (m[0] + m[1] + m[2]).max(1.0);
        [m[0] / sum, m[1] / sum]
    };
    let ref_chroma = chroma(reference);
    let ref_luma = 0.299 * reference[0] + 0.587 * reference[1] + 0.114 * reference[2];
    let looks_backdrop = |m: [f64; 3], sd: f64| {
        let c = chroma(m);
        let l = 0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2];
        sd <= 2.0 * noise + 2.0
            && (c[0] - ref_chroma[0]).hypot(c[1] - ref_chroma[1]) < 0.02
            && l >= SHADOW_FLOOR * ref_luma
    };
    let step = 0.35 * ipd;
    let mut out = Vec::new();
    for dy in [1.4, 2.0, 2.6, 3.2] {
        let y = eye_y + dy * ipd;
        if y - half < 0.0 || y + half >= h {
            continue;
        }
        for side in [-1.0f64, 1.0] {
            let mut x = (cx + side * 2.3 * ipd).clamp(half, w - half - 1.0);
            let mut prev: Option<f64> = None;
            while (x - cx) * side >= 1.0 * ipd {
                let Some(r) = Rect::around(img, Point { x, y }, half, half) else {
                    break;
                };
                let (m, sd) = patch_stats(img, r);
                let first_ok = prev.is_some() || dist_f(m, reference) < (5.0 * noise).max(30.0);
                if !first_ok
                    || !looks_backdrop(m, sd)
                    || prev.is_some_and(|p| hard_edge(img, y, p, x))
                {
                    break;
                }
                out.push(m);
                prev = Some(x);
                x -= side * step;
            }
        }
    }
    out
}

fn dist_f(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Whether the row at `y` has an outline between `x0` and `x1`: a brightness step over two
/// pixels, in the mean of three rows, larger than noise or any soft shadow's edge makes.
fn hard_edge(img: &RgbImage, y: f64, x0: f64, x1: f64) -> bool {
    let (a, b) = (x0.min(x1) as u32, (x0.max(x1) as u32).min(img.width() - 1));
    let y = (y as u32).clamp(1, img.height() - 2);
    let l = |x: u32| {
        (y - 1..=y + 1)
            .map(|yy| luma(img.get_pixel(x, yy).0))
            .sum::<f64>()
            / 3.0
    };
    (a + 2..=b).any(|x| (l(x) - l(x - 2)).abs() > 20.0)
}

/// Top of the head: in columns across the face, walk up from the forehead until a run of backdrop
/// pixels. Walking up from inside the head ignores anything above it (a lamp, a fold), and the run
/// length bridges single stray hairs and sensor noise. Returns the head top y and whether the head
/// reaches the top edge of the frame.
pub(crate) fn head_top(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
    backdrop: &BackdropSample,
) -> (f64, bool) {
    let threshold = (5.0 * backdrop.noise).max(30.0);
    let run = (0.04 * ipd).round().max(2.0) as u32;
    let start_y = (eye_y - 0.9 * ipd).clamp(0.0, img.height() as f64 - 1.0) as u32;
    let x_from = (cx - 0.55 * ipd).max(0.0) as u32;
    let x_to = ((cx + 0.55 * ipd) as u32).min(img.width().saturating_sub(1));
    let step = ((ipd / 60.0) as u32).max(1);
    let mut tops = Vec::new();
    let mut x = x_from;
    while x <= x_to {
        let mut backdrop_run = 0u32;
        let mut top = 0u32;
        let mut y = start_y as i64;
        while y >= 0 {
            if dist(img.get_pixel(x, y as u32).0, backdrop.rgb) < threshold {
                backdrop_run += 1;
                if backdrop_run >= run {
                    top = y as u32 + run;
                    break;
                }
            } else {
                backdrop_run = 0;
            }
            y -= 1;
        }
        tops.push(top);
        x += step;
    }
    if tops.is_empty() {
        return (0.0, true);
    }
    let touching = tops.iter().filter(|&&t| t == 0).count();
    tops.sort_unstable();
    // Drop the lowest few percent: one noisy column must not lift the head.
    let top = tops[tops.len() / 25] as f64;
    (top, touching * 10 >= tops.len())
}

/// Light on the face: mean luma, ratio between the brighter and darker half, clipped fraction.
pub(crate) struct FaceLight {
    pub mean: f64,
    pub balance: f64,
    pub clipped: f64,
    /// Share of face pixels at near-white luma (≥ 240): skin burnt out.
    pub saturated: f64,
}

/// The inner face box: between the cheeks, from just above the eyes to the mouth.
pub(crate) fn face_box(img: &RgbImage, cx: f64, eye_y: f64, ipd: f64) -> Option<Rect> {
    Rect::around(
        img,
        Point {
            x: cx,
            y: eye_y + 0.45 * ipd,
        },
        0.55 * ipd,
        0.65 * ipd,
    )
}

pub(crate) fn face_light(img: &RgbImage, r: Rect, cx: f64, eye_y: f64, ipd: f64) -> FaceLight {
    // Every pixel counts for clipping (a small glint matters); a stride keeps 4K frames cheap
    // for the mean, which does not need every pixel.
    let (mut sum, mut n, mut clipped, mut all) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut saturated = 0.0f64;
    let stride = ((ipd / 120.0) as u32).max(1);
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            let p = img.get_pixel(x, y).0;
            all += 1.0;
            if p.iter().all(|&c| c >= 250) {
                clipped += 1.0;
            }
            if luma(p) >= 240.0 {
                saturated += 1.0;
            }
            if (x - r.x0).is_multiple_of(stride) && (y - r.y0).is_multiple_of(stride) {
                sum += luma(p);
                n += 1.0;
            }
        }
    }
    // Light balance compares the two cheeks: the same skin, so any difference is the light.
    let cheek = |dx: f64| {
        Rect::around(
            img,
            Point {
                x: cx + dx * ipd,
                y: eye_y + 0.5 * ipd,
            },
            0.12 * ipd,
            0.12 * ipd,
        )
        .map(|r| {
            luma(
                patch_stats(img, r)
                    .0
                    .map(|v| v.round().clamp(0.0, 255.0) as u8),
            )
        })
    };
    let balance = match (cheek(-0.42), cheek(0.42)) {
        (Some(l), Some(r)) => l.max(r) / l.min(r).max(1.0),
        _ => f64::INFINITY,
    };
    FaceLight {
        mean: sum / n.max(1.0),
        balance,
        clipped: clipped / all.max(1.0),
        saturated: saturated / all.max(1.0),
    }
}

/// Mean absolute 4-neighbour Laplacian of the luma of `img`.
pub(crate) fn laplacian_energy(img: &RgbImage) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let l: Vec<f64> = img.pixels().map(|p| luma(p.0)).collect();
    let mut sum = 0.0;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            sum += (4.0 * l[i] - l[i - 1] - l[i + 1] - l[i - w] - l[i + w]).abs();
        }
    }
    sum / ((w - 2) * (h - 2)) as f64
}

/// The clothes: patches on both shoulders, and their RGB distance to the backdrop colour.
pub(crate) fn clothing_contrast(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
    bottom: f64,
    backdrop: [f64; 3],
) -> Option<f64> {
    let y = (eye_y + 2.9 * ipd).min(bottom - 0.25 * ipd);
    let mut ds = Vec::new();
    for dx in [-1.1, 1.1] {
        if let Some(r) = Rect::around(
            img,
            Point {
                x: cx + dx * ipd,
                y,
            },
            0.2 * ipd,
            0.2 * ipd,
        ) {
            let (m, _) = patch_stats(img, r);
            ds.push(
                ((m[0] - backdrop[0]).powi(2)
                    + (m[1] - backdrop[1]).powi(2)
                    + (m[2] - backdrop[2]).powi(2))
                .sqrt(),
            );
        }
    }
    // Both shoulders must stand out; the weaker one decides.
    ds.into_iter().min_by(f64::total_cmp)
}

/// The shoulder line's tilt in degrees (positive: the image-right shoulder lower). In columns
/// beside the neck on each side, walk down from below the chin to the first run of pixels that
/// are not backdrop: the top of the shoulder (or, where a raised shoulder already covers the
/// start, up to where the backdrop begins). `None` when a shoulder is outside the frame or never
/// meets the backdrop between the head and `bottom`.
pub(crate) fn shoulder_tilt(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
    bottom: f64,
    backdrop: &BackdropSample,
) -> Option<f64> {
    let threshold = (5.0 * backdrop.noise).max(30.0);
    let run = (0.04 * ipd).round().max(2.0) as u32;
    let y_from = (eye_y + 1.6 * ipd).max(0.0) as u32;
    let y_to = (bottom.min(img.height() as f64) as u32).saturating_sub(1);
    if y_from >= y_to {
        return None;
    }
    // The slope of the shoulders, outside the neck and any hair that falls beside it.
    let top_at = |x: f64| -> Option<f64> {
        if x < 0.0 || x >= img.width() as f64 {
            return None;
        }
        let x = x as u32;
        let is_back = |y: u32| dist(img.get_pixel(x, y).0, backdrop.rgb) < threshold;
        if !is_back(y_from) {
            // A raised shoulder already covers the start: walk up to where the backdrop begins,
            // but not into the head's height (that is hair, not shoulder).
            let y_min = (eye_y + 0.6 * ipd).max(0.0) as u32;
            let mut back = 0u32;
            for y in (y_min..y_from).rev() {
                if is_back(y) {
                    back += 1;
                    if back >= run {
                        return Some((y + run) as f64);
                    }
                } else {
                    back = 0;
                }
            }
            return None;
        }
        let mut body = 0u32;
        for y in y_from..=y_to {
            if !is_back(y) {
                body += 1;
                if body >= run {
                    return Some((y + 1 - run) as f64);
                }
            } else {
                body = 0;
            }
        }
        None
    };
    let ks = [1.7, 1.9, 2.1, 2.3];
    let heights: Vec<(f64, f64, f64)> = ks
        .iter()
        .filter_map(|&k| Some((k * ipd, top_at(cx - k * ipd)?, top_at(cx + k * ipd)?)))
        .collect();
    if heights.len() < 2 {
        return None;
    }
    let mut tilts: Vec<f64> = heights
        .iter()
        .map(|&(d, l, r)| (r - l).atan2(2.0 * d).to_degrees())
        .collect();
    tilts.sort_by(f64::total_cmp);
    Some(tilts[tilts.len() / 2])
}
