//! MediaPipe Iris run with tract: the eyelids and the iris of one eye, measured close up.
//!
//! The face mesh places the eye corners well but draws the lids of a closed eye open (it learned
//! faces, not blinks: on the shut eyes of the FG-NET stills its lid gap stays at an open eye's
//! 0.25–0.29). The iris model looks at the eye alone: a 64×64 square centred between the eye's
//! corners, 2.3 × their distance on a side (MediaPipe's own region), RGB in 0–1, NCHW, the eye
//! on the image's right mirrored, as the model was trained on one eye. It answers 71 eye-contour
//! and brow points and 5 iris points, (x, y, z) in input pixels.

use crate::mesh::{InputStyle, Plan, load_square_model, planar_input, run_two};
use crate::{Point, VisionError};
use image::RgbImage;
use std::path::Path;

/// Side of the square the model looks at.
pub const INPUT_SIDE: u32 = 64;
/// The square's side over the distance between the eye's corners.
pub const REGION_SCALE: f64 = 2.3;
/// Contour and brow points the model gives.
const CONTOUR_POINTS: usize = 71;
/// Iris points: the centre, then four on its rim.
const IRIS_POINTS: usize = 5;
/// Contour points at the corners (outer, inner) and upper–lower lid pairs across the eye: the
/// first 16 contour points are the lids, 0 and 8 the corners, 1–7 the lower lid, 9–15 the upper.
const CORNERS: (usize, usize) = (0, 8);
const LIDS: [(usize, usize); 3] = [(11, 3), (12, 4), (13, 5)];
/// The largest iris radius kept, over the eye's width (corner to corner).
const MAX_RADIUS_OVER_WIDTH: f64 = 0.3;

/// One eye, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eye {
    /// Lid gap over the corner distance: 0.17–0.45 open on the real portraits, 0.03–0.11 shut.
    pub openness: f64,
    /// Centre of the iris: where the eye looks ([`Eye::gaze`], the pose rule's "eyes on the
    /// lens"); the eye line is the corners' midpoint, which the gaze does not move (see
    /// `--example hand_truth`).
    pub iris: Point,
    /// The model's two eye corners (outer, inner; its contour points 0 and 8).
    pub corners: (Point, Point),
    /// The iris's radius: the mean distance of the model's four rim points from its centre.
    pub radius: f64,
    /// Share of the pupil's pixels that glow red (a flash's red eye, "无红眼"): in the middle
    /// 0.4 of the iris's radius, bright red pixels at least 1.8 times their green and blue.
    pub red: f64,
    /// Share of the iris that is a near-white highlight: glare on glasses over the eye (the
    /// catchlight is a small part of it).
    pub glare: f64,
}

impl Eye {
    /// Where the iris sits in the eye: its centre's offset from the corners' midpoint over the
    /// corners' distance, `(along, across)` the line of the corners, toward the image's right
    /// and down (so a rolled head reads as a level one). Eyes on the lens of a frontal head read
    /// `along` within ±0.03 as the two eyes' mean (each eye alone leans toward its outer corner
    /// by about 0.05), `across` near −0.07 (the iris sits above the corners' line).
    pub fn gaze(&self) -> (f64, f64) {
        let (a, b) = self.corners;
        // The corners' line, pointing to the image's right.
        let (l, r) = if a.x <= b.x { (a, b) } else { (b, a) };
        let width = l.dist(r).max(1e-6);
        let (ux, uy) = ((r.x - l.x) / width, (r.y - l.y) / width);
        let (dx, dy) = (
            self.iris.x - (l.x + r.x) / 2.0,
            self.iris.y - (l.y + r.y) / 2.0,
        );
        ((dx * ux + dy * uy) / width, (dy * ux - dx * uy) / width)
    }
}

/// The loaded iris model. Load once; `Send + Sync`.
pub struct IrisModel {
    plan: Plan,
}

impl IrisModel {
    /// Load the Iris ONNX model (64×64 input) from `path`.
    pub fn load(path: &Path) -> Result<IrisModel, VisionError> {
        Ok(IrisModel {
            plan: load_square_model(path, INPUT_SIDE)?,
        })
    }

