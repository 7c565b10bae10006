//! Headwear ("免冠") and what else a face-parsing network run with tract labels around the
//! head: the ears under the hair or not ("露出双耳", [`Parsing::ears`]), the eyebrows under a
//! fringe or not ("露出眉毛", [`Parsing::brows`]), tinted lenses or clear
//! ([`Parsing::lens_light`]), the lips in view or under a mask ([`Parsing::lips`]), the inside
//! of the mouth between parted lips ([`Parsing::inner_mouth`]) and the cheeks' outline, the
//! face width ([`Parsing::face_width`]). One run per photo gives all seven.
//!
//! The landmark models know faces, not hats: a naval cap, a beanie or a brimmed hat leaves every
//! landmark where it is, and a cap's crown is as high as a tall head of hair, so no geometric
//! rule separates them (on the real portraits the eye-to-head-top distance over the face width
//! is 0.93–1.0 under Grace Hopper's cap and 0.72–1.4 for bare heads). BiSeNet face parsing
//! labels every pixel as one of 19 classes, hair (17) and hat (18) among them.
//!
//! The network looks at a 512×512 square around the head: 2.2 face widths on a side, the eye line
//! 0.55 of the way down, so hair and hat and the shoulders' start are in view as in the portraits
//! it was trained on. RGB is normalised with ImageNet's mean and deviation, NCHW. It answers the
//! 19 classes' scores on a 64×64 grid (1/8 of the input: the area is what counts, so the grid
//! is not upsampled). The measure is the area labelled hat above the eye line, over the face
//! width squared.
//!
//! Cost: one run is 0.55 s on one core of this project's 2-core machine, 0.37 s on both
//! (ResNet-18 at 512; tract's matrix kernels on a thread pool), thirty times a frame's analysis,
//! so it runs once per photo ([`crate::Analyzer::judge`]) and, for the live overlay, on one core
//! in the background every few seconds (the station's hat probe), never on every frame.
//!
//! Scope: the network's class 18 is "hat" as CelebAMask-HQ's annotators drew it (caps, beanies,
//! brimmed and peaked hats). Hoods, headscarves and headbands are not in its training classes
//! and may read as hair or cloth: they are not caught here.

use crate::VisionError;
use crate::mesh::{InputStyle, Plan, load_square_model, planar_input, run_two};
use image::RgbImage;
use std::path::Path;
use tract_linalg::multithread::{Executor, multithread_tract_scope};
use tract_onnx::prelude::*;

/// Side of the square the network looks at.
pub const INPUT_SIDE: u32 = 512;
/// The square's side over the face width.
pub const REGION_SCALE: f64 = 2.2;
/// Where the eye line sits in the square, as a share of its side from the top.
const EYE_AT: f64 = 0.55;
/// The network's classes, and the one for hats.
const CLASSES: usize = 19;
const HAT: usize = 18;
/// RGB normalised with ImageNet's per-channel mean and deviation, which the network was trained
/// with. Where the square runs off the frame (a finished photo's head reaches near its top and
/// sides) the frame's edge pixels are repeated outward: a band of black there reads to the
/// network as a dark hat over the hair (bare heads on finished photos measured 0.15–0.19 with
/// black padding, 0 with the edge repeated).
const STYLE: InputStyle = InputStyle {
    flip: false,
    edge: true,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
};

/// The loaded face-parsing network. Load once; `Send + Sync`.
pub struct HeadwearModel {
    plan: Plan,
    pool: Executor,
}

impl HeadwearModel {
    /// Load the face-parsing ONNX model (512×512 input, 19 class scores at 1/8 scale) from `path`.
    pub fn load(path: &Path) -> Result<HeadwearModel, VisionError> {
        Ok(HeadwearModel {
            plan: load_square_model(path, INPUT_SIDE)?,
            // The network's matrix products shared over every core (the live overlay's
            // analysis, a few milliseconds a frame, takes its turn between them; the
            // validator's workers share the one pool).
            pool: Executor::multithread_with_name(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
                "caiji-headwear",
            ),
        })
    }

    /// The network's class scores over the square around the face whose eyes are centred at
    /// `face_center_x` on the row `eye_y` (source pixels), on every core.
    pub fn parse(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
    ) -> Result<Parsing, VisionError> {
        self.parse_on(img, face_center_x, eye_y, face_width, self.pool.clone())
    }

