//! The worker against the real collector on 127.0.0.1, behind a proxy that injects faults: every
//! photo arrives exactly once.

mod issue_10;

use caiji_collector::{CollectorHandle, Received};
use caiji_store::{NewShot, Store, UploadState};
use caiji_testkit::proxy::{Fault, Proxy};
use caiji_upload::{UploadEvent, Worker, WorkerConfig};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "upload-test-token-0001";

/// The real collector, one station with [`TOKEN`], on `listen`.
async fn collector_at(listen: &str, dir: &std::path::Path) -> CollectorHandle {
    let cfg = caiji_collector::Config::single(dir.to_path_buf(), "S1", TOKEN, None).unwrap();
    caiji_collector::start(listen, cfg).await.unwrap()
}

/// A queue in a fresh folder (its key every byte `key`) and the collector on a free port,
/// writing to `intake/` beside it.
async fn queue_and_collector(key: u8) -> (tempfile::TempDir, Store, CollectorHandle) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db"), [key; 32])
        .await
        .unwrap();
    let coll = collector_at("127.0.0.1:0", &dir.path().join("intake")).await;
    (dir, store, coll)
}

fn jpeg(i: usize) -> Vec<u8> {
    // A tiny but real JPEG header plus distinct bytes: the collector checks the magic and the hash.
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend(format!("photo {i} ").repeat(200).bytes());
    b.extend([0xFF, 0xD9]);
    b
}

fn shot(i: usize) -> NewShot {
    NewShot {
        code_key: format!("{:016x}", i + 1),
        display: format!("学生{i}"),
        station: "S1".into(),
        room: "R".into(),
        operator: "op".into(),
        verdict: "pass".into(),
        checks_json: "[]".into(),
        jpeg: jpeg(i),
        ..Default::default()
    }
}

fn fast(url: &str) -> WorkerConfig {
    let mut c = WorkerConfig::new(url, TOKEN, "S1");
    c.timeout = Duration::from_millis(700);
    c.backoff_base = Duration::from_millis(20);
    c.backoff_max = Duration::from_millis(200);
    c.poll = Duration::from_millis(20);
    c
}

