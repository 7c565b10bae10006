//! Scenes: real face photos composited onto the standard backdrops, as a camera at the station
//! would see them, with exact ground truth for every number the analysis measures.
//!
//! The photos come from registry packages (see `assets/README.md`); each [`Subject`] records,
//! in the source photo's pixels, the two eye centres and the face width as annotated by hand.
//! The person is cut out of the original background with a real matte (MediaPipe Selfie
//! Segmentation, made once by `scripts/assets/make_mattes.py` and kept in `assets/mattes`), so
//! hair keeps its real edge: flyaway strands, curls and dreadlocks, not an ellipse cut inside the
//! hair (which flattered the head-top scan: 0.7 px of error where real hair gives several).
//! [`render`] places the subject at any scale, position and roll in a frame of any size, on a
//! backdrop with optional gradient, shadow and sensor noise, and returns the frame with its
//! [`Truth`]: eye centres transformed exactly, and the head top read off the rendered matte.
//!
//! The same scenes feed the golden tests, the benchmarks and the demo camera.
//!
//! ```no_run
//! use caiji_scene::{Scene, Library, render};
//! let lib = Library::open_default()?;
//! let (frame, truth) = render(&lib, &Scene::standard("astronaut", "light_blue", 1920, 1080))?;
//! println!("eyes at y = {}", truth.eye_y());
//! # Ok::<(), caiji_scene::SceneError>(())
//! ```
#![deny(missing_docs)]

mod demo;
pub use demo::{DemoCamera, DemoNext, DemoStudent, MAX_DEMO_STUDENTS, demo_student};

use caiji_spec::{Message, STANDARD};
use image::{GrayImage, Rgb, RgbImage};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a scene could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SceneError {
    /// A source photo is missing or unreadable.
    #[error("{}", self.message())]
    Source {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An unknown subject name.
    #[error("{}", self.message())]
    Unknown(String),
    /// An unknown backdrop name.
    #[error("{}", self.message())]
    UnknownBackdrop(String),
}

impl SceneError {
    /// The reason and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            SceneError::Source { path, reason } => {
                let path = path.display();
                Message::new(
                    format!("示例照片无法读取 {path} (运行 scripts/fetch-assets.sh)：{reason}"),
                    format!("demo photo unreadable {path} (run scripts/fetch-assets.sh): {reason}"),
                )
            }
            SceneError::Unknown(name) => {
                let names: Vec<&str> = SUBJECTS.iter().map(|s| s.name).collect();
                let names = names.join(", ");
                Message::new(
                    format!("未知人物 {name}：可用 {names}"),
                    format!("unknown subject {name}: use one of {names}"),
                )
            }
            SceneError::UnknownBackdrop(name) => {
                let names: Vec<&str> = STANDARD.backdrops.iter().map(|b| b.name).collect();
                let names = names.join(", ");
                Message::new(
                    format!("未知背景 {name}：可用 {names} 或 rgb:R,G,B"),
                    format!("unknown backdrop {name}: use one of {names} or rgb:R,G,B"),
                )
            }
        }
    }
}

/// A person in a source photo, annotated by hand in that photo's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Subject {
    /// Stable name.
    pub name: &'static str,
    /// File inside the assets folder.
    pub file: &'static str,
    /// Centre of the eye on the image's left, as marked by hand: the midpoint of its corners
    /// (the canthi, ISO/IEC 19794-5's eye centre; not the pupil) where two annotators marked
    /// them (`tests/fixtures/landmarks`), else (glasses, short_hair) the middle of the eye
    /// opening read off a 4× zoom.
    pub eye_left: (f64, f64),
    /// Centre of the eye on the image's right, marked the same way.
    pub eye_right: (f64, f64),
    /// Face width at cheek level (skin edge to skin edge, ears excluded): it sets the scene's
    /// scale (a person's `face` is this width over the frame's height).
    pub face_width: f64,
    /// The face width the ground truth reports where it differs from `face_width`: the two
    /// annotators' cheeks (`tests/fixtures/landmarks`) for the two subjects whose scale was set
    /// by an earlier reading, kept so that their scenes stay as they were.
    pub marked_width: Option<f64>,
    /// Head outline: ellipse centre and radii, roughly the hair's. It shapes the person's drop
    /// shadow and, in a photo shared with other people, keeps the matte to this person's head
    /// (grown by a third, so the hair's real edge is the matte's).
    pub head: (f64, f64, f64, f64),
    /// Torso: top y (the base of the neck: the shoulders turn about it), half width there, half
    /// width at the bottom of the photo. It shapes the drop shadow of a person alone in a photo.
    pub torso: (f64, f64, f64),
    /// The matte's name in `assets/mattes` (one per photo).
    pub matte: &'static str,
    /// Other people are in the photo (the matte holds them too): this person's body below the
    /// head, a polygon in source px traced by hand along the clothes' edge where they meet the
    /// wall or another person. The matte is kept to it and to the head's outline grown by a third
    /// (the torso's trapezoid took in a neighbour's shirt beside curly's shoulder), and it shapes
    /// the person's drop shadow with the head's outline.
    pub shared: Option<&'static [(f64, f64)]>,
    /// What makes this subject worth having.
    pub note: &'static str,
    /// Whether the person, placed upright on a backdrop, passes every rule (lips closed, no hat,
    /// ears not under the hair, shoulders level): the demo camera's students are the ones who do.
    pub compliant: bool,
}