    /// [`HeadwearModel::parse`] on the calling thread alone (about 0.55 s): for a background
    /// run beside the live overlay, which keeps the other cores.
    pub fn parse_on_this_thread(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
    ) -> Result<Parsing, VisionError> {
        self.parse_on(
            img,
            face_center_x,
            eye_y,
            face_width,
            Executor::SingleThread,
        )
    }

    fn parse_on(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
        executor: Executor,
    ) -> Result<Parsing, VisionError> {
        // A place that is not a number would make every grid cell the whole frame.
        if ![face_center_x, eye_y, face_width]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(VisionError::Inference(
                "face parsing asked for a region that is not a number".into(),
            ));
        }
        let face_width = face_width.max(8.0);
        let side = REGION_SCALE * face_width;
        let (x0, y0) = (face_center_x - side / 2.0, eye_y - EYE_AT * side);
        let input = planar_input(img, x0, y0, side, INPUT_SIDE, STYLE)?;
        let n = (INPUT_SIDE / 8) as usize;
        let (scores, _) =
            multithread_tract_scope(executor, || run_two(&self.plan, input, CLASSES * n * n))?;
        if scores.len() != CLASSES * n * n {
            return Err(VisionError::Inference(format!(
                "unexpected face parsing output of {} values",
                scores.len()
            )));
        }
        // A score that is not a number would lose every comparison below and pass the rule.
        if !scores.iter().all(|v| v.is_finite()) {
            return Err(VisionError::Inference(
                "face parsing gave a non-finite score".into(),
            ));
        }
        Ok(Parsing {
            scores,
            n,
            x0,
            y0,
            cell: side / n as f64,
            face_width,
        })
    }
}

/// The face-parsing network's answer for one face: 19 class scores on an `n × n` grid whose
/// cells are `cell` source pixels wide, the grid's top left corner at (`x0`, `y0`).
#[derive(Debug, Clone)]
pub struct Parsing {
    scores: Vec<f32>,
    n: usize,
    x0: f64,
    y0: f64,
    cell: f64,
    face_width: f64,
}

impl Parsing {
    fn score(&self, class: usize, cell: usize) -> f32 {
        self.scores[class * self.n * self.n + cell]
    }

    /// Area labelled hat above the eye line, over the face width squared: grid rows wholly
    /// above the eye line, a cell is hat where that class scores highest.
    pub fn hat_share(&self) -> f64 {
        let n = self.n;
        let rows = (EYE_AT * n as f64).floor() as usize;
        let hat = (0..rows * n)
            .filter(|&cell| {
                (0..CLASSES)
                    .all(|class| class == HAT || self.score(class, cell) < self.score(HAT, cell))
            })
            .count();
        hat as f64 * self.cell_share()
    }

    /// One grid cell's area over the face width squared: the unit of every area measured here.
    fn cell_share(&self) -> f64 {
        self.cell * self.cell / (self.face_width * self.face_width)
    }

    /// The class scoring highest in a grid cell.
    fn label(&self, cell: usize) -> usize {
        (0..CLASSES)
            .max_by(|&a, &b| self.score(a, cell).total_cmp(&self.score(b, cell)))
            .unwrap_or(0)
    }

    /// Area labelled inner mouth (between the lips), over the face width squared.
    pub fn inner_mouth(&self) -> f64 {
        self.class_area(INNER_MOUTH)
    }

    /// Area labelled `class` (CelebAMask-HQ's numbering) in the whole square, over the face
    /// width squared.
    fn class_area(&self, class: usize) -> f64 {
        let cells = (0..self.n * self.n)
            .filter(|&c| self.label(c) == class)
            .count();
        cells as f64 * self.cell_share()
    }

    /// Area labelled lips (upper and lower), over the face width squared: a mask or a hand
    /// over the mouth hides them.
    pub fn lips(&self) -> f64 {
        LIPS.iter().map(|&c| self.class_area(c)).sum()
    }

    /// Area labelled ear on the image's left and right half of the square (which is centred on
    /// the face), each over the face width squared: an ear under the hair is labelled hair.
    pub fn ears(&self) -> (f64, f64) {
        self.halves(&EARS)
    }