    /// The eye between `a` and `b` (its corners, either order); `mirrored` for the eye on the
    /// image's right.
    pub fn eye(
        &self,
        img: &RgbImage,
        a: Point,
        b: Point,
        mirrored: bool,
    ) -> Result<Eye, VisionError> {
        let side = (a.dist(b) * REGION_SCALE).max(4.0);
        let (cx, cy) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let (x0, y0) = (cx - side / 2.0, cy - side / 2.0);
        let style = InputStyle {
            flip: mirrored,
            ..InputStyle::PLAIN
        };
        let input = planar_input(img, x0, y0, side, INPUT_SIDE, style)?;
        let (contour, iris) = run_two(&self.plan, input, CONTOUR_POINTS * 3)?;
        if contour.len() != CONTOUR_POINTS * 3 || iris.len() != IRIS_POINTS * 3 {
            return Err(VisionError::Inference(format!(
                "unexpected iris output {} + {}",
                contour.len(),
                iris.len()
            )));
        }
        let k = side / INPUT_SIDE as f64;
        let at = |v: &[f32], i: usize| {
            let x = v[3 * i] as f64;
            let x = if mirrored { INPUT_SIDE as f64 - x } else { x };
            Point {
                x: x0 + x * k,
                y: y0 + v[3 * i + 1] as f64 * k,
            }
        };
        let gap: f64 = LIDS
            .iter()
            .map(|&(u, l)| at(&contour, u).dist(at(&contour, l)))
            .sum::<f64>()
            / LIDS.len() as f64;
        let width = at(&contour, CORNERS.0)
            .dist(at(&contour, CORNERS.1))
            .max(1e-6);
        let centre = at(&iris, 0);
        // An iris is about 0.4 of the eye's width across; a fit gone wrong (a shut eye) is
        // kept to a radius of 0.3 of it, so the pupil's disk stays inside the eye.
        let radius = ((1..IRIS_POINTS)
            .map(|i| at(&iris, i).dist(centre))
            .sum::<f64>()
            / (IRIS_POINTS - 1) as f64)
            .min(MAX_RADIUS_OVER_WIDTH * width);
        Ok(Eye {
            openness: gap / width,
            iris: centre,
            corners: (at(&contour, CORNERS.0), at(&contour, CORNERS.1)),
            radius,
            red: crate::measure::red_pupil(img, centre, radius),
            glare: crate::measure::glare_over_iris(img, centre, radius),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An eye 40 px wide centred at (100, 50), its corners' line turned by `deg` (a rolled head),
    /// the iris `along` and `across` eye widths from the middle in the eye's own axes.
    fn eye(deg: f64, along: f64, across: f64, outer_first_on_left: bool) -> Eye {
        let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
        let at = |u: f64, v: f64| Point {
            x: 100.0 + 40.0 * (u * c - v * s),
            y: 50.0 + 40.0 * (u * s + v * c),
        };
        let (l, r) = (at(-0.5, 0.0), at(0.5, 0.0));
        Eye {
            openness: 0.3,
            iris: at(along, across),
            corners: if outer_first_on_left { (l, r) } else { (r, l) },
            radius: 8.0,
            red: 0.0,
            glare: 0.0,
        }
    }

    #[test]
    fn gaze_is_read_in_the_eyes_own_axes_whatever_the_roll_or_the_corners_order() {
        for deg in [0.0, 8.0, -15.0] {
            for outer_first_on_left in [true, false] {
                let (along, across) = eye(deg, 0.09, -0.07, outer_first_on_left).gaze();
                assert!(
                    (along - 0.09).abs() < 1e-9 && (across + 0.07).abs() < 1e-9,
                    "rolled {deg}°: ({along}, {across})"
                );
            }
        }
        // Read along the image's x axis instead, a head rolled 15° would move the iris's usual
        // place above the corners' line (-0.07) into the sideways reading by about 0.018.
        let e = eye(15.0, 0.0, -0.07, true);
        let (a, b) = e.corners;
        let plain = (e.iris.x - (a.x + b.x) / 2.0) / a.dist(b);
        assert!(plain.abs() > 0.015 && e.gaze().0.abs() < 1e-9, "{plain}");
    }
}
