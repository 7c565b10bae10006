//! End-to-end tests of the real station window: the release of the app this test run built,
//! under Xvfb, driven through tauri-driver and WebKitWebDriver as a photographer and a student
//! would use it — a handheld scanner's burst of keys, Space, Enter, R — on the demo camera, with
//! a real SQLite queue and a real collector on 127.0.0.1. Every test leaves screenshots of the
//! real window in `target/e2e/`.

mod driver;
mod harness;

use caiji_photo::seal::{AesGcmSealer, StationKey};
use driver::{ENTER, ESCAPE, SPACE, Session};
use harness::{App, Options};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const STATE: &str = "return document.querySelector('#state')?.dataset.state ?? ''";
const FIRST_FRAME: &str = "return Number(document.querySelector('#preview')?.dataset.seq ?? 0) > 0";

async fn state(s: &Session) -> String {
    s.js(STATE, json!([]))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The window shows the camera.
async fn first_frame(s: &Session) {
    s.wait_for(
        "the first preview frame",
        FIRST_FRAME,
        Duration::from_secs(60),
    )
    .await;
}

/// Wait until the big state is one of `states`.
async fn wait_state(s: &Session, states: &[&str], timeout: Duration) -> String {
    let list = serde_json::to_string(states).unwrap();
    let script = format!(
        "const s = document.querySelector('#state')?.dataset.state ?? ''; return {list}.includes(s) ? s : ''"
    );
    let v = s
        .wait_for(&format!("state {states:?}"), &script, timeout)
        .await;
    v.as_str().unwrap_or_default().to_string()
}

async fn queue_attr(s: &Session, name: &str) -> u64 {
    let v = s
        .js(
            "return document.querySelector('#queue')?.dataset[arguments[0]] ?? '0'",
            json!([name]),
        )
        .await;
    v.as_str().and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn wait_queue(s: &Session, name: &str, want: u64, timeout: Duration) {
    let script =
        format!("return Number(document.querySelector('#queue')?.dataset.{name} ?? -1) === {want}");
    s.wait_for(&format!("queue {name} = {want}"), &script, timeout)
        .await;
}

/// The first demo student's capture code: what the scanner reads off their phone.
fn demo_code(i: usize) -> String {
    caiji_scene::demo_student(i).code
}

/// The app starts on the demo camera; the first student shows a phone, which the station
/// reads by itself. Esc sends the station back to waiting with the student still in front of
/// the camera, so the scanner path is the one that starts the session.
async fn ready_for_scanner(s: &Session) {
    first_frame(s).await;
    // Ready: the phone is down and the face in view (a phone held up covers the face).
    wait_state(s, &["ready"], Duration::from_secs(40)).await;
    s.keys(ESCAPE).await;
    wait_state(s, &["waiting"], Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        state(s).await,
        "waiting",
        "no code in view any more: the scanner starts the session"
    );
}

/// Scan `code` as a handheld scanner types it (a burst of keys, then Enter) and wait for 可以拍摄.
async fn scan_until_ready(s: &Session, code: &str) {
    s.keys(&format!("{code}{ENTER}")).await;
    wait_state(s, &["adjust", "ready"], Duration::from_secs(10)).await;
    wait_state(s, &["ready"], Duration::from_secs(30)).await;
}

/// While the student is framed, the overlay's guides are drawn on every frame the window shows:
/// 40 looks over about three seconds, each at the preview canvas (`data-live-seq` is the
/// verdict drawn on it, empty when none is), the list of rules (greyed, `stale`, when the
/// verdict is not drawn; every photo rule in it, those the probe or the shutter judge listed
/// as pending, so it never changes length under the photographer's eyes) and the big state.
/// A verdict that reached the window before the picture it was measured on must not blank the
/// guides until the next one.
async fn guides_drawn_throughout(s: &Session) {
    const LOOK: &str = "const c = document.querySelector('#preview'); return [document.querySelector('#state')?.dataset.state ?? '', document.querySelector('#checks')?.classList.contains('stale') ? '' : (c?.dataset.liveSeq ?? ''), c?.dataset.seq ?? '', String(document.querySelectorAll('#checks li').length)]";
    // The list names every photo rule, judged or waiting for the probe or the shutter.
    let photo_rules = caiji_spec::CheckId::ALL
        .iter()
        .filter(|c| c.kind() == caiji_spec::CheckKind::Photo)
        .count()
        .to_string();
    let (mut framed, mut bare, mut short) = (0, Vec::new(), Vec::new());
    for _ in 0..40 {
        let v = s.js(LOOK, json!([])).await;
        let at = |i: usize| v[i].as_str().unwrap_or_default().to_string();
        if ["adjust", "ready"].contains(&at(0).as_str()) {
            framed += 1;
            if at(1).is_empty() {
                bare.push(format!("frame {} in {}", at(2), at(0)));
            } else if at(3) != photo_rules {
                short.push(format!("{} rules at frame {}", at(3), at(2)));
            }
        }
        tokio::time::sleep(Duration::from_millis(75)).await;
    }
    assert!(
        framed >= 30,
        "the student stayed framed ({framed} of 40 looks)"
    );
    // Two misses are allowed for an analysis held up over half a second on a busy machine;
    // the guides drawn only under an older verdict went missing at 20 of 40 looks.
    assert!(
        bare.len() <= 2,
        "the guides were missing at {} of {framed} looks: {bare:?}",
        bare.len()
    );
    assert!(
        short.is_empty(),
        "the list of rules is not {photo_rules} long: {short:?}"
    );
}

/// Space, and wait for the confirm view with the photo itself loaded at 480×640.
async fn shoot(s: &Session) -> u64 {
    s.keys(SPACE).await;
    wait_state(s, &["review"], Duration::from_secs(15)).await;
    let size = s
        .wait_for(
            "the photo in the confirm view",
            "const i = document.querySelector('#review-photo'); return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight, Number(i.closest('.review').dataset.photo)] : null",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        (size[0].as_u64(), size[1].as_u64()),
        (Some(480), Some(640)),
        "the confirm view shows the 480×640 file"
    );
    size[2].as_u64().unwrap_or(0)
}

/// Wait for 可以拍摄 (the student framed, their phone read by the camera), then shoot.
async fn shoot_when_ready(s: &Session) -> u64 {
    wait_state(s, &["ready"], Duration::from_secs(40)).await;
    // A moment of steady green, as a photographer gives it (the demo student has just put the
    // phone down), then Space.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    wait_state(s, &["ready"], Duration::from_secs(40)).await;
    shoot(s).await
}

/// A whole student: ready, Space, the confirm view, Enter.
async fn photograph(s: &Session) {
    shoot_when_ready(s).await;
    s.keys(ENTER).await;
}

/// Every photo at a collector folder, judged by the validator with the station's key.
fn validate_collector(dir: &Path, key: &Path) -> usize {
    let key = StationKey::load(key).expect("the station key");
    let sealer = AesGcmSealer::new(&key);
    let analyzer = caiji_vision::Analyzer::load_default().expect("model");
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("collector folder") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jpg") {
            let bytes = std::fs::read(&p).unwrap();
            let r = caiji_photo::validate::validate_bytes(
                &p,
                &bytes,
                &analyzer,
                Some(&sealer),
                caiji_photo::validate::SealPolicy::Require,
            );
            let failing: Vec<_> = r.checks.iter().filter(|c| !c.pass).map(|c| c.id).collect();
            assert!(failing.is_empty(), "{} fails {failing:?}", p.display());
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn scan_shoot_confirm_retake_reload_accept_and_upload() {
    let app = App::start(Options {
        name: "scan",
        ..Options::default()
    })
    .await;
    let s = app.s();
    ready_for_scanner(s).await;
    app.screenshot("01-waiting").await;
    scan_until_ready(s, &demo_code(0)).await;
    let who = s
        .js(
            "return document.querySelector('#student').textContent",
            json!([]),
        )
        .await;
    assert!(
        who.as_str().is_some_and(|w| w.contains('*')),
        "the student is shown masked: {who}"
    );
    guides_drawn_throughout(s).await;
    wait_state(s, &["ready"], Duration::from_secs(30)).await;
    app.screenshot("02-ready").await;

    let first = shoot(s).await;
    app.screenshot("03-confirm").await;
    // The student wants another: R, back to framing, shoot again.
    s.keys("r").await;
    wait_state(s, &["adjust", "ready"], Duration::from_secs(10)).await;
    wait_state(s, &["ready"], Duration::from_secs(30)).await;
    let second = shoot(s).await;
    assert!(
        second > first,
        "the retake is a new photo ({first} then {second})"
    );

    // A reload in the middle of the session loses nothing: still the confirm view, same photo.
    s.refresh().await;
    wait_state(s, &["review"], Duration::from_secs(20)).await;
    let after = photo_shown(s, "the photo in the confirm view", Duration::from_secs(10)).await;
    assert_eq!(
        after, second,
        "the reloaded page shows the photo under review"
    );
    app.screenshot("04-confirm-after-reload").await;

    s.keys(ENTER).await;
    wait_queue(s, "uploaded", 1, Duration::from_secs(30)).await;
    app.screenshot("05-saved-uploaded").await;
    assert_eq!(queue_attr(s, "failed").await, 0);
    let n = validate_collector(&app.local_collector(), &app.data.path().join("station.key"));
    assert_eq!(
        n, 1,
        "one photo (the retake) reached the collector and passes every rule"
    );
    app.close().await;
}

/// The number of the 480-wide photo the window's confirm view shows, once it has loaded.
async fn photo_shown(s: &Session, what: &str, timeout: Duration) -> u64 {
    let v = s
        .wait_for(
            what,
            "const i = document.querySelector('#review-photo'); return i && i.complete && i.naturalWidth === 480 ? Number(i.closest('.review').dataset.photo) : 0",
            timeout,
        )
        .await;
    v.as_u64().unwrap_or(0)
}

#[tokio::test]
async fn a_garbage_scan_is_explained_and_space_is_refused_while_red() {
    // A student too far from the camera: the verdict stays red ("move closer").
    let dir = tempfile::tempdir().unwrap();
    let lib = caiji_scene::Library::open_default().expect("scene photos");
    let mut scene = caiji_scene::Scene::standard("astronaut", "light_blue", 1280, 720);
    scene.people[0].face = 0.12;
    let (img, _) = caiji_scene::render(&lib, &scene).expect("render");
    img.save(dir.path().join("far.png")).unwrap();
    let app = App::start(Options {
        camera: Some(format!("folder:{}", dir.path().display())),
        name: "refused",
        ..Options::default()
    })
    .await;
    let s = app.s();
    first_frame(s).await;
    wait_state(s, &["waiting"], Duration::from_secs(10)).await;

    // A demo code the scanner read half of: the format is known, the fields are not there.
    s.keys(&format!("CJ1|broken{ENTER}")).await;
    let toast = s
        .wait_for(
            "the refusal of the code",
            "const t = document.querySelector('#toast'); return t && !t.hidden ? t.innerText : ''",
            Duration::from_secs(10),
        )
        .await;
    let toast = toast.as_str().unwrap_or_default();
    assert!(
        toast
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "a Chinese reason: {toast}"
    );
    assert!(
        toast.chars().any(|c| c.is_ascii_alphabetic()),
        "an English reason: {toast}"
    );
    assert_eq!(state(s).await, "waiting", "a bad code starts nothing");
    app.screenshot("06-garbage-scan").await;

    scan_and_wait_adjust(s, &demo_code(1)).await;
    s.keys(SPACE).await;
    let refusal = s
        .wait_for(
            "the refused shot",
            "const t = document.querySelector('#toast'); return t && !t.hidden && t.dataset.kind === 'refused' ? t.innerText : ''",
            Duration::from_secs(10),
        )
        .await;
    assert!(
        refusal.as_str().is_some_and(|r| r.contains("face_width")
            || r.contains("脸")
            || r.contains("closer")
            || r.contains("靠近")),
        "the refusal says what to fix: {refusal}"
    );
    app.screenshot("07-refused-while-red").await;
    // With the refusal, its failing rules and all the rules on screen, the panel still
    // shows the day's counts, the buttons and the station: nothing scrolled out of sight.
    assert_panel_fits(s, "refused").await;
    assert_ne!(state(s).await, "review", "no photo is taken while red");

    // English with one click, every window; then the settings page (F2).
    s.js("document.querySelector('#lang').click()", json!([]))
        .await;
    s.wait_for(
        "the English screen",
        "return document.documentElement.lang === 'en' && /Adjust|Refused/.test(document.querySelector('#state .label')?.textContent ?? '')",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("11-english").await;
    assert_panel_fits(s, "refused, in English").await;
    s.keys("\u{E032}").await; // F2
    s.wait_for(
        "the settings page",
        "return document.querySelector('#settings-form #set-camera') !== null",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("12-settings").await;
    s.js("location.hash = '#station'", json!([])).await;
    assert_eq!(
        queue_attr(s, "pending").await + queue_attr(s, "uploaded").await,
        0,
        "nothing queued"
    );
    app.close().await;
}

/// Every part of the station's side panel is inside it: none scrolled out of sight.
async fn assert_panel_fits(s: &Session, when: &str) {
    let hidden = s
        .js(
            "const panel = document.querySelector('.panel'); const p = panel.getBoundingClientRect(); \
             const out = ['#checks', '#queue', '.tools .buttons', '.tools .where'].filter((q) => { \
               const r = document.querySelector(q)?.getBoundingClientRect(); \
               return !r || r.bottom > p.bottom + 1 || r.top < p.top - 1; }); \
             if (panel.scrollHeight > panel.clientHeight + 1) out.push('scrolls'); return out",
            json!([]),
        )
        .await;
    assert_eq!(hidden, json!([]), "parts of the panel out of sight: {when}");
}

async fn scan_and_wait_adjust(s: &Session, code: &str) {
    s.keys(&format!("{code}{ENTER}")).await;
    wait_state(s, &["adjust", "refused"], Duration::from_secs(10)).await;
    s.wait_for(
        "a live verdict on the preview",
        "return document.querySelectorAll('#checks li[data-pass=false]').length > 0",
        Duration::from_secs(20),
    )
    .await;
}

/// The settings of station `e2e-room-1` in 体育馆 A uploading to `addr` with `token`.
fn station_at(addr: &str, token: &str) -> String {
    format!(
        "camera = \"demo\"\nstation = \"e2e-room-1\"\nroom = \"体育馆 A\"\nintake_url = \"{addr}\"\ntoken = \"{token}\"\n"
    )
}

/// A collector started again on the address (`http://127.0.0.1:PORT`) it had before.
async fn restart_at(addr: &str, cfg: caiji_collector::Config) -> caiji_collector::CollectorHandle {
    let port = addr.rsplit(':').next().unwrap();
    caiji_collector::start(&format!("127.0.0.1:{port}"), cfg)
        .await
        .expect("the collector restarts on its port")
}

#[tokio::test]
async fn the_collector_goes_away_and_comes_back_and_nothing_is_lost() {
    let rt_dir = tempfile::tempdir().unwrap();
    let token = "e2e-station-token";
    let config = || {
        caiji_collector::Config::single(rt_dir.path().to_path_buf(), "e2e-room-1", token, None)
            .expect("config")
    };
    let collector = caiji_collector::start("127.0.0.1:0", config())
        .await
        .expect("collector");
    let addr = collector.url();
    let app = App::start(Options {
        settings: Some(station_at(&addr, token)),
        name: "offline",
        ..Options::default()
    })
    .await;
    let s = app.s();
    first_frame(s).await;

    // The first student (their phone read by the camera), online.
    photograph(s).await;
    wait_queue(s, "uploaded", 1, Duration::from_secs(30)).await;

    // The network goes: the next student is queued, the screen says offline, calmly.
    collector.stop().await;
    wait_state(s, &["adjust", "ready"], Duration::from_secs(30)).await;
    photograph(s).await;
    s.wait_for(
        "the offline state",
        "const o = document.querySelector('#online'); return o && o.dataset.online === 'false' ? o.innerText : ''",
        Duration::from_secs(30),
    )
    .await;
    let waiting = queue_attr(s, "pending").await + queue_attr(s, "uploading").await;
    assert_eq!(waiting, 1, "one photo waits for the network");
    app.screenshot("08-offline").await;

    // It comes back on the same address: the queue drains by itself.
    let back = restart_at(&addr, config()).await;
    wait_queue(s, "uploaded", 2, Duration::from_secs(30)).await;
    s.wait_for(
        "online again",
        "return document.querySelector('#online')?.dataset.online === 'true'",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("09-back-online").await;
    assert_eq!(
        validate_collector(rt_dir.path(), &app.data.path().join("station.key")),
        2
    );
    app.close().await;
    back.stop().await;
}

#[tokio::test]
async fn the_students_window_mirrors_the_confirm_view() {
    let app = App::start(Options {
        name: "mirror",
        ..Options::default()
    })
    .await;
    let s = app.s();
    first_frame(s).await;
    let main = s.window().await;
    s.js("document.querySelector('#open-confirm').click()", json!([]))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let confirm = loop {
        let all = s.windows().await;
        if let Some(h) = all.iter().find(|h| **h != main) {
            break h.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the student's window did not open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let photo = shoot_when_ready(s).await;

    s.switch_to(&confirm).await;
    let shown = photo_shown(
        s,
        "the photo in the student's window",
        Duration::from_secs(15),
    )
    .await;
    assert_eq!(shown, photo, "the student's window shows the same photo");
    let others: Value = s
        .js("return ['#queue', '#checks', '#code-input', '#preview'].filter((q) => document.querySelector(q))", json!([]))
        .await;
    assert_eq!(
        others,
        json!([]),
        "the student's screen shows the photo only, no queue or controls"
    );
    // And whose photo it is, masked, as the station shows it.
    let whose = s
        .js(
            "return document.querySelector('#review-student')?.textContent ?? ''",
            json!([]),
        )
        .await;
    let whose = whose.as_str().unwrap_or_default();
    assert!(
        whose.contains('*') && whose.contains(" · "),
        "the student's window names the student, masked: {whose:?}"
    );
    app.screenshot("10-student-window").await;
    // The student accepts on their own screen.
    s.js(
        "document.querySelector('#review-accept').click()",
        json!([]),
    )
    .await;
    s.switch_to(&main).await;
    wait_queue(s, "uploaded", 1, Duration::from_secs(30)).await;
    app.close().await;
}

#[tokio::test]
async fn a_camera_that_cannot_be_opened_is_explained_on_a_banner() {
    let app = App::start(Options {
        camera: Some("video:/nonexistent/session.mjpeg".into()),
        name: "banner",
        ..Options::default()
    })
    .await;
    let s = app.s();
    let banner = s
        .wait_for(
            "the camera banner",
            "const b = document.querySelector('#banner'); return b && !b.hidden ? b.innerText : ''",
            Duration::from_secs(30),
        )
        .await;
    let banner = banner.as_str().unwrap_or_default();
    assert!(
        banner.contains("/nonexistent/session.mjpeg")
            && banner.contains("文件不存在")
            && banner.contains("no such file")
            && !banner.contains("os error"),
        "the banner names the file and why, in each language's own words: {banner}"
    );
    assert!(
        banner
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && banner.contains(" / "),
        "both languages: {banner}"
    );
    // The window still works: a scan is taken, and the station says it has no picture (never
    // "ready", nor "adjust" as if the student could mend it).
    s.keys(&format!("{}{ENTER}", demo_code(0))).await;
    wait_state(s, &["no_picture"], Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(state(s).await, "no_picture");
    app.screenshot("13-camera-banner").await;
    app.close().await;
}

#[tokio::test]
async fn killed_during_a_shot_the_next_start_is_clean_and_nothing_is_half_saved() {
    let mut app = App::start(Options {
        name: "killed",
        ..Options::default()
    })
    .await;
    let s = app.s();
    first_frame(s).await;
    shoot_when_ready(s).await;
    // Killed while the student looks at the photo: it was never accepted, so never queued.
    app.kill_and_restart().await;
    let s = app.s();
    first_frame(s).await;
    let st = wait_state(s, &["waiting", "adjust", "ready"], Duration::from_secs(20)).await;
    assert_ne!(
        st, "review",
        "a new start does not pretend a review is open"
    );
    assert_eq!(
        queue_attr(s, "pending").await + queue_attr(s, "uploaded").await,
        0,
        "the photo that was not accepted is not in the queue"
    );
    // Accepted, then killed at once: the photo is queued (or already uploaded), and uploads
    // after the next start.
    photograph(s).await;
    s.wait_for(
        "the photo queued",
        "return Number(document.querySelector('#queue')?.dataset.pending ?? 0) + Number(document.querySelector('#queue')?.dataset.uploading ?? 0) + Number(document.querySelector('#queue')?.dataset.uploaded ?? 0) >= 1",
        Duration::from_secs(10),
    )
    .await;
    app.kill_and_restart().await;
    let s = app.s();
    wait_queue(s, "uploaded", 1, Duration::from_secs(30)).await;
    app.screenshot("14-after-kill").await;
    assert_eq!(
        validate_collector(&app.local_collector(), &app.data.path().join("station.key")),
        1
    );
    app.close().await;
}

/// Set an input's value as typing does (the page listens for `input`).
async fn fill(s: &Session, selector: &str, value: &str) {
    let found = s
        .js(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true",
            json!([selector, value]),
        )
        .await;
    assert_eq!(found, json!(true), "{selector} is on the page");
}

async fn click(s: &Session, selector: &str) {
    let found = s
        .js(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true",
            json!([selector]),
        )
        .await;
    assert_eq!(found, json!(true), "{selector} is on the page");
}

/// A review action on the open shot: the button, a reason, confirm.
async fn act(s: &Session, button: &str, why: &str) {
    click(s, button).await;
    s.wait_for(
        "the reason field",
        "return !!document.querySelector('#action-reason')",
        Duration::from_secs(5),
    )
    .await;
    fill(s, "#action-reason", why).await;
    click(s, "#action-confirm").await;
}

/// Issue 12: the supervisor in the real window. A photo the collector refused (it did not
/// know the station yet) is retried from the review and arrives; a wrong PIN is refused and
/// audited; the student marked for a retake is told so when their code is scanned again; the
/// day's export holds the row the review shows.
#[tokio::test]
async fn issue_12_the_supervisor_reviews_retries_marks_and_exports_in_the_real_window() {
    let rt_dir = tempfile::tempdir().unwrap();
    let token = "e2e-station-token-ok";
    let config = |known: &str| {
        caiji_collector::Config::new(
            rt_dir.path().to_path_buf(),
            vec![
                caiji_collector::StationAccess::new("e2e-room-1", known, None)
                    .unwrap()
                    .with_read(true),
            ],
        )
    };
    // The collector does not know this station's token yet: its upload fails for good.
    let collector = caiji_collector::start("127.0.0.1:0", config("another-stations-token"))
        .await
        .expect("collector");
    let addr = collector.url();
    let app = App::start(Options {
        settings: Some(station_at(&addr, token)),
        name: "supervisor",
        ..Options::default()
    })
    .await;
    let s = app.s();
    let data = app.data.path().to_path_buf();
    std::fs::write(
        data.join("supervisor.pin"),
        caiji_station::supervise::hash_pin("246810").unwrap(),
    )
    .unwrap();
    first_frame(s).await;
    photograph(s).await;
    wait_queue(s, "failed", 1, Duration::from_secs(30)).await;
    // The school adds the station to its collector (same address).
    collector.stop().await;
    let collector = restart_at(&addr, config(token)).await;

    // The review: a wrong PIN first.
    click(s, "#open-review").await;
    s.wait_for(
        "the PIN screen",
        "return !!document.querySelector('#pin-code')",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("20-pin").await;
    fill(s, "#pin-who", "张三").await;
    fill(s, "#pin-code", "111111").await;
    click(s, "#pin-submit").await;
    let said = s
        .wait_for(
            "the wrong-PIN message",
            "return document.querySelector('#pin-error')?.innerText?.trim() || ''",
            Duration::from_secs(10),
        )
        .await;
    assert!(
        !said.as_str().unwrap_or("").is_empty(),
        "the page says the PIN was wrong"
    );
    assert!(
        s.try_js("return !!document.querySelector('#review-table')")
            .await
            == Some(json!(false)),
        "no review behind a wrong PIN"
    );
    fill(s, "#pin-who", "王老师").await;
    fill(s, "#pin-code", "246810").await;
    click(s, "#pin-submit").await;
    s.wait_for(
        "the failed shot in the review",
        "return !!document.querySelector('#review-table tr[data-upload=\"failed\"]')",
        Duration::from_secs(15),
    )
    .await;
    app.screenshot("21-review").await;

    // Retry it from the review: it reaches the collector.
    click(s, "#review-table tr[data-upload=\"failed\"]").await;
    s.wait_for(
        "the shot's detail",
        "return !!document.querySelector('#shot-detail')",
        Duration::from_secs(10),
    )
    .await;
    let judged = s
        .wait_for(
            "the checks of the queued file",
            "const n = document.querySelectorAll('#detail-checks tbody tr').length; return n > 0 ? n : 0",
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(
        judged,
        json!(caiji_spec::CheckId::ALL.len()),
        "every rule, judged on the queued file"
    );
    app.screenshot("22-detail").await;
    act(s, "#action-retry", "接收端已添加本站").await;
    let mut arrived = 0;
    for _ in 0..300 {
        arrived = std::fs::read_dir(rt_dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "jpg")
            })
            .count();
        if arrived == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(arrived, 1, "the retried photo reached the collector");
    let shown = s
        .wait_for(
            "the row uploaded",
            "const r = document.querySelector('#review-table tr[data-shot]'); return r && r.dataset.upload === 'uploaded' ? r.innerText : ''",
            Duration::from_secs(20),
        )
        .await;
    let shown = shown.as_str().unwrap_or_default().to_string();
    // The detail left open on the shot follows it too: uploaded, the failure gone.
    s.wait_for(
        "the open detail showing the upload",
        "const d = document.querySelector('#shot-detail'); return !!d && !d.hidden && d.dataset.upload === 'uploaded' && !document.querySelector('#detail-facts').innerText.includes('401')",
        Duration::from_secs(20),
    )
    .await;

    // Mark the student for a retake: the detail shows the mark at once.
    click(s, "#review-table tr[data-shot]").await;
    s.wait_for(
        "the shot's detail",
        "return !!document.querySelector('#shot-detail')",
        Duration::from_secs(10),
    )
    .await;
    act(s, "#action-retake", "眼镜反光").await;
    s.wait_for(
        "the mark in the open detail",
        "const d = document.querySelector('#shot-detail'); return !!d && !d.hidden && document.querySelector('#detail-facts').innerText.includes('眼镜反光')",
        Duration::from_secs(20),
    )
    .await;

    // The day's export holds the row the review shows.
    let out = data.join("export.xlsx");
    fill(s, "#export-out", out.to_str().unwrap()).await;
    click(s, "#export-days").await;
    s.wait_for(
        "the export written",
        "return document.querySelector('#export-result')?.innerText?.includes('export.xlsx') || false",
        Duration::from_secs(15),
    )
    .await;
    app.screenshot("23-exported").await;
    let rows = caiji_roster::read_export(&out).expect("the export opens");
    assert_eq!(rows.len(), 1, "one photographed student");
    assert!(
        shown.contains(&rows[0].name_masked) && shown.contains(&rows[0].id_tail),
        "the export's row is the review's: {shown:?} vs {:?}",
        rows[0].name_masked
    );

    // The audit log has the wrong PIN, who tried, and the actions with who and why.
    let key = StationKey::load(&data.join("station.key")).unwrap();
    let store = caiji_store::Store::open_read_only(
        &data.join("caiji.db"),
        *key.derive(caiji_photo::seal::purpose::STORE),
    )
    .await
    .unwrap();
    let log = store.audit_log("", 200).await.unwrap();
    let has = |event: &str, detail: &str| {
        log.iter()
            .any(|e| e.event == event && e.detail.contains(detail))
    };
    assert!(
        has("review_pin_refused", "张三"),
        "the wrong PIN, audited with who"
    );
    assert!(
        has("requeued", "王老师: 接收端已添加本站"),
        "the retry, with who and why"
    );
    assert!(
        has("retake_marked", "王老师: 眼镜反光"),
        "the mark, with who and why"
    );
    store.close().await;

    // Back at the station, the same student's code: the station says a retake was asked for.
    s.js("location.hash = '#station'", json!([])).await;
    wait_state(s, &["waiting", "adjust", "ready"], Duration::from_secs(20)).await;
    s.keys(ESCAPE).await;
    wait_state(s, &["waiting"], Duration::from_secs(10)).await;
    s.keys(&format!("{}{ENTER}", demo_code(0))).await;
    let mark = s
        .wait_for(
            "the retake mark on the station",
            "return document.querySelector('#retake-mark')?.innerText?.trim() || ''",
            Duration::from_secs(15),
        )
        .await;
    assert!(mark.as_str().unwrap_or("").contains("眼镜反光"), "{mark}");
    assert_eq!(state(s).await, "question");
    app.screenshot("24-retake-mark").await;
    app.close().await;
    collector.stop().await;
}
