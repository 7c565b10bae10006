//! BlazeFace (MediaPipe's short-range face detector) run with tract: boxes and six landmarks.

use crate::{Point, VisionError};
use fast_image_resize as fr;
use image::RgbImage;
use std::path::Path;
use std::sync::OnceLock;
use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::{InferenceOp, expand};
use tract_onnx::tract_hir::ops::array::ConstantOfShape;

/// Side of the square the model looks at.
pub const INPUT_SIDE: u32 = 128;

/// One face as the detector sees it, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Detection {
    /// Confidence, 0–1.
    pub score: f32,
    /// Box centre.
    pub center: Point,
    /// Box side (the model's boxes are square).
    pub size: f64,
    /// The eye on the image's left (the student's right eye).
    pub eye_left: Point,
    /// The eye on the image's right.
    pub eye_right: Point,
    /// Nose tip.
    pub nose: Point,
    /// Mouth centre.
    pub mouth: Point,
    /// Ear point (tragion) on the image's left.
    pub ear_left: Point,
    /// Ear point on the image's right.
    pub ear_right: Point,
}

type Plan = std::sync::Arc<TypedSimplePlan>;

/// The loaded model with its anchor table. Load once, run on every frame; `Send + Sync`.
pub struct Detector {
    plan: Plan,
    anchors: Vec<(f32, f32)>,
}

static CONSTANT_OF_SHAPE: OnceLock<OnnxOpBuilder> = OnceLock::new();
type OnnxOpBuilder =
    fn(&ParsingContext, &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// ONNX says a `ConstantOfShape` without `value` fills with float32 zeros; tract 0.23 fills with f64,
/// which then fails to unify with the f32 graph. Build those nodes ourselves; defer the rest.
fn constant_of_shape_f32(
    ctx: &ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    if node.attribute.iter().any(|a| a.name == "value") {
        let builtin = CONSTANT_OF_SHAPE.get().expect("registered before parsing");
        return builtin(ctx, node);
    }
    Ok((expand(ConstantOfShape::new(rctensor0(0.0f32))), vec![]))
}

impl Detector {
    /// The ONNX loader the detector's file needs: tract's, with unvalued `ConstantOfShape`
    /// nodes filled with float32 zeros, as ONNX says (tract 0.23 fills them with f64).
    pub fn onnx() -> tract_onnx::Onnx {
        let mut onnx = tract_onnx::onnx();
        if let Some(b) = onnx.op_register.0.get("ConstantOfShape") {
            let _ = CONSTANT_OF_SHAPE.set(*b);
        }
        onnx.op_register
            .insert("ConstantOfShape", constant_of_shape_f32);
        onnx
    }

    /// Load the BlazeFace front-camera ONNX model (128×128 input) from `path`.
    pub fn load(path: &Path) -> Result<Detector, VisionError> {
        let fail = |e: TractError| VisionError::Model {
            path: path.to_owned(),
            reason: format!("{e:#}"),
        };
        if !path.is_file() {
            return Err(VisionError::ModelMissing {
                path: path.to_owned(),
            });
        }
        let side = INPUT_SIDE as usize;
        let plan = Detector::onnx()
            .model_for_path(path)
            .and_then(|m| m.with_input_fact(0, f32::fact([1, side, side, 3]).into()))
            .and_then(|m| crate::kernels::plan(m))
            .map_err(fail)?;
        let mut anchors = Vec::with_capacity(896);
        // MediaPipe's SSD anchors for this model: a 16×16 grid with 2 anchors per cell, then 8×8 with 6.
        for (grid, per_cell) in [(16u32, 2), (8, 6)] {
            for y in 0..grid {
                for x in 0..grid {
                    for _ in 0..per_cell {
                        anchors.push((
                            (x as f32 + 0.5) / grid as f32,
                            (y as f32 + 0.5) / grid as f32,
                        ));
                    }
                }
            }
        }
        Ok(Detector { plan, anchors })
    }

    /// Faces in the square region `(x0, y0, side)` of `img` (it may extend past the image: the
    /// outside reads as black), scored at least `min_score`, merged by weighted non-maximum
    /// suppression, best first.
    pub fn detect_region(
        &self,
        img: &RgbImage,
        x0: f64,
        y0: f64,
        side: f64,
        min_score: f32,
    ) -> Result<Vec<Detection>, VisionError> {
        let input = square_input(img, x0, y0, side)?;
        let outputs = self
            .plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| VisionError::Inference(format!("{e:#}")))?;
        let mut scores: Vec<f32> = Vec::with_capacity(896);
        let mut regs: Vec<f32> = Vec::with_capacity(896 * 16);
        // Outputs: scores 512×1, scores 384×1, boxes 512×16, boxes 384×16 (stride 8, then 16).
        let view = |i: usize| -> Result<Vec<f32>, VisionError> {
            let v = outputs[i]
                .to_plain_array_view::<f32>()
                .map_err(|e| VisionError::Inference(format!("{e:#}")))?;
            Ok(v.iter().copied().collect())
        };
        scores.extend(view(0)?);
        scores.extend(view(1)?);
        regs.extend(view(2)?);
        regs.extend(view(3)?);
        if scores.len() != self.anchors.len() || regs.len() != 16 * self.anchors.len() {
            return Err(VisionError::Inference(format!(
                "unexpected output sizes {} / {}",
                scores.len(),
                regs.len()
            )));
        }
        let s = INPUT_SIDE as f32;
        let map = |ax: f32, ay: f32, dx: f32, dy: f32| Point {
            x: x0 + ((ax + dx / s) as f64) * side,
            y: y0 + ((ay + dy / s) as f64) * side,
        };
        let mut raw = Vec::new();
        for (i, (&logit, &(ax, ay))) in scores.iter().zip(&self.anchors).enumerate() {
            let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
            if score < min_score {
                continue;
            }
            let r = &regs[i * 16..i * 16 + 16];
            let kp = |k: usize| map(ax, ay, r[4 + 2 * k], r[5 + 2 * k]);
            raw.push(Detection {
                score,
                center: map(ax, ay, r[0], r[1]),
                size: (r[2].max(r[3]) / s) as f64 * side,
                eye_left: kp(0),
                eye_right: kp(1),
                nose: kp(2),
                mouth: kp(3),
                ear_left: kp(4),
                ear_right: kp(5),
            });
        }
        Ok(weighted_nms(raw, 0.3))
    }
}