// The three people of trio.jpg (600×346), traced on a 3× zoom of the photo.
// - Where curly's red hoodie meets glasses' shirt and short_hair's jumper, the side is the
//   hoodie's colour edge (the first and last red pixel of each row, read from the photo; the steps
//   are where the hood's top runs level), and both neighbours share it.
// - short_hair's jumper: its left shoulder's edge is read row by row from the photo (its first
//   beige pixel; the matte reaches up to 16 px past it into the dark shelf), and his right
//   shoulder runs just inside the jumper, below the yellow books behind it.
// - glasses' outline rises beside his long hair to where the head's ellipse covers it, so the
//   matte shapes the hair's ends (a corner there cut them at a slant).
// - Each outline runs on past the photo's bottom row (346); below that row it is read where the
//   photo is read, mirrored ([`mirror_below`]), so a tall frame shows no neighbour reflected up.
#[rustfmt::skip]
const GLASSES_BODY: [(f64, f64); 32] = [
    (-10.0, 140.0), (175.0, 140.0), (175.0, 212.0), (180.0, 225.0), (198.0, 240.0),
    (212.0, 252.0), (228.0, 253.0), (225.0, 258.0), (221.0, 261.0), (215.0, 265.0), (212.0, 269.0),
    (205.0, 272.0), (202.0, 275.0), (199.0, 278.0), (193.0, 280.0), (188.0, 284.0), (183.0, 286.0),
    (175.0, 287.0), (167.0, 290.0), (160.0, 296.0), (160.0, 302.0), (153.0, 308.0), (147.0, 318.0),
    (142.0, 328.0), (138.0, 338.0), (136.0, 346.0), (131.0, 460.0), (45.0, 460.0), (40.0, 346.0),
    (30.0, 315.0), (0.0, 298.0), (-10.0, 298.0),
];
#[rustfmt::skip]
const CURLY_BODY: [(f64, f64); 49] = [
    (240.0, 215.0), (333.0, 215.0), (334.0, 236.0), (344.0, 246.0), (344.0, 246.5), (356.0, 246.5),
    (361.0, 257.0), (361.0, 257.5), (372.0, 257.5), (376.0, 263.0), (382.0, 265.0), (382.0, 265.5),
    (398.0, 265.5), (402.0, 269.0), (403.0, 277.0), (404.0, 279.0), (408.0, 280.0), (414.0, 284.0),
    (425.0, 290.0), (432.0, 297.0), (432.0, 299.0), (438.0, 308.0), (442.0, 320.0), (447.0, 332.0),
    (450.0, 346.0), (453.0, 460.0), (131.0, 460.0), (136.0, 346.0), (138.0, 338.0), (142.0, 328.0),
    (147.0, 318.0), (153.0, 308.0), (160.0, 302.0), (160.0, 296.0), (167.0, 290.0), (175.0, 287.0),
    (183.0, 286.0), (188.0, 284.0), (193.0, 280.0), (199.0, 278.0), (202.0, 275.0), (205.0, 272.0),
    (212.0, 269.0), (215.0, 265.0), (221.0, 261.0), (225.0, 258.0), (228.0, 253.0), (236.0, 248.0),
    (251.0, 243.0),
];
#[rustfmt::skip]
const SHORT_HAIR_BODY: [(f64, f64); 51] = [
    (455.0, 150.0), (546.0, 150.0), (547.0, 174.0), (552.0, 180.0), (558.0, 184.0), (564.0, 188.0),
    (570.0, 191.0), (576.0, 194.0), (582.0, 197.5), (590.0, 200.5), (599.0, 205.5), (605.0, 208.0),
    (605.0, 460.0), (453.0, 460.0), (450.0, 346.0), (447.0, 332.0), (442.0, 320.0), (438.0, 308.0),
    (432.0, 299.0), (432.0, 297.0), (425.0, 290.0), (414.0, 284.0), (408.0, 280.0), (404.0, 279.0),
    (403.0, 277.0), (402.0, 269.0), (398.0, 265.5), (382.0, 265.5), (382.0, 265.0), (376.0, 263.0),
    (372.0, 257.5), (361.0, 257.5), (361.0, 257.0), (356.0, 246.5), (344.0, 246.5), (360.0, 244.0),
    (361.0, 238.0), (363.0, 234.0), (364.0, 230.0), (366.0, 226.0), (369.0, 222.0), (376.0, 218.0),
    (384.0, 214.0), (391.0, 210.0), (400.0, 206.0), (408.0, 202.0), (417.0, 198.0), (424.0, 194.0),
    (430.0, 190.0), (436.0, 186.0), (445.0, 180.0),
];

