//! Issue 10 at the command line: a seal bound to its photo, reading is not writing, keys handled
//! like keys.

use super::*;

/// `jpeg` with its comment segments replaced by `comment`.
fn with_comment(jpeg: &[u8], comment: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    let mut pos = 2;
    let mut inserted = false;
    while jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        let seg = &jpeg[pos..pos + 2 + len];
        if jpeg[pos + 1] != 0xFE {
            out.extend_from_slice(seg);
        } else if !inserted {
            out.extend_from_slice(&[0xFF, 0xFE]);
            out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(comment);
            inserted = true;
        }
        pos += 2 + len;
    }
    out.extend_from_slice(&jpeg[pos..]);
    out
}

fn comment_of(jpeg: &[u8]) -> Vec<u8> {
    let mut pos = 2;
    loop {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        if jpeg[pos + 1] == 0xFE {
            return jpeg[pos + 4..pos + 2 + len].to_vec();
        }
        pos += 2 + len;
    }
}

fn seal_check(o: &Output) -> Value {
    lines(o)[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "comment_seal")
        .unwrap()
        .clone()
}

#[test]
fn a_seal_spliced_into_another_photo_fails_comment_seal() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("station.key");
    assert!(caiji(&["keygen", key.to_str().unwrap()]).status.success());
    let (fa, fb) = (
        scene(dir.path(), "a.png", "astronaut", "1920x1080"),
        scene(dir.path(), "b.png", "curly", "1920x1080"),
    );
    let (pa, pb) = (dir.path().join("a.jpg"), dir.path().join("b.jpg"));
    assert!(
        capture("CJ1|10001|张*丰|1234|2023010101", &key, &pa, &fa)
            .status
            .success()
    );
    assert!(
        capture("CJ1|10001|李*|5678|2023010102", &key, &pb, &fb)
            .status
            .success()
    );
    let (a, b) = (std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
    // Student A's identity on student B's face.
    let swapped = dir.path().join("swapped.jpg");
    std::fs::write(&swapped, with_comment(&b, &comment_of(&a))).unwrap();
    let o = caiji(&[
        "validate",
        "--json",
        "--key",
        key.to_str().unwrap(),
        swapped.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let c = seal_check(&o);
    assert_eq!(c["pass"], false, "{c}");
    assert!(
        c["message_en"]
            .as_str()
            .unwrap()
            .contains("does not match this photo"),
        "{c}"
    );
    // One changed pixel byte under an intact comment fails the same way.
    let mut changed = a.clone();
    let n = changed.len();
    changed[n - 200] ^= 0x01;
    let altered = dir.path().join("altered.jpg");
    std::fs::write(&altered, &changed).unwrap();
    let o = caiji(&[
        "validate",
        "--json",
        "--key",
        key.to_str().unwrap(),
        altered.to_str().unwrap(),
    ]);
    assert_eq!(seal_check(&o)["pass"], false);
    // The originals still open.
    let o = caiji(&[
        "validate",
        "--json",
        "--key",
        key.to_str().unwrap(),
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn listing_the_queue_writes_nothing_and_a_missing_key_is_refused() {
    let _serial = REAL_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let o = caiji(&[
        "demo",
        "--camera",
        "demo",
        "--students",
        "1",
        "--data-dir",
        data,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = dir.path().join("caiji.db");
    let audit_rows = || {
        let o = Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT COUNT(*) FROM audit")
            .output()
            .expect("sqlite3 is installed (scripts/setup.sh)");
        assert!(
            o.status.success(),
            "sqlite3: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    // A shot a worker held when the station died: listing must not "resume" it.
    let flip = Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE shots SET upload_state = 'uploading'")
        .status()
        .expect("sqlite3 runs");
    assert!(flip.success());
    let before = audit_rows();
    let o = Command::new(env!("CARGO_BIN_EXE_caiji"))
        .args(["queue", "--json"])
        .env("CAIJI_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(lines(&o)[0]["upload_state"], "uploading", "shown as it is");
    assert_eq!(audit_rows(), before, "no audit row written by a listing");

    // The key goes missing: nothing opens the queue with a new key.
    std::fs::remove_file(dir.path().join("station.key")).unwrap();
    for args in [
        vec!["queue"],
        vec![
            "demo",
            "--camera",
            "demo",
            "--students",
            "1",
            "--data-dir",
            data,
        ],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_caiji"))
            .args(&args)
            .env("CAIJI_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("station key") && err.contains("missing") && err.contains("站点密钥"),
            "{err}"
        );
        assert!(
            !dir.path().join("station.key").exists(),
            "{args:?} made no new key"
        );
    }
}
