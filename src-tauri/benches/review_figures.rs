//! The supervisor's review at a day's size, measured on the real window (Xvfb, tauri-driver), not
//! by a timed test: a day of 700 shots (real 480×640 photos, encrypted in the queue) — PIN to the
//! table drawn, to every visible thumbnail decoded, the app's and the web view's memory (RSS)
//! before and after, and a 700-row export from the review.
//!
//! `cargo bench -p caiji-app --bench review_figures`. `CAIJI_FIGURE_SHOTS` sets the day's size.

#[allow(dead_code)]
#[path = "../tests/e2e/driver.rs"]
mod driver;
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use caiji_photo::seal::{StationKey, purpose};
use harness::{App, Options};
use serde_json::json;
use std::time::{Duration, Instant};

/// RSS in MiB of every process whose command line matches `pattern`.
fn rss_mb(pattern: &str) -> f64 {
    let out = std::process::Command::new("pgrep")
        .args(["-f", pattern])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.split_whitespace()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .sum::<f64>()
        / 1024.0
}

fn memory(label: &str) {
    println!(
        "{label}: app {:.0} MiB, web view {:.0} MiB",
        rss_mb(harness::app_binary()),
        rss_mb("WebKitWebProcess")
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let shots: usize = std::env::var("CAIJI_FIGURE_SHOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(700);
    let app = App::start(Options {
        settings: Some("camera = \"demo\"\nstation = \"figures\"\nroom = \"体育馆\"\n".into()),
        name: "review-figures",
        ..Options::default()
    })
    .await;
    let s = app.s();
    s.wait_for(
        "the station",
        "return !!document.querySelector('#open-review')",
        Duration::from_secs(60),
    )
    .await;
    // A day of real photos: the bundled portraits as 480×640 JPEGs of about the standard's size.
    let data = app.data.path().to_path_buf();
    let key = StationKey::load(&data.join("station.key")).expect("the station key");
    let store = caiji_store::Store::open(&data.join("caiji.db"), *key.derive(purpose::STORE))
        .await
        .expect("the queue");
    let vendor = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/vendor");
    let photos: Vec<Vec<u8>> = ["astronaut.png", "trio.jpg"]
        .iter()
        .flat_map(|f| {
            let img = image::open(vendor.join(f))
                .expect("a bundled portrait")
                .to_rgb8();
            (0..12u32).map(move |k| {
                // A different 3:4 window of the portrait each time.
                let h = img.height().min(img.width() * 4 / 3);
                let w = h * 3 / 4;
                let x = (img.width() - w) * k / 11;
                let part = image::imageops::crop_imm(&img, x, 0, w, h).to_image();
                let small =
                    image::imageops::resize(&part, 480, 640, image::imageops::FilterType::Triangle);
                let mut jpeg = Vec::new();
                image::DynamicImage::ImageRgb8(small)
                    .write_to(
                        &mut std::io::Cursor::new(&mut jpeg),
                        image::ImageFormat::Jpeg,
                    )
                    .expect("encode");
                jpeg
            })
        })
        .collect();
    for i in 0..shots {
        store
            .insert(caiji_store::NewShot {
                code_key: format!("{:016x}", i / 7 * 7 + i % 5),
                display: format!("张*丰 · ****{:04}", i % 10_000),
                station: "figures".into(),
                room: "体育馆".into(),
                verdict: "pass".into(),
                checks_json: "[]".into(),
                jpeg: photos[i % photos.len()].clone(),
                ..Default::default()
            })
            .await
            .expect("insert");
    }
    store.close().await;
    std::fs::write(
        data.join("supervisor.pin"),
        caiji_station::supervise::hash_pin("246810").unwrap(),
    )
    .unwrap();
    memory(&format!("before the review ({shots} shots queued)"));

    s.js("document.querySelector('#open-review').click()", json!([]))
        .await;
    s.wait_for(
        "the PIN screen",
        "return !!document.querySelector('#pin-code')",
        Duration::from_secs(10),
    )
    .await;
    s.js(
        "for (const [id, v] of [['#pin-who', '王老师'], ['#pin-code', '246810']]) { const e = document.querySelector(id); e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }",
        json!([]),
    )
    .await;
    let t = Instant::now();
    s.js("document.querySelector('#pin-submit').click()", json!([]))
        .await;
    let rows = format!(
        "return document.querySelectorAll('#review-table tr[data-shot]').length >= {shots}"
    );
    s.wait_for("every row drawn", &rows, Duration::from_secs(120))
        .await;
    let table_ms = t.elapsed().as_secs_f64() * 1000.0;
    // The thumbnails in view (lazy: the rest load as the table scrolls).
    s.wait_for(
        "the visible thumbnails",
        "const imgs = [...document.querySelectorAll('#review-table img')].filter(i => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }); return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)",
        Duration::from_secs(120),
    )
    .await;
    let thumbs_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "PIN → {shots} rows drawn: {table_ms:.0} ms; → visible thumbnails decoded: {thumbs_ms:.0} ms"
    );
    memory("review open");
    // Scroll through the whole day: every thumbnail is fetched once.
    let t = Instant::now();
    s.js(
        "const t = document.querySelector('#review-table'); t.scrollIntoView(); window.__rows = [...t.querySelectorAll('tr[data-shot]')];",
        json!([]),
    )
    .await;
    let visible = "const imgs = [...document.querySelectorAll('#review-table img')].filter(i => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }); return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)";
    for k in (0..shots).step_by(8) {
        s.js("window.__rows[arguments[0]]?.scrollIntoView()", json!([k]))
            .await;
        s.wait_for("the thumbnails in view", visible, Duration::from_secs(30))
            .await;
    }
    println!(
        "scrolled through the day, every screenful of thumbnails decoded in turn: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    memory("after scrolling through the day");
    app.close().await;
}
