//! The collector on 127.0.0.1 as a school's network sees it (issue 10.2–10.4): tokens per
//! station, limits, checks, racing retries, private files, current photos, seals, TLS.

use caiji_collector::{Config, StationAccess, Tls};
use caiji_photo::seal::{AesGcmSealer, StationKey, purpose};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

const TOKEN_A: &str = "station-a-token-0001";
const TOKEN_B: &str = "station-b-token-0002";
const KEY: &str = "0123456789abcdef";

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn jpeg(i: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend(format!("photo {i} ").repeat(300).bytes());
    b.extend([0xFF, 0xD9]);
    b
}

fn now() -> i64 {
    caiji_store::now_ms()
}

async fn start(dir: &Path, seal: Option<&[u8; 32]>) -> caiji_collector::CollectorHandle {
    let cfg = Config::new(
        dir.to_path_buf(),
        vec![
            StationAccess::new("体育馆-1", TOKEN_A, seal).unwrap(),
            // The supervisor's station: it may read the index.
            StationAccess::new("room B", TOKEN_B, None)
                .unwrap()
                .with_read(true),
        ],
    );
    caiji_collector::start("127.0.0.1:0", cfg).await.unwrap()
}

struct Put<'a> {
    url: &'a str,
    token: &'a str,
    id: &'a str,
    body: Vec<u8>,
    code_key: &'a str,
    taken_at: i64,
    supersedes: Option<&'a str>,
}

impl Put<'_> {
    async fn send(&self, client: &reqwest::Client) -> (u16, serde_json::Value) {
        let mut r = client
            .put(format!("{}/v1/photos/{}", self.url, self.id))
            .bearer_auth(self.token)
            .header("x-caiji-sha256", sha(&self.body))
            .header("x-caiji-code-key", self.code_key)
            .header("x-caiji-taken-at", self.taken_at.to_string())
            .header("x-caiji-station", "<script>alert(1)</script>");
        if let Some(s) = self.supersedes {
            r = r.header("x-caiji-supersedes", s);
        }
        let resp = r.body(self.body.clone()).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }
}

fn put<'a>(url: &'a str, id: &'a str, body: Vec<u8>) -> Put<'a> {
    Put {
        url,
        token: TOKEN_A,
        id,
        body,
        code_key: KEY,
        taken_at: now(),
        supersedes: None,
    }
}

