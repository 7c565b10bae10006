//! Photo analysis: find the face, the eyes and the top of the head in a camera frame, measure the
//! backdrop and the light, plan the 3:4 crop that meets 教毕指〔2017〕99号, and say which rule fails
//! and what the photographer should do when none does.
//!
//! Faces are found by MediaPipe's BlazeFace (front model), their landmarks measured by MediaPipe's
//! Face Mesh (468 points) and Iris models, all run with tract in pure Rust. The whole frame is
//! searched once; BlazeFace looks again close up (a square twice the face) for the face-contour
//! points at the ears, the face width; the mesh then looks at the student's face, giving the eye
//! centres (the midpoint of each eye's corners), pose and mouth; then the iris model measures
//! the two eyes' lids, one eye per core. The head top is found by walking up from the forehead
//! until the backdrop colour.
//!
//! A camera stream is analysed frame after frame with [`Analyzer::analyze_tracked`], which
//! places each model where the previous frame found the face (the whole frame is searched again
//! every [`TRACK_SEARCH_EVERY`] frames and whenever the face is lost) and runs them all side by
//! side: the live overlay's path, about 40 % cheaper. The frame that becomes a photo is judged
//! by [`Analyzer::judge`]: the full analysis and what a face-parsing network labels in a square
//! around the head (a third of a second on two cores, so once per photo, not per live frame):
//! a hat ("免冠"), hair over the ears ("露出双耳") or the eyebrows ("露出眉毛"), a mask over the
//! mouth, tinted glasses and the cheeks' outline, the face width; and the photo itself, for a
//! border or marks on the backdrop ("无边框、文字").
//!
//! ```no_run
//! use caiji_vision::{Analyzer, Framing};
//! let analyzer = Analyzer::load_default()?;              // models loaded once
//! let frame = image::open("frame.jpg")?.to_rgb8();
//! let analysis = analyzer.judge(&frame, Framing::Plan)?;
//! for check in analysis.checks.iter().filter(|c| !c.pass) {
//!     println!("{}: {}", check.id, check.message_zh);
//! }
//! if let Some(crop) = analysis.crop { println!("cut {crop:?}"); }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod crop;
mod detect;
mod headwear;
mod iris;
pub mod kernels;
mod measure;
mod mesh;

pub use crop::{Crop, HeadInSource, OutputGeometry, placement_margin, plan, safe_margin};
pub use detect::{Detection, Detector};
pub use headwear::{HeadwearModel, Parsing};
pub use iris::{Eye, IrisModel};
pub use measure::BackdropSample;
pub use measure::{Edge, Marks};
pub use mesh::{FaceMesh, Landmark, Mesh, REGION_SCALE as MESH_REGION_SCALE};

use caiji_spec::{
    Advice, Check, CheckId, Message, STANDARD, TOLERANCES, Verdict, nearest_backdrop,
};
use image::RgbImage;
use std::path::{Path, PathBuf};

/// A point in source pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Point {
    /// Column.
    pub x: f64,
    /// Row.
    pub y: f64,
}

impl Point {
    fn dist(self, o: Point) -> f64 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
}

/// What went wrong before any measurement could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// The model file is not where it was looked for.
    #[error("{}", self.message())]
    ModelMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The model file could not be loaded.
    #[error("{}", self.message())]
    Model {
        /// The file.
        path: PathBuf,
        /// tract's explanation.
        reason: String,
    },
    /// Running the model failed.
    #[error("{}", self.message())]
    Inference(String),
    /// Resampling failed.
    #[error("{}", self.message())]
    Resize(String),
}

impl VisionError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            VisionError::ModelMissing { path } => {
                let path = path.display();
                Message::new(
                    format!("找不到人脸模型文件 {path} (运行 scripts/fetch-assets.sh)"),
                    format!("face model not found at {path} (run scripts/fetch-assets.sh)"),
                )
            }
            VisionError::Model { path, reason } => {
                let path = path.display();
                Message::new(
                    format!("人脸模型无法加载 {path}：{reason}"),
                    format!("face model {path} failed to load: {reason}"),
                )
            }
            VisionError::Inference(e) => Message::new(
                format!("人脸检测失败：{e}"),
                format!("face detection failed: {e}"),
            ),
            VisionError::Resize(e) => {
                Message::new(format!("图像缩放失败：{e}"), format!("resize failed: {e}"))
            }
        }
    }
}

/// Everything measured in one frame, in source pixels unless the name says otherwise.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measurements {
    /// Faces counted (the student's and any other of comparable size).
    pub faces: usize,
    /// The student's face as detected.
    pub detection: Detection,
    /// Centre of the eye on the image's left: the midpoint of its corners (mesh).
    pub eye_left: Point,
    /// Centre of the eye on the image's right: the midpoint of its corners (mesh).
    pub eye_right: Point,
    /// Eye line: mean y of the two eyes.
    pub eye_y: f64,
    /// Top of the hair.
    pub head_top_y: f64,
    /// The head reaches the top edge of the frame: the head top is cut.
    pub head_cut: bool,
    /// Face width "between the two cheeks", measured as `face_width_from` says.
    pub face_width: f64,
    /// What the face width was measured on.
    pub face_width_from: WidthFrom,
    /// Face centre x (midpoint of the eyes).
    pub face_center_x: f64,
    /// Head roll from the eye line, degrees (positive: the image-right eye lower).
    pub roll_deg: f64,
    /// Backdrop colour and evenness.
    pub backdrop: Option<BackdropSample>,
    /// Nearest allowed backdrop name and the CIEDE2000 difference to it.
    pub backdrop_match: Option<(String, f64)>,
    /// Mean face luma, 0–255.
    pub exposure: f64,
    /// Brighter half over darker half of the face.
    pub light_balance: f64,
    /// Face sharpness at output scale (mean absolute Laplacian).
    pub sharpness: f64,
    /// Fraction of clipped face pixels.
    pub hot_spot: f64,
    /// Fraction of face pixels with any channel clipped: burnt-out skin.
    pub face_saturated: f64,
    /// RGB distance between the clothes and the backdrop.
    pub clothing_contrast: Option<f64>,
    /// Pose and expression from the dense landmarks.
    pub pose: Pose,
    /// Area the face-parsing network labels hat above the eye line, over the face width
    /// squared: measured by [`Analyzer::judge`] only (`None` from the per-frame analyses).
    pub headwear: Option<f64>,
    /// Area the face-parsing network labels ear on the image's left and right of the face,
    /// over the face width squared: measured by [`Analyzer::judge`] only, like `headwear`.
    pub ears: Option<(f64, f64)>,
    /// Area the face-parsing network labels eyebrow on the image's left and right of the face,
    /// over the face width squared: measured by [`Analyzer::judge`] only, like `headwear`.
    pub brows: Option<(f64, f64)>,
    /// The brightness of what the face-parsing network labels glasses over the skin's:
    /// measured by [`Analyzer::judge`] only, like `headwear`, and `None` there too when no
    /// glasses are seen.
    pub lens_light: Option<f64>,
    /// Area the face-parsing network labels lips, over the face width squared: measured by
    /// [`Analyzer::judge`] only, like `headwear`.
    pub lips: Option<f64>,
    /// Area the face-parsing network labels inner mouth (between the lips), over the face
    /// width squared: measured by [`Analyzer::judge`] only, like `headwear`.
    pub inner_mouth: Option<f64>,
    /// Area the face-parsing network labels eye on the image's left and right of the face,
    /// over the face width squared: measured by [`Analyzer::judge`] only, like `headwear`, and
    /// `None` there too when the face wears glasses.
    pub eyes_seen: Option<(f64, f64)>,
    /// Tilt of the shoulder line, degrees (positive: the image-right shoulder lower), when both
    /// shoulders are in view against the backdrop.
    pub shoulder_tilt_deg: Option<f64>,
    /// A border round the photo and marks on its backdrop, looked for on the photo itself (the
    /// planned crop at 480×640): measured by [`Analyzer::judge`] only, like `headwear`.
    pub marks: Option<Marks>,
}

impl Measurements {
    /// Whether the face mesh sees the face found ([`caiji_spec::Tolerances::face_seen_min`]):
    /// not when a phone or a hand covers it, nor when its score is not a number.
    pub fn face_seen(&self) -> bool {
        self.pose.presence >= TOLERANCES.face_seen_min
    }

    /// The face-parsing network's answer these measurements carry ([`Analyzer::judge`]'s),
    /// `None` from the per-frame analyses.
    pub fn head_cover(&self) -> Option<HeadCover> {
        Some(HeadCover {
            hat: self.headwear?,
            ears: self.ears,
            brows: self.brows?,
            lens_light: self.lens_light,
            lips: self.lips?,
            inner_mouth: self.inner_mouth?,
            eyes: self.eyes_seen,
        })
    }
}

/// What a face width was measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WidthFrom {
    /// The distance between the close-up's face-contour points at the ears: every frame
    /// (the live overlay), a few milliseconds.
    Ears,
    /// The skin outline the face-parsing network draws between the eye line and the nose tip
    /// ([`Parsing::face_width`]): the photo's judgement, a third of a second.
    Cheeks,
}

impl WidthFrom {
    /// How far a width measured so may be off, as a fraction of itself
    /// ([`caiji_spec::Budget`]).
    pub fn budget(self) -> f64 {
        match self {
            WidthFrom::Ears => TOLERANCES.budget.face_width_frac,
            WidthFrom::Cheeks => TOLERANCES.budget.cheeks_width_frac,
        }
    }
}

