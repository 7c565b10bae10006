//! Pixel measurements around a detected face: eye centres, backdrop, head top, face width, light.
//!
//! Every function here works in source pixels and reads only a few regions near the face, so the
//! cost depends on the face size, not on the frame size.

use crate::Point;
use image::RgbImage;

/// Rec. 601 luma of a pixel.
#[inline]
pub(crate) fn luma(p: [u8; 3]) -> f64 {
    luma_of(p.map(f64::from))
}

/// A pixel's saturation: (max − min) / max of its channels, 0 for black.
fn saturation(p: [u8; 3]) -> f64 {
    let (hi, lo) = (p.iter().max().copied(), p.iter().min().copied());
    match (hi, lo) {
        (Some(hi), Some(lo)) if hi > 0 => (hi - lo) as f64 / hi as f64,
        _ => 0.0,
    }
}

/// Rec. 601 luma of a colour with 0–255 channels (a patch mean).
#[inline]
fn luma_of(c: [f64; 3]) -> f64 {
    0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
}

#[inline]
fn dist(a: [u8; 3], b: [f64; 3]) -> f64 {
    dist_of(a.map(f64::from), b)
}

/// Euclidean RGB distance between two colours.
#[inline]
fn dist_of(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Pixels in a row that make a run in a column walk: enough to bridge a stray hair and sensor
/// noise.
fn run_len(ipd: f64) -> u32 {
    (0.04 * ipd).round().max(2.0) as u32
}

/// The first `y` of `ys` at which `run` pixels in a row have met `hit`: where a column walk
/// meets a region (the backdrop above the hair, a shoulder below the chin).
fn run_end(
    ys: impl Iterator<Item = u32>,
    run: u32,
    mut hit: impl FnMut(u32) -> bool,
) -> Option<u32> {
    let mut n = 0;
    for y in ys {
        n = if hit(y) { n + 1 } else { 0 };
        if n >= run {
            return Some(y);
        }
    }
    None
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

    /// The rectangle's rows of `img`, top to bottom, each its RGB bytes left to right: slices
    /// of the raw buffer, several times faster than a checked `get_pixel` per pixel.
    fn rows<'a>(&self, img: &'a RgbImage) -> impl Iterator<Item = &'a [u8]> {
        let (x0, x1) = (3 * self.x0 as usize, 3 * self.x1 as usize);
        img.as_raw()
            .chunks_exact(3 * img.width() as usize)
            .take(self.y1 as usize)
            .skip(self.y0 as usize)
            .map(move |row| &row[x0..x1])
    }
}

/// Mean colour and per-pixel RGB standard deviation of a region.
pub(crate) fn patch_stats(img: &RgbImage, r: Rect) -> ([f64; 3], f64) {
    // Integer sums: exact, as the f64 sums of whole numbers they replace were (backdrop
    // sampling walks dozens of patches a frame).
    let (mut sum, mut sq) = ([0u64; 3], 0u64);
    for row in r.rows(img) {
        for p in row.chunks_exact(3) {
            let [a, b, c] = [p[0], p[1], p[2]].map(u64::from);
            sum[0] += a;
            sum[1] += b;
            sum[2] += c;
            sq += a * a + b * b + c * c;
        }
    }
    let (n, sq) = (r.area(), sq as f64);
    let mean = sum.map(|v| v as f64 / n);
    let var = (sq / n - mean.iter().map(|m| m * m).sum::<f64>()).max(0.0) / 3.0;
    (mean, var.sqrt())
}