async fn index(url: &str) -> Vec<caiji_collector::Received> {
    reqwest::Client::new()
        .get(format!("{url}/v1/photos"))
        .bearer_auth(TOKEN_B)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).expect("the index is JSON"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_station_has_its_own_token_and_its_name_comes_from_it_not_from_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), None).await;
    let client = reqwest::Client::new();
    let url = c.url();
    let (st, receipt) = put(&url, "shot-aaaa-0001", jpeg(1)).send(&client).await;
    assert_eq!(st, 201, "{receipt}");
    assert_eq!(receipt["receipt"], "caiji-receipt/1");
    let mut b = put(&url, "shot-bbbb-0001", jpeg(2));
    b.token = TOKEN_B;
    b.code_key = "fedcba9876543210";
    assert_eq!(b.send(&client).await.0, 201);
    let rows = index(&url).await;
    let station = |id: &str| {
        rows.iter()
            .find(|r| r.shot_id == id)
            .unwrap()
            .station
            .clone()
    };
    assert_eq!(station("shot-aaaa-0001"), "体育馆-1");
    assert_eq!(station("shot-bbbb-0001"), "room B");
    assert!(
        rows.iter().all(|r| !r.station.contains('<')),
        "the header is never stored"
    );
    // A wrong token is refused before the body is read: even a body far over the limit gets 401.
    // The server answers 401 and closes the connection while the client is still writing the
    // body, so the client sees either the 401 or its body write cut short.
    let refused = client
        .put(format!("{url}/v1/photos/shot-cccc-0001"))
        .bearer_auth("not-a-station-token")
        .body(vec![0xFFu8; 4 << 20])
        .send()
        .await;
    match refused {
        Ok(r) => assert_eq!(r.status().as_u16(), 401),
        Err(e) => assert!(format!("{e:?}").contains("BodyWrite"), "{e:?}"),
    }
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_client_sends_is_checked_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), None).await;
    let client = reqwest::Client::new();
    let url = c.url();
    // Just above the largest legal photo: refused.
    let mut big = jpeg(3);
    big.resize(caiji_protocol::MAX_PHOTO_BYTES + 1, b' ');
    assert_eq!(put(&url, "shot-big-00001", big).send(&client).await.0, 413);
    let mut p = put(&url, "shot-key-00001", jpeg(4));
    p.code_key = "<b>0123456789</b>";
    assert_eq!(p.send(&client).await.1["code"], "bad_code_key");
    let mut p = put(&url, "shot-time-0001", jpeg(5));
    p.taken_at = now() + 7 * 86_400_000;
    assert_eq!(p.send(&client).await.1["code"], "bad_taken_at");
    let mut p = put(&url, "shot-sup-00001", jpeg(6));
    p.supersedes = Some("../../x");
    assert_eq!(p.send(&client).await.1["code"], "bad_supersedes");
    assert_eq!(
        put(&url, "../etc/passwd", jpeg(7)).send(&client).await.0,
        404
    );
    assert!(index(&url).await.is_empty(), "nothing stored");
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_retries_of_the_same_shot_store_it_once_and_say_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), None).await;
    let client = reqwest::Client::new();
    let url = c.url();
    let mut tasks = Vec::new();
    // 12 shots, each sent 6 times at once: a client timeout and its retries.
    for i in 0..12u8 {
        for _ in 0..6 {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let id = format!("shot-race-{i:04}");
                let mut p = put(&url, &id, jpeg(i));
                p.code_key = "00112233445566ff";
                p.taken_at = now() - 60_000 + i as i64;
                let status = p.send(&client).await.0;
                drop(p);
                (id, status)
            }));
        }
    }
    let mut created = std::collections::BTreeMap::<String, usize>::new();
    for t in tasks {
        let (id, status) = t.await.unwrap();
        assert!(status == 201 || status == 200, "{id}: {status}");
        if status == 201 {
            *created.entry(id).or_default() += 1;
        }
    }
    assert_eq!(created.len(), 12, "every shot stored");
    assert!(
        created.values().all(|&n| n == 1),
        "one 201 per shot: {created:?}"
    );
    assert_eq!(index(&url).await.len(), 12);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no temp file left: {leftovers:?}");
    c.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_and_the_index_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let intake = dir.path().join("intake");
    let c = start(&intake, None).await;
    let client = reqwest::Client::new();
    assert_eq!(
        put(&c.url(), "shot-mode-0001", jpeg(8))
            .send(&client)
            .await
            .0,
        201
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&intake), 0o700);
    assert_eq!(mode(&intake.join("shot-mode-0001.jpg")), 0o600);
    assert_eq!(mode(&intake.join("index.db")), 0o600);
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retake_is_the_current_photo_whichever_arrives_first() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), None).await;
    let client = reqwest::Client::new();
    let url = c.url();
    let t = now() - 60_000;
    // The retake arrives first (the first photo was still queued when the network came back).
    let mut retake = put(&url, "shot-second-01", jpeg(10));
    retake.taken_at = t + 30_000;
    retake.supersedes = Some("shot-first-001");
    let (st, r) = retake.send(&client).await;
    assert_eq!((st, &r["current"]), (201, &serde_json::json!(true)));
    let mut first = put(&url, "shot-first-001", jpeg(9));
    first.taken_at = t;
    let (st, r) = first.send(&client).await;
    assert_eq!(
        (st, &r["current"]),
        (201, &serde_json::json!(false)),
        "kept, not current"
    );
    // A retry of the first says the same.
    assert_eq!(first.send(&client).await.1["current"], false);
    let rows = index(&url).await;
    let current: Vec<&str> = rows
        .iter()
        .filter(|r| r.current)
        .map(|r| r.shot_id.as_str())
        .collect();
    assert_eq!(current, ["shot-second-01"]);
    assert_eq!(rows.len(), 2, "every version kept");
    let second = rows.iter().find(|r| r.shot_id == "shot-second-01").unwrap();
    assert_eq!(second.supersedes.as_deref(), Some("shot-first-001"));
    c.stop().await;
}