/// Pose and expression measured on the face mesh.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Pose {
    /// Head turned left or right, degrees (0: facing the camera).
    pub yaw_deg: f64,
    /// Head tipped back (positive) or down, degrees, as the model measures it.
    pub pitch_deg: f64,
    /// The less open eye: lid gap over eye width, from the iris model.
    pub eye_open: f64,
    /// Where the eyes look: the two irises' mean offset in their eyes ([`Eye::gaze`]), toward
    /// the image's right and down, over the eye's width.
    pub gaze: (f64, f64),
    /// The redder pupil: the share of its pixels that glow red (a flash's red eye), from the
    /// iris model's iris ([`Eye::red`]).
    pub red_eye: f64,
    /// The more covered iris: the share of it under a near-white highlight (glare on glasses),
    /// from the iris model's iris ([`Eye::glare`]).
    pub glare: f64,
    /// The irises on the image's left and right: centre and radius, from the iris model (the
    /// radius 0 before it has looked).
    pub irises: [(Point, f64); 2],
    /// Lip gap over mouth width.
    pub mouth_open: f64,
    /// Teeth seen between the lips: their area over the mouth width squared.
    pub teeth: f64,
    /// The model's confidence that a face is there, 0–1.
    pub presence: f64,
}

/// How far the irises sit toward the image's left in their eyes per unit of the sine of the
/// head's yaw, when the eyes stay on the lens of a turned head: the eye corners turn with the
/// head in front of the eyeball's centre, the iris looking back at the lens does not. Measured
/// on four turned heads looking at the lens (kendall 23°, marie 22°, camp 29°, card-profile5
/// 34°: 0.12, 0.16, 0.18, 0.08; the median of the four, rounded), so a head turned within the
/// pose rule's 10° with its eyes on the lens is not read as looking aside.
pub const GAZE_PER_YAW: f64 = 0.14;

impl Pose {
    /// How far the eyes look aside of the lens: the sideways gaze less what the head's turn
    /// explains ([`GAZE_PER_YAW`]), over the eye's width (0 on the lens; NaN without eyes).
    pub fn gaze_aside(&self) -> f64 {
        self.gaze.0 + GAZE_PER_YAW * self.yaw_deg.to_radians().sin()
    }

    fn of(img: &RgbImage, m: &Mesh, eye_open: f64) -> Pose {
        Pose {
            yaw_deg: m.yaw_deg(),
            pitch_deg: m.pitch_deg(),
            eye_open,
            gaze: (f64::NAN, f64::NAN),
            red_eye: 0.0,
            glare: 0.0,
            irises: [(Point::default(), 0.0); 2],
            mouth_open: m.mouth_open(),
            teeth: measure::teeth(img, m),
            presence: m.presence,
        }
    }
}

/// The analysis of one frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Analysis {
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Faces the detector counted (the student's and any other of comparable size), a
    /// covered one included: 0 when none was found.
    pub faces: usize,
    /// Measurements, when a face was found.
    pub measurements: Option<Measurements>,
    /// The compliant crop, when one exists.
    pub crop: Option<Crop>,
    /// The crop the checks were made on: the compliant crop, or the nearest miss.
    pub planned: Option<Crop>,
    /// The head mapped into the output picture of `planned`.
    pub output: Option<OutputGeometry>,
    /// Every photo rule.
    pub checks: Vec<Check>,
    /// Pass when every check passes.
    pub verdict: Verdict,
}

impl Analysis {
    /// The failing checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

impl Analysis {
    fn no_face(width: u32, height: u32) -> Analysis {
        Analysis::unmeasured(
            width,
            height,
            0,
            "未检测到人脸",
            "no face found",
            Advice::FaceTheCamera,
        )
    }

    /// A face found whose face the mesh does not see ([`Tolerances::face_seen_min`]): a phone
    /// held up, a hand. Nothing is measured on it, so no guide is drawn and no face rule
    /// ticked on a face nobody can see; `faces` is still what the detector counted.
    ///
    /// [`Tolerances::face_seen_min`]: caiji_spec::Tolerances::face_seen_min
    fn face_covered(width: u32, height: u32, faces: usize) -> Analysis {
        Analysis::unmeasured(
            width,
            height,
            faces,
            "面部被遮挡",
            "the face is covered",
            Advice::Uncover,
        )
    }

    /// An analysis of no measurements, with `faces` counted, that fails the one-face rule
    /// saying why (`zh`, `en`) and what to do (its value 0: no face measured).
    fn unmeasured(
        width: u32,
        height: u32,
        faces: usize,
        zh: &'static str,
        en: &'static str,
        advice: Advice,
    ) -> Analysis {
        let check =
            Check::with_message(CheckId::SingleFace, false, Some(0.0), "1", zh, en).advise(advice);
        Analysis {
            width,
            height,
            faces,
            measurements: None,
            crop: None,
            planned: None,
            output: None,
            checks: vec![check],
            verdict: Verdict::Fail,
        }
    }
}

/// Whether two detections from two looks at a frame are one face: their centres nearer than
/// half the larger box.
fn same_face(a: &Detection, b: &Detection) -> bool {
    a.center.dist(b.center) < 0.5 * a.size.max(b.size)
}

/// Faces of the second look at a frame ([`Analyzer::faces_in_squares`]) the mesh is asked
/// about, largest first, before the frame is called covered.
const SECOND_LOOK_TRIES: usize = 3;

/// How often a tracked stream searches the whole frame again, in frames (a third of a second
/// at 30 fps): a second person stepping into view is counted within this many frames.
pub const TRACK_SEARCH_EVERY: u32 = 10;

/// How far the face mesh's eye corners sit above the lid junctions (the canthi, whose midpoint
/// ISO/IEC 19794-5 calls the eye centre and both pairs of annotators marked), as a share of the
/// face width: the measured eye line is moved down by it. The median over the 11 frontal
/// hand-marked faces (`tests/fixtures/landmarks`, `--example hand_truth`) is 0.0071: 1.7
/// output px at a face 240 px wide; on 9 of the 11 faces the corners sit above, one is level
/// and one 0.2 px below (the iris model's own corners, looked at close up, sit a median 1.6 px
/// above too). Corrected by the median of the other people's frontal faces (franck's two
/// photos left out together), each frontal face's eye line error is at most 2.3 px (3.5
/// before).
pub const EYE_LINE_OFFSET: f64 = 0.007;
/// An eye looked at where the previous frame had it is looked at again where this frame has
/// it when a corner moved more than this fraction of the eye's width: the iris model is
/// trained on eyes centred in its input.
const TRACK_EYE_SHIFT: f64 = 0.2;

/// Where the student's face was in the previous frame of a stream: what
/// [`Analyzer::analyze_tracked`] carries from one frame to the next. Start with `None`; reset
/// it to `None` for a new student.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Track {
    size: (u32, u32),
    /// The box the close-up looks around: the last whole-frame search's, moved with the face.
    coarse: Detection,
    /// The close-up's box: where the mesh looks, and how the face moved.
    face: Detection,
    /// The mesh's eye corners, left and right: where the iris model looks.
    eyes: ((Point, Point), (Point, Point)),
    /// The eyes as last measured.
    lids: (Eye, Eye),
    faces: usize,
    since_search: u32,
}

impl Track {
    /// After a whole-frame search that found the face at `coarse`.
    fn searched(coarse: Detection, found: &Found, faces: usize, size: (u32, u32)) -> Track {
        Track {
            size,
            coarse,
            face: found.near,
            eyes: (found.mesh.corners_left(), found.mesh.corners_right()),
            lids: found.eyes,
            faces,
            since_search: 0,
        }
    }

    /// After a tracked frame: the search's box moved and scaled as the close-up's did, so
    /// that a still face is looked at exactly as the search's analysis looked at it.
    fn followed(&self, found: &Found) -> Track {
        let (was, now) = (self.face, found.near);
        let k = now.size / was.size.max(1.0);
        let mut coarse = self.coarse;
        coarse.center = Point {
            x: now.center.x + (coarse.center.x - was.center.x) * k,
            y: now.center.y + (coarse.center.y - was.center.y) * k,
        };
        coarse.size *= k;
        Track {
            since_search: self.since_search + 1,
            ..Track::searched(coarse, found, self.faces, self.size)
        }
    }

    /// Frames since the whole frame was last searched (0: this one was).
    pub fn since_search(&self) -> u32 {
        self.since_search
    }
}

/// The models' answers for the student's face.
struct Found {
    near: Detection,
    mesh: Mesh,
    eyes: (Eye, Eye),
}

/// A frame measured but for the lids, which the iris model may still be measuring.
struct Measured {
    width: u32,
    height: u32,
    framing: Framing,
    m: Measurements,
    crop: Option<Crop>,
    planned: Option<Crop>,
    output: Option<OutputGeometry>,
}

impl Measured {
    /// Add the lids and judge every rule.
    fn judged(mut self, eyes: (Eye, Eye)) -> Analysis {
        if !self.m.face_seen() {
            return Analysis::face_covered(self.width, self.height, self.m.faces);
        }
        self.m.pose.eye_open = eyes.0.openness.min(eyes.1.openness);
        self.m.pose.red_eye = eyes.0.red.max(eyes.1.red);
        self.m.pose.glare = eyes.0.glare.max(eyes.1.glare);
        self.m.pose.irises = [eyes.0, eyes.1].map(|e| (e.iris, e.radius));
        let (l, r) = (eyes.0.gaze(), eyes.1.gaze());
        self.m.pose.gaze = ((l.0 + r.0) / 2.0, (l.1 + r.1) / 2.0);
        let checks = photo_checks(&self.m, self.output.as_ref(), self.framing);
        let verdict = Verdict::of(&checks);
        Analysis {
            width: self.width,
            height: self.height,
            faces: self.m.faces,
            measurements: Some(self.m),
            crop: self.crop,
            planned: self.planned,
            output: self.output,
            checks,
            verdict,
        }
    }
}