fn square_input(img: &RgbImage, x0: f64, y0: f64, side: f64) -> Result<Tensor, VisionError> {
    let n = INPUT_SIDE as usize;
    let mut data = vec![-1.0f32; n * n * 3];
    if let Some((small, dx0, dy0)) = square_region(img, x0, y0, side, INPUT_SIDE)? {
        let (dx0, dy0, sw) = (dx0 as usize, dy0 as usize, small.width() as usize);
        for (y, row) in small.as_raw().chunks_exact(3 * sw).enumerate() {
            let o = ((y + dy0) * n + dx0) * 3;
            for (d, &v) in data[o..o + 3 * sw].iter_mut().zip(row) {
                *d = v as f32 / 127.5 - 1.0;
            }
        }
    }
    Tensor::from_shape(&[1, n, n, 3], &data).map_err(|e| VisionError::Inference(format!("{e:#}")))
}

/// The part of the square `(x0, y0, side)` that lies inside `img`, resized (bilinear) to where
/// it lands in an `n × n` model input, and its offset there. `None` when less than a pixel of
/// the square is inside the image; the rest of the input is the model's padding.
pub(crate) fn square_region(
    img: &RgbImage,
    x0: f64,
    y0: f64,
    side: f64,
    n: u32,
) -> Result<Option<(RgbImage, u32, u32)>, VisionError> {
    let (w, h) = (img.width() as f64, img.height() as f64);
    let (ix0, iy0) = (x0.max(0.0), y0.max(0.0));
    let (ix1, iy1) = ((x0 + side).min(w), (y0 + side).min(h));
    if ix1 - ix0 < 1.0 || iy1 - iy0 < 1.0 {
        return Ok(None);
    }
    let scale = n as f64 / side;
    let dx0 = (((ix0 - x0) * scale).round() as u32).min(n - 1);
    let dy0 = (((iy0 - y0) * scale).round() as u32).min(n - 1);
    let dw = (((ix1 - ix0) * scale).round() as u32).clamp(1, n - dx0);
    let dh = (((iy1 - iy0) * scale).round() as u32).clamp(1, n - dy0);
    let small = resize_region(
        img,
        ix0,
        iy0,
        ix1 - ix0,
        iy1 - iy0,
        dw,
        dh,
        fr::FilterType::Bilinear,
    )?;
    Ok(Some((small, dx0, dy0)))
}

