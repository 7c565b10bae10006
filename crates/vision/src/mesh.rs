//! MediaPipe Face Mesh (468 landmarks with relative depth) run with tract: the dense landmarks
//! that pose, mouth and the cheek-to-cheek face width are measured from, and the eye corners
//! the iris model is placed by (it measures the lids).
//!
//! The model looks at a 192×192 square around the face the detector found (1.5 × its box, the
//! region MediaPipe's own pipeline gives it), RGB scaled to 0–1, NCHW. It answers 468 × (x, y, z)
//! in input pixels, z a depth on the same scale as x, and a face-presence logit.

use crate::detect::square_region;
use crate::{Point, VisionError};
use image::RgbImage;
use std::path::Path;
use tract_onnx::prelude::*;

/// Side of the square the model looks at.
pub const INPUT_SIDE: u32 = 192;
/// The square around the detector's box that the model is shown, as a multiple of its side.
pub const REGION_SCALE: f64 = 1.5;
/// Landmarks the model gives.
pub const POINTS: usize = 468;

/// Indices into the mesh (MediaPipe's canonical face model). "Left" and "right" are the image's.
pub mod index {
    /// Outer and inner corner of the eye on the image's left (the student's right eye).
    pub const EYE_L_CORNERS: (usize, usize) = (33, 133);
    /// Inner and outer corner of the eye on the image's right.
    pub const EYE_R_CORNERS: (usize, usize) = (362, 263);
    /// Inner lips, upper and lower, at the middle. (The lids are measured by the iris model:
    /// the mesh draws a shut eye open.)
    pub const LIPS_INNER: (usize, usize) = (13, 14);
    /// Mouth corners.
    pub const MOUTH_CORNERS: (usize, usize) = (61, 291);
    /// The inner lip outline: the upper lip's inner edge corner to corner, then the lower's back.
    pub const INNER_LIPS: [usize; 20] = [
        78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95,
    ];
    /// On each cheek, below the eye: skin to compare the teeth with.
    pub const CHEEK_SKIN: [usize; 2] = [205, 425];
    /// The face outline at the cheeks, level with the eyes ("两脸颊之间").
    pub const CHEEKS: (usize, usize) = (234, 454);
    /// Top of the forehead and bottom of the chin on the face outline.
    pub const FOREHEAD: usize = 10;
    /// Bottom of the chin.
    pub const CHIN: usize = 152;
    /// Tip of the nose.
    pub const NOSE_TIP: usize = 1;
}

/// A landmark in source pixels, with the model's relative depth (source-pixel scale, larger is
/// farther from the camera).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Landmark {
    /// Column.
    pub x: f64,
    /// Row.
    pub y: f64,
    /// Relative depth.
    pub z: f64,
}

impl Landmark {
    /// The point in the image plane.
    pub fn xy(self) -> Point {
        Point {
            x: self.x,
            y: self.y,
        }
    }
}

/// The 468 landmarks of one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Mesh {
    /// Landmarks in source pixels.
    pub points: Vec<Landmark>,
    /// Face presence, 0–1.
    pub presence: f64,
}

impl Mesh {
    fn d(&self, a: usize, b: usize) -> f64 {
        self.points[a].xy().dist(self.points[b].xy())
    }

    fn mid(&self, a: usize, b: usize) -> Point {
        let (p, q) = (self.points[a], self.points[b]);
        Point {
            x: (p.x + q.x) / 2.0,
            y: (p.y + q.y) / 2.0,
        }
    }

    /// The inner outline of the lips, upper lip from the image's left corner to its right, then
    /// the lower lip back: what shows between the lips lies inside.
    pub fn inner_lips(&self) -> Vec<Point> {
        index::INNER_LIPS
            .iter()
            .map(|&i| self.points[i].xy())
            .collect()
    }

    /// Mouth width: corner to corner.
    pub fn mouth_width(&self) -> f64 {
        let (l, r) = index::MOUTH_CORNERS;
        self.d(l, r)
    }

    /// Lip gap over the mouth width.
    pub fn mouth_open(&self) -> f64 {
        let (a, b) = index::LIPS_INNER;
        let (l, r) = index::MOUTH_CORNERS;
        self.d(a, b) / self.d(l, r).max(1e-6)
    }

    /// Outer and inner corner of the eye on the image's left.
    pub fn corners_left(&self) -> (Point, Point) {
        (
            self.points[index::EYE_L_CORNERS.0].xy(),
            self.points[index::EYE_L_CORNERS.1].xy(),
        )
    }