/// Mean colour and per-pixel RGB standard deviation of a region once a plane (a brightness
/// ramp in x and in y, per channel) is taken out: the grain of the region, which a smooth
/// gradient such as the soft edge of a shadow does not raise and texture (a knit, hair, print)
/// does. On a rectangle the centred x and y are orthogonal, so the two slopes come out of the
/// same sums as the mean: removed variance = S_xp² / S_xx + S_yp² / S_yy per channel.
///
/// A large patch is read on a grid of every `step`-th pixel and row, about 24 a side (the
/// walks beside the body read some forty patches a frame, 70 px wide on a 1080p face): the
/// statistics of some 600 pixels, at a ninth of the cost.
pub(crate) fn patch_grain(img: &RgbImage, r: Rect) -> ([f64; 3], f64) {
    let step = ((r.x1 - r.x0).min(r.y1 - r.y0) / 24).max(1) as usize;
    let (mut sum, mut sq, mut xp, mut yp) = ([0u64; 3], 0u64, [0u64; 3], [0u64; 3]);
    let (mut w, mut h) = (0u64, 0u64);
    for (y, row) in r.rows(img).step_by(step).enumerate() {
        // Per row in u32: a sample adds at most 3·255² = 195 075 to the squares, so a row
        // would need some 22 000 samples to overflow; patches here are a few dozen wide.
        let (mut row_sum, mut row_xp, mut row_sq) = ([0u32; 3], [0u32; 3], 0u32);
        let mut n = 0u32;
        for (x, p) in row.chunks_exact(3).step_by(step).enumerate() {
            let [a, b, c] = [p[0], p[1], p[2]].map(u32::from);
            row_sum[0] += a;
            row_sum[1] += b;
            row_sum[2] += c;
            let x = x as u32;
            row_xp[0] += x * a;
            row_xp[1] += x * b;
            row_xp[2] += x * c;
            row_sq += a * a + b * b + c * c;
            n += 1;
        }
        for c in 0..3 {
            sum[c] += u64::from(row_sum[c]);
            xp[c] += u64::from(row_xp[c]);
            yp[c] += y as u64 * u64::from(row_sum[c]);
        }
        sq += u64::from(row_sq);
        w = u64::from(n);
        h += 1;
    }
    let n = (w * h).max(1) as f64;
    let mean = sum.map(|v| v as f64 / n);
    // Σ (x - x̄)² over the grid: h · w (w² - 1) / 12, and likewise for y.
    let sxx = (h * w * (w * w).saturating_sub(1)) as f64 / 12.0;
    let syy = (w * h * (h * h).saturating_sub(1)) as f64 / 12.0;
    let (xm, ym) = (
        w.saturating_sub(1) as f64 / 2.0,
        h.saturating_sub(1) as f64 / 2.0,
    );
    let mut var = sq as f64 / n - mean.iter().map(|m| m * m).sum::<f64>();
    for c in 0..3 {
        let sxp = xp[c] as f64 - xm * sum[c] as f64;
        let syp = yp[c] as f64 - ym * sum[c] as f64;
        if sxx > 0.0 {
            var -= sxp * sxp / sxx / n;
        }
        if syy > 0.0 {
            var -= syp * syp / syy / n;
        }
    }
    (mean, (var.max(0.0) / 3.0).sqrt())
}

/// The backdrop as sampled beside and above the head.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BackdropSample {
    /// Median of the patch means.
    pub rgb: [f64; 3],
    /// Largest RGB distance between two patch means: a gradient or a shadow.
    pub spread: f64,
    /// How much darker the backdrop gets walking in toward the body, at most over the walks
    /// beside the head and the shoulders (the RGB distance from the outermost patch to the
    /// innermost, where that is the darker): the student's own shadow, darkest against the
    /// outline. A shadow or gradient across the backdrop has no such relation to the body.
    pub darker_toward_body: f64,
    /// Typical pixel noise inside a patch.
    pub noise: f64,
    /// Patches that fell inside the frame.
    pub patches: usize,
    /// Of those, the patches walked in beside the head and the shoulders, toward the body.
    pub beside_body: usize,
}

impl BackdropSample {
    /// Whether a pixel reads as this backdrop: within five times its noise, and at least 30.
    #[inline]
    fn holds(&self, p: [u8; 3]) -> bool {
        dist(p, self.rgb) < (5.0 * self.noise).max(30.0)
    }
}

/// What the backdrop looks like beside the head, for telling a patch of it (lit, shaded or
/// in a gradient) from the person: its hue, its brightness and its grain.
struct Look {
    rgb: [f64; 3],
    chroma: [f64; 2],
    luma: f64,
    noise: f64,
}

impl Look {
    /// The darkest a shadowed patch may be and still count as backdrop in the walk beside the
    /// body, as a share of it.
    const SHADOW_FLOOR: f64 = 0.5;
    /// Darker than this share of the backdrop is hair or clothes, not a shadow a lamp casts on
    /// it: black hair measures about a tenth of a light backdrop, and on a white or grey one
    /// it has the backdrop's (lack of) hue.
    const DARKEST_SHADE: f64 = 0.25;

    fn of(reference: [f64; 3], noise: f64) -> Look {
        Look {
            rgb: reference,
            chroma: chroma(reference),
            luma: luma_of(reference),
            noise,
        }
    }

    /// Smooth as the backdrop once a ramp is taken out (`grain`, [`patch_grain`]), of its hue
    /// (a shadow darkens a colour without changing it; hair, skin and clothes are textured or
    /// of another hue), and at least `floor` of its brightness.
    fn holds_down_to(&self, m: [f64; 3], grain: f64, floor: f64) -> bool {
        let c = chroma(m);
        grain <= 2.0 * self.noise + 2.0
            && (c[0] - self.chroma[0]).hypot(c[1] - self.chroma[1]) < 0.02
            && luma_of(m) >= floor * self.luma
    }

    /// Backdrop, lit or in a shadow of any depth a lamp casts ([`Look::DARKEST_SHADE`]).
    fn shaded(&self, m: [f64; 3], grain: f64) -> bool {
        self.holds_down_to(m, grain, Look::DARKEST_SHADE)
    }

