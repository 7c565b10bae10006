//! Every rule has a photo that breaks only that rule, and the validator catches it by that rule.

use crate::{fixtures, frame};
use caiji_photo::jpeg;
use caiji_photo::output;
use caiji_photo::seal::{AesGcmSealer, StationKey};
use caiji_photo::validate::{FileReport, SealPolicy, SealState, validate_bytes};
use caiji_scene::Scene;
use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder, PixelDensity, PixelDensityUnit};
use std::path::Path;

const CODE: &str = "CJ1|10001|李*明|5678|2023020202";

fn sealer() -> &'static AesGcmSealer {
    static S: std::sync::OnceLock<AesGcmSealer> = std::sync::OnceLock::new();
    S.get_or_init(|| AesGcmSealer::new(&StationKey::from_bytes([7; 32])))
}

/// The 480×640 picture of a scene's planned crop (compliant or not).
fn picture(scene: &Scene) -> RgbImage {
    let (img, a) = frame(scene);
    output::render(&img, &a.planned.expect("a crop was planned")).unwrap()
}

fn good_picture() -> RgbImage {
    picture(&Scene::standard("short_hair", "light_grey", 1920, 1080))
}

fn judge(name: &str, bytes: &[u8]) -> FileReport {
    let (analyzer, _) = fixtures();
    validate_bytes(
        Path::new(name),
        bytes,
        analyzer,
        Some(sealer()),
        SealPolicy::ByKey,
    )
}

/// The check of rule `id` in a report.
fn rule<'a>(r: &'a FileReport, id: &str) -> &'a caiji_spec::Check {
    r.checks
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} judged"))
}

fn failing(r: &FileReport) -> Vec<&'static str> {
    r.checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| c.id.as_str())
        .collect()
}

fn spec_file(img: &RgbImage) -> Vec<u8> {
    output::encode_to_spec(img, sealer(), CODE).unwrap().bytes
}

fn encode_with(img: &RgbImage, q: u8, dpi: u16, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out, q);
    e.set_density(PixelDensity {
        density: (dpi, dpi),
        unit: PixelDensityUnit::Inches,
    });
    e.set_progressive(progressive);
    e.encode(
        img.as_raw(),
        img.width() as u16,
        img.height() as u16,
        ColorType::Rgb,
    )
    .unwrap();
    caiji_photo::seal_jpeg(&out, sealer(), CODE).unwrap()
}

/// The highest quality in `qualities` at which `encode` lands in the size window.
fn fitting(qualities: impl Iterator<Item = u8>, encode: impl Fn(u8) -> Vec<u8>) -> Vec<u8> {
    for q in qualities {
        let b = encode(q);
        if (20_000..=40_000).contains(&b.len()) {
            return b;
        }
    }
    panic!("no quality fits the size window");
}

#[test]
fn the_reference_photo_passes_everything() {
    let r = judge("ok.jpg", &spec_file(&good_picture()));
    assert!(
        failing(&r).is_empty(),
        "{:?}",
        r.checks.iter().filter(|c| !c.pass).collect::<Vec<_>>()
    );
}

#[test]
fn file_rules_each_caught_alone() {
    let img = good_picture();
    let q = output::encode_to_spec(&img, sealer(), CODE)
        .unwrap()
        .quality;
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "format",
            "progressive.jpg",
            fitting((60..=95).rev(), |q| encode_with(&img, q, 300, true)),
        ),
        ("dpi", "dpi72.jpg", encode_with(&img, q, 72, false)),
        ("extension", "photo.jpeg", spec_file(&img)),
        ("extension", "photo.png", spec_file(&img)),
        (
            "comment_seal",
            "unsealed.jpg",
            output::encode(&img, q).unwrap(),
        ),
        ("file_size", "padded.jpg", {
            // Same picture and quality, pushed over 40 KB by a large application segment,
            // then sealed (the seal covers every byte but the comment, so it comes last).
            let mut b = output::encode(&img, q).unwrap();
            let pad = vec![0u8; 30_000];
            let mut seg = vec![0xFF, 0xEF];
            seg.extend_from_slice(&((pad.len() + 2) as u16).to_be_bytes());
            seg.extend_from_slice(&pad);
            b.splice(2..2, seg);
            caiji_photo::seal_jpeg(&b, sealer(), CODE).unwrap()
        }),
    ];
    for (rule, name, bytes) in cases {
        let r = judge(name, &bytes);
        assert_eq!(failing(&r), vec![rule], "{name} should fail only {rule}");
    }
}

