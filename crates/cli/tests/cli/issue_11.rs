//! Issue 11: what a new user hit on a fresh clone. One test per numbered point (points 4 and 10,
//! the `scripts/` ones, are checked by `scripts/test` itself).

use super::*;
use std::process::Stdio;

/// `caiji args` with `env` set, killed (and the test failed) if it runs longer than `limit`.
fn bounded(args: &[&str], env: &[(&str, &Path)], limit: Duration) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caiji"));
    cmd.args(args)
        .env_remove("CAIJI_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("caiji runs");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            child.kill().ok();
            let o = child.wait_with_output().unwrap();
            panic!(
                "caiji {args:?} still running after {limit:?}: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// `caiji demo` on the camera `source` with the data directory `data`, within a minute.
fn demo_on(source: &str, data: &Path) -> Output {
    bounded(
        &[
            "demo",
            "--camera",
            source,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(60),
    )
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `zh` and `en` each appear exactly once in `out`.
fn said_once(out: &str, zh: &str, en: &str) {
    assert_eq!(out.matches(zh).count(), 1, "{zh:?} once in: {out}");
    assert_eq!(out.matches(en).count(), 1, "{en:?} once in: {out}");
}

fn is_cjk(c: char) -> bool {
    ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// A `{message_zh, message_en}` pair holds one language each, not both joined.
fn one_language_each(v: &Value) {
    let zh = v["message_zh"].as_str().expect("message_zh");
    let en = v["message_en"].as_str().expect("message_en");
    assert!(zh.chars().any(is_cjk), "Chinese in message_zh: {v}");
    assert!(!en.chars().any(is_cjk), "no Chinese in message_en: {v}");
    assert!(
        !zh.contains(en),
        "message_zh does not repeat the English: {v}"
    );
}

// 1. A source that can never give a frame ends the run, and says what is wrong with it.
#[test]
fn a_video_without_frames_or_an_empty_folder_ends_the_demo_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let empty = dir.path().join("empty.mjpeg");
    std::fs::write(&empty, b"").unwrap();
    let notes = dir.path().join("notes.mjpeg");
    std::fs::write(&notes, b"this is a text file, not a video\n").unwrap();
    // Frame markers around bytes that are no JPEG: frames exist, none decodes.
    let garbage = dir.path().join("garbage.mjpeg");
    std::fs::write(&garbage, b"\xff\xd8\xff\xd9junk\xff\xd8\x00\x01\xff\xd9").unwrap();
    for video in [&empty, &notes] {
        let source = format!("video:{}", video.display());
        let o = demo_on(&source, &data);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        said_once(&out, "没有完整的 MJPEG 帧", "no complete MJPEG frame");
        assert!(
            out.contains(video.file_name().unwrap().to_str().unwrap()),
            "{out}"
        );
    }
    let source = format!("video:{}", garbage.display());
    let o = demo_on(&source, &data);
    let out = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "nothing photographed is no success: {out}"
    );
    assert!(
        out.contains("未拍到任何学生") && out.contains("no student was photographed"),
        "{out}"
    );

    let folder = dir.path().join("frames");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("readme.txt"), b"no pictures here").unwrap();
    let source = format!("folder:{}", folder.display());
    let o = demo_on(&source, &data);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(!out.contains("USB"), "a folder is not a USB camera: {out}");
    said_once(&out, "没有 PNG 或 JPEG 图片", "no PNG or JPEG images");
    assert!(
        out.contains(folder.to_str().unwrap()),
        "names the folder: {out}"
    );
}

// 2. Absurd student counts are a usage error with the limit, never an abort or a panic.
#[test]
fn absurd_student_counts_are_a_usage_error_with_the_limit() {
    for n in ["1000000000", "18446744073709551615", "0", "-3"] {
        let o = bounded(&["demo", "--students", n], &[], Duration::from_secs(20));
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "--students {n}: {out}");
        assert!(
            !out.contains("panicked") && !out.contains("memory allocation"),
            "{out}"
        );
        assert!(
            out.contains("1–5000") && out.contains("学生人数") && out.contains("students"),
            "--students {n} names the limit: {out}"
        );
    }
    let o = bounded(
        &["record", "--students", "99999", "--out", "/dev/null"],
        &[],
        Duration::from_secs(20),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

// 3. The demo writes where `queue --demo` reads, says where, and leaves nothing in the temp folder.
#[test]
fn the_demo_writes_where_queue_looks_and_leaves_nothing_in_tmp() {
    let _serial = REAL_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (home, tmp) = (dir.path().join("home"), dir.path().join("tmp"));
    std::fs::create_dir_all(&tmp).unwrap();
    let env = [
        ("HOME", home.as_path()),
        ("XDG_DATA_HOME", &home.join("share")),
        ("TMPDIR", tmp.as_path()),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, *v)).collect();
    let o = bounded(
        &["demo", "--camera", "demo", "--students", "1"],
        &env,
        Duration::from_secs(300),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let demo_dir = home.join("share").join("caiji").join("demo");
    assert!(demo_dir.join("caiji.db").exists(), "{out}");
    assert!(
        out.contains(demo_dir.to_str().unwrap()),
        "says where it wrote: {out}"
    );
    assert!(
        out.contains("caiji queue --demo"),
        "says how to look: {out}"
    );
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "nothing left in the temp folder: {left:?}");
    let o = bounded(&["queue", "--demo"], &env, Duration::from_secs(60));
    let out = text(&o);
    assert!(out.contains("today 1 shots: 1 uploaded"), "{out}");
    // The station's own queue is another folder: the demo never uploads a real station's shots.
    let o = bounded(&["queue"], &env, Duration::from_secs(60));
    let out = text(&o);
    assert!(out.contains("today 0 shots"), "{out}");
    assert!(
        out.contains("caiji queue --demo"),
        "points to the demo's queue: {out}"
    );
}

// 5. Every message is said once in each language, on the terminal and in --json.
#[test]
fn messages_are_said_once_in_each_language() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.key"), dir.path().join("b.key"));
    assert!(caiji(&["keygen", a.to_str().unwrap()]).status.success());
    assert!(caiji(&["keygen", b.to_str().unwrap()]).status.success());
    let frame = scene(dir.path(), "f.png", "short_hair", "1920x1080");
    let photo = dir.path().join("p.jpg");
    let o = capture("CJ1|10001|张*丰|1234|2023010101", &a, &photo, &frame);
    assert!(o.status.success(), "{}", text(&o));

    // The wrong key's seal message.
    let o = caiji(&[
        "validate",
        "--key",
        b.to_str().unwrap(),
        photo.to_str().unwrap(),
    ]);
    said_once(&text(&o), "另一把站点密钥", "another station key");
    let o = caiji(&[
        "validate",
        "--json",
        "--key",
        b.to_str().unwrap(),
        photo.to_str().unwrap(),
    ]);
    let v = &lines(&o)[0];
    one_language_each(check(v, "comment_seal"));

    // A bad key file.
    let bad = dir.path().join("bad.key");
    std::fs::write(&bad, b"garbage\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let o = capture("CJ1|10001|张*丰|1234|2023010101", &bad, &photo, &frame);
    assert_eq!(o.status.code(), Some(2));
    said_once(&text(&o), "需要 32 字节", "need 32 bytes");

    // A broken JPEG's marker error in the validator.
    let cut = dir.path().join("cut.jpg");
    let bytes = std::fs::read(&photo).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = caiji(&["validate", "--json", cut.to_str().unwrap()]);
    for c in lines(&o)[0]["checks"].as_array().unwrap() {
        one_language_each(c);
    }

    // An image that does not decode, in analyze and code.
    let png = std::fs::read(&frame).unwrap();
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, &png[..png.len() / 3]).unwrap();
    for cmd in ["analyze", "code"] {
        let args: Vec<&str> = if cmd == "analyze" {
            vec![cmd, "--json", broken.to_str().unwrap()]
        } else {
            vec![cmd, broken.to_str().unwrap()]
        };
        let o = caiji(&args);
        one_language_each(&lines(&o)[0]["error"]);
    }
}

// 6. The summary counts the rules that were judged, not the ones that could not be.
#[test]
fn validate_counts_only_the_rules_it_judged() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let notes = dir.path().join("notes.jpg");
    std::fs::write(&notes, b"not a photo").unwrap();
    let png = scene(dir.path(), "frame.png", "curly", "640x480");
    let o = caiji(&[
        "validate",
        empty.to_str().unwrap(),
        notes.to_str().unwrap(),
        png.to_str().unwrap(),
    ]);
    let out = text(&o);
    let summary = out.lines().last().unwrap();
    assert!(
        summary.contains("by rule: format 3,") || summary.contains("format 3"),
        "{summary}"
    );
    for unjudged in [
        "single_face",
        "dimensions",
        "dpi",
        "color_depth",
        "quality",
        "comment_seal",
    ] {
        assert!(
            !summary.contains(unjudged),
            "{unjudged} was not judged: {summary}"
        );
    }
    // What could be judged still is: the size of every file, the PNG's extension.
    assert!(
        summary.contains("file_size 3") && summary.contains("extension 1"),
        "{summary}"
    );
    let o = caiji(&["validate", "--json", png.to_str().unwrap()]);
    let v = &lines(&o)[0];
    let judged: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(judged, ["format", "file_size", "extension"], "{v}");
    let not_checked = v["not_checked"].as_array().expect("not_checked listed");
    assert_eq!(not_checked.len(), caiji_spec::CheckId::ALL.len() - 3, "{v}");
}