    /// Backdrop, lit or in a shadow no darker than [`Look::SHADOW_FLOOR`] of it.
    fn holds(&self, m: [f64; 3], grain: f64) -> bool {
        self.holds_down_to(m, grain, Look::SHADOW_FLOOR)
    }
}

/// A colour's share of red and of green: its hue and saturation without its brightness.
fn chroma(m: [f64; 3]) -> [f64; 2] {
    let sum = (m[0] + m[1] + m[2]).max(1.0);
    [m[0] / sum, m[1] / sum]
}

/// Sample the backdrop in patches left and right of the head, from above the head to the neck.
pub(crate) fn sample_backdrop(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
) -> Option<BackdropSample> {
    let half = 0.2 * ipd;
    // (centre, mean, deviation, grain) of each patch beside the head.
    let mut beside_head = Vec::new();
    // Beside the head (2.1 eye distances from the middle clears most hair) from above the
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
                beside_head.push((c, m, s, patch_grain(img, r).1));
            }
        }
    }
    if beside_head.is_empty() {
        return None;
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let rgb = [0, 1, 2].map(|c| median(beside_head.iter().map(|p| p.1[c]).collect()));
    // The grain of the patches of that colour: hair in some of them must not raise it.
    let alike: Vec<f64> = beside_head
        .iter()
        .filter(|p| dist_of(p.1, rgb) < 30.0)
        .map(|p| p.2)
        .collect();
    let noise = if alike.is_empty() {
        median(beside_head.iter().map(|p| p.2).collect())
    } else {
        median(alike)
    };
    let look = Look::of(rgb, noise);
    // Full hair (dreadlocks, loose curls, long hair on a turned head) can reach out to these
    // patches: one that is textured or of another hue, with no backdrop between it and the
    // face, is the person, not the backdrop. Anything else there (a shadow, a fold, a stain
    // apart from the head) stays, and the spread judges it.
    let mut means: Vec<[f64; 3]> = beside_head
        .iter()
        .filter(|&&(c, m, _, grain)| {
            look.shaded(m, grain) || apart_from_head(img, c, cx, ipd, half, &look)
        })
        .map(|p| p.1)
        .collect();
    let head_patches = means.len();
    let (walked, darker_toward_body) = beside_body(img, cx, eye_y, ipd, half, &look);
    means.extend(walked);
    Some(BackdropSample {
        rgb,
        spread: spread_of(&means),
        darker_toward_body,
        noise,
        patches: means.len(),
        beside_body: means.len() - head_patches,
    })
}

/// Largest RGB distance between two of `means`.
fn spread_of(means: &[[f64; 3]]) -> f64 {
    let mut spread: f64 = 0.0;
    for a in means {
        for b in means {
            spread = spread.max(dist_of(*a, *b));
        }
    }
    spread
}

/// Whether backdrop shows between the patch at `c` and the face: a patch like it on the way in,
/// stepping toward the middle `cx` by half a patch, down to one eye distance from it (so a gap
/// of a patch's width shows).
fn apart_from_head(img: &RgbImage, c: Point, cx: f64, ipd: f64, half: f64, look: &Look) -> bool {
    let side = (c.x - cx).signum();
    let step = half;
    let mut x = c.x - side * step;
    while (x - cx) * side >= 1.0 * ipd {
        if let Some(r) = Rect::around(img, Point { x, y: c.y }, half, half) {
            let (m, grain) = patch_grain(img, r);
            if look.shaded(m, grain) {
                return true;
            }
        }
        x -= side * step;
    }
    false
}