/// A panic on another thread is a bug: raised here, with its own message.
fn joined<T>(r: std::thread::Result<Result<T, VisionError>>) -> Result<T, VisionError> {
    r.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// How a frame is framed: a camera frame gets a crop planned; a finished photo is measured as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Plan the best crop of the frame.
    Plan,
    /// The image is the output picture: measure it as it is.
    AsIs,
}

/// The range of the cheeks' width (the face-parsing network's) over the ears' in which the
/// network is taken to have seen the face: on the 19 hand-marked faces, turned heads and a near
/// profile included, the ratio is 0.94-1.28 (`--example hand_truth`).
const CHEEKS_OVER_EARS: (f64, f64) = (0.7, 1.4);

/// The cheeks' width when the network saw the face (within [`CHEEKS_OVER_EARS`] of the ears'
/// width `ears`), else `None`: the ears' width stands.
fn trusted_cheeks(ears: f64, cheeks: Option<f64>) -> Option<f64> {
    cheeks.filter(|w| (CHEEKS_OVER_EARS.0..=CHEEKS_OVER_EARS.1).contains(&(w / ears)))
}

/// The analysis engine: the loaded models. Load once; `analyze` from any thread.
pub struct Analyzer {
    detector: Detector,
    mesh: FaceMesh,
    iris: IrisModel,
    headwear: HeadwearModel,
}

/// Environment variable naming the folder with the model (default: the repo's `assets/vendor`).
pub const ASSETS_ENV: &str = "CAIJI_ASSETS";
/// File name of the face model inside the assets folder.
pub const MODEL_FILE: &str = "blazeface_front_128.onnx";
/// File name of the landmark model inside the assets folder.
pub const MESH_FILE: &str = "face_landmark_192.onnx";
/// File name of the eye model inside the assets folder.
pub const IRIS_FILE: &str = "iris_landmark_64.onnx";
/// File name of the face-parsing model (headwear) inside the assets folder.
pub const HEADWEAR_FILE: &str = "face_parsing_512.onnx";

/// The assets folder: `$CAIJI_ASSETS`, else `assets/vendor` beside the executable's repo checkout
/// (found by walking up from the executable and from the working directory).
pub fn assets_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(ASSETS_ENV) {
        return PathBuf::from(d);
    }
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for start in starts {
        for dir in start.ancestors() {
            let cand = dir.join("assets").join("vendor");
            if cand.join(MODEL_FILE).is_file() {
                return cand;
            }
        }
    }
    PathBuf::from("assets/vendor")
}

impl Analyzer {
    /// Load the face detector, the landmark model, the eye model and the face-parsing model
    /// from the folder `dir` ([`MODEL_FILE`], [`MESH_FILE`], [`IRIS_FILE`], [`HEADWEAR_FILE`]).
    pub fn load(dir: &Path) -> Result<Analyzer, VisionError> {
        Ok(Analyzer {
            detector: Detector::load(&dir.join(MODEL_FILE))?,
            mesh: FaceMesh::load(&dir.join(MESH_FILE))?,
            iris: IrisModel::load(&dir.join(IRIS_FILE))?,
            headwear: HeadwearModel::load(&dir.join(HEADWEAR_FILE))?,
        })
    }

    /// Load the models from [`assets_dir`].
    pub fn load_default() -> Result<Analyzer, VisionError> {
        Analyzer::load(&assets_dir())
    }

    /// Faces in the frame, largest first (the whole frame looked at once).
    pub fn faces(&self, img: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        let (w, h) = (img.width() as f64, img.height() as f64);
        let side = w.max(h);
        let min = TOLERANCES.face_score_min as f32;
        let mut found =
            self.detector
                .detect_region(img, (w - side) / 2.0, (h - side) / 2.0, side, min)?;
        // A landscape frame letterboxed to 128 px leaves a framed face small; when the first look
        // finds nobody, look again at the middle square, where the student stands.
        if found.is_empty() && side > 1.3 * w.min(h) {
            let inner = w.min(h);
            for d in self.detector.detect_region(
                img,
                (w - inner) / 2.0,
                (h - inner) / 2.0,
                inner,
                min,
            )? {
                if !found.iter().any(|f| same_face(f, &d)) {
                    found.push(d);
                }
            }
        }
        found.sort_by(|a, b| b.size.total_cmp(&a.size));
        Ok(found)
    }

    /// The student's face seen close up: the detector run again on a square twice the face size,
    /// where its landmarks are several times more precise than in the whole frame (the ear
    /// points the face width is measured between). `None` when no face is there any more.
    fn close_up(
        &self,
        img: &RgbImage,
        coarse: &Detection,
    ) -> Result<Option<Detection>, VisionError> {
        let side = coarse.size * 2.0;
        let x0 = coarse.center.x - side / 2.0;
        let y0 = coarse.center.y - side / 2.0;
        let near = self.detector.detect_region(img, x0, y0, side, 0.5)?;
        Ok(near
            .into_iter()
            .min_by(|a, b| {
                a.center
                    .dist(coarse.center)
                    .total_cmp(&b.center.dist(coarse.center))
            })
            .filter(|d| d.center.dist(coarse.center) < 0.5 * coarse.size))
    }

    /// The close-up detection, the mesh and both eyes of the face `coarse`, on both cores: the
    /// close look and the mesh (placed by the coarse box, the region MediaPipe's own pipeline
    /// gives it) side by side, then the iris model on the two eyes, one eye per core. (The
    /// mesh's points move with the square it is shown: a box 3 % of the face off moved the eye
    /// line 2.6 output px. Placed by the close-up's box instead, after it, the golden worst eye
    /// line was 2.3 px instead of 2.5 and the hand-marked faces as close, for 4 ms more a frame.)
    fn landmarks(&self, img: &RgbImage, coarse: &Detection) -> Result<Found, VisionError> {
        let side = coarse.size * mesh::REGION_SCALE;
        std::thread::scope(|s| {
            let mesh = s.spawn(|| {
                self.mesh
                    .landmarks(img, coarse.center.x, coarse.center.y, side)
            });
            let near = self.close_up(img, coarse)?.unwrap_or(*coarse);
            let mesh = joined(mesh.join())?;
            let (l, r) = (mesh.corners_left(), mesh.corners_right());
            let right = s.spawn(move || self.iris.eye(img, r.0, r.1, true));
            let left = self.iris.eye(img, l.0, l.1, false)?;
            let right = joined(right.join())?;
            Ok(Found {
                near,
                mesh,
                eyes: (left, right),
            })
        })
    }

    /// The next frame of a tracked face, every region placed by the previous frame: the
    /// close-up around the search's box moved with the face (so a still face's width is the
    /// full analysis's to the bit), the mesh at the previous close-up's box (on a swaying
    /// student the median eye line error is 2.1 px against the full analysis's 1.3, against
    /// curly's hand-marked canthi; on the still golden scenes the two differ by −2.1 to +1.6
    /// px with no common sign), one eye at the previous mesh's corners. Nothing waits for the
    /// whole-frame search, and the iris model need not wait for this frame's mesh, so the model
    /// runs and the measurements share the two cores: the mesh and then the measurements on
    /// one, the close-up and then the eye on the other.
    ///
    /// The iris model looks at one eye a frame, the two in turn, and the other eye's lids are
    /// the previous frame's: both eyes on every frame cost a third more (measured 8.7 against
    /// 6.9 ms a 1080p frame), and a shut eye still shows within two frames. `None` when the
    /// face is no longer where it was (the close-up finds nobody): search again.
    fn tracked(
        &self,
        img: &RgbImage,
        track: &Track,
        framing: Framing,
    ) -> Result<Option<(Found, Measured)>, VisionError> {
        let prior = track.face;
        let side = prior.size * mesh::REGION_SCALE;
        // The first frame after a search (this track's since_search 0) looks at the eye on the
        // image's left, the next the right, and so on.
        let right = track.since_search % 2 == 1;
        let corners = |l: (Point, Point), r: (Point, Point)| if right { r } else { l };
        let was = corners(track.eyes.0, track.eyes.1);
        std::thread::scope(|s| {
            let (near_tx, near_rx) = std::sync::mpsc::sync_channel::<Detection>(1);
            let other = s.spawn(move || {
                let mesh = self
                    .mesh
                    .landmarks(img, prior.center.x, prior.center.y, side)?;
                let measured = match near_rx.recv() {
                    Ok(near) => {
                        Some(self.measure(img, framing, track.faces, &near, &mesh, None)?)
                    }
                    // The face is gone (or the close-up failed, its error returned below).
                    Err(_) => None,
                };
                Ok((mesh, measured))
            });
            let near = self.close_up(img, &track.coarse)?;
            let Some(near) = near else {
                drop(near_tx);
                joined(other.join())?;
                return Ok(None);
            };
            let _ = near_tx.send(near);
            let mut eye = self.iris.eye(img, was.0, was.1, right)?;
            let (mesh, measured) = joined(other.join())?;
            let Some(measured) = measured else {
                return Ok(None);
            };
            // An eye that moved by more than a fifth of its width since the last frame was
            // looked at off centre: look again where it is now.
            let now = corners(mesh.corners_left(), mesh.corners_right());
            let width = now.0.dist(now.1).max(1.0);
            if was.0.dist(now.0).max(was.1.dist(now.1)) > TRACK_EYE_SHIFT * width {
                eye = self.iris.eye(img, now.0, now.1, right)?;
            }
            let eyes = if right {
                (track.lids.0, eye)
            } else {
                (eye, track.lids.1)
            };
            Ok(Some((Found { near, mesh, eyes }, measured)))
        })
    }