/// A real sealed JPEG of the student `code` (a flat 480×640 picture, sealed under `key`).
fn sealed_photo(key: &StationKey, code: &str, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(480, 640, image::Rgb([shade, 120, 200]));
    let plain = caiji_photo::output::encode(&img, 80).unwrap();
    caiji_photo::seal_jpeg(&plain, &AesGcmSealer::new(key), code).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seal_for_another_student_or_another_photo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = StationKey::generate();
    let c = start(dir.path(), Some(&key.derive(purpose::SEAL))).await;
    let client = reqwest::Client::new();
    let url = c.url();
    let (code_a, code_b) = (
        "CJ1|10001|张*丰|1234|2023010101",
        "CJ1|10001|李*|5678|2023010102",
    );
    let key_of = |code: &str| caiji_code::CaptureCode::parse(code).unwrap().key();
    let (ka, kb) = (key_of(code_a), key_of(code_b));
    let a = sealed_photo(&key, code_a, 10);
    let mut p = put(&url, "shot-seal-0001", a.clone());
    p.code_key = &ka;
    assert_eq!(p.send(&client).await.0, 201);
    // A's photo sent as B's.
    let mut p = put(&url, "shot-seal-0002", a.clone());
    p.code_key = &kb;
    let (st, body) = p.send(&client).await;
    assert_eq!(
        (st, body["code"].as_str()),
        (422, Some("seal_mismatch")),
        "{body}"
    );
    // A's comment spliced into B's photo, sent as A.
    let b = sealed_photo(&key, code_b, 200);
    let com = |j: &[u8]| {
        let info = caiji_photo::jpeg::read_markers(j).unwrap();
        info.comments[0].clone()
    };
    let b_plain = caiji_photo::output::encode(
        &image::RgbImage::from_pixel(480, 640, image::Rgb([200, 120, 200])),
        80,
    )
    .unwrap();
    let swapped = caiji_photo::jpeg::insert_comment(&b_plain, &com(&a)).unwrap();
    let mut p = put(&url, "shot-seal-0003", swapped);
    p.code_key = &ka;
    let (st, body) = p.send(&client).await;
    assert_eq!(st, 422, "{body}");
    assert!(
        body["message_en"]
            .as_str()
            .unwrap()
            .contains("does not match this photo"),
        "{body}"
    );
    // B's photo as B passes; station B (no seal key) stores unverified.
    let mut p = put(&url, "shot-seal-0004", b);
    p.code_key = &kb;
    assert_eq!(p.send(&client).await.0, 201);
    let rows = index(&url).await;
    assert!(rows.iter().all(|r| r.seal == "verified"), "{rows:?}");
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_is_logged_not_sent_to_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let c = start(dir.path(), None).await;
    let client = reqwest::Client::new();
    let gone = std::process::Command::new("sqlite3")
        .arg(dir.path().join("index.db"))
        .arg("DROP TABLE received;")
        .status()
        .expect("sqlite3 is installed (scripts/setup.sh)");
    assert!(gone.success());
    let (st, body) = put(&c.url(), "shot-dberr-001", jpeg(11))
        .send(&client)
        .await;
    assert_eq!(st, 500, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("no such table") && !text.contains("received"),
        "{text}"
    );
    assert_eq!(body["code"], "internal");
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_is_for_loopback_tls_for_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let station = || vec![StationAccess::new("体育馆-1", TOKEN_A, None).unwrap()];
    let e = caiji_collector::start("0.0.0.0:0", Config::new(dir.path().join("a"), station()))
        .await
        .err()
        .expect("refused");
    assert!(e.to_string().contains("--insecure-http"), "{e}");
    let mut cfg = Config::new(dir.path().join("b"), station());
    cfg.insecure_http = true;
    caiji_collector::start("0.0.0.0:0", cfg)
        .await
        .unwrap()
        .stop()
        .await;

    // TLS with a certificate for 127.0.0.1 made by openssl.
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=caiji-test",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(made.success());
    let mut cfg = Config::new(dir.path().join("c"), station());
    cfg.tls = Some(Tls {
        cert: cert.clone(),
        key,
    });
    cfg.request_timeout = Duration::from_secs(5);
    let c = caiji_collector::start("0.0.0.0:0", cfg).await.unwrap();
    let url = format!("https://127.0.0.1:{}", c.addr.port());
    let pem = std::fs::read(&cert).unwrap();
    let trusted = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    assert_eq!(
        put(&url, "shot-tls-00001", jpeg(12)).send(&trusted).await.0,
        201
    );
    // A client that does not trust the certificate gets no connection at all.
    let untrusted = reqwest::Client::new();
    assert!(untrusted.get(format!("{url}/health")).send().await.is_err());
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_from_before_migrations_is_adopted_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    // The table an older collector made, with one photo in it.
    let made = std::process::Command::new("sqlite3")
        .arg(dir.path().join("index.db"))
        .arg(
            "CREATE TABLE received (shot_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, \
             station TEXT NOT NULL, code_key TEXT NOT NULL, received_at INTEGER NOT NULL); \
             INSERT INTO received VALUES ('shot-old-00001', 'ab', 3, 'demo-1', '0123456789abcdef', 1795276800000);",
        )
        .status()
        .expect("sqlite3 is installed (scripts/setup.sh)");
    assert!(made.success());
    let c = start(dir.path(), None).await;
    let rows = index(&c.url()).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(
        (
            r.shot_id.as_str(),
            r.day.as_str(),
            r.current,
            r.seal.as_str()
        ),
        ("shot-old-00001", "2026-11-22", true, "unverified")
    );
    // And it takes new photos.
    let client = reqwest::Client::new();
    assert_eq!(
        put(&c.url(), "shot-new-00001", jpeg(13))
            .send(&client)
            .await
            .0,
        201
    );
    c.stop().await;
}

