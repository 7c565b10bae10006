//! `caiji://localhost/…`: bytes for the page, never JSON or base64.
//! - `preview?after=SEQ&w=960`: the newest camera frame after SEQ as JPEG (204 when none came
//!   within a second), with `x-seq`, `x-width`, `x-height` naming the source frame; the page
//!   asks again when it has drawn one, so a slow page gets the newest frame, never a backlog;
//! - `review/N`: the exact photo of review N, the bytes that are queued (404 once it is over);
//! - `shot/ID?w=160`: a queued shot's photo for the supervisor's review, decrypted and scaled in
//!   memory (`w=0`: whole), 404 while the review is locked.

use caiji_station::App;
use std::sync::Arc;
use tauri::http::{Request, Response, StatusCode, Uri, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

/// The widest preview sent to the page: a full-HD frame is shown at most 1280 wide.
pub const MAX_PREVIEW_WIDTH: u32 = 1280;

/// The protocol handler: answers on the async runtime, off the main thread.
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().state::<Arc<App>>().inner().clone();
    tauri::async_runtime::spawn(async move {
        responder.respond(answer(&app, request.uri()).await);
    });
}

/// The response to one request.
pub async fn answer(app: &App, uri: &Uri) -> Response<Vec<u8>> {
    let path = uri.path().trim_start_matches('/');
    let query = |name: &str| {
        uri.query()?
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    if path == "preview" {
        let after = query("after").and_then(|s| s.parse::<u64>().ok());
        let width = query("w")
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(MAX_PREVIEW_WIDTH)
            .clamp(160, MAX_PREVIEW_WIDTH);
        return match app.preview(after, width).await {
            Some(f) => respond(
                StatusCode::OK,
                f.jpeg,
                &[
                    ("x-seq", f.seq.to_string()),
                    ("x-width", f.width.to_string()),
                    ("x-height", f.height.to_string()),
                ],
            ),
            None => respond(StatusCode::NO_CONTENT, Vec::new(), &[]),
        };
    }
    if let Some(n) = path.strip_prefix("review/").and_then(|n| n.parse().ok())
        && let Some(photo) = app.review_photo(n).await
    {
        return respond(StatusCode::OK, photo.as_ref().clone(), &[]);
    }
    if let Some(id) = path.strip_prefix("shot/") {
        let width = query("w")
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(160)
            .min(MAX_PREVIEW_WIDTH);
        if let Some(jpeg) = app.review_photo_of(id, width).await {
            return respond(StatusCode::OK, jpeg, &[]);
        }
    }
    respond(StatusCode::NOT_FOUND, Vec::new(), &[])
}

fn respond(status: StatusCode, body: Vec<u8>, extra: &[(&str, String)]) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        // The page (tauri://localhost) reads this origin with fetch: allow it and its headers.
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            "x-seq, x-width, x-height",
        );
    if !body.is_empty() {
        b = b.header(header::CONTENT_TYPE, "image/jpeg");
    }
    for (k, v) in extra {
        b = b.header(*k, v.as_str());
    }
    b.body(body).unwrap_or_else(|_| Response::new(Vec::new()))
}