/// A PNG header that claims `w × h` pixels (no pixel data): what a reader sees before decoding.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // One IDAT chunk, as a reader expects before it reports the size: far too little data.
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32(idat).to_be_bytes());
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    png
}

// 7. Too large is too large (with the limit), not "damaged"; sizes are bounded; a too-small
//    frame is named as the reason.
#[test]
fn too_large_and_too_small_are_diagnosed_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, png_header(20000, 20000)).unwrap();
    let o = caiji(&["analyze", "--json", huge.to_str().unwrap()]);
    let e = &lines(&o)[0]["error"];
    assert_eq!(e["code"], "too_large", "{e}");
    let en = e["message_en"].as_str().unwrap();
    assert!(en.contains("20000×20000") && en.contains("limit"), "{e}");
    assert!(!en.contains("damaged"), "{e}");

    let o = bounded(
        &[
            "scene",
            "--size",
            "20000x20000",
            dir.path().join("s.png").to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(20),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("7680×4320"),
        "names the limit: {}",
        text(&o)
    );

    let o = bounded(
        &["demo", "--camera", "demo", "--size", "320x240"],
        &[],
        Duration::from_secs(20),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("480×640") && out.contains("720"), "{out}");
}

// 8. The pace is per student photographed, and "—" when nobody was.
#[test]
fn the_pace_is_per_student_photographed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let folder = dir.path().join("frames");
    std::fs::create_dir(&folder).unwrap();
    // Frames with a face but no capture code: nobody is photographed.
    scene(&folder, "a.png", "curly", "1280x720");
    let source = format!("folder:{}", folder.display());
    let o = demo_on(&source, &data);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("— per student at the camera's pace"), "{out}");
    assert!(out.contains("code to queued —"), "{out}");
}

