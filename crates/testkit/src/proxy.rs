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
    /// Another service's JSON with a 200: not a receipt.
    ForeignJson,
    /// Forward (the collector stores it), then drop the connection without an answer.
    Reset,
}

/// The faults a random schedule draws from.
pub const RANDOM_FAULTS: [Fault; 8] = [
    Fault::ServerError,
    Fault::Unavailable,
    Fault::LoseResponse(Duration::from_millis(1500)),
    Fault::Redirect,
    Fault::LoginPage,
    Fault::Duplicate,
    Fault::ForeignJson,
    Fault::Reset,
];

#[derive(Clone)]
struct Shared {
    upstream: String,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    /// Faults for the worker's health checks (`GET /health`), apart from the uploads'.
    health_faults: Arc<Mutex<VecDeque<Fault>>>,
    /// With no queued fault: a random one at this rate, from a seeded generator.
    random: Arc<Mutex<Option<(f64, rand::rngs::StdRng)>>>,
    /// What was done, for the test's report.
    log: Arc<Mutex<Vec<Option<Fault>>>>,
    client: reqwest::Client,
}

/// A running proxy.
pub struct Proxy {
    /// Its base URL: point the worker here.
    pub url: String,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    health_faults: Arc<Mutex<VecDeque<Fault>>>,
    random: Arc<Mutex<Option<(f64, rand::rngs::StdRng)>>>,
    log: Arc<Mutex<Vec<Option<Fault>>>>,
}

impl Proxy {
    /// A proxy to `upstream` on 127.0.0.1.
    pub async fn start(upstream: &str) -> Proxy {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let faults = Arc::new(Mutex::new(VecDeque::new()));
        let health_faults = Arc::new(Mutex::new(VecDeque::new()));
        let random = Arc::new(Mutex::new(None));
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            faults: faults.clone(),
            health_faults: health_faults.clone(),
            random: random.clone(),
            log: log.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        };
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Proxy {
            url,
            faults,
            health_faults,
            random,
            log,
        }
    }

    /// Faults for the next requests, one each, in order.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }

    /// Faults for the next health checks (`GET /health`), one each, in order; uploads and
    /// listings do not meet them.
    pub fn push_health(&self, faults: impl IntoIterator<Item = Fault>) {
        self.health_faults.lock().unwrap().extend(faults);
    }

    /// After the queued faults: a random one of [`RANDOM_FAULTS`] on each request with
    /// probability `rate`, drawn from `seed` (a run can be repeated).
    pub fn random(&self, rate: f64, seed: u64) {
        use rand::SeedableRng;
        *self.random.lock().unwrap() = Some((rate, rand::rngs::StdRng::seed_from_u64(seed)));
    }

    /// How many requests met each fault (`None`: passed through).
    pub fn counts(&self) -> Vec<(Option<Fault>, usize)> {
        let mut out: Vec<(Option<Fault>, usize)> = Vec::new();
        for f in self.log.lock().unwrap().iter() {
            match out.iter_mut().find(|(g, _)| g == f) {
                Some((_, n)) => *n += 1,
                None => out.push((*f, 1)),
            }
        }
        out
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

fn parts_is_upload(req: &Request) -> bool {
    req.method() == axum::http::Method::PUT
}

async fn handle(State(s): State<Shared>, req: Request) -> Response {
    // Only uploads (and health checks, from their own queue) meet faults; a listing the test
    // reads passes through.
    let upload = parts_is_upload(&req);
    let queued = if upload {
        s.faults.lock().unwrap().pop_front()
    } else if req.uri().path() == "/health" {
        s.health_faults.lock().unwrap().pop_front()
    } else {
        None
    };
    let fault = queued.or_else(|| {
        if !upload {
            return None;
        }
        use rand::Rng;
        let mut r = s.random.lock().unwrap();
        let (rate, rng) = r.as_mut()?;
        if rng.random_bool(*rate) {
            Some(RANDOM_FAULTS[rng.random_range(0..RANDOM_FAULTS.len())])
        } else {
            None
        }
    });
    s.log.lock().unwrap().push(fault);
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
        Some(Fault::ForeignJson) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            r#"{"status":"stored","ok":true}"#,
        )
            .into_response(),
        Some(Fault::Reset) => {
            let _ = forward(&s, &f).await;
            // Unwinding out of the handler drops the connection with no response.
            std::panic::resume_unwind(Box::new("reset"))
        }
        None => forward(&s, &f).await,
    }
}
