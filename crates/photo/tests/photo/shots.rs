//! Shots: compliant frames become sealed files that pass every rule; others write nothing.

use crate::{fixtures, frame};
use caiji_photo::seal::{AesGcmSealer, StationKey};
use caiji_photo::validate::{SealPolicy, validate_bytes};
use caiji_photo::{PhotoError, output, shoot};
use caiji_scene::Scene;
use caiji_spec::{STANDARD, Verdict};

const CODE: &str = "CJ1|10001|张*丰|1234|2023010101";

#[test]
fn every_compliant_subject_on_every_backdrop_gives_a_file_that_passes_every_rule() {
    let (analyzer, lib) = fixtures();
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let dir = tempfile::tempdir().unwrap();
    // Every subject who can pass (the astronaut's smile shows her teeth: refused, see vision).
    for subject in caiji_scene::SUBJECTS.iter().filter(|s| s.compliant) {
        for backdrop in STANDARD.backdrops {
            let (img, _) = caiji_scene::render(
                lib,
                &Scene::standard(subject.name, backdrop.name, 1920, 1080),
            )
            .unwrap();
            let out = dir
                .path()
                .join(format!("{}_{}.jpg", subject.name, backdrop.name));
            let shot = shoot(analyzer, &img, &sealer, CODE, &out)
                .unwrap_or_else(|e| panic!("{} on {}: {e}", subject.name, backdrop.name));
            let bytes = std::fs::read(&out).unwrap();
            assert_eq!(bytes.len(), shot.bytes);
            assert!(
                STANDARD.file_size.contains(bytes.len() as f64),
                "size {}",
                bytes.len()
            );
            assert!(
                shot.quality >= STANDARD.quality_min,
                "quality {}",
                shot.quality
            );
            assert!(
                shot.encodes <= 4,
                "quality search took {} encodes",
                shot.encodes
            );
            let report = validate_bytes(&out, &bytes, analyzer, Some(&sealer), SealPolicy::Require);
            let failing: Vec<_> = report
                .checks
                .iter()
                .filter(|c| !c.pass)
                .map(|c| &c.message_en)
                .collect();
            assert_eq!(
                report.verdict,
                Verdict::Pass,
                "{} on {}: {failing:?}",
                subject.name,
                backdrop.name
            );
            assert_eq!(
                report.checks.len(),
                caiji_spec::CheckId::ALL.len(),
                "all rules judged"
            );
            assert_eq!(
                report.id_masked,
                Some(caiji_photo::seal::mask(CODE)),
                "seal opened to the code"
            );
        }
    }
}

#[test]
fn a_non_compliant_frame_writes_nothing_and_names_the_rule() {
    let (analyzer, _) = fixtures();
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let dir = tempfile::tempdir().unwrap();
    let mut scene = Scene::standard("glasses", "light_blue", 1920, 1080);
    scene.people[0].face = 0.13;
    let (img, _) = frame(&scene);
    let out = dir.path().join("tiny.jpg");
    match shoot(analyzer, &img, &sealer, CODE, &out) {
        Err(PhotoError::NotCompliant(fails)) => {
            assert!(
                fails.iter().any(|c| c.id.as_str() == "face_width"),
                "{fails:?}"
            );
        }
        other => panic!("expected NotCompliant, got {other:?}"),
    }
    assert!(!out.exists(), "nothing written");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp file left"
    );
}

#[test]
fn the_saved_photo_is_never_mirrored() {
    // The subject's face is asymmetric; the eye on the image's left in the frame must stay on the
    // left in the photo, at the position the crop maps it to.
    let (img, a) = frame(&Scene::standard("curly", "white", 1920, 1080));
    let crop = a.crop.expect("a crop inside the bands");
    let photo = output::render(&img, &crop).unwrap();
    let m = a.measurements.unwrap();
    let s = crop.scale();
    let (lx, ly) = ((m.eye_left.x - crop.x) * s, (m.eye_left.y - crop.y) * s);
    let (analyzer, _) = fixtures();
    let again = analyzer
        .analyze_framed(&photo, caiji_vision::Framing::AsIs)
        .unwrap()
        .measurements
        .unwrap();
    assert!(
        (again.eye_left.x - lx).abs() < 4.0 && (again.eye_left.y - ly).abs() < 4.0,
        "left eye stays left: {:?} vs ({lx},{ly})",
        again.eye_left
    );
}

#[test]
fn a_flat_picture_is_refused_with_a_reason_instead_of_a_small_file() {
    let img = image::RgbImage::from_pixel(480, 640, image::Rgb([240, 240, 240]));
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let err = output::encode_to_spec(&img, &sealer, CODE).unwrap_err();
    assert!(matches!(err, PhotoError::TooFlat { .. }), "{err}");
    assert!(err.to_string().contains("20 KB"));
}

#[test]
fn pure_noise_is_refused_as_too_detailed() {
    let mut state = 7u32;
    let img = image::RgbImage::from_fn(480, 640, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(state >> 24) as u8, (state >> 16) as u8, (state >> 8) as u8])
    });
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let err = output::encode_to_spec(&img, &sealer, CODE).unwrap_err();
    assert!(matches!(err, PhotoError::TooDetailed { .. }), "{err}");
}

#[test]
fn an_atomic_write_that_fails_leaves_the_old_file_and_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("photo.jpg");
    std::fs::write(&target, b"old").unwrap();
    output::write_atomic(&target, b"new").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"new");
    // A folder where the photo should go: the rename fails, nothing is half-written.
    let blocked = dir.path().join("blocked.jpg");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), b"x").unwrap();
    let err = output::write_atomic(&blocked, b"new").unwrap_err();
    assert!(err.to_string().contains("cannot write the photo"), "{err}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "only photo.jpg and blocked.jpg remain: {names:?}"
    );
    let missing = output::write_atomic(&dir.path().join("no/such/dir/p.jpg"), b"x").unwrap_err();
    assert!(missing.to_string().contains("无法写入照片"));
}

#[test]
fn read_back_catches_a_seal_for_another_student() {
    let (analyzer, _) = fixtures();
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let dir = tempfile::tempdir().unwrap();
    let (img, _) = frame(&Scene::standard("short_hair", "light_grey", 1280, 720));
    let out = dir.path().join("p.jpg");
    shoot(analyzer, &img, &sealer, CODE, &out).unwrap();
    assert!(output::read_back(&out, &sealer, CODE).is_ok());
    let err = output::read_back(&out, &sealer, "someone else").unwrap_err();
    assert!(err.to_string().contains("another identifier"), "{err}");
}