    /// Analyse a frame: plan the crop ([`Framing::Plan`]) or measure a finished photo as it is.
    pub fn analyze_framed(
        &self,
        img: &RgbImage,
        framing: Framing,
    ) -> Result<Analysis, VisionError> {
        Ok(match self.searched(img, framing)? {
            Some((_, _, found, measured)) => measured.judged(found.eyes),
            None => Analysis::no_face(img.width(), img.height()),
        })
    }

    /// Analyse the next frame of a camera stream and plan its crop, following the student's
    /// face from the previous frame as MediaPipe's own video pipeline does: the whole-frame
    /// search runs on the first frame, every [`TRACK_SEARCH_EVERY`] frames (to count the faces
    /// in view again) and whenever the face is lost; in between, each model looks where the
    /// previous frame says (see [`Track`]). The measurements are this frame's own; only where
    /// the models look comes from the previous one, so a still subject gets the analysis
    /// [`Analyzer::analyze`] gives within the models' own jitter. For the live overlay: judge
    /// the frame that becomes the photo with [`Analyzer::judge`].
    pub fn analyze_tracked(
        &self,
        img: &RgbImage,
        track: &mut Option<Track>,
    ) -> Result<Analysis, VisionError> {
        let size = img.dimensions();
        let current = track.filter(|t| t.size == size && t.since_search + 1 < TRACK_SEARCH_EVERY);
        // A frame the followed regions cannot answer (the face gone, or a model failing on
        // them) is searched whole instead.
        // So is one where the mesh sees no face (a phone held up): the search says so.
        if let Some(t) = current
            && let Ok(Some((found, measured))) = self.tracked(img, &t, Framing::Plan)
            && measured.m.face_seen()
        {
            *track = Some(t.followed(&found));
            return Ok(measured.judged(found.eyes));
        }
        let Some((first, counted, found, measured)) = self.searched(img, Framing::Plan)? else {
            *track = None;
            return Ok(Analysis::no_face(size.0, size.1));
        };
        // Followed only when the close-up confirmed the face: else the next frame's close-up
        // would find nobody either and the frame be analysed twice.
        // Nor is a covered face followed: the next frame searches again for the face uncovered.
        *track = (found.near != first && measured.m.face_seen())
            .then(|| Track::searched(first, &found, counted, size));
        Ok(measured.judged(found.eyes))
    }

    /// The whole frame searched and the student's face (the largest found) measured: the
    /// search's box, how many faces of comparable size are in view, the models' answers and
    /// the measurements; `None` when there is nobody.
    fn searched(
        &self,
        img: &RgbImage,
        framing: Framing,
    ) -> Result<Option<(Detection, usize, Found, Measured)>, VisionError> {
        let mut faces = self.faces(img)?;
        let Some(&(mut first)) = faces.first() else {
            return Ok(None);
        };
        let mut found = self.landmarks(img, &first)?;
        // A landscape frame letterboxed to the detector's 128 px leaves people small in it; on
        // a light backdrop the detector can then take a group of them for one large face
        // (score 0.6-0.72) and find none of theirs. The mesh sees no face in that box: before
        // the frame is called covered, it is looked at again in squares.
        if found.mesh.presence < TOLERANCES.face_seen_min
            && let Some((d, f, all)) = self.second_look(img, &first)?
        {
            (first, found, faces) = (d, f, all);
        }
        let counted = faces
            .iter()
            .filter(|f| f.size >= TOLERANCES.second_face_min_ratio * first.size)
            .count();
        let measured = self.measure(img, framing, counted, &found.near, &found.mesh, None)?;
        Ok(Some((first, counted, found, measured)))
    }

    /// The frame looked at again in squares of its shorter side set along its longer one
    /// ([`Analyzer::faces_in_squares`]): the largest of the faces found there that the mesh
    /// sees (of the first [`SECOND_LOOK_TRIES`], not counting the `rejected` box found again),
    /// with its models' answers and every face found; `None` when the frame is near square
    /// (the squares would be the whole frame again) or the mesh sees none of them (a face
    /// really covered: the demo camera's phone held up is found in no square; a box found
    /// again where the rejected one was is not asked about twice).
    fn second_look(
        &self,
        img: &RgbImage,
        rejected: &Detection,
    ) -> Result<Option<(Detection, Found, Vec<Detection>)>, VisionError> {
        let faces = self.faces_in_squares(img)?;
        let again = |d: &Detection| {
            d.center.dist(rejected.center) < 0.25 * rejected.size
                && (0.7..1.4).contains(&(d.size / rejected.size))
        };
        for d in faces.iter().filter(|d| !again(d)).take(SECOND_LOOK_TRIES) {
            let found = self.landmarks(img, d)?;
            if found.mesh.presence >= TOLERANCES.face_seen_min {
                return Ok(Some((*d, found, faces)));
            }
        }
        Ok(None)
    }

    /// Faces in a landscape (or portrait) frame looked at in squares of its shorter side, as
    /// few as cover it, overlapping evenly from one end to the other, each at the detector's
    /// 128 px: people twice as large to it as in the whole frame letterboxed. A face found in
    /// two squares is kept once (the higher score). Largest first; empty when the frame is
    /// within 1.3 of square.
    pub fn faces_in_squares(&self, img: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        let (w, h) = (img.width() as f64, img.height() as f64);
        let (long, short) = (w.max(h), w.min(h));
        if long <= 1.3 * short {
            return Ok(Vec::new());
        }
        let n = (long / short).ceil() as usize;
        let step = (long - short) / (n - 1) as f64;
        let min = TOLERANCES.face_score_min as f32;
        let mut found: Vec<Detection> = Vec::new();
        for i in 0..n {
            let at = i as f64 * step;
            let (x0, y0) = if w >= h { (at, 0.0) } else { (0.0, at) };
            for d in self.detector.detect_region(img, x0, y0, short, min)? {
                match found.iter_mut().find(|f| same_face(f, &d)) {
                    Some(f) if f.score < d.score => *f = d,
                    Some(_) => {}
                    None => found.push(d),
                }
            }
        }
        found.sort_by(|a, b| b.size.total_cmp(&a.size));
        Ok(found)
    }