/// Resize the region `(x, y, w, h)` of `img` (sub-pixel origin allowed) to `out_w × out_h`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn resize_region(
    img: &RgbImage,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    out_w: u32,
    out_h: u32,
    filter: fr::FilterType,
) -> Result<RgbImage, VisionError> {
    let src =
        fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8x3)
            .map_err(|e| VisionError::Resize(e.to_string()))?;
    let mut dst = fr::images::Image::new(out_w, out_h, fr::PixelType::U8x3);
    // A large reduction (a 4K frame to 128 px) first takes every k-th pixel, then filters: the
    // detector needs no more, and a full convolution over 8 million pixels costs milliseconds.
    let ratio = (w / out_w as f64).min(h / out_h as f64);
    let alg = if ratio >= 6.0 {
        fr::ResizeAlg::SuperSampling(filter, 2)
    } else {
        fr::ResizeAlg::Convolution(filter)
    };
    let opts = fr::ResizeOptions::new().crop(x, y, w, h).resize_alg(alg);
    fr::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(|e| VisionError::Resize(e.to_string()))?;
    RgbImage::from_raw(out_w, out_h, dst.into_vec())
        .ok_or_else(|| VisionError::Resize("buffer size".into()))
}

fn iou(a: &Detection, b: &Detection) -> f64 {
    let (ax0, ay0, ax1, ay1) = (
        a.center.x - a.size / 2.0,
        a.center.y - a.size / 2.0,
        a.center.x + a.size / 2.0,
        a.center.y + a.size / 2.0,
    );
    let (bx0, by0, bx1, by1) = (
        b.center.x - b.size / 2.0,
        b.center.y - b.size / 2.0,
        b.center.x + b.size / 2.0,
        b.center.y + b.size / 2.0,
    );
    let iw = (ax1.min(bx1) - ax0.max(bx0)).max(0.0);
    let ih = (ay1.min(by1) - ay0.max(by0)).max(0.0);
    let inter = iw * ih;
    let union = a.size * a.size + b.size * b.size - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

/// MediaPipe-style weighted NMS: overlapping detections are averaged, weighted by score, which
/// steadies the landmarks more than keeping the single best anchor.
fn weighted_nms(mut dets: Vec<Detection>, threshold: f64) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(best) = dets.first().copied() {
        let (cluster, rest): (Vec<_>, Vec<_>) =
            dets.into_iter().partition(|d| iou(&best, d) > threshold);
        dets = rest;
        let total: f64 = cluster.iter().map(|d| d.score as f64).sum();
        let avg = |f: fn(&Detection) -> Point| {
            let (mut x, mut y) = (0.0, 0.0);
            for d in &cluster {
                let p = f(d);
                x += p.x * d.score as f64;
                y += p.y * d.score as f64;
            }
            Point {
                x: x / total,
                y: y / total,
            }
        };
        out.push(Detection {
            score: best.score,
            center: avg(|d| d.center),
            size: cluster.iter().map(|d| d.size * d.score as f64).sum::<f64>() / total,
            eye_left: avg(|d| d.eye_left),
            eye_right: avg(|d| d.eye_right),
            nose: avg(|d| d.nose),
            mouth: avg(|d| d.mouth),
            ear_left: avg(|d| d.ear_left),
            ear_right: avg(|d| d.ear_right),
        });
    }
    out
}