/// The annotated subjects.
pub const SUBJECTS: &[Subject] = &[
    // Eyes: the annotators' canthi (`tests/fixtures/landmarks`); the face width read off a 4×
    // zoom sets the scale, the truth's width is the annotators' cheeks.
    Subject {
        name: "astronaut",
        file: "astronaut.png",
        eye_left: (203.75, 102.25),
        eye_right: (247.5, 104.25),
        face_width: 89.0,
        marked_width: Some(90.3),
        head: (226.0, 97.0, 74.0, 80.0),
        torso: (165.0, 95.0, 190.0),
        note: "woman, short light-brown hair, smiling with her teeth showing, orange suit, \
               her helmet held at her side",
        compliant: false,
        matte: "astronaut",
        shared: None,
    },
    Subject {
        name: "glasses",
        file: "trio.jpg",
        eye_left: (74.5, 121.5),
        eye_right: (112.5, 122.0),
        face_width: 79.5,
        marked_width: None,
        head: (93.0, 126.0, 60.0, 80.0),
        torso: (196.0, 68.0, 105.0),
        note: "man, long dark hair over both ears, beard, glasses, checked shirt: his ears do \
               not show (露出双耳)",
        compliant: false,
        matte: "trio",
        shared: Some(&GLASSES_BODY),
    },
    // Eyes: the annotators' canthi; the face width an earlier reading sets the scale, the
    // truth's width is the annotators' cheeks.
    Subject {
        name: "curly",
        file: "trio.jpg",
        eye_left: (253.38, 174.75),
        eye_right: (295.12, 171.25),
        face_width: 91.0,
        marked_width: Some(86.5),
        head: (273.0, 161.0, 58.0, 79.0),
        torso: (236.0, 62.0, 150.0),
        note: "man, curly light-brown hair, red hoodie bunched up on his left shoulder, his \
               head a little left of his body's middle: his shoulders' outline reads 7.4° \
               (左右肩膀平衡; MediaPipe Pose's shoulder joints read 1.9°)",
        compliant: false,
        matte: "trio",
        shared: Some(&CURLY_BODY),
    },
    Subject {
        name: "short_hair",
        file: "trio.jpg",
        eye_left: (482.5, 96.25),
        eye_right: (518.0, 96.75),
        face_width: 87.5,
        marked_width: None,
        head: (502.0, 95.0, 60.0, 73.0),
        torso: (162.0, 56.0, 130.0),
        note: "man, short dark hair, ears visible, light-blue collar under a beige jumper",
        compliant: true,
        matte: "trio",
        shared: Some(&SHORT_HAIR_BODY),
    },
    // Eyes (the corners' midpoints) and face width (cheek to cheek) are the mean of the two
    // annotators' marks in `tests/fixtures/landmarks`.
    Subject {
        name: "marc",
        file: "real/marc.jpg",
        eye_left: (164.9, 171.25),
        eye_right: (233.1, 169.5),
        face_width: 149.75,
        marked_width: None,
        head: (199.0, 130.0, 95.0, 122.0),
        torso: (290.0, 110.0, 200.0),
        note: "man, thick wavy brown hair swept up, stubble, dark knitted jumper, one side in shadow",
        compliant: true,
        matte: "marc",
        shared: None,
    },
    Subject {
        name: "ayo",
        file: "real/ayo-ogunseinde.jpg",
        eye_left: (173.25, 140.25),
        eye_right: (242.0, 134.6),
        face_width: 144.15,
        marked_width: None,
        head: (207.0, 125.0, 80.0, 111.0),
        torso: (250.0, 120.0, 200.0),
        note: "man, short black hair, beard, lips pursed, pink and blue striped T-shirt",
        compliant: true,
        matte: "ayo-ogunseinde",
        shared: None,
    },
    Subject {
        name: "mike",
        file: "real/mike.jpg",
        eye_left: (164.0, 167.0),
        eye_right: (231.0, 174.0),
        face_width: 148.7,
        marked_width: None,
        head: (195.0, 150.0, 115.0, 135.0),
        torso: (330.0, 120.0, 200.0),
        note: "man, long dreadlocks over the shoulders, beard, white T-shirt, greyscale photo; \
               his whole body leans 6°, so with his head upright his shoulders are not level; his \
               dreadlocks hang over his right ear (露出双耳)",
        compliant: false,
        matte: "mike",
        shared: None,
    },
    Subject {
        name: "hopper",
        file: "real/grace-hopper.jpg",
        eye_left: (222.5, 192.1),
        eye_right: (306.9, 189.5),
        face_width: 162.75,
        marked_width: None,
        head: (265.0, 170.0, 120.0, 146.0),
        torso: (340.0, 90.0, 250.0),
        note: "woman, short grey hair under a naval officer's cap, glasses, dark uniform: \
               not bareheaded (免冠)",
        compliant: false,
        matte: "grace-hopper",
        shared: None,
    },
];

/// The mattes, made by `scripts/assets/make_mattes.py` from the fetched photos and kept in the
/// repository (they are small and this project's own output): compiled in, so a scene needs
/// no path but the photos'.
const MATTES: &[(&str, &[u8])] = &[
    (
        "astronaut",
        include_bytes!("../../../assets/mattes/astronaut.png"),
    ),
    ("trio", include_bytes!("../../../assets/mattes/trio.png")),
    ("marc", include_bytes!("../../../assets/mattes/marc.png")),
    (
        "ayo-ogunseinde",
        include_bytes!("../../../assets/mattes/ayo-ogunseinde.png"),
    ),
    ("mike", include_bytes!("../../../assets/mattes/mike.png")),
    (
        "grace-hopper",
        include_bytes!("../../../assets/mattes/grace-hopper.png"),
    ),
];

/// Looks up a subject by name.
pub fn subject(name: &str) -> Result<&'static Subject, SceneError> {
    SUBJECTS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| SceneError::Unknown(name.to_string()))
}

/// The source photos, decoded once.
pub struct Library {
    dir: PathBuf,
    photos: HashMap<&'static str, RgbImage>,
    mattes: HashMap<&'static str, GrayImage>,
    /// The body outline of each subject who shares a photo, by subject name.
    outlines: HashMap<&'static str, Outline>,
}