    /// Everything measured on the face found, but the lids: eye line, head top, width,
    /// backdrop, light, shoulders, clothes and the crop. The face width is the close-up's ears
    /// unless `cheeks` gives the face-parsing network's ([`Analyzer::judge`]).
    fn measure(
        &self,
        img: &RgbImage,
        framing: Framing,
        counted: usize,
        near: &Detection,
        mesh: &Mesh,
        cheeks: Option<f64>,
    ) -> Result<Measured, VisionError> {
        let (w, h) = (img.width(), img.height());
        let near = *near;
        // The lids are measured by the iris model: `Measured::judged` fills `eye_open` in.
        let pose = Pose::of(img, mesh, f64::NAN);
        // The eye centre as the midpoint of the eye's inner and outer corner (fixed by the eye's
        // shape, not moved by the gaze), from the mesh, moved down onto the lid junctions by
        // `EYE_LINE_OFFSET`: against two people's hand-marked corners on 19 real faces
        // (tests/fixtures/landmarks, `--example hand_truth`) the mesh's raw corners were closer
        // than BlazeFace's close-up eye points, worst error 6.9 vs 10.1 output px (on the 11
        // frontal faces 3.5 vs 5.6; at these counts the p95 is the worst case); with the offset
        // the frontal faces' worst is 2.0 px (2.3 with the offset made from the other people's faces),
        // while a near profile (kal, refused for the turn) reads 8.3 instead of 6.9.
        // The offset was measured over the ears' width, whichever width is judged.
        let ears_width = near.ear_left.dist(near.ear_right);
        let down = |p: Point| Point {
            x: p.x,
            y: p.y + EYE_LINE_OFFSET * ears_width,
        };
        let (eye_left, eye_right) = (down(mesh.eye_left()), down(mesh.eye_right()));
        // The face's size for the sampling geometry below (backdrop patches, head-top columns,
        // shoulders, clothes): the close-up's eye distance, on which those places were measured.
        let ipd = near.eye_left.dist(near.eye_right).max(2.0);
        let eye_y = (eye_left.y + eye_right.y) / 2.0;
        let eye_cx = (eye_left.x + eye_right.x) / 2.0;
        let roll_deg = (eye_right.y - eye_left.y)
            .atan2(eye_right.x - eye_left.x)
            .to_degrees();

        let backdrop = measure::sample_backdrop(img, eye_cx, eye_y, ipd);
        let (head_top_y, head_cut) = match &backdrop {
            Some(b) => measure::head_top(img, eye_cx, eye_y, ipd, b),
            // No backdrop in view at all: the face fills the frame.
            None => (0.0, true),
        };
        // Face width, per frame, from the close-up's two face-contour points at the ears
        // (tragion): a learned landmark, steadier than following skin colour, which runs into
        // ears and stops at shadows. Against the hand-marked cheek edges on the 11 frontal faces
        // the ears do better than any pair of the mesh's outline points (worst 9.3 %, median
        // -1.2 %; mesh 234/454 13.7 %, 132/361 10.2 %; the markers' own spread 5 %), and the
        // mesh reads the glasses golden subject 8–10 % wide. The photo's judgement measures
        // the cheeks themselves with the face-parsing network (worst 4.5 %, `cheeks`). Centred
        // on the eyes.
        let (face_width, face_width_from) = match cheeks {
            Some(w) => (w, WidthFrom::Cheeks),
            None => (ears_width, WidthFrom::Ears),
        };
        let face_center_x = eye_cx;
        let head = HeadInSource {
            head_top_y,
            eye_y,
            face_width,
            face_center_x,
            width_budget: face_width_from.budget(),
        };
        let (crop_plan, best_margin) = match framing {
            Framing::AsIs => {
                let c = Crop::identity(w, h);
                (Some(c), placement_margin(&head.in_output(&c)))
            }
            Framing::Plan => match crop::plan(&head, w, h, TOLERANCES.max_upscale) {
                Some((c, m)) => (Some(c), m),
                None => (None, f64::NEG_INFINITY),
            },
        };
        let scale = crop_plan.map(|c| c.scale()).unwrap_or(1.0);
        let bottom = crop_plan.map(|c| c.y + c.height).unwrap_or(h as f64);

        let (exposure, light_balance, hot_spot, sharpness, face_saturated) =
            match measure::face_box(img, face_center_x, eye_y, ipd) {
                Some(r) => {
                    let light = measure::face_light(img, r, face_center_x, eye_y, ipd);
                    let (bw, bh) = ((r.x1 - r.x0) as f64, (r.y1 - r.y0) as f64);
                    let (ow, oh) = (
                        ((bw * scale).round() as u32).max(3),
                        ((bh * scale).round() as u32).max(3),
                    );
                    let at_output = detect::resize_region(
                        img,
                        r.x0 as f64,
                        r.y0 as f64,
                        bw,
                        bh,
                        ow,
                        oh,
                        fast_image_resize::FilterType::CatmullRom,
                    )?;
                    (
                        light.mean,
                        light.balance,
                        light.clipped,
                        measure::laplacian_energy(&at_output),
                        light.saturated,
                    )
                }
                None => (0.0, f64::INFINITY, 0.0, 0.0, 0.0),
            };
        // Beside another person the columns beside the neck run into them: judged alone only.
        let shoulder_tilt_deg = backdrop
            .as_ref()
            .filter(|_| counted == 1)
            .and_then(|b| measure::shoulder_tilt(img, face_center_x, eye_y, ipd, bottom, b));
        let clothing_contrast = backdrop.and_then(|b| {
            measure::clothing_contrast(img, face_center_x, eye_y, ipd, bottom, b.rgb)
        });
        let backdrop_match = backdrop.map(|b| {
            let (nearest, d) = nearest_backdrop(b.rgb);
            (nearest.name.to_string(), d)
        });
        let m = Measurements {
            faces: counted,
            detection: near,
            eye_left,
            eye_right,
            eye_y,
            head_top_y,
            head_cut,
            face_width,
            face_width_from,
            face_center_x,
            roll_deg,
            backdrop,
            backdrop_match,
            exposure,
            light_balance,
            sharpness,
            hot_spot,
            face_saturated,
            clothing_contrast,
            pose,
            shoulder_tilt_deg,
            headwear: None,
            ears: None,
            brows: None,
            lens_light: None,
            lips: None,
            inner_mouth: None,
            eyes_seen: None,
            marks: None,
        };
        Ok(Measured {
            width: w,
            height: h,
            framing,
            output: crop_plan.map(|c| head.in_output(&c)),
            crop: crop_plan.filter(|_| best_margin >= 0.0 && !head_cut),
            planned: crop_plan,
            m,
        })
    }

    /// Analyse a camera frame and plan its crop.
    pub fn analyze(&self, img: &RgbImage) -> Result<Analysis, VisionError> {
        self.analyze_framed(img, Framing::Plan)
    }

    /// The analysis that decides a photo: [`Analyzer::analyze_framed`] with the face-parsing
    /// network's answers: the headwear rule ("免冠", [`CheckId::Bareheaded`]), the ears rule
    /// ("露出双耳", [`CheckId::EarsVisible`]), the eyebrows rule ("露出眉毛",
    /// [`CheckId::EyebrowsVisible`]), the mask rule ([`CheckId::FaceUncovered`]), the
    /// tinted-glasses rule ([`CheckId::NoTintedGlasses`]), lips apart without teeth for the
    /// mouth rule, and the face width measured on the cheeks' skin outline ([`WidthFrom::Cheeks`]; the crop is
    /// planned again on it). The network costs about a third of a second, so this runs once per photo
    /// (the station's shutter, a finished photo validated, `caiji analyze`, `caiji capture`),
    /// never per live frame.
    pub fn judge(&self, img: &RgbImage, framing: Framing) -> Result<Analysis, VisionError> {
        let Some((_, counted, found, first)) = self.searched(img, framing)? else {
            return Ok(Analysis::no_face(img.width(), img.height()));
        };
        // A covered face is not parsed (a third of a second) to be refused anyway.
        if !first.m.face_seen() {
            return Ok(Analysis::face_covered(
                img.width(),
                img.height(),
                first.m.faces,
            ));
        }
        let m = &first.m;
        let parsing = self
            .headwear
            .parse(img, m.face_center_x, m.eye_y, m.face_width)?;
        let nose_y = found.mesh.points[mesh::index::NOSE_TIP].y;
        let cheeks = trusted_cheeks(
            m.face_width,
            parsing.face_width(m.face_center_x, m.eye_y, nose_y),
        );
        let measured = match cheeks {
            Some(_) => self.measure(img, framing, counted, &found.near, &found.mesh, cheeks)?,
            None => first,
        };
        let mut a = measured.judged(found.eyes);
        let cover = HeadCover::of(&parsing, img);
        with_head_cover(&mut a, cover);
        with_inner_mouth(&mut a, cover.inner_mouth);
        with_eyes_seen(&mut a, cover.eyes);
        with_marks(&mut a, img)?;
        Ok(a)
    }

    /// What the face-parsing network says of the head measured as `m` in `img`, on the
    /// calling thread alone (about 0.55 s): the station's live probe, which leaves the other
    /// cores to the overlay's analysis.
    pub fn head_cover_on_this_thread(
        &self,
        img: &RgbImage,
        m: &Measurements,
    ) -> Result<HeadCover, VisionError> {
        let parsing =
            self.headwear
                .parse_on_this_thread(img, m.face_center_x, m.eye_y, m.face_width)?;
        Ok(HeadCover::of(&parsing, img))
    }
}

/// What the face-parsing network says of the head, judged once per photo: what covers it (a
/// hat, hair over the ears or the eyebrows, a mask over the mouth, tinted glasses over the
/// eyes) and the inside of the mouth.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct HeadCover {
    /// Area labelled hat above the eye line, over the face width squared ("免冠").
    pub hat: f64,
    /// Area labelled ear on the image's left and right of the face, over the face width
    /// squared (露出双耳); `None` leaves the rule unjudged (the live probe's answer from a
    /// frame whose head was turned, which hides the far ear).
    pub ears: Option<(f64, f64)>,
    /// Area labelled eyebrow on the image's left and right of the face, over the face width
    /// squared (露出眉毛).
    pub brows: (f64, f64),
    /// The brightness of the glasses' lenses over the skin's (眼镜不得有色;
    /// [`Parsing::lens_light`]); `None` when no glasses are seen, which passes the rule (unlike
    /// `ears`, whose `None` leaves it unjudged).
    pub lens_light: Option<f64>,
    /// Area labelled lips, over the face width squared (面部无遮挡: a mask or a hand over the
    /// mouth hides them).
    pub lips: f64,
    /// Area labelled inner mouth, over the face width squared (嘴唇自然闭合): judged by
    /// [`Analyzer::judge`] on the photo's own frame only, never merged into live verdicts.
    pub inner_mouth: f64,
    /// Area labelled eye on the image's left and right of the face, over the face width
    /// squared (双眼自然睁开): judged by [`Analyzer::judge`] on the photo's own frame only, like
    /// `inner_mouth`; `None` when the face wears glasses (the network labels the lenses, eyes
    /// and all, glasses).
    pub eyes: Option<(f64, f64)>,
}

impl HeadCover {
    fn of(p: &Parsing, img: &RgbImage) -> HeadCover {
        HeadCover {
            hat: p.hat_share(),
            ears: Some(p.ears()),
            brows: p.brows(),
            lens_light: p.lens_light(img),
            lips: p.lips(),
            inner_mouth: p.inner_mouth(),
            eyes: (!p.glasses_seen()).then(|| p.eyes()),
        }
    }
}

/// The rules of what covers the head, judged by the face-parsing network ([`HeadCover`]): a
/// hat, hair over the ears, a fringe over the eyebrows, a mask over the mouth, tinted glasses
/// over the eyes. They do not change from frame to frame of a burst.
pub const HEAD_COVER_RULES: [CheckId; 5] = [
    CheckId::Bareheaded,
    CheckId::EarsVisible,
    CheckId::EyebrowsVisible,
    CheckId::FaceUncovered,
    CheckId::NoTintedGlasses,
];

