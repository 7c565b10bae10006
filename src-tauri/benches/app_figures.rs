//! The desktop station's figures, measured on the real window (Xvfb, tauri-driver), not by a
//! timed test: app start → first preview frame, preview frames per second reaching the page from
//! a 1080p source while the analysis runs, scan → first verdict drawn, Space → the photo shown,
//! and the app's memory (RSS) over many shots in one run.
//!
//! `cargo bench -p caiji-app --bench app_figures` (release profile), or with the test build:
//! `cargo test -p caiji-app --benches --no-run` and run the printed binary. `CAIJI_FIGURE_SHOTS`
//! sets the number of shots (default 200).

#[allow(dead_code)]
#[path = "../tests/e2e/driver.rs"]
mod driver;
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use driver::{ENTER, ESCAPE, SPACE, Session};
use harness::{App, Options};
use serde_json::json;
use std::time::{Duration, Instant};

async fn body_number(s: &Session, name: &str) -> Option<f64> {
    let v = s
        .js(
            "return document.body.dataset[arguments[0]] ?? null",
            json!([name]),
        )
        .await;
    v.as_str().and_then(|v| v.parse().ok())
}

async fn clear(s: &Session, name: &str) {
    s.js("delete document.body.dataset[arguments[0]]", json!([name]))
        .await;
}

async fn wait_state(s: &Session, states: &[&str], timeout: Duration) {
    let list = serde_json::to_string(states).unwrap();
    let script =
        format!("return {list}.includes(document.querySelector('#state')?.dataset.state ?? '')");
    s.wait_for(&format!("state {states:?}"), &script, timeout)
        .await;
}

fn rss_mb() -> Option<f64> {
    let out = std::process::Command::new("pgrep")
        .args(["-n", "-f", harness::app_binary()])
        .output()
        .ok()?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * q).round() as usize]
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benches; nothing to list here
    }
    let shots: usize = std::env::var("CAIJI_FIGURE_SHOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let settings =
        "camera = \"demo\"\ncamera_mode = \"1920×1080 demo 30 fps\"\nstation = \"figures\"\n"
            .to_string();
    let t0 = Instant::now();
    let app = App::start(Options {
        settings: Some(settings),
        ..Options::default()
    })
    .await;
    let s = app.s();
    s.wait_for(
        "first frame",
        "return Number(document.body.dataset.frames ?? 0) > 0",
        Duration::from_secs(120),
    )
    .await;
    let wall_first = t0.elapsed().as_secs_f64() * 1000.0;
    let page_first = body_number(s, "firstFrameMs").await.unwrap_or(f64::NAN);
    println!(
        "start → first preview frame: {wall_first:.0} ms (driver + app + page), {page_first:.0} ms from the page's start"
    );

    // The first student is framed (their phone was read): the analysis runs on every frame.
    wait_state(s, &["adjust", "ready"], Duration::from_secs(60)).await;
    let f0 = body_number(s, "frames").await.unwrap_or(0.0);
    let a = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let f1 = body_number(s, "frames").await.unwrap_or(0.0);
    let fps = (f1 - f0) / a.elapsed().as_secs_f64();
    println!(
        "preview frames drawn per second, 1920×1080 demo camera at 30 fps, analysis running: {fps:.1}"
    );

    // Scan → first verdict drawn, by the scanner path.
    let code = caiji_scene::demo_student(0).code;
    let mut scan_ms = Vec::new();
    for _ in 0..5 {
        s.keys(ESCAPE).await;
        wait_state(s, &["waiting"], Duration::from_secs(10)).await;
        clear(s, "scanToVerdictMs").await;
        s.keys(&format!("{code}{ENTER}")).await;
        s.wait_for(
            "a verdict drawn",
            "return document.body.dataset.scanToVerdictMs ?? ''",
            Duration::from_secs(20),
        )
        .await;
        scan_ms.push(body_number(s, "scanToVerdictMs").await.unwrap_or(f64::NAN));
    }
    println!(
        "scan → first verdict drawn: median {:.0} ms, max {:.0} ms (5 scans)",
        quantile(&mut scan_ms.clone(), 0.5),
        quantile(&mut scan_ms, 1.0)
    );

    let mut shoot_ms = Vec::new();
    let mut rss_first = None;
    let mut rss_curve = Vec::new();
    let started = Instant::now();
    for i in 0..shots {
        // The demo queue starts over after 24 students: a student photographed today comes
        // back and the station asks whether to retake (Y: the new photo supersedes).
        wait_state(s, &["ready", "question"], Duration::from_secs(60)).await;
        let asked = s
            .js(
                "return document.querySelector('#state')?.dataset.state",
                json!([]),
            )
            .await;
        if asked.as_str() == Some("question") {
            s.keys("y").await;
            wait_state(s, &["ready"], Duration::from_secs(60)).await;
        }
        clear(s, "shootToPhotoMs").await;
        s.keys(SPACE).await;
        s.wait_for(
            "the photo shown",
            "return document.body.dataset.shootToPhotoMs ?? ''",
            Duration::from_secs(20),
        )
        .await;
        shoot_ms.push(body_number(s, "shootToPhotoMs").await.unwrap_or(f64::NAN));
        s.keys(ENTER).await;
        wait_state(
            s,
            &["saved", "waiting", "adjust", "question"],
            Duration::from_secs(20),
        )
        .await;
        if i == 0 {
            rss_first = rss_mb();
        }
        if (i + 1) % 25 == 0 {
            rss_curve.push(format!("{}: {:.0}", i + 1, rss_mb().unwrap_or(f64::NAN)));
        }
    }
    let per = started.elapsed().as_secs_f64() / shots.max(1) as f64;
    let rss_last = rss_mb();
    println!(
        "Space → photo shown: median {:.0} ms, p95 {:.0} ms, max {:.0} ms ({shots} shots, {per:.1} s per student at the demo camera's pace)",
        quantile(&mut shoot_ms.clone(), 0.5),
        quantile(&mut shoot_ms.clone(), 0.95),
        quantile(&mut shoot_ms, 1.0)
    );
    println!(
        "RSS after shot 1: {:.0} MB; after shot {shots}: {:.0} MB",
        rss_first.unwrap_or(f64::NAN),
        rss_last.unwrap_or(f64::NAN)
    );
    println!("RSS (MB) by shot: {}", rss_curve.join(", "));
    let uploaded = s
        .js(
            "return document.querySelector('#queue')?.dataset.uploaded",
            json!([]),
        )
        .await;
    println!("uploaded at the local collector: {uploaded}");
    app.close().await;
}