impl Library {
    /// Open the photos in `dir` (the assets folder).
    pub fn open(dir: &Path) -> Result<Library, SceneError> {
        let mut photos = HashMap::new();
        let mut mattes = HashMap::new();
        for s in SUBJECTS {
            if photos.contains_key(s.file) {
                continue;
            }
            let path = dir.join(s.file);
            let unreadable = |reason: String| SceneError::Source {
                path: path.clone(),
                reason,
            };
            let img = image::open(&path)
                .map_err(|e| unreadable(e.to_string()))?
                .to_rgb8();
            let png = MATTES
                .iter()
                .find(|(name, _)| *name == s.matte)
                .map(|(_, png)| *png)
                .expect("every subject's matte is compiled in");
            let matte = image::load_from_memory(png)
                .expect("the compiled-in mattes are PNGs")
                .to_luma8();
            if matte.dimensions() != img.dimensions() {
                return Err(unreadable(format!(
                    "{}×{}, its matte {}×{}: not the photo the matte was made from",
                    img.width(),
                    img.height(),
                    matte.width(),
                    matte.height()
                )));
            }
            photos.insert(s.file, img);
            mattes.insert(s.file, matte);
        }
        let outlines = SUBJECTS
            .iter()
            .filter_map(|s| {
                let (w, h) = photos.get(s.file)?.dimensions();
                Some((s.name, Outline::of(s.shared?, w, h)))
            })
            .collect();
        Ok(Library {
            dir: dir.to_owned(),
            photos,
            mattes,
            outlines,
        })
    }

    /// Open the photos in `$CAIJI_ASSETS` or the repo's `assets/vendor`.
    pub fn open_default() -> Result<Library, SceneError> {
        let dir = std::env::var_os("CAIJI_ASSETS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/vendor"));
        Library::open(&dir)
    }

    /// The folder the photos came from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A person placed in the frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// Subject name.
    pub subject: String,
    /// Eye midpoint x in the frame, as a fraction of frame width.
    pub eye_x: f64,
    /// Eye midpoint y in the frame, as a fraction of frame height.
    pub eye_y: f64,
    /// Face width in the frame, as a fraction of frame height.
    pub face: f64,
    /// Roll of the eye line in the frame, degrees (positive: clockwise in the picture). The
    /// subject's own tilt in the source photo is taken out, so 0 is upright.
    #[serde(default)]
    pub roll_deg: f64,
    /// Paint the clothes this colour (folds kept as a faint texture).
    #[serde(default)]
    pub shirt: Option<[u8; 3]>,
    /// A lamp from the image's left: the right half of the person is darker by this fraction.
    #[serde(default)]
    pub side_light: f64,
    /// The shoulders tilted in the frame, degrees (positive: the image-right shoulder lower):
    /// the torso turned about the neck, the head left as it is.
    #[serde(default)]
    pub shoulder_tilt_deg: f64,
    /// The person's own soft shadow on the backdrop, cast down and to the image's right by a
    /// lamp at the upper left: the backdrop under it darker by this fraction.
    #[serde(default)]
    pub drop_shadow: f64,
}

/// A frame to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Backdrop name (`light_blue`, `white`, `light_grey`) or `rgb:R,G,B`.
    pub backdrop: String,
    /// Brightness change from the top to the bottom of the backdrop, in RGB units.
    #[serde(default)]
    pub gradient: f64,
    /// A shadow on the right of the backdrop: how much darker, in RGB units.
    #[serde(default)]
    pub shadow: f64,
    /// Sensor noise amplitude, RGB units.
    #[serde(default = "default_noise")]
    pub noise: f64,
    /// Multiply every pixel's brightness (exposure), 1 = as shot.
    #[serde(default = "one")]
    pub exposure: f64,
    /// The people, the student first.
    pub people: Vec<Placement>,
}

fn default_noise() -> f64 {
    3.0
}
fn one() -> f64 {
    1.0
}

impl Scene {
    /// One student well framed in the middle of the frame.
    pub fn standard(subject: &str, backdrop: &str, width: u32, height: u32) -> Scene {
        Scene {
            width,
            height,
            backdrop: backdrop.to_string(),
            gradient: 6.0,
            shadow: 0.0,
            noise: 3.0,
            exposure: 1.0,
            people: vec![Placement {
                subject: subject.to_string(),
                eye_x: 0.5,
                eye_y: 0.45,
                face: 0.30,
                roll_deg: 0.0,
                shirt: None,
                side_light: 0.0,
                shoulder_tilt_deg: 0.0,
                drop_shadow: 0.0,
            }],
        }
    }

    /// Frame `k` of a camera stream of [`Scene::standard`]'s student swaying as people do while
    /// they wait for the shutter: a few pixels a frame, about ±0.6 % of the frame across and
    /// ±0.4 % up and down, round and round every nine frames.
    pub fn swaying(subject: &str, backdrop: &str, width: u32, height: u32, k: usize) -> Scene {
        let mut scene = Scene::standard(subject, backdrop, width, height);
        let t = k as f64 * 0.7;
        scene.people[0].eye_x += 0.006 * t.sin();
        scene.people[0].eye_y += 0.004 * t.cos();
        scene
    }
}

/// Frames `0..count` of [`Scene::swaying`], rendered: a camera stream for the tracked analysis.
pub fn swaying_frames(
    lib: &Library,
    subject: &str,
    backdrop: &str,
    (width, height): (u32, u32),
    count: usize,
) -> Result<Vec<RgbImage>, SceneError> {
    (0..count)
        .map(|k| Ok(render(lib, &Scene::swaying(subject, backdrop, width, height, k))?.0))
        .collect()
}

/// Ground truth of the student (the first person) in a rendered frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Eye on the image's left.
    pub eye_left: (f64, f64),
    /// Eye on the image's right.
    pub eye_right: (f64, f64),
    /// Topmost row where the student covers at least half the pixel, in the columns over the
    /// face (the eye midpoint ± 0.55 eye distances, where the analysis scans for the hair).
    pub head_top_y: f64,
    /// Face width cheek to cheek: the subject's `marked_width`, else its `face_width`, at the
    /// frame's scale.
    pub face_width: f64,
    /// Face centre x: the eye midpoint.
    pub face_center_x: f64,
}