async fn wait_until(what: &str, secs: u64, mut cond: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn index(url: &str) -> Vec<Received> {
    let text = reqwest::Client::new()
        .get(format!("{url}/v1/photos"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).expect("index is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_photo_arrives_exactly_once_through_500s_hangs_and_lost_responses() {
    let (dir, store, coll) = queue_and_collector(1).await;
    let proxy = Proxy::start(&coll.url()).await;
    proxy.push([
        Fault::ServerError,
        Fault::Unavailable,
        Fault::Hang(Duration::from_millis(1500)),
        Fault::LoseResponse(Duration::from_millis(1500)),
        Fault::Redirect,
        Fault::LoginPage,
        Fault::Duplicate,
        Fault::ServerError,
        Fault::LoseResponse(Duration::from_millis(1500)),
        Fault::Duplicate,
    ]);
    let mut ids = Vec::new();
    for i in 0..24 {
        ids.push(store.insert(shot(i)).await.unwrap().id);
    }
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let worker = Worker::spawn(store.clone(), fast(&proxy.url), move |e| {
        sink.lock().unwrap().push(e)
    });
    wait_until("all uploaded", 30, async || {
        store.outstanding().await.unwrap() == 0
    })
    .await;
    worker.stop().await;
    let received = index(&coll.url()).await;
    assert_eq!(received.len(), 24, "each photo stored once");
    for id in &ids {
        let s = store.shot(id).await.unwrap();
        assert_eq!(s.upload_state, UploadState::Uploaded, "{id}");
        let r = received
            .iter()
            .find(|r| &r.shot_id == id)
            .expect("at the collector");
        assert_eq!(
            r.sha256, s.photo_sha256,
            "the bytes that arrived are the bytes queued"
        );
        let on_disk = std::fs::read(dir.path().join("intake").join(format!("{id}.jpg"))).unwrap();
        assert_eq!(on_disk, store.photo(id).await.unwrap());
    }
    let ev = std::mem::take(&mut *events.lock().unwrap());
    let retries = ev
        .iter()
        .filter(|e| matches!(e, UploadEvent::Retry { .. }))
        .count();
    let already = ev
        .iter()
        .filter(|e| matches!(e, UploadEvent::Uploaded { already: true, .. }))
        .count();
    assert!(
        retries >= 8,
        "every injected fault but the duplicates caused a retry: {retries}"
    );
    assert!(
        already >= 2,
        "a retry after a lost response is recognised as already stored: {already}"
    );
    coll.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_network_keeps_photos_queued_until_the_collector_comes_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db"), [2; 32])
        .await
        .unwrap();
    // A port with nobody listening: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    for i in 0..5 {
        store.insert(shot(i)).await.unwrap();
    }
    let worker = Worker::spawn(store.clone(), fast(&url), |_| {});
    wait_until("a refused attempt", 10, async || {
        store.today().await.unwrap().iter().any(|s| {
            s.upload_error
                .as_deref()
                .is_some_and(|e| e.contains("cannot connect"))
        })
    })
    .await;
    assert_eq!(
        store.outstanding().await.unwrap(),
        5,
        "nothing lost, nothing marked failed"
    );
    let coll = collector_at(&format!("127.0.0.1:{port}"), &dir.path().join("intake")).await;
    wait_until("all uploaded", 20, async || {
        store.outstanding().await.unwrap() == 0
    })
    .await;
    worker.stop().await;
    assert_eq!(index(&coll.url()).await.len(), 5);
    coll.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_a_permanent_failure_for_the_supervisor_not_a_retry_loop() {
    let (_dir, store, coll) = queue_and_collector(3).await;
    let id = store.insert(shot(1)).await.unwrap().id;
    let mut cfg = fast(&coll.url());
    cfg.token = "wrong".into();
    let worker = Worker::spawn(store.clone(), cfg, |_| {});
    wait_until("failed", 10, async || {
        store.shot(&id).await.unwrap().upload_state == UploadState::Failed
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    worker.stop().await;
    let s = store.shot(&id).await.unwrap();
    assert_eq!(s.upload_attempts, 1, "not retried");
    assert!(s.upload_error.unwrap().contains("invalid station token"));
    // The supervisor fixes the token and puts it back.
    assert!(store.requeue(&id, "token fixed").await.unwrap());
    let worker = Worker::spawn(store.clone(), fast(&coll.url()), |_| {});
    wait_until("uploaded", 10, async || {
        store.shot(&id).await.unwrap().upload_state == UploadState::Uploaded
    })
    .await;
    worker.stop().await;
    coll.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_refuses_a_different_photo_under_the_same_id_and_a_bad_hash() {
    let dir = tempfile::tempdir().unwrap();
    let coll = collector_at("127.0.0.1:0", dir.path()).await;
    let client = reqwest::Client::new();
    let put = |body: Vec<u8>, sha: String| {
        client
            .put(format!("{}/v1/photos/abcdef0123456789", coll.url()))
            .bearer_auth(TOKEN)
            .header("x-caiji-sha256", sha)
            .header("x-caiji-code-key", "0123456789abcdef")
            .header("x-caiji-taken-at", caiji_store::now_ms().to_string())
            .body(body)
            .send()
    };
    let sha = |b: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    };
    let a = jpeg(1);
    assert_eq!(put(a.clone(), sha(&a)).await.unwrap().status(), 201);
    assert_eq!(
        put(a.clone(), sha(&a)).await.unwrap().status(),
        200,
        "same photo again: already stored"
    );
    let b = jpeg(2);
    assert_eq!(
        put(b.clone(), sha(&b)).await.unwrap().status(),
        409,
        "different photo, same id"
    );
    assert_eq!(
        put(b.clone(), sha(&a)).await.unwrap().status(),
        400,
        "hash mismatch"
    );
    assert_eq!(
        put(b"not a jpeg".to_vec(), sha(b"not a jpeg"))
            .await
            .unwrap()
            .status(),
        415
    );
    coll.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shot_held_by_a_worker_that_died_is_resumed_when_the_queue_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let store = Store::open(&db, [4; 32]).await.unwrap();
    let id = store.insert(shot(7)).await.unwrap().id;
    let claimed = store.claim(4, i64::MAX).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        store.shot(&id).await.unwrap().upload_state,
        UploadState::Uploading
    );
    store.close().await; // the process "dies" holding it
    let store = Store::open(&db, [4; 32]).await.unwrap();
    assert_eq!(
        store.shot(&id).await.unwrap().upload_state,
        UploadState::Pending
    );
    assert!(
        store
            .audit_of(&id)
            .await
            .unwrap()
            .iter()
            .any(|(e, _)| e == "upload_resumed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nothing_to_send_the_worker_still_knows_whether_the_collector_is_there() {
    let (_dir, store, coll) = queue_and_collector(5).await;
    let proxy = Proxy::start(&coll.url()).await;
    // The first look meets a campus network's login page (a 200, but not the collector).
    proxy.push_health([Fault::LoginPage]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut cfg = fast(&proxy.url);
    cfg.probe_every = Duration::from_millis(100);
    let worker = Worker::spawn(store.clone(), cfg, move |e| sink.lock().unwrap().push(e));
    let reachable = || {
        events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                UploadEvent::Reachable { ok } => Some(*ok),
                _ => None,
            })
            .collect::<Vec<bool>>()
    };
    wait_until(
        "the portal read as offline, then the collector as online",
        10,
        async || reachable().starts_with(&[false, true]),
    )
    .await;
    // The collector goes away: the next look says so, with nothing queued to fail.
    coll.stop().await;
    let seen = reachable().len();
    wait_until("offline once the collector is gone", 10, async || {
        reachable()[seen..].contains(&false)
    })
    .await;
    worker.stop().await;
    assert_eq!(store.outstanding().await.unwrap(), 0, "nothing was queued");
}