    /// Area labelled eye (the open eye's white and iris) on the image's left and right half of
    /// the square, each over the face width squared: a shut or screwed-up eye, or one under a
    /// hand, is labelled skin.
    pub fn eyes(&self) -> (f64, f64) {
        self.halves(&EYES)
    }

    /// Whether the network sees glasses on the face
    /// ([`caiji_spec::Tolerances::glasses_min_area`] of the face width squared or more).
    pub fn glasses_seen(&self) -> bool {
        self.class_area(GLASSES) >= caiji_spec::TOLERANCES.glasses_min_area
    }

    /// Area labelled eyebrow on the image's left and right half of the square, each over the
    /// face width squared: a brow under a fringe is labelled hair.
    pub fn brows(&self) -> (f64, f64) {
        self.halves(&BROWS)
    }

    /// Area labelled one of `classes` on the image's left and right half of the square.
    fn halves(&self, classes: &[usize]) -> (f64, f64) {
        let n = self.n;
        let (mut left, mut right) = (0usize, 0usize);
        for cell in 0..n * n {
            if classes.contains(&self.label(cell)) {
                if cell % n < n / 2 {
                    left += 1;
                } else {
                    right += 1;
                }
            }
        }
        let unit = self.cell_share();
        (left as f64 * unit, right as f64 * unit)
    }

    /// How much light the glasses' lenses let through: the median brightness (luma) of the
    /// cells labelled glasses over that of the cells labelled skin, in `img` (the frame
    /// parsed). Behind clear lenses the network labels the whole lens glasses and the skin and
    /// eyes show through it, about as bright as the cheeks; behind sunglasses it is dark.
    /// `None` when no glasses are seen (less than
    /// [`caiji_spec::Tolerances::glasses_min_area`] of the face width squared) or no skin is.
    pub fn lens_light(&self, img: &RgbImage) -> Option<f64> {
        let (mut lens, mut skin, mut glasses_cells) = (Vec::new(), Vec::new(), 0usize);
        for cell in 0..self.n * self.n {
            let into = match self.label(cell) {
                GLASSES => {
                    glasses_cells += 1;
                    &mut lens
                }
                SKIN => &mut skin,
                _ => continue,
            };
            into.extend(self.cell_luma(img, cell));
        }
        if glasses_cells as f64 * self.cell_share() < caiji_spec::TOLERANCES.glasses_min_area {
            return None;
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        };
        let (lens, skin) = (median(&mut lens)?, median(&mut skin)?);
        (skin > 0.0).then(|| lens / skin)
    }

    /// Mean luma (BT.601) of the source pixels a grid cell covers, `None` when the cell lies
    /// off the frame.
    fn cell_luma(&self, img: &RgbImage, cell: usize) -> Option<f64> {
        let (gx, gy) = ((cell % self.n) as f64, (cell / self.n) as f64);
        let (w, h) = (img.width() as f64, img.height() as f64);
        let x0 = (self.x0 + gx * self.cell).max(0.0);
        let y0 = (self.y0 + gy * self.cell).max(0.0);
        let x1 = (self.x0 + (gx + 1.0) * self.cell).min(w);
        let y1 = (self.y0 + (gy + 1.0) * self.cell).min(h);
        let (x0, y0, x1, y1) = (x0 as u32, y0 as u32, x1.ceil() as u32, y1.ceil() as u32);
        let (x1, y1) = (x1.min(img.width()), y1.min(img.height()));
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let mut sum = 0.0;
        for y in y0..y1 {
            for x in x0..x1 {
                let [r, g, b] = img.get_pixel(x, y).0;
                sum += 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
            }
        }
        Some(sum / ((x1 - x0) * (y1 - y0)) as f64)
    }

    /// Every class's score at a source point, bilinear between the cells' centres.
    fn scores_at(&self, x: f64, y: f64) -> [f32; CLASSES] {
        let last = (self.n - 1) as f64;
        let gx = ((x - self.x0) / self.cell - 0.5).clamp(0.0, last);
        let gy = ((y - self.y0) / self.cell - 0.5).clamp(0.0, last);
        let (cx, cy) = (gx.floor() as usize, gy.floor() as usize);
        let (nx, ny) = ((cx + 1).min(self.n - 1), (cy + 1).min(self.n - 1));
        let (fx, fy) = ((gx - cx as f64) as f32, (gy - cy as f64) as f32);
        std::array::from_fn(|c| {
            let at = |x: usize, y: usize| self.score(c, y * self.n + x);
            let top = at(cx, cy) * (1.0 - fx) + at(nx, cy) * fx;
            let bottom = at(cx, ny) * (1.0 - fx) + at(nx, ny) * fx;
            top * (1.0 - fy) + bottom * fy
        })
    }