impl Truth {
    /// Eye line.
    pub fn eye_y(&self) -> f64 {
        (self.eye_left.1 + self.eye_right.1) / 2.0
    }

    /// `img` (the frame this truth is of) with a fringe of the student's own hair drawn down
    /// over the forehead to just above the eyes, between `from` and `to` eye distances either
    /// side of the face's centre: the hair just below the crown (from 0.06 to 0.26 of the way
    /// from the head top to the eyes) stretched down, its ends ragged, blended into the face
    /// over 8 px at the sides. The eyebrows rule's fixture ("露出眉毛"): no registry package we
    /// found has a portrait with a fringe over the brows. Reads as a fringe on a person whose
    /// hair fills the crown (marc); over a thin crown it paints the backdrop.
    pub fn with_fringe(&self, img: &RgbImage, from: f64, to: f64) -> RgbImage {
        let (l, r) = (self.eye_left, self.eye_right);
        let ipd = (r.0 - l.0).hypot(r.1 - l.1);
        let (top, eyes) = (self.head_top_y, self.eye_y());
        let band = (top + 0.06 * (eyes - top), top + 0.26 * (eyes - top));
        let (w, h) = (img.width() as f64, img.height() as f64);
        let x0 = (self.face_center_x + from * ipd).clamp(0.0, w) as u32;
        let x1 = (self.face_center_x + to * ipd).clamp(0.0, w) as u32;
        let mut out = img.clone();
        for x in x0..x1 {
            let xf = x as f64;
            let end = (eyes - 0.12 * ipd
                + 0.06 * ipd * (0.9 * xf).sin()
                + 0.04 * ipd * (0.23 * xf).sin())
            .min(h);
            let edge = ((x - x0).min(x1 - x).min(8) as f64) / 8.0;
            for y in band.0.max(0.0) as u32..end.max(0.0) as u32 {
                let t = (y as f64 - band.0) / (end - band.0);
                let from_y = (band.0 + t * (band.1 - band.0)).clamp(0.0, h - 1.0) as u32;
                let hair = img.get_pixel(x, from_y).0;
                let skin = img.get_pixel(x, y).0;
                let mixed = std::array::from_fn(|c| {
                    (edge * hair[c] as f64 + (1.0 - edge) * skin[c] as f64).round() as u8
                });
                out.put_pixel(x, y, image::Rgb(mixed));
            }
        }
        out
    }

    /// `img` (the frame this truth is of) with a surgical mask drawn over the lower face, in
    /// `colour`: from `top` eye distances below the eye line (0.35 over the nose, 0.8 below
    /// it) to under the chin (1.85), as wide as the face at the top and narrowing toward the
    /// chin, with its pleats' shading, darker toward the chin and at the sides. The face
    /// uncovered rule's fixture: no registry package we found has a photo of a masked face.
    pub fn with_mask(&self, img: &RgbImage, colour: [u8; 3], top: f64) -> RgbImage {
        let (l, r) = (self.eye_left, self.eye_right);
        let ipd = (r.0 - l.0).hypot(r.1 - l.1);
        let (y0, y1) = (self.eye_y() + top * ipd, self.eye_y() + 1.85 * ipd);
        let cx = self.face_center_x;
        let mut out = img.clone();
        for y in y0.max(0.0) as u32..(y1.max(0.0) as u32).min(img.height()) {
            let f = (y as f64 - y0) / (y1 - y0);
            let half = 0.98 * ipd * (1.0 - 0.35 * f * f);
            let pleats = 1.0 - 0.08 * (f * 14.0).sin().abs() - 0.1 * f;
            let x0 = (cx - half).max(0.0) as u32;
            let x1 = ((cx + half).max(0.0) as u32).min(img.width());
            for x in x0..x1 {
                let side = 1.0 - 0.25 * ((x as f64 - cx).abs() / half).powi(6);
                let shaded =
                    colour.map(|c| (c as f64 * pleats * side).round().clamp(0.0, 255.0) as u8);
                out.put_pixel(x, y, image::Rgb(shaded));
            }
        }
        out
    }

    /// `img` (the frame this truth is of) with tinted lenses drawn over both eyes: an ellipse
    /// 0.9 eye distances wide and 0.62 high round each eye centre, inside which the pixel
    /// values (sRGB, gamma-encoded) are multiplied by `scale` and cast a little brown, its edge
    /// softened over a tenth of the ellipse. In light, a scale of 0.8 lets through about half
    /// (0.8^2.2 with the cast), 0.45 about a sixth, 0.3 about a sixteenth. On a subject who
    /// wears glasses (glasses, hopper) the lenses fall inside the frames: the tinted-glasses
    /// rule's fixture, drawn because the only real portrait with sunglasses (team-2) is also
    /// turned, hatted and laughing.
    pub fn with_tinted_lenses(&self, img: &RgbImage, scale: f64) -> RgbImage {
        let (l, r) = (self.eye_left, self.eye_right);
        let ipd = (r.0 - l.0).hypot(r.1 - l.1);
        let (a, b) = (0.45 * ipd, 0.31 * ipd);
        let tint: [f64; 3] = [1.0, 0.92, 0.82];
        let mut out = img.clone();
        for (cx, cy) in [l, r] {
            let x0 = (cx - a).max(0.0) as u32;
            let y0 = (cy - b).max(0.0) as u32;
            let x1 = ((cx + a).ceil() as u32).min(img.width());
            let y1 = ((cy + b).ceil() as u32).min(img.height());
            for y in y0..y1 {
                for x in x0..x1 {
                    let (dx, dy) = ((x as f64 - cx) / a, (y as f64 - cy) / b);
                    let d = (dx * dx + dy * dy).sqrt();
                    if d >= 1.0 {
                        continue;
                    }
                    let inside = ((1.0 - d) / 0.1).min(1.0);
                    let p = img.get_pixel(x, y).0;
                    let shaded = std::array::from_fn(|c| {
                        let lit = p[c] as f64 * scale * tint[c].max(scale);
                        (inside * lit + (1.0 - inside) * p[c] as f64).round() as u8
                    });
                    out.put_pixel(x, y, image::Rgb(shaded));
                }
            }
        }
        out
    }
}