    /// Inner and outer corner of the eye on the image's right.
    pub fn corners_right(&self) -> (Point, Point) {
        (
            self.points[index::EYE_R_CORNERS.0].xy(),
            self.points[index::EYE_R_CORNERS.1].xy(),
        )
    }

    /// Centre of the eye on the image's left: the middle of its corners.
    pub fn eye_left(&self) -> Point {
        self.mid(index::EYE_L_CORNERS.0, index::EYE_L_CORNERS.1)
    }

    /// Centre of the eye on the image's right.
    pub fn eye_right(&self) -> Point {
        self.mid(index::EYE_R_CORNERS.0, index::EYE_R_CORNERS.1)
    }

    /// Yaw in degrees from the depth of the two cheeks (positive: the image-right cheek farther).
    pub fn yaw_deg(&self) -> f64 {
        let (l, r) = (self.points[index::CHEEKS.0], self.points[index::CHEEKS.1]);
        (r.z - l.z).atan2(r.x - l.x).to_degrees()
    }

    /// Pitch in degrees from the depth of forehead and chin (positive: the chin farther, the
    /// head tipped back).
    pub fn pitch_deg(&self) -> f64 {
        let (t, b) = (self.points[index::FOREHEAD], self.points[index::CHIN]);
        (b.z - t.z).atan2(b.y - t.y).to_degrees()
    }
}

pub(crate) type Plan = std::sync::Arc<TypedSimplePlan>;

/// Load an ONNX landmark model with one `1 × 3 × side × side` input, optimised (with our
/// kernels in place of tract's where they fit) and ready to run.
pub(crate) fn load_square_model(path: &Path, side: u32) -> Result<Plan, VisionError> {
    if !path.is_file() {
        return Err(VisionError::ModelMissing {
            path: path.to_owned(),
        });
    }
    let side = side as usize;
    tract_onnx::onnx()
        .model_for_path(path)
        .and_then(|m| m.with_input_fact(0, f32::fact([1, 3, side, side]).into()))
        .and_then(|m| crate::kernels::plan(m))
        .map_err(|e| VisionError::Model {
            path: path.to_owned(),
            reason: format!("{e:#}"),
        })
}

/// Run a two-output `plan` on `input`: both outputs as flat float vectors, the one of
/// `first_len` values first (converters do not keep the outputs' order).
pub(crate) fn run_two(
    plan: &Plan,
    input: Tensor,
    first_len: usize,
) -> Result<(Vec<f32>, Vec<f32>), VisionError> {
    let err = |e: TractError| VisionError::Inference(format!("{e:#}"));
    let out = plan.run(tvec!(input.into_tvalue())).map_err(err)?;
    let mut out = out
        .iter()
        .map(|t| {
            Ok(t.to_plain_array_view::<f32>()
                .map_err(err)?
                .iter()
                .copied()
                .collect())
        })
        .collect::<Result<Vec<Vec<f32>>, VisionError>>()?;
    if out.len() == 2 && out[0].len() != first_len {
        out.swap(0, 1);
    }
    let mut out = out.into_iter();
    Ok((
        out.next().unwrap_or_default(),
        out.next().unwrap_or_default(),
    ))
}

/// The loaded landmark model. Load once; `Send + Sync`.
pub struct FaceMesh {
    plan: Plan,
}

impl FaceMesh {
    /// Load the Face Mesh ONNX model (192×192 input) from `path`.
    pub fn load(path: &Path) -> Result<FaceMesh, VisionError> {
        Ok(FaceMesh {
            plan: load_square_model(path, INPUT_SIDE)?,
        })
    }

    /// The landmarks of the face in the square `(cx ± side/2, cy ± side/2)` of `img`; the part
    /// outside the image reads as black.
    pub fn landmarks(
        &self,
        img: &RgbImage,
        cx: f64,
        cy: f64,
        side: f64,
    ) -> Result<Mesh, VisionError> {
        let (x0, y0) = (cx - side / 2.0, cy - side / 2.0);
        let input = planar_input(img, x0, y0, side, INPUT_SIDE, InputStyle::PLAIN)?;
        let (coords, flag) = run_two(&self.plan, input, POINTS * 3)?;
        let logit = flag.first().copied().unwrap_or(f32::NEG_INFINITY);
        if coords.len() != POINTS * 3 {
            return Err(VisionError::Inference(format!(
                "unexpected landmark count {}",
                coords.len()
            )));
        }
        let k = side / INPUT_SIDE as f64;
        let points = coords
            .chunks_exact(3)
            .map(|c| Landmark {
                x: x0 + c[0] as f64 * k,
                y: y0 + c[1] as f64 * k,
                z: c[2] as f64 * k,
            })
            .collect();
        Ok(Mesh {
            points,
            presence: 1.0 / (1.0 + (-(logit.clamp(-60.0, 60.0) as f64)).exp()),
        })
    }
}