    /// How much more the face's own classes score than anything else at a source point.
    fn face_margin(&self, x: f64, y: f64, glasses_face: bool) -> f32 {
        let s = self.scores_at(x, y);
        let (mut face, mut other) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for (c, v) in s.iter().enumerate() {
            let is_face = FACE.contains(&c) || (glasses_face && c == GLASSES);
            if is_face {
                face = face.max(*v);
            } else if c != GLASSES {
                other = other.max(*v);
            }
        }
        face - other
    }

    /// Face width "between the two cheeks" (两脸颊之间): the face's skin outline at its widest,
    /// not counting ears or hair, on rows from a third of the way from the eye line `eye_y`
    /// down to the nose tip `nose_y`, walking out from `center_x` (source pixels). `None` when
    /// the network does not see a face there.
    ///
    /// The rows start below the eye line because there the glasses' arms and the hair at the
    /// temples reach the ears (against the hand-marked cheeks on the 11 frontal faces, rows
    /// from the eye line read Grace Hopper, in glasses, 6.7 % wide, from a third of the way
    /// down 4.5 %; `--example hand_truth`).
    pub fn face_width(&self, center_x: f64, eye_y: f64, nose_y: f64) -> Option<f64> {
        let top = eye_y + (nose_y - eye_y) / 3.0;
        self.face_extent(center_x, top, nose_y, WIDTH_ROWS, false)
            .map(|(l, r)| r - l)
    }

    /// The face's outline on each side (source x of its leftmost and rightmost point) on
    /// `rows` evenly spaced rows from `top` to `bottom`, walking out from `center_x` until the
    /// face's classes stop winning (`glasses_face`: the glasses count as face, else as
    /// neither). `None` when the middle is not face on any row.
    pub fn face_extent(
        &self,
        center_x: f64,
        top: f64,
        bottom: f64,
        rows: usize,
        glasses_face: bool,
    ) -> Option<(f64, f64)> {
        let step = self.cell / 8.0;
        let reach = 0.9 * self.face_width;
        let (mut left, mut right) = (f64::INFINITY, f64::NEG_INFINITY);
        for r in 0..rows {
            let y = top + (bottom - top) * r as f64 / (rows.max(2) - 1) as f64;
            let middle = self.face_margin(center_x, y, glasses_face);
            if middle <= 0.0 {
                continue;
            }
            for dir in [-1.0, 1.0] {
                let mut prev = (0.0, middle);
                let mut d = step;
                while d < reach {
                    let m = self.face_margin(center_x + dir * d, y, glasses_face);
                    if m <= 0.0 {
                        // The crossing, linear between the last two steps.
                        let t = prev.1 as f64 / (prev.1 - m) as f64;
                        let edge = center_x + dir * (prev.0 + t * (d - prev.0));
                        if dir < 0.0 {
                            left = left.min(edge);
                        } else {
                            right = right.max(edge);
                        }
                        break;
                    }
                    prev = (d, m);
                    d += step;
                }
            }
        }
        (left.is_finite() && right.is_finite()).then_some((left, right))
    }
}

/// CelebAMask-HQ's classes that are the face itself: skin, brows, eyes, nose, mouth, lips (not
/// ears, hair, neck, cloth, hat or the background).
const FACE: [usize; 9] = [1, 2, 3, 4, 5, 10, 11, 12, 13];
/// The inside of the mouth, between the lips.
const INNER_MOUTH: usize = 11;
/// The left and right ear (the student's; the image's sides are told apart by position).
const EARS: [usize; 2] = [7, 8];
/// The left and right eye.
const EYES: [usize; 2] = [4, 5];
/// The left and right eyebrow.
const BROWS: [usize; 2] = [2, 3];
/// The upper and lower lip.
const LIPS: [usize; 2] = [12, 13];
/// Eyeglasses: their arms run to the ears over the cheeks.
const GLASSES: usize = 6;
/// Skin.
const SKIN: usize = 1;
/// Rows the face width is looked for on.
const WIDTH_ROWS: usize = 9;