/// The colour of a backdrop name.
pub fn backdrop_rgb(name: &str) -> Result<[u8; 3], SceneError> {
    if let Some(rest) = name.strip_prefix("rgb:") {
        let v: Vec<u8> = rest
            .split(',')
            .filter_map(|t| t.trim().parse().ok())
            .collect();
        return <[u8; 3]>::try_from(v).map_err(|_| SceneError::UnknownBackdrop(name.to_string()));
    }
    STANDARD
        .backdrops
        .iter()
        .find(|b| b.name == name)
        .map(|b| b.rgb.0)
        .ok_or_else(|| SceneError::UnknownBackdrop(name.to_string()))
}

/// A small fast deterministic generator for sensor noise (xorshift).
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

/// Below the photo's bottom row the photo is mirrored, over at most a third of its height (the
/// body goes on, its texture reflected; a small person in a large frame is not followed by an
/// upside-down head), and that row is repeated further down.
fn mirror_below(y: f64, height: u32) -> f64 {
    let last = height as f64 - 1.0;
    if y > last {
        last - (y - last).min(last / 3.0)
    } else {
        y
    }
}

/// Bilinear sample at `(x, y)` of a `width`×`height` picture whose pixels `p` gives: clamped
/// beside and above it, mirrored below it ([`mirror_below`]).
fn bilinear_at<const N: usize>(
    (width, height): (u32, u32),
    x: f64,
    y: f64,
    p: impl Fn(u32, u32) -> [f64; N],
) -> [f64; N] {
    let x = x.clamp(0.0, width as f64 - 1.001);
    let y = mirror_below(y, height).clamp(0.0, height as f64 - 1.001);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let (a, b, c, d) = (p(x0, y0), p(x0 + 1, y0), p(x0, y0 + 1), p(x0 + 1, y0 + 1));
    std::array::from_fn(|i| {
        (a[i] * (1.0 - fx) + b[i] * fx) * (1.0 - fy) + (c[i] * (1.0 - fx) + d[i] * fx) * fy
    })
}

fn bilinear(img: &RgbImage, x: f64, y: f64) -> [f64; 3] {
    bilinear_at(img.dimensions(), x, y, |xx, yy| {
        img.get_pixel(xx, yy).0.map(f64::from)
    })
}

/// How much of the soft edge `soft` source px wide covers a point `d` source px outside a shape.
fn edge(d: f64, soft: f64) -> f64 {
    (0.5 - d / soft).clamp(0.0, 1.0)
}

/// Coverage of a source point by the subject's head ellipse, 0–1.
fn head_cover(s: &Subject, x: f64, y: f64, soft: f64) -> f64 {
    let (cx, cy, rx, ry) = s.head;
    // Signed distance (approximate, in source px) outside the head ellipse.
    let k = ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2);
    edge((k.sqrt() - 1.0) * rx.min(ry), soft)
}

/// Coverage of a source point by the subject's torso, 0–1.
fn torso_cover(s: &Subject, x: f64, y: f64, soft: f64) -> f64 {
    let (ty, w0, w1) = s.torso;
    if y < ty {
        return 0.0;
    }
    let t = ((y - ty) / 150.0).min(1.0);
    let half = w0 + (w1 - w0) * t.sqrt();
    edge(((x - s.head.0).abs() - half).max(ty - y), soft)
}

/// A body outline as its signed distance (source px, negative inside) at every pixel of its
/// photo, made once when the photos are opened: tested against the polygon at each pixel of
/// each frame, it made a 720p frame of a shared subject take ten times as long. Distances are
/// exact within [`Outline::REACH`] of a side and clamped to it beyond. The grid reaches that far
/// beside the photo too (an outline may run past its side, and a drop shadow is cast there), and
/// is mirrored below it as the photo is.
struct Outline {
    /// The grid's size: the photo's width and `REACH` on each side, the photo's height.
    size: (u32, u32),
    distance: Vec<f32>,
}

impl Outline {
    /// Past this distance from a side (source px) every edge is whole: the widest used, a drop
    /// shadow's a third of a face width (under 32 px for the trio's faces of 80–91 px), is
    /// decided within half its width.
    const REACH: f64 = 32.0;