/// Patch means of the backdrop beside the head and the shoulders, where a person's own shadow
/// falls: right beside the outline, closer in than the fixed patches beside the head look. In
/// rows from above the eyes down past the chin, walk in from the photo's side edge toward the
/// body, patch by patch, for as long as the patches look like backdrop ([`Look::holds`]): as
/// fine-grained as the backdrop beside the head once a brightness ramp is taken out (so the
/// walk goes on through the soft edge of a shadow), of its hue, and no darker than
/// [`Look::SHADOW_FLOOR`] of it. Clothes, hair and skin stop the walk: they are textured or of
/// another hue, or an outline lies between two patches.
fn beside_body(
    img: &RgbImage,
    cx: f64,
    eye_y: f64,
    ipd: f64,
    half: f64,
    look: &Look,
) -> (Vec<[f64; 3]>, f64) {
    let (w, h) = (img.width() as f64, img.height() as f64);
    let mut darker: f64 = 0.0;
    let reference_gap = (5.0 * look.noise).max(30.0);
    let step = 0.35 * ipd;
    let mut out = Vec::new();
    // Rows in eye distances below the eye line: beside the forehead, the eyes, the mouth, then
    // beside the neck and down the shoulders.
    for dy in [-1.1, -0.5, 0.0, 0.6, 1.4, 2.0, 2.6, 3.2] {
        let y = eye_y + dy * ipd;
        if y - half < 0.0 || y + half >= h {
            continue;
        }
        for side in [-1.0f64, 1.0] {
            let mut x = (cx + side * 2.3 * ipd).clamp(half, w - half - 1.0);
            let mut prev: Option<f64> = None;
            let (mut outer, mut inner) = (None, None);
            while (x - cx) * side >= 1.0 * ipd {
                let Some(r) = Rect::around(img, Point { x, y }, half, half) else {
                    break;
                };
                // The grain, not the plain deviation: a patch across the soft edge of the
                // person's shadow is a ramp, and must not stop the walk before the shadow.
                let (m, grain) = patch_grain(img, r);
                let first_ok = prev.is_some() || dist_of(m, look.rgb) < reference_gap;
                if !first_ok
                    || !look.holds(m, grain)
                    || prev.is_some_and(|p| hard_edge(img, y, p, x))
                {
                    break;
                }
                out.push(m);
                outer.get_or_insert(m);
                inner = Some(m);
                prev = Some(x);
                x -= side * step;
            }
            if let (Some(o), Some(i)) = (outer, inner)
                && luma_of(i) < luma_of(o)
            {
                darker = darker.max(dist_of(o, i));
            }
        }
    }
    (out, darker)
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
    let run = run_len(ipd);
    let start_y = (eye_y - 0.9 * ipd).clamp(0.0, img.height() as f64 - 1.0) as u32;
    let x_from = (cx - 0.55 * ipd).max(0.0) as u32;
    let x_to = ((cx + 0.55 * ipd) as u32).min(img.width().saturating_sub(1));
    let step = ((ipd / 60.0) as u32).max(1);
    let tops: Vec<u32> = (x_from..=x_to)
        .step_by(step as usize)
        .map(|x| {
            run_end((0..=start_y).rev(), run, |y| {
                backdrop.holds(img.get_pixel(x, y).0)
            })
            .map_or(0, |y| y + run)
        })
        .collect();
    if tops.is_empty() {
        return (0.0, true);
    }
    let touching = tops.iter().filter(|&&t| t == 0).count();
    let mut tops = tops;
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
    let (mut sum, mut n, mut clipped, mut saturated) = (0.0f64, 0usize, 0usize, 0usize);
    let stride = ((ipd / 120.0) as usize).max(1);
    for (dy, row) in r.rows(img).enumerate() {
        for (dx, p) in row.chunks_exact(3).enumerate() {
            let p = [p[0], p[1], p[2]];
            if p.iter().all(|&c| c >= 250) {
                clipped += 1;
            }
            let l = luma(p);
            if l >= 240.0 {
                saturated += 1;
            }
            if dx.is_multiple_of(stride) && dy.is_multiple_of(stride) {
                sum += l;
                n += 1;
            }
        }
    }
    let all = r.area();
    let (n, clipped, saturated) = (n as f64, clipped as f64, saturated as f64);
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
            ds.push(dist_of(patch_stats(img, r).0, backdrop));
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
    let run = run_len(ipd);
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
        let is_back = |y: u32| backdrop.holds(img.get_pixel(x, y).0);
        if is_back(y_from) {
            run_end(y_from..=y_to, run, |y| !is_back(y)).map(|y| (y + 1 - run) as f64)
        } else {
            // A raised shoulder already covers the start: walk up to where the backdrop begins,
            // but not into the head's height (that is hair, not shoulder).
            let y_min = (eye_y + 0.6 * ipd).max(0.0) as u32;
            run_end((y_min..y_from).rev(), run, is_back).map(|y| (y + run) as f64)
        }
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

/// Share of the pupil's pixels that glow red: in the disk of [`PUPIL_OVER_IRIS`] of the iris's
/// `radius` round its `centre`, the pixels whose red is bright ([`RED_EYE_MIN`]) and
/// [`RED_EYE_OVER`] times the larger of green and blue or more. A pupil is dark, its catchlight
/// white and a brown iris's red at most about 1.5 times its green; a flash reflected off the
/// retina lights the pupil red. 0 when the disk is off the frame or under a pixel.
pub(crate) fn red_pupil(img: &RgbImage, centre: Point, radius: f64) -> f64 {
    share_of_disk(img, centre, PUPIL_OVER_IRIS * radius, |p| {
        let [r, g, b] = p.map(f64::from);
        r >= RED_EYE_MIN && r >= RED_EYE_OVER * g.max(b)
    })
}

/// Share of the iris that a near-white highlight covers: in the disk of [`IRIS_SEEN`] of the
/// iris's `radius` round its `centre`, the pixels of luma [`GLARE_LUMA`] or more with almost
/// no colour ([`GLARE_SATURATION`]). An iris is dark or coloured; the camera's catchlight is a
/// small white spot in it; a lamp or a window mirrored in a lens lies over it as a pale sheet.
/// 0 when the disk is off the frame or under a pixel.
pub(crate) fn glare_over_iris(img: &RgbImage, centre: Point, radius: f64) -> f64 {
    share_of_disk(img, centre, IRIS_SEEN * radius, |p| {
        luma(p) >= GLARE_LUMA && saturation(p) <= GLARE_SATURATION
    })
}

/// The iris's disk looked at for glare, over its radius (inside the dark ring at its edge).
const IRIS_SEEN: f64 = 0.9;
/// A glare pixel's least luma.
const GLARE_LUMA: f64 = 200.0;
/// A glare pixel's largest saturation ((max − min) / max of its channels).
const GLARE_SATURATION: f64 = 0.25;

/// The share of the pixels (centres) within `r` of `centre` for which `hit` holds; 0 when the
/// disk holds no pixel of the frame.
fn share_of_disk(img: &RgbImage, centre: Point, r: f64, hit: impl Fn([u8; 3]) -> bool) -> f64 {
    // A radius or a centre that is not a number (no iris found) is no disk either.
    if !r.is_finite() || r < 0.5 || !centre.x.is_finite() || !centre.y.is_finite() {
        return 0.0;
    }
    let (w, h) = (img.width() as f64, img.height() as f64);
    let (x0, x1) = (
        (centre.x - r).floor().max(0.0),
        (centre.x + r).ceil().min(w),
    );
    let (y0, y1) = (
        (centre.y - r).floor().max(0.0),
        (centre.y + r).ceil().min(h),
    );
    let (mut inside, mut hits) = (0usize, 0usize);
    for y in y0 as u32..y1 as u32 {
        for x in x0 as u32..x1 as u32 {
            let (dx, dy) = (x as f64 + 0.5 - centre.x, y as f64 + 0.5 - centre.y);
            if dx * dx + dy * dy > r * r {
                continue;
            }
            inside += 1;
            if hit(img.get_pixel(x, y).0) {
                hits += 1;
            }
        }
    }
    if inside == 0 {
        0.0
    } else {
        hits as f64 / inside as f64
    }
}

/// The pupil's disk over the iris's radius: a pupil in a lit room is a third to a half of the
/// iris across; the inner part stays clear of the iris's own colour.
const PUPIL_OVER_IRIS: f64 = 0.4;
/// A red-eye pixel's least red (0–255).
const RED_EYE_MIN: f64 = 90.0;
/// A red-eye pixel's red over the larger of its green and blue.
const RED_EYE_OVER: f64 = 1.8;

/// Teeth seen between the lips: the area of pixels inside the mesh's inner-lip outline that are
/// as bright as the cheeks' skin or brighter and nearly without colour, over the mouth width
/// squared. Closed lips leave a sliver of lip-coloured pixels, a mouth open in speech a dark
/// one; teeth are what a smile shows.
pub(crate) fn teeth(img: &RgbImage, mesh: &crate::Mesh) -> f64 {
    let width = mesh.mouth_width();
    let outline = mesh.inner_lips();
    if width < 4.0 {
        return 0.0;
    }
    // The cheeks' skin, each a patch a tenth of the mouth wide.
    let cheeks: Vec<f64> = crate::mesh::index::CHEEK_SKIN
        .iter()
        .filter_map(|&i| {
            let r = Rect::around(img, mesh.points[i].xy(), 0.05 * width, 0.05 * width)?;
            Some(luma_of(patch_stats(img, r).0))
        })
        .collect();
    if cheeks.is_empty() {
        return 0.0;
    }
    let skin = cheeks.iter().sum::<f64>() / cheeks.len() as f64;
    let (x0, x1, y0, y1) = outline.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), p| (a.min(p.x), b.max(p.x), c.min(p.y), d.max(p.y)),
    );
    let centre = Point {
        x: (x0 + x1) / 2.0,
        y: (y0 + y1) / 2.0,
    };
    let Some(bounds) = Rect::around(img, centre, (x1 - x0) / 2.0, (y1 - y0) / 2.0) else {
        return 0.0;
    };
    let inside = |x: f64, y: f64| {
        let mut odd = false;
        for (a, b) in outline.iter().zip(outline.iter().cycle().skip(1)) {
            if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
                odd = !odd;
            }
        }
        odd
    };
    let mut teeth = 0usize;
    for (dy, row) in bounds.rows(img).enumerate() {
        let y = (bounds.y0 as usize + dy) as f64 + 0.5;
        for (dx, p) in row.chunks_exact(3).enumerate() {
            if !inside((bounds.x0 as usize + dx) as f64 + 0.5, y) {
                continue;
            }
            let p = [p[0], p[1], p[2]];
            if luma(p) > 0.9 * skin && saturation(p) < 0.35 {
                teeth += 1;
            }
        }
    }
    teeth as f64 / (width * width)
}

