//! `caiji analyze`, `caiji scene` and `caiji spec`.

use crate::report::{self, load_rgb};
use caiji_spec::Verdict;
use caiji_vision::{Analyzer, Framing};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Load the model or explain why not, in both languages.
pub fn analyzer() -> Result<Analyzer, ExitCode> {
    Analyzer::load_default().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

/// Analyse each file: every rule ([`Analyzer::judge`]), or with `live` the per-frame analysis
/// of the live overlay alone (what `--timing` and the speed comparisons measure).
pub fn run(images: &[PathBuf], json: bool, timing: Option<u32>, live: bool) -> ExitCode {
    let analyzer = match analyzer() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut failed = 0usize;
    // The next file is decoded on a second thread while this one is analysed (a 1080p JPEG
    // takes about as long to decode as to analyse): at most two decoded frames wait, in order.
    // Not under --timing, which times the analysis alone.
    let (tx, decoded) = std::sync::mpsc::sync_channel(1);
    let mut decoder = timing.is_none().then(|| {
        let images = images.to_vec();
        std::thread::spawn(move || {
            for path in images {
                if tx.send(load_rgb(&path)).is_err() {
                    return;
                }
            }
        })
    });
    for path in images {
        let loaded = if decoder.is_none() {
            load_rgb(path)
        } else {
            match decoded.recv() {
                Ok(loaded) => loaded,
                // The decoder only stops early by panicking: raise its panic here, as if the
                // file had been decoded on this thread.
                Err(_) => match decoder.take().map(std::thread::JoinHandle::join) {
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    _ => unreachable!("the decoder sends one answer a file"),
                },
            }
        };
        let name = path.display().to_string();
        let mut times = Vec::new();
        let result = loaded.and_then(|img| {
            let mut last = None;
            for _ in 0..timing.unwrap_or(1).max(1) {
                let t = std::time::Instant::now();
                last = Some(if live {
                    analyzer.analyze(&img)
                } else {
                    analyzer.judge(&img, Framing::Plan)
                });
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            last.expect("ran at least once")
                .map_err(|e| report::FileError::from_message("analysis", e.message()))
        });
        times.sort_by(f64::total_cmp);
        let median_ms = times.get(times.len() / 2).copied();
        match result {
            Ok(a) => {
                if a.verdict != Verdict::Pass {
                    failed += 1;
                }
                if json {
                    let mut o = report::analysis_json(&name, &a);
                    if let (Some(ms), Some(_)) = (median_ms, timing) {
                        o["analysis_ms"] = serde_json::json!((ms * 100.0).round() / 100.0);
                    }
                    println!("{o}");
                } else {
                    let verdict = if a.verdict == Verdict::Pass {
                        "合格 PASS"
                    } else {
                        "不合格 FAIL"
                    };
                    println!("{name}  {}×{}  {verdict}", a.width, a.height);
                    if let (Some(m), Some(g)) = (&a.measurements, &a.output) {
                        println!(
                            "  头顶/head top {:.0}px  眼睛/eyes {:.0}px  脸宽/face {:.0}px  (输出/output {}×{})",
                            g.head_top_y,
                            g.eye_y,
                            g.face_width,
                            caiji_spec::STANDARD.width,
                            caiji_spec::STANDARD.height
                        );
                        if let Some(c) = &a.crop {
                            println!(
                                "  裁剪/crop x={:.0} y={:.0} {:.0}×{:.0}  roll {:.1}°",
                                c.x, c.y, c.width, c.height, m.roll_deg
                            );
                        }
                    }
                    print!("{}", report::checks_table(&a.checks));
                }
            }
            Err(e) => {
                failed += 1;
                if json {
                    println!("{}", report::error_json(&name, &e));
                } else {
                    println!(
                        "{name}  错误/ERROR [{}] {} / {}",
                        e.code, e.message_zh, e.message_en
                    );
                }
            }
        }
    }
    if let Some(d) = decoder {
        let _ = d.join();
    }
    if !json {
        println!(
            "共 {} 个，合格 {}，不合格 {} / {} analysed, {} passed, {} failed",
            images.len(),
            images.len() - failed,
            failed,
            images.len(),
            images.len() - failed,
            failed
        );
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `caiji scene`: render a demo frame (a subject on a backdrop, the shoulders turned by
/// `shoulder_tilt_deg` about the neck) to `out` and print its ground truth.
pub fn scene(
    subject: &str,
    backdrop: &str,
    (w, h): (u32, u32),
    shoulder_tilt_deg: f64,
    out: &Path,
) -> ExitCode {
    let made = caiji_scene::Library::open_default().and_then(|lib| {
        let mut scene = caiji_scene::Scene::standard(subject, backdrop, w, h);
        if let Some(person) = scene.people.first_mut() {
            person.shoulder_tilt_deg = shoulder_tilt_deg;
        }
        caiji_scene::render(&lib, &scene)
    });
    match made {
        Ok((img, truth)) => match img.save(out) {
            Ok(()) => {
                println!(
                    "{}",
                    serde_json::to_string(&truth).expect("truth serialises")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "无法写入 {} / cannot write {}: {e}",
                    out.display(),
                    out.display()
                );
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// `caiji spec`: the numbers of the standard and the station's tolerances, from `crates/spec`
/// (the one place they are written), for people and for the comparison scripts.
pub fn spec(json: bool) -> ExitCode {
    use caiji_spec::{STANDARD, TOLERANCES};
    if json {
        let o = serde_json::json!({ "standard": STANDARD, "tolerances": TOLERANCES });
        println!("{o}");
        return ExitCode::SUCCESS;
    }
    let (s, t) = (STANDARD, TOLERANCES);
    let b = t.budget;
    println!("教毕指〔2017〕99号 / the standard");
    println!(
        "  尺寸/size {}×{} px, {} dpi, {} bit, JPEG q ≥ {}, {}–{} KB",
        s.width,
        s.height,
        s.dpi,
        s.color_depth,
        s.quality_min,
        s.file_size.min / 1000.0,
        s.file_size.max / 1000.0
    );
    for (zh, en, r) in [
        ("头顶", "head top", s.head_top),
        ("眼睛", "eye line", s.eye_y),
        ("脸宽", "face width", s.face_width),
    ] {
        println!("  {zh}/{en}: {}–{} px", r.min, r.max);
    }
    for d in s.backdrops {
        let [r, g, b] = d.rgb.0;
        println!("  背景/backdrop {} {}: RGB({r},{g},{b})", d.name_zh, d.name);
    }
    println!("测量误差预算 / measurement error budget (p95, on the 480×640 output)");
    println!(
        "  眼睛/eye line ±{} px, 头顶/head top ±{} px, 脸宽/face width ±{} %（逐帧，按双耳 / per frame, from the ears）, ±{} %（成片，按两颊 / the photo, on the cheeks）",
        b.eye_y_px,
        b.head_top_px,
        b.face_width_frac * 100.0,
        b.cheeks_width_frac * 100.0
    );
    println!("全部阈值见 --json / every threshold: --json");
    ExitCode::SUCCESS
}