    fn of(polygon: &[(f64, f64)], width: u32, height: u32) -> Outline {
        let margin = Outline::REACH;
        let (w, h) = (width as usize + 2 * margin as usize, height as usize);
        // Grid column `x` is source column `x - margin`.
        let polygon: Vec<(f64, f64)> = polygon.iter().map(|&(x, y)| (x + margin, y)).collect();
        let polygon = &polygon[..];
        let sides = || {
            polygon
                .iter()
                .zip(polygon.iter().cycle().skip(1))
                .map(|(&a, &b)| (a, b))
        };
        // Distance to the nearest side, near each side only.
        let mut near = vec![Outline::REACH as f32; w * h];
        for ((ax, ay), (bx, by)) in sides() {
            let span = |a: f64, b: f64, n: usize| {
                let lo = (a.min(b) - Outline::REACH).floor().max(0.0) as usize;
                let hi = ((a.max(b) + Outline::REACH).ceil().max(0.0) as usize).min(n);
                lo..hi
            };
            let (ux, uy) = (bx - ax, by - ay);
            let length2 = (ux * ux + uy * uy).max(f64::MIN_POSITIVE);
            for y in span(ay, by, h) {
                for x in span(ax, bx, w) {
                    let (px, py) = (x as f64 - ax, y as f64 - ay);
                    let t = ((px * ux + py * uy) / length2).clamp(0.0, 1.0);
                    let d = (px - t * ux).hypot(py - t * uy) as f32;
                    let cell = &mut near[y * w + x];
                    *cell = cell.min(d);
                }
            }
        }
        // Inside by the even-odd rule: each row's crossings with the sides.
        let mut distance = near;
        let mut crossings = Vec::new();
        for y in 0..h {
            let yf = y as f64;
            crossings.clear();
            crossings.extend(
                sides()
                    .filter(|&((_, ay), (_, by))| (ay > yf) != (by > yf))
                    .map(|((ax, ay), (bx, by))| ax + (yf - ay) * (bx - ax) / (by - ay)),
            );
            for (x, cell) in distance[y * w..(y + 1) * w].iter_mut().enumerate() {
                let right_of = crossings.iter().filter(|&&c| (x as f64) < c).count();
                if right_of % 2 == 1 {
                    *cell = -*cell;
                }
            }
        }
        Outline {
            size: (w as u32, height),
            distance,
        }
    }

    /// Coverage of a source point, 0–1, with an edge `soft` source px wide: the distance is
    /// bilinear between pixels, clamped beside the photo and mirrored below it as the photo is.
    fn cover(&self, x: f64, y: f64, soft: f64) -> f64 {
        let w = self.size.0 as usize;
        let [d] = bilinear_at(self.size, x + Outline::REACH, y, |xx, yy| {
            [self.distance[yy as usize * w + xx as usize] as f64]
        });
        edge(d, soft)
    }
}

/// How much of the person the matte gives at a source point, 0–1: bilinear, nothing above or
/// beside the photo, mirrored below it (the body goes on below the photo). The
/// model's soft ramp is narrowed to its middle 40 % (a crisp hair edge: a ramp as wide as the
/// model's own mixes the original background into the hair as a halo).
fn matte_at(m: &GrayImage, x: f64, y: f64) -> f64 {
    if x < -0.5 || x > m.width() as f64 - 0.5 || y < -0.5 {
        return 0.0;
    }
    let [v] = bilinear_at(m.dimensions(), x, y, |xx, yy| {
        [m.get_pixel(xx, yy).0[0] as f64 / 255.0]
    });
    ((v - 0.3) / 0.4).clamp(0.0, 1.0)
}