#[test]
fn a_low_quality_file_in_the_size_window_fails_quality_only() {
    // A busier picture (more texture) stays over 20 KB below quality 60.
    let mut scene = Scene::standard("marc", "light_blue", 1920, 1080);
    scene.noise = 14.0;
    let img = picture(&scene);
    let bytes = fitting((30..60).rev(), |q| encode_with(&img, q, 300, false));
    let r = judge("q45.jpg", &bytes);
    assert_eq!(failing(&r), vec!["quality"]);
}

#[test]
fn wrong_size_greyscale_and_png_are_caught() {
    let img = good_picture();
    let wide = image::imageops::resize(&img, 481, 640, image::imageops::FilterType::Triangle);
    let r = judge("wide.jpg", &spec_file(&wide));
    assert!(failing(&r).contains(&"dimensions"), "{:?}", failing(&r));

    let grey = image::DynamicImage::ImageRgb8(img.clone()).to_luma8();
    let mut gb = Vec::new();
    let mut e = Encoder::new(&mut gb, 90);
    e.set_density(PixelDensity {
        density: (300, 300),
        unit: PixelDensityUnit::Inches,
    });
    e.encode(grey.as_raw(), 480, 640, ColorType::Luma).unwrap();
    let r = judge(
        "grey.jpg",
        &caiji_photo::seal_jpeg(&gb, sealer(), CODE).unwrap(),
    );
    assert!(failing(&r).contains(&"color_depth"), "{:?}", failing(&r));

    let cmyk: Vec<u8> = img
        .pixels()
        .flat_map(|p| {
            let k = 255 - *p.0.iter().max().unwrap();
            [255 - p.0[0] - k, 255 - p.0[1] - k, 255 - p.0[2] - k, k]
        })
        .collect();
    let mut cb = Vec::new();
    let mut e = Encoder::new(&mut cb, 90);
    e.set_density(PixelDensity {
        density: (300, 300),
        unit: PixelDensityUnit::Inches,
    });
    e.encode(&cmyk, 480, 640, ColorType::Cmyk).unwrap();
    let r = judge(
        "cmyk.jpg",
        &caiji_photo::seal_jpeg(&cb, sealer(), CODE).unwrap(),
    );
    let c = rule(&r, "color_depth");
    assert!(!c.pass && c.message_en.contains("CMYK"), "{}", c.message_en);

    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let r = judge("renamed.jpg", &png);
    let f = rule(&r, "format");
    assert!(
        !f.pass && f.message_en.contains("actually a PNG"),
        "{}",
        f.message_en
    );
}

#[test]
fn truncated_empty_and_exif_rotated_files_get_their_own_verdicts() {
    let good = spec_file(&good_picture());
    let r = judge("cut.jpg", &good[..good.len() / 2]);
    let f = rule(&r, "format");
    assert!(
        !f.pass && f.message_en.contains("incomplete"),
        "{}",
        f.message_en
    );

    let r = judge("empty.jpg", &[]);
    assert!(
        !r.checks[0].pass && r.checks[0].message_en.contains("empty"),
        "{}",
        r.checks[0].message_en
    );

    // An EXIF block with orientation 6 (rotate 90°) inserted after SOI.
    let mut exif =
        b"Exif\0\0MM\0\x2A\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    seg.append(&mut exif);
    let q = output::encode_to_spec(&good_picture(), sealer(), CODE)
        .unwrap()
        .quality;
    let mut rotated = output::encode(&good_picture(), q).unwrap();
    rotated.splice(2..2, seg.clone());
    let r = judge(
        "rotated.jpg",
        &caiji_photo::seal_jpeg(&rotated, sealer(), CODE).unwrap(),
    );
    assert_eq!(failing(&r), vec!["format"], "only the orientation is wrong");
    // The same segment added after sealing: the picture changed under its seal.
    let mut added = good.clone();
    added.splice(2..2, seg);
    let r = judge("rotated-later.jpg", &added);
    assert_eq!(failing(&r), vec!["format", "comment_seal"]);
}