/// Issue 12: one supervisor follows every room from any station with the read scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_12_the_read_api_shows_every_room_to_a_token_with_the_read_scope_only() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::new(
        dir.path().to_path_buf(),
        vec![
            StationAccess::new("体育馆-1", TOKEN_A, None)
                .unwrap()
                .with_read(true),
            StationAccess::new("room B", TOKEN_B, None).unwrap(),
        ],
    );
    let c = caiji_collector::start("127.0.0.1:0", cfg).await.unwrap();
    let url = c.url();
    let client = reqwest::Client::new();
    let t = now();
    for (i, (token, room)) in [
        (TOKEN_A, "体育馆 A"),
        (TOKEN_B, "报告厅"),
        (TOKEN_B, "报告厅"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("{:032x}", i + 1);
        let body = jpeg(i as u8);
        let status = client
            .put(format!("{url}/v1/photos/{id}"))
            .bearer_auth(token)
            .header("x-caiji-sha256", sha(&body))
            .header("x-caiji-code-key", format!("{:016x}", i + 1))
            .header("x-caiji-taken-at", (t + i as i64).to_string())
            .header("x-caiji-room", caiji_protocol::encode_header_text(room))
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201, "upload {i} stored");
    }
    let day = caiji_store::day_of(t);
    let read = |token: &'static str, day: String| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            client
                .get(format!("{url}/v1/arrived?day={day}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let r = read(TOKEN_A, day.clone()).await;
    assert_eq!(r.status(), 200);
    let a: caiji_protocol::Arrivals = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let rooms: Vec<(&str, &str)> = a
        .arrivals
        .iter()
        .map(|x| (x.station.as_str(), x.room.as_str()))
        .collect();
    assert_eq!(
        rooms,
        [
            ("体育馆-1", "体育馆 A"),
            ("room B", "报告厅"),
            ("room B", "报告厅")
        ],
        "every room's photos, the room decoded from its header"
    );
    let r = read(TOKEN_B, day.clone()).await;
    assert_eq!(r.status(), 403, "no read scope");
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "no_read_scope");
    assert_eq!(read("not-a-station-token!", day).await.status(), 401);
    assert_eq!(
        read(TOKEN_A, "2027-3-1".into()).await.status(),
        400,
        "bad day"
    );
    // A room name that a spreadsheet would read as a formula is refused.
    let body = jpeg(9);
    let status = client
        .put(format!("{url}/v1/photos/{:032x}", 99))
        .bearer_auth(TOKEN_A)
        .header("x-caiji-sha256", sha(&body))
        .header("x-caiji-code-key", format!("{:016x}", 99))
        .header("x-caiji-taken-at", t.to_string())
        .header(
            "x-caiji-room",
            caiji_protocol::encode_header_text("=HYPERLINK(1)"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 400, "formula room refused");
    c.stop().await;
}
