//! Frames of every size and orientation go through the same path.

use crate::fixtures;
use caiji_scene::{Scene, render};

#[test]
fn an_empty_backdrop_has_no_face_and_only_the_single_face_check() {
    let (analyzer, lib) = fixtures();
    let mut scene = Scene::standard("astronaut", "white", 1280, 720);
    scene.people.clear();
    let (frame, _) = render(lib, &scene).unwrap();
    let a = analyzer.analyze(&frame).unwrap();
    assert_eq!(
        a.checks.len(),
        1,
        "only single_face is judged without a face"
    );
    assert_eq!(a.checks[0].id.as_str(), "single_face");
    assert!(!a.checks[0].pass && a.crop.is_none());
    assert!(
        a.checks[0].message_en.contains("face the camera"),
        "{}",
        a.checks[0].message_en
    );
}

#[test]
fn a_frame_smaller_than_the_output_is_judged_without_a_crop() {
    let (analyzer, lib) = fixtures();
    let (frame, _) = render(lib, &Scene::standard("curly", "light_grey", 400, 300)).unwrap();
    let a = analyzer.analyze(&frame).unwrap();
    assert!(a.crop.is_none());
    let ht = a
        .checks
        .iter()
        .find(|c| c.id.as_str() == "face_width")
        .expect("face_width judged");
    assert!(
        !ht.pass && ht.message_en.contains("smaller than 480"),
        "{}",
        ht.message_en
    );
}

#[test]
fn every_photo_rule_is_judged_once_for_a_face() {
    let (analyzer, lib) = fixtures();
    let (frame, _) = render(lib, &Scene::standard("glasses", "light_blue", 1280, 720)).unwrap();
    let ids = |a: &caiji_vision::Analysis| -> Vec<&'static str> {
        a.checks.iter().map(|c| c.id.as_str()).collect()
    };
    let photo: Vec<&str> = caiji_spec::CheckId::ALL
        .iter()
        .filter(|c| c.kind() == caiji_spec::CheckKind::Photo)
        .map(|c| c.as_str())
        .collect();
    let judged = analyzer.judge(&frame, caiji_vision::Framing::Plan).unwrap();
    assert_eq!(ids(&judged), photo, "every photo rule, in report order");
    // The per-frame analysis of the live overlay: all but the once-per-photo rules of what
    // covers the head (a hat, hair over the ears or the eyebrows, a mask over the mouth, tinted
    // glasses over the eyes) and of a border or text on the photo.
    let once: Vec<&str> = caiji_vision::ONCE_PER_PHOTO_RULES
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(
        once,
        [
            "bareheaded",
            "ears_visible",
            "eyebrows_visible",
            "face_uncovered",
            "no_tinted_glasses",
            "no_border_or_text"
        ]
    );
    let live: Vec<&str> = photo.into_iter().filter(|id| !once.contains(id)).collect();
    assert_eq!(ids(&analyzer.analyze(&frame).unwrap()), live);
}