#[test]
fn a_changed_byte_in_the_seal_is_caught_and_a_missing_key_still_sees_the_seal() {
    let mut b = spec_file(&good_picture());
    let (analyzer, _) = fixtures();
    let r = validate_bytes(
        Path::new("nokey.jpg"),
        &b,
        analyzer,
        None,
        SealPolicy::ByKey,
    );
    assert!(
        failing(&r).is_empty(),
        "a well-formed seal passes without a key: {:?}",
        failing(&r)
    );
    let at = b.windows(7).position(|w| w == b"CJSEAL2").unwrap() + 30;
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    let r = judge("tampered.jpg", &b);
    assert_eq!(failing(&r), vec!["comment_seal"]);
}

#[test]
fn photo_rules_each_caught_in_a_finished_file() {
    let mut cases: Vec<(&str, Scene)> = Vec::new();
    let mut s = Scene::standard("short_hair", "white", 1920, 1080);
    s.people[0].roll_deg = 12.0;
    cases.push(("roll", s));
    let mut s = Scene::standard("short_hair", "light_grey", 1920, 1080);
    s.shadow = 70.0;
    cases.push(("background_uniform", s));
    // The student's own soft shadow, 14 % darker, right beside his head and broad shoulders.
    let mut s = Scene::standard("marc", "white", 1920, 1080);
    s.people[0].drop_shadow = 0.14;
    cases.push(("background_uniform", s));
    let mut s = Scene::standard("short_hair", "light_blue", 1920, 1080);
    s.people[0].shirt = Some([96, 190, 250]);
    cases.push(("clothing_contrast", s));
    let s = Scene::standard("short_hair", "rgb:230,150,160", 1920, 1080);
    cases.push(("background_color", s));
    for (rule, scene) in cases {
        let r = judge("p.jpg", &spec_file(&picture(&scene)));
        assert_eq!(failing(&r), vec![rule], "scene for {rule}");
    }
    // Geometry: the same good picture shifted down by 60 px puts the eyes too low.
    let img = good_picture();
    let mut low = RgbImage::from_pixel(480, 640, *img.get_pixel(5, 5));
    image::imageops::overlay(&mut low, &img, 0, 70);
    let r = judge("low.jpg", &spec_file(&low));
    assert!(failing(&r).contains(&"head_top"), "{:?}", failing(&r));
}