/// The rules [`Analyzer::judge`] adds to the per-frame analysis: what covers the head
/// ([`HEAD_COVER_RULES`], which the live overlay gets from the station's probe instead) and a
/// border or marks on the photo. None of them changes from frame to frame of a burst.
pub const ONCE_PER_PHOTO_RULES: [CheckId; 6] = [
    HEAD_COVER_RULES[0],
    HEAD_COVER_RULES[1],
    HEAD_COVER_RULES[2],
    HEAD_COVER_RULES[3],
    HEAD_COVER_RULES[4],
    CheckId::NoBorderOrText,
];

/// Add the rules of what covers the head ([`HEAD_COVER_RULES`], [`HeadCover`]) to `a` in report
/// order, replacing any earlier judgement of them, and recompute the verdict. Nothing is added
/// when `a` found no face. (The inner mouth is left to [`Analyzer::judge`]: lips move from
/// moment to moment, so a live probe's answer of a second ago says nothing about them now.)
pub fn with_head_cover(a: &mut Analysis, cover: HeadCover) {
    let Some(m) = a.measurements.as_mut() else {
        return;
    };
    m.headwear = Some(cover.hat);
    m.ears = cover.ears;
    m.brows = Some(cover.brows);
    m.lens_light = cover.lens_light;
    m.lips = Some(cover.lips);
    a.checks.retain(|c| !HEAD_COVER_RULES.contains(&c.id));
    a.checks.push(
        Check::at_most(CheckId::Bareheaded, cover.hat, TOLERANCES.headwear_max)
            .advise(Advice::RemoveHat),
    );
    if let Some(ears) = cover.ears {
        a.checks.push(ears_check(ears));
    }
    a.checks.push(brows_check(cover.brows));
    a.checks.push(lips_check(cover.lips));
    a.checks.push(lenses_check(cover.lens_light));
    if cover.lips < TOLERANCES.lips_min {
        behind_the_mask(&mut a.checks);
    }
    a.checks.sort_by_key(|c| c.id);
    a.verdict = Verdict::of(&a.checks);
}

/// Judge the eyes against the same student's `usual` openness (the median of their live frames,
/// [`caiji_spec::Tolerances::blink_ratio`]): a frame taken mid-blink, its eyes less open than
/// that share of the usual, fails [`CheckId::EyesOpen`] even where the absolute limit passes it
/// (eyes narrow by nature are as open as a blink of wide ones). Returns whether it blinked;
/// nothing changes when the eyes rule already fails, or without a face or a usual.
pub fn with_blink(a: &mut Analysis, usual: f64) -> bool {
    let Some(open) = a.measurements.as_ref().map(|m| m.pose.eye_open) else {
        return false;
    };
    let limit = TOLERANCES.blink_ratio * usual;
    if !(open.is_finite() && usual.is_finite() && open < limit) {
        return false;
    }
    let share = (100.0 * open / usual).round();
    let blink = Check::with_message(
        CheckId::EyesOpen,
        false,
        Some(open),
        format!("≥ {limit:.2}"),
        format!("眨眼：双眼只睁开平时的 {share:.0}%（{open:.2}，平时 {usual:.2}）"),
        format!(
            "a blink: the eyes are {share:.0}% as open as usual ({open:.2}, usually {usual:.2})"
        ),
    )
    .advise(Advice::OpenEyes);
    overrule(a, blink)
}

/// Put `check` in place of its rule's check in `a` where that passes, and judge the verdict
/// again: a rule failed already keeps its own reading. Returns whether it was put.
fn overrule(a: &mut Analysis, check: Check) -> bool {
    let Some(old) = a.checks.iter_mut().find(|c| c.id == check.id && c.pass) else {
        return false;
    };
    *old = check;
    a.verdict = Verdict::of(&a.checks);
    true
}

/// The eyebrows rule on the brow areas on the image's left and right of the face.
fn brows_check(sides: (f64, f64)) -> Check {
    let words = [
        ("双眉露出", "both eyebrows show"),
        ("看不到眉毛", "neither eyebrow shows"),
        ("看不到右眉", "the right eyebrow does not show"),
        ("看不到左眉", "the left eyebrow does not show"),
    ];
    both_sides_check(CheckId::EyebrowsVisible, sides, TOLERANCES.brow_min, words)
        .advise(Advice::ShowBrows)
}

/// The mask rule on the area labelled lips.
fn lips_check(lips: f64) -> Check {
    let limit = TOLERANCES.lips_min;
    let (zh, en) = if lips >= limit {
        (
            format!("露出口鼻（嘴唇 {lips:.3}）"),
            format!("the mouth shows (lips {lips:.3})"),
        )
    } else {
        (
            format!("看不到嘴唇：口罩、手或物品遮住了口部（{lips:.3}，限 ≥ {limit}）"),
            format!(
                "the lips do not show: a mask, a hand or something covers the mouth ({lips:.3}, needs ≥ {limit})"
            ),
        )
    };
    Check::with_message(
        CheckId::FaceUncovered,
        lips >= limit,
        Some(lips),
        format!("≥ {limit}"),
        zh,
        en,
    )
    .advise(Advice::TakeOffMask)
}

/// The rules a mask over the mouth makes meaningless, when they fail: the mouth rule (the mesh
/// draws lips on the mask: a white mask reads as teeth), the light on the face (a dark mask
/// darkens it), the lenses (the network labels parts of a black mask over the nose glasses,
/// and dark ones). They wait for the mask to come off, so the photographer is told the one
/// thing to fix, as the shoulders wait for an even backdrop; the next shot judges them.
fn behind_the_mask(checks: &mut [Check]) {
    const MASKED: [CheckId; 5] = [
        CheckId::MouthClosed,
        CheckId::Exposure,
        CheckId::LightBalance,
        CheckId::HotSpot,
        CheckId::NoTintedGlasses,
    ];
    for c in checks
        .iter_mut()
        .filter(|c| !c.pass && MASKED.contains(&c.id))
    {
        *c = Check::unjudged(
            c.id,
            "口部被遮挡，摘下口罩后再判断",
            "the mouth is covered: judged once the mask is off",
        );
    }
}

/// The tinted-glasses rule on the lenses' brightness over the skin's, passed when no glasses
/// are seen.
fn lenses_check(lens_light: Option<f64>) -> Check {
    match lens_light {
        Some(light) => Check::at_least(CheckId::NoTintedGlasses, light, TOLERANCES.lens_light_min)
            .advise(Advice::TakeOffTintedGlasses),
        None => Check::with_message(
            CheckId::NoTintedGlasses,
            true,
            None,
            format!("≥ {}", TOLERANCES.lens_light_min),
            "未检测到眼镜",
            "no glasses seen",
        ),
    }
}

/// The ears rule on the ear areas on the image's left and right of the face.
fn ears_check(sides: (f64, f64)) -> Check {
    let words = [
        ("双耳露出", "both ears show"),
        ("看不到双耳", "neither ear shows"),
        ("看不到右耳", "the right ear does not show"),
        ("看不到左耳", "the left ear does not show"),
    ];
    both_sides_check(CheckId::EarsVisible, sides, TOLERANCES.ear_min, words)
        .advise(Advice::ShowEars)
}

/// A rule met when the areas on the image's `left` and `right` of the face are both at least
/// `limit`; `words` say (Chinese, English) both show, neither shows, the student's right (the
/// image's left) does not, the student's left does not.
fn both_sides_check(
    id: CheckId,
    (left, right): (f64, f64),
    limit: f64,
    words: [(&'static str, &'static str); 4],
) -> Check {
    let (zh, en) = match (left >= limit, right >= limit) {
        (true, true) => words[0],
        (false, false) => words[1],
        (false, true) => words[2],
        (true, false) => words[3],
    };
    let least = left.min(right);
    Check::with_message(
        id,
        least >= limit,
        Some(least),
        format!("≥ {limit}"),
        zh,
        en,
    )
}

/// The border and marks rule ("无边框、文字", [`CheckId::NoBorderOrText`]) on the photo `a`
/// planned from `img`, made as the photo is (the crop at 480×640), against the backdrop's
/// measured colour, marks down to about the chin and not on the face; unjudged without a
/// planned crop or a backdrop in view (other rules fail).
fn with_marks(a: &mut Analysis, img: &RgbImage) -> Result<(), VisionError> {
    let (Some(crop), Some(o), Some(m)) = (a.planned, a.output, a.measurements.as_mut()) else {
        return Ok(());
    };
    let Some(backdrop) = m.backdrop.as_ref().map(|b| b.rgb) else {
        return Ok(());
    };
    let (ow, oh) = (caiji_spec::STANDARD.width, caiji_spec::STANDARD.height);
    let photo = detect::resize_region(
        img,
        crop.x,
        crop.y,
        crop.width,
        crop.height,
        ow,
        oh,
        // The filter the photo is made with (`caiji_photo::output`).
        fast_image_resize::FilterType::Lanczos3,
    )?;
    // Marks are looked for down to a face width below the eye line (about the chin), beside
    // the face and above the head: see `measure::MarksLook`.
    let look = measure::MarksLook {
        bottom: o.eye_y + o.face_width,
        face_x: o.face_center_x,
        face_half: 0.6 * o.face_width,
        face_top: o.head_top_y,
        person_half: 0.75 * o.face_width,
    };
    let marks = measure::marks(&photo, backdrop, look);
    m.marks = Some(marks);
    a.checks.retain(|c| c.id != CheckId::NoBorderOrText);
    a.checks.push(marks_check(marks));
    a.checks.sort_by_key(|c| c.id);
    a.verdict = Verdict::of(&a.checks);
    Ok(())
}