/// An edge of the photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// The top edge.
    Top,
    /// The bottom edge.
    Bottom,
    /// The image's left edge.
    Left,
    /// The image's right edge.
    Right,
}

impl Edge {
    /// Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Edge::Top => "上",
            Edge::Bottom => "下",
            Edge::Left => "左",
            Edge::Right => "右",
        }
    }

    /// English.
    pub fn en(self) -> &'static str {
        match self {
            Edge::Top => "top",
            Edge::Bottom => "bottom",
            Edge::Left => "left",
            Edge::Right => "right",
        }
    }
}

/// What the photo shows besides the student on the backdrop ("无边框、文字"): a border along an
/// edge, and the area of marks on the backdrop.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Marks {
    /// The first edge found with a border along it.
    pub border: Option<Edge>,
    /// Pixels of the photo that are neither backdrop nor the student (nor within 10 px of
    /// them): text, a logo, an object, the wall beyond the backdrop.
    pub area: f64,
}

/// How deep from each edge a border is looked for, in photo pixels.
const BORDER_DEPTH: usize = 12;
/// A line along an edge is one colour when this share of it lies within [`BORDER_NEAR`] (any
/// channel) of its median colour: a border is; the backdrop beside a shoulder and the clothes
/// below it are not, nor the knit or folds of clothes along the bottom.
const BORDER_UNIFORM: f64 = 0.9;
const BORDER_NEAR: i32 = 24;
/// A border ends in a step: this share of the line differs by more than [`BORDER_STEP`] (any
/// channel) from the next line inward. Clothes running off the bottom edge change little from
/// one row to the next.
const BORDER_STEP_SHARE: f64 = 0.6;
const BORDER_STEP: i32 = 32;
/// A one-colour line this near the backdrop's colour (RGB distance) is the backdrop.
const BORDER_BACKDROP: f64 = 20.0;
/// A pixel this near the backdrop's colour (RGB distance) is backdrop: the shading the
/// uniformity rule allows (28 between patch means) and JPEG noise stay inside it.
const MARKS_BACKDROP: f64 = 48.0;
/// Marks within this many pixels of the student are strands of their hair, not marks (a loose
/// strand of mike's dreadlocks lies 6–8 px from them).
const MARKS_CLEAR: usize = 10;
/// Specks smaller than this (pixels) are the encoder's noise.
const MARKS_SPECK: usize = 3;
/// A mark's mean colour is at least this far (RGB distance) from the backdrop round it.
const MARKS_EDGE: f64 = 24.0;