// 9. The small things.
#[test]
fn small_things_a_careful_user_notices() {
    let dir = tempfile::tempdir().unwrap();
    // One error shape for `caiji code`: {"error": {code, message_zh, message_en}}.
    let plain = scene(dir.path(), "f.png", "glasses", "1280x720");
    let o = caiji(&["code", plain.to_str().unwrap()]);
    let e = &lines(&o)[0]["error"];
    assert_eq!(e["code"], "no_code", "{e}");
    one_language_each(e);
    // Unknown subjects list the valid ones.
    let o = caiji(&[
        "scene",
        "--subject",
        "bob",
        dir.path().join("x.png").to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(out.contains("astronaut") && out.contains("curly"), "{out}");
    // The collector does not create its folder when it cannot listen.
    let never = dir.path().join("never");
    let o = bounded(
        &[
            "collector",
            "--listen",
            "999.1.1.1:1",
            "--dir",
            never.to_str().unwrap(),
            "--token",
            "issue-11-station-token",
        ],
        &[],
        Duration::from_secs(20),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!never.exists(), "no folder for a collector that never ran");
    // "1 file", not "1 files": a collector's folder with one stray file.
    let intake = dir.path().join("intake");
    let mut collector = Command::new(env!("CARGO_BIN_EXE_caiji"))
        .args([
            "collector",
            "--listen",
            "127.0.0.1:0",
            "--token",
            "issue-11-station-token",
            "--dir",
        ])
        .arg(&intake)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line says it listens: by then its index exists with its tables (the file alone
    // appears before they do).
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(collector.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.contains("listening"), "{first}");
    collector.kill().unwrap();
    collector.wait().unwrap();
    std::fs::write(intake.join("stray.jpg"), b"x").unwrap();
    let o = caiji(&["arrived", "--dir", intake.to_str().unwrap()]);
    let out = text(&o);
    assert!(out.contains("1 file not in the index"), "{out}");
    // `cameras --json` is one JSON array, `[]` when there is no camera.
    let o = caiji(&["cameras", "--json"]);
    let cams: Value = serde_json::from_slice(&o.stdout).expect("one JSON array");
    assert!(cams.is_array(), "{cams}");
    let has_camera = std::fs::read_dir("/dev").is_ok_and(|d| {
        d.filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("video"))
    });
    if !has_camera {
        assert_eq!(cams, serde_json::json!([]));
    }
}

/// A centred head reads "0 px", never "-0 px".
#[test]
fn a_centred_head_is_not_minus_zero() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    assert!(caiji(&["keygen", key.to_str().unwrap()]).status.success());
    let frame = scene(dir.path(), "f.png", "short_hair", "1920x1080");
    let photo = dir.path().join("p.jpg");
    assert!(
        capture("CJ1|10001|张*丰|1234|2023010101", &key, &photo, &frame)
            .status
            .success()
    );
    for file in [&frame, &photo] {
        let out = text(&caiji(&["analyze", file.to_str().unwrap()]));
        assert!(!out.contains("-0 px") && !out.contains("-0 像素"), "{out}");
    }
}