#[test]
fn the_marker_reader_survives_many_mutations_of_real_files() {
    // A deterministic mutation fuzz over real photo files (the cargo-fuzz target in `fuzz/` runs
    // the same function open-ended): flipped bytes, cut tails, duplicated and dropped spans.
    let seeds = [
        spec_file(&good_picture()),
        encode_with(&good_picture(), 70, 72, true),
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut parsed = 0;
    for i in 0..20_000 {
        let mut b = seeds[i % 2].clone();
        // Most interesting structure is in the header: bias mutations there.
        for _ in 0..1 + next() % 4 {
            if b.is_empty() {
                break;
            }
            let head = 700.min(b.len());
            match next() % 4 {
                0 => {
                    let at = (next() as usize) % head;
                    b[at] = next() as u8;
                }
                1 => b.truncate((next() as usize) % b.len().max(1)),
                2 => {
                    let at = (next() as usize) % head;
                    let len = (next() as usize % 64).min(b.len() - at);
                    let span: Vec<u8> = b[at..at + len].to_vec();
                    b.splice(at..at, span);
                }
                _ => {
                    let at = (next() as usize) % head;
                    let len = (next() as usize % 16).min(b.len() - at);
                    b.drain(at..at + len);
                }
            }
        }
        if let Ok(info) = jpeg::read_markers(&b) {
            parsed += 1;
            let _ = (info.estimated_quality(), info.dpi(), info.progressive());
        }
        let _ = jpeg::insert_comment(&b, b"x");
    }
    assert!(
        parsed > 1000,
        "mutations still reach deep into the parser: {parsed}"
    );
}

/// The file with its comment segment's body replaced by `body` (none: the segment removed).
fn with_comment(jpeg: &[u8], body: Option<&[u8]>) -> Vec<u8> {
    let at = jpeg.windows(2).position(|w| w == [0xFF, 0xFE]).unwrap();
    let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
    let mut out = jpeg[..at].to_vec();
    if let Some(body) = body {
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
    }
    out.extend_from_slice(&jpeg[at + 2 + len..]);
    out
}

#[test]
fn the_seal_says_what_it_holds_and_only_strict_checks_refuse_what_they_cannot_open() {
    let (analyzer, _) = fixtures();
    let ours = spec_file(&good_picture());
    // Another service's encrypted identifier: binary, not our envelope.
    let blob: Vec<u8> = (0..180u32).map(|i| (i * 37 + 11) as u8).collect();
    let foreign = with_comment(&ours, Some(&blob));
    let missing = with_comment(&ours, None);
    let mut malformed_body = b"CJSEAL2.0000".to_vec();
    malformed_body.extend_from_slice(&[0xC3; 40]);
    let malformed = with_comment(&ours, Some(&malformed_body));
    let key = Some(sealer() as &dyn caiji_photo::seal::Sealer);
    let cases: [(&str, &[u8], _, SealPolicy, SealState, bool); 9] = [
        (
            "ours, key",
            &ours,
            key,
            SealPolicy::ByKey,
            SealState::Verified,
            true,
        ),
        (
            "ours, no key",
            &ours,
            None,
            SealPolicy::ByKey,
            SealState::Unverified,
            true,
        ),
        (
            "ours, required, no key",
            &ours,
            None,
            SealPolicy::Require,
            SealState::Unverified,
            false,
        ),
        (
            "foreign, no key",
            &foreign,
            None,
            SealPolicy::ByKey,
            SealState::Foreign,
            true,
        ),
        (
            "foreign, required",
            &foreign,
            None,
            SealPolicy::Require,
            SealState::Foreign,
            false,
        ),
        (
            "foreign, key",
            &foreign,
            key,
            SealPolicy::ByKey,
            SealState::Foreign,
            false,
        ),
        (
            "no comment",
            &missing,
            None,
            SealPolicy::ByKey,
            SealState::Missing,
            false,
        ),
        (
            "no comment, key",
            &missing,
            key,
            SealPolicy::ByKey,
            SealState::Missing,
            false,
        ),
        (
            "malformed",
            &malformed,
            None,
            SealPolicy::ByKey,
            SealState::Broken,
            false,
        ),
    ];
    for (what, bytes, key, policy, state, pass) in cases {
        let r = validate_bytes(Path::new("x.jpg"), bytes, analyzer, key, policy);
        assert_eq!(r.seal, Some(state), "{what}");
        let seal = rule(&r, "comment_seal");
        assert_eq!(seal.pass, pass, "{what}: {}", seal.message_en);
        let others: Vec<_> = failing(&r)
            .into_iter()
            .filter(|id| *id != "comment_seal")
            .collect();
        assert!(
            others.is_empty(),
            "{what}: only the seal is judged here, {others:?}"
        );
    }
    let r = validate_bytes(
        Path::new("x.jpg"),
        &foreign,
        analyzer,
        None,
        SealPolicy::ByKey,
    );
    let seal = rule(&r, "comment_seal");
    assert!(
        seal.message_en.contains("present, not verifiable here"),
        "{}",
        seal.message_en
    );
}
