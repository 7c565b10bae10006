//! `caiji capture`, `caiji validate` and `caiji keygen`.

use crate::analyze::analyzer;
use crate::progress::Progress;
use crate::report::{self, load_rgb};
use caiji_photo::seal::{AesGcmSealer, Sealer, StationKey};
use caiji_photo::validate::{FileReport, SealPolicy, validate_bytes};
use caiji_spec::{CheckId, Verdict};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

fn load_key(path: &Path) -> Result<AesGcmSealer, ExitCode> {
    StationKey::load(path)
        .map(|k| AesGcmSealer::new(&k))
        .map_err(|e| {
            eprintln!("{e}");
            ExitCode::from(2)
        })
}

pub fn keygen(path: &Path) -> ExitCode {
    if path.exists() {
        eprintln!(
            "{} 已存在，不覆盖 / {} exists, not overwritten",
            path.display(),
            path.display()
        );
        return ExitCode::from(2);
    }
    let key = StationKey::generate();
    match key.save(path) {
        Ok(()) => {
            println!(
                "站点密钥已生成 / station key written: {} (id {})",
                path.display(),
                key.id()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "无法写入密钥 / cannot write the key {}: {e}",
                path.display()
            );
            ExitCode::from(1)
        }
    }
}

pub fn capture(code: &str, key: &Path, out: &Path, frame: &Path, timing: Option<u32>) -> ExitCode {
    let sealer = match load_key(key) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let analyzer = match analyzer() {
        Ok(a) => a,
        Err(c) => return c,
    };
    let img = match load_rgb(frame) {
        Ok(i) => i,
        Err(e) => {
            println!("{}", report::error_json(&frame.display().to_string(), &e));
            return ExitCode::from(1);
        }
    };
    let analysis = match analyzer.judge(&img, caiji_vision::Framing::Plan) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    match caiji_photo::shoot_judged(&img, &analysis, &sealer, code, out) {
        Ok(shot) => {
            let mut o = report::analysis_json(&frame.display().to_string(), &shot.analysis);
            let obj = o.as_object_mut().expect("object");
            obj.insert("photo".into(), json!(out.display().to_string()));
            obj.insert("quality".into(), json!(shot.quality));
            obj.insert("bytes".into(), json!(shot.bytes));
            if let Some(n) = timing {
                // Shutter to sealed file: render, encode search, seal, atomic write, read-back.
                let mut times = Vec::new();
                for _ in 0..n.max(1) {
                    let t = std::time::Instant::now();
                    let made = caiji_photo::make_photo(&img, &shot.analysis, &sealer, code)
                        .and_then(|enc| caiji_photo::output::write_atomic(out, &enc.bytes))
                        .and_then(|()| caiji_photo::output::read_back(out, &sealer, code));
                    if let Err(e) = made {
                        eprintln!("{e}");
                        return ExitCode::from(1);
                    }
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                times.sort_by(f64::total_cmp);
                obj.insert(
                    "shutter_ms".into(),
                    json!((times[times.len() / 2] * 100.0).round() / 100.0),
                );
            }
            println!("{o}");
            ExitCode::SUCCESS
        }
        Err(caiji_photo::PhotoError::NotCompliant(_)) => {
            // Show the whole analysis: which rules fail and what to do.
            println!(
                "{}",
                report::analysis_json(&frame.display().to_string(), &analysis)
            );
            eprintln!("画面不合格，未保存照片 / frame fails the standard, no photo written");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// Every file under the given paths, in a stable order (folders walked depth-first, sorted).
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        // A folder's files, hidden ones skipped, sorted once by path.
        let mut found = Vec::new();
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                found.push(dir); // reported as unreadable
                continue;
            };
            for e in rd.filter_map(|e| e.ok().map(|e| e.path())) {
                let hidden = e
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if hidden {
                    continue;
                }
                if e.is_dir() {
                    stack.push(e)
                } else {
                    found.push(e)
                }
            }
        }
        found.sort();
        out.extend(found);
    }
    out
}

enum Outcome {
    Report(Box<FileReport>),
    Unreadable(report::FileError),
}

fn measurements_json(r: &FileReport) -> serde_json::Value {
    serde_json::Value::Object(
        r.analysis
            .as_ref()
            .map(report::measurements)
            .unwrap_or_default(),
    )
}

