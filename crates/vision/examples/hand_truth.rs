//! Eye line and face width against hand-annotated truth on real portraits, for each candidate
//! definition: `cargo run -p caiji-vision --example hand_truth` (truth: the two annotators'
//! files in `tests/fixtures/landmarks`, each point the mean of theirs).
//!
//! Errors are on the 480×640 output, at the scale that puts the true face width at the middle
//! of its band (240 px). The eye truth is the canthi (ISO/IEC 19794-5's eye centre: the midpoint
//! of the inner and outer corner) and, second, the pupils; the width truth is the face outline
//! "between the two cheeks" in front of the ears, between the eye line and the nose tip.

use caiji_vision::{Analyzer, Detector, FaceMesh, HeadwearModel, IrisModel, Point};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

const POINTS: [&str; 8] = [
    "eye_l_outer",
    "eye_l_inner",
    "eye_r_inner",
    "eye_r_outer",
    "pupil_l",
    "pupil_r",
    "cheek_l",
    "cheek_r",
];

/// Mesh point pairs on the face outline that could be "the cheeks".
const PAIRS: [(usize, usize); 6] = [
    (234, 454),
    (127, 356),
    (93, 323),
    (132, 361),
    (137, 366),
    (227, 447),
];

fn dist(p: Point, q: Point) -> f64 {
    (p.x - q.x).hypot(p.y - q.y)
}

/// Median, p95 and max of the absolute error.
fn stats(v: &[f64]) -> String {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mut a: Vec<f64> = v.iter().map(|e| e.abs()).collect();
    a.sort_by(f64::total_cmp);
    let p95 = a[((a.len() as f64 * 0.95).ceil() as usize).clamp(1, a.len()) - 1];
    format!(
        "n {:2}  median {:+6.2}  p95|e| {:6.2}  max|e| {:6.2}",
        v.len(),
        s[s.len() / 2],
        p95,
        a[a.len() - 1]
    )
}

