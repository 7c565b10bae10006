//! `caiji analyze` and `caiji scene`.

use crate::report::{self, load_rgb};
use caiji_spec::Verdict;
use caiji_vision::Analyzer;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Load the model or explain why not, in both languages.
pub fn analyzer() -> Result<Analyzer, ExitCode> {
    Analyzer::load_default().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

pub fn run(images: &[PathBuf], json: bool, timing: Option<u32>) -> ExitCode {
    let analyzer = match analyzer() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut failed = 0usize;
    for path in images {
        let name = path.display().to_string();
        let mut times = Vec::new();
        let result = load_rgb(path).and_then(|img| {
            let mut last = None;
            for _ in 0..timing.unwrap_or(1).max(1) {
                let t = std::time::Instant::now();
                last = Some(analyzer.analyze(&img));
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

pub fn scene(subject: &str, backdrop: &str, (w, h): (u32, u32), out: &Path) -> ExitCode {
    let made = caiji_scene::Library::open_default().and_then(|lib| {
        caiji_scene::render(&lib, &caiji_scene::Scene::standard(subject, backdrop, w, h))
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