/// Render a scene. The noise is seeded from the scene, so the same scene gives the same frame.
pub fn render(lib: &Library, scene: &Scene) -> Result<(RgbImage, Truth), SceneError> {
    let back = backdrop_rgb(&scene.backdrop)?;
    let (w, h) = (scene.width, scene.height);
    let mut img = RgbImage::new(w, h);
    let mut noise =
        Noise(0x9E37_79B9_7F4A_7C15 ^ ((w as u64) << 32 | h as u64) ^ scene.people.len() as u64);
    for (y, row) in img.enumerate_rows_mut() {
        let vert = scene.gradient * (y as f64 / h as f64 - 0.5);
        for (x, _, p) in row {
            let shade = scene.shadow * ((x as f64 / w as f64 - 0.55) / 0.45).clamp(0.0, 1.0);
            let base = vert - shade;
            p.0 = [0, 1, 2].map(|c| (back[c] as f64 + base).clamp(0.0, 255.0) as u8);
        }
    }
    let mut truth = None;
    // Paint the people back to front: the student, listed first, is painted last.
    for (index, person) in scene.people.iter().enumerate().rev() {
        let s = subject(&person.subject)?;
        let src = lib
            .photos
            .get(s.file)
            .expect("every subject's photo is loaded");
        let matte = lib
            .mattes
            .get(s.file)
            .expect("every photo's matte is loaded");
        let outline = lib.outlines.get(s.name);
        let (ex, ey) = (
            (s.eye_left.0 + s.eye_right.0) / 2.0,
            (s.eye_left.1 + s.eye_right.1) / 2.0,
        );
        let scale = person.face * h as f64 / s.face_width; // frame px per source px
        let (fx, fy) = (person.eye_x * w as f64, person.eye_y * h as f64);
        let own_roll = (s.eye_right.1 - s.eye_left.1).atan2(s.eye_right.0 - s.eye_left.0);
        let (sin, cos) = (person.roll_deg.to_radians() - own_roll).sin_cos();
        // frame = R * (src - eye) * scale + f;  src = R^-1 (frame - f) / scale + eye
        // In pixel-index coordinates (a pixel's centre at its index), as the analysis measures.
        let to_frame = |sx: f64, sy: f64| {
            let (dx, dy) = ((sx - ex) * scale, (sy - ey) * scale);
            (
                fx + dx * cos - dy * sin - 0.5,
                fy + dx * sin + dy * cos - 0.5,
            )
        };
        let soft = (1.5 / scale).max(0.6);
        let el = to_frame(s.eye_left.0, s.eye_left.1);
        let er = to_frame(s.eye_right.0, s.eye_right.1);
        let face_x = (el.0 + er.0) / 2.0;
        let face_columns = 0.55 * (er.0 - el.0).hypot(er.1 - el.1);
        // The head as placed and the torso turned meet in a smooth bend over 0.3 face widths
        // about the base of the neck.
        let bend = 0.15 * s.face_width;
        let neck = |sx: f64, sy: f64, tx: f64, ty: f64| {
            let u = ((sy - s.torso.0 + bend) / (2.0 * bend)).clamp(0.0, 1.0);
            let k = u * u * (3.0 - 2.0 * u);
            (sx + (tx - sx) * k, sy + (ty - sy) * k)
        };
        // In a shared photo the head is this person's outline grown by a third.
        let grown = {
            let (cx, cy, rx, ry) = s.head;
            Subject {
                head: (cx, cy, rx * 1.33, ry * 1.33),
                ..*s
            }
        };
        // The torso turns about the neck (the top of the torso under the head's centre). Only
        // the head is levelled: the shoulders keep the source photo's angle, plus any tilt asked.
        let torso_deg = person.shoulder_tilt_deg + own_roll.to_degrees();
        let (tsin, tcos) = torso_deg.to_radians().sin_cos();
        let pivot = (s.head.0, s.torso.0);
        let src_of = |x: f64, y: f64| {
            let (dx, dy) = (x + 0.5 - fx, y + 0.5 - fy);
            let sx = (dx * cos + dy * sin) / scale + ex;
            let sy = (-dx * sin + dy * cos) / scale + ey;
            (sx, sy)
        };
        let torso_of = |sx: f64, sy: f64| {
            if torso_deg == 0.0 {
                return (sx, sy);
            }
            let (px, py) = (sx - pivot.0, sy - pivot.1);
            (
                pivot.0 + px * tcos + py * tsin,
                pivot.1 - px * tsin + py * tcos,
            )
        };
        if index == 0 && person.drop_shadow > 0.0 {
            // The outline moved down and right, with an edge a third of a face wide.
            let (ox, oy) = (0.3 * person.face * h as f64, 0.12 * person.face * h as f64);
            let wide = 0.35 * s.face_width;
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = src_of(x as f64 - ox, y as f64 - oy);
                    let (tx, ty) = torso_of(sx, sy);
                    let body = match outline {
                        Some(outline) => outline.cover(tx, ty, wide),
                        None => torso_cover(s, tx, ty, wide),
                    };
                    let a = head_cover(s, sx, sy, wide).max(body);
                    if a > 0.0 {
                        let p = img.get_pixel_mut(x, y);
                        let k = 1.0 - person.drop_shadow * a;
                        p.0 = p.0.map(|v| (v as f64 * k).round() as u8);
                    }
                }
            }
        }
        let mut top = f64::INFINITY;
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = src_of(x as f64, y as f64);
                let (tx, ty) = torso_of(sx, sy);
                // In a shared photo, only within this person's outline (glasses' head ellipse
                // is as tall as his hair, which falls to his shoulders; a column beside the
                // neck instead let in the wall between him and curly).
                let inside = match outline {
                    Some(outline) => {
                        head_cover(&grown, sx, sy, soft).max(outline.cover(tx, ty, soft))
                    }
                    None => 1.0,
                };
                if inside <= 0.0 {
                    continue;
                }
                // The head as placed, the torso turned, bent smoothly into each other at the
                // base of the neck.
                let (sx, sy) = neck(sx, sy, tx, ty);
                let a = inside * matte_at(matte, sx, sy);
                if a <= 0.0 {
                    continue;
                }
                if a >= 0.5 && (x as f64 - face_x).abs() <= face_columns {
                    top = top.min(y as f64);
                }
                let mut c = bilinear(src, sx, sy);
                if let (Some(shirt), true) =
                    (person.shirt, sy > s.torso.0 + 0.25 * (s.torso.0 - s.head.1))
                {
                    let l = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
                    c = [0, 1, 2].map(|i| shirt[i] as f64 + 0.1 * (l - 110.0));
                }
                if person.side_light > 0.0 {
                    // The shadow line runs down the nose, soft over a fifth of the face width.
                    let u = ((sx - ex) / (0.2 * s.face_width) + 0.5).clamp(0.0, 1.0);
                    let t = u * u * (3.0 - 2.0 * u);
                    c = c.map(|v| v * (1.0 - person.side_light * t));
                }
                let p = img.get_pixel_mut(x, y);
                for (dst, src) in p.0.iter_mut().zip(c) {
                    *dst = (src * a + *dst as f64 * (1.0 - a))
                        .round()
                        .clamp(0.0, 255.0) as u8;
                }
            }
        }
        if index == 0 {
            truth = Some(Truth {
                eye_left: el,
                eye_right: er,
                head_top_y: if top.is_finite() { top } else { 0.0 },
                face_width: s.marked_width.unwrap_or(s.face_width) * scale,
                face_center_x: (el.0 + er.0) / 2.0,
            });
        }
    }
    if scene.noise > 0.0 || scene.exposure != 1.0 {
        for p in img.pixels_mut() {
            let n = scene.noise * 2.0 * noise.next();
            *p = Rgb(p
                .0
                .map(|c| (c as f64 * scene.exposure + n).round().clamp(0.0, 255.0) as u8));
        }
    }
    let truth = truth.unwrap_or(Truth {
        eye_left: (0.0, 0.0),
        eye_right: (0.0, 0.0),
        head_top_y: 0.0,
        face_width: 0.0,
        face_center_x: 0.0,
    });
    Ok((img, truth))
}
