//! A fault-injecting reverse proxy in front of the real collector: what a hall's network and
//! its captive portal do to an upload. Fault injection lives here, in the tests, not in the
//! server.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 without forwarding.
    ServerError,
    /// 503 without forwarding.
    Unavailable,
    /// Wait, then forward (longer than the client waits: the client times out).
    Hang(Duration),
    /// Forward (the collector stores it), then hold the response until the client gives up.
    LoseResponse(Duration),
    /// A captive portal: 302 to its login page.
    Redirect,
    /// A captive portal's 200 login page, nothing forwarded.
    LoginPage,
    /// The request twice at once (a retry racing its own first attempt).
    Duplicate,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    client: reqwest::Client,
}

/// A running proxy.
pub struct Proxy {
    /// Its base URL: point the worker here.
    pub url: String,
    faults: Arc<Mutex<VecDeque<Fault>>>,
}

impl Proxy {
    /// A proxy to `upstream` on 127.0.0.1.
    pub async fn start(upstream: &str) -> Proxy {
        let faults = Arc::new(Mutex::new(VecDeque::new()));
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            faults: faults.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        };
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Proxy { url, faults }
    }

    /// Faults for the next requests, one each, in order.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }
}

struct Forward {
    method: reqwest::Method,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

async fn forward(s: &Shared, f: &Forward) -> Response {
    let mut req = s
        .client
        .request(f.method.clone(), format!("{}{}", s.upstream, f.path));
    for (k, v) in &f.headers {
        if k != "host" && k != "content-length" {
            req = req.header(k.as_str(), v.as_slice());
        }
    }
    match req.body(f.body.clone()).send().await {
        Ok(r) => {
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
            let ctype = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or("").to_string());
            let body = r.bytes().await.unwrap_or_default();
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = status;
            if let Some(c) = ctype {
                resp.headers_mut()
                    .insert("content-type", c.parse().unwrap());
            }
            resp
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn handle(State(s): State<Shared>, req: Request) -> Response {
    let fault = s.faults.lock().unwrap().pop_front();
    let (parts, body) = req.into_parts();
    let f = Forward {
        method: reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap(),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: to_bytes(body, 1 << 20).await.unwrap_or_default().to_vec(),
    };
    match fault {
        Some(Fault::ServerError) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Some(Fault::Unavailable) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Some(Fault::Redirect) => (
            StatusCode::FOUND,
            [("location", "http://portal.example/login")],
        )
            .into_response(),
        Some(Fault::LoginPage) => (
            StatusCode::OK,
            [("content-type", "text/html")],
            "<html><body>校园网登录 / campus network login</body></html>",
        )
            .into_response(),
        Some(Fault::Hang(d)) => {
            tokio::time::sleep(d).await;
            forward(&s, &f).await
        }
        Some(Fault::LoseResponse(d)) => {
            let r = forward(&s, &f).await;
            tokio::time::sleep(d).await;
            r
        }
        Some(Fault::Duplicate) => {
            let (a, _) = tokio::join!(forward(&s, &f), forward(&s, &f));
            a
        }
        None => forward(&s, &f).await,
    }
}