/// A border along any edge of `photo` (the 480×640 photo) and the marks on its backdrop of
/// colour `backdrop` where `look` says.
pub(crate) fn marks(photo: &RgbImage, backdrop: [f64; 3], look: MarksLook) -> Marks {
    Marks {
        border: border(photo, backdrop),
        area: marks_area(photo, backdrop, look) as f64,
    }
}

/// The first edge with a border: a line of one colour, not the backdrop's, within
/// [`BORDER_DEPTH`] px of the edge, with a step to the next line inward along most of it.
fn border(photo: &RgbImage, backdrop: [f64; 3]) -> Option<Edge> {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let px = |x: usize, y: usize| {
        let p = photo.get_pixel(x as u32, y as u32).0;
        [p[0] as i32, p[1] as i32, p[2] as i32]
    };
    let apart = |a: [i32; 3], b: [i32; 3]| (0..3).map(|c| (a[c] - b[c]).abs()).max().unwrap_or(0);
    // The line at depth `d` from `edge`, as a list of pixels.
    let line = |edge: Edge, d: usize| -> Vec<[i32; 3]> {
        match edge {
            Edge::Top => (0..w).map(|x| px(x, d)).collect(),
            Edge::Bottom => (0..w).map(|x| px(x, h - 1 - d)).collect(),
            Edge::Left => (0..h).map(|y| px(d, y)).collect(),
            Edge::Right => (0..h).map(|y| px(w - 1 - d, y)).collect(),
        }
    };
    if w <= BORDER_DEPTH + 1 || h <= BORDER_DEPTH + 1 {
        return None;
    }
    for edge in [Edge::Top, Edge::Bottom, Edge::Left, Edge::Right] {
        let mut outer = line(edge, 0);
        for d in 0..BORDER_DEPTH {
            let inner = line(edge, d + 1);
            let n = outer.len() as f64;
            let median: [i32; 3] = std::array::from_fn(|c| {
                let mut v: Vec<i32> = outer.iter().map(|p| p[c]).collect();
                v.sort_unstable();
                v[v.len() / 2]
            });
            let uniform = outer
                .iter()
                .filter(|&&p| apart(p, median) <= BORDER_NEAR)
                .count() as f64
                / n;
            let colour = median.map(f64::from);
            let stepped = outer
                .iter()
                .zip(&inner)
                .filter(|&(&a, &b)| apart(a, b) > BORDER_STEP)
                .count() as f64
                / n;
            if uniform >= BORDER_UNIFORM
                && dist_of(colour, backdrop) > BORDER_BACKDROP
                && stepped >= BORDER_STEP_SHARE
            {
                return Some(edge);
            }
            outer = inner;
        }
    }
    None
}

