//! Headwear ("免冠"): a face-parsing network run with tract labels what is above the eyes.
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

    /// Area labelled hat above the eye line, over the face width squared, for the face whose
    /// eyes are centred at `face_center_x` on the row `eye_y` (source pixels).
    pub fn hat_share(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
    ) -> Result<f64, VisionError> {
        self.hat_share_on(img, face_center_x, eye_y, face_width, self.pool.clone())
    }

    /// [`HeadwearModel::hat_share`] on the calling thread alone (about 0.55 s): for a
    /// background run beside the live overlay, which keeps the other cores.
    pub fn hat_share_on_this_thread(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
    ) -> Result<f64, VisionError> {
        self.hat_share_on(
            img,
            face_center_x,
            eye_y,
            face_width,
            Executor::SingleThread,
        )
    }

    fn hat_share_on(
        &self,
        img: &RgbImage,
        face_center_x: f64,
        eye_y: f64,
        face_width: f64,
        executor: Executor,
    ) -> Result<f64, VisionError> {
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
        // Grid rows wholly above the eye line; a cell is hat where that class scores highest.
        let rows = (EYE_AT * n as f64).floor() as usize;
        let hat = (0..rows * n)
            .filter(|&cell| {
                let score = |class: usize| scores[class * n * n + cell];
                (0..CLASSES).all(|class| class == HAT || score(class) < score(HAT))
            })
            .count();
        let cell = side / n as f64;
        Ok(hat as f64 * cell * cell / (face_width * face_width))
    }
}