/// The border and marks rule on what [`measure::marks`] found.
fn marks_check(m: Marks) -> Check {
    let limit = TOLERANCES.marks_max_px;
    let (pass, zh, en) = match m.border {
        Some(e) => (
            false,
            format!("照片{}边有边框", e.zh()),
            format!("a border along the photo's {} edge", e.en()),
        ),
        None if m.area > limit => (
            false,
            format!("背景上有文字或杂物（{:.0} 像素）", m.area),
            format!("text or marks on the backdrop ({:.0} px)", m.area),
        ),
        None => (
            true,
            "无边框、文字或杂物".to_string(),
            "no border, text or marks".to_string(),
        ),
    };
    Check::with_message(
        CheckId::NoBorderOrText,
        pass,
        // A border has no area to report.
        m.border.is_none().then_some(m.area),
        format!("≤ {limit}"),
        zh,
        en,
    )
    .advise(Advice::NoMarks)
}

/// Lips apart without teeth: the mouth rule of `a` (an analysis of the same frame) fails on
/// the inside of the mouth, labelled by the face-parsing network, as well; a mouth rule failed
/// already keeps its own reading.
fn with_inner_mouth(a: &mut Analysis, inner_mouth: f64) {
    let Some(m) = a.measurements.as_mut() else {
        return;
    };
    m.inner_mouth = Some(inner_mouth);
    let (v, limit) = (inner_mouth, TOLERANCES.inner_mouth_max);
    if v > limit {
        let apart = Check::with_message(
            CheckId::MouthClosed,
            false,
            Some(v),
            format!("≤ {limit}"),
            format!("嘴唇张开，看得见口内（{v:.3}，限 {limit}）"),
            format!("lips apart, the inside of the mouth shows ({v:.3}, limit {limit})"),
        )
        .advise(Advice::CloseLips);
        overrule(a, apart);
    }
}

/// Eyes not seen open: the eyes rule of `a` (an analysis of the same frame) fails when the
/// face-parsing network labels no open eye on either side (shut, screwed up, or under a hand)
/// though the iris model read the lids open; an eyes rule failed already keeps its own reading.
/// The glare and red-eye rules, judged on what the iris model took for irises (a hand's skin),
/// wait for the eyes when they fail, as they do for shut eyes. Not judged behind glasses
/// (`eyes` is `None`).
fn with_eyes_seen(a: &mut Analysis, eyes: Option<(f64, f64)>) {
    let Some(m) = a.measurements.as_mut() else {
        return;
    };
    m.eyes_seen = eyes;
    let Some((left, right)) = eyes else {
        return;
    };
    let (seen, limit) = (left.max(right), TOLERANCES.eye_seen_min);
    if seen >= limit {
        return;
    }
    let unseen = Check::with_message(
        CheckId::EyesOpen,
        false,
        Some(seen),
        format!("≥ {limit}"),
        format!("看不到睁开的眼睛：双眼闭着、眯着或被手遮住（{seen:.4}，限 ≥ {limit}）"),
        format!(
            "no open eye shows: the eyes are shut, screwed up or under a hand ({seen:.4}, needs ≥ {limit})"
        ),
    )
    .advise(Advice::ShowEyes);
    if !overrule(a, unseen) {
        return;
    }
    for c in a
        .checks
        .iter_mut()
        .filter(|c| !c.pass && matches!(c.id, CheckId::NoGlare | CheckId::NoRedEye))
    {
        *c = Check::unjudged(
            c.id,
            "看不到睁开的眼睛，睁眼后再判断",
            "no open eye shows: judged once the eyes do",
        );
    }
    a.verdict = Verdict::of(&a.checks);
}

/// Every photo rule, judged on the measurements and the output geometry of the planned crop.
pub fn photo_checks(
    m: &Measurements,
    out: Option<&OutputGeometry>,
    framing: Framing,
) -> Vec<Check> {
    let mut checks = Vec::with_capacity(13);
    checks.push(if m.faces == 1 {
        Check::with_message(
            CheckId::SingleFace,
            true,
            Some(1.0),
            "1",
            "检测到一张人脸",
            "one face",
        )
    } else {
        Check::with_message(
            CheckId::SingleFace,
            false,
            Some(m.faces as f64),
            "1",
            format!("检测到 {} 张人脸", m.faces),
            format!("{} faces found", m.faces),
        )
        .advise(Advice::OneFaceOnly)
    });
    // Advice for a placement miss: in a camera frame the photographer can move; a finished
    // photo can only be retaken.
    let camera = framing == Framing::Plan;
    match out {
        Some(g) => {
            let mut head = Check::range(CheckId::HeadTop, g.head_top_y, STANDARD.head_top);
            if m.head_cut {
                head.pass = false;
                head.message_zh = "头顶被画面上边缘截断".into();
                head.message_en = "head top cut by the top edge of the frame".into();
            }
            // Toward the middle of the band: the same advice for a miss and for a value too near
            // its limit to be sure of.
            let head_advice = if g.head_top_y < STANDARD.head_top.mid() || m.head_cut {
                Advice::AimHigher
            } else {
                Advice::AimLower
            };
            let eye_advice = if g.eye_y < STANDARD.eye_y.mid() {
                Advice::AimHigher
            } else {
                Advice::AimLower
            };
            let width_advice = if g.face_width < STANDARD.face_width.mid() {
                Advice::MoveCloser
            } else {
                Advice::MoveBack
            };
            let offset = g.face_center_x - STANDARD.width as f64 / 2.0;
            let limit = TOLERANCES.center_offset * STANDARD.width as f64;
            let shown = whole_px(offset);
            let centered = Check::with_message(
                CheckId::Centered,
                offset.abs() <= limit,
                Some(offset),
                format!("±{limit:.0}"),
                format!("头部中心偏离中线 {shown} 像素"),
                format!("head centre {shown} px from the middle"),
            );
            let centered_advice = if camera {
                Advice::MoveCloser
            } else {
                Advice::StraightenHead
            };
            if camera {
                let b = TOLERANCES.budget;
                checks.push(
                    tight(head, g.head_top_y, STANDARD.head_top, b.head_top_px).advise(head_advice),
                );
                checks.push(
                    tight(
                        Check::range(CheckId::EyeHeight, g.eye_y, STANDARD.eye_y),
                        g.eye_y,
                        STANDARD.eye_y,
                        b.eye_y_px,
                    )
                    .advise(eye_advice),
                );
                checks.push(
                    tight(
                        Check::range(CheckId::FaceWidth, g.face_width, STANDARD.face_width),
                        g.face_width,
                        STANDARD.face_width,
                        m.face_width_from.budget() * g.face_width,
                    )
                    .advise(width_advice),
                );
                checks.push(if centered.pass {
                    centered
                } else {
                    // Centring only fails in a frame when the head is near its side edge.
                    Check {
                        message_zh: "头部太靠近画面边缘".into(),
                        message_en: "head too near the frame edge".into(),
                        ..centered
                    }
                    .advise(centered_advice)
                });
            } else {
                checks.push(head);
                checks.push(Check::range(CheckId::EyeHeight, g.eye_y, STANDARD.eye_y));
                checks.push(Check::range(
                    CheckId::FaceWidth,
                    g.face_width,
                    STANDARD.face_width,
                ));
                checks.push(centered);
            }
        }
        None => {
            for id in [
                CheckId::HeadTop,
                CheckId::EyeHeight,
                CheckId::FaceWidth,
                CheckId::Centered,
            ] {
                let size = format!("{}×{}", STANDARD.width, STANDARD.height);
                checks.push(
                    Check::with_message(
                        id,
                        false,
                        None,
                        size.clone(),
                        format!("画面小于 {size}，无法裁出合格照片"),
                        format!("frame smaller than {size}: no compliant crop"),
                    )
                    .advise(Advice::HigherResolution),
                );
            }
        }
    }
    checks.push(
        Check::at_most(CheckId::Roll, m.roll_deg.abs(), TOLERANCES.roll_deg)
            .advise(Advice::StraightenHead),
    );
    checks.extend(pose_checks(m));
    match (&m.backdrop, &m.backdrop_match) {
        (Some(b), Some((name, d))) => {
            let limit = TOLERANCES.background_delta_e;
            let rgb = format!("RGB({:.0},{:.0},{:.0})", b.rgb[0], b.rgb[1], b.rgb[2]);
            checks.push(
                Check::with_message(
                    CheckId::BackgroundColor,
                    *d <= limit,
                    Some(*d),
                    format!("≤ {limit}"),
                    format!("背景 {rgb}，与最接近的标准色 {name} 色差 ΔE00 {d:.1}"),
                    format!("backdrop {rgb}, ΔE00 {d:.1} from the nearest standard colour {name}"),
                )
                .advise(Advice::FixBackdrop),
            );
            // Darker toward the body by at least half the allowed spread: the student's own
            // shadow (a lamp low or to one side, the student close to the cloth).
            let own_shadow = b.darker_toward_body >= 0.5 * TOLERANCES.background_spread;
            checks.push(
                Check::at_most(
                    CheckId::BackgroundUniform,
                    b.spread,
                    TOLERANCES.background_spread,
                )
                .advise(if own_shadow {
                    Advice::StepFromBackdrop
                } else {
                    Advice::FixBackdrop
                }),
            );
        }
        _ => {
            for id in [CheckId::BackgroundColor, CheckId::BackgroundUniform] {
                checks.push(
                    Check::with_message(id, false, None, "—", "看不到背景", "no backdrop in view")
                        .advise(Advice::MoveBack),
                );
            }
        }
    }
    let mut exposure = Check::range(CheckId::Exposure, m.exposure, TOLERANCES.exposure);
    let burnt = TOLERANCES.face_saturated_max;
    if exposure.pass && m.face_saturated > burnt {
        let pct = 100.0 * m.face_saturated;
        exposure.pass = false;
        exposure.message_zh = format!("面部 {pct:.0}% 过曝失去细节（限 {:.0}%）", 100.0 * burnt);
        exposure.message_en = format!(
            "{pct:.0}% of the face burnt out (limit {:.0}%)",
            100.0 * burnt
        );
    }
    let exposure_advice = if m.exposure < TOLERANCES.exposure.min && m.face_saturated <= burnt {
        Advice::MoreLight
    } else {
        Advice::LessLight
    };
    checks.push(exposure.advise(exposure_advice));
    checks.push(
        Check::at_most(
            CheckId::LightBalance,
            m.light_balance,
            TOLERANCES.light_balance_ratio,
        )
        .advise(Advice::EvenLight),
    );
    checks.push(
        Check::at_least(CheckId::Sharpness, m.sharpness, TOLERANCES.sharpness_min)
            .advise(Advice::HoldStill),
    );
    checks.push(
        Check::at_most(CheckId::HotSpot, m.hot_spot, TOLERANCES.hot_spot_fraction)
            .advise(Advice::RemoveGlare),
    );
    checks.push(match m.clothing_contrast {
        Some(c) => Check::at_least(
            CheckId::ClothingContrast,
            c,
            TOLERANCES.clothing_contrast_min,
        )
        .advise(Advice::ChangeClothes),
        None => Check::unjudged(
            CheckId::ClothingContrast,
            "画面中看不到服装",
            "clothes not in view",
        ),
    });
    checks
}