/// Pixels where `look` looks that are neither backdrop nor the student: the regions of
/// non-backdrop pixels (four neighbours) that neither touch the bottom edge nor reach into the
/// student's box (`look.person_half` either side of the face's middle, from the head top
/// down), nor come within [`MARKS_CLEAR`] px of a region that does; each of at least
/// [`MARKS_SPECK`] px and with an edge: its mean colour at least [`MARKS_EDGE`] from the
/// backdrop pixels around it (a soft shade, a crease or a darker corner fades into the
/// backdrop around it; text, a sticker, a lamp or the wall beyond the cloth's edge does not).
fn marks_area(photo: &RgbImage, backdrop: [f64; 3], look: MarksLook) -> usize {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    let raw = photo.as_raw();
    let colour = |i: usize| [raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]];
    let fore: Vec<bool> = (0..w * h)
        .map(|i| dist(colour(i), backdrop) > MARKS_BACKDROP)
        .collect();
    let in_person_box = |x: usize, y: usize| {
        let (x, y) = (x as f64 + 0.5, y as f64 + 0.5);
        y >= look.face_top && (x - look.face_x).abs() <= look.person_half
    };
    /// One region of non-backdrop pixels.
    #[derive(Default)]
    struct Region {
        area: usize,
        person: bool,
        sum: [f64; 3],
        ring: [f64; 3],
        ring_n: usize,
    }
    // Each pixel's region (usize::MAX: backdrop).
    let mut label = vec![usize::MAX; w * h];
    let mut regions: Vec<Region> = Vec::new();
    let mut stack = Vec::new();
    let neighbours = |i: usize| {
        let (x, y) = (i % w, i / w);
        [
            (x > 0).then(|| i - 1),
            (x + 1 < w).then(|| i + 1),
            (y > 0).then(|| i - w),
            (y + 1 < h).then(|| i + w),
        ]
    };
    for start in 0..w * h {
        if !fore[start] || label[start] != usize::MAX {
            continue;
        }
        let id = regions.len();
        let mut r = Region::default();
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            r.area += 1;
            r.person |= y == h - 1 || in_person_box(x, y);
            for (s, v) in r.sum.iter_mut().zip(colour(i)) {
                *s += f64::from(v);
            }
            for j in neighbours(i).into_iter().flatten() {
                if fore[j] && label[j] == usize::MAX {
                    label[j] = id;
                    stack.push(j);
                }
            }
        }
        regions.push(r);
    }
    // The backdrop pixels round each region.
    for (i, _) in fore.iter().enumerate().filter(|(_, f)| !**f) {
        let c = colour(i);
        for j in neighbours(i).into_iter().flatten() {
            if let Some(r) = regions.get_mut(label[j]) {
                for (s, v) in r.ring.iter_mut().zip(c) {
                    *s += f64::from(v);
                }
                r.ring_n += 1;
            }
        }
    }
    // The student grown by MARKS_CLEAR px (a square), rows then columns.
    let is_person = |i: usize| regions.get(label[i]).is_some_and(|r| r.person);
    let d = MARKS_CLEAR;
    let mut rows = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(d), (x + d).min(w - 1));
            rows[y * w + x] = (a..=b).any(|xx| is_person(y * w + xx));
        }
    }
    let near = |x: usize, y: usize| {
        let (a, b) = (y.saturating_sub(d), (y + d).min(h - 1));
        (a..=b).any(|yy| rows[yy * w + x])
    };
    // A region is a mark when it is not the student, none of its pixels is near them, it is
    // more than a speck and it has an edge.
    let mut mark: Vec<bool> = regions
        .iter()
        .map(|r| {
            let n = r.area.max(1) as f64;
            let mean = r.sum.map(|v| v / n);
            let around = r.ring.map(|v| v / r.ring_n.max(1) as f64);
            !r.person
                && r.area >= MARKS_SPECK
                && r.ring_n > 0
                && dist_of(mean, around) >= MARKS_EDGE
        })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let id = label[y * w + x];
            if id != usize::MAX && mark[id] && near(x, y) {
                mark[id] = false;
            }
        }
    }
    // Counted above `look.bottom` and beside the face only.
    let counted_rows = (look.bottom.max(0.0).ceil() as usize).min(h);
    label[..counted_rows * w]
        .iter()
        .enumerate()
        .filter(|&(i, &id)| {
            let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
            let on_face = y >= look.face_top && (x - look.face_x).abs() <= look.face_half;
            id != usize::MAX && mark[id] && !on_face
        })
        .count()
}