/// How a model wants its input square: mirrored or not, what stands where the square runs off
/// the frame, and each channel's normalisation of the 0–1 values, `(v - mean) / std`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputStyle {
    /// Mirrored left to right.
    pub flip: bool,
    /// Outside the frame: the frame's edge pixels repeated outward (else black).
    pub edge: bool,
    /// Per-channel mean subtracted.
    pub mean: [f32; 3],
    /// Per-channel deviation divided by.
    pub std: [f32; 3],
}

impl InputStyle {
    /// RGB in 0–1, black outside the frame: the MediaPipe models.
    pub const PLAIN: InputStyle = InputStyle {
        flip: false,
        edge: false,
        mean: [0.0; 3],
        std: [1.0; 3],
    };
}

/// The square region as an `n × n` NCHW model input, as `style` says.
pub(crate) fn planar_input(
    img: &RgbImage,
    x0: f64,
    y0: f64,
    side: f64,
    n: u32,
    style: InputStyle,
) -> Result<Tensor, VisionError> {
    let n = n as usize;
    let plane = n * n;
    // Each channel's 256 input values normalised once: a table look-up a pixel instead of a
    // division (the mesh's input took 0.3 ms to convert, and 0.15 ms to fill through an iterator).
    let table: [[f32; 256]; 3] = std::array::from_fn(|c| {
        std::array::from_fn(|v| (v as f32 / 255.0 - style.mean[c]) / style.std[c])
    });
    let mut input =
        Tensor::zero::<f32>(&[1, 3, n, n]).map_err(|e| VisionError::Inference(format!("{e:#}")))?;
    {
        let mut plain = input
            .try_as_plain_ram_mut()
            .map_err(|e| VisionError::Inference(format!("{e:#}")))?;
        let data = plain
            .as_slice_mut::<f32>()
            .map_err(|e| VisionError::Inference(format!("{e:#}")))?;
        for (p, t) in data.chunks_exact_mut(plane).zip(&table) {
            p.fill(t[0]);
        }
        if let Some((small, dx0, dy0)) = square_region(img, x0, y0, side, n as u32)? {
            let (dx0, dy0) = (dx0 as usize, dy0 as usize);
            let (sw, sh) = (small.width() as usize, small.height() as usize);
            let (red, rest) = data.split_at_mut(plane);
            let (green, blue) = rest.split_at_mut(plane);
            // Each row into the three planes' slices it covers, mirrored by walking its pixels
            // backwards (an index a pixel, with its bounds checks, cost as much as the resize).
            let cols = if style.flip {
                n - dx0 - sw..n - dx0
            } else {
                dx0..dx0 + sw
            };
            for (y, row) in small.as_raw().chunks_exact(3 * sw).enumerate() {
                let span = (y + dy0) * n + cols.start..(y + dy0) * n + cols.end;
                let planes = red[span.clone()]
                    .iter_mut()
                    .zip(&mut green[span.clone()])
                    .zip(&mut blue[span]);
                let put = |(p, ((r, g), b)): (&[u8], ((&mut f32, &mut f32), &mut f32))| {
                    *r = table[0][p[0] as usize];
                    *g = table[1][p[1] as usize];
                    *b = table[2][p[2] as usize];
                };
                if style.flip {
                    row.chunks_exact(3).rev().zip(planes).for_each(put);
                } else {
                    row.chunks_exact(3).zip(planes).for_each(put);
                }
            }
            if style.edge {
                // The columns the frame covers, then its rows: beside them the edge column is
                // repeated, above and below the edge row.
                let (c0, c1) = (cols.start, cols.end);
                for p in [red, green, blue] {
                    for y in dy0..dy0 + sh {
                        let row = &mut p[y * n..(y + 1) * n];
                        let (left, right) = (row[c0], row[c1 - 1]);
                        row[..c0].fill(left);
                        row[c1..].fill(right);
                    }
                    for y in (0..dy0).chain(dy0 + sh..n) {
                        let from = y.clamp(dy0, dy0 + sh - 1) * n;
                        p.copy_within(from..from + n, y * n);
                    }
                }
            }
        }
    }
    Ok(input)
}