/// In a camera frame, a placement inside its band by less than the measurement's own error is
/// not accepted: the photo could be 1 px outside. The check fails and says so.
fn tight(check: Check, value: f64, band: caiji_spec::Range, err: f64) -> Check {
    if !check.pass || band.margin(value) >= err {
        return check;
    }
    let (v, e) = (whole_px(value), whole_px(err));
    Check {
        pass: false,
        message_zh: format!(
            "{}：{v} 像素，离界限不到测量误差 {e} 像素",
            check.id.title_zh()
        ),
        message_en: format!(
            "{}: {v} px, within the measurement's error ({e} px) of the limit",
            check.id.title_en()
        ),
        ..check
    }
}

/// Pose, eyes (open, no red eye, no glare over them), mouth and shoulders, judged on the face
/// mesh, the iris model and the silhouette.
fn pose_checks(m: &Measurements) -> [Check; 6] {
    let p = &m.pose;
    let (yaw, pitch) = (p.yaw_deg, p.pitch_deg);
    let (yaw_max, pitch_max) = (TOLERANCES.yaw_deg, TOLERANCES.pitch_deg);
    let turned = yaw.abs() > yaw_max;
    let tipped = pitch.abs() > pitch_max;
    let (aside, aside_max) = (p.gaze_aside(), TOLERANCES.gaze_max);
    // The eyes' turn aside in degrees, for the message: the offset is about 0.4 × its sine.
    let aside_deg = (aside / 0.4).clamp(-1.0, 1.0).asin().to_degrees().abs();
    // Judged on open eyes only: a shut eye's iris is the model's guess (and `eyes_open` says so).
    let looking_aside = aside.abs() > aside_max && p.eye_open >= TOLERANCES.eye_open_min;
    // Only the eyes are off: the head faces the camera.
    let eyes_only = looking_aside && !turned && !tipped;
    let (zh, en) = match (turned, tipped, looking_aside) {
        (true, _, _) => (
            format!("头部左右转动约 {:.0}°（限 {yaw_max:.0}°）", yaw.abs()),
            format!("head turned about {:.0}° (limit {yaw_max:.0}°)", yaw.abs()),
        ),
        (false, true, _) => (
            format!(
                "头部{}约 {:.0}°（限 {pitch_max:.0}°）",
                if pitch > 0.0 { "后仰" } else { "低头" },
                pitch.abs()
            ),
            format!(
                "head tipped {} about {:.0}° (limit {pitch_max:.0}°)",
                if pitch > 0.0 { "back" } else { "down" },
                pitch.abs()
            ),
        ),
        (false, false, true) => (
            format!(
                "视线偏离镜头约 {aside_deg:.0}°（{:.3}，限 {aside_max}）",
                aside.abs()
            ),
            format!(
                "eyes look aside of the lens by about {aside_deg:.0}° ({:.3}, limit {aside_max})",
                aside.abs()
            ),
        ),
        (false, false, false) => (
            format!(
                "正面：转动 {:.0}°，俯仰 {:.0}°，视线 {aside_deg:.0}°",
                yaw.abs(),
                pitch.abs()
            ),
            format!(
                "frontal: turned {:.0}°, tipped {:.0}°, eyes {aside_deg:.0}° aside",
                yaw.abs(),
                pitch.abs()
            ),
        ),
    };
    let pose = Check::with_message(
        CheckId::Pose,
        !turned && !tipped && !looking_aside,
        // The failing quantity: the eyes' offset when only they look aside, else the turn.
        Some(if eyes_only { aside.abs() } else { yaw.abs() }),
        format!("≤ {yaw_max:.0}° / {pitch_max:.0}° / eyes {aside_max}"),
        zh,
        en,
    )
    .advise(if eyes_only {
        Advice::LookAtLens
    } else {
        Advice::FaceForward
    });
    let eyes = Check::at_least(CheckId::EyesOpen, p.eye_open, TOLERANCES.eye_open_min)
        .advise(Advice::OpenEyes);
    let red_eye = Check::at_most(CheckId::NoRedEye, p.red_eye, TOLERANCES.red_eye_max)
        .advise(Advice::AvoidRedEye);
    // A shut eye's iris disk holds the lid's skin, whose shine is no glare: that eye is the
    // eyes rule's to refuse.
    let glare = if p.eye_open >= TOLERANCES.eye_open_min {
        Check::at_most(CheckId::NoGlare, p.glare, TOLERANCES.glare_max).advise(Advice::AvoidGlare)
    } else {
        Check::unjudged(
            CheckId::NoGlare,
            "眼睛未睁开，反光待睁眼后判断",
            "eyes not open: glare judged once they are",
        )
    };
    let mouth =
        if p.teeth > TOLERANCES.teeth_visible_max && p.mouth_open <= TOLERANCES.mouth_open_max {
            Check::with_message(
                CheckId::MouthClosed,
                false,
                Some(p.teeth),
                format!("≤ {}", TOLERANCES.teeth_visible_max),
                format!(
                    "露出牙齿（{:.3}，限 {}）",
                    p.teeth, TOLERANCES.teeth_visible_max
                ),
                format!(
                    "teeth showing ({:.3}, limit {})",
                    p.teeth, TOLERANCES.teeth_visible_max
                ),
            )
        } else {
            Check::at_most(
                CheckId::MouthClosed,
                p.mouth_open,
                TOLERANCES.mouth_open_max,
            )
        }
        .advise(Advice::CloseLips);
    // The shoulders' outline is read against the backdrop: on an uneven one (the person's own
    // shadow beside a shoulder reads as a raised shoulder) it waits for the backdrop rule, which
    // refuses the photo anyway, so the photographer is told the one thing to fix.
    let backdrop_even = m
        .backdrop
        .as_ref()
        .is_none_or(|b| b.spread <= TOLERANCES.background_spread);
    let shoulders = match m.shoulder_tilt_deg {
        Some(_) if !backdrop_even => Check::unjudged(
            CheckId::ShouldersLevel,
            "背景不均匀，肩膀待背景修正后再判断",
            "backdrop uneven: shoulders judged once it is even",
        ),
        Some(t) => Check::at_most(
            CheckId::ShouldersLevel,
            t.abs(),
            TOLERANCES.shoulder_tilt_deg,
        )
        .advise(Advice::LevelShoulders),
        // Shoulders outside the picture or in front of no backdrop: nothing to judge.
        None => Check::unjudged(
            CheckId::ShouldersLevel,
            "画面中看不到肩膀轮廓",
            "shoulder outline not in view",
        ),
    };
    [pose, eyes, red_eye, glare, mouth, shoulders]
}

/// A signed pixel offset rounded for a person: `-0.3` reads "0", never "-0".
fn whole_px(v: f64) -> String {
    // Adding +0.0 turns a rounded -0.0 into +0.0.
    format!("{:.0}", v.round() + 0.0)
}

#[cfg(test)]
mod tests {
    use super::{CHEEKS_OVER_EARS, trusted_cheeks, whole_px};

    #[test]
    fn the_cheeks_width_is_trusted_only_near_the_ears_width() {
        let ears = 200.0;
        // Inside the range, at its edges and beyond them.
        for (ratio, trusted) in [(0.94, true), (1.28, true), (0.69, false), (1.41, false)] {
            let w = ratio * ears;
            assert_eq!(
                trusted_cheeks(ears, Some(w)),
                trusted.then_some(w),
                "cheeks {ratio} x the ears, range {CHEEKS_OVER_EARS:?}"
            );
        }
        assert_eq!(trusted_cheeks(ears, None), None, "no outline found");
    }

    #[test]
    fn offsets_round_without_a_minus_zero() {
        assert_eq!(whole_px(-0.3), "0");
        assert_eq!(whole_px(-0.0), "0");
        assert_eq!(whole_px(0.4), "0");
        assert_eq!(whole_px(-0.6), "-1");
        assert_eq!(whole_px(12.5), "13");
    }
}