/// Where marks are looked for on the photo: above row `bottom` (below it lie the clothes: a
/// white shirt on a white or light grey backdrop is backdrop-coloured, and its folds and print
/// would read as marks; mike's T-shirt on light grey read 168 px before the search stopped at
/// the chin), but not on the face, the columns within `face_half` of `face_x` from row
/// `face_top` down (skin near the backdrop's colour, a pink backdrop's or an overexposed
/// face's, leaves its nostrils and brows as islands: the short-haired subject on a pink
/// backdrop read 12 px at his nose).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MarksLook {
    pub bottom: f64,
    pub face_x: f64,
    pub face_half: f64,
    pub face_top: f64,
    /// Regions reaching within this of `face_x`, from `face_top` down, are the student: the
    /// head, the hair round it, the neck.
    pub person_half: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 40×30 patch: a ramp of `slope` levels a pixel across and half that down, plus a
    /// checkerboard of ±`grain` (texture), on a grey of 150.
    fn patch(slope: f64, grain: f64) -> RgbImage {
        RgbImage::from_fn(40, 30, |x, y| {
            let check = if (x + y) % 2 == 0 { grain } else { -grain };
            let v = 150.0 + slope * (x as f64 - 19.5) + 0.5 * slope * (y as f64 - 14.5) + check;
            image::Rgb([v.round() as u8; 3])
        })
    }

    /// A light grey backdrop with a little noise, a face of skin, dark textured hair around it
    /// and hanging from the eye line down out to `hair` eye distances from the middle (eye
    /// distance 60 px, eyes at (300, 220)), and a textured dark square `blot` eye distances
    /// right of the middle at the eye line, if any.
    fn head_on_grey(hair: f64, blot: Option<f64>) -> RgbImage {
        let (cx, ey, ipd) = (300.0, 220.0, 60.0);
        RgbImage::from_fn(600, 560, |x, y| {
            let (dx, dy) = ((x as f64 - cx) / ipd, (y as f64 - ey) / ipd);
            let texture = if (x / 2 + y / 3) % 2 == 0 {
                18.0
            } else {
                -18.0
            };
            let v: [f64; 3] = if dx.hypot(dy / 1.3) < 1.0 {
                [200.0, 160.0, 140.0]
            } else if dx.hypot((dy + 0.3) / 1.2) < 1.3 || (dy > -0.4 && dx.abs() < hair) {
                [40.0 + texture; 3]
            } else if blot.is_some_and(|b| (dx - b).abs() < 0.3 && dy.abs() < 0.3) {
                [60.0 + texture; 3]
            } else {
                let n = ((x * 7 + y * 13) % 5) as f64 - 2.0;
                [240.0 + n; 3]
            };
            image::Rgb(v.map(|c| c.round().clamp(0.0, 255.0) as u8))
        })
    }

    #[test]
    fn hair_out_to_the_patches_beside_the_head_is_the_person_and_a_blot_apart_from_it_is_not() {
        let sample = |img: &RgbImage| sample_backdrop(img, 300.0, 220.0, 60.0).unwrap();
        // Short hair: every patch beside the head is backdrop.
        let short = sample(&head_on_grey(1.3, None));
        assert!(short.spread < 10.0, "{short:?}");
        // Dreadlocks or long curls hanging out past 2.1 eye distances beside the eyes and the
        // mouth: the patches there are hair,
        // joined to the head, and left out; the backdrop reads even.
        let full = sample(&head_on_grey(2.5, None));
        assert!(full.spread < 10.0 && full.noise < 3.0, "{full:?}");
        assert!(full.patches < short.patches, "{full:?} against {short:?}");
        // The same dark texture apart from the head, backdrop between: a blot on the backdrop.
        let blot = sample(&head_on_grey(1.3, Some(2.1)));
        assert!(blot.spread > 100.0, "{blot:?}");
    }

    #[test]
    fn the_grain_ignores_a_ramp_and_keeps_texture() {
        let whole = |img: &RgbImage| Rect {
            x0: 0,
            y0: 0,
            x1: img.width(),
            y1: img.height(),
        };
        // A soft shadow's edge: 1.5 levels a pixel, 60 across the patch.
        let ramp = patch(1.5, 0.0);
        let (mean, grain) = patch_grain(&ramp, whole(&ramp));
        assert!((mean[0] - 150.0).abs() < 1.0, "{mean:?}");
        assert!(grain < 0.6, "a ramp has no grain: {grain}");
        assert!(patch_stats(&ramp, whole(&ramp)).1 > 15.0, "but a deviation");
        // Texture of ±6 shows the same with or without the ramp under it.
        for slope in [0.0, 1.5] {
            let knit = patch(slope, 6.0);
            let (_, grain) = patch_grain(&knit, whole(&knit));
            assert!((grain - 6.0).abs() < 0.7, "slope {slope}: {grain}");
        }
    }
}
