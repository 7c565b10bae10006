//! The real app under a real X server: Xvfb on a free display, tauri-driver (which starts
//! WebKitWebDriver, which starts the app), a data directory of the test's own, and the demo camera.
//! A missing tool is a failure that says how to install it, never a skip.

use crate::driver::Session;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// One app window at a time: two cores, and every test owns the whole screen.
/// (An async mutex: each test runs on its own runtime, and the turn is held across awaits.)
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// What a test starts with.
#[derive(Default)]
pub struct Options {
    /// Written to `settings.toml` before the app starts.
    pub settings: Option<String>,
    /// `CAIJI_CAMERA` (default `demo`).
    pub camera: Option<String>,
    /// The test's name: its log is `target/e2e/<name>.log`.
    pub name: &'static str,
}

/// A running app with its X server and driver; dropping it ends all three.
pub struct App {
    pub session: Option<Session>,
    pub data: tempfile::TempDir,
    driver: Option<Child>,
    driver_url: String,
    xvfb: Option<Child>,
    display: String,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

fn need(tool: &str, install: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain([PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin")])
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| panic!("{tool} not found: {install} (scripts/setup.sh does this)"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A display of our own, so the window's size and what is on the screen are the test's.
fn start_xvfb() -> (Child, String) {
    let xvfb = need("Xvfb", "apt-get install xvfb");
    // A display is free when no live X server holds its lock: a server killed without the
    // chance to clean up (SIGKILL, a crashed run) leaves its lock and socket behind, and those
    // are cleared rather than counted as taken.
    let n = (90..200)
        .find(|n| {
            let (lock, socket) = (format!("/tmp/.X{n}-lock"), format!("/tmp/.X11-unix/X{n}"));
            let holder = std::fs::read_to_string(&lock)
                .ok()
                .and_then(|t| t.trim().parse::<u32>().ok());
            match holder {
                Some(pid) if Path::new(&format!("/proc/{pid}")).exists() => false,
                Some(_) => {
                    let _ = std::fs::remove_file(&lock);
                    let _ = std::fs::remove_file(&socket);
                    true
                }
                None => !Path::new(&lock).exists() && !Path::new(&socket).exists(),
            }
        })
        .expect("a free X display number");
    let display = format!(":{n}");
    let child = Command::new(xvfb)
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1440x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start on {display}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, display)
}

/// The app binary this test run built.
pub fn app_binary() -> &'static str {
    env!("CARGO_BIN_EXE_caiji-station")
}

impl App {
    /// Start the app on the demo camera in a fresh data directory.
    pub async fn start(opts: Options) -> App {
        let turn = ONE_AT_A_TIME.lock().await;
        let data = tempfile::tempdir().expect("data dir");
        if let Some(s) = &opts.settings {
            std::fs::write(data.path().join("settings.toml"), s).expect("settings.toml");
        }
        let (xvfb, display) = start_xvfb();
        let mut app = App {
            session: None,
            data,
            driver: None,
            driver_url: String::new(),
            xvfb: Some(xvfb),
            display,
            _turn: turn,
        };
        // Now and then WebKit's inspector finds its port taken and the session never comes: a
        // fresh driver on fresh ports, twice at most. The App exists first, so that whatever
        // happens its drop ends the driver's group (and an app it started) and the X server.
        for attempt in 1..=3 {
            app.spawn_driver(&opts);
            match Session::new(&app.driver_url, app_binary()).await {
                Ok(s) => {
                    app.session = Some(s);
                    return app;
                }
                Err(e) if attempt == 3 => panic!("{e}"),
                Err(e) => {
                    eprintln!("attempt {attempt}: {e}; starting the driver again");
                    app.end_driver();
                }
            }
        }
        unreachable!("three attempts end in a return or a panic")
    }

    /// tauri-driver on free ports, its output in `target/e2e/<name>.log`.
    fn spawn_driver(&mut self, opts: &Options) {
        let driver_bin = need("tauri-driver", "cargo install tauri-driver --locked");
        let native = need("WebKitWebDriver", "apt-get install webkit2gtk-driver");
        let (port, native_port) = (free_port(), free_port());
        // The driver's and the app's output, kept beside the screenshots for a failed run.
        let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        std::fs::create_dir_all(&logs).expect("target/e2e");
        // Appended: a retried start keeps the log of the attempt that failed.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.join(format!("{}.log", opts.name)))
            .expect("driver log");
        let driver = Command::new(driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .arg("--native-driver")
            .arg(native)
            .env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("CAIJI_DATA_DIR", self.data.path())
            .env("CAIJI_CAMERA", opts.camera.as_deref().unwrap_or("demo"))
            // No GPU under Xvfb: WebKit's compositing would fall back anyway, this says so.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            // Its own process group: the driver, WebKitWebDriver and the app end together.
            .process_group(0)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start tauri-driver");
        self.driver = Some(driver);
        assert!(
            wait_port(port, Duration::from_secs(20)),
            "tauri-driver did not listen on {port}"
        );
        self.driver_url = format!("http://127.0.0.1:{port}");
    }

    /// Ends the driver's whole group: the driver, WebKitWebDriver and the app.
    fn end_driver(&mut self) {
        if let Some(mut d) = self.driver.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", d.id())])
                .status();
            let _ = d.wait();
        }
    }

    /// The WebDriver session.
    pub fn s(&self) -> &Session {
        self.session.as_ref().expect("session open")
    }

    /// The screen as the photographer sees it, after the page has had time to paint (a capture
    /// taken at once can show the previous frame), written to `target/e2e/<name>.png`. Taken
    /// from the X server (ImageMagick's `import`): WebKitWebDriver's own screenshot hangs while
    /// the page shows an image from the app's protocol.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        std::fs::create_dir_all(&dir).expect("target/e2e");
        let path = dir.join(format!("{name}.png"));
        let import = need("import", "apt-get install imagemagick");
        let ok = Command::new(import)
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "screenshot of {} failed", self.display);
        path
    }

    /// The collector folder of the app's own local collector.
    pub fn local_collector(&self) -> PathBuf {
        self.data.path().join("collector")
    }

    /// Kill the app (SIGKILL, as a power cut or a crash would) and start it again on the same
    /// data directory through a new WebDriver session.
    pub async fn kill_and_restart(&mut self) {
        let pid = std::process::Command::new("pgrep")
            .args(["-n", "-f", app_binary()])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        assert!(!pid.is_empty(), "the app is running");
        let killed = Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .is_ok_and(|s| s.success());
        assert!(killed, "kill -9 {pid}");
        if let Some(old) = self.session.take() {
            old.close().await; // frees the driver's session; the app is gone already
        }
        let session = Session::new(&self.driver_url, app_binary()).await;
        self.session = Some(session.unwrap_or_else(|e| panic!("{e}")));
    }

    /// Close the window (WebDriver ends the app), then the driver and the X server.
    pub async fn close(mut self) {
        if let Some(s) = self.session.take() {
            s.close().await;
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // The whole group: a test that failed before closing its session leaves no app behind.
        self.end_driver();
        if let Some(mut x) = self.xvfb.take() {
            // SIGTERM: Xvfb removes its lock and socket on the way out.
            let _ = Command::new("kill")
                .args(["-TERM", &x.id().to_string()])
                .status();
            let _ = x.wait();
        }
    }
}
