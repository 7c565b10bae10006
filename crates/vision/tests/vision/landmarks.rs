//! The eye line and the face width against two people's hand-marked eye corners and cheek edges
//! on 19 real faces (`tests/fixtures/landmarks`; `--example hand_truth` compares the candidate
//! definitions). The markers' own spread is about the size of the budget, so these bounds guard
//! what was measured: they sit just above it, and a regression of the landmarks shows.

use crate::{fixtures, vendor_photo};
use caiji_vision::Point;
use serde_json::Value;
use std::path::PathBuf;

fn json(name: &str) -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/landmarks");
    let text = std::fs::read_to_string(dir.join(name)).expect("landmark fixtures");
    serde_json::from_str(&text).expect("landmark fixtures are JSON")
}

#[test]
fn eye_line_and_face_width_on_real_faces_stay_within_what_was_measured_against_hand_marks() {
    let (analyzer, _) = fixtures();
    let faces = json("faces.json");
    let marks = [json("annotator-a.json"), json("annotator-b.json")];
    // Each point: the mean of the two annotators'.
    let at = |name: &str, key: &str| {
        let n = marks.len() as f64;
        let v = |i: usize| {
            marks
                .iter()
                .map(|m| m[name][key][i].as_f64().unwrap())
                .sum::<f64>()
                / n
        };
        Point { x: v(0), y: v(1) }
    };
    let (mut eye_all, mut eye_frontal, mut width_frontal) = (0.0f64, 0.0f64, 0.0f64);
    let mut judged_frontal = 0.0f64;
    for (name, face) in faces.as_object().unwrap() {
        let corners =
            ["eye_l_outer", "eye_l_inner", "eye_r_inner", "eye_r_outer"].map(|k| at(name, k));
        let eye_y = corners.iter().map(|p| p.y).sum::<f64>() / 4.0;
        let (l, r) = (at(name, "cheek_l"), at(name, "cheek_r"));
        let true_width = (r.x - l.x).hypot(r.y - l.y);
        // Errors on the 480×640 output, at the scale that puts the true width at its band's middle.
        let k = 240.0 / true_width;
        let img = vendor_photo(face["file"].as_str().unwrap());
        let a = analyzer.analyze(&img).unwrap();
        let m = a
            .measurements
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: a face is found"));
        let mid_x = (corners[0].x + corners[3].x) / 2.0;
        assert!(
            (m.face_center_x - mid_x).abs() < 0.5 * true_width,
            "{name}: the analysis measured the annotated face"
        );
        let eye = (m.eye_y - eye_y) * k;
        let width = (m.face_width / true_width - 1.0) * 100.0;
        eye_all = eye_all.max(eye.abs());
        if face["frontal"].as_bool().unwrap() {
            // The photo's judgement measures the cheeks on the face-parsing network's outline.
            let judged = analyzer
                .judge(&img, caiji_vision::Framing::Plan)
                .unwrap()
                .measurements
                .unwrap();
            assert_eq!(
                judged.face_width_from,
                caiji_vision::WidthFrom::Cheeks,
                "{name}"
            );
            let cheeks = (judged.face_width / true_width - 1.0) * 100.0;
            println!(
                "{name:<12} eye {eye:+5.1} px  width {width:+5.1} %  judged width {cheeks:+5.1} %"
            );
            eye_frontal = eye_frontal.max(eye.abs());
            width_frontal = width_frontal.max(width.abs());
            judged_frontal = judged_frontal.max(cheeks.abs());
        } else {
            println!("{name:<12} eye {eye:+5.1} px  width {width:+5.1} %");
        }
    }
    // Measured: eye line worst 8.3 px on all 19 (kal, near profile, refused for the turn), 2.0
    // px on the 11 frontal faces (grace-hopper); face width per frame (the ears) worst 9.3 % on
    // the frontal faces (grace-hopper: her cheeks run into the ears, marked ±4–5 px, and every
    // landmark definition reads her 9–15 % wider; next ayo, 7.7 %), judged (the cheeks'
    // outline) 4.5 % (grace-hopper; next obama, 2.9 %). Without the mesh's offset
    // (`caiji_vision::EYE_LINE_OFFSET`) the eye line measured 6.9 and 3.5 px (trio); BlazeFace's
    // own eye points, the eye line before that, 10.1 and 5.6 px.
    assert!(eye_all <= 8.5, "eye line, all faces: worst {eye_all:.2} px");
    assert!(
        eye_frontal <= 2.2,
        "eye line, frontal faces: worst {eye_frontal:.2} px"
    );
    assert!(
        width_frontal <= 9.5,
        "face width per frame, frontal faces: worst {width_frontal:.2} %"
    );
    assert!(
        judged_frontal <= 4.7,
        "face width judged, frontal faces: worst {judged_frontal:.2} %"
    );
}