pub fn validate(
    paths: &[PathBuf],
    json_out: bool,
    key: Option<&Path>,
    require_seal: bool,
    xlsx: Option<&Path>,
) -> ExitCode {
    let policy = if require_seal {
        SealPolicy::Require
    } else {
        SealPolicy::ByKey
    };
    let sealer = match key.map(load_key).transpose() {
        Ok(s) => s,
        Err(c) => return c,
    };
    let analyzer = match analyzer() {
        Ok(a) => a,
        Err(c) => return c,
    };
    let files = expand(paths);
    if files.is_empty() {
        eprintln!("没有找到文件 / no files found");
        return ExitCode::from(2);
    }
    // Two-stage stream: workers take paths one at a time and send results back tagged with their
    // index; the printer keeps only the out-of-order few. Memory stays at a few photos.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let (job_tx, job_rx) = crossbeam_channel::bounded::<(usize, PathBuf)>(workers * 2);
    let (res_tx, res_rx) = mpsc::sync_channel::<(usize, Outcome)>(workers * 2);
    let mut rows: Vec<crate::xlsx::Row> = Vec::new();
    let mut by_rule: BTreeMap<CheckId, usize> = BTreeMap::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let job_rx = job_rx.clone();
            let res_tx = res_tx.clone();
            let analyzer = &analyzer;
            let sealer = sealer.as_ref().map(|s| s as &dyn Sealer);
            s.spawn(move || {
                for (i, path) in job_rx {
                    let outcome = match std::fs::read(&path) {
                        Ok(bytes) => Outcome::Report(Box::new(validate_bytes(
                            &path, &bytes, analyzer, sealer, policy,
                        ))),
                        Err(_) => Outcome::Unreadable(load_rgb(&path).err().unwrap_or(
                            report::FileError {
                                code: "unreadable",
                                message_zh: "无法读取文件".into(),
                                message_en: "cannot read the file".into(),
                            },
                        )),
                    };
                    if res_tx.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(res_tx);
        let files_ref = &files;
        s.spawn(move || {
            for (i, p) in files_ref.iter().enumerate() {
                if job_tx.send((i, p.clone())).is_err() {
                    break;
                }
            }
        });
        let mut bar = Progress::new(files.len(), !json_out);
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut next = 0usize;
        for (i, outcome) in res_rx {
            pending.insert(i, outcome);
            while let Some(o) = pending.remove(&next) {
                let name = files[next].display().to_string();
                match o {
                    Outcome::Report(r) => {
                        if r.verdict == Verdict::Pass {
                            passed += 1
                        } else {
                            failed += 1
                        }
                        for c in r.checks.iter().filter(|c| !c.pass) {
                            *by_rule.entry(c.id).or_default() += 1;
                        }
                        if json_out {
                            let mut o = json!({"file": name, "verdict": r.verdict.as_str(), "checks": r.checks, "not_checked": r.not_checked, "measurements": measurements_json(&r)});
                            if let Some(id) = &r.id_masked {
                                o["id_masked"] = json!(id);
                            }
                            if let Some(seal) = r.seal {
                                o["seal"] = json!(seal.as_str());
                            }
                            println!("{o}");
                        } else {
                            let v = if r.verdict == Verdict::Pass {
                                "合格 PASS"
                            } else {
                                "不合格 FAIL"
                            };
                            let mut text = format!("{name}  {v}");
                            for c in r.checks.iter().filter(|c| !c.pass) {
                                text += &format!(
                                    "\n  ✗ {:<20} {} / {}",
                                    c.id.as_str(),
                                    c.message_zh,
                                    c.message_en
                                );
                            }
                            if !r.not_checked.is_empty() {
                                text += &format!(
                                    "\n    （其余 {n} 条规则无法检查 / the other {n} rules cannot be checked）",
                                    n = r.not_checked.len()
                                );
                            }
                            bar.println(&text);
                        }
                        bar.tick(r.verdict != Verdict::Pass);
                        if xlsx.is_some() {
                            rows.push((name, r.verdict, r.checks.clone(), r.not_checked.clone()));
                        }
                    }
                    Outcome::Unreadable(e) => {
                        failed += 1;
                        if json_out {
                            println!("{}", report::error_json(&name, &e));
                        } else {
                            bar.println(&format!(
                                "{name}  错误/ERROR [{}] {} / {}",
                                e.code, e.message_zh, e.message_en
                            ));
                        }
                        bar.tick(true);
                        if xlsx.is_some() {
                            rows.push((name, Verdict::Fail, vec![], CheckId::ALL.to_vec()));
                        }
                    }
                }
                next += 1;
            }
        }
        bar.finish();
    });
    let total = passed + failed;
    if !json_out {
        let rules: Vec<String> = by_rule.iter().map(|(id, n)| format!("{id} {n}")).collect();
        println!(
            "共检查 {total} 个，合格 {passed}，不合格 {failed} / {total} checked, {passed} passed, {failed} failed{}",
            if rules.is_empty() {
                String::new()
            } else {
                format!("; by rule: {}", rules.join(", "))
            }
        );
    }
    if let Some(path) = xlsx
        && let Err(e) = crate::xlsx::write(path, &rows)
    {
        eprintln!(
            "无法写入报表 {} / cannot write the report {}: {e}",
            path.display(),
            path.display()
        );
        return ExitCode::from(1);
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
