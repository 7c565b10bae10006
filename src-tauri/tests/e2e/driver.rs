//! A small W3C WebDriver client (the classic HTTP protocol WebKitWebDriver speaks), enough to
//! drive the station window: run scripts, press keys, switch windows, reload, take screenshots.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The WebDriver key codes the station uses.
pub const ENTER: &str = "\u{E007}";
/// Escape.
pub const ESCAPE: &str = "\u{E00C}";
/// Space.
pub const SPACE: &str = " ";

/// One WebDriver session on a tauri-driver.
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = http
        .request(method.clone(), url)
        .timeout(Duration::from_secs(60));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = res.status();
    let bytes = res
        .bytes()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{method} {url}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    if !status.is_success() {
        return Err(format!("{method} {url}: HTTP {status}: {}", v["value"]));
    }
    Ok(v["value"].clone())
}

impl Session {
    /// A new session of the app at `application`, through the tauri-driver at `base`. Retries
    /// until the driver answers (it starts WebKitWebDriver first), for a minute at most.
    pub async fn new(base: &str, application: &str) -> Result<Session, String> {
        // The driver is plain HTTP on loopback, but reqwest is built with rustls and no provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application},
        }}});
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match call(
                &http,
                reqwest::Method::POST,
                &format!("{base}/session"),
                Some(caps.clone()),
            )
            .await
            {
                Ok(v) => {
                    let id = v["sessionId"].as_str().expect("a session id").to_string();
                    return Ok(Session {
                        http,
                        base: base.to_string(),
                        id,
                    });
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no WebDriver session: {e}"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}/session/{}/{path}", self.base, self.id);
        call(&self.http, reqwest::Method::POST, &url, Some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        let url = format!("{}/session/{}/{path}", self.base, self.id);
        call(&self.http, reqwest::Method::GET, &url, None).await
    }

    /// Run `script` in the page (a function body; `arguments` are `args`) and return its value.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.post("execute/sync", json!({"script": script, "args": args}))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// `js` that may fail (the page is reloading).
    pub async fn try_js(&self, script: &str) -> Option<Value> {
        self.post("execute/sync", json!({"script": script, "args": []}))
            .await
            .ok()
    }

    /// Give the page the keyboard, as a photographer's first click does: without a window
    /// manager nothing focuses a new window, and WebKit drops key events to an unfocused view.
    pub async fn focus(&self) {
        let el = self
            .post(
                "element",
                json!({"using": "css selector", "value": "#hints, body"}),
            )
            .await
            .expect("an element to click");
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .expect("element id")
            .to_string();
        let _ = self.post(&format!("element/{id}/click"), json!({})).await;
    }

    /// Type `text` as key presses with no pause between them, as a handheld scanner does.
    pub async fn keys(&self, text: &str) {
        self.focus().await;
        let _ = self.try_js("if (!window.__keys) { window.__keys = []; document.addEventListener('keydown', (e) => window.__keys.push(e.key), true); }").await;
        let mut actions = Vec::new();
        for c in text.chars() {
            let s = c.to_string();
            actions.push(json!({"type": "keyDown", "value": s}));
            actions.push(json!({"type": "keyUp", "value": s}));
        }
        self.post(
            "actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await
        .unwrap_or_else(|e| panic!("keys {text:?}: {e}"));
        let _ = self.post("actions/release", json!({})).await;
    }

    /// Wait until `script` returns a truthy value; returns it. Panics with `what` after `timeout`.
    pub async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last = Value::Null;
        loop {
            if let Some(v) = self.try_js(script).await {
                let truthy = match &v {
                    Value::Null => false,
                    Value::Bool(b) => *b,
                    Value::Number(n) => n.as_f64() != Some(0.0),
                    Value::String(s) => !s.is_empty(),
                    _ => true,
                };
                if truthy {
                    return v;
                }
                last = v;
            }
            if Instant::now() > deadline {
                let state = self
                    .try_js("return 'focus ' + document.hasFocus() + ' on ' + (document.activeElement?.id || document.activeElement?.tagName) + ' keys ' + JSON.stringify((window.__keys ?? []).slice(-12)) + ' body ' + JSON.stringify(document.body.dataset) + ' | ' + document.querySelector('#state')?.dataset.state + ' | ' + (document.querySelector('#toast')?.innerText ?? '') + ' | alerts ' + [...document.querySelectorAll('[role=alert]')].filter((e) => !e.hidden && e.innerText.trim()).map((e) => e.id + ': ' + e.innerText.trim()).join(' / ') + ' | detail ' + JSON.stringify(document.querySelector('#shot-detail')?.dataset ?? null) + ' | ' + document.body.innerText.slice(0, 120)")
                    .await;
                panic!(
                    "timed out after {timeout:?} waiting for {what} (last {last}); page: {state:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reload the page.
    pub async fn refresh(&self) {
        self.post("refresh", json!({})).await.expect("refresh");
    }

    /// Every window's handle.
    pub async fn windows(&self) -> Vec<String> {
        let v = self.get("window/handles").await.expect("window handles");
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current window's handle.
    pub async fn window(&self) -> String {
        self.get("window")
            .await
            .expect("window handle")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Make `handle` the window commands go to.
    pub async fn switch_to(&self, handle: &str) {
        self.post("window", json!({"handle": handle}))
            .await
            .expect("switch window");
    }

    /// End the session (closes the app).
    pub async fn close(self) {
        let url = format!("{}/session/{}", self.base, self.id);
        let _ = call(&self.http, reqwest::Method::DELETE, &url, None).await;
    }
}