fn main() {
    let dir = caiji_vision::assets_dir();
    let truth_dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/landmarks");
    let sets: Vec<Value> = ["annotator-a.json", "annotator-b.json"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(truth_dir.join(f)).expect("annotations");
            serde_json::from_str(&text).expect("annotations are JSON")
        })
        .collect();
    let analyzer = Analyzer::load(&dir).expect("models (scripts/fetch-assets.sh)");
    let detector = Detector::load(&dir.join(caiji_vision::MODEL_FILE)).unwrap();
    let mesh_model = FaceMesh::load(&dir.join(caiji_vision::MESH_FILE)).unwrap();
    let iris = IrisModel::load(&dir.join(caiji_vision::IRIS_FILE)).unwrap();
    let parser = HeadwearModel::load(&dir.join(caiji_vision::HEADWEAR_FILE)).unwrap();
    let mut eye: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut width: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut spread = (Vec::new(), Vec::new());
    // The judged width over the ears', each face (the range `judge` trusts the network in).
    let mut ratios: Vec<f64> = Vec::new();
    // Frontal faces: the mesh's own eye line minus the canthi, over the measured face width, and
    // the scale to output pixels (the calibration `caiji_vision::EYE_LINE_OFFSET` is made from).
    let mut offsets: Vec<(String, f64, f64)> = Vec::new();
    // Each annotated face: its photo, and whether it faces the camera (the face width the
    // standard means is a frontal one; the eye line is measured on all).
    let faces: Value = serde_json::from_str(
        &std::fs::read_to_string(truth_dir.join("faces.json")).expect("faces.json"),
    )
    .expect("faces.json is JSON");
    for (name, face) in faces.as_object().unwrap() {
        let (name, file) = (name.as_str(), face["file"].as_str().unwrap());
        let frontal = face["frontal"].as_bool().unwrap();
        // Each point: the mean of the annotators'; their disagreement is the truth's own error.
        let each: Vec<BTreeMap<&str, Point>> = sets
            .iter()
            .map(|s| {
                POINTS
                    .iter()
                    .map(|&k| {
                        let v = &s[name][k];
                        (
                            k,
                            Point {
                                x: v[0].as_f64().unwrap(),
                                y: v[1].as_f64().unwrap(),
                            },
                        )
                    })
                    .collect()
            })
            .collect();
        let n = each.len() as f64;
        let t = |k: &str| Point {
            x: each.iter().map(|e| e[k].x).sum::<f64>() / n,
            y: each.iter().map(|e| e[k].y).sum::<f64>() / n,
        };
        let canthi_y =
            |e: &dyn Fn(&str) -> Point| POINTS[..4].iter().map(|&k| e(k).y).sum::<f64>() / 4.0;
        let true_w = dist(t("cheek_l"), t("cheek_r"));
        let k = 240.0 / true_w;
        let (ty_canthi, ty_pupil) = (canthi_y(&t), (t("pupil_l").y + t("pupil_r").y) / 2.0);
        let (a, b) = (&each[0], &each[1]);
        spread
            .0
            .push((canthi_y(&|p| a[p]) - canthi_y(&|p| b[p])) * k);
        spread.1.push(
            (dist(a["cheek_l"], a["cheek_r"]) / dist(b["cheek_l"], b["cheek_r"]) - 1.0) * 100.0,
        );

        let img = image::open(dir.join(file)).expect("photo").to_rgb8();
        let analysis = analyzer.analyze(&img).unwrap();
        let m = analysis.measurements.expect("a face is found");
        let coarse = analyzer.faces(&img).unwrap()[0];
        let mid = Point {
            x: (t("eye_l_outer").x + t("eye_r_outer").x) / 2.0,
            y: ty_canthi,
        };
        if dist(coarse.center, mid) > coarse.size / 2.0 {
            println!("{name}: the analysis measured another face");
            continue;
        }
        let mesh = mesh_model
            .landmarks(
                &img,
                coarse.center.x,
                coarse.center.y,
                coarse.size * caiji_vision::MESH_REGION_SCALE,
            )
            .unwrap();
        let (l, r) = (mesh.corners_left(), mesh.corners_right());
        let el = iris.eye(&img, l.0, l.1, false).unwrap();
        let er = iris.eye(&img, r.0, r.1, true).unwrap();
        // BlazeFace's eye points from its close-up (the eye line the analysis used before).
        let side = 2.0 * coarse.size;
        let near = detector
            .detect_region(
                &img,
                coarse.center.x - side / 2.0,
                coarse.center.y - side / 2.0,
                side,
                0.5,
            )
            .unwrap()
            .into_iter()
            .min_by(|a, b| dist(a.center, coarse.center).total_cmp(&dist(b.center, coarse.center)))
            .filter(|d| dist(d.center, coarse.center) < 0.5 * coarse.size)
            .unwrap_or(coarse);
        if frontal {
            let raw = (mesh.eye_left().y + mesh.eye_right().y) / 2.0;
            // The same person photographed twice names the first face (`person`).
            let person = face["person"].as_str().unwrap_or(name).to_string();
            offsets.push((person, (ty_canthi - raw) / m.face_width, m.face_width * k));
        }
        let subsets: &[&str] = if frontal {
            &["all", "frontal"]
        } else {
            &["all"]
        };
        let mut line = format!("{name:<12} true width {true_w:5.1} px  eye");
        for (c, y) in [
            ("analysis", m.eye_y),
            ("blazeface", (near.eye_left.y + near.eye_right.y) / 2.0),
            ("iris centres", (el.iris.y + er.iris.y) / 2.0),
            (
                "iris corners",
                (el.corners.0.y + el.corners.1.y + er.corners.0.y + er.corners.1.y) / 4.0,
            ),
        ] {
            for (tn, ty) in [("canthi", ty_canthi), ("pupils", ty_pupil)] {
                let e = (y - ty) * k;
                for sub in subsets {
                    eye.entry(format!("{c:<14} vs {tn:<6} {sub}"))
                        .or_default()
                        .push(e);
                }
                if tn == "canthi" {
                    line += &format!(" {e:+5.1}");
                }
            }
        }
        line += "  width";
        // The analysis' width is the close-up's ear points; the mesh's outline pairs beside it.
        let mut widths = vec![("analysis (ears)".to_string(), m.face_width)];
        for (i, j) in PAIRS {
            let w = dist(mesh.points[i].xy(), mesh.points[j].xy());
            widths.push((format!("mesh {i}/{j}"), w));
        }
        // The photo's judgement: the cheeks on the face-parsing network's skin outline, from a
        // third of the way down to the nose tip; beside it the same outline from the eye line
        // (the glasses' arms and the temples' hair reach the ears there), with and without the
        // glasses counted as face.
        let judged = analyzer.judge(&img, caiji_vision::Framing::Plan).unwrap();
        let jm = judged.measurements.expect("a face is found");
        widths.push(("judge (cheeks)".to_string(), jm.face_width));
        let parsing = parser
            .parse(&img, m.face_center_x, m.eye_y, m.face_width)
            .unwrap();
        let nose = mesh.points[1].xy();
        // The network's own outline over the ears' width (not the judged width, which falls
        // back to the ears' outside the range this ratio is for).
        if let Some(w) = parsing.face_width(m.face_center_x, m.eye_y, nose.y) {
            ratios.push(w / m.face_width);
        }
        for (label, glasses) in [("cheeks from eyes", false), ("cheeks from eyes g", true)] {
            if let Some((l, r)) = parsing.face_extent(m.face_center_x, m.eye_y, nose.y, 9, glasses)
            {
                widths.push((label.to_string(), r - l));
            }
        }
        for (wn, w) in widths {
            let e = (w / true_w - 1.0) * 100.0;
            for sub in subsets {
                width.entry(format!("{wn:<16} {sub}")).or_default().push(e);
            }
            line += &format!(" {e:+5.1}%");
        }
        println!("{line}");
    }
    println!(
        "(per face: eye vs canthi for the analysis, blazeface, iris centres, iris corners; width for the analysis, the mesh pairs, the judge, then the outline from the eye line)"
    );
    ratios.sort_by(f64::total_cmp);
    println!(
        "the network's cheeks over the per-frame (ears) width: {:.3}-{:.3}",
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "\nthe truth's own spread (annotator A minus B): eye line {}",
        stats(&spread.0)
    );
    println!(
        "                                              width %  {}",
        stats(&spread.1)
    );
    println!("\neye line, output px:");
    for (k, v) in &eye {
        println!("  {k:<36} {}", stats(v));
    }
    // The mesh's corners sit above the lid junctions by a share of the face width: the median
    // over the frontal faces, and each face corrected by the median of the other people's
    // faces (leave one person out, so no face checks a correction made from itself or from
    // another photo of the same person).
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let fracs: Vec<f64> = offsets.iter().map(|o| o.1).collect();
    let loo: Vec<f64> = offsets
        .iter()
        .map(|(person, frac, scale)| {
            let others: Vec<f64> = offsets
                .iter()
                .filter(|o| &o.0 != person)
                .map(|o| o.1)
                .collect();
            (median(&others) - frac) * scale
        })
        .collect();
    println!(
        "  mesh corners above the canthi over the face width, frontal: median {:+.4} (in use {:+.4})",
        median(&fracs),
        caiji_vision::EYE_LINE_OFFSET
    );
    println!(
        "  {:<36} {}",
        "mesh corrected, leave-one-person-out",
        stats(&loo)
    );
    println!("face width, %:");
    for (k, v) in &width {
        println!("  {k:<28} {}", stats(v));
    }
}
