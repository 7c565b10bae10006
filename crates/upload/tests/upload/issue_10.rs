//! Issue 10: an upload counts only when the collector proves it stored that photo.

use super::*;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A web server on 127.0.0.1 that is not a collector: `router` answers every upload.
async fn impostor(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Queue one shot, run the worker against `url` until the shot has been tried `tries` times,
/// and return the shot as it then is.
async fn upload_to(url: &str, tries: i64) -> caiji_store::Shot {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db"), [9; 32])
        .await
        .unwrap();
    let id = store.insert(shot(3)).await.unwrap().id;
    let worker = Worker::spawn(store.clone(), fast(url), |_| {});
    wait_until("the attempts", 20, async || {
        let s = store.shot(&id).await.unwrap();
        s.upload_attempts >= tries && s.upload_state != UploadState::Uploading
    })
    .await;
    worker.stop().await;
    store.shot(&id).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captive_portal_redirect_is_not_an_upload() {
    let followed = Arc::new(AtomicUsize::new(0));
    let seen = followed.clone();
    let url = impostor(
        Router::new()
            .route(
                "/v1/photos/{id}",
                put(|| async { (StatusCode::FOUND, [("location", "/login")]).into_response() }),
            )
            .route(
                "/login",
                get(move || {
                    seen.fetch_add(1, Ordering::Relaxed);
                    async { "<html><body>请登录校园网 / please log in</body></html>" }
                }),
            ),
    )
    .await;
    let s = upload_to(&url, 2).await;
    assert_eq!(s.upload_state, UploadState::Pending, "kept for a retry");
    let why = s.upload_error.unwrap();
    assert!(why.contains("redirects to /login"), "{why}");
    assert_eq!(
        followed.load(Ordering::Relaxed),
        0,
        "the redirect is not followed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_from_a_server_that_is_not_a_collector_is_not_an_upload() {
    // A login page, another service's JSON, and an endless page (read only up to the limit).
    let login = impostor(Router::new().route(
        "/v1/photos/{id}",
        put(|| async { "<html><body>Welcome to CampusNet</body></html>" }),
    ))
    .await;
    let json = impostor(Router::new().route(
        "/v1/photos/{id}",
        put(|| async { axum::Json(serde_json::json!({"status": "stored", "ok": true})) }),
    ))
    .await;
    let huge =
        impostor(Router::new().route("/v1/photos/{id}", put(|| async { "x".repeat(8 << 20) })))
            .await;
    for url in [login, json, huge] {
        let s = upload_to(&url, 2).await;
        assert_eq!(s.upload_state, UploadState::Pending, "{url}");
        let why = s.upload_error.unwrap();
        assert!(
            why.contains("not a Caiji collector") && why.contains("接收地址不是采集接收端"),
            "{url}: {why}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_for_other_bytes_is_not_an_upload() {
    let url = impostor(Router::new().route(
        "/v1/photos/{id}",
        put(
            |axum::extract::Path(id): axum::extract::Path<String>| async move {
                (
                    StatusCode::CREATED,
                    axum::Json(caiji_protocol::Receipt::new(
                        id,
                        "00".repeat(32),
                        caiji_protocol::ReceiptStatus::Stored,
                        true,
                    )),
                )
            },
        ),
    ))
    .await;
    let s = upload_to(&url, 2).await;
    assert_eq!(s.upload_state, UploadState::Pending);
    assert!(
        s.upload_error
            .unwrap()
            .contains("receipt is for another photo")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_damaged_in_transit_is_retried_a_bounded_number_of_times() {
    let url = impostor(Router::new().route(
        "/v1/photos/{id}",
        put(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({"code": "hash_mismatch", "message_zh": "照片校验值不符", "message_en": "photo hash mismatch"})),
            )
        }),
    ))
    .await;
    let s = upload_to(&url, caiji_upload::HASH_MISMATCH_TRIES).await;
    assert_eq!(
        s.upload_state,
        UploadState::Failed,
        "after {} tries",
        s.upload_attempts
    );
    assert_eq!(s.upload_attempts, caiji_upload::HASH_MISMATCH_TRIES);
    assert!(s.upload_error.unwrap().contains("hash mismatch"));
}
